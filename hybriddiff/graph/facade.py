"""The user-facing ``Graph``: the IR (``ir.GraphIR``) with one method per interpreter, and ``trace``.

Everything a user does with a graph is a method here that calls down into its interpreter module
(evaluation, derivative graphs, code generation, the SymPy bridge, trace tables, drawing, listing).
Code generation and drawing are imported when first used (``import hybriddiff`` stays quick); the
interpreters never import this module: they work on ``GraphIR``, and the graphs they build take
the class of the graph they were given (``GraphIR.like``), so a user's ``Graph`` stays a ``Graph``.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from .diffgraph import derivative_graph, grad_graph, jvp_graph
from .evaluate import evaluate
from .ir import GraphIR
from .listing import listing
from .symbolic.bridge import latex, to_sympy
from .symbolic.from_sympy import from_sympy
from .symbolic.simplify import simplify as simplify_graph
from .trace_tables import primal_table
from .tracing import record


class Graph(GraphIR):
    """A traced function as a flat list of nodes (build one with ``hd.trace``).

    >>> import hybriddiff as hd
    >>> g = hd.trace(lambda x: hd.exp(x * x - x) / x, 2.0)
    >>> round(g(2.0), 12), len(g.nodes)
    (3.694528049465, 5)
    """

    def __call__(self, *args: Any) -> Any:
        """Evaluate at floats, complex or mpmath numbers, or NumPy arrays (a batch at once)."""
        return evaluate(self, args)

    def grad(self, wrt: int | Sequence[int] | None = None) -> "Graph":
        """The gradient as a graph (reverse sweep emitting nodes); ``wrt``: argument number(s)."""
        return grad_graph(self, wrt)

    def derivative(self, wrt: int = 0) -> "Graph":
        """d outputs / d argument ``wrt`` as a graph (forward mode emitting nodes)."""
        return derivative_graph(self, wrt)

    def jvp(self) -> "Graph":
        """The forward tangent as a graph with extra inputs ``x_dot`` (one per input)."""
        return jvp_graph(self)

    def source(self, backend: str = "numpy", name: str | None = None) -> str:
        """Readable Python source: one assignment per node, adjoints commented (``backend``
        "numpy", "math" or "jax": jax.numpy, as ``to_jax`` runs it)."""
        if backend == "jax":
            from .jaxcode import jax_source
            return jax_source(self, name)
        from .codelines import source   # code generation and drawing load when first used
        return source(self, backend, name)

    def compile(self, backend: str = "numpy", dtype: str = "float64") -> Callable[..., Any]:
        """The graph as a fast Python function: ``backend`` "numpy" (math for floats, NumPy for
        arrays) or "jax" (``jax.jit``: any batch shape, on CPU or GPU; ``dtype`` "float64" or
        "float32"; JAX is an optional extra)."""
        if backend == "jax":
            from .jaxcode import compile_jax
            return compile_jax(self, dtype)
        if dtype != "float64":
            raise ValueError(f"compile: dtype={dtype!r} is for backend='jax'; NumPy code computes in float64")
        from .codegen import compile_graph
        return compile_graph(self, backend)

    def to_jax(self) -> Callable[..., Any]:
        """The graph as a pure jax.numpy function (``jax.jit``, ``jax.vmap``, ``jax.grad`` take it);
        a recorded guard is a ``checkify.check`` (see ``graph/jaxcode.py``). JAX is an optional extra.

        >>> import hybriddiff as hd, jax                     # doctest: +SKIP
        >>> float(jax.grad(hd.trace(hd.sin, 1.0).to_jax())(1.0))   # doctest: +SKIP
        0.5403023...
        """
        from .jaxcode import to_jax
        return to_jax(self)

    def to_sympy(self, nested: bool = False) -> Any:
        """``(assignments, outputs)``: one SymPy assignment per operation, so any depth converts;
        ``nested=True``: the expression itself (a list for several outputs; small graphs only)."""
        return to_sympy(self, nested)

    @staticmethod
    def from_sympy(expr: Any, inputs: Sequence[Any], template: "Graph | None" = None, name: str = "f") -> "Graph":
        """A graph from a SymPy expression, a list of them, or an ``(assignments, outputs)`` pair."""
        return from_sympy(expr, inputs, template, name, kind=Graph)

    def simplify(self, timeout: float | None = 3.0, strategy: str = "auto", full_output: bool = False) -> Any:
        """A simplified copy through SymPy (time-boxed, never bigger); ``full_output``: (graph, report)."""
        graph, report = simplify_graph(self, timeout, strategy)
        return (graph, report) if full_output else graph

    def latex(self, nested: bool = True) -> str:
        """LaTeX: one formula when small, else the assignments in an ``aligned`` block."""
        return latex(self, nested)

    def _at(self, args: tuple) -> tuple:
        if args:
            return args
        if self.point is None or len(self.point) != len(self.arg_sizes):
            raise TypeError(f"give the point to evaluate {self.name} at (its arguments: "
                            f"{', '.join(self.arg_names)})")
        return self.point

    def primal_table(self, *args: Any) -> Any:
        """The primal trace (Baydin et al. Table 2, left) at ``args`` (default: the trace point)."""
        return primal_table(self, *self._at(args))

    def draw(self, *args: Any, mode: str | None = None, tangent: Any = None, max_nodes: int = 300) -> Any:
        """An SVG picture of the graph; with a point (default: the trace point), values on the
        nodes, and tangents (``mode="forward"``) or adjoints (``mode="reverse"``)."""
        from .draw import draw
        at = args or (self.point if self.point is not None and len(self.point) == len(self.arg_sizes) else ())
        return draw(self, *at, mode=mode, tangent=tangent, max_nodes=max_nodes)

    def _repr_svg_(self) -> str | None:
        if self.n_ops > 300:
            return None  # Jupyter falls back to the text listing
        return self.draw()._repr_svg_()

    def to_dot(self, *args: Any, mode: str | None = None, tangent: Any = None) -> str:
        """Graphviz DOT text of the graph (labels as in ``draw``)."""
        from .draw import to_dot
        return to_dot(self, *args, mode=mode, tangent=tangent)

    def __repr__(self) -> str:
        return listing(self)

    __str__ = __repr__


def trace(f: Callable[..., Any], *example_args: Any, name: str | None = None) -> Graph:
    """Record f at the example point as a graph (a Wengert list); branches become guards.

    >>> import hybriddiff as hd
    >>> g = hd.trace(lambda x1, x2: x1 * hd.exp(x2) - x1, 1.5, 0.5)
    >>> g.input_names(), g.n_ops
    (['x1', 'x2'], 3)
    """
    return record(f, example_args, name, kind=Graph)


__all__ = ["Graph", "trace"]
