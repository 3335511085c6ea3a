"""The command line, the README's commands and the package metadata."""
import pathlib
import re
import subprocess
import sys

import hybriddiff as hd

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_demo_command_prints_both_modes():
    out = subprocess.run([sys.executable, "-m", "hybriddiff", "demo"], capture_output=True, text=True,
                         check=True)
    assert "3.694528049465325" in out.stdout and "9.23632012366331" in out.stdout
    assert "forward" in out.stdout and "reverse" in out.stdout
    bare = subprocess.run([sys.executable, "-m", "hybriddiff"], capture_output=True, text=True)
    assert bare.returncode == 2 and "usage: hybriddiff" in bare.stderr and "examples:" in bare.stderr


def test_readme_has_exactly_two_quickstart_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    quickstart = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.+?)\n```", quickstart)
    assert len(commands) == 2
    ci = subprocess.run(["awk", '/<!-- test-command/ {found=1; next} found && /^pip / {print; exit}',
                         str(ROOT / "README.md")], capture_output=True, text=True, check=True)
    assert ci.stdout.strip() == commands[1]
    assert "pytest" in commands[1] and "[test]" in commands[1]


def test_package_is_typed_and_versioned():
    assert (ROOT / "hybriddiff" / "py.typed").exists()
    assert hd.__version__
    assert set(hd.METHODS) >= {"forward", "reverse"}


def test_import_is_lazy_about_sympy():
    code = "import sys, hybriddiff; print('sympy' in sys.modules, 'mpmath' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
