"""The Learning-rate & momentum page's settings: one table, from which come its widgets, its
URL and the tests' domain sweeps (dlviz.settings).

The preset comes first, and every setting a preset fixes takes its default from it: a link
`?preset=<title>` is that preset, and whatever else the link sets wins over it. The runs are
lanes 1 … MAX_RUNS, each active while n ≥ its number, so an added run (a map click, the
optimal run) is in the URL as soon as its values differ from its lane's default.
"""

from __future__ import annotations

from dlviz import lr_momentum as lm
from dlviz import lr_momentum_map as lmap
from dlviz import lr_momentum_presets as presets
from dlviz import optim
from dlviz import settings as cfg
from dlviz.inputs import InputError, parse_floats

DECADES = tuple(range(-5, 2))  # the map's lr range, in powers of ten
FALLBACK_DECADES = (-4, 1)  # 10⁻⁴ … 10: drawn when the chosen range spans under two decades
LR_LABELS = {v: f"{v:g}" for v in lm.lr_choices()}  # stop → its URL text ("0.05", "1e-05")
LANE = {"opt": "Optimizer", "lr": "Learning rate (log scale)", "mom": "Momentum μ",
        "nest": "Nesterov", "steps": "Steps"}  # a lane's widget labels, inside "Run i"
PRESET_KEYS = tuple(presets.widget_state(next(iter(presets.PRESETS))))  # what a preset sets


def _preset(key: str):
    """The default of `key`: the value the chosen preset gives it."""
    return lambda known: presets.widget_state(known["preset"])[key]


def _start_default(known) -> str:
    """The preset's start, while the objective is the preset's own (else: its usual start)."""
    state = presets.widget_state(known["preset"])
    return state["start"] if known["f"] == state["f"] else ""


def longest(known) -> int:
    """The longest run's steps: the animation's last frame shows it."""
    return max(known[f"steps{i}"] for i in range(1, known["n"] + 1))


def last_frame(known) -> int:
    """The animation's last frame index (runs 1 … n, their steps known)."""
    return len(lm.frame_steps(longest(known))) - 1


def _lane(i: int) -> tuple[cfg.Setting, ...]:
    on = lambda known, i=i: known["n"] >= i  # noqa: E731 - run i exists while n ≥ i
    return (
        cfg.Choice(f"opt{i}", f"Run {i} optimizer", _preset(f"opt{i}"), when=on,
                   options=lm.OPTIMIZERS),
        cfg.Choice(f"lr{i}", f"Run {i} learning rate", _preset(f"lr{i}"), when=on,
                   options=lm.lr_choices(), labels=LR_LABELS, widget="select_slider"),
        cfg.Number(f"mom{i}", f"Run {i} momentum μ", _preset(f"mom{i}"), when=on, lo=0.0,
                   hi=lm.MOMENTUM_MAX, step=0.001, format="%.3f"),
        cfg.Flag(f"nest{i}", f"Run {i} Nesterov", _preset(f"nest{i}"), when=on,
                 widget="checkbox"),
        cfg.Number(f"steps{i}", f"Run {i} steps", _preset(f"steps{i}"), when=on, lo=1,
                   hi=lm.STEPS_MAX, integer=True, widget="number"),
    )


SETTINGS = cfg.Table((
    cfg.Choice("preset", "Presets", "course_lr", "One click sets the objective and the runs.",
               options=tuple(presets.PRESETS),
               labels={k: p.title for k, p in presets.PRESETS.items()}, widget="pills"),
    cfg.Choice("f", "Objective", _preset("f"),
               "Names of dlviz.surfaces.SURFACES; the formula is shown below.",
               options=lm.OBJECTIVES),
    cfg.Choice("kappa", "Condition number κ", 10.0, options=lm.CONDITIONS,
               widget="select_slider", when=lambda k: k["f"] == "quadratic"),
    cfg.Text("start", "Start point", _start_default, "Empty: the objective's usual start.",
             max_chars=60),
    cfg.Number("noise", "Gradient noise σ", _preset("noise"),
               "Seeded Gaussian noise added to every gradient: a stand-in for minibatch noise.",
               lo=0.0, hi=lm.NOISE_MAX, step=0.1),
    cfg.seed(),
    cfg.Number("n", "Runs", _preset("n"), lo=1, hi=lm.MAX_RUNS, integer=True),
    *(s for i in range(1, lm.MAX_RUNS + 1) for s in _lane(i)),
    # the frame the runs' chart shows; by default the last one: the whole run, as before
    cfg.Number("step", "Frame", last_frame,
               f"Frame i shows the runs after step i (every k-th step when the longest run "
               f"has more than {lm.MAX_FRAMES} steps: the chart's title says which).",
               lo=0, hi=last_frame, integer=True),
    cfg.Choice("metric", "Colour", "final", options=tuple(lmap.METRICS), labels=lmap.METRICS,
               widget="segmented"),
    cfg.Span("mlr", "lr range (powers of 10)", _preset("mlr"), options=DECADES),
), name="LrMomentumSettings")


