"""The ``symbolic`` method: the classic CAS route.

Trace f at x, the traced function as ONE nested SymPy expression, ``sympy.diff`` (once per order,
settled after each), ``sympy.lambdify`` (NumPy), evaluate at x. All SymPy work runs in a time-boxed
worker (``core/timebox.py``): on a recurrence that swells (Baydin et al.'s logistic map, Newton
steps) it raises ``MethodTimeoutError`` instead of hanging.

Never silently wrong:

- Where SymPy leaves a derivative unevaluated, the table's conventions settle it (``settle``),
  whenever the derivative holds such pieces (SymPy brings in Abs and sign itself: (x**2)**1.5 is
  |x|**3 to it, whose second derivative holds DiracDelta(x)): ``DiracDelta`` and the derivatives of
  floor, ceiling, sign and Heaviside are 0, ``D Mod(a, b) = D a - floor(a/b) D b`` at any order,
  ``Subs`` is substituted. What is still left, or what SymPy cannot print or evaluate, is a
  ``DifferentiationError`` saying "SymPy cannot ..." (the comparison's ``failed`` row).
- A complex value of the lambdified derivative (d/dx (-2)**x = (-2)**x * log(-2)) is nan, as in
  every other mode, never its real part (``real_value``): f is not real-differentiable there.

Takes f: R -> R at a float x, or a 1-D array x for gradients (order 1), and returns ``(value,
CasInfo)``; ``info.function`` is SymPy's lambdified derivative, rebuilt in this process from its
source, so the comparison can time it apart from the set-up.
"""
from __future__ import annotations

import pickle
import time
from typing import Any, Callable

import numpy as np

from ..core import timebox
from ..core.domain import defined_value
from ..display.format import count
from ..errors import DifferentiationError, MethodTimeoutError
from ..graph.facade import Graph, trace
from ..graph.symbolic.bridge import input_symbols, to_sympy_expr, warm_up
from . import cas
from .cas import DEFAULT_TIMEOUT, CasInfo, check_point, extra
from .record import Method, Prepared
from .sympy_conventions import has_unevaluated, powers_of_zero, settle

SYMPY_DEPTH = 140      # the nested expression's depth limit (SymPy's diff fails near 150)


def real_value(value: Any, array: bool) -> Any:
    """The lambdified derivative's value in the real domain: a complex number whose imaginary part
    is not 0 is nan (f is not real-differentiable there: every other mode gives nan), one whose
    imaginary part is 0 its real part; a float (or, for gradients, a float array).

    >>> real_value(complex(2.77, 6.28), False), real_value(complex(4.0, 0.0), False)
    (nan, 4.0)
    >>> real_value([1.0, 2 + 1j], True).tolist()
    [1.0, nan]
    """
    out = np.asarray(value)
    if np.iscomplexobj(out):
        out = np.where(out.imag == 0, out.real, np.nan)
    out = np.asarray(out, dtype=float)
    return out if array else float(out)


