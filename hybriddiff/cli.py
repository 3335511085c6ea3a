"""The ``hybriddiff`` command. For now: a demo of the seed's examples in forward and reverse mode."""
from __future__ import annotations

import argparse
import sys
from typing import Sequence

from . import demo


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script and of ``python -m hybriddiff``."""
    parser = argparse.ArgumentParser(
        prog="hybriddiff",
        description="Derivatives four ways, side by side. Without a subcommand: the seed's examples.",
        epilog="example: hybriddiff demo")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("demo", help="print the seed's examples 1 and 2 in forward and reverse mode")
    args = parser.parse_args(argv)
    if args.command in (None, "demo"):
        print(demo.seed_examples())
        return 0
    parser.error(f"unknown command {args.command!r}")  # pragma: no cover - argparse exits first
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
