"""Counts and scores of one document: P/R/F1, accuracy, and what differs."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from collections.abc import Iterable, Mapping

from .match import (
    FIELDS, REFERENCE_KEY, SNIPPET_CHARS, TARGET_VIEWS, Key, MatchResult, _is_number, match_multiset,
    normalize_text, values_equal,
)


# --------------------------------------------------------------------------
# Counts
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class PRF:
    """True positive / false positive / false negative counts and P, R, F1."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: PRF) -> PRF:
        return PRF(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        if self.tp + self.fp == 0:
            return 1.0 if self.fn == 0 else 0.0
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        if self.tp + self.fn == 0:
            return 1.0 if self.fp == 0 else 0.0
        return self.tp / (self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": self.precision, "recall": self.recall, "f1": self.f1,
            "tp": self.tp, "fp": self.fp, "fn": self.fn,
        }

    def format(self) -> str:
        return (f"P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f} "
                f"(tp={self.tp} fp={self.fp} fn={self.fn})")


@dataclass(frozen=True)
class Accuracy:
    """Correct out of total."""

    correct: int = 0
    total: int = 0

    def __add__(self, other: Accuracy) -> Accuracy:
        return Accuracy(self.correct + other.correct, self.total + other.total)

    @property
    def accuracy(self) -> float:
        """Share correct; 1.0 when there was nothing to score."""
        return 1.0 if self.total == 0 else self.correct / self.total

    def to_dict(self) -> dict[str, Any]:
        return {"accuracy": self.accuracy, "correct": self.correct, "total": self.total}

    def format(self) -> str:
        return f"{self.accuracy:.3f} ({self.correct}/{self.total})"


# --------------------------------------------------------------------------
# Per-document results
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class ItemDiff:
    """A missed (gold) or extra (output) target or reference."""

    key: Key
    text: str | None   # gold quote for a miss, output evidence text for an extra

    def format(self) -> str:
        key = "(" + ", ".join(_show_value(v) for v in self.key) + ")"
        if self.text is None:
            return key
        return f"{key}  {json.dumps(truncate(self.text), ensure_ascii=False)}"

    def to_dict(self) -> dict[str, Any]:
        return {"key": list(self.key), "text": self.text}


@dataclass(frozen=True)
class FieldDiff:
    """A document field whose output differs from gold."""

    name: str
    got: Any
    expected: Any

    def format(self) -> str:
        return f"{self.name}: got {_show_value(self.got)}, expected {_show_value(self.expected)}"

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.name, "got": self.got, "expected": self.expected}


@dataclass(frozen=True)
class DocResult:
    """Scores and differences of one gold document."""

    set_name: str
    doc_id: str
    has_output: bool
    targets: Mapping[str, PRF]          # view name -> counts
    references: PRF
    fields: Mapping[str, bool]          # field -> correct
    target_misses: tuple[ItemDiff, ...]   # strict view
    target_extras: tuple[ItemDiff, ...]   # strict view
    reference_misses: tuple[ItemDiff, ...]
    reference_extras: tuple[ItemDiff, ...]
    field_errors: tuple[FieldDiff, ...]

    @property
    def is_perfect(self) -> bool:
        return (self.has_output and not self.target_misses and not self.target_extras
                and not self.reference_misses and not self.reference_extras
                and not self.field_errors)

    def to_dict(self) -> dict[str, Any]:
        return {
            "set": self.set_name,
            "doc_id": self.doc_id,
            "has_output": self.has_output,
            "targets": {v: c.to_dict() for v, c in self.targets.items()},
            "references": self.references.to_dict(),
            "fields": dict(self.fields),
            "target_misses": [d.to_dict() for d in self.target_misses],
            "target_extras": [d.to_dict() for d in self.target_extras],
            "reference_misses": [d.to_dict() for d in self.reference_misses],
            "reference_extras": [d.to_dict() for d in self.reference_extras],
            "field_errors": [d.to_dict() for d in self.field_errors],
        }

    def format(self) -> str:
        """The document's misses and extras, one per line."""
        head = f"--- {self.set_name}/{self.doc_id}"
        lines = [head + ("" if self.has_output else
                         "  (no output record: everything counted as missed, all fields wrong)")]
        for d in self.target_misses:
            lines.append(f"  target miss   {d.format()}")
        for d in self.target_extras:
            lines.append(f"  target extra  {d.format()}")
        for d in self.reference_misses:
            lines.append(f"  ref miss      {d.format()}")
        for d in self.reference_extras:
            lines.append(f"  ref extra     {d.format()}")
        if self.has_output:
            for f in self.field_errors:
                lines.append(f"  field         {f.format()}")
        return "\n".join(lines)


