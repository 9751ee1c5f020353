"""The comparison table: documents side by side, one row per target slot.

One row per (sector, indicator, tier, year, group); one column per document,
headed by a label an analyst recognises; each cell the value, or the range,
that document sets for that slot.  ``group`` is empty (``None``) but for a
criteria table's groups that are not tiers (``Nhóm 1``, ``Nhóm 2``): each gets
a row of its own, compared with the same group of the baseline.

Columns are grouped by place and level.  The **baseline** comes first: by
default the national programme in the batch (:func:`~pipeline.outputs.columns.select_baseline`), or any
document named by ``baseline=DOC_ID`` (a province's plan as the baseline for
its districts).  The other documents follow, national ones first, then by
province (grouped by the province they belong to since 1 July 2025, so a
merged province's plans sit together), then level (the province's own plan
before its departments', districts', communes' and schools'), then district.

When the batch has no national document, each plan is compared with the
national programme it cites, from the facts shipped in ``rules/baselines/``
(:mod:`pipeline.outputs.baselines`): a baseline column per programme used, labelled
``1520/QĐ-TTg (built in)``; ``baseline="1520/QĐ-TTg"`` names one for all.

Labels say where a document is from and at what level: ``Hải Phòng ·
12/KH-UBND`` for a province's plan, ``Hải Phòng · Ngô Quyền (district) ·
68/KH-UBND`` for a district's plan in that province, ``206/QĐ-TTg`` for a
national document.

:func:`differences` sets every local value against the baseline: ``+10``
``above baseline``, ``−20`` ``below baseline`` (ranges compare by their low
end), and says ``no baseline value`` where the baseline sets nothing for that
slot rather than guessing one.

>>> from pipeline.models import DocumentRecord, Evidence, Target
>>> ev = Evidence("đạt 12 - 15%", 0, 12)
>>> rec = DocumentRecord("a", "a.txt", "0", province="Đắk Nông", number="149/KH-UBND",
...                      targets=[Target("library", "lib.service", None, "district", 2025, None,
...                                      12.0, 15.0, "percent", False, "at_least", ev)])
>>> table = compare([rec])
>>> list(table.columns)
['sector', 'indicator', 'tier', 'year', 'group', 'Đắk Nông · 149/KH-UBND']
>>> table.to_dict("records")
[{'sector': 'library', 'indicator': 'lib.service', 'tier': 'district', 'year': 2025, 'group': None, 'Đắk Nông · 149/KH-UBND': '12–15'}]
"""
from __future__ import annotations

import functools
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from collections.abc import Callable, Iterable, Mapping, Sequence

from .columns import LOCAL_LEVELS, _text, document_labels, is_national, national_documents, select_baseline
from .format import format_value, is_missing
from .tables import record_frames, rows_of

if TYPE_CHECKING:  # pandas is imported lazily: ``import pipeline`` stays light
    import pandas as pd

    from .baselines import Builtin
    from ..models import DocumentRecord

__all__ = [
    "compare", "differences", "build_comparison", "Comparison",
    "KEY_COLUMNS", "DIFFERENCE_COLUMNS", "COLUMN_INFO_COLUMNS",
]

#: The columns that identify a row of the comparison table.
KEY_COLUMNS = ("sector", "indicator", "tier", "year", "group")

#: Columns of the differences table: one row per distinct value a local
#: (non-baseline) document sets for a slot.
DIFFERENCE_COLUMNS = (
    "sector", "indicator", "tier", "year", "group", "document", "doc_id", "province", "province_2025",
    "district", "admin_level", "value", "unit", "baseline", "baseline_value", "difference",
    "status", "evidence_text",
)

#: Columns of the table describing the comparison's value columns.
COLUMN_INFO_COLUMNS = (
    "column", "role", "doc_id", "province", "province_2025", "district", "admin_level",
    "doc_type", "number", "issuing_body", "n_targets",
)

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
#: Order of documents' administrative levels within a province.
LEVEL_ORDER = ("central", "province", "department", "district", "commune", "school")

#: Joins several different values one document gives for the same slot.
VALUE_SEPARATOR = "; "

#: ``status`` of a row of the differences table.
ABOVE = "above baseline"
BELOW = "below baseline"
SAME = "same as baseline"
NO_BASELINE_VALUE = "no baseline value"
NO_BASELINE = "no baseline document"
OTHER_UNIT = "different unit"
SEVERAL_BASELINE_VALUES = "several baseline values"

