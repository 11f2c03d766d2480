"""Counting parameters: three ways to describe a model, every layer's count and formula.

One canonical state, the code text (`?code=` in the URL). The layer table and the shorthand
are views of it: editing either rewrites the code, and the code rewrites them.
"""

import hashlib

import streamlit as st

from dlviz import params, ui
from dlviz import params_plots as plots
from dlviz import params_script as code
from dlviz.params import ArchitectureError

DEFAULT_CODE = params.sequential_code(params.parse_layers(
    "nn.Sequential(nn.Linear(10, 18), nn.ReLU(), nn.Linear(18, 20), nn.ReLU(), "
    "nn.Linear(20, 5))"))
DEFAULT_SHORT = "10, 18, 20, 5"
DEFAULT_OTHER = "10, 64, 5"
CODE_CHARS, SHORT_CHARS = 2000, 300
GOOD = "_params_good"  # the last code text that parsed: shown while the current one does not

lecture = ui.page("params")


@st.cache_data(max_entries=64, show_spinner=False)
def _analyse(text: str, frozen: tuple[str, ...] = ()) -> params.Analysis:
    return params.analyse(text, frozen=frozen)


@ui.figure_cache()
def _figure(kind: str, text: str, frozen: tuple[str, ...], lecture: bool, other: str = ""):
    analysis = _analyse(text, frozen)
    if kind == "network":
        return plots.network_figure(analysis.network, lecture=lecture)
    if kind == "bars":
        return plots.bar_figure(analysis.report, lecture=lecture)
    return plots.compare_figure([analysis.report, _analyse(other).report], ["above", "second"],
                                lecture=lecture)


def _try(text: str) -> tuple[params.Analysis | None, ArchitectureError | None]:
    try:
        return _analyse(text), None
    except ArchitectureError as err:
        return None, err


def _short_of(text: str) -> str | None:
    """The shorthand view of a code text ("" if it is not a Linear stack; None if invalid)."""
    analysis, _ = _try(text)
    return None if analysis is None else params.shorthand(analysis.calls) or ""


def _code_from_short(short: str, like: str) -> str | None:
    """Shorthand → code, keeping the activations of the model `like` between the layers."""
    analysis, _ = _try(short)
    if analysis is None:
        return None
    sizes = params.shorthand(analysis.calls)
    if sizes is None:  # code typed into the shorthand box: take it as it is
        return analysis.code
    base, _ = _try(like)
    calls = params.with_sizes(base.calls if base else (), [int(s) for s in sizes.split(",")])
    return params.sequential_code(calls)


def _on_code() -> None:
    short = _short_of(st.session_state["code"])
    if short is not None:
        st.session_state["short"] = short


def _on_short() -> None:
    new = _code_from_short(st.session_state["short"], st.session_state.get("code", ""))
    if new is not None:
        st.session_state["code"] = new
        st.session_state["short"] = _short_of(new)


def _first_run() -> None:
    """A deep link may carry `code`, `short` or both: code wins, the shorthand follows."""
    query = st.query_params
    text = query.get("code")
    if text is None and query.get("short"):
        text = _code_from_short(query["short"], DEFAULT_CODE)
        if text is not None:
            st.session_state["code"] = text
    short = _short_of(text or DEFAULT_CODE)
    if short is not None and short != query.get("short", DEFAULT_SHORT):
        if "short" in query:  # the URL's value wins this run: fix it in a rerun
            st.session_state["_params_fix"] = short
        else:
            st.session_state["short"] = short


if "code" not in st.session_state and "short" not in st.session_state:
    _first_run()  # also after a visit to another page, which drops this page's widgets
if st.session_state.pop("_params_fix_armed", False):
    st.session_state["short"] = st.session_state.pop("_params_fix")

text = st.session_state.get("code", st.query_params.get("code", DEFAULT_CODE))
analysis, error = _try(text)
if analysis is not None:
    st.session_state[GOOD] = text
shown_text = text if analysis is not None else st.session_state.get(GOOD, DEFAULT_CODE)
shown, _ = _try(shown_text)
if shown is None:  # a stale remembered text: fall back to the default model
    shown_text, shown = DEFAULT_CODE, _analyse(DEFAULT_CODE)

