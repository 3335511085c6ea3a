"""Step-size studies: the error of each finite-difference scheme across step sizes h.

Truncation error falls like h^p while rounding error grows like eps/h^k, so each scheme's error
curve is a V whose bottom is its best step (Baydin et al. 2018, figure 3). ``step_study`` measures
the curves against a 50-digit reference and marks, per scheme, the step of minimum error and the
step chosen automatically (``h=None``).
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from ..comparison.reference import reference
from ..core.checks import name_of
from ..display.format import jsonable, scientific
from ..display.plotting import axes
from ..errors import DifferentiationError
from ..finite.difference import finite_difference
from ..finite.probe import Line, quiet
from ..finite.schemes import SCHEMES, scheme_named

DEFAULT_SCHEMES = ("forward", "central", "five-point", "complex-step")


def default_hs() -> np.ndarray:
    """49 steps from 1e-16 to 1, three per decade."""
    return np.logspace(-16, 0, 49)


def mp_reference(f: Callable[[Any], Any], x: float, order: int = 1) -> tuple[float, str]:
    """f's derivative at x at 50 digits (``reference.reference``: the traced derivative graph in
    mpmath, else mpmath.diff); when f computes with neither, a Richardson estimate, and says so.

    >>> import hybriddiff as hd
    >>> value, note = mp_reference(hd.exp, 1.0)
    >>> value == 2.718281828459045, note.split(":")[0]
    (True, 'traced derivative graph')
    """
    try:
        with quiet():
            exact, note = reference(f, x, order)
        value = float(exact)
        if not math.isfinite(value):
            raise ValueError(f"the high-precision derivative is {value}")
        return value, note
    except Exception as exc:  # neither traceable nor mpmath-friendly: fall back, and say so
        result = finite_difference(f, x, scheme="richardson", order=order, full_output=True)
        return float(result.value), (f"f does not compute with mpmath numbers ({type(exc).__name__}: "
                                     f"{exc}); the reference is the richardson estimate (error "
                                     f"estimate {result.error_estimate:.1e})")


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

    @property
    def best(self) -> int | None:
        """Index of the smallest error (None if no step gave a finite value)."""
        finite = np.where(np.isfinite(self.errors))[0]
        return None if not len(finite) else int(finite[np.argmin(self.errors[finite])])

    @property
    def best_h(self) -> float:
        return math.nan if self.best is None else float(self.hs[self.best])

    @property
    def best_error(self) -> float:
        return math.nan if self.best is None else float(self.errors[self.best])


def _value_at(line: Line, scheme: str, order: int, h: float) -> float:
    """The scheme's derivative at exactly step h (nan where f is not finite or the step is 0)."""
    try:
        return scheme_named(scheme).at_step(line, order, h)
    except (ValueError, DifferentiationError):
        return math.nan


def _curve(f: Callable[[Any], Any], x: float, scheme: str, order: int, hs: np.ndarray,
           reference: float) -> Curve:
    line = Line(f, x, None, False, "hd.step_study")
    steps = np.array([h if scheme == "complex-step" else (x + h) - x for h in hs])
    values = np.array([_value_at(line, scheme, order, h) for h in hs])
    curve = Curve(scheme, steps, values, np.abs(values - reference))
    try:
        auto = finite_difference(f, x, scheme=scheme, order=order, full_output=True)
        curve.auto_h, curve.auto_error = float(auto.h), abs(float(auto.value) - reference)
        curve.auto_evaluations, curve.note = auto.evaluations, auto.note
    except (ValueError, TypeError, DifferentiationError) as exc:
        curve.note = f"automatic step failed: {exc}"
    return curve


def _sci(v: float) -> str:
    """A step or an error in the tables: ``1.2e-05``, exact 0 as ``0``, ``-`` where there is none."""
    return scientific(v, missing="-")


