"""Finite differences never call a wrong number accurate (issue 14).

At the documented kinks, jumps and domain edges every scheme's ``error_estimate`` covers the
distance from its value to each one-sided derivative (inf, with a note saying why), or the scheme
refuses with an error; on smooth functions the estimate stays useful (finite, and within a factor
100 of the error actually made, or of the scheme's promise where the error is below it); each
scheme keeps the accuracy its ``promise`` states. One name per scheme works everywhere.
"""
from __future__ import annotations

import math
import re
import warnings

import mpmath
import numpy as np
import pytest

import hybriddiff as hd
from hybriddiff.errors import DifferentiationError
from hybriddiff.finite.difference import FDResult, finite_difference, finite_jacobian
from hybriddiff.finite.schemes import SCHEMES, SCHEMES_LIST, scheme_named
from hybriddiff.studies.families import seed_f
from hybriddiff.studies.stepstudy import step_study

INF = math.inf
REAL = ("forward", "backward", "central", "five-point", "richardson")

# (label, f, x, left and right one-sided derivatives, what is there: kink, jump or edge)
POINTS = [
    ("abs(x) at 0", hd.abs, 0.0, (-1.0, 1.0), "kink"),
    ("abs(x - 1) at 1", lambda x: hd.abs(x - 1.0), 1.0, (-1.0, 1.0), "kink"),
    ("1 + abs(x) at 0", lambda x: 1.0 + hd.abs(x), 0.0, (-1.0, 1.0), "kink"),
    ("maximum(x, 0) at 0", lambda x: hd.maximum(x, 0.0), 0.0, (0.0, 1.0), "kink"),
    ("maximum(x, 2 - x) at 1 (tie)", lambda x: hd.maximum(x, 2.0 - x), 1.0, (-1.0, 1.0), "kink"),
    ("minimum(x, 1) at 1 (tie)", lambda x: hd.minimum(x, 1.0), 1.0, (1.0, 0.0), "kink"),
    ("minimum(x*x, x) at 1 (tie)", lambda x: hd.minimum(x * x, x), 1.0, (2.0, 1.0), "kink"),
    ("sqrt(x*x) at 0", lambda x: hd.sqrt(x * x), 0.0, (-1.0, 1.0), "kink"),
    ("floor at 2", hd.floor, 2.0, (0.0, 0.0), "jump"),
    ("floor at -1", hd.floor, -1.0, (0.0, 0.0), "jump"),
    ("floor at 0", hd.floor, 0.0, (0.0, 0.0), "jump"),
    ("sign at 0", hd.sign, 0.0, (0.0, 0.0), "jump"),
    ("sqrt at 0", hd.sqrt, 0.0, (INF, INF), "edge"),
    ("log at 0", hd.log, 0.0, (INF, INF), "edge"),
    ("log at 1e-8", hd.log, 1e-8, (1e8, 1e8), "edge"),
    ("sqrt at 1e-8", hd.sqrt, 1e-8, (5e3, 5e3), "edge"),
    ("log at 3e-8", hd.log, 3e-8, (1 / 3e-8, 1 / 3e-8), "edge"),
    ("sqrt at 1e-12", hd.sqrt, 1e-12, (5e5, 5e5), "edge"),
]