#: ``role`` of a value column.
BASELINE_ROLE = "baseline"
COMPARED_ROLE = "compared"


def _order(order: tuple[str, ...]) -> Callable[[Any], tuple[int, str]]:
    rank = {code: i for i, code in enumerate(order)}

    def key(code: Any) -> tuple[int, str]:
        return (rank.get(code, len(order)), "" if code is None else str(code))
    return key


def collation_key(text: Any) -> tuple[str, str]:
    """Sort key for Vietnamese names, the same on every machine: accents and
    ``đ`` are ignored first (``Đắk Nông`` sorts with the Ds), then break ties.

    >>> sorted(["Hà Nội", "Đắk Nông", "Bình Dương", "Đà Nẵng"], key=collation_key)
    ['Bình Dương', 'Đà Nẵng', 'Đắk Nông', 'Hà Nội']
    """
    s = "" if is_missing(text) else str(text)
    folded = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).casefold()
    return (folded, s)


# --------------------------------------------------------------------------
# The comparison
# --------------------------------------------------------------------------

@dataclass
class Comparison:
    """Everything :func:`build_comparison` works out, for the tables and the exports."""

    #: The comparison table: :data:`KEY_COLUMNS`, then one column per document
    #: (the baseline's first), cells as text (``60``, ``12–15``, ``≤5``, ``60; 70``).
    table: pd.DataFrame
    #: One row per value column of ``table``: :data:`COLUMN_INFO_COLUMNS`.
    columns: pd.DataFrame
    #: One row per local value: :data:`DIFFERENCE_COLUMNS`.
    differences: pd.DataFrame
    #: doc_id and label of the baseline, ``None`` when there is none.
    baseline: str | None = None
    baseline_label: str | None = None
    #: (row position in ``table``, column label) -> the targets behind that cell,
    #: as rows of the targets table, in text order.
    cells: dict[tuple[int, str], list[dict[str, Any]]] = field(default_factory=dict)
    #: The built-in programmes (``rules/baselines/``) with a column, in column order.
    builtins: tuple[Builtin, ...] = ()
    #: Label of every compared column -> the baseline columns it was compared
    #: with (the batch's baseline for all, or the built-in programmes it cites).
    compared_with: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def baseline_labels(self) -> tuple[str, ...]:
        """Labels of the baseline columns: the batch's baseline document, or
        the built-in programmes used (``1520/QĐ-TTg (built in)``)."""
        if self.baseline_label is not None:
            return (self.baseline_label,)
        return tuple(b.label for b in self.builtins)

    def describe_baselines(self) -> str:
        """What the comparison measured against, in one line (run summaries):
        ``1520/QĐ-TTg (built in): 2 documents`` or the batch's baseline."""
        if self.baseline_label is not None:
            return f"{self.baseline_label}  ({self.baseline})"
        if not self.builtins:
            return ""
        uses: dict[str, list[str]] = {}
        for compared, bases in self.compared_with.items():
            for base in bases:
                uses.setdefault(base, []).append(compared)
        parts = []
        for b in self.builtins:
            names = uses.get(b.label, [])
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            parts.append(f"{b.label}: {len(names)} document{'' if len(names) == 1 else 's'}"
                         + (f" ({shown})" if names else ""))
        return "; ".join(parts)

    def multiindex(self) -> pd.DataFrame:
        """``table`` with a column MultiIndex (province, level, document); the
        key columns are ``("", "", "sector")`` etc., national documents have
        province ``national``, the baseline's level reads ``… (baseline)``."""
        import pandas as pd

        info = {row["column"]: row for row in rows_of(self.columns)}
        tuples = []
        for col in self.table.columns:
            if col in info:
                tuples.append(group_header(info[col]) + (col,))
            else:
                tuples.append(("", "", col))
        out = self.table.copy()
        out.columns = pd.MultiIndex.from_tuples(tuples, names=["province", "level", "document"])
        return out


def group_header(info: Mapping[str, Any]) -> tuple[str, str]:
    """(province, level) headings of a value column described by a row of
    :attr:`Comparison.columns`."""
    province = _text(info.get("province"))
    level = _text(info.get("admin_level"))
    if province is None:
        province = "national" if level == "central" or is_national(info) else "unknown"
    level_text = level or "unknown"
    district = _text(info.get("district"))
    if level in LOCAL_LEVELS and district:
        level_text = f"{level}: {district}"
    if info.get("role") == BASELINE_ROLE:
        level_text += " (baseline)"
    return province, level_text


