"""Loss functions: softmax, cross-entropy with one-hot targets, and MSE, all by real torch.

Cross-entropy for scores s and true class c:  CE = −log softmax(s)_c = logsumexp(s) − s_c.
With the one-hot target t (t_c = 1):        CE = −Σ_k t_k · log softmax(s)_k, the same number.
MSE for predictions p and targets y:          MSE = mean((p − y)²).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# The course's examples (chapter 2).
COURSE_SCORES = (0.1, 6.0, -2.0, 3.2)
COURSE_LABEL = 2
COURSE_PRED, COURSE_TARGET = 10.0, 1.0  # MSE = (10 − 1)² = 81
P_FLOOR = 1e-4  # the CE curve starts here: −log p → ∞ as p → 0, and a figure holds no inf


def _tensor(values) -> torch.Tensor:
    return torch.as_tensor(np.asarray(values, dtype=np.float64))


def softmax(scores) -> np.ndarray:
    """exp(s_k) / Σ_j exp(s_j) along the last axis, same shape as `scores`.

    torch subtracts the maximum first, so scores like 1000 do not overflow.
    """
    return torch.softmax(_tensor(scores), dim=-1).numpy()


def cross_entropy(scores, target) -> float:
    """`nn.CrossEntropyLoss()` of scores (K,) or (N, K) against class indices (mean over N)."""
    s = _tensor(scores)
    t = torch.as_tensor(np.atleast_1d(np.asarray(target, dtype=np.int64)))
    if s.ndim == 1:
        s = s.unsqueeze(0)
    return float(nn.CrossEntropyLoss()(s, t))


def mse(pred, target) -> float:
    """`nn.MSELoss()` of a scalar or a sequence of predictions against targets."""
    p, y = _tensor(np.atleast_1d(pred)), _tensor(np.atleast_1d(target))
    return float(nn.MSELoss()(p, y.expand_as(p)))


@dataclass(frozen=True)
class CrossEntropyWalk:
    """The course's pipeline: scores → softmax → one-hot target → loss."""

    scores: np.ndarray  # (K,) the last layer's outputs
    label: int  # the true class index
    probabilities: np.ndarray  # (K,) softmax(scores)
    one_hot: np.ndarray  # (K,) F.one_hot(label, K)
    log_probabilities: np.ndarray  # (K,) log_softmax(scores)
    loss: float  # nn.CrossEntropyLoss with the class index as target
    loss_one_hot: float  # nn.CrossEntropyLoss with the one-hot (float) target, as the course
    p_true: float  # probabilities[label]


def cross_entropy_walk(*, scores: Sequence[float], label: int) -> CrossEntropyWalk:
    """Every step of the course's one-hot cross-entropy example, in float64."""
    s = _tensor(scores).unsqueeze(0)  # (1, K)
    k = s.shape[1]
    if not 0 <= label < k:
        raise ValueError(f"label {label} is not a class index for {k} scores")
    y = torch.tensor([label])
    one_hot = F.one_hot(y, k)  # (1, K) int64
    criterion = nn.CrossEntropyLoss()
    probabilities = torch.softmax(s, dim=1)[0]
    return CrossEntropyWalk(
        scores=s[0].numpy(), label=int(label), probabilities=probabilities.numpy(),
        one_hot=one_hot[0].numpy(), log_probabilities=torch.log_softmax(s, dim=1)[0].numpy(),
        loss=float(criterion(s, y)), loss_one_hot=float(criterion(s, one_hot.double())),
        p_true=float(probabilities[label]),
    )


@dataclass(frozen=True)
class LossCurves:
    """CE and squared error of the probabilities, as functions of the true class's p."""

    p_true: np.ndarray  # (n,) increasing from P_FLOOR to 1
    cross_entropy: np.ndarray  # (n,) −log p
    squared_error: np.ndarray  # (n,) Σ_k (p_k − t_k)² with the rest spread evenly
    classes: int  # K


def ce_curve(*, classes: int, points: int = 200) -> LossCurves:
    """CE against the true class's probability p, via `F.cross_entropy` on log-probabilities.

    The other K − 1 classes share 1 − p evenly, so the scores log p_k have softmax p_k.
    The squared error of the probability vector against the one-hot target is the bounded
    contrast: at most 2, however wrong the model is, while CE grows without limit.
    """
    # dense near 0, where −log p is steep: log-spaced up to 0.1, then even steps to 1
    steep = torch.logspace(math.log10(P_FLOOR), -1, points // 4, dtype=torch.float64)
    p = torch.cat([steep[:-1], torch.linspace(0.1, 1.0, points - points // 4 + 1,
                                               dtype=torch.float64)])
    rest = (1 - p) / max(classes - 1, 1)
    probs = torch.cat([p[:, None], rest[:, None].expand(-1, classes - 1)], dim=1)  # (n, K)
    scores = torch.log(probs.clamp_min(1e-300))
    target = torch.zeros(points, dtype=torch.long)
    ce = F.cross_entropy(scores, target, reduction="none")
    one_hot = F.one_hot(target, classes).double()
    se = F.mse_loss(torch.softmax(scores, dim=1), one_hot, reduction="none").sum(dim=1)
    return LossCurves(p_true=p.numpy(), cross_entropy=ce.numpy(), squared_error=se.numpy(),
                      classes=int(classes))


@dataclass(frozen=True)
class MseCurve:
    prediction: np.ndarray  # (n,) predictions swept around the target
    loss: np.ndarray  # (n,) (prediction − target)² by nn.MSELoss(reduction="none")
    target: float
    pred: float  # the marked prediction
    pred_loss: float  # nn.MSELoss()(pred, target)


def mse_curve(*, pred: float, target: float, points: int = 201) -> MseCurve:
    """MSE as a function of the prediction, over a range that shows `pred` and `target`."""
    half = max(abs(pred - target) * 1.3, 2.0)
    grid = torch.linspace(target - half, target + half, points, dtype=torch.float64)
    loss = nn.MSELoss(reduction="none")(grid, torch.full_like(grid, target))
    return MseCurve(prediction=grid.numpy(), loss=loss.numpy(), target=float(target),
                    pred=float(pred), pred_loss=mse(pred, target))
