"""hybriddiff: derivatives four ways (forward AD, reverse AD, symbolic/hybrid, finite differences),
side by side, with what each costs and how exact it is.

>>> import hybriddiff as hd
>>> f = lambda x: hd.exp(x**2 - x) / x
>>> round(hd.derivative(f, 2.0, method="forward"), 12), round(hd.derivative(f, 2.0, method="reverse"), 12)
(9.236320123663, 9.236320123663)

The package is a house of rooms (ARCHITECTURE.md): ``core`` (the table of primitives and the one
dispatch point), ``ad``, ``graph``, ``finite``, ``parse``, ``tables``, ``methods``, ``comparison``,
``studies``, ``display`` and ``cli``. This module only gathers the public API; ``dir(hybriddiff)`` lists it.
"""
from __future__ import annotations

from .ad.forward import Dual
from .ad.checkpoint import checkpoint, checkpointed_loop
from .ad.operators import grad, hessian, jacobian, jvp, value_and_grad, vjp
from .ad.schedule import revolve
from .ad.taylor import Taylor, TaylorResult, taylor
from .ad.reverse import Variable
from .comparison.compare import Comparison, compare
from .comparison.statuses import STATUSES
from .core import primitives
from .core.dispatch import bind
from .core.functions import COMPOSED
from .core.primitives import PRIMITIVES, power
from .errors import (DifferentiationError, DomainError, LevelMixError, MethodTimeoutError, OutputTypeError,
                     ParseError, TraceGuardError, UnsupportedOperationError)
from .finite.difference import FDResult, finite_difference, finite_jacobian
from .graph.facade import Graph, trace
from .graph.symbolic.simplify import SimplifyReport, simplify
from .graph.trace_tables import forward_table, reverse_table
from .graph.tracing import Tracer
from .methods.registry import available_methods, derivative, register_method
from .parse import Expression, parse_expression
from .studies import families
from .studies.report import report
from .studies.memory import MemoryStudy, memory_study
from .studies.orders import OrderStudy, order_study
from .studies.scaling import ScalingStudy, scaling_study
from .studies.stepstudy import StepStudy, step_study
from .studies.swell import SwellStudy, baydin_table1, logistic_map, swell_study
from .tables.taylor import taylor_table

__version__ = "0.1.0"

METHODS: tuple[str, ...] = available_methods()

# Every function of the table that users call by name is public as hd.<name> (hd.sin, hd.arctan2,
# hd.exp2, ...): the records say which (``names``), so a new record needs no edit here.
FUNCTIONS: tuple[str, ...] = tuple(
    [name for name, prim in PRIMITIVES.items() if prim.names] + [c.name for c in COMPOSED if c.names])
globals().update({name: PRIMITIVES[name] for name in FUNCTIONS if name in PRIMITIVES})
globals().update({c.name: c.fn for c in COMPOSED if c.names})

__all__ = [
    "Dual", "Variable", "Graph", "Tracer", "trace", "forward_table", "reverse_table", "taylor_table",
    "Expression", "parse_expression", "finite_difference", "finite_jacobian", "FDResult",
    "step_study", "StepStudy", "swell_study", "SwellStudy", "logistic_map", "baydin_table1", "families",
    "simplify", "SimplifyReport", "report", "compare", "Comparison", "STATUSES", "scaling_study", "ScalingStudy",
    "memory_study", "MemoryStudy", "order_study", "OrderStudy",
    "jvp", "vjp", "grad", "value_and_grad", "jacobian", "hessian", "derivative",
    "checkpoint", "checkpointed_loop", "revolve", "taylor", "Taylor", "TaylorResult",
    "METHODS", "PRIMITIVES", "bind", "primitives", "register_method",
    "DifferentiationError", "DomainError", "LevelMixError", "MethodTimeoutError", "OutputTypeError", "ParseError",
    "TraceGuardError", "UnsupportedOperationError", "power", "FUNCTIONS", "__version__", *FUNCTIONS,
]


def __dir__() -> list[str]:
    """The public API only: the rooms (subpackages) are reachable but not part of it."""
    return sorted(__all__)
