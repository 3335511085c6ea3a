"""Richardson extrapolation of central differences over a short geometric sequence of steps.

Steps h0, h0/2, h0/4, ... (h0 = sqrt(max(1, |x|))/4); each new central difference D(h) = f' + a h^2 + b h^4
+ ... adds one row to the Richardson table, each column eliminating the next power of h. As in
Ridders' method, an entry's error is estimated by its distance to its neighbours (here also the one
below it, so that an entry counts only once the next row confirms it), the best entry is kept, and the
table stops when the estimates reach the rounding floor or grow because of rounding. The best entry
must agree with the last plain central difference as far as that one's own truncation error (estimated
from the row above) allows; else the table converged falsely (steps too large for f, e.g. all
differences near 0) and no bound is given. A smooth function
costs 10 to 20 evaluations of f for about 13 digits. Near a domain edge the steps start small enough
to stay inside; if x sits on the edge the table runs on a one-sided stencil instead.
"""
from __future__ import annotations

import numpy as np

from ..errors import DifferentiationError
from .edge import locate, one_sided_fallback
from .fixed import Estimate, apply_stencil, lost_note, rounding
from .probe import Line
from .stencils import Stencil, central, exact_step

START = 0.25        # h0 = START * sqrt(max(1, |x|)): x's scale, but not for periodic f at large x
STEPS = 10          # at most 10 steps: 20 evaluations for a first derivative
SAFETY = 2.0        # error estimate: twice the largest neighbour distance, plus rounding
GROWTH = 2.0        # Ridders: stop once the diagonal moves by more than GROWTH x the best error ...
NOISY = 1e3         # ... while the best error is within NOISY x of this row's rounding error
LOST = 0.5          # a relative error estimate above this: no bound at all
UNSETTLED = 100.0   # plain differences still changing more with each halving, this far above rounding,
GROWING = 4         # the last 4 times in a row: the steps never reached f's smooth range


def _start(line: Line, stencil: Stencil, h: float, user_h: bool) -> tuple[Stencil, float, list[int], str]:
    """A first step whose stencil is inside f's domain, and the powers of h its errors follow."""
    _, failed, _ = apply_stencil(line, stencil, h)
    even = [stencil.accuracy + 2 * j for j in range(STEPS)]
    if not failed:
        return stencil, h, even, ""
    edge = locate(line, stencil, h, failed, search=not user_h)
    if edge.good and not user_h:
        start = exact_step(line.x0, edge.good)
        _, inside, _ = apply_stencil(line, stencil, start)
        if not inside:
            return stencil, start, even, (f"f is outside its domain at x{edge.side * edge.bad:+.3g} "
                                          f"({edge.first.reason}); the steps start at h={start:.3g}, "
                                          f"inside it")
    one, _, note = one_sided_fallback(line, stencil, h, failed, user_h=True)
    return one, h, [one.accuracy + j for j in range(STEPS)], note


def _cost(line: Line, stencil: Stencil, h: float) -> int:
    """How many new evaluations of f the stencil at step h needs (the rest are cached)."""
    points = [line.x0 + o * h for o, _ in stencil.used()]
    return sum(1 for t in points if (line.calls.center if t == line.x0 else line.cache.get(t)) is None)


