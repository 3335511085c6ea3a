"""What the two CAS routes share: the record of one run (sizes, timings, the derivative as a
function), the SymPy time limit, and the checks of the point.

``symbolic`` (``symbolic.py``) is the classic route, ``hybrid`` (``hybrid.py``) hybriddiff's own.
The SymPy time limit is ``DEFAULT_TIMEOUT``, read at each call (tests and users may change it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..core.checks import as_point
from ..graph.facade import Graph
from ..graph.symbolic.simplify import SimplifyReport

DEFAULT_TIMEOUT = 5.0


@dataclass
class CasInfo:
    """Sizes (operation counts) and timings (seconds) of one run of a CAS method.

    >>> CasInfo("symbolic", sizes={"derivative count_ops": 13}).to_dict()["sizes"]
    {'derivative count_ops': 13}
    """

    method: str
    sizes: dict[str, int | None] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    source: str | None = None                                       # generated (or lambdified) code
    function: Callable[..., Any] | None = field(default=None, repr=False)   # the derivative: fn(x)
    graph: Graph | None = field(default=None, repr=False)           # hybrid: the derivative graph
    report: SimplifyReport | None = None                            # hybrid: what simplify did

    def to_dict(self) -> dict[str, Any]:
        """JSON-able built-ins (without the function and the graph).

        >>> sorted(CasInfo("hybrid").to_dict())
        ['method', 'notes', 'report', 'sizes', 'source', 'timings']
        """
        return {"method": self.method, "sizes": dict(self.sizes), "timings": dict(self.timings),
                "notes": list(self.notes), "source": self.source,
                "report": self.report.to_dict() if self.report is not None else None}


def check_point(x: Any, order: int, where: str) -> tuple[Any, bool]:
    """x as a float or a 1-D float array (the latter for gradients: order 1 only)."""
    x = as_point(x, "x", where)
    array = isinstance(x, np.ndarray)
    if array and order != 1:
        raise ValueError(f"{where}: order {order} needs a scalar x; for arrays use order=1 (a gradient)")
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"{where}: order must be a positive int, got {order!r}")
    return x, array


def extra(info: CasInfo) -> dict[str, Any]:
    """What the comparison keeps of a run besides the value (``Prepared.extra``)."""
    return {"source": info.source, "sizes": dict(info.sizes), "timings": dict(info.timings),
            "notes": list(info.notes), "report": str(info.report) if info.report is not None else None}


__all__ = ["CasInfo", "DEFAULT_TIMEOUT", "check_point", "extra"]
