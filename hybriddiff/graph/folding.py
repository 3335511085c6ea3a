"""The exact rewrites ``GraphIR.emit`` applies before it interns a node (a mixin of ``GraphIR``).

Exact constant arithmetic folds (ints and Fractions; a fold whose result would pass ``FOLD_BITS``
bits is left undone); the trivial identities ``x + 0``, ``x * 1``, ``x / 1``, ``x ** 1`` and the
structural zero ``0 * x`` (an exact int 0, as SymPy's and JAX's symbolic zeros) disappear;
negations move outwards where ``+`` and ``-`` absorb them; ``u * (1/w)`` becomes ``u / w`` (one
rounding instead of two: the only rewrite that changes a result, by less than an ulp). The methods
use the host graph's ``nodes``, ``emit`` and ``const``.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable

from ..core import primitives as P
from ..core.record import Primitive
from .nodes import CONST, OP, exact

# Folding stays small: a folded constant's numerator and denominator fit in FOLD_BITS bits, so it is
# a finite float when evaluated and prints as literals the expression language reads back. Past
# that (``((9**64)**64)**64`` typed on the command line) the node stays, and evaluates in floats
# (overflowing to inf) instead of building a huge integer.
FOLD_BITS = 1023


def bits(value: Any) -> int:
    return max(value.numerator.bit_length(), value.denominator.bit_length())


def _fold_pow(a: Any, b: Any) -> Any:
    if type(b) is not int or abs(b) > 64 or (a == 0 and b < 0) or (bits(a) - 1) * abs(b) > FOLD_BITS:
        return None
    return Fraction(a) ** b


_FOLD: dict[str, Callable[..., Any]] = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "neg": lambda a: -a,
    "div": lambda a, b: Fraction(a) / b if b != 0 else None,
    "pow": _fold_pow,
}


def normal(value: Any) -> Any:
    """A Fraction that is an integer, as an int."""
    return value.numerator if type(value) is Fraction and value.denominator == 1 else value


class Folding:
    """The folds and exact identities of ``emit`` (mixed into ``GraphIR``)."""

    nodes: list
    emit: Callable[..., int]
    const: Callable[..., int]

    def _constant(self, index: int) -> tuple[bool, Any]:
        node = self.nodes[index]
        return (node.kind == CONST and exact(node.const)), node.const

    def _number(self, index: int) -> Any:
        """The value of a number constant (None for anything else)."""
        node = self.nodes[index]
        return node.const if node.kind == CONST and type(node.const) in (int, float, Fraction) else None

    def _fold(self, prim: Primitive, args: tuple[int, ...]) -> int | None:
        name = prim.name
        if prim.strong_zero:   # xmul(0, y) = 0 whatever y is; xmul(c, y) = c * y for a nonzero c
            c = self._number(args[0])
            if c is not None:
                return self.const(0) if c == 0 else self.emit(P.mul, args)
        if prim is P.pow and self._number(args[1]) == 0:
            return self.const(1)   # x**0 = 1 for every x (IEEE too): its derivative is 0 at every order
        consts = [self._constant(a) for a in args]
        if all(exact for exact, _ in consts) and name in _FOLD:
            value = _FOLD[name](*[c for _, c in consts])
            if value is not None and bits(value) <= FOLD_BITS:
                return self.const(normal(value))
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
            for (is_exact, c), other in (((ea, a), y), ((eb, b), x)):
                if is_exact and c == 1:
                    return other
                if is_exact and c == -1:
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
            is_exact, c = self._constant(node.args[0])
            if is_exact and c == 1:
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


__all__ = ["Folding", "FOLD_BITS", "bits", "normal"]
