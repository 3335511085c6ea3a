"""mpmath's working precision for the comparison's reference: 50 digits, one thread at a time."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

DIGITS = 50
_PRECISION = threading.RLock()


@contextmanager
def precision(n: int) -> Iterator[None]:
    """mpmath at n digits, one thread at a time: mpmath's precision is one global setting, so two
    threads entering and leaving ``workdps`` out of order would leave each other at 15 digits.

    >>> import mpmath
    >>> with precision(DIGITS):
    ...     mpmath.mp.dps
    50
    """
    import mpmath
    with _PRECISION, mpmath.workdps(n):
        yield


__all__ = ["DIGITS", "precision"]
