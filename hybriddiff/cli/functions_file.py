"""A report's functions file: ``name: expression @ x1=2, x2=5`` per line (``hybriddiff report FILE``).

The file (or stdin, ``-``) is read up to ``MAX_FUNCTIONS_BYTES`` and ``MAX_FUNCTIONS_LINES``
(``limits.py``) and refused past them: ``hybriddiff report /dev/zero`` stops after 1 MiB.
"""
from __future__ import annotations

import sys
from typing import Any, Callable

from ..errors import ParseError
from .inputs import clip, load_target, parse_point
from .limits import MAX_FUNCTIONS_BYTES, MAX_FUNCTIONS_LINES
from .pyfile import UsageError


def _read_bounded(path: str) -> str:
    """The text of the functions file (``-``: stdin), at most ``MAX_FUNCTIONS_BYTES`` bytes."""
    if path == "-":
        stream = getattr(sys.stdin, "buffer", sys.stdin)   # bytes, or text where stdin was replaced
        data = stream.read(MAX_FUNCTIONS_BYTES + 1)
    else:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FUNCTIONS_BYTES + 1)
    if len(data) > MAX_FUNCTIONS_BYTES:
        name = "(stdin)" if path == "-" else path
        raise UsageError(f"the functions file {name} is too large: more than {MAX_FUNCTIONS_BYTES:,} "
                         f"bytes (the limit; at most {MAX_FUNCTIONS_LINES:,} lines)")
    return data.decode("utf-8") if isinstance(data, bytes) else data


def read_functions(path: str) -> list[tuple[str, Callable[..., Any], Any]]:
    """``name: expression @ x1=2, x2=5`` per line (or ``expression @ x=2``; ``file.py:f`` works
    too); blank lines and ``#`` comments are skipped. Errors name the line. At most
    ``MAX_FUNCTIONS_BYTES`` bytes and ``MAX_FUNCTIONS_LINES`` lines."""
    try:
        lines = _read_bounded(path).splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the functions file {path}: {clip(str(exc))}") from None
    if len(lines) > MAX_FUNCTIONS_LINES:
        raise UsageError(f"the functions file {path} has too many lines: {len(lines):,} (the limit is "
                         f"{MAX_FUNCTIONS_LINES:,})")
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


def _function_line(text: str) -> tuple[str, Callable[..., Any] | str, dict[str, Any]]:
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
    label = name or target.label
    # the report keeps the variables' names and (for an expression) its text: hd.report parses it
    # again with the same safe parser
    function = spec if target.expression is not None else target.function
    return label, function, target.point_dict()


__all__ = ["read_functions"]
