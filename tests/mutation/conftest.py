"""The mutation check runs on demand (``python tests/mutation/run.py``), never inside a pytest run:
nothing in this folder is collected (``--doctest-modules`` would otherwise import the runner)."""
collect_ignore_glob = ["*.py"]
