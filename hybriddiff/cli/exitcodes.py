"""The ``hybriddiff`` command's exit statuses, in one place, and the two judgements behind 3 and 4.

``--help`` (``help.EXIT_CODES``), README.md and the tests read these. Codes 3 and 4 belong to
``compare`` and are decided from the comparison's statuses (``comparison/statuses.py``) after its
table is written: the table is the answer, the exit status says whether to trust it.

- ``OK`` (0): done; for ``compare``, some method gave a derivative (and ``--check`` passed, if asked).
- ``FAILURE`` (1): anything else went wrong (the user's Python file raised, a file cannot be written).
- ``USAGE`` (2): bad usage or input (argparse errors, ``ParseError``, unknown variables or methods,
  missing ``--at`` values, a missing file or function, a limit of ``limits.py`` passed).
- ``NO_DERIVATIVE`` (3): ``compare`` found no derivative to trust: there is no 50-digit reference
  (it failed or ran out of time), the reference is not a number (f is undefined at the point), or no
  row gives a derivative (each is ``failed``, ``timeout``, ``f undefined`` or ``no derivative``).
  An infinite derivative (the reference is +-inf and rows say ``infinite``) and a kink that rows
  answer with the documented ``convention`` are results, not this.
- ``CHECK_FAILED`` (4): ``compare --check`` (or ``--min-digits D``): some row's status is not in
  ``statuses.TRUSTED``, or a row's measured correct digits are fewer than D. 3 wins over 4.
- ``INTERRUPTED`` (130): Ctrl-C.
"""
from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from ..comparison import statuses

OK = 0
FAILURE = 1
USAGE = 2
NO_DERIVATIVE = 3
CHECK_FAILED = 4
INTERRUPTED = 130

# statuses of rows that give no derivative; every other status is a number: trusted, inaccurate, or
# unchecked (no reference to judge it by, which is code 3 on its own)
NO_ANSWER = frozenset({statuses.FAILED, statuses.TIMEOUT, statuses.UNDEFINED, statuses.NO_DERIVATIVE})


def _not_a_number(reference: Any) -> bool:
    """Some component of the reference is nan or not real (an infinite one is a number here)."""
    for value in np.ravel(np.asarray(reference, dtype=object)):
        try:
            if math.isnan(float(value)):
                return True
        except (TypeError, ValueError):   # complex, or not a number at all
            return True
    return False


def no_derivative(result: Any) -> str:
    """Why ``result`` (an ``hd.compare`` result) holds no derivative to trust; "" when it holds one.

    >>> from types import SimpleNamespace as R
    >>> no_derivative(R(reference=2.0, reference_note="", rows=[R(method="forward", status="failed")]))
    'every method failed or timed out'
    >>> no_derivative(R(reference=float("inf"), reference_note="",
    ...                     rows=[R(method="forward", status="infinite")]))
    ''
    """
    found = {row.status for row in result.rows}
    if found <= NO_ANSWER:
        listed = ", ".join(word for word in statuses.STATUSES if word in found)
        if found <= {statuses.FAILED, statuses.TIMEOUT}:
            return "every method failed or timed out"
        if statuses.UNDEFINED in found:
            return f"f is not a real number at this point (statuses: {listed})"
        return f"no method gave a derivative (statuses: {listed})"
    if result.reference is None:
        return f"there is no reference to judge the methods by ({result.reference_note})"
    if _not_a_number(result.reference):
        return "the reference is not a number: f has no derivative at this point"
    return ""


def check_failures(rows: Iterable[Any], min_digits: float | None = None) -> list[str]:
    """What fails ``compare --check``, one line per row: a status not in ``TRUSTED``, or (with
    ``min_digits``) fewer measured correct digits than asked; rows without a digit count (an
    infinite derivative) are judged by their status alone.

    >>> from types import SimpleNamespace as R
    >>> check_failures([R(method="forward", status="exact", digits=17.0),
    ...                 R(method="fd-forward", status="accurate", digits=7.9)], min_digits=10)
    ['fd-forward: 7.9 correct digits, fewer than --min-digits 10']
    """
    failures = []
    for row in rows:
        if row.status not in statuses.TRUSTED:
            digits = "" if row.digits is None else f" ({row.digits:.1f} correct digits)"
            failures.append(f"{row.method}: {row.status}{digits}")
        elif min_digits is not None and row.digits is not None and row.digits < min_digits:
            failures.append(f"{row.method}: {row.digits:.1f} correct digits, fewer than --min-digits "
                            f"{min_digits:g}")
    return failures


__all__ = ["OK", "FAILURE", "USAGE", "NO_DERIVATIVE", "CHECK_FAILED", "INTERRUPTED", "NO_ANSWER",
           "no_derivative", "check_failures"]
