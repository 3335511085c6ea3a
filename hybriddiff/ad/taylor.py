"""Taylor mode: truncated Taylor series pushed through f, derived from the primitive table's partials.

A ``Taylor`` value holds coefficients c_0 .. c_n of x(t) = c_0 + c_1 t + ... + c_n t^n (c_k is the
k-th derivative over k!). For u = phi(v) the chain rule u' = phi'(v) v' gives, coefficient by
coefficient,

    u_k = (1/k) sum_{j=1..k} j v_j w_{k-j},   w = phi'(v)  (one such sum per argument),

and w is the table's own partial evaluated on Taylor values: a series itself, built from the same
rule one order lower (add, mul and div then reduce to their familiar direct formulas). So a new
primitive needs no code here. Coefficients are computed on demand and kept (``_coef``); a value made
by ``f`` itself is completed to full order as soon as it is made, so every coefficient a partial asks
for is at most one step away: a long chain of operations never recurses along the chain, only down
the (few) orders. Cost: O(n^2) per operation for n coefficients.
"""
from __future__ import annotations

import math
from fractions import Fraction
import threading
import weakref
from typing import Any, Callable, Sequence

import numpy as np

from ..core.checks import as_point, call_function, scalar_output, vector_outputs
from ..core.dispatch import Box, BoxArray, constant_result, new_level
from ..core.domain import defined_only
from ..core.overloads import Operators
from ..core.record import Primitive

EAGER_LEVEL = 3   # a hand-built Taylor outranks hand-built Duals and Variables


class _Depth(threading.local):
    depth = 0     # > 0 while coefficients are being computed: values made then stay on demand


_FORCING = _Depth()


class Taylor(Operators, Box):
    """A truncated Taylor series: ``coefficients`` c_0..c_n (c_k = x^(k)(0) / k!).

    >>> import hybriddiff as hd
    >>> t = hd.exp(Taylor([0.0, 1.0, 0.0, 0.0]))       # exp(0 + t) to order 3
    >>> t.coefficients
    [1.0, 1.0, 0.5, 0.16666666666666666]
    """

    __slots__ = ("_c", "order", "_prim", "_args", "_partials", "_level", "_uses", "__weakref__")

    def __init__(self, coefficients: Sequence[Any], level: int | None = None):
        coefficients = [float(c) if type(c) in (int, np.float64) else c for c in coefficients]
        if not coefficients:
            raise ValueError("hd.Taylor needs at least one coefficient (the value)")
        self._c, self.order = coefficients, len(coefficients) - 1
        self._prim, self._args, self._partials, self._uses = None, (), None, None
        inner = max((getattr(c, "_level", -1) for c in coefficients), default=-1)
        self._level = level if level is not None else max(EAGER_LEVEL, inner + 1)

    @property
    def value(self) -> Any:
        """The primal value c_0."""
        return self._coef(0)

    @property
    def coefficients(self) -> list:
        """c_0 .. c_n (computed now if not yet)."""
        return [self._coef(k) for k in range(self.order + 1)]

    @property
    def derivatives(self) -> list:
        """k! c_k: the derivatives along the seed direction, order 0..n."""
        return [times_factorial(c, k) for k, c in enumerate(self.coefficients)]

    def _coef(self, k: int) -> Any:
        c = self._c
        while len(c) <= k:   # the next coefficient, from lower ones only
            c.append(self._next(len(c)))
        return c[k]

    def _next(self, k: int) -> Any:
        if k == 0:
            return self._prim(*[_coef(a, 0, self._level) for a in self._args])
        series = _SERIES.get(self._prim.dunder)
        if series is not None:
            level = self._level
            return series(*[_series_of(a, level) for a in self._args], self._coef, k)
        if self._partials is None:
            self._partials = _partials(self._prim, self._args, self)
        total = None
        for a, w in zip(self._args, self._partials):
            if w is None:
                continue
            for j in range(1, k + 1):
                term = j * _coef(a, j, self._level) * _coef(w, k - j, self._level)
                total = term if total is None else total + term
        return 0.0 if total is None else total / k

    def _hd_apply(self, prim: Primitive, args: tuple) -> Any:
        level = self._level
        if prim.piecewise_constant or prim.strong_zero:   # a constant for sure: derivative 0
            constant = constant_result(prim, args, self._coef(0))
            if constant is not None:
                return constant
        owner = next(a for a in args if _same(a, level))
        key = (prim.name, tuple(("box", id(a)) if isinstance(a, Box) else ("value", type(a), a) for a in args))
        if _FORCING.depth:   # inside a partial: the same expression again is the same series
            shared = owner._uses.get(key) if owner._uses is not None else None
            if shared is not None:
                return shared
        node = Taylor.__new__(Taylor)
        node._c, node._prim, node._args, node._partials, node._level = [], prim, args, None, level
        node._uses = None
        node.order = min(a.order for a in args if _same(a, level))
        if _FORCING.depth:
            if owner._uses is None:
                owner._uses = weakref.WeakValueDictionary()
            owner._uses[key] = node
        else:   # made by f itself: complete it now (see the module's docstring)
            _FORCING.depth += 1
            try:
                node._coef(node.order)
            finally:
                _FORCING.depth -= 1
        return node

    def _hd_compare(self, op: Callable[[Any, Any], bool], other: Any, name: str) -> bool:
        if _same(other, self._level):
            other = other._coef(0)
        return op(self._coef(0), other)

    def __repr__(self) -> str:
        return f"Taylor(coefficients={self.coefficients!r})"

    __str__ = __repr__


