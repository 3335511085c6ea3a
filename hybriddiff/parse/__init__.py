"""The command line's safe expression language: text -> ``Expression`` (a hybriddiff graph), never ``eval``.

The language is a whitelist: int and float literals, variables, ``+ - * / % **``, unary ``-`` and
``+``, parentheses, calls of the primitive table's functions by name (plus a few aliases and composed
functions, see ``function_names()``) with positional arguments, and the constants ``pi`` and ``e``.
Everything else (attributes, subscripts, lambdas, comprehensions, comparisons, strings, keyword or
starred arguments, ...) is a ``ParseError`` whose ``position`` is the 0-based column of the offending
node in the original text.

The parser only parses; the graph room does the rest. ``scan.py`` checks the limits in one linear
pass before ``ast.parse`` sees the text (length, parenthesis depth, runs of unary operators, digits
in a literal: a 10 MB text is refused without being scanned) and maps ast's positions to columns.
``walk.py`` walks the syntax tree with an explicit stack and emits the whitelisted nodes into a
``Graph``; long flat chains are cut before ``ast.parse``. An ``Expression`` is that graph with its
text and variables: calling it evaluates the graph (``graph/evaluate.py``, on floats, NumPy arrays,
mpmath numbers and hybriddiff's Dual/Variable/traced values alike), ``str`` prints it
(``graph/text.py``) and its derivatives are the graph's (``expression.graph.grad()``).

Parsing stays fast and bounded on hostile input: the graph folds exact constants (``2*3`` is ``6``,
``1/3`` an exact fraction) only while they stay small, so ``9**9**9`` keeps its outer power and
evaluates in floats, overflowing to ``inf`` at once instead of building a huge integer.
"""
from __future__ import annotations

import inspect
import keyword
import math
import re
import unicodedata
from typing import Any, Callable, Sequence

import numpy as np

from ..core.functions import language_table
from ..errors import ParseError
from ..graph.facade import Graph
from ..graph.text import expression_text
from .scan import LEADING_SPACE, Fail
from .walk import CONSTANTS, Builder

__all__ = ["Expression", "parse_expression", "parse_assignment", "function_names",
           "MAX_LENGTH", "MAX_DEPTH", "MAX_NODES", "MAX_DIGITS"]

MAX_LENGTH = 100_000   # characters of text
MAX_DEPTH = 200        # parentheses, unary operators, nested calls/powers (not left-assoc chains)
MAX_NODES = 100_000    # syntax nodes: a 100,000-character text cannot hold many more
MAX_DIGITS = 400       # digits in one number literal (a float overflows past 309 anyway)
PRINT_LIMIT = 1_000_000  # characters of str(expression); past it (nested composed functions, whose
                         # arguments print once per use) the expression prints as typed
_SURROGATE = re.compile("[\ud800-\udfff]")


def function_names() -> tuple[str, ...]:
    """Every function name the language accepts (aliases included), sorted.

    >>> from hybriddiff.parse import function_names
    >>> {"sin", "ln", "atan2", "exp2", "max"} <= set(function_names())
    True
    """
    return tuple(sorted(language_table()))