# --- three ways to describe the model ---------------------------------------------------------
if lecture:  # the projector gets the picture first, full width, and the inputs below it
    right, left = st.container(), st.container()
else:
    left, right = st.columns([5, 6], gap="large")
with left:
    tab_table, tab_short, tab_code = st.tabs(["Layer table", "Shorthand", "PyTorch code"])
    with tab_table:
        base_rows = params.table_rows(shown.calls)
        table_key = "table_" + hashlib.sha1(text.encode()).hexdigest()[:12]
        edited = st.data_editor(
            base_rows, key=table_key, num_rows="dynamic", hide_index=False, width="stretch",
            column_config={
                "layer": st.column_config.SelectboxColumn(
                    "Layer", options=list(params.LAYERS), required=True, width="small"),
                "arguments": st.column_config.TextColumn(
                    "Arguments", max_chars=120, help="As in PyTorch: 10, 18 or p=0.5"),
            },
        )
        rows = [{"layer": r.get("layer"), "arguments": (r.get("arguments") or "").strip()}
                for r in edited]
        if rows != base_rows:  # the table was edited: it rewrites the code
            text = params.rows_code(rows)
            st.session_state["code"] = text
            analysis, error = _try(text)
            if analysis is not None:
                st.session_state[GOOD] = text
                shown_text, shown = text, analysis
                st.session_state["short"] = params.shorthand(analysis.calls) or ""
        st.caption("Add, delete or edit rows; layers without parameters (ReLU, Dropout) count 0.")
    with tab_short:
        short = st.text_input(
            "Layer sizes (Linear layers)", DEFAULT_SHORT, key="short", bind="query-params",
            max_chars=SHORT_CHARS, on_change=_on_short,
            placeholder="not a stack of Linear layers: edit it as a table or as code",
            help="8, 4, 2 means nn.Linear(8, 4) then nn.Linear(4, 2). Activations between "
                 "the layers are kept.")
        if "_params_fix" in st.session_state:  # the widget exists now: a rerun can set it
            st.session_state["_params_fix_armed"] = True
            st.rerun()
        if short.strip():
            _, short_error = _try(short)
            if short_error is not None:
                ui.problem(f"Shorthand: {short_error}")
                if (mark := params.pointer(short, short_error)) is not None:
                    st.code(mark, language="text")
    with tab_code:
        st.text_area("nn.Sequential(…), one layer, or sizes", DEFAULT_CODE, key="code",
                     bind="query-params", max_chars=CODE_CHARS, height=230, on_change=_on_code,
                     help="Pasted PyTorch is read, never run: only nn layers with literal "
                          "numbers are accepted.")
    if error is not None:
        ui.problem(f"{error} The last valid model stays on screen.")
        if (mark := params.pointer(text, error)) is not None:
            st.code(mark, language="text")

frozen_names = [r.name for r in shown.report.rows]
with left:
    frozen = st.multiselect(
        "Freeze layers (requires_grad = False)", frozen_names, default=[], key="freeze",
        bind="query-params", help="Frozen parameters still count, but are not trained.")
frozen = tuple(f for f in frozen if f in frozen_names)
shown = _analyse(shown_text, frozen)
report = shown.report

with right:
    a, b, c = st.columns(3)
    a.metric("Parameters", f"{report.total:,}")
    b.metric("Trainable", f"{report.trainable:,}")
    c.metric("Buffers", f"{report.buffers:,}",
             help="BatchNorm's running mean and variance: stored, never trained, so not "
                  "parameters.")
    ui.chart(_figure("network", shown_text, frozen, lecture), key="network")

ui.explain(
    "`nn.Linear(n_in, n_out)` holds n_in·n_out weights plus n_out biases: "
    + (f"{' + '.join(r.formula for r in report.rows)} = **{report.total:,}** parameters."
       if 0 < len(report.rows) <= 6 else f"this model has **{report.total:,}** parameters."),
    "Activations, Dropout and Flatten have none. BatchNorm's γ and β are parameters, but its "
    "running mean and variance are **buffers**: saved with the model, updated in training "
    "mode, never touched by the optimizer, so `model.parameters()` leaves them out.",
)

