"""ARCHITECTURE.md, "Conventions": where a derivative is not defined, every mode gives the same documented value."""
import math
import warnings

import numpy as np
import pytest

import hybriddiff as hd

MODES = ["forward", "reverse"]
CASES = [
    ("abs at 0", lambda x: abs(x), 0.0, 0.0),
    ("np.abs at 0", lambda x: np.abs(x), 0.0, 0.0),
    ("abs at -2", lambda x: hd.abs(x), -2.0, -1.0),
    ("maximum tie", lambda x: hd.maximum(x, 1.0), 1.0, 0.5),
    ("minimum tie", lambda x: hd.minimum(x, 1.0), 1.0, 0.5),
    ("maximum of x with itself", lambda x: hd.maximum(x, x), 1.0, 1.0),
    ("sqrt at 0", lambda x: hd.sqrt(x), 0.0, math.inf),
    ("sign at 0", lambda x: hd.sign(x), 0.0, 0.0),
    ("floor at 2", lambda x: hd.floor(x), 2.0, 0.0),
    ("heaviside at 0", lambda x: hd.heaviside(x), 0.0, 0.0),
]


@pytest.mark.parametrize("name, f, x, expected", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("mode", MODES)
def test_documented_value(name, f, x, expected, mode):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert hd.derivative(f, x, method=mode) == expected


@pytest.mark.parametrize("mode", MODES)
def test_outside_the_domain_follows_numpy(mode):
    """The value is NumPy's nan (with a warning); where f is nan there is no derivative: nan in
    every mode (not the rule's formula 1/x = -1, issue 13)."""
    with pytest.warns(RuntimeWarning):
        assert math.isnan(hd.log(-1.0))
    with pytest.warns(RuntimeWarning):
        assert math.isnan(hd.derivative(hd.log, -1.0, method=mode))
    with pytest.warns(RuntimeWarning):
        assert hd.derivative(lambda x: 1 / x, 0.0, method=mode) == -math.inf
    with pytest.warns(RuntimeWarning):
        assert math.isnan(hd.derivative(hd.arcsin, 2.0, method=mode))


def test_division_by_zero_gives_inf_not_an_exception():
    with pytest.warns(RuntimeWarning):
        assert hd.primitives.div(1.0, 0.0) == math.inf
    with pytest.warns(RuntimeWarning):
        y = hd.Dual(1.0, 1.0) / 0.0
    assert y.value == math.inf


def test_pow_of_negative_base_is_nan_not_complex():
    with pytest.warns(RuntimeWarning):
        out = hd.Dual(-8.0, 1.0) ** (1 / 3)
    assert math.isnan(out.value) and isinstance(out.value, float)
    assert hd.cbrt(-8.0) == -2.0
