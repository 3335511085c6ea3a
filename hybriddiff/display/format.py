"""Numbers as text, and results as strict JSON: the one place every view formats a number.

- ``format_value``: a table cell, rounded for reading (``Table`` and the trace tables);
- ``full_value``: a value in full, the shortest text that reads back the same float (``repr``),
  arrays as ``[1.0, 2.5]`` (the comparison's value column, the command line's points and values);
- ``short_value``: 5 significant digits, for a drawing's boxes (``graph/draw.py``);
- ``scientific``: an error or a step, ``1.2e-16`` (the comparison, the step study);
- ``seconds`` and ``byte_size``: times and sizes with units (``13.2 us``, ``2.33 kB``);
- ``formatted``: a format spec that leaves a missing value (None) blank;
- ``jsonable``: any result as strict JSON data: nan, inf and -inf as the strings "nan", "inf" and
  "-inf", NumPy scalars and arrays as Python numbers and lists, other numbers (mpmath, Fraction) as
  floats, anything else as its text.
"""
from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Any, Callable

import numpy as np


def format_value(value: Any, digits: int | None = 3) -> str:
    """A cell as text: strings as they are, numbers rounded for reading (``digits=None``: repr).

    ``digits`` is the number of decimals shown for ordinary magnitudes and the number of significant
    digits below 0.1 (the style of Baydin et al.'s tables: 0.693, 10.693, 1.716). Values exact in
    that many digits print as short as they are (2, 5.5, 0.25); rounded ones keep their zeros
    (0.9999999 shows as 1.000, not as the exact-looking 1).

    >>> [format_value(v) for v in (2.0, 0.6931471805599453, 10.693147, -0.9589242746631385, 5.5)]
    ['2', '0.693', '10.693', '-0.959', '5.5']
    >>> print(*[format_value(v) for v in (0.9999999, 0.0100001, 1.5e-7, 2.5e9 + 0.5)])
    1.000 0.0100 1.5e-07 2.50000e+09
    >>> format_value(0.6931471805599453, digits=None), format_value(None), format_value(1 + 2j)
    ('0.6931471805599453', '', '1+2j')
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if hasattr(value, "item") and not isinstance(value, (list, tuple)) and getattr(value, "ndim", 0) == 0:
        value = value.item()          # NumPy scalars
    if isinstance(value, bool) or isinstance(value, (int, Fraction)):
        return str(value)
    if isinstance(value, complex):
        real, imag = format_value(value.real, digits), format_value(abs(value.imag), digits)
        return f"{real}{'-' if value.imag < 0 else '+'}{imag}j"
    if not isinstance(value, numbers.Real):
        return str(value)
    value = float(value)
    if digits is None or not math.isfinite(value):
        return repr(value)
    magnitude = abs(value)
    if value == 0 or (value.is_integer() and magnitude < 1e15):
        return str(int(value))
    if 0.1 <= magnitude < 1e7:
        text = f"{value:.{digits}f}"
    else:
        text = f"{value:#.{max(digits, 1) + (3 if magnitude >= 1e7 else 0)}g}"
    if float(text) == value:          # exact in this many digits: as short as repr (5.5, 0.25)
        text = repr(value) if "e" in text else text.rstrip("0").rstrip(".")
    return text


def full_value(value: Any, limit: int | None = None) -> str:
    """A value in full: reals as the shortest text that reads back the same float, arrays and lists
    as ``[...]``, tuples (several outputs) as ``(...)``; an array longer than ``limit`` shows its
    first and last three entries around ``...``.

    >>> full_value(9.236320123663313), full_value(2), full_value(np.array([1.0, 2.5])), full_value((1.5, [2.0]))
    ('9.236320123663313', '2.0', '[1.0, 2.5]', '(1.5, [2.0])')
    >>> full_value(np.arange(10.0), limit=6), full_value(1 + 2j)
    ('[0.0, 1.0, 2.0, ..., 7.0, 8.0, 9.0]', '(1+2j)')
    """
    if isinstance(value, tuple):
        return "(" + ", ".join(full_value(v, limit) for v in value) + ")"
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (np.ndarray, list)):
        items = list(value)
        texts = [full_value(v, limit) for v in items] if limit is None or len(items) <= limit else \
            [full_value(v, limit) for v in items[:3]] + ["..."] + [full_value(v, limit) for v in items[-3:]]
        return "[" + ", ".join(texts) + "]"
    if isinstance(value, str):
        return value
    try:
        return repr(float(value))
    except (TypeError, ValueError):
        return str(value)


def short_value(value: Any) -> str:
    """A short number for a drawing: 5 significant digits for floats, exact text for ints and
    fractions, small arrays entry by entry, text cut at 24 characters.

    >>> short_value(11.652071455223084), short_value(10.0), short_value(3), short_value(1 + 2j)
    ('11.652', '10', '3', '1+2j')
    """
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.ndarray):
        if value.size > 3:
            return f"array{value.shape}"
        return str([short_value(v) for v in value.ravel()]).replace("'", "")
    if isinstance(value, float):
        return f"{value:.5g}"
    if isinstance(value, complex):
        return f"{value.real:.4g}{value.imag:+.4g}j"
    if type(value).__module__.startswith("mpmath"):
        return short_value(complex(value) if "mpc" in type(value).__name__ else float(value))
    text = str(value)
    return text if len(text) <= 24 else text[:23] + "\u2026"


def scientific(value: Any, missing: str = "") -> str:
    """An error or a step in scientific notation with two digits; 0 as ``0``; ``missing`` for None
    and for values that are not finite (no measurement).

    >>> scientific(1.234e-16), scientific(0.0), scientific(None), scientific(float("nan"), missing="-")
    ('1.2e-16', '0', '', '-')
    """
    if value is None or not math.isfinite(value):
        return missing
    return "0" if value == 0 else f"{value:.1e}"


def seconds(t: float | None) -> str:
    """A time with its unit, 3 significant digits (never an exponent: 999.7 us is 1 ms).

    >>> seconds(1.32e-5), seconds(0.2385), seconds(0.0), seconds(None), seconds(9.997e-4)
    ('13.2 us', '238 ms', '0 s', '', '1 ms')
    """
    if t is None:
        return ""
    if t == 0:
        return "0 s"
    return _scaled(t, (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)))


def byte_size(n: int | None) -> str:
    """A size in bytes with its unit (1 kB = 1024 B), 3 significant digits, never an exponent.

    >>> byte_size(2390), byte_size(120), byte_size(3 << 20), byte_size(None), byte_size(1047000)
    ('2.33 kB', '120 B', '3 MB', '', '0.998 MB')
    """
    if n is None:
        return ""
    return _scaled(n, (("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10), ("B", 1)))


def _scaled(value: float, units: tuple[tuple[str, float], ...]) -> str:
    """``value`` in the largest of ``units`` (largest first) it reaches, as 3 significant digits; a
    value that would round to 1000 of one unit is shown in the next larger one."""
    for i, (unit, scale) in enumerate(units):
        if value >= scale or i == len(units) - 1:
            text = f"{value / scale:.3g}"
            if "e" in text and i > 0:   # 999.7 -> 1e+03: one unit up instead
                return f"{value / units[i - 1][1]:.3g} {units[i - 1][0]}"
            return f"{value / scale:.0f} {unit}" if "e+" in text else f"{text} {unit}"
    return ""  # pragma: no cover - the last unit always matches


def count(n: int, noun: str) -> str:
    """``n`` and the noun, plural unless n is 1 (nouns with a plain -s plural).

    >>> count(1, "operation"), count(0, "operation"), count(12000, "operation")
    ('1 operation', '0 operations', '12,000 operations')
    """
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, 21st.

    >>> [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 102)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '102nd']
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def formatted(spec: str) -> Callable[[Any], str]:
    """A formatter for ``format(value, spec)`` that shows a missing value (None) as blank.

    >>> formatted(".1f")(15.93), formatted(".0%")(0.36), formatted("")(12), formatted(".1f")(None)
    ('15.9', '36%', '12', '')
    """
    def text(value: Any) -> str:
        return "" if value is None else format(value, spec)
    text.__name__ = f"formatted({spec!r})"
    return text


_NOT_FINITE = {math.inf: "inf", -math.inf: "-inf"}


def jsonable(value: Any) -> Any:
    """``value`` as strict JSON data (``json.dumps(..., allow_nan=False)`` accepts it).

    Dicts, lists and tuples are converted entry by entry; NumPy scalars and arrays become Python
    numbers and lists; nan, inf and -inf become the strings "nan", "inf" and "-inf"; other numbers
    (mpmath, Fraction) become floats; anything else becomes its text.

    >>> jsonable({"x": np.array([1.0, np.nan]), "n": np.int64(3), "r": float("-inf"), "c": 1 + 2j})
    {'x': [1.0, 'nan'], 'n': 3, 'r': '-inf', 'c': '(1+2j)'}
    >>> jsonable(Fraction(1, 4)), jsonable((None, True, "a"))
    (0.25, [None, True, 'a'])
    """
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else _NOT_FINITE.get(value, "nan")
    if isinstance(value, int):
        return int(value)
    if isinstance(value, dict):
        return {k if isinstance(k, str) else str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (np.ndarray, np.generic)):
        return jsonable(value.tolist())
    try:
        return jsonable(float(value))
    except (TypeError, ValueError, OverflowError):
        return str(value)


__all__ = ["count", "ordinal", "format_value", "full_value", "short_value", "scientific", "seconds", "byte_size", "formatted",
           "jsonable"]