FramesOrRecords = Mapping[str, "pd.DataFrame"] | Iterable["DocumentRecord"]

#: A row of the comparison: (sector, indicator, tier, year, group), as
#: :data:`KEY_COLUMNS`; ``None`` where a target leaves it empty.
Slot = tuple[str | None, str | None, str | None, int | None, str | None]


def slot_of(t: Mapping[str, Any]) -> Slot:
    """The comparison row of a row of the targets table (one written before
    ``group`` existed has no such column: no group)."""
    def get(key: str) -> Any:
        value = t.get(key)
        if value is None or value.__class__ is str:
            return value
        return None if is_missing(value) else value

    year = get("year")
    return get("sector"), get("indicator"), get("tier"), (None if year is None else int(year)), get("group")



def slot_order(key: Slot) -> tuple[Any, ...]:
    """The comparison's row order: SCHEMA.md's order of sector, indicator and
    tier codes, then the year (no year last), then the group (no group first)."""
    return (_order(SECTOR_ORDER)(key[0]), _order(INDICATOR_ORDER)(key[1]), _order(TIER_ORDER)(key[2]),
            (key[3] is None, key[3] or 0), (key[4] is not None, key[4] or ""))

def _frames(frames_or_records: FramesOrRecords) -> Mapping[str, pd.DataFrame]:
    if isinstance(frames_or_records, Mapping):
        return frames_or_records
    return record_frames(frames_or_records)


#: Sort key of a value column: (national 0 / province 1 / unknown 2, province
#: since 2025, province, level, district, doc_id).
ColumnOrder = tuple[int, tuple[str, str], tuple[str, str], tuple[int, str], tuple[str, str], str]


def _column_order(doc: Mapping[str, Any]) -> ColumnOrder:
    province = _text(doc.get("province"))
    level = _text(doc.get("admin_level"))
    if province is None:
        group = 0 if (level == "central" or is_national(doc)) else 2
    else:
        group = 1
    p2025 = _text(doc.get("province_2025")) or province
    return (group, collation_key(p2025), collation_key(province), _order(LEVEL_ORDER)(level),
            collation_key(doc.get("district")), str(doc["doc_id"]))


def _resolve_baseline(frames: Mapping[str, pd.DataFrame],
                      baseline: str | None) -> tuple[str | None, Builtin | None, bool]:
    """(batch baseline doc_id, fixed built-in, cite built-ins per document?).

    A name that is a doc_id of the batch wins over a built-in programme of
    the same name."""
    from .baselines import find

    if baseline is None:
        return None, None, False
    if baseline == "auto":
        found = national_documents(frames)
        return (found[0], None, False) if found else (None, None, True)
    ids = {str(d) for d in frames["documents"]["doc_id"].tolist()}
    if baseline not in ids:
        builtin = find(baseline)
        if builtin is not None:
            return None, builtin, False
    return select_baseline(frames, baseline), None, False


def _cited_builtins(frames: Mapping[str, pd.DataFrame]) -> dict[str, list[Builtin]]:
    """doc_id -> the built-in programmes it cites, in citation order."""
    from .baselines import cited

    references = frames.get("references")
    out: dict[str, list[Builtin]] = {}
    if references is None or not len(references):
        return out
    by_doc: dict[str, list[dict[str, Any]]] = {}
    ordered = references.sort_values(["doc_id", "evidence_start"], kind="stable", na_position="last")
    for ref in rows_of(ordered[["doc_id", "number", "date"]]):
        by_doc.setdefault(str(ref["doc_id"]), []).append(
            {"number": _text(ref["number"]), "date": _text(ref["date"])})
    for doc_id, refs in by_doc.items():
        found = cited(refs)
        if found:
            out[doc_id] = found
    return out



@dataclass
class ColumnPlan:
    """The comparison's document columns before any cell is filled: the first
    record of each ``doc_id`` (``first``), the ids in column order (the
    baseline document first), the built-in programmes used as baselines, and
    what each document's column is compared with (baseline labels); the
    baseline document's label, if any."""

    first: dict[str, dict[str, Any]]
    ordered_ids: list[str]
    builtins: list[Builtin]
    compared_with: dict[str, tuple[str, ...]]
    baseline_label: str | None


