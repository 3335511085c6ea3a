"""Tracing: run a Python function on ``Tracer`` values and record what it does as a ``Graph``.

A tracer carries its node in the graph and, when traced at a point, its concrete value: Python
control flow (``if x > 1:``) uses that value and the graph records the decision as a guard. Loops
simply unroll. Tracers without values (``value is None``) are how derivative graphs are built.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable

import numpy as np

from ..core.checks import as_point, call_function, is_scalar, name_of
from ..core.dispatch import Box, BoxArray, bind, gc_paused, new_level
from ..core.overloads import Operators
from ..core.record import PRIMITIVES, Primitive
from ..errors import DifferentiationError, OutputTypeError
from .ir import GraphIR, Guard
from .nodes import CONST, OP


class Tracer(Operators, Box):
    """A value being recorded into ``graph`` as node ``index`` (``value``: its concrete value or None)."""

    __slots__ = ("graph", "index", "value", "_level")

    def __init__(self, graph: GraphIR, index: int, value: Any, level: int):
        self.graph, self.index, self.value, self._level = graph, index, value, level

    def _hd_apply(self, prim: Primitive, args: tuple) -> "Tracer":
        graph, level = self.graph, self._level
        indices, values, known = [], [], True
        for a in args:
            if type(a) is Tracer and a._level == level:
                indices.append(a.index)
                values.append(a.value)
                known = known and a.value is not None
            else:
                indices.append(graph.const(a))
                values.append(a)
        value = bind(prim, *values) if known else None
        index = graph.emit(prim, indices)
        if known and prim.name == "mul" and graph.nodes[index].kind == CONST:
            _keep_dropped(graph, indices)
        return Tracer(graph, index, value, level)

    def _hd_compare(self, op: Callable[[Any, Any], bool], other: Any, name: str) -> bool:
        same = type(other) is Tracer and other._level == self._level
        rhs_value = other.value if same else other
        if self.value is None or (same and other.value is None):
            raise DifferentiationError(
                f"a comparison ({name}) on a symbolic value: graphs built without a point cannot "
                f"branch; trace the function at a point with hd.trace(f, x)")
        outcome = bool(op(self.value, rhs_value))
        rhs = other.index if same else self.graph.const(other)
        self.graph.guards.append(Guard(self.index, name, rhs, outcome))
        return outcome

    def __repr__(self) -> str:
        return f"Tracer(v{self.index}, value={self.value!r})"


def _keep_dropped(graph: GraphIR, indices: list[int]) -> None:
    """``0 * v`` folds to the structural zero 0, dropping v; but f as written is nan where v is (0 *
    log(-1) is nan in floats), so v stays as a domain of the traced f: no value, no derivative there."""
    for i in indices:
        if graph.nodes[i].kind == OP and i not in graph.domains:
            graph.domains.append(i)


def _fast_binary(prim: Primitive, reflected: bool) -> Callable[[Tracer, Any], Any]:
    """``self op other`` (or ``other op self``) recorded without the generic dispatch."""
    scalar, drops = prim.scalar, prim.name == "mul"

    def op(self: Tracer, other: Any) -> Any:
        kind = type(other)
        if kind is Tracer and other._level == self._level and not reflected:
            j, y = other.index, other.value
        elif kind is float or kind is int:
            j, y = self.graph.const(other), other
        else:
            return bind(prim, other, self) if reflected else bind(prim, self, other)
        x = self.value
        a, b = (j, self.index) if reflected else (self.index, j)
        if x is None or y is None:
            value = None
        else:
            value = _value(prim, scalar, (y, x) if reflected else (x, y))
        index = self.graph.emit(prim, (a, b))
        if drops and value is not None and self.graph.nodes[index].kind == CONST:
            _keep_dropped(self.graph, [a, b])
        return Tracer(self.graph, index, value, self._level)

    return op


def _fast_unary(prim: Primitive) -> Callable[[Tracer], Any]:
    scalar = prim.scalar

    def op(self: Tracer) -> Any:
        value = None if self.value is None else _value(prim, scalar, (self.value,))
        return Tracer(self.graph, self.graph.emit(prim, (self.index,)), value, self._level)

    return op


def _value(prim: Primitive, scalar: Any, args: tuple) -> Any:
    if scalar is not None and all(type(a) is float for a in args):
        try:
            return scalar(*args)
        except (ArithmeticError, ValueError):
            pass
    return bind(prim, *args)


def _install_fast_paths() -> None:
    """Each primitive records straight into the graph; operators (the records' ``dunder``) too."""
    for prim in PRIMITIVES.values():
        if prim.arity == 1:
            prim.fast[Tracer] = _fast_unary(prim)
            if prim.dunder:
                setattr(Tracer, f"__{prim.dunder}__", prim.fast[Tracer])
        elif prim.arity == 2:
            prim.fast[Tracer] = _fast_binary(prim, False)
            if prim.dunder:
                setattr(Tracer, f"__{prim.dunder}__", prim.fast[Tracer])
                setattr(Tracer, f"__r{prim.dunder}__", _fast_binary(prim, True))


_install_fast_paths()


def parameter_names(f: Callable[..., Any], count: int) -> list[str]:
    """Names for f's arguments: its parameters' names where Python can tell, else x or x1, x2, ..."""
    try:
        params = [p for p in inspect.signature(f).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    names = [p.name for p in params[:count]]
    if len(names) < count:
        names = ["x"] if count == 1 else [f"x{k + 1}" for k in range(count)]
    return names


def record(f: Callable[..., Any], example_args: tuple, name: str | None = None,
           kind: type[GraphIR] = GraphIR) -> GraphIR:
    """Record f at the example point as a graph of class ``kind``; branches become guards.

    ``hd.trace`` (``facade.trace``) is this with the user-facing ``Graph`` as the kind.

    >>> g = record(lambda x1, x2: x1 * x2 - x1, (1.5, 0.5))
    >>> g.input_names(), g.n_ops
    (['x1', 'x2'], 2)
    """
    if not callable(f):
        raise TypeError(f"hd.trace: expected a function, got a {type(f).__name__}")
    if not example_args:
        raise TypeError("hd.trace(f, *example_args): give a point to trace f at, e.g. hd.trace(f, 2.0)")
    graph = kind(name=name or _function_name(f), point=tuple(example_args))
    level = new_level()
    lifted = []
    for arg_name, arg in zip(parameter_names(f, len(example_args)), example_args):
        point = as_point(arg, f"argument {arg_name!r}", "hd.trace")
        graph.arg_names.append(arg_name)
        if isinstance(point, np.ndarray):
            graph.arg_sizes.append(len(point))
            cells = np.empty(len(point), dtype=object).view(BoxArray)
            for i, v in enumerate(point):
                cells[i] = Tracer(graph, graph.add_input(f"{arg_name}[{i}]"), _item(v), level)
            lifted.append(cells)
        else:
            graph.arg_sizes.append(None)
            lifted.append(Tracer(graph, graph.add_input(arg_name), point, level))
    with gc_paused():
        out = call_function(f, lifted, "hd.trace")
    set_outputs(graph, out, level, "hd.trace")
    return graph


def _function_name(f: Callable[..., Any]) -> str:
    name = name_of(f)
    return "f" if not name.isidentifier() or name == "<lambda>" else name


def _item(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def set_outputs(graph: GraphIR, out: Any, level: int, where: str) -> None:
    """Record what f returned: one number, or a list, tuple or 1-D array of numbers."""
    def index_of(value: Any) -> int:
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value.item()   # np.where(x > 0, x, -x) returns a 0-d array holding a tracer
        if type(value) is Tracer and value._level == level:
            return value.index
        if not is_scalar(value):
            raise OutputTypeError(f"{where}: the function returned a {type(value).__name__}; "
                                       f"expected a number or a 1-D list, tuple or array of numbers")
        return graph.const(value)

    def is_array(value: Any) -> bool:
        return isinstance(value, np.ndarray) and value.ndim > 0

    if is_array(out) and out.ndim != 1:
        raise OutputTypeError(f"{where}: the function returned an array of shape {out.shape}")
    if is_array(out):
        graph.outputs = [index_of(o) for o in out]
        graph.out_container, graph.out_sizes = "array", [len(out)]
    elif isinstance(out, (list, tuple)):  # each entry a number or a 1-D array (a group)
        graph.outputs, graph.out_sizes = [], []
        for item in out:
            if is_array(item) and item.ndim == 1:
                graph.outputs += [index_of(o) for o in item]
                graph.out_sizes.append(len(item))
            else:
                graph.outputs.append(index_of(item))
                graph.out_sizes.append(None)
        graph.out_container = "list" if isinstance(out, list) else "tuple"
    else:
        graph.outputs = [index_of(out)]
        graph.out_container, graph.out_sizes = "scalar", [None]
    if graph.domains:   # operands dropped by 0 * v: the outputs join them (a derivative's domain)
        graph.domains = list(dict.fromkeys(graph.domains + [o for o in graph.outputs if graph.nodes[o].kind != CONST]))
