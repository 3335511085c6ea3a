"""Derivatives at the awkward points, in every mode, against fixed values (CONVENTIONS.md; issue 13).

Each case of ``CASES`` is a function of the table (a primitive or a composed function with a name),
the argument differentiated, the point, and the expected first derivative with its source:

- ``mpmath``: the derivative exists; its value by ``mpmath.diff`` at 50 digits (600 where needed);
- ``convention``: no derivative exists (kink, jump, tie, domain edge, pole, outside the domain);
  hybriddiff's documented value (ARCHITECTURE.md, "Conventions"), checked against JAX, PyTorch and
  autograd: where the three agree the documented value is theirs;
- ``peers``: no derivative exists and the three peers agree on a value that no convention documents
  (or that differs from the documented one): their value.

Every case is checked in every mode: forward and reverse (``hd.derivative``), the derivative graph
evaluated (``hd.trace(f, x).grad()(x)``) and compiled (``.grad().compile()(x)``), and
``method="hybrid"``; equal means within 1e-13 relative or 1e-300 absolute, nan only to nan and inf
only to the same inf. A mode that gives another value today is an ``xfail(strict=True)`` naming
the value it gives: when a fix makes it pass, the strict xfail fails, and its entry in ``xfail``
should go.

``peers`` records the values JAX, PyTorch and autograd give where they differ from the expected one
(or raise, or have no such function); ``test_peer_agrees`` recomputes every case with each peer that
is installed (none is in CI) and checks it gives the expected value or the recorded one.

The rows between the BEGIN/END markers are generated: ``python -m benchmarks.conventions
--write-tests`` (with JAX, PyTorch and autograd installed) reruns every case and rewrites them.
"""
from __future__ import annotations

import importlib
import math
import warnings
from typing import Any, NamedTuple

import numpy as np
import pytest

import hybriddiff as hd
from hybriddiff.core.functions import COMPOSED

INF, NAN = math.inf, math.nan
MODES = ("forward", "reverse", "graph", "compiled", "hybrid")


class C(NamedTuple):
    fn: str
    arg: int
    point: tuple[Any, ...]
    expected: float
    source: str                         # "mpmath", "convention" or "peers"
    xfail: dict[str, Any] = {}          # mode -> the value it gives today
    peers: dict[str, Any] = {}          # peer -> its value where it differs (or "n/a", "error: ...")


def every(value: Any) -> dict[str, Any]:
    """xfail in every mode, with the same value."""
    return dict.fromkeys(MODES, value)


