"""The complex step: f'(x) = Im f(x + ih) / h, with no subtraction and so no cancellation.

It needs f to accept complex input and to be analytic there: functions written with hybriddiff's
``hd.*`` or NumPy's ``np.*`` are; ``math.*`` functions reject complex numbers (TypeError), and abs,
maximum/minimum, floor and comparisons drop or refuse the imaginary part. Both cases raise an
error that says so and suggests a real scheme.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..core.checks import name_of, scalar_output, vector_outputs
from ..core.dispatch import Box, bind, new_level
from ..core.overloads import Operators
from ..core.record import Primitive
from ..errors import DifferentiationError, UnsupportedOperationError
from .fixed import Estimate
from .probe import Line, Outside
from .stencils import EPS, default_step

COMPLEX_ULPS = 32.0   # the result is about as good as f's own value, a few ulps with some conditioning
TRIALS, TRIALS_SEED = 3, 2026   # randomly rounded runs behind the estimate (with full output)
SPREAD = 10.0                   # the estimate: this many times the largest change they show
ADVICE = ("write f with hd.* or np.* functions, or use a real scheme ('central', 'five-point', "
          "'richardson')")


class Analytic(Operators, Box):
    """The point x + ih on its way through f: every operation must be analytic (complex-
    differentiable), else the imaginary part no longer carries the derivative. hybriddiff's
    non-smooth functions (abs, sign, maximum, floor, ...; Python's ``abs`` too) raise instead of
    silently taking a modulus; comparisons branch on the real part, as the real f would."""

    __slots__ = ("value", "_level", "jitter")

    def __init__(self, value: complex, level: int, jitter: np.random.Generator | None = None):
        self.value, self._level, self.jitter = value, level, jitter

    def _hd_apply(self, prim: Primitive, args: tuple) -> "Analytic":
        if not prim.smooth:
            raise UnsupportedOperationError(
                f"{prim.name} is not analytic (complex-differentiable), so the complex step cannot "
                f"differentiate through it")
        if not prim.takes_complex:
            raise UnsupportedOperationError(
                f"NumPy's {prim.name} does not accept complex numbers, so the complex step cannot "
                f"differentiate through it")
        values = [a.value if type(a) is Analytic and a._level == self._level else a for a in args]
        out = bind(prim, *values)
        if self.jitter is not None:   # a trial run: each part of each result off by up to an ulp
            out = _jittered(out, self.jitter)
        return Analytic(out, self._level, self.jitter)

    def _not_analytic(self, what: str) -> Any:
        raise UnsupportedOperationError(f"{what} is not analytic (complex-differentiable), so the complex "
                                        f"step cannot differentiate through it")

    real = property(lambda self: self._not_analytic("the real part"))
    imag = property(lambda self: self._not_analytic("the imaginary part"))

    def conjugate(self) -> Any:
        return self._not_analytic("the complex conjugate")

    conj = conjugate

    def _hd_compare(self, op: Any, other: Any, name: str) -> bool:
        other = other.value if type(other) is Analytic and other._level == self._level else other
        return bool(op(np.real(self.value), np.real(other)))


def _jittered(value: Any, rng: np.random.Generator) -> Any:
    u = rng.uniform(-EPS, EPS, 2)
    return complex(value.real * (1 + u[0]), value.imag * (1 + u[1]))


def _unwrap(out: Any) -> Any:
    if type(out) is Analytic:
        return out.value
    if isinstance(out, (list, tuple)):
        return type(out)(_unwrap(o) for o in out)
    if isinstance(out, np.ndarray) and out.dtype == object:
        return np.array([_unwrap(o) for o in out.ravel()]).reshape(out.shape)
    return out


def _is_complex(v: Any) -> bool:
    if isinstance(v, np.ndarray):
        return v.dtype.kind == "c"
    return isinstance(v, (complex, np.complexfloating)) or type(v).__name__ == "mpc"


def _complex_parts(line: Line, out: Any) -> tuple[np.ndarray, list[int]]:
    """The outputs as a complex array, and the indices of those that came back real."""
    many = line.vector and (isinstance(out, (list, tuple)) or (isinstance(out, np.ndarray) and out.ndim > 0))
    line.calls.one_output = not many
    items = vector_outputs(out, line.where) if many else [scalar_output(out, line.where)]
    real = [i for i, v in enumerate(items) if not _is_complex(v)]
    return np.array([complex(v) for v in items]), real


def complex_step(line: Line, h: float, full: bool) -> Estimate:
    """f'(x) = Im f(x + ih) / h: no subtraction, so no cancellation (f must be analytic)."""
    try:
        out = _unwrap(line.call(Analytic(complex(line.x0, h), new_level())))
    except UnsupportedOperationError as exc:  # a non-analytic piece, math.* on the point, ...
        raise UnsupportedOperationError(
            f"{line.where}: complex-step cannot differentiate {name_of(line.f)}: it does not accept "
            f"complex numbers or is not analytic there ({exc}); {ADVICE}") from exc
    except (Outside, DifferentiationError) as exc:
        reason = exc.reason if isinstance(exc, Outside) else str(exc)
        raise UnsupportedOperationError(
            f"{line.where}: complex-step evaluates f at the complex point x + ih, and {name_of(line.f)} "
            f"failed there ({reason}): it does not accept complex numbers (math.* functions, "
            f"comparisons such as x > 0 and floor do not); {ADVICE}") from exc
    values, real = _complex_parts(line, out)
    # Every operation on x + ih went through Analytic (non-analytic ones raise), so an output that
    # came back real does not depend on this coordinate at all: its derivative is exactly 0.
    if not np.all(np.isfinite(values)):
        raise DifferentiationError(f"{line.where}: {name_of(line.f)} is not finite at x + ih "
                                   f"(x={line.x0!r}): f = {values}")
    value = values.imag / h
    note = (f"output(s) {real} do not depend on this coordinate (derivative 0)") if real else ""
    if np.any(np.abs(values.imag) > 1e3 * h * (1 + np.abs(values.real))):
        # a large imaginary part: a steep analytic f, or a singularity (log at 0, arcsin at 1)
        # where Im f(x + ih) / h does not converge. A second, smaller step tells them apart.
        again = _unwrap(line.call(Analytic(complex(line.x0, h / 1024), new_level())))
        second = np.array([complex(v) for v in (again if line.vector and not line.calls.one_output else [again])]).imag * 1024 / h
        if not np.allclose(second, value, rtol=1e-6, atol=0):
            raise DifferentiationError(
                f"{line.where}: {name_of(line.f)} is not differentiable at x = {line.x0!r}: the complex "
                f"step does not converge there ({value} at h = {h:g}, {second} at h/1024)")
    if not full:
        return Estimate(value, np.full(value.shape, np.nan), h, note)
    # Truncation h^2 f'''/6 is far below rounding for h ~ 1e-20. Rounding: a few ulps of |f'|,
    # amplified like f's own rounding errors, by (about) f's condition number at x.
    # And at least what rounding does to this very computation: cancellation inside the complex
    # arithmetic (arcsin(x) - x near 0, whose imaginary parts cancel) shows in neither f nor f'.
    before = line.calls.n
    condition = abs(line.x0) * np.abs(value) / np.maximum(np.abs(values.real), 1.0)
    error = np.maximum(COMPLEX_ULPS * EPS * np.abs(value) * (1 + condition), _rounding_spread(line, h, value))
    return _check_real(line, values, value, error, h, note, before)


def _rounding_spread(line: Line, h: float, value: np.ndarray) -> np.ndarray:
    """SPREAD times the largest change of Im f(x + ih) / h over TRIALS runs with every operation's
    result rounded off by up to an ulp at random (seeded: the same estimate every time)."""
    rng = np.random.default_rng(TRIALS_SEED)
    worst = np.zeros(value.shape)
    for _ in range(TRIALS):
        out = _unwrap(line.call(Analytic(complex(line.x0, h), new_level(), rng)))
        items = out if line.vector and not line.calls.one_output else [out]
        trial = np.array([complex(v) for v in items]).imag / h
        worst = np.maximum(worst, np.abs(trial - value))
    return SPREAD * worst


def _check_real(line: Line, values: np.ndarray, value: np.ndarray, error: np.ndarray, h: float,
                note: str, before: int) -> Estimate:
    """With full output: f at the real x too, which the real part must reproduce (else the complex
    continuation is not f: outside f's real domain, or a branch the real f does not take). The
    evaluations since ``before`` were made for the estimate only."""
    try:
        real = line(line.x0)
    except Outside as exc:
        raise DifferentiationError(
            f"{line.where}: {name_of(line.f)} is not finite at the real x={line.x0!r} ({exc.reason}), "
            f"so the complex step's value would belong to a complex continuation, not to f") from exc
    # Re f(x + ih) = f(x) - f''(x) h^2 / 2 + ...: where f(x) = 0 (log at 1) that is all there is
    off = np.abs(values.real - real) > 1e-8 * (np.abs(real) + h * (1 + np.abs(value)))
    if np.any(off):
        error = np.where(off, np.inf, error)
        note = "; ".join(n for n in (note, (
            "no error bound: Re f(x + ih) differs from f(x), so f's complex continuation is not f "
            "near x (a non-analytic piece?): check with a real scheme")) if n)
    return Estimate(value, error, h, note, line.calls.n - before, default_step(line.x0, 2))


__all__ = ["complex_step"]
