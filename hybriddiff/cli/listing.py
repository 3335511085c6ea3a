"""``hybriddiff list``: the expression language (functions, constants, operators) and the methods,
read from the records (the primitive table, the composed functions, the method registry)."""
from __future__ import annotations

import textwrap

from ..core.functions import language_table
from ..methods.registry import METHOD_LIST
from ..parse.walk import CONSTANTS


def language_listing(width: int = 79) -> str:
    """What ``hybriddiff list`` prints.

    >>> text = language_listing()
    >>> "sin" in text and "fd-central" in text and "** (power" in text
    True
    """
    by_arity: dict[int, list[str]] = {}
    for name, (canonical, arity, _) in sorted(language_table().items()):
        by_arity.setdefault(arity, []).append(name if name == canonical else f"{name}={canonical}")
    lines = textwrap.wrap("The expression language (hybriddiff compare/trace/diff, functions files; "
                          "a=b: a is another name of b):", width)
    lines += ["", "operators:  + - * / ** (power; not ^) % and parentheses; unary -"]
    for arity, names in sorted(by_arity.items()):
        label = "functions of one argument:" if arity == 1 else f"functions of {arity} arguments:"
        lines += ["", label] + textwrap.wrap(", ".join(names), width, initial_indent="  ",
                                              subsequent_indent="  ")
    lines += ["", "constants:  " + ", ".join(sorted(CONSTANTS)) + "; numbers as 2, 0.5, 1e-3",
              "variables:  any other name (x, x1, t, ...): give each a value with --at NAME=VALUE", "",
              "Methods (--methods; hd.METHODS in Python):"]
    pad = max(len(m.name) for m in METHOD_LIST) + 2
    for m in METHOD_LIST:
        lines += textwrap.wrap(f"{m.name:<{pad}}{m.family}: {m.summary}", width, initial_indent="  ",
                               subsequent_indent=" " * (pad + 2))
    return "\n".join(lines)


__all__ = ["language_listing"]
