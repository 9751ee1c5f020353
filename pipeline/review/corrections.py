"""Corrections: what an analyst changed, how it is matched again, how it is applied.

A correction is a row of the store's ``corrections`` table
(:meth:`pipeline.store.Store.put_correction`), keyed by the file's
``sha256`` and by what it corrects, never by row position:

* a **target** correction (``accept``, ``edit``, ``reject``) names the
  value's own span in the document text (``span_start``, ``span_end``) and
  the text written there (``span_text``, e.g. ``60%``), plus a snapshot of
  the target as it was extracted (``original``);
* an **added** target (``add``) is the span of words the analyst selected,
  with every field of the new target;
* a **fact** correction (``set``) names a document fact (``province``,
  ``issue_date`` …) and its new value;
* ``doc``/``status`` (``reviewed``) marks the whole document as reviewed;
* ``undone`` is a correction taken back (kept, so that the exports know the
  document had been corrected and rebuild it from the store).

:func:`apply_corrections` is the one place the outputs see corrections: it
takes the records about to be written and returns them corrected.  A
target correction applies to the extracted target whose value stands at the
same span with the same text; when several targets share that span (one
value for several tiers) the one most like the snapshot is taken.  A
correction that finds no such target (after a rules change, say) is
*unmatched*: it is listed (:attr:`Corrected.unmatched`, the run summary,
the review page, a warning in the record) and never dropped.

Only the standard library (and the code vocabularies of :mod:`pipeline.models`) is imported here.
"""
from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from collections.abc import Iterable, Mapping, Sequence

from ..models import ADMIN_LEVELS, DIRECTIONS, DOC_TYPES, SECTORS, TIERS, UNITS, FactsReview

if TYPE_CHECKING:
    from ..models import DocumentRecord, Target
    from ..store import Correction, Store

__all__ = ["apply_corrections", "Corrected", "Unmatched", "target_spans", "target_ident", "validate_target",
           "validate_fact", "CODES", "FACT_FIELDS", "EDITABLE", "ReviewError", "correct_record", "correction_span",
           "added_targets"]

#: SCHEMA.md's codes, which an edit is validated against.
CODES: dict[str, tuple[str, ...]] = {
    "sector": SECTORS,
    "indicator": ("lib.service", "lib.digital", "lib.users_growth", "museum.education",
                  "museum.visitors_growth", "culture.activities", "culture.clubs", "culture.facilities",
                  "culture.participation", "other"),
    "tier": TIERS,
    "unit": UNITS,
    "direction": DIRECTIONS,
    "doc_type": DOC_TYPES,
    "admin_level": ADMIN_LEVELS,
}

#: The fields of a target an analyst may set.
EDITABLE = ("sector", "indicator", "subject", "tier", "year", "period_start", "value", "value_max", "unit",
            "direction", "group")

#: Document facts an analyst may correct (``signer_name``/``signer_title`` set the signer).
FACT_FIELDS = ("doc_type", "number", "issue_date", "place", "issuing_body", "parent_body", "admin_level",
               "province", "district", "signer_name", "signer_title", "title")

#: The fields that tell targets sharing one value span apart (the snapshot).
_IDENTITY = ("indicator", "tier", "year", "group", "value", "value_max", "unit", "direction")

_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_YEAR_MIN, _YEAR_MAX = 1945, 2100


class ReviewError(ValueError):
    """A correction that cannot be saved: the message says which field and why."""


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------

def _opt_str(name: str, v: Any, limit: int = 500) -> str | None:
    if v is None:
        return None
    if not isinstance(v, str):
        raise ReviewError(f"{name}: must be text")
    v = " ".join(v.split())
    if len(v) > limit:
        raise ReviewError(f"{name}: longer than {limit} characters")
    return v or None


def _opt_year(name: str, v: Any) -> int | None:
    if v is None or v == "":
        return None
    try:
        y = int(str(v).strip())
    except ValueError:
        raise ReviewError(f"{name}: not a year: {v!r}") from None
    if not _YEAR_MIN <= y <= _YEAR_MAX:
        raise ReviewError(f"{name}: {y} is not between {_YEAR_MIN} and {_YEAR_MAX}")
    return y


