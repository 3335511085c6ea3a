"""Run the benchmarks and write benchmarks/RESULTS.md (Markdown, ratios measured in this one run).

    python -m benchmarks                 # everything (several minutes), writes RESULTS.md
    python -m benchmarks --only w1 w2    # some workloads; RESULTS.md is left alone unless --write
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
    parser.add_argument("--write", action="store_true", help="write RESULTS.md even with --only")
    args = parser.parse_args(argv)
    names = args.only or list(WORKLOADS)
    parts = [f"# hybriddiff benchmarks\n\n{machine()}\n\nEvery ratio compares two timings taken side by "
             f"side in this run (the best of auto-ranged rounds, interleaved for hybriddiff's rows of "
             f"W1, W3 and core; spread = (max - min) / median)."]
    for name in names:
        title, run = WORKLOADS[name]
        print(f"running {name}: {title} ...", file=sys.stderr, flush=True)
        gc.collect()
        gc.freeze()  # what earlier workloads left behind is not this workload's garbage to walk
        parts.append(f"## {title}\n\n{run()}")
        print(parts[-1] + "\n", flush=True)
    if args.write or not args.only:
        RESULTS.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
        print(f"wrote {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