# --- per layer -----------------------------------------------------------------------------------
st.header("Layer by layer")
ui.chart(_figure("bars", shown_text, frozen, lecture), key="bars")
st.dataframe(
    [{"layer": r.name, "module": r.layer, "weight": "×".join(map(str, r.weight_shape or ())),
      "bias": "×".join(map(str, r.bias_shape or ())), "formula": r.formula,
      "parameters": r.count, "trainable": r.trainable} for r in report.rows],
    hide_index=True, width="stretch", key="rows")
if not lecture:
    st.caption("torch stores a Linear weight as (out, in); the formula reads it as in × out.")

def _hint(result, report) -> str:
    """Why the answer misses, in the words of the first failed check."""
    failed = next(what for what, ok in result.checks if not ok)
    if failed.startswith("fewer"):
        big = max(report.rows, key=lambda r: r.count)
        return (f"Layer {big.name} alone costs {big.formula} = {big.count}: a hidden unit "
                "costs a weight per unit on each side plus its bias, so shrink the widths.")
    return f"Check: {failed.split(' (')[0]}."


# --- the course's capacity challenge ------------------------------------------------------------
st.header("Challenge: a small classifier")
st.markdown("Build a model with **8 features in, 2 classes out, 4 linear layers and fewer "
            "than 120 parameters**.")
answer = st.text_input(
    "Your model", "", key="answer", bind="query-params", max_chars=SHORT_CHARS,
    placeholder="sizes such as 8, 16, 16, 16, 2, or nn.Sequential(...) code")
if answer.strip():
    mine, mine_error = _try(answer)
    if mine_error is not None:
        ui.problem(f"Your model: {mine_error}")
        if (mark := params.pointer(answer, mine_error)) is not None:
            st.code(mark, language="text")
    else:
        result = mine.challenge
        lines = [f"{'✅' if ok else '❌'} {what}" for what, ok in result.checks]
        (st.success if result.passed else st.error)(
            ("Solved! " if result.passed else "Not yet. ") + " · ".join(lines))
        counts = " + ".join(str(r.count) for r in mine.report.rows)
        ui.explain(f"Your count: {counts} = **{result.total:,}**. " + (
            "Three narrow hidden layers keep every product of neighbouring widths small, "
            "so four layers fit the budget." if result.passed else _hint(result, mine.report)),
            "Fewer parameters means less capacity: a small model cannot memorise much, which "
            "is what a small data set needs. Four Linear layers have three hidden widths "
            "h₁, h₂, h₃ and 8·h₁ + h₁ + h₁·h₂ + h₂ + h₂·h₃ + h₃ + h₃·2 + 2 parameters.")
        if not result.passed:
            with st.expander("Show a solution"):
                st.markdown("`8, 6, 4, 4, 2`: 8×6 + 6 + 6×4 + 4 + 4×4 + 4 + 4×2 + 2 = "
                            "54 + 28 + 20 + 10 = **112** < 120.")
else:
    st.caption("Type an answer to check it.")

# --- two architectures side by side ---------------------------------------------------------
st.header("Compare capacity")
other_text = st.text_input(
    "A second architecture", DEFAULT_OTHER, key="other", bind="query-params",
    max_chars=SHORT_CHARS, help="Sizes or code; compared with the model above.")
other, other_error = _try(other_text)
other_shown = other_text if other_error is None else DEFAULT_OTHER
if other_error is not None:
    ui.problem(f"Second architecture: {other_error} Showing {DEFAULT_OTHER} meanwhile.")
    if (mark := params.pointer(other_text, other_error)) is not None:
        st.code(mark, language="text")
    other = _analyse(DEFAULT_OTHER)
one, two = st.columns(2)
one.metric("Your model above", f"{report.total:,}")
ratio = other.report.total / report.total if report.total else None
two.metric("Second architecture", f"{other.report.total:,}",
           f"{ratio:.2f}× as many" if ratio is not None else None, delta_color="off")
ui.chart(_figure("compare", shown_text, frozen, lecture, other_shown), key="compare")
ui.explain(
    "More parameters means more capacity: the model can fit more complex functions, and "
    "also memorise noise in small data sets.",
    "Widening a hidden layer costs parameters on both sides of it; an extra layer of the same "
    "width adds width² + width.",
)

ui.code_panel(code.script(calls=shown.calls, frozen=frozen, total=report.total),
              code.prints(report), filename="dlviz_params.py")