def _opt_number(name: str, v: Any) -> float | None:
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        raise ReviewError(f"{name}: not a number")
    text = str(v).strip().replace(" ", "")
    if re.fullmatch(r"\d{1,15},\d{1,6}", text):  # a decimal comma, as Vietnamese writes it
        text = text.replace(",", ".")
    try:
        x = float(text)
    except ValueError:
        raise ReviewError(f"{name}: not a number: {v!r}") from None
    if x != x or x in (float("inf"), float("-inf")) or x < 0:
        raise ReviewError(f"{name}: must be a number of 0 or more")
    return x


def _code(name: str, v: Any) -> str:
    if v not in CODES[name]:
        raise ReviewError(f"{name}: {v!r} is not one of {', '.join(CODES[name])}")
    return str(v)


def validate_target(fields: Mapping[str, Any]) -> dict[str, Any]:
    """``fields`` of an edited or added target, checked against SCHEMA's codes
    and types; every field of :data:`EDITABLE` is in the result.  Raises
    :class:`ReviewError`.

    >>> validate_target({"sector": "library", "indicator": "lib.service", "tier": "commune",
    ...                  "year": "2030", "value": "12,5", "unit": "percent", "direction": "at_least"})["value"]
    12.5
    >>> try:
    ...     validate_target({"indicator": "lib.nothing"})
    ... except ReviewError as exc:
    ...     print(str(exc)[:47])
    indicator: 'lib.nothing' is not one of lib.serv
    """
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ReviewError(f"not fields of a target: {', '.join(sorted(unknown))}")
    indicator = _code("indicator", fields.get("indicator"))
    sector = fields.get("sector") or _sector_of(indicator)
    out: dict[str, Any] = {
        "sector": _code("sector", sector),
        "indicator": indicator,
        "subject": _opt_str("subject", fields.get("subject")),
        "tier": _code("tier", fields.get("tier")),
    }
    year = out["year"] = _opt_year("year", fields.get("year"))
    period_start = out["period_start"] = _opt_year("period_start", fields.get("period_start"))
    value = out["value"] = _opt_number("value", fields.get("value"))
    value_max = out["value_max"] = _opt_number("value_max", fields.get("value_max"))
    out.update(unit=_code("unit", fields.get("unit")),
               direction=_code("direction", fields.get("direction") or "at_least"),
               group=_opt_str("group", fields.get("group"), 100))
    if value is None:
        raise ReviewError("value: a target needs a value")
    if value_max is not None and value_max < value:
        raise ReviewError("value_max: smaller than value")
    if period_start is not None and year is not None and period_start > year:
        raise ReviewError("period_start: after the year")
    return out


def _sector_of(indicator: str) -> str:
    return {"lib": "library", "museum": "museum", "culture": "culture"}.get(indicator.split(".")[0], "other")


def validate_fact(name: str, value: Any) -> str | None:
    """A document fact's new value (``None`` clears it).  Raises :class:`ReviewError`.

    >>> validate_fact("issue_date", "2024-03"), validate_fact("admin_level", "district")
    ('2024-03', 'district')
    """
    if name not in FACT_FIELDS:
        raise ReviewError(f"{name}: not a document fact ({', '.join(FACT_FIELDS)})")
    v = _opt_str(name, value, 1000)
    if v is None:
        return None
    if name in CODES:
        return _code(name, v)
    if name == "issue_date" and not _DATE.match(v):
        raise ReviewError("issue_date: not an ISO date (YYYY-MM-DD, YYYY-MM or YYYY)")
    return v


# --------------------------------------------------------------------------
# Where a target's value stands
# --------------------------------------------------------------------------

def _value_span_in(t: Target, evidence: str, taken: Iterable[tuple[int, int]]) -> tuple[int, int] | None:
    from ..outputs.annotate import value_span  # the report's way of finding a value in its sentence
    return value_span(t, evidence, taken)


def target_spans(rec: DocumentRecord) -> list[tuple[int, int, str]]:
    """Each target's own span in the document text: ``(start, end, text)``
    of its value as written (``60%``, ``12 - 15%``), or of its whole
    evidence when the value is not written (an implied 100%)."""
    taken: dict[tuple[str, int], set[tuple[int, int]]] = {}
    out = []
    for t in rec.targets:
        ev = t.evidence
        key = (ev.text, ev.start)
        span = _value_span_in(t, ev.text, taken.get(key, ()))
        if span is None:
            out.append((ev.start, ev.end, ev.text))
            continue
        taken.setdefault(key, set()).add(span)
        out.append((ev.start + span[0], ev.start + span[1], ev.text[span[0]:span[1]]))
    return out


