"""Issue 13's repros, one named test each: values that were wrong without any error, and crashes on
operations hybriddiff claims. Expected values are exact calculus (and JAX/PyTorch/autograd where
they agree); the symbolic route and the limits have their own files (test_symbolic_route.py,
test_bounds.py); every ufunc in every position is test_containers.py; special points are
test_special_points.py."""
import math
import pickle
import warnings

import numpy as np
import pytest

import hybriddiff as hd
from hybriddiff.methods.hybrid import hybrid_function

A = np.array([1.0, 2.0, 3.0])
MODES = ["forward", "reverse"]


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


# ---------------------------------------------------------------- 1. a box on the left of an array
@pytest.mark.parametrize("mode", MODES)
def test_box_times_float_array_is_an_array_of_values(mode):
    assert hd.grad(lambda x: np.dot(x * A, x * A), mode=mode)(2.0) == pytest.approx(56.0, rel=1e-15)
    assert hd.grad(lambda x: np.sum(x * A), mode=mode)(2.0) == pytest.approx(6.0, rel=1e-15)
    for op in (lambda x: x + A, lambda x: x - A, lambda x: x / A, lambda x: x % A, lambda x: x ** A):
        assert np.allclose(hd.jacobian(op, mode=mode)(2.0), hd.jacobian(lambda x: op(x), mode="forward")(2.0))
    assert hd.jacobian(lambda x: x * A, mode=mode)(2.0).tolist() == [1.0, 2.0, 3.0]


def test_model_fitting_pattern_coefficient_times_data():
    xdata = np.linspace(0.0, 1.0, 5)
    loss = lambda c: np.sum((c[0] + c[1] * xdata + c[2] * xdata ** 2 - 1.0) ** 2)  # noqa: E731
    c = np.array([0.5, -0.2, 0.3])
    expected = hd.finite_difference(loss, c, scheme="richardson")
    assert np.allclose(hd.grad(loss)(c), expected, rtol=1e-9)
    assert np.allclose(hd.grad(loss, mode="forward")(c), expected, rtol=1e-9)


# ---------------------------------------------------------------- 2. 0-d array outputs
@pytest.mark.parametrize("method", ["forward", "reverse", "hybrid", "symbolic"])
def test_where_with_a_0d_output_is_traced_not_a_constant(method):
    f = lambda x: np.where(x > 0, x, -x)  # noqa: E731
    assert hd.derivative(f, 0.7, method=method) == 1.0
    assert hd.trace(f, 0.7)(2.0) == 2.0


def test_np_real_is_the_value_and_the_comparison_reference_follows():
    assert hd.derivative(lambda x: np.real(x) * x, 0.7, method="hybrid") == pytest.approx(1.4)
    r = hd.compare(lambda x: np.where(x > 0, x, -x), 0.7, methods=["forward", "hybrid"], budget=0.002)
    assert [row.value for row in r.rows] == [1.0, 1.0] and float(r.reference) == 1.0


# ---------------------------------------------------------------- 3. powers at zero
@pytest.mark.parametrize("mode", MODES)
def test_powers_at_zero_follow_the_peers(mode):
    grad = lambda f: hd.grad(f, mode=mode)  # noqa: E731
    assert grad(lambda x: x ** 0.0)(0.0) == 0.0
    assert grad(lambda x: x ** 0)(0.0) == 0.0
    assert grad(lambda y: 0.0 ** y)(2.0) == 0.0
    assert grad(lambda x: sum(c * x ** k for k, c in enumerate([3.0, 2.0, 1.0])))(0.0) == 2.0
    assert hd.grad(hd.pow, argnums=(0, 1), mode=mode)(0.0, 1.0) == (1.0, 0.0)


def test_polynomial_at_zero_in_every_method_and_at_second_order():
    poly = lambda x: sum(c * x ** k for k, c in enumerate([3.0, 2.0, 1.0]))  # noqa: E731
    for method in hd.METHODS:
        assert hd.derivative(poly, 0.0, method=method) == pytest.approx(2.0, abs=1e-6), method
    assert hd.hessian(lambda v: poly(v[0]))(np.array([0.0])).tolist() == [[2.0]]
    assert hd.derivative(lambda x: x ** 0.0, 0.0, method="forward", order=2) == 0.0


# ---------------------------------------------------------------- 4. logaddexp at a tie
@pytest.mark.parametrize("mode", MODES)
def test_logaddexp_second_derivative_at_a_tie_is_a_quarter(mode):
    assert hd.derivative(lambda x: np.logaddexp(0.0, x), 0.0, method=mode, order=2) == pytest.approx(0.25)
    assert np.allclose(hd.hessian(lambda v: np.logaddexp(v[0], v[1]))(np.array([1.0, 1.0])),
                       [[0.25, -0.25], [-0.25, 0.25]], rtol=1e-15)
    assert hd.derivative(lambda x: np.logaddexp2(0.0, x), 0.0, method=mode, order=2) == pytest.approx(
        math.log(2) / 4, rel=1e-14)
    assert hd.derivative(lambda x: hd.logaddexp(x, 800.0), 800.0, method=mode) == 0.5   # no cancellation


