"""dlviz.ui helpers that no single page test pins down: the progress throttle, heavy slots."""

from streamlit.testing.v1 import AppTest

from dlviz import ui


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_throttle_is_silent_for_the_first_interval_then_fires_once_per_interval():
    clock = FakeClock()
    due = ui.Throttle(0.25, clock=clock)
    fired = []
    for _ in range(100):  # 100 updates, 10 ms apart: one second of work
        clock.now += 0.01
        fired.append(due())
    assert not any(fired[:24])  # nothing before 0.25 s
    assert sum(fired) == 4  # at 0.25, 0.50, 0.75 and 1.00 s
    assert [i for i, f in enumerate(fired) if f] == [24, 49, 74, 99]


def test_throttle_fires_at_once_after_a_long_pause():
    clock = FakeClock()
    due = ui.Throttle(0.25, clock=clock)
    clock.now += 5.0
    assert due()
    assert not due()


def _cached_heavy_script():
    import streamlit as st

    from dlviz import ui

    @st.cache_data(max_entries=2, show_spinner=False)
    def work(n: int) -> int:
        with ui.heavy_slot("Working") as progress:
            for i in range(n):
                progress((i + 1) / n)
            return n * 2

    st.write(f"result {work(5000)}")


def test_heavy_slot_leaves_no_bar_and_replays_clean_on_a_cache_hit():
    at = AppTest.from_function(_cached_heavy_script, default_timeout=60)
    for _ in range(2):  # a miss, then a hit that replays what the miss recorded
        at.run()
        assert not at.exception
        assert [m.value for m in at.markdown] == ["result 10000"]
        assert not at.get("progress") and not at.info
    assert ui._heavy.acquire(blocking=False) and ui._heavy.acquire(blocking=False)
    ui._heavy.release()
    ui._heavy.release()  # both slots were given back


def test_figure_spec_is_plotlys_own_dict_computed_once():
    import json

    import numpy as np
    import plotly.graph_objects as go
    import plotly.io as pio

    fig = go.Figure(go.Scatter(x=np.linspace(0, 1, 50), y=np.linspace(1, 2, 50) ** 2))
    spec = ui.figure_spec(fig)
    assert spec is ui.figure_spec(fig)  # kept on the figure, not recomputed
    assert json.loads(pio.to_json(ui._Spec(spec), validate=False)) == json.loads(
        pio.to_json(fig, validate=False))  # what st.plotly_chart sends is unchanged
    other = go.Figure(go.Scatter(x=[0, 1], y=[3, 4]))
    assert ui.figure_spec(other) is not spec


def _chart_script():
    import plotly.graph_objects as go
    import streamlit as st

    from dlviz import ui

    @ui.figure_cache()
    def figure(n: int) -> go.Figure:
        return go.Figure(go.Bar(x=list(range(n)), y=[i * i for i in range(n)]))

    n = st.slider("n", 1, 5, 3, key="n")
    ui.chart(figure(n), summary=f"{n} bars", key="bars")


def test_chart_of_a_cached_figure_follows_its_settings():
    import json

    at = AppTest.from_function(_chart_script, default_timeout=30)
    at.run()
    for n in (3, 5, 3):  # the second 3 is a cached figure charted again
        at.slider(key="n").set_value(n).run()
        spec = json.loads(at.get("plotly_chart")[0].proto.spec)
        assert spec["data"][0]["x"] == list(range(n))
        assert spec["data"][0]["y"] == [i * i for i in range(n)]
