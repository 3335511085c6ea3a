"""matplotlib, imported only when a picture is asked for, with one clear message when it is missing."""
from __future__ import annotations

import math
from typing import Any

import numpy as np


def pyplot() -> Any:
    """``matplotlib.pyplot``, or an ImportError saying how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("plotting needs matplotlib: pip install 'hybriddiff[plot]'") from None
    return plt


def axes(ax: Any = None, **subplots: Any) -> Any:
    """The given axes, or new ones (``subplots`` passed to ``plt.subplots``)."""
    if ax is not None:
        return ax
    return pyplot().subplots(**subplots)[1]


def log_dots(ax: Any, labels: list[str], values: list[float], colors: list[str], floor: float = 0.0) -> None:
    """One dot per label on a log x axis (a bar on a log axis starts at an arbitrary edge, so its
    length means nothing): values at or below ``floor`` are drawn at ``floor``, hollow; a faint line
    per row guides the eye. With no positive finite value, the panel says so instead of staying empty.
    """
    ys = list(range(len(labels)))
    shown = [(y, max(v, floor)) for y, v in zip(ys, values)
             if v is not None and np.isfinite(v) and max(v, floor) > 0]
    ax.set_yticks(ys, labels)
    ax.set_ylim(len(labels) - 0.5, -0.5)   # the first row on top
    for y in ys:
        ax.axhline(y, color="#dddddd", linewidth=0.8, zorder=0)
    if not shown:
        ax.set_xticks([])
        ax.text(0.5, 0.5, "no finite values", transform=ax.transAxes, ha="center", va="center", color="#666666")
        return
    ax.set_xscale("log")
    for (y, v), value in zip(shown, [values[y] for y, _ in shown]):
        hollow = floor and value <= floor
        ax.plot([v], [y], "o", markersize=7, color=colors[y], markerfacecolor="white" if hollow else colors[y])
    at_least_a_decade(ax, [v for _, v in shown])


def at_least_a_decade(ax: Any, values: list[float]) -> None:
    """x limits on whole powers of ten around ``values``, at least one decade wide, so the log axis
    has labelled major ticks and no crowded minor labels (two close values otherwise overprint)."""
    lo, hi = min(values), max(values)
    a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    if b - a < 1:
        b = a + 1
    ax.set_xlim(10.0 ** a / 1.5, 10.0 ** b * 1.5)
