"""Higher derivatives, compared: what the n-th derivative costs each method, and how exact it stays,
for n = 1, 2, ..., N (``hd.order_study``).

Each order is one ``hd.compare(f, x, order=n)`` (every method that gives n-th derivatives, judged
against Taylor mode at 50 digits cross-checked by mpmath.diff), plus nested operators: ``hd.derivative``
applied to itself n times, in forward and in reverse mode, the textbook way to get higher derivatives
from first-order AD. The study fits how the cost grows with n: nested operators ~3^n (each level
triples the work of a product), the derivative graph ~2^n, Taylor mode ~n^2, symbolic
differentiation with its expression swell; finite differences stay cheap but lose digits per order.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from ..comparison.columns import Row
from ..comparison.compare import DEFAULT_TIMEOUT, compare
from ..comparison.higher import check_order
from ..comparison.judge import judge
from ..comparison.measure import seconds_per_call
from ..core.checks import name_of
from ..graph.facade import trace
from ..display.format import full_value, seconds as shown_seconds
from ..display.plotting import axes
from ..display.table import Table, TableViews
from ..methods.record import EXACT_RULES
from ..methods.registry import available_methods, derivative, method_named
from .scaling import progress_bar

DEFAULT_ORDERS = (1, 2, 3, 4, 5, 6, 8, 10)
NESTED = ("forward, nested", "reverse, nested")
FLAT = 3.0            # a cost that changes less than this over all orders is reported as constant
DEFAULT_LIMIT = 2.0   # seconds: a method whose n-th derivative took longer is not run at higher orders


@dataclass(repr=False)
class OrderStudy(TableViews):
    """One row per (order, method): value, relative error, digits, seconds for one derivative (set-up
    included), time per call, operations, peak memory, status; ``growth()`` fits the cost against n."""

    function: str
    x: float
    rows: list[dict[str, Any]] = field(default_factory=list)
    stopped: dict[str, str] = field(default_factory=dict)   # method -> why it stops before the last order
    interrupted: bool = False

    @property
    def title(self) -> str:
        note = " (interrupted: the orders that finished)" if self.interrupted else ""
        return f"The n-th derivative of {self.function} at x = {full_value(self.x)}, by order{note}"

    @property
    def footnote(self) -> str:
        fits = "; ".join(f"{m}: {g['seconds']} in time, {g['ops']} in operations"
                         for m, g in self.growth().items())
        stops = "".join(f" {m}: {why}." for m, why in self.stopped.items())
        return (f"seconds: one n-th derivative from scratch (set-up and one call); time/call: the call alone; "
                f"ops: operations one call executes (Taylor mode and nested operators: counted while tracing them); digits against Taylor mode "
                f"at 50 digits, cross-checked by mpmath.diff. Fitted growth with n: {fits or 'too few orders'}."
                f"{stops}")

    def methods(self) -> list[str]:
        """The methods in the order their rows first appear."""
        return list(dict.fromkeys(r["method"] for r in self.rows))

    def growth(self) -> dict[str, dict[str, str]]:
        """Per method, the fitted growth of its seconds and operations with the order n: "~ 2.0^n"
        (exponential) or "~ n^2.1" (a power), whichever fits log(cost) better; "" with too few points.
        Orders from 2 on: first derivatives take other paths (dual numbers, one backward sweep)."""
        out = {}
        for method in self.methods():
            mine = [r for r in self.rows if r["method"] == method and r["order"] > 1]
            out[method] = {key: fit_growth([r["order"] for r in mine], [r[key] for r in mine])
                           for key in ("seconds", "ops")}
        return out

    def to_table(self) -> Table:
        header = ("n", "method", "value", "digits", "seconds", "time/call", "ops", "memory", "status", "note")
        cells = [(r["order"], r["method"], r["value"], None if r["digits"] is None else round(r["digits"], 1),
                  shown_seconds(r["seconds"]),
                  shown_seconds(r["time"]), r["ops"], r["memory"], r["status"], r["note"]) for r in self.rows]
        return Table(header, cells, title=self.title, footnote=self.footnote)

    def to_dict(self) -> dict[str, Any]:
        return {"function": self.function, "x": self.x, "growth": self.growth(), "stopped": self.stopped,
                "interrupted": self.interrupted, "rows": self.to_table().to_dict()["rows"]}

    def plot(self, ax: Any = None) -> Any:
        """Seconds for one n-th derivative (log scale, the fitted growth in the legend) and correct
        digits against n, one line per method. ``ax``: two Axes, or one (seconds only)."""
        panels = list(np.ravel(axes(ax, nrows=1, ncols=2, figsize=(11, 4), constrained_layout=True)))
        growth = self.growth()
        for method in self.methods():
            mine = [r for r in self.rows if r["method"] == method]
            label = method + (f" ({growth[method]['seconds']})" if growth[method]["seconds"] else "")
            timed = [(r["order"], r["seconds"]) for r in mine if r["seconds"]]
            if timed:
                panels[0].plot(*zip(*timed), marker="o", label=label)
            if len(panels) > 1:
                digits = [(r["order"], r["digits"]) for r in mine if r["digits"] is not None]
                if digits:
                    panels[1].plot(*zip(*digits), marker="o", label=method)
        panels[0].set_yscale("log")
        panels[0].set_xlabel("order n")
        panels[0].set_ylabel("seconds for one n-th derivative")
        panels[0].legend(fontsize=7)
        panels[0].set_title(self.title, fontsize=9, loc="left")
        if len(panels) > 1:
            panels[1].set_xlabel("order n")
            panels[1].set_ylabel("correct digits")
            panels[1].set_ylim(-0.5, 17.5)
        return panels[0].figure


def fit_growth(orders: Sequence[int], costs: Sequence[Any]) -> str:
    """"~ r^n" or "~ n^p", whichever straight line fits log(cost) better (against n, or log n);
    "~ constant" where the cost changes less than FLAT times over the orders (timing noise would
    otherwise pass for a growth rate).

    >>> fit_growth([2, 4, 6, 8], [4, 16, 64, 256]), fit_growth([2, 4, 8, 16], [4, 16, 64, 256])
    ('~ 2.0^n', '~ n^2.0')
    >>> fit_growth([2, 4, 6, 8], [1e-4, 2e-4, 1.5e-4, 1.2e-4])
    '~ constant'
    """
    pts = [(n, c) for n, c in zip(orders, costs) if c and c > 0]
    if len({n for n, _ in pts}) < 3:
        return ""
    if max(c for _, c in pts) < FLAT * min(c for _, c in pts):
        return "~ constant"
    n = np.array([p[0] for p in pts], dtype=float)
    y = np.log([p[1] for p in pts])
    exponential, res_e = np.polyfit(n, y, 1, full=True)[:2]
    power, res_p = np.polyfit(np.log(n), y, 1, full=True)[:2]
    if (res_e[0] if len(res_e) else 0.0) <= (res_p[0] if len(res_p) else 0.0):
        return f"~ {np.exp(exponential[0]):.1f}^n"
    return f"~ n^{power[0]:.1f}"


def order_study(f: Callable[[Any], Any], x: float, orders: Sequence[int] = DEFAULT_ORDERS,
                methods: Sequence[str] | None = None, nested: bool = True, budget: float = 0.02,
                limit: float = DEFAULT_LIMIT, timeout: float | None = DEFAULT_TIMEOUT,
                progress: bool | None = None) -> OrderStudy:
    """Cost and accuracy of the n-th derivative of f: R -> R at x for each n in ``orders``: every
    method of ``hd.METHODS`` that gives it (``methods``: a selection), and with ``nested`` the nested
    operators (``hd.derivative`` of ``hd.derivative`` ..., forward and reverse). A method whose
    derivative took more than ``limit`` seconds is not run at higher orders (``stopped`` says so).

    >>> import hybriddiff as hd
    >>> s = hd.order_study(hd.exp, 0.5, orders=(1, 2, 3), methods=["taylor"], progress=False)
    >>> [(r["order"], r["method"]) for r in s.rows][:3]
    [(1, 'taylor'), (1, 'forward, nested'), (1, 'reverse, nested')]
    >>> {r["status"] for r in s.rows} <= {"exact", "accurate"}, round(s.rows[-3]["value"], 12)
    (True, 1.6487212707)
    """
    if not callable(f):
        raise TypeError(f"hd.order_study: expected a function, got a {type(f).__name__}")
    if np.ndim(x) or isinstance(x, bool) or not isinstance(x, (int, float, np.floating, np.integer)):
        raise TypeError(f"hd.order_study: x must be one real number (f: R -> R), got {x!r}")
    checked = sorted({check_order(n, "hd.order_study") for n in orders})
    if not checked:
        raise ValueError("hd.order_study: orders is empty")
    if not limit > 0:
        raise ValueError(f"hd.order_study: limit must be a positive number of seconds, got {limit!r}")
    study = OrderStudy(name_of(f), float(x))
    chosen = list(methods) if methods is not None else None
    try:
        for n in progress_bar(checked, progress, "order study"):
            _one_order(study, f, float(x), n, chosen, nested, budget, limit, timeout)
    except KeyboardInterrupt:
        study.interrupted = True
    return study


def _one_order(study: OrderStudy, f: Callable[[Any], Any], x: float, n: int, chosen: list[str] | None,
               nested: bool, budget: float, limit: float, timeout: float | None) -> None:
    names = chosen if chosen is not None else [m for m in available_methods() if not method_named(m).opt_in]
    able = [m for m in names if method_named(m, "hd.order_study").gives(n) and m not in study.stopped]
    result = compare(f, x, methods=able, budget=budget, timeout=timeout, order=n)
    for row in result.rows:
        _add(study, n, row, limit)
    for mode in (("forward", "reverse") if nested else ()):
        name = f"{mode}, nested"
        if name not in study.stopped:
            _add(study, n, _nested_row(f, x, n, mode, result.examined, budget), limit)


def _add(study: OrderStudy, n: int, row: Row, limit: float) -> None:
    # symbolic and hybrid do their work once, in the set-up; the other calls do all of it each time
    # (their measured set-up is only the comparison's own tracing, to count operations)
    once = row.time
    if once is not None and row.method not in NESTED and method_named(row.method).family in ("symbolic", "hybrid"):
        once += row.setup or 0.0
    study.rows.append({"order": n, "method": row.method, "value": row.value, "digits": row.digits,
                       "seconds": once, "time": row.time, "ops": row.ops, "memory": row.memory,
                       "status": row.status, "note": row.note})
    if row.status == "timeout" or (once is not None and once > limit):
        took = "ran out of time" if once is None else f"took {shown_seconds(once)}"
        study.stopped[row.method] = f"stopped after order {n} (it {took}; the limit is {limit:g} s)"


def _nested_row(f: Callable[[Any], Any], x: float, n: int, mode: str, ref: Any, budget: float) -> Row:
    """``hd.derivative`` applied to itself n times: first-order AD used for higher orders."""
    row = Row(f"{mode}, nested", note=f"hd.derivative nested {n} deep ({mode} mode)")
    g = f
    for _ in range(n):
        g = _derivative_of(g, mode)
    try:
        started = time.perf_counter()
        row.value = g(x)
        first = time.perf_counter() - started
        row.time, row.spread = seconds_per_call(lambda: g(x), budget) if first < 1.0 else (first, None)
        row.setup = 0.0
        row.ops = trace(g, x).emitted if first < 1.0 else None   # every operation, repeats included
    except Exception as exc:
        row.status, row.note = "failed", f"{type(exc).__name__}: {exc}"
        return row
    judge(row, ref, "AD", EXACT_RULES)
    return row


def _derivative_of(g: Callable[[Any], Any], mode: str) -> Callable[[Any], Any]:
    return lambda t: derivative(g, t, method=mode)


__all__ = ["order_study", "OrderStudy", "fit_growth", "DEFAULT_ORDERS"]
