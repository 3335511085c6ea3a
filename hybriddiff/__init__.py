"""hybriddiff: derivatives four ways (forward AD, reverse AD, symbolic/hybrid, finite differences),
side by side, with what each costs and how exact it is.

>>> import hybriddiff as hd
>>> f = lambda x: hd.exp(x**2 - x) / x
>>> round(hd.derivative(f, 2.0, method="forward"), 12), round(hd.derivative(f, 2.0, method="reverse"), 12)
(9.236320123663, 9.236320123663)
"""
from __future__ import annotations

from . import families, primitives
from .compare import Comparison, compare
from .core import bind
from .errors import (DifferentiationError, DomainError, LevelMixError, MethodTimeoutError, ParseError,
                     TraceGuardError, UnsupportedOperationError)
from .finite import FDResult, finite_difference, finite_jacobian
from .forward import Dual
from .graph import Graph
from .parse import Expression, parse_expression
from .tables import forward_table, reverse_table
from .tracing import Tracer, trace
from .methods import available_methods, derivative, register_method
from .operators import grad, hessian, jacobian, jvp, value_and_grad, vjp
from .ops import (deg2rad, exp2, fmod, logaddexp, logaddexp2, rad2deg, reciprocal, square, trunc)
from .primitives import (PRIMITIVES, abs, arccos, arccosh, arcsin, arcsinh, arctan, arctan2, arctanh,
                         cbrt, ceil, cos, cosh, exp, expm1, floor, heaviside, hypot, log, log1p, log2,
                         log10, maximum, minimum, mod, pow, power, sign, sin, sinh, sqrt, tan, tanh)
from .report import report
from .reverse import Variable
from .scaling import ScalingStudy, scaling_study
from .stepstudy import StepStudy, step_study

__version__ = "0.1.0"

from . import cas_compare, cas_methods  # noqa: E402,F401  registers "symbolic" and "hybrid"
from .simplify import SimplifyReport, simplify  # noqa: E402
from .swell import SwellStudy, baydin_table1, logistic_map, swell_study  # noqa: E402

METHODS: tuple[str, ...] = available_methods()

__all__ = [
    "Dual", "Variable", "Graph", "Tracer", "trace", "forward_table", "reverse_table",
    "Expression", "parse_expression", "finite_difference", "finite_jacobian", "FDResult",
    "step_study", "StepStudy", "swell_study", "SwellStudy", "logistic_map", "baydin_table1", "families", "simplify", "SimplifyReport",
    "report", "compare", "Comparison", "scaling_study", "ScalingStudy", "jvp", "vjp", "grad", "value_and_grad", "jacobian", "hessian", "derivative",
    "METHODS", "PRIMITIVES", "bind", "primitives", "register_method",
    "DifferentiationError", "DomainError", "LevelMixError", "MethodTimeoutError", "ParseError",
    "TraceGuardError", "UnsupportedOperationError",
    "abs", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2", "arctanh", "cbrt", "ceil",
    "cos", "cosh", "exp", "expm1", "floor", "heaviside", "hypot", "log", "log1p", "log2", "log10",
    "maximum", "minimum", "mod", "pow", "power", "sign", "sin", "sinh", "sqrt", "tan", "tanh",
    "deg2rad", "exp2", "fmod", "logaddexp", "logaddexp2", "rad2deg", "reciprocal", "square", "trunc",
]
