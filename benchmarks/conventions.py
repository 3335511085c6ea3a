"""Derivatives at the awkward points: hybriddiff in every mode against mpmath and the peers.

Run on demand (never by the test suite); it imports JAX, PyTorch and HIPS autograd where they are
installed and skips a peer that is missing (``pip install -e ".[bench]"``)::

    python -m benchmarks.conventions                 # the Markdown tables on stdout
    python -m benchmarks.conventions --only pow tanh # some functions
    python -m benchmarks.conventions --write-tests   # regenerate the CASES block of tests/test_special_points.py
    python -m benchmarks.conventions --write-md      # regenerate the table block of CONVENTIONS.md

For every primitive of ``hd.PRIMITIVES`` and the composed functions with expression-language names
(exp2, square, reciprocal, deg2rad, rad2deg, trunc, fmod, logaddexp, logaddexp2), and for each
argument, the first derivative (and, for smooth functions at smooth points, the second) at the
function's special points: 0, +-1, the domain edges, ties, the jumps of the piecewise functions,
large arguments and the zero cases of pow. Each row gives

- mpmath: the derivative at 50 digits (``mpmath.diff`` of the table's ``prim.mpmath``; checked again at
  600 digits, which some rows need), or, where no derivative exists, "none" with the one-sided limits
  of f' (``mpmath.diff`` at x -+ 1e-20 and 1e-35; a limit growing without bound is +-inf, a side
  outside the domain is nan);
- SymPy: ``sympy.diff`` of SymPy's own form of the function, substituted exactly (zoo = complex infinity);
- JAX (``jax.grad`` with x64), PyTorch (float64, ``torch.autograd.grad``), autograd (``autograd.grad``);
- hybriddiff: forward and reverse (``hd.derivative``), the graph derivative evaluated
  (``hd.trace(f, x).grad()(x)``), compiled (``.grad().compile()(x)``) and ``method="hybrid"``.

The expected value is mpmath's where the derivative exists, otherwise hybriddiff's documented
convention (ARCHITECTURE.md, "Conventions"; the ``rule`` of each case below) -- unless JAX, PyTorch and
autograd all agree on another value, in which case the peers' value is expected and the row is
flagged "convention != peers". A value that differs from the expected one is marked with a cross.
"Equal" means within 1e-13 relative or 1e-300 absolute, nan only equal to nan, inf only to the same inf.
"""
from __future__ import annotations

import argparse
import importlib
import math
import os
import re
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "benchmarks"

import mpmath  # noqa: E402
import numpy as np  # noqa: E402

import hybriddiff as hd  # noqa: E402
from hybriddiff.core.functions import COMPOSED  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests" / "test_special_points.py"
CONVENTIONS = ROOT / "CONVENTIONS.md"
ISSUE = "issue 13"

INF, NAN = math.inf, math.nan
DPS, DPS_CHECK = 50, 600
REL, ABS = 1e-13, 1e-300
MODES = ("forward", "reverse", "graph", "compiled", "hybrid")
PEERS = ("jax", "torch", "autograd")
COMPOSED_NAMES = tuple(c.name for c in COMPOSED if c.names)


# ---------------------------------------------------------------------------------------- the cases
@dataclass(frozen=True)
class Case:
    """d fn / d arg_{arg} at point. ``rule`` says which convention hybriddiff follows there (and
    whose it is); ``convention`` is its value where no derivative exists."""

    fn: str
    arg: int
    point: tuple[Any, ...]
    convention: float | None = None
    rule: str = ""

    @property
    def x(self) -> float:
        return float(self.point[self.arg])

    def label(self) -> str:
        return f"{self.fn}{self.point}".replace(",)", ")")


SYMPY_SIGN = "SymPy: d|x|/dx = sign(x), sign(0) = 0"
SYMPY_TIE = "SymPy: a tie splits 1/2, 1/2 (Heaviside(0) = 1/2)"
PIECEWISE = "piecewise constant: 0 (hybriddiff's, the peers' too)"
FORMULA = "the rule's formula in floats"
EDGE = "the rule's formula at the edge: inf (as sqrt'(0) = inf)"
MOD_RULE = "x % y has partials 1 and -floor(x/y) (ARCHITECTURE.md)"
FMOD_RULE = "fmod(x, y) = x - y trunc(x/y): partials 1 and -trunc(x/y)"
UNDEFINED = "f is undefined here (nan): no derivative in any mode (hybriddiff's; the peers give the formula)"
POW_PEERS = "powers at zero follow JAX/PyTorch/autograd"


def _unary(fn: str, points: tuple[float, ...],
           conventions: dict[float, tuple[float, str]] | None = None) -> list[Case]:
    """Cases of a one-argument function; ``conventions``: point -> (value, rule) where no derivative exists."""
    conventions = conventions or {}
    return [Case(fn, 0, (p,), *conventions.get(p, (None, ""))) for p in points]


def _both(fn: str, point: tuple[float, float], conventions: tuple[float | None, float | None] = (None, None),
          rule: str = "") -> list[Case]:
    """Both partials of a two-argument function at one point."""
    return [Case(fn, k, point, conventions[k], rule) for k in range(2)]


