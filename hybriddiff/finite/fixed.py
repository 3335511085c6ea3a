"""Fixed-step difference formulas on one coordinate, their one-sided fallback at domain edges, and an
honest error estimate.

The estimate (``full_output``) evaluates the same stencil at h/2 and h/4 (points inside the first
stencil's reach, so inside f's domain too). With D1 = D(h/2) - D(h) and D2 = D(h/4) - D(h/2):
where the differences shrink as the truncation error should (D2 <= 2 D1 / 2^p), the truncation error
of D(h) is about |D1| 2^p / (2^p - 1) (doubled for safety); otherwise rounding noise, or f not being
resolved at this step, hides the trend and the estimate is 2 max(|D1|, |D2|). Rounding is added:
``8 eps max|f| sum|w| / h^k`` plus that of the points x + o h, or, if larger, f's own noise read
off the values (their highest divided difference). When the estimate exceeds a fifth of the value
(and is not just rounding noise around a zero derivative), f is not resolved at this step
(ill-conditioned, oscillating, near a singularity): no bound can be given, the estimate is inf and
the note says why. The estimate is careful, not a proof: f that loses many more digits inside
(cancellation) than its value shows can, rarely, beat it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..core.checks import name_of
from ..errors import DifferentiationError
from .edge import one_sided_fallback, where
from .probe import Line, Outside
from .stencils import EPS, Stencil

ROUNDING_ULPS = 8.0       # f is assumed good to a few ulps of its magnitude
UNRESOLVED = 0.2          # an estimated relative error above this: no bound at all
SAFETY = 2.0              # on the leading-order truncation estimate (the next order may add)


@dataclass
class Estimate:
    """One coordinate's derivative(s) (one per output of f), error estimate(s), step, note."""
    value: np.ndarray
    error: np.ndarray
    h: float
    note: str = ""
    extra: int = 0      # evaluations of f made only for the error estimate
    probe: float | None = None   # the step for the kink check (``kink.py``); None: f is one-sided here


def apply_stencil(line: Line, stencil: Stencil, h: float) -> tuple[np.ndarray | None, list[Outside], float]:
    """sum w_i f(x + o_i h) / h^k (None if a point is outside), the outside points, max |f|."""
    total, failed, scale = None, [], 0.0
    for offset, weight in stencil.used():
        try:
            value = line(line.x0 + offset * h)
        except Outside as exc:
            failed.append(exc)
            continue
        scale = max(scale, float(np.max(np.abs(value))))
        total = weight * value if total is None else total + weight * value
    if failed:
        return None, failed, scale
    return total / h ** stencil.order, failed, scale


def rounding(line: Line, stencil: Stencil, h: float, scale: float, value: np.ndarray) -> np.ndarray:
    """Rounding error: of f's values amplified by the weights, and of the points x + o h."""
    reach = max(abs(o) for o in stencil.offsets)
    return ROUNDING_ULPS * EPS * (scale * stencil.sum_abs / h ** stencil.order
                                  + abs(line.x0) * reach * np.abs(value) / h)


def data_noise(line: Line, stencil: Stencil, steps: Sequence[float]) -> np.ndarray:
    """f's rounding noise read off the values already computed: their highest divided difference
    (for smooth f at these spacings pure noise), weights scaled to unit norm. One sample, so it only
    ever raises the a-priori rounding term; it catches f computed worse than a few ulps of its
    value (cancellation inside f)."""
    offsets = sorted({o * h for h in steps for o, _ in stencil.used()})
    if len(offsets) < 3:
        return np.zeros(1)
    points = np.array(offsets)
    weights = np.array([1.0 / np.prod([a - b for b in points if b != a]) for a in points])
    values = np.array([line(line.x0 + o) for o in offsets])
    return np.abs(weights @ values) / np.linalg.norm(weights)


def lost_note(what: str) -> str:
    return (f"no error bound: {what}, so f is not resolved at this step (ill-conditioned, "
            f"oscillating or near a singularity)")


def estimate(line: Line, stencil: Stencil, h: float, value: np.ndarray,
             scale: float) -> tuple[np.ndarray, str]:
    """The error estimate of D(h) from D(h/2) and D(h/4), with rounding; inf when unresolved."""
    steps = []
    for div in (2, 4):
        other, failed, other_scale = apply_stencil(line, stencil, h / div)
        if failed:
            return np.full(value.shape, np.inf), (f"no error bound: f is not finite at "
                                                  f"{where(line, failed[0].t)} ({failed[0].reason})")
        steps.append(other)
        scale = max(scale, other_scale)
    p, k = stencil.accuracy, stencil.order
    d1, d2 = np.abs(steps[0] - value), np.abs(steps[1] - steps[0])
    sigma = 2 * data_noise(line, stencil, (h, h / 2, h / 4)) * stencil.sum_abs
    asymptotic = d2 <= 2.0 ** (1 - p) * d1  # else rounding or f's own noise dominate: no trend
    trunc = np.where(asymptotic, SAFETY * d1 * 2 ** p / (2 ** p - 1), 2 * np.maximum(d1, d2))
    error = trunc + np.maximum(rounding(line, stencil, h, scale, value), sigma / h ** k)
    noise = rounding(line, stencil, h / 4, scale, steps[1])  # a zero derivative's noise is no loss
    lost = (error > UNRESOLVED * np.abs(value)) & (error > 100 * noise)
    if np.any(lost):
        return np.where(lost, np.inf, error), lost_note(f"the steps h={h:.3g}, h/2 and h/4 disagree "
                                                        f"by more than {UNRESOLVED:.0%}")
    return error, ""


def fixed(line: Line, stencil: Stencil, h: float, user_h: bool, full: bool) -> Estimate:
    """The stencil at step h (one-sided where f is outside its domain), estimated if ``full``."""
    value, failed, scale = apply_stencil(line, stencil, h)
    note = ""
    if failed:
        stencil, h, note = one_sided_fallback(line, stencil, h, failed, user_h)
        value, failed, scale = apply_stencil(line, stencil, h)
        if failed:
            raise DifferentiationError(f"{line.where}: {name_of(line.f)} is not finite at "
                                       f"{where(line, failed[0].t)} ({failed[0].reason}) on either "
                                       f"side of x={line.x0!r}; finite differences need f finite near x")
    if not full:
        return Estimate(value, np.full(value.shape, np.nan), h, note)
    before = line.calls.n
    error, why = estimate(line, stencil, h, value, scale)
    return Estimate(value, error, h, "; ".join(n for n in (note, why) if n), line.calls.n - before,
                    None if note else h)


__all__ = ["Estimate", "apply_stencil", "fixed", "estimate", "rounding", "lost_note", "ROUNDING_ULPS"]
