"""What ``comparison.xlsx`` shows, apart from how it is written.

The XLSX writer in :mod:`pipeline.outputs.xlsx` asks this module, sheet by sheet,
for a :class:`SheetView` (or a :class:`ComparisonView`): the sheet's name and
headers in the reader's language (:mod:`pipeline.outputs.labels`, Vietnamese by
default), the cell values to write and each cell's number format.  The writer
only lays them out (frozen header, autofilter, widths, merged headings,
comments).

What the reader gets:

* a percentage is a **fraction** with a percent format, so formulas compute:
  ``60`` percent is written ``0.6`` shown ``60%`` (``≤5%``, ``10%/năm``,
  differences ``+10%``/``−20%``); a count is written as it is;
* a range is **two numbers**: ``value`` and ``value_max`` in the data sheets
  (the differences sheet splits its ``12–15`` texts into ``value`` and
  ``value_max``, and the baseline's into ``baseline_value`` and
  ``baseline_value_max``); in the comparison sheet, where a cell holds one
  text, a range or several values stay text written as readers write them
  (``12–15%``, ``12,5%; 20%``);
* the comparison sheet's key columns show names (``Thư viện``, ``Cấp huyện``),
  the data sheets keep the codes (they match the CSV files);
* in the data sheets' evidence cells, the value is in bold where its number is
  written (:attr:`SheetView.marked`: the reader's span, a targets row's
  ``value_start``/``value_end``, else found by
  :func:`pipeline.outputs.annotate.find_value`, as the report marks it).

>>> number_format(60, "percent"), number_format(99.7, "percent"), number_format(5, "percent", at_most=True)
('0%', '0.0##%', '"≤"0%')
>>> cell_number(60, "percent"), cell_number(3, "count")
(0.6, 3)
>>> parse_value_text("12–15"), parse_value_text("≤5"), parse_value_text("80; 90")
((12.0, 15.0, False), (5.0, None, True), None)
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from collections.abc import Mapping

from .labels import DEFAULT_LANG, Labels, labels_for
from .tables import rows_of

if TYPE_CHECKING:
    import pandas as pd

    from .compare import Comparison

__all__ = ["SheetView", "ComparisonView", "sheet_name", "number_format", "cell_number", "parse_value_text",
           "data_view", "differences_view", "columns_view", "comparison_view", "national_baselines", "PERCENT_UNITS"]

#: Units whose values are percentages: written as fractions with a percent format.
PERCENT_UNITS = frozenset({"percent", "percent_per_year"})

#: Columns holding years, offsets and counts (integer format).
INT_COLUMNS = frozenset({"year", "period_start", "evidence_start", "evidence_end", "value_start", "value_end", "n_targets",
                         "n_references", "table_page", "table_row", "table_col"})
#: Columns holding a target's value in its unit.
VALUE_COLUMNS = frozenset({"value", "value_max", "baseline_value", "baseline_value_max"})
#: Columns holding a signed difference in the row's unit.
SIGNED_COLUMNS = frozenset({"difference"})

_VALUE_TEXT = re.compile(r"^(≤)?(-?\d+(?:\.\d+)?)(?:–(-?\d+(?:\.\d+)?))?$")


#: A value to mark inside a text: (value, value_max, unit), as a row of the targets table has it.
ValueRef = tuple[float, float | None, str | None]


@dataclass(frozen=True)
class WrittenAt:
    """Where the value is written in the cell's text, as the reader matched it
    (a targets row's ``value_start``/``value_end`` within its evidence)."""
    start: int
    end: int


#: What to mark in an evidence cell: the reader's span, else the value to look for.
Marked = WrittenAt | ValueRef


@dataclass
class SheetView:
    """One data sheet: its name, its table with the headers shown, a number
    format per shown header and row (``None``: none), and per shown header
    and row the value whose number is written in that cell's text (the
    evidence), to be marked in it (``None``: nothing to mark)."""
    name: str
    frame: pd.DataFrame
    formats: dict[str, list[str | None]] = field(default_factory=dict)
    marked: dict[str, list[Marked | None]] = field(default_factory=dict)


@dataclass
class ComparisonView:
    """The comparison sheet: ``frame`` (keys and value columns, headers and
    values as shown), ``formats[(row, column)]``, the titles of the header
    rows above the table, each value column's ``(province, province since
    2025, level)`` headings, which columns are baselines, and the comment
    (evidence) of each value cell."""
    name: str
    frame: pd.DataFrame
    n_keys: int
    formats: dict[tuple[int, str], str]
    header_titles: tuple[str, ...]
    headings: dict[str, tuple[str, str, str]]
    baseline: dict[str, bool]
    comments: dict[tuple[int, str], str]


def sheet_name(key: str, L: Labels) -> str:
    """The shown name of the sheet ``key`` (``targets`` → ``Chỉ tiêu``)."""
    return L.ui(f"xlsx.sheet.{key}")


def _percent_suffix(unit: Any, L: Labels) -> str:
    if unit == "percent":
        return "%"
    if unit == "percent_per_year":
        return '%"' + L.suffix(unit)[1:] + '"'
    return ""


def number_format(x: float, unit: Any = None, *, at_most: bool = False, signed: bool = False,
                  L: Labels | None = None) -> str:
    """The Excel format of a value ``x`` written as readers see it (``60`` for
    60 %, before :func:`cell_number`): ``0%``, ``0.0##%``, ``"≤"0%``,
    ``0%"/năm"``, ``"+"0%;"−"0%;0%``, ``0`` (a count).  Excel shows the
    decimal separator of the reader's locale (``12,5%`` in Vietnamese)."""
    L = L or labels_for(DEFAULT_LANG)
    body = "0" if float(x).is_integer() else "0.0##"
    suffix = _percent_suffix(unit if isinstance(unit, str) else "", L)
    if signed:
        return f'"+"{body}{suffix};"−"{body}{suffix};0{suffix}'
    return ('"≤"' if at_most else "") + body + suffix


def cell_number(x: Any, unit: Any) -> Any:
    """The number written into the cell: a percentage as a fraction (``60`` →
    ``0.6``), an integer as an ``int``, anything else as it is."""
    f = float(x)
    if unit in PERCENT_UNITS:
        return round(f / 100, 10)
    return int(f) if f.is_integer() else f


def parse_value_text(text: Any) -> tuple[float, float | None, bool] | None:
    """``(low, high or None, at_most)`` of a value text of the comparison
    (``60``, ``12–15``, ``≤5``), ``None`` for anything else (``80; 90``)."""
    if not isinstance(text, str):
        return None
    m = _VALUE_TEXT.match(text)
    if not m:
        return None
    return float(m.group(2)), (float(m.group(3)) if m.group(3) else None), bool(m.group(1))


def _missing(v: Any) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _is_number(v: Any) -> bool:
    kind = type(v)
    if kind is float:   # the common cases first, without pandas
        return bool(v == v)
    if kind is int:
        return True
    return isinstance(v, (int, float)) and not isinstance(v, bool) and not _missing(v)


def data_view(key: str, df: pd.DataFrame, L: Labels, *, at_most: list[bool] | None = None) -> SheetView:
    """A data sheet: the table's columns (headers in words), percentages as
    fractions in the value columns, an integer format for years and offsets."""
    import pandas as pd

    cols = [str(c) for c in df.columns]
    out = df.copy()
    units = out["unit"].tolist() if "unit" in cols else [None] * len(out)
    formats: dict[str, list[str | None]] = {}
    for col in cols:
        if col in INT_COLUMNS:
            formats[col] = ["0"] * len(out)
        elif col in VALUE_COLUMNS or col in SIGNED_COLUMNS:
            values = out[col].tolist()
            fmts: list[str | None] = []
            cells: list[Any] = []
            for i, v in enumerate(values):
                if _is_number(v):
                    fmts.append(number_format(v, units[i], signed=col in SIGNED_COLUMNS,
                                              at_most=bool(at_most and at_most[i]) and col in VALUE_COLUMNS, L=L))
                    cells.append(cell_number(v, units[i]))
                else:
                    fmts.append(None)
                    cells.append(v)
            out[col] = pd.Series(cells, index=out.index, dtype="object")
            formats[col] = fmts
    shown = [L.column(c) for c in cols]
    out.columns = shown
    view = SheetView(sheet_name(key, L), out, {L.column(c): f for c, f in formats.items()})
    if "evidence_text" in cols and "value" in cols:
        highs = df["value_max"].tolist() if "value_max" in cols else [None] * len(df)
        written = _written_at(df, cols)
        view.marked[L.column("evidence_text")] = [
            w if w is not None else
            (float(v), float(h) if _is_number(h) else None, u if isinstance(u, str) else None) if _is_number(v)
            else None for w, v, h, u in zip(written, df["value"].tolist(), highs, units, strict=True)]
    return view


def _written_at(df: pd.DataFrame, cols: list[str]) -> list[WrittenAt | None]:
    """Per row, the reader's span of the value inside ``evidence_text``
    (``value_start``/``value_end`` less ``evidence_start``), ``None`` where the
    row has none or it does not lie there."""
    from .annotate import relative_span

    need = ("evidence_text", "evidence_start", "value_text", "value_start", "value_end")
    if not all(c in cols for c in need):
        return [None] * len(df)
    out: list[WrittenAt | None] = []
    for ev, es, vt, vs, ve in zip(*(df[c].tolist() for c in need), strict=True):
        ok = isinstance(ev, str) and isinstance(vt, str) and all(_is_number(x) for x in (es, vs, ve))
        at = relative_span(ev, int(es), vt, int(vs), int(ve)) if ok else None
        out.append(WrittenAt(*at) if at is not None else None)
    return out


def differences_view(diffs: pd.DataFrame, L: Labels, *, national: Mapping[str, bool] = {}) -> SheetView:
    """The differences sheet: ``value`` and ``baseline_value`` split into two
    numbers each (a range's ends), the status in words (``cao hơn mức quốc
    gia`` when the row's baseline is a national programme), percentages as
    fractions.  A baseline value given in another unit is shown without one."""
    import pandas as pd

    rows = rows_of(diffs)
    columns: list[str] = []
    for c in diffs.columns:
        columns.append(str(c))
        if c in ("value", "baseline_value"):
            columns.append(f"{c}_max")
    out_rows, at_most, base_units = [], [], []
    label = functools.lru_cache(maxsize=None)(L.column_label)   # a few columns, named once each
    for r in rows:
        row = dict(r)
        low_at_most = False
        for col in ("value", "baseline_value"):
            parsed = parse_value_text(r.get(col))
            if parsed:
                row[col], row[f"{col}_max"] = parsed[0], parsed[1]
                if col == "value":
                    low_at_most = parsed[2]
            else:
                row[f"{col}_max"] = None
        row["status"] = L.status(r.get("status"), national=bool(national.get(str(r.get("baseline")))))
        row["baseline"] = label(r.get("baseline")) if isinstance(r.get("baseline"), str) else r.get("baseline")
        row["document"] = label(r["document"]) if isinstance(r.get("document"), str) else L.column_label(r.get("document"))
        at_most.append(low_at_most)
        base_units.append(None if r.get("status") == "different unit" else r.get("unit"))
        out_rows.append(row)
    df = pd.DataFrame(out_rows, columns=columns)
    view = data_view("differences", df, L, at_most=at_most)
    # the baseline's value in its own unit: none is known when the units differ
    for col in ("baseline_value", "baseline_value_max"):
        shown = L.column(col)
        values = df[col].tolist()
        view.frame[shown] = [cell_number(v, base_units[i]) if _is_number(v) else v for i, v in enumerate(values)]
        view.formats[shown] = [number_format(v, base_units[i], L=L) if _is_number(v) else None
                               for i, v in enumerate(values)]
    return view


def national_baselines(comparison: Comparison) -> dict[str, bool]:
    """Column label -> whether that baseline is a national programme (built
    in, or a central document), for the statuses' words."""
    out = {}
    for row in rows_of(comparison.columns):
        if row["role"] == "baseline":
            out[str(row["column"])] = str(row["doc_id"]).startswith("builtin:") or row.get("admin_level") == "central"
    return out


def columns_view(columns: pd.DataFrame, L: Labels) -> SheetView:
    """The sheet describing the comparison's columns: labels and roles in words."""
    df = columns.copy()
    df["column"] = [L.column_label(c) for c in df["column"].tolist()]
    df["role"] = [L.code("role", r) for r in df["role"].tolist()]
    return data_view("columns", df, L)


def _comment(ts: list[dict[str, Any]], L: Labels) -> str:
    parts = []
    for t in ts:
        if str(t["doc_id"]).startswith("builtin:"):
            where = L.ui("builtin.where")
        else:
            where = L.ui("xlsx.evidence.where", doc_id=t["doc_id"], start=t["evidence_start"], end=t["evidence_end"])
        head = f"{L.value(t['value'], t['value_max'], t.get('direction'), t.get('unit'))}: " if len(ts) > 1 else ""
        parts.append(f"{head}{t['evidence_text']}\n{where}")
    return "\n\n".join(parts)


def _headings(info: Mapping[str, Any], L: Labels) -> tuple[str, str, str]:
    from .columns import LOCAL_LEVELS, is_national
    from .compare import BASELINE_ROLE

    def text(key: str) -> str | None:
        v = info.get(key)
        return None if _missing(v) or not str(v).strip() else str(v)

    province, level = text("province"), text("admin_level")
    if province is None:
        province = L.ui("xlsx.national") if level == "central" or is_national(info) else L.ui("xlsx.unknown")
    level_text = L.code("level", level) if level else L.ui("xlsx.unknown")
    district = text("district")
    if level in LOCAL_LEVELS and district:
        level_text = f"{level_text}: {district}"
    if info.get("role") == BASELINE_ROLE:
        level_text += f" ({L.ui('baseline.tag')})"
    return province, text("province_2025") or "", level_text


def comparison_view(comparison: Comparison, L: Labels) -> ComparisonView:
    """The comparison sheet as shown: key columns by name, one number per
    cell where the document sets one value (a percentage as a fraction),
    else the text as readers write it."""
    import pandas as pd

    from .compare import BASELINE_ROLE, KEY_COLUMNS, VALUE_SEPARATOR

    table = comparison.table
    info = {row["column"]: row for row in rows_of(comparison.columns)}
    namers = {"sector": L.sector, "indicator": L.indicator, "tier": L.tier}
    cells: dict[str, list[Any]] = {}
    formats: dict[tuple[int, str], str] = {}
    comments: dict[tuple[int, str], str] = {}
    shown_of = {c: (L.column(c) if c in KEY_COLUMNS else L.column_label(c)) for c in table.columns}
    for col in table.columns:
        shown = shown_of[col]
        if col in namers:
            cells[shown] = [namers[col](v) for v in table[col].tolist()]
        elif col == "year":
            cells[shown] = table[col].tolist()
        elif col == "group":
            cells[shown] = [v if isinstance(v, str) and v else None for v in table[col].tolist()]
        else:
            values: list[Any] = []
            for pos in range(len(table)):
                ts = comparison.cells.get((pos, col))
                if not ts:
                    values.append(None)
                    continue
                comments[(pos, shown)] = _comment(ts, L)
                texts = list(dict.fromkeys(
                    L.value(t["value"], t["value_max"], t.get("direction"), t.get("unit")) for t in ts))
                units = {t.get("unit") for t in ts}
                t = ts[0]
                single = (len(texts) == 1 and len(units) == 1
                          and (t["value_max"] is None or t["value_max"] != t["value_max"]
                               or float(t["value_max"]) == float(t["value"])))
                if single:
                    values.append(cell_number(t["value"], t.get("unit")))
                    formats[(pos, shown)] = number_format(float(t["value"]), t.get("unit"),
                                                          at_most=t.get("direction") == "at_most", L=L)
                else:
                    values.append(VALUE_SEPARATOR.join(texts))
            cells[shown] = values
    for pos in range(len(table)):
        formats[(pos, L.column("year"))] = "0"
    frame = pd.DataFrame(cells, columns=[shown_of[c] for c in table.columns])
    value_cols = [c for c in table.columns if c in info]
    return ComparisonView(
        name=sheet_name("comparison", L), frame=frame, n_keys=len(KEY_COLUMNS), formats=formats,
        header_titles=(L.ui("xlsx.header.province"), L.ui("xlsx.header.province_2025"), L.ui("xlsx.header.level")),
        headings={shown_of[c]: _headings(info[c], L) for c in value_cols},
        baseline={shown_of[c]: info[c]["role"] == BASELINE_ROLE for c in value_cols},
        comments=comments,
    )
