"""The comparison never calls a wrong number accurate: the status table of issue 14.

Each case is a (function, point) with the truth computed here independently of hybriddiff (closed
forms in mpmath at 50 digits, or what the point is: f undefined, an infinite or nonexistent
derivative), and the statuses each method's row may have. Every row of every case is also checked
against the invariants:

- a row called ``exact`` or ``accurate`` is within its method's promise of the independent truth
  (or what the derivative's conditioning allows: ``row.expected``), and its own error estimate, if
  it gives one, is not below its actual error;
- ``infinite`` rows hold the right infinity; ``convention`` rows are AD or CAS rows at a point where
  the derivative does not exist; ``f undefined`` rows are exactly the rows of points where f is.
"""
from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

import hybriddiff as hd
from hybriddiff.comparison.statuses import STATUSES, TRUSTED
from hybriddiff.studies.families import logistic_map

from hybriddiff.methods.registry import METHOD_LIST  # noqa: E402

AD = tuple(m.name for m in METHOD_LIST if m.family == "AD")          # forward, reverse, taylor
CAS = tuple(m.name for m in METHOD_LIST if m.family in ("symbolic", "hybrid"))
RULES = AD + CAS
FD = ("fd-forward", "fd-central", "fd-five-point", "complex-step", "richardson")
GOOD = {"exact", "accurate"}
UNDEFINED, INFINITE, NONE = "f undefined", "+inf", "no derivative"


def mp(fn):
    """The truth as a function of the point, in mpmath at 50 digits (independent of hybriddiff)."""
    def truth(x):
        with mpmath.workdps(50):
            return fn(mpmath.mpf(x) if np.ndim(x) == 0 else [mpmath.mpf(v) for v in x])
    return truth


def noisy(x):
    return hd.sin(x) + 1e-13 * hd.sin(1e8 * x)


def long_sum(x):
    return sum(hd.sin(x + 0.001 * k) for k in range(3000))


def logistic(x):
    return logistic_map(40)(x)


def _mp_logistic(x):
    dx = mpmath.mpf(1)
    for _ in range(39):    # l_{k+1} = 4 l_k (1 - l_k), l_1 = x: 39 steps to l_40
        x, dx = 4 * x * (1 - x), 4 * (1 - 2 * x) * dx
    return dx


def branchy(x):
    return x if x > 0 else -x


