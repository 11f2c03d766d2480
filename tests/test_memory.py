"""dlviz.memory: glibc's arena limit and trim, rate-limited."""

from dlviz import memory


def test_limit_arenas_and_trim_run_on_glibc():
    assert memory.limit_arenas() is (memory._LIBC is not None)
    assert memory.trim(force=True) is (memory._LIBC is not None)


def test_trim_runs_at_most_every_interval():
    if memory._LIBC is None:
        return
    now = [1e9]
    assert memory.trim(force=True, clock=lambda: now[0])
    assert not memory.trim(clock=lambda: now[0])
    now[0] += memory.TRIM_EVERY_S + 0.1
    assert memory.trim(clock=lambda: now[0])
