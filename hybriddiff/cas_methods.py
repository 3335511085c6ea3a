"""The two CAS methods of the registry: ``symbolic`` (the classic route) and ``hybrid`` (ours).

``symbolic``: trace f at x, the traced function as ONE nested SymPy expression, ``sympy.diff``
(n times for order n), ``sympy.lambdify`` (NumPy), evaluate at x. All SymPy work runs in a
time-boxed worker (``timebox``): on a recurrence that swells (Baydin et al.'s logistic map, Newton
steps) it raises ``MethodTimeoutError`` instead of hanging. Where SymPy leaves a derivative
unevaluated, the table's conventions (DESIGN section 3) settle it: ``DiracDelta`` and the
derivatives of floor, ceiling, sign and Heaviside are 0, ``d Mod(a, b) = da - floor(a/b) db``.

``hybrid``: the traced graph's derivative graph (the reverse sweep emitting nodes; ``grad`` again
for order n), simplified through SymPy with CSE (time-boxed; on timeout the unsimplified derivative
graph is used), compiled to generated Python source, evaluated at x. It never times out: its size
grows linearly with f's (see ``hybriddiff.swell``).

Both take f: R -> R at a float x, or a 1-D array x for gradients (order 1), and return
``(value, CasInfo)`` with sizes and timings for the comparison layer, and ``info.function``: the
derivative as a function of x (for ``symbolic`` SymPy's lambdified code, rebuilt in this process
from its source), to time apart from the set-up.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from .errors import DifferentiationError, MethodTimeoutError
from .methods import register_method

if TYPE_CHECKING:  # pragma: no cover
    from .graph import Graph
    from .simplify import SimplifyReport

DEFAULT_TIMEOUT = 5.0
SYMPY_DEPTH = 140      # the nested expression's depth limit (SymPy's diff fails near 150)
_SETTLE = frozenset({"floor", "ceil", "sign", "heaviside", "mod", "abs", "maximum", "minimum", "cbrt"})


@dataclass
class CasInfo:
    """Sizes (operation counts) and timings (seconds) of one run of a CAS method.

    >>> CasInfo("symbolic", sizes={"derivative count_ops": 13}).to_dict()["sizes"]
    {'derivative count_ops': 13}
    """

    method: str
    sizes: dict[str, int | None] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    source: str | None = None                                       # generated (or lambdified) code
    function: Callable[..., Any] | None = field(default=None, repr=False)   # the derivative: fn(x)
    graph: "Graph | None" = field(default=None, repr=False)         # hybrid: the derivative graph
    report: "SimplifyReport | None" = None                          # hybrid: what simplify did

    def to_dict(self) -> dict[str, Any]:
        """JSON-able built-ins (without the function and the graph).

        >>> sorted(CasInfo("hybrid").to_dict())
        ['method', 'notes', 'report', 'sizes', 'source', 'timings']
        """
        return {"method": self.method, "sizes": dict(self.sizes), "timings": dict(self.timings),
                "notes": list(self.notes), "source": self.source,
                "report": self.report.to_dict() if self.report is not None else None}


def _point(x: Any, order: int, where: str) -> tuple[Any, bool]:
    from .inputs import as_point
    x = as_point(x, "x", where)
    array = isinstance(x, np.ndarray)
    if array and order != 1:
        raise ValueError(f"{where}: order {order} needs a scalar x; for arrays use order=1 (a gradient)")
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"{where}: order must be a positive int, got {order!r}")
    return x, array


def settle(expr: Any) -> Any:
    """Replace what SymPy leaves unevaluated by the table's conventions (DESIGN section 3).

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


def _needs_settling(graph: "Graph") -> bool:
    return any(node.kind == "op" and node.prim.name in _SETTLE for node in graph.nodes)


def _symbolic_job(emit: Callable[[Any], None], graph: "Graph", point: list[float], order: int,
                  array: bool) -> None:
    """The worker: nested expression, diff, lambdify, call; the value first, then the sizes."""
    import sympy
    from .symbolic import input_symbols, to_sympy_expr
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
    from .timebox import dumps
    names, codes = set(), [fn.__code__]
    while codes:
        code = codes.pop()
        names.update(code.co_names)
        codes += [c for c in code.co_consts if hasattr(c, "co_names")]
    try:
        shipped = inspect.getsource(fn), {n: fn.__globals__[n] for n in names if n in fn.__globals__}
        dumps(shipped)
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
    from . import timebox
    from .symbolic import warm_up
    from .tracing import trace
    x, array = _point(x, order, "symbolic")
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


def hybrid_graph(f: Callable[..., Any], x: Any, order: int = 1,
                 timeout: float | None = DEFAULT_TIMEOUT) -> tuple["Graph", CasInfo]:
    """The hybrid derivative graph: traced, differentiated as a graph, simplified (time-boxed).

    >>> import hybriddiff as hd
    >>> g, info = hybrid_graph(lambda x: hd.sin(x) * x, 1.0)
    >>> round(g(1.0), 12), info.sizes["derivative graph ops"]
    (1.381773290676, 4)
    """
    from .simplify import simplify
    from .tracing import trace
    x, _ = _point(x, order, "hybrid")
    start = time.perf_counter()
    graph = trace(f, x)
    traced = time.perf_counter()
    derivative = graph
    for _ in range(order):
        derivative = derivative.grad()
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


def _agree(a: "Graph", b: "Graph", x: Any) -> bool:
    """Both graphs give the same values at x (to 1e-10 relative, nan where the other is nan)."""
    with np.errstate(all="ignore"):
        try:
            va = np.asarray(a(x), dtype=float)
            vb = np.asarray(b(x), dtype=float)
        except Exception:
            return False
    return bool(np.allclose(va, vb, rtol=1e-10, atol=1e-300, equal_nan=True))


def hybrid_derivative(f: Callable[..., Any], x: Any, order: int = 1,
                      timeout: float | None = DEFAULT_TIMEOUT) -> tuple[Any, CasInfo]:
    """hybriddiff's own route: derivative graph, simplified, compiled, evaluated at x.

    ``info.function`` is the compiled derivative (valid wherever the trace's guards hold) and
    ``info.source`` its generated source.

    >>> import hybriddiff as hd
    >>> value, info = hybrid_derivative(lambda x: hd.exp(x**2 - x) / x, 2.0)
    >>> round(value, 12), info.function is not None
    (9.236320123663, True)
    """
    graph, info = hybrid_graph(f, x, order, timeout)
    x, _ = _point(x, order, "hybrid")
    start = time.perf_counter()
    info.function = graph.compile()
    info.source = info.function.source
    compiled = time.perf_counter()
    value = info.function(x)
    info.timings.update({"compile": compiled - start, "call": time.perf_counter() - compiled})
    return value, info


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


@register_method("symbolic")
def _symbolic(f: Callable[[Any], Any], x: Any, order: int) -> Any:
    return symbolic_derivative(f, x, order)[0]


@register_method("hybrid")
def _hybrid(f: Callable[[Any], Any], x: Any, order: int) -> Any:
    return hybrid_derivative(f, x, order)[0]


__all__ = ["CasInfo", "symbolic_derivative", "symbolic_gradient", "hybrid_graph", "hybrid_derivative",
           "hybrid_gradient", "hybrid_function", "settle", "DEFAULT_TIMEOUT"]