def plan_columns(docs: Iterable[Mapping[str, Any]], labels: Mapping[str, str], baseline_id: str | None,
                 fixed: Builtin | None, cites: Mapping[str, list[Builtin]]) -> ColumnPlan:
    """Order the documents' columns and decide each one's baseline: the batch's
    baseline document when there is one, else the fixed built-in programme,
    else the built-ins the document cites (``cites``, by doc_id).  Used by
    :func:`build_comparison` and by the dataset's streamed comparison."""
    first: dict[str, dict[str, Any]] = {}
    for d in docs:
        first.setdefault(str(d["doc_id"]), dict(d))
    ordered_ids = sorted(first, key=lambda i: ((i != baseline_id), _column_order(first[i])))
    baseline_label = labels.get(baseline_id) if baseline_id is not None else None
    builtins: list[Builtin] = [fixed] if fixed is not None else []
    compared_with: dict[str, tuple[str, ...]] = {}
    for doc_id in ordered_ids:
        if doc_id == baseline_id:
            continue
        if baseline_label is not None:
            bases = [baseline_label]
        elif fixed is not None:
            bases = [fixed.label]
        else:
            bases = []
            for b in cites.get(doc_id, []):
                if b not in builtins:
                    builtins.append(b)
                bases.append(b.label)
        compared_with[labels[doc_id]] = tuple(bases)
    return ColumnPlan(first, ordered_ids, builtins, compared_with, baseline_label)


def build_comparison(frames_or_records: FramesOrRecords, baseline: str | None = "auto") -> Comparison:
    """The comparison, its column descriptions and the differences from the baseline.

    ``baseline`` is ``"auto"``, ``None`` (no baseline), a ``doc_id`` of the
    batch (see :func:`~pipeline.outputs.columns.select_baseline`) or the number of a built-in programme
    (``"1520/QĐ-TTg"``, :mod:`pipeline.outputs.baselines`), which every document is
    then compared with.  ``"auto"`` takes the national programme of the
    batch; when the batch has none, each document is compared with the
    built-in programmes it cites (the first that sets a value for the row),
    and each of those gets a baseline column labelled ``1520/QĐ-TTg (built in)``.

    Rows: every (sector, indicator, tier, year, group) some document has a target
    for, in SCHEMA.md's order of codes, then by year (no year last), then
    by group (no group first).
    Columns: those five (``group`` empty but for a criteria table's groups
    that are not tiers), then the baseline(s) (always, even one that sets no
    target), then every other document with at least one target, grouped as
    the module says.  A cell is ``""`` when the document sets nothing for
    that row; several different values for one slot are joined by ``"; "``
    in text order.
    """
    import pandas as pd

    frames = _frames(frames_or_records)
    targets: pd.DataFrame = frames["targets"]
    documents: pd.DataFrame = frames["documents"]
    baseline_id, fixed, by_citation = _resolve_baseline(frames, baseline)

    with_targets = set(targets["doc_id"]) if len(targets) else set()
    all_docs = rows_of(documents)
    docs = [d for d in all_docs if d["doc_id"] in with_targets or d["doc_id"] == baseline_id]
    labels = document_labels(docs)
    cites = _cited_builtins(frames) if by_citation else {}
    plan = plan_columns(docs, labels, baseline_id, fixed, cites)
    first, ordered_ids, builtins, compared_with = plan.first, plan.ordered_ids, plan.builtins, plan.compared_with
    baseline_label = plan.baseline_label
    builtin_frames = _builtin_frames(builtins)

    columns = [b.label for b in builtins] + [labels[i] for i in ordered_ids]

    # cells: slot -> label -> targets
    slots: dict[Slot, dict[str, list[dict[str, Any]]]] = {}
    sources: list[tuple[str | None, pd.DataFrame]] = [(None, targets)]
    sources += [(b.label, builtin_frames[b.id]["targets"]) for b in builtins]
    for label, frame in sources:
        if not len(frame):
            continue
        rows_in_order = frame.sort_values(["doc_id", "evidence_start", "evidence_end"], kind="stable")
        for t in rows_of(rows_in_order):
            key = slot_of(t)
            col = label if label is not None else labels.get(str(t["doc_id"]))
            if col is None:
                continue
            slots.setdefault(key, {}).setdefault(col, []).append(t)

    keys = sorted(slots, key=slot_order)
    rows: list[dict[str, Any]] = []
    cells: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for pos, key in enumerate(keys):
        row: dict[str, Any] = dict(zip(KEY_COLUMNS, key, strict=True))
        for col in columns:
            ts = slots[key].get(col, [])
            row[col] = VALUE_SEPARATOR.join(_distinct_texts(ts))
            if ts:
                cells[(pos, col)] = ts
        rows.append(row)
    table = pd.DataFrame(rows, columns=list(KEY_COLUMNS) + columns)
    table["year"] = table["year"].astype("Int64")

    info_rows = []
    for b in builtins:
        d = rows_of(builtin_frames[b.id]["documents"])[0]
        info_rows.append(_info_row(b.label, BASELINE_ROLE, d, len(b.targets)))
    n_targets = Counter(targets["doc_id"].tolist()) if len(targets) else Counter()
    for doc_id in ordered_ids:
        info_rows.append(_info_row(labels[doc_id], BASELINE_ROLE if doc_id == baseline_id else COMPARED_ROLE,
                                   first[doc_id], n_targets[doc_id]))
    info = pd.DataFrame(info_rows, columns=list(COLUMN_INFO_COLUMNS))
    info["n_targets"] = info["n_targets"].astype("Int64")
    for col in COLUMN_INFO_COLUMNS:
        if col != "n_targets":
            info[col] = info[col].astype("object")

    diffs = _differences(keys, slots, info_rows, compared_with)
    return Comparison(table=table, columns=info, differences=diffs, baseline=baseline_id,
                      baseline_label=baseline_label, cells=cells, builtins=tuple(builtins),
                      compared_with=compared_with)


