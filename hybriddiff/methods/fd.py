"""The finite-difference methods of the registry: one per scheme record that has a method name.

The schemes themselves are records in ``finite/schemes.py``; a new scheme with a ``method`` name
appears in ``hd.METHODS`` and in the comparison through this module, with no edit here.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..finite.difference import finite_difference
from ..finite.schemes import SCHEMES_LIST, Scheme
from ..graph.facade import trace
from .record import Method, Prepared


def _run(scheme: Scheme) -> Callable[[Callable[[Any], Any], Any, int], Any]:
    def run(f: Callable[[Any], Any], x: Any, order: int) -> Any:
        return finite_difference(f, x, scheme=scheme.name, order=order)
    run.__name__ = f"run_{scheme.name.replace('-', '_')}"
    run.__doc__ = (f"``hd.derivative(f, x, method={scheme.method!r})``: the {scheme.name} scheme with its "
                   f"automatic step.")
    return run


def _prepare(scheme: Scheme) -> Callable[[Callable[..., Any], Any], Prepared]:
    def prepare(f: Callable[..., Any], x: Any) -> Prepared:
        result = finite_difference(f, x, scheme=scheme.name, full_output=True)
        try:
            ops = trace(f, x).n_ops * result.evaluations
        except Exception:  # f cannot be traced: no operation count
            ops = None
        note = result.note or (f"error estimate {float(np.max(result.error_estimate)):.1e}"
                               if np.all(np.isfinite(result.error_estimate)) else "no error bound")
        return Prepared(lambda: finite_difference(f, x, scheme=scheme.name), passes=result.evaluations,
                        ops=ops, note=note, setup=0.0)
    return prepare


FD_METHODS: tuple[Method, ...] = tuple(
    Method(s.method, _run(s), _prepare(s), family="FD", summary=s.summary) for s in SCHEMES_LIST if s.method)

__all__ = ["FD_METHODS"]