# name, f, x, truth (an mpmath function of x, or UNDEFINED / INFINITE / NONE), allowed statuses by
# method (methods not named: any status but a trusted one unless the truth allows it)
CASES = [
    ("seed at 2", hd.families.seed_f, 2.0, mp(lambda x: mpmath.exp(x * x - x) * (2 * x - 1 - 1 / x) / x),
     {**dict.fromkeys(RULES + FD, GOOD)}),
    ("sin at 0.5", hd.sin, 0.5, mp(mpmath.cos), dict.fromkeys(RULES + FD, GOOD)),
    ("x**3 at 2", lambda x: x ** 3, 2.0, mp(lambda x: 3 * x * x), dict.fromkeys(RULES + FD, GOOD)),
    ("exp at 700 (huge)", hd.exp, 700.0, mp(mpmath.exp), dict.fromkeys(RULES, GOOD)),
    ("sin at 1e-300 (tiny)", hd.sin, 1e-300, mp(mpmath.cos), dict.fromkeys(RULES, GOOD)),
    ("1/x at 1e-150", lambda x: 1 / x, 1e-150, mp(lambda x: -1 / x ** 2), dict.fromkeys(RULES, GOOD)),
    ("abs at 0", hd.abs, 0.0, NONE,
     {**dict.fromkeys(RULES, {"convention"}), **dict.fromkeys(FD[:3] + FD[4:], {"no derivative"}),
      "complex-step": {"failed"}}),
    ("abs(x - 1) at 1", lambda x: hd.abs(x - 1.0), 1.0, NONE,
     {**dict.fromkeys(RULES, {"convention"}), "fd-forward": {"no derivative"}}),
    ("maximum tie", lambda x: hd.maximum(x, 1.0), 1.0, NONE, dict.fromkeys(RULES, {"convention"})),
    ("minimum tie", lambda x: hd.minimum(2.0 - x, x), 1.0, NONE, dict.fromkeys(RULES, {"convention"})),
    ("floor at 2", hd.floor, 2.0, NONE, dict.fromkeys(RULES, {"convention"})),
    ("floor at 2.5", hd.floor, 2.5, mp(lambda x: mpmath.mpf(0)), dict.fromkeys(RULES, GOOD)),
    ("x mod 1 at 2", lambda x: x % 1.0, 2.0, NONE, dict.fromkeys(RULES, {"convention"})),
    ("sign at 0", hd.sign, 0.0, NONE, dict.fromkeys(RULES, {"convention"})),
    ("branch tie", branchy, 0.0, NONE, dict.fromkeys(AD, {"convention"})),
    ("|x|**2 at 0 (kink, derivative exists)", lambda x: hd.abs(x) ** 2, 0.0, mp(lambda x: mpmath.mpf(0)),
     dict.fromkeys(RULES, GOOD)),
    ("sqrt at 0", hd.sqrt, 0.0, INFINITE,
     {**dict.fromkeys(RULES, {"infinite"}), **dict.fromkeys(("fd-forward", "fd-central", "fd-five-point",
                                                              "richardson"), {"inaccurate", "failed"})}),
    ("cbrt at 0", hd.cbrt, 0.0, INFINITE, dict.fromkeys(AD + ("hybrid",), {"infinite"})),
    ("arcsin at 1", hd.arcsin, 1.0, INFINITE, dict.fromkeys(RULES, {"infinite"})),
    ("sqrt at 1e-8", hd.sqrt, 1e-8, mp(lambda x: 1 / (2 * mpmath.sqrt(x))), dict.fromkeys(RULES, GOOD)),
    ("log at 1e-8", hd.log, 1e-8, mp(lambda x: 1 / x),
     {**dict.fromkeys(RULES, GOOD), "fd-forward": {"inaccurate"}}),
    ("log at 0", hd.log, 0.0, UNDEFINED, {}),
    ("log at -1", hd.log, -1.0, UNDEFINED, {}),
    ("sqrt at -4", hd.sqrt, -4.0, UNDEFINED, {}),
    ("x sqrt(x) at 0 (domain edge)", lambda x: x * hd.sqrt(x), 0.0, mp(lambda x: mpmath.mpf(0)),
     dict.fromkeys(AD, {"failed"})),
    ("x - sin x at 1e-7 (cancellation)", lambda x: x - hd.sin(x), 1e-7, mp(lambda x: 1 - mpmath.cos(x)),
     {**dict.fromkeys(RULES, GOOD), "fd-central": {"inaccurate"}}),
    ("logistic map, 40 steps", logistic, 0.3, mp(_mp_logistic), dict.fromkeys(AD, GOOD)),
    ("noise: sin(x) + 1e-13 sin(1e8 x)", noisy, 1.0,
     mp(lambda x: mpmath.cos(x) + mpmath.mpf(1e-13) * 1e8 * mpmath.cos(1e8 * x)),
     {**dict.fromkeys(RULES, GOOD), **dict.fromkeys(("fd-central", "fd-five-point", "richardson"), {"inaccurate"})}),
    ("a 3,000-term sum", long_sum, 0.5, mp(lambda x: mpmath.fsum(mpmath.cos(x + mpmath.mpf(0.001 * k))
                                                                    for k in range(3000))),
     {**dict.fromkeys(AD + ("hybrid",), GOOD), "symbolic": {"failed"}}),   # too deep for SymPy
    ("gradient", lambda v: v[0] * hd.exp(v[1]), np.array([1.5, 0.5]),
     mp(lambda v: [mpmath.exp(v[1]), v[0] * mpmath.exp(v[1])]), dict.fromkeys(RULES + FD, GOOD)),
    ("Jacobian", lambda v: [v[0] * v[1], hd.sin(v[0])], np.array([1.0, 2.0]),
     mp(lambda v: [[v[1], v[0]], [mpmath.cos(v[0]), 0]]), dict.fromkeys(RULES + FD, GOOD)),
    ("Jacobian of scalar x", lambda t: [t * t, hd.sin(t)], 1.0, mp(lambda t: [2 * t, mpmath.cos(t)]),
     dict.fromkeys(RULES + FD, GOOD)),
    ("gradient with a kink", lambda v: hd.abs(v[0]) + v[1] ** 2, np.array([0.0, 1.0]), NONE,
     dict.fromkeys(RULES, {"convention"})),
]
IDS = [c[0] for c in CASES]


