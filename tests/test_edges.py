"""Kinks and domain edges in EVERY mode, and the reverse tape freed after nested operators.

ARCHITECTURE.md ("Conventions") and the docstring of ``core/primitives.py``: where a derivative is not defined every mode
gives SymPy's value (|x|' = sign(x) = 0 at 0, a maximum/minimum tie splits 1/2 and 1/2, sqrt'(0) =
inf); at a domain edge the value and the derivative are NumPy's inf/nan, the same in every mode; and
``hd.compare`` marks such rows ("f undefined", "infinite", "convention", "no derivative") instead
of calling them accurate.

Each case below runs through: Dual and Variable by hand, ``hd.derivative`` with forward, reverse,
symbolic and hybrid, the traced gradient graph evaluated and compiled (floats and a batch), and
``hd.compare``. Cases where the modes disagree and it is not clear which side is right are
``xfail(strict=True)`` with the reason; clear bugs are plain failing tests (see the module's list
of findings at the end of the docstring).

Findings (bugs) these tests pin:
- ``hd.compare`` reports finite-difference rows as "ok" with 17 correct digits against an infinite
  or nan reference (``compare._errors``: inf/inf and nan comparisons make the relative error 0).
- ``hd.compare(lambda x: x ** 0.5, 0.0)`` raises TypeError: the finite differences step to x < 0,
  where Python's ** on a float returns a complex number, and return complex derivatives
  ((203.19-203.19j) for fd-central) instead of going one-sided or failing clearly.
- ``hd.finite_difference(hd.log, 0.0, scheme="richardson")`` raises IndexError (richardson.py).
- ``x / 0.0``: forward and reverse give inf; the compiled derivative graph raises ZeroDivisionError
  (the generated code divides two Python literals, ``1 / 0.0``), so ``method="hybrid"`` does too;
  ``method="symbolic"`` raises KeyError('ComplexInfinity') from lambdify.
- ``cbrt`` at 0: forward, reverse, hybrid give inf, ``symbolic`` gave nan (SymPy's sign(x)**2 * inf); fixed.
- Compiled graphs with a constant output return a Python int (``2`` for d(2x)/dx, so
  ``hd.derivative(..., method="hybrid")`` returns an int) and a scalar for a batch of points, where
  graph evaluation returns 2.0 and an array of the batch's shape.
- The complex step refuses gradients of functions that do not depend on every coordinate
  (f(v) = exp(v[0])): "returned a real number ... not analytic"; the derivative is 0.
- ``method="symbolic", order=2`` on ``mod(3.0, x)`` raises a raw ValueError from SymPy's printer
  (``settle`` handles only first derivatives of Mod).
- The 50-digit reference of d/dx x**0.5 at 0 is nan where every mode gives inf: the mpmath record of
  pow returns nan for 0 ** negative (NumPy: inf).
- The complex step claims an error of 4.5e5 for its 1e10 at arcsin(+-1) (the derivative is inf);
  without ``full_output`` it returns 1.57e20 for log at 0 (with it: a DifferentiationError).
- Eager forward and reverse give nan for the derivative of a locally constant f such as
  sqrt(floor(x)) at 0.5 (inf * 0); the graph, hybrid and symbolic give 0.
- ``hd.compare(lambda x: x ** x, 0.0)`` called the forward row "exact" (the rules' convention 0)
  although x**x has no derivative at 0 (right-sided -inf): pow has no kink check. Fixed: the
  cross-check against mpmath.diff of f's values withdraws the reference (every row "unchecked").
"""
from __future__ import annotations

import gc
import math
import warnings
import weakref

import numpy as np
import pytest

import hybriddiff as hd
from hybriddiff.core.dispatch import Box
from hybriddiff.graph.facade import Graph
from hybriddiff.methods.registry import METHOD_LIST
from hybriddiff.graph.ir import Node

INF, NAN = math.inf, math.nan
AD_AND_CAS = tuple(m.name for m in METHOD_LIST if m.family in ("AD", "symbolic", "hybrid"))  # the rules' methods
FD = ("fd-forward", "fd-central", "fd-five-point", "complex-step", "richardson")


