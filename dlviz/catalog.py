"""The course map: chapters → concepts → pages.

One registry feeds the navigation (`streamlit_app.py`), the home page's course map, the
AppTests, the browser test and the benchmark. A page is *live* when its file exists under
`pages/`; until then the home page lists it as "to come" without a link, so adding a page
is adding its file.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageSpec:
    key: str  # file stem under pages/, and the AppTest / benchmark id
    title: str  # navigation label and page header
    chapter: int  # course chapter, 1–4
    concept: str  # the course concept the page explains
    blurb: str  # one sentence: what the page shows
    icon: str = "📊"  # emoji: rendered locally (material icons fetch the favicon from a CDN)

    @property
    def url_path(self) -> str:
        """The explicit, stable URL path (lecturers bookmark these): the file's stem.

        It must equal the stem: on a fresh server Streamlit's very first run looks a deep
        link up by file name (its `pages/` folder fallback) before `st.navigation` exists.
        """
        return self.key

    @property
    def file(self) -> str:
        return f"pages/{self.key}.py"

    @property
    def live(self) -> bool:
        return (ROOT / self.file).exists()

    @property
    def settings(self):
        """The page's settings table (`dlviz/<key>_settings.py`, `SETTINGS`): its widgets,
        its URL and the tests' domain sweeps."""
        return importlib.import_module(f"dlviz.{self.key}_settings").SETTINGS


CHAPTERS: dict[int, str] = {
    1: "Introduction to PyTorch",
    2: "Training our first neural network",
    3: "Architecture and hyperparameters",
    4: "Evaluating and improving models",
}

# The navigation bar's section names: all four chapters fit on one line at 1280 px in
# lecture mode (the full names pushed three of them into a "more" menu).
CHAPTER_TABS: dict[int, str] = {1: "PyTorch", 2: "First network", 3: "Architecture",
                                4: "Evaluation"}

PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "tensors", "Tensors & linear layers", 1, "Tensors, nn.Linear and nn.Sequential",
        "A tensor through nn.Linear with every number of y = xWᵀ + b drawn, a stack's shapes, "
        "and the output heads.", "🔢",
    ),
    PageSpec(
        "losses", "Loss functions", 2, "Loss functions with one-hot targets",
        "Scores → softmax → one-hot → cross-entropy, and MSE, with the course's examples.",
        "🎯",
    ),
    PageSpec(
        "training_loop", "The training loop", 2, "Backpropagation and the training loop",
        "Step through zero_grad → forward → loss → backward → step one batch at a time.",
        "🔁",
    ),
    PageSpec(
        "surfaces", "Loss surfaces & gradient descent", 2,
        "Gradient descent, convex and non-convex",
        "Gradient-descent paths on classic test functions and a real network's loss landscape.",
        "⛰️",
    ),
    PageSpec(
        "activations", "Activations & their gradients", 3, "Activation functions",
        "Eight activations and their autograd derivatives, saturation, and vanishing "
        "gradients through depth.", "📈",
    ),
    PageSpec(
        "params", "Counting parameters", 3, "Parameters and model capacity",
        "Type or paste an architecture and see every layer's parameter count and formula.",
        "🧮",
    ),
    PageSpec(
        "lr_momentum", "Learning rate & momentum", 3, "Learning rate and momentum",
        "Optimizer runs side by side, the lr × momentum map, and the theory for quadratics.",
        "🏃",
    ),
    PageSpec(
        "finetune", "Freezing & fine-tuning", 3, "Initialisation and transfer learning",
        "Freeze layers, fine-tune on a new task, and compare weight initialisations.",
        "🧊",
    ),
    PageSpec(
        "playground", "Network playground", 4, "Training, evaluating and debugging a network",
        "TensorFlow Playground in real torch: watch the boundary form epoch by epoch, every "
        "unit's output, train/validation/test accuracy, and the one-batch debugging recipe.",
        "🕹️",
    ),
    PageSpec(
        "overfitting", "Overfitting & regularisation", 4, "Overfitting and its cures",
        "Train and validation curves, the decision boundary, dropout and weight decay.",
        "📉",
    ),
    PageSpec(
        "hparam_search", "Hyperparameter search", 4, "Grid search versus random search",
        "Grid and random search over learning rate and momentum with the same budget.",
        "🔎",
    ),
)

BY_KEY: dict[str, PageSpec] = {p.key: p for p in PAGES}


def live_pages() -> list[PageSpec]:
    """The pages whose files exist, in course order."""
    return [p for p in PAGES if p.live]
