"""``path/to/file.py:function`` on the command line: run the user's file, find the function.

This executes the user's own Python file with importlib, exactly as ``python file.py`` would run
its top level (its directory first on ``sys.path``). Expressions never come here (see SECURITY.md).
"""
from __future__ import annotations

import difflib
import importlib.util
import inspect
import os
import re
import sys
import traceback
from typing import Any, Callable

_PYTHON_REF = re.compile(r"\s*(?:[^\n:]+\.py|[\w./\\-]+):[\w.]*\s*")     # file.py:f, pkg.mod:f


class UsageError(Exception):
    """Bad command-line input: exit status 2, the message says what and where."""


class UserCodeError(Exception):
    """The user's Python file raised while it was loaded: exit status 1, with its traceback."""


# ---------------------------------------------------------------- file.py:function
def python_function(spec: str) -> tuple[str, Callable[..., Any], list[str], list[str]]:
    """``path/to/file.py:function``: (label, the function, its positional parameters, the required ones)."""
    path_text, _, attr = spec.strip().rpartition(":")
    if not path_text.endswith(".py"):
        raise UsageError(f"{spec!r}: to name a Python function, give a file and a function as "
                         f"path/to/file.py:function (expressions contain no ':')")
    parts = attr.split(".")
    if not attr or not all(p.isidentifier() for p in parts):
        raise UsageError(f"{spec!r}: {attr!r} is not a function name (expected path/to/file.py:function)")
    path = os.path.abspath(os.path.expanduser(path_text))
    if not os.path.isfile(path):
        raise UsageError(f"no such file: {path_text}")
    module = run_file(path)
    obj: Any = module
    for k, part in enumerate(parts):
        if not hasattr(obj, part):
            where = path_text if k == 0 else f"{path_text}:{'.'.join(parts[:k])}"
            names = [n for n in dir(obj) if not n.startswith("_") and callable(getattr(obj, n, None))]
            hint = difflib.get_close_matches(part, names, n=1)
            raise UsageError(f"{where} has no {part!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
                             + (f"; its functions: {', '.join(sorted(names)[:20])}" if names else ""))
        obj = getattr(obj, part)
    if not callable(obj):
        raise UsageError(f"{spec}: {attr} is of type {type(obj).__name__}, not a function")
    try:
        params = [p for p in inspect.signature(obj).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    names = [p.name for p in params] or ["x"]
    required = [p.name for p in params if p.default is p.empty] or names[:1]
    return f"{os.path.basename(path_text)}:{attr}", obj, names, required


def run_file(path: str) -> Any:
    """Execute the user's file as a module (its own directory first on sys.path, as for a script)."""
    stem = re.sub(r"\W", "_", os.path.splitext(os.path.basename(path))[0])
    name = f"_hybriddiff_user_{stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise UsageError(f"cannot load {path} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, os.path.dirname(path))
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:
        tb = exc.__traceback__
        while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) != path:
            tb = tb.tb_next
        text = "".join(traceback.format_exception(type(exc), exc, tb)).rstrip()
        raise UserCodeError(f"running {path} failed:\n{text}") from None
    return module
