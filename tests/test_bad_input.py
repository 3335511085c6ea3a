"""Bad input gets a clear error naming what was wrong and where."""
import numpy as np
import pytest

import hybriddiff as hd


def test_function_returning_a_non_number():
    with pytest.raises(hd.DifferentiationError, match="returned a str"):
        hd.grad(lambda x: "abc")(1.0)
    with pytest.raises(hd.DifferentiationError, match="returned a NoneType"):
        hd.derivative(lambda x: None, 1.0, method="forward")
    with pytest.raises(hd.DifferentiationError, match="returned 2 values.*hd.jacobian"):
        hd.grad(lambda x: [x, x])(1.0)
    with pytest.raises(hd.DifferentiationError, match="output 1 .* str"):
        hd.jacobian(lambda x: [x, "a"])(1.0)


def test_string_argument():
    with pytest.raises(TypeError, match="argument 0 of <lambda> is a str 'abc'"):
        hd.grad(lambda x: x)("abc")
    with pytest.raises(TypeError, match=r"argument 0 .*\[1\] is a str"):
        hd.grad(lambda x: x[0])(["1.0", "b"]) if False else hd.grad(lambda x: x[0])(np.array([1.0, "b"], dtype=object))
    with pytest.raises(TypeError, match="x is a str"):
        hd.derivative(hd.sin, "2.0")
    with pytest.raises(TypeError, match="hd.sin: argument 1 is a str"):
        hd.sin("abc")
    with pytest.raises(TypeError, match="shape"):
        hd.grad(lambda x: x)(np.ones((2, 2)))


def test_argnums_mismatch():
    with pytest.raises(ValueError, match="argnums=2 but <lambda> was called with 2 positional"):
        hd.grad(lambda a, b: a * b, argnums=2)(1.0, 2.0)
    with pytest.raises(TypeError, match="argnums must be"):
        hd.grad(lambda a: a, argnums="0")(1.0)
    with pytest.raises(ValueError, match="repeats"):
        hd.grad(lambda a, b: a, argnums=(0, 0))(1.0, 2.0)


def test_function_that_raises():
    def broken(x):
        raise ZeroDivisionError("no luck")
    with pytest.raises(hd.DifferentiationError, match="broken raised ZeroDivisionError: no luck") as info:
        hd.grad(broken)(1.0)
    assert isinstance(info.value.__cause__, ZeroDivisionError)
    with pytest.raises(hd.DifferentiationError, match="broken raised"):
        hd.jacobian(broken, mode="reverse")(1.0)


def test_unknown_method_and_mode():
    with pytest.raises(ValueError, match="unknown method 'magic'; available methods: forward, reverse"):
        hd.derivative(hd.sin, 1.0, method="magic")
    with pytest.raises(ValueError, match="mode must be"):
        hd.grad(hd.sin, mode="sideways")
    with pytest.raises(ValueError, match="order must be a positive int"):
        hd.derivative(hd.sin, 1.0, order=0)
    with pytest.raises(TypeError, match="hd.derivative is for f: R -> R"):
        hd.derivative(hd.sin, [1.0, 2.0])


def test_not_a_function():
    with pytest.raises(TypeError, match="expected a function"):
        hd.grad(3.0)(1.0)


def test_wrong_arity_and_shapes():
    with pytest.raises(TypeError, match="hd.exp takes 1 argument"):
        hd.exp(1.0, 2.0)
    with pytest.raises(ValueError, match="2 primals but 1 tangents"):
        hd.jvp(lambda a, b: a, (1.0, 2.0), (1.0,))
    with pytest.raises(ValueError, match="cotangent has 1 entries, the output 2"):
        hd.vjp(lambda a: [a, a], 1.0)[1]([1.0])


def test_constructors_refuse_strings():
    with pytest.raises(TypeError):
        hd.Dual("a", 1.0)
    with pytest.raises(TypeError):
        hd.Variable("a")


def test_mixing_hand_built_values_at_one_level():
    d = hd.Dual(hd.Variable(1.0), 1.0)  # level 3: a Dual of Variables
    v = hd.Variable(hd.Dual(1.0, 1.0))  # level 2: nests the other way
    assert (d * 2).value.value == 2.0 and (v * 2).value.value == 2.0
