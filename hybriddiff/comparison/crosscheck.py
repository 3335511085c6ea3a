"""The reference checked by a route that uses no rule of the primitive table: ``mpmath.diff`` of f's
own values at 50 digits.

The reference (derivative graphs or Taylor mode in mpmath) composes the table's rules; a wrong rule
would put the same wrong number in every AD row and in the reference, and every row would look
exact. So the reference is compared with a high-precision numerical derivative of f's values alone.
A gradient or Jacobian is checked along one fixed pseudo-random direction v and output weighting w:
d/dt w . f(x + t v) at t = 0 must equal w . J v, which any wrong entry of J (almost surely) breaks,
at the cost of one scalar derivative whatever the dimension. Where the two routes disagree there is
no reference (every row ``unchecked``), and the note gives both numbers.

>>> import hybriddiff as hd
>>> from hybriddiff.comparison.reference import by_graph
>>> seed = lambda x: hd.exp(x * x - x) / x
>>> check_first_derivative(by_graph(seed, 2.0), seed, 2.0)[1]
", agreeing with mpmath.diff of f's own values (no derivative rule involved) to 50 digits"
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .precision import DIGITS, precision

AGREE = 1e-25   # relative: the rules at 50 digits and mpmath.diff agree far closer where f is smooth
SEED = 20251130  # the direction and weights: fixed, so a comparison is reproducible


def cross_check(along: Callable[[Any], Any], expected: Any, scale: Any, order: int = 1,
                what: str = "the rules give", directional: bool = False) -> tuple[bool, str]:
    """Compare ``expected`` (the reference's d^n/dt^n of ``along`` at t = 0) with ``mpmath.diff`` of
    ``along``; ``scale`` sizes the tolerance. Where the central difference meets f undefined (a domain
    edge), the one-sided differences stand in. The verdict: (agree, a note to append) or (False, why
    there is no reference) for ``Reference.take``."""
    import mpmath
    with precision(DIGITS):
        checks = []
        for direction in (0, 1, -1):
            try:
                checks.append(mpmath.diff(along, mpmath.mpf(0), order, direction=direction))
            except Exception as exc:   # f's values are not mpmath numbers: the rules stand alone
                if direction == 0:
                    return True, f" (not cross-checked: mpmath.diff failed: {type(exc).__name__})"
                checks.append(mpmath.mpf("nan"))
            if direction == 0 and _close(checks[0], expected, scale):
                return True, (f", agreeing with mpmath.diff of f's own values (no derivative rule involved) to "
                              f"{_digits(checks[0], expected, scale)} digits")
    sides = [c for c in checks[1:] if isinstance(c, mpmath.mpf) and not mpmath.isnan(c)]
    if len(sides) == 1 and _close(sides[0], expected, scale):
        return True, ", agreeing with mpmath.diff of f's own values from the one side where f is defined"
    along_v = " along a fixed random direction" if directional else ""
    return False, (f"no reference: {what} {mpmath.nstr(expected, 17)}{along_v} but mpmath.diff of f's own "
                   f"values {mpmath.nstr(checks[0], 17)} (left {mpmath.nstr(checks[2], 17)}, right "
                   f"{mpmath.nstr(checks[1], 17)}): f is not smooth here (or a rule is wrong)")


def check_first_derivative(value: Any, at: Callable[[Any], Any], x: Any) -> tuple[bool, str]:
    """The order-1 reference ``value`` (derivative, gradient or Jacobian, shape outputs x inputs)
    against mpmath.diff of ``at`` (f's values on mpmath numbers) along a direction v, weighted by w."""
    import mpmath
    with precision(DIGITS):
        J = np.asarray(value, dtype=object)
        n = int(np.size(x))
        m = max(1, int(J.size) // max(1, n))
        J = J.reshape(m, n)
        rng = np.random.default_rng(SEED)
        # weights in [0.5, 1.5] with random signs: no entry can vanish from the sum, and ties are unlikely
        v = [mpmath.mpf(float(s)) for s in rng.uniform(0.5, 1.5, n) * rng.choice([-1.0, 1.0], n)]
        w = [mpmath.mpf(float(s)) for s in rng.uniform(0.5, 1.5, m) * rng.choice([-1.0, 1.0], m)]
        base = [mpmath.mpf(float(t)) for t in np.ravel(x)]
        if n == 1 and m == 1:
            v, w = [mpmath.mpf(1)], [mpmath.mpf(1)]
        # steps relative to each coordinate (mpmath.diff's step is absolute): sqrt at 1e-300 must not
        # be differenced across 0, nor exp at 1e3 with a step lost in rounding
        v = [d * (abs(b) if b != 0 else 1) for d, b in zip(v, base)]
        expected = mpmath.fsum(w[i] * J[i, j] * v[j] for i in range(m) for j in range(n))
        scale = mpmath.fsum(abs(w[i] * J[i, j] * v[j]) for i in range(m) for j in range(n))

    def along(t: Any) -> Any:
        moved = np.empty(n, dtype=object)
        moved[:] = [b + t * d for b, d in zip(base, v)]
        out = np.ravel(np.asarray(at(moved if np.ndim(x) else moved[0]), dtype=object))
        return mpmath.fsum(wi * _mp(o) for wi, o in zip(w, out))
    return cross_check(along, expected, scale, directional=J.size > 1)


def _mp(value: Any) -> Any:
    import mpmath
    return value if isinstance(value, (mpmath.mpf, mpmath.mpc)) else mpmath.mpf(float(value))


def _close(check: Any, value: Any, scale: Any) -> bool:
    import mpmath
    return bool(isinstance(check, mpmath.mpf) and mpmath.isfinite(check)
                and abs(check - value) <= AGREE * max(1, abs(scale)))


def _digits(check: Any, value: Any, scale: Any) -> str:
    import mpmath
    gap = abs(check - value)
    if gap == 0:
        return f"all {DIGITS}"
    return f"{int(min(DIGITS, -mpmath.log10(gap / max(1, abs(scale)))))}"


__all__ = ["cross_check", "check_first_derivative", "AGREE"]
