"""How a number is written in a cell of the output tables (CSV, the comparison).

>>> format_value(12.0, 15.0), format_difference(-20)
('12–15', '−20')
"""
from __future__ import annotations

import math
import numbers
from typing import Any

__all__ = ["format_number", "format_value", "format_difference", "is_missing", "RANGE_DASH", "MINUS"]

#: Joins the ends of a range in a cell.
RANGE_DASH = "–"
#: The minus sign of a difference (U+2212, as typeset; not a hyphen).
MINUS = "−"


def format_number(x: Any) -> str:
    """A number as an analyst writes it: no trailing ``.0``, a decimal dot.

    >>> format_number(60.0), format_number(99.7), format_number(12), format_number(0.1 + 0.2)
    ('60', '99.7', '12', '0.3')
    """
    if type(x) is not float and type(x) is not int and is_missing(x):
        return ""
    f = float(x)
    if f != f:  # NaN
        return ""
    if f.is_integer():
        return str(int(f))
    return format(round(f, 6), "g") if abs(f) < 1e15 else repr(f)


def format_value(value: Any, value_max: Any = None, direction: str | None = None) -> str:
    """The text of one comparison cell.

    >>> format_value(12.0, 15.0), format_value(60), format_value(5, None, "at_most")
    ('12–15', '60', '≤5')
    """
    text = format_number(value)
    high = format_number(value_max)
    if high and high != text:
        text = f"{text}{RANGE_DASH}{high}"
    if direction == "at_most":
        text = "≤" + text
    return text


def format_difference(x: Any) -> str:
    """A difference from the baseline, always signed: ``+10``, ``−20``, ``0``.

    >>> format_difference(10.0), format_difference(-20), format_difference(0), format_difference(2.5)
    ('+10', '−20', '0', '+2.5')
    >>> format_difference(None)
    ''
    """
    if is_missing(x):
        return ""
    f = round(float(x), 6)
    if f == 0:
        return "0"
    return ("+" if f > 0 else MINUS) + format_number(abs(f))


def is_missing(value: Any) -> bool:
    """None, NaN, ``pandas.NA`` or ``NaT`` (without importing pandas)."""
    if value is None:
        return True
    cls = type(value)
    if cls is float:
        return bool(value != value)  # NaN
    if cls is str or cls is int or cls is bool:
        return False
    if cls.__name__ in ("NAType", "NaTType"):
        return True
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, int)):
        return math.isnan(float(value))
    return False




