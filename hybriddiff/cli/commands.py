"""The ``hybriddiff`` command: compare, trace, diff, report and demo (``python -m hybriddiff`` too).

Exit status (``exitcodes.py``, where each is defined): 0 ok; 2 bad usage or input (argparse errors,
``ParseError``, unknown variables or methods, missing ``--at`` values, a missing file or function); 1
any other failure; ``compare`` only: 3 no derivative to trust (no reference, f undefined, or no
method gave one) and 4 ``--check`` failed. A method that fails inside a comparison is not a failure
of the command: its row says why, and the exit status counts it only through 3 and 4.
"""
from __future__ import annotations

import argparse
import html
import json
import os
import shutil
import sys
import warnings
from typing import Any, Callable, Sequence

import numpy as np

from .. import __version__
from ..comparison.compare import DEFAULT_TIMEOUT as COMPARE_TIMEOUT, compare
from ..display.format import full_value, jsonable, ordinal
from ..errors import ParseError
from ..graph.facade import trace
from ..graph.symbolic.bridge import latex
from ..graph.symbolic.simplify import simplify
from ..graph.trace_tables import forward_table, reverse_table
from ..tables.taylor import MAX_ORDER as MAX_TABLE_ORDER, taylor_table
from ..methods.registry import available_methods, method_named
from ..studies.report import report
from ..studies.entries import point_text
from . import exitcodes
from .demo import seed_examples
from .help import (AT_HELP, CHECK_HELP, EXAMPLES, FORMAT_HELP, FORMATS, FUNCTION_HELP, MAIN_EXAMPLES, MIN_DIGITS_HELP,
                   SAFETY)
from .functions_file import read_functions
from .listing import language_listing
from .inputs import (Target, UsageError, UserCodeError, finite, load_target, parse_point,
                     tangent_values)
from .limits import (MAX_DERIVATIVE_OPS, MAX_FUNCTIONS_BYTES, MAX_FUNCTIONS_LINES, MAX_ORDER,
                     MAX_TIMEOUT)


# ---------------------------------------------------------------- output
def _emit(text: str, output: str | None) -> None:
    if output:
        try:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text if text.endswith("\n") else text + "\n")
        except OSError as exc:
            raise OSError(f"cannot write {output}: {exc.strerror or exc}") from None
        return
    try:
        print(text)
    except UnicodeEncodeError:   # a terminal that cannot show v̇, ∂, ...
        encoding = sys.stdout.encoding or "ascii"
        print(text.encode(encoding, "backslashreplace").decode(encoding))


def _page(body: str, title: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n</head>\n<body>\n{body}\n</body>\n</html>")


_EXTENSIONS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".json": "json"}


def _format(args: argparse.Namespace) -> str:
    """--format if given, else the one -o FILE's extension names (.md, .html, .json), else text."""
    if args.format:
        return args.format
    return _EXTENSIONS.get(os.path.splitext(args.output or "")[1].lower(), "text")


def _render(table: Any, fmt: str, data: dict[str, Any], output: str | None = None) -> str:
    if fmt == "json":
        return json.dumps(jsonable(data), indent=2, allow_nan=False, ensure_ascii=False)
    if fmt == "html":
        return _page(table.to_html(max_rows=None), table.title)
    if fmt == "markdown":
        return table.to_markdown(max_rows=None)
    # A terminal: fit its width. A file or a pipe: every column, the notes wrapped at 60 characters.
    width = None if output else _terminal_width()
    return table.to_text(max_rows=None, width=width, wrap=None if width else NOTE_WRAP)


NOTE_WRAP = 60


def _terminal_width() -> int | None:
    """The terminal's columns when text goes to one; None (no limit) for a pipe or a file."""
    if not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size().columns


# ---------------------------------------------------------------- commands
def _methods(items: Sequence[str] | None) -> list[str] | None:
    if not items:
        return None
    names = [m.strip() for item in items for m in item.split(",") if m.strip()]
    unknown = [m for m in names if not _known(m)]
    if unknown:
        raise UsageError(f"unknown method(s) {', '.join(map(repr, unknown))}; available methods: "
                         f"{', '.join(available_methods())}")
    # each as hd.METHODS spells it ("central" is "fd-central"), once
    return list(dict.fromkeys(method_named(m, "--methods").name for m in names))


def _known(name: str) -> bool:
    try:
        method_named(name, "--methods")
    except ValueError:
        return False
    return True


def _target(args: argparse.Namespace) -> Target:
    target = load_target(args.function)
    target.set_point(parse_point(args.at))
    return target


