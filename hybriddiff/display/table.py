"""A small generic ``Table``: columns, rows of cells, a title, a footnote, optional sections.

It renders as aligned plain text, Markdown, self-contained HTML (Jupyter shows it through
``_repr_html_``), a JSON-able dict and, when pandas is installed, a DataFrame. Cells keep their raw
values (full precision); numbers are only rounded when a table is *shown* (``digits``, by
``format.format_value``) and become strict JSON through ``format.jsonable``. Long tables
show their first and last rows around an ellipsis row, per section; the data keeps every row.
"""
from __future__ import annotations

import html
import numbers
import textwrap
import unicodedata
from typing import Any, Iterator, Sequence

from .format import format_value, jsonable

HEAD, TAIL = 20, 10          # a long section shows this many first and last rows
ELLIPSIS = "..."
MIN_WRAP = 24                # the last column wraps, but never narrower than this
_KEEP = object()              # "use the table's own setting"


def display_width(text: str) -> int:
    """Terminal columns of ``text``: combining marks (the dot of v̇) take none, wide characters two.

    >>> len("v\u0307-1"), display_width("v\u0307-1")
    (4, 3)
    """
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return width


class Table:
    """Rows of cells under named columns, with a title, an optional footnote and sections.

    ``sections`` is a list of ``(first_row, label)``: the rows from ``first_row`` on belong to
    ``label`` (used by the reverse-mode table: a primal trace, then an adjoint trace).

    >>> t = Table(("variable", "value"), [("v1", 0.6931471805599453), ("v2", 10.0)], title="demo")
    >>> print(t)
    demo
    variable  value
    --------  -----
    v1        0.693
    v2        10
    >>> t.to_dict()["rows"][0]
    ['v1', 0.6931471805599453]
    """

    def __init__(self, columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str = "",
                 footnote: str = "", sections: Sequence[tuple[int, str]] = (),
                 digits: int | None = 3, max_rows: int | None = 200, droppable: Sequence[str] = ()):
        self.columns = tuple(str(c) for c in columns)
        self.rows = list(map(tuple, rows))
        for k, row in enumerate(self.rows) if set(map(len, self.rows)) - {len(self.columns)} else ():
            if len(row) != len(self.columns):
                raise ValueError(f"Table: row {k} has {len(row)} cells, expected {len(self.columns)} "
                                 f"({', '.join(self.columns)})")
        self.title, self.footnote = title, footnote
        self.sections = sorted((int(start), str(label)) for start, label in sections)
        self.digits, self.max_rows = digits, max_rows
        self.droppable = tuple(c for c in droppable if c in self.columns)  # left out first when narrow

    # ------------------------------------------------------------------ data
    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.rows)

    def __getitem__(self, index: int) -> tuple[Any, ...]:
        return self.rows[index]

    def column(self, name: str) -> list[Any]:
        """The cells of one column, top to bottom (raw values, full precision).

        >>> Table(("variable", "value"), [("v1", 0.5), ("v2", 2.0)]).column("value")
        [0.5, 2.0]
        """
        try:
            k = self.columns.index(name)
        except ValueError:
            raise KeyError(f"no column {name!r}; the columns are {', '.join(self.columns)}") from None
        return [row[k] for row in self.rows]

    def section_of(self) -> list[str]:
        """Each row's section label ("" before the first section)."""
        labels, marks, current, j = [], self.sections, "", 0
        for i in range(len(self.rows)):
            while j < len(marks) and marks[j][0] <= i:
                current, j = marks[j][1], j + 1
            labels.append(current)
        return labels

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict: title, columns, rows (every row, full precision), ..."""
        return {"title": self.title, "columns": list(self.columns),
                "rows": [[v if type(v) is str or (type(v) is float and v - v == 0) else jsonable(v)
                          for v in row] for row in self.rows],
                "footnote": self.footnote,
                "sections": [{"row": start, "label": label} for start, label in self.sections]}

    def to_dataframe(self) -> Any:
        """A pandas DataFrame of every row (a first "section" column when the table has sections).

        Needs pandas (``pip install 'hybriddiff[tables]'``), imported only here.

        >>> Table(("variable", "value"), [("v1", 0.5)]).to_dataframe().shape   # doctest: +SKIP
        (1, 2)
        """
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("Table.to_dataframe needs pandas: pip install 'hybriddiff[tables]' "
                              "(or pip install pandas)") from None
        frame = pd.DataFrame([list(row) for row in self.rows], columns=list(self.columns))
        if self.sections:
            frame.insert(0, "section", self.section_of())
        frame.attrs["title"] = self.title
        return frame

    # ------------------------------------------------------------------ rendering
    def _plan(self, max_rows: Any) -> list[tuple[str, Any]]:
        """What to show: ("section", label), ("row", index), ("ellipsis", hidden count)."""
        limit = self.max_rows if max_rows is _KEEP else max_rows
        bounds = [start for start, _ in self.sections if start > 0]
        starts = [0] + [b for b in bounds if b < len(self.rows)] + [len(self.rows)]
        labels = dict((start, label) for start, label in self.sections)
        plan: list[tuple[str, Any]] = []
        for lo, hi in zip(starts, starts[1:]):
            if lo in labels:
                plan.append(("section", labels[lo]))
            if limit is not None and hi - lo > max(limit, HEAD + TAIL):
                plan += [("row", i) for i in range(lo, lo + HEAD)]
                plan.append(("ellipsis", hi - lo - HEAD - TAIL))
                plan += [("row", i) for i in range(hi - TAIL, hi)]
            else:
                plan += [("row", i) for i in range(lo, hi)]
        for start, label in self.sections:   # sections that start at or after the end
            if start >= len(self.rows) and start > 0:
                plan.append(("section", label))
        return plan

    def _numeric(self) -> list[bool]:
        kinds = [True] * len(self.columns)
        for row in self.rows[:HEAD] + self.rows[-TAIL:]:
            for k, v in enumerate(row):
                if isinstance(v, (str, bool)) or not (v is None or isinstance(v, numbers.Number)):
                    kinds[k] = False
        return kinds

    def _hidden_note(self, plan: list[tuple[str, Any]]) -> str:
        hidden = sum(n for kind, n in plan if kind == "ellipsis")
        return (f"[{len(self.rows):,} rows x {len(self.columns)} columns; {hidden:,} not shown: "
                f"to_dict() and to_dataframe() hold them all]") if hidden else ""

    def to_text(self, digits: Any = _KEEP, max_rows: Any = _KEEP, width: int | None = None,
                wrap: int | None = None) -> str:
        """Aligned plain text: the title, a header, a rule of dashes, one line per row.

        ``width`` (a terminal's columns): leave out the ``droppable`` columns, in order, until the
        table fits (a line under the table names them), wrap the last column's text within its
        share, and wrap the footnote. ``wrap`` (for text going to a file or a pipe): keep every
        column, but wrap the last one's text at ``wrap`` characters and the notes at the table's width.

        >>> t = Table(("name", "extra", "note"), [("a", 1.0, "a long note " * 3)], droppable=["extra"])
        >>> print(t.to_text(width=30))
        name  note
        ----  ------------------------
        a     a long note a long note
              a long note
        [not shown at this width: extra; to_dict() has every column]
        """
        digits = self.digits if digits is _KEEP else digits
        plan = self._plan(max_rows)
        body = [(kind, [format_value(v, digits) for v in self.rows[x]] if kind == "row"
                 else [ELLIPSIS] * len(self.columns) if kind == "ellipsis" else x) for kind, x in plan]
        keep = self._fitting(body, width)
        columns = [self.columns[k] for k in keep]
        body = [(kind, [cells[k] for k in keep] if kind != "section" else cells) for kind, cells in body]
        widths = [display_width(c) for c in columns]
        for kind, cells in body:
            if kind != "section":
                widths = [max(w, display_width(c)) for w, c in zip(widths, cells)]
        if width is not None and sum(widths) + 2 * (len(widths) - 1) > width:
            widths[-1] = max(MIN_WRAP, width - sum(widths[:-1]) - 2 * (len(widths) - 1))
        elif width is None and wrap is not None and widths[-1] > wrap:
            widths[-1] = max(MIN_WRAP, wrap)
            width = max(80, sum(widths) + 2 * (len(widths) - 1))   # the notes' width

        def line(cells: Sequence[str]) -> list[str]:
            last = textwrap.wrap(cells[-1], widths[-1]) if display_width(cells[-1]) > widths[-1] else [cells[-1]]
            padded = [c + " " * (w - display_width(c)) for c, w in zip(cells[:-1], widths)]
            first = "  ".join(padded + [last[0] if last else ""]).rstrip()
            indent = " " * (sum(widths[:-1]) + 2 * (len(widths) - 1))
            return [first] + [indent + more for more in last[1:]]

        lines = [self.title] if self.title else []
        lines += line(columns) + line(["-" * w for w in widths])
        for kind, cells in body:
            lines += [f"-- {cells} --"] if kind == "section" else line(cells)
        dropped = [c for c in self.columns if c not in columns]
        shown = f"[not shown at this width: {', '.join(dropped)}; to_dict() has every column]" if dropped else ""
        for note in (shown, self._hidden_note(plan), self.footnote):
            if note:
                lines += textwrap.wrap(note, width) if width else [note]
        return "\n".join(lines)

    def _fitting(self, body: list, width: int | None) -> list[int]:
        """The columns to show: all, or without droppable ones (in order) until the rest fit."""
        keep = list(range(len(self.columns)))
        if width is None:
            return keep

        def total(indices: list[int]) -> int:
            widest = [max([display_width(self.columns[k])] + [display_width(cells[k]) for kind, cells in body
                                                              if kind != "section"]) for k in indices]
            return sum(widest[:-1]) + min(widest[-1], MIN_WRAP) + 2 * (len(widest) - 1)
        for name in self.droppable:
            if total(keep) <= width:
                break
            keep.remove(self.columns.index(name))
        return keep

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return self.to_text()

    def to_markdown(self, digits: Any = _KEEP, max_rows: Any = _KEEP) -> str:
        """A Markdown (GitHub) table, the title in bold above it and the footnote below.

        >>> print(Table(("variable", "value"), [("v1", 0.5)]).to_markdown())
        | variable | value |
        |---|---:|
        | v1 | 0.5 |
        """
        digits = self.digits if digits is _KEEP else digits
        plan = self._plan(max_rows)
        numeric = self._numeric()

        def row(cells: Sequence[str]) -> str:
            return "| " + " | ".join(_md_escape(c) for c in cells) + " |"

        lines = [f"**{_md_escape(self.title)}**", ""] if self.title else []
        lines.append(row(self.columns))
        lines.append("|" + "|".join("---:" if n else "---" for n in numeric) + "|")
        for kind, x in plan:
            if kind == "row":
                lines.append(row([format_value(v, digits) for v in self.rows[x]]))
            elif kind == "ellipsis":
                lines.append(row([ELLIPSIS] * len(self.columns)))
            else:
                lines.append("| " + " | ".join([f"**{_md_escape(x)}**"] + [""] * (len(self.columns) - 1))
                             + " |")
        notes = [n for n in (self._hidden_note(plan), self.footnote) if n]
        if notes:
            lines += [""] + [_md_escape(n) for n in notes]
        return "\n".join(lines)

    def to_html(self, digits: Any = _KEEP, max_rows: Any = _KEEP) -> str:
        """A self-contained ``<table>`` with a ``<caption>`` (every text escaped).

        >>> page = Table(("a", "b"), [("x < y", 1.0)], title="T & t").to_html()
        >>> "<caption" in page and "x &lt; y" in page and "T &amp; t" in page
        True
        """
        digits = self.digits if digits is _KEEP else digits
        plan = self._plan(max_rows)
        numeric = self._numeric()
        esc = html.escape
        n = len(self.columns)
        out = ['<table class="hybriddiff-table" style="border-collapse: collapse; '
               'font-family: monospace;">']
        if self.title:
            out.append(f'<caption style="font-weight: bold; text-align: left;">{esc(self.title)}</caption>')
        out.append("<thead><tr>" + "".join(
            f'<th style="text-align: {"right" if numeric[k] else "left"}; padding: 0 0.8em;">{esc(c)}</th>'
            for k, c in enumerate(self.columns)) + "</tr></thead>")
        out.append("<tbody>")
        for kind, x in plan:
            if kind == "section":
                out.append(f'<tr><th colspan="{n}" scope="colgroup" style="text-align: left; '
                           f'font-style: italic;">{esc(x)}</th></tr>')
                continue
            cells = ([format_value(v, digits) for v in self.rows[x]] if kind == "row"
                     else ["\u22ee"] * n)
            out.append("<tr>" + "".join(
                f'<td style="text-align: {"right" if numeric[k] else "left"}; padding: 0 0.8em;">'
                f'{esc(c)}</td>' for k, c in enumerate(cells)) + "</tr>")
        out.append("</tbody>")
        notes = [note for note in (self._hidden_note(plan), self.footnote) if note]
        if notes:
            out.append(f'<tfoot><tr><td colspan="{n}" style="font-size: smaller;">'
                       + "<br>".join(esc(note) for note in notes) + "</td></tr></tfoot>")
        out.append("</table>")
        return "\n".join(out)

    def _repr_html_(self) -> str:
        return self.to_html()


def _md_escape(text: str) -> str:
    for ch in ("\\", "|", "*", "_", "`"):
        text = text.replace(ch, "\\" + ch)
    return text


class TableViews:
    """Every view of a result that can build a ``Table``: text, Markdown, HTML (Jupyter), DataFrame.

    A class defines ``to_table()``; the views come from here, so all results render alike.
    """

    def to_table(self) -> Table:  # pragma: no cover - defined by each result class
        raise NotImplementedError

    def to_text(self) -> str:
        """Aligned plain text for a terminal."""
        return self.to_table().to_text(max_rows=None)

    def to_markdown(self) -> str:
        """A Markdown table with its title and footnote."""
        return self.to_table().to_markdown(max_rows=None)

    def to_html(self) -> str:
        """A self-contained HTML table (Jupyter shows it through ``_repr_html_``)."""
        return self.to_table().to_html(max_rows=None)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        return self.to_text()

    __repr__ = __str__  # results are read, not rebuilt: the table (dataclasses use repr=False)

    def to_dataframe(self) -> Any:
        """A pandas DataFrame of the rows (pandas is an optional extra)."""
        return self.to_table().to_dataframe()
