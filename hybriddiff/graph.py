"""The IR: ``Graph``, a hash-consed Wengert list. Nodes are appended after their inputs, so list order
is a topological order and no walk needs to sort or recurse.

``emit`` interns equal subexpressions (one node each), folds exact constant arithmetic (ints and
Fractions stay exact until evaluated) and drops the trivial identities ``x + 0``, ``x * 1``,
``x / 1``, ``x ** 1`` and structural zeros ``0 * x`` (an exact int 0, as SymPy and JAX's symbolic
zeros do); negations move outwards (exact), and ``u * (1/w)`` becomes ``u / w`` (one rounding
instead of two; this is the only rewrite that changes a result, by less than an ulp). Everything a user does with a graph (evaluate, differentiate, print, draw, compile,
convert to SymPy) lives in its own interpreter module; the methods here only delegate.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Sequence

from . import primitives as P
from .core import Primitive

INPUT, CONST, OP = "input", "const", "op"
COMMUTATIVE = frozenset({"add", "mul", "maximum", "minimum", "hypot"})


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


_FOLD: dict[str, Callable[..., Any]] = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "neg": lambda a: -a,
    "div": lambda a, b: Fraction(a) / b if b != 0 else None,
    "pow": lambda a, b: Fraction(a) ** b if type(b) is int and abs(b) <= 64 and (a != 0 or b >= 0) else None,
}


def _normal(value: Any) -> Any:
    return value.numerator if type(value) is Fraction and value.denominator == 1 else value


@dataclass(eq=False)
class Graph:
    """A traced function as a flat list of nodes (build one with ``hd.trace``).

    >>> import hybriddiff as hd
    >>> g = hd.trace(lambda x: hd.exp(x * x - x) / x, 2.0)
    >>> round(g(2.0), 12), len(g.nodes)
    (3.694528049465, 5)
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

    def const(self, value: Any) -> int:
        """The node of a constant (one node per distinct constant)."""
        if self._intern is None:
            self._rebuild_intern()
        key = _const_key(value)
        index = self._intern.get(key)
        if index is None:
            self.nodes.append(Node(CONST, None, (), value))
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
        key = (prim.name, tuple(sorted(args)) if prim.name in COMMUTATIVE else args)
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
            if value is not None:
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

    def prune(self) -> "Graph":
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

    def _copy_only(self, keep: set[int]) -> "Graph":
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
                self._intern.setdefault(_const_key(node.const), i)
                if _exact(node.const):
                    self._special.add(i)
            elif node.kind == OP:
                args = tuple(sorted(node.args)) if node.prim.name in COMMUTATIVE else node.args
                self._intern.setdefault((node.prim.name, args), i)
                if node.prim is P.neg or (node.prim is P.div and node.args[0] in self._special):
                    self._special.add(i)

    def like(self) -> "Graph":
        """An empty graph with the same arguments and output structure."""
        return Graph(arg_names=list(self.arg_names), arg_sizes=list(self.arg_sizes),
                     out_sizes=list(self.out_sizes), out_container=self.out_container, name=self.name,
                     point=self.point)

    # ------------------------------------------------------------------ interpreters
    def __call__(self, *args: Any) -> Any:
        """Evaluate at floats, complex or mpmath numbers, or NumPy arrays (a batch at once)."""
        from .evaluate import evaluate
        return evaluate(self, args)

    def grad(self, wrt: int | Sequence[int] | None = None) -> "Graph":
        """The gradient as a graph (reverse sweep emitting nodes); ``wrt``: argument number(s)."""
        from .diffgraph import grad_graph
        return grad_graph(self, wrt)

    def derivative(self, wrt: int = 0) -> "Graph":
        """d outputs / d argument ``wrt`` as a graph (forward mode emitting nodes)."""
        from .diffgraph import derivative_graph
        return derivative_graph(self, wrt)

    def jvp(self) -> "Graph":
        """The forward tangent as a graph with extra inputs ``x_dot`` (one per input)."""
        from .diffgraph import jvp_graph
        return jvp_graph(self)

    def source(self, backend: str = "numpy", name: str | None = None) -> str:
        """Readable Python source: one assignment per node, adjoints commented."""
        from .codegen import source
        return source(self, backend, name)

    def compile(self, backend: str = "numpy") -> Callable[..., Any]:
        """The graph as a fast Python function (math for floats, NumPy for arrays)."""
        from .codegen import compile_graph
        return compile_graph(self, backend)

    def to_sympy(self, nested: bool = False) -> tuple[list, list]:
        """``(assignments, outputs)``: one SymPy assignment per operation, so any depth converts
        (``nested=True``: one expression per output, for small graphs)."""
        from .symbolic import to_sympy
        return to_sympy(self, nested)

    @staticmethod
    def from_sympy(expr: Any, inputs: Sequence[Any], template: "Graph | None" = None, name: str = "f") -> "Graph":
        """A graph from a SymPy expression, a list of them, or an ``(assignments, outputs)`` pair."""
        from .symbolic import from_sympy
        return from_sympy(expr, inputs, template, name)

    def simplify(self, timeout: float | None = 3.0, strategy: str = "auto", full_output: bool = False) -> Any:
        """A simplified copy through SymPy (time-boxed, never bigger); ``full_output``: (graph, report)."""
        from .simplify import simplify
        graph, report = simplify(self, timeout, strategy)
        return (graph, report) if full_output else graph

    def latex(self, nested: bool = True) -> str:
        """LaTeX: one formula when small, else the assignments in an ``aligned`` block."""
        from .symbolic import latex
        return latex(self, nested)

    def _at(self, args: tuple) -> tuple:
        if args:
            return args
        if self.point is None or len(self.point) != len(self.arg_sizes):
            raise TypeError(f"give the point to evaluate {self.name} at (its arguments: "
                            f"{', '.join(self.arg_names)})")
        return self.point

    def primal_table(self, *args: Any) -> Any:
        """The primal trace (Baydin et al. Table 2, left) at ``args`` (default: the trace point)."""
        from .tables import primal_table
        return primal_table(self, *self._at(args))

    def draw(self, *args: Any, mode: str | None = None, tangent: Any = None, max_nodes: int = 300) -> Any:
        """An SVG picture of the graph; with a point (default: the trace point), values on the
        nodes, and tangents (``mode="forward"``) or adjoints (``mode="reverse"``)."""
        from .draw import draw
        at = args or (self.point if self.point is not None and len(self.point) == len(self.arg_sizes) else ())
        return draw(self, *at, mode=mode, tangent=tangent, max_nodes=max_nodes)

    def _repr_svg_(self) -> str | None:
        if self.n_ops > 300:
            return None  # Jupyter falls back to the text listing
        return self.draw()._repr_svg_()

    def to_dot(self, *args: Any, mode: str | None = None, tangent: Any = None) -> str:
        """Graphviz DOT text of the graph (labels as in ``draw``)."""
        from .draw import to_dot
        return to_dot(self, *args, mode=mode, tangent=tangent)

    def __repr__(self) -> str:
        from .listing import listing
        return listing(self)

    __str__ = __repr__
