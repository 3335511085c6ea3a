"""The textbook's notation (Baydin et al. 2018) for one operation: ``ln v0``, ``v0 × v1``, ``sin v0``
for an atom. The trace tables (``textbook.py``) and the drawings (``annotate.py``) both write it, so
a node reads the same in the table and in the picture.

A primitive's pretty text is printed once on placeholders ("holes") and kept as a format string:
{0}, {1}, ... are the arguments (the tables add {arity}, the result, and {arity + 1}, a factor).
"""
from __future__ import annotations

import functools
import re

from ..core.printer import Printed, render
from ..core.record import Primitive

TIMES = "\u00d7"
_HOLE = re.compile("\ue000([0-9]+)\ue001")
_CALL = re.compile("\\b([A-Za-z_][A-Za-z0-9_]*)\\((\ue000[0-9]+\ue001)\\)(?! \\*\\*)")


def hole(k: int) -> str:
    """The placeholder of argument ``k`` in printed text."""
    return f"\ue000{k}\ue001"


def textbook(text: str) -> str:
    """Pretty text in the textbook's notation (ln, ×, ``sin v0`` for an atom) as a format string."""
    text = text.replace(" * ", f" {TIMES} ")
    text = re.sub(r"\blog\(", "ln(", text)
    text = _CALL.sub(r"\1 \2", text)
    return _HOLE.sub(r"{\1}", text.replace("{", "{{").replace("}", "}}"))


@functools.lru_cache(maxsize=None)
def expression(prim: Primitive) -> str:
    """The format string of ``prim`` applied to its arguments, in the textbook's notation.

    >>> from hybriddiff.core import primitives as P
    >>> expression(P.log).format("v0"), expression(P.mul).format("v0", "v1"), expression(P.sin).format("v1")
    ('ln v0', 'v0 × v1', 'sin v1')
    """
    return textbook(render(prim, [Printed(hole(k)) for k in range(prim.arity)], "pretty").text)


__all__ = ["TIMES", "hole", "textbook", "expression"]
