"""Tests that fail when the code is wrong (issue 21): one property per planted bug that survived the
mutation audit, written as what a user relies on, not as a copy of the implementation.

| planted bug (survived the audit) | killed by |
|---|---|
| ``fd-five-point`` runs the central scheme | ``test_five_point_is_fourth_order``, ``test_five_point_evaluates_its_own_stencil`` |
| every coordinate uses ``h[0]`` | ``test_gradient_steps_follow_each_coordinates_scale``, ``test_a_step_per_coordinate_is_used_per_coordinate`` |
| truncation estimate 100x too pessimistic | ``test_fd_estimates_are_neither_below_nor_far_above_the_error``, ``test_fd_estimates_at_the_automatic_step_are_bounds_and_within_the_promise`` |
| a node that is several roots keeps only the last seed | ``test_shared_outputs_accumulate_their_cotangents``, ``test_a_sweep_from_one_node_seeded_twice_adds_the_seeds`` |
| a failed sweep leaves marks/adjoints behind | ``test_backward_after_a_failed_sweep_gives_the_right_gradient``, ``test_a_vjp_after_a_failed_sweep_gives_the_right_cotangent`` |
| the generic forward path loses the piecewise-constant shortcut | ``test_the_generic_forward_path_keeps_locally_constant_functions_constant`` |
| same-level boxes of different kinds no longer an error | ``test_boxes_of_different_kinds_at_one_level_are_a_level_mix_error`` |
| a parser limit doubled (unary runs) | ``test_parser_limits_at_the_limit_and_one_past_it``; every other documented limit (parse/, cli/limits.py) has its test at the limit and one past it below |
| ``csc(x)`` read as ``1/cos(x)`` | ``test_every_sympy_spelling_the_bridge_accepts_round_trips_numerically`` |
| the time box waits for its worker instead of killing it | ``test_the_time_box_stops_a_sleeping_worker_at_the_deadline``, ``test_the_streaming_time_box_keeps_what_arrived_and_stops_at_the_deadline`` (each on a clock of its own: GUARD) |

Each was checked by planting the bug in a scratch copy of the package: the test fails with it, passes
without it.
"""
from __future__ import annotations

import math
import multiprocessing
import threading
import time
import warnings

import numpy as np
import pytest

import hybriddiff as hd
from hybriddiff.ad.reverse import Variable, sweep
from hybriddiff.cli import commands as cli
from hybriddiff.cli import functions_file, limits
from hybriddiff.cli.inputs import UsageError, parse_point
from hybriddiff.core import timebox
from hybriddiff.errors import LevelMixError, MethodTimeoutError, ParseError
from hybriddiff.parse import (MAX_DEPTH, MAX_DIGITS, MAX_LENGTH, MAX_NODES, parse_assignment,
                              parse_expression)

from conftest import sample_points


def rel(a, b):
    return abs(a - b) / abs(b)


# ------------------------------------------------------------------ 1. five-point is five-point
def test_five_point_is_fourth_order():
    """Halving h divides the five-point error by 2^4 = 16 (central's: by 4), where truncation
    dominates rounding (exp at 1, h from 0.04 to 0.005: errors 2e-7 .. 6e-11, rounding ~1e-13)."""
    hs = [0.04, 0.02, 0.01, 0.005]
    for scheme in ("five-point", "fd-five-point"):
        errors = [abs(hd.finite_difference(math.exp, 1.0, scheme=scheme, h=h) - math.e) for h in hs]
        ratios = [a / b for a, b in zip(errors, errors[1:])]
        assert all(14.0 < r < 18.0 for r in ratios), (scheme, errors, ratios)
    central = [abs(hd.finite_difference(math.exp, 1.0, scheme="central", h=h) - math.e) for h in hs]
    assert all(3.5 < a / b < 4.5 for a, b in zip(central, central[1:])), central
    # the same at order 2 (offsets -2..2 again: fourth order)
    second = [abs(hd.finite_difference(math.exp, 1.0, scheme="five-point", h=h, order=2) - math.e)
              for h in (0.08, 0.04, 0.02)]
    assert all(14.0 < a / b < 18.0 for a, b in zip(second, second[1:])), second


