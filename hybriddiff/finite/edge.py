"""Domain edges: where a stencil point falls outside f's domain, find roughly how far the edge is
and step around it (a one-sided stencil on the side where f is finite, or smaller steps).

The edge lies between the farthest good point and the nearest bad one on the failing side; when
the stencil itself has no good point there, a few single evaluations at distances shrinking by 16
bracket it. That distance is the length scale on which f changes near x (as for log, sqrt, 1/x), so
the new step is the usual optimum relative to it instead of to max(1, |x|).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.checks import name_of
from ..errors import DifferentiationError
from .probe import Line, Outside
from .stencils import EPS, Stencil, exact_step, one_sided

SHRINK = 16      # distances tried while bracketing the edge shrink by this factor ...
SEARCHES = 8     # ... at most this many times (16**8 ~ 4e9)


@dataclass
class Edge:
    """f is outside its domain at distance ``bad`` on side ``side`` (-1 left, +1 right) of x and
    finite at distance ``good`` (0 when no finite point on that side is known)."""
    side: int
    good: float
    bad: float
    first: Outside


def where(line: Line, t: float) -> str:
    """A point as x+d or x-d, for messages."""
    return f"x{'+' if t >= line.x0 else '-'}{abs(t - line.x0):.3g}"


def locate(line: Line, stencil: Stencil, h: float, failed: list[Outside], search: bool) -> Edge:
    """Which side the bad points are on and how far the edge is; an error if f fails on both sides
    or at x itself."""
    sides = {int(np.sign(exc.t - line.x0)) for exc in failed}
    first = failed[0]
    if len(sides) > 1:  # is x itself outside the domain?
        try:
            line(line.x0)
        except Outside as exc:
            first, sides = exc, {0}
    if 0 in sides or len(sides) > 1:
        at = "at x itself" if 0 in sides else "on both sides of x"
        raise DifferentiationError(
            f"{line.where}: {name_of(line.f)} is not finite {at} (x={line.x0!r}, h={h:.3g}; "
            f"{first.reason} at {where(line, first.t) if first.t != line.x0 else 'x'}); finite "
            f"differences need f finite near x")
    side = sides.pop()
    bad = min(abs(exc.t - line.x0) for exc in failed)
    good = max([abs(o) * h for o, _ in stencil.used() if o * side > 0 and abs(o) * h < bad], default=0.0)
    edge = Edge(side, good, bad, first)
    return bracket(line, edge) if search and not good else edge


def bracket(line: Line, edge: Edge) -> Edge:
    """Single evaluations at bad/16, bad/256, ... on the failing side until f is finite there."""
    for _ in range(SEARCHES):
        distance = edge.bad / SHRINK
        if (line.x0 + edge.side * distance) - line.x0 == 0:
            break
        try:
            line(line.x0 + edge.side * distance)
        except Outside:
            edge.bad = distance
            continue
        edge.good = distance
        break
    return edge


def one_sided_fallback(line: Line, stencil: Stencil, h: float, failed: list[Outside],
                       user_h: bool) -> tuple[Stencil, float, str]:
    """A one-sided stencil of the same accuracy on the side where f is finite, with the optimal
    step relative to the distance of the edge (the user's h is kept as given)."""
    edge = locate(line, stencil, h, failed, search=not user_h)
    if not user_h:  # no good point found: x is on the edge, and f's scale there is unknown
        scale = min(max(1.0, abs(line.x0)), edge.good or max(1.0, abs(line.x0)))
        h = exact_step(line.x0, EPS ** (1.0 / (stencil.accuracy + stencil.order)) * scale)
    direction = -edge.side
    name = "forward" if direction > 0 else "backward"
    note = (f"f is outside its domain at {where(line, edge.first.t)} ({edge.first.reason}); used a "
            f"one-sided {name} stencil (accuracy h^{stencil.accuracy}) with h={h:.3g} instead")
    return one_sided(direction, stencil.accuracy, stencil.order), h, note


__all__ = ["Edge", "locate", "bracket", "one_sided_fallback", "where"]
