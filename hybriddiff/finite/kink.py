"""Kinks, jumps and domain edges at x: what a difference formula cannot see in its own steps.

A scheme's own estimate compares its formula at h, h/2 and h/4. A formula that straddles a kink
symmetrically (central differences of |x| at 0: 0 at every step) or lies wholly on one side of it
(forward differences of |x| at 0: 1 at every step) converges too, to a number that is no derivative.
So with ``full_output`` the one-sided difference quotients are compared as well, at the steps s, s/2
and s/4 (s: the scheme's step): R(s) looks right of x, L(s) left (accuracy 1, the derivative's
order). For smooth f their gap G(s) = R(s) - L(s) shrinks like s; at a kink (the derivative jumps)
it stays while each side settles; a one-sided quotient that grows like 1/s means f itself jumps. Where the pattern holds at
all three steps, well above rounding, and again at s/8, there is no derivative: the estimate is inf and the note says
``kink: left -1, right 1`` or ``jump: ...``. A point outside f's domain within s of x is reported as
an edge: f changes on a scale below the step there, which the note says when the estimate is lost.

The check costs the points of L and R not already evaluated: f(x) for central, five-point and
richardson; x - s, x - s/2, x - s/4 for forward (mirrored for backward); six real points for the
complex step.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..display.format import ordinal
from .fixed import apply_stencil, rounding
from .probe import Line
from .stencils import one_sided

SIGNIFICANT = 10.0     # a gap or a quotient counts once it is this many times its rounding error
KINK = (0.7, 1.4)      # G(s/2) / G(s) and G(s/4) / G(s/2) at a kink (1); smooth f: 1/2 or less
GROWS = 1.5            # a one-sided quotient growing by 2^m per halving (at least this much, and at
STEADY = (0.7, 1.4)    # most 2^order x 1.25, both times alike): f or a lower derivative jumps
SETTLED = 0.5          # at a kink each quotient moves (from s/2 to s/4) by less than this x the gap


@dataclass
class Shape:
    """What f looks like around x on the scale of the step: per output, no derivative (``lost``),
    and why; or the distance to a point outside f's domain (``edge``) and its reason."""
    lost: np.ndarray
    note: str = ""
    edge: float | None = None
    reason: str = field(default="")

    def apply(self, error: np.ndarray, note: str, h: float) -> tuple[np.ndarray, str]:
        """A scheme's estimate and note with what the check found: inf and the reason where there is
        no derivative (replacing a vaguer "no error bound"); why, where an edge within h lost it."""
        if np.any(self.lost):
            kept = [n for n in note.split("; ") if n and not n.startswith("no error bound")]
            return np.where(self.lost, np.inf, error), "; ".join(kept + [self.note])
        if self.edge is not None and not np.all(np.isfinite(error)) and note.startswith("no error bound"):
            at = f"{self.edge:.3g} from x" if self.edge else "x itself"
            return error, (f"no error bound: the step h={h:.3g} is too large here: f is not finite at "
                           f"{at} ({self.reason}), so x is that close to an edge of f's domain and f "
                           f"changes on a scale below h; pass a smaller h, or use 'central' or "
                           f"'richardson' (they go one-sided there, with a step scaled to the edge)")
        return error, note


