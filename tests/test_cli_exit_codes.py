"""The ``hybriddiff`` command's exit statuses tell the truth (``cli/exitcodes.py``).

3: ``compare`` has no derivative to trust (no reference, a reference that is not a number, or every
row failed, timed out, or found f undefined or no derivative); 4: ``compare --check`` (or
``--min-digits D``) found a row that is not trusted or has fewer than D correct digits. The
judgements are tested on rows built here (the statuses of ``comparison/statuses.py``), then wired
through the command by replacing the comparison's statuses, then end to end where the outcome does
not depend on how rows are judged.
"""
from __future__ import annotations

import json
import math
import textwrap
from types import SimpleNamespace

import numpy as np
import pytest

from hybriddiff.cli import commands as cli, exitcodes
from hybriddiff.cli.help import EXIT_CODES
from hybriddiff.comparison import statuses
from hybriddiff.comparison.statuses import (ACCURATE, CONVENTION, EXACT, FAILED, INACCURATE, INFINITE,
                                            NO_DERIVATIVE, TIMEOUT, TRUSTED, UNDEFINED)

from test_cli import ROOT, run

FAST = ["--methods", "forward,reverse", "--budget", "0.001"]


def row(status, method="forward", digits=None):
    return SimpleNamespace(method=method, status=status, digits=digits)


def comparison(reference, *rows):
    return SimpleNamespace(reference=reference, reference_note="how it was obtained", rows=list(rows))


# ---------------------------------------------------------------- the codes
def test_the_codes_are_distinct_and_keep_the_old_ones():
    codes = [exitcodes.OK, exitcodes.FAILURE, exitcodes.USAGE, exitcodes.NO_DERIVATIVE,
             exitcodes.CHECK_FAILED, exitcodes.INTERRUPTED]
    assert codes == [0, 1, 2, 3, 4, 130]
    # every status is either no answer or a number: trusted, inaccurate, or unchecked (no reference)
    assert exitcodes.NO_ANSWER <= set(statuses.STATUSES) and not exitcodes.NO_ANSWER & TRUSTED
    assert set(statuses.STATUSES) - exitcodes.NO_ANSWER - TRUSTED == {INACCURATE, statuses.UNCHECKED}


# ---------------------------------------------------------------- 3: no derivative to trust
@pytest.mark.parametrize("result, why", [
    (comparison(2.0, row(FAILED), row(TIMEOUT, "symbolic")), "every method failed or timed out"),
    (comparison(2.0, row(FAILED), row(FAILED, "reverse")), "every method failed or timed out"),
    (comparison(np.nan, row(INACCURATE), row(UNDEFINED, "reverse")), "reference is not a number"),
    (comparison(None, row(UNDEFINED), row(UNDEFINED, "reverse")), "f is not a real number"),
    (comparison(None, row(FAILED, "fd-central"), row(UNDEFINED)), "(statuses: f undefined, failed)"),
    (comparison(0.0, row(NO_DERIVATIVE), row(TIMEOUT, "reverse")), "no method gave a derivative"),
    (comparison(None, row(statuses.UNCHECKED), row(FAILED, "reverse")), "no reference to judge the methods by"),
    (comparison(np.array([1.0, np.nan], dtype=object), row(ACCURATE)), "not a number"),
    (comparison(complex(1, 1), row(ACCURATE)), "not a number"),
])
def test_no_derivative_to_trust(result, why):
    assert why in exitcodes.no_derivative(result)


@pytest.mark.parametrize("result", [
    comparison(2.0, row(EXACT), row(FAILED, "reverse")),                        # one answer is enough
    comparison(2.0, row(INACCURATE)),                                          # a number: --check's concern
    comparison(float("inf"), row(INFINITE), row(NO_DERIVATIVE, "fd-central")),  # a vertical tangent
    comparison(float("-inf"), row(INFINITE)),
    comparison(0.0, row(CONVENTION), row(NO_DERIVATIVE, "fd-forward")),       # a kink: the convention
    comparison(np.array([1.0, math.inf], dtype=object), row(INFINITE)),
])
def test_legitimate_results_are_not_code_3(result):
    assert exitcodes.no_derivative(result) == ""


