"""Where the derivative may not exist: the kinks, ties and jumps f passes through at the point, and
its one-sided derivatives there.

A primitive whose derivative does not exist somewhere says where (``Primitive.kink``) and what the
rules give there instead (``Primitive.convention``); a branch of f taken on a tie (``x > 0`` at
x = 0) is such a point too. ``active`` finds them by evaluating f's graph at the point in mpmath;
``one_sided`` then measures the left and right derivatives at 50 digits (``mpmath.diff`` with a
direction, on the graph or, past a branch, on f itself), so the comparison can say whether the
derivative exists, and if not, what each side gives.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..graph.evaluate import node_values
from ..graph.arguments import flatten_args
from ..graph.facade import Graph
from ..graph.listing import operand_names
from ..graph.nodes import OP

MAX_ENTRIES = 400         # derivative entries (outputs x inputs) examined one side at a time
DIVERGES = 1e3            # a one-sided quotient growing this much as the step shrinks: no finite limit


def active(graph: Graph, env: list[Any]) -> list[str]:
    """The conventions in force where the graph's nodes have the values ``env`` (``node_values``,
    in mpmath): one line per primitive met at its kink, tie or jump, and per branch decided on a tie.

    >>> import hybriddiff as hd, mpmath
    >>> g = hd.trace(lambda x: hd.abs(x) + hd.sin(x), 0.0)
    >>> [c.split(":")[0] for c in active(g, node_values(g, [mpmath.mpf(0)]))]
    ['d|x|/dx = sign(x)']
    """
    found: list[str] = []
    for node in graph.nodes:
        if node.kind == OP and node.prim.kink is not None and node.prim.convention not in found:
            try:
                hit = bool(node.prim.kink(*[env[a] for a in node.args]))
            except (TypeError, ValueError, ArithmeticError):
                hit = False
            if hit:
                found.append(node.prim.convention)
    names = operand_names(graph) if graph.guards else {}
    for guard in graph.guards:   # an equality test met at equality is a tie too (``if x == 0:``)
        if env[guard.lhs] == env[guard.rhs]:
            found.append(f"a branch on a tie: `{names[guard.lhs]} {guard.op} {names[guard.rhs]}` was "
                         f"{guard.outcome} here, and the derivative is that branch's")
    return found


@dataclass
class Sides:
    """One-sided derivatives of every entry (left, right: float arrays; inf where a side's
    quotient grows without bound, nan where f is undefined on that side or could not be evaluated)."""

    left: np.ndarray
    right: np.ndarray

    def agree(self) -> np.ndarray:
        """Entries where both sides exist and are equal (to the 50-digit evaluation's accuracy)."""
        with np.errstate(invalid="ignore"):
            scale = np.maximum(1.0, np.maximum(np.abs(self.left), np.abs(self.right)))
            return np.isfinite(self.left) & np.isfinite(self.right) & (np.abs(self.left - self.right) <= 1e-12 * scale)

    def limit(self) -> np.ndarray:
        """The derivative where it exists on one side at least: the left one, else the right one."""
        return np.where(np.isnan(self.left), self.right, self.left)

    def describe(self) -> str:
        """The sides as a note: "left -1, right 1" (vectors in full)."""
        from ..display.format import full_value
        if np.all(np.isnan(self.left)) and np.all(np.isnan(self.right)):
            return "none: f is undefined or not real on both sides of x"
        return f"left {full_value(_tidy(self.left), limit=6)}, right {full_value(_tidy(self.right), limit=6)}"


def _tidy(side: np.ndarray) -> Any:
    return float(side) if side.ndim == 0 else side


def one_sided(graph: Graph, f: Callable[..., Any], x: Any, shape: tuple[int, ...], order: int = 1) -> Sides | None:
    """The left and right derivatives (of ``order``) of each output along each input at x (None:
    too many entries).

    ``shape`` is the derivative's (hd.jacobian's: outputs first, then inputs).
    """
    import mpmath
    n = int(np.size(x))
    if int(np.prod(shape, dtype=int)) > MAX_ENTRIES:
        return None
    left, right = np.full(shape, np.nan), np.full(shape, np.nan)
    columns_left, columns_right = left.reshape(-1, n), right.reshape(-1, n)   # views: (outputs, inputs)
    for k in range(n):
        for i in range(columns_left.shape[0]):
            along = _along(graph, f, x, k, i)
            columns_left[i, k] = _side(along, float(np.ravel(x)[k]), -1, mpmath, order)
            columns_right[i, k] = _side(along, float(np.ravel(x)[k]), +1, mpmath, order)
    return Sides(left, right)


def _along(graph: Graph, f: Callable[..., Any], x: Any, k: int, i: int) -> Callable[[Any], Any]:
    """Output i as a function of input k alone (the others held at x), in mpmath; past a branch
    recorded in the graph, f itself on mpmath numbers."""
    import mpmath

    def at(t: Any) -> Any:
        point = np.array([mpmath.mpf(float(v)) for v in np.ravel(x)], dtype=object)
        point[k] = t
        arg = point if np.ndim(x) else point[0]
        try:
            out = graph(arg)
        except Exception:   # TraceGuardError: this side takes another branch
            out = f(arg)
        out = np.ravel(np.asarray(out, dtype=object))[i]
        return out if isinstance(out, (mpmath.mpf, mpmath.mpc)) else mpmath.mpf(float(out))
    return at


def _side(along: Callable[[Any], Any], x0: float, direction: int, mpmath: Any, order: int = 1) -> float:
    """One side's derivative: mpmath.diff at the working step, checked against a coarser step (a
    quotient that keeps growing as the step shrinks is a jump or a vertical tangent: +-inf)."""
    try:
        fine = mpmath.diff(along, mpmath.mpf(x0), order, direction=direction)
        coarse = mpmath.diff(along, mpmath.mpf(x0), order, direction=direction,
                             h=mpmath.mpf("1e-20") ** (mpmath.mpf(1) / order) * max(1, abs(x0)))
    except Exception:
        return np.nan
    if not (mpmath.isfinite(fine) and mpmath.isfinite(coarse)) or isinstance(fine, mpmath.mpc):
        return np.nan if mpmath.isnan(fine) or isinstance(fine, mpmath.mpc) else float(fine)
    if abs(fine) > DIVERGES * max(abs(coarse), 1):
        return float(mpmath.sign(fine)) * np.inf
    # a limit of 0 arrives as about the step (1e-54, or its square root at a domain edge)
    return 0.0 if abs(fine) < mpmath.mpf(10) ** (-mpmath.mp.dps // 3) * max(1, abs(coarse)) else float(fine)


def input_values(graph: Graph, x: Any) -> list[Any]:
    """The graph's input values at x, as mpmath numbers (``active``'s point)."""
    import mpmath
    arg = np.array([mpmath.mpf(float(v)) for v in np.ravel(x)], dtype=object) if np.ndim(x) else mpmath.mpf(float(x))
    return flatten_args(graph, [arg])


__all__ = ["active", "one_sided", "input_values", "node_values", "Sides"]
