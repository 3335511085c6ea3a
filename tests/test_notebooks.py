"""The teaching notebooks in ``notebooks/``: they run top to bottom on a fresh kernel, they are
committed with their outputs, and the numbers their prose quotes are the numbers their cells print.

Each notebook is copied to a temporary folder and executed there with nbclient on a new ipykernel
(the kernel imports this checkout's hybriddiff through PYTHONPATH, installed or not).
"""
from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")
pytest.importorskip("pandas")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
ORDER = ("01_forward_mode.ipynb", "02_reverse_mode.ipynb", "03_symbolic_and_hybrid.ipynb",
         "04_finite_differences.ipynb", "05_the_tradeoff.ipynb", "06_memory.ipynb",
         "07_higher_derivatives.ipynb", "08_linear_maps.ipynb", "09_where_ad_breaks.ipynb")
CELL_TIMEOUT = 120          # seconds per cell
NOTEBOOK_LIMIT = 120        # each runs in under a minute on a 2-core machine; slack for busy CI runners

# What each notebook must show in its outputs (the reference values of test_reference_values.py).
KEY_FIGURES = {
    "01_forward_mode.ipynb": [
        "3.694528049465325",            # the seed's example 1, f(2)
        "9.23632012366331",             # f'(2): the seed printed ...312, the exact 1.25 e^2 rounds to ...313
        "9.236320123663312", "9.236320123663313",
        "error 7.6e-04",                # h = 1e-13: dividing by (x + h) - x instead of h
        "relative error 8.0e-04: 3.1 correct digits",   # x - sin x at 1e-7: exact rules, floating point
        "0.012345679012345678",         # the tutorial's __rtruediv__ rule on 1/x**2 at 3 (right: -2/27)
        "hand-made Var, nested: 2.0",   # perturbation confusion ...
        "hd.derivative nested:   1.0",  # ... and levels
    ],
    "02_reverse_mode.ipynb": [
        "(5.5, 1.7163378145367738)",    # Baydin et al. 2018, Table 3: the adjoints at (2, 5)
        "5.5", "1.7163",
        "dc/da = 4.0",                  # fan-out: b = a + a, c = b + b
        "9.236320123663313",            # the tape built by hand and hd.Variable agree
        "19 of 19 rows of Table 3 found",   # numbered as the survey numbers them
        "(1016 + 2 × 1777) / 1016 = 4.5",   # operations of a gradient on the hand-built tape
    ],
    "03_symbolic_and_hybrid.ipynb": [
        "exp(x**2 - x)/x",              # the seed's example 1 as one SymPy expression
        "9.236320123663313",            # its derivative graph, evaluated
        "- 256 x^{3} + 384 x^{2} - 160 x + 16",   # d l3/dx simplified (Baydin Table 1, multiplied out)
        "2096", "768",                  # SymPy's count_ops of diff(l_n) swells: 2, 21, 82, 264, 768, 2096
        "= 1 ulp",                      # the methods agree to within one unit in the last place
        "[7, 7, 7, 7, 7]",              # the hybrid graph grows by 7 operations per step
        "status 'timeout'",             # symbolic differentiation of l_12 runs out of time
    ],
    "04_finite_differences.ipynb": [
        "708288/78125",                 # d l4/dx at 0.2, exactly
        "9.0660864",
        "one-sided",                    # sqrt at 1e-3: the five-point stencil falls back one-sided
        "no error bound",               # the ill-conditioned logistic map: the estimate says so
        "2296x", "34x",                 # error at the automatic step over the best error
        "2.5e-11", "8.0e-08",           # forward AD on the logistic map at n = 20 and 30
        "0.32 digits per step",
    ],
    "05_the_tradeoff.ipynb": [
        "9.2363201236633",              # the comparison's value column for the seed's example 1
        "forward: 3.1 correct digits, accurate",        # x - sin x at 1e-7
        "complex-step: 2.2 correct digits, accurate",
        "9.236320123663312784038034325718759766475",    # mpmath.diff of f's own values
        "no reference: the rules give 0.30116867893975679 but mpmath.diff of f's own values 1.3817732906760362",
    ],
    "06_memory.ipynb": [
        "6.024373448328667",            # d/dx of 6 logistic steps at 0.3: by hand (checkpointed) = plain
        "-2393670.408868209",           # 50 steps: checkpointed function and loop = plain reverse
        "37976",                        # recomputed steps, n = 10,000 and 20 snapshots (Griewank's optimum)
        "932820", "(8 steps recomputed)", "1.0587821146282508e-44",
    ],
    "07_higher_derivatives.ipynb": [
        "10478301.305363959831",        # f^(10)(2) of the seed's example 1, mpmath at 50 digits
        "[3.6945280495, 9.2363201237, 31.4034884205, 119.1485295953]",   # Taylor mode, orders 0-3
        "left -2.0, right 2.0",         # x*|x| at 0: no second derivative
        "   forward: 15.7 digits, accurate",            # order 20
        "agreeing with mpmath.diff of f's own values",  # the reference, cross-checked
    ],
    "08_linear_maps.ipynb": [
        "40300", "30400",               # operations: Jacobian by columns against rows
        "ops(gradient) / ops(f) = 2.83, 2.87, 2.87, 2.87",   # the cheap-gradient principle
        "one HVP = 2.43 gradients",     # forward over reverse
        "relative difference 0.37",     # the directional check catches the planted fan-out bug
    ],
    "09_where_ad_breaks.ipynb": [
        "forward rel. error 8.0e-8 (7.1 digits)",          # logistic map, n = 30
        "attainable relative error in float64 here: 2.1e-2",   # x - sin x at 1e-7
        "0.35355339061171626",          # Newton's derivative after the value has converged
        "derivative rel. error 5.2e-11 (10.3 digits)",
        "returned nan where the derivative is 1.0",
        "a branch on a tie: `v0 > 0` was False here",
    ],
}

