"""The price of reverse mode, measured: peak memory and time of one derivative against the length n
of a computation (a loop of n steps), for forward mode (constant memory), reverse mode (memory
growing with n: every step is stored), reverse mode with binomial checkpointing (O(snapshots)
states, recomputation instead), the compiled hybrid derivative and central differences.

The tutorial this project grew from ends on exactly this claim; the study shows it and its remedy
in one table and one log-log picture, with the growth fitted (memory ~ n^slope).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from ..ad.checkpoint import checkpointed_loop
from ..ad.operators import grad
from ..ad.schedule import revolve
from ..comparison.measure import peak_bytes
from ..display.plotting import axes
from ..display.table import Table, TableViews
from ..finite.difference import finite_difference
from ..graph.facade import trace
from .scaling import progress_bar

DEFAULT_NS = (10, 100, 1000, 10000)
METHODS = ("forward", "reverse", "reverse, checkpointed", "hybrid", "fd-central")
HYBRID_MAX_N = 3000   # compiling a derivative graph of more steps takes seconds: left out above


def euler_step(x: Any) -> Any:
    """One explicit Euler step (dt = 0.001) of the logistic equation x' = x (1 - x): the default loop
    body, a time-stepping simulation whose derivative stays finite however long it runs."""
    return x + 0.001 * x * (1 - x)


@dataclass(repr=False)
class MemoryStudy(TableViews):
    """Rows (n, method, peak bytes, seconds, recomputed steps, note), one derivative each."""

    step: str
    snapshots: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    interrupted: bool = False

    @property
    def title(self) -> str:
        note = " (interrupted: the rows that finished)" if self.interrupted else ""
        return f"Memory of one derivative against the loop's length n: {self.step}{note}"

    @property
    def footnote(self) -> str:
        slopes = ", ".join(f"{m} ~ n^{_slope(s)}" for m, s in self.slopes().items())
        return (f"peak bytes: tracemalloc's peak during one derivative; checkpointed: binomial schedule "
                f"with {self.snapshots} snapshots, recomputing the steps counted. Fitted growth of "
                f"memory: {slopes or 'too few points'}.")

    def slopes(self) -> dict[str, float]:
        """Per method, the slope of log(peak bytes) against log(n) (1: linear, 0: constant)."""
        out = {}
        for method in dict.fromkeys(r["method"] for r in self.rows):
            pts = [(r["n"], r["memory"]) for r in self.rows if r["method"] == method and r["memory"]]
            if len({n for n, _ in pts}) >= 2:
                out[method] = float(np.polyfit(np.log([n for n, _ in pts]), np.log([m for _, m in pts]), 1)[0])
        return out

    def to_table(self) -> Table:
        cells = [(r["n"], r["method"], r["memory"], r["seconds"], r["recomputed"], r["note"]) for r in self.rows]
        return Table(("n", "method", "peak bytes", "seconds", "recomputed steps", "note"), cells,
                     title=self.title, footnote=self.footnote)

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "snapshots": self.snapshots, "interrupted": self.interrupted,
                "slopes": self.slopes(), "rows": self.to_table().to_dict()["rows"]}

    def plot(self, ax: Any = None) -> Any:
        """Peak memory against n on log-log axes, one line per method, its fitted slope in the legend.
        Draws into ``ax`` when given, else into a new figure; returns the Figure."""
        ax = axes(ax, figsize=(7, 4), constrained_layout=True)
        slopes = self.slopes()
        for method in dict.fromkeys(r["method"] for r in self.rows):
            pts = [(r["n"], r["memory"]) for r in self.rows if r["method"] == method and r["memory"]]
            if pts:
                label = method + (f" (~ n^{_slope(slopes[method])})" if method in slopes else "")
                ax.plot(*zip(*pts), marker="o", label=label)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("steps n")
        ax.set_ylabel("peak bytes of one derivative")
        ax.set_title(self.title, fontsize=10, loc="left")
        ax.legend(fontsize=8)
        return ax.figure


def _slope(s: float) -> str:
    return f"{0.0 if abs(s) < 0.005 else s:.2f}"   # no "-0.00" for a flat line


def _loop(step: Callable[[Any], Any], n: int) -> Callable[[Any], Any]:
    def f(x: Any) -> Any:
        for _ in range(n):
            x = step(x)
        return x
    f.__name__ = f"{getattr(step, '__name__', 'step')}_x{n}"
    return f


def memory_study(step: Callable[[Any], Any] = euler_step, x0: float = 0.3,
                 ns: Sequence[int] = DEFAULT_NS, methods: Sequence[str] = METHODS,
                 snapshots: int | None = None, progress: bool | None = None) -> MemoryStudy:
    """Peak memory and time of one derivative of ``step`` applied n times to ``x0``, for each n and
    method. ``snapshots`` for the checkpointed rows (default: about log2 n, the classic choice).

    >>> import hybriddiff as hd
    >>> s = hd.memory_study(ns=(10, 100), methods=("forward", "reverse"), progress=False)
    >>> [r["method"] for r in s.rows], s.slopes()["reverse"] > 0.5
    (['forward', 'reverse', 'forward', 'reverse'], True)
    """
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"memory_study: unknown method(s) {unknown}; the methods are: {', '.join(METHODS)}")
    if not callable(step):
        raise TypeError(f"memory_study: step must be a function, got a {type(step).__name__}")
    bad = [n for n in ns if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1]
    if bad or not len(ns):
        raise ValueError(f"memory_study: ns must be whole numbers of steps >= 1, got {list(ns)!r}")
    study = MemoryStudy(getattr(step, "__name__", "step"),
                        "about log2 n" if snapshots is None else str(snapshots))
    try:
        for n, method in progress_bar([(int(n), m) for n in ns for m in methods], progress, "memory study"):
            study.rows.append(_cell(step, float(x0), n, method, snapshots))
    except KeyboardInterrupt:
        study.interrupted = True
    return study


def _cell(step: Callable[[Any], Any], x0: float, n: int, method: str, snapshots: int | None) -> dict:
    s = max(1, math.ceil(math.log2(n))) if snapshots is None else snapshots
    row: dict[str, Any] = {"n": n, "method": method, "memory": None, "seconds": None, "recomputed": None,
                           "note": ""}
    f = _loop(step, n)
    if method == "forward":
        call, row["note"] = (lambda: grad(f, mode="forward")(x0)), "one pass, value and tangent together"
    elif method == "reverse":
        call, row["note"] = (lambda: grad(f)(x0)), "the tape holds every step's nodes"
    elif method == "reverse, checkpointed":
        call = lambda: grad(lambda x: checkpointed_loop(step, x, n, snapshots=s))(x0)
        row["recomputed"], row["note"] = revolve(n, s).recomputed, f"{s} snapshots, binomial schedule"
    elif method == "hybrid":
        if n > HYBRID_MAX_N:
            row["note"] = f"left out above n = {HYBRID_MAX_N:,} (compiling takes seconds)"
            return row
        call, row["note"] = (lambda: trace(f, x0).grad().compile()(x0)), "trace, derivative graph, compile, call"
    else:
        call, row["note"] = (lambda: finite_difference(f, x0, scheme="central")), "two evaluations of f, no tape"
    try:
        started = time.perf_counter()
        call()
        row["seconds"] = time.perf_counter() - started
        row["memory"] = peak_bytes(call)
    except KeyboardInterrupt:
        raise
    except Exception as exc:   # a method that fails at this n gets a row saying why
        row["note"] = f"{type(exc).__name__}: {exc}"
    return row


__all__ = ["memory_study", "MemoryStudy", "euler_step"]
