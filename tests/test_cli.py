"""The ``hybriddiff`` command end to end: each subcommand and format, exit codes, bad input.

Most tests run ``python -m hybriddiff`` in a subprocess (about 0.3 s each); help texts and a few
error paths call ``main`` in-process to keep the file fast.
"""
import json
import os
import pathlib
import subprocess
import sys
import textwrap
import time
from html.parser import HTMLParser

import pytest

from hybriddiff.cli import commands as cli
from hybriddiff.methods.registry import available_methods, method_named

ROOT = pathlib.Path(__file__).resolve().parents[1]
SEED = "exp(x**2 - x)/x"
BAYDIN = "ln(x1) + x1*x2 - sin(x2)"
FAST = ["--methods", "forward", "reverse,fd-central", "--budget", "0.001"]


def run(*args, input=None, cwd=None, timeout=60):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, "-m", "hybriddiff", *map(str, args)], input=input, cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, env=env)


def fails(result, code=2):
    """Exit status ``code``, a message on stderr, no traceback, nothing on stdout."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "error:" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""
    return result.stderr


class _Html(HTMLParser):
    VOID = {"meta", "br", "img", "hr", "link", "input", "col", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack, self.seen, self.errors = [], set(), []

    def handle_starttag(self, tag, attrs):
        self.seen.add(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


def well_formed(page):
    parser = _Html()
    parser.feed(page)
    parser.close()
    assert not parser.errors and not parser.stack, (parser.errors, parser.stack)
    assert "table" in parser.seen
    return parser.seen


# ---------------------------------------------------------------- compare
def test_compare_the_seed_example_in_text_quickly():
    started = time.perf_counter()
    out = run("compare", SEED, "--at", "x=2")
    elapsed = time.perf_counter() - started
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "derivative of exp(x**2 - x)/x at x = 2.0"
    rows = [line for line in lines[3:] if line and not line.startswith(" ")]   # (notes wrap: indented)
    shown = [m for m in available_methods() if not method_named(m).opt_in]   # (hybrid-jax: when named)
    assert [line.split()[0] for line in rows[:len(shown)]] == shown
    assert max(len(line) for line in lines) <= 200   # the notes wrap at 60 characters in a pipe
    assert "9.23632012366331" in out.stdout and "reference 9.236320123663313" in out.stdout
    assert out.stderr == ""
    assert elapsed < 6   # about 1 s here; the brief asks for under 3 s on an idle machine


def test_compare_several_variables_reports_the_gradient_in_markdown():
    out = run("compare", BAYDIN, "--at", "x1=2", "--at", "x2=5", "--format", "markdown", *FAST)
    assert out.returncode == 0, out.stderr
    title = "gradient of log(x1) + x1\\*x2 - sin(x2) with respect to (x1, x2) at x1 = 2.0, x2 = 5.0"
    assert title in out.stdout   # Markdown escapes the *
    assert "|---" in out.stdout and "1.7163378145367738" in out.stdout
    assert [m for m in ("forward", "reverse", "fd-central", "richardson") if f"| {m} |" in out.stdout] == \
        ["forward", "reverse", "fd-central"]


def test_compare_json_parses_and_a_constant_expression_is_a_valid_value():
    out = run("compare", "sin(x)", "--at", "x=pi/4", "--format", "json", *FAST)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert [r["method"] for r in data["rows"]] == ["forward", "reverse", "fd-central"]
    assert data["variables"] == ["x"] and data["at"] == {"x": 0.7853981633974483}
    assert data["rows"][0]["value"] == pytest.approx(2 ** -0.5, rel=1e-15)


def test_compare_html_to_a_file_is_a_well_formed_page(tmp_path):
    out = run("compare", "x1*exp(x2) - x1", "--at", "x1=1.5 x2=0.5", "--format", "html", "-o",
              tmp_path / "c.html", *FAST)
    assert out.returncode == 0 and out.stdout == "", out.stderr
    page = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert {"html", "head", "body", "table", "caption", "tr", "td"} <= well_formed(page)
    assert "gradient of x1*exp(x2) - x1" in page


def test_overflow_is_quick_and_says_there_is_no_derivative():
    out = run("compare", "9**9**9*x", "--at", "x=2", "--format", "json", *FAST, timeout=10)
    assert out.returncode == 3, out.stderr     # f = inf: the table is written, and the status says so
    rows = json.loads(out.stdout)["rows"]
    assert {r["status"] for r in rows} <= {"f undefined", "failed"}
    assert "no derivative: f is not a real number" in out.stderr and "Traceback" not in out.stderr


def test_unknown_method_lists_the_available_ones():
    err = fails(run("compare", SEED, "--at", "x=2", "--methods", "forward,forwrd"))
    assert "'forwrd'" in err and ", ".join(available_methods()) in err


# ---------------------------------------------------------------- bad expressions and points
@pytest.mark.parametrize("expression, expected", [
    ("exp(x**2 - x", "^"),
    ("sine(x)", "did you mean 'sin'?"),
    ("__import__('os')", "not allowed"),
    ("x.real", "attribute access is not allowed"),
    ("lambda x: x", "lambda functions are not allowed"),
    ("[x for x in y]", "comprehensions are not allowed"),
])
def test_bad_expressions_exit_2_with_a_clear_message(expression, expected):
    err = fails(run("compare", expression, "--at", "x=2"))
    assert expected in err
    if expected == "^":
        assert f"  {expression}\n" in err and "never closed" in err


@pytest.mark.parametrize("at, expected", [
    (["y=2"], "unknown variable 'y'"),
    (["x="], "missing value after 'x='"),
    ([], "missing --at value for x"),
])
def test_bad_points_exit_2(at, expected):
    args = ["--at", *at] if at else []
    assert expected in fails(run("compare", "x**2", *args, "--methods", "forward"))


def test_a_10_mb_expression_on_stdin_is_refused_quickly():
    started = time.perf_counter()
    err = fails(run("compare", "-", "--at", "x=1", input="x+" * 5_000_000 + "x"))
    assert time.perf_counter() - started < 2.5
    assert "too long" in err


def test_expression_from_stdin():
    out = run("compare", "-", "--at", "x=1", "--methods", "reverse", "--format", "json", input="x**3 - 2*x\n")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["rows"][0]["value"] == 1.0


@pytest.mark.parametrize("argv, expected", [
    (["compare", "x1*x2", "--at", "x1=1"], "missing --at value for x2"),
    (["compare", "x**2", "--at", "x=1,2"], "takes one number"),
    (["compare", "x1*x2", "--at", "2"], "give the values by name"),
    (["compare", "x", "--at", "x=1", "--budget", "0"], "--budget"),
    (["compare", "x", "--at", "x=1", "x=2"], "given twice"),
    (["compare", "2 + 3", "--at", "x=1"], "the variables of 5 are: none"),
    (["compare", "x:y", "--at", "x=1"], "path/to/file.py:function"),
    (["compare", "nowhere.py:f", "--at", "1"], "no such file: nowhere.py"),
    (["trace", "x", "--at", "x=1", "--mode", "reverse", "--tangent", "x=1"], "--tangent is for --mode"),
    (["trace", "x1*x2", "--at", "x1=1", "x2=2", "--tangent", "x3=1"], "unknown variable 'x3'"),
    (["diff", "x*y", "--order", "2"], "needs --wrt"),
    (["diff", "x*y", "--wrt", "z"], "unknown variable 'z'"),
])
def test_usage_errors_in_process(argv, expected, capsys):
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert expected in captured.err and captured.out == ""


def test_argparse_errors_exit_2(capsys):
    assert cli.main(["compare"]) == 2
    assert cli.main(["diff", "x", "--order", "0"]) == 2
    assert cli.main(["compare", "x", "--at", "x=1", "--format", "pdf"]) == 2
    assert "usage:" in capsys.readouterr().err


# ---------------------------------------------------------------- trace
def test_trace_forward_text_with_the_default_and_a_given_tangent():
    out = run("trace", BAYDIN, "--at", "x1=2", "x2=5")
    assert out.returncode == 0, out.stderr
    assert "Forward-mode trace" in out.stdout and "tangent x\u03071 = 1, x\u03072 = 0" in out.stdout
    assert out.stdout.splitlines()[-2].split()[-1] == "5.5"
    out = run("trace", BAYDIN, "--at", "x1=2", "x2=5", "--tangent", "x2=1", "--format", "markdown")
    assert out.returncode == 0, out.stderr
    assert "x\u03071 = 0, x\u03072 = 1" in out.stdout and "| 1.716 |" in out.stdout


def test_trace_reverse_json_and_html():
    out = run("trace", BAYDIN, "--at", "x1=2", "x2=5", "--mode", "reverse", "--format", "json")
    assert out.returncode == 0, out.stderr
    table = json.loads(out.stdout)
    assert table["rows"][-2:] == [["x̄1", "v̄-1", 5.5], ["x̄2", "v̄0", 1.7163378145367738]]
    out = run("trace", "x1*exp(x2) - x1", "--at", "x1=1.5", "x2=0.5", "--mode", "reverse", "--format", "html")
    assert out.returncode == 0, out.stderr
    well_formed(out.stdout)
    assert "Reverse-mode trace" in out.stdout


# ---------------------------------------------------------------- diff
def test_diff_without_a_point_prints_listing_and_source():
    out = run("diff", SEED)
    assert out.returncode == 0, out.stderr
    assert "Graph grad_f(x):" in out.stdout and "def grad_f(x):" in out.stdout
    assert "# adjoint of v0 (x)" in out.stdout and "value at" not in out.stdout


def test_diff_with_a_point_order_and_wrt():
    out = run("diff", "sin(x1)*x2**3", "--wrt", "x2", "--order", "2", "--at", "x1=pi/2", "x2=2")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("order-2 derivative of sin(x1)*x2**3 with respect to x2")
    assert out.stdout.rstrip().endswith("value at x1 = 1.5707963267948966, x2 = 2.0: 12.0")


def test_diff_simplify_and_latex():
    out = run("diff", SEED, "--at", "x=2", "--simplify", "--latex", "--timeout", "10")
    assert out.returncode == 0, out.stderr
    assert "simplify (" in out.stdout and "LaTeX:" in out.stdout and "e^{" in out.stdout
    assert "value at x = 2.0: 9.23632012366331" in out.stdout


# ---------------------------------------------------------------- file.py:function
MODULE = textwrap.dedent("""\
    import numpy as np

    def f(x):
        return np.exp(x**2 - x) / x

    def g(x, y, scale=2.0):
        return scale * x * y

    def norm2(v):
        return np.sum(v * v)

    not_a_function = 3
    """)


def test_a_python_function_by_file_and_name(tmp_path):
    (tmp_path / "mymodule.py").write_text(MODULE)
    out = run("compare", "mymodule.py:f", "--at", "2", *FAST, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("derivative of mymodule.py:f at x = 2.0")
    assert "9.23632012366331" in out.stdout
    out = run("compare", tmp_path / "mymodule.py:g", "--at", "y=3", "x=1", "--format", "json", *FAST)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["variables"] == ["x", "y"] and data["rows"][1]["value"] == [6.0, 2.0]
    out = run("trace", "mymodule.py:norm2", "--at", "v=1,2,3", "--mode", "reverse", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert [line.split()[-1] for line in out.stdout.splitlines()[-4:-1]] == ["2", "4", "6"]


def test_python_function_errors(tmp_path, capsys):
    (tmp_path / "mymodule.py").write_text(MODULE)
    (tmp_path / "broken.py").write_text("def helper():\n    raise RuntimeError('boom')\nhelper()\n")
    err = fails(run("compare", "mymodule.py:h", "--at", "1", cwd=tmp_path))
    assert "mymodule.py has no 'h'" in err and "f, g, norm2" in err
    result = run("compare", "broken.py:f", "--at", "1", cwd=tmp_path)   # the user's traceback, exit 1
    assert result.returncode == 1 and result.stdout == ""
    assert "RuntimeError: boom" in result.stderr and "line 2, in helper" in result.stderr
    assert cli.main(["compare", f"{tmp_path / 'mymodule.py'}:not_a_function", "--at", "1"]) == 2
    assert "not a function" in capsys.readouterr().err
    assert cli.main(["compare", "mymodule:f", "--at", "1"]) == 2
    assert "path/to/file.py:function" in capsys.readouterr().err


# ---------------------------------------------------------------- report
def test_report_from_a_functions_file(tmp_path):
    pytest.importorskip("hybriddiff.report")
    (tmp_path / "functions.txt").write_text("# two functions\n\nseed: exp(x**2 - x)/x @ x=2\n"
                                            "x1*exp(x2) - x1 @ x1=1.5, x2=0.5\n")
    out = run("report", "functions.txt", "-o", "r.html", "--no-studies", cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["r.html", "r.md"]
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<table" in page and "seed" in page and (tmp_path / "r.md").exists()


def test_report_functions_file_errors_name_the_line(tmp_path, capsys):
    pytest.importorskip("hybriddiff.report")
    (tmp_path / "functions.txt").write_text("# ok\nsin(x) @ x=1\nbad: sine(x) @ x=1\n")
    err = fails(run("report", "functions.txt", cwd=tmp_path))
    assert "functions.txt, line 3: unknown function 'sine' (did you mean 'sin'?)" in err
    (tmp_path / "nopoint.txt").write_text("sin(x)\n")
    assert cli.main(["report", str(tmp_path / "nopoint.txt")]) == 2
    assert "line 1" in capsys.readouterr().err
    assert not (tmp_path / "report.html").exists()


# ---------------------------------------------------------------- help and the bare command
def test_bare_command_prints_help_with_examples_and_is_a_usage_error():
    out = run()
    assert out.returncode == 2 and out.stdout == ""
    assert "usage: hybriddiff" in out.stderr and "examples:" in out.stderr
    assert "hybriddiff compare" in out.stderr and "a COMMAND is needed" in out.stderr


def test_unknown_options_get_the_subcommands_usage():
    out = run("compare", "x", "--at", "x=1", "-x", "2")
    assert out.returncode == 2 and "usage: hybriddiff compare" in out.stderr
    assert "hybriddiff compare: error: unrecognized arguments: -x 2" in out.stderr
    out = run("trace", "x", "--at", "x=1", "--bogus")
    assert out.returncode == 2 and "usage: hybriddiff trace" in out.stderr


def test_output_format_follows_the_file_extension(tmp_path):
    for name, starts in (("t.md", "**derivative of sin(x)"), ("t.html", "<!DOCTYPE html>"), ("t.json", "{"),
                         ("t.txt", "derivative of sin(x)")):
        out = run("compare", "sin(x)", "--at", "x=1", "--methods", "forward", "-o", str(tmp_path / name))
        assert out.returncode == 0, out.stderr
        assert (tmp_path / name).read_text().startswith(starts), name
    out = run("compare", "sin(x)", "--at", "x=1", "--methods", "forward", "--format", "text",
              "-o", str(tmp_path / "forced.html"))
    assert (tmp_path / "forced.html").read_text().startswith("derivative of sin(x)")   # --format wins


def test_list_names_the_functions_and_the_methods():
    out = run("list")
    assert out.returncode == 0
    for word in ("sin", "arctan2", "ln=log", "pi", "**", "forward", "fd-central", "richardson"):
        assert word in out.stdout, word
    assert "list" in run("--help").stdout and "hybriddiff list" in run("compare", "--help").stdout


def test_caret_gets_a_hint_and_no_help_names_a_missing_file():
    out = run("compare", "x^2", "--at", "x=2")
    assert out.returncode == 2 and "x**2" in out.stderr
    for command in ("compare", "trace", "diff", "report", "list", "demo"):
        assert "SECURITY.md" not in run(command, "--help").stdout


def test_diff_simplify_does_not_print_the_same_graph_twice():
    out = run("diff", "x*y", "--at", "x=1", "y=2", "--simplify")
    assert out.returncode == 0 and out.stdout.count("def grad_f") == 1
    assert "already the simplest" in out.stdout


@pytest.mark.parametrize("command", ["compare", "trace", "diff", "report", "list", "demo"])
def test_every_help_has_examples(command, capsys):
    assert cli.main([command, "--help"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"usage: hybriddiff {command}") and "example" in text
    assert f"hybriddiff {command}" in text.split("example", 1)[1]



def test_report_from_a_functions_file_keeps_names_and_formulas(tmp_path):
    pytest.importorskip("matplotlib")
    functions = tmp_path / "f.txt"
    functions.write_text("baydin: ln(x1) + x1*x2 - sin(x2) @ x1=2, x2=5\ncube: x**3 @ x=2\n")
    out = run("report", str(functions), "-o", str(tmp_path / "r.html"), "--no-studies")
    assert out.returncode == 0, out.stderr
    text = (tmp_path / "r.html").read_text()
    assert "f(x1, x2) =" in text and "at x1 = 2.0, x2 = 5.0" in text and "ln(x1) + x1*x2 - sin(x2)" in text
    assert "<math" in text and (tmp_path / "r_files").is_dir()