def build_cases() -> list[Case]:
    c: list[Case] = []
    # arithmetic
    c += _both("add", (0.0, 0.0)) + _both("sub", (0.0, 0.0)) + _both("mul", (0.0, 0.0))
    c += _both("mul", (1.0, -1.0)) + _both("div", (0.0, 1.0))
    c += _both("div", (1.0, 0.0), (INF, -INF), FORMULA)
    c += _unary("neg", (0.0, 1.0))
    # pow: the zero cases (powers at zero follow the peers), a negative base
    c += [Case("pow", 0, (0.0, 0), rule=POW_PEERS + ": d/dx x**0 = 0, at 0 too"),
          Case("pow", 0, (0.0, 0.0), rule=POW_PEERS + ": d/dx x**0 = 0, at 0 too"),
          Case("pow", 0, (1.0, 0.0), rule=POW_PEERS + ": d/dx x**0 = 0"),
          Case("pow", 0, (0.0, 1), rule=POW_PEERS + ": n * 0**(n-1), no 0*log(0) term"),
          Case("pow", 0, (0.0, 2), rule=POW_PEERS + ": n * 0**(n-1), no 0*log(0) term"),
          Case("pow", 0, (0.0, 0.5), INF, POW_PEERS + ": n * 0**(n-1) = inf"),
          Case("pow", 0, (0.0, -1), -INF, POW_PEERS + ": n * 0**(n-1) = -inf"),
          Case("pow", 0, (0.0, 1.0), rule=POW_PEERS + ": n * 0**(n-1), no 0*log(0) term"),
          Case("pow", 1, (0.0, 1.0), rule=POW_PEERS + ": d/dy 0**y = 0 for y > 0"),
          Case("pow", 1, (0.0, 0.5), rule=POW_PEERS + ": d/dy 0**y = 0 for y > 0"),
          Case("pow", 1, (0.0, 2.0), rule=POW_PEERS + ": d/dy 0**y = 0 for y > 0"),
          Case("pow", 1, (0.0, 0.0), None, "not documented: 0**y jumps at y = 0"),
          Case("pow", 0, (-2.0, 2.0)),
          Case("pow", 1, (-2.0, 2.0), NAN, FORMULA + ": log(-2) * 4 = nan"),
          Case("pow", 1, (2.0, 0.0)), Case("pow", 0, (2.0, 3.0))]
    # mod at a jump, away from it, with a negative x
    c += _both("mod", (2.0, 1.0), (1.0, -2.0), MOD_RULE)
    c += _both("mod", (-2.0, 1.0), (1.0, 2.0), MOD_RULE)
    c += _both("mod", (1.5, 1.0)) + [Case("mod", 0, (0.0, 1.0), 1.0, MOD_RULE), Case("mod", 1, (0.0, 1.0))]
    # exponentials and logarithms
    c += _unary("exp", (0.0, 1.0, -1.0, 700.0))
    c += _unary("expm1", (0.0, 1.0, -1.0))
    for name, at_minus_one in (("log", -1.0), ("log2", -1 / math.log(2)), ("log10", -1 / math.log(10))):
        c += _unary(name, (0.0, 1.0, -1.0), {0.0: (INF, EDGE), -1.0: (at_minus_one, FORMULA)})
    c += _unary("log1p", (-1.0, 0.0, 1.0), {-1.0: (INF, EDGE)})
    c += _unary("sqrt", (0.0, 1.0, -1.0), {0.0: (INF, "SymPy: sqrt'(0) = inf (ARCHITECTURE.md)"),
                                            -1.0: (NAN, FORMULA)})
    c += _unary("cbrt", (0.0, 1.0, -1.0), {0.0: (INF, "the rule's formula: 1/(3*0*0) = inf")})
    # trigonometric
    for name in ("sin", "cos", "tan", "arctan"):
        c += _unary(name, (0.0, 1.0, -1.0))
    c += _unary("arcsin", (1.0, -1.0, 0.0), {1.0: (INF, EDGE), -1.0: (INF, EDGE)})
    c += _unary("arccos", (1.0, -1.0, 0.0), {1.0: (-INF, EDGE.replace(": inf", ": -inf")),
                                             -1.0: (-INF, EDGE.replace(": inf", ": -inf"))})
    c += _both("arctan2", (1.0, 1.0))
    c += _both("arctan2", (0.0, 0.0), (NAN, NAN), FORMULA + ": 0/0 = nan")
    c += [Case("arctan2", 0, (0.0, -1.0), -1.0, FORMULA + " (the branch cut: a jump of 2 pi)"),
          Case("arctan2", 1, (0.0, -1.0))]
    c += _both("arctan2", (-1.0, 1.0))
    # hyperbolic
    c += _unary("sinh", (0.0, 1.0, -1.0, 700.0)) + _unary("cosh", (0.0, 1.0, -1.0, 700.0))
    c += _unary("tanh", (0.0, 1.0, -1.0, 20.0, 40.0, -20.0))
    c += _unary("arcsinh", (0.0, 1.0, -1.0))
    c += _unary("arccosh", (1.0, 2.0, 0.0, -1.0), {1.0: (INF, EDGE), 0.0: (NAN, FORMULA),
                                                  -1.0: (INF, FORMULA + ": 1/sqrt(0)")})
    c += _unary("arctanh", (1.0, -1.0, 0.0), {1.0: (INF, EDGE), -1.0: (INF, EDGE)})
    # non-smooth and piecewise constant
    c += _unary("abs", (0.0, 1.0, -1.0), {0.0: (0.0, SYMPY_SIGN)})
    c += _unary("sign", (0.0, 1.0, -1.0), {0.0: (0.0, PIECEWISE)})
    c += _unary("heaviside", (0.0, 1.0, -1.0), {0.0: (0.0, PIECEWISE)})
    for name in ("floor", "ceil", "trunc"):
        c += _unary(name, (0.0, 2.0, -1.0, 1.5), {p: (0.0, PIECEWISE) for p in (0.0, 2.0, -1.0)})
    c += _both("hypot", (1.0, 1.0)) + _both("hypot", (0.0, 1.0)) + _both("hypot", (3.0, -4.0))
    c += _both("hypot", (0.0, 0.0), (NAN, NAN), FORMULA + ": x/hypot(x, y) = 0/0 = nan")
    for name in ("maximum", "minimum"):
        c += _both(name, (1.0, 1.0), (0.5, 0.5), SYMPY_TIE) + _both(name, (0.0, 0.0), (0.5, 0.5), SYMPY_TIE)
        c += _both(name, (1.0, 2.0))
    # composed functions
    c += _unary("exp2", (0.0, 1.0, -1.0)) + _unary("square", (0.0, 1.0, -1.0))
    c += _unary("reciprocal", (0.0, 1.0, -1.0), {0.0: (-INF, FORMULA + ": -1/0**2 = -inf")})
    c += _unary("deg2rad", (0.0, 1.0)) + _unary("rad2deg", (0.0, 1.0))
    c += _both("fmod", (2.0, 1.0), (1.0, -2.0), FMOD_RULE)
    c += _both("fmod", (-2.0, 1.0), (1.0, 2.0), FMOD_RULE)
    c += _both("fmod", (1.5, 1.0)) + _both("fmod", (0.0, 1.0)) + _both("fmod", (-1.5, 1.0))
    if "xmul" in hd.PRIMITIVES:  # x * y with a strong zero (the power rules' helper): 0 where x is 0
        c += _both("xmul", (0.0, 2.0)) + _both("xmul", (1.0, 2.0)) + [Case("xmul", 1, (0.0, INF))]
    for name in ("logaddexp", "logaddexp2"):
        c += _both(name, (0.0, 0.0)) + _both(name, (800.0, 800.0)) + _both(name, (0.0, 800.0))
        c += _both(name, (1.0, 2.0))
    return c


