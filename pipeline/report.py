"""The HTML report: one self-contained page an analyst opens in a browser.

:func:`write_report` writes ``report.html`` with

* an **overview** of the batch: documents, targets, references, failures
  (records with ``extra["error"]`` or an ``error: …`` warning);
* the **comparison table**: :func:`pipeline.compare.build_comparison`, so
  the same rows, columns, labels and baseline as ``comparison.csv`` (one row
  per sector × indicator × tier × year, one column per document with targets,
  labelled by province, district and number, the issuing body underneath).
  When a baseline is given, or found (the national programme of the batch:
  ``admin_level`` ``central``, see :func:`pipeline.compare.select_baseline`),
  its column comes first and every other cell is coloured by its difference
  from the baseline's value (:func:`pipeline.compare.differences`);
* a **chart per indicator** (inline SVG bars): provinces side by side for each
  tier and year;
* a **section per document**: its facts, targets, references and its full
  text with every target's and reference's evidence highlighted in a
  ``<mark id="ev-<doc>-<n>">``.

Every value in the table, in the charts and in the document's target list is a
link to ``#ev-<doc>-<n>``; following it scrolls the sentence into view and
flashes it.  ``<doc>`` is the document's ``doc_id`` reduced to ``[A-Za-z0-9_-]``
(made unique), ``<n>`` numbers the distinct evidence spans of the document in
text order from 1.  Several targets read from one sentence share its mark.

Overlapping evidence spans nest; where two spans cross, the later one is cut
into pieces at the crossing so the markup stays well formed: the first piece
carries the ``id``, every piece carries ``data-ev="<that id>"``, and the
pieces' text put together is the evidence text.  Evidence that is not found at
its offsets (no text given, or a different text) is listed under the text,
each in its own mark, so no link is ever dangling.

The page speaks Vietnamese by default (``lang="en"``: English): every code
is shown by its name (:mod:`pipeline.labels`, names kept in ``rules/``),
numbers as the language writes them (``12,5%``, ``300.000``), and inside each
highlighted sentence the value itself is marked ``<b class="val">`` where its
number is written (:func:`value_span`; the sentence alone when it is not
found as written).

The page is one file: CSS and JavaScript inline, charts as inline SVG, no
network access at all (a Content-Security-Policy forbids it), UTF-8 with a
font stack that covers Vietnamese.  Output is deterministic (records sorted by
``doc_id``, no timestamps) and written atomically (temporary file, then
``os.replace``).
"""
from __future__ import annotations

import html
import math
import re
from collections import defaultdict, deque
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

from .compare import (
    BASELINE_ROLE, KEY_COLUMNS, NO_BASELINE_VALUE, VALUE_SEPARATOR, build_comparison, document_labels,
)
from .export import atomic_write, sort_records
from .labels import DEFAULT_LANG, Labels, labels_for
from .models import DocumentRecord, Evidence, Reference, Signer, Target

__all__ = ["write_report", "render_report", "highlight", "value_span", "REPORT_FILE"]

#: The file :func:`write_report` writes in ``out_dir``.
REPORT_FILE = "report.html"

RecordLike = Union[DocumentRecord, Mapping[str, Any]]

#: One colour per document column (cycled), so a document keeps its colour in every chart.
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
           "#17becf", "#7f7f7f", "#bcbd22")

# Difference classes: |difference| as a share of the scale (100 points for
# percentages, else the larger of the two values).
_DIFF_STEPS = (0.10, 0.25)


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------

def write_report(records: Iterable[RecordLike], out_dir: Path | str, *,
                 baseline_doc_id: Optional[str] = None,
                 texts: Optional[Mapping[str, str]] = None, lang: str = DEFAULT_LANG) -> Path:
    """Write ``out_dir/report.html`` (atomically) and return its path.

    ``records`` are :class:`~pipeline.models.DocumentRecord` objects or their
    ``to_json()`` dicts (``documents.jsonl`` lines).  A document's text is
    ``texts[doc_id]`` when given, else ``rec.extra["text"]``.  The baseline is
    ``baseline_doc_id`` (:class:`pipeline.compare.UnknownBaseline`, a
    ``ValueError``, if no record has it), else the national document of the
    batch (``admin_level`` ``central``; :func:`pipeline.compare.select_baseline`),
    else none.  ``lang`` is the language of the page (``vi``, the default,
    or ``en``; :mod:`pipeline.labels`): every code is shown by its name.
    """
    page = render_report(records, baseline_doc_id=baseline_doc_id, texts=texts, lang=lang)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / REPORT_FILE
    atomic_write(path, page.encode("utf-8", errors="replace"))
    return path


def render_report(records: Iterable[RecordLike], *, baseline_doc_id: Optional[str] = None,
                  texts: Optional[Mapping[str, str]] = None, lang: str = DEFAULT_LANG) -> str:
    """The report page as a string (what :func:`write_report` writes)."""
    L = labels_for(lang)
    docs = _prepare(records, texts or {}, L)
    comparison, columns, rows, builtins = _comparison_model(docs, baseline_doc_id, L)
    baseline = next((c.doc for c in columns if c.is_baseline), None)
    parts = [
        _head(L),
        _nav(docs, bool(rows), L),
        '<main>\n',
        _overview(docs, baseline, columns, L, explicit=baseline_doc_id is not None, comparison=comparison),
        _comparison(rows, columns, L),
        _charts(rows, columns, L),
        _documents(docs + builtins, L),
        '</main>\n',
        f'<script>{_SCRIPT}</script>\n</body>\n</html>\n',
    ]
    return "".join(parts)


# --------------------------------------------------------------------------
# Records -> documents with their marks
# --------------------------------------------------------------------------

@dataclass
class _Doc:
    rec: DocumentRecord
    key: str                       # the <doc> of ids: doc-<key>, ev-<key>-<n>
    text: Optional[str]
    label: str = ""
    error: Optional[str] = None    # error code
    error_message: Optional[str] = None
    spans: list[tuple[int, int, str]] = field(default_factory=list)   # placed: start, end, mark id
    loose: list[tuple[str, str]] = field(default_factory=list)        # not found: text, mark id
    target_marks: list[str] = field(default_factory=list)             # mark id of each target
    reference_marks: list[str] = field(default_factory=list)
    mark_titles: dict[str, list[str]] = field(default_factory=dict)   # mark id -> what was read there
    target_marks_set: set[str] = field(default_factory=set)
    values: list[tuple[int, int]] = field(default_factory=list)   # where each target's value is written
    mark_by_evidence: dict[tuple[int, int, str], str] = field(default_factory=dict)   # start, end, text -> id

    @property
    def section_id(self) -> str:
        return f"doc-{self.key}"


