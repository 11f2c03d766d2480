"""The Learning-rate & momentum page's settings table: presets as defaults, run lanes, the
URL's checks, and the helpers that turn settings into runs."""

import math

import pytest

from dlviz import catalog
from dlviz import lr_momentum as lm
from dlviz import lr_momentum_presets as presets
from dlviz import lr_momentum_settings as lms
from dlviz.lr_momentum_settings import SETTINGS


def _values(query: dict):
    return SETTINGS.freeze(SETTINGS.parse(query).values)


def test_the_catalog_finds_the_table_and_the_defaults_are_the_old_page_defaults():
    assert catalog.BY_KEY["lr_momentum"].settings is SETTINGS
    d = SETTINGS.defaults()
    course = presets.PRESETS["course_lr"]
    assert (d["preset"], d["f"], d["start"], d["n"], d["noise"], d["seed"]) == (
        "course_lr", "course", "2.5", 3, 0.0, 0)
    assert (d["kappa"], d["metric"], d["mlr"]) == (10.0, "final", (-3, 0))
    assert lms.runs_of(SETTINGS.freeze(d)) == course.runs
    # lane 4 holds the momentum run that used to be the page's default
    assert [d[f"{k}4"] for k in ("opt", "lr", "mom", "nest", "steps")] == [
        "sgd", 0.01, 0.9, False, 10]


def test_every_url_key_of_the_page_is_a_setting():
    lanes = [f"{k}{i}" for i in range(1, lm.MAX_RUNS + 1)
             for k in ("opt", "lr", "mom", "nest", "steps")]
    assert SETTINGS.keys == ("preset", "f", "kappa", "start", "noise", "seed", "n", *lanes,
                             "step", "metric", "mlr")
    assert all(k.isidentifier() for k in SETTINGS.keys)


@pytest.mark.parametrize("key", list(presets.PRESETS))
def test_a_preset_link_sets_what_the_link_does_not(key):
    p = presets.PRESETS[key]
    s = _values({"preset": [p.title]})
    assert (s.f, lms.runs_of(s), s.mlr) == (p.surface, p.runs, p.map_decades)
    assert lms.start_of(s) == (p.start or lm.surface_for(p.surface).start, None)
    assert presets.matching(s.f, lms.start_of(s)[0], lms.runs_of(s), s.noise) == key
    # the URL of a preset's own values is the preset alone
    assert SETTINGS.url(SETTINGS.parse({"preset": [p.title]}).values) == (
        {} if key == "course_lr" else {"preset": [p.title]})
    # the link's own values win; the option's name works as well as its title
    s = _values({"preset": [key.upper()], "lr1": ["0.002"], "n": ["1"]})
    assert lms.runs_of(s) == (lm.RunSpec(p.runs[0].optimizer, 0.002, p.runs[0].momentum,
                                         False, p.runs[0].steps),)


def test_lanes_past_n_are_inactive_and_stay_out_of_the_url():
    parsed = SETTINGS.parse({"n": ["1"], "lr3": ["0.5"], "steps3": ["inf"]})
    assert not parsed.notices and "lr3" not in parsed.canonical
    assert parsed.values["lr3"] == 0.1  # its default
    assert SETTINGS.url({**parsed.values, "lr3": 0.5}) == {"n": ["1"]}


def test_bad_link_values_each_get_one_notice_and_the_default():
    parsed = SETTINGS.parse({"lr1": ["20"], "lr2": ["0.0123"], "mom1": ["1.5"],
                             "steps1": ["5000"], "n": ["9"], "f": ["nope"], "kappa": ["7"],
                             "noise": ["x"], "opt1": ["lbfgs"], "seed": ["3"]})
    bad = {s.key: (raw, reason, default) for s, raw, reason, default in parsed.notices}
    assert set(bad) == {"lr1", "lr2", "mom1", "steps1", "n", "f", "noise", "opt1"}  # kappa:
    # inactive, f fell back to the course
    assert bad["mom1"] == ("1.5", "is outside 0 … 0.999", 0.0)
    assert bad["steps1"] == ("5000", "is outside 1 … 1000", 10)
    assert bad["lr2"] == ("0.0123", "is not one of its 541 options", 0.05)
    assert bad["opt1"] == ("lbfgs", "is not one of sgd, adam, rmsprop, adagrad", "sgd")
    assert parsed.values["seed"] == 3
    good = SETTINGS.parse({"lr1": ["0.05"], "mom1": ["0.9"], "steps1": ["1000"], "n": ["2"],
                           "f": ["quadratic"], "kappa": ["100.0"], "noise": ["0.5"],
                           "opt2": ["adam"], "mlr": ["-3", "0"], "preset": ["Course: lr"],
                           "metric": ["steps to converge"], "lr2": ["1e-05"]})
    assert good.notices == []
    assert (good.values["kappa"], good.values["metric"]) == (100.0, "steps")


def test_runs_of_drops_what_the_optimizer_lacks():
    s = _values({"n": ["2"], "opt1": ["adam"], "mom1": ["0.5"], "nest1": ["true"],
                 "opt2": ["rmsprop"], "mom2": ["0.3"], "nest2": ["true"]})
    assert lms.runs_of(s) == (lm.RunSpec("adam", 0.01, 0.0, False, 10),
                              lm.RunSpec("rmsprop", 0.05, 0.3, False, 10))
    assert lms.condition_of(s) is None
    assert lms.condition_of(_values({"f": ["quadratic"], "kappa": ["50"]})) == 50.0


