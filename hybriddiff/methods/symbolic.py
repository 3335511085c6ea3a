"""The ``symbolic`` method: the classic CAS route.

Trace f at x, the traced function as ONE nested SymPy expression, ``sympy.diff`` (n times for order
n), ``sympy.lambdify`` (NumPy), evaluate at x. All SymPy work runs in a time-boxed worker
(``core/timebox.py``): on a recurrence that swells (Baydin et al.'s logistic map, Newton steps) it
raises ``MethodTimeoutError`` instead of hanging. Where SymPy leaves a derivative unevaluated, the
table's conventions settle it (``settle``; the records marked ``settle_sympy``): ``DiracDelta`` and
the derivatives of floor, ceiling, sign and Heaviside are 0, ``d Mod(a, b) = da - floor(a/b) db``.

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
from ..errors import DifferentiationError, MethodTimeoutError
from ..graph.facade import Graph, trace
from ..graph.ir import OP
from ..graph.symbolic.bridge import input_symbols, to_sympy_expr, warm_up
from . import cas
from .cas import DEFAULT_TIMEOUT, CasInfo, check_point, extra
from .record import Method, Prepared

SYMPY_DEPTH = 140      # the nested expression's depth limit (SymPy's diff fails near 150)


def settle(expr: Any) -> Any:
    """Replace what SymPy leaves unevaluated by the table's conventions (ARCHITECTURE.md).

    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> settle(sympy.diff(sympy.floor(x**2) + sympy.sign(x) + x**2, x))
    2*x
    """
    import sympy
    from sympy import Derivative, DiracDelta, Mod, Subs

    def mod_partial(d: Any) -> Any:
        (a, b), (v, n) = d.expr.args, d.variable_count[0]
        if len(d.variable_count) != 1 or n != 1:
            return d
        return sympy.diff(a, v) - sympy.floor(a / b) * sympy.diff(b, v)

    constant = (sympy.floor, sympy.ceiling, sympy.sign, sympy.Heaviside)
    expr = expr.replace(lambda e: isinstance(e, DiracDelta), lambda e: sympy.S.Zero)
    expr = expr.replace(lambda e: isinstance(e, Derivative) and isinstance(e.expr, constant),
                        lambda e: sympy.S.Zero)
    expr = expr.replace(lambda e: isinstance(e, Derivative) and isinstance(e.expr, Mod), mod_partial)
    return expr.replace(lambda e: isinstance(e, Subs), lambda e: e.doit())


def _needs_settling(graph: Graph) -> bool:
    return any(node.kind == OP and node.prim.settle_sympy for node in graph.nodes)


def _symbolic_job(emit: Callable[[Any], None], graph: Graph, point: list[float], order: int,
                  array: bool) -> None:
    """The worker: nested expression, diff, lambdify, call; the value first, then the sizes."""
    import sympy
    clock, timings = time.perf_counter(), {}

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name], clock = now - clock, now
        emit(("stage", name))

    expr = to_sympy_expr(graph, max_depth=SYMPY_DEPTH)
    symbols = input_symbols(graph)
    lap("to_sympy")
    derivative = [sympy.diff(expr, s) for s in symbols] if array else sympy.diff(expr, symbols[0], order)
    if _needs_settling(graph):
        derivative = [settle(d) for d in derivative] if array else settle(derivative)
    lap("diff")
    fn = sympy.lambdify(symbols, derivative, modules="numpy")
    lap("lambdify")
    value = fn(*[np.float64(p) for p in point])
    lap("call")
    emit(("value", np.asarray(value, dtype=float) if array else float(value), timings))
    shipped = _shipped(fn)
    if shipped is not None:
        emit(("code",) + shipped)
    parts = derivative if array else [derivative]
    emit(("sizes", {"f count_ops": int(sympy.count_ops(expr)),
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


def _rebuild_function(source: str, names: dict[str, Any], array: bool) -> Callable[[Any], Any]:
    """The worker's lambdified derivative, rebuilt here from its source: ``function(x)``."""
    namespace = dict(names)
    exec(compile(source, "<sympy.lambdify, rebuilt>", "exec"), namespace)  # SymPy's own printed code
    fn = namespace[source.split("(", 1)[0].split()[-1]]
    if array:
        return lambda x: np.asarray(fn(*[np.float64(v) for v in x]), dtype=float)
    return lambda x: float(fn(np.float64(x)))


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
    what = f"symbolic: sympy.diff of {graph.name} ({graph.n_ops} operations)"
    try:
        out = timebox.stream(_symbolic_job, graph, point, order, array, timeout=timeout, what=what)
    except RecursionError as exc:
        raise DifferentiationError(f"{what}: SymPy hit Python's recursion limit ({exc})") from None
    except (DifferentiationError, TimeoutError):
        raise
    except Exception as exc:  # SymPy's own limits (zoo, unprintable derivatives): say so clearly
        raise DifferentiationError(f"{what}: SymPy could not finish ({type(exc).__name__}: {exc}); "
                                   f"the hybrid method differentiates the graph instead") from exc
    found = {item[0]: item[1:] for item in out.items}
    if "value" not in found:
        stages = [item[1] for item in out.items if item[0] == "stage"]
        during = {"": "building the SymPy expression", "to_sympy": "sympy.diff",
                  "diff": "sympy.lambdify", "lambdify": "the call"}[stages[-1] if stages else ""]
        raise MethodTimeoutError(f"{what} timed out after {timeout:g} s during {during} (expression "
                                 f"swell: the hybrid method keeps the derivative's size linear)")
    value, timings = found["value"]
    info.timings.update(timings)
    if "code" in found:
        info.source = found["code"][0]
        info.function = _rebuild_function(*found["code"], array)
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


def prepare_symbolic(f: Callable[..., Any], x: Any) -> Prepared:
    """sympy.diff of one nested expression and lambdify, then calls of the lambdified derivative.

    >>> import hybriddiff as hd
    >>> round(prepare_symbolic(lambda x: hd.sin(x) * x, 1.0).call(), 12)
    1.381773290676
    """
    value, info = symbolic_derivative(f, x, timeout=cas.DEFAULT_TIMEOUT)
    call = (lambda: info.function(x)) if info.function is not None else (lambda: value)
    note = "sympy.diff of the nested expression, lambdify (NumPy)"
    if info.function is None:
        note += "; the lambdified code could not be rebuilt here: the call returns the value"
    ops = info.sizes.get("derivative count_ops")
    huge = ops is not None and ops > 20_000  # tracemalloc slows a huge lambdified expression 10,000x
    if huge:
        note += "; memory not measured (expression too large for tracemalloc)"
    return Prepared(call, passes=1, ops=ops, note=note, extra=extra(info), measure_memory=not huge)


SYMBOLIC = Method("symbolic", lambda f, x, order: symbolic_derivative(f, x, order)[0], prepare_symbolic,
                  family="symbolic", summary="sympy.diff of one nested expression, lambdified")

__all__ = ["SYMBOLIC", "symbolic_derivative", "symbolic_gradient", "prepare_symbolic", "settle"]
