"""Showing a comparison: aligned text, Markdown, HTML, JSON, a DataFrame and a plot.

The rows become a generic ``Table`` (``display/table.py``), one cell per entry of ``columns.COLUMNS``,
which also supplies the footnote; numbers keep full precision in the data and are rounded only for
display (``display/format.py``). matplotlib and pandas are imported only when asked for.
"""
from __future__ import annotations

import json
import textwrap
from typing import Any

import numpy as np

from ..display.format import full_value, ordinal
from ..display.plotting import axes, log_dots
from ..display.table import Table, TableViews
from .columns import COLUMNS, explanations
from .statuses import STATUSES, TRUSTED


# left out first, in this order, when the text table must fit a narrow terminal
DROPPABLE = ("spread", "setup", "memory", "abs error", "passes", "ops", "rel error", "time/call")


class ComparisonRendering(TableViews):
    """Mixin for ``Comparison``: every view is built from ``to_table``."""

    function: str
    x: Any
    reference: Any
    reference_note: str
    rows: list

    def to_table(self, full: bool = False) -> Table:
        """The rows as a ``Table``; ``full`` keeps the raw numbers instead of display text."""
        cells = [[column.cell(row, full) for column in COLUMNS] for row in self.rows]
        return Table([column.header for column in COLUMNS], cells, title=self.title,
                     footnote=self.footnote, digits=None if full else 16, droppable=DROPPABLE)

    @property
    def title(self) -> str:
        """What was compared: "derivative", "gradient" or "Jacobian" of f at x."""
        order = getattr(self, "order", 1)
        what = self.kind if order == 1 else f"{ordinal(order)} derivative"   # type: ignore[attr-defined]
        return f"{what} of {self.function} at x = {full_value(self.x)}"

    @property
    def footnote(self) -> str:
        """The reference and how it was obtained, what the columns mean (``Column.explain``) and what
        each status shown means (``statuses.STATUSES``)."""
        ref = "" if self.reference is None else f"reference {full_value(self.reference, limit=6)} "
        shown = {row.status for row in self.rows}
        words = "; ".join(f"{word}: {meaning}" for word, meaning in STATUSES.items() if word in shown)
        left_out = getattr(self, "left_out", {})
        absent = f" Left out: {'; '.join(left_out.values())}." if left_out else ""
        return f"{ref}({self.reference_note}). {explanations(COLUMNS)}. Statuses: {words}.{absent}"

    def to_json(self, indent: int | None = 2) -> str:
        """JSON text of ``to_dict()`` (strict JSON: nan and inf as strings)."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)  # type: ignore[attr-defined]

    def to_dataframe(self) -> Any:
        """A pandas DataFrame of the raw numbers (pandas is an optional extra)."""
        return self.to_table(full=True).to_dataframe()

    def plot(self, ax: Any = None) -> Any:
        """Relative error and time per call of each method, on log axes (matplotlib, optional).

        ``ax``: two matplotlib Axes (error, time), or one (error only); by default a new figure.
        Trusted rows (``statuses.TRUSTED``) are blue, the others orange. Returns the Figure.
        """
        rows = list(self.rows)
        panels = list(np.ravel(axes(ax, nrows=1, ncols=2, figsize=(10, 3.6), sharey=True,
                                    constrained_layout=True)))
        names = [r.method for r in rows]
        colors = ["#4c72b0" if r.status in TRUSTED else "#dd8452" for r in rows]
        log_dots(panels[0], names, [r.rel_error for r in rows], colors, floor=1e-17)
        panels[0].set_xlabel("relative error (hollow at 1e-17: exact; orange: not trusted)")
        panels[0].set_title("\n".join(textwrap.wrap(self.title, 60)), loc="left", fontsize=10)
        if len(panels) > 1:
            log_dots(panels[1], names, [r.time for r in rows], colors)
            panels[1].set_xlabel("seconds per call")
            panels[1].tick_params(labelleft=False)   # the same methods as on the left
        return panels[0].figure