# ---------------------------------------------------------------- 4: the check
def test_check_accepts_exactly_the_trusted_statuses():
    rows = [row(s, f"m{k}") for k, s in enumerate(statuses.STATUSES)]
    failed = exitcodes.check_failures(rows)
    assert [line.split(": ")[1] for line in failed] == [s for s in statuses.STATUSES if s not in TRUSTED]


def test_min_digits_fails_rows_with_fewer_measured_digits_whatever_their_status():
    rows = [row(EXACT, "forward", 17.0), row(ACCURATE, "fd-central", 10.4), row(INFINITE, "reverse"),
            row(CONVENTION, "hybrid", 17.0)]
    assert exitcodes.check_failures(rows) == []
    assert exitcodes.check_failures(rows, min_digits=10) == []
    assert exitcodes.check_failures(rows, min_digits=12) == [
        "fd-central: 10.4 correct digits, fewer than --min-digits 12"]
    assert exitcodes.check_failures([row(INACCURATE, "fd-forward", 7.2)], min_digits=5) == [
        "fd-forward: inaccurate (7.2 correct digits)"]


# ---------------------------------------------------------------- through the command
@pytest.fixture
def judged(monkeypatch):
    """Run ``compare`` for real, then give its rows the statuses (and digits) a test names."""
    real = cli.compare
    verdicts = {}

    def compare(*args, **kwargs):
        result = real(*args, **kwargs)
        for r in result.rows:
            r.status, digits = verdicts["rows"].get(r.method, (r.status, r.digits))
            r.digits = digits
        if "reference" in verdicts:
            result.reference = verdicts["reference"]
        return result

    monkeypatch.setattr(cli, "compare", compare)

    def main(argv, rows, capsys, **extra):
        verdicts.clear()
        verdicts.update(rows=rows, **extra)
        code = cli.main([str(a) for a in argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return main


def test_command_exits_3_when_every_method_failed_and_still_writes_the_table(judged, capsys):
    code, out, err = judged(["compare", "sin(x)", "--at", "x=1", *FAST],
                            {"forward": (FAILED, None), "reverse": (TIMEOUT, None)}, capsys)
    assert code == exitcodes.NO_DERIVATIVE == 3
    assert out.startswith("derivative of sin(x)") and "forward" in out
    assert err == "hybriddiff compare: no derivative: every method failed or timed out\n"


def test_command_exits_3_when_f_is_undefined_even_with_check(judged, capsys):
    rows = {"forward": (UNDEFINED, None), "reverse": (UNDEFINED, None)}
    code, out, err = judged(["compare", "sin(x)", "--at", "x=1", *FAST, "--check"], rows, capsys)
    assert code == 3 and "f is not a real number" in err and "check" not in err


def test_command_exits_0_with_an_answer_and_without_check(judged, capsys):
    argv = ["compare", "sin(x)", "--at", "x=1", *FAST]
    assert judged(argv, {"forward": (FAILED, None), "reverse": (INACCURATE, 3.0)}, capsys)[0] == 0
    assert judged(argv, {"forward": (FAILED, None), "reverse": (ACCURATE, 15.9)}, capsys)[:3:2] == (0, "")


def test_command_check(judged, capsys):
    argv = ["compare", "sin(x)", "--at", "x=1", *FAST, "--format", "json"]
    good = {"forward": (EXACT, 17.0), "reverse": (ACCURATE, 15.9)}
    code, out, err = judged([*argv, "--check"], good, capsys)
    assert (code, err) == (0, "") and [r["status"] for r in json.loads(out)["rows"]] == [EXACT, ACCURATE]
    code, out, err = judged([*argv, "--check"], {**good, "reverse": (INACCURATE, 9.0)}, capsys)
    assert code == exitcodes.CHECK_FAILED == 4 and json.loads(out)["rows"]
    assert err == "hybriddiff compare: check failed: reverse: inaccurate (9.0 correct digits)\n"
    code, out, err = judged([*argv, "--check"], {**good, "reverse": (FAILED, None)}, capsys)
    assert code == 4 and "reverse: failed" in err
    # --min-digits implies --check
    assert judged([*argv, "--min-digits", "15"], good, capsys)[0] == 0
    code, out, err = judged([*argv, "--min-digits", "16"], good, capsys)
    assert code == 4 and "reverse: 15.9 correct digits, fewer than --min-digits 16" in err
    assert "forward" not in err


def test_command_check_accepts_an_infinite_derivative_and_a_convention(judged, capsys):
    argv = ["compare", "sin(x)", "--at", "x=1", *FAST, "--check", "--min-digits", "15"]
    infinite = {"forward": (INFINITE, None), "reverse": (INFINITE, None)}
    assert judged(argv, infinite, capsys, reference=float("inf"))[0] == 0
    kink = {"forward": (CONVENTION, 17.0), "reverse": (CONVENTION, 17.0)}
    assert judged(argv, kink, capsys)[0] == 0


def test_command_exits_3_without_a_reference(judged, capsys):
    good = {"forward": (EXACT, 17.0), "reverse": (ACCURATE, 15.9)}
    code, out, err = judged(["compare", "sin(x)", "--at", "x=1", *FAST], good, capsys, reference=None)
    assert code == 3 and "no reference to judge the methods by" in err


@pytest.mark.parametrize("bad", ["-1", "17.5", "nan", "many"])
def test_min_digits_out_of_range_is_a_usage_error(bad, capsys):
    code = cli.main(["compare", "sin(x)", "--at", "x=1", "--methods", "forward", "--min-digits", bad])
    assert code == exitcodes.USAGE
    assert "--min-digits" in capsys.readouterr().err


# ---------------------------------------------------------------- end to end
def test_a_function_that_always_raises_exits_3(tmp_path):
    (tmp_path / "broken.py").write_text(textwrap.dedent("""\
        def f(x):
            raise ValueError("no luck")
    """))
    out = run("compare", f"{tmp_path / 'broken.py'}:f", "--at", "2", *FAST)
    assert out.returncode == 3, out.stderr
    assert "derivative of" in out.stdout and "no derivative: every method failed" in out.stderr


def test_outside_the_domain_exits_3():
    out = run("compare", "log(x)", "--at", "x=-1", *FAST, "--format", "json")
    assert out.returncode == 3, out.stderr
    assert json.loads(out.stdout)["rows"] and "no derivative: f is not a real number" in out.stderr


@pytest.mark.parametrize("expression, at", [("sqrt(x)", "x=0"), ("abs(x)", "x=0")])
def test_a_vertical_tangent_and_a_kink_exit_0(expression, at):
    out = run("compare", expression, "--at", at, *FAST)
    assert out.returncode == 0 and out.stderr == "", out.stderr


def test_check_with_min_digits_fails_a_forward_difference():
    out = run("compare", "exp(x**2 - x)/x", "--at", "x=2", "--methods", "fd-forward", "--budget", "0.001",
              "--min-digits", "12")
    assert out.returncode == 4 and "check failed: fd-forward" in out.stderr
    assert "fd-forward" in out.stdout


def test_check_passes_for_forward_and_reverse_mode():
    out = run("compare", "exp(x**2 - x)/x", "--at", "x=2", *FAST, "--check", "--min-digits", "15")
    assert out.returncode == 0 and out.stderr == "", (out.stdout, out.stderr)


# ---------------------------------------------------------------- documented
def test_the_codes_are_documented_in_help_and_readme(capsys):
    assert cli.main(["--help"]) == 0
    main_help = capsys.readouterr().out
    assert cli.main(["compare", "--help"]) == 0
    compare_help = capsys.readouterr().out
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert EXIT_CODES in main_help and EXIT_CODES in compare_help
    for code in (0, 1, 2, 3, 4):
        assert f"\n  {code}  " in EXIT_CODES
        assert f"{code} (" in readme.split("## The command line", 1)[1].split("\n## ", 1)[0]
    assert "--check" in compare_help and "--min-digits" in compare_help


def test_compare_help_explains_every_column_and_status(capsys):
    from hybriddiff.comparison.columns import COLUMNS
    assert cli.main(["compare", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())    # argparse and textwrap fold lines
    for column in COLUMNS:
        assert column.header in text
        if column.explain:
            assert f"{column.header}: {' '.join(column.explain.split())}" in text
    for word, meaning in statuses.STATUSES.items():
        assert f"{word}: {' '.join(meaning.split())}" in text
