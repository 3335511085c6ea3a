"""hybriddiff against the peers a user would otherwise pick, measured side by side in one run.

Peers (the ``bench`` extra): JAX (CPU), PyTorch (CPU), HIPS autograd, numdifftools. A peer that is
not installed is skipped with a line saying so.
"""
from __future__ import annotations

import gc
import importlib
from typing import Any, Callable

import numpy as np

import hybriddiff as hd
from hybriddiff.studies.families import rosenbrock

from .core_modes import seed_calls, seed_hd, seed_plain
from .timing import Timing, measure, side_by_side, table


def _peer(name: str) -> Any:
    try:
        module = importlib.import_module(name)
    except Exception:
        return None
    # The peers bring hundreds of thousands of Python objects; without this every full garbage
    # collection walks them all, and whatever allocates many objects afterwards (a recorded tape)
    # pays for it. Freezing moves them out of the collector's sight: we measure the engines, not that.
    gc.collect()
    gc.freeze()
    return module


def _missing(names: list[str]) -> str:
    gone = [n for n in names if _peer(n) is None]
    return "".join(f"\n- {n} is not installed: skipped (pip install 'hybriddiff[bench]')" for n in gone)


# ----------------------------------------------------------------- W1: one derivative at 2.0
def w1() -> str:
    # hybriddiff's rows side by side (interleaved rounds): the raw boxes, then what users call
    compiled = hd.trace(seed_hd, 2.0).grad().compile()
    t = side_by_side({**seed_calls(), "hybriddiff hybrid compiled": lambda: compiled(2.0)})
    base = t["plain float f (math.exp)"]
    targets = [None, 15, 50, 15, 15, 45, 45, 3]
    rows: list[tuple[Timing, Timing, float | None]] = [(timing, base, target)
                                                       for timing, target in zip(t.values(), targets)]
    import sympy
    x = sympy.Symbol("x")
    symbolic = sympy.lambdify(x, sympy.diff(sympy.exp(x ** 2 - x) / x, x), "math")
    rows.append((measure("SymPy diff + lambdify (math)", lambda: symbolic(2.0)), base, None))
    jax = _peer("jax")
    if jax is not None:
        jnp = jax.numpy
        g = jax.grad(lambda t: jnp.exp(t * t - t) / t)
        rows.append((measure("jax.grad (eager)", lambda: float(g(2.0)), repeats=5), base, None))
        jg = jax.jit(g)
        jg(2.0)
        rows.append((measure("jax.jit(jax.grad)", lambda: jg(2.0).block_until_ready()), base, None))
    torch = _peer("torch")
    if torch is not None:
        def torch_grad() -> float:
            t = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
            (torch.exp(t * t - t) / t).backward()
            return t.grad.item()
        rows.append((measure("torch backward (0-d tensor)", torch_grad), base, None))
    autograd = _peer("autograd")
    if autograd is not None:
        anp = importlib.import_module("autograd.numpy")
        ag = autograd.grad(lambda t: anp.exp(t * t - t) / t)
        rows.append((measure("autograd.grad", lambda: ag(2.0)), base, None))
    ndt = _peer("numdifftools")
    if ndt is not None:
        d = ndt.Derivative(seed_plain)
        rows.append((measure("numdifftools.Derivative (default)", lambda: d(2.0), repeats=5), base, None))
    return table(rows) + _missing(["jax", "torch", "autograd", "numdifftools"])


# ----------------------------------------------------------------- W2: a million points
def w2(n: int = 1_000_000) -> str:
    xs = np.linspace(0.5, 3.0, n)
    base = measure("plain NumPy f", lambda: np.exp(xs * xs - xs) / xs, repeats=5)

    def hand() -> np.ndarray:
        e = np.exp(xs * xs - xs)
        return e * (2 * xs * xs - xs - 1) / (xs * xs)
    hand_t = measure("hand-written NumPy f'", hand, repeats=5)
    rows: list[tuple[Timing, Timing, float | None]] = [(base, base, None), (hand_t, base, None)]
    compiled = hd.trace(seed_hd, 2.0).grad().compile()
    c = measure("hybriddiff hybrid compiled", lambda: compiled(xs), repeats=5)
    rows += [(c, base, None), (c, hand_t, 1.5)]
    rows.append((measure("hybriddiff forward (Dual of arrays)", lambda: seed_hd(hd.Dual(xs, 1.0)).tangent,
                         repeats=5), base, None))

    def reverse() -> np.ndarray:
        x = hd.Variable(xs)
        seed_hd(x).backward()
        return x.grad
    rows.append((measure("hybriddiff reverse (Variable of arrays)", reverse, repeats=5), base, None))
    jax = _peer("jax")
    if jax is not None:
        jnp = jax.numpy
        jax.config.update("jax_enable_x64", True)
        vg = jax.jit(jax.vmap(jax.grad(lambda t: jnp.exp(t * t - t) / t)))
        jx = jnp.asarray(xs)
        vg(jx).block_until_ready()
        rows.append((measure("jax.jit(vmap(grad))", lambda: vg(jx).block_until_ready(), repeats=5), base, None))
    torch = _peer("torch")
    if torch is not None:
        def torch_grad() -> Any:
            t = torch.tensor(xs, requires_grad=True)
            (torch.exp(t * t - t) / t).sum().backward()
            return t.grad
        rows.append((measure("torch backward (sum of a tensor)", torch_grad, repeats=5), base, None))
    autograd = _peer("autograd")
    if autograd is not None:
        anp = importlib.import_module("autograd.numpy")
        eg = autograd.elementwise_grad(lambda t: anp.exp(t * t - t) / t)
        rows.append((measure("autograd.elementwise_grad", lambda: eg(xs), repeats=5), base, None))
    text = table(rows) + _missing(["jax", "torch", "autograd"])
    if jax is not None:   # issue 19: the hybrid compiled by JAX, side by side, and its compile time
        from .jax_bench import w2_jax
        text += "\n\n" + w2_jax(jax, n)
    return text