CASES = build_cases()


# ---------------------------------------------------------------------------------------- hybriddiff
def hd_function(name: str) -> Callable[..., Any]:
    return hd.PRIMITIVES[name] if name in hd.PRIMITIVES else getattr(hd, name)


def along(fn: Callable[..., Any], case: Case) -> Callable[[Any], Any]:
    """fn as a function of its argument ``case.arg``, the others held at the point's values."""
    def f(t: Any) -> Any:
        args = list(case.point)
        args[case.arg] = t
        return fn(*args)
    return f


def quiet(run: Callable[[], Any]) -> Any:
    """run(), warnings off; a float, or the exception's class name."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            value = run()
        except Exception as exc:  # noqa: BLE001 -- reported in the table
            return f"error: {type(exc).__name__}"
    try:
        return float(value)
    except (TypeError, ValueError):
        return f"error: not a float ({type(value).__name__})"


def hd_mode(case: Case, mode: str, order: int = 1) -> Any:
    f, x = along(hd_function(case.fn), case), case.x

    def graph() -> Any:
        g = hd.trace(f, x)
        for _ in range(order):
            g = g.grad()
        return g

    runs = {"forward": lambda: hd.derivative(f, x, method="forward", order=order),
            "reverse": lambda: hd.derivative(f, x, method="reverse", order=order),
            "graph": lambda: graph()(x),
            "compiled": lambda: graph().compile()(x),
            "hybrid": lambda: hd.derivative(f, x, method="hybrid", order=order)}
    return quiet(runs[mode])


# ---------------------------------------------------------------------------------------- mpmath
def _mp_trunc(x: Any) -> Any:
    return mpmath.floor(x) if x >= 0 else mpmath.ceil(x)


def _real(fn: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        try:
            out = fn(*args)
        except ZeroDivisionError:
            return mpmath.mpf("nan")
        return mpmath.mpf("nan") if isinstance(out, mpmath.mpc) else out
    return call


MP_COMPOSED: dict[str, Callable[..., Any]] = {
    "exp2": _real(lambda x: mpmath.power(2, x)),
    "square": lambda x: x * x,
    "reciprocal": lambda x: hd.PRIMITIVES["div"].mpmath(mpmath.mpf(1), x),
    "deg2rad": lambda x: x * mpmath.pi / 180,
    "rad2deg": lambda x: x * 180 / mpmath.pi,
    "trunc": lambda x: _mp_trunc(x) if x == x else x,
    "fmod": _real(lambda x, y: x - y * _mp_trunc(x / y)),
    "logaddexp": lambda x, y: mpmath.log(mpmath.exp(x) + mpmath.exp(y)),
    "logaddexp2": lambda x, y: mpmath.log(mpmath.power(2, x) + mpmath.power(2, y), 2),
}


def mp_function(name: str) -> Callable[..., Any]:
    return hd.PRIMITIVES[name].mpmath if name in hd.PRIMITIVES else MP_COMPOSED[name]


@dataclass
class Reference:
    """mpmath's verdict at a point: the derivative, or the one-sided limits of f' where none exists."""

    exists: bool
    value: float = NAN                  # the derivative (where it exists)
    left: float = NAN                   # limits of f' from the left and the right
    right: float = NAN
    kind: str = ""                      # why none: outside the domain, pole, jump, edge, kink, ...
    digits: int = DPS                   # the precision that was needed
    second: float | None = None         # f'' where f is smooth at the point

    def text(self) -> str:
        if self.exists:
            more = f" ({self.digits} digits)" if self.digits != DPS else ""
            return fmt(self.value) + more
        if self.kind == "outside the domain":
            return "none: outside the domain"
        return f"none ({self.kind}): left {fmt(self.left)}, right {fmt(self.right)}"


def _finite(v: Any) -> bool:
    return isinstance(v, mpmath.mpf) and mpmath.isfinite(v)


def _mpval(f: Callable[[Any], Any], t: Any) -> Any:
    try:
        v = f(t)
    except (ZeroDivisionError, ValueError):
        return mpmath.mpf("nan")
    return v if isinstance(v, mpmath.mpf) else mpmath.mpf("nan")


def _mpdiff(f: Callable[[Any], Any], t: Any, n: int = 1, **options: Any) -> Any:
    try:
        v = mpmath.diff(lambda s: _mpval(f, s), t, n, **options)
    except (ZeroDivisionError, ValueError):
        return mpmath.mpf("nan")
    return v if isinstance(v, mpmath.mpf) else mpmath.mpf("nan")


def _limit(f: Callable[[Any], Any], x0: Any, side: int) -> tuple[float, str]:
    """The limit of f' at x0 from one side (estimated at x0 -+ 1e-35, checked at 1e-20: a value
    growing without bound is +-inf, one below 1e-30 in size is 0), and how f behaves on that side:
    "continuous", "nan" (outside the domain) or "jump"."""
    e1, e2 = mpmath.mpf("1e-20"), mpmath.mpf("1e-35")
    d1 = _mpdiff(f, x0 + side * e1, direction=side)
    d2 = _mpdiff(f, x0 + side * e2, direction=side)
    v0, v2 = _mpval(f, x0), _mpval(f, x0 + side * e2)
    if v2 != v2:
        state = "nan"
    elif _finite(v0) and _finite(v2) and abs(v2 - v0) < mpmath.mpf("1e-8") * max(1, abs(v0)):
        state = "continuous"
    else:
        state = "jump"
    if not _finite(d2):
        return (float(d2) if d2 == d2 else NAN), state
    if _finite(d1) and abs(d2) > 1e8 and abs(d2) > 100 * abs(d1):
        return math.copysign(INF, float(d2)), state
    return (0.0 if abs(d2) < mpmath.mpf("1e-30") else float(d2)), state


def _close_mp(a: Any, b: Any, rel: str = "1e-25") -> bool:
    return abs(a - b) <= mpmath.mpf(rel) * max(abs(a), abs(b))


def reference(case: Case, second: bool = False) -> Reference:
    fn = mp_function(case.fn)

    def f(t: Any) -> Any:
        args = [mpmath.mpf(p) for p in case.point]
        args[case.arg] = t
        return fn(*args)

    with mpmath.workdps(DPS):
        x0 = mpmath.mpf(case.x)
        v0 = _mpval(f, x0)
        (left, state_l), (right, state_r) = _limit(f, x0, -1), _limit(f, x0, +1)
        states = {state_l, state_r}

        def none(kind: str) -> Reference:
            return Reference(False, left=left, right=right, kind=kind)
        if v0 != v0 or states == {"nan"}:
            return none("outside the domain")
        if not _finite(v0):
            near = [_mpval(f, x0 + side * mpmath.mpf("1e-20")) for side in (-1, 1)]
            return none("pole" if any(_finite(v) for v in near) else "f infinite")
        if "nan" in states:
            return none("domain edge")
        if "jump" in states:
            return none("jump")
        if math.isinf(left) or math.isinf(right):
            return none("vertical tangent" if left == right else "cusp")
        if abs(left - right) > 1e-10 * max(1.0, abs(left), abs(right)):
            return none("kink")
        d50 = _mpdiff(f, x0)
    with mpmath.workdps(DPS_CHECK):
        dcheck = _mpdiff(f, mpmath.mpf(case.x))
    digits = DPS if _close_mp(d50, dcheck) else DPS_CHECK
    ref = Reference(True, value=float(dcheck if digits == DPS_CHECK else d50), left=left, right=right,
                    kind="exists", digits=digits)
    if second:
        with mpmath.workdps(DPS):
            s50 = _mpdiff(f, mpmath.mpf(case.x), 2)
        with mpmath.workdps(DPS_CHECK):
            scheck = _mpdiff(f, mpmath.mpf(case.x), 2)
        ref.second = float(s50 if _close_mp(s50, scheck, "1e-20") else scheck)
    return ref


# ---------------------------------------------------------------------------------------- SymPy
def sympy_value(case: Case) -> Any:
    """sympy.diff of SymPy's own form of the function (real symbols), then the point substituted
    exactly (all arguments at once)."""
    import sympy as sp

    forms: dict[str, Callable[..., Any]] = {
        "exp2": lambda x: 2 ** x, "square": lambda x: x ** 2, "reciprocal": lambda x: 1 / x,
        "deg2rad": lambda x: x * sp.pi / 180, "rad2deg": lambda x: x * 180 / sp.pi,
        "trunc": lambda x: sp.sign(x) * sp.floor(sp.Abs(x)),
        "fmod": lambda x, y: sp.sign(x) * sp.Mod(sp.Abs(x), sp.Abs(y)),
        "logaddexp": lambda x, y: sp.log(sp.exp(x) + sp.exp(y)),
        "logaddexp2": lambda x, y: sp.log(2 ** x + 2 ** y, 2),
        "hypot": lambda x, y: sp.sqrt(x ** 2 + y ** 2)}
    fn = forms.get(case.fn) or hd.PRIMITIVES[case.fn].sympy
    try:
        symbols = [sp.Symbol(f"a{k}", real=True) for k in range(len(case.point))]
        d = sp.diff(fn(*symbols), symbols[case.arg])
        v = d.subs({s: sp.nsimplify(p) for s, p in zip(symbols, case.point)}, simultaneous=True)
        if v == sp.zoo:
            return "zoo"
        if v is sp.nan:
            return NAN
        if v.has(sp.Derivative, sp.Subs):
            return "unevaluated"
        try:
            return float(v.evalf(30)) if v.is_real else str(v)
        except TypeError:  # DiracDelta(0) and its kind
            return str(v)
    except Exception as exc:  # noqa: BLE001 -- reported in the table
        return f"error: {type(exc).__name__}"


# ---------------------------------------------------------------------------------------- the peers
NUMPY_NAMES = {"sub": "subtract", "mul": "multiply", "div": "divide", "pow": "power", "neg": "negative",
               "abs": "absolute"}
TORCH_NAMES = {"mod": "remainder", "arcsin": "asin", "arccos": "acos", "arctan": "atan", "arctan2": "atan2",
               "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh"}


def _peer(name: str) -> Any:
    try:
        if name == "jax":
            jax = importlib.import_module("jax")
            jax.config.update("jax_enable_x64", True)
            return jax
        if name == "autograd":
            importlib.import_module("autograd.numpy")
        return importlib.import_module(name)
    except Exception:  # noqa: BLE001 -- a missing peer is skipped
        return None


def peer_value(peer: str, case: Case, order: int = 1) -> Any:
    """The peer's derivative of case.fn along case.arg at the point (None: peer not installed,
    "n/a": it has no such function)."""
    module = _peer(peer)
    if module is None:
        return None
    name = NUMPY_NAMES.get(case.fn, case.fn)
    if peer == "torch":
        torch = module
        tname = TORCH_NAMES.get(case.fn, case.fn)
        if case.fn == "heaviside":
            fn = lambda x: torch.heaviside(x, torch.tensor(0.5, dtype=torch.float64))  # noqa: E731
        elif case.fn == "cbrt" or not hasattr(torch, tname):
            return "n/a"
        else:
            fn = getattr(torch, tname)

        def run() -> Any:
            t = torch.tensor(case.x, dtype=torch.float64, requires_grad=True)
            args: list[Any] = list(case.point)
            args[case.arg] = t
            try:
                out = fn(*args)
            except TypeError:  # constants as tensors where Python numbers are refused
                args = [a if a is t else torch.tensor(float(a), dtype=torch.float64) for a in args]
                out = fn(*args)
            for _ in range(order):
                if not out.requires_grad:
                    return 0.0
                (out,) = torch.autograd.grad(out, t, create_graph=True, allow_unused=True)
                if out is None:
                    return 0.0
            return out.item()
        return quiet(run)
    numpy = module.numpy
    if case.fn == "heaviside":
        fn = lambda x: numpy.heaviside(x, 0.5)  # noqa: E731
    elif not hasattr(numpy, name):
        return "n/a"
    else:
        fn = getattr(numpy, name)
    grad = module.grad
    df = along(fn, case)
    for _ in range(order):
        df = grad(df)
    return quiet(lambda: df(np.float64(case.x)))


# ---------------------------------------------------------------------------------------- comparing
def same(a: Any, b: Any) -> bool:
    """Equal within 1e-13 relative or 1e-300 absolute; nan only to nan, inf only to the same inf."""
    if not isinstance(a, float) or not isinstance(b, float):
        return False
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= max(ABS, REL * abs(b))


def fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v) if v != 0 else ("0.0" if math.copysign(1, v) > 0 else "-0.0")
    return str(v)


@dataclass
class Row:
    case: Case
    ref: Reference
    sympy: Any
    peers: dict[str, Any]
    modes: dict[str, Any]
    expected: float = NAN
    source: str = ""                    # "mpmath", "convention", "peers" or "none"
    flags: list[str] = field(default_factory=list)

    def wrong_modes(self) -> dict[str, Any]:
        return {m: v for m, v in self.modes.items() if not same(v, self.expected)}

    def peers_differing(self) -> dict[str, Any]:
        return {p: v for p, v in self.peers.items() if v is not None and not same(v, self.expected)}


def f_value(case: Case) -> float:
    """f itself at the point, in NumPy floats (nan outside its domain)."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return float(hd_function(case.fn)(*[np.float64(v) for v in case.point]))
        except Exception:
            return NAN


