"""What people are shown: names of codes and the words of the report, in
Vietnamese (the default) or English, and numbers as readers write them.

The names live once, in ``rules/`` beside the codes: the ``names:`` blocks of
``rules/indicators.yaml``, ``rules/tiers.yaml`` and ``rules/sectors.yaml``,
and ``rules/labels.yaml`` for units, directions, statuses, sources, levels,
kinds of documents, column headers and the report's words.  Every block is
validated by the rule loader (:data:`pipeline.rules.NAMES_SCHEMA`).  The
machine outputs (CSV, Parquet, JSON) keep the codes.

>>> vi, en = Labels("vi"), Labels("en")
>>> vi.tier("district"), en.tier("district")
('Cấp huyện', 'District')
>>> vi.number(12.5), vi.number(300000), en.number(12.5), vi.year(2025)
('12,5', '300.000', '12.5', '2025')
>>> vi.value(12, 15, None, "percent"), vi.value(5, None, "at_most", "percent_per_year")
('12–15%', '≤5%/năm')
>>> vi.difference(-2.5), en.difference(10)
('−2,5', '+10')
"""
from __future__ import annotations

import functools
from typing import Any

from .. import rules
from .format import MINUS, RANGE_DASH, format_number

__all__ = ["Labels", "LANGS", "DEFAULT_LANG", "labels_for", "check_lang"]

#: Languages the report and the XLSX speak; the first is the default.
LANGS = ("vi", "en")
DEFAULT_LANG = "vi"

#: Rule files whose ``names:`` block names the codes of one field.
_NAMED_FIELDS = {"indicator": "indicators", "tier": "tiers", "sector": "sectors"}

