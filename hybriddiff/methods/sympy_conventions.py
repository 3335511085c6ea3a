"""SymPy's derivatives brought to the table's conventions before they are evaluated (the symbolic
route, ``symbolic.py``): what SymPy leaves unevaluated is settled, and where SymPy's own algebra
gives 0 * inf = nan at a point the table's rules define, the expression is rewritten so that it
gives the rules' value there and the same values everywhere else.

- ``settle``: ``DiracDelta`` and the derivatives of floor, ceiling, sign and Heaviside are 0,
  ``D Mod(a, b) = D a - floor(a/b) D b`` at any order, ``Subs`` is substituted;
- ``_without_sign_squares``: sign(u)**2k * |u|**p (p < 0) is |u|**p (the real cube root's
  derivative at 0: inf, not nan);
- ``_powers_of_zero`` (before ``diff``): 0**u is the piecewise constant it is (derivative 0, not
  0 * log(0) = nan).
"""
from __future__ import annotations

from typing import Any

SETTLE_PASSES = 64     # rounds of ``settle``; each undoes one layer (a Subs, a Derivative step)


def settle(expr: Any) -> Any:
    """Replace what SymPy leaves unevaluated by the table's conventions (ARCHITECTURE.md).

    ``DiracDelta`` (any order) and the derivatives of floor, ceiling, sign and Heaviside are 0;
    ``D Mod(a, b) = D a - floor(a/b) D b`` for any derivative D (first, n-th, mixed); an unevaluated
    ``Derivative`` is taken one step at a time (SymPy's own n-th derivative of a Mod recurses
    without end); ``Subs(e, xi, point)`` is settled over a real xi, then substituted. Each
    round rewrites the expression bottom-up (``replace``) and the rounds are bounded: what is left
    (``has_unevaluated``) is for the caller to refuse clearly.

    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> settle(sympy.diff(sympy.floor(x**2) + sympy.sign(x) + x**2, x))
    2*x
    >>> settle(sympy.diff(sympy.Mod(2 * x, 3), x, 3)), settle(sympy.diff(sympy.Abs(x) ** 3, x, 3))
    (0, 6*sign(x))
    """
    import sympy
    from sympy import Derivative, DiracDelta, Mod, Subs

    constant = (sympy.floor, sympy.ceiling, sympy.sign, sympy.Heaviside, DiracDelta)
    # Subs(e, xi, point) as at(e, (r,), point) over a real r: a new Subs would compare equal to the
    # old one (SymPy's Subs ignores its variables' names and assumptions), so replace would keep it
    at = sympy.Function("_hybriddiff_at")

    def pending(e: Any) -> bool:
        return isinstance(e, (Derivative, Subs, DiracDelta)) or getattr(e, "func", None) == at

    def as_at(e: Any) -> Any:
        real = [sympy.Dummy(v.name, real=True) for v in e.variables]
        return at(e.expr.xreplace(dict(zip(e.variables, real))), sympy.Tuple(*real), sympy.Tuple(*e.point))

    def rewrite(e: Any) -> Any:
        if isinstance(e, DiracDelta):
            return sympy.S.Zero
        if getattr(e, "func", None) == at:
            body, variables, point = e.args
            if body.has(Derivative, Subs, DiracDelta, at):
                return e
            return body.xreplace(dict(zip(variables, point)))
        if isinstance(e, Derivative):
            inner, counts = e.expr, list(e.variable_count)
            if isinstance(inner, constant):
                return sympy.S.Zero
            if isinstance(inner, Mod):
                a, b = inner.args
                return (Derivative(a, *counts, evaluate=False)
                        - sympy.floor(a / b) * Derivative(b, *counts, evaluate=False))
            if inner.has(Derivative, Subs, DiracDelta, at):
                return e    # settle the inside first
            (v, n), rest = counts[0], counts[1:]
            rest = ([(v, n - 1)] if n > 1 else []) + rest
            once = sympy.diff(inner, v)
            return Derivative(once, *rest, evaluate=False) if rest else once
        return e

    for _ in range(SETTLE_PASSES):
        if not expr.has(Derivative, Subs, DiracDelta, at):
            return _without_sign_squares(expr)
        expr = expr.replace(lambda e: isinstance(e, Subs), as_at).replace(pending, rewrite)
    return expr.replace(lambda e: getattr(e, "func", None) == at, lambda e: Subs(*e.args))


def powers_of_zero(expr: Any) -> Any:
    """0**u as the piecewise constant it is (0 for u > 0, 1 at u = 0, inf below): SymPy's own
    derivative of 0.0**u is 0**u * log(0) = 0 * zoo = nan, where the table's rule (and every other
    mode) gives 0, the derivative of a function constant on each side.

    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> sympy.diff(powers_of_zero(sympy.Float(0.0) ** x), x).subs(x, 0.5)
    0
    """
    import sympy
    if not isinstance(expr, sympy.Basic):
        return [powers_of_zero(e) for e in expr]

    def piecewise(e: Any) -> Any:
        u = e.exp
        # below 0 the power itself stays: f is inf there, and its derivative nan as in every mode
        return sympy.Piecewise((sympy.S.Zero, u > 0), (sympy.S.One, sympy.Eq(u, 0)), (e, True))
    return expr.replace(lambda e: e.is_Pow and e.base.is_zero is True and not e.exp.is_number, piecewise)


def _without_sign_squares(expr: Any) -> Any:
    """sign(u)**2k * Abs(u)**p with p < 0 is Abs(u)**p: the same wherever u != 0, and at u = 0 the
    limit inf instead of SymPy's sign(0)**2 * inf = 0 * inf = nan. It is how SymPy differentiates
    the real cube root sign(u)*Abs(u)**(1/3): d/du = sign(u)**2 / (3 Abs(u)**(2/3)), inf at 0 as
    the table's rule 1 / (3 cbrt(u)**2) gives.

    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> settle(sympy.diff(sympy.sign(x) * sympy.Abs(x) ** sympy.Rational(1, 3), x))
    1/(3*Abs(x)**(2/3))
    """
    import sympy
    if not expr.has(sympy.sign):
        return expr

    def square_of_sign(factor: Any, bases: set) -> bool:
        return (factor.is_Pow and isinstance(factor.base, sympy.sign) and factor.exp.is_even is True
                and factor.exp.is_positive is True and factor.base.args[0] in bases)

    def drop(e: Any) -> Any:
        bases = {f.base.args[0] for f in e.args
                 if f.is_Pow and isinstance(f.base, sympy.Abs) and f.exp.is_negative is True}
        kept = [f for f in e.args if not square_of_sign(f, bases)]
        return sympy.Mul(*kept) if len(kept) != len(e.args) else e
    return expr.replace(lambda e: e.is_Mul, drop)


def has_unevaluated(expr: Any) -> bool:
    """Whether a derivative still holds pieces lambdify cannot turn into NumPy code (``Derivative``,
    ``Subs``, ``DiracDelta``).

    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> has_unevaluated(sympy.Derivative(sympy.Mod(x, 3), x)), has_unevaluated(sympy.sin(x))
    (True, False)
    """
    from sympy import Derivative, DiracDelta, Subs
    return bool(expr.has(Derivative, Subs, DiracDelta))


__all__ = ["settle", "has_unevaluated", "powers_of_zero", "SETTLE_PASSES"]
