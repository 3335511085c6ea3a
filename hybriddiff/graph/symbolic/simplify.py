"""Time-boxed simplification of a graph through SymPy, falling back to cheaper rewrites.

``simplify`` runs its stages in one worker process (``timebox.stream``), cheapest first, and each
finished stage hands over a candidate graph at once: when the time is up the worker is killed and
the best candidate that arrived wins (fewest graph operations: what compiled code costs; the
unchanged graph is always a candidate and ties keep it, so simplification never makes a graph
bigger). The report also gives SymPy's ``count_ops`` before and after.

Stages: ``cse`` (single-use chains inlined up to a small depth so SymPy's canonical forms can merge
terms, then ``sympy.cse``; linear-ish, works at any size), then on the nested expression, only for
small graphs: ``cancel``, ``factor``, ``expand`` and full ``sympy.simplify`` (known to run for
minutes on some inputs, sympy/sympy#17985). Graphs above ``LARGE_OPS`` operations, or whose
expressions written out as trees exceed ``NESTED_TREE`` nodes, get CSE only, and the report says so.
Guards recorded at trace time survive simplification (their operands are kept as extra outputs).
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

from ...core import timebox
from ..ir import INPUT, OP, GraphIR, Guard
from .bridge import (depths, flat_count_ops, input_symbols, symbol_name, sympy_constant, sympy_env, to_sympy,
                     tree_sizes, warm_up)
from .from_sympy import Builder


STRATEGIES = ("auto", "simplify", "rewrite", "cse")
REWRITES = ("cancel", "factor", "expand")
LARGE_OPS = 300       # auto: above this many operations, CSE only
NESTED_TREE = 2000    # nested stages only when the outputs written out as trees are this small
INLINE_DEPTH = 12     # cse stage: single-use chains inlined up to this depth
MAX_SYMPY_OPS = 20000  # above: no SymPy at all (about 10 s of SymPy per 30,000 operations)


@dataclass
class SimplifyReport:
    """What ``simplify`` did: sizes before and after, time, the winning stage, timeouts.

    >>> print(SimplifyReport("auto", "cse", 9, 7, 10, 8, 0.1))
    simplify (auto): cse won, 9 -> 7 graph ops, count_ops 10 -> 8, 0.1 s
    """

    strategy: str
    winner: str = "none"
    n_ops_before: int = 0
    n_ops_after: int = 0
    count_ops_before: int | None = None
    count_ops_after: int | None = None
    seconds: float = 0.0
    timed_out: bool = False
    timeout: float | None = None
    tried: dict[str, int] = field(default_factory=dict)   # stage -> graph operations of its result
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        ops = f"{self.n_ops_before} -> {self.n_ops_after} graph ops"
        if self.count_ops_before is not None and self.count_ops_after is not None:
            ops += f", count_ops {self.count_ops_before} -> {self.count_ops_after}"
        limit = f"timed out after {self.timeout:g} s" if self.timed_out else f"{self.seconds:.3g} s"
        text = f"simplify ({self.strategy}): {self.winner} won, {ops}, {limit}"
        return text + "".join(f"; {n}" for n in self.notes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able built-ins.

        >>> SimplifyReport("cse").to_dict()["winner"]
        'none'
        """
        return asdict(self)


def kept_nodes(graph: GraphIR) -> list[int]:
    """The outputs, then both operands of every guard (what SymPy simplifies).

    >>> import hybriddiff as hd
    >>> kept_nodes(hd.trace(lambda x: x * x if x > 1 else x, 2.0))
    [2, 0, 1]
    """
    return list(graph.outputs) + [i for g in graph.guards for i in (g.lhs, g.rhs)]


def copy_domains(graph: GraphIR, new: GraphIR) -> list[int]:
    """The domain nodes of ``graph`` (``GraphIR.domains``: f's outputs in a derivative graph) copied
    into ``new`` as they are, never through SymPy: SymPy would simplify sqrt(x)**2 to x and lose
    where f is undefined. One loop over the nodes the domains need."""
    needed = set(graph.domains)
    for i in range(len(graph.nodes) - 1, -1, -1):
        if i in needed:
            needed.update(graph.nodes[i].args)
    env: dict[int, int] = dict(zip(graph.inputs, new.inputs))
    for i, node in enumerate(graph.nodes):
        if i in needed and node.kind == OP:
            env[i] = new.emit(node.prim, [env[a] for a in node.args])
        elif i in needed and node.kind != INPUT:
            env[i] = new.const(node.const, node.name)
    return [env[d] for d in graph.domains]


