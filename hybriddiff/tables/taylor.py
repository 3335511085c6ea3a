"""``hd.taylor_table``: the Taylor-mode trace of a small function, with ad's ``Taylor`` series as the
values of graph/'s interpreter (``graph/taylor_table.py``; see the room's docstring for why here)."""
from __future__ import annotations

from typing import Any, Callable

from ..ad.taylor import Taylor
from ..display.table import Table
from ..graph.ir import GraphIR
from ..graph.taylor_table import MAX_ORDER, taylor_table as _series_table


def taylor_table(f: Callable[..., Any] | GraphIR, x: Any, order: int = 3, direction: Any = None,
                 digits: int | None = 3) -> Table:
    """The Taylor-mode trace of ``f`` at ``x``: each variable's Taylor coefficients c0 .. c_order.

    ``x`` is as for ``forward_table`` (a number, or a tuple/list with one entry per argument:
    numbers or 1-D arrays); ``f`` may be a traced ``Graph``. The inputs follow x + t * direction and
    every row is one Wengert variable v(t), with its expression and its coefficients
    c_k = v^(k)(0) / k!, as Taylor mode (``hd.taylor``) computes them: the derivatives along the
    direction are k! c_k. ``direction`` has the point's shape (default: 1 for a function of one
    number; required for several inputs). ``order``: 0 to 12 (``hd.taylor`` for more). ``digits``:
    as ``forward_table``.

    >>> import hybriddiff as hd
    >>> t = hd.taylor_table(lambda x: hd.exp(x**2 - x) / x, 2.0, order=3)
    >>> print(t.to_text(width=60))
    Taylor-mode trace of f(x) at x = 2, order 3; direction ẋ = 1
    variable  expression  c0     c1      c2      c3
    --------  ----------  -----  ------  ------  ------
    v0        x           2      1       0       0
    v1        v0 ** 2     4      4       1       0
    v2        v1 - v0     2      3       1       0
    v3        exp v2      7.389  22.167  40.640  55.418
    v4        v3 / v0     3.695  9.236   15.702  19.858
    y         v4          3.695  9.236   15.702  19.858
    ck = v^(k)(0)/k!: the k-th Taylor coefficient of the row's
    variable v(t), with the inputs at x + t·direction (Taylor
    mode); the derivatives along the direction are k!·ck (c1 is
    forward mode's tangent); values rounded to 3 significant
    digits for display (digits=None shows them in full).
    >>> [round(c * k, 6) for c, k in zip(t.rows[-1][2:], (1, 1, 2, 6))]   # k! c_k = hd.taylor's
    [3.694528, 9.23632, 31.403488, 119.14853]
    """
    return _series_table(f, x, order, direction, digits, series=Taylor)


__all__ = ["taylor_table", "MAX_ORDER"]
