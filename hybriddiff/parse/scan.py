"""The scan before ``ast.parse``: limits checked in one linear pass, and columns in the original text.

``scan`` enforces the limits that ``ast.parse`` would otherwise pay for (parenthesis depth, runs of
unary operators, digits in a literal) and refuses strings, comments and odd characters at their own
column; when a text's top level is a plain chain it returns the operators to cut it at. ``where``
turns ast's (line, UTF-8 byte column) positions into offsets into the original text.
"""
from __future__ import annotations

import keyword
import re

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
LEADING_SPACE = re.compile(r"\s*")
CHAIN_OPERATORS = ("+", "-", "*", "/", "%")   # left-associative: a chain of them can be cut


class Fail(Exception):
    """A message and an absolute position, turned into ``ParseError`` at the API boundary."""

    def __init__(self, message: str, position: int | None):
        super().__init__(message)
        self.message, self.position = message, position


def scan(text: str, start: int, end: int, max_depth: int, max_digits: int) -> list | None:
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
                raise Fail(f"expression nested too deeply: more than {max_depth} unary operators "
                           f"in a row", pos)
            continue
        unary_run = 0
        if kind == "number":
            if len(tok) > max_digits and len(tok) - tok.count("_") - tok.count(".") > max_digits:
                raise Fail(f"number literal too long (more than {max_digits} digits)", pos)
            if m.end() < end and (text[m.end()].isalpha() or text[m.end()] == "_"):
                # Python's tokenizer errs ("2x") or warns ("1if") here: say what the user means
                raise Fail("a number followed by a name: use '*' between them (e.g. 2*x)", pos)
            operand_before = True
        elif kind == "name":
            operand_before = not keyword.iskeyword(tok)
            simple = simple and operand_before
        elif kind == "op" or kind == "open":
            if tok in "([{":
                depth += 1
                if depth > max_depth:
                    raise Fail(f"expression nested too deeply: more than {max_depth} levels of "
                               f"parentheses", pos)
            elif tok == ")":
                depth -= 1
            elif depth == 0 and tok in CHAIN_OPERATORS:
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
                raise Fail("strings are not allowed", j)
            if tok == "#":
                raise Fail("comments ('#') are not allowed", pos)
            raise Fail("invalid character in the expression", pos)
        else:
            simple, operand_before = False, False
    return cuts if simple and depth == 0 else None


def where(text: str, base: int, lineno: int | None, col: int | None, *, chars: bool = False) -> int:
    """The offset in ``text`` of ast's position (line, UTF-8 byte column; ``chars``: a character
    column) within the span parsed from ``base``."""
    chunk_end = len(text)
    lineno, col = max(lineno or 1, 1), max(col or 0, 0)
    line_start = base
    for _ in range(lineno - 1):
        m = _NEWLINE.search(text, line_start, chunk_end)
        if m is None:
            break
        line_start = m.end()
    m = _NEWLINE.search(text, line_start, chunk_end)
    line = text[line_start:m.start() if m else chunk_end]
    if not chars:
        col = len(line.encode("utf-8")[:col].decode("utf-8", "ignore"))
    return min(line_start + col, len(text))


__all__ = ["Fail", "scan", "where", "LEADING_SPACE", "CHAIN_OPERATORS"]