@dataclass
class StepStudy:
    """Errors of finite-difference schemes across step sizes: tables, JSON and a plot."""
    function: str
    x: float
    order: int
    reference: float
    reference_note: str
    curves: dict[str, Curve] = field(default_factory=dict)

    @property
    def hs(self) -> np.ndarray:
        return next(iter(self.curves.values())).hs if self.curves else np.array([])

    @property
    def rows(self) -> list[dict[str, float]]:
        """One row per step: {"h": h, scheme: absolute error, ...}."""
        curves = list(self.curves.values())
        steps = next((c.hs for c in curves if c.scheme != "complex-step"), self.hs)  # rounded like x + h
        return [dict(h=float(steps[i]), **{c.scheme: float(c.errors[i]) for c in curves})
                for i in range(len(steps))]

    @property
    def summary(self) -> list[dict[str, Any]]:
        """Per scheme: best step and its error, automatic step, its error and evaluations."""
        return [dict(scheme=s, best_h=c.best_h, best_error=c.best_error, auto_h=c.auto_h,
                     auto_error=c.auto_error, auto_evaluations=c.auto_evaluations, note=c.note)
                for s, c in self.curves.items()]

    def title(self) -> str:
        d = "d/dx" if self.order == 1 else f"d^{self.order}/dx^{self.order}"
        return (f"Step study: {d} {self.function} at x = {self.x:g}; reference {self.reference!r} "
                f"({self.reference_note})")

    def _cells(self) -> tuple[list[str], list[list[str]], list[list[str]]]:
        head = ["scheme", "best h", "min error", "auto h", "error at auto h", "evaluations"]
        summary = [[r["scheme"], _sci(r["best_h"]), _sci(r["best_error"]), _sci(r["auto_h"]),
                    _sci(r["auto_error"]), str(r["auto_evaluations"])] for r in self.summary]
        best = {s: c.best for s, c in self.curves.items()}
        table = [[_sci(row["h"])] + [("*" if best[s] == i else "") + _sci(row[s]) for s in self.curves]
                 for i, row in enumerate(self.rows)]
        return head, summary, table

    def to_markdown(self) -> str:
        """Markdown: a summary per scheme, then the errors per step (* marks each minimum)."""
        head, summary, table = self._cells()
        line = lambda cells: "| " + " | ".join(cells) + " |"  # noqa: E731
        out = [self.title(), "", line(head), "|---" + "|---:" * (len(head) - 1) + "|"]
        out += [line(r) for r in summary] + ["", line(["h"] + list(self.curves)),
                                             "|---:" * (len(self.curves) + 1) + "|"]
        return "\n".join(out + [line(r) for r in table])

    def __repr__(self) -> str:
        return self.to_text()

    def to_text(self) -> str:
        """Plain aligned columns (* marks each scheme's minimum)."""
        head, summary, table = self._cells()

        def block(rows: list[list[str]]) -> list[str]:
            widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
            return ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in rows]
        return "\n".join([self.title(), ""] + block([head] + summary) + [""]
                         + block([["h"] + list(self.curves)] + table))

    def to_html(self) -> str:
        """An HTML fragment: the two tables (minimum errors in bold)."""
        head, summary, table = self._cells()

        def cell(c: str, tag: str) -> str:
            bold = c.startswith("*")
            text = html.escape(c[1:] if bold else c)
            return f"<{tag}><b>{text}</b></{tag}>" if bold else f"<{tag}>{text}</{tag}>"

        def tab(rows: list[list[str]], caption: str = "") -> str:
            body = "".join("<tr>" + "".join(cell(c, "th" if i == 0 else "td") for c in r) + "</tr>"
                           for i, r in enumerate(rows))
            cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
            return f"<table>{cap}{body}</table>"
        return tab([head] + summary, self.title()) + tab([["h"] + list(self.curves)] + table)

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_dict(self) -> dict[str, Any]:
        """Everything as strict JSON data (``jsonable``: nan and inf as the strings "nan", "inf")."""
        return jsonable({"function": self.function, "x": self.x, "order": self.order,
                         "reference": self.reference, "reference_note": self.reference_note,
                         "schemes": {s: {"hs": c.hs, "values": c.values, "errors": c.errors,
                                         "best_h": c.best_h, "best_error": c.best_error,
                                         "auto_h": c.auto_h, "auto_error": c.auto_error,
                                         "auto_evaluations": c.auto_evaluations, "note": c.note}
                                     for s, c in self.curves.items()}})

    def plot(self, ax: Any = None) -> Any:
        """Error against h on log-log axes, one line per scheme; o marks the best h, x the automatic."""
        ax = axes(ax)
        for s, c in self.curves.items():
            shown = np.where(c.errors > 0, c.errors, np.nan)
            (line,) = ax.loglog(c.hs, shown, label=s)
            if c.best is not None:
                ax.plot([c.best_h], [max(c.best_error, 1e-17)], "o", color=line.get_color())
            if math.isfinite(c.auto_error):
                ax.plot([c.auto_h], [max(c.auto_error, 1e-17)], "x", color=line.get_color())
        ax.set_xlabel("step size h")
        ax.set_ylabel("absolute error")
        ax.set_title(f"{self.function} at x = {self.x:g}")
        ax.legend()
        return ax


def step_study(f: Callable[[Any], Any], x: float, schemes: Sequence[str] | None = None,
               hs: Sequence[float] | None = None, reference: float | None = None,
               order: int = 1) -> StepStudy:
    """Each scheme's error across step sizes ``hs`` against ``reference`` (default: mpmath.diff at
    50 digits, or a richardson estimate if f does not compute with mpmath numbers, as
    ``reference_note`` says). Default schemes: forward, central, five-point, complex-step (each left
    out above the orders it gives); default steps: 49 from 1e-16 to 1. For richardson, h is the starting step.

    >>> import hybriddiff as hd
    >>> s = step_study(hd.exp, 1.0, schemes=["forward", "central"], hs=[1e-12, 1e-8, 1e-5, 1e-2])
    >>> [row["scheme"] for row in s.summary], round(s.curves["central"].best_h, 8)
    (['forward', 'central'], 1e-05)
    """
    if not callable(f):
        raise TypeError(f"hd.step_study: expected a function, got {type(f).__name__}")
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise TypeError(f"hd.step_study: x must be a real number, got {type(x).__name__} {x!r:.40}")
    names = list(DEFAULT_SCHEMES if schemes is None else [schemes] if isinstance(schemes, str) else schemes)
    unknown = [s for s in names if s not in SCHEMES]
    if unknown or not names:
        raise ValueError(f"hd.step_study: unknown scheme(s) {unknown}; known schemes: {', '.join(SCHEMES)}")
    steps = default_hs() if hs is None else np.asarray(hs, dtype=float).ravel()
    if not len(steps) or not np.all(np.isfinite(steps) & (steps > 0)):
        raise ValueError("hd.step_study: hs must be a non-empty list of positive finite steps")
    x = float(x)
    if reference is None:
        reference, note = mp_reference(f, x, order)
    else:
        reference, note = float(reference), "given"
    study = StepStudy(name_of(f), x, order, reference, note)
    for s in names:
        max_order = scheme_named(s).max_order
        if max_order is not None and order > max_order:
            continue  # (the complex step above order 1, say)
        study.curves[s] = _curve(f, x, s, order, steps, reference)
    return study


__all__ = ["step_study", "StepStudy", "Curve", "mp_reference", "default_hs", "DEFAULT_SCHEMES"]
