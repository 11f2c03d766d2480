"""Tensors & linear layers: a tensor's shape and dtype, y = xWᵀ + b, stacks and output heads."""

import streamlit as st

from dlviz import tensors, ui
from dlviz import tensors_plots as plots
from dlviz import tensors_script as code
from dlviz.inputs import InputError, parse_floats

DEFAULT_ROWS = "[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]"
DEFAULT_X = ", ".join(f"{v:g}" for v in tensors.COURSE_INPUT)
DEFAULT_SIZES = ", ".join(str(s) for s in tensors.COURSE_STACK)
WEIGHT_BOUND = 10.0

lecture = ui.page("tensors")


@st.cache_data(max_entries=64, show_spinner=False)
def _tensor(rows: tuple, maker: str):
    return tensors.make_tensor(rows=rows, maker=maker)


@st.cache_data(max_entries=64, show_spinner=False)
def _linear(x: tuple, seed: int, weight: tuple | None, bias: tuple | None):
    return tensors.linear_layer(x=x, seed=seed, weight=weight, bias=bias)


@st.cache_data(max_entries=64, show_spinner=False)
def _stack(sizes: tuple, seed: int):
    return tensors.stack(sizes=sizes, seed=seed)


@st.cache_data(max_entries=16, show_spinner=False)
def _head(head: str, seed: int):
    return tensors.course_head(head=head, seed=seed)


# Figures are cached as objects (not pickled): building one costs far more than a warm rerun
# may, and ui.chart only reads them.
@ui.figure_cache()
def _linear_figure(x: tuple, seed: int, weight: tuple | None, bias: tuple | None, lecture: bool):
    return plots.linear_figure(_linear(x, seed, weight, bias), lecture=lecture)


@ui.figure_cache()
def _stack_figure(sizes: tuple, seed: int, lecture: bool):
    return plots.stack_figure(_stack(sizes, seed), lecture=lecture)


@ui.figure_cache(16)
def _head_figure(head: str, seed: int, lecture: bool):
    return plots.head_figure(_head(head, seed), lecture=lecture)


def _floats(label: str, text: str, count: int, bound: float) -> tuple[float, ...] | None:
    """Exactly `count` numbers from `text`, or None (empty text) — a problem note if bad."""
    if not text.strip():
        return None
    try:
        return parse_floats(text, min_count=count, max_count=count, bound=bound)
    except InputError as err:
        ui.problem(f"{label}: {err} Using the seeded values meanwhile.")
        return None


# --- one linear layer: the main figure; its controls in the sidebar, so it sits under the title
with st.sidebar:
    st.subheader("One linear layer")
    x_text = st.text_input("Input x (3 numbers)", DEFAULT_X, key="x", bind="query-params",
                           max_chars=100)
    seed = ui.seed()
    seeded_w, seeded_b = tensors.seeded_linear(seed=seed)
    w_text = st.text_input(
        "Weights W (2 rows of 3, rows separated by ';'; empty = seeded init)", "", key="w",
        bind="query-params", max_chars=200,
        placeholder="; ".join(", ".join(f"{v:.4f}" for v in row) for row in seeded_w))
    b_text = st.text_input("Bias b (2 numbers; empty = seeded init)", "", key="b",
                           bind="query-params", max_chars=100,
                           placeholder=", ".join(f"{v:.4f}" for v in seeded_b))
if not lecture:
    st.header("One linear layer: y = x Wᵀ + b")
try:
    x = parse_floats(x_text, min_count=3, max_count=3, bound=1e3)
except InputError as err:
    ui.problem(f"Input x: {err} Showing the course's input {DEFAULT_X} meanwhile.")
    x = tensors.COURSE_INPUT
weight = None
if w_text.strip():
    try:
        weight = tensors.parse_matrix(w_text, rows=2, cols=3, bound=WEIGHT_BOUND)
    except InputError as err:
        ui.problem(f"Weights W: {err} Using the seeded values meanwhile.")