def _prepare(records: Iterable[RecordLike], texts: Mapping[str, str], L: Labels) -> list[_Doc]:
    recs = sort_records(_as_record(r) for r in records)
    keys = _doc_keys([r.doc_id for r in recs])
    docs: list[_Doc] = []
    for rec, key in zip(recs, keys):
        text = texts.get(rec.doc_id)
        if text is None:
            text = rec.extra.get("text")
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


def _failure(rec: DocumentRecord) -> tuple[Optional[str], Optional[str]]:
    errors = [w[len("error:"):].strip() for w in rec.warnings if w.startswith("error:")]
    code = rec.extra.get("error")
    if not code and not errors:
        return None, None
    message = rec.extra.get("error_message") or (errors[0] if errors else None)
    return (str(code) if code else "error"), (str(message) if message else None)


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
            mark = loose.get(ev.text)
            if mark is None:
                n += 1
                mark = loose[ev.text] = f"ev-{doc.key}-{n}"
        (doc.target_marks if kind == "t" else doc.reference_marks)[i] = mark
        doc.mark_by_evidence.setdefault((ev.start, ev.end, ev.text), mark)
        doc.mark_titles.setdefault(mark, []).append(summary)
        if kind == "t":
            doc.target_marks_set.add(mark)
    doc.spans = [(s, e, mark) for (s, e), mark in sorted(placed.items())]
    values = set()
    taken: dict[tuple[int, int], set[tuple[int, int]]] = defaultdict(set)   # evidence span -> values found
    for t in doc.rec.targets:
        ev_span = (t.evidence.start, t.evidence.end)
        found = value_span(t, t.evidence.text, taken[ev_span]) if _fits(text, t.evidence) else None
        if found is not None:
            taken[ev_span].add(found)
            values.add((t.evidence.start + found[0], t.evidence.start + found[1]))
    doc.values = sorted(values)
    doc.loose = [(t, mark) for t, mark in loose.items()]


#: A number as written in a sentence: digits with dots or commas between groups.
_NUMBER_TOKEN = re.compile(r"(?<![\d.,])\d{1,15}(?:[.,]\d{1,15}){0,5}(?![\d])")
_PERCENT_AFTER = re.compile(r"[ \u00a0]?%")


def _readings(token: str) -> set[float]:
    """The numbers a written token can be: ``12,5`` (decimal comma), ``300.000``
    (dots between thousands), ``12.5`` (a decimal dot)."""
    out = set()
    for candidate in (token.replace(".", "").replace(",", "."), token.replace(",", ""),
                      token.replace(",", ".") if token.count(",") + token.count(".") == 1 else token):
        try:
            out.add(float(candidate))
        except ValueError:
            pass
    return out


def value_span(t: Target, evidence: str,
               taken: Iterable[tuple[int, int]] = ()) -> Optional[tuple[int, int]]:
    """Where ``t``'s value is written in its evidence ``evidence``: ``(start,
    end)`` within it, the range's two ends and a following ``%`` included, or
    ``None`` when the number is not found as written (the whole sentence then
    stands for it).  Spans in ``taken`` (the values of other targets read from
    the same sentence) are passed over while another place writes the same
    number, so ``60% (2025) … 60% (2025)`` gives each target its own.

    >>> ev = Evidence("Cấp huyện đạt 12,5% và cấp xã đạt 12 - 15 %.", 0, 44)
    >>> t = Target("library", "lib.service", None, "district", 2025, None, 12.5, None, "percent", False, "at_least", ev)
    >>> a, b = value_span(t, ev.text); ev.text[a:b]
    '12,5%'
    >>> t = Target("library", "lib.service", None, "commune", 2025, None, 12, 15, "percent", False, "at_least", ev)
    >>> a, b = value_span(t, ev.text); ev.text[a:b]
    '12 - 15 %'
    """
    # One pass over the numbers with a look-ahead of two (a range's high end),
    # keeping only the first candidates: memory stays constant however many
    # numbers a sentence holds (a 1 MB line of values is one sentence).
    percent = t.unit in ("percent", "percent_per_year")
    high = t.value_max if t.value_max is not None and t.value_max != t.value else None
    taken = set(taken)
    tokens = ((m.start(), m.end(), m.group()) for m in _NUMBER_TOKEN.finditer(evidence))
    ahead: deque[tuple[int, int, str]] = deque(islice(tokens, 3))

    def is_(x: float, written: str) -> bool:
        return any(abs(x - r) < 1e-9 for r in _readings(written))

    def end_of(end: int) -> int:
        m = _PERCENT_AFTER.match(evidence, end) if percent else None
        return m.end() if m else end

    first: Optional[tuple[int, int]] = None          # the first place the value is written
    first_free: Optional[tuple[int, int]] = None     # ... that no other target took
    first_pct: Optional[tuple[int, int]] = None      # the same, written with its % sign
    first_pct_free: Optional[tuple[int, int]] = None
    while ahead:
        start, end, written = ahead.popleft()
        ahead.extend(islice(tokens, 3 - len(ahead)))
        if not is_(float(t.value), written):
            continue
        span = (start, end_of(end))
        if high is not None:
            nxt = next((tok for tok in list(ahead)[:2]
                        if is_(float(high), tok[2]) and tok[0] - end <= 12), None)
            if nxt is None:
                continue
            span = (start, end_of(nxt[1]))
        free = span not in taken
        first = first or span
        first_free = first_free or (span if free else None)
        if percent and evidence[span[1] - 1:span[1]] == "%":
            first_pct = first_pct or span
            first_pct_free = first_pct_free or (span if free else None)
            if first_pct_free:
                return first_pct_free
        elif not percent and first_free:
            return first_free
    if percent and first_pct is not None:   # a percentage is written with its sign where there is one
        return first_pct_free or first_pct
    return first_free or first


def _fits(text: Optional[str], ev: Evidence) -> bool:
    return (text is not None and isinstance(ev.start, int) and isinstance(ev.end, int)
            and 0 <= ev.start <= ev.end <= len(text) and text[ev.start:ev.end] == ev.text)


def _target_summary(t: Union[Target, Mapping[str, Any]], L: Labels) -> str:
    """``Thư viện cung cấp dịch vụ học tập suốt đời · Cấp huyện · 2025: 60%``
    for a target or a row of the targets table."""
    get = t.get if isinstance(t, Mapping) else (lambda k: getattr(t, k))
    year = L.year(get("year")) or L.ui("no_year")
    return (f"{L.indicator(get('indicator'))} · {L.tier(get('tier'))} · {year}: "
            f"{L.value(get('value'), get('value_max'), get('direction'), get('unit'))}")


def _reference_what(r: Reference, L: Labels) -> str:
    """``Quyết định 1520/QĐ-TTg 09/12/2022 Thủ tướng Chính phủ``."""
    return " ".join(x for x in (L.code("kind", r.kind), r.number, L.date(r.date), r.issuer) if x)


def _reference_summary(r: Reference, L: Labels) -> str:
    return f"{L.ui('cites')} {_reference_what(r, L)}"