def same(a, b) -> bool:
    """Equal, with nan equal to nan (and inf to inf of the same sign); 0.0 == -0.0."""
    a, b = float(a), float(b)
    return a == b or (math.isnan(a) and math.isnan(b))


def quietly(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(*args, **kwargs)


# name, f, x, value, derivative
CASES = [
    ("abs at 0", lambda x: hd.abs(x), 0.0, 0.0, 0.0),
    ("maximum tie", lambda x: hd.maximum(x, 1.0), 1.0, 1.0, 0.5),
    ("maximum tie, x second", lambda x: hd.maximum(1.0, x), 1.0, 1.0, 0.5),
    ("minimum tie", lambda x: hd.minimum(x, 1.0), 1.0, 1.0, 0.5),
    ("minimum tie, x second", lambda x: hd.minimum(1.0, x), 1.0, 1.0, 0.5),
    ("maximum of x and x", lambda x: hd.maximum(x, x), 1.0, 1.0, 1.0),
    ("sqrt at 0", lambda x: hd.sqrt(x), 0.0, 0.0, INF),
    ("log at 0", lambda x: hd.log(x), 0.0, -INF, INF),
    ("log1p at -1", lambda x: hd.log1p(x), -1.0, -INF, INF),
    ("arcsin at 1", lambda x: hd.arcsin(x), 1.0, math.pi / 2, INF),
    ("arcsin at -1", lambda x: hd.arcsin(x), -1.0, -math.pi / 2, INF),
    ("arccos at 1", lambda x: hd.arccos(x), 1.0, 0.0, -INF),
    ("arccos at -1", lambda x: hd.arccos(x), -1.0, math.pi, -INF),
    ("arctanh at 1", lambda x: hd.arctanh(x), 1.0, INF, INF),
    ("arccosh at 1", lambda x: hd.arccosh(x), 1.0, 0.0, INF),
    ("0 ** 0.5", lambda x: hd.power(x, 0.5), 0.0, 0.0, INF),
    ("0 ** 1.5", lambda x: hd.power(x, 1.5), 0.0, 0.0, 0.0),
    ("0 ** 0.5 by **", lambda x: x ** 0.5, 0.0, 0.0, INF),
    ("1 / x at 0", lambda x: 1.0 / x, 0.0, INF, -INF),
    ("x / 0", lambda x: x / 0.0, 1.0, INF, INF),
    ("cbrt at 0", lambda x: hd.cbrt(x), 0.0, 0.0, INF),
    ("hypot(x, 0) at 0", lambda x: hd.hypot(x, 0.0), 0.0, 0.0, NAN),   # x / hypot: 0/0, in every mode
]
IDS = [c[0] for c in CASES]
# The modes that disagree with the convention on a case (a bug report each; see the docstring).
# SymPy's own limits: symbolic mode says so (a DifferentiationError).
KNOWN = {
    ("x / 0", "symbolic"): "lambdify cannot print SymPy's zoo: a clear DifferentiationError",
}


def _modes(f, x):
    """The derivative of f at x by every route: a dict mode -> value (or the exception raised)."""
    out = {}

    def attempt(mode, fn):
        try:
            out[mode] = quietly(fn)
        except Exception as exc:  # recorded: the test says which mode failed and how
            out[mode] = exc

    for method in AD_AND_CAS:
        attempt(method, lambda: hd.derivative(f, x, method=method))
    # a result that is a plain number does not depend on x (piecewise-constant functions give one)
    attempt("Dual", lambda: getattr(f(hd.Dual(x, 1.0)), "tangent", 0.0))

    def by_variable():
        v = hd.Variable(x)
        y = f(v)
        if not isinstance(y, hd.Variable):
            return 0.0
        y.backward()
        return v.grad if v.grad is not None else 0.0
    attempt("Variable", by_variable)
    attempt("graph", lambda: hd.trace(f, x).grad()(x))
    attempt("compiled", lambda: hd.trace(f, x).grad().compile()(x))
    # (broadcast: a constant derivative comes back as a scalar, see the compiled-constant test)
    attempt("compiled batch", lambda: np.broadcast_to(hd.trace(f, x).grad().compile()(np.array([x, x])), (2,))[0])
    attempt("graph batch", lambda: hd.trace(f, x).grad()(np.array([x, x]))[0])
    return out


@pytest.mark.parametrize("name, f, x, value, derivative", CASES, ids=IDS)
def test_every_mode_gives_the_documented_derivative(name, f, x, value, derivative):
    got = _modes(f, x)
    wrong = {mode: v for mode, v in got.items()
             if (name, mode) not in KNOWN and (isinstance(v, Exception) or not same(v, derivative))}
    assert not wrong, f"{name}: expected {derivative} in every mode, got {wrong} (all: {got})"


@pytest.mark.parametrize("name, f, x, value, derivative", CASES, ids=IDS)
def test_every_mode_gives_the_documented_value(name, f, x, value, derivative):
    g = quietly(hd.trace, f, x)
    values = {
        "NumPy scalar": quietly(f, np.float64(x)), "Dual": quietly(f, hd.Dual(x, 1.0)).value,
        "Variable": quietly(f, hd.Variable(x)).value, "graph": quietly(g, x),
        "compiled": quietly(g.compile(), x), "compiled batch": quietly(g.compile(), np.array([x, x]))[0],
    }
    wrong = {k: v for k, v in values.items() if not same(v, value)}
    assert not wrong, (name, value, wrong)


@pytest.mark.parametrize("name, f, x, value, derivative", CASES, ids=IDS)
def test_compare_marks_the_rows_it_cannot_vouch_for(name, f, x, value, derivative):
    """Where f is undefined, the derivative infinite or nonexistent, every AD and CAS row says so
    ("f undefined", "infinite", "convention" or "no derivative"); a row called "exact" or
    "accurate" has a finite value equal to the documented derivative (an FD value against an
    infinite derivative is not "17 correct digits")."""
    r = quietly(hd.compare, f, x, methods=list(AD_AND_CAS + FD), budget=0.0005)
    state = r.examined.state
    if not math.isfinite(value):
        assert state == "f undefined" and r.reference is None, (name, state, r.reference_note)
    elif state != "no derivative":
        assert same(r.reference, derivative), (name, "the 50-digit reference", r.reference, derivative)
    expected = {"f undefined": ("f undefined",), "infinite": ("infinite",), "no derivative":
                ("convention", "no derivative"), "finite": ("exact", "accurate")}[state]
    for row in r.rows:
        assert not isinstance(row.value, complex), (name, row)
        if row.method in AD_AND_CAS and (name, row.method) not in KNOWN:
            assert row.status in expected, (name, state, row)
            if state != "f undefined":
                assert same(row.value, derivative), (name, row)
        if row.status in ("exact", "accurate"):
            assert math.isfinite(float(row.value)) and same(row.value, derivative) or \
                abs(row.value - derivative) <= row.expected * abs(derivative), (
                f"{name}: the {row.method} row is {row.status!r} ({row.digits} digits) with value "
                f"{row.value} against the derivative {derivative}", row)


@pytest.mark.parametrize("base, exponent", [(0.0, -0.5), (0.0, -1.0), (0.0, -2.0), (0.0, -1)])
def test_the_50_digit_power_of_zero_is_infinite_as_in_numpy(base, exponent):
    """The reference evaluates the partial y * x**(y - 1) in mpmath; at x = 0 NumPy gives inf but
    the mpmath record gives nan (its ZeroDivisionError handler looks at the base's sign), so the
    reference of d/dx x**0.5 at 0 is nan where every mode gives inf."""
    import mpmath
    assert quietly(hd.power, base, exponent) == INF
    with mpmath.workdps(50):
        assert hd.power(mpmath.mpf(base), mpmath.mpf(exponent)) == mpmath.inf


def test_compare_survives_pythons_power_stepping_out_of_the_domain():
    """Python's ** on a negative float is complex: finite differences of x**0.5 at 0 treat the
    complex values as outside f's domain (one-sided, or the step is too large) and return a real
    number with no error bound (the derivative is inf); the comparison calls no row accurate."""
    f = lambda x: x ** 0.5  # noqa: E731
    for scheme in ("central", "five-point", "richardson", "forward"):
        r = quietly(hd.finite_difference, f, 0.0, scheme=scheme, full_output=True)
        assert isinstance(r.value, float) and r.value > 0, (scheme, r)
        assert r.error_estimate == INF and "f is complex here" in r.note and "no error bound" in r.note, (scheme, r)
    r = quietly(hd.compare, f, 0.0, methods=["forward", "fd-central", "richardson"], budget=0.0005)
    assert r.row("forward").status == "infinite" and r.row("forward").value == INF
    for method in ("fd-central", "richardson"):
        assert r.row(method).status not in ("exact", "accurate"), r.row(method)
        assert isinstance(r.row(method).value, float), r.row(method)


def test_compare_of_x_to_the_x_at_0_gives_the_peers_convention_and_trusts_no_difference_quotient():
    """x**x at 0 is 0**0 = 1; the rules give the peers' value 0 (d/dx x**y = y x**(y-1) with a
    strong zero, d/dy x**y = log(x) x**y taken as 0 at x = 0: CONVENTIONS.md, "Powers at zero");
    the finite difference steps where x**x is complex, goes one-sided and is not called accurate."""
    f = lambda x: x ** x  # noqa: E731
    assert f(0.0) == 1.0 and hd.derivative(f, 0.0, method="forward") == 0.0
    assert hd.derivative(f, 0.0, method="reverse") == 0.0
    r = quietly(hd.compare, f, 0.0, methods=["forward", "fd-central"], budget=0.0005)
    assert [row.method for row in r.rows] == ["forward", "fd-central"]
    assert r.row("forward").value == 0.0
    central = r.row("fd-central")
    assert central.status not in ("exact", "accurate") and central.value < 0, central
    assert "outside its domain" in central.note and "one-sided forward" in central.note, central.note


def test_compare_does_not_call_the_convention_at_0_to_the_0_exact():
    """x**x has no derivative at 0 and pow has no kink check, so the rules' 0 looks like a reference;
    the cross-check against mpmath.diff of f's own values (no rule involved) withdraws it."""
    r = quietly(hd.compare, lambda x: x ** x, 0.0, methods=["forward"], budget=0.0005)
    assert r.examined.state != "finite" and r.row("forward").status != "exact", (r.examined.state, r.rows)
    assert r.row("forward").status == "unchecked" and "mpmath.diff of f's own values" in r.examined.note


@pytest.mark.parametrize("scheme", ["forward", "central", "five-point", "richardson", "complex-step"])
def test_finite_differences_at_a_pole_fail_clearly(scheme):
    with pytest.raises(hd.DifferentiationError, match="not finite|not differentiable"):
        quietly(hd.finite_difference, hd.log, 0.0, scheme=scheme)


INFINITE = [c for c in CASES if math.isinf(c[4])]


@pytest.mark.parametrize("scheme", ["forward", "backward", "central", "five-point", "richardson", "complex-step"])
@pytest.mark.parametrize("name, f, x, value, derivative", INFINITE, ids=[c[0] for c in INFINITE])
def test_finite_difference_estimates_are_infinite_where_the_derivative_is(name, f, x, value, derivative,
                                                                          scheme):
    """No finite difference can resolve an infinite derivative: it fails clearly, or its result
    says so (error_estimate inf). Not so: the complex step at arcsin(1) claims 1e10 +- 4.5e5.
    Failing is right where f itself is infinite at x, and for the complex step (f's continuation
    is not analytic there); where f is finite the real schemes give a value with estimate inf."""
    try:
        r = quietly(hd.finite_difference, f, x, scheme=scheme, full_output=True)
    except hd.DifferentiationError as exc:   # UnsupportedOperationError is one too
        assert not math.isfinite(value) or scheme == "complex-step", (name, scheme, exc)
        assert any(why in str(exc) for why in ("not finite", "not differentiable", "cannot differentiate")), \
            (name, scheme, exc)
        return
    except (IndexError, ZeroDivisionError) as exc:
        pytest.fail(f"{name}, {scheme}: {type(exc).__name__}: {exc} instead of a DifferentiationError")
    assert not isinstance(r.value, complex), (name, scheme, r)
    assert r.error_estimate == INF, (name, scheme, r)


def test_division_by_a_zero_constant():
    """x / 0.0 is inf with derivative 1/0.0 = inf in forward and reverse; the graph agrees, the
    compiled graph must too (it computes the literal 1 / 0.0), and symbolic must give inf or say
    clearly that it cannot (not KeyError('ComplexInfinity'))."""
    f = lambda x: x / 0.0  # noqa: E731
    G = quietly(hd.trace, f, 1.0).grad()
    assert quietly(G, 1.0) == INF
    assert quietly(G.compile(), 1.0) == INF
    assert quietly(hd.derivative, f, 1.0, method="hybrid") == INF
    # symbolic: SymPy's derivative of x/0 is zoo, which lambdify cannot print: a clear error naming
    # it (KNOWN), not a KeyError and not a wrong number
    with pytest.raises(hd.DifferentiationError, match="SymPy cannot print its derivative.*ComplexInfinity"):
        quietly(hd.derivative, f, 1.0, method="symbolic")


def test_cbrt_at_0_in_symbolic_mode():
    """SymPy writes the real cube root sign(x)*|x|**(1/3), whose derivative sign(x)**2 / (3|x|**(2/3))
    is 0 * inf = nan at 0; the symbolic route drops the even power of sign (1 wherever x != 0)."""
    for method in AD_AND_CAS:
        assert quietly(hd.derivative, hd.cbrt, 0.0, method=method) == INF, method


@pytest.mark.xfail(strict=True, reason=(
    "modes disagree and neither is clearly wrong: sqrt(x*x) at 0 is |x|, whose convention says 0 "
    "(SymPy simplifies sqrt(x**2) to Abs(x): symbolic gives 0.0), but the chain rule through "
    "sqrt'(0) = inf gives inf * 0 = nan in forward, reverse, the graph and hybrid"))
def test_sqrt_of_a_square_at_0_is_the_same_in_every_mode():
    got = _modes(lambda x: hd.sqrt(x * x), 0.0)
    assert len({repr(float(v)) for v in got.values()}) == 1, got


@pytest.mark.xfail(strict=True, reason=(
    "modes disagree: x**x at 0 has value 1 and one-sided derivative -inf (log x + 1); symbolic and "
    "hybrid (SymPy writes x**x*(log(x) + 1)) give -inf, but forward, reverse and the graph add the "
    "partials y*x**(y-1) = 0*inf = nan and log(x)*out = -inf: nan"))
def test_x_to_the_x_at_0_is_the_same_in_every_mode():
    got = _modes(lambda x: x ** x, 0.0)
    assert len({repr(float(v)) for v in got.values()}) == 1, got


def test_compare_marks_rows_where_f_itself_is_outside_its_domain():
    r = quietly(hd.compare, hd.log, -1.0, methods=list(AD_AND_CAS), budget=0.0005)
    assert all(row.status == "f undefined" for row in r.rows), [(row.method, row.status, row.value) for row in r.rows]


@pytest.mark.parametrize("f", [
    lambda x: hd.sqrt(hd.floor(x)), lambda x: hd.arccos(hd.sign(x)),
    lambda x: hd.power(0.0, hd.sign(x)),   # SymPy's own d/dx 0**u is 0 * log(0) = nan: the route
                                           # writes 0**u as the piecewise constant it is
    lambda x: hd.sqrt(hd.ceil(x) - 1.0),
], ids=["sqrt(floor(x))", "arccos(sign(x))", "0.0**sign(x)", "sqrt(ceil(x) - 1)"])
def test_a_locally_constant_function_has_derivative_0_in_every_mode(f):
    """At x = 0.5 each f is constant on a neighbourhood, so f'(0.5) = 0, and the graph routes give
    0 (the piecewise-constant partial is a structural zero and drops out); in forward and reverse
    mode a piecewise-constant function returns a plain constant, so no inf * 0 = nan arises."""
    got = _modes(f, 0.5)
    wrong = {mode: v for mode, v in got.items() if isinstance(v, Exception) or v != 0.0}
    assert not wrong, f"expected 0.0 in every mode, got {wrong} (all: {got})"


def test_compiled_constant_outputs_are_floats_of_the_batch_shape():
    """d(2x)/dx = 2 is a constant node: graph evaluation gives 2.0 and, for a batch, an array of
    2.0; the compiled function gives the int 2 for both (so method="hybrid" returns an int)."""
    G = hd.trace(lambda x: 2 * x, 1.0).grad()
    compiled = G.compile()
    assert type(G(1.0)) is float and type(compiled(1.0)) is float, (G(1.0), compiled(1.0))
    batch = np.array([1.0, 2.0, 3.0])
    assert np.shape(compiled(batch)) == np.shape(G(batch)) == (3,), (compiled(batch), G(batch))
    assert type(hd.derivative(lambda x: 2 * x, 1.0, method="hybrid")) is float
    g = hd.trace(lambda x, y: hd.sin(y) + 1, 1.0, 2.0)   # an output that depends on y only
    assert np.shape(g.compile()(batch, 2.0)) == np.shape(g(batch, 2.0)) == (3,)


def test_complex_step_gradient_of_a_function_that_ignores_a_coordinate():
    f = lambda v: hd.exp(v[0])  # noqa: E731
    x = np.array([1.0, 2.0])
    expected = [math.e, 0.0]
    assert hd.finite_difference(f, x, scheme="central") == pytest.approx(expected, rel=1e-9)
    assert hd.grad(f)(x) == pytest.approx(expected, rel=1e-15)
    assert hd.finite_difference(f, x, scheme="complex-step") == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("f, x, exact", [
    # 3 mod x = 3 - 4x near 0.7: second derivative 0
    (lambda x: hd.mod(3.0, x), 0.7, 0.0),
    # 3 mod x^2 = 3 - 2x^2 near 1.1 (3/1.21 = 2.48): second derivative -4
    (lambda x: hd.mod(3.0, x * x), 1.1, -4.0),
    # x^2 mod 0.3 = x^2 - 0.3 k near 0.7: second derivative 2
    (lambda x: hd.mod(x * x, 0.3), 0.7, 2.0),
], ids=["mod(3, x)", "mod(3, x*x)", "mod(x*x, 0.3)"])
def test_second_derivative_of_mod_in_symbolic_mode(f, x, exact):
    """The value, as forward mode and the rules on paper give it (mod's partials are 1 and
    -floor(a/b), piecewise constant), not a raw ValueError from SymPy's printer."""
    assert hd.derivative(f, x, method="forward", order=2) == pytest.approx(exact, rel=1e-15, abs=1e-15)
    assert hd.derivative(f, x, method="hybrid", order=2) == pytest.approx(exact, rel=1e-15, abs=1e-15)
    assert hd.derivative(f, x, method="symbolic", order=2) == pytest.approx(exact, rel=1e-15, abs=1e-15)


# ---------------------------------------------------------------------------- 4. the tape is freed
class Probes:
    """Weak references to every box a computation creates, and the boxes inside them."""

    def __init__(self):
        self.refs = []

    def __call__(self, v):
        stack = [v]
        while stack:
            b = stack.pop()
            if isinstance(b, Box):
                try:
                    self.refs.append(weakref.ref(b))
                except TypeError:  # Dual has no __weakref__ slot: the census below covers it
                    pass
                stack.extend(getattr(b, "_parents", None) or ())
                stack.extend(p for p in (getattr(b, "_partials", None) or ()) if isinstance(p, Box))
                stack.append(getattr(b, "value", None))
                stack.append(getattr(b, "tangent", None))
        return v

    def alive(self):
        return sum(r() is not None for r in self.refs)


def census():
    """How many hybriddiff boxes, graphs and graph nodes exist (after a full collection)."""
    gc.collect()
    return sum(isinstance(o, (Box, Graph, Node)) for o in gc.get_objects())


def _functions(probe):
    """f: R -> R, fv: R^2 -> R^3 and fs: R^2 -> R, every intermediate value handed to ``probe``."""
    def f(x):
        a = probe(hd.sin(x) * x)
        b = probe(hd.exp(a) + x * x)
        return probe(b / (1 + a * a))

    def fv(v):
        a = probe(v[0] * v[1])
        b = probe(hd.sin(a) + v[1])
        return [probe(a * b), probe(hd.exp(b)), probe(v[0] - b)]

    def fs(v):
        return probe(hd.sin(v[0] * v[1]) * v[0] + hd.log1p(v[1] * v[1]))
    return f, fv, fs


NESTED_X, NESTED_V = 0.7, (0.3, 0.5)


def _nested_runs(probe):
    f, fv, fs = _functions(probe)
    v = np.array(NESTED_V)
    return {
        "grad of grad": lambda: hd.grad(hd.grad(f))(NESTED_X),
        "grad of grad of grad": lambda: hd.grad(hd.grad(hd.grad(f)))(NESTED_X),
        "forward over reverse": lambda: hd.grad(hd.grad(f), mode="forward")(NESTED_X),
        "reverse over forward": lambda: hd.grad(hd.grad(f, mode="forward"))(NESTED_X),
        "jacobian, reverse": lambda: hd.jacobian(fv, mode="reverse")(v),
        "jacobian, forward": lambda: hd.jacobian(fv, mode="forward")(v),
        "jacobian of grad": lambda: hd.jacobian(hd.grad(fs), mode="reverse")(v),
        "hessian": lambda: hd.hessian(fs)(v),
        "vjp": lambda: hd.vjp(f, NESTED_X)[1](1.0),
        "value_and_grad": lambda: hd.value_and_grad(fs)(v),
        "derivative order 3, reverse": lambda: hd.derivative(f, NESTED_X, method="reverse", order=3),
        "graph grad of grad": lambda: hd.trace(fs, v).grad().derivative()(v),
    }


def _nested_reference(name):
    """What each nested run must give, flattened: mpmath's own differentiation of the same
    functions on 50-digit numbers (no rule of hybriddiff's modes involved)."""
    import mpmath
    f, fv, fs = _functions(lambda v: v)
    with mpmath.workdps(50):
        x, v = mpmath.mpf(NESTED_X), [mpmath.mpf(c) for c in NESTED_V]
        d = [mpmath.diff(f, x, n) for n in range(4)]
        s2 = lambda a, b: fs([a, b])  # noqa: E731
        grad = [mpmath.diff(s2, v, (1, 0)), mpmath.diff(s2, v, (0, 1))]
        hess = [mpmath.diff(s2, v, (2, 0)), mpmath.diff(s2, v, (1, 1)),
                mpmath.diff(s2, v, (1, 1)), mpmath.diff(s2, v, (0, 2))]
        jac = [mpmath.diff(lambda a, b, k=k: fv([a, b])[k], v, order)
               for k in range(3) for order in ((1, 0), (0, 1))]
        value = s2(*v)
    table = {"grad of grad": [d[2]], "grad of grad of grad": [d[3]], "forward over reverse": [d[2]],
             "reverse over forward": [d[2]], "jacobian, reverse": jac, "jacobian, forward": jac,
             "jacobian of grad": hess, "hessian": hess, "vjp": [d[1]], "value_and_grad": [value] + grad,
             "derivative order 3, reverse": [d[3]], "graph grad of grad": hess}
    return [float(e) for e in table[name]]


@pytest.mark.parametrize("name", list(_nested_runs(lambda v: v)))
def test_nothing_keeps_tapes_alive_after_nested_operators(name):
    probe = Probes()
    run = _nested_runs(probe)[name]
    before = census()
    gc.disable()
    try:
        result = run()
        freed_by_refcount = probe.alive() == 0   # the tapes have no reference cycles
    finally:
        gc.enable()
    after = census()
    assert probe.alive() == 0 and freed_by_refcount, (name, probe.alive(), len(probe.refs))
    assert after == before, (name, before, after)
    flat = np.concatenate([np.ravel(np.asarray(r, dtype=float)) for r in (result if isinstance(result, tuple) else (result,))])
    np.testing.assert_allclose(flat, _nested_reference(name), rtol=1e-14, atol=0, err_msg=name)


def test_a_second_backward_after_a_nested_grad_still_refuses():
    """backward() frees the tape; the inner grad's tape is freed when the operator returns."""
    x = hd.Variable(0.7)
    y = hd.grad(lambda t: hd.sin(t) * t)(x)      # a Variable: d/dt (t sin t) at x, on x's tape
    y.backward()
    assert x.grad == pytest.approx(2 * math.cos(0.7) - 0.7 * math.sin(0.7), rel=1e-14)
    with pytest.raises(hd.DifferentiationError, match="retain_graph"):
        y.backward()