def _info_row(label: str, role: str, d: Mapping[str, Any], n_targets: int) -> dict[str, Any]:
    return {
        "column": label, "role": role, "doc_id": str(d["doc_id"]), "province": _text(d.get("province")),
        "province_2025": _text(d.get("province_2025")), "district": _text(d.get("district")),
        "admin_level": _text(d.get("admin_level")), "doc_type": _text(d.get("doc_type")),
        "number": _text(d.get("number")), "issuing_body": _text(d.get("issuing_body")),
        "n_targets": n_targets,
    }


def _builtin_frames(builtins: Iterable[Builtin]) -> dict[str, Mapping[str, pd.DataFrame]]:
    """id -> the tables of a built-in programme's record (targets, documents)."""
    return {b.id: record_frames([b.record()]) for b in builtins}


def _value_text(t: Mapping[str, Any]) -> str:
    """A target row's value as the comparison writes it (:func:`~pipeline.outputs.format.format_value`)."""
    value, value_max, direction = t["value"], t["value_max"], t.get("direction")
    if value_max.__class__ is float and value_max != value_max:
        value_max = None                      # NaN, as the tables have it: written as None is
    if (_plain(value) and (value_max is None or _plain(value_max))
            and (direction is None or direction.__class__ is str)):
        return _plain_value_text(value, value_max, direction)
    return format_value(value, value_max, direction)


def _plain(x: Any) -> bool:
    """An int or float that is a number (not NaN): equal ones (``1``, ``1.0``) are written alike."""
    return (x.__class__ is float and x == x) or x.__class__ is int


@functools.lru_cache(maxsize=1 << 14)
def _plain_value_text(value: float, value_max: float | None, direction: str | None) -> str:
    return format_value(value, value_max, direction)


def _distinct_texts(ts: Iterable[Mapping[str, Any]]) -> list[str]:
    out: list[str] = []
    for t in ts:
        text = _value_text(t)
        if text not in out:
            out.append(text)
    return out



#: One local value set against its baseline: the target row, its value as
#: written in the comparison, the baseline chosen (a column label or None),
#: the baseline's values as text (None when empty), the difference, the status.
Compared = tuple[Mapping[str, Any], str, "str | None", "str | None", "float | None", str]


