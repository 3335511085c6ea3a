"""Helpers for differential testing: how much rounding a graph's value can honestly carry, exact
(50-digit) values of graphs and SymPy expressions, and comparisons that treat nan/inf alike.

The tolerance problem: two correct double-precision computations of the same derivative (forward
tangents, a reverse sweep, a SymPy-simplified formula) may differ by far more than 1e-12 relative
where terms cancel. A fixed absolute floor either hides bugs or fails on honest cancellation, and
hypothesis finds the cancellations. So the floor is measured: ``rounding_spread`` evaluates the graph
in mpmath at 50 digits several times, each operation's result (and each inexact float constant)
perturbed by a random relative error of a few units in the last place of a double -- Monte Carlo
arithmetic (Parker 1997; Stott Parker, Pierce, Eggert), the idea behind CADNA/Verificarlo. The largest
deviation from the unperturbed 50-digit value is what rounding in double can do to this formula at
this point; a discrepancy far beyond it (and beyond 1e-12 relative) is a bug, not rounding.
"""
from __future__ import annotations

import math
import random
import warnings
from fractions import Fraction
from typing import Any, Sequence

import mpmath
import numpy as np
from hypothesis import strategies as st

import hybriddiff as hd

from expressions import finite_value, leaves

DPS = 50
ULP = 2.0 ** -52


def _mp_const(c: Any) -> Any:
    if type(c) is Fraction:
        return mpmath.mpf(c.numerator) / c.denominator
    if type(c) is int or type(c) is float:
        return mpmath.mpf(c)
    return c


def graph_values(graph, point: Sequence[float], rng: random.Random | None = None, scale: float = 4 * ULP):
    """The graph's outputs in mpmath at 50 digits; with ``rng``, every operation's result and every
    non-integer float constant is multiplied by (1 + d), |d| <= scale (simulated rounding)."""
    with mpmath.workdps(DPS):
        env: list[Any] = [None] * len(graph.nodes)
        position = {index: k for k, index in enumerate(graph.inputs)}

        def jitter(v: Any) -> Any:
            if rng is None or not isinstance(v, mpmath.mpf) or not mpmath.isfinite(v):
                return v
            return v * (1 + mpmath.mpf(rng.uniform(-scale, scale)))

        for i, node in enumerate(graph.nodes):
            if node.kind == "op":
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    try:
                        value = node.prim(*[env[a] for a in node.args])
                    except (ZeroDivisionError, ValueError, OverflowError):
                        value = mpmath.mpf("nan")
                if isinstance(value, mpmath.mpc):
                    value = mpmath.mpf("nan")
                env[i] = jitter(value)
            elif node.kind == "input":
                env[i] = mpmath.mpf(point[position[i]])
            else:
                c = node.const
                inexact = type(c) is float and math.isfinite(c) and c != int(c)
                env[i] = jitter(_mp_const(c)) if inexact else _mp_const(c)
        return [env[o] for o in graph.outputs]


def rounding_spread(graph, point: Sequence[float], samples: int = 6, seed: int = 0) -> list[float]:
    """Per output: the largest |perturbed - exact| over ``samples`` Monte Carlo runs (inf if the
    perturbed runs leave the real domain or jump, e.g. across a floor or a maximum's tie)."""
    rng = random.Random(seed)
    exact = graph_values(graph, point)
    spread = [0.0] * len(exact)
    for _ in range(samples):
        for k, (e, p) in enumerate(zip(exact, graph_values(graph, point, rng))):
            if not (mpmath.isfinite(e) and mpmath.isfinite(p)):
                if not (mpmath.isnan(e) and mpmath.isnan(p)) and e != p:
                    spread[k] = math.inf
                continue
            spread[k] = max(spread[k], float(abs(p - e)))
    return spread


def as_float(v: Any) -> float:
    return float(v) if not isinstance(v, complex) else math.nan


def same_nonfinite(a: float, b: float) -> bool:
    """nan with nan, +inf with +inf, -inf with -inf."""
    return (math.isnan(a) and math.isnan(b)) or (math.isinf(a) and a == b)


def agree(a: float, b: float, rel: float = 1e-12, floor: float = 0.0) -> bool:
    """Equal to ``rel`` relative, or within the absolute ``floor``; non-finite values equal alike."""
    a, b = float(a), float(b)
    if not (math.isfinite(a) and math.isfinite(b)):
        return same_nonfinite(a, b)
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), floor)


