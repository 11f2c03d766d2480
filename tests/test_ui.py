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