def snapshot(t: Target) -> dict[str, Any]:
    """The extracted target as the correction remembers it (JSON-able)."""
    d = {k: getattr(t, k) for k in EDITABLE}
    d.update(year_source=t.year_source, tier_source=t.tier_source, implied=t.implied,
             evidence={"text": t.evidence.text, "start": t.evidence.start, "end": t.evidence.end})
    return d


def target_ident(span: tuple[int, int, str], snap: Mapping[str, Any]) -> str:
    """The key of a correction of one extracted target: its span, and what
    tells it apart from other targets at the same span."""
    ids = [snap.get(k) for k in _IDENTITY]
    return json.dumps([span[0], span[1], span[2]] + ids, ensure_ascii=False)


def _likeness(t: Target, snap: Mapping[str, Any]) -> int:
    n = 0
    for k in _IDENTITY:
        a, b = getattr(t, k), snap.get(k)
        if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
            n += abs(a - b) < 1e-9
        else:
            n += a == b
    return n


# --------------------------------------------------------------------------
# Applying
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Unmatched:
    """A correction that matches no extracted value any more."""

    doc_id: str
    correction_id: int
    action: str
    span_text: str | None
    span_start: int | None

    def describe(self) -> str:
        return (f"{self.doc_id}: correction {self.correction_id} ({self.action} of {self.span_text!r} "
                f"at {self.span_start}) matches no extracted value any more")


class Corrected(list["DocumentRecord"]):
    """The corrected records (a list), with what was applied and what was not."""

    def __init__(self, records: Iterable[DocumentRecord] = ()):
        super().__init__(records)
        self.applied = 0
        self.documents = 0
        self.unmatched: list[Unmatched] = []
        self.elsewhere = 0  # corrections of files (bytes) not among the records

    def summary_lines(self) -> list[str]:
        """Lines for the run summary (none when the store holds no correction that counts)."""
        if not self.applied and not self.unmatched and not self.elsewhere:
            return []
        lines = [f"corrections {self.applied} applied to {self.documents} document"
                 f"{'' if self.documents == 1 else 's'}, {len(self.unmatched)} unmatched"
                 + (f", {self.elsewhere} of files not in this run (other bytes: a new version, or not given)"
                    if self.elsewhere else "")]
        lines += [f"unmatched   {u.describe()}  (see chitieu review)" for u in self.unmatched]
        return lines


_TARGET_ACTIONS = ("accept", "edit", "reject")


def correction_span(c: Correction) -> tuple[int, int, str] | None:
    """The span ``(start, end, text)`` a target correction names (``None``: a row without one)."""
    start, end, text = c["span_start"], c["span_end"], c["span_text"]
    return None if start is None or end is None or text is None else (start, end, text)


def added_targets(corrections: Iterable[Correction]) -> list[tuple[tuple[int, int, str], Correction]]:
    """The ``add`` corrections with their spans, in the order their targets follow
    the extracted ones: by place in the text, then by id."""
    added = [(span, c) for c in corrections if c["kind"] == "target" and c["action"] == "add"
             and (span := correction_span(c)) is not None]
    return sorted(added, key=lambda a: (a[0][0], a[1]["id"]))


