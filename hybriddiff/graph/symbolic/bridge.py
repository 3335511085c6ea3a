"""The SymPy bridge: graphs to SymPy and back, flat (CSE-style), so depth never matters.

``to_sympy`` gives one assignment per operation, ``[(v1, expr), (v2, expr), ...]`` plus the outputs,
each expression one level deep and built by the primitive table's own ``prim.sympy``; graphs of any
depth convert (SymPy's own ``diff`` breaks near depth 150 on nested ``sin(sin(...))``, ``lambdify``
near 200). ``to_sympy_expr`` substitutes the assignments into one nested expression, only for small
graphs. The way back is ``from_sympy.py``.

Conventions:
- Symbols are real (``real=True``, so ``diff(Abs(x))`` is ``sign(x)``). Scalar inputs keep their
  names; an array input ``x[0]`` becomes the Symbol ``x_0`` (LaTeX ``x_{0}``, a valid Python name).
- Operation symbols are ``v1, v2, ...`` in node order, as the Wengert listing numbers them (``w1``...
  if an input is itself called like ``v1``).
- Constants stay exact: ints and Fractions become ``Integer``/``Rational`` (SymPy shows ``2*x``, not
  ``2.0*x``), floats ``Float``. Back from SymPy: ``Integer`` -> int, ``Rational`` -> Fraction,
  ``Float`` -> float, and the named constants ``pi``, ``E``, ``EulerGamma``... -> their float value.
"""
from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any, Sequence

from ...display.format import count
from ...errors import DifferentiationError
from ..ir import CONST, INPUT, OP, GraphIR


MAX_DEPTH, MAX_OPS = 100, 5000       # the nested form is offered up to these sizes
LATEX_TREE = 400                      # nested LaTeX up to this many nodes written out as a tree
REPR_LATEX_OPS = 60                   # Jupyter's LaTeX display for graphs up to this many operations


def symbol_name(node_name: str) -> str:
    """The SymPy name of an input: ``x[0]`` becomes ``x_0``, scalar names stay.

    >>> symbol_name("x[3]"), symbol_name("x1")
    ('x_3', 'x1')
    """
    match = re.fullmatch(r"(.*)\[(\d+)\]", node_name)
    return f"{match[1]}_{match[2]}" if match else node_name


def input_symbols(graph: GraphIR) -> list[Any]:
    """One real SymPy Symbol per graph input, in order.

    >>> import hybriddiff as hd, numpy as np
    >>> input_symbols(hd.trace(lambda x: x[0] * x[1], np.array([1.0, 2.0])))
    [x_0, x_1]
    """
    import sympy
    return [sympy.Symbol(symbol_name(graph.nodes[i].name), real=True) for i in graph.inputs]


def sympy_constant(value: Any) -> Any:
    """A graph constant as a SymPy number: exact for ints and Fractions.

    >>> sympy_constant(2), sympy_constant(Fraction(1, 3)), sympy_constant(0.5)
    (2, 1/3, 0.50000000000000000)
    """
    import sympy
    if type(value) is int:
        return sympy.Integer(value)
    if type(value) is Fraction:
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, float):
        if math.isnan(value):
            return sympy.nan
        # 17 digits: the double itself (SymPy's default 15 would print and lambdify a rounded one)
        return sympy.Float(value, 17) if math.isfinite(value) else (sympy.oo if value > 0 else -sympy.oo)
    if isinstance(value, complex):
        return sympy_constant(value.real) + sympy.I * sympy_constant(value.imag)
    if isinstance(value, (sympy.Basic, int)) or hasattr(value, "_mpf_"):
        return sympy.sympify(value)   # a number (mpmath, NumPy int) or already SymPy: never text
    raise TypeError(f"cannot convert the constant {value!r:.40} ({type(value).__name__}) to SymPy")


def _op_prefix(graph: GraphIR) -> str:
    taken = {graph.nodes[i].name for i in graph.inputs}
    for prefix in ("v", "w", "u", "t", "_v"):
        if not any(re.fullmatch(rf"{re.escape(prefix)}\d+", name) for name in taken):
            return prefix
    return "_hd_v"


