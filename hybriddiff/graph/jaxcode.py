"""A graph as a JAX function: jax.numpy source, one assignment per node (``Graph.to_jax``), and
compiled with ``jax.jit`` (``Graph.compile(backend="jax")``).

The source comes from the same loop as the NumPy code (``codelines.py``, each record's
``jax_source``), so the nodes, their order and the constants are the graph's own. The function is
pure: ``jax.jit``, ``jax.vmap``, ``jax.grad`` and sharding take it as it is. A guard recorded at trace
time becomes ``checkify.check``: run eagerly it raises where the branch would go the other way; staged
(under ``jax.jit``) JAX refuses it unless the function is wrapped in ``checkify.checkify``, which the
compiled callable does, raising ``TraceGuardError``. No value is ever silently taken from the wrong
branch. Where f's outputs (a derivative graph's domain) are nan, every output is nan, as in NumPy.

JAX is an optional extra (``pip install "hybriddiff[jax]"``): it is imported here, on first use, never
by ``import hybriddiff``. The compiled callable works in float64 by default, inside
``jax.enable_x64`` only: the user's global JAX settings are left as they are.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..display.format import count
from ..errors import TraceGuardError
from .codelines import code_names, numbered_lines, return_line
from .ir import OP, GraphIR

DTYPES = ("float64", "float32")


def require_jax() -> Any:
    """The jax module, or an ImportError that says which extra to install."""
    try:
        import jax
    except ImportError:
        raise ImportError('the JAX backend needs JAX: pip install "hybriddiff[jax]" (or pip install jax)') from None
    return jax


def jax_source(graph: GraphIR, name: str | None = None) -> str:
    """The graph as a jax.numpy function's source: one assignment per node, guards as checks.

    >>> import hybriddiff as hd
    >>> print(jax_source(hd.trace(lambda x: hd.exp(x * x - x) / x, 2.0)))
    def f(x):
        v1 = x * x
        v2 = v1 - x
        v3 = jnp.exp(v2)
        v4 = v3 / x
        return v4
    """
    name = name or (graph.name if graph.name.isidentifier() else "f")
    names, shared = code_names(graph), _shared_quotients(graph)
    lines = [f"def {name}({', '.join(graph.arg_names)}):"]
    for i, line in numbered_lines(graph, "jax"):
        if i in shared and line.startswith(f"{names[i]} = "):
            # XLA does not repeat a division inside each loop that uses it, so a quotient used
            # twice splits the program into several passes over memory; times the reciprocal it
            # fuses into one (one more rounding: within an ulp; measured, benchmarks/jax_bench.py)
            a, b = (names[k] for k in graph.nodes[i].args)
            line = f"{names[i]} = {a} * (1.0 / {b})" + line[line.index("  #"):] if "  #" in line else \
                f"{names[i]} = {a} * (1.0 / {b})"
        lines.append(f"    {line}")
    lines.append(f"    {return_line(graph, names, 'hd_stack')}")
    return "\n".join(lines) + "\n"


def _shared_quotients(graph: GraphIR) -> set[int]:
    """The division nodes whose value is used more than once (by operations, outputs, the domain)."""
    uses: dict[int, int] = {}
    for node in graph.nodes:
        if node.kind == OP:
            for a in set(node.args):
                uses[a] = uses.get(a, 0) + 1
    for i in (*graph.outputs, *graph.domains):
        uses[i] = uses.get(i, 0) + 1
    return {i for i, node in enumerate(graph.nodes)
            if node.kind == OP and node.prim.name == "div" and uses.get(i, 0) > 1}


def to_jax(graph: GraphIR) -> Callable[..., Any]:
    """The graph as a pure jax.numpy function of the graph's arguments (``.source`` holds its code)."""
    jax = require_jax()
    import jax.numpy as jnp
    from jax.experimental import checkify
    name = graph.name if graph.name.isidentifier() else "f"

    def hd_guard(k: int, holds: Any, outcome: bool, lhs: Any, rhs: Any) -> None:
        guard = graph.guards[k]
        checkify.check(jnp.all(jnp.asarray(holds) == outcome),
                       f"the graph {graph.name} was traced where a branch (guard {k}: {guard.op}) went {outcome}; "
                       f"at this point it does not: trace again here")

    def hd_stack(items: list[Any]) -> Any:
        return jnp.stack(jnp.broadcast_arrays(*items))

    def hd_defined(value: Any, domain: tuple) -> Any:
        undefined = jnp.zeros((), dtype=bool)
        for d in domain:
            undefined = undefined | jnp.isnan(d)
        if isinstance(value, (list, tuple)):
            return type(value)(jnp.where(undefined, jnp.nan, v) for v in value)
        return jnp.where(undefined, jnp.nan, value)

    text = jax_source(graph, name)
    namespace: dict[str, Any] = {"jnp": jnp, "jax": jax, "hd_guard": hd_guard, "hd_stack": hd_stack,
                                 "hd_defined": hd_defined}
    exec(compile(text, f"<hybriddiff generated for JAX: {name}>", "exec"), namespace)  # our graph's source
    fn = namespace[name]
    fn.__doc__ = f"Generated by hybriddiff from the graph {graph.name} ({count(graph.n_ops, 'operation')}), jax.numpy."
    fn.source = text
    return fn


def compile_jax(graph: GraphIR, dtype: str = "float64") -> Callable[..., Any]:
    """``jax.jit`` of ``to_jax``: floats or arrays of any batch shape in, JAX arrays out, computed in
    ``dtype`` (float64 inside ``jax.enable_x64``, without touching the global setting); a guard that
    fails raises ``TraceGuardError``."""
    if dtype not in DTYPES:
        raise ValueError(f"compile(backend='jax'): dtype must be one of {DTYPES}, got {dtype!r}")
    jax = require_jax()
    from jax.experimental import checkify
    fn = to_jax(graph)
    wide = dtype == "float64"
    checked = bool(graph.guards)
    jitted = jax.jit(checkify.checkify(fn) if checked else fn)
    n_args = len(graph.arg_names)

    def call(*args: Any) -> Any:
        if len(args) != n_args:
            raise TypeError(f"{graph.name}() takes {n_args} argument(s) ({', '.join(graph.arg_names)}), "
                            f"got {len(args)}")
        with jax.enable_x64(wide):
            # a JAX array of the right dtype passes as it is; NumPy converts the rest (cheaper than
            # jnp.asarray for a Python float: about 20 against 100 microseconds)
            out = jitted(*[a if isinstance(a, jax.Array) and a.dtype == dtype else np.asarray(a, dtype=dtype)
                           for a in args])
            if checked:
                error, out = out
                message = error.get()
                if message:
                    raise TraceGuardError(message.split(" (`check` failed)")[0].split(" (check failed at")[0])
        return out

    call.__name__ = fn.__name__
    call.__doc__ = f"jax.jit of {fn.__name__} ({dtype}); its source is .source."
    call.source = fn.source   # type: ignore[attr-defined]
    call.dtype = dtype        # type: ignore[attr-defined]
    return call


__all__ = ["to_jax", "compile_jax", "jax_source", "require_jax", "DTYPES"]
