"""The ``hybrid`` method: hybriddiff's own route between AD and the CAS.

The traced graph's derivative graph (the reverse sweep emitting nodes; ``grad`` again for order n),
simplified through SymPy with CSE (time-boxed; on timeout the unsimplified derivative graph is
used), compiled to generated Python source, evaluated at x. It never times out on swell: its size
grows linearly with f's (see the swell study). Returns ``(value, CasInfo)`` like ``symbolic``.
"""
from __future__ import annotations

import time
from typing import Any, Callable

import numpy as np

from ..graph.facade import Graph, trace
from ..graph.symbolic.simplify import simplify
from . import cas
from .cas import DEFAULT_TIMEOUT, CasInfo, check_point, extra
from .record import Method, Prepared


def hybrid_graph(f: Callable[..., Any], x: Any, order: int = 1,
                 timeout: float | None = DEFAULT_TIMEOUT) -> tuple[Graph, CasInfo]:
    """The hybrid derivative graph: traced, differentiated as a graph, simplified (time-boxed).

    >>> import hybriddiff as hd
    >>> g, info = hybrid_graph(lambda x: hd.sin(x) * x, 1.0)
    >>> round(g(1.0), 12), info.sizes["derivative graph ops"]
    (1.381773290676, 4)
    """
    x, _ = check_point(x, order, "hybrid")
    start = time.perf_counter()
    graph = trace(f, x)
    traced = time.perf_counter()
    derivative = graph
    for _ in range(order):   # several outputs: forward mode, hd.jacobian's shape (rows = outputs)
        derivative = derivative.grad() if graph.out_container == "scalar" else derivative.derivative()
    built = time.perf_counter()
    small, report = simplify(derivative, timeout=timeout)
    if small is not derivative and not _agree(small, derivative, x):
        # SymPy's rewrites assume more than the graph does (e.g. cbrt(x)**2 -> |x|**(2/3), nan for
        # x < 0 in floating point): keep the derivative graph itself, and say so
        small = derivative
        report.winner = "none (the simplified form disagreed with the graph at the point)"
    info = CasInfo("hybrid", graph=small, report=report,
                   timings={"trace": traced - start, "derivative": built - traced, "simplify": report.seconds},
                   sizes={"f graph ops": graph.n_ops, "derivative graph ops": derivative.n_ops,
                          "simplified graph ops": small.n_ops, "derivative count_ops": report.count_ops_after})
    if report.timed_out:
        info.notes.append(f"simplification timed out after {timeout:g} s: kept {report.winner!r}")
    return small, info


def _agree(a: Graph, b: Graph, x: Any) -> bool:
    """Both graphs give the same values at x (to 1e-10 relative, nan where the other is nan)."""
    with np.errstate(all="ignore"):
        try:
            va = np.asarray(a(x), dtype=float)
            vb = np.asarray(b(x), dtype=float)
        except Exception:
            return False
    return bool(np.allclose(va, vb, rtol=1e-10, atol=1e-300, equal_nan=True))


def hybrid_derivative(f: Callable[..., Any], x: Any, order: int = 1,
                      timeout: float | None = DEFAULT_TIMEOUT, backend: str = "numpy") -> tuple[Any, CasInfo]:
    """hybriddiff's own route: derivative graph, simplified, compiled, evaluated at x.

    ``info.function`` is the compiled derivative (valid wherever the trace's guards hold) and
    ``info.source`` its generated source.

    >>> import hybriddiff as hd
    >>> value, info = hybrid_derivative(lambda x: hd.exp(x**2 - x) / x, 2.0)
    >>> round(value, 12), info.function is not None
    (9.236320123663, True)
    """
    graph, info = hybrid_graph(f, x, order, timeout)
    x, _ = check_point(x, order, "hybrid")
    start = time.perf_counter()
    info.function = graph.compile() if backend == "numpy" else _on_jax(graph)
    info.source = info.function.source
    compiled = time.perf_counter()
    value = info.function(x)
    info.timings.update({"compile": compiled - start, "call": time.perf_counter() - compiled})
    return value, info


