"""No derivative where f is undefined: values are masked with nan wherever f's value is nan.

Outside a function's domain NumPy gives nan; every derivative route then gives nan too, whatever a
rule's formula (1/x for log at -1) or a simplified formula (1 for sqrt(x)**2 at -1) would say. The
operators mask their results by f's value; derivative graphs carry f's outputs as their domain
(``GraphIR.domains``) and mask when evaluated or compiled. Only nan masks: at a pole (f = inf) the
derivative's own value (inf) stands.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from .dispatch import Box


def _undefined(value: Any) -> Any:
    """True where a value is nan (an array of them for an array; False for what cannot be nan)."""
    if isinstance(value, float):
        return bool(value != value)   # (np.float64 too)
    if isinstance(value, np.ndarray) and value.dtype.kind in "fc":
        return np.isnan(value) if value.ndim else bool(np.isnan(value))
    if isinstance(value, (complex, np.inexact)):
        return bool(np.isnan(value))
    if isinstance(value, Box):
        return bool(value != value)   # the primal value (a traced value records the decision)
    if (type(value).__module__ or "").startswith("mpmath"):
        import mpmath
        return bool(mpmath.isnan(value))
    return False


def _nan_like(value: Any) -> Any:
    if isinstance(value, np.ndarray) and value.dtype.kind in "fc":
        return np.full(value.shape, np.nan)
    if (type(value).__module__ or "").startswith("mpmath"):
        import mpmath
        return mpmath.mpf("nan")
    return math.nan


def defined_only(outs: list[Any], domain: Sequence[Any]) -> list[Any]:
    """The outputs, nan wherever a domain value is nan: a derivative is undefined where f is
    (``GraphIR.domains``). Elementwise for batches; a box's primal value decides for boxes.

    >>> defined_only([2.0, 3.0], [1.0]), defined_only([2.0], [math.nan])
    ([2.0, 3.0], [nan])
    """
    mask: Any = False
    for value in domain:
        undefined = _undefined(value)
        if undefined is True:
            return [_nan_like(o) for o in outs]
        if isinstance(undefined, np.ndarray):
            mask = undefined | mask
    if not isinstance(mask, np.ndarray) or not mask.any():
        return outs
    return [np.where(mask, np.nan, o) if isinstance(o, (float, int, np.ndarray)) and np.asarray(o).dtype.kind in "fciu"
            else o for o in outs]


def defined_value(value: Any, domain: Sequence[Any]) -> Any:
    """A compiled graph's return value (a number, array, list or tuple), nan where f is undefined."""
    for d in domain:   # the common case, every domain value a float that is not nan: nothing to do
        if type(d) is not float or d != d:
            break
    else:
        return value
    if isinstance(value, (list, tuple)):
        return type(value)(defined_only(list(value), domain))
    return defined_only([value], domain)[0]


__all__ = ["defined_only", "defined_value"]