# A figure quoted in prose: a number with a decimal point or an exponent (3.1, 2.5e-11, 9.2363), or
# any number given as a ratio or a share (34x, 34×, 89%). Each must appear, as a whole token, in
# some cell's output (what the notebook measured) or in some code cell (an input such as x = 2.0).
FIGURE = re.compile(r"(?<![\w.])-?(\d+(?:\.\d+)?(?:e[-+]?\d+)?)(?:\s?([x×%])(?!\w))?")
# ... except a place in a cited work: Section 3.1, §5.7, Table 3, Chapter 14, Eq. 2.4
CITED = re.compile(r"(?:Sections?|§|Tables?|Chapters?|Eqs?\.|Equations?|Figures?|Fig\.|pp?\.)\s*$", re.IGNORECASE)
TRY_IT = "Try it"
ANSWER = re.compile(r"<details>\s*<summary>[^<]*Answer", re.IGNORECASE)


def _read(name: str):
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def _outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if "text" in out:
                parts.append(out["text"])
            for key in ("text/plain", "text/html", "text/latex", "text/markdown"):
                if key in out.get("data", {}):
                    parts.append(out["data"][key])
    return "\n".join(parts)


def _prose_figures(nb) -> list[str]:
    """The figures the prose quotes (``FIGURE``); plain whole numbers (orders, counts of steps,
    section numbers) are not figures unless given as a ratio or a share."""
    figures = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for match in FIGURE.finditer(cell.source):
                number, unit = match.groups()
                if (unit or "." in number or "e" in number) and not CITED.search(cell.source[:match.start()]):
                    figures.append(number)
    return figures


def _printed(number: str, text: str) -> bool:
    """``number`` occurs in ``text`` as a whole token: 3.1 is not found in 3.14, 34 is in 34.2x."""
    return re.search(r"(?<![\d.])" + re.escape(number) + r"(?![\d])", text) is not None


def _check_content(nb, name: str) -> None:
    text = _outputs_text(nb)
    missing = [figure for figure in KEY_FIGURES[name] if figure not in text]
    assert not missing, f"{name}: key figures missing from the outputs: {missing}"
    code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    unprinted = [number for number in _prose_figures(nb) if not _printed(number, text + "\n" + code)]
    assert not unprinted, (f"{name}: the prose quotes figures that no cell prints nor takes as input "
                           f"(update the prose or the cells): {unprinted}")


def _try_it_answers(nb) -> list[int]:
    """Indices of "Try it" cells with no collapsed answer (``<details><summary>Answer``) in the same
    cell or in a markdown cell after it, before the next "Try it"."""
    cells = nb.cells
    marked = [i for i, cell in enumerate(cells) if cell.cell_type == "markdown" and TRY_IT in cell.source]
    unanswered = []
    for k, i in enumerate(marked):
        end = marked[k + 1] if k + 1 < len(marked) else len(cells)
        if not any(cells[j].cell_type == "markdown" and ANSWER.search(cells[j].source) for j in range(i, end)):
            unanswered.append(i)
    return unanswered


def test_the_notebooks_exist_and_the_readme_lists_them_in_order():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(ORDER)
    readme = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    positions = [readme.find(name) for name in ORDER]
    assert -1 not in positions, f"notebooks/README.md does not mention {ORDER[positions.index(-1)]}"
    assert positions == sorted(positions)
    assert 'pip install -e ".[notebooks]"' in readme and "jupyter lab notebooks/" in readme


@pytest.mark.parametrize("name", ORDER)
def test_committed_with_outputs_from_one_clean_run(name):
    """Browsing the repository shows tables and figures: every code cell was run, in order, once."""
    nb = _read(name)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code, name
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1)), (
        f"{name}: execute it top to bottom on a fresh kernel before committing")
    for cell in code:
        for out in cell.outputs:
            assert out.output_type != "error", f"{name}: a committed cell failed: {out.get('evalue')}"
            assert not (out.output_type == "stream" and out.name == "stderr"), (
                f"{name}: a committed cell wrote to stderr: {out.text[:200]!r}")
    kinds = {key for cell in code for out in cell.outputs for key in out.get("data", {})}
    assert "text/html" in kinds or "image/png" in kinds or "image/svg+xml" in kinds, name
    assert any(TRY_IT in cell.source for cell in nb.cells if cell.cell_type == "markdown"), (
        f"{name}: no cell marked 'Try it'")
    unanswered = _try_it_answers(nb)
    assert not unanswered, (f"{name}: 'Try it' cells {unanswered} have no expected answer (a markdown "
                            f"<details><summary>Answer</summary>...</details> after them)")
    _check_content(nb, name)


@pytest.mark.parametrize("name", ORDER)
def test_runs_top_to_bottom_on_a_fresh_kernel(name, tmp_path, monkeypatch):
    paths = [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))     # the kernel imports this checkout
    copy = tmp_path / name
    shutil.copy(NOTEBOOKS / name, copy)
    nb = nbformat.read(copy, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    started = time.perf_counter()
    client.execute()            # raises CellExecutionError, naming the cell, on any error
    elapsed = time.perf_counter() - started
    assert elapsed < NOTEBOOK_LIMIT, f"{name} took {elapsed:.0f} s"
    _check_content(nb, name)