# --- dicts (documents.jsonl) -> records -----------------------------------

def _as_record(obj: RecordLike) -> DocumentRecord:
    if isinstance(obj, DocumentRecord):
        return obj
    if not isinstance(obj, Mapping):
        raise TypeError(f"expected a DocumentRecord or a dict, got {type(obj).__name__}")
    d = dict(obj)
    if "doc_id" not in d:
        raise ValueError("a record without 'doc_id'")
    signer = d.get("signer")
    if isinstance(signer, Mapping):
        signer = Signer(signer.get("name"), signer.get("title"))
    elif d.get("signer_name") or d.get("signer_title"):
        signer = Signer(d.get("signer_name"), d.get("signer_title"))
    else:
        signer = None
    extra = dict(d.get("extra") or {})
    for key in ("error", "error_message", "format", "text"):
        if d.get(key) is not None and key not in extra:
            extra[key] = d[key]
    return DocumentRecord(
        doc_id=str(d["doc_id"]), source=str(d.get("source") or ""), sha256=str(d.get("sha256") or ""),
        doc_type=d.get("doc_type"), number=d.get("number"), issue_date=d.get("issue_date"),
        place=d.get("place"), issuing_body=d.get("issuing_body"), parent_body=d.get("parent_body"),
        admin_level=d.get("admin_level"), province=d.get("province"), district=d.get("district"),
        signer=signer, title=d.get("title"),
        references=[_reference(r) for r in d.get("references") or []],
        targets=[_target(t) for t in d.get("targets") or []],
        warnings=[str(w) for w in d.get("warnings") or []],
        extra=extra,
    )


def _evidence(d: Mapping[str, Any]) -> Evidence:
    ev = d.get("evidence")
    if isinstance(ev, Evidence):
        return ev
    if isinstance(ev, Mapping):
        return Evidence(str(ev.get("text") or ""), int(ev.get("start") or 0), int(ev.get("end") or 0))
    return Evidence(str(d.get("evidence_text") or ""), int(d.get("evidence_start") or 0),
                    int(d.get("evidence_end") or 0))


def _reference(r: Any) -> Reference:
    if isinstance(r, Reference):
        return r
    return Reference(r.get("kind") or "other", r.get("number"), r.get("date"), r.get("issuer"), _evidence(r))


def _target(t: Any) -> Target:
    if isinstance(t, Target):
        return t
    value_max = t.get("value_max")
    return Target(
        t.get("sector") or "other", t.get("indicator") or "other", t.get("subject"), t.get("tier") or "all",
        int(t["year"]) if t.get("year") is not None else None, t.get("period_start"),
        float(t.get("value") or 0), None if value_max is None else float(value_max),
        t.get("unit") or "other", bool(t.get("implied")), t.get("direction") or "at_least", _evidence(t),
        year_source=t.get("year_source"), tier_source=t.get("tier_source"), group=t.get("group"),
    )


# --------------------------------------------------------------------------
# The comparison table (pipeline.compare.build_comparison, with links)
# --------------------------------------------------------------------------

@dataclass
class _Column:
    label: str
    doc: _Doc
    index: int                     # colour index
    is_baseline: bool
    info: dict[str, Any]
    shown: str = ""                # the label as shown (the language's words); ``label`` is the key

@dataclass
class _Cell:
    texts: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)   # shown, mark id, target row

    def units(self) -> set[str]:
        return {t.get("unit") for _, _, t in self.texts}


@dataclass
class _Row:
    key: tuple                      # sector, indicator, tier, year
    cells: dict[int, _Cell]         # column position -> cell
    differences: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


def _year_text(year: Any, L: Labels) -> str:
    """The year under a chart's bars: the year, or ``ui.no_year`` (``không rõ năm``)."""
    y = _int(year)
    return L.ui("no_year") if y is None else str(y)


def _int(value: Any) -> Optional[int]:
    try:
        return None if value is None or value != value else int(value)
    except (TypeError, ValueError):
        return None


def _comparison_model(docs: list[_Doc], baseline_doc_id: Optional[str], L: Labels):
    """(comparison, columns, rows, built-in programmes as documents) for the documents."""
    comparison = build_comparison([d.rec for d in docs], "auto" if baseline_doc_id is None else baseline_doc_id)
    by_id: dict[str, list[_Doc]] = defaultdict(list)
    for d in docs:
        by_id[d.rec.doc_id].append(d)
    builtin_docs = {b.doc_id: b for b in comparison.builtins}
    builtins: list[_Doc] = []
    columns: list[_Column] = []
    for i, info in enumerate(comparison.columns.to_dict("records")):
        if str(info["doc_id"]) in builtin_docs and not by_id.get(str(info["doc_id"])):
            # a built-in programme: shown as a document whose text says where each target stands
            b = builtin_docs[str(info["doc_id"])]
            rec = b.record()
            taken = [d.key for d in docs] + [d.key for d in builtins]
            built = _Doc(rec=rec, key=_doc_keys(taken + ["builtin-" + b.id])[-1], text=rec.extra["text"])
            _place_evidence(built, L)
            builtins.append(built)
            by_id[rec.doc_id].append(built)
        doc = by_id[str(info["doc_id"])][0]
        columns.append(_Column(str(info["column"]), doc, i, info.get("role") == BASELINE_ROLE, info,
                               L.column_label(info["column"])))
        doc.label = L.column_label(info["column"])
    position = {c.label: i for i, c in enumerate(columns)}

    diffs: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for row in comparison.differences.to_dict("records"):
        key = (row["sector"], row["indicator"], row["tier"], _int(row["year"]), row["document"])
        diffs[key].append(row)

    rows: list[_Row] = []
    for pos, trow in enumerate(comparison.table.to_dict("records")):
        key = (trow["sector"], trow["indicator"], trow["tier"], _int(trow["year"]))
        row = _Row(key, {})
        for col in columns:
            targets = comparison.cells.get((pos, col.label))
            if not targets:
                continue
            cell = _Cell()
            for t in targets:
                text = L.value(t["value"], t["value_max"], t.get("direction"))
                if all(text != shown for shown, _, _ in cell.texts):
                    cell.texts.append((text, _mark_of(by_id[str(t["doc_id"])], t), t))
            row.cells[position[col.label]] = cell
            if key + (col.label,) in diffs:
                row.differences[position[col.label]] = diffs[key + (col.label,)]
        rows.append(row)
    return comparison, columns, rows, builtins


def _mark_of(docs: list[_Doc], t: Mapping[str, Any]) -> str:
    """The mark of a row of the targets table (its document's evidence span)."""
    key = (_int(t.get("evidence_start")), _int(t.get("evidence_end")), t.get("evidence_text"))
    for d in docs:
        mark = d.mark_by_evidence.get(key)
        if mark is not None:
            return mark
    raise LookupError(f"no evidence mark for a target of {t.get('doc_id')!r} at {key[:2]}")


