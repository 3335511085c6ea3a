"""The mutation check: plant each curated bug of ``mutants.py`` in a temporary copy of the repository,
run the tests that should catch it, and report which bugs the suite killed.

    python tests/mutation/run.py                 # every planted bug, one at a time
    python tests/mutation/run.py --list          # the list, without running anything
    python tests/mutation/run.py --check         # every snippet still occurs once? (no tests run)
    python tests/mutation/run.py --only ID ...   # some of them (an id, or the start of ids: "fd-")
    python tests/mutation/run.py --only ID --tests tests/test_x.py   # try another selection

What it does:

1. copies the repository (``git ls-files`` plus untracked files git does not ignore; without git, the
   tree minus .git, virtual environments and caches) to a temporary directory, and checks that a
   Python started there with ``PYTHONPATH`` at the copy imports the copy's ``hybriddiff``, not an
   installed or editable one, and that a deliberately broken copy makes a test fail;
2. for each entry: checks that every snippet to replace occurs exactly once (else the entry is
   *stale*: the code moved on, update the entry); runs the entry's tests on the unmutated copy (they
   must pass, else the entry is *broken*: its selection no longer runs or passes); plants the bug;
   runs the tests again with ``python -m pytest -x -q`` under a wall-clock limit (a hang counts as
   killed, shown as *timeout*); restores the file;
3. prints one line per entry (id, file, bug, result, seconds) and the kill rate.

Exit status: 0 when every bug was killed, 1 when some bug survived, 2 when an entry is stale or
broken (the list needs mending before its numbers mean anything).
"""
from __future__ import annotations

import argparse
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from mutants import MUTANTS, Mutant, area_of  # noqa: E402

ROOT = HERE.parent.parent
PYTEST = ["-m", "pytest", "-x", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", "--no-header",
          "-o", "console_output_style=classic"]
IGNORED = shutil.ignore_patterns(".git", ".venv", "venv", "__pycache__", ".hypothesis", ".pytest_cache",
                                 "*.egg-info", "build", "dist", ".ipynb_checkpoints", "*.pyc")
SANITY_MARK = "hybriddiff mutation check: the mutated copy was imported"
SANITY_TEST = "tests/test_reference_values.py"


# ------------------------------------------------------------------ the copy
def copy_repository(dest: Path) -> None:
    """The working tree as git sees it (tracked and untracked, not ignored) into ``dest``."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                cwd=ROOT, capture_output=True, check=True).stdout.decode()
        files = [f for f in listed.split("\0") if f]
    except (OSError, subprocess.CalledProcessError):
        files = None
    if not files:
        shutil.copytree(ROOT, dest, ignore=IGNORED, dirs_exist_ok=True)
        return
    for rel in files:
        src = ROOT / rel
        if not src.is_file():        # deleted in the working tree, or a submodule
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)


def environment(copy: Path) -> dict[str, str]:
    env = dict(os.environ)
    # The copy first: an editable install of the repository (a finder appended to sys.meta_path)
    # comes after PYTHONPATH, and ``sanity`` checks that the copy is what gets imported.
    env["PYTHONPATH"] = os.pathsep.join([str(copy)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    # No bytecode: a mutant of the same size written in the same second as the original would
    # otherwise reuse the original's cached .pyc (its validity check is mtime and size).
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["MPLBACKEND"] = "Agg"
    env.pop("HYBRIDDIFF_SLOW", None)   # the CI profile: derandomized, the same examples every run
    env.pop("PYTEST_ADDOPTS", None)
    return env


# ------------------------------------------------------------------ running pytest
@dataclass
class Outcome:
    code: int | None          # None: stopped at the time limit
    seconds: float
    output: str

    def first_failure(self) -> str:
        lines = self.output.splitlines()
        for line in lines:
            if line.startswith(("FAILED ", "ERROR ", "ERROR: ")):
                return line[:160]
        for line in lines:
            if line.startswith("E "):
                return line[:160]
        shown = [line for line in lines if line.strip()]
        return (shown[-1] if shown else "")[:160]


RUNNING: set[subprocess.Popen] = set()   # stopped if the check itself is interrupted
INTERRUPTED = threading.Event()
STARTING = threading.Lock()              # a run starts, or the interruption stops them all: not both


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)   # pytest and whatever it started (time-box workers)
    except ProcessLookupError:
        pass


def pytest(copy: Path, tests: list[str], timeout: float) -> Outcome:
    start = time.perf_counter()
    with STARTING:
        if INTERRUPTED.is_set():
            return Outcome(None, 0.0, "interrupted")
        proc = subprocess.Popen([sys.executable, *PYTEST, "--rootdir", str(copy), *tests], cwd=copy,
                                env=environment(copy), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, start_new_session=True)
        RUNNING.add(proc)
    try:
        out, _ = proc.communicate(timeout=timeout)
        return Outcome(proc.returncode, time.perf_counter() - start, out)
    except subprocess.TimeoutExpired:
        stop(proc)
        out, _ = proc.communicate()
        return Outcome(None, time.perf_counter() - start, out or "")
    finally:
        RUNNING.discard(proc)


# ------------------------------------------------------------------ planting
class Stale(Exception):
    pass


def edits_of(m: Mutant) -> list[tuple[str, str, str]]:
    return [(m.file, m.old, m.new), *m.also]


def planted(copy: Path, m: Mutant) -> dict[Path, tuple[str, str]]:
    """{path: (original text, mutated text)} for every file the entry edits; Stale if a snippet does
    not occur exactly once."""
    texts: dict[Path, tuple[str, str]] = {}
    for rel, old, new in edits_of(m):
        path = copy / rel
        if not path.is_file():
            raise Stale(f"{rel} does not exist")
        original, text = texts.get(path, (None, None))
        if original is None:
            original = text = path.read_text()
        n = text.count(old)
        if n != 1:
            first = old.strip().splitlines()[0] if old.strip() else repr(old)
            raise Stale(f"the snippet occurs {n} times in {rel} (expected once): {first[:90]!r}")
        if old == new:
            raise Stale("the replacement equals the snippet")
        texts[path] = (original, text.replace(old, new))
    return texts


@dataclass
class Result:
    mutant: Mutant
    status: str = ""        # killed, survived, timeout, stale, broken
    seconds: float = 0.0
    detail: str = ""


@dataclass
class Baselines:
    """The selections' runs on the unmutated copy, once per selection (shared by the workers)."""
    timeout: float
    done: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    keys: dict = field(default_factory=dict)

    def get(self, copy: Path, tests: tuple[str, ...]) -> Outcome:
        with self.lock:
            key_lock = self.keys.setdefault(tests, threading.Lock())
        with key_lock:
            if tests not in self.done:
                self.done[tests] = pytest(copy, list(tests), self.timeout)
            return self.done[tests]


