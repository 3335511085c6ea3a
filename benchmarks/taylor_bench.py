"""W8: higher derivatives. The 10th derivative of the seed's f(x) = exp(x**2 - x)/x at 2.0 by Taylor mode
(one pass of 11 coefficients), by hd.derivative nested 10 deep (forward and reverse), by the derivative
graph (trace once, differentiate the graph 10 times, evaluate), and by JAX (jax.experimental.jet,
nested jax.grad), side by side; then how the cost grows with the order n.

Targets (issue 18): at order 10, Taylor mode faster than nested operators and than the derivative graph.
Every value is checked against mpmath's 50-digit derivative; Taylor mode must be within 1e-12.
"""
from __future__ import annotations

import functools
import importlib
import math
import time
from typing import Any, Callable
from unittest import mock

import numpy as np

import hybriddiff as hd
from hybriddiff.graph.ir import GraphIR

from .core_modes import seed_hd as f   # exp(x * x - x) / x: the seed's f as W1 writes it
from .timing import fmt_time, side_by_side

X = 2.0
ORDERS = (1, 2, 4, 6, 8, 10, 12, 16, 20)
TAYLOR_TOLERANCE = 1e-12


# ------------------------------------------------------------------ the ways to an n-th derivative
def nested(n: int, method: str) -> Callable[[float], float]:
    """x -> hd.derivative(hd.derivative(... f ..., method=method), method=method): n operators deep."""
    g: Callable[[Any], Any] = f
    for _ in range(n):
        g = functools.partial(hd.derivative, g, method=method)
    return g


def graph_of(n: int) -> Any:
    """f traced at X and its graph differentiated n times (what method="forward", order=n does)."""
    graph = hd.trace(f, X)
    for _ in range(n):
        graph = graph.derivative()
    return graph


def by_graph(n: int) -> float:
    """Build and evaluate: hd.derivative(f, X, method="forward", order=n) for n >= 2, also at n = 1."""
    return graph_of(n)(X)


def taylor(n: int) -> float:
    return hd.derivative(f, X, method="taylor", order=n)


def reference(n: int) -> Any:
    mpmath = importlib.import_module("mpmath")
    with mpmath.workdps(50):
        return mpmath.diff(lambda t: mpmath.exp(t ** 2 - t) / t, 2, n)


def rel_error(value: float, ref: Any) -> float:
    mpmath = importlib.import_module("mpmath")
    with mpmath.workdps(50):
        return float(abs((mpmath.mpf(float(value)) - ref) / ref))


class _Jax:
    """JAX's ways, float64 (jax_enable_x64 set here, for this process), on f in jax.numpy."""

    def __init__(self, jax: Any) -> None:
        jax.config.update("jax_enable_x64", True)
        self.jax, self.jnp = jax, jax.numpy
        self.jet = importlib.import_module("jax.experimental.jet").jet

    def f(self, x: Any) -> Any:
        return self.jnp.exp(x * x - x) / x

    def jet_n(self, x: Any, n: int) -> Any:
        """The n-th derivative by jet: input series x + t (jet's series are derivatives, not c_k)."""
        _, series = self.jet(self.f, (x,), ((1.0,) + (0.0,) * (n - 1),))
        return series[n - 1]

    def jitted_jet(self, n: int) -> Callable[[float], Any]:
        return self.jax.jit(functools.partial(self.jet_n, n=n))

    def nested_grad(self, n: int) -> Callable[[float], Any]:
        g = self.f
        for _ in range(n):
            g = self.jax.grad(g)
        return self.jax.jit(g)


def _jax() -> _Jax | None:
    try:
        return _Jax(importlib.import_module("jax"))
    except Exception:
        return None


