"""The comparison table: documents side by side, one row per target slot.

One row per (sector, indicator, tier, year); one column per document that has
targets, headed by a label an analyst recognises (``Đắk Nông · 149/KH-UBND``);
each cell the value, or the range, that document sets for that slot.

>>> from pipeline.models import DocumentRecord, Evidence, Target
>>> ev = Evidence("đạt 12 - 15%", 0, 12)
>>> rec = DocumentRecord("a", "a.txt", "0", province="Đắk Nông", number="149/KH-UBND",
...                      targets=[Target("library", "lib.service", None, "district", 2025, None,
...                                      12.0, 15.0, "percent", False, "at_least", ev)])
>>> table = compare([rec])
>>> list(table.columns)
['sector', 'indicator', 'tier', 'year', 'Đắk Nông · 149/KH-UBND']
>>> table.to_dict("records")
[{'sector': 'library', 'indicator': 'lib.service', 'tier': 'district', 'year': 2025, 'Đắk Nông · 149/KH-UBND': '12–15'}]
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional, Union

if TYPE_CHECKING:  # pandas is imported lazily: ``import pipeline`` stays light
    import pandas as pd

    from .models import DocumentRecord

__all__ = ["compare", "document_labels", "format_value", "KEY_COLUMNS"]

#: The columns that identify a row of the comparison table.
KEY_COLUMNS = ("sector", "indicator", "tier", "year")

#: Display orders (SCHEMA.md's order); codes not listed sort after, alphabetically.
SECTOR_ORDER = ("library", "museum", "culture", "other")
INDICATOR_ORDER = (
    "lib.service", "lib.digital", "lib.users_growth", "museum.education", "museum.visitors_growth",
    "culture.activities", "culture.clubs", "culture.facilities", "culture.participation", "other",
)
TIER_ORDER = (
    "province", "district", "commune", "village", "school", "university", "specialized",
    "armed_forces", "community", "urban", "rural", "all",
)

#: Joins the province and the number in a column label.
LABEL_SEPARATOR = " · "
#: Joins the ends of a range in a cell.
RANGE_DASH = "–"
#: Joins several different values one document gives for the same slot.
VALUE_SEPARATOR = "; "


def format_number(x: Any) -> str:
    """A number as an analyst writes it: no trailing ``.0``, a decimal dot.

    >>> format_number(60.0), format_number(99.7), format_number(12), format_number(0.1 + 0.2)
    ('60', '99.7', '12', '0.3')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    f = float(x)
    if f.is_integer():
        return str(int(f))
    return format(round(f, 6), "g") if abs(f) < 1e15 else repr(f)


def format_value(value: Any, value_max: Any = None, direction: Optional[str] = None) -> str:
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


def _order(order: tuple[str, ...]):
    rank = {code: i for i, code in enumerate(order)}

    def key(code: Any) -> tuple[int, str]:
        return (rank.get(code, len(order)), "" if code is None else str(code))
    return key


def document_labels(docs: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """A unique, readable column label per document, keyed by ``doc_id``.

    ``province · number`` when both are known; the number alone for a central
    document; ``province · doc_id`` for a draft without a number; ``doc_id``
    otherwise.  Labels that would repeat get `` (doc_id)`` appended, then
    ``#2``, ``#3`` … if even that repeats.

    >>> document_labels([{"doc_id": "a", "province": "Hải Phòng", "number": "12/KH-UBND"},
    ...                  {"doc_id": "b", "province": None, "number": "206/QĐ-TTg"},
    ...                  {"doc_id": "c", "province": None, "number": None}])
    {'a': 'Hải Phòng · 12/KH-UBND', 'b': '206/QĐ-TTg', 'c': 'c'}
    """
    docs = list(docs)
    base: list[tuple[str, str]] = []
    for d in docs:
        doc_id = str(d["doc_id"])
        province, number = _text(d.get("province")), _text(d.get("number"))
        if province and number:
            label = f"{province}{LABEL_SEPARATOR}{number}"
        elif number:
            label = number
        elif province:
            label = f"{province}{LABEL_SEPARATOR}{doc_id}"
        else:
            label = doc_id
        base.append((doc_id, label))
    counts: dict[str, int] = {}
    for _, label in base:
        counts[label] = counts.get(label, 0) + 1
    out: dict[str, str] = {}
    used: set[str] = set()
    for doc_id, label in base:
        if counts[label] > 1 and label != doc_id:
            label = f"{label} ({doc_id})"
        candidate, n = label, 1
        while candidate in used:
            n += 1
            candidate = f"{label} #{n}"
        used.add(candidate)
        out.setdefault(doc_id, candidate)
    return out


def _text(value: Any) -> Optional[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    value = str(value).strip()
    return value or None


FramesOrRecords = Union[Mapping[str, "pd.DataFrame"], Iterable["DocumentRecord"]]


def compare(frames_or_records: FramesOrRecords) -> "pd.DataFrame":
    """The comparison table from :func:`pipeline.export.to_frames` output or records.

    Rows: every (sector, indicator, tier, year) some document has a target
    for, in SCHEMA.md's order of codes, then by year.  Columns: those four,
    then one per document with at least one target, in ``doc_id`` order.
    A cell is ``""`` when the document sets nothing for that row; several
    different values for one slot are joined by ``"; "`` in text order.
    """
    import pandas as pd

    if isinstance(frames_or_records, Mapping):
        frames = frames_or_records
    else:
        from .export import to_frames
        frames = to_frames(frames_or_records, comparison=False)
    targets: pd.DataFrame = frames["targets"]
    documents: pd.DataFrame = frames["documents"]

    with_targets = set(targets["doc_id"]) if len(targets) else set()
    docs = [row for row in documents.to_dict("records") if row["doc_id"] in with_targets]
    labels = document_labels(docs)
    columns = [labels[d["doc_id"]] for d in docs if labels.get(d["doc_id"])]
    columns = list(dict.fromkeys(columns))

    cells: dict[tuple, dict[str, list[str]]] = {}
    ordered = targets.sort_values(["doc_id", "evidence_start", "evidence_end"], kind="stable") \
        if len(targets) else targets
    for t in ordered.to_dict("records"):
        key = tuple(None if _is_missing(t[k]) else t[k] for k in KEY_COLUMNS)
        key = key[:3] + (int(key[3]) if key[3] is not None else None,)
        text = format_value(t["value"], t["value_max"], t.get("direction"))
        slot = cells.setdefault(key, {}).setdefault(labels[t["doc_id"]], [])
        if text not in slot:
            slot.append(text)

    sector_key, indicator_key, tier_key = _order(SECTOR_ORDER), _order(INDICATOR_ORDER), _order(TIER_ORDER)
    keys = sorted(cells, key=lambda k: (sector_key(k[0]), indicator_key(k[1]), tier_key(k[2]),
                                       (k[3] is None, k[3] or 0)))
    rows = []
    for key in keys:
        row: dict[str, Any] = dict(zip(KEY_COLUMNS, key))
        for col in columns:
            row[col] = VALUE_SEPARATOR.join(cells[key].get(col, []))
        rows.append(row)
    table = pd.DataFrame(rows, columns=list(KEY_COLUMNS) + columns)
    table["year"] = table["year"].astype("Int64")
    return table


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
