"""Run every benchmark and print Markdown tables of times and ratios measured in this one run.

    python benchmarks/run.py            # or: python -m benchmarks
"""
from __future__ import annotations

import datetime
import os
import platform
import sys

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "benchmarks"

from benchmarks import core_modes, graph_bench  # noqa: E402


def machine() -> str:
    return (f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}, "
            f"{os.cpu_count()} cores, {datetime.date.today().isoformat()}")


def main() -> None:
    print(f"# hybriddiff benchmarks\n\n{machine()}\n")
    print("## Seed function f(x) = exp(x**2 - x)/x at 2.0, one derivative\n")
    print(core_modes.seed_workload(), "\n")
    print("## Extended Rosenbrock, Python loop, n = 1000\n")
    print(core_modes.rosenbrock_workload(1000), "\n")
    print("## Compiled derivative graphs (generated source)\n")
    print(graph_bench.compiled_workload(), "\n")
    print("## A million-node chain\n")
    print(graph_bench.chain_workload(int(os.environ.get("HYBRIDDIFF_CHAIN_NODES", 1_000_000))), "\n")


if __name__ == "__main__":
    main()