def test_five_point_evaluates_its_own_stencil():
    """hd.derivative(method="fd-five-point") calls f at x +- h, x +- 2h (the weight at x is 0): four
    calls for a first derivative, five for a second; central calls f twice."""
    def counted(log):
        def f(x):
            log.append(x)
            return math.exp(x)
        return f

    for method, order, calls in (("fd-five-point", 1, 4), ("five-point", 1, 4), ("fd-five-point", 2, 5),
                                 ("fd-central", 1, 2)):
        points = []
        value = hd.derivative(counted(points), 1.0, method=method, order=order)
        assert len(points) == calls, (method, order, points)
        offsets = sorted(p - 1.0 for p in points)
        h = offsets[-1] / (2 if "five" in method else 1)
        expected = {4: [-2, -1, 1, 2], 5: [-2, -1, 0, 1, 2], 2: [-1, 1]}[calls]
        assert offsets == pytest.approx([k * h for k in expected], rel=1e-9, abs=1e-15), (method, offsets)
        assert rel(value, math.e) < (1e-10 if "five" in method and order == 1 else 1e-6), (method, order, value)
    r = hd.finite_difference(math.exp, 1.0, scheme="fd-five-point", full_output=True)
    assert r.scheme == "five-point" and r.evaluations == 4
    row = hd.compare(math.exp, 1.0, methods=["fd-five-point", "fd-central"], budget=0.0005)
    assert row.row("fd-five-point").passes == 4 and row.row("fd-central").passes == 2


# ------------------------------------------------------------------ 2. a step per coordinate
@pytest.mark.parametrize("x", [[1e-6, 1e6], [1e6, 1e-6]], ids=["small, huge", "huge, small"])
@pytest.mark.parametrize("scheme", ["forward", "central", "five-point", "richardson"])
def test_gradient_steps_follow_each_coordinates_scale(x, scheme):
    """The automatic step is relative to each coordinate's own scale, max(1, |x_i|): at x = [1e-6,
    1e6] the steps differ by a factor of about 1e6, and each partial is as accurate as the scheme
    promises (x[0]'s step used along x[1] loses digits to rounding, x[1]'s along x[0] to
    truncation)."""
    small, huge = (0, 1) if x[0] < x[1] else (1, 0)

    def f(v):
        return hd.sin(v[small]) + hd.log(v[huge])

    point = np.array(x)
    exact = np.zeros(2)
    exact[small], exact[huge] = math.cos(point[small]), 1.0 / point[huge]
    r = hd.finite_difference(f, point, scheme=scheme, full_output=True)
    tolerance = {"forward": 1e-6, "central": 1e-8, "five-point": 1e-8, "richardson": 1e-10}[scheme]
    assert rel(r.value[small], exact[small]) < tolerance, (scheme, r)
    assert rel(r.value[huge], exact[huge]) < tolerance, (scheme, r)
    assert r.h[huge] > 1e3 * r.h[small], r.h
    assert np.all(np.abs(r.value - exact) <= r.error_estimate), (r, exact)


def test_a_step_per_coordinate_is_used_per_coordinate():
    """h=[h0, h1] uses h0 along x[0] and h1 along x[1]: the result is the stencil at those steps."""
    point = np.array([0.5, 2.0])

    def f(v):
        return hd.exp(v[0]) * 3.0 + v[1] ** 3

    r = hd.finite_difference(f, point, scheme="central", h=[1e-3, 0.25], full_output=True)
    h0 = r.h[0]           # the step as given, rounded so that (x + h) - x == h
    assert h0 == pytest.approx(1e-3, rel=1e-12) and r.h[1] == 0.25
    # central at exactly these steps: (f(x+h) - f(x-h)) / 2h, per coordinate
    along0 = 3 * (math.exp(0.5 + h0) - math.exp(0.5 - h0)) / (2 * h0)
    along1 = ((2.25 ** 3) - (1.75 ** 3)) / 0.5        # = 3 x^2 + h^2 = 12.0625
    assert r.value[0] == pytest.approx(along0, rel=1e-12)
    assert r.value[1] == pytest.approx(along1, rel=1e-14) and along1 == pytest.approx(12.0625, rel=1e-15)
    swapped = hd.finite_difference(f, point, scheme="central", h=[0.25, 1e-3])
    assert rel(swapped[0], 3 * math.exp(0.5)) > 1e-3 and rel(swapped[1], 12.0) < 1e-6


