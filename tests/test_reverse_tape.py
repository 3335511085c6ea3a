"""The reverse tape: fan-out accumulation, zero_grad, freeing, and very long chains."""
import gc
import math
import weakref

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
    assert x.grad == pytest.approx(2 * (math.cos(2.0) * 2.0 + math.sin(2.0)))


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
    assert math.isfinite(y.tangent)


def test_repr():
    x = hd.Variable(2.0)
    assert repr(x) == "Variable(value=2.0)"
    (x * 2).backward()
    assert repr(x) == "Variable(value=2.0, grad=2.0)"
    assert repr(hd.Dual(1.0, 2.0)) == "Dual(value=1.0, tangent=2.0)"
