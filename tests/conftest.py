"""Shared test helpers: sample points from the primitive table, high-precision references."""
from __future__ import annotations

import math
import os

import mpmath
import pytest
from hypothesis import HealthCheck, settings

# CI: the same examples every run (derandomized), so a red run is reproducible; the long profile
# (HYBRIDDIFF_SLOW=1) explores freely and pins what it finds with @example.
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("long" if os.environ.get("HYBRIDDIFF_SLOW") else "ci")

FRACTIONS = (0.1, 0.37, 0.71, 0.93)


def sample_points(prim):
    """Points inside each argument's domain; arguments use different fractions (no exact ties)."""
    points = []
    for k, frac in enumerate(FRACTIONS):
        point = []
        for i, (lo, hi) in enumerate(prim.domain):
            f = FRACTIONS[(k + i) % len(FRACTIONS)] if i else frac
            point.append(lo + f * (hi - lo))
        points.append(tuple(point))
    return points


def along(prim, point, i, mp=False):
    """prim as a function of argument i alone, the others fixed at ``point`` (mp: on mpmath numbers,
    through the record's mpmath implementation)."""
    base = [mpmath.mpf(p) for p in point] if mp else list(point)
    fn = prim.mpmath if mp else prim

    def moved(t):
        args = list(base)
        args[i] = t
        return fn(*args)
    return moved


def mp_partial(prim, point, i, dps=50):
    """d prim / d arg_i at point, by mpmath's high-precision numerical differentiation."""
    with mpmath.workdps(dps):
        return float(mpmath.diff(along(prim, point, i, mp=True), mpmath.mpf(point[i])))


def close(a, b, rel=1e-12, abs_=1e-300):
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_) or (math.isnan(a) and math.isnan(b))


slow = pytest.mark.skipif(not os.environ.get("HYBRIDDIFF_SLOW"), reason="set HYBRIDDIFF_SLOW=1")