def cmd_compare(args: argparse.Namespace) -> int:
    methods = _methods(args.methods)
    if not 0 < args.budget <= 60:
        raise UsageError(f"--budget must be between 0 and 60 seconds, got {args.budget}")
    if not 0 < args.timeout <= MAX_TIMEOUT:
        raise UsageError(f"--timeout must be between 0 and {MAX_TIMEOUT:g} seconds, got {args.timeout}")
    if args.min_digits is not None and not 0 <= args.min_digits <= 17:
        raise UsageError(f"--min-digits must be between 0 and 17 (double precision), got {args.min_digits:g}")
    if args.order > MAX_ORDER:
        raise UsageError(f"--order {args.order} is above the limit of {MAX_ORDER} (see 'hybriddiff diff --help')")
    target = _target(args)
    if args.order > 1 and (len(target.names) > 1 or np.ndim(target.values[0])):
        raise UsageError(f"--order {args.order} compares derivatives of a function of one number; "
                         f"{target.label} takes {', '.join(target.names)} at {point_text(target.names, target.values)}")
    f, x = target.compare_input()
    try:
        result = compare(f, x, methods=methods, budget=args.budget, name=target.label, timeout=args.timeout,
                         order=args.order)
    except ValueError as exc:
        if "gives" in str(exc) and "not order" in str(exc):   # a method that cannot give this order
            raise UsageError(str(exc).replace("hd.compare: ", "")) from None
        raise
    table = result.to_table()
    table.title = target.title(result.kind if args.order == 1 else f"{ordinal(args.order)} derivative")
    data = {**result.to_dict(), "title": table.title, "variables": target.names,
            "at": target.point_dict()}
    _emit(_render(table, _format(args), data, args.output), args.output)
    return _verdict(result, args)


def _verdict(result: Any, args: argparse.Namespace) -> int:
    """The exit status of a comparison that ran (``exitcodes.py``); the reason goes to stderr."""
    why = exitcodes.no_derivative(result)
    if why:
        print(f"hybriddiff compare: no derivative: {why}", file=sys.stderr)
        return exitcodes.NO_DERIVATIVE
    if args.check or args.min_digits is not None:
        failures = exitcodes.check_failures(result.rows, args.min_digits)
        if failures:
            print("hybriddiff compare: check failed: " + "; ".join(failures), file=sys.stderr)
            return exitcodes.CHECK_FAILED
    return exitcodes.OK


def cmd_trace(args: argparse.Namespace) -> int:
    target = _target(args)
    if args.order is not None and args.mode != "taylor":
        raise UsageError(f"--order is for --mode taylor (the Taylor coefficients' order), not --mode "
                         f"{args.mode}")
    if args.mode == "forward":
        table = forward_table(target.function, target.table_point(), tangent_values(target, args.tangent))
    elif args.mode == "taylor":
        direction = tangent_values(target, args.tangent)
        if direction is None and sum(int(np.size(v)) for v in target.values) > 1:
            raise UsageError(f"--mode taylor with several inputs needs --tangent, the direction of the "
                             f"series (e.g. --tangent {target.names[0]}=1: the others are 0)")
        table = taylor_table(target.function, target.table_point(), 3 if args.order is None else args.order,
                             direction)
    elif args.tangent:
        raise UsageError("--tangent is for --mode forward and taylor (reverse mode seeds ȳ = 1)")
    else:
        table = reverse_table(target.function, target.table_point())
    _emit(_render(table, _format(args), table.to_dict(), args.output), args.output)
    return exitcodes.OK


def _higher_derivatives(d: Any, order: int, wrt: int) -> Any:
    """d (the first derivative graph) differentiated ``order - 1`` more times, refusing an order
    whose graphs would hold more than ``MAX_DERIVATIVE_OPS`` operations in all (each next size is
    predicted from the growth of the last step, before it is built)."""
    built, size = d.n_ops, d.n_ops
    for k in range(2, order + 1):
        growth = max(1.0, d.n_ops / max(size, 1)) if k > 2 else 2.0
        predicted = d.n_ops * growth
        if built + predicted > MAX_DERIVATIVE_OPS:
            raise UsageError(f"--order {order}: the derivative graphs grow too large (order {k - 1} has "
                             f"{d.n_ops:,} operations, order {k} would have about {predicted:,.0f}; the "
                             f"limit is {MAX_DERIVATIVE_OPS:,} operations in all): ask for order "
                             f"{k - 1} or less")
        size, d = d.n_ops, d.derivative(wrt)
        built += d.n_ops
    return d


