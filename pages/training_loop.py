"""The training loop: step through zero_grad → forward → loss → backward → step."""

import math

import streamlit as st

from dlviz import training_loop as tl
from dlviz import training_loop_plots as plots
from dlviz import training_loop_script as code
from dlviz import training_loop_text as text
from dlviz import ui
from dlviz.training_loop_settings import SETTINGS
from dlviz.ui.player import player

lecture = ui.page("training_loop", SETTINGS)


def _whole_run() -> None:
    """A new number of epochs: the loss curve's player shows the whole new run again."""
    ui.set_values(SETTINGS, {}, reset=("step",))


# --- the run's setup in the sidebar; the step's controls in the main area, right above the
# main figure (on a phone the sidebar is a button away, and the figure must be on screen)
with st.sidebar:
    st.subheader("Training setup")
    for key in ("bs", "shuffle", "lr"):
        ui.widget(key)
    ui.widget("epochs", on_change=_whole_run)
    ui.widget("seed")
if not lecture:
    st.header("One batch at a time")
# one row above the figure (lecture mode: the top of the sidebar, ui.main_columns)
epoch_col, batch_col, stage_col = ui.main_columns([1, 1, 5], vertical_alignment="bottom")
ui.widget("epoch", where=epoch_col)
ui.widget("batch", where=batch_col)
ui.widget("stage", where=stage_col)
s = ui.values()
run = dict(batch_size=int(s.bs), shuffle=bool(s.shuffle), lr=float(s.lr), epochs=int(s.epochs),
           seed=int(s.seed))
run_key = tuple(run.values())


@st.cache_data(max_entries=32, show_spinner=False)
def _run(batch_size: int, shuffle: bool, lr: float, epochs: int, seed: int) -> tl.Run:
    """Both loops, the update comparison and the accumulation demo for this seed, in one
    stacked computation with the seeds other sessions ask for at the same moment."""
    return ui.coalesced(tl.train_many, seed, label="Training", batch_size=batch_size,
                        shuffle=shuffle, lr=lr, epochs=epochs)


@ui.figure_cache(256)
def _figure(name: str, key: tuple, lecture: bool, _build):
    """A built figure, shared read-only across reruns and sessions: plotly's figure
    construction, not the training, is what a warm rerun would otherwise spend its time on.
    `key` holds every primitive the figure depends on; `_build` (unhashed) builds it."""
    return _build()


result = _run(**run)
trace = result.trace
if trace.diverged_at is not None:
    ui.problem(text.diverged(trace))
snap = tl.snapshot(trace, epoch=s.epoch, batch=s.batch, stage=s.stage)

# --- step through one batch at a time: the figure first, then the line of the loop that ran --
ui.chart(_figure("state", (*run_key, snap.step, s.stage), lecture,
                 lambda: plots.state_figure(snap, lecture=lecture)),
         summary=text.state_summary(snap), data=text.state_data(snap), key="state")
html = plots.loop_code_html(snap, epochs=math.ceil(trace.steps / trace.steps_per_epoch),
                            batches=trace.steps_per_epoch, lecture=lecture)
if lecture:  # full width, so no line is clipped at projector font sizes
    st.html(html)
    a, b = st.columns(2)
else:
    code_col, a = st.columns([3, 1], vertical_alignment="center")
    code_col.html(html)
    b = a
a.metric("loss of this batch", "—" if snap.loss is None else f"{snap.loss:.4g}")
b.metric("‖.grad‖", "None" if snap.grad_norm is None else f"{snap.grad_norm:.4g}")
ui.explain(text.stage(s.stage, run["lr"]), text.RECORDED)
if not lecture:
    with st.expander(f"This batch: {trace.batch_size} rows from the DataLoader"):
        ui.table(text.batch_table(trace, snap), hide_index=True)

# --- the full run, redrawn epoch by epoch by the player ---------------------------------------
st.header("The full run: loss per epoch")


def _draw_loss(drawn: int) -> None:
    ui.chart(_figure("loss", (*run_key, snap.step, drawn), lecture,
                     lambda: plots.loss_figure(trace, step=snap.step, drawn=drawn,
                                               lecture=lecture)),
             summary=text.loss_summary(trace, step=snap.step, drawn=drawn),
             data=text.loss_data(trace, drawn=drawn), key="loss")


player("step", draw=_draw_loss)
ui.explain(*text.full_run(trace))

# --- forget zero_grad --------------------------------------------------------------------------
st.header("Forget zero_grad")
k = ui.widget("k")
acc = result.accumulation(k)
ui.chart(_figure("accumulate", (k, *run_key), lecture,
                 lambda: plots.accumulation_figure(acc, lecture=lecture)),
         summary=text.accumulation_summary(acc), data=text.accumulation_data(acc),
         key="accumulate")
ui.explain(*text.accumulation(acc))
without = result.without
ui.chart(_figure("forget", run_key, lecture,
                 lambda: plots.zero_grad_figure(trace, without, lecture=lecture)),
         summary=text.zero_grad_summary(trace, without), data=text.zero_grad_data(trace, without),
         key="forget")
ui.explain(*text.forgotten(without))

# --- manual update vs optimizer.step() ---------------------------------------------------
st.header("The manual update next to optimizer.step()")
comparison = result.comparison
for col, form, snippet, diff in zip(st.columns(3), comparison.forms, text.MANUAL_CODE,
                                    comparison.max_diff, strict=True):
    col.code(snippet, language="python", wrap_lines=True)  # no scroll region without a tab stop
    col.metric(f"max |w − w_step| over {comparison.steps} steps",
               "reference" if form == "optimizer.step()" else f"{diff:.3g}")
if not lecture:
    ui.table(text.manual_table(comparison), hide_index=True)
ui.explain(*text.manual(comparison))

ui.code_panel(
    code.script(**run, snap=snap, k=k, compare_steps=tl.COMPARE_STEPS),
    code.prints(trace=trace, snap=snap, without=without, acc=acc, comparison=comparison),
    filename="dlviz_training_loop.py",
)