def _on_jax(graph: Graph) -> Callable[..., Any]:
    """The derivative graph compiled by JAX (float64), returning NumPy values like the NumPy code."""
    jitted = graph.compile(backend="jax")

    def call(x: Any) -> Any:
        out = jitted(x)
        if isinstance(out, (list, tuple)):
            return type(out)(_plain(o) for o in out)
        return _plain(out)
    call.source = jitted.source   # type: ignore[attr-defined]
    return call


def _plain(a: Any) -> Any:
    array = np.asarray(a)
    return float(array) if array.ndim == 0 else array


def hybrid_gradient(f: Callable[..., Any], x: Any, timeout: float | None = DEFAULT_TIMEOUT) -> tuple[Any, CasInfo]:
    """The gradient of f at a 1-D array x by the ``hybrid`` route (an ndarray and the info).

    >>> import hybriddiff as hd
    >>> hybrid_gradient(lambda v: v[0] * hd.exp(v[1]) - v[0], [1.5, 0.0])[0].tolist()
    [0.0, 1.5]
    """
    return hybrid_derivative(f, np.atleast_1d(np.asarray(x, dtype=float)), 1, timeout)


def hybrid_function(f: Callable[..., Any], x: Any, order: int = 1,
                    timeout: float | None = DEFAULT_TIMEOUT) -> Callable[..., Any]:
    """The compiled hybrid derivative of f (traced at x); its source is ``.source``.

    >>> import hybriddiff as hd
    >>> df = hybrid_function(lambda x: x**3, 1.0)
    >>> df(2.0), "def" in df.source
    (12.0, True)
    """
    graph, _ = hybrid_graph(f, x, order, timeout)
    return graph.compile()


def prepare_hybrid(f: Callable[..., Any], x: Any, order: int = 1, backend: str = "numpy") -> Prepared:
    """Derivative graph (differentiated ``order`` times), simplified through SymPy (time-boxed),
    compiled; then calls of that code.

    >>> import hybriddiff as hd
    >>> prepared = prepare_hybrid(lambda x: hd.sin(x) * x, 1.0)
    >>> round(prepared.call(), 12), prepared.ops
    (1.381773290676, 4)
    """
    _, info = hybrid_derivative(f, x, order, timeout=cas.DEFAULT_TIMEOUT, backend=backend)
    fn, winner = info.function, info.report.winner if info.report is not None else "none"
    note = ("derivative graph (SymPy found nothing smaller), compiled" if winner.startswith("none") else
            f"derivative graph, simplified ({winner}: {info.sizes['derivative graph ops']} -> "
            f"{info.sizes['simplified graph ops']} ops), compiled")
    if info.report is not None and info.report.timed_out:
        note += " (simplification timed out: kept the best result in time)"
    if order > 1:
        note = note.replace("derivative graph", f"derivative graph of order {order}", 1)
    if backend == "jax":   # the first call compiled it: XLA's time is in the set-up
        note = note.replace("compiled", "compiled by JAX (jax.jit, float64; set-up includes XLA)")
    return Prepared(lambda: fn(x), passes=1, ops=info.sizes.get("simplified graph ops"), note=note,
                    extra=extra(info))


HYBRID = Method("hybrid", lambda f, x, order: hybrid_derivative(f, x, order)[0], prepare_hybrid,
                family="hybrid", summary="derivative graph, simplified through SymPy, compiled")
HYBRID_JAX = Method("hybrid-jax", lambda f, x, order: hybrid_derivative(f, x, order, backend="jax")[0],
                    lambda f, x, order=1: prepare_hybrid(f, x, order, backend="jax"), family="hybrid",
                    summary="the hybrid derivative graph compiled by JAX (jax.jit, float64)", opt_in=True)

__all__ = ["HYBRID", "HYBRID_JAX", "hybrid_graph", "hybrid_derivative", "hybrid_gradient", "hybrid_function",
           "prepare_hybrid"]
