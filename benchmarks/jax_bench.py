"""W2 on JAX (issue 19): the hybrid derivative graph compiled with ``compile(backend="jax")`` beside
``jax.jit(jax.vmap(jax.grad(f)))`` and the NumPy-compiled hybrid, at 10^6 points on the CPU; where the
JAX-compiled hybrid's time goes; and how long trace + derivative graph + ``jax.jit`` (first call
included) take.

Targets (issue 19): the JAX-compiled hybrid within 1.2x of ``jax.jit(vmap(grad))``, faster than the
NumPy-compiled hybrid; trace + derivative graph + JAX compilation under 1 s.

The JAX rows run in float64 with ``jax_enable_x64`` set for the process (as W2's ``jax.jit(vmap(grad))``
row needs; the compiled hybrid enters ``jax.enable_x64`` on every call anyway). Every JAX result is
materialised: ``block_until_ready()``, or ``np.asarray`` where the row says NumPy out.
"""
from __future__ import annotations

import re
import statistics
import subprocess
import sys
import time
from typing import Any, Callable

import numpy as np

import hybriddiff as hd

from .core_modes import seed_hd   # exp(x * x - x) / x: the seed's f as W1 and W2 write it
from .timing import Timing, fmt_time, side_by_side

N = 1_000_000
X0, X1 = 0.5, 3.0   # W2's points: np.linspace(0.5, 3.0, n)
NEAR_ROOT = 0.01    # f'(1) = 0: within this of x = 1 every float64 evaluation loses digits


def f_jnp(jnp: Any) -> Callable[[Any], Any]:
    return lambda t: jnp.exp(t * t - t) / t


def xla_loops(jitted: Any, *args: Any) -> str:
    """How many loops (XLA fusions, one kernel each) the compiled program runs, from its HLO."""
    try:
        text = jitted.lower(*args).compile().as_text()
    except Exception:   # an XLA build without HLO text: say so rather than guess
        return "?"
    entry = text[text.rfind("\nENTRY"):]
    return str(len(re.findall(r"\bfusion\(", entry)))


def reciprocal_source(source: str) -> str:
    """The generated jax.numpy source with each shared division as ``to_jax`` writes it,
    ``u * (1.0 / w)``, turned back into ``u / w`` (NumPy's form): what XLA fuses without the rewrite
    (measured here only; the name is kept for the rows that compare the two)."""
    return re.sub(r"^(\s+v\d+ = )(\w+) \* \(1\.0 / (\w+)\)", r"\1\2 / \3", source, flags=re.M)


def variant(source: str, name: str, jnp: Any, mask: bool = True) -> Callable[[Any], Any]:
    """A function from jax.numpy source printed by ``to_jax`` (its domain mask kept or dropped)."""
    def defined(value: Any, domain: tuple) -> Any:
        bad = jnp.zeros((), dtype=bool)
        for d in domain:
            bad = bad | jnp.isnan(d)
        return jnp.where(bad, jnp.nan, value)
    namespace: dict[str, Any] = {"jnp": jnp, "hd_defined": defined if mask else (lambda value, domain: value)}
    exec(compile(source, f"<W2 variant of {name}>", "exec"), namespace)   # source generated from our graph
    return namespace[name]


def rel_diff(values: Any, base: np.ndarray, far: np.ndarray) -> str:
    """Max relative difference from ``base``: at all points / where |x - 1| > NEAR_ROOT."""
    v = np.asarray(values, dtype=float)
    with np.errstate(all="ignore"):
        rel = np.abs(v - base) / np.abs(base)
    return f"{rel.max():.1e} / {rel[far].max():.1e}"


def _rows(t: dict[str, Timing], specs: list[tuple[str, str | None, float | None, str]]) -> list[str]:
    """Markdown rows: what, time, spread, ratio (to the row named), target verdict, values column."""
    out = []
    for name, base, target, values in specs:
        timing = t[name]
        ratio = "" if base is None else f"{timing.ratio(t[base]):.2f}x {base}"
        verdict = "" if target is None else \
            f"<= {target:g}x {'ok' if timing.ratio(t[base]) <= target else 'MISSED'}"   # type: ignore[index]
        out.append(f"| {name} | {fmt_time(timing.best)} | {timing.spread:.0%} | {ratio} | {verdict} | {values} |")
    return out