def sympy_env(graph: GraphIR, nested: bool = False) -> tuple[list[tuple[Any, Any]], list[Any]]:
    """``(assignments, env)``: every node's SymPy value (flat: a Symbol per operation).

    >>> import hybriddiff as hd
    >>> sympy_env(hd.trace(lambda x: hd.sin(x) * 2, 1.0), nested=True)[1]
    [x, sin(x), 2, 2*sin(x)]
    """
    import sympy
    env: list[Any] = [None] * len(graph.nodes)
    symbols = iter(input_symbols(graph))
    prefix, count, assignments = _op_prefix(graph), 0, []
    for i, node in enumerate(graph.nodes):
        if node.kind == INPUT:
            env[i] = next(symbols)
        elif node.kind == CONST:
            env[i] = sympy_constant(node.const)
        else:
            expr = node.prim.sympy(*[env[a] for a in node.args])
            if nested:
                env[i] = expr
            else:
                count += 1
                env[i] = sympy.Symbol(f"{prefix}{count}", real=True)
                assignments.append((env[i], expr))
    return assignments, env


def to_sympy(graph: GraphIR, nested: bool = False) -> Any:
    """``(assignments, outputs)``: one ``(Symbol, expr)`` per operation, then the outputs.

    With ``nested=True`` the expression itself, as ``to_sympy_expr`` (a list for several outputs;
    small graphs only).

    >>> import hybriddiff as hd
    >>> assignments, outputs = to_sympy(hd.trace(lambda x: hd.exp(x * x - x) / x, 2.0))
    >>> assignments, outputs
    ([(v1, x**2), (v2, v1 - x), (v3, exp(v2)), (v4, v3/x)], [v4])
    >>> to_sympy(hd.trace(lambda x: 2 * x, 1.0), nested=True)
    2*x
    >>> to_sympy(hd.trace(lambda x, y: (x * y, x + y), 1.0, 2.0), nested=True)
    [x*y, x + y]
    """
    if nested:
        return to_sympy_expr(graph)
    assignments, env = sympy_env(graph)
    return assignments, [env[o] for o in graph.outputs]


def depths(graph: GraphIR) -> list[int]:
    """Each node's depth: the longest chain of operations below it (inputs and constants: 0).

    >>> import hybriddiff as hd
    >>> depths(hd.trace(lambda x: hd.sin(hd.sin(x)) + x, 1.0))
    [0, 1, 2, 3]
    """
    depth = [0] * len(graph.nodes)
    for i, node in enumerate(graph.nodes):
        if node.kind == OP:
            depth[i] = 1 + max(depth[a] for a in node.args)
    return depth


def tree_sizes(graph: GraphIR) -> list[int]:
    """Each node's size written out as a tree (shared subexpressions counted each time).

    >>> import hybriddiff as hd
    >>> tree_sizes(hd.trace(lambda x: hd.sin(x) * hd.sin(x), 1.0))
    [1, 2, 5]
    """
    size = [1] * len(graph.nodes)
    for i, node in enumerate(graph.nodes):
        if node.kind == OP:
            size[i] = 1 + sum(size[a] for a in node.args)
    return size


def to_sympy_expr(graph: GraphIR, max_depth: int = MAX_DEPTH, max_ops: int = MAX_OPS) -> Any:
    """The graph as one nested SymPy expression (a list for several outputs); small graphs only.

    >>> import hybriddiff as hd
    >>> to_sympy_expr(hd.trace(lambda x: hd.exp(x * x - x) / x, 2.0))
    exp(x**2 - x)/x
    """
    depth = max((depths(graph)[o] for o in graph.outputs), default=0)
    if depth > max_depth or graph.n_ops > max_ops:
        raise DifferentiationError(
            f"to_sympy_expr: {graph.name} is too big for one nested SymPy expression (depth {depth}, "
            f"{count(graph.n_ops, 'operation')}; limits {max_depth} and {max_ops}: SymPy's recursive "
            f"algorithms fail near depth 150); use the flat form to_sympy(graph)")
    _, env = sympy_env(graph, nested=True)
    outs = [env[o] for o in graph.outputs]
    return outs[0] if graph.out_container == "scalar" else outs


def flat_count_ops(assignments: Sequence[tuple[Any, Any]], outputs: Sequence[Any]) -> int:
    """SymPy ``count_ops`` of a flat form: its assignments' right-hand sides and its outputs.

    >>> import hybriddiff as hd
    >>> flat_count_ops(*to_sympy(hd.trace(lambda x: hd.exp(x * x - x) / x, 2.0)))
    4
    """
    from sympy import count_ops
    return sum(int(count_ops(e)) for _, e in assignments) + sum(int(count_ops(o)) for o in outputs)


