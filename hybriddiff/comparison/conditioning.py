"""How accurately float64 can compute this derivative at all: the conditioning allowance.

No method that evaluates the derivative in float64 can beat the rounding errors of its formula,
amplified by how ill-conditioned the derivative is at the point (the logistic map's derivative after
many steps, 1 - cos(x) near 0). ``attainable`` measures that: it evaluates the derivative graph in
float64 with every operation's result perturbed by a random relative error of at most one unit
roundoff (the standard model of floating-point arithmetic), over a batch of trials in one pass, and
returns the worst relative error against the 50-digit reference. The comparison's judge allows a
method a small multiple of it on top of its own promise.

>>> import hybriddiff as hd, mpmath
>>> attainable(hd.trace(lambda x: hd.exp(x), 1.0).grad(), 1.0, [mpmath.e]) < 1e-15
True
>>> cancels = hd.trace(lambda x: x - hd.sin(x), 1e-7).grad()    # 1 - cos(x): 5e-15, rounded
>>> attainable(cancels, 1e-7, [mpmath.mpf(1e-7) ** 2 / 2]) > 1e-3
True
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..graph.arguments import flatten_args
from ..graph.evaluate import constant_converter
from ..graph.facade import Graph
from ..graph.nodes import CONST, INPUT

TRIALS = 32
UNIT_ROUNDOFF = 2.0 ** -53
MAX_OPS = 50_000      # past this the allowance is not measured (it costs about a second per 100,000
                      # operations, as much as the 50-digit reference's own evaluation)


def attainable(graph: Graph, x: Any, reference: Sequence[Any], seed: int = 0) -> float | None:
    """The worst relative error (max over entries, absolute where the reference is 0) of TRIALS
    float64 evaluations of ``graph`` at x with randomly rounded operations; None past MAX_OPS."""
    if graph.n_ops > MAX_OPS:
        return None
    rng = np.random.default_rng(seed)
    inputs = dict(zip(graph.inputs, flatten_args(graph, [np.asarray(x, dtype=float) if np.ndim(x) else float(x)])))
    constant = constant_converter([0.0])
    env: list[Any] = [None] * len(graph.nodes)

    def read(i: int) -> Any:
        return env[i]

    def write(i: int, value: Any) -> None:
        env[i] = value

    with np.errstate(all="ignore"):
        for i, node in enumerate(graph.nodes):
            if node.kind == INPUT:
                write(i, np.full(TRIALS, float(inputs[i])))
            elif node.kind == CONST:
                write(i, constant(node.const))
            else:
                # NumPy's own function on float arrays: no dispatch needed (nothing here is a box)
                out = np.asarray(node.prim.numpy(*[read(a) for a in node.args]), dtype=float)
                write(i, out * (1.0 + UNIT_ROUNDOFF * rng.uniform(-1.0, 1.0, TRIALS)))
        worst = 0.0
        for o, r in zip(graph.outputs, reference):
            r = float(r)
            err = np.max(np.abs(np.broadcast_to(read(o), (TRIALS,)) - r))
            worst = max(worst, float(err / abs(r)) if r != 0 else float(err))
    return worst if np.isfinite(worst) else None


__all__ = ["attainable", "TRIALS", "MAX_OPS"]
