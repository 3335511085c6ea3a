"""The binomial checkpointing schedule (Griewank's "revolve"): how to run a loop's adjoint backwards
keeping at most s states, with the fewest recomputed steps.

With s snapshots and r sweeps a loop of up to beta(s, r) = C(s + r, s) steps can be reversed;
beta(s, r) = beta(s, r - 1) + beta(s - 1, r) says where to put the next snapshot: beta(s, r - 1)
steps ahead, so the part behind it is reversed with s snapshots and one sweep fewer, the part ahead
with one snapshot fewer. The plan is a list of actions, run by ``Schedule.run`` and shown by
``Schedule.to_table`` (the same list: what is shown is what runs).
"""
from __future__ import annotations

from dataclasses import dataclass
from math import comb
from typing import Any, Callable, Iterator

from ..display.format import count
from ..display.table import Table


@dataclass
class Schedule:
    """The plan for reversing ``n`` steps with ``snapshots`` states kept besides the start.

    ``actions()`` yields it one action at a time (the plan itself is never stored: it is as long as
    the loop, and storing it would cost what checkpointing saves): ("advance", i, j) runs steps
    i+1..j from the state at i (values only); ("store", j) keeps the state at j; ("free", j) drops
    it; ("reverse", i) records step i+1 at state i and sweeps it with the adjoint of state i+1.
    """

    n: int
    snapshots: int

    def actions(self) -> Iterator[tuple]:
        return _plan(self.n, self.snapshots)

    @property
    def recomputed(self) -> int:
        """The steps run again by advances (besides the n recorded ones)."""
        return sum(a[2] - a[1] for a in self.actions() if a[0] == "advance")

    @property
    def most_kept(self) -> int:
        """The most states held at once besides the start (at most ``snapshots``)."""
        held = most = 0
        for action in self.actions():
            held += {"store": 1, "free": -1}.get(action[0], 0)
            most = max(most, held)
        return most

    def run(self, x0: Any, seed: Any, step: Callable[[Any], Any], step_vjp: Callable[[Any, Any], Any]) -> Any:
        """The adjoint of the start, x0_bar, from ``seed``, the adjoint of the n-th state."""
        states, bar = {0: x0}, seed
        current: tuple[int, Any] = (0, x0)
        for action in self.actions():
            kind = action[0]
            if kind == "advance":
                i, j = action[1], action[2]
                x = states[i]
                for _ in range(j - i):
                    x = step(x)
                current = (j, x)
            elif kind == "store":
                states[action[1]] = current[1]
            elif kind == "free":
                del states[action[1]]
            else:   # reverse step i + 1 from the state at i
                i = action[1]
                bar = step_vjp(states[i] if i in states else current[1], bar)
        return bar

    def to_table(self) -> Table:
        """The plan as a table, one action a row (for teaching: which steps are recomputed when)."""
        words = {"advance": lambda a: (f"run step {a[2]}" if a[2] - a[1] == 1 else f"run steps {a[1] + 1}..{a[2]}")
                 + f" from x{a[1]} (values only)",
                 "store": lambda a: f"keep x{a[1]}", "free": lambda a: f"drop x{a[1]}",
                 "reverse": lambda a: f"record step {a[1] + 1} at x{a[1]} and sweep it: x{a[1]}_bar"}
        rows = [(k + 1, a[0], words[a[0]](a)) for k, a in enumerate(self.actions())]
        return Table(("#", "action", "what it does"), rows,
                     title=f"Binomial checkpointing: {count(self.n, 'step')}, {count(self.snapshots, 'snapshot')}",
                     footnote=f"{count(self.recomputed, 'step')} recomputed, at most "
                              f"{count(self.most_kept, 'state')} kept besides x0; a plain tape keeps all {self.n}.")


def beta(s: int, r: int) -> int:
    """The most steps s snapshots and r sweeps can reverse: C(s + r, s).

    >>> beta(1, 2), beta(2, 2), beta(3, 3)
    (3, 6, 20)
    """
    return comb(s + r, s)


def optimal_recomputation(n: int, s: int) -> int:
    """Griewank's minimum of recomputed steps to reverse n steps with s snapshots: r n - beta(s+1, r-1)
    for the r with beta(s, r-1) < n <= beta(s, r) (s >= 1).

    >>> optimal_recomputation(3, 1), optimal_recomputation(10, 2)
    (3, 20)
    """
    if n <= 1:
        return 0
    r = 1
    while beta(s, r) < n:
        r += 1
    return r * n - beta(s + 1, r - 1)


def _split(n: int, s: int) -> int:
    """How many steps ahead to put the next snapshot when n steps remain and s snapshots are free:
    revolve's rule (Griewank and Walther 2000, Algorithm 799), which reaches the minimum of
    ``optimal_recomputation`` (tests/test_checkpoint.py checks it for every n < 80, s <= 6)."""
    r, most = 0, 1                  # most = beta(s, r), the first that reaches n
    while most < n:
        r += 1
        most = most * (r + s) // r
    b1 = most * r // (s + r)                                            # beta(s, r - 1)
    b2 = b1 * s // (s + r - 1) if s > 1 else 1                          # beta(s - 1, r - 1)
    b3 = 0 if s == 1 else (b2 * (s - 1) // (s + r - 2) if s > 2 else 1)  # beta(s - 2, r - 1)
    b4 = b2 * (r - 1) // s                                              # beta(s - 1, r - 2)
    b5 = 0 if s < 3 else (b3 * (s - 2) // r if s > 3 else 1)            # beta(s - 3, r)
    if n <= b1 + b3:
        return b4
    if n >= most - b5:
        return b1
    return n - b2 - b3


def revolve(n: int, snapshots: int) -> Schedule:
    """The binomial schedule for ``n`` steps and ``snapshots`` kept states (besides the start).

    >>> s = revolve(3, 1)
    >>> list(s.actions())
    [('advance', 0, 2), ('store', 2), ('reverse', 2), ('free', 2), ('advance', 0, 1), ('store', 1), ('reverse', 1), ('free', 1), ('reverse', 0)]
    >>> s.recomputed, s.most_kept
    (3, 1)
    """
    return Schedule(n, snapshots)


def _plan(n: int, snapshots: int) -> Iterator[tuple]:
    # (lo, hi, s): reverse steps lo+1..hi from the state at lo (held), with s more snapshots.
    # An explicit stack, last task first: the part ahead of a new snapshot is reversed first.
    stack: list[tuple] = [("task", 0, n, snapshots)]
    while stack:
        item = stack.pop()
        if item[0] == "free":
            yield item
            continue
        _, lo, hi, s = item
        if hi - lo <= 0:
            continue
        if hi - lo == 1:
            yield ("reverse", lo)
            continue
        if s == 0:   # no snapshot left: run forward from lo again for every step
            for k in range(hi - 1, lo, -1):
                yield ("advance", lo, k)
                yield ("reverse", k)
            yield ("reverse", lo)
            continue
        mid = max(lo + 1, min(hi - 1, lo + _split(hi - lo, s)))
        yield ("advance", lo, mid)
        yield ("store", mid)
        # run in this order: ahead of mid (one snapshot fewer), drop mid, then behind it
        stack += [("task", lo, mid, s), ("free", mid), ("task", mid, hi, s - 1)]


__all__ = ["Schedule", "revolve", "beta", "optimal_recomputation"]
