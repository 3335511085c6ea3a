"""The one registry of differentiation methods: ``hd.METHODS``, ``hd.derivative`` and the comparison.

Every method is a ``Method`` record (``record.py``), listed below in the order of ``hd.METHODS`` and of
the comparison's rows. ``hd.derivative(f, x, method=name)`` calls the record's ``run``; the
comparison calls its ``prepare``. The finite-difference entries come from the scheme records
(``finite/schemes.py``), one per scheme with a method name. ``register_method`` adds a user's method
at the end (ARCHITECTURE.md, "Adding a method").
"""
from __future__ import annotations

import importlib.util
import time
from typing import Any, Callable

from ..core.checks import as_point
from .ad import FORWARD, REVERSE
from .fd import FD_ALIASES, FD_METHODS
from .hybrid import HYBRID, HYBRID_JAX
from .record import Method, Prepared, prepare_by_running
from .symbolic import SYMBOLIC
from .taylor import TAYLOR

METHOD_LIST: list[Method] = [
    FORWARD,            # dual numbers (ad.py)
    REVERSE,            # recorded graph, one backward sweep (ad.py)
    TAYLOR,             # truncated Taylor series, any order in one pass (taylor.py)
    SYMBOLIC,           # sympy.diff of one nested expression (symbolic.py)
    HYBRID,             # derivative graph, simplified, compiled (hybrid.py)
    # the same, compiled by JAX: where JAX is installed (found, not imported: import hybriddiff stays light)
    *([HYBRID_JAX] if importlib.util.find_spec("jax") is not None else []),
    *FD_METHODS,        # fd-forward, fd-central, fd-five-point, complex-step, richardson (fd.py)
]


def available_methods() -> tuple[str, ...]:
    """The method names, in registry order.

    >>> available_methods()[:5]
    ('forward', 'reverse', 'taylor', 'symbolic', 'hybrid')
    """
    return tuple(m.name for m in METHOD_LIST)


_NAMED: list[Any] = [None, {}]   # (METHOD_LIST's length, {name: record}): a lookup cache


def method_named(name: Any, where: str = "hd.derivative") -> Method:
    """The record of method ``name``, or a ValueError listing the methods. A finite-difference
    scheme also answers to its scheme name where no method has that name (``fd.FD_ALIASES``);
    the record's ``name`` is the one to show.

    >>> method_named("central").name, method_named("fd-central").name, method_named("forward").family
    ('fd-central', 'fd-central', 'AD')
    """
    if _NAMED[0] != len(METHOD_LIST):   # the list grew or shrank (register_method resets it too)
        _NAMED[:] = [len(METHOD_LIST), {m.name: m for m in METHOD_LIST}]
    found = _NAMED[1].get(name) if type(name) is str else None
    if found is not None:   # the common case: a name as hd.METHODS spells it
        return found
    names = available_methods()
    aliases = {alias: method for alias, method in FD_ALIASES.items() if alias not in names}
    key = aliases.get(name, name) if isinstance(name, str) else None
    for method in METHOD_LIST:
        if method.name == key:
            return method
    also = ", ".join(f"{alias} for {method}" for alias, method in aliases.items())
    raise ValueError(f"{where}: unknown method {name!r}; available methods: {', '.join(names)}"
                     + (f" (also {also})" if also else ""))


def register_method(name: str, promise: float = 1e-8) -> Callable[[Callable], Callable]:
    """Decorator: make ``run(f, x, order)`` available as ``hd.derivative(..., method=name)`` (and in
    the comparison, which times ``run`` itself); a name already taken is replaced. ``promise`` is
    the relative error it should reach on a well-conditioned f: the comparison calls a row
    ``accurate`` only within it (default 1e-8, about a forward difference's).

    >>> @register_method("my-forward")
    ... def my_forward(f, x, order):
    ...     return (f(x + 1e-7) - f(x)) / 1e-7
    >>> "my-forward" in available_methods()
    True
    >>> METHOD_LIST.pop().name   # (this example cleans up after itself)
    'my-forward'
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"register_method: the name must be a non-empty str, got {name!r}")
    if isinstance(promise, bool) or not isinstance(promise, (int, float)) or not 0 < promise < 1:
        raise ValueError(f"register_method: promise must be a relative error between 0 and 1, got {promise!r}")

    def decorate(run: Callable) -> Callable:
        method = Method(name, run, prepare_by_running(run), family="user",
                        summary=(run.__doc__ or "").strip().split("\n")[0], promise=float(promise),
                        order_promises=())   # a promise for first derivatives only
        for k, known in enumerate(METHOD_LIST):
            if known.name == name:
                METHOD_LIST[k] = method
                break
        else:
            METHOD_LIST.append(method)
        _NAMED[0] = None   # the lookup cache is rebuilt on the next lookup
        return run
    return decorate


def prepare(name: str, f: Callable[..., Any], x: Any, order: int = 1) -> Prepared:
    """Method ``name`` made ready for f at x (the ``order``-th derivative), with the seconds its
    set-up took (``setup``)."""
    method = method_named(name, "the comparison")
    started = time.perf_counter()
    prepared = method.prepare(f, x) if order == 1 else method.prepare(f, x, order)
    if prepared.setup is None:
        prepared.setup = time.perf_counter() - started
    return prepared


def derivative(f: Callable[[Any], Any], x: Any, method: str = "reverse", order: int = 1,
               backend: str = "numpy") -> Any:
    """The ``order``-th derivative of f: R -> R at x, computed by ``method`` (see ``hd.METHODS``).
    ``backend="jax"`` with ``method="hybrid"`` compiles the derivative graph with JAX (the
    ``hybrid-jax`` method; JAX is an optional extra).

    >>> import hybriddiff as hd
    >>> round(hd.derivative(lambda x: hd.exp(x * x - x) / x, 2.0), 12)
    9.236320123663
    >>> round(hd.derivative(hd.sin, 0.5, method="forward", order=2), 12)
    -0.479425538604
    """
    if not callable(f):
        raise TypeError(f"hd.derivative: expected a function, got {type(f).__name__}")
    if type(order) is not int or order < 1:     # (a bool is not an order)
        raise ValueError(f"hd.derivative: order must be a positive int, got {order!r}")
    record = method_named(method)
    if backend != "numpy":
        record = _on_backend(record, backend)
    if type(x) is not float:   # a Python float needs no analysis: the common case stays thin
        x = as_point(x, "x", "hd.derivative")
        if not isinstance(x, (int, float, complex)) and getattr(x, "ndim", 0):
            raise TypeError("hd.derivative is for f: R -> R; use hd.grad or hd.jacobian for array inputs")
    return record.run(f, x, order)


def _on_backend(record: Method, backend: str) -> Method:
    """``hybrid`` on another backend: its method record (JAX: ``hybrid-jax``), or a clear error."""
    if backend != "jax":
        raise ValueError(f"hd.derivative: backend must be 'numpy' or 'jax', got {backend!r}")
    if record.name not in ("hybrid", "hybrid-jax"):
        raise ValueError(f"hd.derivative: backend='jax' is for method='hybrid' (the compiled derivative "
                         f"graph), not {record.name!r}")
    if importlib.util.find_spec("jax") is None:
        raise ImportError('hd.derivative(backend="jax") needs JAX: pip install "hybriddiff[jax]"')
    return HYBRID_JAX


__all__ = ["METHOD_LIST", "available_methods", "method_named", "register_method", "prepare", "derivative"]
