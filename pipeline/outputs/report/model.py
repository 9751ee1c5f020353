"""The report's view model: records as documents with their evidence marks,
and the comparison table as columns, rows and cells with links to them."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Iterable, Mapping, Sequence

from ...models import DocumentRecord, Evidence, Reference, Target
from ..annotate import written_span
from ..columns import document_labels
from ..compare import BASELINE_ROLE, KEY_COLUMNS, NO_BASELINE_VALUE, VALUE_SEPARATOR, Comparison, build_comparison
from ..labels import Labels
from ..records import from_json
from ..tables import rows_of, sort_records

RecordLike = DocumentRecord | Mapping[str, Any]

#: One colour per document column (cycled), so a document keeps its colour in every chart.
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
           "#17becf", "#7f7f7f", "#bcbd22")

# Difference classes: |difference| as a share of the scale (100 points for
# percentages, else the larger of the two values).
_DIFF_STEPS = (0.10, 0.25)


@dataclass
class _Doc:
    rec: DocumentRecord
    key: str                       # the <doc> of ids: doc-<key>, ev-<key>-<n>
    text: str | None
    label: str = ""
    error: str | None = None    # error code
    error_message: str | None = None
    spans: list[tuple[int, int, str]] = field(default_factory=list)   # placed: start, end, mark id
    loose: list[tuple[str, str]] = field(default_factory=list)        # not found: text, mark id
    target_marks: list[str] = field(default_factory=list)             # mark id of each target
    reference_marks: list[str] = field(default_factory=list)
    mark_titles: dict[str, list[str]] = field(default_factory=dict)   # mark id -> what was read there
    target_marks_set: set[str] = field(default_factory=set)
    values: list[tuple[int, int]] = field(default_factory=list)   # where each target's value is written
    # start, end, text -> id (looked up with a targets-table row's, whose cells may be empty)
    mark_by_evidence: dict[tuple[int | None, int | None, str | None], str] = field(default_factory=dict)

    @property
    def section_id(self) -> str:
        return f"doc-{self.key}"


def _prepare(records: Iterable[RecordLike], texts: Mapping[str, str], L: Labels) -> list[_Doc]:
    recs = sort_records(_as_record(r) for r in records)
    keys = _doc_keys([r.doc_id for r in recs])
    docs: list[_Doc] = []
    for rec, key in zip(recs, keys, strict=True):
        text = texts.get(rec.doc_id)
        if text is None:
            text = rec.text
        if text is not None and not isinstance(text, str):
            text = None
        doc = _Doc(rec=rec, key=key, text=text)
        doc.error, doc.error_message = _failure(rec)
        _place_evidence(doc, L)
        docs.append(doc)
    labels = document_labels({"doc_id": d.rec.doc_id, "province": d.rec.province, "number": d.rec.number,
                              "district": d.rec.district, "admin_level": d.rec.admin_level,
                              "issuing_body": d.rec.issuing_body, "issue_date": d.rec.issue_date}
                             for d in docs)
    seen: dict[str, int] = {}
    for d in docs:   # records sharing a doc_id share a label: number the repeats
        label = L.column_label(labels.get(d.rec.doc_id, d.rec.doc_id))
        seen[label] = seen.get(label, 0) + 1
        d.label = label if seen[label] == 1 else f"{label} #{seen[label]}"
    return docs


def _doc_keys(doc_ids: Sequence[str]) -> list[str]:
    """``doc_id`` reduced to ``[A-Za-z0-9_-]``, unique within the batch."""
    out, used = [], set()
    for doc_id in doc_ids:
        base = re.sub(r"[^A-Za-z0-9_-]+", "_", str(doc_id)).strip("_") or "doc"
        key, n = base, 1
        while key in used:
            n += 1
            key = f"{base}-{n}"
        used.add(key)
        out.append(key)
    return out


def _failure(rec: DocumentRecord) -> tuple[str | None, str | None]:
    err = rec.error   # a record read back from JSON has it too (outputs.records.from_json)
    if err is None or not err.code:
        return None, None
    return err.code, (err.message or None)


def _place_evidence(doc: _Doc, L: Labels) -> None:
    text = doc.text
    placed: dict[tuple[int, int], str] = {}
    loose: dict[str, str] = {}
    items: list[tuple[str, int, Evidence, str]] = []
    for i, t in enumerate(doc.rec.targets):
        items.append(("t", i, t.evidence, _target_summary(t, L)))
    for i, r in enumerate(doc.rec.references):
        items.append(("r", i, r.evidence, _reference_summary(r, L)))
    found = [(ev.start, ev.end) for _, _, ev, _ in items if _fits(text, ev)]
    for n, span in enumerate(sorted(set(found)), 1):
        placed[span] = f"ev-{doc.key}-{n}"
    n = len(placed)
    doc.target_marks = [""] * len(doc.rec.targets)
    doc.reference_marks = [""] * len(doc.rec.references)
    for kind, i, ev, summary in items:
        if _fits(text, ev):
            mark = placed[(ev.start, ev.end)]
        else:
            known = loose.get(ev.text)
            if known is None:
                n += 1
                known = loose[ev.text] = f"ev-{doc.key}-{n}"
            mark = known
        (doc.target_marks if kind == "t" else doc.reference_marks)[i] = mark
        doc.mark_by_evidence.setdefault((ev.start, ev.end, ev.text), mark)
        doc.mark_titles.setdefault(mark, []).append(summary)
        if kind == "t":
            doc.target_marks_set.add(mark)
    doc.spans = [(s, e, mark) for (s, e), mark in sorted(placed.items())]
    values: set[tuple[int, int]] = set()
    taken: dict[tuple[int, int], set[tuple[int, int]]] = defaultdict(set)   # evidence span -> values found
    for t in doc.rec.targets:
        ev_span = (t.evidence.start, t.evidence.end)
        at = written_span(t, t.evidence.text, taken[ev_span]) if _fits(text, t.evidence) else None
        if at is not None:
            taken[ev_span].add(at)
            values.add((t.evidence.start + at[0], t.evidence.start + at[1]))
    doc.values = sorted(values)
    doc.loose = [(t, mark) for t, mark in loose.items()]



def _fits(text: str | None, ev: Evidence) -> bool:
    return (text is not None and isinstance(ev.start, int) and isinstance(ev.end, int)
            and 0 <= ev.start <= ev.end <= len(text) and text[ev.start:ev.end] == ev.text)


def _target_summary(t: Target | Mapping[str, Any], L: Labels) -> str:
    """``Thư viện cung cấp dịch vụ học tập suốt đời · Cấp huyện · 2025: 60%``
    for a target or a row of the targets table."""
    get = t.get if isinstance(t, Mapping) else (lambda k: getattr(t, k))
    year = L.year(get("year")) or L.ui("no_year")
    group = _group(get("group"))
    tier = L.tier(get("tier")) + (f" ({group})" if group else "")
    return (f"{L.indicator(get('indicator'))} · {tier} · {year}: "
            f"{L.value(get('value'), get('value_max'), get('direction'), get('unit'))}")


def _reference_what(r: Reference, L: Labels) -> str:
    """``Quyết định 1520/QĐ-TTg 09/12/2022 Thủ tướng Chính phủ``."""
    return " ".join(x for x in (L.code("kind", r.kind), r.number, L.date(r.date), r.issuer) if x)


def _reference_summary(r: Reference, L: Labels) -> str:
    return f"{L.ui('cites')} {_reference_what(r, L)}"


def _as_record(obj: RecordLike) -> DocumentRecord:
    """A record, or the record of a ``to_json()`` dict (missing fields filled in)."""
    if isinstance(obj, DocumentRecord):
        return obj
    if not isinstance(obj, Mapping):
        raise TypeError(f"expected a DocumentRecord or a dict, got {type(obj).__name__}")
    return from_json(obj, strict=False)


# --------------------------------------------------------------------------
# The comparison table (pipeline.outputs.compare.build_comparison, with links)
# --------------------------------------------------------------------------

@dataclass
class _Column:
    label: str
    doc: _Doc
    index: int                     # colour index
    is_baseline: bool
    info: dict[str, Any]
    shown: str = ""                # the label as shown (the language's words); ``label`` is the key

    @property
    def colour(self) -> str:
        """The document's colour, the same in the table's head and in every chart."""
        return PALETTE[self.index % len(PALETTE)]

@dataclass
class _Cell:
    texts: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)   # shown, mark id, target row

    def units(self) -> set[str | None]:
        return {t.get("unit") for _, _, t in self.texts}


#: A comparison row's sector, indicator, tier and year (its group is :attr:`_Row.group`).
RowKey = tuple[str, str, str, int | None]


@dataclass
class _Row:
    key: RowKey
    cells: dict[int, _Cell]         # column position -> cell
    differences: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    group: str | None = None        # a criteria-table group that is not a tier (``Nhóm 1``)


def _group(value: Any) -> str | None:
    """A comparison row's group: ``None`` for the empty cells pandas gives."""
    return value if isinstance(value, str) and value else None