def _show_value(value: Any) -> str:
    """A compact display of a key component or field value."""
    if value is None:
        return "null"
    if _is_number(value):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, str):
        return json.dumps(normalize_text(value), ensure_ascii=False)
    return repr(value)


def truncate(text: str, limit: int = SNIPPET_CHARS) -> str:
    """Collapse whitespace and cut to ``limit`` characters with an ellipsis."""
    text = normalize_text(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --------------------------------------------------------------------------
# Record access
# --------------------------------------------------------------------------

def _key(item: Mapping[str, Any], names: Iterable[str]) -> Key:
    return tuple(item.get(n) for n in names)


def _evidence_text(item: Mapping[str, Any]) -> str | None:
    ev = item.get("evidence")
    text = ev.get("text") if isinstance(ev, Mapping) else None
    return text if isinstance(text, str) else None


def flatten_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    """The :data:`FIELDS` of a record, with an output ``signer`` object flattened.

    An output record carries ``signer: {"name", "title"} | null``; a gold file
    carries ``signer_name``/``signer_title``.  Either shape is accepted.
    """
    out = {name: record.get(name) for name in FIELDS}
    signer = record.get("signer")
    if isinstance(signer, Mapping):
        out["signer_name"] = signer.get("name")
        out["signer_title"] = signer.get("title")
    return out


def _list(record: Mapping[str, Any] | None, key: str) -> list[Mapping[str, Any]]:
    if record is None:
        return []
    items = record.get(key) or []
    return [i for i in items if isinstance(i, Mapping)]


def score_document(
    set_name: str,
    doc_id: str,
    gold: Mapping[str, Any],
    output: Mapping[str, Any] | None,
) -> DocResult:
    """Compare one output record (``None`` when absent) with its gold record."""
    gold_targets = _list(gold, "targets")
    out_targets = _list(output, "targets")
    counts: dict[str, PRF] = {}
    strict: MatchResult | None = None
    for view, names in TARGET_VIEWS.items():
        m = match_multiset([_key(t, names) for t in gold_targets],
                           [_key(t, names) for t in out_targets])
        counts[view] = PRF(len(m.pairs), len(m.extra), len(m.missed))
        if view == "strict":
            strict = m
    assert strict is not None
    strict_names = TARGET_VIEWS["strict"]
    target_misses = tuple(ItemDiff(_key(gold_targets[i], strict_names), gold_targets[i].get("quote"))
                          for i in strict.missed)
    target_extras = tuple(ItemDiff(_key(out_targets[i], strict_names), _evidence_text(out_targets[i]))
                          for i in strict.extra)

    gold_refs = [_key(r, REFERENCE_KEY) for r in _list(gold, "references")]
    out_refs = [_key(r, REFERENCE_KEY) for r in _list(output, "references")]
    rm = match_multiset(gold_refs, out_refs)
    ref_counts = PRF(len(rm.pairs), len(rm.extra), len(rm.missed))

    gold_fields = flatten_fields(gold)
    field_ok: dict[str, bool] = {}
    errors: list[FieldDiff] = []
    out_fields = flatten_fields(output) if output is not None else None
    for name in FIELDS:
        if out_fields is None:
            field_ok[name] = False
            continue
        ok = values_equal(out_fields[name], gold_fields[name])
        field_ok[name] = ok
        if not ok:
            errors.append(FieldDiff(name, out_fields[name], gold_fields[name]))

    return DocResult(
        set_name=set_name,
        doc_id=doc_id,
        has_output=output is not None,
        targets=counts,
        references=ref_counts,
        fields=field_ok,
        target_misses=target_misses,
        target_extras=target_extras,
        reference_misses=tuple(ItemDiff(gold_refs[i], None) for i in rm.missed),
        reference_extras=tuple(ItemDiff(out_refs[i], None) for i in rm.extra),
        field_errors=tuple(errors),
    )
