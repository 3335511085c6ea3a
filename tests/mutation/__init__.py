"""The mutation check (run.py, mutants.py): run on demand, never collected by pytest (conftest.py)."""
