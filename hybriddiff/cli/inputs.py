"""What the ``hybriddiff`` command differentiates: an expression or ``file.py:function``, and a point.

``load_target`` turns the command line's FUNCTION into a ``Target`` (a function taking one argument
per variable, and the variables' names); ``parse_point`` reads ``--at`` items (``x=2``, ``x1=2 x2=5``,
``x=pi/4``, ``x=1,2,3`` for an array argument, a bare ``2`` for the single argument) and
``Target.bind`` checks them against the variables. A report's functions file: ``functions_file.py``.

Expression text only ever goes through ``parse_expression``/``parse_assignment`` (an ``ast`` whitelist:
nothing is evaluated as Python). ``file.py:function`` is different on purpose: it runs the user's own
file with importlib, as ``python file.py`` would (see SECURITY.md).
"""
from __future__ import annotations

import difflib
import inspect
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from .limits import MAX_AT_VALUES
from .pyfile import _PYTHON_REF, UsageError, UserCodeError, python_function

from ..errors import ParseError
from ..parse import MAX_LENGTH, Expression, parse_assignment, parse_expression
from ..studies.entries import flat_function, title

LABEL_LENGTH = 80                            # longer expressions are shortened in titles
DEFAULT_POINTS = (0.5, 1.5, 0.25, 2.5, -0.5, 0.75, 3.5)   # diff without --at: first finite one
_SEPARATORS = re.compile(r"[\s,]+")          # runs of spaces and commas between --at assignments
_NAME_AND_EQUALS = re.compile(r"[^\W\d]\w*\s*=")


# ---------------------------------------------------------------- reading the FUNCTION argument
def read_text(spec: str) -> str:
    """The FUNCTION argument; ``-`` reads it from stdin (at most ``MAX_LENGTH`` characters)."""
    if spec != "-":
        return spec
    text = sys.stdin.read(MAX_LENGTH + 1)
    if len(text) > MAX_LENGTH:
        raise ParseError(f"expression on stdin too long: more than {MAX_LENGTH} characters (the limit)")
    return text.strip()


def shorten(text: str) -> str:
    text = " ".join(text.split())
    return clip(text, LABEL_LENGTH)


def clip(text: str, limit: int = 600) -> str:
    """At most ``limit`` characters of a message (``...`` marks the cut): a 100,000-character input
    is not echoed whole."""
    return text if len(text) <= limit else text[:limit - 3] + "..."


@dataclass
class Target:
    """A function of one argument per variable, the variables' names, and (once bound) a point."""

    label: str
    function: Callable[..., Any]
    names: list[str]
    expression: Expression | None = None
    values: list[Any] = field(default_factory=list)    # float or 1-D float array per variable
    required: list[str] = field(default_factory=list)  # a Python function's parameters without defaults

    # -- binding --argument values
    def bind(self, point: "Point", what: str = "--at") -> list[Any]:
        """The values for ``names`` from a parsed point; clear errors for unknown or missing ones."""
        values: dict[str, Any] = {}
        if point.positional:
            if self.expression is not None and len(self.names) != 1:
                raise UsageError(f"{what}: give the values by name, e.g. {what} "
                                 f"{' '.join(f'{n}=1' for n in self.names) or 'x=1'}")
            if len(point.positional) > len(self.names):
                raise UsageError(f"{what}: {len(point.positional)} values for "
                                 f"{len(self.names)} variable(s) ({', '.join(self.names) or 'none'})")
            values.update(zip(self.names, point.positional))
        for name, value in point.named:
            if name not in self.names:
                hint = difflib.get_close_matches(name, self.names, n=1)
                kind = "variable" if self.expression is not None else "parameter"
                raise UsageError(f"{what}: unknown {kind} {name!r}"
                                 + (f" (did you mean {hint[0]!r}?)" if hint else "")
                                 + f"; the {kind}s of {self.label} are: {', '.join(self.names) or 'none'}")
            if name in values:
                raise UsageError(f"{what}: {name} is given twice")
            values[name] = value
        return [values.get(n) for n in self.names]

    def set_point(self, point: "Point") -> None:
        values = self.bind(point)
        missing = [n for n, v in zip(self.names, values) if v is None]
        if self.expression is None:   # a Python function: parameters with defaults may stay out
            missing = [n for n in missing if n in self.required]
        if missing:
            example = " ".join(f"{n}=1" for n in missing)
            raise UsageError(f"missing --at value for {', '.join(missing)} (e.g. --at {example})")
        if self.expression is None and any(v is None for v in values):
            self._only([n for n, v in zip(self.names, values) if v is not None])
            values = [v for v in values if v is not None]
        if not self.names:
            raise UsageError(f"{self.label} has no variables: there is nothing to differentiate")
        if self.expression is not None and any(np.ndim(v) for v in values):
            bad = next(n for n, v in zip(self.names, values) if np.ndim(v))
            raise UsageError(f"--at: {bad} is a variable of an expression and takes one number "
                             f"(comma-separated values are for array arguments of Python functions)")
        self.values = values

    def default_point(self, f_finite: Callable[[Sequence[Any]], bool]) -> tuple[list[Any], str]:
        """A point for tracing when --at is missing: the first candidate where f is finite."""
        if self.expression is None:
            self._only([n for n in self.names if n in self.required])
        for base in DEFAULT_POINTS:
            values = [base + 0.125 * k for k in range(len(self.names))]
            try:
                if f_finite(values):
                    return values, ""
            except Exception:   # e.g. a Python function that wants an array
                continue
        return [DEFAULT_POINTS[0]] * len(self.names), "f is not finite at any default point"

    def _only(self, names: list[str]) -> None:
        """Differentiate a Python function in some of its parameters: the rest keep their defaults."""
        f, full = self.function, self.names
        if names == full[:len(names)]:
            self.names = names
            return

        def call(*args: Any) -> Any:
            return f(**dict(zip(names, args)))

        call.__name__ = call.__qualname__ = getattr(f, "__name__", "f")
        call.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in names])
        self.function, self.names = call, names

    # -- what the library's functions take
    def table_point(self) -> Any:
        return self.values[0] if len(self.values) == 1 else tuple(self.values)

    def compare_input(self) -> tuple[Callable[..., Any], Any]:
        """(f, x) for ``hd.compare``: f itself for one argument, else f of one flat 1-D array."""
        return flat_function(self.function, self.values)

    def title(self, kind: str | None = None) -> str:
        """The comparison's title; ``kind`` ("derivative", "gradient", "Jacobian") as the comparison
        found it (by default from the point's shape alone)."""
        return title(kind, self.label, self.names, self.values)

    def point_dict(self) -> dict[str, Any]:
        return {n: (v.tolist() if isinstance(v, np.ndarray) else v) for n, v in zip(self.names, self.values)}