def _difference(row: _Row, pos: int, base_pos: Optional[int], L: Labels,
                label_pos: Optional[Mapping[str, int]] = None, national: bool = False) -> tuple[str, str, str]:
    """(css class, text shown, tooltip) of a cell against the baseline,
    from :func:`pipeline.compare.differences` (ranges compare by their low end)."""
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


# --------------------------------------------------------------------------
# HTML pieces
# --------------------------------------------------------------------------

def _esc(value: Any) -> str:
    """HTML-escape text or an attribute value.  A carriage return is written as
    ``&#13;`` (a literal one would become a line feed in the DOM) and NUL as
    U+FFFD (the parser drops it), so the page keeps the text's length."""
    if value is None:
        return ""
    return html.escape(str(value), quote=True).replace("\r", "&#13;").replace("\0", "\ufffd")


def highlight(text: str, spans: Iterable[tuple[int, int, str]],
              titles: Optional[Mapping[str, Sequence[str]]] = None,
              classes: Optional[Mapping[str, str]] = None,
              values: Iterable[tuple[int, int]] = ()) -> str:
    """``text`` escaped, each ``(start, end, id)`` span wrapped in ``<mark>``.

    Spans may nest, coincide (the first id wins) or cross.  A span that crosses
    one opened before it is closed and reopened around the crossing, so the
    result is always well formed: its first piece is ``<mark id=ID
    data-ev=ID>``, the others ``<mark data-ev=ID>``, and the pieces' text is
    ``text[start:end]``.  ``titles`` gives a tooltip per id, ``classes`` extra
    classes per id.  Each ``(start, end)`` of ``values`` (where a value is
    written inside its evidence) is wrapped in ``<b class="val">``, cut the
    same way where it crosses a mark.
    """
    titles = titles or {}
    classes = classes or {}
    unique: dict[tuple[int, int], str] = {}
    unique_v: list[tuple[int, int, str]] = []
    for start, end, mark in spans:
        if not (0 <= start <= end <= len(text)):
            raise ValueError(f"span {start}:{end} outside a text of {len(text)} characters")
        unique.setdefault((start, end), mark)
    value_ids: set[str] = set()
    for k, (start, end) in enumerate(sorted(set(values))):
        if not (0 <= start < end <= len(text)):
            raise ValueError(f"value span {start}:{end} outside a text of {len(text)} characters")
        value_ids.add(f"\0v{k}")
        starts_v = (start, end, f"\0v{k}")
        unique_v.append(starts_v)
    starts: dict[int, list[tuple[int, str]]] = defaultdict(list)
    empty: dict[int, list[str]] = defaultdict(list)
    end_of: dict[str, int] = {}
    for start, end, mark in unique_v:
        starts[start].append((end, mark))
        end_of[mark] = end
    for (start, end), mark in unique.items():
        if start == end:
            empty[start].append(mark)
        else:
            starts[start].append((end, mark))
            end_of[mark] = end
    bounds = sorted({0, len(text)} | set(starts) | set(end_of.values()) | set(empty))
    out: list[str] = []
    stack: list[str] = []
    opened: set[str] = set()

    def close_tag(mark: str) -> str:
        return "</b>" if mark in value_ids else "</mark>"

    def open_tag(mark: str) -> str:
        if mark in value_ids:
            return '<b class="val">'
        cls = " ".join(x for x in ("ev", classes.get(mark, "")) if x)
        if mark in opened:
            return f'<mark class="{cls} ev-cont" data-ev="{_esc(mark)}">'
        opened.add(mark)
        tip = titles.get(mark)
        title = f' title="{_esc(chr(10).join(tip))}"' if tip else ""
        return f'<mark id="{_esc(mark)}" class="{cls}" data-ev="{_esc(mark)}"{title}>'

    pos = 0
    for b in bounds:
        if b > pos:
            out.append(_esc(text[pos:b]))
            pos = b
        ending = {m for m in stack if end_of[m] == b}
        if ending:
            reopen = []
            while ending & set(stack):
                m = stack.pop()
                out.append(close_tag(m))
                if m not in ending:
                    reopen.append(m)
            for m in reversed(reopen):
                out.append(open_tag(m))
                stack.append(m)
        for m in sorted(empty.get(b, ())):
            out.append(open_tag(m) + "</mark>")
        for _, m in sorted(starts.get(b, ()), key=lambda em: (-em[0], em[1] in value_ids, em[1])):
            out.append(open_tag(m))
            stack.append(m)
    out.append(_esc(text[pos:]))
    out.extend(close_tag(m) for m in reversed(stack))
    return "".join(out)


def _nav(docs: list[_Doc], has_rows: bool, L: Labels) -> str:
    links = [f'<a href="#overview">{_esc(L.ui("nav.overview"))}</a>']
    if has_rows:
        links += [f'<a href="#comparison">{_esc(L.ui("nav.comparison"))}</a>',
                  f'<a href="#charts">{_esc(L.ui("nav.charts"))}</a>']
    links.append(f'<a href="#documents">{_esc(L.ui("nav.documents"))}</a>')
    return f'<nav class="top">{" ".join(links)}</nav>\n'


