"""The cross-session coalescer: concurrent cold requests become one batched call, and every
caller gets exactly its own result."""

from __future__ import annotations

import threading
import time

import pytest

from dlviz.batching import Coalescer


def _square_many(items, *, progress=None, offset=0, log=None):
    if log is not None:
        log.append(list(items))
    time.sleep(0.01)
    return [i * i + offset for i in items]


def _together(coalescer, calls):
    """Run each (item, shared) call on its own thread, all released at once."""
    results = [None] * len(calls)
    gate = threading.Barrier(len(calls))

    def one(k):
        item, shared = calls[k]
        gate.wait()
        try:
            results[k] = coalescer(_square_many, item, **shared)
        except Exception as err:
            results[k] = err

    threads = [threading.Thread(target=one, args=(k,)) for k in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return results


def test_concurrent_requests_make_one_batch_and_each_gets_its_own_result():
    c = Coalescer(window=0.2)
    results = _together(c, [(i, {"log": None}) for i in range(12)])
    assert results == [i * i for i in range(12)]
    assert c.stats.batches == 1 and c.stats.largest == 12


def test_different_shared_settings_never_share_a_batch():
    c = Coalescer(window=0.2)
    calls = [(i, {"offset": i % 2, "log": None}) for i in range(8)]
    results = _together(c, calls)
    assert results == [i * i + i % 2 for i in range(8)]
    assert c.stats.batches == 2


def test_identical_items_are_computed_once():
    c = Coalescer(window=0.2)
    seen = []

    def many(items, *, progress=None):
        seen.append(list(items))
        return [i + 1 for i in items]

    results = [None] * 6
    gate = threading.Barrier(6)

    def one(k):
        gate.wait()
        results[k] = c(many, 7 if k % 2 else 3)

    threads = [threading.Thread(target=one, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == [4, 8, 4, 8, 4, 8]
    assert sorted(seen[0]) == [3, 7] and len(seen) == 1


def test_a_full_group_closes_at_max_batch():
    c = Coalescer(window=1.0, max_batch=4)
    start = time.monotonic()
    results = _together(c, [(i, {}) for i in range(8)])
    assert results == [i * i for i in range(8)]
    assert c.stats.largest == 4 and c.stats.batches == 2
    assert time.monotonic() - start < 1.0 + 0.5  # the full groups did not wait the window


def test_an_error_reaches_every_member_and_the_next_group_is_fresh():
    c = Coalescer(window=0.1)

    def broken(items, *, progress=None):
        raise ValueError("boom")

    errors = []
    gate = threading.Barrier(3)

    def one(k):
        gate.wait()
        try:
            c(broken, k)
        except ValueError as err:
            errors.append(str(err))

    threads = [threading.Thread(target=one, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert errors == ["boom"] * 3
    assert c(_square_many, 5) == 25


def test_a_wrong_number_of_results_is_an_error():
    c = Coalescer(window=0.0)
    with pytest.raises(RuntimeError, match="returned 0 results for 1 items"):
        c(lambda items, progress=None: [], 1)


def test_alone_a_call_waits_only_the_window():
    c = Coalescer(window=0.03)
    start = time.monotonic()
    assert c(_square_many, 3) == 9
    assert time.monotonic() - start < 0.03 + 0.01 + 0.2


def test_a_group_keeps_collecting_while_arrivals_continue_and_while_it_waits_for_a_slot():
    c = Coalescer(window=0.05, max_wait=2.0)
    slot = threading.Event()
    sizes = []

    def run(compute, n):
        slot.wait(5)  # a busy server: the heavy-run slot frees later
        return compute(None)

    def many(items, *, progress=None):
        sizes.append(len(items))
        return list(items)

    results = {}

    def one(k):
        results[k] = c(many, k, run=run)

    threads = []
    for k in range(6):  # arrivals 30 ms apart: each within the window of the previous one
        t = threading.Thread(target=one, args=(k,))
        t.start()
        threads.append(t)
        time.sleep(0.03)
    time.sleep(0.2)  # past the window: the leader now waits for the slot, group still open
    late = threading.Thread(target=one, args=(6,))
    late.start()
    threads.append(late)
    time.sleep(0.05)
    slot.set()
    for t in threads:
        t.join(5)
    assert results == {k: k for k in range(7)}
    assert sizes == [7]


def test_max_wait_bounds_the_collection():
    c = Coalescer(window=0.05, max_wait=0.2)
    sizes = []

    def many(items, *, progress=None):
        sizes.append(len(items))
        return list(items)

    stop = time.monotonic() + 0.6
    threads = []

    def arrive(k):
        c(many, k)

    k = 0
    while time.monotonic() < stop:  # a steady stream, 20 ms apart
        t = threading.Thread(target=arrive, args=(k,))
        t.start()
        threads.append(t)
        k += 1
        time.sleep(0.02)
    for t in threads:
        t.join(5)
    assert len(sizes) >= 2 and sum(sizes) == k


def test_a_second_member_keeps_the_group_open_longer():
    """Arrivals 80 ms apart (a class's scripts reaching the call in one interpreter): past a
    lone call's 30-ms window, within a group's 150-ms one, so they make one batch; a call
    alone still computes after 30 ms."""
    c = Coalescer(window=0.03, group_window=0.15, max_wait=2.0)
    sizes = []

    def many(items, *, progress=None):
        sizes.append(len(items))
        return list(items)

    start = time.monotonic()
    assert c(many, "alone") == "alone"
    assert time.monotonic() - start < 0.03 + 0.1
    threads = [threading.Thread(target=c, args=(many, k)) for k in range(5)]
    threads[0].start()
    time.sleep(0.02)  # the second joins inside the lone window: the group window applies
    for t in threads[1:]:
        t.start()
        time.sleep(0.08)
    for t in threads:
        t.join(5)
    assert sizes == [1, 5]


def test_a_group_computes_at_once_when_nobody_else_could_join():
    """`callers` says who could still call (the server's running scripts): a student alone
    does not wait the window, and a class's group computes when its last member arrives."""
    c = Coalescer(window=0.5, group_window=0.5, max_wait=2.0)
    start = time.monotonic()
    assert c(_square_many, 4, callers=lambda: 1) == 16
    assert time.monotonic() - start < 0.3  # not the 0.5-s window

    sizes = []

    def many(items, *, progress=None):
        sizes.append(len(items))
        return list(items)

    n = 6
    results = {}
    threads = [threading.Thread(target=lambda k=k: results.__setitem__(
        k, c(many, k, callers=lambda: n))) for k in range(n)]
    start = time.monotonic()
    for t in threads:  # arrivals 40 ms apart: the last one closes the group
        t.start()
        time.sleep(0.04)
    for t in threads:
        t.join(5)
    assert results == {k: k for k in range(n)} and sizes == [n]
    assert time.monotonic() - start < 0.04 * n + 0.3  # not the last arrival + 0.5 s


def test_a_lone_first_arrival_waits_for_the_others_who_could_still_join():
    """While other scripts run (`callers` > those inside), the first of a class to arrive
    keeps its group open past the lone `window`, so the class makes one batch, not a lone
    batch beside the others' (measured on the fine-tuning page)."""
    c = Coalescer(window=0.03, group_window=0.3, max_wait=2.0)
    sizes = []

    def many(items, *, progress=None):
        sizes.append(len(items))
        return list(items)

    threads = [threading.Thread(target=c, args=(many, k), kwargs={"callers": lambda: 3})
               for k in range(3)]
    threads[0].start()
    time.sleep(0.15)  # past the lone window: without `callers` this one went alone
    for t in threads[1:]:
        t.start()
    for t in threads:
        t.join(5)
    assert sizes == [3]

    sizes.clear()  # a caller that cannot say (None) keeps the old rule
    threads = [threading.Thread(target=c, args=(many, k)) for k in range(2)]
    threads[0].start()
    time.sleep(0.15)
    threads[1].start()
    for t in threads:
        t.join(5)
    assert sizes == [1, 1]


def test_a_run_just_begun_waits_for_runs_already_requested(monkeypatch):
    """The first of a class can reach its call before the server has begun anyone else's
    run (measured: 12–25 ms after its own began). While other sessions are connected, a run
    younger than SETTLE_S does not count as alone, so a run that begins meanwhile joins its
    group (without the rule it went alone: two batches); a student alone on the server, or a
    run older than SETTLE_S, is not held."""
    from dlviz import ui

    ui._RUN_STARTS.clear()
    try:
        monkeypatch.setattr(ui, "connected_sessions", lambda: 30)
        ui._RUN_STARTS.append((time.monotonic(), threading.get_ident()))
        assert ui.running_scripts() > 1000  # this run just began, among others connected
        time.sleep(ui.SETTLE_S + 0.01)
        assert ui.running_scripts() == 1
        monkeypatch.setattr(ui, "connected_sessions", lambda: 1)
        ui._RUN_STARTS.append((time.monotonic(), threading.get_ident()))
        assert ui.running_scripts() == 1  # the only session on the server: never held

        for company, expected in ((30, [[0, 1]]), (1, [[0], [1]])):
            monkeypatch.setattr(ui, "connected_sessions", lambda n=company: n)
            ui._RUN_STARTS.clear()
            c = Coalescer(window=0.03, group_window=0.2, max_wait=2.0)
            batches = []

            def many(items, *, progress=None, batches=batches):
                batches.append(sorted(items))
                return list(items)

            def session(k, c=c, many=many):
                ui._RUN_STARTS.append((time.monotonic(), threading.get_ident()))  # begin_run
                c(many, k, callers=ui.running_scripts)

            first = threading.Thread(target=session, args=(0,), name=ui._SCRIPT_THREAD)
            first.start()
            time.sleep(0.01)  # the second session's run begins while the first is at its call
            second = threading.Thread(target=session, args=(1,), name=ui._SCRIPT_THREAD)
            second.start()
            first.join(5)
            second.join(5)
            assert sorted(batches) == expected, company
    finally:
        ui._RUN_STARTS.clear()


def test_connected_sessions_reads_streamlits_session_manager():
    """`ui.connected_sessions` reads the runtime's session manager; without a runtime
    (AppTest, a plain import) nobody else is connected."""
    import inspect

    from streamlit.runtime import Runtime
    from streamlit.runtime.session_manager import SessionManager

    from dlviz import ui

    assert "self._session_mgr" in inspect.getsource(Runtime.__init__)
    assert callable(SessionManager.num_active_sessions)
    if not Runtime.exists():
        assert ui.connected_sessions() == 1


def test_callers_counts_only_the_calls_in_progress():
    """After calls return, they no longer count as inside: a later lone call with two
    scripts running (the other outside) waits its group window."""
    c = Coalescer(window=0.02, group_window=0.25, max_wait=2.0)
    assert c(_square_many, 2, callers=lambda: 1) == 4
    start = time.monotonic()
    assert c(_square_many, 3, callers=lambda: 2) == 9
    assert time.monotonic() - start >= 0.25


def test_running_scripts_counts_session_threads_and_waits_for_runs_still_starting():
    """dlviz.ui's `callers`: Streamlit runs each session's script on a thread named
    ScriptRunner.scriptThread; while another session's run began less than STARTING_S ago,
    more may be on their way, so nobody is known to be the last."""
    from dlviz import ui

    ui._RUN_STARTS.clear()
    release = threading.Event()
    others = [threading.Thread(target=release.wait, args=(5,), name=ui._SCRIPT_THREAD)
              for _ in range(3)]
    for t in others:
        t.start()
    try:
        assert ui.running_scripts() == 3 + 1  # the three sessions, and this caller
        ui._RUN_STARTS.append((time.monotonic(), threading.get_ident()))
        assert ui.running_scripts() == 4  # this thread's own run start does not count
        ui._RUN_STARTS.append((time.monotonic(), others[0].ident))
        assert ui.running_scripts() > 1000  # another run just began: unbounded
        time.sleep(ui.STARTING_S + 0.05)
        assert ui.running_scripts() == 4
    finally:
        release.set()
        for t in others:
            t.join(5)
        ui._RUN_STARTS.clear()