def _quotient(a: Any, b: Any) -> Any:
    try:
        return a / b
    except ZeroDivisionError:   # Python floats: NumPy's inf/nan (and warning), as in every mode
        return float(np.float64(a) / np.float64(b))


# The algebra of truncated series for + - * / (u_k from the arguments' coefficients x(j), y(j) and
# the result's own lower ones u(j)). Not derivative rules (those stay in the table, and the general
# path derives every other primitive from them): these are what the partials of + - * / reduce to,
# written out so that a quotient's partial -u / y does not make a new quotient for every order
# (2^n work). Selected by the records' ``dunder`` field.
# A constant argument has no coefficients above c_0 (None): its terms are left out, not multiplied
# as 0.0 (0 * inf would make x / 0's series nan where every mode gives inf).
def _z(c: Any) -> Any:
    return 0.0 if c is None else c


def _products(pairs: Any) -> Any:
    return sum((a * b for a, b in pairs if a is not None and b is not None), 0.0)


_SERIES: dict[str | None, Callable[..., Any]] = {
    "add": lambda x, y, u, k: _z(x(k)) + _z(y(k)),
    "sub": lambda x, y, u, k: _z(x(k)) - _z(y(k)),
    "neg": lambda x, u, k: -x(k),
    "mul": lambda x, y, u, k: _products((x(j), y(k - j)) for j in range(k + 1)),
    "truediv": lambda x, y, u, k: _quotient(_z(x(k)) - _products((y(j), u(k - j)) for j in range(1, k + 1)),
                                            y(0)),
}


def _series_of(a: Any, level: int) -> Callable[[int], Any]:
    """k -> coefficient k of an argument: a Taylor value of this level, else a constant (None above 0)."""
    if _same(a, level):
        return a._coef
    return lambda k: a if k == 0 else None


def _same(a: Any, level: int) -> bool:
    return type(a) is Taylor and a._level == level


def _coef(x: Any, k: int, level: int) -> Any:
    """Coefficient k of an argument: a Taylor value of this level, else a constant (0 above k = 0)."""
    if _same(x, level):
        return x._coef(k)
    return x if k == 0 else 0.0


def _partials(prim: Primitive, args: tuple, out: Taylor) -> list:
    """phi's partials as Taylor series (None for a constant argument): the table's rules evaluated on
    the arguments and the result themselves."""
    level = out._level
    # plain floats as NumPy scalars: 1 / 0.0 is then inf (with NumPy's warning), as in every mode
    args = tuple(np.float64(a) if type(a) is float else a for a in args)
    return [prim.partials[i](*args, out) if _same(a, level) else None for i, a in enumerate(args)]


