"""Code for a graph, line by line: one assignment per operation (adjoints commented), guard checks,
the return line; ``source`` puts them in a readable function.

Three backends print from the same loop over the nodes: "math" for Python floats (the records'
``scalar_source``), "numpy" for arrays, complex numbers and anything else (``source``, and
``source_int`` where the last argument is an exact int) and "jax" for jax.numpy (``jax_source``;
``jaxcode.py`` compiles it). ``codegen.py`` compiles these lines,
``chunked.py`` cuts them into functions for huge graphs.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from .arguments import output_groups
from .ir import CONST, INPUT, OP, GraphIR
from .listing import note_text


BACKENDS = ("numpy", "math", "jax")


def literal(value: Any) -> str:
    if type(value) is Fraction:
        value = value.numerator / value.denominator
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            return f"float('{value}')"
        return f"({value!r})" if value < 0 else repr(value)
    if isinstance(value, complex):
        return f"complex({value.real!r}, {value.imag!r})"
    raise TypeError(f"cannot generate code for the constant {value!r} ({type(value).__name__})")


def is_literal(text: str) -> bool:
    try:
        float(text.strip("()").replace("float(", "").strip("'"))
        return True
    except ValueError:
        return False


def expression(prim: Any, args: list[str], backend: str, int_last: bool = False) -> str:
    """One operation as code; ``int_last``: its last argument is an exact int constant."""
    if backend in ("numpy", "jax") and args and all(is_literal(a) for a in args):
        wrap = "np.float64" if backend == "numpy" else "jnp.asarray"   # constants only: 1/0 = inf, not an error
        args = [f"{wrap}({args[0]})", *args[1:]]
    if backend == "jax":
        return prim.source_int.format(*args) if int_last and prim.source_int is not None else \
            prim.jax_source.format(*args)
    if backend == "math":
        if prim.scalar_source is not None:
            return prim.scalar_source.format(*args)
        return f"hd_{prim.name}({', '.join(args)})"
    if int_last and prim.source_int is not None:
        return prim.source_int.format(*args)
    return prim.source.format(*args)


def int_last(graph: GraphIR, args: tuple[int, ...]) -> bool:
    last = graph.nodes[args[-1]]
    return last.kind == CONST and type(last.const) is int


def code_names(graph: GraphIR) -> dict[int, str]:
    """Python names: inputs by their argument (``x``, ``x[0]``), operations v1, v2, ..."""
    names: dict[int, str] = {}
    count = 0
    for i, node in enumerate(graph.nodes):
        if node.kind == INPUT:
            names[i] = node.name
        elif node.kind == CONST:
            names[i] = literal(node.const)
        else:
            count += 1
            names[i] = f"v{count}"
    return names


def body_lines(graph: GraphIR, backend: str) -> list[str]:
    """One assignment per operation (with a comment where it is an adjoint), then guard checks."""
    return [line for _, line in numbered_lines(graph, backend)]


def numbered_lines(graph: GraphIR, backend: str) -> list[tuple[int, str]]:
    """``body_lines`` with the node each line belongs to."""
    names = code_names(graph)
    wengert = graph.wengert_names() if graph.notes else {}
    checks: dict[int, list[int]] = {}
    for k, guard in enumerate(graph.guards):
        checks.setdefault(max(guard.lhs, guard.rhs), []).append(k)
    lines = []
    for i, node in enumerate(graph.nodes):
        if node.kind == OP:
            code = expression(node.prim, [names[a] for a in node.args], backend, int_last(graph, node.args))
            line = f"{names[i]} = {code}"
            note = note_text(graph, i, wengert) if i in graph.notes else ""
            lines.append((i, f"{line}  # {note}" if note else line))
        for k in checks.get(i, ()):
            guard = graph.guards[k]
            test = f"{names[guard.lhs]} {guard.op} {names[guard.rhs]}"
            lines.append((i, f"hd_guard({k}, {test}, {guard.outcome}, {names[guard.lhs]}, {names[guard.rhs]})"))
    return lines


def return_line(graph: GraphIR, names: dict[int, str], stack: str = "hd_stack", floats: bool = False) -> str:
    """The return statement; where f's outputs are the graph's domain, nan where one of them is nan
    (``floats``: they are Python floats, so a plain ``d == d`` test skips the general masking call)."""
    outs = [literal(float(graph.nodes[o].const)) if graph.nodes[o].kind == CONST
            and type(graph.nodes[o].const) in (int, Fraction) else names[o] for o in graph.outputs]
    groups = [value if size is None else f"{stack}([{', '.join(value)}])"
              for size, value in output_groups(graph, outs)]
    if graph.out_container in ("scalar", "array"):
        value = groups[0]
    else:
        value = f"[{', '.join(groups)}]" if graph.out_container == "list" else f"({', '.join(groups)},)"
    if graph.domains:   # nan where f is undefined: no derivative there
        masked = f"hd_defined({value}, ({''.join(names[d] + ', ' for d in graph.domains)}))"
        if floats:
            defined = " and ".join(f"{names[d]} == {names[d]}" for d in graph.domains)
            return f"return {value} if {defined} else {masked}"
        return f"return {masked}"
    return f"return {value}"


def source(graph: GraphIR, backend: str = "numpy", name: str | None = None, stack: str = "np.array") -> str:
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
    lines.append(f"    {return_line(graph, code_names(graph), stack)}")
    return "\n".join(lines) + "\n"


def as_lists(graph: GraphIR) -> list[str]:
    """Array arguments become lists of Python floats: the math body then runs at float speed."""
    return [f"{p} = {p}.tolist()" for p, size in zip(graph.arg_names, graph.arg_sizes) if size is not None]


__all__ = ["BACKENDS", "literal", "expression", "code_names", "body_lines", "numbered_lines", "return_line",
           "as_lists", "source"]