def _year_text(year: Any, L: Labels) -> str:
    """The year under a chart's bars: the year, or ``ui.no_year`` (``không rõ năm``)."""
    y = _int(year)
    return L.ui("no_year") if y is None else str(y)


def _int(value: Any) -> int | None:
    try:
        return None if value is None or value != value else int(value)
    except (TypeError, ValueError):
        return None


def _comparison_model(docs: list[_Doc], baseline_doc_id: str | None, L: Labels,
                      comparison: Comparison | None = None) -> tuple[Comparison, list[_Column], list[_Row], list[_Doc]]:
    """(comparison, columns, rows, built-in programmes as documents) for the documents;
    ``comparison`` is theirs when the caller has built it already."""
    if comparison is None:
        comparison = build_comparison([d.rec for d in docs],
                                      "auto" if baseline_doc_id is None else baseline_doc_id)
    by_id: dict[str, list[_Doc]] = defaultdict(list)
    for d in docs:
        by_id[d.rec.doc_id].append(d)
    builtin_docs = {b.doc_id: b for b in comparison.builtins}
    builtins: list[_Doc] = []
    columns: list[_Column] = []
    for i, info in enumerate(rows_of(comparison.columns)):
        if str(info["doc_id"]) in builtin_docs and not by_id.get(str(info["doc_id"])):
            # a built-in programme: shown as a document whose text says where each target stands
            b = builtin_docs[str(info["doc_id"])]
            rec = b.record()
            taken = [d.key for d in docs] + [d.key for d in builtins]
            built = _Doc(rec=rec, key=_doc_keys(taken + ["builtin-" + b.id])[-1], text=rec.text)
            _place_evidence(built, L)
            builtins.append(built)
            by_id[rec.doc_id].append(built)
        doc = by_id[str(info["doc_id"])][0]
        columns.append(_Column(str(info["column"]), doc, i, info.get("role") == BASELINE_ROLE, info,
                               L.column_label(info["column"])))
        doc.label = L.column_label(info["column"])
    position = {c.label: i for i, c in enumerate(columns)}

    # (sector, indicator, tier, year, group, document) -> rows of the differences (the columns read here)
    diffs: dict[tuple[str, str, str, int | None, str | None, str], list[dict[str, Any]]] = defaultdict(list)
    for drow in _records(comparison.differences, _DIFFERENCE_FIELDS):
        diffs[(drow["sector"], drow["indicator"], drow["tier"], _int(drow["year"]), _group(drow["group"]),
               drow["document"])].append(drow)

    # row position -> (column label, targets) of its filled cells, in column order
    filled: dict[int, list[tuple[str, list[dict[str, Any]]]]] = defaultdict(list)
    for (pos, label), targets in comparison.cells.items():
        if targets and label in position:
            filled[pos].append((label, targets))
    rows: list[_Row] = []
    for pos, trow in enumerate(_records(comparison.table, KEY_COLUMNS)):
        key: RowKey = (trow["sector"], trow["indicator"], trow["tier"], _int(trow["year"]))
        group = _group(trow["group"])
        row = _Row(key, {}, group=group)
        for label, targets in sorted(filled.get(pos, ()), key=lambda item: position[item[0]]):
            cell = _Cell()
            for t in targets:
                text = L.value(t["value"], t["value_max"], t.get("direction"))
                if all(text != shown for shown, _, _ in cell.texts):
                    cell.texts.append((text, _mark_of(by_id[str(t["doc_id"])], t), t))
            row.cells[position[label]] = cell
            if key + (group, label) in diffs:
                row.differences[position[label]] = diffs[key + (group, label)]
        rows.append(row)
    return comparison, columns, rows, builtins


