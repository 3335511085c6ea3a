"""Checkpointing: reverse mode that stores a function's inputs, not its intermediate values, and
recomputes them on the way back (the remedy for reverse mode's memory, Griewank's "revolve").

``checkpoint(g)``: inside reverse mode, g runs on values only; each output becomes one node whose
partials are *deferred*: when the sweep reaches it, g is recorded again from the stored inputs and
that local tape is swept with the incoming adjoint. Forward mode, tracing and plain numbers see g
unchanged. ``checkpointed_loop(step, x0, n, snapshots=s)``: the n-th iterate, whose reverse
derivative keeps at most s states and recomputes the rest on the binomial (revolve) schedule
(``schedule.py``).
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Sequence

import numpy as np

from ..core.dispatch import Box, BoxArray, new_level
from ..errors import DifferentiationError
from .reverse import Variable, make_leaf
from .schedule import Schedule, revolve
from .tape import recording, start_recording, stop_recording, sweep_one, sweep_tape, tape_of


class _Deferred:
    """The partial d out_j / d input_k of a checkpointed node: ``partial * out_bar`` (what every sweep
    computes) runs the recomputation then, with the real adjoint, so the operations inside g are the
    ones the unwrapped function would run."""

    __slots__ = ("shared", "j", "k")

    def __init__(self, shared: "_Recompute", j: int, k: int) -> None:
        self.shared, self.j, self.k = shared, j, k

    def __mul__(self, out_bar: Any) -> Any:
        return self.shared.adjoints(self.j, out_bar)[self.k]

    __rmul__ = __mul__

    def __repr__(self) -> str:
        return f"<deferred partial d out{self.j}/d in{self.k} ({self.shared.what})>"


class _Recompute:
    """What a checkpointed call keeps (its inputs' values) and how it gives the inputs' adjoints."""

    def __init__(self, what: str, vjp: Callable[[int, Any], list], n_out: int) -> None:
        self.what, self.vjp, self.n_out = what, vjp, n_out
        self.last: tuple[int, Any, list] | None = None

    def adjoints(self, j: int, out_bar: Any) -> list:
        last = self.last   # one output's partials are asked for one input after another
        if last is not None and last[0] == j and last[1] is out_bar:
            return last[2]
        bars = [0.0 if b is None else b for b in self.vjp(j, out_bar)]
        self.last = (j, out_bar, bars)
        return bars


def checkpoint(g: Callable[..., Any]) -> Callable[..., Any]:
    """g, but in reverse mode its intermediate values are recomputed on the way back, not stored.

    The result is the same (bit for bit where the inputs feed nothing else); the recorded tape holds
    one node per output of g instead of one per operation inside it. Checkpointed calls nest.

    >>> import hybriddiff as hd
    >>> def g(x):
    ...     for _ in range(100):
    ...         x = hd.sin(x) * 0.99 + 0.01
    ...     return x
    >>> hd.grad(hd.checkpoint(g))(0.3) == hd.grad(g)(0.3)
    True
    """
    if not callable(g):
        raise TypeError(f"hd.checkpoint: expected a function, got a {type(g).__name__}")

    @functools.wraps(g)
    def checkpointed(*args: Any, **options: Any) -> Any:
        if options and _variable_level(list(options.values())) is not None:
            raise TypeError("hd.checkpoint: pass differentiated values as positional arguments "
                            f"(keyword arguments are constants: {', '.join(options)})")
        if options:
            return checkpoint(functools.partial(g, **options))(*args)
        level = _variable_level(args)
        if level is None:
            return g(*args)   # forward mode, a traced graph, plain numbers: nothing to save
        inputs, primal = _split(args, level)

        def vjp(j: int, out_bar: Any) -> list:
            local = new_level()
            leaves = [make_leaf(v.value, local) for v in inputs]
            with recording(local) as tape:
                outs = _outputs(g(*_rebuild(primal, leaves)), "hd.checkpoint")
                out = outs[j]
                if type(out) is not Variable or out._level != local:
                    return [None] * len(leaves)
                return sweep_tape(tape, ((out, out_bar),), leaves)

        out = g(*_rebuild(primal, [v.value for v in inputs]))
        return _nodes(out, inputs, level, lambda m: _Recompute(f"checkpoint of {_name(g)}", vjp, m))

    return checkpointed


def checkpointed_loop(step: Callable[[Any], Any], x0: Any, n: int, snapshots: int = 20) -> Any:
    """``step`` applied ``n`` times to ``x0`` (a number or a 1-D array): the n-th iterate. In reverse
    mode the tape holds one node per component of the result; the derivative keeps at most
    ``snapshots`` intermediate states and recomputes the others on the binomial schedule (revolve:
    ``hd.revolve(n, snapshots)`` shows it), so memory is O(snapshots) states and recomputation grows
    like n log n.

    >>> import hybriddiff as hd
    >>> logistic = lambda x: 3.7 * x * (1 - x)
    >>> f = lambda x: hd.checkpointed_loop(logistic, x, 50, snapshots=4)
    >>> plain = lambda x: [x := logistic(x) for _ in range(50)][-1]
    >>> abs(hd.grad(f)(0.3) - hd.grad(plain)(0.3)) <= 1e-9 * abs(hd.grad(plain)(0.3))
    True
    """
    if not callable(step):
        raise TypeError(f"hd.checkpointed_loop: step must be a function, got a {type(step).__name__}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"hd.checkpointed_loop: n must be a whole number of steps >= 0, got {n!r}")
    if isinstance(snapshots, bool) or not isinstance(snapshots, (int, np.integer)) or snapshots < 0:
        raise ValueError(f"hd.checkpointed_loop: snapshots must be an int >= 0, got {snapshots!r}")
    level = _variable_level((x0,))
    if level is None:
        x = x0
        for _ in range(n):
            x = step(x)
        return x
    inputs, (primal,) = _split((x0,), level)
    state0 = _rebuild((primal,), [v.value for v in inputs])[0]
    plan = revolve(int(n), int(snapshots))

    def vjp(j: int, out_bar: Any) -> list:
        seed = _unit(state0, j, out_bar)
        bar = plan.run(state0, seed, step, _step_vjp(step))
        bars = list(bar) if np.ndim(bar) else [bar]
        marks = primal if isinstance(primal, list) else [primal]
        return [b for b, mark in zip(bars, marks) if type(mark) is _Slot]

    x = state0
    for _ in range(n):
        x = step(x)
    return _nodes(x, inputs, level, lambda m: _Recompute(f"checkpointed loop of {n} steps", vjp, m))


def _step_vjp(step: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
    """x, x_bar_next -> x_bar: one step recorded at x and swept with the adjoint of its result."""
    def scalar(x: Any, bar: Any) -> Any:   # (a number as the state: the common case, kept short)
        local = new_level()
        leaf = make_leaf(x, local)
        tape = start_recording(local, [])
        try:
            out = step(leaf)
            if type(out) is not Variable or out._level != local:
                _outputs(out, "hd.checkpointed_loop")   # (a clear error for a wrong result)
                return 0.0
            x_bar = sweep_one(tape, out, leaf, bar)
        finally:
            stop_recording(local)
        return 0.0 if x_bar is None else x_bar

    def vjp(x: Any, bar: Any) -> Any:
        if not np.ndim(x):
            return scalar(x, bar)
        local = new_level()
        array = np.ndim(x) > 0
        leaves = [make_leaf(v, local) for v in (list(x) if array else [x])]
        arg = _object_array(leaves) if array else leaves[0]
        with recording(local) as tape:
            outs = _outputs(step(arg), "hd.checkpointed_loop")
            seeds = list(bar) if np.ndim(bar) else [bar]
            if len(seeds) != len(outs):
                raise DifferentiationError(f"hd.checkpointed_loop: step returned {len(outs)} values for a "
                                           f"state of {len(seeds)}")
            roots = [(o, b) for o, b in zip(outs, seeds) if type(o) is Variable and o._level == local]
            bars = sweep_tape(tape, roots, leaves) if roots else [None] * len(leaves)
        bars = [0.0 if b is None else b for b in bars]
        return _as_state(bars) if array else bars[0]
    return vjp


# ---------------------------------------------------------------- values, boxes and containers
def _elements(x: Any) -> list:
    return list(x) if isinstance(x, np.ndarray) else [x]


def _is_input(v: Any, level: int) -> bool:
    return type(v) is Variable and v._level == level


def _variable_level(args: Sequence[Any]) -> int | None:
    """The level of the innermost operator if it is reverse mode (its boxes are Variables), else None."""
    top, level = None, -1
    for a in args:
        for v in _elements(a):
            if isinstance(v, Box) and v._level > level:
                top, level = v, v._level
    return level if type(top) is Variable else None


def _split(args: Sequence[Any], level: int) -> tuple[list, list]:
    """(the Variables of ``level`` among the arguments' elements, the arguments with each replaced by
    a marker: its position among them)."""
    inputs: list = []
    primal = []
    for a in args:
        items = []
        for v in _elements(a):
            if _is_input(v, level):
                items.append(_Slot(len(inputs)))
                inputs.append(v)
            else:
                items.append(v)
        primal.append(items if isinstance(a, np.ndarray) else items[0])
    return inputs, primal


class _Slot:
    __slots__ = ("k",)

    def __init__(self, k: int) -> None:
        self.k = k


def _rebuild(primal: Sequence[Any], values: Sequence[Any]) -> list:
    """The arguments again, with ``values[k]`` where input k was (arrays as float arrays if plain)."""
    out = []
    for a in primal:
        if isinstance(a, list):
            out.append(_as_state([values[v.k] if type(v) is _Slot else v for v in a]))
        else:
            out.append(values[a.k] if type(a) is _Slot else a)
    return out


def _as_state(items: list) -> Any:
    if all(type(i) in (float, int) or isinstance(i, np.floating) for i in items):
        return np.array(items, dtype=float)
    return _object_array(items)


def _object_array(items: list) -> Any:
    out = np.empty(len(items), dtype=object).view(BoxArray)
    out[:] = items
    return out


def _unit(state: Any, j: int, out_bar: Any) -> Any:
    if not np.ndim(state):
        return out_bar
    seed: list = [0.0] * len(state)
    seed[j] = out_bar
    return seed


def _outputs(out: Any, where: str) -> list:
    if isinstance(out, (list, tuple)):
        return list(out)
    if isinstance(out, np.ndarray):
        if out.ndim > 1:
            raise DifferentiationError(f"{where}: outputs must be numbers or 1-D arrays, got shape {out.shape}")
        return list(out) if out.ndim else [out.item()]
    return [out]


def _nodes(out: Any, inputs: list, level: int, shared: Callable[[int], _Recompute]) -> Any:
    """One node per output component (parents: the inputs; partials: deferred), in out's container."""
    outs = _outputs(out, "hd.checkpoint")
    recompute = shared(len(outs))
    tape = tape_of(level)
    nodes = []
    for j, o in enumerate(outs):
        node = Variable._node(o, tuple(inputs), tuple(_Deferred(recompute, j, k) for k in range(len(inputs))),
                              level)
        if tape is not None:
            tape.append(node)
        nodes.append(node)
    if isinstance(out, (list, tuple)):
        return type(out)(nodes)
    if isinstance(out, np.ndarray) and out.ndim:
        return _object_array(nodes)
    return nodes[0]


def _name(g: Any) -> str:
    return getattr(g, "__name__", type(g).__name__)


__all__ = ["checkpoint", "checkpointed_loop", "Schedule", "revolve"]
