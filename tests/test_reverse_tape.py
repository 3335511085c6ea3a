"""The reverse tape: fan-out accumulation, zero_grad, freeing, and very long chains."""
import gc
import math
import weakref

import numpy as np
import pytest

import hybriddiff as hd
from hybriddiff.errors import DifferentiationError


def test_fan_out_accumulates():
    a = hd.Variable(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0


def test_grad_accumulates_until_zero_grad():
    x = hd.Variable(2.0)
    (x * x).backward()
    (x * x).backward()
    assert x.grad == 8.0
    x.zero_grad()
    (x * 3).backward()
    assert x.grad == 3.0


def test_graph_is_freed_after_backward():
    x = hd.Variable(2.0)
    y = hd.sin(x) * x
    y.backward()
    with pytest.raises(DifferentiationError, match="retain_graph"):
        y.backward()
    x.zero_grad()
    z = hd.sin(x) * x
    z.backward(retain_graph=True)
    z.backward()
    assert x.grad == pytest.approx(2 * (math.cos(2.0) * 2.0 + math.sin(2.0)), rel=1e-15)


def test_tape_is_not_kept_alive():
    x = hd.Variable(2.0)
    y = hd.exp(x * x)
    probe = weakref.ref(y)
    y.backward()
    del y
    gc.collect()
    assert probe() is None


def test_million_operation_chain():
    x = hd.Variable(0.5)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0000001
    y.backward()
    assert x.grad == pytest.approx(1.0000001 ** 1_000_000, rel=1e-9)


def test_long_forward_chain():
    y = hd.Dual(0.5, 1.0)
    for _ in range(200_000):
        y = hd.sin(y)
    # the chain rule by hand on floats: (sin^n)'(x) = prod cos(sin^k(x)), k < n
    value, tangent = 0.5, 1.0
    for _ in range(200_000):
        value, tangent = math.sin(value), tangent * math.cos(value)
    assert y.value == pytest.approx(value, rel=1e-15) and y.tangent == pytest.approx(tangent, rel=1e-12)
    # and against the asymptotics 1/y_n^2 ~ 1/x^2 + n/3: y_n ~ sqrt(3/n), dy_n/dx ~ (y_n/x)^3
    assert y.value == pytest.approx(math.sqrt(3 / 200_000), rel=1e-3)
    assert y.tangent == pytest.approx((y.value / 0.5) ** 3, rel=0.1)


def test_repr():
    x = hd.Variable(2.0)
    assert repr(x) == "Variable(value=2.0)"
    (x * 2).backward()
    assert repr(x) == "Variable(value=2.0, grad=2.0)"
    assert repr(hd.Dual(1.0, 2.0)) == "Dual(value=1.0, tangent=2.0)"


# ---------------------------------------------------------------- the operators' tape (ad/tape.py)
from hybriddiff.ad.tape import TAPES  # noqa: E402


def _chain_grad(x, n):
    """Reference for the checks below: d/dx of sin applied n times, by the hand-made graph sweep."""
    v = hd.Variable(x)
    y = v
    for _ in range(n):
        y = hd.sin(y)
    y.backward()
    return v.grad


def test_operators_leave_no_tape_behind_and_free_the_recording():
    kept = []

    def f(x):
        y = hd.exp(x * x)
        kept.append(weakref.ref(y))
        return y * 2.0
    assert hd.grad(f)(1.5) == pytest.approx(4 * 1.5 * math.exp(2.25), rel=1e-15)
    assert hd.grad(lambda v: f(v[0]))(np.array([1.5]))[0] == pytest.approx(4 * 1.5 * math.exp(2.25), rel=1e-15)
    hd.jacobian(lambda x: [f(x[0]), x[0]], mode="reverse")(np.array([1.5]))
    assert TAPES == {}
    assert all(ref() is None for ref in kept)   # freed by reference counting alone: no cycles


def test_a_node_that_is_several_outputs_gets_every_seed():
    out, f_vjp = hd.vjp(lambda x: [x * x, x * x, x], 3.0)
    y_twice, f_vjp2 = hd.vjp(lambda x: (lambda y: [y, y])(x * x), 3.0)
    assert f_vjp([1.0, 2.0, 4.0]) == (6.0 * 3 + 4.0,)
    assert f_vjp2([1.0, 2.0]) == (18.0,)
    assert f_vjp2([1.0, 2.0]) == (18.0,)   # the tape sweeps again: no partial sums left behind


def test_a_failed_sweep_leaves_nothing_behind():
    out, f_vjp = hd.vjp(lambda x: hd.sin(x * x) * x, 2.0)
    with pytest.raises(TypeError):
        f_vjp("not a number")
    expected = math.cos(4.0) * 4.0 * 2.0 + math.sin(4.0)
    assert f_vjp(1.0)[0] == pytest.approx(expected, rel=1e-15)


def test_dead_branches_and_constants_on_the_tape():
    def f(x):
        unused = hd.exp(x) * 3.0   # recorded, never reaches the output
        return hd.floor(x) + x * x if unused.value > 0 else x
    assert hd.grad(f)(2.5) == 5.0
    assert hd.grad(lambda x: hd.floor(x) * 1.0)(2.5) == 0.0
    assert hd.grad(lambda x: x)(2.5) == 1.0      # the output is the leaf itself


def test_tapes_of_nested_operators_stay_apart():
    # reverse over reverse: the inner sweep's products are recorded on the outer tape
    d2 = hd.grad(hd.grad(lambda x: x ** 3 * hd.sin(x)))(1.3)
    exact = 6 * 1.3 * math.sin(1.3) + 6 * 1.3 ** 2 * math.cos(1.3) - 1.3 ** 3 * math.sin(1.3)
    assert d2 == pytest.approx(exact, rel=1e-13)
    mixed = hd.grad(lambda x: hd.grad(lambda y: x * y * y)(x))(2.0)   # d/dx (2 x * x) = 4 x
    assert mixed == 8.0
    H = hd.jacobian(hd.grad(lambda v: v[0] ** 2 * v[1]), mode="reverse")(np.array([1.0, 2.0]))
    assert H.tolist() == [[4.0, 2.0], [2.0, 0.0]]
    assert TAPES == {}


def test_a_variable_escaping_the_operator_is_not_recorded_later():
    escaped = []
    hd.grad(lambda x: escaped.append(x * 2.0) or x * x)(3.0)
    later = escaped[0] * 5.0          # its level's tape is gone: nothing records it, nothing fails
    assert later.value == 30.0 and TAPES == {}


def test_the_operator_tape_agrees_with_the_graph_sweep_on_long_chains():
    def f(x):
        for _ in range(20_000):
            x = hd.sin(x)
        return x
    assert hd.grad(f)(0.7) == _chain_grad(0.7, 20_000)


def test_operators_in_threads_keep_their_tapes_apart():
    import threading
    results, errors = {}, []

    def work(k):
        try:
            x = 0.5 + k / 10
            results[k] = [hd.grad(lambda t: hd.exp(t * t) * t)(x) for _ in range(200)]
        except Exception as exc:   # pragma: no cover - reported below
            errors.append(exc)
    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for k, values in results.items():
        x = 0.5 + k / 10
        assert set(values) == {hd.grad(lambda t: hd.exp(t * t) * t)(x)}
        assert values[0] == pytest.approx(math.exp(x * x) * (2 * x * x + 1), rel=1e-14)


# ---------------------------------------------------------------- a failed backward() (issue 21)
def test_backward_after_a_failed_backward_gives_the_gradient():
    for f, expected in ((lambda v: v * v, 4.0),
                        (lambda v: hd.sin(v * v) * v, math.cos(4.0) * 8.0 + math.sin(4.0))):
        x = hd.Variable(2.0)
        y = f(x)
        with pytest.raises(TypeError):
            y.backward(seed="not a number")
        assert x.grad is None
        y.backward()                     # the counts left by the failed sweep are gone
        assert x.grad == pytest.approx(expected, rel=1e-15)


def test_a_sweep_failing_halfway_adds_nothing_to_any_grad():
    from hybriddiff.ad.reverse import Variable
    x, z = hd.Variable(1.0), hd.Variable(3.0)
    broken = Variable._node(1.0, (z,), ("not a number",), z._level)   # a node whose partial fails
    y = broken + x                      # the sweep reaches x (a leaf) before the broken node
    with pytest.raises(TypeError):
        y.backward()
    assert x.grad is None and z.grad is None