def ulps_apart(a: float, b: float) -> float:
    """How many units in the last place separate two floats (0 for identical, inf across signs)."""
    a, b = float(a), float(b)
    if a == b or (math.isnan(a) and math.isnan(b)):
        return 0
    if not (math.isfinite(a) and math.isfinite(b)):
        return math.inf
    return abs(a - b) / max(math.ulp(a), math.ulp(b))


def bitwise_equal(a: Any, b: Any) -> bool:
    """Same floats (nan equals nan, 0.0 equals -0.0), elementwise for arrays and sequences."""
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(bitwise_equal(x, y) for x, y in zip(a, b))
    a_arr, b_arr = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a_arr.shape == b_arr.shape and bool(np.all((a_arr == b_arr) | (np.isnan(a_arr) & np.isnan(b_arr))))


def sympy_mp_value(expr, symbols, point: Sequence[float]) -> Any:
    """A SymPy expression at ``point``, evaluated by SymPy (``evalf``) at 50 digits, as an mpmath
    number (nan where it is not real). Not ``lambdify(modules="mpmath")``: its printer writes
    ``log2(y)**2`` as ``log(y)/log(2)**2``."""
    import sympy
    values = {s: sympy.Float(p, DPS + 10) for s, p in zip(symbols, point)}
    with mpmath.workdps(DPS):
        out = sympy.sympify(expr).subs(values).evalf(DPS)
        if out.is_real is False or not out.is_number:
            return mpmath.mpf("nan")
        if out is sympy.nan or out.has(sympy.zoo, sympy.nan):
            return mpmath.mpf("nan")
        if out in (sympy.oo, -sympy.oo):
            return mpmath.inf if out == sympy.oo else -mpmath.inf
        re, im = out.as_real_imag()
        if im != 0:
            return mpmath.mpf("nan")
        return mpmath.mpf(sympy.Float(re, DPS)._mpf_)


# ---------------------------------------------------------------------------- named expression trees
# The same random trees as ``expressions.py`` (the whole primitive table), but with primitive NAMES
# in the tuples, so that hypothesis prints a failing example as ``("div", ("arctan", "x"), "y")``
# and it can be pinned with ``@example`` as it is printed.

ALL = tuple(sorted(hd.PRIMITIVES))
SMOOTH = tuple(n for n in ALL if hd.PRIMITIVES[n].smooth)
# The complex step needs complex-capable, analytic pieces (the records' ``takes_complex``).
ANALYTIC = tuple(n for n in SMOOTH if hd.PRIMITIVES[n].takes_complex)


def named_expressions(names: Sequence[str] = ALL, max_leaves: int = 12):
    def node(children):
        return st.sampled_from(list(names)).flatmap(
            lambda name: st.tuples(st.just(name), *([children] * hd.PRIMITIVES[name].arity)))
    return st.recursive(leaves, node, max_leaves=max_leaves)


def build(expr: Any, env: dict) -> Any:
    if isinstance(expr, str):
        return env[expr]
    if not isinstance(expr, tuple):
        return expr
    name, *args = expr
    return hd.PRIMITIVES[name](*[build(a, env) for a in args])


def function_of(expr: Any):
    """f(x, y)."""
    return lambda x, y: build(expr, {"x": x, "y": y})


def vector_function_of(expr: Any):
    """f(v) with v = [x, y] (for the gradient routes of symbolic, hybrid and finite differences)."""
    return lambda v: build(expr, {"x": v[0], "y": v[1]})


def uses(expr: Any, variable: str) -> bool:
    if isinstance(expr, str):
        return expr == variable
    return isinstance(expr, tuple) and any(uses(a, variable) for a in expr[1:])


def show(expr: Any) -> str:
    if isinstance(expr, tuple):
        return f"{expr[0]}({', '.join(show(a) for a in expr[1:])})"
    return expr if isinstance(expr, str) else repr(expr)


def plain_value(expr: Any, x: float, y: float, bound: float = 1e6) -> float | None:
    """The plain float value, or None where it is not finite, too large, or warns (a domain edge)."""
    value = finite_value(expr, x, y, bound, evaluate=build)
    return None if value is None else float(value)


# Points away from the integer and 3-decimal constants of the trees (no exact ties by accident).
points = st.floats(-2.5, 2.5, allow_nan=False).map(lambda v: round(v, 4) + 0.000123)
