"""Measuring one call: seconds (auto-ranged rounds, median and spread) and peak memory.

The comparison and the studies time the same way, so their numbers can be set side by side.
"""
from __future__ import annotations

import statistics
import time
import tracemalloc
from typing import Any, Callable

ROUNDS = 5   # timing rounds per measurement (the comparison's footnote states it)


def seconds_per_call(call: Callable[[], Any], budget: float, rounds: int = ROUNDS) -> tuple[float, float]:
    """(median seconds per call, spread = (max - min) / median) over ``rounds`` rounds, each
    looping the call long enough to be measurable within about ``budget`` seconds in all.

    >>> median, spread = seconds_per_call(lambda: sum(range(100)), 0.01)
    >>> median > 0 and spread >= 0
    True
    """
    started = time.perf_counter()
    call()
    once = max(time.perf_counter() - started, 1e-7)
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
