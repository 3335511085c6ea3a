"""Measuring one call: seconds (auto-ranged rounds, median and spread) and peak memory, and the
time limit the comparison puts on the user's function.

The comparison and the studies time the same way, so their numbers can be set side by side.

``time_limit`` bounds a piece of work without killing the process: in the main thread an interval
timer (``signal.setitimer(ITIMER_REAL)``) raises inside the work when the time is up, and the
limit becomes a ``MethodTimeoutError``; any previous SIGALRM handler and timer are restored
afterwards. Threads other than the main one cannot be interrupted in CPython: there the limit does
not apply (``limit_applies()`` says whether it does).

Memory is measured with tracemalloc, which slows a call down 3 to 10,000 times (it looks up the
line of every allocation, so one huge generated function crawls). ``memory_of_call`` measures only
what is affordable: a call that takes longer than ``MEMORY_SECONDS`` / 3 untraced is skipped, the
measurement itself runs under a ``MEMORY_SECONDS`` limit (main thread), and off the main thread,
where no limit applies, calls of more than ``MEMORY_OPS`` operations are skipped; each skip says why.
"""
from __future__ import annotations

import signal
import statistics
import threading
import time
import tracemalloc
from typing import Any, Callable

from ..errors import MethodTimeoutError

ROUNDS = 5              # timing rounds per measurement (the comparison's footnote states it)
TIMING_SECONDS = 1.0    # rounds are left out when ROUNDS calls would take longer than this and the budget
MEMORY_SECONDS = 1.0    # the most one memory measurement may take (main thread)
MEMORY_OPS = 2_000      # off the main thread (no time limit there): larger calls are not measured


class _Expired(BaseException):
    """Raised by the timer inside the limited work. A BaseException, so that ``except Exception``
    in the user's function or in a method does not swallow it; ``time_limit`` turns it into a
    ``MethodTimeoutError``."""


def limit_applies() -> bool:
    """Whether ``time_limit`` can interrupt work here: the main thread of a platform with
    ``signal.setitimer`` (not Windows).

    >>> limit_applies() == (threading.current_thread() is threading.main_thread())
    True
    """
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


class time_limit:
    """``with time_limit(seconds, what):`` raises ``MethodTimeoutError`` ("<what> took longer than
    the time limit of <seconds> s") when the work inside runs out of time; a no-op when ``seconds``
    is None or off the main thread (``limit_applies``). Restores the previous SIGALRM handler and
    timer (a previous timer that fell due meanwhile fires right after).

    >>> with time_limit(0.2, "a loop"):
    ...     while True:
    ...         pass
    Traceback (most recent call last):
    ...
    hybriddiff.errors.MethodTimeoutError: a loop took longer than the time limit of 0.2 s
    """

    def __init__(self, seconds: float | None, what: str = "the work"):
        self.seconds, self.what = seconds, what
        self.armed = False
        self.expired = False   # this limit (not another timeout inside the work) ran out

    def _expire(self, signum: int, frame: Any) -> None:
        if self.armed:
            raise _Expired()

    def __enter__(self) -> "time_limit":
        if self.seconds is None or not limit_applies():
            return self
        self.started = time.monotonic()
        self.previous = signal.signal(signal.SIGALRM, self._expire)
        self.armed = True
        self.previous_timer = signal.setitimer(signal.ITIMER_REAL, max(self.seconds, 1e-6))
        return self

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> bool:
        if not self.armed:
            return False
        self.armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.previous if self.previous is not None else signal.SIG_DFL)
        delay, interval = self.previous_timer
        if delay > 0:
            left = delay - (time.monotonic() - self.started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-6), interval)
        if kind is not None and issubclass(kind, _Expired):
            self.expired = True
            raise MethodTimeoutError(f"{self.what} took longer than the time limit of "
                                     f"{self.seconds:g} s") from None
        return False


def seconds_per_call(call: Callable[[], Any], budget: float,
                     rounds: int = ROUNDS) -> tuple[float, float | None]:
    """(median seconds per call, spread = (max - min) / median) over ``rounds`` rounds, each
    looping the call long enough to be measurable within about ``budget`` seconds in all.

    A call so slow that ``rounds`` of them would take longer than both ``budget`` and
    ``TIMING_SECONDS`` is timed once: (its seconds, None).

    >>> median, spread = seconds_per_call(lambda: sum(range(100)), 0.01)
    >>> median > 0 and spread >= 0
    True
    >>> seconds_per_call(lambda: time.sleep(0.3), 0.01)[1] is None
    True
    """
    started = time.perf_counter()
    call()
    once = max(time.perf_counter() - started, 1e-7)
    if once * rounds > max(budget, TIMING_SECONDS):
        return once, None
    number = max(1, int(budget / rounds / once))
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(number):
            call()
        times.append((time.perf_counter() - t0) / number)
    median = statistics.median(times)
    return median, (max(times) - min(times)) / median if median > 0 else 0.0


def peak_bytes(call: Callable[[], Any]) -> int:
    """The peak memory (bytes, as tracemalloc sees it) that one call allocates."""
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def memory_of_call(call: Callable[[], Any], seconds: float, ops: int | None = None) -> tuple[int | None, str]:
    """(peak bytes of one call, "") when measuring is affordable, else (None, why not).

    ``seconds`` is one untraced call's time, ``ops`` its operations (None: unknown).

    >>> memory_of_call(lambda: [0] * 1000, 1e-5)[0] > 0
    True
    >>> memory_of_call(lambda: None, 2.0)
    (None, 'memory not measured: one call takes 2 s, and tracemalloc slows calls down 3 to 10,000 times')
    """
    if tracemalloc.is_tracing():
        return None, "memory not measured: tracemalloc is already running"
    if seconds * 3 > MEMORY_SECONDS:
        return None, (f"memory not measured: one call takes {seconds:.3g} s, and tracemalloc slows "
                      f"calls down 3 to 10,000 times")
    if not limit_applies():
        if ops is None or ops > MEMORY_OPS:
            return None, (f"memory not measured: {'an unknown number of' if ops is None else ops} "
                          f"operations, and off the main thread the measurement cannot be time-limited "
                          f"(limit {MEMORY_OPS:,} operations)")
        return peak_bytes(call), ""
    try:
        with time_limit(MEMORY_SECONDS, "measuring memory"):
            return peak_bytes(call), ""
    except MethodTimeoutError:
        return None, (f"memory not measured: tracing one call's allocations took longer than "
                      f"{MEMORY_SECONDS:g} s")


__all__ = ["ROUNDS", "MEMORY_SECONDS", "MEMORY_OPS", "TIMING_SECONDS", "seconds_per_call", "peak_bytes",
           "memory_of_call", "time_limit", "limit_applies"]
