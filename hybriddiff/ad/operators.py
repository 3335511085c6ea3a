"""The differential operators: ``jvp``, ``vjp``, ``grad``, ``value_and_grad``, ``jacobian``, ``hessian``.

Each call takes a fresh nesting level, so operators compose to any depth and in any mix of modes
(``hd.grad(hd.grad(f))``, ``hd.jacobian(hd.grad(f))``) without perturbation confusion: a value from
an enclosing operator is a constant to the inner one.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..core.checks import (Args, call_function, check_mode, function_raised, lift, scalar_output,
                           vector_outputs)
from ..core.dispatch import BoxArray, gc_paused, new_level
from ..core.domain import defined_value
from ..errors import DifferentiationError
from .forward import Dual, make_dual, primal_and_tangent
from .reverse import Variable, make_leaf
from .tape import recording, start_recording, stop_recording, sweep_one, sweep_tape


def jvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """Forward mode: f(*primals) and its directional derivative along ``tangents``.

    >>> import hybriddiff as hd
    >>> hd.jvp(lambda x1, x2: hd.log(x1) + x1 * x2 - hd.sin(x2), (2.0, 5.0), (1.0, 0.0))[1]
    5.5
    """
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("hd.jvp(f, primals, tangents): primals and tangents must be tuples or lists")
    if len(primals) != len(tangents):
        raise ValueError(f"hd.jvp: {len(primals)} primals but {len(tangents)} tangents")
    level = new_level()
    args = Args(f, "hd.jvp", primals)
    lifted = [lift(x, lambda v, t: Dual(v, t, level), t, f"tangent {i}", where="hd.jvp")
              for i, (x, t) in enumerate(zip(args.values, tangents))]
    out = call_function(f, lifted, "hd.jvp")
    return _split_tangents(out, level, "hd.jvp")


def _split_tangents(out: Any, level: int, where: str) -> tuple[Any, Any]:
    """(primal, tangent) of each output; no tangent where the primal is nan (ARCHITECTURE.md)."""
    if isinstance(out, (list, tuple, np.ndarray)) and not (isinstance(out, np.ndarray) and out.ndim == 0):
        pairs = [primal_and_tangent(o, level) for o in vector_outputs(out, where)]
        return np.array([p for p, _ in pairs]), np.array([defined_value(t, [p]) for p, t in pairs])
    value, tangent = primal_and_tangent(scalar_output(out, where), level)
    return value, defined_value(tangent, [value])


def vjp(f: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[[Any], tuple]]:
    """Reverse mode: f(*primals) and a function mapping an output cotangent to input cotangents.

    >>> import hybriddiff as hd
    >>> out, f_vjp = hd.vjp(lambda x1, x2: hd.log(x1) + x1 * x2 - hd.sin(x2), 2.0, 5.0)
    >>> [round(g, 12) for g in f_vjp(1.0)]
    [5.5, 1.716337814537]
    """
    level = new_level()
    args = Args(f, "hd.vjp", primals)
    leaves = [lift(x, lambda v, _: Variable(v, level), None, where="hd.vjp") for x in args.values]
    with recording(level) as tape:
        out = call_function(f, leaves, "hd.vjp")
    vector = isinstance(out, (list, tuple)) or (isinstance(out, np.ndarray) and out.ndim > 0)
    outs = vector_outputs(out, "hd.vjp") if vector else [scalar_output(out, "hd.vjp")]
    values = [o.value if type(o) is Variable and o._level == level else o for o in outs]
    flat = _flat(leaves)

    def vjp_fn(cotangent: Any) -> tuple:
        bars = list(np.ravel(cotangent)) if vector else [cotangent]
        if len(bars) != len(outs):
            raise ValueError(f"vjp_fn: the cotangent has {len(bars)} entries, the output {len(outs)}")
        roots = [(o, b) for o, b in zip(outs, bars) if type(o) is Variable and o._level == level]
        with gc_paused():
            found = sweep_tape(tape, roots, flat)
        return tuple(defined_value(g, values) for g in _unflatten(found, leaves))

    return (np.array(values) if vector else values[0]), vjp_fn


def _flat(lifted: Sequence[Any]) -> list:
    """The leaf Variables of lifted arguments (floats or 1-D arrays of them), in order."""
    flat: list = []
    for x in lifted:
        if isinstance(x, np.ndarray):
            flat.extend(x.tolist())   # (an object array's elements: no per-element indexing)
        else:
            flat.append(x)
    return flat


def _unflatten(bars: list, lifted: Sequence[Any]) -> list:
    """Adjoints (None: no dependence, 0.0) shaped like the lifted arguments."""
    out, start = [], 0
    for x in lifted:
        if isinstance(x, np.ndarray):
            part = bars[start:start + len(x)]
            out.append(_array([0.0 if b is None else b for b in part] if None in part else part))
            start += len(x)
        else:
            out.append(0.0 if bars[start] is None else bars[start])
            start += 1
    return out


def _array(items: list) -> np.ndarray:
    """A float array when every item is a plain number, else an object array (nested operators)."""
    types = set(map(type, items))
    if types <= _PLAIN or all(issubclass(t, (int, float, np.floating, np.integer)) for t in types):
        return np.array(items, dtype=float)
    out = np.empty(len(items), dtype=object).view(BoxArray)
    out[:] = items
    return out


_PLAIN = {float, int, np.float64}


def value_and_grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0,
                   mode: str = "reverse") -> Callable[..., tuple[Any, Any]]:
    """A function returning (f(*args), gradient) in one pass (reverse) or n passes (forward).

    >>> import hybriddiff as hd
    >>> hd.value_and_grad(lambda x: x * x)(3.0)
    (9.0, 6.0)
    """
    check_mode(mode)
    thin = _thin_path(f, argnums, mode)

    def value_and_grad_f(*args: Any) -> tuple[Any, Any]:
        if thin is not None and len(args) == 1 and type(args[0]) is float:
            return thin(f, args[0])
        parsed = Args(f, "hd.grad", args, argnums)
        run = _grad_reverse if mode == "reverse" else _grad_forward
        with gc_paused():  # a recorded tape is many objects and no cycles: spare the collector
            value, grads = run(f, parsed)
        grads = [defined_value(g, [value]) for g in grads]   # no derivative where f is undefined
        return value, (grads[0] if parsed.single else tuple(grads))

    value_and_grad_f.__name__ = f"value_and_grad_{getattr(f, '__name__', 'f')}"
    return value_and_grad_f


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0, mode: str = "reverse") -> Callable[..., Any]:
    """The gradient of scalar f with respect to argument(s) ``argnums`` (floats or 1-D arrays).

    >>> import hybriddiff as hd
    >>> hd.grad(lambda x1, x2: hd.log(x1) + x1 * x2 - hd.sin(x2), argnums=(0, 1))(2.0, 5.0)[0]
    5.5
    """
    value_and_grad_f = value_and_grad(f, argnums, mode)
    thin = _thin_path(f, argnums, mode)

    def grad_f(*args: Any) -> Any:
        if thin is not None and len(args) == 1 and type(args[0]) is float:
            return thin(f, args[0])[1]
        return value_and_grad_f(*args)[1]

    grad_f.__name__ = f"grad_{getattr(f, '__name__', 'f')}"
    return grad_f


def _thin_path(f: Any, argnums: Any, mode: str) -> Callable[[Callable[..., Any], float], tuple[Any, Any]] | None:
    """The thin path for calls with one Python float and the default argnums (the common case: no
    argument analysis), or None where every call takes the general path (which also says what is
    wrong with f or argnums)."""
    if not callable(f) or type(argnums) is not int or argnums != 0:
        return None
    return _thin_reverse if mode == "reverse" else _thin_forward


def _thin_reverse(f: Callable[..., Any], x: float) -> tuple[Any, Any]:
    """``value_and_grad(f)(x)`` for one float x: one leaf, f, one sweep into the leaf's ``grad``;
    the same result as the general path (``tests/test_thin_operators.py``), without its analysis."""
    level = new_level()
    leaf = make_leaf(x, level)
    tape = start_recording(level, [])
    try:
        try:   # (call_function, inlined: this path is a few microseconds in all)
            out = f(leaf)
        except DifferentiationError:
            raise
        except Exception as exc:
            raise function_raised(f, exc, "hd.grad") from exc
        if type(out) is not Variable:
            out = scalar_output(out, "hd.grad")
        if type(out) is not Variable or out._level != level:
            return out, defined_value(0.0, (out,))    # f does not depend on x here
        grad = sweep_one(tape, out, leaf)
    finally:
        stop_recording(level)
    value = out.value
    if grad is None:
        grad = 0.0
    if type(value) is float and value == value:   # f defined here: the gradient stands
        return value, grad
    return value, defined_value(grad, (value,))


def _thin_forward(f: Callable[..., Any], x: float) -> tuple[Any, Any]:
    """``value_and_grad(f, mode="forward")(x)`` for one float x: one Dual, one pass."""
    level = new_level()
    try:   # (call_function, inlined: this path is a few microseconds in all)
        out = f(make_dual(x, 1.0, level))
    except DifferentiationError:
        raise
    except Exception as exc:
        raise function_raised(f, exc, "hd.grad") from exc
    if type(out) is Dual and out._level == level:   # (primal_and_tangent, inlined)
        value, tangent = out.value, out.tangent
    else:
        value, tangent = primal_and_tangent(scalar_output(out, "hd.grad"), level)
    if type(value) is float and value == value:   # f defined here: the tangent stands
        return value, tangent
    return value, defined_value(tangent, (value,))


def _grad_reverse(f: Callable[..., Any], args: Args) -> tuple[Any, list]:
    """One recording pass, one sweep of its tape (the leaves are this call's own)."""
    level = new_level()
    lifted = list(args.values)
    for i in args.argnums:
        lifted[i] = _leaves(lifted[i], level)
    with recording(level) as tape:
        out = scalar_output(call_function(f, lifted, "hd.grad"), "hd.grad")
        wrt = [lifted[i] for i in args.argnums]
        if type(out) is Variable and out._level == level:
            bars = sweep_tape(tape, ((out, 1.0),), _flat(wrt))
            out = out.value
        else:
            bars = [None] * len(_flat(wrt))
    return out, _unflatten(bars, wrt)


def _leaves(x: Any, level: int) -> Any:
    """x as leaf Variables at ``level`` (an array: an object array of them)."""
    if not isinstance(x, np.ndarray):
        return make_leaf(x, level)
    out = np.empty(len(x), dtype=object).view(BoxArray)
    out[:] = [make_leaf(v, level) for v in x.tolist()]   # (Python floats)
    return out


def _grad_forward(f: Callable[..., Any], args: Args) -> tuple[Any, list]:
    """n forward passes, or one pass with vector tangents when the inputs are plain numbers."""
    sizes = [np.size(args.values[i]) for i in args.argnums]
    n = sum(sizes)
    value, columns = None, []
    if args.plain and n > 1:
        basis = iter(np.eye(n))
        value, tangent = _forward_pass(f, args, lambda: next(basis))
        columns = [t.item() if isinstance(t, np.generic) else t for t in np.broadcast_to(tangent, (n,))]
    else:
        for k in range(n):
            value, tangent = _forward_pass(f, args, _unit(k))
            columns.append(tangent)
    grads, start = [], 0
    for i, size in zip(args.argnums, sizes):
        part = columns[start:start + size]
        grads.append(_array(part) if np.ndim(args.values[i]) else part[0])
        start += size
    return value, grads


def _unit(k: int) -> Callable[[], float]:
    counter = iter(range(1 << 62))
    return lambda: 1.0 if next(counter) == k else 0.0


def _forward_pass(f: Callable[..., Any], args: Args, next_tangent: Callable[[], Any]) -> tuple[Any, Any]:
    level = new_level()
    lifted = list(args.values)
    for i in args.argnums:
        lifted[i] = lift(lifted[i], lambda v, _: Dual(v, next_tangent(), level), None, where="hd.grad")
    out = scalar_output(call_function(f, lifted, "hd.grad"), "hd.grad")
    return primal_and_tangent(out, level)


def jacobian(f: Callable[..., Any], mode: str = "forward") -> Callable[[Any], np.ndarray]:
    """The Jacobian of f at x: shape (m, n) for m outputs and n inputs (JAX's shapes otherwise).

    >>> import hybriddiff as hd, numpy as np
    >>> hd.jacobian(lambda x: [x[0] * x[1], hd.sin(x[0])])(np.array([1.0, 2.0])).round(4).tolist()
    [[2.0, 1.0], [0.5403, 0.0]]
    """
    check_mode(mode)

    def jacobian_f(x: Any) -> np.ndarray:
        args = Args(f, "hd.jacobian", (x,))
        n = int(np.size(args.values[0]))
        with gc_paused():
            rows = _jacobian_forward(f, args, n) if mode == "forward" else _jacobian_reverse(f, args)
        return _shape_jacobian(rows, np.ndim(args.values[0]))

    jacobian_f.__name__ = f"jacobian_{getattr(f, '__name__', 'f')}"
    return jacobian_f


def _jacobian_forward(f: Callable[..., Any], args: Args, n: int) -> tuple[list, bool]:
    if args.plain and n > 1:
        basis = iter(np.eye(n))
        outs, vector = _forward_outputs(f, args, lambda: next(basis))
        return [[c.item() if isinstance(c, np.generic) else c for c in np.broadcast_to(t, (n,))]
                for t in outs], vector
    columns, vector = [], False
    for k in range(n):
        outs, vector = _forward_outputs(f, args, _unit(k))
        columns.append(outs)
    return [list(row) for row in zip(*columns)], vector


def _forward_outputs(f: Callable[..., Any], args: Args, next_tangent: Callable[[], Any]) -> tuple[list, bool]:
    level = new_level()
    x = lift(args.values[0], lambda v, _: Dual(v, next_tangent(), level), None, where="hd.jacobian")
    out = call_function(f, [x, *args.values[1:]], "hd.jacobian")
    vector = isinstance(out, (list, tuple)) or (isinstance(out, np.ndarray) and out.ndim > 0)
    outs = vector_outputs(out, "hd.jacobian") if vector else [scalar_output(out, "hd.jacobian")]
    pairs = [primal_and_tangent(o, level) for o in outs]
    return [defined_value(t, [v]) for v, t in pairs], vector


def _jacobian_reverse(f: Callable[..., Any], args: Args) -> tuple[list, bool]:
    level = new_level()
    x = lift(args.values[0], lambda v, _: Variable(v, level), None, where="hd.jacobian")
    with recording(level) as tape:
        out = call_function(f, [x, *args.values[1:]], "hd.jacobian")
        vector = isinstance(out, (list, tuple)) or (isinstance(out, np.ndarray) and out.ndim > 0)
        outs = vector_outputs(out, "hd.jacobian") if vector else [scalar_output(out, "hd.jacobian")]
        rows, leaves = [], _flat([x])
        for o in outs:   # one sweep of the same tape per output
            taped = type(o) is Variable and o._level == level
            bars = sweep_tape(tape, ((o, 1.0),), leaves) if taped else [None] * len(leaves)
            row = defined_value(_unflatten(bars, [x])[0], [o.value if taped else o])
            rows.append(list(row) if isinstance(row, np.ndarray) else [row])
    return rows, vector


def _shape_jacobian(rows_vector: tuple[list, bool], in_ndim: int) -> np.ndarray:
    rows, vector = rows_vector
    jac = np.array([_array(list(r)) for r in rows]) if rows else np.zeros((0, 0))
    if jac.dtype != object:
        jac = jac.astype(float)
    if not vector:
        jac = jac[0]
    if in_ndim == 0:
        jac = jac[..., 0]
    return jac.item() if isinstance(jac, np.ndarray) and jac.ndim == 0 else jac


def hessian(f: Callable[..., Any]) -> Callable[[Any], Any]:
    """The Hessian of scalar f: forward mode over the reverse-mode gradient.

    >>> import hybriddiff as hd, numpy as np
    >>> H = hd.hessian(lambda x: hd.log(x[0]) + x[0] * x[1] - hd.sin(x[1]))(np.array([2.0, 5.0]))
    >>> H.round(6).tolist()
    [[-0.25, 1.0], [1.0, -0.958924]]
    """
    return jacobian(grad(f, mode="reverse"), mode="forward")


def first_derivative(f: Callable[[Any], Any], x: Any, mode: str) -> Any:
    """df/dx at x in one mode: the thin path for a Python float, ``grad`` otherwise.

    >>> import hybriddiff as hd
    >>> first_derivative(lambda x: x * hd.sin(x), 0.0, "reverse"), first_derivative(hd.exp, 0.0, "forward")
    (0.0, 1.0)
    """
    if type(x) is float:
        return (_thin_reverse if mode == "reverse" else _thin_forward)(f, x)[1]
    return grad(f, mode=mode)(x)


__all__ = ["jvp", "vjp", "grad", "value_and_grad", "jacobian", "hessian", "DifferentiationError"]
