"""NumPy bodies that reuse their arrays: for a batch of points, every operation writes into a
buffer that an earlier, now dead, value no longer needs (``np.multiply(a, b, out=buf)``).

Allocating a fresh million-element array per operation costs more than the arithmetic (page
faults); reusing a handful of buffers makes a compiled derivative about as fast as one written by
hand. Used when all inputs are float64 arrays of one shape; otherwise the plain NumPy body runs.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .ir import INPUT, OP, GraphIR


def _last_uses(graph: GraphIR) -> dict[int, int]:
    last: dict[int, int] = {}
    for i, node in enumerate(graph.nodes):
        for a in node.args:
            last[a] = i
    for guard in graph.guards:
        at = max(guard.lhs, guard.rhs)
        for a in (guard.lhs, guard.rhs):
            last[a] = max(last.get(a, at), at)
    for o in graph.outputs:
        last[o] = len(graph.nodes)
    return last


def inplace_lines(graph: GraphIR, names: dict[int, str], expression: Any) -> tuple[list[str], dict[int, str]]:
    """Lines computing every operation into reused buffers ``b0, b1, ...``; and each node's name.

    ``names`` gives inputs and constants; ``expression(prim, args)`` is the allocating form, used
    for operations on constants only and for primitives that are not ufuncs.
    """
    last = _last_uses(graph)
    live = [node.kind == INPUT for node in graph.nodes]
    where = dict(names)
    owned: set[str] = set()   # buffers this function allocated (never the caller's arrays)
    pool: list[str] = []
    lines: list[str] = []
    checks: dict[int, list[int]] = {}
    for k, guard in enumerate(graph.guards):
        checks.setdefault(max(guard.lhs, guard.rhs), []).append(k)
    for i, node in enumerate(graph.nodes):
        if node.kind == OP:
            live[i] = any(live[a] for a in node.args)
            args = [where[a] for a in node.args]
            for a in set(node.args):  # dead after this operation: its buffer can take the result
                if last.get(a) == i and where[a] in owned:
                    pool.append(where[a])
            template = node.prim.out_source if live[i] else None
            if template is not None and pool:
                buffer = pool.pop()
                lines.append(template.format(*args, out=buffer))
            else:
                buffer = f"b{len(owned)}" if live[i] else f"c{i}"
                lines.append(f"{buffer} = {expression(node.prim, args)}")
                if live[i]:
                    owned.add(buffer)
            where[i] = buffer
        for k in checks.get(i, ()):
            guard = graph.guards[k]
            lhs, rhs = where[guard.lhs], where[guard.rhs]
            lines.append(f"hd_guard({k}, {lhs} {guard.op} {rhs}, {guard.outcome}, {lhs}, {rhs})")
    return lines, where


def same_float_arrays(*values: Any) -> bool:
    """True when every value is a float64 array (not 0-d) of one shape: the in-place body applies."""
    shape = None
    for v in values:
        if type(v) is not np.ndarray or v.dtype != np.float64 or v.ndim == 0:
            return False
        if shape is None:
            shape = v.shape
        elif v.shape != shape:
            return False
    return shape is not None