def latex(graph: GraphIR, nested: bool = True) -> str:
    r"""LaTeX of the graph: one formula when small, else its assignments in an ``aligned`` block.

    >>> import hybriddiff as hd
    >>> print(latex(hd.trace(lambda x: hd.exp(x**2 - x) / x, 2.0)))
    \frac{e^{x^{2} - x}}{x}
    >>> print(latex(hd.trace(lambda x: hd.sin(x) * x, 1.0), nested=False))
    \begin{aligned}
    v_{1} &= \sin{\left(x \right)} \\
    v_{2} &= v_{1} x \\
    y &= v_{2}
    \end{aligned}
    """
    import sympy
    formulas, rows = _formulas(graph, nested)
    if formulas is not None:
        texts = [sympy.latex(o) for o in formulas]
        return texts[0] if len(texts) == 1 else r"\left(" + ", ".join(texts) + r"\right)"
    lines = [f"{sympy.latex(s)} &= {sympy.latex(e)}" for s, e in rows]
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"


def mathml(graph: GraphIR, nested: bool = True) -> str:
    """Presentation MathML of the graph (what ``latex`` writes, for browsers: no script, no network),
    one ``<math display="block">`` element.

    >>> import hybriddiff as hd
    >>> mathml(hd.trace(lambda x: hd.sin(x) * x, 1.0))
    '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mrow><mi>x</mi><mo>&InvisibleTimes;</mo><mrow><mi>sin</mi><mrow><mo>(</mo><mi>x</mi><mo>)</mo></mrow></mrow></mrow></math>'
    """
    formulas, rows = _formulas(graph, nested)
    if formulas is not None:
        parts = [_mathml(o) for o in formulas]
        body = parts[0] if len(parts) == 1 else "<mrow><mo>(</mo>" + "<mo>,</mo>".join(parts) + "<mo>)</mo></mrow>"
    else:
        body = "<mtable>" + "".join(f'<mtr><mtd columnalign="right">{_mathml(s)}</mtd><mtd columnalign="left">'
                                    f"<mo>=</mo>{_mathml(e)}</mtd></mtr>" for s, e in rows) + "</mtable>"
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">{body}</math>'


def _mathml(expr: Any) -> str:
    from sympy.printing.mathml import mathml as sympy_mathml
    # SymPy writes Euler's number as the double-struck &ExponentialE;; a plain e reads as the books do
    return sympy_mathml(expr, printer="presentation").replace("&ExponentialE;", "e")


def _formulas(graph: GraphIR, nested: bool) -> tuple[list[Any] | None, list[tuple[Any, Any]]]:
    """(the outputs as nested SymPy expressions, []) when the graph is small enough to nest, else
    (None, [(symbol, expression), ...] of its assignments and outputs, the last named y or y_k)."""
    import sympy
    small = max((tree_sizes(graph)[o] for o in graph.outputs), default=0) <= LATEX_TREE
    if nested and small and graph.n_ops <= MAX_OPS:
        try:
            exprs = to_sympy(graph, nested=True)
            return (exprs if isinstance(exprs, list) else [exprs]), []
        except DifferentiationError:  # small but too deep to nest: the assignments below
            pass
    assignments, outputs = to_sympy(graph)
    many = len(outputs) > 1
    names = [sympy.Symbol(f"y_{k + 1}" if many else "y") for k in range(len(outputs))]
    return None, list(assignments) + list(zip(names, outputs))


def repr_latex(graph: GraphIR) -> str | None:
    """``$$...$$`` for Jupyter (``Graph._repr_latex_``), for graphs of at most 60 operations.

    >>> import hybriddiff as hd
    >>> repr_latex(hd.trace(lambda x: 2 * x, 1.0))
    '$$2 x$$'
    """
    return f"$${latex(graph)}$$" if graph.n_ops <= REPR_LATEX_OPS else None


_WARM: list[bool] = []


def warm_up() -> None:
    """Load and exercise SymPy's lazily imported parts once in this process (about 0.3 s).

    Forked workers then start warm: a small ``diff`` + ``lambdify`` or ``simplify`` in a worker
    takes milliseconds instead of a few hundred (what a child imports is lost when it exits).

    >>> warm_up()
    """
    if _WARM:
        return
    import sympy
    x = sympy.Symbol("x", real=True)
    e = sympy.exp(x) / (x + 1) + sympy.sign(x) * sympy.Abs(x) ** sympy.Rational(1, 3)
    sympy.lambdify([x], [sympy.diff(e, x), sympy.Heaviside(x, sympy.S.Half), sympy.Max(x, 1)], modules="numpy")
    sympy.count_ops(e)
    sympy.cse([e], symbols=sympy.numbered_symbols("_c", real=True))
    for rewrite in (sympy.cancel, sympy.factor, sympy.expand, sympy.simplify):
        rewrite(e)
    _WARM.append(True)


__all__ = ["warm_up", "to_sympy", "to_sympy_expr", "latex", "repr_latex", "input_symbols", "symbol_name",
           "sympy_constant", "flat_count_ops", "depths", "tree_sizes", "sympy_env"]
