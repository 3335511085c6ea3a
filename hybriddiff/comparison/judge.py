"""Each row's status, judged from evidence: the 50-digit reference, what it says about the point
(``reference.examine``), what the method promises and what it claims about its own error.

A row is ``accurate`` only when its error against the reference is within what the method promises
here: ``Method.promise`` (its accuracy on a well-conditioned f) or ``SAFETY`` times what a float64
evaluation of the derivative attains at this point at best (``conditioning.attainable``), whichever
is larger, and never when the method's own error estimate is below its actual error. Where f is
undefined, the derivative infinite or nonexistent, the status says so (``statuses.py``).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..display.format import full_value
from . import statuses as S
from .columns import Row
from .reference import INFINITE, NONE, NONEXISTENT, UNDEFINED, Reference, precision

SAFETY = 10.0    # the attainable error is measured over random roundings: allow a margin over it
FOLLOWS_RULES = frozenset({"AD", "symbolic", "hybrid"})   # methods whose value at a kink is the rules'


def errors(value: Any, ref: Any) -> tuple[float, float, float]:
    """Absolute and relative error (max over entries; absolute where the reference is 0) and
    correct digits, in mpmath.

    >>> errors(1.0, 1.001)[2] > 2.9
    True
    """
    import mpmath
    with precision(60):
        vals = np.ravel(np.asarray(value, dtype=object))
        refs = np.ravel(np.asarray(ref, dtype=object))
        abs_err, rel_err = mpmath.mpf(0), mpmath.mpf(0)
        for v, r in zip(vals, refs):
            r = mpmath.mpf(r)
            err = abs(mpmath.mpf(float(v)) - r)
            abs_err = max(abs_err, err)
            rel_err = max(rel_err, err / abs(r) if r != 0 else err)
    digits = 17.0 if rel_err == 0 else float(min(17.0, max(0.0, -mpmath.log10(rel_err))))
    return float(abs_err), float(rel_err), digits


def expected_error(promise: float | None, ref: Reference) -> float:
    """The relative error a method may have here: its promise, or what conditioning allows (a
    method with no promise at this order: only what conditioning allows)."""
    promise = 0.0 if promise is None else promise
    return max(promise, SAFETY * ref.attainable) if ref.attainable is not None else promise


def _note(row: Row, text: str) -> None:
    row.note = "; ".join(n for n in (text, row.note) if n)


def _as_floats(value: Any, shape: tuple) -> np.ndarray | str:
    """The row's value as a real float array of the reference's shape, or why it is not one."""
    array = np.asarray(value)
    if np.iscomplexobj(array):
        return "returned a complex number: f is not real-differentiable here"
    try:
        array = array.astype(float)
    except (TypeError, ValueError):
        return f"returned a {type(value).__name__}, not a number"
    if array.size != int(np.prod(shape, dtype=int)):
        return f"returned shape {array.shape}; the derivative has shape {shape}"
    return array.reshape(shape)


def judge(row: Row, ref: Reference | None, family: str, promise: float | None,
          estimate: float | None = None) -> None:
    """Set the row's status, errors and digits from the evidence (``row.value`` is set). ``promise``
    None: the method promises nothing at this order (finite differences past their measured orders)."""
    if ref is None or ref.state == NONE:
        row.status = S.UNCHECKED
        _note(row, "no reference to judge it by (see the reference's note)")
        return
    if ref.state == UNDEFINED:
        row.status = S.UNDEFINED
        _note(row, "f is undefined here: no value is right or wrong")
        return
    value = _as_floats(row.value, ref.shape)
    if isinstance(value, str):
        row.status = S.FAILED
        _note(row, value)
        return
    exact = ref.floats()
    if ref.state == NONEXISTENT:
        _judge_kink(row, ref, value, exact, family, promise)
    elif np.any(np.isnan(value)):
        row.status = S.FAILED
        _note(row, f"returned nan where the derivative is {full_value(_shown(exact), limit=6)}")
    elif ref.state == INFINITE:
        _judge_infinite(row, ref, value, exact, promise)
    else:
        _judge_finite(row, ref, value, promise, estimate)


def _shown(a: np.ndarray) -> Any:
    return float(a) if a.ndim == 0 else a


def _judge_finite(row: Row, ref: Reference, value: np.ndarray, promise: float | None,
                  estimate: float | None) -> None:
    if np.any(np.isinf(value)):
        row.status = S.INACCURATE
        _note(row, "returned an infinite value; the derivative is finite here")
        return
    row.abs_error, row.rel_error, row.digits = errors(value, ref.value)
    row.expected = expected_error(promise, ref)
    if np.array_equal(value, ref.floats()):
        row.status = S.EXACT
    elif row.rel_error > row.expected:
        row.status = S.INACCURATE
        _note(row, f"{row.digits:.1f} digits; this method promises no correct digits at this order" if promise is None
              else f"{row.digits:.1f} digits; this method promises about {_digits(row.expected)} here")
    elif estimate is not None and estimate < row.abs_error:
        row.status = S.INACCURATE
        _note(row, f"its error estimate {estimate:.1e} is below its actual error {row.abs_error:.1e}")
    else:
        row.status = S.ACCURATE


def _digits(relative: float) -> str:
    n = round(max(0.0, -math.log10(relative)))
    return f"{n} digit{'' if n == 1 else 's'}"


def _judge_infinite(row: Row, ref: Reference, value: np.ndarray, exact: np.ndarray,
                    promise: float | None) -> None:
    infinite = np.isinf(exact)
    if not np.array_equal(value[infinite], exact[infinite]):
        row.status = S.INACCURATE
        _note(row, f"the derivative is {full_value(_shown(exact), limit=6)} here; this value is finite "
                   f"or of the other sign")
        return
    finite = ~infinite
    if np.any(finite):
        row.abs_error, row.rel_error, row.digits = errors(value[finite], np.asarray(ref.value, dtype=object)[finite])
        if row.rel_error > (promise or 0.0) or np.any(np.isinf(value[finite])):
            row.status = S.INACCURATE
            _note(row, "the finite entries are off")
            return
    row.status = S.INFINITE


def _judge_kink(row: Row, ref: Reference, value: np.ndarray, rules: np.ndarray, family: str,
                promise: float | None) -> None:
    """No derivative here: no error or digits (there is nothing to be close to); the rules' methods
    giving the rules' value follow the convention, any other value is just a number."""
    # (nan is no value at all: the rules giving nan name no convention)
    follows = family in FOLLOWS_RULES and bool(ref.conventions) and not np.any(np.isnan(value)) and np.allclose(
        value, rules, rtol=max(promise or 0.0, 1e-12), atol=0)
    if follows:
        row.status = S.CONVENTION
        _note(row, f"the convention: {'; '.join(ref.conventions)}")
    else:
        row.status = S.NO_DERIVATIVE
        if "kink" not in row.note and ref.sides is not None:   # (FD notes name the sides already)
            _note(row, f"one-sided derivatives {ref.sides.describe()}")


__all__ = ["judge", "errors", "expected_error", "SAFETY", "FOLLOWS_RULES"]
