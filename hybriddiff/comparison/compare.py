"""The comparison: every method on the same function and point, against a 50-digit reference.

For each method: the value, its absolute and relative error, correct digits, time per call
(auto-ranged repeats: median and spread), set-up time apart, passes, operations and peak memory of
one call, and a status judged from that evidence (``judge.py``, the words of ``statuses.py``): a
value is ``accurate`` only within what its method promises here, never merely for being finite; a
method that fails or times out gets a row saying why instead of a number.

Time: each method's set-up and first call (where the user's function runs) get at most ``timeout``
seconds (``DEFAULT_TIMEOUT``), and so does the reference; a method that runs out of time gets a
``timeout`` row and the others still run (``measure.time_limit``: in the main thread only). After
that, timing takes about ``budget`` seconds (one call, when ``ROUNDS`` calls would take longer than a
second) and memory at most ``measure.MEMORY_SECONDS``. So a comparison of m methods takes at most
about (m + 1) * timeout + m * (budget + 2 calls + 1 s): with the 10 methods of ``hd.METHODS`` and the
defaults, about two minutes at most. Measured on ``families.sine_chain`` (3 operations a step; two busy
cores): 1e5 operations 33-45 s (the reference with its evidence 6-7 s, forward and reverse 5-7 s each, ``hybrid``
runs into the limit, ``symbolic`` refuses the depth); 1e6 operations 105 s (the reference and every
method run into the limit: tracing a million operations takes most of the 10 s).
"""
from __future__ import annotations

import warnings
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from ..core.checks import as_point, name_of
from ..display.format import jsonable
from ..errors import MethodTimeoutError
from ..methods.registry import available_methods, method_named, prepare
from .columns import Row
from .higher import check_order, examine_order
from .judge import judge
from .measure import memory_of_call, seconds_per_call, time_limit
from .reference import NONE, Reference, examine
from .render import ComparisonRendering
from .statuses import FAILED, TIMEOUT

DEFAULT_TIMEOUT = 10.0   # seconds for each method's set-up and first call, and for the reference


@dataclass(repr=False)
class Comparison(ComparisonRendering):
    """The result of ``hd.compare``: rows per method plus the reference (see ``to_markdown``).

    ``c["forward"]`` is the forward row; ``c.examined`` the reference's evidence (``Reference``:
    its state, the conventions used, one-sided derivatives, the attainable accuracy).
    """

    function: str
    x: Any
    reference: Any
    reference_note: str
    rows: list[Row] = field(default_factory=list)
    examined: Reference | None = None
    order: int = 1
    left_out: dict[str, str] = field(default_factory=dict)   # method -> why it has no row (order n)

    def row(self, method: str) -> Row:
        """The row of ``method`` (any spelling ``hd.derivative`` accepts)."""
        for r in self.rows:
            if r.method == method:
                return r
        try:
            name = method_named(method, "Comparison.row").name
        except ValueError:
            name = None
        for r in self.rows:
            if r.method == name:
                return r
        raise KeyError(f"no row for {method!r}; methods: {', '.join(r.method for r in self.rows)}")

    __getitem__ = row

    @property
    def kind(self) -> str:
        """What was compared: "derivative", "gradient" or "Jacobian"."""
        if self.examined is not None:
            return self.examined.kind
        return "gradient" if isinstance(self.x, np.ndarray) else "derivative"

    @property
    def statuses(self) -> dict[str, str]:
        """Each method's status (the words of ``hd.STATUSES``)."""
        return {r.method: r.status for r in self.rows}

    def to_dict(self) -> dict[str, Any]:
        """Everything as JSON-able data (values as lists, nan/inf as strings)."""
        ex = self.examined
        about = {} if ex is None else {
            "reference_state": ex.state, "kind": ex.kind, "conventions": ex.conventions,
            "one_sided": None if ex.sides is None else {"left": ex.sides.left, "right": ex.sides.right},
            "attainable_rel_error": ex.attainable}
        return jsonable({"function": self.function, "x": self.x, "order": self.order, "reference": self.reference,
                         "reference_note": self.reference_note, **about, "left_out": self.left_out,
                         "rows": [asdict(r) for r in self.rows]})