def judge(case: Case, ref: Reference, peers: dict[str, Any]) -> tuple[float, str, list[str]]:
    """The expected value, where it comes from, and flags."""
    flags = []
    found = [v for v in peers.values() if v is not None]
    agreeing = len(found) == len(PEERS) and all(isinstance(v, float) and same(v, found[0]) for v in found)
    if math.isnan(f_value(case)):
        if agreeing and not math.isnan(found[0]):
            flags.append(f"f is undefined here; the peers give the formula's {fmt(found[0])}")
        return NAN, "undefined", flags
    if ref.exists:
        if case.convention is not None and not same(case.convention, ref.value):
            flags.append("the case's convention differs from the derivative")
        return ref.value, "mpmath", flags
    if case.convention is None:
        if agreeing:
            flags.append("no documented convention: the peers' value")
            return found[0], "peers", flags
        flags.append("no documented convention, the peers disagree")
        return NAN, "none", flags
    if agreeing and not same(found[0], case.convention):
        flags.append(f"convention != peers ({fmt(case.convention)} documented, peers {fmt(found[0])})")
        return found[0], "peers", flags
    return case.convention, "convention", flags


def measure(case: Case) -> Row:
    ref = reference(case)
    peers = {p: peer_value(p, case) for p in PEERS}
    modes = {m: hd_mode(case, m) for m in MODES}
    expected, source, flags = judge(case, ref, peers)
    return Row(case, ref, sympy_value(case), peers, modes, expected, source, flags)