CASES = [
# BEGIN CASES (python -m benchmarks.conventions --write-tests)
    C('add', 0, (0.0, 0.0), 1.0, 'mpmath'),
    C('add', 1, (0.0, 0.0), 1.0, 'mpmath'),
    C('sub', 0, (0.0, 0.0), 1.0, 'mpmath'),
    C('sub', 1, (0.0, 0.0), -1.0, 'mpmath'),
    C('mul', 0, (0.0, 0.0), 0.0, 'mpmath'),
    C('mul', 1, (0.0, 0.0), 0.0, 'mpmath'),
    C('mul', 0, (1.0, -1.0), -1.0, 'mpmath'),
    C('mul', 1, (1.0, -1.0), 1.0, 'mpmath'),
    C('div', 0, (0.0, 1.0), 1.0, 'mpmath'),
    C('div', 1, (0.0, 1.0), 0.0, 'mpmath'),
    C('div', 0, (1.0, 0.0), INF, 'convention'),
    C('div', 1, (1.0, 0.0), -INF, 'convention'),
    C('neg', 0, (0.0,), -1.0, 'mpmath'),
    C('neg', 0, (1.0,), -1.0, 'mpmath'),
    C('pow', 0, (0.0, 0), 0.0, 'mpmath'),
    C('pow', 0, (0.0, 0.0), 0.0, 'mpmath', peers={'jax': NAN}),
    C('pow', 0, (1.0, 0.0), 0.0, 'mpmath'),
    C('pow', 0, (0.0, 1), 1.0, 'mpmath'),
    C('pow', 0, (0.0, 2), 0.0, 'mpmath'),
    C('pow', 0, (0.0, 0.5), INF, 'convention'),
    C('pow', 0, (0.0, -1), -INF, 'convention'),
    C('pow', 0, (0.0, 1.0), 1.0, 'mpmath'),
    C('pow', 1, (0.0, 1.0), 0.0, 'mpmath'),
    C('pow', 1, (0.0, 0.5), 0.0, 'mpmath'),
    C('pow', 1, (0.0, 2.0), 0.0, 'mpmath'),
    C('pow', 1, (0.0, 0.0), 0.0, 'peers'),
    C('pow', 0, (-2.0, 2.0), -4.0, 'mpmath'),
    C('pow', 1, (-2.0, 2.0), NAN, 'convention'),
    C('pow', 1, (2.0, 0.0), 0.6931471805599453, 'mpmath'),
    C('pow', 0, (2.0, 3.0), 12.0, 'mpmath'),
    C('mod', 0, (2.0, 1.0), 1.0, 'convention'),
    C('mod', 1, (2.0, 1.0), -2.0, 'convention', peers={'torch': 'error: RuntimeError'}),
    C('mod', 0, (-2.0, 1.0), 1.0, 'convention'),
    C('mod', 1, (-2.0, 1.0), 2.0, 'convention', peers={'torch': 'error: RuntimeError'}),
    C('mod', 0, (1.5, 1.0), 1.0, 'mpmath'),
    C('mod', 1, (1.5, 1.0), -1.0, 'mpmath', peers={'torch': 'error: RuntimeError'}),
    C('mod', 0, (0.0, 1.0), 1.0, 'convention'),
    C('mod', 1, (0.0, 1.0), 0.0, 'mpmath', peers={'torch': 'error: RuntimeError'}),
    C('exp', 0, (0.0,), 1.0, 'mpmath'),
    C('exp', 0, (1.0,), 2.718281828459045, 'mpmath'),
    C('exp', 0, (-1.0,), 0.36787944117144233, 'mpmath'),
    C('exp', 0, (700.0,), 1.0142320547350045e+304, 'mpmath'),
    C('expm1', 0, (0.0,), 1.0, 'mpmath'),
    C('expm1', 0, (1.0,), 2.718281828459045, 'mpmath'),
    C('expm1', 0, (-1.0,), 0.36787944117144233, 'mpmath'),
    C('log', 0, (0.0,), INF, 'convention'),
    C('log', 0, (1.0,), 1.0, 'mpmath'),
    C('log', 0, (-1.0,), NAN, 'undefined', peers={'jax': -1.0, 'torch': -1.0, 'autograd': -1.0}),
    C('log2', 0, (0.0,), INF, 'convention'),
    C('log2', 0, (1.0,), 1.4426950408889634, 'mpmath'),
    C('log2', 0, (-1.0,), NAN, 'undefined',
      peers={'jax': -1.4426950408889634, 'torch': -1.4426950408889634, 'autograd': -1.4426950408889634}),
    C('log10', 0, (0.0,), INF, 'convention'),
    C('log10', 0, (1.0,), 0.4342944819032518, 'mpmath'),
    C('log10', 0, (-1.0,), NAN, 'undefined',
      peers={'jax': -0.4342944819032518, 'torch': -0.43429448190325187, 'autograd': -0.43429448190325176}),
    C('log1p', 0, (-1.0,), INF, 'convention'),
    C('log1p', 0, (0.0,), 1.0, 'mpmath'),
    C('log1p', 0, (1.0,), 0.5, 'mpmath'),
    C('sqrt', 0, (0.0,), INF, 'convention'),
    C('sqrt', 0, (1.0,), 0.5, 'mpmath'),
    C('sqrt', 0, (-1.0,), NAN, 'undefined'),
    C('cbrt', 0, (0.0,), INF, 'convention', peers={'torch': 'n/a', 'autograd': 'error: NotImplementedError'}),
    C('cbrt', 0, (1.0,), 0.3333333333333333, 'mpmath',
      peers={'torch': 'n/a', 'autograd': 'error: NotImplementedError'}),
    C('cbrt', 0, (-1.0,), 0.3333333333333333, 'mpmath',
      peers={'torch': 'n/a', 'autograd': 'error: NotImplementedError'}),
    C('sin', 0, (0.0,), 1.0, 'mpmath'),
    C('sin', 0, (1.0,), 0.5403023058681398, 'mpmath'),
    C('sin', 0, (-1.0,), 0.5403023058681398, 'mpmath'),
    C('cos', 0, (0.0,), 0.0, 'mpmath'),
    C('cos', 0, (1.0,), -0.8414709848078965, 'mpmath'),
    C('cos', 0, (-1.0,), 0.8414709848078965, 'mpmath'),
    C('tan', 0, (0.0,), 1.0, 'mpmath'),
    C('tan', 0, (1.0,), 3.4255188208147596, 'mpmath'),
    C('tan', 0, (-1.0,), 3.4255188208147596, 'mpmath'),
    C('arctan', 0, (0.0,), 1.0, 'mpmath'),
    C('arctan', 0, (1.0,), 0.5, 'mpmath'),
    C('arctan', 0, (-1.0,), 0.5, 'mpmath'),
    C('arcsin', 0, (1.0,), INF, 'convention'),
    C('arcsin', 0, (-1.0,), INF, 'convention'),
    C('arcsin', 0, (0.0,), 1.0, 'mpmath'),
    C('arccos', 0, (1.0,), -INF, 'convention'),
    C('arccos', 0, (-1.0,), -INF, 'convention'),
    C('arccos', 0, (0.0,), -1.0, 'mpmath'),
    C('arctan2', 0, (1.0, 1.0), 0.5, 'mpmath'),
    C('arctan2', 1, (1.0, 1.0), -0.5, 'mpmath'),
    C('arctan2', 0, (0.0, 0.0), NAN, 'convention', peers={'torch': 0.0}),
    C('arctan2', 1, (0.0, 0.0), NAN, 'convention', peers={'torch': -0.0}),
    C('arctan2', 0, (0.0, -1.0), -1.0, 'convention'),
    C('arctan2', 1, (0.0, -1.0), 0.0, 'mpmath'),
    C('arctan2', 0, (-1.0, 1.0), 0.5, 'mpmath'),
    C('arctan2', 1, (-1.0, 1.0), 0.5, 'mpmath'),
    C('sinh', 0, (0.0,), 1.0, 'mpmath'),
    C('sinh', 0, (1.0,), 1.5430806348152437, 'mpmath'),
    C('sinh', 0, (-1.0,), 1.5430806348152437, 'mpmath'),
    C('sinh', 0, (700.0,), 5.0711602736750225e+303, 'mpmath'),
    C('cosh', 0, (0.0,), 0.0, 'mpmath'),
    C('cosh', 0, (1.0,), 1.1752011936438014, 'mpmath'),
    C('cosh', 0, (-1.0,), -1.1752011936438014, 'mpmath'),
    C('cosh', 0, (700.0,), 5.0711602736750225e+303, 'mpmath'),
    C('tanh', 0, (0.0,), 1.0, 'mpmath'),
    C('tanh', 0, (1.0,), 0.4199743416140261, 'mpmath'),
    C('tanh', 0, (-1.0,), 0.4199743416140261, 'mpmath'),
    C('tanh', 0, (20.0,), 1.6993417021166355e-17, 'mpmath', peers={'jax': 0.0, 'torch': 0.0}),
    C('tanh', 0, (40.0,), 7.219405551381661e-35, 'mpmath', peers={'jax': 0.0, 'torch': 0.0}),
    C('tanh', 0, (-20.0,), 1.6993417021166355e-17, 'mpmath', peers={'jax': 0.0, 'torch': 0.0}),
    C('arcsinh', 0, (0.0,), 1.0, 'mpmath'),
    C('arcsinh', 0, (1.0,), 0.7071067811865476, 'mpmath'),
    C('arcsinh', 0, (-1.0,), 0.7071067811865476, 'mpmath'),
    C('arccosh', 0, (1.0,), INF, 'convention'),
    C('arccosh', 0, (2.0,), 0.5773502691896257, 'mpmath'),
    C('arccosh', 0, (0.0,), NAN, 'undefined'),
    C('arccosh', 0, (-1.0,), NAN, 'undefined', peers={'jax': INF, 'torch': INF, 'autograd': INF}),
    C('arctanh', 0, (1.0,), INF, 'convention'),
    C('arctanh', 0, (-1.0,), INF, 'convention'),
    C('arctanh', 0, (0.0,), 1.0, 'mpmath'),
    C('abs', 0, (0.0,), 0.0, 'convention', peers={'jax': 1.0}),
    C('abs', 0, (1.0,), 1.0, 'mpmath'),
    C('abs', 0, (-1.0,), -1.0, 'mpmath'),
    C('sign', 0, (0.0,), 0.0, 'convention'),
    C('sign', 0, (1.0,), 0.0, 'mpmath'),
    C('sign', 0, (-1.0,), 0.0, 'mpmath'),
    C('heaviside', 0, (0.0,), 0.0, 'convention',
      peers={'torch': 'error: RuntimeError', 'autograd': 'error: NotImplementedError'}),
    C('heaviside', 0, (1.0,), 0.0, 'mpmath',
      peers={'torch': 'error: RuntimeError', 'autograd': 'error: NotImplementedError'}),
    C('heaviside', 0, (-1.0,), 0.0, 'mpmath',
      peers={'torch': 'error: RuntimeError', 'autograd': 'error: NotImplementedError'}),
    C('floor', 0, (0.0,), 0.0, 'convention'),
    C('floor', 0, (2.0,), 0.0, 'convention'),
    C('floor', 0, (-1.0,), 0.0, 'convention'),
    C('floor', 0, (1.5,), 0.0, 'mpmath'),
    C('ceil', 0, (0.0,), 0.0, 'convention'),
    C('ceil', 0, (2.0,), 0.0, 'convention'),
    C('ceil', 0, (-1.0,), 0.0, 'convention'),
    C('ceil', 0, (1.5,), 0.0, 'mpmath'),
    C('trunc', 0, (0.0,), 0.0, 'mpmath'),
    C('trunc', 0, (2.0,), 0.0, 'convention'),
    C('trunc', 0, (-1.0,), 0.0, 'convention'),
    C('trunc', 0, (1.5,), 0.0, 'mpmath'),
    C('hypot', 0, (1.0, 1.0), 0.7071067811865476, 'mpmath'),
    C('hypot', 1, (1.0, 1.0), 0.7071067811865476, 'mpmath'),
    C('hypot', 0, (0.0, 1.0), 0.0, 'mpmath'),
    C('hypot', 1, (0.0, 1.0), 1.0, 'mpmath'),
    C('hypot', 0, (3.0, -4.0), 0.6, 'mpmath'),
    C('hypot', 1, (3.0, -4.0), -0.8, 'mpmath'),
    C('hypot', 0, (0.0, 0.0), NAN, 'convention', peers={'jax': 0.5}),
    C('hypot', 1, (0.0, 0.0), NAN, 'convention', peers={'jax': 0.5}),
    C('maximum', 0, (1.0, 1.0), 0.5, 'convention'),
    C('maximum', 1, (1.0, 1.0), 0.5, 'convention'),
    C('maximum', 0, (0.0, 0.0), 0.5, 'convention'),
    C('maximum', 1, (0.0, 0.0), 0.5, 'convention'),
    C('maximum', 0, (1.0, 2.0), 0.0, 'mpmath'),
    C('maximum', 1, (1.0, 2.0), 1.0, 'mpmath'),
    C('minimum', 0, (1.0, 1.0), 0.5, 'convention'),
    C('minimum', 1, (1.0, 1.0), 0.5, 'convention'),
    C('minimum', 0, (0.0, 0.0), 0.5, 'convention'),
    C('minimum', 1, (0.0, 0.0), 0.5, 'convention'),
    C('minimum', 0, (1.0, 2.0), 1.0, 'mpmath'),
    C('minimum', 1, (1.0, 2.0), 0.0, 'mpmath'),
    C('exp2', 0, (0.0,), 0.6931471805599453, 'mpmath'),
    C('exp2', 0, (1.0,), 1.3862943611198906, 'mpmath'),
    C('exp2', 0, (-1.0,), 0.34657359027997264, 'mpmath'),
    C('square', 0, (0.0,), 0.0, 'mpmath'),
    C('square', 0, (1.0,), 2.0, 'mpmath'),
    C('square', 0, (-1.0,), -2.0, 'mpmath'),
    C('reciprocal', 0, (0.0,), -INF, 'convention'),
    C('reciprocal', 0, (1.0,), -1.0, 'mpmath'),
    C('reciprocal', 0, (-1.0,), -1.0, 'mpmath'),
    C('deg2rad', 0, (0.0,), 0.017453292519943295, 'mpmath'),
    C('deg2rad', 0, (1.0,), 0.017453292519943295, 'mpmath'),
    C('rad2deg', 0, (0.0,), 57.29577951308232, 'mpmath'),
    C('rad2deg', 0, (1.0,), 57.29577951308232, 'mpmath'),
    C('fmod', 0, (2.0, 1.0), 1.0, 'convention', peers={'autograd': 'error: NotImplementedError'}),
    C('fmod', 1, (2.0, 1.0), -2.0, 'convention', peers={'autograd': 'error: NotImplementedError'}),
    C('fmod', 0, (-2.0, 1.0), 1.0, 'convention', peers={'autograd': 'error: NotImplementedError'}),
    C('fmod', 1, (-2.0, 1.0), 2.0, 'convention', peers={'autograd': 'error: NotImplementedError'}),
    C('fmod', 0, (1.5, 1.0), 1.0, 'mpmath', peers={'autograd': 'error: NotImplementedError'}),
    C('fmod', 1, (1.5, 1.0), -1.0, 'mpmath', peers={'autograd': 'error: NotImplementedError'}),
    C('fmod', 0, (0.0, 1.0), 1.0, 'mpmath', peers={'autograd': 'error: NotImplementedError'}),
    C('fmod', 1, (0.0, 1.0), 0.0, 'mpmath', peers={'autograd': 'error: NotImplementedError'}),
    C('fmod', 0, (-1.5, 1.0), 1.0, 'mpmath', peers={'autograd': 'error: NotImplementedError'}),
    C('fmod', 1, (-1.5, 1.0), 1.0, 'mpmath', peers={'autograd': 'error: NotImplementedError'}),
    C('xmul', 0, (0.0, 2.0), 2.0, 'mpmath', peers={'jax': 'n/a', 'torch': 'n/a', 'autograd': 'n/a'}),
    C('xmul', 1, (0.0, 2.0), 0.0, 'mpmath', peers={'jax': 'n/a', 'torch': 'n/a', 'autograd': 'n/a'}),
    C('xmul', 0, (1.0, 2.0), 2.0, 'mpmath', peers={'jax': 'n/a', 'torch': 'n/a', 'autograd': 'n/a'}),
    C('xmul', 1, (1.0, 2.0), 1.0, 'mpmath', peers={'jax': 'n/a', 'torch': 'n/a', 'autograd': 'n/a'}),
    C('xmul', 1, (0.0, INF), 0.0, 'mpmath', peers={'jax': 'n/a', 'torch': 'n/a', 'autograd': 'n/a'}),
    C('logaddexp', 0, (0.0, 0.0), 0.5, 'mpmath'),
    C('logaddexp', 1, (0.0, 0.0), 0.5, 'mpmath'),
    C('logaddexp', 0, (800.0, 800.0), 0.5, 'mpmath'),
    C('logaddexp', 1, (800.0, 800.0), 0.5, 'mpmath'),
    C('logaddexp', 0, (0.0, 800.0), 0.0, 'mpmath'),
    C('logaddexp', 1, (0.0, 800.0), 1.0, 'mpmath'),
    C('logaddexp', 0, (1.0, 2.0), 0.2689414213699951, 'mpmath'),
    C('logaddexp', 1, (1.0, 2.0), 0.7310585786300049, 'mpmath'),
    C('logaddexp2', 0, (0.0, 0.0), 0.5, 'mpmath'),
    C('logaddexp2', 1, (0.0, 0.0), 0.5, 'mpmath'),
    C('logaddexp2', 0, (800.0, 800.0), 0.5, 'mpmath'),
    C('logaddexp2', 1, (800.0, 800.0), 0.5, 'mpmath'),
    C('logaddexp2', 0, (0.0, 800.0), 1.499696813895631e-241, 'mpmath'),
    C('logaddexp2', 1, (0.0, 800.0), 1.0, 'mpmath'),
    C('logaddexp2', 0, (1.0, 2.0), 0.3333333333333333, 'mpmath'),
    C('logaddexp2', 1, (1.0, 2.0), 0.6666666666666666, 'mpmath'),
# END CASES
]