def run_one(copy: Path, m: Mutant, tests: list[str], baselines: Baselines | None, limit: float | None) -> Result:
    result = Result(m)
    try:
        texts = planted(copy, m)
    except Stale as exc:
        result.status, result.detail = "stale", str(exc)
        return result
    timeout = limit or 120.0
    if baselines is not None:
        base = baselines.get(copy, tuple(tests))
        if base.code != 0:
            result.status = "broken"
            result.detail = ("baseline timed out" if base.code is None else
                             f"the tests fail without the bug (exit {base.code}): {base.first_failure()}")
            return result
        timeout = limit or max(60.0, 4 * base.seconds)
    try:
        for path, (_, mutated) in texts.items():
            path.write_text(mutated)
        outcome = pytest(copy, tests, timeout)
    finally:
        for path, (original, _) in texts.items():
            path.write_text(original)
    for path, (original, _) in texts.items():
        if path.read_text() != original:   # pragma: no cover - the filesystem let us down
            raise RuntimeError(f"{path} was not restored")
    result.seconds = outcome.seconds
    if outcome.code is None:
        result.status, result.detail = "timeout", f"no answer within {timeout:.0f} s: killed by the time limit"
    elif outcome.code == 0:
        result.status, result.detail = "survived", "the selected tests pass with the bug planted"
    else:
        result.status, result.detail = "killed", outcome.first_failure()
    return result


# ------------------------------------------------------------------ sanity
def sanity(copy: Path) -> None:
    """The copy, not the repository, is what the tests import, and a broken copy fails a test."""
    probe = subprocess.run([sys.executable, "-c", "import hybriddiff; print(hybriddiff.__file__)"],
                           cwd=copy, env=environment(copy), capture_output=True, text=True)
    where = Path(probe.stdout.strip() or "?").resolve()
    if probe.returncode != 0 or copy.resolve() not in where.parents:
        sys.exit(f"mutation check: the copy's hybriddiff is not the one imported ({where}; "
                 f"{probe.stderr.strip()[-300:]}): the results would mean nothing")
    init = copy / "hybriddiff" / "__init__.py"
    original = init.read_text()
    try:
        init.write_text(original + f"\nraise RuntimeError({SANITY_MARK!r})\n")
        outcome = pytest(copy, [SANITY_TEST], 120.0)
    finally:
        init.write_text(original)
    if outcome.code in (0, None) or SANITY_MARK not in outcome.output:
        sys.exit(f"mutation check: an obviously broken copy was not caught by {SANITY_TEST} (exit "
                 f"{outcome.code}): pytest does not run on the copy; output:\n{outcome.output[-2000:]}")
    print(f"sanity: tests import {where.parent} (the copy); a broken copy fails {SANITY_TEST}")


# ------------------------------------------------------------------ reporting
def table(results: list[Result]) -> str:
    rows = [("id", "file", "planted bug", "result", "seconds", "detail")]
    for r in results:
        rows.append((r.mutant.id, r.mutant.file.removeprefix("hybriddiff/"), r.mutant.bug, r.status,
                     f"{r.seconds:.1f}" if r.status in ("killed", "survived", "timeout") else "-", r.detail))
    widths = [max(len(row[k]) for row in rows) for k in range(5)]
    lines = []
    for k, row in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row[:5], widths)) + "  " + row[5])
        if k == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 6)
    return "\n".join(lines)


