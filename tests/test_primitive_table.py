"""Generated from the primitive table: a new record is tested here without writing a test."""
import numpy as np
import pytest

import hybriddiff as hd
from hybriddiff.core.dispatch import compute as evaluate

from conftest import along, close, mp_partial, sample_points

CASES = [(name, point, i) for name, prim in sorted(hd.PRIMITIVES.items())
         for point in sample_points(prim) for i in range(prim.arity)]


def _derivative(prim, point, i, mode):
    return hd.derivative(along(prim, point, i), point[i], method=mode)


@pytest.mark.parametrize("name, point, i", CASES)
@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_first_derivative_matches_mpmath(name, point, i, mode):
    prim = hd.PRIMITIVES[name]
    expected = mp_partial(prim, point, i)
    assert close(_derivative(prim, point, i, mode), expected, rel=1e-12, abs_=1e-15)


@pytest.mark.parametrize("name, point, i", CASES)
def test_second_derivative_forward_over_reverse(name, point, i):
    """The rules are written with the table's own functions, so they differentiate again."""
    prim = hd.PRIMITIVES[name]

    def d(t):
        args = list(point)
        args[i] = t
        return prim(*args)
    first = lambda t: hd.derivative(d, t, method="reverse")  # noqa: E731
    got = hd.derivative(first, point[i], method="forward")
    import mpmath
    with mpmath.workdps(50):
        args = [mpmath.mpf(p) for p in point]

        def along(t):
            moved = list(args)
            moved[i] = t
            return prim.mpmath(*moved)
        expected = float(mpmath.diff(along, args[i], 2))
    assert close(got, expected, rel=1e-9, abs_=1e-10)


@pytest.mark.parametrize("name", sorted(hd.PRIMITIVES))
def test_numeric_implementations_agree(name):
    """math fast path, NumPy (arrays and scalars) and mpmath give the same values."""
    prim = hd.PRIMITIVES[name]
    points = sample_points(prim)
    batch = prim.numpy(*[np.array(col) for col in zip(*points)])
    for k, point in enumerate(points):
        fast = evaluate(prim, point)
        assert type(fast) is float
        assert close(fast, float(batch[k]), rel=1e-15)
        import mpmath
        assert close(float(prim.mpmath(*[mpmath.mpf(p) for p in point])), fast, rel=1e-14)


@pytest.mark.parametrize("name", sorted(hd.PRIMITIVES))
def test_record_is_complete(name):
    prim = hd.PRIMITIVES[name]
    assert prim.name == name and len(prim.partials) == prim.arity == len(prim.domain)
    names = [f"v{i}" for i in range(prim.arity)]
    assert prim.source.format(*names) and prim.latex.format(*names) and prim.pretty.format(*names)
    assert prim.__doc__


@pytest.mark.parametrize("name", sorted(hd.PRIMITIVES))
def test_complex_input_works(name):
    """Complex numbers go through NumPy (the complex step needs it)."""
    prim = hd.PRIMITIVES[name]
    point = [complex(p, 0.0) for p in sample_points(prim)[1]]
    if not prim.takes_complex:
        pytest.skip("not analytic / not defined by NumPy for complex (the record says so)")
    out = evaluate(prim, point)
    assert close(complex(out).real, evaluate(prim, [p.real for p in point]), rel=1e-13)


@pytest.mark.parametrize("name", sorted(hd.PRIMITIVES))
def test_public_function_exported(name):
    prim = hd.PRIMITIVES[name]
    if prim.infix is None:  # the infix ones are Python's operators
        assert getattr(hd, name) is prim
