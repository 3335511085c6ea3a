"""The seed tutorial's worked examples, computed in both modes (the ``hybriddiff demo`` text)."""
from __future__ import annotations

from ..ad.forward import Dual
from ..ad.operators import grad
from ..ad.reverse import Variable
from ..studies.families import seed_f, seed_g


def seed_examples() -> str:
    """Both examples in forward mode (dual numbers) and reverse mode (a recorded graph).

    >>> print(seed_examples().splitlines()[2])
      forward (Dual):      f(2.0) = 3.694528049465325   f'(2.0) = 9.236320123663312
    """
    lines = ["Example 1: f(x) = exp(x**2 - x) / x at x = 2.0", ""]
    y = seed_f(Dual(2.0, 1.0))
    lines.append(f"  forward (Dual):      f(2.0) = {y.value!r}   f'(2.0) = {y.tangent!r}")
    x = Variable(2.0)
    out = seed_f(x)
    out.backward()
    lines.append(f"  reverse (Variable):  f(2.0) = {out.value!r}   f'(2.0) = {x.grad!r}")
    lines.append("  exact:               f'(2.0) = 1.25 e**2 = 9.236320123663313 (seed printed ...312)")
    lines += ["", "Example 2 and 3: f(x1, x2) = x1 * exp(x2) - x1 at (x1, x2) = (1.5, 0.5)", ""]
    d1 = seed_g(Dual(1.5, 1.0), Dual(0.5, 0.0)).tangent
    d2 = seed_g(Dual(1.5, 0.0), Dual(0.5, 1.0)).tangent
    lines.append(f"  forward, two passes: df/dx1 = {d1!r}   df/dx2 = {d2!r}")
    g1, g2 = grad(seed_g, argnums=(0, 1))(1.5, 0.5)
    lines.append(f"  reverse, one sweep:  df/dx1 = {g1!r}   df/dx2 = {g2!r}")
    lines.append("  exact:               df/dx1 = exp(x2) - 1,  df/dx2 = x1 exp(x2)")
    return "\n".join(lines)