def _natural_key(name: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


# ---------------------------------------------------------------- the parsed expression
class Expression:
    """A parsed expression: ``text`` (as given), ``variables`` (a tuple of names) and ``graph`` (a
    ``Graph`` with one scalar argument per variable, in that order; shared, do not modify it).

    Calling it evaluates the graph; ``str`` is the normalised text (``graph/text.py``), which parses
    back to an equal expression. Expressions are equal when their graphs are.

    >>> from hybriddiff.parse import parse_expression
    >>> f = parse_expression("exp(x**2 - x)/x")
    >>> f(2.0)
    3.694528049465325
    >>> f.variables, str(f)
    (('x',), 'exp(x**2 - x)/x')
    >>> print(parse_expression("2.0*x + 1 + 1/3").graph)
    Graph f(x): 3 operations
    v0 = x
    v1 = 2 * v0
    v2 = v1 + 1
    v3 = v2 + 1/3
    return v3
    """

    __slots__ = ("text", "variables", "graph", "_str", "_key")

    def __init__(self, text: str, variables: Sequence[str], graph: Graph):
        if graph.input_names() != list(variables) or len(graph.outputs) != 1:
            raise ValueError("an Expression's graph has one input per variable and one output")
        setattr_ = object.__setattr__
        setattr_(self, "text", text)
        setattr_(self, "variables", tuple(variables))
        setattr_(self, "graph", graph)
        setattr_(self, "_str", None)
        setattr_(self, "_key", None)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Expression is immutable")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Evaluate at ``args`` (positional, in ``variables`` order, or by name)."""
        if kwargs or len(args) != len(self.variables):
            args = self._bind(args, kwargs)
        out = self.graph(*args)
        return float(out) if type(out) is int else out  # exact constants, a float result

    def _bind(self, args: tuple, kwargs: dict) -> tuple:
        names = self.variables
        if len(args) > len(names):
            raise TypeError(f"expression takes {len(names)} argument(s) ({', '.join(names)}), "
                            f"{len(args)} given")
        bound = dict(zip(names, args))
        for key, value in kwargs.items():
            if key not in names:
                raise TypeError(f"unexpected argument {key!r}; the variables are: {', '.join(names)}")
            if key in bound:
                raise TypeError(f"got multiple values for {key!r}")
            bound[key] = value
        missing = [n for n in names if n not in bound]
        if missing:
            raise TypeError(f"missing value(s) for {', '.join(missing)}")
        return tuple(bound[n] for n in names)

    def as_function(self, name: str = "f") -> Callable[..., Any]:
        """A plain function with one named parameter per variable (no ``exec``: a closure carrying an
        ``inspect.Signature``), for the operators and anything that reads parameter names.

        >>> import inspect
        >>> from hybriddiff.parse import parse_expression
        >>> f = parse_expression("x1*exp(x2) - x1").as_function()
        >>> f.__name__, str(inspect.signature(f)), f(2.0, 0.0)
        ('f', '(x1, x2)', 0.0)
        """
        expression = self

        def function(*args: Any, **kwargs: Any) -> Any:
            return expression(*args, **kwargs)

        function.__name__ = function.__qualname__ = name
        function.__doc__ = f"{name}({', '.join(self.variables)}) = {self}"
        function.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [inspect.Parameter(v, inspect.Parameter.POSITIONAL_OR_KEYWORD) for v in self.variables])
        function.expression = self  # type: ignore[attr-defined]
        return function

    def __str__(self) -> str:
        if self._str is None:
            try:
                text = expression_text(self.graph, limit=PRINT_LIMIT)
            except ValueError:
                text = self.text.strip()
            object.__setattr__(self, "_str", text)
        return self._str

    def __repr__(self) -> str:
        text = str(self)
        if len(text) > 80:
            text = text[:77] + "..."
        return f"Expression({text!r}, variables={self.variables!r})"

    def _structure(self) -> tuple:
        if self._key is None:
            object.__setattr__(self, "_key", self.graph.structure())
        return self._key

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Expression):
            return NotImplemented
        return self._structure() == other._structure()

    def __hash__(self) -> int:
        return hash(self._structure())

    def __reduce__(self):
        return (Expression, (self.text, self.variables, self.graph))


# ---------------------------------------------------------------- the public entry points
def _check_variables(variables: Any) -> tuple[str, ...]:
    if isinstance(variables, str):
        variables = [v for v in re.split(r"[,\s]+", variables) if v]
    # Python's parser reads names NFKC-normalised (a fullwidth "ｘ" is "x"): compare like with like
    names = tuple(unicodedata.normalize("NFKC", v) if isinstance(v, str) else v for v in variables)
    seen: set[str] = set()
    for v in names:
        if not isinstance(v, str) or not v.isidentifier() or keyword.iskeyword(v) or v.startswith("__"):
            raise ParseError(f"invalid variable name {v!r}")
        if v in language_table() or v in CONSTANTS:
            kind = "function" if v in language_table() else "constant"
            raise ParseError(f"variable name {v!r} is taken by a {kind}")
        if v in seen:
            raise ParseError(f"variable {v!r} is listed twice")
        seen.add(v)
    return names


