"""Step-size studies: the error of each finite-difference scheme across step sizes h.

Truncation error falls like h^p while rounding error grows like eps/h^k, so each scheme's error
curve is a V whose bottom is its best step (Baydin et al. 2018, figure 3). ``step_study`` measures
the curves against a 50-digit reference and marks, per scheme, the step of minimum error and the
step chosen automatically (``h=None``).

Every scheme is evaluated on one grid of strictly positive steps: each h rounded so that
(x + h) - x == h; steps that round to 0 (below the spacing of floats at x) or to a step already in
the grid are dropped, and the footnote says how many. A best step is only reported against an
exact, finite reference: where the derivative is infinite, does not exist (a kink or a jump), f is
undefined, or the reference is only a richardson estimate (f does not compute with mpmath), the
title says so instead.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from ..comparison.reference import examine, reference
from ..core.checks import name_of
from ..display.format import jsonable, scientific
from ..display.plotting import axes
from ..display.table import Table
from ..errors import DifferentiationError
from ..finite.difference import finite_difference
from ..finite.probe import Line, quiet
from ..finite.schemes import scheme_named

DEFAULT_SCHEMES = ("forward", "central", "five-point", "complex-step")


def default_hs() -> np.ndarray:
    """49 steps from 1e-16 to 1, three per decade."""
    return np.logspace(-16, 0, 49)


def mp_reference(f: Callable[[Any], Any], x: float, order: int = 1) -> tuple[float, str, str]:
    """f's derivative at x at 50 digits, its note, and why no best step can be judged against it
    ("" when it can: an exact, finite derivative). First derivatives use the comparison's
    ``examine`` (which also finds kinks, ties, jumps and infinite slopes), higher ones ``reference``;
    when f computes with neither, a richardson estimate stands in, and says so.

    >>> import hybriddiff as hd
    >>> value, note, unjudged = mp_reference(hd.exp, 1.0)
    >>> value == 2.718281828459045, note.split(":")[0], unjudged, mp_reference(hd.sqrt, 0.0)[2]
    (True, 'traced derivative graph', '', 'the derivative is infinite here')
    """
    try:
        with quiet():
            if order > 1:
                exact, note = reference(f, x, order)
                value = float(exact)
                return value, note, "" if math.isfinite(value) else f"the derivative is {value} here"
            found = examine(f, x)
    except Exception as exc:  # neither traceable nor mpmath-friendly: an estimate, and no best step
        result = finite_difference(f, x, scheme="richardson", order=order, full_output=True)
        return float(result.value), (f"f does not compute with mpmath numbers ({type(exc).__name__}: "
                                     f"{exc}); the reference is the richardson estimate (error "
                                     f"estimate {result.error_estimate:.1e})"), \
            "the reference is only a richardson estimate"
    sides = f" (one-sided derivatives {found.sides.describe()})" if found.sides else ""
    why = {"finite": "", "infinite": "the derivative is infinite here", "f undefined": "f is undefined at x",
           "no derivative": f"there is no derivative here{sides}"}.get(found.state, "there is no reference")
    return math.nan if found.value is None else float(found.value), found.note, why


@dataclass
class Curve:
    """One scheme's errors across the steps, its best step and its automatic step."""
    scheme: str
    hs: np.ndarray
    values: np.ndarray
    errors: np.ndarray
    auto_h: float = math.nan
    auto_error: float = math.nan
    auto_evaluations: int = 0
    note: str = ""
    judged: bool = True     # False: the reference is no exact finite derivative, so no best step

    @property
    def best(self) -> int | None:
        """Index of the smallest error (None if no step gave a finite value, or not judged)."""
        finite = np.where(np.isfinite(self.errors))[0]
        if not self.judged or not len(finite):
            return None
        return int(finite[np.argmin(self.errors[finite])])

    @property
    def best_h(self) -> float:
        return math.nan if self.best is None else float(self.hs[self.best])

    @property
    def best_error(self) -> float:
        return math.nan if self.best is None else float(self.errors[self.best])


def _value_at(line: Line, scheme: str, order: int, h: float) -> float:
    """The scheme's derivative at exactly step h (nan where f is not finite there)."""
    try:
        return scheme_named(scheme).at_step(line, order, h)
    except (ValueError, DifferentiationError):
        return math.nan


def grid(x: float, hs: Sequence[float]) -> tuple[np.ndarray, int]:
    """The steps as evaluated, (x + h) - x, strictly positive and distinct; and how many were
    dropped (below the spacing of floats at x, or rounded onto a step already there).

    >>> steps, dropped = grid(2.0, [1e-16, 2e-16, 5e-16, 1e-3])
    >>> [float(f"{h:.3g}") for h in steps], dropped
    ([4.44e-16, 0.001], 2)
    """
    steps = list(dict.fromkeys(float((x + h) - x) for h in hs))
    kept = np.array([h for h in steps if h > 0])
    return kept, len(hs) - len(kept)