def _symbolic_job(emit: Callable[[Any], None], graph: Graph, point: list[float], order: int,
                  array: bool, what: str = "symbolic") -> None:
    """The worker: nested expression, diff (one order at a time, settled), lambdify, call; the value
    first, then the sizes. What SymPy cannot do raises a DifferentiationError saying so."""
    import sympy
    clock, timings = time.perf_counter(), {}

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name], clock = now - clock, now
        emit(("stage", name))

    expr = powers_of_zero(to_sympy_expr(graph, max_depth=SYMPY_DEPTH))
    symbols = input_symbols(graph)
    lap("to_sympy")
    rows = []   # one row of derivatives per output of f, one entry per input (hd.jacobian's shape)
    for out in (expr if isinstance(expr, list) else [expr]):
        if array:
            rows.append([settle(sympy.diff(out, s)) for s in symbols])
            continue
        derivative = out
        for _ in range(order):  # SymPy's own n-th derivative of a Mod recurses without end
            derivative = settle(sympy.diff(derivative, symbols[0]))
        rows.append([derivative])
    parts = [p for row in rows for p in row]
    shaped = [row if array else row[0] for row in rows]
    shaped = shaped if isinstance(expr, list) else shaped[0]
    left = [p for p in parts if has_unevaluated(p)]
    if left:
        raise DifferentiationError(f"{what}: SymPy cannot evaluate its derivative: it leaves "
                                   f"{str(left[0])[:200]} unevaluated (the hybrid method "
                                   f"differentiates the graph instead)")
    lap("diff")
    try:
        fn = sympy.lambdify(symbols, shaped, modules="numpy")
    except Exception as exc:
        raise DifferentiationError(f"{what}: SymPy cannot print its derivative as NumPy code "
                                   f"({type(exc).__name__}: {exc})") from None
    lap("lambdify")
    try:
        value = fn(*[np.float64(p) for p in point])
    except (NameError, KeyError, TypeError, AttributeError) as exc:
        raise DifferentiationError(f"{what}: SymPy cannot evaluate its lambdified derivative "
                                   f"({type(exc).__name__}: {exc})") from None
    lap("call")
    emit(("value", real_value(value, isinstance(shaped, list)), timings))
    shipped = _shipped(fn)
    if shipped is not None:
        emit(("code",) + shipped)
    emit(("sizes", {"f count_ops": sum(int(sympy.count_ops(e)) for e in (expr if isinstance(expr, list) else [expr])),
                    "derivative count_ops": sum(int(sympy.count_ops(d)) for d in parts)}))


def _shipped(fn: Callable[..., Any]) -> tuple[str, dict[str, Any]] | None:
    """A lambdified function as its source and the globals it uses (both pickle), or None."""
    import inspect
    names, codes = set(), [fn.__code__]
    while codes:
        code = codes.pop()
        names.update(code.co_names)
        codes += [c for c in code.co_consts if hasattr(c, "co_names")]
    try:
        shipped = inspect.getsource(fn), {n: fn.__globals__[n] for n in names if n in fn.__globals__}
        pickle.dumps(shipped)
    except Exception:  # the value is what matters; the comparison then has no function to time
        return None
    return shipped


def _rebuild_function(source: str, names: dict[str, Any], array: bool,
                      several: bool) -> Callable[[Any], Any]:
    """The worker's lambdified derivative, rebuilt here from its source: ``function(x)`` (x an
    array: the gradient; ``several``: f has several outputs, the value is an array too)."""
    namespace = dict(names)
    exec(compile(source, "<sympy.lambdify, rebuilt>", "exec"), namespace)  # SymPy's own printed code
    fn = namespace[source.split("(", 1)[0].split()[-1]]
    if array:
        return lambda x: real_value(fn(*[np.float64(v) for v in x]), True)
    return lambda x: real_value(fn(np.float64(x)), several)


