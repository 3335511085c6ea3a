"""matplotlib, imported only when a picture is asked for, with one clear message when it is missing."""
from __future__ import annotations

from typing import Any


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