def same(a: Any, b: float) -> bool:
    """Equal within 1e-13 relative or 1e-300 absolute; nan only to nan, inf only to the same inf."""
    a = float(a)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= max(1e-300, 1e-13 * abs(b))


def wrt(case: C) -> str:
    return ("y", "x")[case.arg] if case.fn == "arctan2" else ("x", "y")[case.arg]


def label(case: C) -> str:
    return f"{case.fn}({', '.join(map(str, case.point))})-d{wrt(case)}"


def along(fn: Any, case: C) -> Any:
    """fn as a function of argument ``case.arg``, the others held at the point's values."""
    def f(t: Any) -> Any:
        args = list(case.point)
        args[case.arg] = t
        return fn(*args)
    return f


def function(name: str) -> Any:
    return hd.PRIMITIVES[name] if name in hd.PRIMITIVES else getattr(hd, name)


def derivative(case: C, mode: str) -> Any:
    f, x = along(function(case.fn), case), float(case.point[case.arg])
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        if mode in ("forward", "reverse", "hybrid"):
            return hd.derivative(f, x, method=mode)
        graph = hd.trace(f, x).grad()
        return graph(x) if mode == "graph" else graph.compile()(x)


def _params() -> list[Any]:
    params = []
    for case in CASES:
        for mode in MODES:
            marks = ()
            if mode in case.xfail:
                marks = pytest.mark.xfail(strict=True, reason=(
                    f"issue 13: {label(case)} in {mode} mode gives {case.xfail[mode]!r}, expected "
                    f"{case.expected!r} ({case.source}); fixed? remove {mode!r} from this case's xfail"))
            params.append(pytest.param(case, mode, marks=marks, id=f"{label(case)}-{mode}"))
    return params