bias = _floats("Bias b", b_text, 2, WEIGHT_BOUND)
linear = _linear(tuple(x), seed, weight, bias)
ui.chart(_linear_figure(tuple(x), seed, weight, bias, lecture), key="linear")
st.code("\n".join(plots.equation_lines(linear)), language="text", wrap_lines=True)
ui.explain(
    "`nn.Linear(3, 2)` holds a weight matrix W (2×3) and a bias b (2): each output is a "
    "weighted sum of the inputs plus its bias, y = x Wᵀ + b. Edit x, W and b in the sidebar.",
    f"With the W and b fields empty, W and b are the layer's default initialisation after "
    f"`torch.manual_seed({seed})`: uniform in ±1/√in_features = ±{3 ** -0.5:.4f}. Type your "
    f"own (each within ±{WEIGHT_BOUND:g}) to see how each number moves y.",
)

# --- tensors ------------------------------------------------------------------------------------
st.header("Tensors: shape and dtype")
left, right = st.columns([3, 2])
rows_text = left.text_input("Values (rows in [[…], […]] or separated by ';')", DEFAULT_ROWS,
                            key="rows", bind="query-params", max_chars=300)
maker = right.segmented_control("Made with", list(tensors.MAKERS), default="tensor",
                                key="maker", bind="query-params",
                                format_func=lambda m: tensors.MAKERS[m]) or "tensor"
try:
    rows = tensors.parse_rows(rows_text)
except InputError as err:
    ui.problem(f"Values: {err} Showing {DEFAULT_ROWS} meanwhile.")
    rows = tensors.parse_rows(DEFAULT_ROWS)
info = _tensor(tuple(tuple(r) for r in rows), maker)
m1, m2, m3 = st.columns([1, 1, 2])
m1.metric("t.shape", f"({', '.join(map(str, info.shape))})")
m2.metric("t.dtype", info.dtype)
m3.code(info.text, language="text")
ui.explain(
    "`torch.tensor` copies Python numbers: decimals become float32. `torch.from_numpy` shares "
    "numpy's array and keeps its dtype: decimals stay float64. Whole numbers give int64 "
    "either way.",
    "Layers expect float32 inputs, so a float64 tensor from numpy usually needs `.float()`.",
)

# --- a stack -------------------------------------------------------------------------------------
st.header("A stack: nn.Sequential")
sizes_text = st.text_input("Layer sizes: input features, then each Linear layer's outputs "
                           "(2 to 9 whole numbers, each 1 to 256)", DEFAULT_SIZES, key="sizes",
                           bind="query-params", max_chars=100)
try:
    sizes = tensors.parse_sizes(sizes_text)
except InputError as err:
    ui.problem(f"Layer sizes: {err} Showing the course's stack {DEFAULT_SIZES} meanwhile.")
    sizes = tensors.COURSE_STACK
stack = _stack(sizes, seed)
ui.chart(_stack_figure(sizes, seed, lecture), key="stack")
counts = " + ".join(f"({a}·{b} + {b})" for a, b in zip(sizes[:-1], sizes[1:], strict=False))
ui.explain(
    f"Each layer's `out_features` must be the next layer's `in_features`; the tensor keeps "
    f"its batch dimension 1. Parameters: {counts} = **{stack.total_params:,}**.",
    "`nn.Linear(n_in, n_out)` holds n_in·n_out weights and n_out biases. Counted in code as "
    "`sum(p.numel() for p in model.parameters() if p.requires_grad)`. A stack of Linear "
    "layers without activations between them is still one linear map: the activations page "
    "shows what goes in between.",
)

# --- output heads --------------------------------------------------------------------------------
st.header("The output head: none, sigmoid or softmax")
head_key = st.segmented_control("Head after the last Linear layer", list(tensors.HEADS),
                                default="softmax", key="head", bind="query-params",
                                format_func=str.capitalize) or "softmax"
head = _head(head_key, seed)
ui.chart(_head_figure(head_key, seed, lecture), key="head_chart")
ui.explain(
    "The course's network: input `[[3, 4, 6, 7, 10, 12, 2, 3, 6, 8, 9]]` (11 features) → "
    f"{' → '.join(head.modules)}. Shapes: {' → '.join(str(s) for s in head.shapes)}.",
    "No activation for regression (one real output); `nn.Sigmoid()` on one unit for binary "
    "classification (a probability of class 1); `nn.Softmax(dim=-1)` on K units for K classes "
    "(probabilities that sum to 1 — here the course's 4 classes).",
)

ui.code_panel(code.script(tensor=info, linear=linear, seed=seed, stack=stack, head=head),
              code.prints(tensor=info, linear=linear, stack=stack, head=head),
              filename="dlviz_tensors.py")
