"""The IR: ``Graph``, a hash-consed Wengert list. Nodes are appended after their inputs, so list order
is a topological order and no walk needs to sort or recurse.

``emit`` interns equal subexpressions (one node each), folds exact constant arithmetic (ints and
Fractions stay exact until evaluated; a fold whose result would pass ``FOLD_BITS`` bits is left
undone) and drops the trivial identities ``x + 0``, ``x * 1``, ``x / 1``, ``x ** 1`` and structural
zeros ``0 * x`` (an exact int 0, as SymPy and JAX's symbolic zeros do); negations move outwards
(exact), and ``u * (1/w)`` becomes ``u / w`` (one rounding instead of two; this is the only rewrite
that changes a result, by less than an ulp).

This is the leaf of the graph room: it imports no interpreter. Everything a user does with a graph
(evaluate, differentiate, print, draw, compile, convert to SymPy) lives in its own interpreter
module, and ``facade.Graph`` (this class plus one method per interpreter) is what users hold.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Sequence

from ..core import primitives as P
from ..core.record import Primitive

# The three kinds of node (compare with ``is``: these strings are the only values ``kind`` takes).
INPUT, CONST, OP = "input", "const", "op"


class Node:
    """One Wengert-list entry: an input, a constant, or a primitive applied to earlier nodes."""

    __slots__ = ("kind", "prim", "args", "const", "name")

    def __init__(self, kind: str, prim: Primitive | None = None, args: tuple[int, ...] = (),
                 const: Any = None, name: str | None = None):
        self.kind, self.prim, self.args, self.const, self.name = kind, prim, args, const, name

    def __repr__(self) -> str:
        if self.kind == INPUT:
            return f"Node(input {self.name})"
        if self.kind == CONST:
            return f"Node(const {self.const!r})"
        return f"Node({self.prim.name}{self.args})"


@dataclass
class Guard:
    """A branch decision recorded at trace time: ``lhs op rhs`` was ``outcome`` (node indices)."""

    lhs: int
    op: str
    rhs: int
    outcome: bool


def _exact(value: Any) -> bool:
    return type(value) is int or type(value) is Fraction


def _const_key(value: Any) -> tuple:
    # 1, 1.0 and True hash alike, -0.0 == 0.0: key on the type and the exact text.
    if type(value) in (int, float, complex, Fraction, bool):
        return (type(value).__name__, repr(value))
    return ("object", id(value))


# Folding stays small: a folded constant's numerator and denominator fit in FOLD_BITS bits, so it is
# a finite float when evaluated and prints as literals the expression language reads back. Past
# that (``((9**64)**64)**64`` typed on the command line) the node stays, and evaluates in floats
# (overflowing to inf) instead of building a huge integer.
FOLD_BITS = 1023


def _bits(value: Any) -> int:
    return max(value.numerator.bit_length(), value.denominator.bit_length())


def _fold_pow(a: Any, b: Any) -> Any:
    if type(b) is not int or abs(b) > 64 or (a == 0 and b < 0) or (_bits(a) - 1) * abs(b) > FOLD_BITS:
        return None
    return Fraction(a) ** b


_FOLD: dict[str, Callable[..., Any]] = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "neg": lambda a: -a,
    "div": lambda a, b: Fraction(a) / b if b != 0 else None,
    "pow": _fold_pow,
}


def _normal(value: Any) -> Any:
    return value.numerator if type(value) is Fraction and value.denominator == 1 else value


@dataclass(eq=False)
class GraphIR:
    """A traced function as a flat list of nodes: the data every interpreter reads and writes.

    >>> import hybriddiff as hd
    >>> g = hd.trace(lambda x: hd.exp(x * x - x) / x, 2.0)
    >>> [node.prim.name for node in g.nodes if node.kind is OP], g.outputs
    (['mul', 'sub', 'exp', 'div'], [4])
    """

    nodes: list[Node] = field(default_factory=list)
    inputs: list[int] = field(default_factory=list)
    outputs: list[int] = field(default_factory=list)
    arg_names: list[str] = field(default_factory=list)
    arg_sizes: list[int | None] = field(default_factory=list)   # None: a scalar argument
    out_sizes: list[int | None] = field(default_factory=lambda: [None])
    out_container: str = "scalar"                                # scalar, array, list or tuple
    guards: list[Guard] = field(default_factory=list)
    notes: dict[int, tuple] = field(default_factory=dict)  # node -> ("adjoint", of node, fallback text)
    name: str = "f"
    point: tuple | None = None  # the arguments it was traced at (tables and drawings default to it)
    _intern: dict = field(default_factory=dict, repr=False)
    _special: set = field(default_factory=set, repr=False)  # exact constants and negations: may fold

    # ------------------------------------------------------------------ building
    def add_input(self, name: str) -> int:
        self.nodes.append(Node(INPUT, name=name))
        self.inputs.append(len(self.nodes) - 1)
        return len(self.nodes) - 1

    def const(self, value: Any, name: str | None = None) -> int:
        """The node of a constant (one node per distinct constant); ``name`` ("pi") is how it prints."""
        if self._intern is None:
            self._rebuild_intern()
        key = _const_key(value) + ((name,) if name else ())
        index = self._intern.get(key)
        if index is None:
            self.nodes.append(Node(CONST, None, (), value, name))
            index = self._intern[key] = len(self.nodes) - 1
            if _exact(value):
                self._special.add(index)
        return index

    def emit(self, prim: Primitive, args: Sequence[int]) -> int:
        """The node of ``prim(*args)``: folded, simplified where exact, or shared when seen before."""
        args = tuple(args)
        if self._intern is None:
            self._rebuild_intern()
        special = self._special
        for a in args:
            if a in special:  # only exact constants and negations can fold: a set lookup otherwise
                folded = self._fold(prim, args)
                if folded is not None:
                    return folded
                break
        return self._intern_op(prim, args)

    def _intern_op(self, prim: Primitive, args: tuple[int, ...]) -> int:
        key = (prim.name, tuple(sorted(args)) if prim.commutative else args)
        index = self._intern.get(key)
        if index is None:
            self.nodes.append(Node(OP, prim, args))
            index = self._intern[key] = len(self.nodes) - 1
            if prim is P.neg or (prim is P.div and args[0] in self._special):
                self._special.add(index)  # negations and reciprocals 1/x take part in folds
        return index

    def _constant(self, index: int) -> tuple[bool, Any]:
        node = self.nodes[index]
        return (node.kind == CONST and _exact(node.const)), node.const

    def _fold(self, prim: Primitive, args: tuple[int, ...]) -> int | None:
        consts = [self._constant(a) for a in args]
        name = prim.name
        if all(exact for exact, _ in consts) and name in _FOLD:
            value = _FOLD[name](*[c for _, c in consts])
            if value is not None and _bits(value) <= FOLD_BITS:
                return self.const(_normal(value))
        if len(args) == 2:
            return self._fold_binary(name, args, consts)
        node = self.nodes[args[0]]
        if name == "neg" and node.kind == OP and node.prim is P.neg:
            return node.args[0]  # -(-x) = x
        return None

    def _negated(self, index: int) -> int | None:
        node = self.nodes[index]
        return node.args[0] if node.kind == OP and node.prim is P.neg else None

    def _fold_binary(self, name: str, args: tuple[int, int], consts: list) -> int | None:
        """The exact identities: x+0, x-0, x*1, x/1, x**1, x*(-1), 0*x (structural), x+(-y)."""
        (ea, a), (eb, b) = consts
        x, y = args
        if name == "add":
            if ea and a == 0:
                return y
            if eb and b == 0:
                return x
            if eb and b < 0:   # x + (-c) -> x - c, exactly
                return self.emit(P.sub, (x, self.const(-b)))
            if ea and a < 0:
                return self.emit(P.sub, (y, self.const(-a)))
            if self._negated(y) is not None:
                return self.emit(P.sub, (x, self._negated(y)))
            if self._negated(x) is not None:
                return self.emit(P.sub, (y, self._negated(x)))
        elif name == "sub":
            if eb and b == 0:
                return x
            if ea and a == 0:
                return self.emit(P.neg, (y,))
            if self._negated(y) is not None:
                return self.emit(P.add, (x, self._negated(y)))
        elif name == "mul":
            if (ea and a == 0) or (eb and b == 0):
                return self.const(0)
            for (exact, c), other in (((ea, a), y), ((eb, b), x)):
                if exact and c == 1:
                    return other
                if exact and c == -1:
                    return self.emit(P.neg, (other,))
            for u, v in ((x, y), (y, x)):
                if self._reciprocal_of(v) is not None:  # u * (1/w) -> u / w (one rounding, not two)
                    return self.emit(P.div, (u, self._reciprocal_of(v)))
        elif name in ("div", "pow") and eb and b == 1:
            return x
        elif name == "div" and eb and b == -1:
            return self.emit(P.neg, (x,))
        if name in ("mul", "div", "sub"):
            return self._pull_negation(name, x, y)
        return None

    def _reciprocal_of(self, index: int) -> int | None:
        node = self.nodes[index]
        if node.kind == OP and node.prim is P.div:
            exact, c = self._constant(node.args[0])
            if exact and c == 1:
                return node.args[1]
        return None

    def _pull_negation(self, name: str, x: int, y: int) -> int | None:
        """Negation is exact, so move it outwards where + and - can absorb it:
        (-a)*b, a*(-b), (-a)/b, a/(-b) -> -(a*b), -(a/b); (-a) - b -> -(a + b)."""
        nx, ny = self._negated(x), self._negated(y)
        if name in ("mul", "div") and (nx is None) != (ny is None):
            prim = P.mul if name == "mul" else P.div
            return self.emit(P.neg, (self.emit(prim, (nx, y) if nx is not None else (x, ny)),))
        if name == "sub" and nx is not None:
            return self.emit(P.neg, (self.emit(P.add, (nx, y)),))
        return None

    # ------------------------------------------------------------------ reading
    @property
    def n_ops(self) -> int:
        """How many operations (not inputs or constants) the graph has."""
        return sum(1 for node in self.nodes if node.kind == OP)

    def structure(self) -> tuple:
        """The graph as plain data, for comparing graphs: each node as ("input", name),
        ("const", type, text[, name]) or (primitive name, argument indices), then the outputs.

        >>> import hybriddiff as hd
        >>> hd.trace(lambda x: 2 * x, 1.0).structure()
        ((('input', 'x'), ('const', 'int', '2'), ('mul', (1, 0))), (2,))
        """
        nodes = tuple((INPUT, node.name) if node.kind == INPUT else
                      (CONST, *_const_key(node.const), *((node.name,) if node.name else ()))
                      if node.kind == CONST else (node.prim.name, node.args) for node in self.nodes)
        return nodes, tuple(self.outputs)

    def input_names(self) -> list[str]:
        return [self.nodes[i].name for i in self.inputs]

    def wengert_names(self) -> dict[int, str]:
        """Textbook names: inputs v_{1-n} ... v_0, then v_1, v_2, ... for operations."""
        names, n = {}, len(self.inputs)
        for k, i in enumerate(self.inputs):
            names[i] = f"v{k + 1 - n}"
        count = 0
        for i, node in enumerate(self.nodes):
            if node.kind == OP:
                count += 1
                names[i] = f"v{count}"
        return names

    def prune(self) -> "GraphIR":
        """A copy without the nodes that no output (and no guard) needs; inputs are kept."""
        needed = set(self.outputs) | set(self.inputs)
        for guard in self.guards:
            needed.update((guard.lhs, guard.rhs))
        for i in range(len(self.nodes) - 1, -1, -1):
            if i in needed:
                needed.update(self.nodes[i].args)
        if len(needed) == len(self.nodes):
            return self
        return self._copy_only(needed)

    def _copy_only(self, keep: set[int]) -> "GraphIR":
        """The kept nodes, renumbered; one flat loop, no re-interning (rebuilt when next needed)."""
        new = self.like()
        where: dict[int, int] = {}
        nodes = new.nodes
        for i, node in enumerate(self.nodes):
            if i not in keep:
                continue
            where[i] = len(nodes)
            if node.kind == OP:
                nodes.append(Node(OP, node.prim, tuple([where[a] for a in node.args])))
            else:
                nodes.append(node)
                if node.kind == INPUT:
                    new.inputs.append(where[i])
        new._intern = None
        for i, (kind, ref, text) in self.notes.items():
            if i in where:
                new.notes[where[i]] = (kind, where.get(ref), text)
        new.outputs = [where[o] for o in self.outputs]
        new.guards = [Guard(where[g.lhs], g.op, where[g.rhs], g.outcome) for g in self.guards]
        return new

    def _rebuild_intern(self) -> None:
        self._intern, self._special = {}, set()
        for i, node in enumerate(self.nodes):
            if node.kind == CONST:
                self._intern.setdefault(_const_key(node.const) + ((node.name,) if node.name else ()), i)
                if _exact(node.const):
                    self._special.add(i)
            elif node.kind == OP:
                args = tuple(sorted(node.args)) if node.prim.commutative else node.args
                self._intern.setdefault((node.prim.name, args), i)
                if node.prim is P.neg or (node.prim is P.div and node.args[0] in self._special):
                    self._special.add(i)

    def like(self) -> "GraphIR":
        """An empty graph of the same class, with the same arguments and output structure."""
        return type(self)(arg_names=list(self.arg_names), arg_sizes=list(self.arg_sizes),
                     out_sizes=list(self.out_sizes), out_container=self.out_container, name=self.name,
                     point=self.point)

