"""The table of primitives: every elementary operation, defined once for every interpreter.

Each record gives the numeric (NumPy) and high-precision (mpmath) implementations, the local partials
``d out / d arg_i`` written with these very primitives (so rules differentiate, trace and print like
any other code), the SymPy counterpart, code and LaTeX templates, and the domain tests sample.
Adding a function is one record here; forward and reverse mode, graphs, SymPy, code generation,
the trace tables and the generated tests all pick it up.

Conventions where a derivative is not defined (ARCHITECTURE.md, "Conventions"; SymPy's values,
shared by all modes):
``d|x|/dx = sign(x)`` (0 at 0); ``maximum``/``minimum`` split a tie 1/2 and 1/2 (Heaviside(0) = 1/2);
``sqrt'(0) = inf``; piecewise-constant functions (floor, sign, ...) have derivative 0 away from and at
their jumps (in forward and reverse mode their result is a plain constant, so 0 * inf never
turns a locally constant f into nan); ``mod`` has partials 1 and -floor(x/y). Outside a domain,
values follow NumPy (nan and a RuntimeWarning).

This module is longer than most (about 330 lines) on purpose: it is the whole table, one record per
primitive, read top to bottom.
"""
from __future__ import annotations

import math
import operator
from fractions import Fraction
from typing import Any, Callable

import numpy as np

from .record import PRIMITIVES, Primitive, define


def _mp(name: str) -> Callable[..., Any]:
    """An mpmath function, imported lazily; real arguments never silently give complex results."""
    def call(*args: Any) -> Any:
        import mpmath
        out = getattr(mpmath, name)(*args)
        if isinstance(out, mpmath.mpc) and not any(isinstance(a, (complex, mpmath.mpc)) for a in args):
            return mpmath.mpf("nan")  # outside the real domain: nan, as NumPy gives
        return out
    return call


