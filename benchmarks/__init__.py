"""hybriddiff's benchmarks: run ``python benchmarks/run.py`` (or ``python -m benchmarks``)."""
