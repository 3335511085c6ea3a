"""How a graph's inputs and outputs map to its function's arguments and return value.

Shared by every interpreter that runs a graph (evaluation, compiled code): scalar arguments are one
input each, a 1-D array argument of length n is n inputs; a batch of points is an array with extra
trailing axes, broadcast as NumPy does.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .ir import GraphIR



def flatten_args(graph: GraphIR, args: Sequence[Any]) -> list[Any]:
    """One value per graph input, from the function's arguments (with clear errors)."""
    if len(args) != len(graph.arg_sizes):
        raise TypeError(f"{graph.name}() takes {len(graph.arg_sizes)} argument(s) "
                        f"({', '.join(graph.arg_names)}), got {len(args)}")
    values: list[Any] = []
    for name, size, arg in zip(graph.arg_names, graph.arg_sizes, args):
        if isinstance(arg, str) or arg is None:
            raise TypeError(f"{graph.name}(): argument {name!r} is a {type(arg).__name__}; expected "
                            f"a number or an array")
        if size is None:
            values.append(arg)
            continue
        if isinstance(arg, (list, tuple)):
            arg = np.asarray(arg, dtype=object if any(not isinstance(a, (int, float, complex))
                                                       for a in arg) else None)
        if np.ndim(arg) == 0 or len(arg) != size:
            raise ValueError(f"{graph.name}(): argument {name!r} must have length {size} "
                             f"(got shape {np.shape(arg)})")
        values.extend(arg[i] for i in range(size))
    return values


def batch_shape(values: Sequence[Any]) -> tuple[int, ...]:
    """The broadcast shape of the array inputs (``()`` for plain numbers)."""
    shapes = [np.shape(v) for v in values if isinstance(v, np.ndarray) and v.dtype != object]
    return np.broadcast_shapes(*shapes) if shapes else ()


def output_groups(graph: GraphIR, outs: list[Any]) -> list[tuple[int | None, Any]]:
    """The outputs cut into the function's return groups: (None, one value) or (n, n values)."""
    groups, k = [], 0
    for size in graph.out_sizes:
        if size is None:
            groups.append((None, outs[k]))
            k += 1
        else:
            groups.append((size, outs[k:k + size]))
            k += size
    return groups


def assemble(graph: GraphIR, outs: list[Any], shape: tuple[int, ...] = ()) -> Any:
    """The return value from the output values: a number, or a list, tuple or array of them."""
    if shape:
        outs = [o if isinstance(o, np.ndarray) and o.shape == shape else np.broadcast_to(o, shape).copy()
                if _numeric(o) else o for o in outs]
    groups = [value if size is None else _stack(value) for size, value in output_groups(graph, outs)]
    if graph.out_container in ("scalar", "array"):
        return groups[0]
    return list(groups) if graph.out_container == "list" else tuple(groups)


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float, complex, np.number, np.ndarray))


def _stack(items: list[Any]) -> np.ndarray:
    if all(isinstance(i, (int, float, np.floating, np.integer)) for i in items):
        return np.array(items, dtype=float)
    if all(isinstance(i, np.ndarray) for i in items):
        return np.stack(items)
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out
