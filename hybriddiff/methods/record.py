"""The ``Method`` record: one entry of ``hd.METHODS``, and the ``Prepared`` call it hands the comparison.

A method says how ``hd.derivative`` runs it (``run(f, x, order)``) and how the comparison prepares
it (``prepare(f, x, order)``: set-up once, timed apart, then a call to time), which derivative
orders it gives (``max_order``) and how accurate it promises to be at each (``promise_at``). ``registry.py`` lists every
method in one place, in the order of ``hd.METHODS``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

Function = Callable[..., Any]
EXACT_RULES = 8 * 2.0 ** -52   # exact rules, rounded in float64: a few ulp


@dataclass
class Prepared:
    """A method made ready: ``call()`` gives the derivative; the rest describes one call."""

    call: Callable[[], Any]
    passes: int | None = None       # sweeps through f (AD) or evaluations of f (FD)
    ops: int | None = None          # the call's work as a graph's operations (a model, not a count)
    setup: float | None = None      # seconds spent once (tracing, SymPy, compiling); None: measured
    note: str = ""
    extra: dict = field(default_factory=dict)   # e.g. generated source, symbolic sizes
    measure_memory: bool = True     # tracemalloc makes some calls (huge lambdified expressions) crawl
    error_estimate: float | None = None   # the method's own bound on its absolute error (FD), if any


@dataclass(frozen=True)
class Method:
    """One differentiation method: its name, how to run it, how the comparison prepares it."""

    name: str
    run: Callable[[Function, Any, int], Any]          # hd.derivative(f, x, method=name, order=order)
    prepare: Callable[..., Prepared]                  # (f, x, order=1): the comparison's set-up, then a call
    family: str = ""                                  # "AD", "symbolic", "hybrid", "FD" or "user"
    summary: str = ""
    # the relative error it promises on a well-conditioned f; the comparison also allows what the
    # derivative's conditioning costs any float64 evaluation (``comparison/judge.py``)
    promise: float = EXACT_RULES
    max_order: int | None = None                      # the highest derivative order it gives (None: any)
    # the promise at orders 2, 3, ... (None: ``promise`` at every order, as exact rules keep it)
    order_promises: tuple[float, ...] | None = None
    # run by the comparison only when asked for by name (hybrid-jax: importing JAX and XLA's
    # compilation cost seconds, more than the whole default comparison)
    opt_in: bool = False

    def gives(self, order: int) -> bool:
        """Whether the method gives ``order``-th derivatives."""
        return self.max_order is None or order <= self.max_order

    def promise_at(self, order: int) -> float | None:
        """The relative error it promises for the ``order``-th derivative (None: no promise there).

        >>> from hybriddiff.methods.registry import method_named
        >>> method_named("forward").promise_at(10) == EXACT_RULES, method_named("fd-central").promise_at(3)
        (True, 0.0002)
        """
        if order == 1 or self.order_promises is None:
            return self.promise
        return self.order_promises[order - 2] if order - 2 < len(self.order_promises) else None


def output_size(f: Function, x: Any, graph: Any = None) -> int | None:
    """How many outputs f has at x: None for one scalar, m for a vector (from the graph when traced).

    >>> output_size(lambda v: [v[0], 2 * v[1]], [1.0, 2.0]), output_size(lambda t: t * t, 3.0)
    (2, None)
    """
    if graph is not None:
        return None if graph.out_container == "scalar" else sum(s or 1 for s in graph.out_sizes)
    out = f(np.asarray(x, dtype=float) if np.ndim(x) else x)
    return int(np.size(out)) if isinstance(out, (list, tuple, np.ndarray)) and np.ndim(out) else None


def prepare_by_running(run: Callable[[Function, Any, int], Any]) -> Callable[..., Prepared]:
    """The comparison's preparation of a method that only says how to run: time ``run`` itself."""
    def prepare(f: Function, x: Any, order: int = 1) -> Prepared:
        return Prepared(lambda: run(f, x, order), setup=0.0, note="timed through hd.derivative")
    return prepare


__all__ = ["Method", "Prepared", "prepare_by_running", "output_size", "EXACT_RULES"]
