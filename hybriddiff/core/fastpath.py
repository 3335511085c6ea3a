"""Fast paths for Python floats, generated from the primitive table (the rules stay in one place).

Forward and reverse mode on Python floats spend most of their time in dispatch, not arithmetic.
Here each primitive's partials are run once on placeholders that print the rule as Python source
(``1 / y``, ``math.cos(x)``; see ``printer.py``); the source is compiled into per-primitive methods for
``Dual`` and ``Variable``. Anything unusual (other levels, arrays, a float error) falls back to the
generic ``bind``; tests check that both paths agree.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from . import primitives as P
from .dispatch import bind
from .printer import expression_text, partial_texts
from .record import PRIMITIVES, Primitive


def rule_code(prim: Primitive, names: tuple[str, ...]) -> tuple[str, list[str]]:
    """(code of out, [code of d out / d arg_i]) for float arguments called ``names``."""
    out = expression_text(prim, list(names), "python")
    return out, partial_texts(prim, list(names), "out", "python")


def _term(partial: str, dot: str) -> str | None:
    if partial in ("0", "0.0"):
        return None
    if partial in ("1", "1.0"):
        return dot
    if partial in ("(-1)", "(-1.0)"):
        return f"-{dot}"
    return f"{partial} * {dot}"


def _sum(terms: list[str | None]) -> str:
    kept = [t for t in terms if t is not None]
    return " + ".join(kept) if kept else "0.0"


def generate(prim: Primitive, kind: str, names: dict[str, Any]) -> Callable[..., Any]:
    """The fast method of ``prim`` for ``kind`` "dual" or "variable" (unary, or binary and reflected)."""
    if prim.piecewise_constant:  # a constant result: no tangent, no node (0 * inf stays out)
        return lambda self: prim(self.value)
    if prim.arity == 1:
        out, (px,) = rule_code(prim, ("x",))
        body = _UNARY[kind].format(out=out, px=px, tx=_term(px, "self.tangent") or "0.0", name=prim.name)
        return _compile(body, prim, f"_{prim.name}", names)
    out, (px, py) = rule_code(prim, ("x", "y"))
    fields = dict(out=out, px=px, py=py, name=prim.name,
                  txy=_sum([_term(px, "self.tangent"), _term(py, "other.tangent")]),
                  tx=_sum([_term(px, "self.tangent")]), ty=_sum([_term(py, "self.tangent")]))
    return (_compile(_BINARY[kind].format(**fields), prim, f"_{prim.name}", names),
            _compile(_REFLECTED[kind].format(**fields), prim, f"_r{prim.name}", names))


def _compile(body: str, prim: Primitive, name: str, names: dict[str, Any]) -> Callable[..., Any]:
    namespace = {"math": math, "P": P, "prim": prim, "bind": bind, "_new": object.__new__,
                 "_f64": np.float64, **names}
    code = compile(body.replace("FNAME", name), f"<hybriddiff fast path: {prim.name}>", "exec")
    exec(code, namespace)  # our own table's rules, never user text
    fn = namespace[name]
    fn.__doc__ = (f"hd.{prim.name} on this value: a fast path for floats, generated from the table's rule "
                  f"(anything else goes through hybriddiff's dispatch).")
    fn.source = body  # the generated code, for the curious: help() shows only the line above
    return fn


_UNARY_TEMPLATE = '''
def FNAME(self):
    x = self.value
    if type(x) is float:
        try:
            out = {out}
            return ONE
        except (ArithmeticError, ValueError):
            pass
    return self._hd_apply(prim, (self,))
'''
_BINARY_TEMPLATE = '''
def FNAME(self, other):
    x = self.value
    if type(x) is float:
        if type(other) is Box_:
            if other._level == self._level:
                y = other.value
                if type(y) is float:
                    try:
                        out = {out}
                        return BOTH
                    except (ArithmeticError, ValueError):
                        pass
        elif type(other) is float or type(other) is int or type(other) is _f64:
            y = float(other) if type(other) is _f64 else other
            try:
                out = {out}
                return LEFT
            except (ArithmeticError, ValueError):
                pass
    return bind(prim, self, other)
'''
_REFLECTED_TEMPLATE = '''
def FNAME(self, other):
    y = self.value
    if type(y) is float and (type(other) is float or type(other) is int or type(other) is _f64):
        x = float(other) if type(other) is _f64 else other
        try:
            out = {out}
            return RIGHT
        except (ArithmeticError, ValueError):
            pass
    return bind(prim, other, self)
'''
_RESULTS = {
    "dual": {"BOTH": "MAKE({txy})", "LEFT": "MAKE({tx})", "RIGHT": "MAKE({ty})", "ONE": "MAKE({tx})"},
    "variable": {"BOTH": "NODE((self, other), ({px}, {py}))", "LEFT": "NODE((self,), ({px},))",
                 "RIGHT": "NODE((self,), ({py},))", "ONE": "NODE((self,), ({px},))"},
}


def _fill(template: str, kind: str) -> str:
    """Put the box type's way of returning a result into a template (inlined: no extra call)."""
    lines = []
    for line in template.splitlines():
        key = line.strip().removeprefix("return ")
        if key in ("BOTH", "LEFT", "RIGHT", "ONE"):
            pad = line[:len(line) - len(line.lstrip())]
            result = _RESULTS[kind][key]
            if result.startswith("MAKE("):
                lines += [f"{pad}made = _new(Box_)", f"{pad}made.value = out",
                          f"{pad}made.tangent = {result[5:-1]}", f"{pad}made._level = self._level"]
            else:
                parents, partials = result[5:-1].split(", (", 1)
                # Interior nodes leave ``grad`` unset: only leaves accumulate one.
                # Inside an operator the node also goes on its level's tape (``ad/tape.py``).
                lines += [f"{pad}made = _new(Box_)", f"{pad}made.value = out",
                          f"{pad}made._parents = {parents}", f"{pad}made._partials = ({partials}",
                          f"{pad}made._level = level = self._level", f"{pad}made._mark = 0",
                          f"{pad}made._bar = None", f"{pad}tape = _tape_of(level)",
                          f"{pad}if tape is not None:", f"{pad}    tape.append(made)"]
            lines.append(f"{pad}return made")
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


_UNARY = {kind: _fill(_UNARY_TEMPLATE, kind) for kind in _RESULTS}
_BINARY = {kind: _fill(_BINARY_TEMPLATE, kind) for kind in _RESULTS}
_REFLECTED = {kind: _fill(_REFLECTED_TEMPLATE, kind) for kind in _RESULTS}

def install(cls: type, kind: str, names: dict[str, Any]) -> None:
    """Compile the fast paths of every primitive for ``cls`` and register them.

    A primitive with a ``dunder`` becomes the class's operator (``__mul__``/``__rmul__``, ``__neg__``);
    every primitive's fast method goes into ``prim.fast[cls]``, which ``Primitive.__call__`` consults
    first.
    """
    for prim in PRIMITIVES.values():
        made = generate(prim, kind, names)
        method, reflected = (made, None) if prim.arity == 1 else made
        prim.fast[cls] = method
        if prim.dunder and prim.arity == 2:
            setattr(cls, f"__{prim.dunder}__", method)
            setattr(cls, f"__r{prim.dunder}__", reflected)
        elif prim.dunder:
            setattr(cls, f"__{prim.dunder}__", method)
