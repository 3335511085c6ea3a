"""Timing helpers: auto-ranged repeats, median and spread, ratios measured in the same run."""
from __future__ import annotations

import statistics
import timeit
from dataclasses import dataclass
from typing import Callable


@dataclass
class Timing:
    name: str
    median: float   # seconds per call
    spread: float   # (max - min) / median over the repeats

    def ratio(self, base: "Timing") -> float:
        return self.median / base.median


def measure(name: str, fn: Callable[[], object], repeats: int = 7, min_time: float = 0.2) -> Timing:
    """Seconds per call of ``fn``: auto-ranged loop count, ``repeats`` rounds, median."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    number = max(1, int(number * min_time / 0.2))
    rounds = [t / number for t in timer.repeat(repeat=repeats, number=number)]
    median = statistics.median(rounds)
    return Timing(name, median, (max(rounds) - min(rounds)) / median)


def fmt_time(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds:.3g} s"


def table(rows: list[tuple[Timing, Timing, float | None]]) -> str:
    """Markdown rows: name, time per call, spread, ratio to the baseline, target."""
    lines = ["| what | time per call | spread | ratio | target |", "|---|---:|---:|---:|---:|"]
    for timing, base, target in rows:
        ratio = timing.ratio(base)
        verdict = "" if target is None else (f"<= {target:g}x {'ok' if ratio <= target else 'MISSED'}")
        lines.append(f"| {timing.name} | {fmt_time(timing.median)} | {timing.spread:.0%} | "
                     f"{ratio:.2f}x {base.name} | {verdict} |")
    return "\n".join(lines)