def _joined(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def run_method(method: str, f: Callable[..., Any], x: Any, ref: Reference | None, budget: float,
               timeout: float | None = DEFAULT_TIMEOUT, order: int = 1) -> Row:
    """One row: prepare, time, measure, judge (``judge.py``); failures and timeouts become rows
    that say why.

    The set-up and the first call get at most ``timeout`` seconds (main thread; None: no limit).
    """
    row = Row(method)
    record = method_named(method, "the comparison")
    limit = time_limit(timeout, f"{method}: the set-up and the first call (f and the method)")
    try:
        with limit:
            prepared = prepare(method, f, x, order)
            row.value = prepared.call()
    except MethodTimeoutError as exc:   # this limit, or the method's own (SymPy's time box)
        how = " (hd.compare's timeout=, the command's --timeout)" if limit.expired else ""
        row.status, row.note = TIMEOUT, f"{exc}{how}"
        return row
    except Exception as exc:
        row.status, row.note = FAILED, f"{type(exc).__name__}: {exc}"
        return row
    try:
        row.setup, row.passes, row.ops, row.note = prepared.setup, prepared.passes, prepared.ops, prepared.note
        row.estimate = prepared.error_estimate
        row.time, row.spread = seconds_per_call(prepared.call, budget)
        if row.spread is None:
            row.note = _joined(row.note, f"timed by one call (a call takes {row.time:.3g} s)")
        if prepared.measure_memory:
            row.memory, why = memory_of_call(prepared.call, row.time, prepared.ops)
            row.note = _joined(row.note, why)
    except Exception as exc:
        row.status, row.note = FAILED, f"{type(exc).__name__}: {exc}"
        return row
    judge(row, ref, record.family, record.promise_at(order), row.estimate)
    return row


def compare(f: Callable[..., Any], x: Any, methods: Sequence[str] | None = None,
            budget: float = 0.05, name: str | None = None,
            timeout: float | None = DEFAULT_TIMEOUT, order: int = 1) -> Comparison:
    """Run every method (default: all of ``hd.METHODS`` but ``hybrid-jax``, which runs when named:
    JAX's import and compilation take seconds) on f at x against a 50-digit reference.

    Each row gets a status judged from evidence (``hd.STATUSES``): ``accurate`` only within what
    the method promises here; ``convention``, ``no derivative``, ``infinite`` or ``f undefined``
    where the point calls for it. A vector-valued f gives Jacobians (rows = outputs, as
    ``hd.jacobian``); rows are reachable by method name: ``result["forward"]``.

    ``budget`` is about how many seconds to spend timing each method. ``timeout`` (default 10 s;
    None: no limit) bounds each method's set-up and first call, and the reference: a method that
    runs out of time gets a ``timeout`` row, the other methods still run. The limit only applies
    when hd.compare runs in the main thread (CPython cannot interrupt other threads); it is a
    SIGALRM timer, restored afterwards.

    ``order`` n > 1 compares n-th derivatives of f: R -> R: every method that gives them (the default
    list leaves out those that do not, saying why in ``left_out``), against Taylor mode at 50 digits
    cross-checked by mpmath.diff (``comparison/higher.py``); finite differences are judged by what
    their schemes promise at that order, and promise nothing past the orders they were measured at.

    >>> import hybriddiff as hd
    >>> r = hd.compare(lambda x: hd.exp(x * x - x) / x, 2.0, methods=["forward", "fd-central"])
    >>> r.row("forward").digits >= 15, r.row("fd-central").digits > 8, r["fd-central"].status
    (True, True, 'accurate')
    """
    if not callable(f):
        raise TypeError(f"hd.compare: expected a function, got a {type(f).__name__}")
    point = as_point(x, "x", "hd.compare")
    if isinstance(methods, str):
        raise TypeError(f"hd.compare: methods must be a list of method names, got the str {methods!r} "
                        f"(write methods=[{methods!r}])")
    # each name as hd.METHODS spells it ("central" is "fd-central"); an unknown one lists the methods
    order = check_order(order, "hd.compare")
    left_out: dict[str, str] = {}
    if methods is None:   # every method, except those run only when asked for (hybrid-jax)
        offered = [m for m in available_methods() if not method_named(m).opt_in]
        methods = [m for m in offered if method_named(m).gives(order)]
        left_out = {m: _cannot(m, order) for m in offered if m not in methods}
    else:
        methods = [method_named(m, "hd.compare").name for m in methods]
        for m in methods:
            if not method_named(m).gives(order):
                able = ", ".join(n for n in available_methods() if method_named(n).gives(order))
                raise ValueError(f"hd.compare: {_cannot(m, order)}; methods for order {order}: {able}")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
                                or not timeout > 0):
        raise ValueError(f"hd.compare: timeout must be a positive number of seconds or None, got {timeout!r}")
    with quiet():
        result = _compare(f, point, methods, budget, name, timeout, order)
    result.left_out = left_out
    return result


def _cannot(method: str, order: int) -> str:
    top = method_named(method).max_order
    gives = "first derivatives only" if top == 1 else f"derivatives of order 1 to {top}"
    return f"{method} gives {gives}, not order {order}"


@contextmanager
def quiet() -> Iterator[None]:
    """NumPy's RuntimeWarnings off: a nan or inf met on the way (a method stepping outside f's
    domain) is reported in the row that met it, not as a warning printed above the table."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _compare(f: Callable[..., Any], point: Any, methods: list[str], budget: float, name: str | None,
             timeout: float | None, order: int = 1) -> Comparison:
    if order > 1 and np.ndim(point):
        examine_order(f, point, order)   # the clear error: higher orders are for f: R -> R
    try:
        with time_limit(timeout, "the reference (f traced, its derivative graph in mpmath)"):
            ref = examine(f, point) if order == 1 else examine_order(f, point, order)
    except MethodTimeoutError as exc:
        ref = Reference(None, f"no reference: {exc}; the rows are not judged against one", NONE)
    except Exception as exc:   # f fails at x, or neither traces nor takes mpmath numbers: say so
        if isinstance(exc, ValueError) and str(exc).startswith("hd.compare"):
            raise   # a vector f at order n: the user's mistake, said plainly
        why = str(exc) if str(exc).startswith("no reference") else f"no reference: {type(exc).__name__}: {exc}"
        ref = Reference(None, why, NONE)
    if ref.state == NONE and ref.value is None:
        ref.kind = "gradient" if np.ndim(point) else "derivative"
    result = Comparison(name or name_of(f), point, ref.value, ref.note, examined=ref, order=order)
    for method in methods:
        result.rows.append(run_method(method, f, point, ref, budget, timeout, order))
    return result
