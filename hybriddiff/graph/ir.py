"""The IR: ``Graph``, a hash-consed Wengert list. Nodes are appended after their inputs, so list order
is a topological order and no walk needs to sort or recurse.

``emit`` interns equal subexpressions (one node each) after the exact rewrites of ``folding.py``
(constant folding, trivial identities, negations moved outwards). The node records are in
``nodes.py``.

This is the leaf of the graph room: it imports no interpreter. Everything a user does with a graph
(evaluate, differentiate, print, draw, compile, convert to SymPy) lives in its own interpreter
module, and ``facade.Graph`` (this class plus one method per interpreter) is what users hold.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from ..core import primitives as P
from ..core.record import Primitive
from .folding import FOLD_BITS, Folding
from .nodes import CONST, INPUT, OP, Guard, Node, const_key, exact, plain_number

@dataclass(eq=False)
class GraphIR(Folding):
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
    domains: list[int] = field(default_factory=list)   # where one of these is nan, every output is nan
                                                       # (a derivative graph's primal outputs: no
                                                       # derivative where f itself is undefined)
    notes: dict[int, tuple] = field(default_factory=dict)  # node -> ("adjoint", of node, fallback text)
    name: str = "f"
    point: tuple | None = None  # the arguments it was traced at (tables and drawings default to it)
    _intern: dict = field(default_factory=dict, repr=False)
    _special: set = field(default_factory=set, repr=False)  # exact constants and negations: may fold
    _floats: set = field(default_factory=set, repr=False)   # float constants: fold only in xmul and pow
    emitted: int = field(default=0, repr=False)   # operations asked for while building, before folds and
                                                  # sharing: what running the traced code once performs

    # ------------------------------------------------------------------ building
    def add_input(self, name: str) -> int:
        self.nodes.append(Node(INPUT, name=name))
        self.inputs.append(len(self.nodes) - 1)
        return len(self.nodes) - 1

    def const(self, value: Any, name: str | None = None) -> int:
        """The node of a constant (one node per distinct constant); ``name`` ("pi") is how it prints.

        NumPy scalars (``np.int64(2)`` from indexing an array, ``np.float32``, the count ``np.mean``
        divides by) become the Python number of the same value; booleans become ints."""
        value = plain_number(value)
        if self._intern is None:
            self._rebuild_intern()
        key = const_key(value) + ((name,) if name else ())
        index = self._intern.get(key)
        if index is None:
            self.nodes.append(Node(CONST, None, (), value, name))
            index = self._intern[key] = len(self.nodes) - 1
            if exact(value):
                self._special.add(index)
            elif type(value) is float:
                self._floats.add(index)
        return index

    def emit(self, prim: Primitive, args: Sequence[int]) -> int:
        """The node of ``prim(*args)``: folded, simplified where exact, or shared when seen before."""
        args = tuple(args)
        self.emitted += 1
        if self._intern is None:
            self._rebuild_intern()
        special = self._special
        for a in args:
            if a in special:  # only exact constants and negations can fold: a set lookup otherwise
                break
        else:   # a float constant folds only as xmul's first factor or pow's exponent (0.0 and 0.0)
            if not ((prim.strong_zero or prim is P.pow) and any(a in self._floats for a in args)):
                return self._intern_op(prim, args)
        folded = self._fold(prim, args)
        return folded if folded is not None else self._intern_op(prim, args)

    def _intern_op(self, prim: Primitive, args: tuple[int, ...]) -> int:
        key = (prim.name, tuple(sorted(args)) if prim.commutative else args)
        index = self._intern.get(key)
        if index is None:
            self.nodes.append(Node(OP, prim, args))
            index = self._intern[key] = len(self.nodes) - 1
            if prim is P.neg or (prim is P.div and args[0] in self._special):
                self._special.add(index)  # negations and reciprocals 1/x take part in folds
        return index

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
                      (CONST, *const_key(node.const), *((node.name,) if node.name else ()))
                      if node.kind == CONST else (node.prim.name, node.args) for node in self.nodes)
        return (nodes, tuple(self.outputs)) + ((tuple(self.domains),) if self.domains else ())

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
        needed = set(self.outputs) | set(self.inputs) | set(self.domains)
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
        new.domains = [where[d] for d in self.domains]
        return new

    def _rebuild_intern(self) -> None:
        self._intern, self._special, self._floats = {}, set(), set()
        for i, node in enumerate(self.nodes):
            if node.kind == CONST:
                self._intern.setdefault(const_key(node.const) + ((node.name,) if node.name else ()), i)
                if exact(node.const):
                    self._special.add(i)
                elif type(node.const) is float:
                    self._floats.add(i)
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


__all__ = ["GraphIR", "Node", "Guard", "INPUT", "CONST", "OP", "FOLD_BITS"]
