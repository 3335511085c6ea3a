"""Code generation: a graph as readable Python source, one assignment per node, and compiled.

Two bodies come from the same loop over the nodes: one with the math module for Python floats
(fast: no NumPy call overhead) and one with NumPy for arrays, complex numbers and anything else.
``compile`` puts both in one function that tries the math body for floats and falls back to NumPy
where the math module raises (outside a domain: NumPy gives nan/inf and a warning instead).
Recorded guards become checks that raise ``TraceGuardError``.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ..core.record import PRIMITIVES
from ..display.format import count
from ..errors import TraceGuardError
from . import chunked
from ..core.domain import defined_value
from .arguments import batch_shape, flatten_args
from .codelines import BACKENDS, as_lists, body_lines, code_names, expression, return_line, source
from .inplace import inplace_lines, same_float_arrays
from .ir import GraphIR


def _guard(graph: GraphIR) -> Callable[..., None]:
    def hd_guard(k: int, holds: Any, outcome: bool, lhs: Any, rhs: Any) -> None:
        ok = bool(np.all(np.asarray(holds) == outcome)) if isinstance(holds, np.ndarray) else holds == outcome
        if not ok:
            guard = graph.guards[k]
            raise TraceGuardError(
                f"the compiled {graph.name} was traced where a branch (guard {k}: {guard.op}) went "
                f"{outcome}; here {lhs!r} {guard.op} {rhs!r} does not: trace again at this point")
    return hd_guard


def _stack(items: list[Any]) -> Any:
    return np.array(items) if not any(isinstance(i, np.ndarray) for i in items) else np.stack(
        np.broadcast_arrays(*items))


def _numpy_call(fn: Callable[..., Any], args: tuple, graph: GraphIR) -> Any:
    """Python numbers become NumPy scalars (so 1/0 gives inf, not an exception), and back; a
    constant output takes the batch's shape, as graph evaluation gives it."""
    args = tuple(np.float64(a) if type(a) in (int, float) else a for a in args)
    out = _python(fn(*args))
    shape = batch_shape(flatten_args(graph, args))
    if not shape:
        return out
    if isinstance(out, (tuple, list)):
        return type(out)(_batch(o, shape) for o in out)
    return _batch(out, shape)


def _batch(value: Any, shape: tuple) -> Any:
    return np.full(shape, float(value)) if isinstance(value, (int, float)) else value


def _python(out: Any) -> Any:
    if isinstance(out, np.generic):
        return out.item()
    if isinstance(out, (tuple, list)):
        return type(out)(_python(o) for o in out)
    return out


def _math_function(graph: GraphIR, name: str) -> str:
    """``{name}_math``: the math body as its own function (graphs with array arguments)."""
    lines = [f"def {name}_math({', '.join(graph.arg_names)}):"]
    lines += [f"    {line}" for line in as_lists(graph) + body_lines(graph, "math")]
    lines.append(f"    {return_line(graph, code_names(graph), floats=True)}")
    return "\n".join(lines) + "\n"


def _math_test(graph: GraphIR) -> str:
    """When the math body applies: float scalars, and 1-D float64 arrays of the traced length."""
    tests = [f"type({p}) is float" if size is None else
             f"type({p}) is np.ndarray and {p}.dtype == hd_f64 and {p}.shape == ({size},)"
             for p, size in zip(graph.arg_names, graph.arg_sizes)]
    return " and ".join(tests) or "True"


def _inplace_source(graph: GraphIR, name: str) -> str:
    """The buffer-reusing NumPy body (see ``inplace.py``), falling back to ``{name}_numpy``."""
    names = code_names(graph)
    lines, where = inplace_lines(graph, names, lambda prim, args: expression(prim, args, "numpy"))
    inputs = ", ".join(names[i] for i in graph.inputs)
    params = ", ".join(graph.arg_names)
    body = [f"def {name}_inplace({params}):",
            f"    if not hd_same({inputs}):",
            f"        return {name}_numpy({params})"]
    body += [f"    {line}" for line in lines]
    body.append(f"    {return_line(graph, where)}")
    return "\n".join(body) + "\n"


def compile_graph(graph: GraphIR, backend: str = "numpy") -> Callable[..., Any]:
    """The graph as a Python function: floats take the math path, everything else NumPy.

    Big graphs are compiled in chunks of ``CHUNK`` operations (values pass through a list).

    >>> import hybriddiff as hd
    >>> df = hd.trace(lambda x: hd.exp(x * x - x) / x, 2.0).grad().compile()
    >>> round(df(2.0), 12)
    9.236320123663
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if backend == "jax":
        from .jaxcode import compile_jax   # JAX loads only when asked for
        return compile_jax(graph)
    name = graph.name if graph.name.isidentifier() else "f"
    params = ", ".join(graph.arg_names)
    call_args = f"({params}{',' if params else ''})"
    namespace: dict[str, Any] = {"np": np, "math": math, "hd_guard": _guard(graph), "hd_stack": _stack,
                                 "hd_defined": defined_value,
                                 "hd_numpy": _numpy_call, "hd_same": same_float_arrays, "hd_graph": graph}
    namespace.update({f"hd_{p.name}": p.scalar for p in PRIMITIVES.values() if p.scalar is not None})
    namespace["hd_f64"] = np.float64
    scalars_only = all(size is None for size in graph.arg_sizes)
    if graph.n_ops > chunked.CHUNK:
        bodies = chunked.chunked_bodies(graph, namespace, name)
        math_call = f"return {name}_math({params})"
    else:
        bodies = source(graph, "numpy", f"{name}_numpy", "hd_stack") + "\n" + _inplace_source(graph, name)
        math_call = None
        if not scalars_only:  # the math body in its own function, where arrays become lists
            bodies += "\n" + _math_function(graph, name)
            math_call = f"return {name}_math({params})"
    inline = [] if math_call else body_lines(graph, "math") + [return_line(graph, code_names(graph), floats=True)]
    lines = [f"def {name}({params}):"]
    if backend == "math":
        lines += [f"    {line}" for line in ([math_call] if math_call else inline)]
    else:
        lines += [f"    if {_math_test(graph)}:", "        try:"]
        lines += [f"            {line}" for line in ([math_call] if math_call else inline)]
        lines += ["        except (ArithmeticError, ValueError):",
                  "            pass  # outside the math module's domain: NumPy's nan/inf below"]
        body = f"{name}_numpy" if graph.n_ops > chunked.CHUNK else f"{name}_inplace"
        lines.append(f"    return hd_numpy({body}, {call_args}, hd_graph)")
    dispatcher = "\n".join(lines) + "\n"
    text = dispatcher if graph.n_ops > chunked.CHUNK else bodies + "\n" + dispatcher
    exec(compile(text, f"<hybriddiff generated: {name}>", "exec"), namespace)  # our own graph's source
    fn = namespace[name]
    fn.__doc__ = f"Generated by hybriddiff from the graph {graph.name} ({count(graph.n_ops, 'operation')})."
    fn.source = bodies + "\n" + dispatcher
    return fn


__all__ = ["compile_graph", "source", "BACKENDS"]
