"""The command line's safe expression language: text -> ``Expression``, never ``eval``.

The language is a whitelist: int and float literals, variables, ``+ - * / % **``, unary ``-`` and
``+``, parentheses, calls of the primitive table's functions by name (plus a few aliases and composed
functions, see ``function_names()``) with positional arguments, and the constants ``pi`` and ``e``.
Everything else (attributes, subscripts, lambdas, comprehensions, comparisons, strings, keyword or
starred arguments, ...) is a ``ParseError`` whose ``position`` is the 0-based column of the offending
node in the original text.

How it stays safe and fast:

- ``ast.parse`` only builds a syntax tree. An explicit-stack walk turns the whitelisted node types into
  a flat IR (a post-order list, like hybriddiff's graphs) and rejects the rest. No name is ever looked
  up in a Python namespace; calls go to hybriddiff's functions by name.
- Nothing is evaluated while parsing (``9**9**9`` stays three numbers). Evaluation goes through
  hybriddiff's primitives with float constants, so it overflows to ``inf`` at once instead of building
  a huge integer; it works on floats, NumPy arrays and hybriddiff's Dual/Variable/traced values alike.
- A linear scan checks the limits before ``ast.parse`` sees the text: length, parenthesis depth,
  runs of unary operators, digits in a literal. A 10 MB text is refused without being scanned.
- Long flat chains (``x + x + ... + x``): ``ast.parse`` nests them left-deep and CPython's AST
  construction gives up near 3,000 levels. When the top level of a text holds many ``+ - * / %``
  operators, the text is cut at them, each operand is parsed on its own and the chain is folded left,
  exactly as Python would associate it. (Chains inside parentheses or calls are left to ``ast.parse``;
  past about 3,000 operators they are a ``ParseError`` "nested too deeply".)
"""
from __future__ import annotations

import ast
import difflib
import inspect
import keyword
import math
import re
import unicodedata
from typing import Any, Callable, Sequence

import numpy as np

from .core.functions import language_table
from .core.record import PRIMITIVES
from .errors import ParseError

__all__ = ["Expression", "parse_expression", "parse_assignment", "function_names",
           "MAX_LENGTH", "MAX_DEPTH", "MAX_NODES", "MAX_DIGITS"]

