"""Reverse mode: ``Variable`` records each operation with its local partials; ``backward`` sweeps the
recorded graph from dy/dy = 1, accumulating adjoints (``x_bar``) where a value fans out.

The sweep is iterative (Kahn's algorithm on consumer counts), so a chain of a million operations
needs no recursion and no sort. The graph lives only as long as the user holds its output; after
``backward`` the output is cut from it, so the tape is freed and a second ``backward`` from the same
output says so (PyTorch's habit), unless ``retain_graph=True``.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy as np

from ..core import fastpath
from ..core.dispatch import Box, bind, constant_result, partials_at
from ..core.overloads import Operators
from ..core.record import Primitive
from .tape import freed_error as _freed_error
from .tape import tape_of

EAGER_LEVEL = 2  # a hand-built Variable outranks a hand-built Dual: Variable(Dual(...)) nests
_FREED = None    # _parents of an interior node after its graph was freed


class Variable(Operators, Box):
    """A value recorded for reverse mode (micrograd/PyTorch habit).

    ``backward()`` adds dy/dx into each leaf's ``grad``: gradients *accumulate* over calls (call
    ``zero_grad()`` before an independent sweep), and the sweep frees the graph unless
    ``retain_graph=True``. (``hd.grad`` and the other operators record afresh on every call.)

    >>> import hybriddiff as hd
    >>> x = hd.Variable(2.0)
    >>> y = hd.exp(x * x - x) / x
    >>> y.backward()
    >>> round(x.grad, 12)
    9.236320123663
    """

    __slots__ = ("value", "_grad", "_parents", "_partials", "_level", "_mark", "_bar", "__weakref__")

    def __init__(self, value: Any, level: int | None = None):
        if type(value) is np.float64 and level is None:  # NumPy's scalars: the float fast paths
            value = float(value)
        if type(value) is float and level is None:
            self.value, self._grad, self._parents, self._partials = value, None, (), ()
            self._mark, self._bar, self._level = 0, None, EAGER_LEVEL
            return
        if isinstance(value, str) or value is None:
            raise TypeError(f"hd.Variable needs a number, got {value!r}")
        self.value = value
        self._grad = None
        self._parents: tuple | None = ()
        self._partials: tuple = ()
        self._mark, self._bar = 0, None
        self._level = level if level is not None else max(EAGER_LEVEL, getattr(value, "_level", -1) + 1)

    @classmethod
    def _node(cls, value: Any, parents: tuple, partials: tuple, level: int) -> "Variable":
        node = cls.__new__(cls)
        node.value, node._parents, node._partials, node._level = value, parents, partials, level
        node._mark, node._bar = 0, None
        return node

    @property
    def grad(self) -> Any:
        """The accumulated adjoint dy/dx of a leaf after ``y.backward()`` (None before)."""
        return getattr(self, "_grad", None)  # interior nodes never set it (saves time per node)

    @grad.setter
    def grad(self, value: Any) -> None:
        self._grad = value

    @property
    def is_leaf(self) -> bool:
        """True for a Variable made by the user (or an operator), not by an operation."""
        return self._parents == () and not self._partials

    def _hd_apply(self, prim: Primitive, args: tuple) -> "Variable":
        level = self._level
        if prim.piecewise_constant or prim.strong_zero:   # maybe a constant (derivative 0 for sure)
            constant = constant_result(prim, args, self.value)
            if constant is not None:
                return constant
        primals = [a.value if type(a) is Variable and a._level == level else a for a in args]
        out = bind(prim, *primals)
        parents, partials = [], []
        for i, a in enumerate(args):
            if type(a) is Variable and a._level == level:
                if a._parents is _FREED:
                    raise _freed_error()
                parents.append(a)
                partials.append(partials_at(prim, i, primals, out))
        node = Variable._node(out, tuple(parents), tuple(partials), level)
        tape = tape_of(level)
        if tape is not None:
            tape.append(node)
        return node

    def _hd_compare(self, op: Callable[[Any, Any], bool], other: Any, name: str) -> bool:
        if type(other) is Variable and other._level == self._level:
            other = other.value
        return op(self.value, other)

    def backward(self, seed: Any = 1.0, retain_graph: bool = False) -> None:
        """Sweep from this output with adjoint ``seed`` (dy/dy = 1); leaves accumulate ``.grad``."""
        sweep([(self, seed)], retain_graph=retain_graph, into_grad=True)

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (before a second, independent backward)."""
        self.grad = None

    def __repr__(self) -> str:
        grad = "" if self.grad is None else f", grad={self.grad!r}"
        return f"Variable(value={self.value!r}{grad})"

    def __reduce__(self) -> tuple:
        """Pickles the recorded tape as a flat list (pickle's own walk would recurse once per
        operation and fail on a long tape), rebuilt by ``_unpickle_tape``."""
        order: list[Variable] = []
        where: dict[int, int] = {}
        stack: list[tuple[Variable, bool]] = [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                if id(node) not in where:
                    where[id(node)] = len(order)
                    order.append(node)
                continue
            if id(node) in where:
                continue
            stack.append((node, True))
            stack.extend((p, False) for p in (node._parents or ()) if id(p) not in where)
        records = [(n.value, n._level, getattr(n, "_grad", None), n._partials,
                    None if n._parents is _FREED else tuple(where[id(p)] for p in n._parents))
                   for n in order]
        return (_unpickle_tape, (records,))

    __str__ = __repr__


def make_leaf(value: Any, level: int) -> Variable:
    """A leaf Variable at ``level`` without the constructor's checks (the operators' own)."""
    leaf = _new(Variable)
    leaf.value, leaf._parents, leaf._partials, leaf._level = value, (), (), level
    leaf._mark, leaf._bar = 0, None
    return leaf


_new = object.__new__


fastpath.install(Variable, "variable", {"Box_": Variable, "_tape_of": tape_of})


def _unpickle_tape(records: list[tuple]) -> Variable:
    """The tape of a pickled Variable, node by node (parents first); the last node is the Variable."""
    nodes: list[Variable] = []
    for value, level, grad, partials, parents in records:
        parents = _FREED if parents is None else tuple(nodes[k] for k in parents)
        node = Variable._node(value, parents, partials, level)
        if grad is not None:
            node._grad = grad
        nodes.append(node)
    return nodes[-1]


def sweep(roots: Iterable[tuple[Variable, Any]], retain_graph: bool = False,
          into_grad: bool = False) -> dict[int, tuple[Variable, Any]]:
    """Adjoints of the leaves reached from ``roots`` ((output, output_bar) pairs): {id: (leaf, x_bar)}.

    Two passes, no recursion, no sort (Kahn's algorithm): count each node's consumers, then release
    a node once every consumer has added its share ``x_bar += partial * out_bar``. The counts and
    partial sums live on the nodes themselves (``_mark``, ``_bar``) and are cleared on the way.
    With ``into_grad`` the leaves' adjoints are added to their ``.grad`` (after the whole sweep
    succeeded) instead of returned.
    """
    roots = list(roots)
    try:
        # Pass 1: _mark = 1 + the number of operations (reachable from the roots) using the node.
        stack = []
        for root, _ in roots:
            if not root._mark:
                root._mark = 1
                stack.append(root)
        pop, push = stack.pop, stack.append
        while stack:
            parents = pop()._parents
            if parents is _FREED:
                raise _freed_error()
            for parent in parents:
                mark = parent._mark
                if mark:
                    parent._mark = mark + 1
                else:
                    parent._mark = 2
                    push(parent)
        # Pass 2: from the outputs; a node is ready once all its consumers added their share.
        for root, out_bar in roots:
            if root._bar is None:
                root._bar = out_bar
                if root._mark == 1:
                    push(root)
            else:
                root._bar = root._bar + out_bar
        leaves: dict[int, tuple[Variable, Any]] = {}
        while stack:
            node = pop()
            out_bar, node._bar, node._mark = node._bar, None, 0
            parents = node._parents
            if parents:
                partials = node._partials
                # x_bar += partial * out_bar for each argument.
                parent = parents[0]
                x_bar = parent._bar
                parent._bar = partials[0] * out_bar if x_bar is None else x_bar + partials[0] * out_bar
                parent._mark = mark = parent._mark - 1
                if mark == 1:
                    push(parent)
                if len(parents) > 1:   # (no range() for the common one and two: a third of the time)
                    for k in ((1,) if len(parents) == 2 else range(1, len(parents))):
                        parent = parents[k]
                        x_bar = parent._bar
                        parent._bar = partials[k] * out_bar if x_bar is None else x_bar + partials[k] * out_bar
                        parent._mark = mark = parent._mark - 1
                        if mark == 1:
                            push(parent)
            else:
                leaves[id(node)] = (node, out_bar)
        if into_grad:   # only once the whole sweep succeeded: a failure adds nothing to any .grad
            for node, out_bar in leaves.values():
                grad = getattr(node, "_grad", None)
                node._grad = out_bar if grad is None else grad + out_bar
            leaves = {}
        if not retain_graph:
            # Cut the outputs from their operations: nothing else refers to the tape, so reference
            # counting frees it now, and a second backward() from these outputs says so.
            for root, _ in roots:
                if root._parents:
                    root._parents, root._partials = _FREED, ()
        return leaves
    except BaseException:
        _clear_marks(roots)
        raise


def _clear_marks(roots: list) -> None:
    """After a failed sweep: reset the counts and partial sums on every node reachable from the
    roots. (The walk cannot stop at a node already reset: the sweep resets a node before it fails
    on its arguments, whose counts would stay stale and make the next sweep return nothing.)"""
    seen: set[int] = set()
    stack = [root for root, _ in roots]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        node._mark, node._bar = 0, None
        stack.extend(node._parents or ())


def adjoint_of(leaves: dict[int, tuple[Variable, Any]], x: Any, zero: Any = 0.0) -> Any:
    """The adjoint a sweep found for input ``x`` (``zero`` when the output does not depend on it)."""
    found = leaves.get(id(x))
    return found[1] if found is not None else zero


__all__ = ["Variable", "sweep", "adjoint_of", "make_leaf"]
