"""The comparison's statuses: a small vocabulary, each word earned from evidence.

A row's status says how far its value can be trusted, judged against the 50-digit reference and
what the method promises here (``compare.judge``), never from the value merely being finite.
``STATUSES`` maps each word to its one-line meaning; the footnote, ``hybriddiff compare --help`` and
README show these lines. ``TRUSTED`` are the statuses a check (``compare --check``) accepts.
"""
from __future__ import annotations

EXACT = "exact"
ACCURATE = "accurate"
INACCURATE = "inaccurate"
INFINITE = "infinite"
CONVENTION = "convention"
NO_DERIVATIVE = "no derivative"
UNDEFINED = "f undefined"
FAILED = "failed"
TIMEOUT = "timeout"
UNCHECKED = "unchecked"

STATUSES: dict[str, str] = {
    EXACT: "the reference itself, correctly rounded",
    ACCURATE: "within what the method promises here (its accuracy, and what the derivative's "
              "conditioning allows)",
    INACCURATE: "a number, but further from the reference than the method promises (the note says "
                "how many digits were expected)",
    INFINITE: "the derivative is infinite here (a vertical tangent or a pole) and the method says so",
    CONVENTION: "the derivative does not exist here (a kink, tie or jump); the value is hybriddiff's "
                "documented convention, named in the note",
    NO_DERIVATIVE: "the derivative does not exist here and the value is not the rules' convention (the "
                   "note gives the one-sided derivatives)",
    UNDEFINED: "f itself is not a real number at this point: there is no derivative to be right about",
    FAILED: "the method raised an error or returned no number (the note says why)",
    TIMEOUT: "the method ran out of time",
    UNCHECKED: "a number, but there is no reference to judge it by (the reference's note says why)",
}
TRUSTED = frozenset({EXACT, ACCURATE, INFINITE, CONVENTION})


def legend() -> str:
    """The statuses and their meanings, one "word: meaning" per line.

    >>> legend().splitlines()[0]
    'exact: the reference itself, correctly rounded'
    """
    return "\n".join(f"{word}: {meaning}" for word, meaning in STATUSES.items())


__all__ = ["STATUSES", "TRUSTED", "legend", "EXACT", "ACCURATE", "INACCURATE", "INFINITE", "CONVENTION",
           "NO_DERIVATIVE", "UNDEFINED", "FAILED", "TIMEOUT", "UNCHECKED"]
