"""Code generation: a graph as readable Python source, one assignment per node, and compiled.

Two bodies come from the same loop over the nodes: one with the math module for Python floats
(fast: no NumPy call overhead) and one with NumPy for arrays, complex numbers and anything else.
``compile`` puts both in one function that tries the math body for floats and falls back to NumPy
where the math module raises (outside a domain: NumPy gives nan/inf and a warning instead).
Recorded guards become checks that raise ``TraceGuardError``.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from . import primitives as P
from .errors import TraceGuardError
from .listing import note_text

if TYPE_CHECKING:  # pragma: no cover
    from .graph import Graph

BACKENDS = ("numpy", "math")


def _literal(value: Any) -> str:
    if type(value) is Fraction:
        value = value.numerator / value.denominator
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            return f"float('{value}')"
        return f"({value!r})" if value < 0 else repr(value)
    if isinstance(value, complex):
        return f"complex({value.real!r}, {value.imag!r})"
    raise TypeError(f"cannot generate code for the constant {value!r} ({type(value).__name__})")


def _expression(prim: Any, args: list[str], backend: str, exponent: Any = None) -> str:
    if backend == "math":
        if prim.scalar_source is not None:
            return prim.scalar_source.format(*args)
        return f"hd_{prim.name}({', '.join(args)})"
    if prim is P.pow and not (type(exponent) is int):
        return f"np.power({args[0]}, {args[1]})"  # ** on a negative Python float goes complex
    return prim.source.format(*args)


def _names(graph: "Graph") -> dict[int, str]:
    """Python names: inputs by their argument (``x``, ``x[0]``), operations v1, v2, ..."""
    names: dict[int, str] = {}
    count = 0
    for i, node in enumerate(graph.nodes):
        if node.kind == "input":
            names[i] = node.name.replace("[", "[").replace("]", "]")
        elif node.kind == "const":
            names[i] = _literal(node.const)
        else:
            count += 1
            names[i] = f"v{count}"
    return names


def body_lines(graph: "Graph", backend: str) -> list[str]:
    """One assignment per operation (with a comment where it is an adjoint), then guard checks."""
    names = _names(graph)
    wengert = graph.wengert_names() if graph.notes else {}
    checks: dict[int, list[int]] = {}
    for k, guard in enumerate(graph.guards):
        checks.setdefault(max(guard.lhs, guard.rhs), []).append(k)
    lines = []
    for i, node in enumerate(graph.nodes):
        if node.kind == "op":
            exponent = graph.nodes[node.args[1]].const if node.prim is P.pow else None
            line = f"{names[i]} = {_expression(node.prim, [names[a] for a in node.args], backend, exponent)}"
            note = note_text(graph, i, wengert) if i in graph.notes else ""
            lines.append(f"{line}  # {note}" if note else line)
        for k in checks.get(i, ()):
            guard = graph.guards[k]
            test = f"{names[guard.lhs]} {guard.op} {names[guard.rhs]}"
            lines.append(f"hd_guard({k}, {test}, {guard.outcome}, {names[guard.lhs]}, {names[guard.rhs]})")
    return lines


def _return_line(graph: "Graph", names: dict[int, str]) -> str:
    outs = [names[o] for o in graph.outputs]
    groups, k = [], 0
    for size in graph.out_sizes:
        if size is None:
            groups.append(outs[k])
            k += 1
        else:
            groups.append(f"hd_stack([{', '.join(outs[k:k + size])}])")
            k += size
    if graph.out_container in ("scalar", "array"):
        return f"return {groups[0]}"
    return f"return [{', '.join(groups)}]" if graph.out_container == "list" else f"return ({', '.join(groups)},)"


def source(graph: "Graph", backend: str = "numpy", name: str | None = None) -> str:
    """The graph as a Python function (``backend`` "numpy": arrays and floats; "math": floats).

    >>> import hybriddiff as hd
    >>> print(hd.trace(lambda x: hd.sin(x) * x, 1.0).grad().source())
    def grad_f(x):
        v1 = np.sin(x)
        v2 = np.cos(x)
        v3 = v2 * x
        v4 = v1 + v3  # adjoint of v0 (x)
        return v4
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    name = name or graph.name
    lines = [f"def {name}({', '.join(graph.arg_names)}):"]
    lines += [f"    {line}" for line in body_lines(graph, backend)]
    lines.append(f"    {_return_line(graph, _names(graph))}")
    return "\n".join(lines) + "\n"


def _guard(graph: "Graph") -> Callable[..., None]:
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


def _numpy_call(fn: Callable[..., Any], args: tuple) -> Any:
    """Python numbers become NumPy scalars (so 1/0 gives inf, not an exception), and back."""
    args = tuple(np.float64(a) if type(a) in (int, float) else a for a in args)
    return _python(fn(*args))


def _python(out: Any) -> Any:
    if isinstance(out, np.generic):
        return out.item()
    if isinstance(out, (tuple, list)):
        return type(out)(_python(o) for o in out)
    return out


def compile_graph(graph: "Graph", backend: str = "numpy") -> Callable[..., Any]:
    """The graph as a Python function: floats take the math path, everything else NumPy.

    >>> import hybriddiff as hd
    >>> df = hd.trace(lambda x: hd.exp(x * x - x) / x, 2.0).grad().compile()
    >>> round(df(2.0), 12)
    9.236320123663
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    name = graph.name if graph.name.isidentifier() else "f"
    params = ", ".join(graph.arg_names)
    scalar_args = all(size is None for size in graph.arg_sizes)
    numpy_src = source(graph, "numpy", f"{name}_numpy")
    lines = [numpy_src, f"def {name}({params}):"]
    if scalar_args and backend == "numpy":
        test = " and ".join(f"type({p}) is float" for p in graph.arg_names) or "True"
        lines += [f"    if {test}:", "        try:"]
        lines += [f"            {line}" for line in body_lines(graph, "math")]
        lines += [f"            {_return_line(graph, _names(graph))}",
                  "        except (ArithmeticError, ValueError):",
                  "            pass  # outside the math module's domain: NumPy's nan/inf below"]
    elif backend == "math":
        lines += [f"    {line}" for line in body_lines(graph, "math")]
        lines.append(f"    {_return_line(graph, _names(graph))}")
    lines.append(f"    return hd_numpy({name}_numpy, ({params}{',' if params else ''}))")
    text = "\n".join(lines) + "\n"
    namespace: dict[str, Any] = {"np": np, "math": math, "hd_guard": _guard(graph), "hd_stack": _stack,
                                 "hd_numpy": _numpy_call}
    namespace.update({f"hd_{p.name}": p.scalar for p in P.PRIMITIVES.values() if p.scalar is not None})
    code = compile(text, f"<hybriddiff generated: {name}>", "exec")
    exec(code, namespace)  # source generated from our own graph, never user text
    fn = namespace[name]
    fn.__doc__ = f"Generated by hybriddiff from the graph {graph.name}:\n\n{source(graph, backend)}"
    fn.source = text
    return fn