def _overview(docs: list[_Doc], baseline: Optional[_Doc], columns: list[_Column], L: Labels, *, explicit: bool,
              comparison: Optional[Any] = None) -> str:
    n_targets = sum(len(d.rec.targets) for d in docs)
    n_refs = sum(len(d.rec.references) for d in docs)
    failed = [d for d in docs if d.error]
    n_warn = sum(len(d.rec.warnings) for d in docs)
    stats = [("documents", len(docs)), ("read", len(docs) - len(failed)), ("failed", len(failed)),
             ("with targets", sum(1 for d in docs if d.rec.targets)), ("targets", n_targets), ("references", n_refs),
             ("warnings", n_warn)]
    out = [f'<section id="overview">\n<h1>{_esc(L.ui("title"))}</h1>\n<div class="stats">']
    for name, value in stats:
        cls = ' class="stat bad"' if name == "failed" and value else ' class="stat"'
        out.append(f'<div{cls} data-stat="{_esc(name)}"><b>{_esc(L.number(value))}</b>'
                   f'<span>{_esc(L.ui("stat." + name))}</span></div>')
    out.append("</div>\n")
    builtin_cols = [c for c in columns if c.is_baseline and c.doc.rec.extra.get("builtin")]
    if builtin_cols and comparison is not None:
        uses: dict[str, list[str]] = defaultdict(list)
        for compared, bases in comparison.compared_with.items():
            for b in bases:
                uses[b].append(L.column_label(compared))
        how = L.ui("how.requested") if explicit else L.ui("how.cited")
        items = "".join(f'<li><a href="#{c.doc.section_id}">{_esc(c.shown)}</a>: '
                        f'{_esc(", ".join(uses.get(c.label, [])) or L.ui("builtin.none"))}</li>' for c in builtin_cols)
        out.append(f'<p class="baseline-note">{_esc(L.ui("builtin.note", how=how))}</p>\n'
                   f'<ul class="baseline-note">{items}</ul>\n')
    elif baseline is not None:
        how = L.ui("how.requested") if explicit else L.ui("how.national")
        who = baseline.rec.issuing_body or L.code("level", baseline.rec.admin_level)
        note = L.ui("baseline.coloured") if baseline.rec.targets else L.ui("baseline.empty")
        out.append(f'<p class="baseline-note">{_esc(L.ui("baseline.note", how=how))} '
                   f'<a href="#{baseline.section_id}">{_esc(baseline.label)}</a>'
                   f'{f" ({_esc(who)})" if who else ""}. {_esc(note)}</p>\n')
    elif columns:
        out.append(f'<p class="baseline-note">{_esc(L.ui("baseline.none"))}</p>\n')
    heads = ("document", "doc_id", "type", "number", "date", "level", "province", "district", "targets",
             "references", "warnings", "status")
    out.append(f'<h2>{_esc(L.ui("nav.documents"))}</h2>\n<div class="scroll"><table class="docs">\n<thead><tr>'
               + "".join(f"<th>{_esc(L.ui('col.' + h))}</th>" for h in heads) + '</tr></thead>\n<tbody>\n')
    for d in docs:
        r = d.rec
        status = (f'<span class="err">{_esc(d.error)}</span>' if d.error else _esc(L.ui("ok")))
        out.append(
            f'<tr><td><a href="#{d.section_id}">{_esc(d.label)}</a></td><td>{_esc(r.doc_id)}</td>'
            f'<td>{_esc(L.code("kind", r.doc_type))}</td><td>{_esc(r.number)}</td><td>{_esc(L.date(r.issue_date))}</td>'
            f'<td>{_esc(L.code("level", r.admin_level))}</td><td>{_esc(r.province)}</td><td>{_esc(r.district)}</td>'
            f'<td class="num">{len(r.targets)}</td><td class="num">{len(r.references)}</td>'
            f'<td class="num">{len(r.warnings)}</td><td>{status}</td></tr>\n')
    out.append("</tbody></table></div>\n")
    if failed:
        out.append(f'<h2>{_esc(L.ui("failures"))}</h2>\n<table class="failures">\n<thead><tr>'
                   + "".join(f"<th>{_esc(L.ui('col.' + h))}</th>" for h in ("doc_id", "source", "error", "message"))
                   + '</tr></thead>\n<tbody>\n')
        for d in failed:
            out.append(f'<tr><td><a href="#{d.section_id}">{_esc(d.rec.doc_id)}</a></td><td>{_esc(d.rec.source)}</td>'
                       f'<td>{_esc(d.error)}</td><td>{_esc(d.error_message)}</td></tr>\n')
        out.append("</tbody></table>\n")
    out.append("</section>\n")
    return "".join(out)


def _column_head(col: _Column, L: Labels) -> str:
    r = col.doc.rec
    sub = r.issuing_body or L.code("level", r.admin_level)
    cls = "doc base" if col.is_baseline else "doc"
    tag = f'<span class="tag">{_esc(L.ui("baseline.tag"))}</span>' if col.is_baseline else ""
    return (f'<th class="{cls}" scope="col" data-doc="{_esc(col.doc.key)}">'
            f'<span class="swatch" style="background:{PALETTE[col.index % len(PALETTE)]}"></span>'
            f'<a href="#{col.doc.section_id}">{_esc(col.shown)}</a>{tag}'
            f'{f"<small>{_esc(sub)}</small>" if sub else ""}</th>')


def _is_national_column(col: Optional[_Column]) -> bool:
    """Whether a baseline column is a national programme (built in, or a central document)."""
    if col is None:
        return False
    r = col.doc.rec
    return bool(r.extra.get("builtin")) or r.admin_level == "central"


def _comparison(rows: list[_Row], columns: list[_Column], L: Labels) -> str:
    title = _esc(L.ui("nav.comparison"))
    if not rows:
        return (f'<section id="comparison"><h2>{title}</h2>'
                f'<p>{_esc(L.ui("no_targets"))}</p></section>\n')
    base_pos = next((i for i, c in enumerate(columns) if c.is_baseline), None)
    label_pos = {c.label: i for i, c in enumerate(columns)}
    national = {c.label: _is_national_column(c) for c in columns if c.is_baseline}
    out = [f'<section id="comparison">\n<h2>{title}</h2>\n']
    if base_pos is not None:
        out.append(f'<p class="legend">{_esc(L.ui("legend"))} '
                   + " ".join(f'<span class="d-{k}">{_esc(L.ui("legend." + k))}</span>'
                              for k in ("up3", "up2", "up1", "eq", "down1", "down2", "down3", "nb"))
                   + '</p>\n')
    out.append('<div class="scroll tall"><table class="comparison">\n<thead><tr>'
               + "".join(f'<th scope="col" data-key="{k}">{_esc(L.ui("col." + k))}</th>' for k in KEY_COLUMNS)
               + "".join(_column_head(c, L) for c in columns) + "</tr></thead>\n<tbody>\n")
    for row in rows:
        sector, indicator, tier, year = row.key
        out.append(f'<tr><td data-code="{_esc(sector)}">{_esc(L.sector(sector))}</td>'
                   f'<td data-code="{_esc(indicator)}">{_esc(L.indicator(indicator))}</td>'
                   f'<td data-code="{_esc(tier)}">{_esc(L.tier(tier))}</td>'
                   f'<td class="num">{_esc(L.year(year))}</td>')
        for pos, col in enumerate(columns):
            cell = row.cells.get(pos)
            if cell is None:
                out.append('<td class="v empty"></td>')
                continue
            links = "; ".join(
                f'<a class="val" href="#{_esc(mark)}" title="{_esc(_target_summary(t, L))}">{_esc(text)}</a>'
                for text, mark, t in cell.texts)
            if col.is_baseline:
                out.append(f'<td class="v base">{links}</td>')
            elif base_pos is None:
                out.append(f'<td class="v">{links}</td>')
            else:
                named = next((str(r["baseline"]) for r in row.differences.get(pos, [])
                              if isinstance(r.get("baseline"), str)), None)
                is_nat = national.get(named, _is_national_column(columns[base_pos]))
                cls, diff, tip = _difference(row, pos, base_pos, L, label_pos, national=is_nat)
                note = f'<span class="diff">{_esc(diff)}</span>' if diff else ""
                out.append(f'<td class="v {cls}" title="{_esc(tip)}">{links}{note}</td>')
        out.append("</tr>\n")
    out.append("</tbody></table></div>\n</section>\n")
    return "".join(out)


# --------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------