# ------------------------------------------------------------------ 3. useful error estimates
SMOOTH = [("exp", hd.exp, math.exp, [-2.0, 0.5, 3.0]),
          ("sin", hd.sin, math.cos, [-1.0, 0.3, 2.0]),
          ("log", hd.log, lambda x: 1 / x, [0.7, 2.0, 10.0]),
          ("seed", lambda x: hd.exp(x * x - x) / x,
           lambda x: math.exp(x * x - x) * (2 * x - 1) / x - math.exp(x * x - x) / x ** 2, [0.8, 1.5, 2.0])]
# steps where truncation (h, h^2, h^4) is far above rounding: there the estimate can be sharp
TRUNCATION_STEPS = {"forward": (1e-3, 1e-4), "backward": (1e-3, 1e-4), "central": (1e-2, 1e-3),
                    "five-point": (5e-2, 1e-2)}
SHARP = 10.0       # a useful estimate: at most this many times the actual error


@pytest.mark.parametrize("scheme", list(TRUNCATION_STEPS))
@pytest.mark.parametrize("name, f, df, xs", SMOOTH, ids=[s[0] for s in SMOOTH])
def test_fd_estimates_are_neither_below_nor_far_above_the_error(name, f, df, xs, scheme):
    """On smooth f where truncation dominates, the error estimate bounds the actual error and is
    within a factor SHARP of it (it is about twice the leading truncation term). An estimate of inf,
    or 100 times the error, passes a one-sided check everywhere and tells the user nothing."""
    checked = 0
    for x in xs:
        for h in TRUNCATION_STEPS[scheme]:
            r = hd.finite_difference(f, x, scheme=scheme, h=h, full_output=True)
            actual = abs(r.value - df(x))
            if actual < 100 * 2.2e-16 * abs(f(x)) / h:   # rounding (eps |f| / h) is not negligible
                continue
            checked += 1
            assert actual <= r.error_estimate <= SHARP * actual, (name, scheme, x, h, actual, r)
            assert r.note == "", r.note
    assert checked >= 2 * len(xs) - 1, checked


@pytest.mark.parametrize("scheme", ["forward", "central", "five-point"])
def test_fd_estimates_at_the_automatic_step_are_bounds_and_within_the_promise(scheme):
    """At the automatic step: never below the actual error, and never more than the scheme's
    promise (a finite, small number: the estimate says how many digits the value has)."""
    from hybriddiff.finite.schemes import scheme_named
    promise = scheme_named(scheme).promise
    for name, f, df, xs in SMOOTH:
        for x in xs:
            r = hd.finite_difference(f, x, scheme=scheme, full_output=True)
            actual = abs(r.value - df(x))
            assert actual <= r.error_estimate <= promise * abs(df(x)), (name, scheme, x, actual, r)


# ------------------------------------------------------------------ 4. shared outputs accumulate
def test_shared_outputs_accumulate_their_cotangents():
    """f(x) = [y, y] with y = sin(x): the vjp with cotangent [a, b] is (a + b) cos(x); the same when
    an output is the input itself, or three outputs share one node."""
    def twice(x):
        y = hd.sin(x)
        return [y, y]
    _, f_vjp = hd.vjp(twice, 0.5)
    assert f_vjp([1.0, 2.0])[0] == pytest.approx(3.0 * math.cos(0.5), rel=1e-15)
    assert f_vjp([1.0, 0.0])[0] == pytest.approx(math.cos(0.5), rel=1e-15)   # the tape sweeps again
    _, f_vjp = hd.vjp(lambda x: [x, x, 2.0 * x], 0.5)
    assert f_vjp([1.0, 2.0, 4.0])[0] == 11.0
    v = np.array([2.0, 3.0])
    _, f_vjp = hd.vjp(lambda v: [v[0] * v[1]] * 3, v)
    np.testing.assert_array_equal(f_vjp([1.0, 2.0, 4.0])[0], [21.0, 14.0])
    J = hd.jacobian(twice, mode="reverse")(0.5)
    np.testing.assert_allclose(np.ravel(J), [math.cos(0.5)] * 2, rtol=1e-15)