SMOOTH_COMPOSED = {"exp2", "square", "reciprocal", "deg2rad", "rad2deg", "logaddexp", "logaddexp2"}


def is_smooth(name: str) -> bool:
    return name in SMOOTH_COMPOSED if name not in hd.PRIMITIVES else bool(hd.PRIMITIVES[name].smooth)


def measure_second(case: Case) -> tuple[Case, float, dict[str, Any], dict[str, Any]] | None:
    ref = reference(case, second=True)
    if not ref.exists or ref.second is None or not math.isfinite(ref.second):
        return None
    return (case, ref.second, {p: peer_value(p, case, 2) for p in PEERS},
            {m: hd_mode(case, m, 2) for m in MODES})


# ---------------------------------------------------------------------------------------- output
def mark(v: Any, expected: float) -> str:
    return fmt(v) if v is None or same(v, expected) else f"{fmt(v)} ✗"


def first_table(rows: list[Row]) -> str:
    head = ("| function | w.r.t. | point | mpmath | SymPy | JAX | PyTorch | autograd | "
            + " | ".join(f"hd {m}" for m in MODES) + " | expected | notes |")
    lines = [head, "|" + "---|" * (10 + len(MODES) - 2)]
    for r in rows:
        c = r.case
        cells = [c.fn, f"arg {c.arg}", fmt_point(c.point), r.ref.text(), fmt(r.sympy)]
        cells += [mark(r.peers[p], r.expected) for p in PEERS]
        cells += [mark(r.modes[m], r.expected) for m in MODES]
        cells += [f"{fmt(r.expected)} ({r.source})", "; ".join(r.flags)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def second_table(seconds: list[tuple[Case, float, dict[str, Any], dict[str, Any]]]) -> str:
    lines = ["| function | w.r.t. | point | mpmath f'' | JAX | PyTorch | autograd | "
             + " | ".join(f"hd {m}" for m in MODES) + " |",
             "|" + "---|" * (7 + len(MODES))]
    for case, expected, peers, modes in seconds:
        cells = [case.fn, f"arg {case.arg}", fmt_point(case.point), fmt(expected)]
        cells += [mark(peers[p], expected) for p in PEERS] + [mark(modes[m], expected) for m in MODES]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def fmt_point(point: tuple[Any, ...]) -> str:
    return ", ".join(fmt(p) if isinstance(p, float) else str(p) for p in point)


def _wrt(case: Case) -> str:
    names = {1: ("x",), 2: ("y", "x") if case.fn == "arctan2" else ("x", "y")}[len(case.point)]
    return names[case.arg]


def _peer_words(r: Row) -> str:
    """The peers that differ from hybriddiff's value, in words ("same" when none does)."""
    parts = []
    for p, v in r.peers.items():
        if v is None:
            parts.append(f"{PEER_TITLES[p]} not installed")
        elif v == "n/a":
            parts.append(f"{PEER_TITLES[p]} has no {r.case.fn}")
        elif isinstance(v, str):
            parts.append(f"{PEER_TITLES[p]} raises {v.removeprefix('error: ')}")
        elif not same(v, r.expected):
            parts.append(f"{PEER_TITLES[p]} {pretty(v)}")
    return "; ".join(parts) if parts else "same"


PEER_TITLES = {"jax": "JAX", "torch": "PyTorch", "autograd": "autograd"}


def documented(r: Row) -> bool:
    """Rows for CONVENTIONS.md: no derivative, a rule worth saying, or a numeric disagreement."""
    numeric_peers = any(isinstance(v, float) for v in r.peers_differing().values())
    return (not r.ref.exists) or bool(r.case.rule) or bool(r.wrong_modes()) or numeric_peers


def pretty(v: Any) -> str:
    """A number for people: 1, -0.5, 1.7e-17, inf (strings as they are)."""
    if not isinstance(v, float) or not math.isfinite(v):
        return fmt(v)
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.6g}"