def _nice_max(v: float, unit: str) -> float:
    if unit == "percent" and v <= 100:
        return 100.0
    if v <= 0:
        return 1.0
    mag = 10 ** math.floor(math.log10(v))
    for step in (1, 2, 2.5, 5, 10):
        if step * mag >= v:
            return step * mag
    return 10 * mag


def _float(x: Any) -> Optional[float]:
    if x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _f(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _charts(rows: list[_Row], columns: list[_Column], L: Labels) -> str:
    if not rows:
        return ""
    groups: dict[tuple, list[_Row]] = {}
    for row in rows:
        units = sorted({str(t.get("unit")) for cell in row.cells.values() for _, _, t in cell.texts})
        for unit in units:
            groups.setdefault((row.key[0], row.key[1], unit), []).append(row)
    by_indicator: dict[tuple, list[str]] = defaultdict(list)
    for sector, indicator, unit in groups:
        by_indicator[(sector, indicator)].append(unit)
    out = [f'<section id="charts">\n<h2>{_esc(L.ui("nav.charts"))}</h2>\n<div class="charts">\n']
    for (sector, indicator, unit), chart_rows in groups.items():
        several = len(by_indicator[(sector, indicator)]) > 1
        out.append(_chart(sector, indicator, unit, chart_rows, columns, several, L))
    out.append("</div>\n</section>\n")
    return "".join(out)


#: Width of one character of a chart's tier label, in pixels (10px bold sans-serif; a generous
#: estimate, so labels are laid out wider than they are drawn and never touch).
_LABEL_CHAR_W = 6.4
_LABEL_LINE_H = 12.0


def _wrap(text: str, width: float) -> list[str]:
    """``text`` cut at spaces into lines of at most ``width`` pixels (by
    :data:`_LABEL_CHAR_W`); a word longer than that stands on its own line."""
    lines: list[str] = []
    for word in text.split():
        if lines and (len(lines[-1]) + 1 + len(word)) * _LABEL_CHAR_W <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _tier_runs(rows: list[_Row]) -> list[tuple[str, int, int]]:
    """(tier, first group, last group) of each run of a chart's groups with the same tier."""
    runs: list[tuple[str, int, int]] = []
    for g, row in enumerate(rows):
        tier = row.key[2]
        if runs and runs[-1][0] == tier:
            runs[-1] = (tier, runs[-1][1], g)
        else:
            runs.append((tier, g, g))
    return runs


def _chart(sector: str, indicator: str, unit: str, rows: list[_Row], columns: list[_Column],
           several_units: bool, L: Labels) -> str:
    series = [pos for pos in range(len(columns))
              if any(pos in r.cells and any(t.get("unit") == unit for _, _, t in r.cells[pos].texts) for r in rows)]
    bar_w, gap, pad = 14.0, 2.0, 16.0
    runs = _tier_runs(rows)
    # every group is at least as wide as the longest word of a tier label, so a
    # label wrapped into its run's width never reaches its neighbour's
    longest_word = max((len(w) for tier, _, _ in runs for w in L.tier(tier).split()), default=0)
    group_w = max(44.0, len(series) * (bar_w + gap) - gap + pad, longest_word * _LABEL_CHAR_W + 10)
    tier_lines = {(g0, g1): _wrap(L.tier(tier), (g1 - g0 + 1) * group_w - 10) for tier, g0, g1 in runs}
    n_lines = max((len(v) for v in tier_lines.values()), default=1)
    vmax = 0.0
    for r in rows:
        for pos in series:
            for _, _, t in (r.cells[pos].texts if pos in r.cells else []):
                if t.get("unit") == unit:
                    vmax = max(vmax, float(t["value"]), _float(t.get("value_max")) or 0.0)
    vmax = _nice_max(vmax, unit)
    ticks = [L.number(vmax * i / 4) + L.suffix(unit) for i in range(5)]
    # the axis is as wide as its longest tick (``12,5%/năm``), so none is cut off
    left = max(44.0, max(len(t) for t in ticks) * _LABEL_CHAR_W + 12)
    right, top, plot_h = 12.0, 12.0, 180.0
    bottom = 34.0 + _LABEL_LINE_H * n_lines
    width = left + group_w * len(rows) + right
    height = top + plot_h + bottom

    def y(v: float) -> float:
        return top + plot_h - plot_h * max(0.0, min(v, vmax)) / vmax

    suffix = L.suffix(unit)
    chart_id = re.sub(r"[^A-Za-z0-9_-]+", "_", f"chart-{sector}-{indicator}" + (f"-{unit}" if several_units else ""))
    title = (L.indicator(indicator) if indicator != "other" else f"{L.indicator(indicator)} ({L.sector(sector)})") \
        + (f" ({L.code('unit', unit)})" if several_units else "")
    svg = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{_f(width)}" height="{_f(height)}" '
           f'viewBox="0 0 {_f(width)} {_f(height)}" role="img" aria-label="{_esc(title)}">']
    for i in range(5):
        v = vmax * i / 4
        yy = y(v)
        svg.append(f'<line class="grid" x1="{_f(left)}" x2="{_f(width - right)}" y1="{_f(yy)}" y2="{_f(yy)}"/>'
                   f'<text class="tick" x="{_f(left - 4)}" y="{_f(yy + 3)}" text-anchor="end">'
                   f'{_esc(L.number(v))}{_esc(suffix)}</text>')
    for g, row in enumerate(rows):
        _, _, tier, year = row.key
        x0 = left + g * group_w + (group_w - (len(series) * (bar_w + gap) - gap)) / 2
        for s, pos in enumerate(series):
            cell = row.cells.get(pos)
            items = [(text, mark, t) for text, mark, t in (cell.texts if cell else []) if t.get("unit") == unit]
            if not items:
                continue
            text, mark, t = items[0]
            col = columns[pos]
            color = PALETTE[col.index % len(PALETTE)]
            x = x0 + s * (bar_w + gap)
            low, high = float(t["value"]), _float(t.get("value_max"))
            tip = (f"{col.shown} — {L.tier(tier)} {_year_text(year, L)}: "
                   + "; ".join(f"{tx}{suffix}" for tx, _, _ in items))
            y_low = y(low)
            bar = [f'<a href="#{_esc(mark)}" class="bar-link"><title>{_esc(tip)}</title>',
                   f'<rect class="bar" data-doc="{_esc(col.doc.key)}" x="{_f(x)}" y="{_f(y_low)}" '
                   f'width="{_f(bar_w)}" height="{_f(max(y(0) - y_low, 1.0))}" fill="{color}"'
                   + (' stroke="#000" stroke-dasharray="2 2"' if t.get("direction") == "at_most" else "") + '/>']
            if high is not None and high > low:
                y_high = y(high)
                bar.append(f'<rect class="bar range" x="{_f(x)}" y="{_f(y_high)}" width="{_f(bar_w)}" '
                           f'height="{_f(y_low - y_high)}" fill="{color}" fill-opacity="0.35"/>')
            bar.append("</a>")
            svg.append("".join(bar))
        cx = left + g * group_w + group_w / 2
        svg.append(f'<text class="year" x="{_f(cx)}" y="{_f(top + plot_h + 14)}" text-anchor="middle">'
                   f'{_esc(_year_text(year, L))}</text>')
    for tier, g0, g1 in runs:
        cx = left + (g0 + g1 + 1) * group_w / 2
        x_a, x_b = left + g0 * group_w + 4, left + (g1 + 1) * group_w - 4
        lines = "".join(f'<tspan x="{_f(cx)}" dy="{_f(0 if i == 0 else _LABEL_LINE_H)}">{_esc(line)}</tspan>'
                        for i, line in enumerate(tier_lines[(g0, g1)]))
        svg.append(f'<line class="tier-line" x1="{_f(x_a)}" x2="{_f(x_b)}" y1="{_f(top + plot_h + 20)}" '
                   f'y2="{_f(top + plot_h + 20)}"/>'
                   f'<text class="tier" data-tier="{_esc(tier)}" x="{_f(cx)}" y="{_f(top + plot_h + 33)}" '
                   f'text-anchor="middle">{lines}</text>')
    svg.append(f'<line class="axis" x1="{_f(left)}" x2="{_f(width - right)}" y1="{_f(y(0))}" y2="{_f(y(0))}"/>')
    svg.append("</svg>")
    legend = "".join(
        f'<li><span class="swatch" style="background:{PALETTE[columns[pos].index % len(PALETTE)]}"></span>'
        f'{_esc(columns[pos].shown)}{_esc(L.ui("chart.legend_baseline")) if columns[pos].is_baseline else ""}</li>'
        for pos in series)
    return (f'<figure class="chart" id="{chart_id}"><figcaption>{_esc(title)}</figcaption>'
            f'<div class="svgwrap">{"".join(svg)}</div><ul class="legend">{legend}</ul></figure>\n')


