"""Gradient cost against dimension: forward mode (n passes), reverse mode (one sweep, memory growing
with the operations), finite differences (n + 1 or 2n evaluations) and the compiled hybrid.

Each cell is timed side by side with f itself, so the table shows the ratio gradient / f and where
the methods cross over. Long runs show a progress bar (tqdm, when installed) and Ctrl-C stops the
study cleanly, keeping the rows that finished.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from ..comparison.measure import peak_bytes, seconds_per_call
from ..display.plotting import axes
from ..display.table import Table, TableViews
from ..methods.registry import available_methods, prepare
from .families import rosenbrock_family

DEFAULT_NS = (2, 4, 8, 16, 32, 64, 128)
DEFAULT_METHODS = ("forward", "reverse", "fd-central", "hybrid")


@dataclass(repr=False)
class ScalingStudy(TableViews):
    """Rows (n, method, seconds per gradient, ratio to f, passes, peak bytes, note)."""

    family: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    interrupted: bool = False

    @property
    def title(self) -> str:
        """The study in a line (the table's title, the plot's)."""
        note = " (interrupted: the rows that finished)" if self.interrupted else ""
        return f"Gradient cost against dimension: {self.family}{note}"

    @property
    def footnote(self) -> str:
        """What the columns mean (the table's footnote)."""
        return ("gradient / f: the gradient's time over f's own time at the same n, f timed just before "
                "each method on the faster of its two input forms (the array, or Python floats: what "
                "compiled code computes on), so no method looks cheaper than f for its input's sake.")

    def to_table(self) -> Table:
        cells = [(r["n"], r["method"], r["seconds"], r["ratio"], r["passes"], r["memory"], r["note"])
                 for r in self.rows]
        return Table(("n", "method", "seconds per gradient", "gradient / f", "passes", "peak bytes",
                      "note"), cells, title=self.title, footnote=self.footnote)

    def to_dict(self) -> dict[str, Any]:
        return {"family": self.family, "interrupted": self.interrupted, "rows": self.to_table().to_dict()["rows"]}

    def crossover(self, a: str = "forward", b: str = "reverse") -> int | None:
        """The smallest n at which method ``b`` is faster than ``a`` (None if it never is)."""
        times: dict[tuple[int, str], float] = {(r["n"], r["method"]): r["seconds"] for r in self.rows
                                               if r["seconds"] is not None}
        for n in sorted({r["n"] for r in self.rows}):
            if (n, a) in times and (n, b) in times and times[n, b] < times[n, a]:
                return n
        return None

    def plot(self, ax: Any = None) -> Any:
        """Seconds per gradient against n, one line per method, log-log (matplotlib, optional).

        Draws into ``ax`` when given (a matplotlib Axes), else into a new figure; returns the Figure.
        """
        ax = axes(ax, figsize=(6, 4), constrained_layout=True)
        for method in dict.fromkeys(r["method"] for r in self.rows):
            pts = [(r["n"], r["seconds"]) for r in self.rows if r["method"] == method and r["seconds"]]
            if pts:
                ax.plot(*zip(*pts), marker="o", label=method)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("dimension n")
        ax.set_ylabel("seconds per gradient")
        ax.set_title(self.title, fontsize=10, loc="left")
        ax.legend()
        return ax.figure


def progress_bar(tasks: list, show: bool | None, desc: str = "scaling study") -> Iterable:
    """``tasks`` with a progress bar (tqdm, when installed; ``show=False``: none)."""
    if show is False:
        return tasks
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return tasks
    return tqdm(tasks, desc=desc, leave=False)


def scaling_study(family: Callable[[int], tuple[Callable[..., Any], Any]] = rosenbrock_family,
                  ns: Sequence[int] = DEFAULT_NS, methods: Sequence[str] | None = None,
                  budget: float = 0.05, progress: bool | None = None) -> ScalingStudy:
    """Time each method's gradient for each dimension n of ``family`` (n -> (f, x)).

    >>> import hybriddiff as hd
    >>> s = hd.scaling_study(ns=(2, 8), methods=("forward", "reverse"), budget=0.01, progress=False)
    >>> sorted({r["method"] for r in s.rows}), [r["n"] for r in s.rows if r["method"] == "forward"]
    (['forward', 'reverse'], [2, 8])
    """
    known = available_methods()
    methods = [m for m in DEFAULT_METHODS if m in known] if methods is None else list(methods)
    unknown = [m for m in methods if m not in known]
    if unknown:
        raise ValueError(f"scaling_study: unknown method(s) {unknown}; available: {', '.join(known)}")
    study = ScalingStudy(getattr(family, "__name__", "family").removesuffix("_family"))
    tasks = [(n, m) for n in ns for m in methods]
    try:
        for n, method in progress_bar(tasks, progress):
            f, x = family(n)
            study.rows.append(_cell(n, method, f, x, f_seconds(f, x, budget), budget))
    except KeyboardInterrupt:
        study.interrupted = True
    return study


def f_seconds(f: Callable[..., Any], x: Any, budget: float) -> float:
    """f's time per call at x: the faster of x as given and x as a list of Python floats (where f
    accepts it and agrees). Element access on a NumPy array gives NumPy scalars, on which f can be
    several times slower than on floats; a compiled gradient computes on floats, so timing f on the
    array alone made it look cheaper than f (gradient / f 0.6-0.9 instead of about 3)."""
    times = [seconds_per_call(lambda: f(x), budget, rounds=3)[0]]
    if isinstance(x, np.ndarray) and x.ndim == 1:
        floats = x.tolist()
        try:
            with np.errstate(all="ignore"):
                same = bool(np.allclose(np.asarray(f(floats), dtype=float), np.asarray(f(x), dtype=float),
                                        rtol=1e-12, atol=0.0, equal_nan=True))
        except Exception:   # f indexes or broadcasts as only arrays do: the array is its input form
            same = False
        if same:
            times.append(seconds_per_call(lambda: f(floats), budget, rounds=3)[0])
    return min(times)


def _cell(n: int, method: str, f: Callable[..., Any], x: Any, f_seconds: float, budget: float) -> dict:
    try:
        prepared = prepare(method, f, x)
        seconds = seconds_per_call(prepared.call, budget, rounds=3)[0]
        return {"n": n, "method": method, "seconds": seconds, "ratio": seconds / f_seconds,
                "passes": prepared.passes, "memory": peak_bytes(prepared.call), "note": prepared.note}
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # a method that fails at this n gets a row saying why
        return {"n": n, "method": method, "seconds": None, "ratio": None, "passes": None,
                "memory": None, "note": f"{type(exc).__name__}: {exc}"}
