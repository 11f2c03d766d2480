"""Counting parameters: three ways to describe a model, every layer's count and formula. The
code text is the model; the shorthand and the layer table are views of it (dlviz.params_views)."""

import streamlit as st

from dlviz import params, ui
from dlviz import params_plots as plots
from dlviz import params_script as code
from dlviz import params_text as text
from dlviz import params_views as views
from dlviz.params_settings import SETTINGS, link_changes

PENDING = "_params_pending"  # a view's rewrite of the settings, applied on the next run
GOOD = "_params_good"  # the last code text that parsed: shown while the current one does not


def _before_widgets() -> dict:
    """What to set before any widget exists, as a callback would: the last run's rewrite, or
    on a link's first run the shorthand of a code that came alone."""
    if PENDING in st.session_state:
        return st.session_state.pop(PENDING)
    if "short" in st.session_state:
        return {}
    return link_changes({k: st.query_params.get_all(k) for k in st.query_params})


ui.set_values(SETTINGS, _before_widgets())
lecture = ui.page("params", SETTINGS)


@st.cache_data(max_entries=64, show_spinner=False)
def _analyse(text: str, frozen: tuple[str, ...] = ()) -> params.Analysis:
    calls = params.parse_layers(text)  # a refusal costs microseconds: before taking a slot
    with ui.heavy_slot("Building the model on the meta device"):
        return params.analyse_calls(calls, frozen=frozen)


@ui.figure_cache()
def _figure(kind: str, text: str, frozen: tuple[str, ...], lecture: bool, other: str = ""):
    analysis = _analyse(text, frozen)
    if kind == "network":
        return plots.network_figure(analysis.network, lecture=lecture)
    if kind == "bars":
        return plots.bar_figure(analysis.report, lecture=lecture)
    return plots.compare_figure([analysis.report, _analyse(other).report], ["above", "second"],
                                lecture=lecture)


def _model(typed: str, what: str, then: str = "") -> params.Analysis | None:
    """The model `typed` describes; else None, the parser's message (escaped: it quotes the
    user's text) and a caret under the part it is about."""
    try:
        return _analyse(typed)
    except params.ArchitectureError as err:
        ui.problem(f"{what}{err}{then}")
        if (mark := params.pointer(typed, err)) is not None:
            st.code(mark, language="text")
        return None


def _on_edit(view: str) -> None:
    """The shorthand or the code was edited: the other views follow. (The frozen layers as
    chosen: the new code's domain may drop some.)"""
    s = ui.values(SETTINGS)
    ui.set_values(SETTINGS, views.after_edit(view, s.short, s.code, st.session_state.get("freeze")))


# --- the model: its sizes (and frozen layers) right above its picture; the same model as a
# layer table and as PyTorch code under it. On a phone the picture is on the first screen.
fresh = "short" not in st.session_state  # a link's first run: its code wins over its shorthand
size_col, freeze_col = ui.main_columns(2)  # lecture mode: at the top of the sidebar
picture = st.container()
if not lecture:
    st.header("The model as a table or as code")
if lecture:  # the code first: the table editor is canvas-drawn, small on a projector
    tab_code, tab_table = st.tabs(["PyTorch code", "Layer table"])
else:
    tab_table, tab_code = st.tabs(["Layer table", "PyTorch code"])
short = ui.widget("short", where=size_col, on_change=_on_edit, args=("short",))
typed = ui.widget("code", where=tab_code, on_change=_on_edit, args=("code",))
rewrite = views.link_fix(short, typed) if fresh else {}
with tab_code:
    if (analysis := _model(typed, "", " The last valid model stays on screen.")) is not None:
        st.session_state[GOOD] = typed
shown_text = typed if analysis else st.session_state.get(GOOD, views.DEFAULT_CODE)
ui.widget("freeze", where=freeze_col, disabled=analysis is None)
if analysis is None:  # the code tab may be hidden: say it where the picture is
    size_col.caption("The PyTorch code below does not parse: the last valid model is shown.")
with size_col:
    if short.strip():
        _model(short, "Shorthand: ")
with tab_table:
    base_rows = params.table_rows(_analyse(shown_text).calls)
    rows = views.clean_rows(st.data_editor(
        base_rows, key=views.table_key(typed),
        num_rows="dynamic", hide_index=False, width="stretch", column_config={
            # a named index column: a header left empty is a screen reader's blank
            "_index": st.column_config.Column("Name", help="The layer's name in the model"),
            "layer": st.column_config.SelectboxColumn(
                "Layer", options=list(params.LAYERS), required=True, width="small"),
            "arguments": st.column_config.TextColumn(
                "Arguments", max_chars=120, help="As in PyTorch: 10, 18 or p=0.5")}))
    if rows != base_rows and (edit := views.after_table(rows, ui.values().freeze))["code"] != typed:
        rewrite = edit  # the table was edited: it rewrites the code
    st.caption(text.TABLE)
if rewrite:  # a view changed after its widgets were drawn: `_before_widgets` applies it
    st.session_state[PENDING] = rewrite
    st.rerun()
frozen = views.kept(ui.values().freeze, _analyse(shown_text).report)
report = (shown := _analyse(shown_text, frozen)).report

with picture:
    ui.chart(_figure("network", shown_text, frozen, lecture),
             summary=text.network_summary(shown.network, report), key="network")
    for column, (label, value, why) in zip(st.columns(3), text.metrics(report), strict=True):
        column.metric(label, value, help=why)
    ui.explain(*text.counts(report))

# --- per layer -----------------------------------------------------------------------------------
st.header("Layer by layer")
ui.chart(_figure("bars", shown_text, frozen, lecture), summary=text.bars_summary(report),
         key="bars")
ui.table(views.layer_table(report), hide_index=True)  # the bars' numbers and formulas
if not lecture:
    st.caption(text.STORAGE)

# --- the course's capacity challenge ------------------------------------------------------------
st.header("Challenge: a small classifier")
st.markdown(text.CHALLENGE)
if not (answer := ui.widget("answer")).strip():
    st.caption("Type an answer to check it.")
elif (mine := _model(answer, "Your model: ")) is not None:
    result = mine.challenge
    (st.success if result.passed else st.error)(ui.md(text.verdict(result)))
    ui.explain(*text.challenge(result, mine.report))
    if not result.passed:
        with st.expander("Show a solution"):
            st.markdown(text.SOLUTION)
    ui.code_panel(code.challenge_script(calls=mine.calls, total=result.total),
                  code.challenge_prints(result, mine.report), filename="dlviz_challenge.py")

# --- two architectures side by side ---------------------------------------------------------
st.header("Compare capacity")
other_text = ui.widget("other")
if (other := _model(other_text, "Second architecture: ",
                    f" Showing {views.DEFAULT_OTHER} meanwhile.")) is None:
    other_text, other = views.DEFAULT_OTHER, _analyse(views.DEFAULT_OTHER)
one, two = st.columns(2)
one.metric("Your model above", f"{report.total:,}")
two.metric("Second architecture", f"{other.report.total:,}", text.ratio(other.report, report),
           delta_color="off")
ui.chart(_figure("compare", shown_text, frozen, lecture, other_text),
         summary=text.compare_summary(report, other.report),
         data=text.compare_data([report, other.report], ["above", "second"]),
         key="compare")
ui.explain(*text.COMPARE)

ui.code_panel(code.script(calls=shown.calls, frozen=frozen, total=report.total),
              code.prints(report), filename="dlviz_params.py")