def _curve(f: Callable[[Any], Any], x: float, scheme: str, order: int, steps: np.ndarray,
           reference: float, judged: bool) -> Curve:
    line = Line(f, x, None, False, "hd.step_study")
    values = np.array([_value_at(line, scheme, order, h) for h in steps])
    with np.errstate(invalid="ignore"):
        errors = np.abs(values - reference)
    curve = Curve(scheme, steps, values, errors, judged=judged)
    try:
        auto = finite_difference(f, x, scheme=scheme, order=order, full_output=True)
        with np.errstate(invalid="ignore"):
            curve.auto_h, curve.auto_error = float(auto.h), abs(float(auto.value) - reference)
        curve.auto_evaluations, curve.note = auto.evaluations, auto.note
    except (ValueError, TypeError, DifferentiationError) as exc:
        curve.note = f"automatic step failed: {exc}"
    return curve


def _sci(v: float) -> str:   # a step or an error: 1.2e-05, exact 0 as 0, - where there is none
    return scientific(v, missing="-")


@dataclass
class StepStudy:
    """Errors of finite-difference schemes across step sizes: tables, JSON, a DataFrame and a plot.

    ``title`` and ``footnote`` are properties, as on every result (a comparison, the studies); ``unjudged`` says why no best
    step is reported ("" when the reference is an exact finite derivative); ``dropped`` counts the
    steps of the grid that rounded to 0 or onto another step at x.
    """
    function: str
    x: float
    order: int
    reference: float
    reference_note: str
    curves: dict[str, Curve] = field(default_factory=dict)
    unjudged: str = ""
    dropped: int = 0
    hs: np.ndarray = field(default_factory=lambda: np.array([]))   # as evaluated, shared by all

    @property
    def rows(self) -> list[dict[str, float]]:
        """One row per step: {"h": h, scheme: absolute error, ...}."""
        return [dict(h=float(h), **{s: float(c.errors[i]) for s, c in self.curves.items()})
                for i, h in enumerate(self.hs)]

    @property
    def summary(self) -> list[dict[str, Any]]:
        """Per scheme: best step and its error, automatic step, its error and evaluations (no best
        step, nan, where ``unjudged`` says why)."""
        return [dict(scheme=s, best_h=c.best_h, best_error=c.best_error, auto_h=c.auto_h,
                     auto_error=c.auto_error, auto_evaluations=c.auto_evaluations, note=c.note)
                for s, c in self.curves.items()]

    @property
    def title(self) -> str:
        """What was studied, against which reference; and why there is no best step, if there is none."""
        d = "d/dx" if self.order == 1 else f"d^{self.order}/dx^{self.order}"
        head = (f"Step study: {d} {self.function} at x = {self.x:g}; reference {self.reference!r} "
                f"({self.reference_note})")
        return head + (f". No best step: {self.unjudged}" if self.unjudged else "")

    @property
    def footnote(self) -> str:
        """How to read the tables: the marks, the steps, and what the errors are measured against."""
        against = ("errors against the reference" if not self.unjudged else
                   f"differences from the reference, which is no exact finite derivative ({self.unjudged}): "
                   f"no best step is marked")
        marks = "; * marks each scheme's smallest error (its best step)" if not self.unjudged else ""
        dropped = (f"; {self.dropped} step(s) of the grid were dropped (below the spacing of floats at "
                   f"x, or rounded onto another step)" if self.dropped else "")
        return (f"h: each step as evaluated, (x + h) - x; {against}{marks}; auto h: the step each scheme "
                f"chooses itself (h=None), with its evaluations of f{dropped}.")

    def _cells(self) -> tuple[list[str], list[list[str]], list[list[str]]]:
        head = ["scheme", "best h", "min error", "auto h", "error at auto h", "evaluations"]
        summary = [[r["scheme"], _sci(r["best_h"]), _sci(r["best_error"]), _sci(r["auto_h"]),
                    _sci(r["auto_error"]), str(r["auto_evaluations"])] for r in self.summary]
        best = {s: c.best for s, c in self.curves.items()}
        table = [[_sci(row["h"])] + [("*" if best[s] == i else "") + _sci(row[s]) for s in self.curves]
                 for i, row in enumerate(self.rows)]
        return head, summary, table

    def _tables(self) -> tuple[Table, Table]:
        """The summary (with the title) and the errors per step (with the footnote), as shown."""
        head, summary, table = self._cells()
        return (Table(head, summary, title=self.title, digits=None),
                Table(["h"] + list(self.curves), table, footnote=self.footnote, digits=None))

    def to_text(self) -> str:
        """Plain aligned columns: the summary per scheme, then the errors per step (* marks each
        scheme's minimum)."""
        return "\n\n".join(t.to_text(max_rows=None) for t in self._tables())

    def to_markdown(self) -> str:
        """Markdown: the summary per scheme, then the errors per step (* marks each minimum)."""
        return "\n\n".join(t.to_markdown(max_rows=None) for t in self._tables())

    def to_html(self) -> str:
        """HTML: the summary per scheme, then the errors per step (* marks each minimum)."""
        return "\n".join(t.to_html(max_rows=None) for t in self._tables())

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return self.to_text()

    def to_table(self) -> Table:
        """The errors per step as a ``Table`` (raw numbers), with the title and the footnote."""
        return Table(["h"] + list(self.curves), [[r["h"]] + [r[s] for s in self.curves] for r in self.rows],
                     title=self.title, footnote=self.footnote, digits=None)

    def to_dataframe(self) -> Any:
        """A pandas DataFrame of the errors per step: a column h, one per scheme (pandas is an
        optional extra); ``attrs`` holds the title, the footnote and the summary."""
        frame = self.to_table().to_dataframe()
        frame.attrs.update(footnote=self.footnote, summary=self.summary)
        return frame

    def to_dict(self) -> dict[str, Any]:
        """Everything as strict JSON data (``jsonable``: nan and inf as the strings "nan", "inf")."""
        return jsonable({"function": self.function, "x": self.x, "order": self.order,
                         "reference": self.reference, "reference_note": self.reference_note,
                         "title": self.title, "footnote": self.footnote, "unjudged": self.unjudged,
                         "dropped": self.dropped, "hs": self.hs,
                         "schemes": {s: {"hs": c.hs, "values": c.values, "errors": c.errors,
                                         "best_h": c.best_h, "best_error": c.best_error,
                                         "auto_h": c.auto_h, "auto_error": c.auto_error,
                                         "auto_evaluations": c.auto_evaluations, "note": c.note}
                                     for s, c in self.curves.items()}})

    def plot(self, ax: Any = None) -> Any:
        """Error against h on log-log axes, one line per scheme; o marks the best h, x the automatic.

        Draws into ``ax`` when given (a matplotlib Axes), else into a new figure; returns the Figure.
        """
        ax = axes(ax)
        for s, c in self.curves.items():
            shown = np.where(c.errors > 0, c.errors, np.nan)
            (line,) = ax.loglog(c.hs, shown, label=s)
            if c.best is not None:
                ax.plot([c.best_h], [max(c.best_error, 1e-17)], "o", color=line.get_color())
            if math.isfinite(c.auto_error):
                ax.plot([c.auto_h], [max(c.auto_error, 1e-17)], "x", color=line.get_color())
        ax.set_xlabel("step size h")
        ax.set_ylabel("absolute error" if not self.unjudged else "difference from the reference")
        ax.set_title(f"{self.function} at x = {self.x:g}" + (f" (no best step: {self.unjudged})"
                                                            if self.unjudged else ""))
        ax.legend()
        return ax.figure


