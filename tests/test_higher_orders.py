"""The comparison at any order (issue 18): hd.compare(f, x, order=n), its reference, the finite
differences' promises per order, hd.order_study and `hybriddiff compare --order`.

Every reference value is checked against mpmath on a plain mpmath function (no hybriddiff rule).
"""
from __future__ import annotations

import json
import math
import warnings

import mpmath
import numpy as np
import pytest

import hybriddiff as hd
from hybriddiff.comparison import higher
from hybriddiff.comparison.higher import examine_order
from hybriddiff.comparison.statuses import TRUSTED
from hybriddiff.finite.difference import finite_difference
from hybriddiff.finite.schemes import SCHEMES_LIST
from hybriddiff.methods.registry import METHOD_LIST
from hybriddiff.studies.families import seed_f
from hybriddiff.studies.orders import fit_growth


def seed_mp(t):
    return mpmath.exp(t * t - t) / t


def mp_derivative(g, x, n):
    with mpmath.workdps(60):
        return mpmath.diff(g, mpmath.mpf(x), n)


@pytest.fixture(scope="module")
def fifth():
    return hd.compare(seed_f, 2.0, order=5, budget=0.005)


# ------------------------------------------------------------------ the comparison at order n
def test_every_method_that_gives_the_order_has_a_row_and_the_others_are_named(fifth):
    able = [m.name for m in METHOD_LIST if (m.max_order is None or m.max_order >= 5) and not m.opt_in]
    assert [r.method for r in fifth.rows] == able
    assert set(fifth.left_out) == {"fd-five-point", "complex-step"}
    assert "first derivatives only" in fifth.left_out["complex-step"]
    assert fifth.title.startswith("5th derivative of")
    assert "Left out: fd-five-point gives derivatives of order 1 to 4" in fifth.footnote
    assert json.loads(fifth.to_json())["order"] == 5


def test_the_reference_is_the_fifth_derivative_to_50_digits(fifth):
    exact = mp_derivative(seed_mp, 2, 5)
    with mpmath.workdps(60):
        assert abs(fifth.examined.value - exact) < mpmath.mpf(10) ** -40 * abs(exact)
    assert "agreeing with mpmath.diff" in fifth.reference_note
    assert fifth.examined.attainable is not None and fifth.examined.attainable < 1e-13


def test_rules_methods_are_trusted_and_finite_differences_judged_by_their_order_promise(fifth):
    for method in ("forward", "reverse", "taylor", "symbolic", "hybrid"):
        row = fifth[method]
        assert row.status in TRUSTED and row.digits >= 14, row
    central = fifth["fd-central"]   # 2.9 digits at order 5; its promise there is 2e-2
    assert 2 < central.digits < 4 and central.status == "accurate"
    forward = fifth["fd-forward"]   # promises nothing at order 5: never "accurate"
    assert forward.status == "inaccurate" and "no correct digits at this order" in forward.note
    assert fifth["taylor"].passes == 1 and fifth["taylor"].ops < fifth["forward"].ops


def test_high_order_taylor_stays_accurate_where_finite_differences_give_up():
    f = lambda x: hd.exp(hd.sin(x))
    c = hd.compare(f, 0.7, order=20, methods=["taylor", "fd-central", "richardson"], budget=0.005)
    exact = mp_derivative(lambda t: mpmath.exp(mpmath.sin(t)), 0.7, 20)
    assert float(c.examined.value) == pytest.approx(float(exact), rel=1e-15)
    assert c["taylor"].status in TRUSTED and c["taylor"].rel_error < 1e-10
    assert c["fd-central"].status not in TRUSTED and c["richardson"].status not in TRUSTED


@pytest.mark.parametrize("order", [0, -1, 2.5, True, "2", None])
def test_bad_orders_say_what_an_order_is(order):
    with pytest.raises(ValueError, match="order must be a positive whole number"):
        hd.compare(hd.sin, 1.0, order=order)


def test_a_method_asked_for_an_order_it_cannot_give_is_an_error_naming_those_that_can():
    with pytest.raises(ValueError, match="complex-step gives first derivatives only, not order 2; "
                                         "methods for order 2: forward, reverse, taylor"):
        hd.compare(hd.sin, 1.0, order=2, methods=["complex-step"])
    with pytest.raises(ValueError, match="fd-five-point gives derivatives of order 1 to 4, not order 5"):
        hd.compare(hd.sin, 1.0, order=5, methods=["five-point"])


def test_higher_orders_are_for_functions_of_one_number():
    with pytest.raises(ValueError, match="order 2 are for f: R -> R; x is an array"):
        hd.compare(lambda v: v[0] * v[1], [1.0, 2.0], order=2)
    with pytest.raises(ValueError, match="f has 2 outputs"):
        hd.compare(lambda x: [x, x * x], 1.0, order=2)


