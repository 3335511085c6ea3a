"""W7: what checkpointing saves. One reverse derivative of a time-stepping loop of n = 10,000 steps: peak
memory (tracemalloc) and time, plain reverse mode against the binomial checkpointed loop
(snapshots s = 20), side by side with JAX's jax.checkpoint on the same loop where JAX is installed.

Targets (issue 17): checkpointed peak memory at least 20x below plain reverse mode, time at most 4x.
"""
from __future__ import annotations

import importlib
from typing import Any

import hybriddiff as hd
from hybriddiff.comparison.measure import peak_bytes

from .timing import side_by_side, table


def step(x: Any) -> Any:   # an explicit Euler step of x' = x (1 - x), dt = 0.001: a time-stepping loop
    return x + 0.001 * x * (1 - x)


def loop(x: Any, n: int) -> Any:
    for _ in range(n):
        x = step(x)
    return x


def w7(n: int = 10_000, snapshots: int = 20) -> str:
    plain = hd.grad(lambda x: loop(x, n))
    saved = hd.grad(lambda x: hd.checkpointed_loop(step, x, n, snapshots=snapshots))
    assert abs(plain(0.3) - saved(0.3)) <= 1e-9 * abs(plain(0.3))
    t = side_by_side({"plain reverse (hd.grad of the loop)": lambda: plain(0.3),
                      f"checkpointed loop, s = {snapshots} (hd.grad)": lambda: saved(0.3)}, repeats=5)
    base, ckpt = t.values()
    rows = [(base, base, None), (ckpt, base, 4)]
    jax_rows = _jax(n, base)
    memory = [("plain reverse", peak_bytes(lambda: plain(0.3))), (f"checkpointed, s = {snapshots}", peak_bytes(lambda: saved(0.3)))]
    ratio = memory[0][1] / memory[1][1]
    lines = ["| what | peak bytes (tracemalloc) | ratio | target |", "|---|---:|---:|---:|",
             f"| {memory[0][0]} | {memory[0][1]:,} | 1.00x |  |",
             f"| {memory[1][0]} | {memory[1][1]:,} | {ratio:.0f}x less | >= 20x less "
             f"{'ok' if ratio >= 20 else 'MISSED'} |"]
    long_n = 10 * n   # the 10^5 steps: memory only (one traced call each)
    long_plain = peak_bytes(lambda: hd.grad(lambda x: loop(x, long_n))(0.3))
    long_saved = peak_bytes(lambda: hd.grad(lambda x: hd.checkpointed_loop(step, x, long_n, snapshots=snapshots))(0.3))
    lines += [f"| plain reverse, n = {long_n:,} | {long_plain:,} | 1.00x |  |",
              f"| checkpointed, s = {snapshots}, n = {long_n:,} | {long_saved:,} | {long_plain / long_saved:.0f}x less |  |"]
    recomputed = hd.revolve(n, snapshots).recomputed
    return (f"Explicit Euler for x' = x (1 - x), n = {n:,} steps; the binomial schedule recomputes {recomputed:,} steps.\n\n"
            + table(rows + jax_rows) + "\n\n" + "\n".join(lines)
            + "\n\nJAX allocates outside Python's allocator (XLA buffers), so tracemalloc cannot see its "
              "memory: its rows are times only.")


def _jax(n: int, base: Any) -> list:
    try:
        jax = importlib.import_module("jax")
    except Exception:
        return []
    jax.config.update("jax_enable_x64", True)
    body = lambda i, x: x + 0.001 * x * (1 - x)
    plain = jax.jit(jax.grad(lambda x: jax.lax.fori_loop(0, n, body, x)))
    saved = jax.jit(jax.grad(lambda x: jax.lax.fori_loop(0, n, jax.checkpoint(body), x)))
    plain(0.3).block_until_ready(), saved(0.3).block_until_ready()
    t = side_by_side({"jax.jit(jax.grad(fori_loop))": lambda: plain(0.3).block_until_ready(),
                      "jax.jit(jax.grad(fori_loop of jax.checkpoint(step)))":
                          lambda: saved(0.3).block_until_ready()}, repeats=5)
    jax_plain, jax_saved = t.values()
    return [(jax_plain, base, None), (jax_saved, jax_plain, None)]   # JAX's own price of checkpointing