def _mp_op(op: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        import mpmath
        try:
            out = op(*args)
        except ZeroDivisionError:  # the values NumPy gives: x/0 = sign(x) inf (0/0 nan), 0**-y = inf
            if op is operator.pow:
                return mpmath.mpf("inf")
            return mpmath.mpf("nan") if args[0] == 0 else mpmath.mpf("inf") * mpmath.sign(args[0])
        if isinstance(out, mpmath.mpc) and not any(isinstance(a, (complex, mpmath.mpc)) for a in args):
            return mpmath.mpf("nan")
        return out
    return call


def _sp(path: str) -> Callable[..., Any]:
    """A SymPy function by dotted name, imported lazily (``import hybriddiff`` stays fast)."""
    def call(*args: Any) -> Any:
        import importlib
        module, _, name = ("sympy." + path).rpartition(".")
        return getattr(importlib.import_module(module), name)(*args)
    return call


def _whole(t: Any) -> Any:
    """The integer at or below t, in t's own number type (a float, an mpmath number): where jumps are."""
    if type(t) is float:
        return float(math.floor(t)) if math.isfinite(t) else t
    import mpmath
    return mpmath.floor(t)


def _out(np_fn: Any, arity: int) -> str | None:
    """The in-place NumPy call of a ufunc-backed primitive (None for anything else)."""
    if not isinstance(np_fn, np.ufunc):
        return None
    return f"np.{np_fn.__name__}({', '.join(f'{{{k}}}' for k in range(arity))}, out={{out}})"


def _unary(name: str, np_fn, mp, partial, sympy, latex: str, domain=(-3.0, 3.0),
           scalar=None, math_name: str | None = None, source: str | None = None,
           scalar_source: str | None = None, names: tuple[str, ...] = (), ufuncs: tuple[str, ...] = (),
           sympy_heads: tuple[str, ...] | None = None, **facts: Any) -> Primitive:
    """A one-argument record; ``mp`` and ``sympy`` are names (looked up lazily) or callables.

    Callable by its name (and ``names``) in the expression language; the NumPy ufunc of the same
    name (and ``ufuncs``) means it; ``sympy`` given by name is also the SymPy head mapped back."""
    math_fn = getattr(math, math_name or name, None)
    if scalar is None and math_fn is not None:
        scalar, scalar_source = math_fn, f"math.{math_name or name}({{0}})"
    sympy_fn = _sp(sympy) if isinstance(sympy, str) else sympy
    if sympy_heads is None:
        sympy_heads = (sympy.rpartition(".")[2],) if isinstance(sympy, str) else ()
    ufunc_name = np_fn.__name__ if isinstance(np_fn, np.ufunc) else None
    return define(
        name, 1, numpy=np_fn, mpmath=_mp(mp) if isinstance(mp, str) else mp, partials=(partial,),
        sympy=sympy_fn, source=source or f"np.{np_fn.__name__}({{0}})", latex=latex,
        pretty=f"{name}({{0}})", domain=(domain,), scalar=scalar, scalar_source=scalar_source,
        out_source=facts.pop("out_source", _out(np_fn, 1)), names=(name, *names),
        ufuncs=tuple(dict.fromkeys(((ufunc_name,) if ufunc_name == name else ()) + ufuncs)),
        sympy_heads=sympy_heads,
        doc=f"{name}(x), elementwise, on floats, arrays, complex, mpmath, SymPy and hybriddiff "
            f"values alike.\n\n>>> import hybriddiff as hd, numpy as np\n"
            f">>> bool(np.isclose(hd.{name}(0.5), np.{np_fn.__name__}(0.5)))\nTrue", **facts)


def _infix(name: str, symbol: str, np_fn, op, partials, sympy, latex: str, precedence: int,
           domain, dunder: str, mp_fn=None, **facts: Any) -> Primitive:
    """A Python operator: printed infix, reached by ``__{dunder}__`` and ``__r{dunder}__``."""
    return define(
        name, 2, numpy=np_fn, mpmath=mp_fn or _mp_op(op), partials=partials, sympy=sympy,
        source=facts.pop("source", f"{{0}} {symbol} {{1}}"),
        scalar_source=facts.pop("scalar_source", f"{{0}} {symbol} {{1}}"), latex=latex,
        pretty=f"{{0}} {symbol} {{1}}", domain=domain, scalar=op, infix=symbol,
        precedence=precedence, dunder=dunder, out_source=facts.pop("out_source", _out(np_fn, 2)),
        doc=f"x {symbol} y through hybriddiff's dispatch.\n\n>>> import hybriddiff as hd\n"
            f">>> hd.primitives.{name}(6.0, 3.0) == (6.0 {symbol} 3.0)\nTrue", **facts)


# ---------------------------------------------------------------- arithmetic
add = _infix("add", "+", np.add, operator.add, (lambda x, y, out: 1, lambda x, y, out: 1),
             lambda x, y: x + y, "{0} + {1}", 10, ((-3.0, 3.0), (-3.0, 3.0)), "add",
             commutative=True, ufuncs=("add",), sympy_heads=("Add",))
sub = _infix("sub", "-", np.subtract, operator.sub, (lambda x, y, out: 1, lambda x, y, out: -1),
             lambda x, y: x - y, "{0} - {1}", 10, ((-3.0, 3.0), (-3.0, 3.0)), "sub",
             ufuncs=("subtract",))
mul = _infix("mul", "*", np.multiply, operator.mul, (lambda x, y, out: y, lambda x, y, out: x),
             lambda x, y: x * y, "{0} {1}", 20, ((-3.0, 3.0), (-3.0, 3.0)), "mul",
             commutative=True, ufuncs=("multiply",), sympy_heads=("Mul",))
div = _infix("div", "/", np.true_divide, operator.truediv,
             (lambda x, y, out: 1 / y, lambda x, y, out: -out / y),
             lambda x, y: x / y, r"\frac{{{0}}}{{{1}}}", 20, ((-3.0, 3.0), (0.2, 3.0)), "truediv",
             ufuncs=("divide", "true_divide"), total=False)


def _np_pow(x: Any, y: Any) -> Any:
    # an exact rational constant (the expression language's 1/3) is its float here: NumPy cannot
    # type a Fraction (the 50-digit reference keeps it exact in mpmath)
    x, y = (a.numerator / a.denominator if type(a) is Fraction else a for a in (x, y))
    # NumPy refuses integer arrays to negative integer powers; the float power is what users mean.
    if np.issubdtype(np.result_type(x, y), np.integer):
        return np.float_power(x, y)
    return np.power(x, y)


def _np_xmul(x: Any, y: Any) -> Any:
    out = np.multiply(x, np.where(np.equal(x, 0), 1.0, y))
    return out[()] if isinstance(out, np.ndarray) and out.ndim == 0 else out


def _mp_xmul(x: Any, y: Any) -> Any:
    import mpmath
    return mpmath.mpf(0) if x == 0 else x * y


# x * y with a strong zero: exactly 0 where x is 0, even where y is inf or nan. The power rules use
# it where JAX uses select (and PyTorch and autograd masks): d/dx x**0 = 0 and d/dy 0**y = 0, never
# 0 * inf = nan. It prints and converts to SymPy as a product; it is no Python operator.
xmul = define("xmul", 2, numpy=_np_xmul, mpmath=_mp_xmul, partials=(lambda x, y, out: y, lambda x, y, out: x),
              sympy=lambda x, y: x * y, source="({0} * np.where({0} == 0, 1.0, {1}))",
              scalar_source="({0} * ({1} if {0} != 0 else 1.0))", latex="{0} {1}", pretty="{0} * {1}",
              domain=((-3.0, 3.0), (-3.0, 3.0)), scalar=lambda x, y: x * y if x != 0 else 0.0 * x,
              infix="*", precedence=20, strong_zero=True,
              doc="x * y, but exactly 0 where x is 0 (even where y is inf or nan): the strong zero the "
                  "power rules need.\n\n>>> import hybriddiff as hd\n>>> hd.primitives.xmul(0.0, float('inf'))\n0.0")


def _log_or_zero(x: Any) -> Any:
    """log(x), taken as 0 at x = 0 (x**y * log(x) -> 0 there, as JAX, PyTorch and autograd take it)."""
    return xmul(sign(x) * sign(x), log(x))


# Python's ** turns a negative float base complex (math.pow raises, np.power gives nan): code uses
# np.power / math.pow, and the readable x ** 2 only for an exact int exponent. At x = 0 the rules
# follow the peers: d/dx x**0 = 0, d/dx x**n = n*0**(n-1), d/dy 0**y = 0 for y >= 0.
pow = _infix("pow", "**", _np_pow, math.pow,
             (lambda x, y, out: xmul(y, pow(x, y - 1)), lambda x, y, out: out * _log_or_zero(x)),
             lambda x, y: x ** y, "{{{0}}}^{{{1}}}", 30, ((0.2, 3.0), (-2.0, 2.5)), "pow",
             mp_fn=_mp_op(operator.pow), source="np.power({0}, {1})", source_int="{0} ** {1}",
             scalar_source="math.pow({0}, {1})", out_source="np.power({0}, {1}, out={out})",
             names=("pow", "power"), ufuncs=("power",), sympy_heads=("Pow",), total=False)
power = pow

neg = define("neg", 1, numpy=np.negative, mpmath=_mp_op(operator.neg),
             partials=(lambda x, out: -1,), sympy=lambda x: -x, source="-{0}", latex="-{0}",
             pretty="-{0}", domain=((-3.0, 3.0),), scalar=operator.neg, scalar_source="-{0}",
             out_source=_out(np.negative, 1), infix="-", precedence=25, dunder="neg",
             ufuncs=("negative",),
             doc="-x through hybriddiff's dispatch.\n\n>>> import hybriddiff as hd\n"
                 ">>> hd.primitives.neg(2.0)\n-2.0")


def _mp_mod(x: Any, y: Any) -> Any:
    import mpmath
    return x - y * mpmath.floor(x / y) if y != 0 else mpmath.mpf("nan")


mod = _infix("mod", "%", np.mod, operator.mod, (lambda x, y, out: 1, lambda x, y, out: -floor(x / y)),
             _sp("Mod"), r"{0} \bmod {1}", 20, ((0.1, 5.0), (0.7, 2.0)), "mod", mp_fn=_mp_mod,
             smooth=False, names=("mod",), ufuncs=("mod", "remainder"), sympy_heads=("Mod",), total=False,
             kink=lambda x, y: y != 0 and x / y == _whole(x / y),
             convention="x % y at a jump (x/y an integer): partials 1 and -floor(x/y)")

def _mp_fmod(x: Any, y: Any) -> Any:
    import mpmath   # C's remainder: x - y trunc(x/y) (mpmath.fmod has the sign of y, like %)
    if y == 0:
        return mpmath.mpf("nan")
    q = x / y
    return x - y * (mpmath.floor(q) if q >= 0 else mpmath.ceil(q))


def _sp_fmod(x: Any, y: Any) -> Any:
    import sympy
    return sympy.sign(x) * sympy.Mod(sympy.Abs(x), sympy.Abs(y))


# C's remainder (the sign of x, np.fmod): x - y * trunc(x / y). A primitive, not sign(x) * (|x| mod |y|),
# whose sign'(0) = 0 would lose the slope 1 at x = 0.
fmod = define("fmod", 2, numpy=np.fmod, mpmath=_mp_fmod,
              partials=(lambda x, y, out: 1, lambda x, y, out: -(sign(x / y) * floor(abs(x / y)))),
              sympy=_sp_fmod, source="np.fmod({0}, {1})", scalar_source="math.fmod({0}, {1})",
              out_source=_out(np.fmod, 2), latex=r"\operatorname{{fmod}}\left({0}, {1}\right)",
              pretty="fmod({0}, {1})", domain=((0.1, 5.0), (0.7, 2.0)), scalar=math.fmod, smooth=False,
              names=("fmod",), ufuncs=("fmod",), total=False,
              kink=lambda x, y: y != 0 and x / y == _whole(x / y) and x != 0,
              convention="fmod(x, y) at a jump (x/y a nonzero integer): partials 1 and -trunc(x/y)",
              doc="C's remainder x - y * trunc(x / y) (the sign of x), elementwise.\n\n>>> import hybriddiff as hd\n"
                  ">>> hd.fmod(-7.0, 3.0)\n-1.0")

# ---------------------------------------------------------------- exponentials and logarithms
exp = _unary("exp", np.exp, "exp", lambda x, out: out, "exp", "e^{{{0}}}")
expm1 = _unary("expm1", np.expm1, "expm1", lambda x, out: exp(x), "codegen.cfunctions.expm1",
               r"\left(e^{{{0}}} - 1\right)")
log = _unary("log", np.log, "log", lambda x, out: 1 / x, "log", r"\log{{\left({0}\right)}}",
             domain=(0.1, 10.0), names=("ln",), total=False)
log1p = _unary("log1p", np.log1p, "log1p", lambda x, out: 1 / (1 + x), "codegen.cfunctions.log1p",
               r"\log{{\left(1 + {0}\right)}}", domain=(-0.9, 10.0), total=False)


def _mp_log_base(base: int) -> Callable[..., Any]:
    def call(x: Any) -> Any:
        import mpmath
        out = mpmath.log(x, base)
        return mpmath.mpf("nan") if isinstance(out, mpmath.mpc) else out
    return call


def _log_of(base: int, like: Any) -> Any:
    """log(base) as precise as ``like``'s arithmetic: in a printed rule a node ``log(base)`` (so a
    derivative graph evaluates it at its own precision: 50 digits in the reference, not the double),
    beside mpmath numbers mpmath's log at the working precision, else the double. Boxes (Dual over
    mpmath, Taylor, ...) are opened down to the number inside."""
    inner = like
    while hasattr(inner, "_hd_apply") and hasattr(inner, "value"):
        inner = inner.value
    if isinstance(inner, np.ndarray) and inner.dtype == object and inner.size:
        inner = inner.flat[0]
    if hasattr(inner, "_hd_constant"):   # a printed rule (``core/printer.Printed``)
        return log(inner._hd_constant(base))
    if type(inner).__module__.startswith("mpmath"):
        import mpmath
        return mpmath.log(base)
    return log(base)


log2 = _unary("log2", np.log2, _mp_log_base(2), lambda x, out: 1 / (x * _log_of(2, x)), "codegen.cfunctions.log2",
              r"\log_{{2}}{{\left({0}\right)}}", domain=(0.1, 10.0), total=False)
log10 = _unary("log10", np.log10, _mp_log_base(10), lambda x, out: 1 / (x * _log_of(10, x)),
               "codegen.cfunctions.log10", r"\log_{{10}}{{\left({0}\right)}}", domain=(0.1, 10.0),
               total=False)
sqrt = _unary("sqrt", np.sqrt, "sqrt", lambda x, out: 1 / (2 * out), "sqrt", r"\sqrt{{{0}}}",
              domain=(0.1, 10.0), total=False)


def _sp_cbrt(x: Any) -> Any:
    import sympy
    return sympy.sign(x) * sympy.Abs(x) ** sympy.Rational(1, 3) if not x.is_nonnegative else sympy.cbrt(x)


def _mp_cbrt(x: Any) -> Any:
    import mpmath
    return mpmath.sign(x) * mpmath.cbrt(mpmath.fabs(x))  # the real cube root, as np.cbrt


cbrt = _unary("cbrt", np.cbrt, _mp_cbrt, lambda x, out: 1 / (3 * out * out), _sp_cbrt,
              r"\sqrt[3]{{{0}}}", sympy_heads=("cbrt",), takes_complex=False)

def _logaddexp(base: float) -> Callable[[float, float], float]:
    """log_b(b**x + b**y) for floats without overflow: the larger plus log1p of the smaller's share."""
    scale = math.log(base)

    def call(x: float, y: float) -> float:
        if x == y:   # the tie, and x = y = +-inf
            return x + math.log(2.0) / scale
        hi, lo = (x, y) if x > y else (y, x)
        return hi + math.log1p(math.exp((lo - hi) * scale)) / scale
    return call


def _mp_logaddexp_e(x: Any, y: Any) -> Any:
    import mpmath
    return mpmath.log(mpmath.exp(x) + mpmath.exp(y))


def _mp_logaddexp(base: int) -> Callable[..., Any]:
    def call(x: Any, y: Any) -> Any:
        import mpmath
        return mpmath.log(mpmath.power(base, x) + mpmath.power(base, y), base)
    return call


def _logistic(d: Any, power: Callable[[Any], Any]) -> Any:
    """b**d / (1 + b**d) written as b**min(d, 0) / (1 + b**-|d|): no overflow at any d, no cancellation;
    at d = 0 the conventions of min and abs (1/2, 0) give the true derivatives too."""
    return power(minimum(d, 0)) / (1 + power(-abs(d)))


# log(e**x + e**y) as a primitive: its partials are logistic functions of the difference (smooth at a
# tie, where max + log1p(exp(-|x - y|)) would put the abs kink into every second derivative; accurate
# and finite for large arguments, where e**(x - out) would cancel and 1/(1 + e**(y - x)) overflow).
logaddexp = define(
    "logaddexp", 2, numpy=np.logaddexp, mpmath=_mp_logaddexp_e, partials=(
        lambda x, y, out: _logistic(x - y, exp), lambda x, y, out: _logistic(y - x, exp)),
    sympy=lambda x, y: _sympy().log(_sympy().exp(x) + _sympy().exp(y)), source="np.logaddexp({0}, {1})",
    out_source=_out(np.logaddexp, 2), latex=r"\log\left(e^{{{0}}} + e^{{{1}}}\right)",
    pretty="logaddexp({0}, {1})", domain=((-3.0, 3.0), (-3.0, 3.0)), scalar=_logaddexp(math.e),
    commutative=True, takes_complex=False, names=("logaddexp",), ufuncs=("logaddexp",),
    doc="log(exp(x) + exp(y)) without overflow.\n\n>>> import hybriddiff as hd\n>>> hd.logaddexp(0.0, 0.0) == __import__('math').log(2)\nTrue")
logaddexp2 = define(
    "logaddexp2", 2, numpy=np.logaddexp2, mpmath=_mp_logaddexp(2), partials=(
        lambda x, y, out: _logistic(x - y, lambda t: pow(2, t)), lambda x, y, out: _logistic(y - x, lambda t: pow(2, t))),
    sympy=lambda x, y: _sympy().log(2 ** x + 2 ** y) / _sympy().log(2), source="np.logaddexp2({0}, {1})",
    out_source=_out(np.logaddexp2, 2), latex=r"\log_{{2}}\left(2^{{{0}}} + 2^{{{1}}}\right)",
    pretty="logaddexp2({0}, {1})", domain=((-3.0, 3.0), (-3.0, 3.0)), scalar=_logaddexp(2.0),
    commutative=True, takes_complex=False, names=("logaddexp2",), ufuncs=("logaddexp2",),
    doc="log2(2**x + 2**y) without overflow.\n\n>>> import hybriddiff as hd\n>>> hd.logaddexp2(1.0, 1.0)\n2.0")


def _sympy() -> Any:
    import sympy
    return sympy


# ---------------------------------------------------------------- trigonometric
sin = _unary("sin", np.sin, "sin", lambda x, out: cos(x), "sin", r"\sin{{\left({0}\right)}}",
             sympy_reciprocals=("csc",))
cos = _unary("cos", np.cos, "cos", lambda x, out: -sin(x), "cos", r"\cos{{\left({0}\right)}}",
             sympy_reciprocals=("sec",))
tan = _unary("tan", np.tan, "tan", lambda x, out: 1 + out * out, "tan", r"\tan{{\left({0}\right)}}",
             domain=(-1.2, 1.2), sympy_reciprocals=("cot",))
# (1 - x)(1 + x) rather than 1 - x*x: no cancellation near |x| = 1 (the same in arccos, arctanh, arccosh)
arcsin = _unary("arcsin", np.arcsin, "asin", lambda x, out: 1 / sqrt((1 - x) * (1 + x)), "asin",
                r"\arcsin{{\left({0}\right)}}", domain=(-0.9, 0.9), math_name="asin", names=("asin",),
                total=False)
arccos = _unary("arccos", np.arccos, "acos", lambda x, out: -1 / sqrt((1 - x) * (1 + x)), "acos",
                r"\arccos{{\left({0}\right)}}", domain=(-0.9, 0.9), math_name="acos", names=("acos",),
                total=False)
arctan = _unary("arctan", np.arctan, "atan", lambda x, out: 1 / (1 + x * x), "atan",
                r"\arctan{{\left({0}\right)}}", math_name="atan", names=("atan",))
arctan2 = define(
    "arctan2", 2, numpy=np.arctan2, mpmath=_mp("atan2"),
    partials=(lambda y, x, out: x / hypot(x, y) / hypot(x, y), lambda y, x, out: -y / hypot(x, y) / hypot(x, y)),
    sympy=_sp("atan2"), source="np.arctan2({0}, {1})", scalar_source="math.atan2({0}, {1})",
    out_source=_out(np.arctan2, 2), latex=r"\operatorname{{atan_2}}{{\left({0}, {1}\right)}}",
    pretty="arctan2({0}, {1})", domain=((-3.0, 3.0), (0.1, 3.0)), scalar=math.atan2,
    names=("arctan2", "atan2"), ufuncs=("arctan2",), sympy_heads=("atan2",), takes_complex=False,
    doc="arctan2(y, x): the angle of the point (x, y).\n\n>>> import hybriddiff as hd\n"
        ">>> hd.arctan2(1.0, 1.0) == __import__('math').pi / 4\nTrue")

# ---------------------------------------------------------------- hyperbolic
sinh = _unary("sinh", np.sinh, "sinh", lambda x, out: cosh(x), "sinh", r"\sinh{{\left({0}\right)}}",
              sympy_reciprocals=("csch",))
cosh = _unary("cosh", np.cosh, "cosh", lambda x, out: sinh(x), "cosh", r"\cosh{{\left({0}\right)}}",
              sympy_reciprocals=("sech",))
# 1 / cosh^2 rather than 1 - tanh^2, which is 0 for x > 19 (relative accuracy: 1.7e-17 at x = 20, not 0)
tanh = _unary("tanh", np.tanh, "tanh", lambda x, out: 1 / (cosh(x) * cosh(x)), "tanh", r"\tanh{{\left({0}\right)}}",
              sympy_reciprocals=("coth",))
arcsinh = _unary("arcsinh", np.arcsinh, "asinh", lambda x, out: 1 / hypot(x, 1), "asinh",
                 r"\operatorname{{arsinh}}{{\left({0}\right)}}", math_name="asinh", names=("asinh",))
arccosh = _unary("arccosh", np.arccosh, "acosh", lambda x, out: 1 / (sqrt(x - 1) * sqrt(x + 1)), "acosh",
                 r"\operatorname{{arcosh}}{{\left({0}\right)}}", domain=(1.1, 5.0), math_name="acosh",
                 names=("acosh",), total=False)
arctanh = _unary("arctanh", np.arctanh, "atanh", lambda x, out: 1 / ((1 - x) * (1 + x)), "atanh",
                 r"\operatorname{{artanh}}{{\left({0}\right)}}", domain=(-0.9, 0.9), math_name="atanh",
                 names=("atanh",), total=False)

# ---------------------------------------------------------------- non-smooth and piecewise constant


def _scalar_sign(x: float) -> float:
    return x if x != x else (1.0 if x > 0 else (-1.0 if x < 0 else 0.0))


def _scalar_heaviside(x: float) -> float:
    return x if x != x else (1.0 if x > 0 else (0.0 if x < 0 else 0.5))


def _np_heaviside(x: Any) -> Any:
    return np.heaviside(x, 0.5)


def _mp_piecewise(fn: Callable[[float], float]) -> Callable[..., Any]:
    def call(x: Any) -> Any:
        import mpmath
        return mpmath.mpf(fn(x)) if x == x else mpmath.mpf("nan")
    return call


def _sp_heaviside(x: Any) -> Any:
    import sympy
    return sympy.Heaviside(x, sympy.S.Half)


abs = _unary("abs", np.absolute, "fabs", lambda x, out: sign(x), "Abs", r"\left|{0}\right|",
             smooth=False, math_name="fabs", scalar_source="abs({0})", dunder="abs",
             names=("absolute", "fabs"), ufuncs=("absolute", "fabs"), kink=lambda x: x == 0,
             convention="d|x|/dx = sign(x): 0 at x = 0 (SymPy's)")
sign = _unary("sign", np.sign, _mp_piecewise(_scalar_sign), lambda x, out: 0, "sign",
              r"\operatorname{{sign}}{{\left({0}\right)}}", scalar=_scalar_sign, smooth=False,
              piecewise_constant=True, kink=lambda x: x == 0, convention="sign'(0) = 0 (piecewise constant)")
# np.heaviside's second argument (the value at 0) is checked where the ufunc is mapped (functions.py)
heaviside = _unary("heaviside", _np_heaviside, _mp_piecewise(_scalar_heaviside), lambda x, out: 0,
                   _sp_heaviside, r"\theta\left({0}\right)", scalar=_scalar_heaviside, smooth=False,
                   source="np.heaviside({0}, 0.5)", out_source="np.heaviside({0}, 0.5, out={out})",
                   sympy_heads=("Heaviside",), piecewise_constant=True, kink=lambda x: x == 0,
                   convention="heaviside'(0) = 0 (piecewise constant)")
floor = _unary("floor", np.floor, "floor", lambda x, out: 0, "floor",
               r"\left\lfloor{{{0}}}\right\rfloor", scalar=lambda x: float(math.floor(x)), smooth=False,
               piecewise_constant=True, dunder="floor", kink=lambda x: x == _whole(x),
               convention="floor' = 0 at its jumps too (piecewise constant)")
ceil = _unary("ceil", np.ceil, "ceil", lambda x, out: 0, "ceiling",
              r"\left\lceil{{{0}}}\right\rceil", scalar=lambda x: float(math.ceil(x)), smooth=False,
              piecewise_constant=True, names=("ceiling",), dunder="ceil", kink=lambda x: x == _whole(x),
              convention="ceil' = 0 at its jumps too (piecewise constant)")

hypot = define(
    "hypot", 2, numpy=np.hypot, mpmath=_mp("hypot"),
    partials=(lambda x, y, out: x / out, lambda x, y, out: y / out),
    sympy=_sp("codegen.cfunctions.hypot"), source="np.hypot({0}, {1})", scalar_source="math.hypot({0}, {1})",
    out_source=_out(np.hypot, 2), latex=r"\sqrt{{{0}^{{2}} + {1}^{{2}}}}", pretty="hypot({0}, {1})",
    domain=((-3.0, 3.0), (-3.0, 3.0)), scalar=math.hypot, commutative=True, names=("hypot",),
    takes_complex=False,
    ufuncs=("hypot",), sympy_heads=("hypot",),
    doc="hypot(x, y) = sqrt(x**2 + y**2) without overflow.\n\n>>> import hybriddiff as hd\n"
        ">>> hd.hypot(3.0, 4.0)\n5.0")


def _sp_max(x: Any, y: Any) -> Any:
    import sympy
    return sympy.Max(x, y)


def _sp_min(x: Any, y: Any) -> Any:
    import sympy
    return sympy.Min(x, y)


def _mp_choice(pick: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    def call(x: Any, y: Any) -> Any:
        import mpmath
        return mpmath.mpf("nan") if x != x or y != y else pick(x, y)
    return call


def _choice(name: str, pick: Callable[[Any, Any], Any], scalar: Callable[[Any, Any], Any],
            sympy_fn: Callable[..., Any], latex: str, alias: str, head: str, which: str) -> Primitive:
    """maximum or minimum; at a tie each argument gets half the derivative (Heaviside(0) = 1/2)."""
    first, second = (lambda x, y, out: heaviside(x - y)), (lambda x, y, out: heaviside(y - x))
    return define(
        name, 2, numpy=getattr(np, name), mpmath=_mp_choice(lambda x, y: x if pick(x, y) else y),
        partials=(first, second) if name == "maximum" else (second, first), sympy=sympy_fn,
        source=f"np.{name}({{0}}, {{1}})", out_source=_out(getattr(np, name), 2),
        latex=latex, pretty=f"{name}({{0}}, {{1}})", domain=((-3.0, 3.0), (-3.0, 3.0)),
        scalar=scalar,
        commutative=True, smooth=False, names=(name, alias), ufuncs=(name, f"f{alias}"),
        sympy_heads=(head,), sympy_nary=True, kink=lambda x, y: x == y,
        convention=f"{name} at a tie x = y: each argument gets half the derivative (SymPy's Heaviside(0) = 1/2)",
        doc=f"The {which} of x and y, elementwise (a tie splits the derivative 1/2, 1/2).\n\n"
            f">>> import hybriddiff as hd\n>>> hd.{name}(2.0, 3.0)\n{3.0 if name == 'maximum' else 2.0}")


# the scalar paths give x + y (nan) when either is nan, as NumPy does
maximum = _choice("maximum", lambda x, y: x >= y, lambda x, y: x if x >= y else (y if y > x else x + y),
                  _sp_max, r"\max\left({0}, {1}\right)", "max", "Max", "larger")
minimum = _choice("minimum", lambda x, y: x <= y, lambda x, y: x if x <= y else (y if y < x else x + y),
                  _sp_min, r"\min\left({0}, {1}\right)", "min", "Min", "smaller")

__all__ = list(PRIMITIVES) + ["power", "PRIMITIVES", "Primitive"]
