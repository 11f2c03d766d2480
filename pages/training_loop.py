"""The training loop: step through zero_grad → forward → loss → backward → step."""

import math

import streamlit as st

from dlviz import training_loop as tl
from dlviz import training_loop_plots as plots
from dlviz import training_loop_script as code
from dlviz import ui

lecture = ui.page("training_loop")

# --- controls in the sidebar, so the main figure sits right under the title ----------------
with st.sidebar:
    st.subheader("Step through the loop")
    step_box = st.container()  # filled once the run is known: its size bounds epoch and batch
    st.subheader("Training setup")
    batch_size = st.select_slider("Batch size", tl.BATCH_SIZES, value=8, key="bs",
                                  bind="query-params")
    shuffle = st.toggle("Shuffle batches (seeded)", value=True, key="shuffle",
                        bind="query-params")
    lr = st.select_slider("Learning rate", tl.LRS, value=0.05, key="lr", bind="query-params")
    epochs = st.slider("Epochs", 1, tl.MAX_EPOCHS, 20, key="epochs", bind="query-params")
    seed = ui.seed()


@st.cache_data(max_entries=32, show_spinner=False)
def _train(batch_size: int, shuffle: bool, lr: float, epochs: int, seed: int,
           zero_grad: bool) -> tl.Trace:
    label = "Training" if zero_grad else "Training without zero_grad"
    with ui.heavy_slot(label) as progress:
        return tl.train(batch_size=batch_size, shuffle=shuffle, lr=lr, epochs=epochs,
                        seed=seed, zero_grad=zero_grad, progress=progress)


@st.cache_data(max_entries=32, show_spinner=False)
def _accumulate(k: int, batch_size: int, shuffle: bool, seed: int) -> tl.Accumulation:
    return tl.accumulate(k=k, batch_size=batch_size, shuffle=shuffle, seed=seed)


@st.cache_data(max_entries=32, show_spinner=False)
def _compare(batch_size: int, shuffle: bool, lr: float, seed: int) -> tl.UpdateComparison:
    with ui.heavy_slot("Comparing updates"):
        return tl.compare_updates(batch_size=batch_size, shuffle=shuffle, lr=lr, seed=seed)


@ui.figure_cache(256)
def _figure(name: str, key: tuple, lecture: bool, _build):
    """A built figure, shared read-only across reruns and sessions: plotly's figure
    construction, not the training, is what a warm rerun would otherwise spend its time on.
    `key` holds every primitive the figure depends on; `_build` (unhashed) builds it."""
    return _build()


settings = dict(batch_size=int(batch_size), shuffle=bool(shuffle), lr=float(lr),
                epochs=int(epochs), seed=seed)
run_key = tuple(settings.values())
trace = _train(**settings, zero_grad=True)
if trace.diverged_at is not None:
    ui.problem(f"Training diverged at epoch {trace.diverged_at // trace.steps_per_epoch + 1}, "
               f"batch {trace.diverged_at % trace.steps_per_epoch + 1} (the loss passed "
               f"{tl.DIVERGED:g}): lower the learning rate or raise the batch size. The page "
               "shows the steps before that.")

# --- step through one batch at a time -------------------------------------------------------
epochs_run = math.ceil(trace.steps / trace.steps_per_epoch)
with step_box:
    left, right = st.columns(2)
    epoch = left.number_input("Epoch", 1, epochs_run, 1, key="epoch", bind="query-params")
    batch = right.number_input("Batch", 1, trace.steps_per_epoch, 1, key="batch",
                               bind="query-params")
    stage = st.segmented_control("Line of the loop", tl.STAGES, default="backward",
                                 key="stage", bind="query-params") or "backward"
snap = tl.snapshot(trace, epoch=int(epoch), batch=int(batch), stage=stage)

if not lecture:
    st.header("Step through one batch at a time")


def _loop_code() -> None:
    html = plots.loop_code_html(snap, epochs=epochs_run, batches=trace.steps_per_epoch,
                                lecture=lecture)
    if lecture:  # full width, so no line is clipped at projector font sizes
        st.html(html)
        a, b = st.columns(2)
    else:
        code_col, a = st.columns([3, 1], vertical_alignment="center")
        code_col.html(html)
        b = a
    a.metric("loss of this batch", "—" if snap.loss is None else f"{snap.loss:.4g}")
    b.metric("‖.grad‖", "None" if snap.grad_norm is None else f"{snap.grad_norm:.4g}")


if not lecture:  # the line that ran, then what it did; in lecture mode the figure first
    _loop_code()
ui.chart(_figure("state", (*run_key, snap.step, stage), lecture,
                 lambda: plots.state_figure(snap, lecture=lecture)), key="state")
if lecture:
    _loop_code()