# ---------------------------------------------------------------- 5. nan_to_num
@pytest.mark.parametrize("mode", MODES)
def test_nan_to_num_on_values_decides_on_the_primal(mode):
    f = lambda x: np.sum(np.sin(np.nan_to_num(x + np.array([0.0, np.nan]))))  # noqa: E731
    assert np.allclose(hd.grad(f, mode=mode)(np.array([0.1, 0.2])), [math.cos(0.1), 0.0])
    with pytest.raises(hd.TraceGuardError):   # a traced graph recorded the decision
        hd.trace(lambda x: np.nan_to_num(hd.log(x)), 2.0)(-1.0)


# ---------------------------------------------------------------- 6. no derivative where f is undefined
def test_compiled_hybrid_derivative_is_nan_where_f_is():
    df = hybrid_function(lambda x: hd.sqrt(x) ** 2, 1.0)
    assert math.isnan(df(-1.0)) and df(4.0) == 1.0
    assert np.isnan(df(np.array([-1.0, 4.0]))).tolist() == [True, False]


def test_derivative_graph_is_nan_wherever_the_primal_graph_is():
    for f in (lambda x: hd.sqrt(x) ** 2, lambda x: x + hd.floor(hd.log(x)), lambda x: hd.log(x) * 0.0 + x):
        g = hd.trace(f, 2.0)
        for d in (g.grad(), g.derivative(), g.grad().grad(), g.grad().simplify(timeout=5.0)):
            xs = np.array([-2.0, -0.5, 0.5, 3.0])
            assert (np.isnan(d(xs)) == np.isnan(g(xs))).all(), d
            assert math.isnan(d.compile()(-1.0)) and not math.isnan(d.compile()(3.0))


@pytest.mark.parametrize("method", ["forward", "reverse", "hybrid", "symbolic"])
def test_every_method_gives_nan_where_f_is_nan(method):
    assert math.isnan(hd.derivative(hd.log, -1.0, method=method))
    assert hd.derivative(hd.log, 0.0, method=method) == math.inf   # a pole: f = -inf, not nan


# ---------------------------------------------------------------- 7. ufuncs on hybriddiff's own arrays
@pytest.mark.parametrize("mode", MODES)
def test_ufuncs_without_an_object_loop_work_on_arrays_of_values(mode):
    v = np.array([0.3, 0.7])
    grad = lambda f: hd.grad(f, mode=mode)(v)  # noqa: E731
    assert grad(lambda v: np.sum(np.floor(v))).tolist() == [0.0, 0.0]
    assert grad(lambda v: np.sum(np.ceil(v) + np.trunc(v))).tolist() == [0.0, 0.0]
    assert np.allclose(grad(lambda v: np.sum(np.logaddexp(v, 1.0))), 1 / (1 + np.exp(1.0 - v)))
    assert np.allclose(grad(lambda v: np.sum(np.arctan2(1.5, v))), -1.5 / (v * v + 2.25))
    assert np.allclose(grad(lambda v: np.sum(np.hypot(1.5, v))), v / np.hypot(1.5, v))
    assert np.allclose(grad(lambda v: np.sum(np.fmod(1.5, v))), -np.trunc(1.5 / v))
    assert np.allclose(grad(lambda v: np.sum(np.float_power(v, 2))), 2 * v)
    assert np.allclose(grad(lambda v: np.sum(np.heaviside(v, 0.5) * v)), [1.0, 1.0])
    assert grad(lambda v: np.sum(np.angle(v))).tolist() == [0.0, 0.0]


# ---------------------------------------------------------------- 8. NumPy scalar constants
@pytest.mark.parametrize("method", ["hybrid", "symbolic"])
def test_numpy_scalar_constants_reach_code_and_sympy(method):
    assert hd.derivative(lambda x: np.array([1, 2, 3])[1] * x, 1.0, method=method) == 2.0
    assert hd.derivative(lambda x: np.mean(np.array([x, x * x])), 1.0, method=method) == 1.5
    assert hd.derivative(lambda x: np.float32(0.5) * x, 1.0, method=method) == 0.5
    g = hd.trace(lambda x: np.int64(3) * x + np.bool_(True), 1.0)
    assert g.compile()(2.0) == 7.0 and "3*x" in str(g.to_sympy(nested=True))


# ---------------------------------------------------------------- 10. the rest
def test_pickling_a_variable_with_a_long_tape():
    x = hd.Variable(0.5)
    y = hd.families.sine_chain(40_000)(x)
    copy = pickle.loads(pickle.dumps(y))
    copy.backward()
    y.backward()
    assert copy.value == y.value and x.grad is not None


