"""Evaluating a graph: one loop over its nodes, on any kind of value ``bind`` understands.

Floats and complex numbers, NumPy arrays (a batch of points in one pass), mpmath numbers (the
50-digit reference) and even hybriddiff's own values (so graphs differentiate like any function).
Guards recorded at trace time are checked as soon as their operands exist.
"""
from __future__ import annotations

import weakref
from fractions import Fraction
from typing import Any, Callable, Sequence

import numpy as np

from ..errors import TraceGuardError
from ..core.dispatch import gc_paused
from ..core.domain import defined_only
from .arguments import assemble, batch_shape, flatten_args
from .ir import CONST, OP, GraphIR
from .listing import operand_names


_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
}


def evaluate(graph: GraphIR, args: Sequence[Any]) -> Any:
    """The value of ``graph`` at ``args`` (see ``Graph.__call__``).

    >>> import hybriddiff as hd, numpy as np
    >>> g = hd.trace(lambda x: hd.exp(x * x - x) / x, 2.0)
    >>> g(np.array([1.0, 2.0])).round(6).tolist()
    [1.0, 3.694528]
    """
    values = flatten_args(graph, args)
    env = node_values(graph, values)
    outs = [env[o] for o in graph.outputs]
    if graph.domains:
        outs = defined_only(outs, [env[d] for d in graph.domains])
    return assemble(graph, outs, batch_shape(values))


def node_values(graph: GraphIR, values: Sequence[Any]) -> list[Any]:
    """Every node's value, given one value per input: one loop over the nodes, guards checked.

    The primal sweep that evaluation, the trace tables and the drawings share. What the loop needs
    of the graph (each operation's record and arguments, the constants, where each guard can first
    be checked) is read once per graph and kept while the graph does not grow (``_plan``).
    """
    inputs, consts, steps, early = _plan(graph)
    constant = constant_converter(values)
    env: list[Any] = [None] * len(graph.nodes)
    for i, k in inputs:
        env[i] = values[k]
    for i, c in consts:
        env[i] = constant(c)
    if early:
        check_guards(graph, early, env)
    for i, prim, args, guards in steps:
        if len(args) == 2:
            env[i] = prim(env[args[0]], env[args[1]])
        elif len(args) == 1:
            env[i] = prim(env[args[0]])
        else:
            env[i] = prim(*[env[a] for a in args])
        if guards:
            check_guards(graph, guards, env)
    return env


_PLANS: "weakref.WeakKeyDictionary[GraphIR, tuple]" = weakref.WeakKeyDictionary()


def _plan(graph: GraphIR) -> tuple:
    """(input slots, constants, operation steps with their guards, guards on inputs and constants
    alone), cached per graph until it gains nodes or guards."""
    key = (len(graph.nodes), len(graph.guards))
    cached = _PLANS.get(graph)
    if cached is not None and cached[0] == key:
        return cached[1]
    with gc_paused():   # a tuple per node: on a large graph the collector would walk it all, often
        plan = _build_plan(graph)
    _PLANS[graph] = (key, plan)
    return plan


def _build_plan(graph: GraphIR) -> tuple:
    checks = guards_by_node(graph)
    inputs = tuple((index, k) for k, index in enumerate(graph.inputs))
    consts = tuple((i, node.const) for i, node in enumerate(graph.nodes) if node.kind == CONST)
    steps: list[tuple] = []
    early: list = []
    for i, node in enumerate(graph.nodes):
        if node.kind == OP:   # (a list of guards only where there are some: most steps have none)
            steps.append((i, node.prim, node.args, list(checks[i]) if i in checks else None))
        elif i in checks:   # operands are inputs, constants or earlier operations: check them as
            if steps:       # soon as the last one exists
                if steps[-1][3] is None:
                    steps[-1] = steps[-1][:3] + ([],)
                steps[-1][3].extend(checks[i])
            else:
                early.extend(checks[i])
    return inputs, consts, tuple(steps), early


def constant_converter(values: Sequence[Any]) -> Callable[[Any], Any]:
    """Exact constants (ints, Fractions) become the inputs' number type when evaluated."""
    kinds = {type(v).__module__.split(".")[0] for v in values}
    if "mpmath" in kinds:
        import mpmath
        # every constant becomes an mpmath number (a float exactly), so that operations on
        # constants alone (log(2.0) in a rule) run at the working precision too
        return lambda c: (mpmath.mpf(c.numerator) / c.denominator if type(c) in (Fraction, int)
                          else mpmath.mpf(c) if type(c) is float else c)
    if "sympy" in kinds:
        import sympy
        return lambda c: sympy.Rational(c.numerator, c.denominator) if type(c) is Fraction else c
    if "hybriddiff" in kinds:  # tracers and other boxes: keep constants exact, except integers past
        # 2**53 (a float of the same size: an unfolded product of two big literals then overflows to
        # inf, as in floats, instead of an int too large for a float)
        return lambda c: float(c) if type(c) is int and abs(c) >= 1 << 53 else c
    return lambda c: c.numerator / c.denominator if type(c) is Fraction else (float(c) if type(c) is int else c)


def guards_by_node(graph: GraphIR) -> dict[int, list]:
    """Each guard, filed under the later of its two operands (when it can first be checked)."""
    checks: dict[int, list] = {}
    for guard in graph.guards:
        checks.setdefault(max(guard.lhs, guard.rhs), []).append(guard)
    return checks


def check_guards(graph: GraphIR, guards: list, env: list[Any]) -> None:
    """Raise TraceGuardError where a recorded branch would go the other way at this point."""
    for guard in guards:
        lhs, rhs = env[guard.lhs], env[guard.rhs]
        holds = _COMPARE[guard.op](lhs, rhs)
        if isinstance(holds, np.ndarray):
            ok = bool(np.all(holds == guard.outcome))
        else:
            ok = bool(holds) == guard.outcome
        if not ok:
            names = operand_names(graph)
            raise TraceGuardError(
                f"the graph of {graph.name} was traced where the branch `{names[guard.lhs]} {guard.op} "
                f"{names[guard.rhs]}` was {guard.outcome}; here {_show(lhs)} {guard.op} {_show(rhs)} is "
                f"{not guard.outcome}, so the recorded graph does not describe f at this point: "
                f"trace again here (hd.trace(f, ...))")


def _show(value: Any) -> str:
    if isinstance(value, np.ndarray) and value.size > 4:
        return f"array(shape={value.shape})"
    return repr(value.tolist() if isinstance(value, np.ndarray) else value)