ui.explain(
    {"zero_grad": "`optimizer.zero_grad()` clears every `.grad` (to `None`, PyTorch's default), "
                  "so this batch's gradient will not be added to the last one's.",
     "forward": "`model(feature)` runs the batch through Linear(4, 2) → Linear(2, 1): one "
                "prediction per row. Nothing has changed in the parameters.",
     "loss": "`criterion(pred, target)` is the MSE: the mean of (pred − target)² over the batch.",
     "backward": "`loss.backward()` fills each parameter's `.grad` with ∂loss/∂w; the "
                 "parameters themselves are still unchanged.",
     "step": "`optimizer.step()` moves every parameter against its gradient: "
             f"w ← w − {lr:g}·w.grad. The `.grad` stays until the next zero_grad."}[stage],
    "Each number is recorded from the real loop (`TensorDataset`, a seeded `DataLoader`, "
    "`nn.MSELoss`, `optim.SGD`) run once for these settings; moving through the steps only "
    "looks the recording up.",
)
if not lecture:
    with st.expander(f"This batch: {trace.batch_size} rows from the DataLoader"):
        st.dataframe(
            {**{f"x{j + 1}": trace.features[snap.step][:, j] for j in range(tl.N_FEATURES)},
             "target": trace.targets[snap.step],
             "pred": trace.preds[snap.step] if snap.pred is not None else [None] * batch_size},
            hide_index=True,
        )

# --- the full run ----------------------------------------------------------------------------
st.header("The full run: loss per epoch")
ui.chart(_figure("loss", (*run_key, snap.step), lecture,
                 lambda: plots.loss_figure(trace, step=snap.step, lecture=lecture)), key="loss")
ui.explain(
    f"{len(trace.epoch_loss)} epochs × {trace.steps_per_epoch} batches: the epoch loss is the "
    "mean of its batch losses; the diamond is the batch shown above. ▶ Play redraws the curve "
    "epoch by epoch.",
    "Smaller batches make more, noisier steps per epoch; shuffling changes which rows share a "
    "batch each epoch (the order is seeded, so it is the same on every rerun).",
)

# --- forget zero_grad --------------------------------------------------------------------------
st.header("Forget zero_grad")
k = st.slider("Backward passes without zero_grad (k)", 1, 8, 3, key="k", bind="query-params")
acc = _accumulate(k, int(batch_size), bool(shuffle), seed)
ui.chart(_figure("accumulate", (k, *run_key), lecture,
                 lambda: plots.accumulation_figure(acc, lecture=lecture)), key="accumulate")
ui.explain(
    "`backward()` adds to `.grad`; it never overwrites it. Without `zero_grad`, after k "
    "batches `.grad` holds the sum of the k batch gradients (the diamonds).",
    f"Largest difference between the bars and the diamonds here: "
    f"{acc.max_diff:.2g} (float32 rounding). "
    "Summing on purpose is *gradient accumulation*, a way to train with a larger effective "
    "batch; forgetting it by accident makes every step use all the gradients so far.",
)
without = _train(**settings, zero_grad=False)
ui.chart(_figure("forget", run_key, lecture,
                 lambda: plots.zero_grad_figure(trace, without, lecture=lecture)), key="forget")
ui.explain(
    "In training, the stale gradients pile up: each step is pushed by every earlier batch, "
    "so the steps grow, the loss oscillates and, here, " +
    ("blows up." if without.diverged_at is not None else "does not settle."),
    "Like momentum with no friction: SGD on Σ of all past gradients overshoots and keeps "
    "swinging instead of converging.",
)

# --- manual update vs optimizer.step() ---------------------------------------------------
st.header("The manual update next to optimizer.step()")
comparison = _compare(int(batch_size), bool(shuffle), float(lr), seed)
MANUAL_CODE = (
    "loss.backward()\noptimizer.step()",
    "loss.backward()\nwith torch.no_grad():\n    for w in model.parameters():\n"
    "        w.add_(w.grad, alpha=-lr)",
    "loss.backward()\nwith torch.no_grad():\n    for w in model.parameters():\n"
    "        w.copy_(w - lr * w.grad)",
)
for col, form, snippet, diff in zip(st.columns(3), comparison.forms, MANUAL_CODE,
                                    comparison.max_diff, strict=True):
    col.code(snippet, language="python")
    col.metric(f"max |w − w_step| over {comparison.steps} steps",
               "reference" if form == "optimizer.step()" else f"{diff:.3g}")
if not lecture:
    st.dataframe({"parameter": list(plots.PARAM_LABELS),
                  **{form: [f"{v:.9g}" for v in comparison.final[i]]
                     for i, form in enumerate(comparison.forms)}},
                 hide_index=True)
ui.explain(
    f"Three copies of the model, trained on the same {comparison.steps} batches: "
    "`optimizer.step()` for plain SGD *is* w ← w − lr·w.grad. Written as SGD writes it, "
    "`w.add_(w.grad, alpha=-lr)`, the weights are identical to the last bit "
    f"(max |difference| = {comparison.max_diff[1]:g}).",
    "The textbook spelling `w - lr * w.grad` rounds lr·grad to float32 before subtracting, "
    "while `add_` rounds once (a fused multiply-add), so it may differ in the last bit: "
    f"{comparison.max_diff[2]:.2g} here, a few units in float32's last place. The update under "
    "`torch.no_grad()` keeps autograd from recording it.",
)

ui.code_panel(
    code.script(**settings, snap=snap, k=k, compare_steps=tl.COMPARE_STEPS),
    code.prints(trace=trace, snap=snap, without=without, acc=acc, comparison=comparison),
    filename="dlviz_training_loop.py",
)