def test_a_sweep_from_one_node_seeded_twice_adds_the_seeds():
    """The hand-built tape's sweep (``backward``'s Kahn sweep) with one output listed twice."""
    x = Variable(0.5)
    y = hd.sin(x) * x
    leaves = sweep([(y, 1.0), (y, 2.0)], retain_graph=True)
    expected = 3.0 * (math.cos(0.5) * 0.5 + math.sin(0.5))
    assert leaves[id(x)][1] == pytest.approx(expected, rel=1e-15)
    leaves = sweep([(y, 1.0), (x, 4.0)], retain_graph=True)      # an output that is also a leaf
    assert leaves[id(x)][1] == pytest.approx(expected / 3 + 4.0, rel=1e-15)
    y.backward(retain_graph=True)
    y.backward()                                                    # grads accumulate over sweeps
    assert x.grad == pytest.approx(2 * expected / 3, rel=1e-15)


# ------------------------------------------------------------------ 5. a failed sweep leaves no trace
class FailsOnSecondUse:
    """A seed that lets the sweep start, then breaks it: the first multiplication by it gives a float,
    the second raises (so one argument of the first node already holds a partial sum)."""

    def __init__(self):
        self.uses = 0

    def __rmul__(self, other):
        self.uses += 1
        if self.uses > 1:
            raise ArithmeticError("this seed cannot be multiplied twice")
        return float(other)

    __mul__ = __rmul__


SEEDS = {"str seed": lambda: "a", "failing part-way": FailsOnSecondUse}


@pytest.mark.parametrize("make_seed", list(SEEDS.values()), ids=list(SEEDS))
def test_backward_after_a_failed_sweep_gives_the_right_gradient(make_seed):
    """The audit's real bug: after a sweep failed part-way, the next backward() left .grad None."""
    x = hd.Variable(2.0)
    y = x * x
    with pytest.raises((TypeError, ArithmeticError)):
        y.backward(seed=make_seed())
    assert x.grad is None                      # the failed sweep added nothing
    y.backward()
    assert x.grad == 4.0
    # a longer graph, sharing x between several consumers
    x = hd.Variable(0.7)
    a = x * x
    z = hd.sin(a) * x + a
    with pytest.raises((TypeError, ArithmeticError)):
        z.backward(seed=make_seed())
    z.backward()
    expected = math.cos(0.49) * 2 * 0.7 * 0.7 + math.sin(0.49) + 2 * 0.7
    assert x.grad == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("make_seed", list(SEEDS.values()), ids=list(SEEDS))
def test_a_vjp_after_a_failed_sweep_gives_the_right_cotangent(make_seed):
    """The operators' tape: a vjp_fn that failed on a bad cotangent answers the next ones right."""
    _, f_vjp = hd.vjp(lambda x: hd.sin(x * x) * x + x * x, 0.7)
    with pytest.raises((TypeError, ArithmeticError)):
        f_vjp(make_seed())
    expected = math.cos(0.49) * 2 * 0.7 * 0.7 + math.sin(0.49) + 2 * 0.7
    assert f_vjp(1.0)[0] == pytest.approx(expected, rel=1e-15)
    assert f_vjp(2.0)[0] == pytest.approx(2 * expected, rel=1e-15)