def _derivative_words(ref: Reference) -> str:
    if ref.exists:
        return pretty(ref.value)
    if ref.kind == "outside the domain":
        return "none (outside the domain)"
    return f"none ({ref.kind}; left {pretty(ref.left)}, right {pretty(ref.right)})"


SECTIONS = (
    ("kinks", "Kinks and ties (f continuous, one-sided derivatives differ)"),
    ("jumps", "Jumps (piecewise-constant and periodic functions, branch cuts)"),
    ("edges", "Domain edges, poles and vertical tangents"),
    ("outside", "Outside the domain"),
    ("powers", "Powers at zero"),
    ("exists", "Where the derivative exists but is easy to get wrong"),
)


def _section(r: Row) -> str:
    if r.case.fn in ("pow", "xmul"):
        return "powers"
    if r.ref.exists:
        return "exists"
    return {"kink": "kinks", "cusp": "kinks", "jump": "jumps", "outside the domain": "outside"}.get(r.ref.kind, "edges")


def conventions_table(rows: list[Row], seconds: list[tuple[Case, float, dict[str, Any], dict[str, Any]]] = ()) -> str:
    """CONVENTIONS.md's generated part: one table per kind of point; rows equal but for the point
    and the argument are merged; then the second derivatives that differ."""
    sections: dict[str, dict[tuple[str, ...], list[Row]]] = {key: {} for key, _ in SECTIONS}
    for r in rows:
        if not documented(r):
            continue
        rule = r.case.rule or ("the derivative" if r.ref.exists else "")
        if r.source == "peers":
            rule = (rule + "; " if rule else "") + "the peers' value"
        wrong = r.wrong_modes()
        differs = ", ".join(f"{m} {pretty(v)}" for m, v in wrong.items())
        if len(wrong) == len(MODES) and len({fmt(v) for v in wrong.values()}) == 1:
            differs = f"every mode: {pretty(next(iter(wrong.values())))}"
        key = (r.case.fn, _derivative_words(r.ref), pretty(r.expected), rule, pretty(r.sympy),
               _peer_words(r), differs)
        sections[_section(r)].setdefault(key, []).append(r)
    out = []
    for name, title in SECTIONS:
        if not sections[name]:
            continue
        out += [f"### {title}", "",
                "| f | d/d | at | the derivative | hybriddiff | convention (whose) | SymPy "
                "| JAX / PyTorch / autograd | currently differs |",
                "|---|---|---|---|---|---|---|---|---|"]
        for (fn, derivative, expected, rule, sympy, peers, differs), members in sections[name].items():
            wrt = ", ".join(dict.fromkeys(_wrt(r.case) for r in members))
            at = "; ".join(dict.fromkeys(fmt_point(r.case.point) if len(r.case.point) == 1
                                         else f"({fmt_point(r.case.point)})" for r in members))
            cells = [fn, wrt, at, derivative, expected, rule, sympy, peers, differs]
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        out.append("")
    wrong2 = [(c, e, p, m) for c, e, p, m in seconds if any(not same(v, e) for v in m.values())]
    out += ["### Second derivatives", ""]
    if not seconds:
        out.append("(not computed in this run)")
    elif not wrong2:
        out.append(f"All {len(seconds)} second derivatives at smooth points agree with mpmath in every mode.")
    else:
        out.append(f"Of {len(seconds)} second derivatives at smooth points, these currently differ from mpmath:")
        out.append("")
        for case, expected, peers, modes in wrong2:
            bad = {m: v for m, v in modes.items() if not same(v, expected)}
            got = (f"every mode {pretty(next(iter(bad.values())))}"
                   if len(bad) == len(MODES) and len({fmt(v) for v in bad.values()}) == 1
                   else ", ".join(f"{m} {pretty(v)}" for m, v in bad.items()))
            peer_words = ", ".join(f"{PEER_TITLES[k]} {pretty(v)}" for k, v in peers.items())
            out.append(f"- d\u00b2/d{_wrt(case)}\u00b2 {case.fn}({fmt_point(case.point)}) = {pretty(expected)}: "
                       f"{got} (peers: {peer_words})")
    return "\n".join(out).rstrip()


