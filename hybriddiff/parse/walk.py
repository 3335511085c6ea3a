"""The whitelist walk: Python's syntax tree of a text, turned into a hybriddiff graph.

``ast.parse`` only builds a syntax tree; an explicit-stack walk emits the whitelisted node types
into a ``Graph`` (which interns equal subexpressions and folds exact constants) and rejects the rest
at their column. Operators map to the records printed with Python's symbol (``Primitive.infix``);
function names come from the records' names (``core/functions.py``): a primitive is emitted
directly, a composed function (``exp2``, ``trunc``, ``logaddexp``) records itself by running on
tracers. No name is ever looked up in a Python namespace.

Long flat chains (``x + x + ... + x``): ``ast.parse`` nests them left-deep and CPython's AST
construction gives up near 3,000 levels. When the top level of a text holds many ``+ - * / %``
operators, the text is cut at them, each operand is parsed on its own and the chain is folded left,
exactly as Python would associate it. (Chains inside parentheses or calls are left to ``ast.parse``;
past about 3,000 operators they are a ``ParseError`` "nested too deeply".)

The graph is built in the order the walk meets things (variables may turn up late) and then
re-emitted in a canonical order: the inputs in the variables' final order, then what the result
needs, arguments left to right. Equal trees give equal graphs however they were built, and what a
fold made dead drops out.

(A little over 300 lines: the whitelist is one class, meant to be read top to bottom.)
"""
from __future__ import annotations

import ast
import difflib
import math
from typing import Any, Sequence

from ..core.dispatch import new_level
from ..core.functions import language_table
from ..core.record import PRIMITIVES, Primitive
from ..graph.facade import Graph
from ..graph.ir import CONST
from ..graph.tracing import Tracer
from .scan import LEADING_SPACE, Fail, scan, where

SPLIT_THRESHOLD = 256  # top-level binary operators above which a chain is cut before ast.parse

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}

