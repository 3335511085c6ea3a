"""Expression swell: how big derivatives get, symbolically and as hybriddiff graphs.

Baydin et al. 2018 (JMLR, Table 1) differentiate the logistic map l_1 = x, l_{n+1} = 4 l_n (1 - l_n)
symbolically: the product rule copies subexpressions, and SymPy's ``count_ops(diff(l_n))`` grows
2, 21, 82, 264, 768, 2096 for n = 2..7, about three times per step. ``swell_study`` measures, per
n and each time-boxed in a worker: (a) ``sympy.diff`` of the nested expression, (b) ``diff`` after
``expand``, (c) ``diff`` then ``cse`` (total ops of the CSE'd form), (d) hybriddiff's derivative
graph (``graph.grad()``: graph operations, nodes, and ``count_ops`` of its flat SymPy form), which
grows linearly. The nested expression is ``to_sympy_expr`` of the traced function: the trace of
``4 * l * (1 - l)`` becomes exactly Baydin's ``4*l*(1 - l)``, so the counts match the hand-built ones.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Sequence

from .families import logistic_map, newton_sqrt  # noqa: F401  (the ready families)
from ..core import timebox
from ..display.format import jsonable, seconds
from ..display.plotting import axes
from ..display.table import Table, TableViews
from ..graph.facade import trace
from ..graph.symbolic.bridge import flat_count_ops, input_symbols, to_sympy, to_sympy_expr, warm_up

TIMED_OUT, SKIPPED = "timed out", "skipped (timed out at a smaller n)"
CELLS = ("diff", "expand", "cse")

# Baydin et al. 2018, Table 1: l_n, its derivative by the product rule, and simplified.
PAPER_TABLE1 = {
    1: ("x", "1", "1"),
    2: ("4*x*(1 - x)", "4*(1 - x) - 4*x", "4 - 8*x"),
    3: ("16*x*(1 - x)*(1 - 2*x)**2",
        "16*(1 - x)*(1 - 2*x)**2 - 16*x*(1 - 2*x)**2 - 64*x*(1 - x)*(1 - 2*x)",
        "16*(1 - 10*x + 24*x**2 - 16*x**3)"),
    4: ("64*x*(1 - x)*(1 - 2*x)**2*(1 - 8*x + 8*x**2)**2",
        "128*x*(1 - x)*(-8 + 16*x)*(1 - 2*x)**2*(1 - 8*x + 8*x**2) + 64*(1 - x)*(1 - 2*x)**2*"
        "(1 - 8*x + 8*x**2)**2 - 64*x*(1 - 2*x)**2*(1 - 8*x + 8*x**2)**2 - 256*x*(1 - x)*(1 - 2*x)*"
        "(1 - 8*x + 8*x**2)**2",
        "64*(1 - 42*x + 504*x**2 - 2640*x**3 + 7040*x**4 - 9984*x**5 + 7168*x**6 - 2048*x**7)"),
}


@dataclass
class Cell:
    """One time-boxed measurement: the size, the build time (seconds), and how it ended.

    >>> Cell(21, 0.01).text(), Cell(status=TIMED_OUT).text()
    (21, 'timed out')
    """

    ops: int | None = None
    seconds: float | None = None
    status: str = "ok"

    def text(self) -> Any:
        """What a table shows: the size, or why there is none."""
        return self.ops if self.ops is not None else self.status


@dataclass
class SwellRow:
    """Sizes and build times of f_n's derivative, four ways.

    >>> SwellRow(2, 3, 3).hybrid_ops
    0
    """

    n: int
    f_count_ops: int | None
    f_graph_ops: int
    cells: dict[str, Cell] = field(default_factory=dict)     # diff, expand, cse
    hybrid_ops: int = 0
    hybrid_nodes: int = 0
    hybrid_count_ops: int = 0
    hybrid_seconds: float = 0.0


def _cell_job(emit: Callable[[Any], None], graph: Any, kind: str) -> int:
    """The worker: f's size, then build the derivative one way (timed), then count it."""
    import sympy
    expr, x = to_sympy_expr(graph), input_symbols(graph)[0]
    if kind == "diff":
        emit(("f", int(sympy.count_ops(expr))))
    start = time.perf_counter()
    built = sympy.diff(sympy.expand(expr) if kind == "expand" else expr, x)
    if kind == "cse":
        built = sympy.cse(built)
    emit(("built", time.perf_counter() - start))
    return flat_count_ops(*built) if kind == "cse" else int(sympy.count_ops(built))


def _measure(graph: Any, kind: str, timeout: float | None) -> tuple[Cell, int | None]:
    out = timebox.stream(_cell_job, graph, kind, timeout=timeout, what=f"{kind} of {graph.name}")
    found = dict(out.items)
    cell = Cell(out.value if out.finished else None, found.get("built"))
    if not out.finished:
        cell.status = TIMED_OUT if "built" not in found else f"built in {seconds(found['built'])}; count timed out"
    return cell, found.get("f")


def _hybrid(graph: Any, row: SwellRow) -> None:
    start = time.perf_counter()
    derivative = graph.grad()
    row.hybrid_seconds = time.perf_counter() - start
    row.hybrid_ops, row.hybrid_nodes = derivative.n_ops, len(derivative.nodes)
    row.hybrid_count_ops = flat_count_ops(*to_sympy(derivative))