def _once(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


# ------------------------------------------------------------------ order 10, side by side
def _order_table(order: int, jax: _Jax | None, jax_grad: bool) -> tuple[str, list[str]]:
    ref = reference(order)
    built = graph_of(order)
    calls: dict[str, Callable[[], Any]] = {
        f"Taylor: hd.derivative(f, 2.0, method='taylor', order={order})": lambda: taylor(order),
        f"Taylor: hd.taylor(f, 2.0, {order}).derivatives[{order}]": lambda: hd.taylor(f, X, order).derivatives[order],
        f"nested hd.derivative, forward, {order} deep": lambda: nested(order, "forward")(X),
        f"nested hd.derivative, reverse, {order} deep": lambda: nested(order, "reverse")(X),
        f"derivative graph: hd.derivative(f, 2.0, method='forward', order={order}) (trace, "
        f"{order} derivative graphs, evaluate)": lambda: hd.derivative(f, X, method="forward", order=order),
        f"derivative graph, reverse: method='reverse', order={order} (graph.grad() {order} times)":
            lambda: hd.derivative(f, X, method="reverse", order=order),
        f"the derivative graph's evaluation alone (built beforehand: {built.n_ops:,} operations)":
            lambda: built(X),
    }
    targets = {2, 3, 4, 5}   # rows Taylor must beat
    notes: list[str] = []
    if jax is not None:
        jet_jit = jax.jitted_jet(order)
        compile_jet, _ = _once(lambda: jet_jit(X).block_until_ready())
        calls["jax.experimental.jet, eager (traced anew every call)"] = lambda: float(jax.jet_n(X, order))
        calls["jax.jit(jet), compiled beforehand"] = lambda: jet_jit(X).block_until_ready()
        notes.append("JAX rows: f written with jax.numpy, float64 (this benchmark sets jax_enable_x64); jet "
                     "gets the input series x + t and returns derivatives (not coefficients).")
        notes.append(f"jax.jit(jet)'s first call (trace + compile): {fmt_time(compile_jet)}.")
        if jax_grad:
            grad_jit = jax.nested_grad(order)
            compile_grad, _ = _once(lambda: grad_jit(X).block_until_ready())
            calls[f"jax.jit(jax.grad nested {order} deep), compiled beforehand"] = \
                lambda: grad_jit(X).block_until_ready()
            notes.append(f"jax.jit(jax.grad nested {order} deep)'s first call (trace + compile): "
                         f"{fmt_time(compile_grad)}. Nested jax.grad without jit retraces on every call (about 3 s "
                         f"a call at order 8 when tried): not timed.")
    values = {name: fn() for name, fn in calls.items()}
    errors = {name: rel_error(v, ref) for name, v in values.items()}
    for name in list(calls)[:2]:
        if not errors[name] <= TAYLOR_TOLERANCE:
            raise AssertionError(f"W8: {name} = {values[name]!r}, relative error {errors[name]:.2e} against "
                                 f"mpmath's {mpmath_str(ref)} (must be within {TAYLOR_TOLERANCE:g})")
    t = side_by_side(calls, repeats=5, min_time=0.05)
    base = next(iter(t.values()))
    lines = ["| what | time per call | spread | ratio to Taylor | relative error (mpmath, 50 digits) | target |",
             "|---|---:|---:|---:|---:|---:|"]
    for i, (name, timing) in enumerate(t.items()):
        ratio = timing.ratio(base)
        verdict = (f"Taylor faster: {'ok' if ratio > 1 else 'MISSED'}" if i in targets else "")
        lines.append(f"| {name} | {fmt_time(timing.best)} | {timing.spread:.0%} | {ratio:,.2f}x | "
                     f"{errors[name]:.1e} | {verdict} |")
    missed = [name for i, (name, timing) in enumerate(t.items()) if i in targets and timing.ratio(base) <= 1]
    head = (f"The {order}th derivative of f(x) = exp(x * x - x)/x at 2.0; mpmath (50 digits): "
            f"{mpmath_str(ref)}. Rounds interleaved; ratio = time / Taylor mode's (the first row).")
    verdicts = [f"Target (Taylor faster than nested operators and than the derivative graph): "
                f"{'met' if not missed else 'MISSED (' + '; '.join(missed) + ')'}."]
    return head + "\n\n" + "\n".join(lines), verdicts + notes


def mpmath_str(ref: Any) -> str:
    mpmath = importlib.import_module("mpmath")
    return mpmath.nstr(ref, 20)


# ------------------------------------------------------------------ growth with n
def _fit(points: list[tuple[int, float]]) -> tuple[float, float] | None:
    """(factor per order from log y = a + b n, exponent from log y = a + p log n), on n >= 4."""
    pts = [(n, y) for n, y in points if n >= 4 and y > 0]
    if len(pts) < 3:
        return None
    n = np.array([p[0] for p in pts], dtype=float)
    y = np.log([p[1] for p in pts])
    return math.exp(np.polyfit(n, y, 1)[0]), float(np.polyfit(np.log(n), y, 1)[0])


def _growth_times(orders: tuple[int, ...], limit: float, jax: _Jax | None) -> tuple[dict, list[str]]:
    """Seconds per call for each method and order: fast calls interleaved (``_interleaved``), slow ones
    the best of three single calls (two past 0.5 s). A method stops once a call exceeds ``limit`` or
    would, extrapolated from its last two orders."""
    methods: dict[str, Callable[[int], Callable[[], Any]]] = {
        "Taylor": lambda n: lambda: taylor(n),
        "nested forward": lambda n: lambda: nested(n, "forward")(X),
        "nested reverse": lambda n: lambda: nested(n, "reverse")(X),
        "derivative graph (build + evaluate)": lambda n: lambda: by_graph(n),
    }
    if jax is not None:
        jitted: dict[int, Callable[[float], Any]] = {}
        methods["jax.jit(jet), compiled"] = lambda n: lambda: jitted[n](X).block_until_ready()
    times: dict[str, dict[int, float]] = {m: {} for m in methods}
    compile_times: dict[int, float] = {}
    stopped: dict[str, str] = {}
    for n in orders:
        if jax is not None:
            jitted[n] = jax.jitted_jet(n)
            compile_times[n], _ = _once(lambda: jitted[n](X).block_until_ready())
        fast = {}
        for method, make in methods.items():
            if method in stopped:
                continue
            done = sorted(times[method].items())
            if len(done) >= 2:
                (n0, t0), (n1, t1) = done[-2:]
                predicted = t1 * (t1 / t0) ** ((n - n1) / (n1 - n0))
                if predicted > limit:
                    stopped[method] = f"stopped before n = {n} (about {fmt_time(predicted)} a call, extrapolated)"
                    continue
            probe, _ = _once(make(n))
            if probe > 0.05:
                extra = 0 if probe > limit else 1 if probe > 0.5 else 2   # best of 1, 2 or 3 calls
                times[method][n] = min([probe] + [_once(make(n))[0] for _ in range(extra)])
                if probe > limit:
                    stopped[method] = f"stopped after n = {n} (a call took {fmt_time(probe)})"
            else:
                fast[method] = (make(n), probe)
        times_n = _interleaved(fast)
        for method, best in times_n.items():
            times[method][n] = best
    if jax is not None:
        times["jax.jit(jet), first call (trace + compile)"] = compile_times
    return times, [f"{m}: {why}" for m, why in stopped.items()]


def _interleaved(calls: dict[str, tuple[Callable[[], Any], float]], repeats: int = 3,
                 min_time: float = 0.02) -> dict[str, float]:
    """Best seconds per call, rounds interleaved as in ``timing.side_by_side``, but each loop count
    taken from the probe call already made (no 0.2 s autorange per cell: the growth table has many)."""
    numbers = {name: max(1, math.ceil(min_time / max(probe, 1e-7))) for name, (_, probe) in calls.items()}
    best = {name: math.inf for name in calls}
    for _ in range(repeats):
        for name, (fn, _) in calls.items():
            start = time.perf_counter()
            for _ in range(numbers[name]):
                fn()
            best[name] = min(best[name], (time.perf_counter() - start) / numbers[name])
    return best


def _counting() -> tuple[Any, list[int]]:
    """A patch of GraphIR.emit that counts every operation a tracer is asked for (before hash-consing
    shares repeated ones and exact folds drop 1 * x)."""
    count = [0]
    emit = GraphIR.emit

    def counted(self: Any, prim: Any, args: Any) -> int:
        count[0] += 1
        return emit(self, prim, args)
    return mock.patch.object(GraphIR, "emit", counted), count


def _op_counts(orders: tuple[int, ...], graph_orders: set[int], nested_max: int) -> dict[str, dict[int, int]]:
    counts: dict[str, dict[int, int]] = {"derivative graph n_ops": {}, "Taylor traced n_ops": {},
                                         "Taylor emitted": {}, "nested forward emitted": {},
                                         "nested reverse emitted": {}}
    patch, count = _counting()
    for n in orders:
        if n in graph_orders:
            counts["derivative graph n_ops"][n] = graph_of(n).n_ops
        count[0] = 0
        with patch:
            traced = hd.trace(lambda t: hd.taylor(f, t, n).derivatives[n], X)
        assert abs(traced(X) - taylor(n)) <= 1e-12 * abs(taylor(n)), n   # the traced Taylor pass computes the same
        counts["Taylor traced n_ops"][n], counts["Taylor emitted"][n] = traced.n_ops, count[0]
        if n <= nested_max:
            for method in ("forward", "reverse"):
                count[0] = 0
                with patch:
                    hd.trace(nested(n, method), X)
                counts[f"nested {method} emitted"][n] = count[0]
    return counts


def _growth(orders: tuple[int, ...], limit: float, jax: _Jax | None, nested_max: int) -> str:
    times, stops = _growth_times(orders, limit, jax)
    graph_orders = set(times["derivative graph (build + evaluate)"])
    counts = _op_counts(orders, graph_orders, nested_max)
    errors = {n: rel_error(taylor(n), reference(n)) for n in orders}
    head = "| n | " + " | ".join(times) + " | Taylor's relative error |"
    lines = [head, "|" + "---:|" * (len(times) + 2)]
    for n in orders:
        cells = [fmt_time(times[m][n]) if n in times[m] else "" for m in times]
        lines.append(f"| {n} | " + " | ".join(cells) + f" | {errors[n]:.1e} |")
    op_lines = ["| n | " + " | ".join(counts) + " |", "|" + "---:|" * (len(counts) + 1)]
    for n in orders:
        op_lines.append(f"| {n} | " + " | ".join(f"{c[n]:,}" if n in c else "" for c in counts.values()) + " |")
    expected = {"Taylor": "n^2 (per operation)", "nested forward": "3^n", "nested reverse": "3^n",
                "derivative graph (build + evaluate)": "2^n (operations)", "derivative graph n_ops": "2^n",
                "Taylor traced n_ops": "n^2", "Taylor emitted": "n^2", "nested forward emitted": "3^n",
                "nested reverse emitted": "3^n"}
    fit_lines = ["| what | orders fitted | factor per order (log y against n) | exponent (log y against log n) "
                 "| expected |", "|---|---|---:|---:|---|"]
    for name, series in [*times.items(), *counts.items()]:
        fit = _fit(sorted(series.items()))
        if fit is not None:
            used = [n for n in sorted(series) if n >= 4]
            fit_lines.append(f"| {name} | {used[0]}-{used[-1]} | {fit[0]:.2f} | {fit[1]:.2f} | "
                             f"{expected.get(name, '')} |")
    far = _taylor_far(counts["Taylor emitted"][orders[-1]], orders[-1])
    return ("### Growth with the order n\n\nTime per call (the best round; calls under 50 ms interleaved, "
            "slower ones the best of three single calls, two past 0.5 s)"
            + "".join(f"; {why}" for why in stops) + ".\n\n" + "\n".join(lines)
            + "\n\nOperations. `n_ops`: the graph's operations after hash-consing and exact folds (what "
              "evaluating it does); `emitted`: every operation the tracer was asked for while tracing the "
              "Taylor pass, `hd.trace(lambda t: hd.taylor(f, t, n).derivatives[n], 2.0)`, or the nested "
              "operators (their float-level work; arithmetic among plain constants, such as the seed's "
              "constant coefficients, is not seen by the tracer).\n\n" + "\n".join(op_lines)
            + "\n\nFitted growth (least squares on n >= 4; small orders are dominated by fixed costs):\n\n"
            + "\n".join(fit_lines) + "\n\n" + far)


def _taylor_far(last: int, n_last: int, beyond: tuple[int, ...] = (40, 80)) -> str:
    """Taylor mode's emitted operations past the table: where its n^2 term takes over (counts only)."""
    patch, count = _counting()
    seen = [(n_last, last)]
    for n in beyond:
        count[0] = 0
        with patch:
            hd.trace(lambda t: hd.taylor(f, t, n).derivatives[n], X)
        seen.append((n, count[0]))
    local = ", ".join(f"{n1}: {c1:,} (exponent {math.log(c1 / c0) / math.log(n1 / n0):.2f} from n = {n0})"
                      for (n0, c0), (n1, c1) in zip(seen, seen[1:]))
    return (f"Taylor mode's emitted operations beyond the table, n = {local}: below n = 20 the terms "
            f"linear in n (one new coefficient per operation and order) still weigh, and the n^2 "
            f"convolutions take over from there.")


def w8(order: int = 10, orders: tuple[int, ...] = ORDERS, limit: float = 2.0, jax_grad: bool = True,
       nested_max: int = 8) -> str:
    jax = _jax()
    table, notes = _order_table(order, jax, jax_grad)
    text = table + "\n\n" + "\n".join(f"- {n}" for n in notes)
    if jax is None:
        text += "\n- jax is not installed: its rows skipped (pip install 'hybriddiff[bench]')"
    return text + "\n\n" + _growth(orders, limit, jax, nested_max)


if __name__ == "__main__":
    print(w8())