# --------------------------------------------------------------------------
# Document sections
# --------------------------------------------------------------------------

def _documents(docs: list[_Doc], L: Labels) -> str:
    out = [f'<section id="documents">\n<h2>{_esc(L.ui("nav.documents"))}</h2>\n']
    for d in docs:
        out.append(_document(d, L))
    out.append("</section>\n")
    return "".join(out)


def _source_title(source: Optional[str], L: Labels) -> str:
    """A ``title`` attribute saying where a year or tier was found (SCHEMA.md's
    ``year_source``/``tier_source``), or nothing when unknown."""
    return f' title="{_esc(L.ui("found_in", where=L.code("source", source)))}"' if source else ""


def _document(d: _Doc, L: Labels) -> str:
    r = d.rec
    facts = [
        ("col.doc_id", r.doc_id), ("facts.source", r.source), ("facts.format", r.extra.get("format")),
        ("col.type", L.code("kind", r.doc_type)), ("col.number", r.number), ("facts.issue_date", L.date(r.issue_date)),
        ("facts.place", r.place), ("facts.issuing_body", r.issuing_body), ("facts.parent_body", r.parent_body),
        ("col.level", L.code("level", r.admin_level)), ("col.province", r.province), ("col.district", r.district),
        ("facts.signer", " — ".join(x for x in (r.signer.name, r.signer.title) if x) if r.signer else None),
        ("facts.title", r.title),
    ]
    out = [f'<article class="doc" id="{d.section_id}">\n<h3>{_esc(d.label)}</h3>\n<dl class="facts">']
    for name, value in facts:
        if value:
            out.append(f'<dt data-fact="{name.split(".", 1)[1]}">{_esc(L.ui(name))}</dt><dd>{_esc(value)}</dd>')
    out.append("</dl>\n")
    if d.error:
        out.append(f'<p class="err">{_esc(L.ui("unreadable"))} <b>{_esc(d.error)}</b> {_esc(d.error_message)}</p>\n')
    if r.warnings:
        n = len(r.warnings)
        out.append('<details class="warnings"><summary>'
                   + _esc(L.ui("warnings_1") if n == 1 else L.ui("warnings_n", n=n)) + '</summary><ul>'
                   + "".join(f"<li>{_esc(w)}</li>" for w in r.warnings) + "</ul></details>\n")
    if r.targets:
        heads = ("value", "sector", "indicator", "tier", "year", "from", "unit", "subject")
        out.append('<table class="targets">\n<thead><tr>'
                   + "".join(f"<th>{_esc(L.ui('col.' + h))}</th>" for h in heads) + '</tr></thead>\n<tbody>\n')
        for t, mark in zip(r.targets, d.target_marks):
            value = L.value(t.value, t.value_max, t.direction, t.unit)
            if t.implied:
                value += " " + L.ui("implied")
            out.append(f'<tr><td><a class="val" href="#{_esc(mark)}">{_esc(value)}</a></td>'
                       f'<td data-code="{_esc(t.sector)}">{_esc(L.sector(t.sector))}</td>'
                       f'<td data-code="{_esc(t.indicator)}">{_esc(L.indicator(t.indicator))}</td>'
                       f'<td data-code="{_esc(t.tier)}"{_source_title(t.tier_source, L)}>{_esc(L.tier(t.tier))}'
                       + (f' ({_esc(t.group)})' if t.group else '') + '</td>'
                       f'<td class="num"{_source_title(t.year_source, L)}>{_esc(L.year(t.year))}</td>'
                       f'<td class="num">{_esc(L.year(t.period_start))}</td>'
                       f'<td data-code="{_esc(t.unit)}">{_esc(L.code("unit", t.unit))}</td>'
                       f'<td>{_esc(t.subject)}</td></tr>\n')
        out.append("</tbody></table>\n")
    if r.references:
        out.append('<ul class="refs">')
        for ref, mark in zip(r.references, d.reference_marks):
            out.append(f'<li><a class="ref" href="#{_esc(mark)}">{_esc(_reference_what(ref, L))}</a></li>')
        out.append("</ul>\n")
    classes = {m: ("ev-t" if m in d.target_marks_set else "ev-r") for m in d.mark_titles}
    if d.text is not None:
        body = highlight(d.text, d.spans, d.mark_titles, classes, values=d.values)
        # The parser drops a newline right after <pre>: give it one to drop.
        out.append(f'<pre class="text" lang="vi">\n{body}</pre>\n')
    elif not d.error:
        out.append(f'<p class="note">{_esc(L.ui("no_text"))}</p>\n')
    if d.loose:
        if d.text is not None:
            out.append(f'<p class="note">{_esc(L.ui("loose"))}</p>\n')
        out.append('<ul class="loose">' + "".join(
            f'<li>{highlight(text, [(0, len(text), mark)], d.mark_titles, classes, values=_loose_values(d, text))}</li>'
            for text, mark in d.loose) + "</ul>\n")
    out.append("</article>\n")
    return "".join(out)


