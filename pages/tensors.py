"""Tensors & linear layers: a tensor's shape and dtype, y = xWᵀ + b, stacks and output heads."""

import streamlit as st

from dlviz import tensors, ui
from dlviz import tensors_plots as plots
from dlviz import tensors_script as code
from dlviz import tensors_text as text
from dlviz.tensors_settings import SETTINGS, linear_inputs, rows_of, sizes_of

lecture = ui.page("tensors", SETTINGS)


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


@ui.figure_cache()
def _linear_figure(x: tuple, seed: int, weight: tuple | None, bias: tuple | None, lecture: bool):
    return plots.linear_figure(_linear(x, seed, weight, bias), lecture=lecture)


@ui.figure_cache()
def _stack_figure(sizes: tuple, seed: int, lecture: bool):
    return plots.stack_figure(_stack(sizes, seed), lecture=lecture)


@ui.figure_cache(16)
def _head_figure(head: str, seed: int, lecture: bool):
    return plots.head_figure(_head(head, seed), lecture=lecture)


# --- one linear layer: the main figure, with x, W and b right above it (the seed in the sidebar)
with st.sidebar:
    st.subheader("One linear layer")
    seed = ui.widget("seed")
if not lecture:
    st.header("One linear layer: y = x Wᵀ + b")
w_hint, b_hint = text.placeholders(*tensors.seeded_linear(seed=seed))
c_x, c_w, c_b = ui.main_columns([2, 3, 2])
# Lecture mode: one-line labels (the full ones as help), so the figure fits under them
short = {"x": "Input x", "w": "Weights W (2×3)", "b": "Bias b (2)"} if lecture else {}
for key, where, hint in (("x", c_x, None), ("w", c_w, w_hint), ("b", c_b, b_hint)):
    extra = {"label": short[key], "help": SETTINGS[key].label} if lecture else {}
    ui.widget(key, where=where, placeholder=hint, **extra)
x, weight, bias = ui.used(linear_inputs(ui.values()))
linear = _linear(x, seed, weight, bias)
ui.chart(_linear_figure(x, seed, weight, bias, lecture), key="linear",
         summary=text.linear_summary(linear), data=plots.linear_data(linear))
st.code("\n".join(plots.equation_lines(linear)), language="text", wrap_lines=True)
ui.explain(text.LINEAR, text.linear_more(seed))

# --- tensors ------------------------------------------------------------------------------------
st.header("Tensors: shape and dtype")
left, right = st.columns([3, 2])
rows = ui.used(rows_of(ui.widget("rows", where=left)))
info = _tensor(rows, ui.widget("maker", where=right))
m1, m2, m3 = st.columns([1, 1, 2])
m1.metric("t.shape", f"({', '.join(map(str, info.shape))})")
m2.metric("t.dtype", info.dtype)
m3.code(info.text, language="text")
ui.explain(*text.TENSOR)

# --- a stack -------------------------------------------------------------------------------------
st.header("A stack: nn.Sequential")
sizes = ui.used(sizes_of(ui.widget("sizes")))
stack = _stack(sizes, seed)
ui.chart(_stack_figure(sizes, seed, lecture), key="stack",
         summary=text.stack_summary(stack), data=plots.stack_data(stack))
ui.explain(*text.stack(stack))

# --- output heads --------------------------------------------------------------------------------
st.header("The output head: none, sigmoid or softmax")
head_key = ui.widget("head")
head = _head(head_key, seed)
ui.chart(_head_figure(head_key, seed, lecture), key="head_chart",
         summary=text.head_summary(head), data=plots.head_data(head))
ui.explain(*text.head(head))

ui.code_panel(code.script(tensor=info, linear=linear, seed=seed, stack=stack, head=head),
              code.prints(tensor=info, linear=linear, stack=stack, head=head),
              filename="dlviz_tensors.py")