# ------------------------------------------------------------------ points that are not analytic
METHODS = ["forward", "taylor", "symbolic", "fd-central", "richardson"]


def _quiet_compare(f, x, order):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hd.compare(f, x, order=order, methods=METHODS, budget=0.002)


def test_a_kink_in_the_first_derivative_has_no_second_derivative():
    c = _quiet_compare(lambda x: x * hd.abs(x), 0.0, 2)   # f'' jumps from -2 to 2
    assert c.examined.state == "no derivative" and "left -2.0, right 2.0" in c.reference_note
    for method in ("forward", "taylor", "symbolic"):
        assert c[method].status == "convention" and "sign(x)" in c[method].note
    for method in ("fd-central", "richardson"):
        assert c[method].status == "no derivative"


def test_no_first_derivative_means_no_second():
    c = _quiet_compare(hd.abs, 0.0, 2)
    assert c.examined.state == "no derivative"
    assert "the one-sided derivatives of order 1 differ (left -1.0, right 1.0)" in c.reference_note
    assert not any(r.status in ("accurate", "exact") for r in c.rows)


def test_an_infinite_higher_derivative_is_said_and_nan_is_never_a_convention():
    c = _quiet_compare(lambda x: hd.abs(x) ** 2.5, 0.0, 3)   # f''' = +-inf on the two sides
    assert c.examined.state == "no derivative"
    for r in c.rows:
        assert r.status != "convention" or not math.isnan(float(r.value)), r
    s = _quiet_compare(hd.sqrt, 0.0, 2)   # f'' = -inf from the right, f undefined on the left
    assert s.examined.state == "infinite" and s["forward"].status == "infinite"
    assert s["taylor"].status == "failed"      # nan: the square root has no Taylor series at 0


def test_a_domain_edge_is_checked_from_the_side_where_f_is_defined():
    r = examine_order(lambda x: x ** 2.5, 0.0, 2)
    assert r.state == "finite" and float(r.value) == 0.0
    assert "from the one side where f is defined" in r.note


def test_where_the_rules_and_mpmath_disagree_there_is_no_reference(monkeypatch):
    real = higher.taylor

    class Wrong:   # a planted wrong rule: every coefficient 1% off
        def __init__(self, result):
            self.coefficients = [c * mpmath.mpf("1.01") for c in result.coefficients]

    monkeypatch.setattr(higher, "taylor", lambda f, x, n: Wrong(real(f, x, n)))
    c = hd.compare(hd.exp, 0.5, order=3, methods=["taylor"], budget=0.002)
    assert c.examined.state == "none" and "or a rule is wrong" in c.reference_note
    assert c["taylor"].status == "unchecked"


def test_f_undefined_gives_no_taylor_derivative():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = hd.taylor(hd.log, -1.0, 3)
        assert all(math.isnan(d) for d in r.derivatives)
        assert math.isnan(hd.derivative(lambda x: 0 * hd.log(x) + x, -1.0, method="taylor"))
        c = hd.compare(hd.log, -1.0, order=2, methods=["taylor"], budget=0.002)
    assert c.examined.state == "f undefined" and c["taylor"].status == "f undefined"


# ------------------------------------------------------------------ promises per order
def test_finite_difference_promises_per_order_hold_and_are_not_vacuous():
    """The measurement behind ``Scheme.promises`` (finite/schemes.py), on a coarse grid."""
    grid = [(seed_f, seed_mp, v) for v in (-1.5, 0.5, 2.5)] + \
        [(hd.sin, mpmath.sin, v) for v in (-7.0, 1.0, 4.0)] + [(hd.exp, mpmath.exp, v) for v in (-5.0, 1.0, 20.0)] + \
        [(hd.log, mpmath.log, v) for v in (0.5, 10.0, 1000.0)]
    for scheme in SCHEMES_LIST:
        for k, promise in enumerate(scheme.promises, start=2):
            worst = 0.0
            for f, g, x in grid:
                d = float(mp_derivative(g, x, k))
                if abs(d) < 1e-3 * max(1.0, abs(float(f(x)))):
                    continue
                worst = max(worst, abs(finite_difference(f, x, scheme=scheme.name, order=k) - d) / abs(d))
            assert worst <= promise, (scheme.name, k, worst, promise)
            assert worst >= promise / 1e4, (scheme.name, k, worst, promise)
        assert scheme.promise_at(len(scheme.promises) + 2) is None