@pytest.fixture(scope="module")
def comparisons():
    return {}


def run(comparisons, name, f, x):
    if name not in comparisons:
        comparisons[name] = hd.compare(f, x, budget=0.0002)
    return comparisons[name]


@pytest.mark.parametrize("name, f, x, truth, allowed", CASES, ids=IDS)
def test_every_row_has_its_expected_status(comparisons, name, f, x, truth, allowed):
    r = run(comparisons, name, f, x)
    wrong = {row.method: (row.status, row.value, row.note[:160]) for row in r.rows
             if row.method in allowed and row.status not in allowed[row.method]}
    assert not wrong, (name, r.reference_note, wrong)


@pytest.mark.parametrize("name, f, x, truth, allowed", CASES, ids=IDS)
def test_no_wrong_row_is_trusted(comparisons, name, f, x, truth, allowed):
    r = run(comparisons, name, f, x)
    for row in r.rows:
        assert row.status in STATUSES, row
        if truth == UNDEFINED:
            assert r.reference is None and row.status in ("f undefined", "failed", "timeout"), row
            continue
        assert row.status != "f undefined", row
        if truth == NONE:
            assert row.status not in GOOD | {"infinite"}, row
            assert row.status != "convention" or row.method in RULES, row
            continue
        if truth == INFINITE:
            assert row.status not in GOOD | {"convention"}, row
            if row.status == "infinite":
                assert row.value == math.inf, row
            continue
        exact = np.array(truth(x), dtype=object)
        assert row.status not in ("infinite", "convention", "no derivative"), row
        if row.status in GOOD:
            value = np.asarray(row.value, dtype=float)
            with mpmath.workdps(50):
                errors = [abs(mpmath.mpf(float(v)) - t) for v, t in zip(value.ravel(), exact.ravel())]
                relative = max(float(e / abs(t)) if t != 0 else float(e) for e, t in zip(errors, exact.ravel()))
            assert relative <= row.expected * 1.01, (name, row.method, relative, row.expected, row.note)
            if row.estimate is not None:
                assert row.estimate >= float(max(errors)), (name, row.method, row.estimate, max(errors))


def test_the_table_covers_what_the_issue_lists():
    assert len(CASES) >= 25
    kinds = {truth if isinstance(truth, str) else "finite" for _, _, _, truth, _ in CASES}
    assert kinds == {UNDEFINED, INFINITE, NONE, "finite"}


def test_the_footnote_explains_every_status_shown(comparisons):
    r = run(comparisons, "abs at 0", hd.abs, 0.0)
    for row in r.rows:
        assert f"{row.status}: {STATUSES[row.status]}" in r.footnote
    for view in (r.to_text(), r.to_markdown(), r.to_html()):
        assert "convention: the derivative does not exist here" in view.replace("\n", " ") or \
            "convention: the derivative does not exist" in view


def test_statuses_are_documented_in_one_place():
    assert set(STATUSES) >= {"exact", "accurate", "inaccurate", "infinite", "convention", "no derivative",
                             "f undefined", "failed", "timeout"}
    assert TRUSTED == {"exact", "accurate", "infinite", "convention"}
    assert hd.STATUSES is STATUSES


def test_the_readme_lists_every_status():
    from pathlib import Path
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for word, meaning in STATUSES.items():
        assert f"- `{word}`: {meaning}" in readme, word


def test_a_row_whose_own_error_estimate_is_below_its_error_is_never_accurate():
    """Within its method's promise but claiming an error bar smaller than its actual error: the
    estimate is wrong, so the row is not trusted (``inaccurate``, and the note says why); the same
    value with an honest estimate, or none, is ``accurate``."""
    from hybriddiff.comparison.columns import Row
    from hybriddiff.comparison.judge import judge
    from hybriddiff.comparison.reference import examine
    ref = examine(hd.sin, 0.5)
    value = math.cos(0.5) * (1 + 1e-9)          # 1e-9 relative: within a promise of 1e-8
    for estimate, status in ((1e-12, "inaccurate"), (1e-8, "accurate"), (None, "accurate")):
        row = Row("fd-test", value=value)
        judge(row, ref, "FD", 1e-8, estimate)
        assert row.status == status, (estimate, row)
    row = Row("fd-test", value=value)
    judge(row, ref, "FD", 1e-8, 1e-12)
    assert "error estimate 1.0e-12 is below its actual error" in row.note, row.note