def side_table(jax: Any, n: int = N) -> tuple[str, dict[str, float]]:
    """The JAX-compiled hybrid beside jax.jit(vmap(grad)) and the NumPy-compiled hybrid, rounds
    interleaved; and the same program taken apart (where the time goes)."""
    jnp = jax.numpy
    jax.config.update("jax_enable_x64", True)
    xs = np.linspace(X0, X1, n)
    jx = jnp.asarray(xs)
    far = np.abs(xs - 1.0) > NEAR_ROOT
    graph = hd.trace(seed_hd, 2.0).grad()          # as W2's hybrid row builds it (not simplified there)
    on_numpy = graph.compile()
    on_jax = graph.compile(backend="jax")
    vg = jax.jit(jax.vmap(jax.grad(f_jnp(jnp))))
    base = on_numpy(xs)

    names = {
        "numpy": "hybrid compiled (NumPy), NumPy in and out",
        "jax_np_np": "hybrid compiled with backend='jax', NumPy in, np.asarray out",
        "jax_np": "hybrid compiled with backend='jax', NumPy in",
        "jax_dev": "hybrid compiled with backend='jax', JAX array in (on the device)",
        "vg_np_np": "jax.jit(vmap(grad)), NumPy in, np.asarray out",
        "vg_np": "jax.jit(vmap(grad)), NumPy in",
        "vg_dev": "jax.jit(vmap(grad)), JAX array in (on the device)",
    }
    calls: dict[str, Callable[[], Any]] = {
        names["numpy"]: lambda: on_numpy(xs),
        names["jax_np_np"]: lambda: np.asarray(on_jax(xs)),
        names["jax_np"]: lambda: on_jax(xs).block_until_ready(),
        names["jax_dev"]: lambda: on_jax(jx).block_until_ready(),
        names["vg_np_np"]: lambda: np.asarray(vg(xs)),
        names["vg_np"]: lambda: vg(xs).block_until_ready(),
        names["vg_dev"]: lambda: vg(jx).block_until_ready(),
    }
    values = {names["jax_np_np"]: np.asarray(on_jax(xs)), names["jax_np"]: on_jax(xs), names["jax_dev"]: on_jax(jx),
              names["vg_np_np"]: np.asarray(vg(xs)), names["vg_np"]: vg(xs), names["vg_dev"]: vg(jx)}
    t = side_by_side(calls, repeats=15, min_time=0.1)
    diff = {name: rel_diff(v, base, far) for name, v in values.items()}
    specs: list[tuple[str, str | None, float | None, str]] = [
        (names["numpy"], None, None, "(the reference of this column)"),
        (names["jax_np_np"], names["numpy"], 1.0, diff[names["jax_np_np"]]),
        (names["jax_np_np"], names["vg_np_np"], 1.2, diff[names["jax_np_np"]]),
        (names["jax_np"], names["vg_np"], 1.2, diff[names["jax_np"]]),
        (names["jax_dev"], names["vg_dev"], 1.2, diff[names["jax_dev"]]),
        (names["vg_np_np"], names["numpy"], None, diff[names["vg_np_np"]]),
        (names["vg_np"], None, None, diff[names["vg_np"]]),
        (names["vg_dev"], None, None, diff[names["vg_dev"]]),
    ]
    lines = ["| what | time per call | spread | ratio | target | max relative difference from the NumPy "
             f"hybrid: all points / abs(x - 1) > {NEAR_ROOT:g} |", "|---|---:|---:|---:|---:|---:|"]
    lines += _rows(t, specs)
    ratios = {"device": t[names["jax_dev"]].ratio(t[names["vg_dev"]]),
              "numpy_in": t[names["jax_np"]].ratio(t[names["vg_np"]]),
              "vs_numpy_hybrid": t[names["jax_np_np"]].ratio(t[names["numpy"]])}
    met = ratios["device"] <= 1.2 and ratios["numpy_in"] <= 1.2
    verdict = (f"Targets: within 1.2x of jax.jit(vmap(grad)): {'met' if met else 'MISSED'} "
               f"({ratios['device']:.2f}x on a device array, {ratios['numpy_in']:.2f}x on a NumPy array); "
               f"faster than the NumPy-compiled hybrid: {'met' if ratios['vs_numpy_hybrid'] < 1 else 'MISSED'} "
               f"({ratios['vs_numpy_hybrid']:.2f}x, NumPy in and out).")
    head = (f"The hybrid derivative graph (`hd.trace(f, 2.0).grad()`, as the hybrid row above: not "
            f"simplified; SymPy finds nothing smaller for this f) compiled with `compile(backend='jax')`, at "
            f"{n:,} points, float64, beside `jax.jit(jax.vmap(jax.grad(f)))` with f in jax.numpy; rounds "
            f"interleaved. The largest differences sit next to x = 1, where f'(1) = 0 and every float64 "
            f"evaluation (NumPy's included) loses digits to cancellation. The NumPy input's data sits at address "
            f"% 64 = {xs.ctypes.data % 64} in this run: JAX on the CPU aliases a 64-byte-aligned NumPy array and "
            f"copies any other (see below), so the NumPy-in rows move with NumPy's allocation.")
    return head + "\n\n" + "\n".join(lines) + "\n\n" + verdict + "\n\n" + _breakdown(jax, graph, on_jax, vg, xs, jx,
                                                                                       base, far), ratios


