"""Keep the server's resident memory near what it actually holds (glibc malloc, Linux).

A Streamlit server runs every session's script on its own thread, and glibc gives each
thread that allocates concurrently an arena of its own (up to 8 per core): freed blocks
stay spread over many arenas and the process's RSS stays at its high-water mark long after
the caches have evicted. Two calls bound that: at start, at most `ARENAS` arenas
(`mallopt(M_ARENA_MAX)`); after heavy work, `malloc_trim(0)` hands free pages back to the
kernel, at most every `TRIM_EVERY_S` seconds. Elsewhere (macOS, musl) both do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import threading
import time

ARENAS = 2
TRIM_EVERY_S = 5.0
_M_ARENA_MAX = -8  # glibc's mallopt parameter number

_lock = threading.Lock()
_last_trim = [0.0]


def _libc():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


_LIBC = _libc()


def limit_arenas(arenas: int = ARENAS) -> bool:
    """At most `arenas` malloc arenas for threads created from now on; True if applied."""
    return bool(_LIBC is not None and _LIBC.mallopt(_M_ARENA_MAX, arenas) == 1)


def trim(*, force: bool = False, clock=time.monotonic) -> bool:
    """Return free heap pages to the kernel, at most every TRIM_EVERY_S; True if it ran."""
    if _LIBC is None:
        return False
    with _lock:
        now = clock()
        if not force and now - _last_trim[0] < TRIM_EVERY_S:
            return False
        _last_trim[0] = now
    _LIBC.malloc_trim(0)
    return True


def freeze_startup() -> None:
    """Take every object alive now out of the cyclic garbage collector's sight, once the
    process has imported what it serves with (torch, plotly, Streamlit).

    Python's collector walks every tracked object on each full collection: with those
    imported (and torch._dynamo, which nothing imports now: dlviz.steps) that was about
    378,000 objects, 219 ms of CPU here, taken from whichever session's run triggers it.
    Frozen (`gc.freeze`), they are skipped; the server's full collections then took 35–50
    ms, over what the pages and caches created later (measured with gc.callbacks, three in
    about 120 page runs). Frozen objects are still freed by reference counting; only cycles
    among them are never collected, and startup objects live as long as the process anyway.
    """
    gc.collect()
    gc.freeze()