def correct_record(rec: DocumentRecord, corrections: Sequence[Correction]
                   ) -> tuple[DocumentRecord, int, list[Unmatched], list[Correction | None]]:
    """``rec`` with ``corrections`` (rows of its file) applied: the new
    record, how many applied, the unmatched ones, and, for each target of
    ``rec`` as given, the correction that claimed it (or ``None``)."""
    from ..models import Evidence, Signer, Target

    spans = target_spans(rec)
    claimed: dict[int, Correction] = {}
    unmatched: list[Unmatched] = []
    applied = 0
    for c in corrections:
        if c["kind"] != "target" or c["action"] not in _TARGET_ACTIONS:
            continue
        where = correction_span(c)
        cands = [i for i, s in enumerate(spans) if s == where and i not in claimed]
        if not cands:
            unmatched.append(Unmatched(rec.doc_id, int(c["id"]), c["action"], c["span_text"], c["span_start"]))
            continue
        snap = c.get("original") or {}
        best = max(cands, key=lambda i: (_likeness(rec.targets[i], snap), -i))
        claimed[best] = c
    targets: list[Target] = []
    for i, t in enumerate(rec.targets):
        claim = claimed.get(i)
        if claim is None:
            targets.append(t)
            continue
        applied += 1
        if claim["action"] == "reject":
            continue
        if claim["action"] == "accept":
            targets.append(dataclasses.replace(t, reviewed="accepted"))
        else:
            fields = dict(claim.get("fields") or {})
            if "value" in fields or "value_max" in fields:
                fields["value_span"] = None   # the value as written is the extracted one's
            targets.append(dataclasses.replace(t, **fields, reviewed="edited", original=t))
    for (span_start, span_end, _), c in added_targets(corrections):
        f = dict(c["fields"] or {})
        ev = (c.get("original") or {}).get("evidence") or {}
        text = rec.text
        start, end = int(ev.get("start", span_start)), int(ev.get("end", span_end))
        ev_text = text[start:end] if isinstance(text, str) and 0 <= start <= end <= len(text) else ev.get("text", "")
        targets.append(Target(f["sector"], f["indicator"], f.get("subject"), f["tier"], f.get("year"),
                              f.get("period_start"), float(f["value"]),
                              None if f.get("value_max") is None else float(f["value_max"]), f["unit"], False,
                              f.get("direction") or "at_least", Evidence(ev_text, start, end),
                              year_source="clause" if f.get("year") is not None else "none",
                              tier_source="clause", group=f.get("group"), reviewed="added"))
        applied += 1
    facts = {c["ident"]: c for c in corrections if c["kind"] == "fact" and c["action"] == "set"}
    new = dataclasses.replace(rec, targets=targets, extra=dict(rec.extra), warnings=list(rec.warnings))
    if facts:
        original: dict[str, Any] = {}
        signer = {"name": rec.signer.name if rec.signer else None,
                  "title": rec.signer.title if rec.signer else None}
        for name, c in facts.items():
            value = (c.get("fields") or {}).get("value")
            if name in ("signer_name", "signer_title"):
                key = name.split("_", 1)[1]
                original.setdefault("signer", dict(signer))
                signer[key] = value
            else:
                original[name] = getattr(rec, name)
                setattr(new, name, value)
            applied += 1
        if "signer" in original:
            new.signer = None if signer["name"] is None and signer["title"] is None else Signer(**signer)
        new.review = FactsReview("edited", original)
    for u in unmatched:
        new.warnings.append(f"review: correction {u.correction_id} ({u.action} of {u.span_text!r} at "
                            f"{u.span_start}) matches no extracted value any more; see chitieu review")
    return new, applied, unmatched, [claimed.get(i) for i in range(len(rec.targets))]


def apply_corrections(records: Iterable[DocumentRecord], store: Store | Path | str | None) -> Corrected:
    """``records`` with the corrections of ``store`` applied (a :class:`Corrected` list).

    ``store`` is a :class:`~pipeline.store.Store` or the path of one (a
    missing file: no corrections).  A record whose file has corrections
    (taken back ones included) is rebuilt from the store's own record for
    that source and those bytes when it has one, so records read back from a
    corrected ``documents.jsonl`` are corrected once, from what was
    extracted.  Records of files without corrections are returned as given,
    the same objects: a run without corrections writes what it wrote before.
    """
    from ..store import Store, from_payload

    records = list(records)
    if store is None:
        return Corrected(records)
    own = not isinstance(store, Store)
    st = store if isinstance(store, Store) else Store(store)
    try:
        if not Path(st.path).exists() or not st.has_corrections():
            return Corrected(records)
        out = Corrected()
        shas = {rec.sha256 for rec in records}
        out.elsewhere = sum(1 for c in st.corrections() if c["sha256"] not in shas and c["action"] != "undone"
                            and c["kind"] != "doc")
        for rec in records:
            rows = st.corrections(rec.sha256) if rec.sha256 and rec.error is None else []
            if not rows:
                out.append(rec)
                continue
            payload = st.payload_of(rec.source, rec.sha256)
            base = from_payload(payload) if payload is not None else rec
            if payload is not None:  # keep what the caller's record knows beyond the store (a fresh traceback)
                for name in ("text", "format", "error", "ocr_confidence", "review"):
                    if getattr(base, name) is None:
                        setattr(base, name, getattr(rec, name))
                base.builtin = base.builtin or rec.builtin
                for k, v in rec.extra.items():
                    base.extra.setdefault(k, v)
            new, applied, unmatched, _ = correct_record(base, rows)
            out.append(new)
            out.applied += applied
            out.documents += bool(applied)
            out.unmatched.extend(unmatched)
        return out
    finally:
        if own:
            st.close()
