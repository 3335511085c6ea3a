"""A report's functions file: ``name: expression @ x1=2, x2=5`` per line (``hybriddiff report FILE``)."""
from __future__ import annotations

import sys
from typing import Any, Callable

from ..errors import ParseError
from .inputs import load_target, parse_point
from .pyfile import UsageError


def read_functions(path: str) -> list[tuple[str, Callable[..., Any], Any]]:
    """``name: expression @ x1=2, x2=5`` per line (or ``expression @ x=2``; ``file.py:f`` works
    too); blank lines and ``#`` comments are skipped. Errors name the line."""
    try:
        if path == "-":
            lines = sys.stdin.read().splitlines()
        else:
            with open(path, encoding="utf-8") as handle:
                lines = handle.read().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the functions file {path}: {exc}") from None
    entries = []
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        try:
            entries.append(_function_line(text))
        except (ParseError, UsageError) as exc:
            raise UsageError(f"{path}, line {number}: {exc}") from None
    if not entries:
        raise UsageError(f"{path}: no functions (one a line: 'name: expression @ x=2')")
    return entries


def _function_line(text: str) -> tuple[str, Callable[..., Any], Any]:
    body, at, point_text = text.partition("@")
    if not at or not point_text.strip():
        raise UsageError("expected 'name: expression @ x1=2, x2=5' (the point after '@' is missing)")
    name, colon, spec = body.partition(":")
    if colon and not name.strip().endswith(".py"):
        name, spec = name.strip(), spec.strip()
    else:
        name, spec = "", body.strip()
    if not spec:
        raise UsageError("missing expression before '@'")
    target = load_target(spec)
    target.set_point(parse_point([point_text], "point"))
    f, x = target.compare_input()
    label = name or target.label
    f.__doc__ = f"{label}: {target.label}"
    return label, f, x


__all__ = ["read_functions"]