def swell_study(family: Callable[[int], Callable[[Any], Any]], ns: Sequence[int], timeout: float | None = 10.0,
                x: float = 0.3) -> "SwellStudy":
    """Derivative sizes of ``family(n)`` for each n: plain diff, expand + diff, diff + CSE, hybrid.

    Each SymPy cell is time-boxed (``timeout`` seconds, a worker process); once a column times
    out, larger n are skipped in that column.

    >>> study = swell_study(logistic_map, [2, 3, 4], timeout=20.0)
    >>> [row.cells["diff"].ops for row in study.rows], [row.hybrid_ops for row in study.rows]
    ([2, 21, 82], [4, 11, 18])
    """
    if timeout is not None:
        warm_up()
    rows, failed = [], set()
    for n in ns:
        graph = trace(family(n), x)
        row = SwellRow(n, None, graph.n_ops)
        for kind in CELLS:
            if kind in failed:
                row.cells[kind] = Cell(status=SKIPPED)
                continue
            row.cells[kind], f_ops = _measure(graph, kind, timeout)
            row.f_count_ops = f_ops if f_ops is not None else row.f_count_ops
            if row.cells[kind].ops is None:
                failed.add(kind)
        _hybrid(graph, row)
        rows.append(row)
    return SwellStudy(getattr(family, "__name__", "family"), list(ns), timeout, x, rows)


COLUMNS = ("n", "f count_ops", "f graph ops", "diff count_ops", "diff s", "expand+diff count_ops",
           "expand+diff s", "diff+cse ops", "diff+cse s", "hybrid graph ops", "hybrid nodes",
           "hybrid count_ops", "hybrid s")


@dataclass(repr=False)
class SwellStudy(TableViews):
    """The rows of ``swell_study``: tables (text, Markdown, HTML), JSON and a plot.

    >>> study = swell_study(logistic_map, [2], timeout=20.0)
    >>> study.table().column("diff count_ops"), study.table().column("hybrid graph ops")
    ([2], [4])
    >>> study.to_markdown().count("| 2 | 3 | 3 | 2 |")
    1
    """

    family: str
    ns: list[int]
    timeout: float | None
    x: float
    rows: list[SwellRow]

    @property
    def title(self) -> str:
        """The study in a line (the table's title)."""
        return f"Expression swell: d/dx {self.family}(n), traced at x = {self.x:g}"

    @property
    def footnote(self) -> str:
        """What the columns count and the time limit (the table's footnote)."""
        limit = "no limit" if self.timeout is None else f"{self.timeout:g} s per cell"
        return (f"SymPy count_ops; 'diff+cse ops' counts the CSE'd form; hybrid = graph.grad() "
                f"(count_ops of its flat SymPy form); SymPy cells time-boxed ({limit}).")

    def table(self) -> Table:
        """A ``Table`` with one row per n (times in seconds): render it, or read its columns."""
        rows = []
        for r in self.rows:
            cells = [v for k in CELLS for v in (r.cells[k].text(), r.cells[k].seconds)]
            rows.append([r.n, r.f_count_ops, r.f_graph_ops, *cells, r.hybrid_ops, r.hybrid_nodes,
                         r.hybrid_count_ops, r.hybrid_seconds])
        return Table(COLUMNS, rows, title=self.title, footnote=self.footnote)

    def to_table(self) -> Table:
        return self.table()

    def to_dict(self) -> dict[str, Any]:
        """Strict JSON data (``jsonable``): the parameters and every row."""
        return jsonable({"family": self.family, "ns": list(self.ns), "timeout": self.timeout, "x": self.x,
                         "rows": [asdict(r) for r in self.rows]})

    def plot(self, ax: Any = None) -> Any:
        """Derivative size against n (log scale): the three SymPy routes and the hybrid graph.

        Draws into ``ax`` when given (a matplotlib Axes), else into a new figure; returns the Figure.
        """
        ax = axes(ax)
        ns = [r.n for r in self.rows]
        for kind, label in zip(CELLS, ("sympy.diff", "expand + diff", "diff + cse")):
            ax.plot(ns, [float("nan") if r.cells[kind].ops is None else r.cells[kind].ops for r in self.rows],
                    "o-", label=label)
        ax.plot(ns, [r.hybrid_count_ops for r in self.rows], "s-", label="hybrid graph (flat count_ops)")
        # symmetric log: logarithmic above 1, linear below, so a size of 0 (d/dx x = 1 at n = 1) shows
        ax.set_yscale("symlog", linthresh=1)
        ax.set_ylim(bottom=0)
        ax.set_xticks(ns)
        ax.set_xlabel("n")
        ax.set_ylabel("count_ops of d/dx (log above 1)")
        ax.set_title(f"Expression swell: {self.family}")
        ax.legend()
        return ax.figure


def baydin_table1(n_max: int = 4) -> Table:
    """Baydin et al. 2018 Table 1, recomputed: l_n factored, d l_n/dx by the product rule
    (SymPy's diff of the factored form), and simplified (expanded, content factored out).

    >>> t = baydin_table1()
    >>> t.column("d/dx l_n simplified")[:3]
    ['1', '4*(1 - 2*x)', '16*(-16*x**3 + 24*x**2 - 10*x + 1)']
    """
    import sympy
    x = sympy.Symbol("x")
    rows, l = [], x
    for n in range(1, n_max + 1):
        factored = sympy.factor(l)
        product_rule = sympy.diff(factored, x)
        simplified = sympy.factor_terms(sympy.expand(product_rule))
        rows.append((n, str(factored), str(product_rule), str(simplified)))
        l = 4 * l * (1 - l)
    return Table(("n", "l_n", "d/dx l_n (product rule)", "d/dx l_n simplified"), rows,
                 title="Baydin et al. 2018, Table 1: the logistic map and its derivatives (SymPy)")


__all__ = ["swell_study", "SwellStudy", "SwellRow", "Cell", "logistic_map", "newton_sqrt", "baydin_table1",
           "PAPER_TABLE1"]