def rebuild(graph: GraphIR, assignments: list[tuple[Any, Any]], exprs: list[Any]) -> GraphIR:
    """A graph like ``graph`` from SymPy forms of its kept nodes (outputs, then guard operands).

    >>> import hybriddiff as hd, sympy
    >>> g = hd.trace(lambda x: hd.sin(x) * x, 1.0)
    >>> x = sympy.Symbol("x", real=True)
    >>> rebuild(g, [], [sympy.sin(x) * x])(1.0) == g(1.0)
    True
    """
    new = graph.like()
    labels = [graph.nodes[i].name for i in graph.inputs]
    builder = Builder(new, {symbol_name(n): new.add_input(n) for n in labels})
    for symbol, rhs in assignments:
        builder.env[symbol] = builder.convert(rhs)
    nodes = [builder.convert(e) for e in exprs]
    k = len(graph.outputs)
    new.outputs = nodes[:k]
    new.guards = [Guard(nodes[k + 2 * j], g.op, nodes[k + 2 * j + 1], g.outcome)
                  for j, g in enumerate(graph.guards)]
    new.domains = copy_domains(graph, new)
    return new.prune()


def partly_nested(graph: GraphIR, keep: list[int], max_depth: int = INLINE_DEPTH) -> tuple[list, list]:
    """Flat form with single-use chains inlined (up to ``max_depth``): what SymPy can merge.

    >>> import hybriddiff as hd
    >>> g = hd.trace(lambda x: hd.exp(x * 2) * hd.exp(x * 2) + x, 1.0)
    >>> partly_nested(g, g.outputs)
    ([(_s1, exp(2*x)), (_s2, _s1**2 + x)], [_s2])
    """
    import sympy
    uses = [0] * len(graph.nodes)
    for node in graph.nodes:
        for a in node.args:
            uses[a] += 1
    for i in keep:
        uses[i] += 2
    env: list[Any] = [None] * len(graph.nodes)
    depth, assignments, count = [0] * len(graph.nodes), [], 0
    symbols = iter(input_symbols(graph))
    for i, node in enumerate(graph.nodes):
        if node.kind != OP:
            env[i] = next(symbols) if node.kind == INPUT else sympy_constant(node.const)
            continue
        env[i] = node.prim.sympy(*[env[a] for a in node.args])
        depth[i] = 1 + max(depth[a] for a in node.args)
        if uses[i] != 1 or depth[i] >= max_depth:
            count += 1
            symbol = sympy.Symbol(f"_s{count}", real=True)
            assignments.append((symbol, env[i]))
            env[i], depth[i] = symbol, 0
    return assignments, [env[i] for i in keep]


def merge_cse(assignments: list[tuple[Any, Any]], exprs: list[Any]) -> tuple[list, list]:
    """``sympy.cse`` over a flat form; each common subexpression is placed after what it uses.

    >>> import sympy
    >>> a, x = sympy.symbols("a x")
    >>> merge_cse([(a, sympy.exp(x))], [sympy.sin(a + 1) + sympy.cos(a + 1)])
    ([(a, exp(x)), (_c0, a + 1)], [sin(_c0) + cos(_c0)])
    """
    import sympy
    rhs = [e for _, e in assignments]
    replaced, reduced = sympy.cse(rhs + list(exprs), symbols=sympy.numbered_symbols("_c", real=True))
    position = {s: k for k, (s, _) in enumerate(assignments)}
    after: dict[int, list[tuple[Any, Any]]] = {}
    for symbol, expr in replaced:
        p = max((position.get(s, -1) for s in expr.free_symbols), default=-1)
        position[symbol] = p
        after.setdefault(p, []).append((symbol, expr))
    merged = list(after.get(-1, []))
    for k, (symbol, _) in enumerate(assignments):
        merged.append((symbol, reduced[k]))
        merged += after.get(k, [])
    return merged, reduced[len(assignments):]


def _nested_ok(graph: GraphIR, keep: list[int]) -> bool:
    sizes, deep = tree_sizes(graph), depths(graph)
    return sum(sizes[i] for i in keep) <= NESTED_TREE and max((deep[i] for i in keep), default=0) <= 100


