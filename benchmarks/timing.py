"""Timing helpers: auto-ranged repeats, ratios measured in the same run.

Each timing keeps the best round (the least disturbed one: on a shared, noisy machine other work only
ever adds time) and the median; ratios compare best rounds. ``side_by_side`` interleaves the rounds
of several calls, so a burst of noise lands on all of them alike rather than on one row.
"""
from __future__ import annotations

import statistics
import timeit
from dataclasses import dataclass
from typing import Callable


@dataclass
class Timing:
    name: str
    median: float   # seconds per call, median round
    spread: float   # (max - min) / median over the repeats
    best: float = 0.0   # seconds per call, best round (what ratios compare)

    def ratio(self, base: "Timing") -> float:
        return (self.best or self.median) / (base.best or base.median)


def _timing(name: str, rounds: list[float]) -> Timing:
    median = statistics.median(rounds)
    return Timing(name, median, (max(rounds) - min(rounds)) / median, min(rounds))


def _number(fn: Callable[[], object], min_time: float) -> int:
    number, _ = timeit.Timer(fn).autorange()
    return max(1, int(number * min_time / 0.2))


def measure(name: str, fn: Callable[[], object], repeats: int = 7, min_time: float = 0.2) -> Timing:
    """Seconds per call of ``fn``: auto-ranged loop count, ``repeats`` rounds."""
    number = _number(fn, min_time)
    return _timing(name, [t / number for t in timeit.Timer(fn).repeat(repeat=repeats, number=number)])


def side_by_side(calls: dict[str, Callable[[], object]], repeats: int = 9,
                 min_time: float = 0.1) -> dict[str, Timing]:
    """``measure`` for several calls at once, their rounds interleaved (one round of each in turn)."""
    timers = {name: (timeit.Timer(fn), _number(fn, min_time)) for name, fn in calls.items()}
    rounds: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeats):
        for name, (timer, number) in timers.items():
            rounds[name].append(timer.timeit(number) / number)
    return {name: _timing(name, r) for name, r in rounds.items()}


def fmt_time(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds:.3g} s"


def table(rows: list[tuple[Timing, Timing, float | None]]) -> str:
    """Markdown rows: name, time per call (best round), spread, ratio to the baseline, target."""
    lines = ["| what | time per call | spread | ratio | target |", "|---|---:|---:|---:|---:|"]
    for timing, base, target in rows:
        ratio = timing.ratio(base)
        verdict = "" if target is None else (f"<= {target:g}x {'ok' if ratio <= target else 'MISSED'}")
        lines.append(f"| {timing.name} | {fmt_time(timing.best or timing.median)} | {timing.spread:.0%} | "
                     f"{ratio:.2f}x {base.name} | {verdict} |")
    return "\n".join(lines)
