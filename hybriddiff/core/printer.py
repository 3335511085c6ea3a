"""Printing rules as text: ``Printed`` placeholders turn the operations applied to them into source.

Running a primitive's partials on placeholders prints the rule itself (``cos(v0)``, ``1 / v-1``):
the fast paths compile that text (style "python"), the trace tables show it (style "pretty"),
LaTeX output uses style "latex", derivative graphs compile style "emit" (code that appends the
rule's nodes to a graph), and ``graph/text.py`` prints whole graphs in style "language" (the
expression language's own spelling). Parentheses follow the operators' precedence.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from .dispatch import Box
from .overloads import Operators
from .record import Primitive

_LEVEL = 1 << 62  # outranks every real level: rules applied to placeholders print themselves
ATOM = 100
_NON_ASSOCIATIVE = {"sub", "div", "mod", "pow"}


class Printed(Operators, Box):
    """Text of an expression in one ``style`` ("python", "pretty" or "latex"), with its precedence."""

    __slots__ = ("text", "precedence", "style", "_level")

    def __init__(self, text: str, style: str = "pretty", precedence: int = ATOM):
        self.text, self.style, self.precedence, self._level = text, style, precedence, _LEVEL

    def _hd_apply(self, prim: Primitive, args: tuple) -> "Printed":
        return render(prim, [as_printed(a, self.style) for a in args], self.style)

    def _hd_constant(self, value: Any) -> "Printed":
        """A constant in this placeholder's style (a rule that computes with exact constants, such as
        log2's log(2), prints the computation instead of its double: ``primitives._log_of``)."""
        return as_printed(value, self.style)

    def _hd_compare(self, op, other, name):  # pragma: no cover - rules never branch
        raise TypeError("a rule in the primitive table branches on a value")

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


def as_printed(value: Any, style: str) -> Printed:
    """A placeholder or a constant, as printed text."""
    if isinstance(value, Printed):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)):
        raise TypeError(f"cannot print the constant {value!r} in a rule")
    if style == "emit":
        return Printed(f"C({value!r})", style)
    if isinstance(value, Fraction):
        text = (rf"\frac{{{value.numerator}}}{{{value.denominator}}}" if style == "latex"
                else f"{value.numerator}/{value.denominator}")
        return Printed(text, style, 20 if style != "latex" else ATOM)
    text = repr(value) if math.isfinite(value) else {"python": f"float('{value}')"}.get(style, repr(value))
    if style == "python" and (value < 0 or not math.isfinite(value)):
        return Printed(f"({text})", style)
    return Printed(text, style, 25 if value < 0 else ATOM)


def render(prim: Primitive, args: list[Printed], style: str) -> Printed:
    """``prim`` applied to printed arguments, parenthesised as its precedence needs."""
    if style == "language":
        return _language(prim, args)
    if style == "emit":  # code that emits the node into graph G and evaluates to its index
        return Printed(f"E(P.{prim.name}, ({''.join(a.text + ', ' for a in args)}))", style)
    if style == "python":
        if prim.scalar_source is not None:
            code = prim.scalar_source.format(*[a.text for a in args])
            return Printed(f"({code})" if prim.infix else code, style)
        return Printed(f"P.{prim.name}.scalar({', '.join(a.text for a in args)})", style)
    template = prim.latex if style == "latex" else prim.pretty
    if prim.infix is None or style == "latex" and prim.name in ("div", "pow"):
        return Printed(template.format(*[a.text for a in args]), style,
                       ATOM if prim.infix is None else prim.precedence)
    texts = []
    for k, a in enumerate(args):
        tight = a.precedence < prim.precedence or (
            a.precedence == prim.precedence and (prim.name in _NON_ASSOCIATIVE or prim.arity == 1)
            and (k == 1 or prim.name == "pow" or prim.arity == 1))
        open_, close = (r"\left(", r"\right)") if style == "latex" else ("(", ")")
        texts.append(f"{open_}{a.text}{close}" if tight else a.text)
    return Printed(template.format(*texts), style, prim.precedence)


_TIGHT = {"*", "/", "**"}  # the expression language's compact spelling: 2*x**2 - x/3 + x % 2


def _language(prim: Primitive, args: list[Printed]) -> Printed:
    """Style "language": the text ``hybriddiff.parse`` reads back to the same tree. Functions are
    called by the record's canonical name in the language; operators keep Python's grouping (left to
    right, ``**`` right to left, unary minus between ``*`` and ``**``), so an operand of equal
    precedence on the side that does not group gets parentheses: ``x - (y - z)``, ``(x**y)**z``."""
    if prim.infix is None:
        name = prim.name if prim.name in prim.names or not prim.names else prim.names[0]
        return Printed(f"{name}({', '.join(a.text for a in args)})", "language")
    p = prim.precedence
    if prim.arity == 1:
        (a,) = args
        return Printed(prim.infix + (f"({a.text})" if a.precedence <= p else a.text), "language", p)
    right_to_left = prim.name == "pow"
    texts = [f"({a.text})" if a.precedence < p or (a.precedence == p and (k == 1) != right_to_left)
             else a.text for k, a in enumerate(args)]
    symbol = prim.infix if prim.infix in _TIGHT else f" {prim.infix} "
    return Printed(symbol.join(texts), "language", p)


def partial_texts(prim: Primitive, names: list[str], out: str, style: str = "pretty") -> list[str]:
    """The printed partials d out / d arg_i of ``prim`` with its arguments called ``names``.

    >>> from hybriddiff.core import primitives as P
    >>> partial_texts(P.div, ["v-1", "v0"], "v1")
    ['1 / v0', '-v1 / v0']
    """
    args = [Printed(n, style) for n in names]
    return [as_printed(prim.partials[i](*args, Printed(out, style)), style).text for i in range(prim.arity)]


def expression_text(prim: Primitive, names: list[str], style: str = "pretty") -> str:
    """``prim`` applied to named arguments, as text (``v-1 * v0``)."""
    return render(prim, [Printed(n, style) for n in names], style).text