def plan(graph: GraphIR, strategy: str) -> tuple[list[str], list[str]]:
    """The stages to run, in order, and notes on what was skipped.

    >>> import hybriddiff as hd
    >>> plan(hd.trace(lambda x: hd.sin(x) * x, 1.0), "auto")
    (['cse', 'cancel', 'factor', 'expand', 'simplify'], [])
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
    stages = ["cse"] + (list(REWRITES) if strategy != "cse" else [])
    stages += ["simplify"] if strategy in ("auto", "simplify") else []
    if graph.n_ops > MAX_SYMPY_OPS:
        return [], [f"too large for SymPy ({graph.n_ops} ops > {MAX_SYMPY_OPS}): not simplified"]
    if strategy == "auto" and graph.n_ops > LARGE_OPS:
        return ["cse"], [f"large graph ({graph.n_ops} ops > {LARGE_OPS}): CSE only, no full simplify"]
    if len(stages) > 1 and not _nested_ok(graph, kept_nodes(graph)):
        return ["cse"], [f"the nested expression is too big (more than {NESTED_TREE} nodes as a tree): "
                         f"CSE only"]
    return stages, []


def _rewrite(name: str) -> Callable[[Any], Any]:
    import sympy
    return {"cancel": sympy.cancel, "factor": sympy.factor, "expand": sympy.expand,
            "simplify": sympy.simplify}[name]


def _stages(emit: Callable[[Any], None], graph: GraphIR, stages: list[str]) -> None:
    """The worker: each stage's candidate graph is emitted as soon as it is ready, then its size."""
    from sympy import count_ops
    start = time.perf_counter()
    keep = kept_nodes(graph)
    nested = None
    for k, name in enumerate(stages):
        try:
            if name == "cse":
                assignments, exprs = merge_cse(*partly_nested(graph, keep))
                emit(("stage", name, rebuild(graph, assignments, exprs), time.perf_counter() - start))
                count = flat_count_ops(assignments, exprs)
            else:
                nested = nested or [sympy_env(graph, nested=True)[1][i] for i in keep]
                exprs = [_rewrite(name)(e) for e in nested]
                assignments, reduced = merge_cse([], exprs)
                emit(("stage", name, rebuild(graph, assignments, reduced), time.perf_counter() - start))
                count = sum(int(count_ops(e)) for e in exprs)
            emit(("count", name, count))
        except Exception as exc:  # a stage SymPy cannot do, or we cannot map back: skip it
            emit(("failed", name, f"{type(exc).__name__}: {exc}"[:200]))
        if k == 0:
            emit(("count", "none", flat_count_ops(*to_sympy(graph))))


def _choose(report: SimplifyReport, graph: GraphIR, items: list[Any]) -> GraphIR:
    """The candidate with the fewest graph operations (ties: the earlier, the unchanged graph first)."""
    best, counts = graph, {}
    for item in items:
        if item[0] == "count":
            counts[item[1]] = item[2]
        elif item[0] == "failed":
            report.notes.append(f"{item[1]} failed ({item[2]})")
        else:
            _, name, candidate, _ = item
            report.tried[name] = candidate.n_ops
            if candidate.n_ops < best.n_ops:
                best, report.winner = candidate, name
    report.count_ops_before = counts.get("none")
    report.count_ops_after = counts.get(report.winner)
    return best


def simplify(graph: GraphIR, timeout: float | None = 3.0, strategy: str = "auto") -> tuple[GraphIR, SimplifyReport]:
    """A simplified copy of ``graph`` (never bigger) and a report; SymPy's work is time-boxed.

    >>> import hybriddiff as hd
    >>> d = hd.trace(lambda x: x * x * x - x * x, 2.0).grad()
    >>> small, report = simplify(d, timeout=10.0)
    >>> small.n_ops <= d.n_ops, round(small(2.0), 12), report.timed_out
    (True, 8.0, False)
    """
    graph = graph.prune()
    stages, notes = plan(graph, strategy)
    if stages and timeout is not None:
        warm_up()
    report = SimplifyReport(strategy=strategy, n_ops_before=graph.n_ops, timeout=timeout, notes=notes)
    out = timebox.stream(_stages, graph, stages, timeout=timeout, what=f"simplifying {graph.name}") \
        if stages else timebox.Streamed(finished=True)
    best = _choose(report, graph, out.items)
    report.timed_out, report.seconds, report.n_ops_after = out.timed_out, out.seconds, best.n_ops
    if out.timed_out:
        done = set(report.tried) | {n.split()[0] for n in report.notes}
        missing = [s for s in stages if s not in done]
        report.notes.append(f"timed out after {timeout:g} s during {missing[0] if missing else 'counting'}"
                            f": kept the best result finished in time")
    return best, report


__all__ = ["simplify", "SimplifyReport", "STRATEGIES", "plan", "rebuild", "merge_cse", "partly_nested"]
