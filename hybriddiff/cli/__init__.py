"""The ``hybriddiff`` command: compare, trace, diff, report, demo (``commands.py``); reading the
FUNCTION and ``--at`` arguments (``inputs.py``, ``pyfile.py``); help texts (``help.py``); the exit
statuses and when each applies (``exitcodes.py``)."""
from .commands import main

__all__ = ["main"]
