"""Finite differences: accuracy, calls of f and time per derivative, against numdifftools if installed.

    python -m benchmarks.finite_bench

Accuracy is the relative error against mpmath.diff at 50 digits; "calls" counts evaluations of f at
one point each, as value + error estimate (hybriddiff's fixed stencils re-evaluate at h/2 and h/4 for
the estimate only with full_output; Richardson's estimate comes with its value; numdifftools
evaluates its steps as one array, counted per element). Times are per derivative, value only.
"""
from __future__ import annotations

import os
import sys
import warnings
from typing import Any, Callable

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "benchmarks"

import mpmath  # noqa: E402
import numpy as np  # noqa: E402

import hybriddiff as hd  # noqa: E402
from hybriddiff.finite.difference import finite_difference  # noqa: E402

from .timing import fmt_time, measure  # noqa: E402

CASES: list[tuple[str, Callable[[Any], Any], float]] = [
    ("exp(x) at 1", hd.exp, 1.0),
    ("sin(x) at 0.5", hd.sin, 0.5),
    ("log(x) at 2", hd.log, 2.0),
    ("arctan(x) at 1.3", hd.arctan, 1.3),
    ("exp(x*x - x)/x at 2 (seed)", lambda x: hd.exp(x * x - x) / x, 2.0),
    ("1/(1+x^2) at 0.9", lambda x: 1 / (1 + x * x), 0.9),
    ("sqrt(x) at 1e-3 (edge)", hd.sqrt, 1e-3),
    ("log(x) at 1e-3 (edge)", hd.log, 1e-3),
]
SCHEMES = ("central", "five-point", "richardson", "complex-step")


def reference(f: Callable[[Any], Any], x: float) -> float:
    with mpmath.workdps(50):
        return float(mpmath.diff(f, mpmath.mpf(x)))


def counted(f: Callable[[Any], Any]) -> tuple[Callable[[Any], Any], list[int]]:
    calls = [0]

    def g(x: Any) -> Any:
        calls[0] += int(np.size(x))
        return f(x)
    return g, calls


def _rel(value: float, ref: float) -> str:
    err = abs(value - ref) / abs(ref)
    return "nan" if not np.isfinite(err) else f"{err:.1e}"


def hybriddiff_row(name: str, f: Callable[[Any], Any], x: float, scheme: str, ref: float) -> str:
    result = finite_difference(f, x, scheme=scheme, full_output=True)
    used = f"{result.evaluations} + {result.estimate_evaluations}"
    plain = measure(name, lambda: finite_difference(f, x, scheme=scheme), repeats=3, min_time=0.05)
    note = " (one-sided)" if "one-sided" in result.note else ""
    return (f"| {name} | hybriddiff {scheme}{note} | {used} | {_rel(result.value, ref)} | "
            f"{result.error_estimate / abs(ref):.1e} | {fmt_time(plain.median)} |")


def numdifftools_row(nd: Any, name: str, f: Callable[[Any], Any], x: float, ref: float) -> str:
    g, calls = counted(f)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        out = nd.Derivative(g, full_output=True)(x)
        timing = measure(name, lambda: nd.Derivative(f)(x), repeats=3, min_time=0.05)
    value, error = float(out[0]), float(out[1])
    return (f"| {name} | numdifftools Derivative (default) | {calls[0]} (all) | {_rel(value, ref)} | "
            f"{error / abs(ref):.1e} | {fmt_time(timing.median)} |")


def finite_workload() -> str:
    """A Markdown table: per function, each scheme's calls of f, relative error, estimate, time."""
    try:
        import numdifftools as nd
    except ImportError:
        nd = None
    lines = ["| function | method | calls of f (value + estimate) | relative error | "
             "relative error estimate | time |", "|---|---|---:|---:|---:|---:|"]
    for name, f, x in CASES:
        ref = reference(f, x)
        lines += [hybriddiff_row(name, f, x, scheme, ref) for scheme in SCHEMES]
        if nd is not None:
            lines.append(numdifftools_row(nd, name, f, x, ref))
    if nd is None:
        lines.append("\nnumdifftools is not installed: its comparison rows were skipped "
                     "(pip install numdifftools to include them).")
    return "\n".join(lines)


if __name__ == "__main__":
    print(finite_workload())