def _literal(v: float) -> str:
    if math.isnan(v):
        return "NAN"
    if math.isinf(v):
        return "INF" if v > 0 else "-INF"
    return repr(v)


def _lit(v: Any) -> str:
    return _literal(v) if isinstance(v, float) else repr(v)


def test_cases_block(rows: list[Row]) -> str:
    """The CASES rows of tests/test_special_points.py: function, argument, point, expected value and
    its source; ``xfail``: the modes that give another value today (and that value); ``peers``: the
    peers that give another value (or raise, or lack the function)."""
    out = []
    for r in rows:
        if r.source == "none":
            continue
        c = r.case
        inner = ", ".join(_lit(p) for p in c.point) + ("," if len(c.point) == 1 else "")
        head = f"    C({c.fn!r}, {c.arg}, ({inner}), {_literal(r.expected)}, {r.source!r}"
        parts = []
        wrong = r.wrong_modes()
        if wrong and len(wrong) == len(MODES) and len({fmt(v) for v in wrong.values()}) == 1:
            parts.append(f"xfail=every({_lit(next(iter(wrong.values())))})")
        elif wrong:
            parts.append("xfail={" + ", ".join(f"{m!r}: {_lit(v)}" for m, v in wrong.items()) + "}")
        peers = {p: v for p, v in r.peers.items() if v is not None and not same(v, r.expected)}
        if peers:
            parts.append("peers={" + ", ".join(f"{p!r}: {_lit(v)}" for p, v in peers.items()) + "}")
        line = ", ".join([head, *parts]) + "),"
        if len(line) > 110:
            line = ",\n      ".join([head, *parts]) + "),"
        out.append(line)
    return "\n".join(out)