@pytest.mark.parametrize("text,start,problem", [
    ("", (-2.0, 2.0), None),
    ("0.5, -1", (0.5, -1.0), None),
    ("0.5", (-2.0, 2.0), "Give between 2 and 2 numbers"),
    ("1, two", (-2.0, 2.0), "Number 2, 'two', is not a number."),
    ("1000, 1000", (-2.0, 2.0), "the loss there exceeds 1e+12"),  # every run would stop
])
def test_start_of_reads_the_text_box(text, start, problem):
    got, message = lms.start_of(_values({"f": ["rosenbrock"], "start": [text]}))
    assert got == start
    if problem is None:
        assert message is None
    else:
        assert message.startswith("Start point: ") and problem in message
        assert message.endswith("using -2, 2 meanwhile.")


def test_the_start_default_follows_the_objective():
    assert _values({}).start == "2.5"
    assert _values({"f": ["rosenbrock"]}).start == ""  # the course's 2.5 is not rosenbrock's
    assert _values({"preset": ["Rosenbrock"]}).start == "-2, 2"


def test_a_too_narrow_map_range_falls_back():
    assert lms.decades_of(_values({"mlr": ["-4", "-1"]})) == ((-4, -1), None)
    decades, message = lms.decades_of(_values({"mlr": ["-2", "-1"]}))
    assert decades == (-4, 1) and "two decades" in message


def test_new_run_sets_n_and_the_whole_lane():
    runs = presets.PRESETS["course_lr"].runs
    spec = lm.RunSpec("sgd", 0.035, 0.5, False, 10)
    assert lms.new_run(runs, spec) == {"n": 4, "opt4": "sgd", "lr4": 0.035, "mom4": 0.5,
                                       "nest4": False, "steps4": 10}
    full = (*runs, lm.RunSpec())
    assert lms.new_run(full, spec)["n"] == 4  # all lanes taken: the last one is replaced
    values = {**SETTINGS.defaults(), **lms.new_run(runs, spec)}
    assert SETTINGS.url(values) == {"n": ["4"], "lr4": ["0.035"], "mom4": ["0.5"]}


def test_a_map_click_and_the_optimal_run_become_run_specs():
    from dlviz import lr_momentum_map as lmap
    from dlviz import lr_momentum_theory as theory

    the_map = lmap.lr_momentum_map("d2l_quadratic", start=(-5.0, -2.0), steps=20,
                                   lr_decades=(-3, 1))
    click = {"selection": {"points": [{"x": -0.7, "y": 0.81}]}}  # lr 10^-0.7 ≈ 0.2
    spec = lms.clicked_run(click, the_map)
    assert spec.optimizer == "sgd" and spec.momentum == 0.8 and spec.steps == 20
    nearest = min(the_map.lrs, key=lambda lr: abs(math.log10(lr) + 0.7))  # in log lr
    assert spec.lr == nearest == 0.18
    assert lms.clicked_run({"selection": {"points": []}}, the_map) is None
    assert lms.clicked_run(None, the_map) is None
    th = theory.theory("d2l_quadratic")
    runs = presets.PRESETS["d2l_valley"].runs
    assert lms.optimal_run(th, runs) == lm.RunSpec("sgd", 0.67, 0.403, False, 20)
    assert lms.map_steps(runs) == 20
    assert lms.map_steps((lm.RunSpec(steps=1000),)) == lmap.MAP_STEPS_MAX


@pytest.mark.parametrize("opt,greyed", [("sgd", set()), ("rmsprop", {"nest"}),
                                        ("adam", {"mom", "nest"}), ("adagrad", {"mom", "nest"})])
def test_lane_widgets_an_optimizer_does_not_use(opt, greyed):
    assert {p for p in lms.LANE if lms.unused(p, opt)} == greyed


@pytest.mark.parametrize("steps,frames", [((10, 20), 21), ((1000,), 60), ((150, 2), 60),
                                          ((1,), 2)])
def test_the_animation_frame_runs_to_the_longest_run_and_defaults_to_its_end(steps, frames):
    query = {"n": [str(len(steps))], **{f"steps{i}": [str(k)] for i, k in
                                          enumerate(steps, start=1)}}
    parsed = SETTINGS.parse(query)
    assert SETTINGS["step"].bounds(parsed.values) == (0, frames - 1)
    assert parsed.values["step"] == frames - 1  # a fresh link shows the whole run
    assert lm.frame_steps(max(steps))[-1] == max(steps)
    assert len(lm.frame_steps(max(steps))) == frames
    # a frame past the runs' end is refused with a notice; a frame inside them is kept
    bad = SETTINGS.parse({**query, "step": [str(frames)]})
    assert [(s.key, reason) for s, _, reason, _ in bad.notices] == [
        ("step", f"is outside 0 … {frames - 1}")]
    assert SETTINGS.parse({**query, "step": ["0"]}).values["step"] == 0
    assert SETTINGS.url({**parsed.values, "step": 0})["step"] == ["0"]
    assert "step" not in SETTINGS.url(parsed.values)  # the last frame is the default