def load_target(spec: str) -> Target:
    """An expression (parsed safely) or ``path/to/file.py:function`` (the file is run)."""
    text = read_text(spec)
    if len(text) < 4096 and _PYTHON_REF.fullmatch(text):
        label, function, names, required = python_function(text)
        return Target(label, function, names, None, required=required)
    expression = parse_expression(text, sort_variables=True)
    return Target(shorten(str(expression)), expression.as_function("f"), list(expression.variables),
                  expression)


# ---------------------------------------------------------------- --at items
@dataclass
class Point:
    positional: list[Any] = field(default_factory=list)
    named: list[tuple[str, Any]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.positional or self.named)


def split_assignments(item: str) -> list[str]:
    """Split ``"x1=2, x2=5"`` before each ``NAME=`` that follows a run of spaces and commas, in one
    linear pass (each run is found once, and the name after it is read once).

    >>> split_assignments("x1=2, x2=pi/2 ,v=1,2")
    ['x1=2', 'x2=pi/2', 'v=1,2']
    """
    parts, start = [], 0
    for run in _SEPARATORS.finditer(item):
        if _NAME_AND_EQUALS.match(item, run.end()):
            parts.append(item[start:run.start()])
            start = run.end()
    return parts + [item[start:]]


def _split_commas(text: str) -> list[str]:
    """Split at commas outside parentheses (``x=atan2(1, 2)`` is one value)."""
    pieces, depth, start = [], 0, 0
    for k, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            pieces.append(text[start:k])
            start = k + 1
    return pieces + [text[start:]]


def _constant(text: str) -> float:
    """A constant expression (``pi/4``, ``-2``, ``exp(1)``) as a float, through the safe parser."""
    if not text.strip():
        raise ParseError("missing value (an empty item between commas?)")
    try:
        return parse_assignment("_=" + text)[1]
    except ParseError as exc:
        message = str(exc).split("\n", 1)[0].replace("the value of _ ", "the value ")
        position = None if exc.position is None else max(exc.position - 2, 0)
        raise ParseError(message, text, position) from None


def parse_point(items: Sequence[str] | None, what: str = "--at") -> Point:
    """``x=2``, ``x1=2 x2=5``, ``"x1=2, x2=5"``, ``x=pi/4``, ``x=1,2,3`` (an array), bare ``2``.

    >>> p = parse_point(["x1=2", "x2=pi/2", "v=1,2"])
    >>> p.named[:2], p.named[2][1].tolist()
    ([('x1', 2.0), ('x2', 1.5707963267948966)], [1.0, 2.0])
    """
    point, split, count = Point(), [], 0
    for item in items or ():   # split and count everything before parsing a value
        if len(item) > MAX_LENGTH:
            raise UsageError(f"{what}: item too long ({len(item):,} characters; the limit is {MAX_LENGTH:,})")
        for part in split_assignments(item.strip()):
            pieces = _split_commas(part)
            count += len(pieces)
            if count > MAX_AT_VALUES:
                raise UsageError(f"{what}: too many values (more than {MAX_AT_VALUES:,}, the limit)")
            split.append((item, pieces))
    for item, pieces in split:
        try:
            if "=" in pieces[0]:
                name, first = parse_assignment(pieces[0])
                values = [first] + [_constant(p) for p in pieces[1:]]
            else:
                name, values = None, [_constant(p) for p in pieces]
        except ParseError as exc:
            raise UsageError(f"{what} {shorten(item)!r}: {clip(str(exc))}") from None
        value = values[0] if len(values) == 1 else np.array(values, dtype=float)
        if name is None:
            point.positional.append(value)
        else:
            point.named.append((name, value))
    return point


def tangent_values(target: Target, items: Sequence[str] | None) -> Any:
    """``--tangent x1=1 x2=0``: the seed for forward mode (unnamed variables 0; default None)."""
    point = parse_point(items, "--tangent")
    if not point:
        return None
    given = target.bind(point, "--tangent")
    seed = []
    for name, v, x in zip(target.names, given, target.values):
        if v is None:
            v = np.zeros_like(x) if np.ndim(x) else 0.0
        elif np.shape(v) != np.shape(x):
            raise UsageError(f"--tangent: {name} has shape {np.shape(x)} at the point, the tangent "
                             f"{np.shape(v)}")
        seed.append(v)
    return seed[0] if len(seed) == 1 else tuple(seed)


def finite(value: Any) -> bool:
    try:
        return bool(np.all(np.isfinite(np.asarray(value, dtype=float))))
    except (TypeError, ValueError):
        return False


__all__ = ["Target", "Point", "UsageError", "UserCodeError", "load_target", "parse_point",
           "tangent_values", "read_text", "finite"]
