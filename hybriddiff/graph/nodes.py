"""The nodes of a graph: the three kinds, the ``Node`` record, the recorded branch ``Guard``, and how
constants are keyed for sharing (one node per distinct constant)."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

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


def exact(value: Any) -> bool:
    """An int or a Fraction: a constant that stays exact until evaluated."""
    return type(value) is int or type(value) is Fraction


def const_key(value: Any) -> tuple:
    """How a constant is interned (its type and exact text; 1, 1.0 and True stay apart)."""
    # 1, 1.0 and True hash alike, -0.0 == 0.0: key on the type and the exact text.
    if type(value) in (int, float, complex, Fraction, bool):
        return (type(value).__name__, repr(value))
    return ("object", id(value))


def plain_number(value: Any) -> Any:
    """A constant as a Python number: NumPy scalars by their exact value, booleans as ints.

    >>> import numpy as np
    >>> plain_number(np.int64(2)), plain_number(np.float32(0.1)) == float(np.float32(0.1)), plain_number(True)
    (2, True, 1)
    """
    if isinstance(value, np.generic):
        value = value.item()
    return int(value) if type(value) is bool else value


__all__ = ["INPUT", "CONST", "OP", "Node", "Guard", "exact", "const_key", "plain_number"]