def summary(results: list[Result], seconds: float) -> str:
    counts = {s: sum(1 for r in results if r.status == s) for s in ("killed", "timeout", "survived", "stale", "broken")}
    judged = counts["killed"] + counts["timeout"] + counts["survived"]
    rate = 100.0 * (counts["killed"] + counts["timeout"]) / judged if judged else 0.0
    areas: dict[str, list[int]] = {}
    for r in results:
        tally = areas.setdefault(area_of(r.mutant), [0, 0])
        tally[0] += r.status in ("killed", "timeout")
        tally[1] += 1
    by_area = ", ".join(f"{name} {k}/{n}" for name, (k, n) in areas.items())
    return (f"{len(results)} planted bugs: {counts['killed']} killed, {counts['timeout']} killed by the time "
            f"limit, {counts['survived']} survived, {counts['stale']} stale, {counts['broken']} broken; "
            f"kill rate {rate:.1f}% of {judged} judged; {seconds:.0f} s in all\n"
            f"killed by area: {by_area}")


def selected(only: list[str] | None) -> list[Mutant]:
    if not only:
        return list(MUTANTS)
    chosen = [m for m in MUTANTS if any(m.id == o or m.id.startswith(o) for o in only)]
    if not chosen:
        sys.exit(f"mutation check: no entry matches {only}; --list shows the ids")
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", metavar="ID", help="entries by id, or by the start of their ids")
    parser.add_argument("--list", action="store_true", help="list the entries and exit")
    parser.add_argument("--check", action="store_true",
                        help="only check that every snippet occurs once in the working tree (no tests run)")
    parser.add_argument("-j", "--jobs", type=int, default=1,
                        help="entries run side by side, each on its own copy (default 1)")
    parser.add_argument("--tests", nargs="+", metavar="TEST",
                        help="run these tests instead of each entry's own selection (to find a killing selection)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds per mutant (default: 4x the unmutated run, at least 60)")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the unmutated runs (faster; a selection that fails anyway then reads as killed)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copies (their paths are printed)")
    args = parser.parse_args(argv)

    ids = [m.id for m in MUTANTS]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        sys.exit(f"mutation check: duplicate ids {duplicates}")
    mutants = selected(args.only)
    if args.list:
        for m in mutants:
            print(f"{m.id:34} {area_of(m):13} {m.file:36} {m.bug}")
            print(f"{'':34} tests: {' '.join(m.tests)}")
        print(f"{len(mutants)} entries")
        return 0
    if args.check:
        stale = 0
        for m in mutants:
            try:
                planted(ROOT, m)
            except Stale as exc:
                stale += 1
                print(f"stale  {m.id}: {exc}")
        print(f"{len(mutants)} entries, {stale} stale")
        return 2 if stale else 0

    start = time.perf_counter()
    jobs = max(1, min(args.jobs, len(mutants)))
    copies = [Path(tempfile.mkdtemp(prefix=f"hybriddiff-mutation-{k}-")) for k in range(jobs)]
    try:
        for copy in copies:
            copy_repository(copy)
        print(f"copied {ROOT} to {', '.join(map(str, copies))}")
        sanity(copies[0])
        baselines = None if args.no_baseline else Baselines(args.timeout or 300.0)
        todo: queue.Queue = queue.Queue()
        for k, m in enumerate(mutants):
            todo.put((k, m))
        results: list[Result | None] = [None] * len(mutants)
        print_lock = threading.Lock()

        def work(copy: Path) -> None:
            while True:
                try:
                    k, m = todo.get_nowait()
                except queue.Empty:
                    return
                r = run_one(copy, m, list(args.tests or m.tests), baselines, args.timeout)
                if INTERRUPTED.is_set():   # its test run was stopped by the interruption: no verdict
                    return
                results[k] = r
                with print_lock:
                    shown = f"{r.seconds:5.1f} s" if r.status in ("killed", "survived", "timeout") else "      -"
                    print(f"  {r.status:8} {shown}  {m.id}: {r.detail}", flush=True)

        threads = [threading.Thread(target=work, args=(copy,), daemon=True) for copy in copies]
        for t in threads:
            t.start()
        for t in threads:
            while t.is_alive():
                t.join(0.5)
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)   # a second Ctrl-C would cut the clean-up short
        with STARTING:
            INTERRUPTED.set()
            running = list(RUNNING)
        for proc in running:         # no test run outlives the check
            stop(proc)
        for t in threads if "threads" in locals() else ():
            t.join(30.0)             # each puts its file back before the copies go
        print("mutation check interrupted: no verdict for the entries still running", file=sys.stderr)
        return 130
    finally:
        if args.keep:
            print(f"kept: {', '.join(map(str, copies))}")
        else:
            for copy in copies:
                shutil.rmtree(copy, ignore_errors=True)
    done = [r for r in results if r is not None]
    print()
    print(table(done))
    print()
    print(summary(done, time.perf_counter() - start))
    if any(r.status in ("stale", "broken") for r in done):
        return 2
    return 1 if any(r.status == "survived" for r in done) else 0


if __name__ == "__main__":
    sys.exit(main())
