"""ui.chart's text alternative and lifted title, ui.table, and the keyboard player (issue 16)."""

from __future__ import annotations

import plotly.graph_objects as go
from streamlit.testing.v1 import AppTest

from dlviz import style, ui
from tests.conftest import open_chart_data


def _chart_script():
    import plotly.graph_objects as go

    from dlviz import style, ui

    fig = style.finish(go.Figure(go.Scatter(x=[0, 1, 2], y=[3, 1, 2], name="loss"),
                                 layout={"title": {"text": "Loss <b>by</b> step<br>seed *7*"}}))
    ui.chart(fig, summary="The loss falls from 3 to *1* at step 1.", key="c",
             data={"step": list(range(40)), "loss": [float(i) for i in range(40)]})


def test_chart_has_its_caption_title_and_data():
    at = AppTest.from_function(_chart_script, default_timeout=30)
    at.run()
    assert not at.exception
    spec = at.get("plotly_chart")[0].proto.spec
    assert '"title"' not in spec.split('"layout"')[1].split('"xaxis"')[0] or "Loss" not in spec
    texts = [m.value for m in at.markdown]
    assert any("Loss by step · seed \\*7\\*" in t for t in texts), texts  # escaped, as text
    captions = [c.value for c in at.caption]
    # the summary is text, never markdown: its asterisks are escaped
    assert any(c.startswith("Chart: The loss falls from 3 to \\*1\\* at step 1") for c in captions)
    assert at.expander[0].label.startswith("Chart data")
    # closed, the expander's table is not drawn (nor its data made into one); opened, it is
    assert not at.table and not any("first 30 of 40 rows" in c for c in captions)
    open_chart_data(at)
    assert any("first 30 of 40 rows" in c.value for c in at.caption)
    assert len(at.table) == 1
    assert list(at.table[0].value["loss"]) == [float(i) for i in range(30)]
    assert at.get("download_button")[0].proto.label == "Download the data (CSV)"


def test_lift_title_copies_only_the_layout():
    fig = style.finish(go.Figure(go.Scatter(y=[1, 2]), layout={"title": {"text": "A<br>B"}}))
    spec = ui.figure_spec(fig)
    lifted, title = ui._lift_title(spec)
    assert title == "A · B"
    assert "title" not in lifted["layout"] and lifted["layout"]["margin"]["t"] <= 40
    assert spec["layout"]["title"]["text"] == "A<br>B"  # the cached spec is untouched
    assert lifted["data"] is spec["data"]


def _player_script():
    import plotly.graph_objects as go

    from dlviz import settings as cfg
    from dlviz import ui
    from dlviz.ui.player import player

    table = cfg.Table((cfg.Number("steps", "Steps", 5, lo=1, hi=9, integer=True),
                       cfg.Number("step", "Step", lambda k: k["steps"], lo=0,
                                  hi=lambda k: k["steps"], integer=True)), name="t")
    ui.mark_shell()
    ui.begin_run()
    ui.apply_url(table, "t")
    ui.widget("steps")

    def draw(frame: int) -> None:
        ui.chart(go.Figure(go.Scatter(y=list(range(frame + 1)))), summary=f"frame {frame}",
                 key="c")

    player("step", draw=draw)
    ui.sync_url()


def _captions(at) -> list[str]:
    return [c.value.replace("\u2060", "") for c in at.caption]


def test_player_steps_by_its_slider_and_keeps_the_frame_in_the_url():
    at = AppTest.from_function(_player_script, default_timeout=30)
    at.run()
    assert not at.exception
    assert at.slider(key="step").value == 5  # default: the last frame, the whole run
    assert _captions(at) == ["Chart: frame 5"]
    at.slider(key="step").set_value(2).run()
    assert _captions(at) == ["Chart: frame 2"]
    assert at.query_params.get("step") in ("2", ["2"])
    assert at.toggle(key="step_play").value is False


def test_play_at_the_last_frame_starts_again_from_the_first():
    at = AppTest.from_function(_player_script, default_timeout=30)
    at.run()
    at.toggle(key="step_play").set_value(True).run()
    assert not at.exception
    assert _captions(at) == ["Chart: frame 0"]
    # while it plays, the frame is shown by a read-only slider, not the URL-bound one: a
    # browser that lags behind the server (a busy host) sends no old frame of it with a tick
    assert "step" not in [s.key for s in at.slider]
    shown = [s for s in at.slider if s.key is None and s.disabled]
    assert [s.value for s in shown] == [0]
    at.toggle(key="step_play").set_value(False).run()  # pause: the slider is back, there
    assert not at.exception
    assert at.slider(key="step").value == 0 and not at.slider(key="step").disabled
    assert _captions(at) == ["Chart: frame 0"]
    assert at.query_params.get("step") in ("0", ["0"])


def test_a_play_that_reaches_the_end_stops_and_leaves_the_toggle_to_the_user():
    """Only the user writes the Play toggle: a stale tick from a lagging browser carries the
    toggle's old value, and a toggle the server had turned off would read as "Play pressed"
    again. At the end the timer stops and the toggle stays on; off, then on, plays again."""
    from dlviz.ui import player as pl

    at = AppTest.from_function(_player_script, default_timeout=30)
    at.run()
    at.toggle(key="step_play").set_value(True).run()
    record = at.session_state[pl._PLAYS][("t", "step")]
    assert record == {"on": True, "ended": False, "frame": 0}
    record.update(frame=5, ended=True)  # where the timer's ticks leave a play (the last frame)
    at.run()  # a tick that arrives after the end: nothing moves, nothing restarts
    assert not at.exception and _captions(at) == ["Chart: frame 5"]
    assert at.toggle(key="step_play").value is True
    at.toggle(key="step_play").set_value(False).run()
    assert at.slider(key="step").value == 5 and _captions(at) == ["Chart: frame 5"]
    at.toggle(key="step_play").set_value(True).run()
    assert _captions(at) == ["Chart: frame 0"]  # from the start again