def _printable(text: str) -> str:
    """The text for the error message: lone surrogates (undecodable bytes of a command line) would
    make printing the error fail, so they show as U+FFFD (one character each: columns stay right)."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def parse_expression(text: str, variables: Sequence[str] | str | None = None, *,
                     sort_variables: bool = False, max_length: int = MAX_LENGTH,
                     max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES,
                     max_digits: int = MAX_DIGITS) -> Expression:
    """Parse ``text`` into an ``Expression``, or raise ``ParseError`` with the offending column.

    ``variables`` fixes the variables and their order (a sequence, or a string like ``"x1, x2"``);
    without it the free names are the variables in order of first appearance (``sort_variables``
    sorts them naturally: x2 before x10).

    >>> from hybriddiff.parse import parse_expression
    >>> import hybriddiff as hd
    >>> f = parse_expression("exp(x**2 - x)/x")
    >>> y = f(hd.Dual(2.0, 1.0))
    >>> round(y.value, 12), round(y.tangent, 12)
    (3.694528049465, 9.236320123663)
    >>> parse_expression("ln(x2) + x10*x2 - sin(x10)", sort_variables=True).variables
    ('x2', 'x10')
    >>> parse_expression("sine(x)")
    Traceback (most recent call last):
    ...
    hybriddiff.errors.ParseError: unknown function 'sine' (did you mean 'sin'?)
      sine(x)
      ^
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_expression needs a str, got {type(text).__name__}")
    fixed = None if variables is None else _check_variables(variables)
    return _parse(text, 0, fixed, sort_variables=sort_variables, constant_only=False,
                  max_length=max_length, max_depth=max_depth, max_nodes=max_nodes, max_digits=max_digits)


def _parse(text: str, start: int, variables: Sequence[str] | None, *, sort_variables: bool,
           constant_only: bool, max_length: int, max_depth: int, max_nodes: int,
           max_digits: int) -> Expression:
    if len(text) > max_length:  # before anything looks at the text
        raise ParseError(f"expression too long: {len(text)} characters (the limit is {max_length})",
                         text, max_length)
    builder = Builder(text, variables, constant_only=constant_only, max_depth=max_depth,
                      max_nodes=max_nodes, max_digits=max_digits)
    try:
        root = builder.parse(start, len(text))
    except Fail as fail:
        raise ParseError(fail.message, _printable(text), fail.position) from None
    names = builder.variables
    if sort_variables and variables is None:
        names = sorted(names, key=_natural_key)
    return Expression(text, names, builder.finish(root, names))


def parse_assignment(text: str) -> tuple[str, float]:
    """Parse ``NAME=VALUE`` (the ``--at`` option): VALUE is a constant expression (numbers, ``pi``,
    ``e``, the functions; no variables), evaluated in floating point.

    >>> from hybriddiff.parse import parse_assignment
    >>> parse_assignment("x1=2"), parse_assignment("x = -0.5"), parse_assignment("x=pi/4")
    (('x1', 2.0), ('x', -0.5), ('x', 0.7853981633974483))
    >>> parse_assignment("x")
    Traceback (most recent call last):
    ...
    hybriddiff.errors.ParseError: expected NAME=VALUE, e.g. x=2 (missing '=')
      x
       ^
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_assignment needs a str, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"assignment too long: {len(text)} characters (the limit is {MAX_LENGTH})",
                         text, MAX_LENGTH)
    eq = text.find("=")
    if eq < 0:
        raise ParseError("expected NAME=VALUE, e.g. x=2 (missing '=')", text, len(text))
    name = text[:eq].strip()
    where = len(text[:eq]) - len(text[:eq].lstrip())
    if not name:
        raise ParseError("missing variable name before '='", text, eq)
    if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("__"):
        raise ParseError(f"invalid variable name {name!r}", text, where)
    if name in language_table() or name in CONSTANTS:
        kind = "function" if name in language_table() else "constant"
        raise ParseError(f"{name!r} is a {kind}, not a variable", text, where)
    if not text[eq + 1:].strip():
        raise ParseError(f"missing value after '{name}='", text, eq + 1)
    expression = _parse(text, eq + 1, (), sort_variables=False, constant_only=True,
                        max_length=MAX_LENGTH, max_depth=MAX_DEPTH, max_nodes=MAX_NODES,
                        max_digits=MAX_DIGITS)
    with np.errstate(all="ignore"):
        value = float(expression())
    if not math.isfinite(value):
        value_at = LEADING_SPACE.match(text, eq + 1).end()
        raise ParseError(f"the value of {name} is not a finite number ({value})", text, value_at)
    return name, value