_OPERATOR = {p.infix: p for p in PRIMITIVES.values() if p.infix and p.dunder and p.arity == 2}  # "+" -> add
_NEGATE = next(p for p in PRIMITIVES.values() if p.infix == "-" and p.arity == 1)
_PYTHON_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.Mod: "%"}
_BINOPS = {op: _OPERATOR[symbol] for op, symbol in _PYTHON_OPERATORS.items()}
_FORBIDDEN_BINOPS = {ast.FloorDiv: "//", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
                     ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&"}
_HINTS = {"^": " (for a power write x**2: '^' is exclusive or in Python)",
          "//": " (write floor(x / y))", "%": ""}
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


def closest(name: str, candidates: Sequence[str]) -> str:
    match = difflib.get_close_matches(name, list(candidates), n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""


class Builder:
    """Parses spans of ``text`` into one graph (``finish`` gives it in canonical order)."""

    def __init__(self, text: str, variables: Sequence[str] | None, *, constant_only: bool,
                 max_depth: int, max_nodes: int, max_digits: int):
        self.text, self.constant_only = text, constant_only
        self.max_depth, self.max_nodes, self.max_digits = max_depth, max_nodes, max_digits
        self.table = language_table()
        self.fixed = variables is not None
        self.variables: list[str] = list(variables or ())
        self.graph = Graph(name="f")
        self.inputs = {v: self.graph.add_input(v) for v in self.variables}   # name -> node
        self.level = new_level()
        self.count = 0

    def tick(self, n: int, position: int | None) -> None:
        self.count += n
        if self.count > self.max_nodes:
            raise Fail(f"expression too large: more than {self.max_nodes} nodes", position)

    def parse(self, start: int, end: int) -> int:
        start = LEADING_SPACE.match(self.text, start, end).end()
        if start >= end:
            raise Fail("empty expression", start)
        cuts = scan(self.text, start, end, self.max_depth, self.max_digits)
        if cuts is not None and len(cuts) > SPLIT_THRESHOLD:
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
                    raise Fail(f"expected an operand before {cuts[k][1]!r}", cuts[k][0])
                raise Fail(f"expected an operand after {cuts[k - 1][1]!r}", cuts[k - 1][0])
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
        emit = self.graph.emit
        term, total, total_op = operand(0, 0), -1, ""
        for k, (pos, sym) in enumerate(cuts, 1):
            if sym in "+-":
                if total >= 0:
                    self.tick(1, pos)
                    term = emit(_OPERATOR[total_op], (total, term))
                total, total_op, term = term, sym, operand(k, 1)
            else:
                right = operand(k, 1 + (total >= 0))
                self.tick(1, pos)
                term = emit(_OPERATOR[sym], (term, right))
        if total >= 0:
            self.tick(1, end)
            term = emit(_OPERATOR[total_op], (total, term))
        return term

    # -- positions: ast gives (line, UTF-8 byte column) within the parsed span
    def _start(self, base: int, node: ast.AST) -> int:
        return where(self.text, base, node.lineno, node.col_offset)

    def _after(self, base: int, node: ast.AST) -> int:
        """The first character after ``node`` that is not a space or ')': an operator, usually."""
        p = where(self.text, base, node.end_lineno, node.end_col_offset)
        while p < len(self.text) - 1 and self.text[p] in " \t\f\r\n)\\":
            p += 1
        return p

    def parse_ast(self, start: int, end: int, depth: int) -> int:
        try:
            tree = ast.parse(self.text[start:end], mode="eval")
        except SyntaxError as exc:
            if not exc.offset and exc.msg == "invalid syntax":  # CPython's way of saying "at the end"
                raise Fail("unexpected end of the expression", len(self.text[start:end].rstrip()) + start)
            message = exc.msg if "syntax" in exc.msg else f"invalid syntax: {exc.msg}"
            raise Fail(message, where(self.text, start, exc.lineno, (exc.offset or 1) - 1, chars=True))
        except (RecursionError, MemoryError):
            raise Fail("expression nested too deeply for Python's parser (too many nested unary "
                       "operators or powers, or a very long chain inside parentheses)", start)
        except (ValueError, OverflowError, Warning) as exc:
            raise Fail(f"cannot parse the expression: {exc}", start)
        return self.walk(tree.body, start, depth)

    def walk(self, root: ast.AST, base: int, depth0: int) -> int:
        """Post-order conversion with an explicit stack: deep trees never recurse."""
        stack: list[tuple[ast.AST, int, bool]] = [(root, depth0, False)]
        out: list[int] = []
        graph = self.graph
        while stack:
            node, depth, done = stack.pop()
            kind = type(node)
            if done:
                if kind is ast.BinOp:
                    right = out.pop()
                    out.append(graph.emit(_BINOPS[type(node.op)], (out.pop(), right)))
                elif kind is ast.UnaryOp:
                    out.append(graph.emit(_NEGATE, (out.pop(),)))
                else:  # a call
                    n = len(node.args)
                    args = tuple(out[len(out) - n:])
                    del out[len(out) - n:]
                    out.append(self.call(self.table[node.func.id][2], args))
                continue
            self.tick(1, None if self.count < self.max_nodes else self._start(base, node))
            if depth > self.max_depth:
                raise Fail(f"expression nested too deeply: more than {self.max_depth} levels",
                           self._start(base, node))
            if kind is ast.Constant:
                out.append(graph.const(self.number(node, base)))
            elif kind is ast.Name:
                out.append(self.name(node, base))
            elif kind is ast.BinOp:
                prim = _BINOPS.get(type(node.op))
                if prim is None:
                    symbol = _FORBIDDEN_BINOPS.get(type(node.op), '?')
                    hint = _HINTS.get(symbol, "")
                    raise Fail(f"operator {symbol!r} is not allowed{hint}", self._after(base, node.left))
                stack.append((node, depth, True))
                stack.append((node.right, depth + 1, False))
                stack.append((node.left, depth + (type(node.op) is ast.Pow), False))
            elif kind is ast.UnaryOp:
                if type(node.op) is ast.USub:
                    stack.append((node, depth, True))
                elif type(node.op) is not ast.UAdd:  # unary + is the identity: no node
                    what = "'not'" if type(node.op) is ast.Not else "'~' (bitwise not)"
                    raise Fail(f"{what} is not allowed", self._start(base, node))
                stack.append((node.operand, depth + 1, False))
            elif kind is ast.Call:
                self.check_call(node, base)
                stack.append((node, depth, True))
                stack.extend((arg, depth + 1, False) for arg in reversed(node.args))
            else:
                self.reject(node, base)
        return out[-1]

    def call(self, fn: Any, args: tuple[int, ...]) -> int:
        """A primitive is one node; a composed function records itself on tracers."""
        if isinstance(fn, Primitive):
            return self.graph.emit(fn, args)
        out = fn(*[Tracer(self.graph, i, None, self.level) for i in args])
        return out.index if type(out) is Tracer else self.graph.const(out)

    def number(self, node: ast.Constant, base: int) -> int | float:
        """A literal as an exact int where it is one (``2.0`` is ``2``: SymPy shows 2*x, not 2.0*x,
        and exact constants fold); other floats as they are."""
        value = node.value
        if type(value) is int:
            try:
                float(value)
            except OverflowError:
                raise Fail("integer literal too large for a float (over 1.8e308)",
                           self._start(base, node)) from None
            return value
        if type(value) is float:
            if not math.isfinite(value):
                raise Fail("number literal too large for a float (over 1.8e308)", self._start(base, node))
            return int(value) if value.is_integer() and abs(value) < 2 ** 53 else value
        what = _CONSTANT_KINDS.get(type(value), f"{type(value).__name__} constants are")
        raise Fail(f"{what} not allowed", self._start(base, node))

    def name(self, node: ast.Name, base: int) -> int:
        name = node.id
        where_ = self._start(base, node)
        if name.startswith("__"):
            raise Fail(f"names starting with '__' are not allowed: {name!r}", where_)
        if name in self.inputs:
            return self.inputs[name]
        if name in CONSTANTS:
            return self.graph.const(CONSTANTS[name], name=name)
        if name in self.table:
            raise Fail(f"{name!r} is a function: call it, as in {name}(...)", where_)
        if self.constant_only:
            raise Fail(f"a constant is expected here, but {name!r} is a variable (allowed names: "
                       f"pi, e and the functions)", where_)
        if self.fixed:
            listed = ", ".join(self.variables) or "none"
            raise Fail(f"unknown variable {name!r}{closest(name, self.variables)}; the variables are: "
                       f"{listed}", where_)
        self.variables.append(name)
        self.inputs[name] = self.graph.add_input(name)
        return self.inputs[name]

    def check_call(self, node: ast.Call, base: int) -> None:
        func = node.func
        if type(func) is not ast.Name:
            if type(func) is ast.Attribute:
                self.reject(func, base)
            raise Fail("only the table's functions can be called, by name", self._start(base, func))
        entry = self.table.get(func.id)
        if entry is None:
            known = ", ".join(sorted(self.table))
            hint = closest(func.id, sorted(self.table)) or f" (known functions: {known})"
            raise Fail(f"unknown function {func.id!r}{hint}", self._start(base, func))
        for kw in node.keywords:
            what = "keyword arguments" if kw.arg else "'**' arguments"
            raise Fail(f"{what} are not allowed: {func.id}() takes positional arguments only",
                       self._start(base, kw))
        for arg in node.args:
            if type(arg) is ast.Starred:
                self.reject(arg, base)
        if len(node.args) != entry[1]:
            plural = "s" if entry[1] != 1 else ""
            raise Fail(f"{func.id}() takes {entry[1]} argument{plural}, {len(node.args)} given",
                       self._start(base, func))

    def reject(self, node: ast.AST, base: int) -> None:
        kind = type(node)
        at = self._start(base, node)
        if kind is ast.Attribute:
            at = where(self.text, base, node.end_lineno, node.end_col_offset) - len(node.attr)
        elif kind is ast.Subscript or kind is ast.NamedExpr:
            at = self._after(base, node.value if kind is ast.Subscript else node.target)
        elif kind is ast.Compare or kind is ast.IfExp:
            at = self._after(base, node.left if kind is ast.Compare else node.body)
        elif kind is ast.BoolOp:
            at = self._after(base, node.values[0])
        raise Fail(_REJECTED.get(kind, f"{kind.__name__} expressions are not allowed"), at)

    def finish(self, root: int, names: Sequence[str]) -> Graph:
        """The graph in canonical order: the inputs in ``names``' order, then the nodes ``root``
        needs in post-order, arguments left to right (re-emitted: what a fold made dead drops out)."""
        old = self.graph.nodes
        graph = Graph(name="f", arg_names=list(names), arg_sizes=[None] * len(names))
        new = {self.inputs[v]: graph.add_input(v) for v in names}   # old node -> new node
        stack = [root]
        while stack:
            i = stack[-1]
            if i in new:
                stack.pop()
                continue
            node = old[i]
            todo = [a for a in node.args if a not in new]
            if todo:
                stack.extend(reversed(todo))
                continue
            stack.pop()
            new[i] = (graph.const(node.const, node.name) if node.kind is CONST
                      else graph.emit(node.prim, [new[a] for a in node.args]))
        graph.outputs = [new[root]]
        return graph


__all__ = ["Builder", "CONSTANTS", "SPLIT_THRESHOLD", "closest"]
