"""Records back from JSON: the one way a :class:`~pipeline.models.DocumentRecord`
is rebuilt from a dict (a ``documents.jsonl`` line, a ``to_json()`` dict).

:func:`from_json` is the inverse of :meth:`DocumentRecord.to_json`;
:func:`read_documents_jsonl` reads a whole ``documents.jsonl`` back, with what
the files beside it know (the input format, the error code and message).

>>> from pipeline.models import DocumentRecord, Evidence, Target
>>> rec = DocumentRecord("a", "a.txt", "0", province="Đắk Nông", targets=[
...     Target("library", "lib.service", None, "district", 2025, None, 60.0, None, "percent", False,
...            "at_least", Evidence("đạt 60%", 0, 7))])
>>> from_json(rec.to_json()) == rec
True
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeGuard
from collections.abc import Mapping

from ..models import (
    ERROR_WARNING, CellRef, DocError, DocumentRecord, Evidence, FactsReview, Reference, Signer, Target,
    direction_code, error_of_warning, ref_kind_code, sector_code, source_code, tier_code, unit_code,
)
from .files import csv_unescape

__all__ = ["from_json", "read_documents_jsonl", "ERROR_WARNING"]

#: The keys beside SCHEMA.md's that :func:`from_json` reads into the record's
#: typed fields (:meth:`DocumentRecord.side_json` writes them); an ``extra``
#: dict holding them (the store's rows of an earlier version) is read alike.
SIDE_KEYS = ("text", "format", "error", "error_message", "traceback", "ocr_confidence", "builtin", "review")

#: The keys a documents.jsonl record, reference, target and evidence must have
#: (SCHEMA.md); :func:`from_json` with ``strict=False`` fills them in instead.
REQUIRED_KEYS = {
    "record": ("doc_id", "source"),
    "reference": ("kind", "evidence"),
    "target": ("sector", "indicator", "tier", "value", "unit", "evidence"),
    "evidence": ("text", "start", "end"),
}


def _is_mapping(value: Any) -> TypeGuard[Mapping[str, Any]]:
    """``isinstance(value, Mapping)``, a JSON object (a ``dict``) answered first."""
    return type(value) is dict or isinstance(value, Mapping)


def _require(d: Any, what: str, strict: bool) -> Mapping[str, Any]:
    if not _is_mapping(d):
        raise TypeError(f"a {what} is not a JSON object (got {type(d).__name__})")
    if strict:
        for key in REQUIRED_KEYS[what]:
            if key not in d:
                raise KeyError(f"a {what} without {key!r}")
    return d


def _opt_int(v: Any) -> int | None:
    return None if v is None else int(v)


def _opt_str(v: Any) -> str | None:
    return None if v is None else str(v)


def from_json(obj: Any, *, strict: bool = True) -> DocumentRecord:
    """The record of a ``to_json()`` dict (a ``documents.jsonl`` line).

    ``strict`` (the default, for our own files) requires the keys SCHEMA.md
    makes mandatory (:data:`REQUIRED_KEYS`) and raises ``KeyError`` naming
    the missing one; ``strict=False`` (dicts handed to the report) fills them
    in (``other``, ``all``, an empty evidence) and also reads the flat
    ``signer_name``/``signer_title`` and ``evidence_text``/``_start``/``_end``
    keys of the CSV rows.  The keys of :data:`SIDE_KEYS`
    (what :meth:`DocumentRecord.side_json` writes), at the top or in an
    ``extra`` dict, go to the record's typed fields (``text``, ``format``,
    ``error``…), the rest of ``extra`` to ``rec.extra``; without an
    ``error``, a record whose warnings hold an ``error: …`` one (as
    ``documents.jsonl`` writes a failed file) gets the error code ``error``
    and that message, so that no reader of a record parses its warnings.  A
    value that is not a JSON object raises ``TypeError``.
    """
    d = _require(obj, "record", strict)
    if "doc_id" not in d:
        raise ValueError("a record without 'doc_id'")
    signer: Any = d.get("signer")
    if _is_mapping(signer):
        signer = Signer(signer.get("name"), signer.get("title"))
    elif d.get("signer_name") or d.get("signer_title"):
        signer = Signer(d.get("signer_name"), d.get("signer_title"))
    else:
        signer = None
    extra = dict(d.get("extra") or {})
    side = {k: extra.pop(k) for k in SIDE_KEYS if k in extra}  # rows stored before the typed fields
    side.update((k, d[k]) for k in SIDE_KEYS if d.get(k) is not None)
    review = side.get("review")
    if d.get("reviewed") and _is_mapping(d.get("original")):
        # corrected document facts (pipeline.review), written back by to_json()
        review = {"reviewed": d["reviewed"], "original": d["original"]}
    warnings = [str(w) for w in d.get("warnings") or []]
    error = None
    if side.get("error"):
        error = DocError(str(side["error"]), _opt_str(side.get("error_message")), _opt_str(side.get("traceback")))
    else:
        message = next((m for m in map(error_of_warning, warnings) if m is not None), None)
        if message is not None:
            error = DocError("error", message)
    confidence = side.get("ocr_confidence")
    return DocumentRecord(
        doc_id=str(d["doc_id"]), source=str(d.get("source") or ""), sha256=str(d.get("sha256") or ""),
        doc_type=d.get("doc_type"), number=d.get("number"), issue_date=d.get("issue_date"),
        place=d.get("place"), issuing_body=d.get("issuing_body"), parent_body=d.get("parent_body"),
        admin_level=d.get("admin_level"), province=d.get("province"), district=d.get("district"),
        signer=signer, title=d.get("title"),
        references=[_reference(r, strict) for r in d.get("references") or []],
        targets=[_target(t, strict) for t in d.get("targets") or []],
        warnings=warnings,
        text=_opt_str(side.get("text")), format=_opt_str(side.get("format")), error=error,
        ocr_confidence=None if confidence is None else float(confidence),
        review=FactsReview(str(review["reviewed"]), dict(review["original"])) if _is_mapping(review) else None,
        builtin=bool(side.get("builtin")),
        extra=extra,
    )


def _evidence(d: Mapping[str, Any], strict: bool) -> Evidence:
    ev = d.get("evidence")
    if isinstance(ev, Evidence):
        return ev
    if _is_mapping(ev) or strict:
        ev = _require(ev, "evidence", strict)
        return Evidence(str(ev.get("text") or ""), int(ev.get("start") or 0), int(ev.get("end") or 0))
    return Evidence(str(d.get("evidence_text") or ""), int(d.get("evidence_start") or 0),
                    int(d.get("evidence_end") or 0))


def _reference(r: Any, strict: bool) -> Reference:
    if isinstance(r, Reference):
        return r
    r = _require(r, "reference", strict)
    return Reference(ref_kind_code(r.get("kind") or "other"), r.get("number"), r.get("date"), r.get("issuer"),
                     _evidence(r, strict))


def _target(t: Any, strict: bool) -> Target:
    """A target; ``year`` may be null, and the scope fields (``year_source``,
    ``tier_source``, ``group``) absent (older outputs)."""
    if isinstance(t, Target):
        return t
    t = _require(t, "target", strict)
    value_max = t.get("value_max")
    cell = t.get("cell")
    span = t.get("value_span")
    return Target(
        sector_code(t.get("sector") or "other"), t.get("indicator") or "other", t.get("subject"),
        tier_code(t.get("tier") or "all"),
        _opt_int(t.get("year")), _opt_int(t.get("period_start")),
        float(t.get("value") or 0), None if value_max is None else float(value_max),
        unit_code(t.get("unit") or "other"), bool(t.get("implied")), direction_code(t.get("direction") or "at_least"),
        _evidence(t, strict), cell=CellRef(**cell) if _is_mapping(cell) else None,
        value_span=_evidence({"evidence": span}, True) if _is_mapping(span) else None,
        year_source=None if t.get("year_source") is None else source_code(t["year_source"]),
        tier_source=None if t.get("tier_source") is None else source_code(t["tier_source"]),
        group=_opt_str(t.get("group")),
        reviewed=_opt_str(t.get("reviewed")),
        original=_target(t["original"], strict) if _is_mapping(t.get("original")) else None,
    )


def read_documents_jsonl(path: Path | str) -> list[DocumentRecord]:
    """The records of a ``documents.jsonl`` written by :func:`pipeline.outputs.write.write_outputs`.

    What the JSON record does not hold is taken from the files beside it when
    they are there: each document's input ``format`` and ``error`` code from
    ``documents.csv``, the error message from ``errors.csv``, each target's
    ``value_span`` (the value as the reader matched it) from ``targets.csv``.  Without them a
    failed record keeps what :func:`from_json` read from its ``error: …``
    warning (the code ``error`` and the warning's message).
    Raises :class:`ValueError` naming the line of a line that is not a record.
    """
    path = Path(path)
    facts = _read_side_csv(path.parent / "documents.csv", ("format", "error"))
    spans = _read_value_spans(path.parent / "targets.csv")
    messages = _read_side_csv(path.parent / "errors.csv", ("message",))
    records = []
    with path.open(encoding="utf-8-sig") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"{path}, line {lineno}"
            try:
                rec = from_json(json.loads(line))
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{where}: not a documents.jsonl record ({type(exc).__name__}: {exc})") from None
            key = (rec.doc_id, rec.source)
            fmt, error = facts.get(key, (None, None))
            if fmt:
                rec.format = fmt
            if error:
                rec.error = DocError(error, rec.error.message if rec.error else None)
            msg = messages.get(key, (None,))[0]
            if msg and rec.error is not None:
                rec.error = DocError(rec.error.code, msg)
            _put_value_spans(rec, spans.get(rec.doc_id))
            records.append(rec)
    return records


#: A targets.csv row's identity and value span: evidence start and end, indicator, tier; value text, start, end.
_SpanRow = tuple[str, str, str, str, str, str, str]


def _read_value_spans(path: Path) -> dict[str, list[_SpanRow]]:
    """The rows of ``targets.csv`` per ``doc_id``, in order (as the records' targets are)."""
    import csv

    if not path.is_file():
        return {}
    out: dict[str, list[_SpanRow]] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            if "doc_id" in row and "value_start" in row:
                def cell(c: str, row: dict[str, str] = row) -> str:
                    return csv_unescape(row.get(c) or "")
                out.setdefault(cell("doc_id"), []).append((
                    cell("evidence_start"), cell("evidence_end"), cell("indicator"), cell("tier"),
                    cell("value_text"), cell("value_start"), cell("value_end")))
    return out


def _put_value_spans(rec: DocumentRecord, rows: list[_SpanRow] | None) -> None:
    """Give ``rec``'s targets the value spans of its next ``targets.csv`` rows
    (taken from ``rows``), where a row is that target's (same evidence,
    indicator and tier) and has one."""
    import dataclasses

    if not rows or not rec.targets:
        return
    mine, rows[:] = rows[:len(rec.targets)], rows[len(rec.targets):]
    for i, (t, (es, ee, ind, tier, text, vs, ve)) in enumerate(zip(rec.targets, mine, strict=False)):
        if (es, ee, ind, tier) == (str(t.evidence.start), str(t.evidence.end), t.indicator, t.tier) \
                and vs.isdigit() and ve.isdigit():
            rec.targets[i] = dataclasses.replace(t, value_span=Evidence(text, int(vs), int(ve)))


def _read_side_csv(path: Path, columns: tuple[str, ...]) -> dict[tuple[str, str], tuple[str | None, ...]]:
    import csv

    if not path.is_file():
        return {}
    out: dict[tuple[str, str], tuple[str | None, ...]] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            if "doc_id" in row and "source" in row:
                key = (csv_unescape(row["doc_id"]), csv_unescape(row["source"]))
                out.setdefault(key, tuple(csv_unescape(row.get(c) or "") or None for c in columns))
    return out
