"""Running SymPy work with a real time limit: a worker process that is killed on timeout.

SymPy cannot be interrupted from another thread (``simplify`` may run for minutes, e.g.
sympy/sympy#17985), so the work runs in a child process: forked on Linux (a few milliseconds, no
pickling of the arguments), spawned elsewhere (then the function and its arguments must pickle).
The parent waits at most ``timeout`` seconds, then kills and reaps the child: no zombies, and a
notebook or the CLI never blocks longer than the limit. Results come back pickled (plain ``pickle``:
primitives pickle by name, ``Primitive.__reduce__``), so graphs and SymPy expressions both cross the
process boundary.

``stream`` is the "anytime" form: the worker hands over intermediate results as it goes (``emit``),
and whatever arrived before the deadline is kept. ``timeout=None`` runs in-process, without a limit.
"""
from __future__ import annotations

import pickle
import sys
import time
import warnings
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import DifferentiationError, MethodTimeoutError


@dataclass
class Streamed:
    """What a time-boxed worker delivered: its items, its return value, and how it ended.

    >>> Streamed([1], "done", finished=True).timed_out
    False
    """

    items: list[Any] = field(default_factory=list)
    value: Any = None
    finished: bool = False     # the function returned (``value`` is its result)
    timed_out: bool = False    # the worker was stopped at the deadline
    seconds: float = 0.0
    limited: bool = True       # False: ran in-process without a time limit


def _context() -> Any:
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    import multiprocessing  # only when SymPy work runs: ``import hybriddiff`` stays quick
    return multiprocessing.get_context(method)


def _portable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return DifferentiationError(f"{type(exc).__name__}: {exc}")


def _worker(conn: Any, payload: Any) -> None:
    """The child: run ``fn(emit, *args)``, sending each item, then the result or the error."""
    try:
        fn, args = pickle.loads(payload) if isinstance(payload, bytes) else payload

        def emit(item: Any) -> None:
            conn.send_bytes(pickle.dumps(("item", item)))

        value = fn(emit, *args)
        conn.send_bytes(pickle.dumps(("done", value)))
    except BaseException as exc:  # everything goes back to the parent, which re-raises
        try:
            conn.send_bytes(pickle.dumps(("error", _portable(exc), traceback.format_exc())))
        except Exception:
            pass
    finally:
        conn.close()


def _stop(proc: Any) -> None:
    """Kill, reap and close the worker. Another thread may have reaped it already (any
    ``Process.start()`` elsewhere reaps finished children): then ``close`` may refuse, harmlessly."""
    try:
        if proc.is_alive():
            proc.kill()
        proc.join()
        proc.close()
    except ValueError:
        pass


def _in_process(fn: Callable[..., Any], args: tuple, start: float) -> Streamed:
    out = Streamed(limited=False)
    out.value = fn(out.items.append, *args)
    out.finished, out.seconds = True, time.perf_counter() - start
    return out


def stream(fn: Callable[..., Any], *args: Any, timeout: float | None = 5.0,
           what: str = "the computation") -> Streamed:
    """Run ``fn(emit, *args)`` in a worker for at most ``timeout`` seconds; keep what it emitted.

    Errors inside the worker are raised here (with the worker's traceback as a note).

    >>> def count(emit, n):
    ...     for k in range(n):
    ...         emit(k)
    ...     return "done"
    >>> out = stream(count, 3, timeout=5.0)
    >>> out.items, out.value, out.finished, out.timed_out
    ([0, 1, 2], 'done', True, False)
    """
    start = time.perf_counter()
    import multiprocessing
    if timeout is None or multiprocessing.current_process().daemon:
        return _in_process(fn, args, start)  # daemonic processes may not have children
    ctx = _context()
    payload = (fn, args) if ctx.get_start_method() == "fork" else pickle.dumps((fn, args))
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(send, payload), daemon=True, name="hybriddiff-timebox")
    out = Streamed()
    try:
        with warnings.catch_warnings():
            # JAX (when loaded: the hybrid-jax method) warns at every fork that its threads' locks
            # may deadlock a child that uses JAX; this child only runs SymPy, never JAX
            warnings.filterwarnings("ignore", message="os.fork\\(\\) was called", category=RuntimeWarning)
            proc.start()
        send.close()
        _collect(out, receive, proc, start + max(0.0, timeout), what)
    finally:
        _stop(proc)
        receive.close()
    out.seconds = time.perf_counter() - start
    return out


def _collect(out: Streamed, receive: Any, proc: Any, deadline: float, what: str) -> None:
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0 or not receive.poll(remaining):
            out.timed_out = True
            return
        try:
            message = pickle.loads(receive.recv_bytes())
        except EOFError:
            proc.join(1.0)
            raise DifferentiationError(f"{what}: the worker process died (exit code {proc.exitcode}; "
                                       f"a negative code is the signal, e.g. -11 for a crash in "
                                       f"deep recursion)") from None
        if message[0] == "item":
            out.items.append(message[1])
        elif message[0] == "done":
            out.value, out.finished = message[1], True
            return
        else:
            _, exc, text = message
            exc.add_note(f"(raised in the worker process running {what}):\n{text}")
            raise exc


def _plain(emit: Callable[[Any], None], fn: Callable[..., Any], *args: Any) -> Any:
    return fn(*args)


def run(fn: Callable[..., Any], *args: Any, timeout: float | None = 5.0,
        what: str = "the computation") -> Any:
    """``fn(*args)`` in a worker process, stopped after ``timeout`` seconds (None: in-process).

    Raises ``MethodTimeoutError`` saying what timed out and after how long.

    >>> import math
    >>> run(math.factorial, 20, timeout=5.0)
    2432902008176640000
    >>> import time
    >>> run(time.sleep, 10, timeout=0.2, what="a nap")
    Traceback (most recent call last):
    ...
    hybriddiff.errors.MethodTimeoutError: a nap timed out after 0.2 s (the worker process was stopped)
    """
    out = stream(_plain, fn, *args, timeout=timeout, what=what)
    if out.timed_out:
        raise MethodTimeoutError(f"{what} timed out after {timeout:g} s (the worker process was stopped)")
    return out.value


__all__ = ["Streamed", "run", "stream"]