#: The columns of the differences table the report reads.
_DIFFERENCE_FIELDS = ("sector", "indicator", "tier", "year", "group", "document", "difference", "status", "baseline")


def _records(df: Any, names: Sequence[str]) -> list[dict[str, Any]]:
    """The rows of ``df`` as dicts of only the columns ``names`` (a column it lacks: ``None``),
    read column by column (``Series.tolist()``), not row by row through every column as
    :func:`~pipeline.outputs.tables.rows_of` does.  The values are Python's, but a missing
    ``Int64`` (a year) is ``pd.NA``, not ``None``: the readers here (:func:`_int`,
    :func:`_group`, the NaN test of a difference) take either as no value."""
    n = len(df)
    values = [df[c].tolist() if c in df.columns else [None] * n for c in names]
    return [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]


def _mark_of(docs: list[_Doc], t: Mapping[str, Any]) -> str:
    """The mark of a row of the targets table (its document's evidence span)."""
    key = (_int(t.get("evidence_start")), _int(t.get("evidence_end")), t.get("evidence_text"))
    for d in docs:
        mark = d.mark_by_evidence.get(key)
        if mark is not None:
            return mark
    raise LookupError(f"no evidence mark for a target of {t.get('doc_id')!r} at {key[:2]}")


def _difference(row: _Row, pos: int, base_pos: int | None, L: Labels,
                label_pos: Mapping[str, int] | None = None, national: bool = False) -> tuple[str, str, str]:
    """(css class, text shown, tooltip) of a cell against the baseline,
    from :func:`pipeline.outputs.compare.differences` (ranges compare by their low end)."""
    found = row.differences.get(pos, [])
    values = [r["difference"] for r in found if r["difference"] is not None and r["difference"] == r["difference"]]
    codes = list(dict.fromkeys(str(r["status"]) for r in found))
    statuses = [L.status(c, national=national) for c in codes]
    if not values:
        if not found or codes == [NO_BASELINE_VALUE]:
            return "d-nb", "", L.status(NO_BASELINE_VALUE)
        return "d-na", "", "; ".join(statuses)
    mean = sum(values) / len(values)
    text = VALUE_SEPARATOR.join(dict.fromkeys(L.difference(v) for v in values))
    base = row.cells.get(base_pos) if base_pos is not None else None
    named = next((str(r["baseline"]) for r in found if isinstance(r.get("baseline"), str)), None)
    if named is not None and label_pos and named in label_pos:
        base = row.cells.get(label_pos[named])
    base_value = None
    if base is not None and base.texts:
        base_value = VALUE_SEPARATOR.join(s for s, _, _ in base.texts)
    name = L.column_label(named) if named else None
    tip = "; ".join(statuses) + (f" ({L.ui('against', name=name, value=base_value)})" if name and base_value else
                                 f" ({L.ui('against', name=L.ui('baseline.tag'), value=base_value)})"
                                 if base_value else "")
    if abs(mean) < 1e-9:
        return "d-eq", text, tip
    cell = row.cells[pos]
    if cell.units() == {"percent"}:
        scale = 100.0
    else:
        nums = [abs(float(t["value"])) for _, _, t in cell.texts + (base.texts if base else [])]
        scale = max(nums + [1.0])
    step = 1 + sum(abs(mean) / scale >= s for s in _DIFF_STEPS)
    return (f"d-up{step}" if mean > 0 else f"d-down{step}"), text, tip


