"""The ``hybriddiff`` command's help texts: option help and the EXAMPLES of every ``--help``; the exit
codes (``EXIT_CODES``) and, for ``compare --help``, what each column and status means (read from
``comparison.columns`` and ``comparison.statuses``, not copied)."""
from __future__ import annotations

import textwrap

from ..comparison import statuses
from ..comparison.columns import COLUMNS, explanations
from . import exitcodes

FORMATS = ("text", "markdown", "html", "json")
FUNCTION_HELP = ("an expression in hybriddiff's safe language (quote it; 'hybriddiff list' shows its functions), "
                 "'-' to read it from stdin, "
                 "or path/to/file.py:function (this RUNS that Python file, as 'python file.py' would)")
AT_HELP = ("the point: NAME=VALUE items (x=2, x1=2 x2=5, x=pi/4; repeatable); x=1,2,3 for an array "
           "argument of a Python function; a bare VALUE for a single argument; give them after FUNCTION "
           "(at most 1,000 values)")
SAFETY = ("Expressions are parsed by an ast whitelist and never evaluated as Python; "
          "file.py:function runs that file, as 'python file.py' would ('hybriddiff list' shows the "
          "expression language).")
FORMAT_HELP = ("output format (default: the one -o FILE's extension names, .md, .html or .json; "
               "else text)")
TRUSTED = ", ".join(word for word in statuses.STATUSES if word in statuses.TRUSTED)
NO_ANSWER = ", ".join(word for word in statuses.STATUSES if word in exitcodes.NO_ANSWER)
CHECK_HELP = (f"exit with status {exitcodes.CHECK_FAILED} when any method's status is not trusted "
              f"({TRUSTED}), e.g. in CI; the table is written either way")
MIN_DIGITS_HELP = ("implies --check: a row with fewer than D correct significant digits fails the check too, "
                   "whatever its status (0 to 17; rows without a digit count, such as an infinite "
                   "derivative, are judged by their status alone)")

EXIT_CODES = f"""\
exit status:
  {exitcodes.OK}  ok (for compare: some method gave a derivative; an infinite derivative that the methods
     report as such, and a kink answered with the documented convention, are results too)
  {exitcodes.FAILURE}  any other failure (the Python file raised, a file cannot be written, ...)
  {exitcodes.USAGE}  bad usage or input: options, a parse error, unknown variables or methods, a limit passed
  {exitcodes.NO_DERIVATIVE}  compare found no derivative to trust: there is no 50-digit reference, the reference
     is not a number (f is undefined there), or no method gave one (every row's status is one of:
     {NO_ANSWER}); the table is still written
  {exitcodes.CHECK_FAILED}  compare --check failed: some method's status is not trusted, or (--min-digits D) it
     has fewer than D correct digits; the table is still written ({exitcodes.NO_DERIVATIVE} takes precedence)
  {exitcodes.INTERRUPTED}  interrupted (Ctrl-C)
"""


def _lines(items: list[str], width: int = 100) -> str:
    return "\n".join(textwrap.fill(item, width, initial_indent="  ", subsequent_indent="      ")
                     for item in items)


def compare_legend() -> str:
    """What every column and every status of the comparison means, for ``compare --help``."""
    explained = [explanations([c]) for c in COLUMNS if c.explain]
    named = [c.header for c in COLUMNS if not c.explain]
    if named:
        explained.append(f"{', '.join(named)}: as named")
    return (f"columns:\n{_lines(explained)}\n\nstatuses (the status column; --check accepts the trusted "
            f"ones: {TRUSTED}):\n{_lines(statuses.legend().splitlines())}\n")


MAIN_EXAMPLES = """\
examples:
  hybriddiff compare "exp(x**2 - x)/x" --at x=2
  hybriddiff compare "ln(x1) + x1*x2 - sin(x2)" --at x1=2 x2=5 --methods forward,reverse,fd-central
  hybriddiff trace "ln(x1) + x1*x2 - sin(x2)" --at x1=2 x2=5 --mode reverse
  hybriddiff diff "sin(x)*exp(-x)" --at x=1 --order 2
  hybriddiff compare mymodule.py:f --at 2
  hybriddiff report functions.txt -o report.html
  hybriddiff demo

'hybriddiff COMMAND --help' shows each command's options and more examples.

""" + EXIT_CODES
EXAMPLES = {
    "compare": """\
examples:
  hybriddiff compare "exp(x**2 - x)/x" --at x=2
  hybriddiff compare "sin(x)" --at x=pi/4 --methods forward reverse fd-central
  hybriddiff compare "ln(x1) + x1*x2 - sin(x2)" --at x1=2 --at x2=5 --format markdown
  hybriddiff compare "exp(x**2 - x)/x" --at x=2 --format html -o comparison.html
  echo "x**3 - 2*x" | hybriddiff compare - --at x=1 --format json
  hybriddiff compare mymodule.py:f --at 2       # runs mymodule.py, then compares f at 2
  hybriddiff compare "sin(x)" --at x=1 --methods forward,reverse --check --min-digits 15   # CI

With several variables the comparison reports the gradient, in the order of the variables' names
(x1, x2, ..., y). Methods: hybriddiff.methods.available_methods().

""" + compare_legend() + "\n" + EXIT_CODES,
    "trace": """\
examples:
  hybriddiff trace "ln(x1) + x1*x2 - sin(x2)" --at x1=2 x2=5
  hybriddiff trace "ln(x1) + x1*x2 - sin(x2)" --at x1=2 x2=5 --tangent x1=0 x2=1
  hybriddiff trace "ln(x1) + x1*x2 - sin(x2)" --at x1=2 x2=5 --mode reverse --format markdown
  hybriddiff trace "x1*exp(x2) - x1" --at x1=1.5 x2=0.5 --format json
  hybriddiff trace "exp(x**2 - x)/x" --at x=2 --mode taylor --order 4
  hybriddiff trace "ln(x1) + x1*x2 - sin(x2)" --at x1=2 x2=5 --mode taylor --tangent x1=1

The tables of Baydin et al. (2018), Tables 2 and 3: forward mode seeds ẋ1 = 1 by default. Taylor
mode shows each variable's coefficients c0..cN along x + t·direction (ck = v^(k)(0)/k!, so the k-th
derivative is k!·ck).
""",
    "diff": """\
examples:
  hybriddiff diff "exp(x**2 - x)/x"
  hybriddiff diff "exp(x**2 - x)/x" --at x=2 --simplify --latex
  hybriddiff diff "ln(x1) + x1*x2 - sin(x2)" --wrt x2 --at x1=2 x2=5
  hybriddiff diff "sin(x)" --order 3 --at x=0

Prints the derivative graph (reverse sweep of the traced expression) as a Wengert listing and as
Python source. Without --at the expression is traced at a default point where it is finite (the
language has no branches, so the derivative graph is the same at every point).
""",
    "report": """\
examples:
  hybriddiff report -o report.html
  hybriddiff report functions.txt -o report.html

A functions file has one function a line, blank lines and '#' comments skipped:
  seed: exp(x**2 - x)/x @ x=2
  baydin: ln(x1) + x1*x2 - sin(x2) @ x1=2, x2=5
  sin(x)*cos(x) @ x=pi/3
""",
    "list": "example:\n  hybriddiff list\n",
    "demo": "example:\n  hybriddiff demo\n",
}