def check_lang(lang: Any) -> str:
    """``lang`` if it is one of :data:`LANGS`, else a ``ValueError`` saying which are."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")
    return str(lang)


@functools.cache
def _names(file: str) -> dict[str, dict[str, str]]:
    return rules.load(file).names


@functools.cache
def labels_for(lang: str = DEFAULT_LANG) -> Labels:
    """The (cached) :class:`Labels` of ``lang``."""
    return Labels(lang)


def _plain(x: Any) -> bool:
    """An int or float that is a number (not NaN): equal ones are written alike
    (``1`` and ``1.0``), so :meth:`Labels.value` keeps what it wrote for them."""
    return (x.__class__ is float and x == x) or x.__class__ is int


def _missing(x: Any) -> bool:
    try:
        return x is None or x != x
    except (TypeError, ValueError):
        return False


class Labels:
    """Names and number formats of one language (``vi`` or ``en``)."""

    def __init__(self, lang: str = DEFAULT_LANG):
        self.lang = check_lang(lang)
        # names and values already shown (a page or a workbook shows the same few thousand times)
        self._codes: dict[tuple[str, str], str] = {}
        self._values: dict[tuple[Any, ...], str] = {}

    # --- names ----------------------------------------------------------
    def _get(self, file: str, key: str) -> str | None:
        entry = _names(file).get(key)
        return None if entry is None else entry[self.lang]

    def code(self, field: str, code: Any) -> str:
        """The name of ``code`` of ``field`` (``indicator``, ``tier``, ``sector``,
        ``unit``, ``direction``, ``source``, ``level``, ``kind``, ``role``);
        a code without a name is shown as itself, nothing as ``""``."""
        if code.__class__ is str:
            key = (field, code)
            name = self._codes.get(key)
            if name is None:
                name = self._codes[key] = self._code(field, code)
            return name
        return self._code(field, code)

    def _code(self, field: str, code: Any) -> str:
        if _missing(code) or code == "":
            return ""
        code = str(code)
        if field in _NAMED_FIELDS:
            name = self._get(_NAMED_FIELDS[field], code)
        else:
            name = self._get("labels", f"{field}.{code}")
        return code if name is None else name

    def indicator(self, code: Any) -> str:
        return self.code("indicator", code)

    def tier(self, code: Any) -> str:
        return self.code("tier", code)

    def sector(self, code: Any) -> str:
        return self.code("sector", code)

    def status(self, status: Any, *, national: bool = False) -> str:
        """A ``status`` of the differences table in words; ``national`` when
        the baseline is a national programme (``cao hơn mức quốc gia``)."""
        if _missing(status):
            return ""
        if national:
            name = self._get("labels", f"status_national.{status}")
            if name is not None:
                return name
        return self._get("labels", f"status.{status}") or str(status)

    def column(self, column: str) -> str:
        """The header of a table column in the XLSX."""
        return self._get("labels", f"column.{column}") or column

    def ui(self, key: str, **fields: Any) -> str:
        """A word or sentence of the report (``rules/labels.yaml``'s ``ui.*``, ``xlsx.*``)."""
        name = self._get("labels", f"ui.{key}")
        if name is None:
            name = self._get("labels", key)
        if name is None:
            raise KeyError(f"rules/labels.yaml: no name {key!r}")
        return name.format(**fields) if fields else name

    def suffix(self, unit: Any) -> str:
        """What follows a value of ``unit``: ``%``, ``%/năm``, nothing for a count."""
        return self._get("labels", f"suffix.{unit}") or ""

    def column_label(self, label: Any) -> str:
        """A comparison column label as shown: a built-in programme's
        ``… (built in)`` says so in this language; level words in words."""
        text = "" if _missing(label) else str(label)
        builtin = " (built in)"
        if text.endswith(builtin):
            return text[: -len(builtin)] + self.ui("builtin.suffix")
        if self.lang != "en":
            for level in ("department", "district", "commune", "school"):
                text = text.replace(f" ({level})", f" ({self.code('level', level)})")
        return text

    # --- numbers --------------------------------------------------------
    def number(self, x: Any) -> str:
        """A number as readers of the language write it: ``12,5`` and
        ``300.000`` in Vietnamese, ``12.5`` and ``300000`` in English."""
        text = format_number(x)
        if self.lang == "en" or not text or "e" in text:
            return text
        sign = ""
        if text.startswith("-"):
            sign, text = "-", text[1:]
        whole, _, frac = text.partition(".")
        if len(whole) > 3:
            groups: list[str] = []
            while len(whole) > 3:
                groups.insert(0, whole[-3:])
                whole = whole[:-3]
            whole = ".".join([whole] + groups)
        return sign + whole + ("," + frac if frac else "")

    @staticmethod
    def year(year: Any) -> str:
        """A year: never grouped (``2025``); ``""`` when unknown."""
        try:
            return "" if _missing(year) else str(int(year))
        except (TypeError, ValueError):
            return str(year)

    def value(self, value: Any, value_max: Any = None, direction: str | None = None,
              unit: str | None = None) -> str:
        """One value as shown: ``60%``, ``12–15%``, ``≤5%/năm``, ``300.000``."""
        if value_max.__class__ is float and value_max != value_max:
            value_max = None              # NaN, as the tables have it: no upper end, written as None is
        if (_plain(value) and (value_max is None or _plain(value_max))
                and (direction is None or direction.__class__ is str) and (unit is None or unit.__class__ is str)):
            key = (value, value_max, direction, unit)
            text = self._values.get(key)
            if text is None:
                text = self._values[key] = self._value(value, value_max, direction, unit)
            return text
        return self._value(value, value_max, direction, unit)

    def _value(self, value: Any, value_max: Any, direction: str | None, unit: str | None) -> str:
        text = self.number(value)
        high = self.number(value_max)
        if high and high != text:
            text = f"{text}{RANGE_DASH}{high}"
        if direction == "at_most":
            text = "≤" + text
        return text + (self.suffix(unit) if unit and text else "")

    def difference(self, x: Any) -> str:
        """A difference, always signed: ``+10``, ``−2,5``, ``0``."""
        if _missing(x):
            return ""
        f = round(float(x), 6)
        if f == 0:
            return "0"
        return ("+" if f > 0 else MINUS) + self.number(abs(f))

    def date(self, iso: Any) -> str:
        """An ISO date as readers write it: ``05/03/2024`` in Vietnamese."""
        text = "" if _missing(iso) else str(iso)
        if self.lang == "vi" and len(text) == 10 and text[4] == "-" and text[7] == "-":
            return f"{text[8:10]}/{text[5:7]}/{text[0:4]}"
        return text