def symbolic_derivative(f: Callable[..., Any], x: Any, order: int = 1,
                        timeout: float | None = DEFAULT_TIMEOUT) -> tuple[Any, CasInfo]:
    """The classic CAS route (``sympy.diff`` of one nested expression, ``lambdify``), time-boxed.

    x a float: the order-n derivative; x a 1-D array: the gradient (an ndarray).

    >>> import hybriddiff as hd
    >>> value, info = symbolic_derivative(lambda x: hd.exp(x**2 - x) / x, 2.0)
    >>> round(value, 12), info.sizes["derivative count_ops"]
    (9.236320123663, 13)
    """
    x, array = check_point(x, order, "symbolic")
    if timeout is not None:
        warm_up()
    start = time.perf_counter()
    graph = trace(f, x)
    info = CasInfo("symbolic", timings={"trace": time.perf_counter() - start})
    point = [float(v) for v in x] if array else [x]
    what = f"symbolic: sympy.diff of {graph.name} ({count(graph.n_ops, 'operation')})"
    try:
        out = timebox.stream(_symbolic_job, graph, point, order, array, what, timeout=timeout, what=what)
    except RecursionError as exc:
        raise DifferentiationError(f"{what}: SymPy cannot differentiate this expression: it hit "
                                   f"Python's recursion limit ({exc}); the hybrid method "
                                   f"differentiates the graph instead") from None
    except (DifferentiationError, TimeoutError):
        raise
    except Exception as exc:  # SymPy's own limits (zoo, unprintable derivatives): say so clearly
        raise DifferentiationError(f"{what}: SymPy cannot finish ({type(exc).__name__}: {exc}); "
                                   f"the hybrid method differentiates the graph instead") from exc
    found = {item[0]: item[1:] for item in out.items}
    if "value" not in found:
        stages = [item[1] for item in out.items if item[0] == "stage"]
        during = {"": "building the SymPy expression", "to_sympy": "sympy.diff",
                  "diff": "sympy.lambdify", "lambdify": "the call"}[stages[-1] if stages else ""]
        raise MethodTimeoutError(f"{what} timed out after {timeout:g} s during {during} (expression "
                                 f"swell: the hybrid method keeps the derivative's size linear)")
    value, timings = found["value"]
    # SymPy's formula, but no derivative where f is nan
    value = defined_value(value, [float(v) for v in np.ravel(np.asarray(graph(x), dtype=float))])
    info.timings.update(timings)
    if "code" in found:
        info.source = found["code"][0]
        info.function = _rebuild_function(*found["code"], array, graph.out_container != "scalar")
    info.sizes.update({"f graph ops": graph.n_ops, **(found["sizes"][0] if "sizes" in found else {})})
    if "sizes" not in found:
        info.notes.append(f"count_ops did not finish within {timeout:g} s")
    return value, info


def symbolic_gradient(f: Callable[..., Any], x: Any, timeout: float | None = DEFAULT_TIMEOUT) -> tuple[Any, CasInfo]:
    """The gradient of f at a 1-D array x by the ``symbolic`` route (an ndarray and the info).

    >>> import hybriddiff as hd
    >>> symbolic_gradient(lambda v: v[0] * hd.exp(v[1]) - v[0], [1.5, 0.0])[0].tolist()
    [0.0, 1.5]
    """
    return symbolic_derivative(f, np.atleast_1d(np.asarray(x, dtype=float)), 1, timeout)


def prepare_symbolic(f: Callable[..., Any], x: Any, order: int = 1) -> Prepared:
    """sympy.diff of one nested expression (``order`` times) and lambdify, then calls of the
    lambdified derivative.

    >>> import hybriddiff as hd
    >>> round(prepare_symbolic(lambda x: hd.sin(x) * x, 1.0).call(), 12)
    1.381773290676
    """
    value, info = symbolic_derivative(f, x, order, timeout=cas.DEFAULT_TIMEOUT)
    fn = info.function
    # the lambdified formula knows nothing of f's domain: no derivative where f is nan, as above
    domain = [float(v) for v in np.ravel(np.asarray(trace(f, x)(x), dtype=float))]
    call = (lambda: defined_value(fn(x), domain)) if fn is not None else (lambda: value)
    note = "sympy.diff of the nested expression, lambdify (NumPy)"
    if order > 1:
        note = f"sympy.diff {order} times of the nested expression, lambdify (NumPy)"
    if info.function is None:
        note += "; the lambdified code could not be rebuilt here: the call returns the value"
    ops = info.sizes.get("derivative count_ops")
    huge = ops is not None and ops > 20_000  # tracemalloc slows a huge lambdified expression 10,000x
    if huge:
        note += "; memory not measured (expression too large for tracemalloc)"
    return Prepared(call, passes=1, ops=ops, note=note, extra=extra(info), measure_memory=not huge)


SYMBOLIC = Method("symbolic", lambda f, x, order: symbolic_derivative(f, x, order)[0], prepare_symbolic,
                  family="symbolic", summary="sympy.diff of one nested expression, lambdified")

__all__ = ["SYMBOLIC", "symbolic_derivative", "symbolic_gradient", "prepare_symbolic", "settle",
           "has_unevaluated", "real_value"]