def cmd_diff(args: argparse.Namespace) -> int:
    if args.order > MAX_ORDER:
        raise UsageError(f"--order {args.order} is above the limit of {MAX_ORDER} (each order "
                         f"differentiates the derivative graph again, and its size grows with each)")
    if not 0 < args.timeout <= MAX_TIMEOUT:
        raise UsageError(f"--timeout must be between 0 and {MAX_TIMEOUT:g} seconds, got {args.timeout}")
    target = load_target(args.function)
    point = parse_point(args.at)
    note = ""
    if point:
        target.set_point(point)
        at = target.values
    else:
        at, note = target.default_point(lambda v: finite(target.function(*v)))
    if not target.names:
        raise UsageError(f"{target.label} has no variables: there is nothing to differentiate")
    wrt = None
    if args.wrt is not None:
        if args.wrt not in target.names:
            raise UsageError(f"--wrt: unknown variable {args.wrt!r}; the variables are: "
                             f"{', '.join(target.names)}")
        wrt = target.names.index(args.wrt)
    elif args.order > 1 and len(target.names) > 1:
        raise UsageError(f"--order {args.order} with several variables needs --wrt NAME "
                         f"(one of {', '.join(target.names)})")
    graph = trace(target.function, *at)
    d = _higher_derivatives(graph.grad(wrt), args.order, wrt or 0)
    which = "gradient" if wrt is None and (len(at) > 1 or np.ndim(at[0])) else "derivative"
    order = f"order-{args.order} " if args.order > 1 else ""
    how = "reverse sweep" + (f", then {args.order - 1} forward-mode derivative(s)," if args.order > 1 else "")
    traced = ", ".join(f"{n} = {full_value(v)}" for n, v in zip(target.names, at))
    lines = [f"{order}{which} of {target.label}" + (f" with respect to {args.wrt}" if args.wrt else ""),
             f"({how} of the graph traced at {traced}{'; ' + note if note else ''})", "",
             repr(d), "", d.source().rstrip()]
    shown = d
    if args.simplify:
        shown, report = simplify(d, timeout=args.timeout)
        if shown.source() == d.source():   # nothing won: the same graph, not printed twice
            shown = d
            lines += ["", f"{report} (the graph above is already the simplest found)"]
        else:
            lines += ["", str(report), "", repr(shown), "", shown.source().rstrip()]
    if args.latex:
        lines += ["", "LaTeX:", latex(shown)]
    if point:
        lines += ["", f"value at {traced}: {full_value(d(*at))}"]
        if shown is not d:
            lines.append(f"simplified graph there: {full_value(shown(*at))}")
    _emit("\n".join(lines), args.output)
    return exitcodes.OK


def cmd_report(args: argparse.Namespace) -> int:
    functions = None if args.functions is None else read_functions(args.functions)
    options = {"studies": False} if args.no_studies else {}
    paths = report(functions=functions, path=args.output, markdown=not args.no_markdown, **options)
    for path in paths or ():
        print(path)
    return exitcodes.OK


def cmd_list(args: argparse.Namespace) -> int:
    print(language_listing(min(_terminal_width() or 79, 100)))
    return exitcodes.OK


def cmd_demo(args: argparse.Namespace) -> int:
    print(seed_examples())
    return exitcodes.OK


# ---------------------------------------------------------------- the parser
def _sub(sub: Any, name: str, help_text: str, run: Callable[[argparse.Namespace], int]) -> Any:
    p = sub.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:] + ". " + SAFETY,
                       epilog=EXAMPLES[name], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(run=run)
    return p