@pytest.mark.parametrize("mode", MODES)
def test_var_and_std_of_values(mode):
    v = np.array([1.0, 2.0, 4.0])
    assert np.allclose(hd.grad(np.var, mode=mode)(v), 2 * (v - v.mean()) / 3)
    assert np.allclose(hd.grad(np.std, mode=mode)(v), (v - v.mean()) / (3 * np.std(v)))


def test_finite_jacobian_of_a_scalar_function_is_its_gradient():
    for scheme in ("central", "complex-step", "richardson"):
        assert np.allclose(hd.finite_jacobian(lambda v: v[0] * v[1], [1.0, 2.0], scheme=scheme), [2.0, 1.0])
    assert hd.finite_jacobian(lambda x: x * x, 3.0, scheme="complex-step") == pytest.approx(6.0)


def test_wrong_types_are_type_errors_of_the_library():
    for call in (lambda: hd.grad(lambda x: "a")(1.0), lambda: hd.jacobian(lambda x: [x, "b"])(1.0),
                 lambda: hd.trace(lambda x: object(), 1.0), lambda: hd.finite_difference(lambda x: None, 1.0)):
        with pytest.raises(TypeError) as info:
            call()
        assert isinstance(info.value, hd.DifferentiationError), info.value


@pytest.mark.parametrize("mode", MODES)
def test_tanh_derivative_keeps_its_relative_accuracy_for_large_x(mode):
    for x in (10.0, 20.0, 40.0):
        assert hd.derivative(hd.tanh, x, method=mode) == pytest.approx(1 / math.cosh(x) ** 2, rel=1e-14)
    assert hd.derivative(hd.arctanh, 1 - 1e-12, method=mode) == pytest.approx(1 / (1e-12 * (2 - 1e-12)), rel=1e-4)
    assert hd.derivative(hd.arcsinh, 1e200, method=mode) == pytest.approx(1e-200, rel=1e-14)


# ---------------------------------------------------------------- issue 20's finds (notebook 09)
@pytest.mark.parametrize("method", ["forward", "reverse", "symbolic", "hybrid", "taylor"])
def test_a_structural_zero_keeps_the_domain_of_what_it_drops(method):
    """0 * log(x) + x is nan at -1 in floats; tracing folds 0 * v to the structural 0 and used to
    drop log(x) with it, so the graph, hybrid and symbolic gave -1 and 1.0 there."""
    f = lambda x: 0 * hd.log(x) + x  # noqa: E731
    assert math.isnan(hd.derivative(f, -1.0, method=method)), method
    assert hd.derivative(f, 2.0, method=method) == 1.0, method
    assert math.isnan(hd.trace(f, 2.0)(-1.0)) and hd.trace(f, 2.0)(2.0) == 2.0


def test_compare_calls_every_row_f_undefined_past_a_dropped_domain():
    r = hd.compare(lambda x: 0 * hd.sqrt(x) + x, -1.0, methods=["forward", "reverse", "symbolic", "hybrid"],
                   budget=0.0005)
    assert [row.status for row in r.rows] == ["f undefined"] * 4, [(row.method, row.status) for row in r.rows]


def test_an_equality_branch_is_a_tie_and_its_convention_is_never_called_accurate():
    """``if x == 0: return 0 * x`` at 0: the rules follow the branch (0), the derivative is 1 (f is x
    on both sides). The reference is the one-sided derivatives' 1.0; the AD rows are not trusted
    (the allowance for rounding is measured against the rules' own value, not the reference)."""
    def f(x):
        if x == 0:
            return 0 * x
        return x
    r = hd.compare(f, 0.0, methods=["forward", "reverse", "hybrid", "fd-central"], budget=0.0005)
    assert float(r.examined.value) == 1.0 and "`v0 == 0` was True" in r.reference_note, r.reference_note
    assert {row.method: row.status for row in r.rows} == {
        "forward": "inaccurate", "reverse": "inaccurate", "hybrid": "inaccurate", "fd-central": "exact"}


@pytest.mark.parametrize("mode", MODES)
def test_matmul_of_values_is_the_matrix_product(mode):
    """``x @ w`` and ``A @ x`` on arrays of values (NumPy's matmul is not elementwise) were refused as
    "no differentiation rule"; they are NumPy's object matmul, as np.dot."""
    A, w, x0 = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, -1.0]), np.array([0.5, 2.0])
    assert hd.grad(lambda x: x @ w, mode=mode)(x0).tolist() == [1.0, -1.0]
    assert hd.jacobian(lambda x: A @ x, mode=mode)(x0).tolist() == A.tolist()
    assert hd.grad(lambda x: x @ A @ x, mode=mode)(x0).tolist() == ((A + A.T) @ x0).tolist()
    assert hd.trace(lambda x: x @ A @ x, x0).grad()(x0).tolist() == ((A + A.T) @ x0).tolist()
