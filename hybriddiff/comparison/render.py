"""Showing a comparison: aligned text, Markdown, HTML, JSON, a DataFrame and a plot.

The rows become a generic ``Table`` (``table_render.py``); numbers keep full precision in the data
and are rounded only for display. matplotlib and pandas are imported only when asked for.
"""
from __future__ import annotations

import json
from typing import Any

import numpy as np

from ..display.plotting import axes
from ..display.table import Table, TableViews

COLUMNS = ("method", "value", "abs error", "rel error", "digits", "time/call", "spread", "setup",
           "passes", "ops", "memory", "status", "note")


def _seconds(t: float | None) -> str:
    if t is None:
        return ""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if t >= scale:
            return f"{t / scale:.3g} {unit}"
    return f"{t:.2g} s"


def _bytes(n: int | None) -> str:
    if n is None:
        return ""
    for unit, scale in (("MB", 1 << 20), ("kB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} B"


def _value(v: Any) -> Any:
    """Values in full, as the shortest text that reads back the same float (``repr``)."""
    if isinstance(v, np.ndarray):
        text = np.array2string(np.asarray(v, dtype=float), precision=17, separator=", ", threshold=6,
                               floatmode="unique")
        return text.replace("\n", " ")
    try:
        return repr(float(v))
    except (TypeError, ValueError):
        return str(v)


def _sci(v: float | None) -> str:
    return "" if v is None else ("0" if v == 0 else f"{v:.1e}")


class ComparisonRendering(TableViews):
    """Mixin for ``Comparison``: every view is built from ``to_table``."""

    function: str
    x: Any
    reference: Any
    reference_note: str
    rows: list

    def to_table(self, full: bool = False) -> Table:
        """The rows as a ``Table``; ``full`` keeps the raw numbers instead of display text."""
        cells = []
        for r in self.rows:
            if full:
                cells.append((r.method, r.value, r.abs_error, r.rel_error, r.digits, r.time, r.spread,
                              r.setup, r.passes, r.ops, r.memory, r.status, r.note))
                continue
            cells.append((r.method, _value(r.value) if r.status in ("ok", "nan") else "",
                           _sci(r.abs_error), _sci(r.rel_error),
                           "" if r.digits is None else f"{r.digits:.1f}", _seconds(r.time),
                           "" if r.spread is None else f"{r.spread:.0%}", _seconds(r.setup),
                           "" if r.passes is None else str(r.passes), "" if r.ops is None else str(r.ops),
                           _bytes(r.memory), r.status, r.note))
        return Table(COLUMNS, cells, title=self.title(), footnote=self.footnote(),
                     digits=None if full else 16)

    def title(self) -> str:
        x = np.array2string(np.asarray(self.x), separator=", ") if isinstance(self.x, np.ndarray) else repr(self.x)
        kind = "gradient" if isinstance(self.x, np.ndarray) else "derivative"
        return f"{kind} of {self.function} at x = {x}"

    def footnote(self) -> str:
        ref = "" if self.reference is None else f"reference {_value(_float(self.reference))}"
        return (f"{ref} ({self.reference_note}). digits: correct significant digits (max relative error "
                f"over components); time/call: median of 5 auto-ranged rounds; setup: once "
                f"(tracing, SymPy, compiling); passes: sweeps (AD) or evaluations of f (FD); "
                f"ops: operations one call executes; memory: peak bytes of one call.")

    def to_json(self, indent: int | None = 2) -> str:
        """JSON text of ``to_dict()`` (strict JSON: nan and inf as strings)."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)  # type: ignore[attr-defined]

    def to_dataframe(self) -> Any:
        """A pandas DataFrame of the raw numbers (pandas is an optional extra)."""
        return self.to_table(full=True).to_dataframe()

    def plot(self, ax: Any = None) -> Any:
        """Relative error and time per call of each method, on log axes (matplotlib, optional)."""
        rows = [r for r in self.rows if r.status == "ok"]
        ax = axes(ax, nrows=1, ncols=2, figsize=(10, 3.6), constrained_layout=True)
        names = [r.method for r in rows]
        errors = [max(r.rel_error, 1e-17) for r in rows]
        ax[0].barh(names, errors, color="#4c72b0")
        ax[0].set_xscale("log")
        ax[0].set_xlabel("relative error (1e-17 = exact)")
        ax[0].invert_yaxis()
        ax[1].barh(names, [r.time for r in rows], color="#dd8452")
        ax[1].set_xscale("log")
        ax[1].set_xlabel("seconds per call")
        ax[1].invert_yaxis()
        ax[0].set_title(self.title(), loc="left", fontsize=10)
        return ax


def _float(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return np.array([float(i) for i in v])
    return float(v)