# ---------------------------------------------------------------- the operator
def taylor(f: Callable[..., Any], x: Any, order: int, direction: Any = None) -> "TaylorResult":
    """The Taylor coefficients of t -> f(x + t * direction) at t = 0, up to ``order``: for f: R -> R
    (direction 1) the derivatives f^(k)(x) = k! c_k; for several inputs, directional derivatives.

    >>> import hybriddiff as hd
    >>> r = hd.taylor(lambda x: hd.exp(x * x - x) / x, 2.0, 3)
    >>> [round(d, 10) for d in r.derivatives]
    [3.6945280495, 9.2363201237, 31.4034884205, 119.1485295953]
    """
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 0:
        raise ValueError(f"hd.taylor: order must be a whole number >= 0, got {order!r}")
    if not callable(f):
        raise TypeError(f"hd.taylor: expected a function, got a {type(f).__name__}")
    x = as_point(x, "x", "hd.taylor")
    level = new_level()
    if isinstance(x, np.ndarray):
        d = np.ones(len(x)) if direction is None else np.asarray(direction, dtype=float)
        if d.shape != x.shape:
            raise ValueError(f"hd.taylor: direction has shape {d.shape}, x {x.shape}")
        leaves = np.empty(len(x), dtype=object).view(BoxArray)
        leaves[:] = [_leaf(v, t, order, level) for v, t in zip(x.tolist(), d.tolist())]
        arg = leaves
    else:
        if direction is not None and np.ndim(direction):
            raise ValueError("hd.taylor: a scalar x takes a scalar direction")
        arg = _leaf(x, 1.0 if direction is None else float(direction), order, level)
    out = call_function(f, [arg], "hd.taylor")
    if isinstance(out, (list, tuple)) or (isinstance(out, np.ndarray) and out.ndim > 0):
        rows = [_series(o, level, order) for o in vector_outputs(out, "hd.taylor")]
        return TaylorResult(np.array(rows, dtype=object if _boxed(rows) else float))
    return TaylorResult(_series(scalar_output(out, "hd.taylor"), level, order))


def _series(out: Any, level: int, order: int) -> list:
    """One output's coefficients (a constant output: its value, then zeros); nan past c_0 where f's
    value is nan: no derivative where f is undefined, as in every mode (``core/domain.py``)."""
    coefficients = [_plain(c) for c in (out.coefficients if _same(out, level) else [out] + [0.0] * int(order))]
    return coefficients[:1] + defined_only(coefficients[1:], coefficients[:1])


def _boxed(rows: list) -> bool:
    return any(isinstance(c, Box) for row in rows for c in row)


def _leaf(value: Any, slope: float, order: int, level: int) -> Any:
    if order == 0:
        return Taylor([value], level)
    return Taylor([value, slope] + [0.0] * (int(order) - 1), level)


def _plain(c: Any) -> Any:
    return c.item() if isinstance(c, np.generic) else c


def times_factorial(c: Any, k: int) -> Any:
    """The derivative k! c_k from a coefficient, rounded once (exact product for a float c: k! c
    overflows to +-inf only where the derivative does). Where the coefficient cannot carry it, nan:
    a subnormal c has lost its precision, and from k = 171 (k! past every float) a coefficient 0 may
    be an underflow of a nonzero one (exp's 1/200! is 0 in float64, its 200th derivative 1).

    >>> times_factorial(1e-300, 100) > 1e-143, times_factorial(0.0, 100), times_factorial(-1.0, 200)
    (True, 0.0, -inf)
    >>> times_factorial(1e-310, 170), times_factorial(0.0, 200)
    (nan, nan)
    """
    if type(c) is float and math.isfinite(c):
        if (c != 0.0 and abs(c) < _TINY) or (c == 0.0 and k > 170):
            return math.nan
        try:
            return float(Fraction(c) * math.factorial(k))
        except OverflowError:
            return math.copysign(math.inf, c)
    return c * float(math.factorial(k)) if k <= 170 else c * math.factorial(k)


_TINY = 2.2250738585072014e-308   # the smallest normal float64


class TaylorResult:
    """``coefficients`` c_0..c_n and ``derivatives`` k! c_k of one Taylor-mode pass: lists for a
    scalar f, arrays of shape (outputs, n + 1) for a vector f. A derivative the float coefficient
    cannot carry (subnormal, or 0 beyond order 170: see ``times_factorial``) is nan, never a wrong
    number; scaling the direction (c_k grows by s^k) brings such coefficients back into range."""

    def __init__(self, coefficients: Any) -> None:
        self.coefficients = coefficients
        if isinstance(coefficients, np.ndarray):
            self.derivatives = np.array([[times_factorial(c, k) for k, c in enumerate(row)] for row in coefficients],
                                        dtype=coefficients.dtype)
        else:
            self.derivatives = [times_factorial(c, k) for k, c in enumerate(coefficients)]

    def __repr__(self) -> str:
        return f"TaylorResult(derivatives={self.derivatives!r})"


def nth_derivative(f: Callable[[Any], Any], x: float, order: int) -> Any:
    """``hd.derivative(f, x, method="taylor", order=n)``: one pass of n + 1 coefficients."""
    return taylor(f, x, order).derivatives[order]


__all__ = ["Taylor", "taylor", "TaylorResult", "nth_derivative"]
