"""Run the benchmarks and write benchmarks/RESULTS.md (Markdown, ratios measured in this one run).

    python -m benchmarks                 # everything (several minutes), writes RESULTS.md
    python -m benchmarks --only w1 w2    # some workloads; RESULTS.md is left alone unless --write
    python -m benchmarks --only w8 --write   # replaces only W8's section of RESULTS.md, keeps the others
"""
from __future__ import annotations

import argparse
import gc
import datetime
import os
import platform
import sys
from pathlib import Path
from typing import Callable

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "benchmarks"

from benchmarks import core_modes, graph_bench, memory_bench, peers  # noqa: E402

RESULTS = Path(__file__).with_name("RESULTS.md")


def _swell() -> str:
    try:
        from benchmarks.swell_bench import swell_workload
    except ImportError as exc:
        return f"(skipped: {exc})"
    return swell_workload()


def _compare() -> str:
    from benchmarks.compare_bench import compare_workload
    return compare_workload()


def _taylor() -> str:
    from benchmarks.taylor_bench import w8
    return w8()


def _finite() -> str:
    from benchmarks.finite_bench import finite_workload
    return finite_workload()


WORKLOADS: dict[str, tuple[str, Callable[[], str]]] = {
    "w1": ("W1: the seed's f(x) = exp(x**2 - x)/x at 2.0, one derivative", peers.w1),
    "w2": ("W2: the same derivative at 1,000,000 points", peers.w2),
    "w3": ("W3: extended Rosenbrock gradient (Python loop for hybriddiff, vectorised for the peers)", peers.w3),
    "w4": ("W4: expression swell on the logistic map (hybrid vs SymPy)", _swell),
    "w5": ("W5: finite differences: accuracy and calls, against numdifftools", _finite),
    "w6": ("W6: what judging costs: the comparison's reference with its evidence vs the bare reference", _compare),
    "w7": ("W7: what checkpointing saves: memory and time of a 10,000-step loop's derivative", memory_bench.w7),
    "w8": ("W8: higher derivatives: the 10th derivative by Taylor mode, nested operators, the derivative graph, "
           "JAX's jet; growth with the order", _taylor),
    "core": ("Forward and reverse mode against plain floats (issue 2 targets)",
             lambda: core_modes.seed_workload() + "\n\n" + core_modes.rosenbrock_workload(1000)),
    "graph": ("Compiled derivative graphs, scalar and batched (issue 3 targets)", graph_bench.compiled_workload),
    "chain": ("A million-node chain: trace, evaluate, sweep; memory per node",
              lambda: graph_bench.chain_workload(int(os.environ.get("HYBRIDDIFF_CHAIN_NODES", 1_000_000)))),
}


def machine() -> str:
    import numpy
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores (shared, noisy); {platform.python_implementation()} "
            f"{platform.python_version()}, NumPy {numpy.__version__}; {datetime.date.today().isoformat()}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", choices=sorted(WORKLOADS), help="run only these workloads")
    parser.add_argument("--write", action="store_true",
                        help="with --only: replace these workloads' sections of RESULTS.md, keep the others")
    args = parser.parse_args(argv)
    names = args.only or list(WORKLOADS)
    header = (f"# hybriddiff benchmarks\n\n{machine()}\n\nEvery ratio compares two timings taken side by "
              f"side in this run (the best of auto-ranged rounds, interleaved for hybriddiff's rows of "
              f"W1, W3, core and W2's JAX tables; spread = (max - min) / median).")
    sections: dict[str, str] = {}
    for name in names:
        title, run = WORKLOADS[name]
        print(f"running {name}: {title} ...", file=sys.stderr, flush=True)
        gc.collect()
        gc.freeze()  # what earlier workloads left behind is not this workload's garbage to walk
        sections[name] = f"## {title}\n\n{run()}"
        print(sections[name] + "\n", flush=True)
    if not args.only:
        RESULTS.write_text("\n\n".join([header, *sections.values()]) + "\n", encoding="utf-8")
        print(f"wrote {RESULTS}", file=sys.stderr)
    elif args.write:
        RESULTS.write_text(merge(RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else header,
                                 sections, machine()), encoding="utf-8")
        print(f"updated {', '.join(sections)} in {RESULTS}", file=sys.stderr)


def split_sections(text: str) -> tuple[str, list[str]]:
    """RESULTS.md as its header and its "## " sections (each with its heading line)."""
    parts = ("\n" + text.strip("\n")).split("\n## ")
    return parts[0].strip("\n"), ["## " + part.strip("\n") for part in parts[1:]]


def merge(text: str, sections: dict[str, str], where: str) -> str:
    """``text`` (RESULTS.md) with the sections of the workloads just run (by name) replacing theirs,
    or placed in the order of WORKLOADS; every other section and the header kept as they were. A
    section run alone says when and where (the header's line is the full run's)."""
    header, old = split_sections(text)
    by_heading = {section.split("\n", 1)[0]: section for section in old}
    known = {f"## {title}" for title, _ in WORKLOADS.values()}
    out = [header]
    for name, (title, _) in WORKLOADS.items():
        heading = f"## {title}"
        if name in sections:
            body = sections[name].split("\n", 1)[1].strip("\n")
            out.append(f"{heading}\n\nRun alone: {where}.\n\n{body}")
        elif heading in by_heading:
            out.append(by_heading[heading])
    out += [section for heading, section in by_heading.items() if heading not in known]   # kept, at the end
    return "\n\n".join(out) + "\n"


if __name__ == "__main__":
    main()