def test_the_methods_carry_their_schemes_promises_and_orders():
    for method in METHOD_LIST:
        if method.family == "FD":
            scheme = next(s for s in SCHEMES_LIST if s.method == method.name)
            assert [method.promise_at(k) for k in range(1, 9)] == [scheme.promise_at(k) for k in range(1, 9)]
            assert method.max_order == scheme.max_order
        else:
            assert method.promise_at(12) == method.promise and method.gives(12)


# ------------------------------------------------------------------ the order study
@pytest.fixture(scope="module")
def study():
    return hd.order_study(seed_f, 2.0, orders=(1, 2, 3, 4, 6), methods=["forward", "taylor", "fd-central"],
                          budget=0.002, progress=False)


def test_the_order_study_has_a_row_per_order_and_method(study):
    methods = ["forward", "taylor", "fd-central", "forward, nested", "reverse, nested"]
    assert [(r["order"], r["method"]) for r in study.rows] == [(n, m) for n in (1, 2, 3, 4, 6) for m in methods]
    for r in study.rows:
        if r["method"] != "fd-central":
            assert r["status"] in TRUSTED and r["digits"] >= 14, r
    central = [r["digits"] for r in study.rows if r["method"] == "fd-central"]
    assert central[0] > central[-1] + 4   # finite differences lose digits with each order


def test_the_order_study_fits_the_growth(study):
    growth = study.growth()   # (operation counts are exact; timings are noisy: only their fit's form here)
    assert growth["forward, nested"]["seconds"].startswith("~ ")
    nested_rate = float(growth["forward, nested"]["ops"].split()[1].split("^")[0])
    assert 2.5 < nested_rate < 3.5                                  # ~3^n: every level triples a product
    assert growth["forward"]["ops"].endswith("^n")                  # exponential: the derivative graph
    assert growth["taylor"]["ops"].startswith("~ n^")               # a power: Taylor mode
    rate = float(growth["forward"]["ops"].split()[1].split("^")[0])
    assert 1.5 < rate < 2.5
    assert "Fitted growth with n: forward:" in study.footnote
    assert json.loads(json.dumps(study.to_dict(), default=str))["growth"] == growth
    assert "n" in study.to_table().to_text()


def test_fit_growth_tells_powers_from_exponentials():
    n = [2, 3, 4, 6, 8, 10]
    assert fit_growth(n, [3.0 ** k for k in n]) == "~ 3.0^n"
    assert fit_growth(n, [k ** 2 for k in n]) == "~ n^2.0"
    assert fit_growth([2, 3], [1, 2]) == "" and fit_growth(n, [None] * 6) == ""


def test_a_slow_method_stops_before_the_next_order():
    s = hd.order_study(hd.sin, 1.0, orders=(2, 3), methods=["taylor"], limit=1e-9, progress=False)
    assert [r["method"] for r in s.rows] == ["taylor", "forward, nested", "reverse, nested"]
    assert s.stopped["taylor"].startswith("stopped after order 2")
    assert "stopped after order 2" in s.footnote


def test_the_order_study_plots(study):
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    fig = study.plot()
    assert len(fig.axes) == 2 and fig.axes[0].get_yscale() == "log"


@pytest.mark.parametrize("kwargs, match", [
    ({"orders": (0, 1)}, "order must be a positive whole number"),
    ({"orders": ()}, "orders is empty"),
    ({"limit": 0}, "limit must be a positive number"),
    ({"methods": ["nope"]}, "unknown method 'nope'"),
])
def test_order_study_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        hd.order_study(hd.sin, 1.0, progress=False, **kwargs)
    with pytest.raises(TypeError, match="x must be one real number"):
        hd.order_study(hd.sin, np.array([1.0, 2.0]), progress=False)


# ------------------------------------------------------------------ the command
def test_compare_order_on_the_command_line():
    from test_cli import fails, run
    out = run("compare", "exp(x**2 - x)/x", "--at", "x=2", "--order", "3", "--methods", "taylor", "fd-central",
              "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["title"] == "3rd derivative of exp(x**2 - x)/x at x = 2.0" and data["order"] == 3
    assert [r["method"] for r in data["rows"]] == ["taylor", "fd-central"]
    assert data["rows"][0]["value"] == pytest.approx(119.14852959525672, rel=1e-14)
    assert "--order N" in run("compare", "--help").stdout
    assert "x, y at x = 2.0, y = 1.0" in fails(run("compare", "x*y", "--at", "x=2", "y=1", "--order", "2"))
    assert "complex-step gives first derivatives only" in fails(
        run("compare", "sin(x)", "--at", "x=1", "--order", "2", "--methods", "complex-step"))
    assert "above the limit" in fails(run("compare", "sin(x)", "--at", "x=1", "--order", "99"))
    assert "expected a positive integer" in fails(run("compare", "sin(x)", "--at", "x=1", "--order", "0"))
