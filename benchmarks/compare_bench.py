"""What judging costs: ``hd.compare``'s reference with its evidence (``examine``) against the bare
50-digit reference it replaced, measured side by side on the same functions.

    python -m benchmarks.compare_bench        # about a minute

``examine`` adds f's value, the kinks met, and the float64-attainable accuracy (a randomly rounded
evaluation of the derivative graph, up to 50,000 operations) to the reference's derivative graph in
mpmath. Target: at most 2x the bare reference, or 50 ms more (imperceptible in a comparison that
takes a second or more), so a comparison's reference stays within its 10 s limit wherever the
reference alone did. On this shared machine single ratios vary by +-50% from run to run. Also one whole ``hd.compare`` (every method) per function.
"""
from __future__ import annotations

import os
import sys
import time

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "benchmarks"

import hybriddiff as hd  # noqa: E402
from hybriddiff.comparison.reference import examine, reference  # noqa: E402
from hybriddiff.studies.families import logistic_map, seed_f, sine_chain  # noqa: E402

from .timing import fmt_time, measure  # noqa: E402

CASES = [("seed f at 2", seed_f, 2.0), ("abs(x) at 0 (a kink: one-sided derivatives)", hd.abs, 0.0),
         ("logistic map l20 at 0.3", logistic_map(20), 0.3),
         ("sine chain, 1,000 ops", sine_chain(334), 0.5), ("sine chain, 10,000 ops", sine_chain(3334), 0.5),
         ("sine chain, 100,000 ops", sine_chain(33334), 0.5)]
TARGET = 2.0
SMALL = 0.05


def _once(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def compare_workload() -> str:
    lines = ["| function | reference | examine | examine / reference | target | hd.compare (all methods) |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, f, x in CASES:
        big = "100,000" in name
        if big:   # seconds per call: one round each, side by side
            ref, ex = _once(lambda: reference(f, x)), _once(lambda: examine(f, x))
            whole = "(not run: a minute)"
        else:
            ref = measure("reference", lambda: reference(f, x), repeats=5, min_time=0.05).median
            ex = measure("examine", lambda: examine(f, x), repeats=5, min_time=0.05).median
            whole = fmt_time(_once(lambda: hd.compare(f, x, budget=0.01)))
        ratio = ex / ref
        # target: at most twice the reference, or 50 ms more on small functions (fixed costs: the
        # randomly rounded batch, the kinks' one-sided mpmath.diff calls), whichever is larger
        over = "" if ex <= max(TARGET * ref, ref + SMALL) else " (over)"
        lines.append(f"| {name} | {fmt_time(ref)} | {fmt_time(ex)} | {ratio:.2f}x{over} | "
                     f"<= {TARGET:g}x or + {SMALL * 1e3:g} ms | {whole} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(compare_workload())
