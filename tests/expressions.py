"""Random expressions over the primitive table, for property tests (hypothesis strategies)."""
from __future__ import annotations

import math
import warnings

from hypothesis import strategies as st

import hybriddiff as hd

PRIMS = sorted(hd.PRIMITIVES.values(), key=lambda p: p.name)
VARIABLES = ("x", "y")

leaves = st.one_of(st.sampled_from(VARIABLES),
                   st.floats(-3, 3, allow_nan=False).map(lambda v: round(v, 3)),
                   st.integers(1, 4))


def _node(children):
    return st.sampled_from(PRIMS).flatmap(
        lambda prim: st.tuples(st.just(prim), *([children] * prim.arity)))


expressions = st.recursive(leaves, _node, max_leaves=12)


def build(expr, env):
    """Evaluate an expression tree with the values in env (numbers, Duals, Variables, tracers...)."""
    if isinstance(expr, str):
        return env[expr]
    if not isinstance(expr, tuple):
        return expr
    prim, *args = expr
    return prim(*[build(a, env) for a in args])


def as_function(expr):
    return lambda x, y: build(expr, {"x": x, "y": y})


def finite_value(expr, x, y, bound=1e6, evaluate=None):
    """The plain value, or None where it is not finite, too large, or warns (outside a domain).

    ``evaluate(expr, env)`` builds the tree (default: ``build``, primitives as objects)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            value = (evaluate or build)(expr, {"x": x, "y": y})
        except (ArithmeticError, ValueError, RuntimeWarning):
            return None
    if not isinstance(value, (int, float)) or not math.isfinite(value) or abs(value) > bound:
        return None
    return value


# points for property tests: rounded (reproducible), kept off 0, where terms like 1/x**2 cancel to
# rounding noise
away_from_zero = st.floats(-2.5, 2.5, allow_nan=False).map(lambda v: round(v, 4) + 0.000123).filter(
    lambda v: abs(v) > 0.05)