def _breakdown(jax: Any, graph: Any, on_jax: Any, vg: Any, xs: np.ndarray, jx: Any, base: np.ndarray,
               far: np.ndarray) -> str:
    """The JAX-compiled hybrid taken apart: the wrapper (argument conversion, the x64 context), the
    jitted program itself, its domain mask, how XLA fuses it, and per-call fixed costs."""
    jnp = jax.numpy
    source = graph.to_jax().source
    name = graph.to_jax().__name__
    plain = jax.jit(graph.to_jax())
    no_mask = jax.jit(variant(source, name, jnp, mask=False))
    recip_source = reciprocal_source(source)
    recip = jax.jit(variant(recip_source, name, jnp))

    def x64_context() -> None:
        with jax.enable_x64(True):
            pass
    names = {
        "wrapped": "compile(backend='jax') callable, JAX array in",
        "plain": "jax.jit(graph.to_jax()): the same program without the wrapper",
        "no_mask": "the same source without the domain mask (hd_defined: jnp.where(isnan(f), nan, .))",
        "recip": "the same source with each shared division written u / w (as NumPy's code has it)",
        "vg": "jax.jit(vmap(grad))",
        "plain_np": "jax.jit(graph.to_jax()), NumPy in (jit's own transfer)",
        "wrapped_np": "compile(backend='jax') callable, NumPy in (jnp.asarray(x, dtype) first)",
        "asarray": f"jnp.asarray(x, dtype='float64') of the NumPy input alone (its data at address % 64 = "
                   f"{xs.ctypes.data % 64})",
        "aligned": "jnp.asarray(x, dtype='float64') of a 64-byte-aligned copy of x",
        "misaligned": "jnp.asarray(x, dtype='float64') of a copy of x 8 bytes off 64-byte alignment",
        "asarray_dev": "jnp.asarray(x, dtype='float64') of a JAX array (the wrapper, device input)",
        "ctx": "with jax.enable_x64(True): pass (the wrapper's context, per call)",
        "wrapped_scalar": "compile(backend='jax') callable at 2.0 (a Python float)",
        "plain_scalar": "jax.jit(graph.to_jax()) at 2.0",
    }
    aligned, misaligned = _aligned_copy(xs, 0), _aligned_copy(xs, 8)
    calls: dict[str, Callable[[], Any]] = {
        names["wrapped"]: lambda: on_jax(jx).block_until_ready(),
        names["plain"]: lambda: plain(jx).block_until_ready(),
        names["no_mask"]: lambda: no_mask(jx).block_until_ready(),
        names["recip"]: lambda: recip(jx).block_until_ready(),
        names["vg"]: lambda: vg(jx).block_until_ready(),
        names["plain_np"]: lambda: plain(xs).block_until_ready(),
        names["wrapped_np"]: lambda: on_jax(xs).block_until_ready(),
        names["asarray"]: lambda: jnp.asarray(xs, dtype="float64").block_until_ready(),
        names["aligned"]: lambda: jnp.asarray(aligned, dtype="float64").block_until_ready(),
        names["misaligned"]: lambda: jnp.asarray(misaligned, dtype="float64").block_until_ready(),
        names["asarray_dev"]: lambda: jnp.asarray(jx, dtype="float64"),
        names["ctx"]: x64_context,
        names["wrapped_scalar"]: lambda: on_jax(2.0).block_until_ready(),
        names["plain_scalar"]: lambda: plain(2.0).block_until_ready(),
    }
    for fn in calls.values():   # compile every shape before timing
        fn()
    loops = {names["plain"]: xla_loops(plain, jx), names["wrapped"]: xla_loops(plain, jx),   # the same program
             names["no_mask"]: xla_loops(no_mask, jx), names["recip"]: xla_loops(recip, jx),
             names["vg"]: xla_loops(vg, jx)}
    values = {names["plain"]: plain(jx), names["no_mask"]: no_mask(jx), names["recip"]: recip(jx),
              names["vg"]: vg(jx), names["wrapped"]: on_jax(jx)}
    t = side_by_side(calls, repeats=11, min_time=0.1)
    ref = t[names["vg"]]
    lines = ["| what | time per call | spread | ratio to jax.jit(vmap(grad)) | XLA loops | max relative difference "
             f"from the NumPy hybrid (all / abs(x - 1) > {NEAR_ROOT:g}) |", "|---|---:|---:|---:|---:|---:|"]
    for key, label in names.items():
        timing = t[label]
        big = key in ("wrapped", "plain", "no_mask", "recip", "vg", "plain_np", "wrapped_np")
        lines.append(f"| {label} | {fmt_time(timing.best)} | {timing.spread:.0%} | "
                     f"{f'{timing.ratio(ref):.2f}x' if big else ''} | {loops.get(label, '')} | "
                     f"{rel_diff(values[label], base, far) if label in values else ''} |")
    changed = [line.strip() for line, old in zip(recip_source.splitlines(), source.splitlines()) if line != old]
    shared = [old.strip().split("  #")[0] for line, old in zip(recip_source.splitlines(), source.splitlines())
              if line != old]
    users = {d: [u.strip().split("  #")[0] for u in source.splitlines()
                 if re.search(rf"\b{d.split(' =')[0]}\b", u.split("=", 1)[-1]) and not u.strip().startswith(d)]
             for d in shared}
    used = "; ".join(f"`{d}` (used by {', '.join(f'`{u}`' for u in us)})" for d, us in users.items())
    b = {k: t[v].best for k, v in names.items()}
    extra = b["wrapped"] - b["plain"]
    notes = [
        f"On a device array the program itself, jax.jit(graph.to_jax()), is "
        f"{t[names['plain']].ratio(ref):.2f}x jax.jit(vmap(grad)); the wrapper adds "
        f"{fmt_time(extra) if extra > 0 else 'nothing'} to it "
        f"({_within(t[names['wrapped']], t[names['plain']])}; its parts: the x64 context {fmt_time(b['ctx'])}, "
        f"jnp.asarray of a device array {fmt_time(b['asarray_dev'])}); "
        f"the domain mask is a select fused into the last loop (the same {loops[names['no_mask']]} loops without "
        f"it: {fmt_time(b['no_mask'])} against {fmt_time(b['plain'])} with it, "
        f"{_within(t[names['no_mask']], t[names['plain']])}).",
        f"to_jax writes a division whose result is used more than once as u * (1.0 / w) "
        f"({used or 'none in this graph'}): XLA (CPU) then runs the generated program as {loops[names['plain']]} "
        f"loop(s), as it runs jax.jit(vmap(grad)) ({loops[names['vg']]}). Written as a plain division "
        f"(`{'; '.join(changed) or 'no change'}`) the same graph is {loops[names['recip']]} loops: "
        f"{fmt_time(b['recip'])}, {t[names['recip']].ratio(ref):.2f}x jax.jit(vmap(grad)): XLA's CPU fusion counts "
        f"a float division as expensive and does not repeat one with several users inside each loop, so it and "
        f"the exp feeding it become loops of their own and their 10^6-element results go through memory. The "
        f"rewrite costs one more rounding (within an ulp).",
        f"A NumPy input costs its transfer, and that depends on where NumPy put its data: JAX on the CPU aliases "
        f"a 64-byte-aligned array ({fmt_time(b['aligned'])}) and copies any other "
        f"({fmt_time(b['misaligned'])} for these 8 MB); W2's input sits at address % 64 = {xs.ctypes.data % 64} "
        f"in this run ({fmt_time(b['asarray'])}), which moves the NumPy-in rows between runs. jax.jit(graph.to_jax()) "
        f"on it takes {fmt_time(b['plain_np'])}, the wrapper (`jnp.asarray(x, dtype)`, then the jitted program) "
        f"{fmt_time(b['wrapped_np'])}.",
        f"Per call, the wrapper's jnp.asarray of a Python float dominates small inputs: "
        f"{fmt_time(b['wrapped_scalar'])} at 2.0 against {fmt_time(b['plain_scalar'])} for the jitted program "
        f"called with the float itself.",
    ]
    return ("Where the JAX-compiled hybrid's time goes (rounds interleaved; device-array input unless the "
            "row says NumPy):\n\n" + "\n".join(lines) + "\n\n" + "\n".join(f"- {n}" for n in notes))