def _loose_values(d: _Doc, text: str) -> list[tuple[int, int]]:
    """Where the values of the targets whose evidence is ``text`` (not found in the document) are written."""
    taken: set[tuple[int, int]] = set()
    for t in d.rec.targets:
        if t.evidence.text == text:
            span = value_span(t, text, taken)
            if span is not None:
                taken.add(span)
    return sorted(taken)


# --------------------------------------------------------------------------
# Page shell
# --------------------------------------------------------------------------

_CSS = """
:root{--fg:#1b1f24;--muted:#5b6470;--line:#d6dae0;--bg:#fff;--head:#f3f5f8;--mark:#fff1a8;--ref:#dbeafe}
*{box-sizing:border-box}
html{scroll-padding-top:3rem}
body{margin:0;color:var(--fg);background:var(--bg);
 font:15px/1.5 "Noto Sans","Segoe UI",Roboto,"Helvetica Neue",Arial,"DejaVu Sans","Liberation Sans",sans-serif}
nav.top{position:sticky;top:0;z-index:5;background:#243447;padding:.5rem 1rem}
nav.top a{color:#fff;margin-right:1.2rem;text-decoration:none;font-weight:600}
main{padding:0 1.2rem 3rem;max-width:100%}
h1{font-size:1.5rem;margin:1rem 0 .6rem}h2{margin:2rem 0 .6rem;border-bottom:2px solid var(--line)}
h3{margin:2rem 0 .4rem;font-size:1.15rem}
.stats{display:flex;flex-wrap:wrap;gap:.6rem}
.stat{border:1px solid var(--line);border-radius:6px;padding:.4rem .8rem;min-width:6.5rem;background:var(--head)}
.stat b{display:block;font-size:1.4rem}.stat span{color:var(--muted);font-size:.85rem}
.stat.bad{border-color:#c0392b;background:#fdecea}
.scroll{overflow:auto;max-width:100%}.scroll.tall{max-height:80vh}
table{border-collapse:collapse;font-size:.9rem}
th,td{border:1px solid var(--line);padding:.25rem .5rem;vertical-align:top;text-align:left}
thead th{background:var(--head);position:sticky;top:0;z-index:1}
td.num{text-align:right;font-variant-numeric:tabular-nums}
table.comparison td.v{text-align:center;white-space:nowrap;min-width:5rem}
table.comparison th.doc{min-width:8rem}
th small{display:block;color:var(--muted);font-weight:normal}
.tag{display:inline-block;margin-left:.3rem;padding:0 .3rem;border-radius:3px;background:#243447;color:#fff;font-size:.7rem}
.swatch{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.3rem;vertical-align:-1px}
a.val{font-weight:600;color:#0b4f9c}
.diff{display:block;font-size:.72rem;color:#333}
td.base{background:#e8eef7;font-weight:600}
.d-up1{background:#e3f4e1}.d-up2{background:#b9e3b3}.d-up3{background:#84cc7b}
.d-down1{background:#fdeadf}.d-down2{background:#f9c3a5}.d-down3{background:#f0906a}
.d-eq{background:#eef0f2}.d-nb{background:repeating-linear-gradient(45deg,#fff,#fff 4px,#f3f3f3 4px,#f3f3f3 8px)}
.d-na{background:#f7f0ff}
.legend span{display:inline-block;padding:0 .4rem;margin:0 .1rem;border:1px solid var(--line);border-radius:3px}
.charts{display:flex;flex-wrap:wrap;gap:1.2rem}
figure.chart{margin:0;border:1px solid var(--line);border-radius:6px;padding:.6rem;max-width:100%}
figure.chart figcaption{font-weight:600;margin-bottom:.3rem}
.svgwrap{overflow-x:auto}
svg.chart{display:block;font-size:10px;font-family:inherit}
svg .grid{stroke:#e3e6ea}svg .axis{stroke:#555}svg .tier-line{stroke:#999}
svg .tick,svg .year{fill:#555}svg .tier{fill:#222;font-weight:600}
svg a.bar-link:hover rect{stroke:#000;stroke-width:1.5}
ul.legend{list-style:none;padding:0;margin:.3rem 0 0;display:flex;flex-wrap:wrap;gap:.2rem 1rem;font-size:.85rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem;margin:.4rem 0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
.err{color:#a11}
table.targets{margin:.6rem 0}
ul.refs{columns:2;font-size:.9rem}
pre.text{white-space:pre-wrap;word-wrap:break-word;font:inherit;line-height:1.6;background:#fbfbfa;
 border:1px solid var(--line);border-radius:6px;padding:.8rem 1rem;max-width:60rem}
mark.ev{background:var(--mark);color:inherit;border-radius:2px;scroll-margin:4rem}
mark.ev-r{background:var(--ref)}
mark.ev mark.ev{background:#ffd86b}
b.val{font-weight:700;background:#ffc94d;border-radius:2px;box-shadow:0 0 0 1px #e0a800}
mark.ev:target{outline:2px solid #e67e22}
mark.flash{animation:flash 1.6s ease-out}
@keyframes flash{0%{background:#ff9f1a;box-shadow:0 0 0 4px #ff9f1a}100%{box-shadow:0 0 0 0 transparent}}
.note{color:var(--muted);font-style:italic}
ul.loose li{margin:.3rem 0}
@media print{nav.top{display:none}.scroll.tall{max-height:none}}
"""

_SCRIPT = """
(function () {
  "use strict";
  function flash(id) {
    var el = document.getElementById(id);
    if (!el) { return; }
    el.scrollIntoView({block: "center", inline: "nearest"});
    var parts = document.querySelectorAll("mark[data-ev]");
    for (var i = 0; i < parts.length; i++) {
      var p = parts[i];
      if (p.getAttribute("data-ev") !== id) { continue; }
      p.classList.remove("flash");
      void p.offsetWidth;
      p.classList.add("flash");
    }
  }
  function fromHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (id.indexOf("ev-") === 0) { flash(id); }
  }
  window.addEventListener("hashchange", fromHash);
  document.addEventListener("click", function (e) {
    var a = e.target && e.target.closest ? e.target.closest("a") : null;
    if (!a) { return; }
    var href = a.getAttribute("href");
    if (href && href === location.hash) { e.preventDefault(); fromHash(); }
  });
  if (location.hash) { fromHash(); }
})();
"""

def _head(L: Labels) -> str:
    return (
    f'<!DOCTYPE html>\n<html lang="{L.lang}">\n<head>\n<meta charset="utf-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
    'style-src \'unsafe-inline\'; script-src \'unsafe-inline\'; img-src data:">\n'
    f'<title>{_esc(L.ui("title"))}</title>\n'
    f'<style>{_CSS}</style>\n</head>\n<body>\n'
    )