def compare_values(ts: Iterable[Mapping[str, Any]], bases: Sequence[str],
                   cell: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[Compared]:
    """The difference rows of one document's targets ``ts`` in one comparison
    row: the first of its baselines ``bases`` that sets a value there (in
    ``cell``, the row's targets by column label) is the one compared with;
    each distinct written value once."""
    if not ts:
        return []               # nothing to compare: the baseline need not be looked at
    chosen = next((b for b in bases if cell.get(b)), bases[0] if bases else None)
    base_ts = cell.get(chosen, []) if chosen else []
    base_text = VALUE_SEPARATOR.join(_distinct_texts(base_ts))
    base_values = {(float(t["value"]), t.get("unit")) for t in base_ts}
    seen: set[str] = set()
    out: list[Compared] = []
    for t in ts:
        text = _value_text(t)
        if text in seen:
            continue
        seen.add(text)
        diff: float | None = None
        if chosen is None:
            status = NO_BASELINE
        elif not base_ts:
            status = NO_BASELINE_VALUE
        elif len({v for v, _ in base_values}) > 1:
            status = SEVERAL_BASELINE_VALUES
        elif any(u != t.get("unit") for _, u in base_values):
            status = OTHER_UNIT
        else:
            diff = round(float(t["value"]) - next(iter(base_values))[0], 6)
            status = ABOVE if diff > 0 else BELOW if diff < 0 else SAME
        out.append((t, text, chosen, base_text or None, diff, status))
    return out


def _differences(keys: list[Slot], slots: Mapping[Slot, Mapping[str, list[dict[str, Any]]]],
                 info_rows: list[dict[str, Any]], compared_with: Mapping[str, tuple[str, ...]]) -> pd.DataFrame:
    """One row per distinct local value.  Each is compared with the first of
    its document's baselines that sets a value for the row (the only one
    when the batch has a baseline document); ``baseline`` names it."""

    rows = []
    for key in keys:
        cell = slots[key]
        for info in info_rows:
            if info["role"] == BASELINE_ROLE:
                continue
            compared = compare_values(cell.get(info["column"], []), compared_with.get(info["column"], ()), cell)
            for t, text, chosen, base_text, diff, status in compared:
                rows.append({
                    **dict(zip(KEY_COLUMNS, key, strict=True)),
                    "document": info["column"], "doc_id": info["doc_id"], "province": info["province"],
                    "province_2025": info["province_2025"], "district": info["district"],
                    "admin_level": info["admin_level"], "value": text, "unit": t.get("unit"),
                    "baseline": chosen, "baseline_value": base_text,
                    "difference": diff, "status": status, "evidence_text": t.get("evidence_text"),
                })
    return differences_frame(rows)


def differences_frame(rows: Iterable[Mapping[str, Any]] | Iterable[Sequence[Any]]) -> pd.DataFrame:
    """``differences.csv``'s table of ``rows`` (dicts, or tuples in
    :data:`DIFFERENCE_COLUMNS` order), with its column types."""
    import pandas as pd

    df = pd.DataFrame(list(rows), columns=list(DIFFERENCE_COLUMNS))
    df["year"] = df["year"].astype("Int64")
    df["difference"] = df["difference"].astype("float64")
    for col in DIFFERENCE_COLUMNS:
        if col not in ("year", "difference"):
            df[col] = df[col].astype("object")
    return df


def compare(frames_or_records: FramesOrRecords, baseline: str | None = "auto") -> pd.DataFrame:
    """The comparison table from :func:`pipeline.outputs.frames.to_frames` output or records.

    Rows: every (sector, indicator, tier, year, group) some document has a target
    for, in SCHEMA.md's order of codes, then by year and group.  Columns: those five,
    then the baseline document's (``baseline``: ``"auto"`` for the national
    programme in the batch, ``None`` for none, or a ``doc_id``), then one per
    other document with at least one target, grouped by province and level.
    A cell is ``""`` when the document sets nothing for that row; several
    different values for one slot are joined by ``"; "`` in text order.
    See :func:`build_comparison` for the column descriptions and differences.
    """
    return build_comparison(frames_or_records, baseline).table


def differences(frames_or_records: FramesOrRecords, baseline: str | None = "auto") -> pd.DataFrame:
    """Every local value against the baseline: :data:`DIFFERENCE_COLUMNS`.

    ``difference`` is the local value minus the baseline's (low ends for
    ranges; a float, shown ``+10``/``−20`` in CSV) and ``status`` says
    ``above baseline``, ``below baseline`` or ``same as baseline``; or, with
    no difference, ``no baseline value`` (the baseline sets nothing for that
    slot), ``several baseline values``, ``different unit``, or ``no baseline
    document`` (the batch has none and none was named).
    """
    return build_comparison(frames_or_records, baseline).differences