def run(f, x, scheme, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return finite_difference(f, x, scheme=scheme, full_output=True, **kw)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("label, f, x, sides, kind", POINTS, ids=[p[0] for p in POINTS])
def test_the_estimate_covers_both_one_sided_derivatives(label, f, x, sides, kind, scheme):
    try:
        r = run(f, x, scheme)
    except DifferentiationError as exc:
        # refusing is honest: the complex step through a non-analytic piece, f undefined at x
        assert scheme == "complex-step" or label == "log at 0", (label, scheme, exc)
        return
    error = max(abs(r.value - side) for side in sides)   # inf - inf: nan, where f' = inf on both sides
    error = INF if math.isnan(error) else error
    assert error <= r.error_estimate, (label, scheme, r)
    if r.error_estimate == INF:
        assert r.note, (label, scheme, r)
    if kind in ("kink", "jump") and scheme != "complex-step":
        # not only a bound: the note says what is there
        assert r.error_estimate == INF and r.note.startswith(kind), (label, scheme, r)


@pytest.mark.parametrize("scheme", REAL)
def test_the_kink_note_gives_both_sides(scheme):
    assert run(hd.abs, 0.0, scheme).note.startswith("kink: left -1, right 1")
    assert run(lambda x: hd.maximum(x, 0.0), 0.0, scheme).note.startswith("kink: left 0, right 1")
    jump = run(hd.floor, 2.0, scheme).note
    assert jump.startswith("jump: f(x-") and "f(x) = 2" in jump


def test_too_large_a_step_near_a_domain_edge_says_so():
    r = run(hd.log, 1e-8, "forward")   # the automatic step 1.5e-8 reaches past the edge at 0
    assert r.error_estimate == INF and "is too large here" in r.note and "'central'" in r.note
    better = run(hd.log, 1e-8, "central")   # central goes one-sided, its step scaled to the edge
    assert abs(better.value - 1e8) <= better.error_estimate < 1e-6 * 1e8


def test_higher_orders_see_kinks_and_jumps_of_their_own():
    r = run(lambda x: x * hd.abs(x), 0.0, "central", order=2)   # f'' jumps from -2 to 2
    assert r.error_estimate == INF and r.note.startswith("kink: left -2, right 2")
    assert run(hd.sign, 0.0, "central", order=2).error_estimate == INF   # 0 at every step, no bound


def test_what_the_kink_check_costs():
    """Extra evaluations of f (only with full_output): the points of the one-sided quotients at s,
    s/2 and s/4 that the scheme's own estimate did not evaluate, and two more where a kink or a
    jump is confirmed at s/8. The complex step adds f at the real x and its three randomly rounded
    trial runs (``complexstep.TRIALS``) to the six real points."""
    extra = {s: run(hd.exp, 1.0, s).estimate_evaluations for s in SCHEMES}
    assert extra == {"forward": 2 + 3, "backward": 2 + 3, "central": 4 + 1, "five-point": 4 + 1,
                     "complex-step": 3 + 1 + 6, "richardson": 0 + 1}
    assert run(hd.abs, 0.0, "central").estimate_evaluations == 4 + 1 + 2
    assert finite_difference(hd.exp, 1.0, scheme="central") == run(hd.exp, 1.0, "central").value


# --------------------------------------------------------------------------- smooth functions
SMOOTH = [("seed f at 2", seed_f, 2.0), ("seed f at 0.7", seed_f, 0.7), ("sin at 0.5", hd.sin, 0.5),
          ("sin at 3", hd.sin, 3.0), ("exp at 1", hd.exp, 1.0), ("exp at -2", hd.exp, -2.0),
          ("log at 2", hd.log, 2.0), ("log at 0.6", hd.log, 0.6), ("tanh at 0.3", hd.tanh, 0.3),
          ("x^3 - x at 2", lambda x: x ** 3 - x, 2.0), ("arctan at 1.5", hd.arctan, 1.5)]


def exact(f, x, order=1):
    with mpmath.workdps(50):
        return float(mpmath.diff(f, mpmath.mpf(x), order))


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("label, f, x", SMOOTH, ids=[s[0] for s in SMOOTH])
def test_on_smooth_functions_the_estimate_stays_useful(label, f, x, scheme):
    """Finite, honest, and at most 100 times the error the scheme makes around x (the largest at
    x(1 + k 1e-3), k < 6: one lucky digit is no measure), or 100 times promise/100 of |f'| where
    the scheme does better than that (richardson and the complex step reach rounding level)."""
    promise = scheme_named(scheme).promise
    results = [(run(f, x * (1 + 1e-3 * k), scheme), exact(f, x * (1 + 1e-3 * k))) for k in range(6)]
    level = max(abs(r.value - d) for r, d in results)
    for r, d in results:
        assert math.isfinite(r.error_estimate) and not r.note, (label, scheme, r)
        assert abs(r.value - d) <= r.error_estimate, (label, scheme, r, d)
        assert r.error_estimate <= 100 * max(level, promise / 100 * abs(d)), (label, scheme, r, level)


def test_promises_hold_on_smooth_well_conditioned_functions():
    """The measurement behind each ``promise`` (finite/schemes.py), on a coarser grid."""
    grid = [(seed_f, v) for v in (-3.0, -1.5, -0.5, 0.5, 1.5, 2.5, 3.0)] + \
        [(hd.sin, v) for v in np.linspace(-10, 10, 11)] + [(hd.exp, v) for v in (-5.0, 0.0, 1.0, 5.0, 20.0)] + \
        [(hd.log, v) for v in (0.5, 1.0, 2.0, 10.0, 1000.0)]
    for scheme in SCHEMES_LIST:
        worst = 0.0
        for f, x in grid:
            d = exact(f, float(x))
            if abs(d) < 1e-3 * max(1.0, abs(float(f(x)))):
                continue   # a derivative near 0: no relative accuracy to promise
            worst = max(worst, abs(finite_difference(f, float(x), scheme=scheme.name) - d) / abs(d))
        assert worst <= scheme.promise / 2, (scheme.name, worst, scheme.promise)   # a margin of 2
        assert worst >= scheme.promise / 1e4, (scheme.name, worst, scheme.promise)  # and not vacuous


def test_the_comparison_gets_the_promise_and_the_bound():
    from hybriddiff.methods.registry import METHOD_LIST, prepare
    promises = {m.name: m.promise for m in METHOD_LIST if m.family == "FD"}
    assert promises == {s.method: s.promise for s in SCHEMES_LIST if s.method}
    prepared = prepare("fd-central", hd.exp, 1.0)
    assert 0 < prepared.error_estimate < 1e-8
    assert prepare("fd-central", hd.abs, 0.0).error_estimate == INF


# --------------------------------------------------------------------------- one name per scheme
def test_every_scheme_answers_to_both_names():
    for s in SCHEMES_LIST:
        for name in s.names:
            r = finite_difference(hd.exp, 0.5, scheme=name, full_output=True)
            assert r.scheme == s.name   # printed one way
            if s.max_order is None or s.max_order >= 1:
                assert finite_jacobian(lambda v: [hd.exp(v[0])], [0.5], scheme=name).shape == (1, 1)
    assert hd.derivative(hd.exp, 0.5, method="central") == hd.derivative(hd.exp, 0.5, method="fd-central")
    assert hd.derivative(hd.exp, 0.5, method="five-point") == hd.derivative(hd.exp, 0.5, method="fd-five-point")
    assert hd.derivative(hd.exp, 0.5, method="forward") == pytest.approx(math.exp(0.5), rel=1e-15)  # forward mode
    study = step_study(hd.exp, 0.5, schemes=["fd-central", "central", "complex-step"], hs=[1e-6, 1e-3])
    assert list(study.curves) == ["central", "complex-step"]


def quoted(message):
    return re.findall(r"'([a-z-]+)'", message)


def test_every_error_suggests_names_its_receiver_accepts():
    # hd.derivative: unknown methods list what it takes, aliases included
    with pytest.raises(ValueError) as info:
        hd.derivative(hd.exp, 0.5, method="backward")
    listed = str(info.value).split("available methods: ")[1]
    for name in re.findall(r"[a-z][a-z-]+", listed.replace(" for ", " ").replace("also", "")):
        hd.derivative(hd.exp, 0.5, method=name)
    # hd.finite_difference: unknown schemes list both spellings
    with pytest.raises(ValueError) as info:
        finite_difference(hd.exp, 0.5, scheme="sideways")
    for name in re.findall(r"[a-z][a-z-]+", str(info.value).split("known schemes: ")[1].replace("or their names in hd", "")):
        if name not in ("methods",):
            finite_difference(hd.exp, 0.5, scheme=name)
    # the complex step's advice, through either entry point
    for call in (lambda: hd.derivative(abs, 0.5, method="complex-step"),
                 lambda: finite_difference(abs, 0.5, scheme="complex-step")):
        with pytest.raises(DifferentiationError) as info:
            call()
        for name in quoted(str(info.value)):
            hd.derivative(hd.exp, 0.5, method=name)
            finite_difference(hd.exp, 0.5, scheme=name)
    # orders a scheme cannot give: each entry point suggests its own spellings
    with pytest.raises(ValueError) as info:
        hd.derivative(hd.exp, 0.5, method="fd-five-point", order=5)
    assert quoted(str(info.value)) and all(hd.derivative(hd.exp, 0.5, method=m, order=5) for m in quoted(str(info.value)))
    with pytest.raises(ValueError) as info:
        finite_difference(hd.exp, 0.5, scheme="complex-step", order=2)
    assert all(finite_difference(hd.exp, 0.5, scheme=s, order=2) for s in quoted(str(info.value)))


def test_the_result_unpacks_like_numdifftools():
    value, info = finite_difference(hd.exp, 1.0, full_output=True)
    assert isinstance(info, FDResult) and value == info.value
    assert info.error_estimate < 1e-8 and info.h > 0 and info.evaluations == 2 and info.note == ""
    r = finite_difference(hd.exp, 1.0, full_output=True)
    assert r.value == value and r.error_estimate == info.error_estimate   # attributes as before


# --------------------------------------------------------------------------- the step study
def test_the_step_study_grid_is_strictly_positive_and_says_what_it_dropped():
    study = step_study(hd.exp, 2.0)
    assert np.all(study.hs > 0) and len(set(study.hs)) == len(study.hs)
    assert study.dropped == 2 and "2 step(s) of the grid were dropped" in study.footnote
    assert all(np.array_equal(c.hs, study.hs) for c in study.curves.values())   # one grid for all
    for s, c in study.curves.items():   # table, summary and curve agree on the best step
        marked = [i for i, line in enumerate(study._cells()[2]) if line[1 + list(study.curves).index(s)].startswith("*")]
        summary = next(r for r in study.summary if r["scheme"] == s)
        assert marked == [c.best] and summary["best_h"] == study.rows[c.best]["h"] == c.best_h
        assert summary["best_error"] == study.rows[c.best][s] == c.best_error
    with pytest.raises(ValueError, match="below the spacing of floats"):
        step_study(hd.exp, 2.0, hs=[1e-17])


@pytest.mark.parametrize("f, x, why", [
    (hd.sqrt, 0.0, "the derivative is infinite here"),
    (hd.abs, 0.0, "there is no derivative here (one-sided derivatives left -1.0, right 1.0)"),
    (lambda x: math.exp(x), 1.0, "the reference is only a richardson estimate"),
])
def test_no_best_step_against_a_reference_that_is_not_an_exact_finite_derivative(f, x, why):
    study = step_study(f, x, schemes=["forward", "central"], hs=[1e-8, 1e-6, 1e-4])
    assert study.unjudged == why and f"No best step: {why}" in study.title
    assert all(c.best is None and math.isnan(c.best_h) for c in study.curves.values())
    assert "*" not in study.to_text().split("\n\n")[1]


def test_the_step_study_has_the_views_of_the_other_results():
    study = step_study(hd.exp, 1.0, schemes=["central"], hs=[1e-6, 1e-3])
    assert study.title.startswith("Step study: d/dx exp at x = 1") and "auto h" in study.footnote
    pytest.importorskip("pandas")
    frame = study.to_dataframe()
    assert list(frame.columns) == ["h", "central"] and len(frame) == 2
    assert frame.attrs["title"] == study.title and frame.attrs["footnote"] == study.footnote
