"""Traced graphs: compiled derivatives (scalar and batched) and million-node chains."""
from __future__ import annotations

import gc
import math
import time
import tracemalloc

import numpy as np

import hybriddiff as hd
from hybriddiff.studies.families import sine_chain

from .timing import fmt_time, measure, table


def seed_plain(x):
    return math.exp(x * x - x) / x


def seed_numpy(x):
    return np.exp(x * x - x) / x


def seed_numpy_derivative(x):
    """Hand-written: f'(x) = exp(x^2 - x) (2x^2 - x - 1) / x^2."""
    e = np.exp(x * x - x)
    return e * (2 * x * x - x - 1) / (x * x)


def compiled_workload() -> str:
    df = hd.trace(lambda x: hd.exp(x * x - x) / x, 2.0).grad().compile()
    plain = measure("plain float f (math.exp)", lambda: seed_plain(2.0))
    compiled = measure("compiled derivative graph, df(2.0)", lambda: df(2.0))
    xs = np.linspace(0.5, 3.0, 1_000_000)
    f_np = measure("plain NumPy f, 1e6 points", lambda: seed_numpy(xs), repeats=5)
    hand = measure("hand-written NumPy f', 1e6 points", lambda: seed_numpy_derivative(xs), repeats=5)
    batch = measure("compiled derivative graph, 1e6 points", lambda: df(xs), repeats=5)
    return table([(plain, plain, None), (compiled, plain, 3), (f_np, f_np, None), (hand, f_np, None),
                  (batch, f_np, 3), (batch, hand, 1.5)])





def chain_workload(nodes: int = 1_000_000) -> str:
    """Trace, evaluate and sweep a chain of about ``nodes`` graph nodes; bytes per node."""
    steps = nodes // 3
    chain = sine_chain(steps)
    gc.collect()
    tracemalloc.start()  # memory measured on a tenth of the chain (tracemalloc slows allocation)
    small = hd.trace(sine_chain(steps // 10), 0.5)
    size = tracemalloc.get_traced_memory()[0] / len(small.nodes)
    tracemalloc.stop()
    del small
    t0 = time.perf_counter()
    g = hd.trace(chain, 0.5)
    t_trace = time.perf_counter() - t0
    t0 = time.perf_counter()
    g(0.5)
    t_eval = time.perf_counter() - t0
    t0 = time.perf_counter()
    x = hd.Variable(0.5)
    y = chain(x)
    t_record = time.perf_counter() - t0
    t0 = time.perf_counter()
    y.backward()
    t_sweep = time.perf_counter() - t0
    t0 = time.perf_counter()
    G = g.grad()
    t_grad = time.perf_counter() - t0
    t0 = time.perf_counter()
    G(0.5)
    t_geval = time.perf_counter() - t0
    rows = [("trace (hd.trace)", t_trace), ("evaluate the graph at a float", t_eval),
            ("reverse mode: record on Variables", t_record), ("reverse mode: backward() sweep", t_sweep),
            ("derivative graph (g.grad(), emitting nodes)", t_grad),
            (f"evaluate the derivative graph ({len(G.nodes):,} nodes)", t_geval)]
    lines = [f"Chain x = sin(x) * 0.999 + 0.001, {steps:,} steps = {len(g.nodes):,} graph nodes; "
             f"graph memory {size:.0f} bytes per node.", "",
             "| step | seconds |", "|---|---:|"]
    lines += [f"| {name} | {fmt_time(t)} |" for name, t in rows]
    return "\n".join(lines)