@pytest.mark.parametrize("case, mode", _params())
def test_special_point(case: C, mode: str) -> None:
    value = derivative(case, mode)
    assert isinstance(float(value), float)
    assert same(value, case.expected), (
        f"{label(case)} in {mode} mode: {value!r}, expected {case.expected!r} ({case.source})")


def test_every_function_has_cases() -> None:
    """Every primitive and every composed function with a name is covered, for each argument."""
    arity = {name: prim.arity for name, prim in hd.PRIMITIVES.items()}
    arity.update({c.name: c.arity for c in COMPOSED if c.names})
    covered = {(c.fn, c.arg) for c in CASES}
    missing = [f"{name} arg {k}" for name, n in arity.items() for k in range(n) if (name, k) not in covered]
    assert not missing, f"no special-point cases for {missing} (benchmarks/conventions.py: build_cases)"


def test_table_is_sound() -> None:
    for case in CASES:
        assert case.source in ("mpmath", "convention", "peers", "undefined"), case
        assert set(case.xfail) <= set(MODES), case
        assert set(case.peers) <= {"jax", "torch", "autograd"}, case
        assert len(case.point) == getattr(function(case.fn), "arity", len(case.point)), case


# ---------------------------------------------------------------- the peers (optional: not in CI)
NUMPY_NAMES = {"sub": "subtract", "mul": "multiply", "div": "divide", "pow": "power", "neg": "negative",
               "abs": "absolute"}
