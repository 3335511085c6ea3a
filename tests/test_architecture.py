"""The house's rules, checked: the rooms' layers and no import cycles (import-linter, configured in
pyproject.toml), a deliberate upward import is caught, and a new primitive or finite-difference
scheme is one record in one file (shown on a copy of the package)."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import hybriddiff as hd

ROOT = Path(__file__).resolve().parent.parent


def _lint(root: Path) -> subprocess.CompletedProcess:
    """import-linter over the package found at ``root`` (a subprocess: no cache, the copy first)."""
    code = ("import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))")
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True,
                          timeout=120)


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "copy"
    shutil.copytree(ROOT / "hybriddiff", root / "hybriddiff",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def _insert(path: Path, before: str, text: str) -> None:
    source = path.read_text()
    assert before in source, f"{before!r} not in {path}"
    path.write_text(source.replace(before, text + before, 1))


def test_import_contracts_hold():
    out = _lint(ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "3 kept, 0 broken" in out.stdout


@pytest.mark.parametrize("module, before, line, message", [
    (("core", "dispatch.py"), "from ..errors import LevelMixError", "from ..comparison import compare",
     "hybriddiff.core is not allowed to import hybriddiff.comparison"),
    (("graph", "evaluate.py"), "from .arguments import", "from .facade import Graph",
     "hybriddiff.graph.evaluate is not allowed to import hybriddiff.graph.facade"),
], ids=["a room importing up", "an interpreter importing the facade"])
def test_an_upward_import_breaks_the_contracts(tmp_path, module, before, line, message):
    root = _copy(tmp_path)
    _insert(root.joinpath("hybriddiff", *module), before, line + "  # deliberately upwards\n")
    out = _lint(root)
    assert out.returncode != 0 and message in out.stdout, out.stdout


COT = '''
cot = _unary("cot", lambda x: 1 / np.tan(x), "cot", lambda x, out: -(1 + out * out), "cot",
             r"\\cot{{\\left({0}\\right)}}", domain=(0.3, 1.2), scalar=lambda x: 1 / math.tan(x),
             scalar_source="(1 / math.tan({0}))", source="(1 / np.tan({0}))")
'''
SEVEN_POINT = '''    _stencil_scheme("seven-point", "fd-seven-point", lambda k: Stencil.on(range(-3, 4), k), max_order=6,
                    summary="offsets -3..3: error ~ h^6 for first derivatives"),
'''


def test_a_new_primitive_is_one_record(tmp_path):
    """cot added as one record in core/primitives.py: every mode, the parser, SymPy, codegen and the
    generated tests pick it up (the table's tests run on the copy)."""
    root = _copy(tmp_path)
    _insert(root / "hybriddiff" / "core" / "primitives.py", "\n# ----------------------------------------"
            "------------------------ hyperbolic", COT)
    check = ("import math, hybriddiff as hd; f = hd.parse_expression('cot(x)**2').as_function(); "
             "d = -2 * (1 + 1 / math.tan(0.7) ** 2) / math.tan(0.7); "
             "vals = [hd.derivative(f, 0.7, method=m) for m in hd.METHODS]; "
             "assert all(abs(v - d) < 1e-6 * abs(d) for v in vals), vals; "
             "g = hd.trace(hd.cot, 0.7).grad(); assert 'cot' in str(g.to_sympy(nested=True)); "
             "assert abs(g.compile()(0.7) - hd.derivative(hd.cot, 0.7)) < 1e-15; print('ok')")
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = subprocess.run([sys.executable, "-c", check], cwd=root, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stdout + out.stderr
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "cot",
                            str(ROOT / "tests" / "test_primitive_table.py"), str(ROOT / "tests" / "test_records.py")],
                           cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert tests.returncode == 0 and " passed" in tests.stdout, tests.stdout[-3000:] + tests.stderr[-2000:]


def test_a_new_finite_difference_scheme_is_one_record(tmp_path):
    """A seven-point stencil added as one record in finite/schemes.py: hd.finite_difference,
    hd.derivative, hd.METHODS, the comparison and the step study all take it."""
    root = _copy(tmp_path)
    _insert(root / "hybriddiff" / "finite" / "schemes.py", '    Scheme("complex-step"', SEVEN_POINT)
    check = ("import math, hybriddiff as hd; assert 'fd-seven-point' in hd.METHODS; "
             "r = hd.finite_difference(hd.exp, 0.5, scheme='seven-point', full_output=True); "
             "assert abs(r.value - math.exp(0.5)) < 1e-12 and r.evaluations == 6, r; "
             "assert abs(hd.derivative(hd.exp, 0.5, method='fd-seven-point') - math.exp(0.5)) < 1e-12; "
             "c = hd.compare(hd.exp, 0.5, methods=['fd-seven-point'], budget=0.01); "
             "assert c.row('fd-seven-point').digits > 12, c; "
             "s = hd.step_study(hd.exp, 0.5, schemes=['seven-point'], hs=[1e-3, 1e-2]); "
             "assert s.curves['seven-point'].best_error < 1e-11; print('ok')")
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = subprocess.run([sys.executable, "-c", check], cwd=root, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stdout + out.stderr


def test_the_public_api_is_what_dir_shows():
    public = set(dir(hd))
    assert public == set(hd.__all__)
    rooms = {"core", "ad", "graph", "finite", "methods", "comparison", "studies", "display", "cli",
             "errors", "parse", "tables"}
    assert not public & rooms
    assert {"primitives", "families"} <= public       # the two modules that are public API
    assert all(hasattr(hd, name) for name in hd.__all__)


def test_help_of_the_boxes_reads_like_documentation():
    import pydoc
    for box in (hd.Dual, hd.Variable):
        text = pydoc.render_doc(box, renderer=pydoc.plaintext)
        assert len(text.splitlines()) < 400, len(text.splitlines())
        assert "made = _new(" not in text and "def _" not in text   # no generated fast-path source