def replace_block(path: Path, text: str, begin: str, end: str) -> None:
    old = path.read_text()
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if not pattern.search(old):
        raise SystemExit(f"{path}: markers {begin!r} ... {end!r} not found")
    path.write_text(pattern.sub(lambda _: f"{begin}\n{text}\n{end}", old))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", metavar="FUNCTION", help="only these functions")
    parser.add_argument("--no-second", action="store_true", help="skip the second derivatives")
    parser.add_argument("--write-tests", action="store_true", help=f"rewrite the CASES block of {TESTS.name}")
    parser.add_argument("--write-md", action="store_true", help=f"rewrite the table block of {CONVENTIONS.name}")
    args = parser.parse_args(argv)
    cases = [c for c in CASES if not args.only or c.fn in args.only]
    unknown = set(args.only or ()) - {c.fn for c in CASES}
    if unknown:
        parser.error(f"no cases for {', '.join(sorted(unknown))}")
    covered = {c.fn for c in CASES}
    missing = [n for n in (*hd.PRIMITIVES, *COMPOSED_NAMES) if n not in covered]
    peers = ", ".join(f"{PEER_TITLES[p]} {'installed' if _peer(p) is not None else 'NOT INSTALLED (skipped)'}"
                      for p in PEERS)
    rows = []
    for case in cases:
        print(f"  {case.label()} d/d arg {case.arg}", file=sys.stderr, flush=True)
        rows.append(measure(case))
    seconds = []
    if not args.no_second:
        for case in cases:
            if is_smooth(case.fn):
                got = measure_second(case)
                if got is not None:
                    seconds.append(got)
    print(f"# Derivatives at the special points\n\nPeers: {peers}. "
          f"Functions without cases: {', '.join(missing) or 'none'}.\n")
    print("## First derivatives\n")
    print(first_table(rows))
    wrong = [r for r in rows if r.wrong_modes()]
    print(f"\n{len(wrong)} of {len(rows)} rows where a hybriddiff mode differs from the expected value:\n")
    for r in wrong:
        print(f"- {r.case.label()} d/d arg {r.case.arg}: expected {fmt(r.expected)} ({r.source}); "
              + ", ".join(f"{m} {fmt(v)}" for m, v in r.wrong_modes().items()))
    flagged = [r for r in rows if r.flags]
    if flagged:
        print("\nFlags:\n")
        for r in flagged:
            print(f"- {r.case.label()} d/d arg {r.case.arg}: {'; '.join(r.flags)}")
    if seconds:
        print("\n## Second derivatives (smooth functions at smooth points)\n")
        print(second_table(seconds))
    print("\n## The convention table (CONVENTIONS.md)\n")
    print(conventions_table(rows, seconds))
    if args.write_tests:
        if args.only:
            parser.error("--write-tests needs every case (no --only)")
        if any(_peer(p) is None for p in PEERS):
            parser.error("--write-tests needs JAX, PyTorch and autograd installed (the table records their values)")
        replace_block(TESTS, test_cases_block(rows), "# BEGIN CASES (python -m benchmarks.conventions --write-tests)",
                      "# END CASES")
        print(f"\nwrote {TESTS}", file=sys.stderr)
    if args.write_md:
        if args.only:
            parser.error("--write-md needs every case (no --only)")
        replace_block(CONVENTIONS, conventions_table(rows, seconds), "<!-- BEGIN TABLE (python -m benchmarks.conventions --write-md) -->",
                      "<!-- END TABLE -->")
        print(f"wrote {CONVENTIONS}", file=sys.stderr)


if __name__ == "__main__":
    main()
