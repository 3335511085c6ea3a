"""The finite-difference methods of the registry: one per scheme record that has a method name.

The schemes themselves are records in ``finite/schemes.py``; a new scheme with a ``method`` name
appears in ``hd.METHODS`` and in the comparison through this module, with no edit here, with the
accuracy its record promises. ``FD_ALIASES`` lets ``hd.derivative``, ``hd.compare`` and the CLI
take a scheme's own name ('central' for 'fd-central'), where that name is no other method's
('forward' is forward mode).

>>> FD_ALIASES
{'forward': 'fd-forward', 'central': 'fd-central', 'five-point': 'fd-five-point'}
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..finite.difference import finite_difference, finite_jacobian
from ..finite.schemes import SCHEMES_LIST, Scheme
from ..graph.facade import trace
from .record import Method, Prepared, output_size


def _run(scheme: Scheme) -> Callable[[Callable[[Any], Any], Any, int], Any]:
    def run(f: Callable[[Any], Any], x: Any, order: int) -> Any:
        scheme.check_order(order, "hd.derivative", methods=True)   # suggesting method names
        return finite_difference(f, x, scheme=scheme.name, order=order)
    run.__name__ = f"run_{scheme.name.replace('-', '_')}"
    run.__doc__ = (f"``hd.derivative(f, x, method={scheme.method!r})``: the {scheme.name} scheme with its "
                   f"automatic step.")
    return run


def _outputs(f: Callable[..., Any], x: Any) -> int | None:
    try:
        return output_size(f, x)
    except Exception:  # f fails at x: finite_difference says how
        return None


def _prepare(scheme: Scheme) -> Callable[..., Prepared]:
    def prepare(f: Callable[..., Any], x: Any, order: int = 1) -> Prepared:
        scheme.check_order(order, "the comparison", methods=True)
        if order > 1 or _outputs(f, x) is None:   # one output: a derivative or a gradient
            def call(full: bool = False) -> Any:
                return finite_difference(f, x, scheme=scheme.name, order=order, full_output=full)
        else:                        # several: hd.jacobian's shape (rows = outputs)
            def call(full: bool = False) -> Any:
                value = finite_jacobian(f, x, scheme=scheme.name, full_output=full)
                return value if full or np.ndim(x) else np.ravel(value)
        result = call(True)
        try:
            ops = trace(f, x).n_ops * result.evaluations
        except Exception:  # f cannot be traced: no operation count
            ops = None
        bound = float(np.max(result.error_estimate))
        note = result.note or (f"error estimate {bound:.1e}" if np.isfinite(bound) else "no error bound")
        return Prepared(call, passes=result.evaluations, ops=ops, note=note, setup=0.0, error_estimate=bound)
    return prepare


FD_METHODS: tuple[Method, ...] = tuple(
    Method(s.method, _run(s), _prepare(s), family="FD", summary=s.summary, promise=s.promise,
           max_order=s.max_order, order_promises=s.promises)
    for s in SCHEMES_LIST if s.method)
# a scheme's own name for its method (the registry skips those another method has: 'forward')
FD_ALIASES: dict[str, str] = {s.name: s.method for s in SCHEMES_LIST if s.method and s.name != s.method}

__all__ = ["FD_METHODS", "FD_ALIASES"]
