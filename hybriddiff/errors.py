"""The exceptions hybriddiff raises: one family, so callers can catch ``hd.DifferentiationError``."""
from __future__ import annotations


class DifferentiationError(Exception):
    """Base class: a derivative could not be computed, and the message says why."""


class UnsupportedOperationError(DifferentiationError, TypeError):
    """An operation (e.g. a NumPy ufunc, ``float()`` of a dual number) has no differentiation rule."""


class OutputTypeError(DifferentiationError, TypeError):
    """The differentiated function returned something that is not a number (or a 1-D sequence of
    numbers where several outputs are allowed)."""


class LevelMixError(DifferentiationError, TypeError):
    """Two differentiable values of different kinds were built at the same nesting level by hand."""


class TraceGuardError(DifferentiationError):
    """A traced graph was evaluated where a branch recorded at trace time goes the other way."""


class DomainError(DifferentiationError, ValueError):
    """A value lies outside a function's domain and the caller asked for strict domains."""


class ParseError(DifferentiationError, ValueError):
    """The command line's expression language could not parse a text; ``position`` is its column."""

    def __init__(self, message: str, text: str = "", position: int | None = None):
        self.text = text
        self.position = position
        if position is not None and text and "\n" not in text and len(text) <= 200:
            message = f"{message}\n  {text}\n  {' ' * position}^"
        elif position is not None:
            message = f"{message} (at column {position + 1})"
        super().__init__(message)


class MethodTimeoutError(DifferentiationError, TimeoutError):
    """A time-boxed method (SymPy work) ran out of time."""