def _ratios(q: list[np.ndarray], noise: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The growth of q over the last two halvings of the step, and whether q is above rounding."""
    with np.errstate(all="ignore"):
        return q[-2] / q[-3], q[-1] / q[-2], np.abs(q[-1]) > SIGNIFICANT * noise[-1]


def _growth(q: list[np.ndarray], noise: list[np.ndarray], order: int) -> np.ndarray:
    """Per output: 0, or m where q grows like 1/s^m (the (order - m)-th derivative of f jumps)."""
    first, second, significant = _ratios(q, noise)
    with np.errstate(all="ignore"):
        steady = (first / second >= STEADY[0]) & (first / second <= STEADY[1])
        grows = significant & steady & (np.minimum(first, second) >= GROWS) & \
            (np.maximum(first, second) <= 1.25 * 2.0 ** order)
        return np.where(grows, np.rint(np.log2(np.sqrt(np.abs(first * second)))), 0).astype(int)


def _classify(right: tuple[list, list], left: tuple[list, list],
              order: int) -> tuple[np.ndarray, np.ndarray]:
    """Per output, from the quotients at the last three steps: how fast a side's quotient grows
    (0: it does not; ``order``: f jumps); whether f has a kink (the sides settle apart)."""
    (r, rn), (lq, ln) = right, left
    gap = [a - b for a, b in zip(r, lq)]
    jump = np.maximum(_growth(r, rn, order), _growth(lq, ln, order))
    settled = (np.abs(r[-1] - r[-2]) <= SETTLED * np.abs(gap[-1])) & \
        (np.abs(lq[-1] - lq[-2]) <= SETTLED * np.abs(gap[-1]))   # each side converges on its own
    first, second, significant = _ratios(gap, [a + b for a, b in zip(rn, ln)])
    kink = significant & settled & (first >= KINK[0]) & (first <= KINK[1]) & \
        (second >= KINK[0]) & (second <= KINK[1]) & (jump == 0)
    return jump, kink


def _jump_note(line: Line, d: float, i: int, order: int, m: int) -> str:
    if m < order:   # the one-sided quotients grow like 1/s^m: f^(order - m) jumps
        return (f"jump: the {ordinal(order - m)} derivative of f jumps at x, so there is no "
                f"{ordinal(order)} derivative and no error bound")
    a, b, c = (float(line(line.x0 + t)[i]) for t in (-d, 0.0, d))
    return (f"jump: f(x-{d:.2g}) = {a:.6g}, f(x) = {b:.6g}, f(x+{d:.2g}) = {c:.6g} (f is "
            f"discontinuous at x, so there is no derivative and no error bound)")


def _kink_note(order: int, left: float, right: float) -> str:
    what = "f" if order == 1 else f"the {ordinal(order - 1)} derivative of f"
    return (f"kink: left {left:.6g}, right {right:.6g} (the one-sided "
            f"{'derivatives' if order == 1 else ordinal(order) + ' derivatives'} at x differ: {what} "
            f"is not differentiable there, so no error bound)")


def shape(line: Line, order: int, s: float, outputs: int) -> Shape:
    """Compare the one-sided quotients of the ``order``-th derivative at s, s/2 and s/4 (f has
    ``outputs`` outputs); what they find is confirmed at s/8."""
    stencils = (one_sided(+1, 1, order), one_sided(-1, 1, order))
    right: tuple[list, list] = ([], [])     # the quotients looking right of x, and their rounding
    left: tuple[list, list] = ([], [])

    def add(t: float) -> Shape | None:
        """Both quotients at step t; or, where f is not finite at one of their points, the edge."""
        found = []
        for stencil in stencils:
            value, failed, scale = apply_stencil(line, stencil, t)
            if failed:
                bad = min(failed, key=lambda exc: abs(exc.t - line.x0))
                return Shape(np.zeros(outputs, dtype=bool), edge=abs(bad.t - line.x0), reason=bad.reason)
            found.append((value, rounding(line, stencil, t, scale, value)))
        for (values, noises), (value, noise) in zip((right, left), found):
            values.append(value)
            noises.append(noise)
        return None

    for t in (s, s / 2, s / 4):
        edge = add(t)
        if edge is not None:
            return edge
    jump, kink = _classify(right, left, order)
    if np.any((jump > 0) | kink) and add(s / 8) is None:   # the same again one step further
        again = _classify(right, left, order)
        jump, kink = np.where(jump == again[0], jump, 0), kink & again[1]
    lost = (jump > 0) | kink
    notes = []
    for i in np.flatnonzero(lost):
        if jump[i]:
            text = _jump_note(line, s / 4, i, order, int(jump[i]))
        else:  # the one-sided limits, extrapolated to first order
            r, lq = right[0], left[0]
            text = _kink_note(order, float(2 * lq[-1][i] - lq[-2][i]), float(2 * r[-1][i] - r[-2][i]))
        notes.append(text if outputs == 1 else f"output {i}: {text}")
    return Shape(lost, "; ".join(notes))


__all__ = ["Shape", "shape", "SIGNIFICANT", "KINK", "GROWS"]
