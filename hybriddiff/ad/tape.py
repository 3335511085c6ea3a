"""The tape of an operator's recording: reverse mode's Wengert list, and the one-pass sweep over it.

Inside ``hd.grad``, ``hd.vjp`` and ``hd.jacobian(mode="reverse")`` every operation of the operator's
level appends its node to a list as it is recorded. Creation order is a topological order, so the
sweep is one loop over that list backwards: no counting pass, no marks, no sort. (A ``Variable``
built by hand has no tape; its ``backward`` walks the graph from the output instead, see
``reverse.sweep``.) The tape is found by level in ``TAPES``; nodes never point at it, so no reference
cycle keeps a recording alive: once the operator is done, reference counting frees it.
"""
from __future__ import annotations

from operator import attrgetter
from typing import Any, Sequence

from ..core.dispatch import gc_paused
from ..errors import DifferentiationError

TAPES: dict[int, list] = {}   # level -> the nodes recorded at that level, in creation order
tape_of = TAPES.get           # what every recorded operation calls (a bound method: no lookup)


class recording:
    """``with recording(level) as tape:`` operations at ``level`` are appended to ``tape``; the
    collector pauses if the recording grows large (what ``gc_paused`` does, inlined: this runs once
    per ``hd.grad`` call).

    >>> import hybriddiff as hd
    >>> from hybriddiff.core.dispatch import new_level
    >>> from hybriddiff.ad.reverse import Variable
    >>> level = new_level()
    >>> with recording(level) as tape:
    ...     x = Variable(2.0, level)
    ...     y = hd.exp(x * x)
    >>> len(tape), sweep_tape(tape, [(y, 1.0)], [x])[0] == 4 * hd.exp(4.0)
    (2, True)
    """

    __slots__ = ("level", "tape")

    def __init__(self, level: int) -> None:
        self.level = level
        self.tape: list = []

    def __enter__(self) -> list:
        return start_recording(self.level, self.tape)

    def __exit__(self, *exc: Any) -> None:
        stop_recording(self.level)


def start_recording(level: int, tape: list) -> list:
    """Operations at ``level`` go on ``tape`` from now on (``recording`` without the ``with``: the thin
    path of ``hd.grad`` calls this and ``stop_recording`` in a try/finally, a few hundred ns less)."""
    TAPES[level] = tape
    _ACTIVE.append(None)
    return tape


def stop_recording(level: int) -> None:
    """The end of ``start_recording``."""
    _ACTIVE.pop()
    if _LARGE.paused:
        _LARGE.resume()
    del TAPES[level]


_LARGE = gc_paused()
_ACTIVE = _LARGE.active


def freed_error() -> DifferentiationError:
    return DifferentiationError(
        "this Variable's graph was freed by an earlier backward(); call backward(retain_graph=True) "
        "the first time to sweep it again")


def sweep_tape(tape: Sequence[Any], roots: Sequence[tuple[Any, Any]], leaves: Sequence[Any]) -> list:
    """The adjoints of ``leaves`` (None where the roots do not depend on one) from ``roots``
    ((output, output_bar) pairs), in one pass over ``tape`` backwards (``backwards``).

    Partial sums live on the nodes (``_bar``) and are cleared on the way, also after an error, so the
    tape can be swept again (one sweep per output row of a Jacobian, or per call of a vjp).
    """
    try:
        for root, out_bar in roots:
            root._bar = out_bar if root._bar is None else root._bar + out_bar
        backwards(tape)
        return list(map(_BAR, leaves))
    except BaseException:
        _clear(tape)
        raise
    finally:
        for leaf in leaves:
            leaf._bar = None
        for root, _ in roots:
            root._bar = None


def sweep_one(tape: Sequence[Any], out: Any, leaf: Any, seed: Any = 1.0) -> Any:
    """``sweep_tape(tape, [(out, seed)], [leaf])[0]``, for the thin path of ``hd.grad`` (one float)
    and a checkpointed loop's steps."""
    out._bar = seed
    try:
        backwards(tape)
        return leaf._bar
    except BaseException:
        _clear(tape)
        raise
    finally:
        leaf._bar = out._bar = None


def backwards(tape: Sequence[Any]) -> None:
    """The sweep: each node of ``tape``, last first, adds ``partial * out_bar`` to its arguments'
    ``_bar`` (creation order is topological: every consumer of a node comes after it)."""
    for node in reversed(tape):
        out_bar = node._bar
        if out_bar is None:
            continue   # the roots do not depend on this node
        node._bar = None
        parents = node._parents
        if not parents:
            if parents is None:
                raise freed_error()
            continue
        partials = node._partials
        # Unrolled for one and two arguments: a range() per node would cost a third of the sweep.
        parent = parents[0]
        x_bar = parent._bar
        parent._bar = partials[0] * out_bar if x_bar is None else x_bar + partials[0] * out_bar
        if len(parents) > 1:
            parent = parents[1]
            x_bar = parent._bar
            parent._bar = partials[1] * out_bar if x_bar is None else x_bar + partials[1] * out_bar
            if len(parents) > 2:
                for k in range(2, len(parents)):
                    parent = parents[k]
                    x_bar = parent._bar
                    parent._bar = partials[k] * out_bar if x_bar is None else x_bar + partials[k] * out_bar


def _clear(tape: Sequence[Any]) -> None:
    """After a failed sweep: no partial sums left behind on the tape."""
    for node in tape:
        node._bar = None


_BAR = attrgetter("_bar")


__all__ = ["TAPES", "tape_of", "recording", "sweep_tape", "sweep_one", "backwards", "start_recording", "stop_recording", "freed_error"]
