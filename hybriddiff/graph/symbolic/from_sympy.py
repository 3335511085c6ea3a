"""From SymPy to a graph: an iterative walk (explicit stack, post-order), shared subexpressions once.

SymPy's classes map back to primitives through the records' ``sympy_heads`` (built once); ``Add``,
``Mul`` and the records marked ``sympy_nary`` (``Max``, ``Min``) are n-ary and fold left. ``Mul`` gathers negative powers into one
division (``x*y**-2`` is ``x / (y*y)``) and a negative coefficient into a negation (so ``a - 2*b``
becomes ``sub(a, mul(2, b))``); ``x**(1/2)`` is ``sqrt``, ``x**2`` is ``x*x`` (cheaper and exact),
``x**-1`` is ``1/x``; ``sign(a)*Abs(a)**(1/3)`` (how the table writes the real cube root) is ``cbrt``.
``exp(x) - 1`` stays a subtraction. ``cot``, ``sec``, ``csc`` and their hyperbolic kin (which
``sympy.simplify`` likes to produce; the records' ``sympy_reciprocals``) become ``1/tan`` and so on. Anything else (``besselj``,
``gamma``, ``Integral``, ``Derivative``, ``Piecewise``, ``zoo``...) is a ``DifferentiationError``
naming it. (A little over 300 lines: SymPy's canonical forms, Add, Mul and Pow, need their own
plans, kept together with the walk that uses them.)
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable, Sequence

from ...core import primitives as P
from ...core.dispatch import gc_paused
from ...core.record import PRIMITIVES, Primitive
from ...errors import DifferentiationError
from ..ir import GraphIR
from .bridge import symbol_name


Plan = tuple[list[Any], Callable[[list[int]], int]]
_SPELLINGS: dict[int, tuple[dict[str, Primitive], dict[str, Primitive]]] = {}


def heads() -> dict[str, Primitive]:
    """SymPy class name -> primitive, from the records' ``sympy_heads`` (follows the table).

    >>> heads()["atan2"], heads()["Abs"]
    (<primitive arctan2>, <primitive abs>)
    """
    return _spellings()[0]


def reciprocals() -> dict[str, Primitive]:
    """SymPy function name -> the primitive it is the reciprocal of (``cot`` -> tan).

    >>> reciprocals()["sec"]
    <primitive cos>
    """
    return _spellings()[1]


def _spellings() -> tuple[dict[str, Primitive], dict[str, Primitive]]:
    found = _SPELLINGS.get(len(PRIMITIVES))
    if found is None:
        found = _SPELLINGS[len(PRIMITIVES)] = (
            {head: p for p in PRIMITIVES.values() for head in p.sympy_heads},
            {name: p for p in PRIMITIVES.values() for name in p.sympy_reciprocals})
    return found


def python_number(expr: Any) -> Any:
    """A SymPy number as a graph constant: int, Fraction, float or complex (exact where it was).

    >>> import sympy
    >>> python_number(sympy.Rational(1, 3)), python_number(sympy.Integer(2)), python_number(sympy.pi)
    (Fraction(1, 3), 2, 3.141592653589793)
    """
    import sympy
    if expr.is_Integer:
        return int(expr)
    if expr.is_Rational:
        return Fraction(int(expr.p), int(expr.q))
    if expr.is_Float or isinstance(expr, sympy.NumberSymbol):
        return float(expr)
    if expr is sympy.I:
        return 1j
    if expr is sympy.oo or expr is sympy.S.NegativeInfinity:
        return math.inf if expr is sympy.oo else -math.inf
    raise DifferentiationError(f"from_sympy: SymPy's {type(expr).__name__} ({expr}) has no hybriddiff value")


def _name(expr: Any) -> str:
    return getattr(expr.func, "__name__", type(expr).__name__)


def _normal(value: Fraction) -> Any:
    return value.numerator if value.denominator == 1 else value


class Builder:
    """Converts SymPy expressions into nodes of one graph: explicit stack, memo by identity.

    Equal subexpressions that are distinct objects meet again in the graph's own interning.

    >>> import sympy
    >>> from hybriddiff.graph.ir import OP, GraphIR
    >>> g = GraphIR(arg_names=["x"], arg_sizes=[None])
    >>> b = Builder(g, {"x": g.add_input("x")})
    >>> g.outputs = [b.convert(sympy.sin(sympy.Symbol("x")) ** 2)]
    >>> [n.prim.name for n in g.nodes if n.kind == OP]
    ['sin', 'mul']
    """

    def __init__(self, graph: GraphIR, inputs: dict[str, int]):
        self.graph, self.inputs = graph, inputs
        self.env: dict[Any, int] = {}                 # assignment Symbol -> node
        self.memo: dict[int, tuple[int, Any]] = {}    # id(expr) -> (node, expr kept alive)

    def convert(self, root: Any) -> int:
        """The node of ``root``: post-order over an explicit stack, no recursion."""
        memo = self.memo
        stack: list[tuple[Any, Plan | None]] = [(root, None)]
        while stack:
            expr, plan = stack.pop()
            if id(expr) in memo:
                continue
            if plan is not None:
                memo[id(expr)] = (plan[1]([memo[id(c)][0] for c in plan[0]]), expr)
                continue
            leaf = self.leaf(expr)
            if leaf is not None:
                memo[id(expr)] = (leaf, expr)
                continue
            plan = self.plan(expr)
            stack.append((expr, plan))
            stack.extend((c, None) for c in plan[0] if id(c) not in memo)
        return memo[id(root)][0]

    def leaf(self, expr: Any) -> int | None:
        """The node of a symbol or a number, or None for anything with operands."""
        if expr.is_Symbol:
            if expr in self.env:
                return self.env[expr]
            if expr.name in self.inputs:
                return self.inputs[expr.name]
            raise DifferentiationError(f"from_sympy: the symbol {expr.name!r} is not among the inputs "
                                       f"({', '.join(self.inputs) or 'none'}); pass it in `inputs`")
        if expr.is_Atom and not expr.args:
            return self.graph.const(python_number(expr))
        return None

    # ------------------------------------------------------------------ plans
    def plan(self, expr: Any) -> Plan:
        """The subexpressions to convert first, and how to build the node from their nodes."""
        kind = type(expr).__name__
        if expr.is_Add:
            return self._add(expr)
        if expr.is_Mul:
            return self._mul(expr)
        if expr.is_Pow:
            return self._pow(expr)
        prim = heads().get(kind)
        if prim is not None and prim.sympy_nary:
            return list(expr.args), lambda n: self.fold(prim, n)
        if kind == "Heaviside" and (len(expr.args) == 1 or expr.args[1] == Fraction(1, 2)):
            return [expr.args[0]], lambda n: self.emit(P.heaviside, n)  # H(0) = 1/2: the table's
        base = reciprocals().get(kind)
        if base is not None:
            return [expr.args[0]], lambda n: self.emit(P.div, (self.graph.const(1), self.emit(base, n)))
        if prim is not None and len(expr.args) == prim.arity and not expr.is_Pow and _known(expr):
            return list(expr.args), lambda n: self.emit(prim, n)
        short = str(expr) if len(str(expr)) <= 60 else str(expr)[:57] + "..."
        raise DifferentiationError(f"from_sympy: SymPy's {_name(expr)} ({short}) has no hybriddiff primitive")

    def emit(self, prim: Any, args: Sequence[int]) -> int:
        """``prim(*args)`` in the graph (folded and interned by ``Graph.emit``)."""
        return self.graph.emit(prim, args)

    def fold(self, prim: Any, nodes: Sequence[int]) -> int:
        """An n-ary operation as a left fold of binary ones."""
        acc = nodes[0]
        for n in nodes[1:]:
            acc = self.emit(prim, (acc, n))
        return acc

    def power(self, base: int, e: Fraction) -> int:
        """``base ** e`` for a rational e: 1/x, sqrt, x*x, or pow."""
        if e < 0:
            return self.emit(P.div, (self.graph.const(1), self.power(base, -e)))
        if e == 1:
            return base
        if e == Fraction(1, 2):
            return self.emit(P.sqrt, (base,))
        if e == 2:
            return self.emit(P.mul, (base, base))
        return self.emit(P.pow, (base, self.graph.const(_normal(e))))

    def _pow(self, expr: Any) -> Plan:
        base, e = expr.args
        if e.is_Rational:
            return [base], lambda n: self.power(n[0], python_number(e) * Fraction(1))
        return [base, e], lambda n: self.emit(P.pow, n)

    def _add(self, expr: Any) -> Plan:
        terms = [t for t in expr.args if not t.is_Number]
        numbers = [python_number(t) for t in expr.args if t.is_Number]

        def build(nodes: list[int]) -> int:
            acc = self.fold(P.add, nodes) if nodes else None
            for c in numbers:
                negative = isinstance(c, (int, float, Fraction)) and c < 0
                const = self.graph.const(-c if negative and acc is not None else c)
                acc = const if acc is None else self.emit(P.sub if negative else P.add, (acc, const))
            return acc
        return terms, build

    def _mul(self, expr: Any) -> Plan:
        coeff, factors = expr.as_coeff_mul()
        coeff = python_number(coeff)
        negative = isinstance(coeff, (int, float, Fraction)) and coeff < 0
        coeff = -coeff if negative else coeff
        factors, roots = _cube_roots(list(factors))
        num = [f for f in factors if not _reciprocal(f)]
        den = [f for f in factors if _reciprocal(f)]
        operands = num + [f.base for f in den] + roots

        def build(nodes: list[int]) -> int:
            k, m = len(num), len(num) + len(den)
            ups = ([self.graph.const(coeff)] if coeff != 1 else []) + nodes[:k]
            ups += [self.emit(P.cbrt, (r,)) for r in nodes[m:]]
            acc = self.fold(P.mul, ups) if ups else self.graph.const(1)
            if den:
                downs = [self.power(b, -python_number(f.exp)) for b, f in zip(nodes[k:m], den)]
                acc = self.emit(P.div, (acc, self.fold(P.mul, downs)))
            return self.emit(P.neg, (acc,)) if negative else acc
        return operands, build


def _known(expr: Any) -> bool:
    from sympy.core.function import AppliedUndef
    return not isinstance(expr, AppliedUndef)


def _reciprocal(factor: Any) -> bool:
    return bool(factor.is_Pow and factor.exp.is_Rational and factor.exp < 0)


def _cube_roots(factors: list[Any]) -> tuple[list[Any], list[Any]]:
    """Pairs ``sign(a)`` and ``Abs(a)**(1/3)`` (the table's real cube root) become ``cbrt(a)``."""
    import sympy
    third = sympy.Rational(1, 3)
    signs = {f.args[0]: f for f in factors if isinstance(f, sympy.sign)}
    roots, rest = [], list(factors)
    for f in factors:
        if f.is_Pow and f.exp == third and isinstance(f.base, sympy.Abs) and f.base.args[0] in signs:
            a = f.base.args[0]
            if signs[a] in rest:
                rest.remove(signs[a])
                rest.remove(f)
                roots.append(a)
    return rest, roots


def split(expr: Any) -> tuple[list[tuple[Any, Any]], list[Any], bool]:
    """An expression, a list of them, or an ``(assignments, outputs)`` pair (to_sympy, sympy.cse)
    as ``(assignments, outputs, single)``; ``single``: one output.

    >>> import sympy
    >>> x = sympy.Symbol("x")
    >>> split(sympy.cse([sympy.sin(x) ** 2 + sympy.sin(x)]))
    ([(x0, sin(x))], [x0**2 + x0], True)
    """
    if (isinstance(expr, tuple) and len(expr) == 2 and isinstance(expr[0], list)
            and all(isinstance(a, tuple) and len(a) == 2 for a in expr[0])):
        outs = expr[1]
        many = isinstance(outs, (list, tuple))
        return list(expr[0]), list(outs) if many else [outs], not many or len(outs) == 1
    if isinstance(expr, (list, tuple)):
        return [], [_expression(e) for e in expr], False
    return [], [_expression(expr)], True


def _expression(e: Any) -> Any:
    """A SymPy expression (numbers become SymPy numbers); text is refused: it would be parsed and
    evaluated by SymPy, and hybriddiff never evaluates text."""
    import sympy
    if isinstance(e, sympy.Basic):
        return e
    if isinstance(e, bool) or not isinstance(e, (int, float, complex)):
        raise TypeError(f"from_sympy takes SymPy expressions or numbers, not a {type(e).__name__} "
                        f"({e!r:.40}); build the expression with sympy.Symbol and SymPy's functions")
    return sympy.sympify(e)  # a Python number only


def from_sympy(expr: Any, inputs: Sequence[Any], template: "GraphIR | None" = None,
               name: str = "f", kind: type[GraphIR] = GraphIR) -> GraphIR:
    """A graph from a SymPy expression, a list of them, or a flat ``(assignments, outputs)`` pair.

    ``inputs`` (Symbols or names) gives the argument order; symbols match inputs by name (``x[0]``
    and ``x_0`` alike). ``template``: a graph whose arguments and output structure (and class) the
    result takes; else a new graph of class ``kind``.

    >>> import sympy, hybriddiff as hd
    >>> x = sympy.Symbol("x")
    >>> g = from_sympy(sympy.exp(x**2 - x) / x, [x], kind=hd.Graph)
    >>> g.n_ops, round(g(2.0), 12)
    (4, 3.694528049465)
    >>> from_sympy(sympy.besselj(0, x), [x])
    Traceback (most recent call last):
    ...
    hybriddiff.errors.DifferentiationError: from_sympy: SymPy's besselj (besselj(0, x)) has no hybriddiff primitive
    """
    assignments, outputs, single = split(expr)
    names = [symbol_name(str(getattr(s, "name", s))) for s in inputs]
    if template is not None and len(names) != len(template.inputs):
        raise ValueError(f"from_sympy: {len(names)} inputs given, the template has {len(template.inputs)}")
    graph = template.like() if template is not None else kind(
        name=name, arg_names=names, arg_sizes=[None] * len(names),
        out_sizes=[None] * len(outputs), out_container="scalar" if single else "tuple")
    labels = [template.nodes[i].name for i in template.inputs] if template is not None else names
    with gc_paused():
        builder = Builder(graph, {n: graph.add_input(label) for n, label in zip(names, labels)})
        for symbol, rhs in assignments:
            builder.env[symbol] = builder.convert(rhs)
        graph.outputs = [builder.convert(o) for o in outputs]
    if template is not None and len(graph.outputs) != len(template.outputs):
        raise ValueError(f"from_sympy: {len(graph.outputs)} outputs, the template has {len(template.outputs)}")
    return graph.prune()


__all__ = ["from_sympy", "python_number", "heads", "reciprocals", "Builder", "split"]