def unused(part: str, optimizer: str) -> bool:
    """Whether a lane's widget `part` means nothing for `optimizer` (drawn greyed out)."""
    return (part == "mom" and optimizer not in optim.HAS_MOMENTUM) or (
        part == "nest" and optimizer != "sgd")


def condition_of(s) -> float | None:
    """κ of the quadratic bowl; None for every other objective."""
    return float(s.kappa) if s.f == "quadratic" else None


def runs_of(s) -> tuple[lm.RunSpec, ...]:
    """The runs 1 … n; momentum only where torch has it, Nesterov only for SGD."""
    runs = []
    for i in range(1, s.n + 1):
        opt = s[f"opt{i}"]
        mom = float(s[f"mom{i}"]) if opt in optim.HAS_MOMENTUM else 0.0
        runs.append(lm.RunSpec(opt, float(s[f"lr{i}"]), mom, bool(s[f"nest{i}"]) and
                               opt == "sgd", int(s[f"steps{i}"])))
    return tuple(runs)


def start_of(s) -> tuple[tuple[float, ...], str | None]:
    """The start the text box names (empty: the objective's own), and what is wrong with
    the text if it names none: the message quotes the user's text (plain text, not markdown)."""
    surface = lm.surface_for(s.f, condition_of(s))
    if not s.start.strip():
        return tuple(surface.start), None
    usual = presets.format_start(surface.start)
    try:
        start = parse_floats(s.start, min_count=surface.dim, max_count=surface.dim,
                             bound=1e3, max_chars=60)
    except InputError as err:
        return tuple(surface.start), (f"Start point: {err} {surface.title} takes "
                                      f"{surface.dim} number(s); using {usual} meanwhile.")
    if not abs(surface.value(start)) <= optim.LOSS_BOUND:  # every run would stop at step 0
        return tuple(surface.start), (f"Start point: the loss there exceeds "
                                      f"{optim.LOSS_BOUND:g}; using {usual} meanwhile.")
    return start, None


def decades_of(s) -> tuple[tuple[int, int], str | None]:
    """The map's lr range, and a message when it is too narrow to draw."""
    if s.mlr[1] - s.mlr[0] >= 2:
        return tuple(s.mlr), None
    return FALLBACK_DECADES, ("The map's lr range must span at least two decades; showing "
                              "10⁻⁴ … 10 instead.")


def new_run(runs: tuple[lm.RunSpec, ...], spec: lm.RunSpec) -> dict:
    """The settings that add `spec` as a run (replacing the last one when all lanes are
    taken): n and every setting of its lane, for `ui.set_values`."""
    new = lm.add_run(runs, spec)
    return {"n": len(new), **presets.run_state(len(new), new[-1])}


def clicked_run(selection, the_map: lmap.LrMomentumMap) -> lm.RunSpec | None:
    """The run a click on the map stands for: SGD at that cell for the map's steps (None
    when the click names no cell)."""
    try:
        lr, momentum = lmap.cell_from_selection(selection, the_map)
    except LookupError:
        return None
    return lm.RunSpec("sgd", lr, momentum, False, the_map.steps)


def optimal_run(th, runs: tuple[lm.RunSpec, ...]) -> lm.RunSpec:
    """SGD at the theory's (α*, β*) on the lr stops, as long as the longest run."""
    return lm.RunSpec("sgd", lm.snap_lr(th.alpha_star), round(th.beta_star, 3), False,
                      max(r.steps for r in runs))


def map_steps(runs: tuple[lm.RunSpec, ...]) -> int:
    """The map runs as long as the longest run, up to its cap."""
    return min(max(r.steps for r in runs), lmap.MAP_STEPS_MAX)