def step_study(f: Callable[[Any], Any], x: float, schemes: Sequence[str] | None = None,
               hs: Sequence[float] | None = None, reference: float | None = None,
               order: int = 1) -> StepStudy:
    """Each scheme's error across step sizes ``hs`` against ``reference`` (default: the 50-digit
    derivative, or a richardson estimate if f does not compute with mpmath numbers, as
    ``reference_note`` says; then no best step is reported). Schemes by name ('central') or by
    their name in hd.METHODS ('fd-central'); default: forward, central, five-point, complex-step
    (each left out above the orders it gives). Default steps: 49 from 1e-16 to 1, each as evaluated
    at x ((x + h) - x; those that round to 0 are dropped). For richardson, h is the starting step.

    >>> import hybriddiff as hd
    >>> s = step_study(hd.exp, 1.0, schemes=["forward", "fd-central"], hs=[1e-12, 1e-8, 1e-5, 1e-2])
    >>> [row["scheme"] for row in s.summary], round(s.curves["central"].best_h, 8)
    (['forward', 'central'], 1e-05)
    >>> bool(step_study(hd.exp, 2.0).hs[0] > 0)
    True
    """
    if not callable(f):
        raise TypeError(f"hd.step_study: expected a function, got {type(f).__name__}")
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise TypeError(f"hd.step_study: x must be a real number, got {type(x).__name__} {x!r:.40}")
    names = list(DEFAULT_SCHEMES if schemes is None else [schemes] if isinstance(schemes, str) else schemes)
    if not names:
        raise ValueError("hd.step_study: schemes is empty; give at least one scheme")
    records = list(dict.fromkeys(scheme_named(s, "hd.step_study") for s in names))
    given = default_hs() if hs is None else np.asarray(hs, dtype=float).ravel()
    if not len(given) or not np.all(np.isfinite(given) & (given > 0)):
        raise ValueError("hd.step_study: hs must be a non-empty list of positive finite steps")
    x = float(x)
    steps, dropped = grid(x, given)
    if not len(steps):
        raise ValueError(f"hd.step_study: every step in hs is below the spacing of floats at x={x!r} "
                         f"(x + h == x); give larger steps")
    if reference is None:
        reference, note, unjudged = mp_reference(f, x, order)
    else:
        reference, note = float(reference), "given"
        unjudged = "" if math.isfinite(reference) else f"the given reference is {reference}"
    study = StepStudy(name_of(f), x, order, reference, note, unjudged=unjudged, dropped=dropped, hs=steps)
    for record in records:
        if record.max_order is not None and order > record.max_order:
            continue  # (the complex step above order 1, say)
        study.curves[record.name] = _curve(f, x, record.name, order, steps, reference, not unjudged)
    return study


__all__ = ["step_study", "StepStudy", "Curve", "mp_reference", "grid", "default_hs", "DEFAULT_SCHEMES"]
