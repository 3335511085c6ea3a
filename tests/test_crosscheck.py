"""The comparison's reference is checked by a route that uses no rule of the table (issue 20, item 6):
``mpmath.diff`` of f's own values at 50 digits, along a fixed direction for gradients and Jacobians.
A wrong rule would otherwise put the same wrong number in the reference and in every AD row."""
from __future__ import annotations

import warnings
from fractions import Fraction

import mpmath
import numpy as np
import pytest

import hybriddiff as hd
from hybriddiff.comparison.reference import examine
from hybriddiff.core import primitives as P
from hybriddiff.graph import diffgraph

AGREES = "agreeing with mpmath.diff of f's own values"


def quietly(fn, *args, **kwargs):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


@pytest.fixture
def wrong_sin_rule(monkeypatch):
    """A planted wrong rule: d sin(x)/dx = 1.01 cos(x) in every derivative graph (the reference's route)."""
    real = diffgraph.emitters

    def planted(prim):
        made = real(prim)
        if prim is not P.sin:
            return made
        return (lambda E, C, x, out: E(P.mul, (C(Fraction(101, 100)), made[0](E, C, x, out)))),
    monkeypatch.setattr(diffgraph, "emitters", planted)


@pytest.mark.parametrize("f, x", [
    (lambda x: hd.exp(x * x - x) / x, 2.0),                                  # the seed's example 1
    (lambda x: np.sum(x * hd.sin(x)), np.array([0.3, -1.2, 2.5])),          # a gradient
    (lambda x: np.array([x[0] * x[1], hd.log2(x[1]), hd.arctan2(x[0], x[1])]), np.array([0.3, 0.7])),
    (hd.sqrt, 1e-300), (hd.exp, 700.0), (hd.log10, 1e300),                  # tiny and huge points
], ids=["seed", "gradient", "Jacobian", "sqrt-tiny", "exp-huge", "log10-huge"])
def test_the_reference_agrees_with_mpmath_diff_of_f(f, x):
    ref = quietly(examine, f, x)
    assert ref.state == "finite" and AGREES in ref.note, ref.note


def test_at_a_domain_edge_the_check_is_one_sided():
    ref = quietly(examine, lambda x: x ** 1.5, 0.0)
    assert ref.state == "finite" and "from the one side where f is defined" in ref.note, ref.note


@pytest.mark.parametrize("f, x", [
    (hd.sin, 0.5),
    (lambda x: np.sum(hd.sin(x) * x), np.array([0.5, 1.5, -2.0])),
    (lambda x: np.array([hd.sin(x[0]), x[0] * x[1]]), np.array([0.5, 2.0])),
], ids=["derivative", "gradient", "Jacobian"])
def test_a_wrong_rule_withdraws_the_reference(wrong_sin_rule, f, x):
    """With the planted rule the rules-based reference and every AD row agree with each other, and
    only the independent route can tell: the rows must be "unchecked", not "exact"."""
    r = quietly(hd.compare, f, x, methods=["forward", "reverse", "hybrid"], budget=0.0005)
    assert r.examined.state == "none" and "or a rule is wrong" in r.reference_note, r.reference_note
    assert {row.method: row.status for row in r.rows} == dict.fromkeys(["forward", "reverse", "hybrid"], "unchecked")


def test_x_to_the_x_at_0_has_no_reference():
    """pow has no kink check: the rules give 0 for d/dx x**x at 0, where the derivative is -inf from
    the right and f is complex on the left; mpmath.diff of f's values disagrees, so no row is "exact"."""
    r = quietly(hd.compare, lambda x: x ** x, 0.0, methods=["forward", "reverse"], budget=0.0005)
    assert r.examined.state == "none", r.reference_note
    assert [row.status for row in r.rows] == ["unchecked", "unchecked"]


def test_the_check_costs_one_scalar_derivative_whatever_the_dimension(monkeypatch):
    """A 200-input gradient is checked along one direction: mpmath.diff runs once (and f a handful of
    times), not once per input."""
    calls = []
    real = mpmath.diff
    monkeypatch.setattr(mpmath, "diff", lambda *a, **k: calls.append(1) or real(*a, **k))
    ref = examine(lambda x: np.sum(hd.exp(x) * x), np.linspace(0.1, 2.0, 200))
    assert ref.state == "finite" and AGREES in ref.note and len(calls) == 1, (len(calls), ref.note)
