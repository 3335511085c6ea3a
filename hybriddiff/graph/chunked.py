"""Huge graphs as code: one function per ``CHUNK`` operations, passing values through a list.

CPython compiles a function of a million assignments slowly and with much memory; cut into chunks,
each compiles on first use (a float call needs only the math body, an array call only the NumPy one).
"""
from __future__ import annotations

from typing import Any, Callable

from ..display.format import count
from .codelines import as_lists, code_names, literal, numbered_lines, return_line
from .ir import CONST, OP, GraphIR

CHUNK = 20_000  # operations per generated function in big graphs (CPython compiles huge functions slowly)


def chunk_functions(graph: GraphIR, backend: str, prefix: str) -> tuple[list[str], list[int]]:
    """Big graphs: one function per CHUNK operations, passing values between them in a list ``e``.

    Returns the sources and, per input, its slot; every node's slot is its index.
    """
    names = code_names(graph)
    chunk_of = {}
    ops = [i for i, node in enumerate(graph.nodes) if node.kind == OP]
    for k, i in enumerate(ops):
        chunk_of[i] = k // CHUNK
    used_later: set[int] = set(graph.outputs) | set(graph.domains) | {g.lhs for g in graph.guards} | {
        g.rhs for g in graph.guards}
    for i in ops:
        for a in graph.nodes[i].args:
            if graph.nodes[a].kind != CONST and chunk_of.get(a, -1) != chunk_of[i]:
                used_later.add(a)
    per_chunk: dict[int, list[str]] = {}
    for i, line in numbered_lines(graph, backend):
        per_chunk.setdefault(chunk_of.get(i, 0), []).append(line)
    members_of: dict[int, list[int]] = {}
    for i in ops:
        members_of.setdefault(chunk_of[i], []).append(i)
    sources = []
    for c in sorted(per_chunk):
        members = members_of.get(c, [])
        needed = sorted({a for i in members for a in graph.nodes[i].args
                         if graph.nodes[a].kind != CONST and chunk_of.get(a, -1) != c})
        head = [f"{local_name(names[a])} = e[{a}]" for a in needed]
        tail = [f"e[{i}] = {names[i]}" for i in members if i in used_later]
        body = [rename_inputs(line, graph) for line in head + per_chunk[c] + tail]
        sources.append(f"def {prefix}{c}(e):\n" + "".join(f"    {line}\n" for line in body))
    return sources, list(graph.inputs)


def local_name(name: str) -> str:
    return name.replace("[", "_").replace("]", "")


def rename_inputs(line: str, graph: GraphIR) -> str:
    if "[" not in line:
        return line
    for i in graph.inputs:
        name = graph.nodes[i].name
        if "[" in name:
            line = line.replace(name, local_name(name))
    return line


def chunked_bodies(graph: GraphIR, namespace: dict[str, Any], name: str) -> str:
    """Define ``{name}_math`` and ``{name}_numpy`` in ``namespace``; each compiles its chunks on
    first use (a float call needs only the math body, an array call only the NumPy one)."""
    params = ", ".join(graph.arg_names)
    for body in ("math", "numpy"):
        namespace[f"{name}_{body}"] = lazy_body(graph, namespace, name, body)
    return (f"# {count(graph.n_ops, 'operation')}: compiled on first use in chunks of {CHUNK}, "
            f"as {name}_math({params}) and {name}_numpy({params})\n")


def lazy_body(graph: GraphIR, namespace: dict[str, Any], name: str, body: str) -> Callable[..., Any]:
    def first_call(*args: Any) -> Any:
        sources, inputs = chunk_functions(graph, body, f"_{name}_{body}_")
        for src in sources:  # compiled one at a time: peak memory stays small
            exec(compile(src, f"<hybriddiff generated: {name}>", "exec"), namespace)  # our own graph
        calls = "".join(f"    _{name}_{body}_{c}(e)\n" for c in range(len(sources)))
        outs = {o: f"e[{o}]" if graph.nodes[o].kind != CONST else literal(graph.nodes[o].const)
                for o in [*graph.outputs, *graph.domains]}
        loads = "".join(f"    e[{i}] = {graph.nodes[i].name}\n" for i in inputs)
        lists = "".join(f"    {line}\n" for line in as_lists(graph)) if body == "math" else ""
        main = (f"def {name}_{body}({', '.join(graph.arg_names)}):\n{lists}    e = [None] * {len(graph.nodes)}\n"
                f"{loads}{calls}    {return_line(graph, outs)}\n")
        exec(compile(main, f"<hybriddiff generated: {name}>", "exec"), namespace)
        return namespace[f"{name}_{body}"](*args)
    return first_call


__all__ = ["CHUNK", "chunked_bodies"]
