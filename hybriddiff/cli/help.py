"""The ``hybriddiff`` command's help texts: option help and the EXAMPLES of every ``--help``."""
from __future__ import annotations

FORMATS = ("text", "markdown", "html", "json")
FUNCTION_HELP = ("an expression in hybriddiff's safe language (quote it), '-' to read it from stdin, "
                 "or path/to/file.py:function (this RUNS that Python file, as 'python file.py' would)")
AT_HELP = ("the point: NAME=VALUE items (x=2, x1=2 x2=5, x=pi/4; repeatable); x=1,2,3 for an array "
           "argument of a Python function; a bare VALUE for a single argument; give them after FUNCTION "
           "(at most 1,000 values)")
SAFETY = ("Expressions are parsed by an ast whitelist and never evaluated as Python; "
          "file.py:function executes that file. See SECURITY.md.")

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
"""
EXAMPLES = {
    "compare": """\
examples:
  hybriddiff compare "exp(x**2 - x)/x" --at x=2
  hybriddiff compare "sin(x)" --at x=pi/4 --methods forward reverse fd-central
  hybriddiff compare "ln(x1) + x1*x2 - sin(x2)" --at x1=2 --at x2=5 --format markdown
  hybriddiff compare "exp(x**2 - x)/x" --at x=2 --format html -o comparison.html
  echo "x**3 - 2*x" | hybriddiff compare - --at x=1 --format json
  hybriddiff compare mymodule.py:f --at 2       # runs mymodule.py, then compares f at 2

With several variables the comparison reports the gradient, in the order of the variables' names
(x1, x2, ..., y). Methods: hybriddiff.methods.available_methods().
""",
    "trace": """\
examples:
  hybriddiff trace "ln(x1) + x1*x2 - sin(x2)" --at x1=2 x2=5
  hybriddiff trace "ln(x1) + x1*x2 - sin(x2)" --at x1=2 x2=5 --tangent x1=0 x2=1
  hybriddiff trace "ln(x1) + x1*x2 - sin(x2)" --at x1=2 x2=5 --mode reverse --format markdown
  hybriddiff trace "x1*exp(x2) - x1" --at x1=1.5 x2=0.5 --format json

The tables of Baydin et al. (2018), Tables 2 and 3: forward mode seeds ẋ1 = 1 by default.
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
    "demo": "example:\n  hybriddiff demo\n",
}