MAX_LENGTH = 100_000   # characters of text
MAX_DEPTH = 200        # parentheses, unary operators, nested calls/powers (not left-assoc chains)
MAX_NODES = 100_000    # syntax nodes: a 100,000-character text cannot hold many more
MAX_DIGITS = 400       # digits in one number literal (a float overflows past 309 anyway)
_SPLIT_THRESHOLD = 256  # top-level binary operators above which a chain is cut before ast.parse

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.Mod: "%"}
_PRIM_OF = {"+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow", "%": "mod"}
_FORBIDDEN_BINOPS = {ast.FloorDiv: "//", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
                     ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&"}
_REJECTED = {  # ast node type -> the message (everything not whitelisted is rejected)
    ast.Attribute: "attribute access is not allowed",
    ast.Subscript: "indexing and slicing are not allowed", ast.Slice: "slicing is not allowed",
    ast.Lambda: "lambda functions are not allowed", ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed", ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "generator expressions are not allowed",
    ast.Compare: "comparisons are not allowed", ast.BoolOp: "'and' and 'or' are not allowed",
    ast.IfExp: "conditional expressions (if/else) are not allowed",
    ast.NamedExpr: "assignment expressions (:=) are not allowed",
    ast.Starred: "starred arguments (*args) are not allowed",
    ast.JoinedStr: "f-strings are not allowed", ast.FormattedValue: "f-strings are not allowed",
    ast.Tuple: "tuples are not allowed (a comma outside a function call?)",
    ast.List: "lists are not allowed", ast.Set: "sets are not allowed",
    ast.Dict: "dictionaries are not allowed", ast.Await: "'await' is not allowed",
    ast.Yield: "'yield' is not allowed", ast.YieldFrom: "'yield' is not allowed",
}
_CONSTANT_KINDS = {bool: "booleans (True/False) are", complex: "complex numbers are", str: "strings are",
                   bytes: "bytes literals are", type(None): "None is", type(...): "'...' (Ellipsis) is"}
_PREC = {"+": 10, "-": 10, "*": 20, "/": 20, "%": 20, "neg": 25, "**": 30}
_SPELLING = {"+": " + ", "-": " - ", "*": "*", "/": "/", "%": " % ", "**": "**"}

_TOKEN = re.compile(r"""
    (?P<space>[ \t\f]+)
  | (?P<number>(?:0[xXoObB][0-9a-fA-F_]*
               |(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9_]*)?)[jJ]?)
  | (?P<name>[^\W\d]\w*)
  | (?P<op>\*\*|//|[-+*/%(),])
  | (?P<open>[\[{])
  | (?P<close>[\]}])
  | (?P<bad>['"\#\x00\ud800-\udfff])
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)
_NEWLINE = re.compile(r"\r\n|\r|\n")
_LEADING_SPACE = re.compile(r"\s*")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Fail(Exception):
    """Internal: a message and an absolute position, turned into ``ParseError`` at the API boundary."""

    def __init__(self, message: str, position: int | None):
        super().__init__(message)
        self.message, self.position = message, position


def _functions() -> dict[str, tuple[str, int, Callable[..., Any]]]:
    """name users may call -> (canonical name, arity, function): the records' names (``functions.py``)."""
    return language_table()


def function_names() -> tuple[str, ...]:
    """Every function name the language accepts (aliases included), sorted.

    >>> from hybriddiff.parse import function_names
    >>> {"sin", "ln", "atan2", "exp2", "max"} <= set(function_names())
    True
    """
    return tuple(sorted(_functions()))


def _natural_key(name: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _closest(name: str, candidates: Sequence[str]) -> str:
    match = difflib.get_close_matches(name, list(candidates), n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""


# ---------------------------------------------------------------- scanning (before ast.parse)
def _scan(text: str, start: int, end: int, max_depth: int, max_digits: int) -> list | None:
    """One linear pass: enforce the limits; return the top-level binary operators ``(position,
    symbol)`` when the text is plain enough to be cut at them (else None)."""
    depth, unary_run, operand_before, simple = 0, 0, False, True
    cuts: list[tuple[int, str]] = []
    for m in _TOKEN.finditer(text, start, end):
        kind = m.lastgroup
        if kind == "space":
            continue
        pos, tok = m.start(), m.group()
        if kind == "op" and tok in "+-" and not operand_before:
            unary_run += 1
            if unary_run > max_depth:
                raise _Fail(f"expression nested too deeply: more than {max_depth} unary operators "
                            f"in a row", pos)
            continue
        unary_run = 0
        if kind == "number":
            if len(tok) > max_digits and len(tok) - tok.count("_") - tok.count(".") > max_digits:
                raise _Fail(f"number literal too long (more than {max_digits} digits)", pos)
            if m.end() < end and (text[m.end()].isalpha() or text[m.end()] == "_"):
                # Python's tokenizer errs ("2x") or warns ("1if") here: say what the user means
                raise _Fail("a number followed by a name: use '*' between them (e.g. 2*x)", pos)
            operand_before = True
        elif kind == "name":
            operand_before = not keyword.iskeyword(tok)
            simple = simple and operand_before
        elif kind == "op" or kind == "open":
            if tok in "([{":
                depth += 1
                if depth > max_depth:
                    raise _Fail(f"expression nested too deeply: more than {max_depth} levels of "
                                f"parentheses", pos)
            elif tok == ")":
                depth -= 1
            elif depth == 0 and tok in ("+", "-", "*", "/", "%"):
                cuts.append((pos, tok))
            simple = simple and kind == "op" and tok != "//" and (tok != "," or depth > 0)
            operand_before = tok == ")"
            if depth < 0:  # unmatched ')': let ast.parse say so
                depth, simple = 0, False
        elif kind == "close":
            depth, simple, operand_before = max(depth - 1, 0), False, True
        elif kind == "bad":
            if tok in "'\"":
                j = pos  # point at a string prefix (f"...", b'...') when there is one
                while j > start and pos - j < 3 and text[j - 1] in "rRbBfFuU":
                    j -= 1
                if j < pos and j > start and (text[j - 1].isalnum() or text[j - 1] == "_"):
                    j = pos
                raise _Fail("strings are not allowed", j)
            if tok == "#":
                raise _Fail("comments ('#') are not allowed", pos)
            raise _Fail("invalid character in the expression", pos)
        else:
            simple, operand_before = False, False
    return cuts if simple and depth == 0 else None


# ---------------------------------------------------------------- the whitelist walk
class _Builder:
    """Parses spans of ``text`` into one shared, interned, post-order node list."""

    def __init__(self, text: str, variables: Sequence[str] | None, *, constant_only: bool,
                 max_depth: int, max_nodes: int, max_digits: int):
        self.text, self.constant_only = text, constant_only
        self.max_depth, self.max_nodes, self.max_digits = max_depth, max_nodes, max_digits
        self.table = _functions()
        self.fixed = variables is not None
        self.variables: list[str] = list(variables or ())
        self.allowed = set(self.variables)
        self.nodes: list[tuple] = []
        self.index: dict[tuple, int] = {}
        self.count = 0

    def emit(self, node: tuple) -> int:
        i = self.index.get(node)
        if i is None:
            i = self.index[node] = len(self.nodes)
            self.nodes.append(node)
        return i

    def tick(self, n: int, position: int | None) -> None:
        self.count += n
        if self.count > self.max_nodes:
            raise _Fail(f"expression too large: more than {self.max_nodes} nodes", position)

    def parse(self, start: int, end: int) -> int:
        start = _LEADING_SPACE.match(self.text, start, end).end()
        if start >= end:
            raise _Fail("empty expression", start)
        cuts = _scan(self.text, start, end, self.max_depth, self.max_digits)
        if cuts is not None and len(cuts) > _SPLIT_THRESHOLD:
            return self.parse_chain(start, end, cuts)
        return self.parse_ast(start, end, 0)

    def parse_chain(self, start: int, end: int, cuts: list[tuple[int, str]]) -> int:
        """A top-level chain ``f0 op1 f1 op2 ...``: each operand parsed alone, folded left."""
        bounds, prev = [], start
        for pos, sym in cuts:
            bounds.append((prev, pos))
            prev = pos + 1
        bounds.append((prev, end))
        cache: dict[tuple[str, int], tuple[int, int]] = {}

        def operand(k: int, depth: int) -> int:
            lo, hi = bounds[k]
            piece = self.text[lo:hi]
            stripped = piece.strip()
            if not stripped:
                if k < len(cuts):
                    raise _Fail(f"expected an operand before {cuts[k][1]!r}", cuts[k][0])
                raise _Fail(f"expected an operand after {cuts[k - 1][1]!r}", cuts[k - 1][0])
            hit = cache.get((stripped, depth))
            if hit is not None:
                self.tick(hit[1], lo)
                return hit[0]
            before = self.count
            lo += len(piece) - len(piece.lstrip())
            i = self.parse_ast(lo, lo + len(stripped), depth)
            cache[stripped, depth] = (i, self.count - before)
            return i

        # the depths the whitelist walk would give: a right operand is one level down
        term, total, total_op = operand(0, 0), -1, ""
        for k, (pos, sym) in enumerate(cuts, 1):
            if sym in "+-":
                if total >= 0:
                    self.tick(1, pos)
                    term = self.emit(("binop", total_op, total, term))
                total, total_op, term = term, sym, operand(k, 1)
            else:
                right = operand(k, 1 + (total >= 0))
                self.tick(1, pos)
                term = self.emit(("binop", sym, term, right))
        if total >= 0:
            self.tick(1, end)
            term = self.emit(("binop", total_op, total, term))
        return term

    # -- positions: ast gives (line, UTF-8 byte column) within the parsed span
    def _where(self, base: int, lineno: int | None, col: int | None, *, chars: bool = False) -> int:
        chunk_end = len(self.text)
        lineno, col = max(lineno or 1, 1), max(col or 0, 0)
        line_start = base
        for _ in range(lineno - 1):
            m = _NEWLINE.search(self.text, line_start, chunk_end)
            if m is None:
                break
            line_start = m.end()
        m = _NEWLINE.search(self.text, line_start, chunk_end)
        line = self.text[line_start:m.start() if m else chunk_end]
        if not chars:
            col = len(line.encode("utf-8")[:col].decode("utf-8", "ignore"))
        return min(line_start + col, len(self.text))

    def _start(self, base: int, node: ast.AST) -> int:
        return self._where(base, node.lineno, node.col_offset)

    def _after(self, base: int, node: ast.AST) -> int:
        """The first character after ``node`` that is not a space or ')': an operator, usually."""
        p = self._where(base, node.end_lineno, node.end_col_offset)
        while p < len(self.text) - 1 and self.text[p] in " \t\f\r\n)\\":
            p += 1
        return p

    def parse_ast(self, start: int, end: int, depth: int) -> int:
        try:
            tree = ast.parse(self.text[start:end], mode="eval")
        except SyntaxError as exc:
            if not exc.offset and exc.msg == "invalid syntax":  # CPython's way of saying "at the end"
                raise _Fail("unexpected end of the expression", len(self.text[start:end].rstrip()) + start)
            message = exc.msg if "syntax" in exc.msg else f"invalid syntax: {exc.msg}"
            raise _Fail(message, self._where(start, exc.lineno, (exc.offset or 1) - 1, chars=True))
        except (RecursionError, MemoryError):
            raise _Fail("expression nested too deeply for Python's parser (too many nested unary "
                        "operators or powers, or a very long chain inside parentheses)", start)
        except (ValueError, OverflowError, Warning) as exc:
            raise _Fail(f"cannot parse the expression: {exc}", start)
        return self.walk(tree.body, start, depth)

    def walk(self, root: ast.AST, base: int, depth0: int) -> int:
        """Post-order conversion with an explicit stack: deep trees never recurse."""
        stack: list[tuple[ast.AST, int, bool]] = [(root, depth0, False)]
        out: list[int] = []
        while stack:
            node, depth, done = stack.pop()
            kind = type(node)
            if done:
                if kind is ast.BinOp:
                    right = out.pop()
                    out.append(self.emit(("binop", _BINOPS[type(node.op)], out.pop(), right)))
                elif kind is ast.UnaryOp:
                    out.append(self.emit(("neg", out.pop())))
                else:  # a call
                    n = len(node.args)
                    args = tuple(out[len(out) - n:])
                    del out[len(out) - n:]
                    out.append(self.emit(("call", self.table[node.func.id][0], args)))
                continue
            self.tick(1, None if self.count < self.max_nodes else self._start(base, node))
            if depth > self.max_depth:
                raise _Fail(f"expression nested too deeply: more than {self.max_depth} levels",
                            self._start(base, node))
            if kind is ast.Constant:
                out.append(self.emit(("num", self.number(node, base))))
            elif kind is ast.Name:
                out.append(self.name(node, base))
            elif kind is ast.BinOp:
                sym = _BINOPS.get(type(node.op))
                if sym is None:
                    raise _Fail(f"operator {_FORBIDDEN_BINOPS.get(type(node.op), '?')!r} is not "
                                f"allowed", self._after(base, node.left))
                stack.append((node, depth, True))
                stack.append((node.right, depth + 1, False))
                stack.append((node.left, depth + (sym == "**"), False))
            elif kind is ast.UnaryOp:
                if type(node.op) is ast.USub:
                    stack.append((node, depth, True))
                elif type(node.op) is not ast.UAdd:  # unary + is the identity: no node
                    what = "'not'" if type(node.op) is ast.Not else "'~' (bitwise not)"
                    raise _Fail(f"{what} is not allowed", self._start(base, node))
                stack.append((node.operand, depth + 1, False))
            elif kind is ast.Call:
                self.check_call(node, base)
                stack.append((node, depth, True))
                stack.extend((arg, depth + 1, False) for arg in reversed(node.args))
            else:
                self.reject(node, base)
        return out[-1]

    def number(self, node: ast.Constant, base: int) -> int | float:
        value = node.value
        if type(value) is int:
            if abs(value) < 2 ** 53:  # exact, as DESIGN asks: SymPy shows 2*x, not 2.0*x
                return value
            try:
                return float(value)
            except OverflowError:
                raise _Fail("integer literal too large for a float (over 1.8e308)",
                            self._start(base, node)) from None
        if type(value) is float:
            if not math.isfinite(value):
                raise _Fail("number literal too large for a float (over 1.8e308)", self._start(base, node))
            return value
        what = _CONSTANT_KINDS.get(type(value), f"{type(value).__name__} constants are")
        raise _Fail(f"{what} not allowed", self._start(base, node))

    def name(self, node: ast.Name, base: int) -> int:
        name = node.id
        where = self._start(base, node)
        if name.startswith("__"):
            raise _Fail(f"names starting with '__' are not allowed: {name!r}", where)
        if name in self.allowed:
            return self.emit(("var", name))
        if name in CONSTANTS:
            return self.emit(("const", name))
        if name in self.table:
            raise _Fail(f"{name!r} is a function: call it, as in {name}(...)", where)
        if self.constant_only:
            raise _Fail(f"a constant is expected here, but {name!r} is a variable (allowed names: "
                        f"pi, e and the functions)", where)
        if self.fixed:
            listed = ", ".join(self.variables) or "none"
            raise _Fail(f"unknown variable {name!r}{_closest(name, self.variables)}; the variables are: "
                        f"{listed}", where)
        self.variables.append(name)
        self.allowed.add(name)
        return self.emit(("var", name))

    def check_call(self, node: ast.Call, base: int) -> None:
        func = node.func
        if type(func) is not ast.Name:
            if type(func) is ast.Attribute:
                self.reject(func, base)
            raise _Fail("only the table's functions can be called, by name", self._start(base, func))
        entry = self.table.get(func.id)
        if entry is None:
            known = ", ".join(sorted(self.table))
            hint = _closest(func.id, sorted(self.table)) or f" (known functions: {known})"
            raise _Fail(f"unknown function {func.id!r}{hint}", self._start(base, func))
        for kw in node.keywords:
            what = "keyword arguments" if kw.arg else "'**' arguments"
            raise _Fail(f"{what} are not allowed: {func.id}() takes positional arguments only",
                        self._start(base, kw))
        for arg in node.args:
            if type(arg) is ast.Starred:
                self.reject(arg, base)
        if len(node.args) != entry[1]:
            plural = "s" if entry[1] != 1 else ""
            raise _Fail(f"{func.id}() takes {entry[1]} argument{plural}, {len(node.args)} given",
                        self._start(base, func))

    def reject(self, node: ast.AST, base: int) -> None:
        kind = type(node)
        where = self._start(base, node)
        if kind is ast.Attribute:
            where = self._where(base, node.end_lineno, node.end_col_offset) - len(node.attr)
        elif kind is ast.Subscript or kind is ast.NamedExpr:
            where = self._after(base, node.value if kind is ast.Subscript else node.target)
        elif kind is ast.Compare or kind is ast.IfExp:
            where = self._after(base, node.left if kind is ast.Compare else node.body)
        elif kind is ast.BoolOp:
            where = self._after(base, node.values[0])
        raise _Fail(_REJECTED.get(kind, f"{kind.__name__} expressions are not allowed"), where)


# ---------------------------------------------------------------- the parsed expression
class Expression:
    """A parsed expression: ``text``, ``variables`` (a tuple of names), ``nodes`` (the flat IR),
    ``tree`` (the same IR nested); calling it evaluates with hybriddiff's primitives.

    ``nodes`` is a post-order tuple: ``("num", 2)``, ``("const", "pi")``, ``("var", "x")``,
    ``("neg", i)``, ``("binop", "+", i, j)``, ``("call", "exp", (i, ...))`` with ``i, j`` indices
    of earlier nodes (equal subexpressions are one node); the last node is the result.

    >>> from hybriddiff.parse import parse_expression
    >>> f = parse_expression("exp(x**2 - x)/x")
    >>> f(2.0)
    3.694528049465325
    >>> f.variables, str(f)
    (('x',), 'exp(x**2 - x)/x')
    >>> parse_expression("2*x + 1").tree
    ('binop', '+', ('binop', '*', ('num', 2), ('var', 'x')), ('num', 1))
    """

    __slots__ = ("text", "variables", "nodes", "_program", "_tree")

    def __init__(self, text: str, variables: Sequence[str], nodes: Sequence[tuple]):
        setattr_ = object.__setattr__
        setattr_(self, "text", text)
        setattr_(self, "variables", tuple(variables))
        setattr_(self, "nodes", tuple(nodes))
        setattr_(self, "_program", _compile(self.nodes, self.variables))
        setattr_(self, "_tree", None)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Expression is immutable")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Evaluate at ``args`` (positional, in ``variables`` order, or by name): an explicit loop
        over the node list, so long chains never recurse."""
        if kwargs or len(args) != len(self.variables):
            args = self._bind(args, kwargs)
        values: list[Any] = []
        push = values.append
        for ins in self._program:
            code = ins[0]
            if code == 0:
                push(ins[1])
            elif code == 1:
                push(args[ins[1]])
            elif code == 2:
                push(ins[1](values[ins[2]]))
            elif code == 3:
                push(ins[1](values[ins[2]], values[ins[3]]))
            else:
                push(ins[1](*[values[j] for j in ins[2]]))
        out = values[-1]
        return float(out) if type(out) is int else out  # exact int literals, a float result

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

    @property
    def tree(self) -> tuple:
        """The IR as nested tuples (built without recursion; shared subtrees are shared tuples)."""
        if self._tree is None:
            trees: list[tuple] = []
            for node in self.nodes:
                kind = node[0]
                if kind == "neg":
                    node = ("neg", trees[node[1]])
                elif kind == "binop":
                    node = ("binop", node[1], trees[node[2]], trees[node[3]])
                elif kind == "call":
                    node = ("call", node[1], tuple(trees[j] for j in node[2]))
                trees.append(node)
            object.__setattr__(self, "_tree", trees[-1])
        return self._tree

    def __str__(self) -> str:
        return _format(self.nodes)

    def __repr__(self) -> str:
        text = str(self)
        if len(text) > 80:
            text = text[:77] + "..."
        return f"Expression({text!r}, variables={self.variables!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Expression):
            return NotImplemented
        return self.nodes == other.nodes and self.variables == other.variables

    def __hash__(self) -> int:
        return hash((self.nodes, self.variables))

    def __reduce__(self):
        return (Expression, (self.text, self.variables, self.nodes))


def _compile(nodes: Sequence[tuple], variables: Sequence[str]) -> tuple:
    """Each node as an instruction: (0, constant), (1, argument index), (2|3|4, function, inputs)."""
    table, slot = _functions(), {v: i for i, v in enumerate(variables)}
    program = []
    for node in nodes:
        kind = node[0]
        if kind == "num":
            program.append((0, node[1]))
        elif kind == "const":
            program.append((0, CONSTANTS[node[1]]))
        elif kind == "var":
            program.append((1, slot[node[1]]))
        elif kind == "neg":
            program.append((2, PRIMITIVES["neg"], node[1]))
        elif kind == "binop":
            program.append((3, PRIMITIVES[_PRIM_OF[node[1]]], node[2], node[3]))
        else:
            fn, args = table[node[1]][2], node[2]
            program.append((2, fn, args[0]) if len(args) == 1 else
                           (3, fn, args[0], args[1]) if len(args) == 2 else (4, fn, args))
    return tuple(program)


def _precedence(node: tuple) -> int:
    kind = node[0]
    return _PREC[node[1]] if kind == "binop" else (_PREC["neg"] if kind == "neg" else 100)


def _format_number(value: int | float) -> str:
    if type(value) is int:
        return str(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)


def _format(nodes: Sequence[tuple]) -> str:
    """Normalised text with the fewest parentheses that keep the tree (explicit stack)."""
    out: list[str] = []
    stack: list[Any] = [len(nodes) - 1]
    while stack:
        item = stack.pop()
        if type(item) is str:
            out.append(item)
            continue
        node = nodes[item]
        kind = node[0]
        if kind == "num":
            out.append(_format_number(node[1]))
        elif kind == "var" or kind == "const":
            out.append(node[1])
        else:
            if kind == "neg":
                parts: list[Any] = ["-", *_wrap(nodes, node[1], lambda p: p <= _PREC["neg"])]
            elif kind == "binop":
                sym, left, right = node[1], node[2], node[3]
                p = _PREC[sym]
                if sym == "**":  # right-associative; -x**2 is -(x**2), so a negated base needs ()
                    parts = [*_wrap(nodes, left, lambda q: q <= p), "**",
                             *_wrap(nodes, right, lambda q: q < p)]
                else:
                    parts = [*_wrap(nodes, left, lambda q: q < p), _SPELLING[sym],
                             *_wrap(nodes, right, lambda q: q <= p)]
            else:
                parts = [node[1] + "("]
                for k, arg in enumerate(node[2]):
                    parts += [", ", arg] if k else [arg]
                parts.append(")")
            stack.extend(reversed(parts))
    return "".join(out)


def _wrap(nodes: Sequence[tuple], i: int, needs: Callable[[int], bool]) -> list:
    return ["(", i, ")"] if needs(_precedence(nodes[i])) else [i]


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
        if v in _functions() or v in CONSTANTS:
            kind = "function" if v in _functions() else "constant"
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
    builder = _Builder(text, variables, constant_only=constant_only, max_depth=max_depth,
                       max_nodes=max_nodes, max_digits=max_digits)
    try:
        builder.parse(start, len(text))
    except _Fail as fail:
        raise ParseError(fail.message, _printable(text), fail.position) from None
    names = builder.variables
    if sort_variables and variables is None:
        names = sorted(names, key=_natural_key)
    return Expression(text, names, builder.nodes)


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
    if name in _functions() or name in CONSTANTS:
        kind = "function" if name in _functions() else "constant"
        raise ParseError(f"{name!r} is a {kind}, not a variable", text, where)
    if not text[eq + 1:].strip():
        raise ParseError(f"missing value after '{name}='", text, eq + 1)
    expression = _parse(text, eq + 1, (), sort_variables=False, constant_only=True,
                        max_length=MAX_LENGTH, max_depth=MAX_DEPTH, max_nodes=MAX_NODES,
                        max_digits=MAX_DIGITS)
    with np.errstate(all="ignore"):
        value = float(expression())
    if not math.isfinite(value):
        value_at = _LEADING_SPACE.match(text, eq + 1).end()
        raise ParseError(f"the value of {name} is not a finite number ({value})", text, value_at)
    return name, value