# ----------------------------------------------------------------- W3: extended Rosenbrock
def _vector_rosenbrock(np_: Any) -> Callable[[Any], Any]:
    return lambda x: np_.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def w3(ns: tuple[int, ...] = (10, 100, 1000)) -> str:
    out = []
    for n in ns:
        x = np.linspace(-1.2, 1.0, n)
        xl = x.tolist()  # Python floats: the plain loop is the seed's style
        grad_f = hd.grad(rosenbrock)   # what users call (issue 15: the operator's own tape)

        def reverse() -> list:
            v = [hd.Variable(t) for t in xl]
            rosenbrock(v).backward()
            return [t.grad for t in v]
        t = side_by_side({f"plain-float loop f, n={n}": lambda: rosenbrock(xl),
                          "f on hd.Variable": lambda: rosenbrock([hd.Variable(v) for v in xl]),
                          "hybriddiff reverse gradient (Variable, backward)": reverse,
                          "hd.grad(f)(x), x a float array": lambda: grad_f(x)}, repeats=7)
        plain, f_var, rev, op = t.values()
        rows: list[tuple[Timing, Timing, float | None]] = [
            (plain, plain, None), (f_var, plain, None), (rev, f_var, 3), (rev, plain, 50),
            (op, f_var, 2.5), (op, plain, 45)]
        if n <= 100:
            fwd = measure("hybriddiff forward, n passes", lambda: [rosenbrock(
                [hd.Dual(t, 1.0 if i == k else 0.0) for i, t in enumerate(xl)]).tangent for k in range(n)],
                repeats=3)
            rows.append((fwd, plain, None))
        compiled = hd.trace(rosenbrock, x).grad().compile()
        hyb = measure("hybriddiff hybrid compiled gradient", lambda: compiled(x), repeats=5)
        rows.append((hyb, plain, 3))
        rows += _w3_peers(n, x, plain)
        out.append(f"### n = {n}\n\n" + table(rows))
    return "\n\n".join(out) + _missing(["jax", "torch", "autograd"])


def _w3_peers(n: int, x: np.ndarray, plain: Timing) -> list[tuple[Timing, Timing, float | None]]:
    rows: list[tuple[Timing, Timing, float | None]] = []
    autograd = _peer("autograd")
    if autograd is not None:
        anp = importlib.import_module("autograd.numpy")
        f = _vector_rosenbrock(anp)
        g = autograd.grad(f)
        ft = measure("autograd: vectorised f", lambda: f(x), repeats=5)
        gt = measure("autograd.grad (vectorised)", lambda: g(x), repeats=5)
        rows += [(ft, plain, None), (gt, ft, None), (gt, plain, None)]
    torch = _peer("torch")
    if torch is not None:
        tx = torch.tensor(x)

        def tg() -> Any:
            t = tx.clone().requires_grad_(True)
            torch.sum(100 * (t[1:] - t[:-1] ** 2) ** 2 + (1 - t[:-1]) ** 2).backward()
            return t.grad
        rows.append((measure("torch backward (vectorised)", tg, repeats=5), plain, None))
    jax = _peer("jax")
    if jax is not None:
        jf = jax.jit(jax.grad(_vector_rosenbrock(jax.numpy)))
        jx = jax.numpy.asarray(x)
        jf(jx).block_until_ready()
        rows.append((measure("jax.jit(grad) (vectorised)", lambda: jf(jx).block_until_ready(), repeats=5),
                     plain, None))
    return rows
