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
         "07_higher_derivatives.ipynb")
CELL_TIMEOUT = 120          # seconds per cell
NOTEBOOK_LIMIT = 120        # each runs in under a minute on a 2-core machine; slack for busy CI runners

# What each notebook must show in its outputs (the reference values of test_reference_values.py).
KEY_FIGURES = {
    "01_forward_mode.ipynb": [
        "3.694528049465325",            # the seed's example 1, f(2)
        "9.23632012366331",             # f'(2): the seed printed ...312, the exact 1.25 e^2 rounds to ...313
        "9.236320123663312", "9.236320123663313",
    ],
    "02_reverse_mode.ipynb": [
        "(5.5, 1.7163378145367738)",    # Baydin et al. 2018, Table 3: the adjoints at (2, 5)
        "5.5", "1.7163",
        "dc/da = 4.0",                  # fan-out: b = a + a, c = b + b
    ],
    "03_symbolic_and_hybrid.ipynb": [
        "exp(x**2 - x)/x",              # the seed's example 1 as one SymPy expression
        "9.236320123663313",            # its derivative graph, evaluated
        "- 256 x^{3} + 384 x^{2} - 160 x + 16",   # d l3/dx simplified (Baydin Table 1, multiplied out)
        "2096", "768",                  # SymPy's count_ops of diff(l_n) swells: 2, 21, 82, 264, 768, 2096
    ],
    "04_finite_differences.ipynb": [
        "708288/78125",                 # d l4/dx at 0.2, exactly
        "9.0660864",
        "one-sided",                    # sqrt at 1e-3: the five-point stencil falls back one-sided
        "no error bound",               # the ill-conditioned logistic map: the estimate says so
    ],
    "05_the_tradeoff.ipynb": [
        "9.2363201236633",              # the comparison's value column for the seed's example 1
    ],
    "06_memory.ipynb": [
        "6.024373448328667",            # d/dx of 6 logistic steps at 0.3: by hand (checkpointed) = plain
        "-2393670.408868209",           # 50 steps: checkpointed function and loop = plain reverse
        "37976",                        # recomputed steps, n = 10,000 and 20 snapshots (Griewank's optimum)
    ],
    "07_higher_derivatives.ipynb": [
        "10478301.305363959831",        # f^(10)(2) of the seed's example 1, mpmath at 50 digits
        "[3.6945280495, 9.2363201237, 31.4034884205, 119.1485295953]",   # Taylor mode, orders 0-3
        "left -2.0, right 2.0",         # x*|x| at 0: no second derivative
    ],
}

# A number quoted in prose with three or more decimals must also appear in some output.
NUMBER = re.compile(r"(?<![\w.])-?\d+\.\d{3,}(?:e[-+]?\d+)?")
TRY_IT = "Try it"


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


def _prose_numbers(nb) -> list[str]:
    prose = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    return NUMBER.findall(prose)


def _check_content(nb, name: str) -> None:
    text = _outputs_text(nb)
    missing = [figure for figure in KEY_FIGURES[name] if figure not in text]
    assert not missing, f"{name}: key figures missing from the outputs: {missing}"
    unprinted = [number for number in _prose_numbers(nb) if number not in text]
    assert not unprinted, (f"{name}: the prose quotes numbers that no cell prints (update the prose or "
                           f"the cells): {unprinted}")


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