TORCH_NAMES = {"mod": "remainder", "arcsin": "asin", "arccos": "acos", "arctan": "atan", "arctan2": "atan2",
               "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh"}


def _peer_derivative(peer: str, module: Any, case: C) -> Any:
    """The peer's derivative (a float), "n/a" (no such function) or "error: <exception class>"."""
    x = float(case.point[case.arg])
    if peer == "torch":
        torch = module
        if case.fn == "heaviside":
            fn = lambda t: torch.heaviside(t, torch.tensor(0.5, dtype=torch.float64))  # noqa: E731
        elif case.fn == "cbrt" or not hasattr(torch, TORCH_NAMES.get(case.fn, case.fn)):
            return "n/a"
        else:
            fn = getattr(torch, TORCH_NAMES.get(case.fn, case.fn))

        def run() -> float:
            t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
            args: list[Any] = list(case.point)
            args[case.arg] = t
            try:
                out = fn(*args)
            except TypeError:
                args = [a if a is t else torch.tensor(float(a), dtype=torch.float64) for a in args]
                out = fn(*args)
            if not out.requires_grad:
                return 0.0
            (g,) = torch.autograd.grad(out, t, allow_unused=True)
            return 0.0 if g is None else g.item()
    else:
        numpy = module.numpy
        name = NUMPY_NAMES.get(case.fn, case.fn)
        if case.fn == "heaviside":
            fn = lambda t: numpy.heaviside(t, 0.5)  # noqa: E731
        elif not hasattr(numpy, name):
            return "n/a"
        else:
            fn = getattr(numpy, name)

        def run() -> float:
            return float(module.grad(along(fn, case))(np.float64(x)))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return float(run())
        except Exception as exc:  # noqa: BLE001 -- recorded in the table
            return f"error: {type(exc).__name__}"


def _import_peer(peer: str) -> Any:
    try:
        module = importlib.import_module(peer)
        if peer == "autograd":
            importlib.import_module("autograd.numpy")
    except Exception:  # noqa: BLE001 -- a peer that does not import is skipped
        pytest.skip(f"{peer} is not installed (optional: pip install -e '.[bench]')")
    if peer == "jax":
        module.config.update("jax_enable_x64", True)
    return module


@pytest.mark.parametrize("peer", ["jax", "torch", "autograd"])
def test_peer_agrees(peer: str) -> None:
    """Where a peer is installed: its value is the expected one, or the one recorded for it."""
    module = _import_peer(peer)
    wrong = []
    for case in CASES:
        got = _peer_derivative(peer, module, case)
        recorded = case.peers.get(peer, case.expected)
        if isinstance(got, str) or isinstance(recorded, str):
            ok = got == recorded
        else:
            ok = same(got, recorded)
        if not ok:
            wrong.append(f"{label(case)}: {got!r}, the table says {recorded!r}")
    assert not wrong, f"{peer} changed (rerun python -m benchmarks.conventions --write-tests):\n" + "\n".join(wrong)
