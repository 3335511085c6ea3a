"""The comparison's rows and columns: one ``Row`` per method, one ``Column`` record per column.

``COLUMNS`` is the one list every view is built from (``render.py``): the text, Markdown and HTML
tables, the raw table behind the DataFrame, and the footnote, which joins the columns' explanations.
A column computed from a row is one entry here; a new measurement is a ``Row`` field too, filled in
by ``compare.run_method``.
"""
from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Callable

import numpy as np

from ..display.format import byte_size, formatted, full_value, scientific, seconds
from .measure import ROUNDS
from .statuses import FAILED, TIMEOUT, UNCHECKED


@dataclass
class Row:
    """One method's line in a comparison."""

    method: str
    value: Any = None
    abs_error: float | None = None
    rel_error: float | None = None
    digits: float | None = None
    time: float | None = None          # seconds per call (median)
    spread: float | None = None        # (max - min) / median over the repeats
    setup: float | None = None         # seconds, once
    passes: int | None = None
    ops: int | None = None
    memory: int | None = None          # peak bytes of one call
    status: str = UNCHECKED            # one of statuses.STATUSES, judged from evidence (judge.py)
    note: str = ""
    expected: float | None = None      # the relative error the method may have here (judge.py)
    estimate: float | None = None      # the method's own bound on its absolute error (FD), if any


def value_cell(value: Any) -> str:
    """A value for the table: numbers and vectors in full (long vectors cut), a matrix as its shape
    and, when small, its entries to 6 digits (the full matrix is in ``to_dict()`` and the DataFrame).

    >>> value_cell(np.array([[2.0, 1.0], [0.5403023058681398, 0.0]]))
    '2x2 [[2, 1], [0.540302, 0]]'
    """
    if np.ndim(value) < 2:
        return full_value(value, limit=6)
    array = np.asarray(value, dtype=float)
    shape = "x".join(map(str, array.shape))
    if array.size > 6:
        return f"{shape} matrix (in full: to_dict(), to_dataframe())"
    return f"{shape} " + str([[float(f"{v:.6g}") for v in row] for row in array]).replace(".0,", ",").replace(".0]", "]")


def _always(row: Row) -> bool:
    return True


def _has_value(row: Row) -> bool:
    """A value is shown when the method produced one (whatever its status says of it)."""
    return row.status not in (FAILED, TIMEOUT) or row.value is not None


@dataclass(frozen=True)
class Column:
    """One column of the comparison table.

    ``get`` reads the raw value from a row (full precision: the DataFrame and ``to_table(full=True)``);
    ``show`` turns that value into the display text (for rows where ``shown(row)``, blank elsewhere);
    ``explain`` is the column's sentence in the footnote ("" for a self-explanatory column).

    >>> Column("ops/pass", lambda r: r.ops / r.passes, formatted(".1f")).cell(Row("m", ops=12, passes=2))
    '6.0'
    """

    header: str
    get: Callable[[Row], Any]
    show: Callable[[Any], str] = formatted("")
    explain: str = ""
    shown: Callable[[Row], bool] = _always

    def cell(self, row: Row, full: bool = False) -> Any:
        """The row's cell: the raw value (``full``) or its display text."""
        value = self.get(row)
        if full:
            return value
        return self.show(value) if self.shown(row) else ""


def _field(header: str, name: str, show: Callable[[Any], str] = formatted(""), explain: str = "",
           shown: Callable[[Row], bool] = _always) -> Column:
    return Column(header, attrgetter(name), show, explain, shown)


COLUMNS: list[Column] = [
    _field("method", "method", explain="a name of hd.METHODS"),
    _field("value", "value", value_cell, "the derivative it gave (a matrix: its shape, and its entries when small)",
           shown=_has_value),
    _field("abs error", "abs_error", scientific, "|value - reference| (the largest over entries)"),
    _field("rel error", "rel_error", scientific, "abs error / |reference| (the largest over entries)"),
    _field("digits", "digits", formatted(".1f"),
           "correct significant digits (max relative error over components)"),
    _field("time/call", "time", seconds, f"median of {ROUNDS} auto-ranged rounds"),
    _field("spread", "spread", formatted(".0%"), "(slowest - fastest) / median of those rounds"),
    _field("setup", "setup", seconds, "once (tracing, SymPy, compiling)"),
    _field("passes", "passes", explain="sweeps (AD) or evaluations of f (FD)"),
    _field("ops", "ops", explain="operations of the call's work written as a graph (f with its tangents or adjoints, after exact simplification and sharing; FD: f's operations times evaluations): a deterministic model of the work, not a count of what the timed Python call executes"),
    _field("memory", "memory", byte_size, "peak bytes of one call"),
    _field("status", "status", explain="how far the value can be trusted (the statuses below)"),
    _field("note", "note", explain="an error estimate, a fallback, the convention used, why a method failed"),
]


def explanations(columns: list[Column] | None = None) -> str:
    """The footnote's column sentences (default: ``COLUMNS``): ``header: explanation``, joined by "; ".

    >>> explanations([_field("ops", "ops", explain="operations one call executes")])
    'ops: operations one call executes'
    """
    return "; ".join(f"{c.header}: {c.explain}" for c in (COLUMNS if columns is None else columns) if c.explain)


__all__ = ["Row", "Column", "COLUMNS", "explanations"]
