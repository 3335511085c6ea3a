"""The ``hybriddiff`` command's limits on work and input, in one place (README.md and SECURITY.md
list them). Each is checked before the work it bounds starts, and going past one is a usage error
(exit status 2) that names the limit.

- ``MAX_ORDER``: the highest derivative order (``diff --order``; ``compare`` when it takes one).
  The derivative graph is differentiated once per order, and its size grows with each: order 300 of
  ``exp(x*x)`` took 28 s; at 24 every expression the language can write in a line answers within a
  few seconds (orders that high are far past what double precision resolves anyway).
- ``MAX_DERIVATIVE_OPS``: the operations the derivative graphs of one ``diff`` may hold in all. Some
  graphs grow about four times per order (``exp(x**2 - x)/x`` has 49,000 operations at order 14), so
  the size of the next order is predicted from the last step, and an order whose graphs would pass
  the limit is refused before it is built.
- ``MAX_FUNCTIONS_BYTES``, ``MAX_FUNCTIONS_LINES``: a report's functions file (or stdin, ``-``) is
  read up to these and refused past them (``/dev/zero`` is refused after 1 MiB, not read until
  memory runs out); every function of a report is compared by every method, so even 1,000 lines
  take many minutes.
- ``--at`` (and ``--tangent``, a functions file's points): at most ``MAX_AT_VALUES`` values in all
  (counting an array argument's comma-separated values; each is parsed by the expression language,
  up to 0.2 ms each) and its ``MAX_LENGTH`` characters per item; items are split in one linear pass
  and counted before any value is parsed.
- ``compare --timeout``: each method's set-up and first call, and the reference, get at most this many
  seconds (default ``hybriddiff.comparison.compare.DEFAULT_TIMEOUT``, 10 s), and at most
  ``MAX_TIMEOUT``.
"""
from __future__ import annotations

MAX_ORDER = 24
MAX_DERIVATIVE_OPS = 50_000
MAX_FUNCTIONS_BYTES = 1 << 20     # 1 MiB
MAX_FUNCTIONS_LINES = 1_000
MAX_AT_VALUES = 1_000
MAX_TIMEOUT = 3600.0

__all__ = ["MAX_ORDER", "MAX_DERIVATIVE_OPS", "MAX_FUNCTIONS_BYTES", "MAX_FUNCTIONS_LINES",
           "MAX_AT_VALUES", "MAX_TIMEOUT"]