def _point_args(p: argparse.ArgumentParser, required: bool = True) -> None:
    p.add_argument("function", metavar="FUNCTION", help=FUNCTION_HELP)
    p.add_argument("--at", nargs="+", action="extend", metavar="NAME=VALUE",
                   help=AT_HELP + ("" if required else " (optional)"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hybriddiff", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=MAIN_EXAMPLES,
        description="Derivatives four ways (forward AD, reverse AD, symbolic/hybrid, finite "
                    "differences), side by side. " + SAFETY)
    parser.add_argument("--version", action="version", version=f"hybriddiff {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    parser.subparsers = sub.choices   # name -> parser, for errors in the subcommand's words
    p = _sub(sub, "compare", "every method on one function at one point, against a 50-digit reference",
             cmd_compare)
    _point_args(p)
    p.add_argument("--methods", nargs="+", action="extend", metavar="METHOD",
                   help="methods to run (space or comma separated; default: all available; "
                        "'hybriddiff list' names them)")
    p.add_argument("--format", choices=FORMATS, help=FORMAT_HELP)
    p.add_argument("--budget", type=float, default=0.05, metavar="SECONDS",
                   help="time spent timing each method (default: 0.05)")
    p.add_argument("--timeout", type=float, default=COMPARE_TIMEOUT, metavar="SECONDS",
                   help=f"time limit of each method's set-up and first call, and of the reference "
                        f"(default: {COMPARE_TIMEOUT:g}); a method past it gets a 'timeout' row")
    p.add_argument("--order", type=_positive, default=1, metavar="N",
                   help=f"compare N-th derivatives (one variable; default 1, at most {MAX_ORDER}); "
                        f"methods that cannot give them are left out, the footnote says which")
    p.add_argument("--check", action="store_true", help=CHECK_HELP)
    p.add_argument("--min-digits", type=float, metavar="D", help=MIN_DIGITS_HELP)
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of printing")
    p = _sub(sub, "trace", "the textbook forward, reverse or Taylor-mode trace table", cmd_trace)
    _point_args(p)
    p.add_argument("--mode", choices=("forward", "reverse", "taylor"), default="forward",
                   help="forward (tangents), reverse (adjoints) or taylor (each variable's Taylor "
                        "coefficients); default: forward")
    p.add_argument("--tangent", nargs="+", action="extend", metavar="NAME=VALUE",
                   help="forward mode's seed (default: 1 for the first variable, 0 for the others) or "
                        "taylor mode's direction (default: 1 for a single variable; several need it); "
                        "unnamed variables 0")
    p.add_argument("--order", type=_table_order, metavar="N",
                   help=f"taylor mode: coefficients c0..cN (default 3, at most {MAX_TABLE_ORDER})")
    p.add_argument("--format", choices=FORMATS, help=FORMAT_HELP)
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of printing")
    p = _sub(sub, "diff", "the derivative as a graph: Wengert listing and Python source", cmd_diff)
    _point_args(p, required=False)
    p.add_argument("--wrt", metavar="NAME", help="differentiate with respect to NAME only")
    p.add_argument("--order", type=_positive, default=1, metavar="N",
                   help=f"derivative order (default 1, at most {MAX_ORDER})")
    p.add_argument("--simplify", action="store_true", help="simplify through SymPy (time-boxed)")
    p.add_argument("--timeout", type=float, default=3.0, metavar="SECONDS",
                   help="time limit of --simplify (default: 3)")
    p.add_argument("--latex", action="store_true", help="print the derivative as LaTeX")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of printing")
    p = _sub(sub, "report", "an HTML (and Markdown) report comparing the methods on many functions",
             cmd_report)
    p.add_argument("functions", nargs="?", metavar="FUNCTIONS_FILE",
                   help=f"'name: expression @ x=2' a line ('-': stdin; at most "
                        f"{MAX_FUNCTIONS_BYTES >> 20} MiB and {MAX_FUNCTIONS_LINES:,} lines); "
                        f"default: the built-in set")
    p.add_argument("-o", "--output", default="report.html", metavar="FILE",
                   help="the HTML file to write (default: report.html)")
    p.add_argument("--no-markdown", action="store_true", help="do not write the Markdown copy")
    p.add_argument("--no-studies", action="store_true", help="leave out the scaling and swell studies")
    _sub(sub, "list", "the expression language's functions, constants and operators, and the methods",
         cmd_list)
    _sub(sub, "demo", "the seed tutorial's examples in forward and reverse mode", cmd_demo)
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _table_order(text: str) -> int:
    """``trace --order``: a whole number from 0 to the Taylor table's largest order."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_TABLE_ORDER:
        raise argparse.ArgumentTypeError(f"expected a whole number from 0 to {MAX_TABLE_ORDER}, got {text!r} "
                                         f"(the Python API's hd.taylor has no limit)")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script and of ``python -m hybriddiff``; returns the exit status."""
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:   # the subcommand's usage, not the top level's, for its unknown options
            parser.subparsers.get(args.command, parser).error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as exc:   # --help, --version, usage errors (status 2)
        return exc.code if isinstance(exc.code, int) else exitcodes.USAGE
    if args.command is None:   # a bare 'hybriddiff': the help (with examples), but as a usage error
        parser.print_help(sys.stderr)
        print("\nhybriddiff: error: a COMMAND is needed (compare, trace, diff, report, list, demo)",
              file=sys.stderr)
        return exitcodes.USAGE
    prog = f"hybriddiff {args.command}"
    try:
        with warnings.catch_warnings():   # nan/inf are marked in the output; no RuntimeWarning noise
            warnings.simplefilter("ignore", RuntimeWarning)
            return args.run(args)
    except (ParseError, UsageError) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return exitcodes.USAGE
    except UserCodeError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return exitcodes.FAILURE
    except BrokenPipeError:   # e.g. piped into head
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return exitcodes.FAILURE
    except KeyboardInterrupt:
        return exitcodes.INTERRUPTED
    except Exception as exc:
        if os.environ.get("HYBRIDDIFF_DEBUG"):
            raise
        print(f"{prog}: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return exitcodes.FAILURE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
