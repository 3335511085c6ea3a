"""Expression swell: the hybrid derivative graph against sympy.diff, and the compiled derivative's speed.

    python -m benchmarks.swell_bench            # about a minute: SymPy cells are capped at 10 s each

Three tables: (1) the logistic map's hybrid derivative (graph.grad()) for n up to 100: nodes and
operations grow linearly, and n = 20 builds in well under 0.5 s; (2) SymPy's routes on the same
functions, each cell time-boxed (a worker process killed at the limit: "timed out"); (3) the hybrid
compiled derivative of the seed function at 2.0 against plain-float f, timed side by side.
"""
from __future__ import annotations

import math
import os
import sys
import time

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "benchmarks"

import hybriddiff as hd  # noqa: E402
from hybriddiff.methods.hybrid import hybrid_function  # noqa: E402
from hybriddiff.studies.swell import logistic_map, swell_study  # noqa: E402
from hybriddiff.graph.symbolic.bridge import flat_count_ops, to_sympy  # noqa: E402

from .timing import fmt_time, measure, table  # noqa: E402

HYBRID_NS = (1, 2, 5, 10, 20, 50, 100)
SYMPY_NS = (2, 4, 6, 8, 10, 12, 14, 16)


def _best_of(fn, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def hybrid_sizes(ns: tuple[int, ...] = HYBRID_NS, target: float = 0.5) -> str:
    """Markdown: the logistic map's hybrid derivative size and build time (trace + grad) per n."""
    lines = ["| n | f graph ops | derivative nodes | derivative ops | flat count_ops | build (trace + grad) |",
             "|---:|---:|---:|---:|---:|---:|"]
    built_20 = None
    for n in ns:
        f = logistic_map(n)
        seconds = _best_of(lambda: hd.trace(f, 0.3).grad())
        g = hd.trace(f, 0.3)
        d = g.grad()
        lines.append(f"| {n} | {g.n_ops} | {len(d.nodes)} | {d.n_ops} | {flat_count_ops(*to_sympy(d))} | "
                     f"{fmt_time(seconds)} |")
        built_20 = seconds if n == 20 else built_20
    if built_20 is not None:
        verdict = "ok" if built_20 <= target else "MISSED"
        lines.append(f"\nn = 20 builds in {fmt_time(built_20)} (target <= {target:g} s: {verdict}).")
    return "\n".join(lines)


def sympy_sizes(ns: tuple[int, ...] = SYMPY_NS, timeout: float = 10.0) -> str:
    """Markdown: plain diff, expand + diff, diff + cse and hybrid, per n (each SymPy cell time-boxed)."""
    return swell_study(logistic_map, ns, timeout=timeout).to_markdown()


def seed_speed(target: float = 3.0) -> str:
    """Markdown: the hybrid compiled derivative of exp(x**2 - x)/x at 2.0 against plain-float f."""
    def plain(x: float) -> float:
        return math.exp(x * x - x) / x

    compiled = hybrid_function(lambda x: hd.exp(x**2 - x) / x, 2.0)
    base = measure("plain float f (math.exp)", lambda: plain(2.0))
    derivative = measure("hybrid compiled f' (simplified, generated source)", lambda: compiled(2.0))
    return table([(base, base, None), (derivative, base, target)])


def swell_workload(max_n: int = 16, timeout: float = 10.0) -> str:
    """All three tables as Markdown (SymPy cells capped at ``timeout`` seconds each)."""
    return "\n\n".join([
        "### Logistic map: hybrid derivative graph size (grows linearly)", hybrid_sizes(),
        f"### Logistic map: SymPy's routes, each cell time-boxed at {timeout:g} s",
        sympy_sizes(tuple(n for n in SYMPY_NS if n <= max_n), timeout),
        "### Seed f(x) = exp(x**2 - x)/x at 2.0: compiled hybrid derivative per scalar call", seed_speed()])


if __name__ == "__main__":
    print(swell_workload())
