"""The ``Primitive`` record: every fact about one elementary operation, fixed when it is created.

A record holds what each interpreter needs (numeric, high-precision and SymPy implementations, the
local partials, code and text templates, the domain tests sample) and every per-primitive fact the
rooms above read: how Python's operators and NumPy's ufuncs reach it, its names in the expression
language, how SymPy spells it, whether it commutes, where its derivative is a convention. Records are
frozen: no module changes a fact after creation, so a new primitive is one record in
``primitives.py`` and every mode, the SymPy bridge, code generation, the parser and the generated
tests pick it up (ARCHITECTURE.md, "Adding a primitive").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from .dispatch import Box, bind

PRIMITIVES: dict[str, "Primitive"] = {}   # name -> record, in definition order (the table)


@dataclass(frozen=True, eq=False)
class Primitive:
    """One elementary operation, defined once for every interpreter.

    ``partials[i](*args, out)`` is d out / d args[i], written with hybriddiff's own functions so that
    it can itself be differentiated, traced, printed and converted to SymPy.
    """

    name: str
    arity: int
    numpy: Callable[..., Any]                 # floats, arrays, complex numbers
    mpmath: Callable[..., Any]                # the high-precision reference
    partials: tuple[Callable[..., Any], ...]
    sympy: Callable[..., Any]                 # builds the SymPy expression
    source: str                               # NumPy code template: "np.exp({0})"
    latex: str                                # LaTeX template: "e^{{{0}}}"
    pretty: str                               # plain-text template: "exp({0})"
    domain: tuple[tuple[float, float], ...]   # where tests sample each argument (derivative exists)
    scalar: Callable[..., Any] | None = None  # fast path for Python floats; may raise -> NumPy
    scalar_source: str | None = None          # code template for Python floats: "math.exp({0})"
    source_int: str | None = None             # shorter template when the last argument is an exact
                                              # int constant ("{0} ** {1}": ** is safe only then)
    out_source: str | None = None             # NumPy call writing into a buffer "{out}" (in-place code)
    jax_source: str | None = None             # jax.numpy code template: "jnp.exp({0})" (None: the NumPy
                                              # template with jnp for np, which fits every NumPy name
                                              # jax.numpy shares)
    infix: str | None = None                  # operator symbol when printed infix ("+", "*")
    precedence: int = 100                     # for printing nested infix expressions
    dunder: str | None = None                 # Python's operator method: "add" -> __add__, __radd__
    commutative: bool = False                 # f(x, y) == f(y, x): graphs share both orders
    names: tuple[str, ...] = ()               # names in the expression language (callable by name)
    ufuncs: tuple[str, ...] = ()              # NumPy ufuncs that mean this primitive
    sympy_heads: tuple[str, ...] = ()         # SymPy class names that map back to it
    sympy_nary: bool = False                  # SymPy's class takes any number of arguments (Max)
    sympy_reciprocals: tuple[str, ...] = ()   # SymPy functions that are 1/this (cot for tan)
    smooth: bool = True                       # False: the derivative is a convention somewhere
    piecewise_constant: bool = False          # derivative 0 wherever it exists (floor, sign, ...)
    kink: Callable[..., bool] | None = None   # the points where its derivative does not exist (a kink,
                                              # tie or jump), given the argument values
    convention: str = ""                      # what the rules give there (the comparison names it)
    total: bool = True                        # finite arguments never give nan (overflow aside): f made
                                              # only of total primitives is defined everywhere
    strong_zero: bool = False                 # a plain first argument 0 makes the result exactly 0,
                                              # whatever the second (xmul: JAX's select in the rules)
    takes_complex: bool | None = None         # its NumPy form takes complex numbers (the complex
                                              # step needs that); None: as smooth
    doc: str = ""
    fast: dict = field(default_factory=dict, repr=False, compare=False)  # box type -> generated fast
                                              # path: a cache of code compiled from the rules, not a fact

    def __post_init__(self) -> None:
        if len(self.partials) != self.arity or len(self.domain) != self.arity:
            raise ValueError(f"primitive {self.name}: partials and domain need {self.arity} entries")
        if self.name in PRIMITIVES:
            raise ValueError(f"primitive {self.name!r} is defined twice")
        if self.takes_complex is None:
            object.__setattr__(self, "takes_complex", self.smooth)
        if self.jax_source is None:
            object.__setattr__(self, "jax_source", self.source.replace("np.", "jnp."))
        object.__setattr__(self, "__doc__", self.doc)
        object.__setattr__(self, "__name__", self.name)
        PRIMITIVES[self.name] = self

    def __call__(self, *args: Any) -> Any:
        if len(args) != self.arity:
            raise TypeError(f"hd.{self.name} takes {self.arity} argument(s), got {len(args)}")
        return bind(self, *args)

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"

    def __reduce__(self) -> tuple:  # pickles by name: one table per process
        return (primitive_named, (self.name,))


def primitive_named(name: str) -> Primitive:
    """The table's primitive called ``name`` (how primitives unpickle).

    >>> primitive_named("sin")
    <primitive sin>
    """
    return PRIMITIVES[name]


class UnaryPrimitive(Primitive):
    """A one-argument primitive; calling it skips the generic dispatch for floats and boxes."""

    def __call__(self, x: Any, *extra: Any) -> Any:
        if extra:
            raise TypeError(f"hd.{self.name} takes 1 argument, got {1 + len(extra)}")
        kind = type(x)
        if kind is float and self.scalar is not None:
            try:  # Python floats are the hot path of every rule: straight to the math module
                return self.scalar(x)
            except (ArithmeticError, ValueError):
                pass  # outside the math module's domain: NumPy's nan/inf and a warning
        fast = self.fast.get(kind)
        if fast is not None:
            return fast(x)
        if isinstance(x, Box):
            return x._hd_apply(self, (x,))
        return bind(self, x)


class BinaryPrimitive(Primitive):
    """A two-argument primitive; calling it skips the generic dispatch for floats and boxes."""

    def __call__(self, x: Any, y: Any = None, *extra: Any) -> Any:
        if extra or y is None:
            raise TypeError(f"hd.{self.name} takes 2 arguments, got {1 + (y is not None) + len(extra)}")
        kind = type(x)
        if kind is float and type(y) is float and self.scalar is not None:
            try:  # two Python floats (evaluating a graph, the rules' own arithmetic): the math module
                return self.scalar(x, y)
            except (ArithmeticError, ValueError):
                pass  # outside the math module's domain: NumPy's nan/inf and a warning
        fast = self.fast.get(kind)
        if fast is not None:
            return fast(x, y)
        return bind(self, x, y)


def define(name: str, arity: int, **fields: Any) -> Primitive:
    """A new record of the right call shape for its arity, entered in ``PRIMITIVES``."""
    kind = {1: UnaryPrimitive, 2: BinaryPrimitive}.get(arity, Primitive)
    return kind(name=name, arity=arity, **fields)


__all__ = ["Primitive", "UnaryPrimitive", "BinaryPrimitive", "PRIMITIVES", "define", "primitive_named"]