# ------------------------------------------------------------------ 6. the generic forward path
@pytest.mark.parametrize("f", [
    lambda v: hd.floor(hd.sqrt(v)), lambda v: hd.sign(hd.sqrt(v)), lambda v: hd.ceil(hd.sqrt(v) + 0.5),
    lambda v: hd.heaviside(hd.sqrt(v)),
], ids=["floor(sqrt)", "sign(sqrt)", "ceil(sqrt + 0.5)", "heaviside(sqrt)"])
def test_the_generic_forward_path_keeps_locally_constant_functions_constant(f):
    """floor, ceil, sign, heaviside have derivative 0 (ARCHITECTURE.md, "Conventions"): a
    piecewise-constant function of an inner value whose tangent is inf (sqrt at 0) has tangent 0,
    not 0 * inf = nan. Arrays of Duals (jvp, forward Jacobians at array points) take the generic
    path (``bind`` -> ``Dual._hd_apply``), not the float fast path."""
    point = np.array([0.0, 4.0, 2.5])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        _, tangent = hd.jvp(f, (point,), (np.ones(3),))
        J = hd.jacobian(f, mode="forward")(point)
        J_reverse = hd.jacobian(f, mode="reverse")(point)
        duals = np.array([hd.Dual(float(p), 1.0) for p in point], dtype=object)
        by_hand = f(duals)
    np.testing.assert_array_equal(tangent, [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(J, np.zeros((3, 3)))
    np.testing.assert_array_equal(J_reverse, np.zeros((3, 3)))
    assert [getattr(d, "tangent", 0.0) for d in by_hand] == [0.0, 0.0, 0.0]


# ------------------------------------------------------------------ 7. LevelMixError
def test_boxes_of_different_kinds_at_one_level_are_a_level_mix_error():
    """A Dual and a Variable built by hand at the same nesting level cannot say which is inside the
    other: every operation mixing them raises LevelMixError (a DifferentiationError and TypeError)
    naming both kinds, instead of treating one silently as a constant."""
    d = hd.Dual(2.0, 1.0, level=7)
    v = hd.Variable(3.0, level=7)
    for op in (lambda: d * v, lambda: v * d, lambda: d + v, lambda: hd.arctan2(v, d),
               lambda: hd.power(d, v), lambda: hd.maximum(v, d)):
        with pytest.raises(LevelMixError, match="Dual and a Variable|Variable and a Dual") as info:
            op()
        assert isinstance(info.value, hd.DifferentiationError) and isinstance(info.value, TypeError)
        assert "same nesting level" in str(info.value)
    # nested properly (different levels), the same operation is fine
    inner = hd.Variable(hd.Dual(3.0, 1.0))
    out = hd.Dual(2.0, 1.0) * inner                 # a Variable holding Dual(6, 1*3 + 2*1)
    assert out.value.value == 6.0 and out.value.tangent == 5.0


# ------------------------------------------------------------------ 8. every parser limit, at its edge
def _parse_error(text, **kwargs):
    with pytest.raises(ParseError) as info:
        parse_expression(text, **kwargs)
    return info.value


def test_parser_limits_at_the_limit_and_one_past_it():
    """MAX_DEPTH (200): runs of unary operators, parentheses, nested calls and powers; MAX_DIGITS
    (400) in a literal; MAX_LENGTH (100,000) characters. At the limit the text parses (and means
    what it says); one past it is a ParseError naming the limit, at the first offending column."""
    assert MAX_DEPTH == 200 and MAX_DIGITS == 400 and MAX_LENGTH == 100_000 and MAX_NODES == 100_000
    n = MAX_DEPTH
    # unary runs: 200 minus signs are x (an even count), 201 are refused at the 201st sign
    assert parse_expression("-" * n + "x")(3.0) == 3.0
    assert parse_expression("-" * (n - 1) + "x")(3.0) == -3.0
    assert parse_expression("+-" * (n // 2) + "x")(3.0) == 3.0
    for run in ("-" * (n + 1) + "x", "+" * (n + 1) + "x", "-+" * (n // 2) + "-x"):
        error = _parse_error(run)
        assert f"more than {n} unary operators in a row" in str(error) and error.position == n, error
    error = _parse_error("2*" + "-" * (n + 1) + "x")
    assert f"more than {n} unary operators in a row" in str(error) and error.position == n + 2
    # parentheses
    assert parse_expression("(" * n + "x" + ")" * n)(3.0) == 3.0
    error = _parse_error("(" * (n + 1) + "x" + ")" * (n + 1))
    assert f"more than {n} levels of parentheses" in str(error) and error.position == n
    # nested calls: 200 sines
    value = parse_expression("sin(" * n + "x" + ")" * n)(0.5)
    expected = 0.5
    for _ in range(n):
        expected = math.sin(expected)
    assert value == expected
    error = _parse_error("sin(" * (n + 1) + "x" + ")" * (n + 1))
    assert f"more than {n} levels of parentheses" in str(error)
    # nested powers: a right-associative tower of 201 x's nests 200 levels deep
    assert parse_expression("**".join(["x"] * (n + 1)))(1.0) == 1.0
    error = _parse_error("**".join(["x"] * (n + 2)))
    assert f"more than {n} levels" in str(error)
    # unary operators under a binary operator count as levels too
    assert parse_expression("y*" + "-" * (n - 1) + "x")(2.0, 3.0) == -6.0
    assert f"more than {n} levels" in str(_parse_error("y*" + "-" * n + "x"))
    # digits: 400 digits in one literal (a dot and underscores do not count), 401 refused
    assert parse_expression("1." + "0" * (MAX_DIGITS - 1))() == 1.0
    assert parse_expression("1_0." + "0" * (MAX_DIGITS - 2))() == 10.0
    for literal in ("1." + "0" * MAX_DIGITS, "1" * (MAX_DIGITS + 1), "0." + "0" * (MAX_DIGITS - 1) + "1"):
        error = _parse_error(literal + "*x")
        assert f"number literal too long (more than {MAX_DIGITS} digits)" in str(error) and error.position == 0
    # length: 100,000 characters parse, 100,001 are refused before anything else looks at them
    assert parse_expression("x" + " " * (MAX_LENGTH - 1))(2.5) == 2.5
    error = _parse_error("x" + " " * MAX_LENGTH)
    assert f"expression too long: {MAX_LENGTH + 1} characters (the limit is {MAX_LENGTH})" in str(error)


def test_parser_limits_are_the_keyword_arguments_too():
    """The same limits, lowered by the caller, hold exactly at the value given."""
    assert parse_expression("---x", max_depth=3)(1.0) == -1.0
    assert "more than 3 unary operators" in str(_parse_error("----x", max_depth=3))
    assert parse_expression("((x))", max_depth=2)(1.0) == 1.0
    assert "more than 2 levels of parentheses" in str(_parse_error("(((x)))", max_depth=2))
    assert parse_expression("12345", max_digits=5)() == 12345.0
    assert "more than 5 digits" in str(_parse_error("123456", max_digits=5))
    assert parse_expression("x + 1", max_length=5)(1.0) == 2.0
    assert "the limit is 5" in str(_parse_error("x + 10", max_length=5))
    assert parse_expression("-x-x", max_nodes=5)(1.0) == -2.0          # neg, x, sub, x ... 4 nodes
    assert "more than 3 nodes" in str(_parse_error("-x-x", max_nodes=3))


def test_the_node_limit_holds_at_100000_nodes():
    """'-x-x...-x' of 100,000 characters is 100,000 syntax nodes (a negation and its x, then a
    subtraction and its x, ...): accepted; one node more (the length limit raised) is refused."""
    text = "-x" * (MAX_NODES // 2)
    assert len(text) == MAX_LENGTH
    assert parse_expression(text)(1.0) == -MAX_NODES // 2
    error = _parse_error(text + "-1", max_length=MAX_LENGTH + 2)
    assert f"expression too large: more than {MAX_NODES} nodes" in str(error)


def test_assignment_limits_at_the_limit_and_one_past_it():
    assert parse_assignment("x=" + "1" + " " * (MAX_LENGTH - 3)) == ("x", 1.0)
    with pytest.raises(ParseError, match=f"assignment too long: {MAX_LENGTH + 1} characters"):
        parse_assignment("x=" + "1" + " " * (MAX_LENGTH - 2))
    assert parse_assignment("x=" + "-" * MAX_DEPTH + "1") == ("x", 1.0)
    with pytest.raises(ParseError, match=f"more than {MAX_DEPTH} unary operators"):
        parse_assignment("x=" + "-" * (MAX_DEPTH + 1) + "1")
    assert parse_assignment("x=1." + "0" * (MAX_DIGITS - 1)) == ("x", 1.0)
    with pytest.raises(ParseError, match=f"more than {MAX_DIGITS} digits"):
        parse_assignment("x=1." + "0" * MAX_DIGITS)


def test_cli_input_limits_at_the_limit_and_one_past_it(tmp_path):
    """cli/limits.py: MAX_AT_VALUES values, an --at item of MAX_LENGTH characters,
    MAX_FUNCTIONS_LINES lines and MAX_FUNCTIONS_BYTES bytes of a functions file, MAX_TIMEOUT."""
    assert len(parse_point(["v=" + ",".join(["1"] * limits.MAX_AT_VALUES)]).named[0][1]) == limits.MAX_AT_VALUES
    with pytest.raises(UsageError, match=f"more than {limits.MAX_AT_VALUES:,}"):
        parse_point(["v=" + ",".join(["1"] * (limits.MAX_AT_VALUES + 1))])
    item = "x=2" + " " * (MAX_LENGTH - 3)
    assert parse_point([item]).named == [("x", 2.0)]
    with pytest.raises(UsageError, match=f"item too long .{MAX_LENGTH + 1:,} characters"):
        parse_point([item + " "])
    # functions file: lines
    path = tmp_path / "lines.txt"
    path.write_text("sin(x) @ x=1\n" + "# c\n" * (limits.MAX_FUNCTIONS_LINES - 1))
    assert len(functions_file.read_functions(str(path))) == 1
    path.write_text("sin(x) @ x=1\n" + "# c\n" * limits.MAX_FUNCTIONS_LINES)
    with pytest.raises(UsageError, match=f"too many lines: {limits.MAX_FUNCTIONS_LINES + 1:,}"):
        functions_file.read_functions(str(path))
    # functions file: bytes (one long comment line fills the file to the byte)
    head = "sin(x) @ x=1\n#"
    path.write_text(head + "c" * (limits.MAX_FUNCTIONS_BYTES - len(head)))
    assert path.stat().st_size == limits.MAX_FUNCTIONS_BYTES
    assert len(functions_file.read_functions(str(path))) == 1
    path.write_text(head + "c" * (limits.MAX_FUNCTIONS_BYTES - len(head) + 1))
    with pytest.raises(UsageError, match=f"too large: more than {limits.MAX_FUNCTIONS_BYTES:,} bytes"):
        functions_file.read_functions(str(path))


def test_cli_timeout_and_order_limits_at_the_limit_and_one_past_it(capsys):
    def main(argv):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            code = cli.main([str(a) for a in argv])
        out = capsys.readouterr()
        return code, out.out, out.err

    base = ["compare", "sin(x)", "--at", "x=1", "--methods", "forward", "--budget", "0.0005"]
    code, out, err = main(base + ["--timeout", limits.MAX_TIMEOUT])
    assert code == 0, err
    code, out, err = main(base + ["--timeout", limits.MAX_TIMEOUT + 0.5])
    assert code == 2 and "--timeout must be between" in err and f"{limits.MAX_TIMEOUT:g}" in err
    code, out, err = main(["diff", "x*x", "--order", limits.MAX_ORDER, "--at", "x=0.5"])
    assert code == 0 and f"order-{limits.MAX_ORDER} derivative" in out, err
    code, out, err = main(["diff", "x*x", "--order", limits.MAX_ORDER + 1, "--at", "x=0.5"])
    assert code == 2 and f"above the limit of {limits.MAX_ORDER}" in err


def test_the_derivative_size_limit_holds_at_its_value(monkeypatch):
    """``diff --order`` refuses an order whose graphs would pass MAX_DERIVATIVE_OPS in all (the next
    size predicted from the last growth); a limit equal to that prediction lets it through."""
    d = hd.trace(lambda x: hd.exp(x * x), 0.5).grad()
    d2 = d.derivative(0)
    needed = d.n_ops + d.n_ops * 2.0                    # order 2: the first growth is taken as 2
    monkeypatch.setattr(cli, "MAX_DERIVATIVE_OPS", int(needed))
    assert cli._higher_derivatives(d, 2, 0).n_ops == d2.n_ops
    monkeypatch.setattr(cli, "MAX_DERIVATIVE_OPS", int(needed) - 1)
    with pytest.raises(UsageError, match=f"the limit is {int(needed) - 1:,} operations"):
        cli._higher_derivatives(d, 2, 0)


# ------------------------------------------------------------------ 9. the SymPy spellings
def _sympy_class(name):
    import sympy
    from sympy.codegen import cfunctions
    return getattr(sympy, name, None) or getattr(cfunctions, name)


def _spellings():
    from hybriddiff.graph.symbolic.from_sympy import heads, reciprocals
    cases = [(head, prim, False) for head, prim in heads().items()]
    cases += [(name, prim, True) for name, prim in reciprocals().items()]
    return cases


@pytest.mark.parametrize("head, prim, reciprocal", _spellings(), ids=[c[0] for c in _spellings()])
def test_every_sympy_spelling_the_bridge_accepts_round_trips_numerically(head, prim, reciprocal):
    """Each SymPy function the bridge maps to a primitive (``sympy_heads``) or to 1/primitive
    (``sympy_reciprocals``: csc, sec, cot, ...), converted to a graph, evaluates to SymPy's own
    value of that expression at 30 digits, at the table's sample points."""
    import sympy
    from hybriddiff.graph.symbolic.from_sympy import from_sympy
    cls = _sympy_class(head)
    symbols = sympy.symbols(f"a0:{prim.arity}", real=True)
    expr = cls(*symbols)
    if head not in ("cbrt", "sqrt"):    # SymPy's sqrt and cbrt are functions writing a Pow
        assert type(expr).__name__ == head, (head, expr)
    graph = from_sympy(expr, symbols, kind=hd.Graph)
    points = sample_points(prim)
    if head == "cbrt":             # SymPy's cbrt is the principal root: real for x > 0 only
        points = [tuple(abs(c) for c in p) for p in points]
    if reciprocal:                 # away from the zeros of the primitive it inverts
        points = [p for p in points if abs(prim(*p)) > 1e-3]
    assert points
    for point in points:
        exact = complex(expr.subs(dict(zip(symbols, point))).evalf(30))
        assert exact.imag == 0, (head, point, exact)
        got = graph(*point)
        assert got == pytest.approx(exact.real, rel=4e-16, abs=1e-300), (head, point, got, exact)
    if prim.sympy_nary:            # Max(a, b, c) folds into two binary nodes
        a, b, c = sympy.symbols("a b c", real=True)
        three = from_sympy(cls(a, b, c), [a, b, c], kind=hd.Graph)
        assert three(0.3, -1.2, 2.5) == float(cls(0.3, -1.2, 2.5))
    if head == "Heaviside":        # H(x, 1/2) is the table's heaviside too
        x = sympy.Symbol("x", real=True)
        half = from_sympy(sympy.Heaviside(x, sympy.Rational(1, 2)), [x], kind=hd.Graph)
        assert (half(0.0), half(-1.0), half(2.0)) == (0.5, 0.0, 1.0)


def test_the_spelling_table_covers_the_reciprocal_trigonometric_functions():
    from hybriddiff.graph.symbolic.from_sympy import reciprocals
    assert {k: v.name for k, v in reciprocals().items()} == {
        "csc": "sin", "sec": "cos", "cot": "tan", "csch": "sinh", "sech": "cosh", "coth": "tanh"}


# ------------------------------------------------------------------ 10. the time box, on a clock of its own
GUARD = 10.0       # seconds: the test fails (does not hang) if the time box never returns


def _guarded(fn, *args, **kwargs):
    """Run ``fn`` in a daemon thread and wait at most GUARD seconds: (seconds, result or exception).
    A time box that does not stop its worker fails the test after GUARD seconds instead of hanging
    the suite; the worker it left is killed on the way out."""
    box = {}

    def call():
        start = time.perf_counter()
        try:
            box["result"] = fn(*args, **kwargs)
        except BaseException as exc:   # handed to the test
            box["result"] = exc
        box["seconds"] = time.perf_counter() - start

    before = {p.pid for p in multiprocessing.active_children()}
    thread = threading.Thread(target=call, daemon=True, name="time-box guard")
    thread.start()
    thread.join(GUARD)
    if thread.is_alive():
        for proc in multiprocessing.active_children():   # only the workers this call started
            if proc.pid not in before and proc.name == "hybriddiff-timebox":
                proc.kill()
        thread.join(5.0)
        pytest.fail(f"the time box did not return within {GUARD:g} s (its worker was not stopped "
                    f"at the deadline)")
    return box["seconds"], box["result"]


def test_the_time_box_stops_a_sleeping_worker_at_the_deadline():
    """timebox.run(time.sleep, 60, timeout=0.5) raises MethodTimeoutError after about 0.5 s, and
    no worker process is left behind."""
    before = {p.pid for p in multiprocessing.active_children()}
    seconds, result = _guarded(timebox.run, time.sleep, 60, timeout=0.5, what="a long nap")
    assert isinstance(result, MethodTimeoutError), result
    assert "a long nap timed out after 0.5 s" in str(result)
    assert 0.4 < seconds < 5.0, seconds
    left = [p for p in multiprocessing.active_children() if p.pid not in before and p.is_alive()]
    assert not left, left


def test_the_streaming_time_box_keeps_what_arrived_and_stops_at_the_deadline():
    seconds, out = _guarded(timebox.stream, timebox._plain, time.sleep, 60, timeout=0.5)
    assert isinstance(out, timebox.Streamed), out
    assert out.timed_out and not out.finished and out.value is None
    assert 0.4 < seconds < 5.0 and out.seconds < 5.0, (seconds, out)
