"""The textbook's notation for trace tables: v̇ and v̄ names, and each primitive's rules as text.

Every rule shown is the primitive table's own partials, printed on placeholders ("holes") once per
primitive (``core/printer.py``) and kept as a format string, in the notation of Baydin et al. (2018):
``ln``, ``×``, ``sin v0`` for an atom, a sign pulled in front.
"""
from __future__ import annotations

import re
from fractions import Fraction

from ..core.printer import Printed, as_printed, render
from .notation import hole as _hole
from .notation import textbook as _textbook
from ..core.record import Primitive
from .ir import CONST, GraphIR

DOT, BAR = "\u0307", "\u0304"     # combining dot (v̇: tangent) and bar (v̄: adjoint)
TIMES, PARTIAL = "\u00d7", "\u2202"
MUL_PRECEDENCE = 20               # printer precedence of * and / (the rules' products)

# ---------------------------------------------------------------- names and rule text
def dotted(name: str) -> str:
    """The tangent of a variable: a combining dot on its first letter (v-1 -> v̇-1, x1 -> ẋ1).

    >>> dotted("v-1") == "v\u0307-1"
    True
    """
    return name[:1] + DOT + name[1:]


def barred(name: str) -> str:
    """The adjoint of a variable: a combining bar on its first letter (v-1 -> v̄-1, y -> ȳ).

    >>> barred("x1") == "x\u03041"
    True
    """
    return name[:1] + BAR + name[1:]


def table_names(graph: GraphIR) -> list[str]:
    """Wengert names (v-1, v0, v1, ...) for inputs and operations, exact text for constants."""
    wengert = graph.wengert_names()
    names = []
    for i, node in enumerate(graph.nodes):
        if node.kind != CONST:
            names.append(wengert[i])
            continue
        text = str(node.const) if type(node.const) in (int, Fraction) else repr(node.const)
        names.append(f"({text})" if text.startswith("-") or "/" in text or " " in text else text)
    return names


def output_names(graph: GraphIR) -> list[str]:
    if graph.out_container == "scalar":
        return ["y"]
    if graph.out_container == "array":
        return [f"y[{k}]" for k in range(len(graph.outputs))]
    return [f"y{k + 1}" for k in range(len(graph.outputs))]


def _term(partial: Printed, factor: str, forward: bool) -> str | None:
    """``factor × partial`` as the textbook writes it; None for a zero partial.

    Forward (a tangent sum): 1 × v̇ -> v̇, -1 -> -v̇, v̇ × (1 / a) -> v̇ / a, a sign pulled in front.
    Reverse (one adjoint step): v̄5 × 1, v̄5 × (-1), v̄1 / v-1, negative partials in parentheses.
    """
    text, precedence = partial.text, partial.precedence
    if text == "0":
        return None
    sign = ""
    if forward and text.startswith("-") and precedence >= MUL_PRECEDENCE:
        sign, text = "-", text[1:]
    if forward and text == "1":
        body = factor
    elif precedence == MUL_PRECEDENCE and text.startswith("1 / "):
        body = f"{factor} / {text[4:]}"          # v̇ × (1 / a / b) = v̇ / a / b (left to right)
    elif precedence < MUL_PRECEDENCE or text.startswith("-"):
        body = f"{factor} * ({text})"
    else:
        body = f"{factor} * {text}"
    return _textbook(sign + body)


class Rules:
    """One primitive's printed expression and, per argument, its forward and reverse terms."""

    def __init__(self, prim: Primitive):
        holes = [Printed(_hole(k)) for k in range(prim.arity)]
        factor = _hole(prim.arity + 1)
        self.expression = _textbook(render(prim, holes, "pretty").text)
        partials = [as_printed(rule(*holes, Printed(_hole(prim.arity))), "pretty")
                    for rule in prim.partials]
        self.forward = [_term(p, factor, True) for p in partials]
        self.reverse = [_term(p, factor, False) for p in partials]


def rules_for(cache: dict[Primitive, Rules], prim: Primitive) -> Rules:
    rules = cache.get(prim)
    if rules is None:
        rules = cache[prim] = Rules(prim)
    return rules


_CONSTANT_MINUS_ONE = re.compile(r"\((\d+) - 1\)")
_POWER_ONE = re.compile(r" \*\* 1(?![\d.])")


def tidy(rule: str) -> str:
    """A rule with integer constants worked out: the power rule at a constant exponent reads
    ``v̇0 × 2 × v0``, not ``v̇0 × 2 × v0 ** (2 - 1)``.

    >>> tidy("v0 × 2 × v0 ** (2 - 1)"), tidy("v0 × 3 × v0 ** (3 - 1)"), tidy("v0 ** (v1 - 1)")
    ('v0 × 2 × v0', 'v0 × 3 × v0 ** 2', 'v0 ** (v1 - 1)')
    """
    return _POWER_ONE.sub("", _CONSTANT_MINUS_ONE.sub(lambda m: str(int(m.group(1)) - 1), rule))


def join_terms(terms: list[str]) -> str:
    if not terms:
        return "0"
    text = terms[0]
    for term in terms[1:]:
        text += f" - {term[1:]}" if term.startswith("-") else f" + {term}"
    return text


__all__ = ["dotted", "barred", "table_names", "output_names", "Rules", "rules_for", "join_terms", "tidy", "PARTIAL"]