def _within(a: Timing, b: Timing) -> str:
    """Whether two best rounds differ by more than the rounds' spread."""
    gap = abs(a.best - b.best) / min(a.best, b.best)
    return ("a difference within the rounds' spread" if gap <= max(a.spread, b.spread)
            else f"{gap:.0%} apart, beyond the rounds' spread")


def _aligned_copy(xs: np.ndarray, offset: int) -> np.ndarray:
    """A copy of ``xs`` whose data starts ``offset`` bytes past a 64-byte boundary."""
    buf = np.empty(xs.size + 16, dtype=xs.dtype)
    start = ((-buf.ctypes.data) % 64 + offset) // xs.itemsize
    out = buf[start:start + xs.size]
    out[:] = xs
    assert out.ctypes.data % 64 == offset, (out.ctypes.data % 64, offset)
    return out


# ------------------------------------------------------------------ compile time
def compile_table(jax: Any, n: int = N, trials: int = 5) -> tuple[str, float]:
    """Trace + derivative graph + compile(backend='jax') + first call (jit: trace, lower, XLA), fresh
    each trial; the best and the median of ``trials``. JAX's import and backend start are excluded
    (measured apart, in a fresh interpreter)."""
    jnp = jax.numpy
    jax.config.update("jax_enable_x64", True)
    xs = np.linspace(X0, X1, n)
    jax.jit(lambda t: t + 1.0)(xs).block_until_ready()   # the CPU backend is up before the first trial
    steps: dict[str, list[float]] = {"hd.trace(f, 2.0)": [], ".grad() (the derivative graph)": [],
                                     ".compile(backend='jax') (source, exec, jax.jit wrapper)": [],
                                     f"first call at {n:,} points (JAX trace, lowering, XLA compile, run)": [],
                                     "total": []}
    peers: dict[str, list[float]] = {"NumPy: trace + .grad() + .compile() + first call": [],
                                     "jax.jit(vmap(grad(f))): first call (trace, lowering, XLA compile, run)": [],
                                     "the derivative graph with its shared divisions written u / w (no "
                                     "rewrite): jax.jit first call": []}
    for _ in range(trials):
        t0 = time.perf_counter()
        graph = hd.trace(seed_hd, 2.0)
        t1 = time.perf_counter()
        d = graph.grad()
        t2 = time.perf_counter()
        c = d.compile(backend="jax")
        t3 = time.perf_counter()
        c(xs).block_until_ready()
        t4 = time.perf_counter()
        for key, dt in zip(steps, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0)):
            steps[key].append(dt)
        t0 = time.perf_counter()
        hd.trace(seed_hd, 2.0).grad().compile()(xs)
        t1 = time.perf_counter()
        vg = jax.jit(jax.vmap(jax.grad(f_jnp(jnp))))   # a fresh function: traced and compiled anew
        vg(xs).block_until_ready()
        t2 = time.perf_counter()
        fn = d.to_jax()
        jax.jit(variant(reciprocal_source(fn.source), fn.__name__, jnp))(xs).block_until_ready()
        t3 = time.perf_counter()
        for key, dt in zip(peers, (t1 - t0, t2 - t1, t3 - t2)):
            peers[key].append(dt)
    total = min(steps["total"])
    lines = ["| step | best | median |", "|---|---:|---:|"]
    for key, ts in [*steps.items(), *peers.items()]:
        label = f"**{key}** (target < 1 s: {'ok' if total < 1 else 'MISSED'})" if key == "total" else key
        lines.append(f"| {label} | {fmt_time(min(ts))} | {fmt_time(statistics.median(ts))} |")
    imported = _import_time()
    note = (f"Best and median of {trials} fresh compilations of the seed f (a new trace, graph and jax.jit each "
            f"time; JAX's persistent compilation cache is off: jax_compilation_cache_dir = "
            f"{jax.config.jax_compilation_cache_dir!r}). JAX's first import and CPU backend start are excluded "
            f"(this process had them already); in a fresh interpreter `import jax` takes {imported}.")
    return note + "\n\n" + "\n".join(lines), total


def _import_time() -> str:
    code = ("import time; t0 = time.perf_counter(); import jax; t1 = time.perf_counter(); jax.devices(); "
            "t2 = time.perf_counter(); print(t1 - t0, t2 - t1)")
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
        imp, start = (float(v) for v in out.stdout.split())
    except Exception as exc:   # noqa: BLE001 (a note, never a failure)
        return f"(not measured: {exc})"
    return f"{fmt_time(imp)}, and jax.devices() (backend start) {fmt_time(start)} more"


def w2_jax(jax: Any, n: int = N) -> str:
    table, _ = side_table(jax, n)
    compile_text, _ = compile_table(jax, n)
    return ("### The hybrid compiled with backend='jax' (issue 19)\n\n" + table
            + "\n\n### Compile time: trace + derivative graph + jax.jit, first call included (issue 19)\n\n"
            + compile_text)


if __name__ == "__main__":
    import jax as _jax
    print(w2_jax(_jax))
