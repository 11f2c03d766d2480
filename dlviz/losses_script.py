"""The Loss functions page's "Reproduce in PyTorch" script and the numbers it prints."""

from __future__ import annotations

from dlviz.losses import CrossEntropyWalk, MseCurve
from dlviz.reproduce import literal

_TEMPLATE = '''\
# dlviz · Loss functions: reproduce this page's numbers with plain PyTorch.
import torch
import torch.nn.functional as F
from torch import nn


def fmt(values):
    return " ".join(str(v) if isinstance(v, int) else f"{{v:.6g}}" for v in values)


# Cross-entropy: scores -> softmax -> one-hot target -> loss
y = [{label}]
scores = torch.tensor([{scores}], dtype=torch.float64)
probabilities = torch.softmax(scores, dim=1)
one_hot_label = F.one_hot(torch.tensor(y), scores.shape[1])
criterion = nn.CrossEntropyLoss()
print("probabilities:", fmt(probabilities[0].tolist()))
print("one-hot:", fmt(one_hot_label[0].tolist()))
print("cross-entropy (class index):", fmt([criterion(scores, torch.tensor(y)).item()]))
print("cross-entropy (one-hot):", fmt([criterion(scores, one_hot_label.double()).item()]))
print("-log p[true]:", fmt([-torch.log(probabilities[0, y[0]]).item()]))

# Mean squared error of a regression prediction
prediction = torch.tensor([{pred}], dtype=torch.float64)
target = torch.tensor([{target}], dtype=torch.float64)
print("mse:", fmt([nn.MSELoss()(prediction, target).item()]))
'''


def script(*, walk: CrossEntropyWalk, mse: MseCurve) -> str:
    """A self-contained script that prints the same lines as `prints(...)`."""
    return _TEMPLATE.format(
        label=literal(walk.label), scores=literal([float(s) for s in walk.scores]),
        pred=literal(float(mse.pred)), target=literal(float(mse.target)),
    )


def prints(*, walk: CrossEntropyWalk, mse: MseCurve) -> dict[str, list]:
    """The page's numbers, labelled as the script prints them."""
    return {
        "probabilities": walk.probabilities.tolist(),
        "one-hot": [int(v) for v in walk.one_hot],
        "cross-entropy (class index)": [walk.loss],
        "cross-entropy (one-hot)": [walk.loss_one_hot],
        "-log p[true]": [-float(walk.log_probabilities[walk.label])],
        "mse": [mse.pred_loss],
    }
