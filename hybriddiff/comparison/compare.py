"""The comparison: every method on the same function and point, against a 50-digit reference.

For each method: the value, its absolute and relative error, correct digits, time per call
(auto-ranged repeats: median and spread), set-up time apart, passes, operations and peak memory of
one call. A method that fails or times out gets a row saying why instead of a number; a value that
is nan or inf (outside a domain, at a kink) is marked, never reported as accurate.

Time: each method's set-up and first call (where the user's function runs) get at most ``timeout``
seconds (``DEFAULT_TIMEOUT``), and so does the reference; a method that runs out of time gets a
``timeout`` row and the others still run (``measure.time_limit``: in the main thread only). After
that, timing takes about ``budget`` seconds (one call, when ``ROUNDS`` calls would take longer than a
second) and memory at most ``measure.MEMORY_SECONDS``. So a comparison of m methods takes at most
about (m + 1) * timeout + m * (budget + 2 calls + 1 s): with the 10 methods of ``hd.METHODS`` and the
defaults, about two minutes at most. Measured on ``families.sine_chain`` (3 operations a step; two busy
cores): 1e5 operations 33-45 s (the reference 8.6 s, forward and reverse 5-7 s each, ``hybrid``
runs into the limit, ``symbolic`` refuses the depth); 1e6 operations 105 s (the reference and every
method run into the limit: tracing a million operations takes most of the 10 s).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from ..core.checks import as_point, name_of
from ..display.format import jsonable
from ..errors import MethodTimeoutError
from ..methods.registry import available_methods, prepare
from .columns import Row
from .measure import memory_of_call, seconds_per_call, time_limit
from .reference import reference
from .render import ComparisonRendering

DEFAULT_TIMEOUT = 10.0   # seconds for each method's set-up and first call, and for the reference


@dataclass(repr=False)
class Comparison(ComparisonRendering):
    """The result of ``hd.compare``: rows per method plus the reference (see ``to_markdown``)."""

    function: str
    x: Any
    reference: Any
    reference_note: str
    rows: list[Row] = field(default_factory=list)

    def row(self, method: str) -> Row:
        for r in self.rows:
            if r.method == method:
                return r
        raise KeyError(f"no row for {method!r}; methods: {', '.join(r.method for r in self.rows)}")

    def to_dict(self) -> dict[str, Any]:
        """Everything as JSON-able data (values as lists, nan/inf as strings)."""
        return jsonable({"function": self.function, "x": self.x, "reference": self.reference,
                         "reference_note": self.reference_note, "rows": [asdict(r) for r in self.rows]})


def _errors(value: Any, ref: Any) -> tuple[float, float, float]:
    """Absolute and relative error (max over components) and correct digits, in mpmath."""
    import mpmath
    with mpmath.workdps(60):
        vals = np.ravel(np.asarray(value, dtype=object))
        refs = np.ravel(np.asarray(ref, dtype=object))
        abs_err, rel_err = mpmath.mpf(0), mpmath.mpf(0)
        for v, r in zip(vals, refs):
            err = abs(mpmath.mpf(float(v)) - r)
            abs_err = max(abs_err, err)
            rel_err = max(rel_err, err / abs(r) if r != 0 else err)
    digits = 17.0 if rel_err == 0 else float(min(17.0, max(0.0, -mpmath.log10(rel_err))))
    return float(abs_err), float(rel_err), digits


def _finite(value: Any) -> bool:
    """Real and finite (a complex value, e.g. from Python's ** on a negative float, is not)."""
    array = np.asarray(value)
    if np.iscomplexobj(array):
        return False
    return bool(np.all(np.isfinite(array.astype(float))))


def _joined(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def run_method(method: str, f: Callable[..., Any], x: Any, ref: Any, budget: float,
               timeout: float | None = DEFAULT_TIMEOUT) -> Row:
    """One row: prepare, time, measure; failures and timeouts become rows that say why.

    The set-up and the first call get at most ``timeout`` seconds (main thread; None: no limit).
    """
    row = Row(method)
    limit = time_limit(timeout, f"{method}: the set-up and the first call (f and the method)")
    try:
        with limit:
            prepared = prepare(method, f, x)
            row.value = prepared.call()
    except MethodTimeoutError as exc:   # this limit, or the method's own (SymPy's time box)
        how = " (hd.compare's timeout=, the command's --timeout)" if limit.expired else ""
        row.status, row.note = "timeout", f"{exc}{how}"
        return row
    except Exception as exc:
        row.status, row.note = "failed", f"{type(exc).__name__}: {exc}"
        return row
    try:
        row.setup, row.passes, row.ops, row.note = prepared.setup, prepared.passes, prepared.ops, prepared.note
        row.time, row.spread = seconds_per_call(prepared.call, budget)
        if row.spread is None:
            row.note = _joined(row.note, f"timed by one call (a call takes {row.time:.3g} s)")
        if prepared.measure_memory:
            row.memory, why = memory_of_call(prepared.call, row.time, prepared.ops)
            row.note = _joined(row.note, why)
        finite = _finite(row.value)
    except Exception as exc:
        row.status, row.note = "failed", f"{type(exc).__name__}: {exc}"
        return row
    if not finite:
        row.status = "nan"
        row.note = _joined("the value is not finite (outside a domain or at a kink)", row.note)
    elif ref is None:
        # nothing to measure against (the reference failed or ran out of time: its note says why)
        row.status = "nan"
        row.note = _joined("no reference to measure against (see the reference's note)", row.note)
    elif not _finite(_floats(ref)):
        # the derivative does not exist here (an infinite slope, a domain edge, a kink), so no row
        # can be called accurate
        row.status = "nan"
        row.note = _joined("no finite reference: the derivative does not exist here", row.note)
    else:
        row.abs_error, row.rel_error, row.digits = _errors(row.value, ref)
    return row


def _floats(ref: Any) -> Any:
    return [float(v) for v in np.ravel(np.asarray(ref, dtype=object))]


def compare(f: Callable[..., Any], x: Any, methods: Sequence[str] | None = None,
            budget: float = 0.05, name: str | None = None,
            timeout: float | None = DEFAULT_TIMEOUT) -> Comparison:
    """Run every method (default: all of ``hd.METHODS``) on f at x against a 50-digit reference.

    ``budget`` is about how many seconds to spend timing each method. ``timeout`` (default 10 s;
    None: no limit) bounds each method's set-up and first call, and the reference: a method that
    runs out of time gets a ``timeout`` row, the other methods still run. The limit only applies
    when hd.compare runs in the main thread (CPython cannot interrupt other threads); it is a
    SIGALRM timer, restored afterwards.

    >>> import hybriddiff as hd
    >>> r = hd.compare(lambda x: hd.exp(x * x - x) / x, 2.0, methods=["forward", "fd-central"])
    >>> r.row("forward").digits >= 15, r.row("fd-central").digits > 8
    (True, True)
    """
    if not callable(f):
        raise TypeError(f"hd.compare: expected a function, got a {type(f).__name__}")
    point = as_point(x, "x", "hd.compare")
    known = available_methods()
    methods = list(known if methods is None else methods)
    unknown = [m for m in methods if m not in known]
    if unknown:
        raise ValueError(f"hd.compare: unknown method(s) {', '.join(map(repr, unknown))}; "
                         f"available: {', '.join(known)}")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
                                or not timeout > 0):
        raise ValueError(f"hd.compare: timeout must be a positive number of seconds or None, got {timeout!r}")
    try:
        with time_limit(timeout, "the reference (f traced, its derivative graph in mpmath)"):
            ref, note = reference(f, point)
    except ValueError as exc:
        ref, note = None, str(exc)
    except MethodTimeoutError as exc:
        ref, note = None, f"no reference: {exc}; the rows are not measured against one"
    label = name or name_of(f)
    result = Comparison(label, point, ref, note)
    for method in methods:
        result.rows.append(run_method(method, f, point, ref, budget, timeout))
    return result