class _Table:
    """The Richardson table, each entry's error estimate (distance to its neighbours left, up-left
    and below, plus its row's rounding), and the best entry among those a lower row confirmed."""

    def __init__(self, powers: list[int]):
        self.powers, self.rows, self.errors, self.noises, self.steps = powers, [], [], [], []
        self.best = self.best_err = self.floor = None
        self.at = 0

    def add(self, value: np.ndarray, noise: np.ndarray, h: float) -> None:
        i, prev = len(self.rows), self.rows[-1] if self.rows else []
        row = [value]
        for j in range(1, i + 1):
            row.append(row[j - 1] + (row[j - 1] - prev[j - 1]) / (2.0 ** self.powers[j - 1] - 1))
        self.errors.append([None] + [np.maximum(np.abs(row[j] - row[j - 1]), np.abs(row[j] - prev[j - 1]))
                                     for j in range(1, i + 1)])
        for j in range(1, i):  # the row above is now confirmed (or not) by this one
            self.errors[i - 1][j] = np.maximum(self.errors[i - 1][j], np.abs(row[j] - prev[j]))
        self.rows.append(row)
        self.noises.append(noise)
        self.steps.append(h)
        if i >= 2:
            self._consider(i - 1)

    def _consider(self, i: int) -> None:
        if self.best is None:
            first = self.rows[0][0]
            self.best, self.best_err, self.floor = first, np.full(first.shape, np.inf), self.noises[0]
        for j in range(1, i + 1):
            err = self.errors[i][j] + self.noises[i]
            better = err < self.best_err
            if np.any(better):
                self.at = i
                self.best = np.where(better, self.rows[i][j], self.best)
                self.best_err = np.where(better, err, self.best_err)
                self.floor = np.where(better, self.noises[i], self.floor)

    def consistent(self) -> np.ndarray:
        """Does the best entry agree with the last plain difference, given that one's truncation
        error (predicted from the difference to the row above) and rounding?"""
        if len(self.rows) < 2:
            return np.full(self.best.shape, False)
        last, above = self.rows[-1][0], self.rows[-2][0]
        predicted = np.abs(above - last) / (2.0 ** self.powers[0] - 1)
        return np.abs(self.best - last) <= 10 * (predicted + self.best_err + self.noises[-1])

    def settling(self) -> np.ndarray:
        """Do the plain differences settle at the last steps? Changes that grow GROWING times in a
        row, with one sign, well above rounding, mean the steps never reached the range where
        D(h) = f' + a h^2 + ...: straddling a kink 1e-4 from x, D(h) = 1 + c/h, and an early entry
        of the table only looks converged."""
        if len(self.rows) < GROWING + 1:
            return np.full(self.best.shape, True)
        plain = [row[0] for row in self.rows[-GROWING - 1:]]
        changes = [b - a for a, b in zip(plain, plain[1:])]
        # the same sign and growing every time: noise in f's values (random signs) rarely does that
        steady = np.all([np.sign(c) == np.sign(changes[-1]) for c in changes], axis=0)
        growing = np.all([np.abs(b) > np.abs(a) for a, b in zip(changes, changes[1:])], axis=0)
        return ~(steady & growing) | (np.abs(changes[-1]) <= UNSETTLED * self.noises[-1])

    def finish(self) -> None:
        """With too few rows for any confirmation, the last row's entries count as they are."""
        if self.best is None or len(self.rows) == 2:
            self._consider(len(self.rows) - 1)


def _table(line: Line, stencil: Stencil, h0: float, powers: list[int], budget: int) -> Estimate:
    """Rows of the extrapolation table until the error estimates reach rounding level or grow."""
    table = _Table(powers)
    for i in range(STEPS):
        h = exact_step(line.x0, h0 / 2 ** i)
        if i and line.calls.n + _cost(line, stencil, h) > budget:
            break
        value, failed, scale = apply_stencil(line, stencil, h)
        if failed:
            break
        table.add(value, rounding(line, stencil, h, scale, value), h)
        if i < 2:
            continue
        err, noise = table.best_err, table.noises[-1]
        moved = np.abs(table.rows[-1][i] - table.rows[-2][i - 1])
        if np.all(((moved > GROWTH * err) & (err < NOISY * noise)) | (err <= 2 * noise)):
            break  # converged to the rounding floor, or rounding has taken over
    if not table.rows:  # not even the first step could be evaluated: x sits on a pole or edge
        raise DifferentiationError(f"{line.where}: f is not finite around x = {line.x0!r} at any "
                                   f"step richardson tried, so it cannot be differentiated there")
    table.finish()
    error = SAFETY * table.best_err
    lost = ((error > LOST * np.abs(table.best)) & (error > 100 * table.floor)) | ~table.consistent()
    probe = table.steps[-3] if len(table.steps) >= 3 else table.steps[0]  # the kink check's s
    unsettled = ~table.settling()
    if np.any(unsettled & ~lost):
        return Estimate(table.best, np.where(lost | unsettled, np.inf, error), table.steps[table.at],
                        f"no error bound: the differences still grew at the smallest step "
                        f"h={table.steps[-1]:.3g}, so f changes on a scale below it (a kink or a "
                        f"singularity near x?); pass a smaller h", probe=probe)
    if np.any(lost):
        return Estimate(table.best, np.where(lost, np.inf, error), table.steps[table.at],
                        lost_note("the extrapolation table did not settle"), probe=probe)
    return Estimate(table.best, error, table.steps[table.at], probe=probe)


def richardson(line: Line, order: int = 1, h: float | None = None) -> Estimate:
    """The extrapolated derivative of the given order at ``line.x0``, its error estimate, note."""
    stencil = central(order)
    user_h = h is not None
    points = stencil.used()
    budget = line.calls.n + STEPS * sum(1 for o, _ in points if o) + any(o == 0 for o, _ in points)
    h0 = exact_step(line.x0, h if user_h else START * max(1.0, abs(line.x0)) ** 0.5)
    stencil, h0, powers, note = _start(line, stencil, h0, user_h)
    result = _table(line, stencil, h0, powers, budget)
    result.note = "; ".join(n for n in (note, result.note) if n)
    if stencil != central(order):  # one-sided at a domain edge: no two sides to compare
        result.probe = None
    return result


__all__ = ["richardson", "START", "STEPS"]
