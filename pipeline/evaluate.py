"""Score an extractor's ``documents.jsonl`` against the hand-written gold files.

``chitieu eval OUTPUT_JSONL [GROUP=]GOLD_DIR [[GROUP=]GOLD_DIR...]``

Each gold directory is a set, scored on its own.  ``GROUP=`` puts sets in
groups that are pooled apart — ``make eval`` scores the sets rules are
written from as ``tune`` and the held-out set as ``check`` — and the report
ends with one line per set and per group: strict and loose F1.

Output records follow ``SCHEMA.md`` (``signer`` is an object, targets and
references carry ``evidence``); gold files are ``<doc_id>.json`` with
``signer`` flattened to ``signer_name``/``signer_title`` and targets carrying a
``quote``.  A record and a gold file are paired by ``doc_id`` == gold file stem.

What is scored
--------------
* **Targets** — precision/recall/F1 by multiset matching, counts summed over
  documents (micro average), in three views:

  - ``strict``:  (indicator, tier, year, value, value_max)
  - ``by-tier``: (tier, year, value, value_max)
  - ``loose``:   (year, value, value_max)

  Numbers are equal when ``abs(a - b) < 1e-6`` (so ``60 == 60.0``); ``None``
  equals only ``None`` (a target with no due year, ``year: null``, matches
  only one with no year).  Strings are compared after NFC normalisation and
  whitespace collapsing.
* **References** — P/R/F1 on the multiset of (number, date) per document.
* **Document fields** — accuracy of each of :data:`FIELDS`, and pooled over
  all of them; ``null == null`` counts as correct.

Every gold document is scored.  A gold document with no output record counts
as all-missed: all its targets and references are false negatives and all its
fields are wrong; it is listed in the report.  Output records with no gold
file are ignored (only counted and listed in the header).

Metric conventions for empty denominators: precision is 1.0 when nothing was
predicted and nothing was to be found, 0.0 when nothing was predicted but
something was to be found; recall symmetrically.  So a score is 1.0 exactly
when output and gold agree.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

#: Document-level fields scored by accuracy (output ``signer`` is flattened).
FIELDS: tuple[str, ...] = (
    "doc_type", "number", "issue_date", "place", "issuing_body", "parent_body",
    "admin_level", "province", "district", "signer_name", "signer_title",
)

#: Target key components of each view, in display order.
TARGET_VIEWS: dict[str, tuple[str, ...]] = {
    "strict": ("indicator", "tier", "year", "value", "value_max"),
    "by-tier": ("tier", "year", "value", "value_max"),
    "loose": ("year", "value", "value_max"),
}

#: Reference key components.
REFERENCE_KEY: tuple[str, ...] = ("number", "date")

#: Numbers closer than this are equal.
TOLERANCE = 1e-6

#: Display length of evidence/quote snippets.
SNIPPET_CHARS = 100

Key = tuple[Any, ...]


# --------------------------------------------------------------------------
# Normalisation and comparison
# --------------------------------------------------------------------------

def normalize_text(value: str) -> str:
    """NFC-normalise and collapse runs of whitespace to one space, stripped."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def _is_number(value: Any) -> bool:
    """True for ints and floats, but not bools."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def values_equal(a: Any, b: Any) -> bool:
    """Compare two scalar values the way the evaluation does.

    Numbers within :data:`TOLERANCE`, strings after :func:`normalize_text`,
    ``None`` only with ``None``, anything else with ``==``.
    """
    if a is None or b is None:
        return a is None and b is None
    if _is_number(a) and _is_number(b):
        return abs(float(a) - float(b)) < TOLERANCE
    if isinstance(a, str) and isinstance(b, str):
        return normalize_text(a) == normalize_text(b)
    return bool(a == b)


def keys_equal(a: Key, b: Key) -> bool:
    """Component-wise :func:`values_equal` of two key tuples."""
    return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b))


@dataclass(frozen=True)
class MatchResult:
    """Indices of matched pairs and of unmatched gold / output items."""

    pairs: tuple[tuple[int, int], ...]
    missed: tuple[int, ...]   # gold indices without a partner (false negatives)
    extra: tuple[int, ...]    # output indices without a partner (false positives)


def match_multiset(
    gold: Sequence[Key],
    output: Sequence[Key],
    equal: Callable[[Key, Key], bool] = keys_equal,
) -> MatchResult:
    """Match two multisets of keys one-to-one.

    Each gold key takes the first still-unmatched equal output key, so a key
    present twice in gold and once in output gives one match and one miss.
    Greedy matching is optimal whenever ``equal`` is transitive, which it is
    except for numbers straddling the tolerance.
    """
    used = [False] * len(output)
    pairs: list[tuple[int, int]] = []
    missed: list[int] = []
    for gi, gkey in enumerate(gold):
        for oi, okey in enumerate(output):
            if not used[oi] and equal(gkey, okey):
                used[oi] = True
                pairs.append((gi, oi))
                break
        else:
            missed.append(gi)
    extra = tuple(oi for oi, u in enumerate(used) if not u)
    return MatchResult(tuple(pairs), tuple(missed), extra)


# --------------------------------------------------------------------------
# Counts
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class PRF:
    """True positive / false positive / false negative counts and P, R, F1."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: "PRF") -> "PRF":
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

    def __add__(self, other: "Accuracy") -> "Accuracy":
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
    text: Optional[str]   # gold quote for a miss, output evidence text for an extra

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


def _evidence_text(item: Mapping[str, Any]) -> Optional[str]:
    ev = item.get("evidence")
    if isinstance(ev, Mapping) and isinstance(ev.get("text"), str):
        return ev["text"]
    return None


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


def _list(record: Optional[Mapping[str, Any]], key: str) -> list[Mapping[str, Any]]:
    if record is None:
        return []
    items = record.get(key) or []
    return [i for i in items if isinstance(i, Mapping)]


def score_document(
    set_name: str,
    doc_id: str,
    gold: Mapping[str, Any],
    output: Optional[Mapping[str, Any]],
) -> DocResult:
    """Compare one output record (``None`` when absent) with its gold record."""
    gold_targets = _list(gold, "targets")
    out_targets = _list(output, "targets")
    counts: dict[str, PRF] = {}
    strict: Optional[MatchResult] = None
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


# --------------------------------------------------------------------------
# Aggregates
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class SetScores:
    """Scores of one gold set (or of all sets combined)."""

    name: str
    gold_dirs: tuple[str, ...]
    docs: tuple[DocResult, ...]
    #: The group the set is scored in (``tune``, ``check``), ``None`` when ungrouped.
    group: Optional[str] = None

    @property
    def n_gold(self) -> int:
        return len(self.docs)

    @property
    def missing_output(self) -> tuple[str, ...]:
        return tuple(d.doc_id for d in self.docs if not d.has_output)

    def targets(self, view: str) -> PRF:
        return sum((d.targets[view] for d in self.docs), PRF())

    @property
    def references(self) -> PRF:
        return sum((d.references for d in self.docs), PRF())

    def field(self, name: str) -> Accuracy:
        ok = [d.fields[name] for d in self.docs]
        return Accuracy(sum(ok), len(ok))

    @property
    def fields(self) -> Accuracy:
        """All fields of all documents pooled."""
        return sum((self.field(n) for n in FIELDS), Accuracy())

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "group": self.group,
            "gold_dirs": list(self.gold_dirs),
            "gold_docs": self.n_gold,
            "scored_docs": self.n_gold,
            "missing_output": list(self.missing_output),
            "targets": {v: self.targets(v).to_dict() for v in TARGET_VIEWS},
            "references": self.references.to_dict(),
            "fields": {
                **self.fields.to_dict(),
                "per_field": {n: self.field(n).to_dict() for n in FIELDS},
            },
        }

    def format(self) -> str:
        """Score lines of this set."""
        missing = self.missing_output
        lines = [
            f"== {self.name} ({', '.join(self.gold_dirs)}): {self.n_gold} gold docs, "
            f"{self.n_gold - len(missing)} with output, {len(missing)} without (all-missed)",
        ]
        for view in TARGET_VIEWS:
            lines.append(f"{'targets ' + view:<16}{self.targets(view).format()}")
        lines.append(f"{'references':<16}{self.references.format()}")
        acc = self.fields
        lines.append(f"fields accuracy={acc.accuracy:.3f} ({acc.correct}/{acc.total})")
        for name in FIELDS:
            lines.append(f"  {name:<14}{self.field(name).format()}")
        return "\n".join(lines)

    @property
    def n_targets(self) -> int:
        """Gold targets of the set."""
        c = self.targets("strict")
        return c.tp + c.fn

    def summary_line(self, width: int = 16) -> str:
        """One line: documents, gold targets, strict and loose F1."""
        return (f"{self.name:<{width}} {self.n_gold:>3} docs {self.n_targets:>4} targets   "
                f"strict F1 {self.targets('strict').f1:.3f}   loose F1 {self.targets('loose').f1:.3f}")


@dataclass(frozen=True)
class EvalReport:
    """The result of :func:`evaluate`: per-set scores, combined scores, diffs."""

    sets: tuple[SetScores, ...]
    n_output_records: int
    output_without_gold: tuple[str, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def combined(self) -> SetScores:
        """All sets pooled (micro average over all gold documents)."""
        dirs = tuple(d for s in self.sets for d in s.gold_dirs)
        return SetScores("combined", dirs, tuple(d for s in self.sets for d in s.docs))

    @property
    def docs(self) -> tuple[DocResult, ...]:
        return self.combined.docs

    @property
    def group_names(self) -> tuple[str, ...]:
        """The groups of the sets, in order of first appearance (none when ungrouped)."""
        return tuple(dict.fromkeys(s.group for s in self.sets if s.group is not None))

    def group(self, name: str) -> SetScores:
        """The sets of group ``name`` pooled (micro average)."""
        members = [s for s in self.sets if s.group == name]
        return SetScores(f"{name.upper()} combined", tuple(d for s in members for d in s.gold_dirs),
                         tuple(d for s in members for d in s.docs), group=name)

    def format_groups(self) -> str:
        """Each group's sets, one line each, and the group pooled: strict and
        loose F1 (``make eval``'s TUNE / CHECK table).  Ungrouped sets are
        listed under ``OTHER``."""
        names = list(self.group_names)
        width = max([len(s.name) for s in self.sets] + [len(n) + 9 for n in names] + [16])
        blocks = []
        for name in names + ([None] if any(s.group is None for s in self.sets) else []):
            members = [s for s in self.sets if s.group == name]
            title = (name or "other").upper()
            lines = [f"{title}: " + ", ".join(s.name for s in members)]
            lines.extend("  " + s.summary_line(width) for s in members)
            if name is not None:
                lines.append("  " + self.group(name).summary_line(width))
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "output": {
                "records": self.n_output_records,
                "without_gold": list(self.output_without_gold),
            },
            "sets": [s.to_dict() for s in self.sets],
            "groups": {g: self.group(g).to_dict() for g in self.group_names},
            "combined": self.combined.to_dict(),
            "documents": [d.to_dict() for d in self.docs],
            "warnings": list(self.warnings),
        }

    def format(self, verbose: bool = True) -> str:
        """A plain-text report; ``verbose`` adds every miss and extra."""
        combined = self.combined
        ignored = self.output_without_gold
        lines = [
            f"chitieu eval: {combined.n_gold} gold docs in {len(self.sets)} set(s); "
            f"output has {self.n_output_records} records, {len(ignored)} without gold (ignored)",
        ]
        if ignored:
            lines.append("  output without gold: " + ", ".join(ignored))
        if combined.missing_output:
            lines.append("  gold without output (scored as all-missed): "
                         + ", ".join(f"{d.set_name}/{d.doc_id}" for d in combined.docs if not d.has_output))
        for w in self.warnings:
            lines.append(f"  warning: {w}")
        blocks = [s.format() for s in self.sets]
        groups = self.group_names
        if groups:  # tune and check pooled apart; never all together
            blocks.extend(self.group(g).format() for g in groups)
        elif len(self.sets) > 1:
            blocks.append(combined.format())
        lines.append("")
        lines.append("\n\n".join(blocks))
        if groups:
            lines.append("")
            lines.append(self.format_groups())
        if verbose:
            lines.append("")
            lines.append("Misses and extras (targets: strict view; key = "
                         + "(" + ", ".join(TARGET_VIEWS["strict"]) + "), "
                         + "references: (" + ", ".join(REFERENCE_KEY) + "))")
            flawed = [d for d in combined.docs if not d.is_perfect]
            if not flawed:
                lines.append("  none")
            lines.extend(d.format() for d in flawed)
        if groups and verbose:  # the table again after the long list, where the eye ends
            lines.append("")
            lines.append(self.format_groups())
        return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# Loading and the entry point
# --------------------------------------------------------------------------

def read_output(source: Path | str | Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Output records from a JSONL file, or a list of dicts as given."""
    if isinstance(source, (str, Path)):
        records: list[Mapping[str, Any]] = []
        with open(source, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{source}:{lineno}: not JSON: {exc}") from exc
                if not isinstance(obj, dict):
                    raise ValueError(f"{source}:{lineno}: not a JSON object")
                records.append(obj)
        return records
    return list(source)


def read_gold_dir(directory: Path) -> dict[str, dict[str, Any]]:
    """Gold records of a directory, keyed by file stem (== doc_id)."""
    if not directory.is_dir():
        raise FileNotFoundError(f"gold directory not found: {directory}")
    gold: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.json")):
        with open(path, encoding="utf-8") as fh:
            gold[path.stem] = json.load(fh)
    return gold


def _set_names(dirs: Sequence[Path]) -> list[str]:
    """Set names: a directory's name; a name already taken gets its parent
    folder in front (``fullplans/gold`` after ``gold``), then ``#2``, ``#3`` …"""
    names: list[str] = []
    for d in dirs:
        path = d.resolve()
        base = path.name or str(d)
        if base in names and path.parent.name:
            base = f"{path.parent.name}/{base}"
        name, n = base, 1
        while name in names:
            n += 1
            name = f"{base}#{n}"
        names.append(name)
    return names


#: A gold directory argument with its group: ``tune=../shared/gold``.
_GROUPED = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)=(.+)$")


def parse_gold_arg(arg: str | Path) -> tuple[Optional[str], Path]:
    """(group, directory) of a ``GOLD_DIR`` argument: ``tune=../shared/gold``
    names the group, a plain path has none (a path that exists is taken as
    it is, even with a ``=`` in it).

    >>> parse_gold_arg("check=../shared/gold-extra2")
    ('check', PosixPath('../shared/gold-extra2'))
    >>> parse_gold_arg("../shared/gold")
    (None, PosixPath('../shared/gold'))
    """
    text = str(arg)
    m = _GROUPED.match(text)
    if m and not Path(text).exists():
        return m.group(1).lower(), Path(m.group(2))
    return None, Path(text)


def evaluate(
    output_jsonl: Path | str | Sequence[Mapping[str, Any]],
    gold_dirs: Sequence[Path | str],
    groups: Optional[Sequence[Optional[str]]] = None,
) -> EvalReport:
    """Score extracted records against one or more gold directories.

    ``output_jsonl`` is a ``documents.jsonl`` path or a list of record dicts.
    Each gold directory is one set, scored on its own.  ``groups`` (one per
    gold directory, or ``None``) puts each set in a group — ``tune`` for the
    texts rules are written from, ``check`` for those only measured — and
    each group is pooled on its own instead of all sets together.  A string
    ``GROUP=DIR`` in ``gold_dirs`` names the group too (:func:`parse_gold_arg`).
    See the module docstring for the scoring rules.
    """
    records = read_output(output_jsonl)
    warnings: list[str] = []
    by_id: dict[str, Mapping[str, Any]] = {}
    for i, rec in enumerate(records):
        doc_id = rec.get("doc_id")
        if not isinstance(doc_id, str):
            raise ValueError(f"output record {i + 1} has no doc_id")
        if doc_id in by_id:
            warnings.append(f"output has doc_id {doc_id!r} more than once; the last one is scored")
        by_id[doc_id] = rec

    parsed = [parse_gold_arg(d) if isinstance(d, str) else (None, Path(d)) for d in gold_dirs]
    dirs = [d for _, d in parsed]
    if groups is None:
        set_groups = [g for g, _ in parsed]
    else:
        if len(groups) != len(dirs):
            raise ValueError(f"{len(groups)} groups for {len(dirs)} gold directories")
        set_groups = [g if g is not None else p for g, (p, _) in zip(groups, parsed)]
    sets: list[SetScores] = []
    all_gold_ids: set[str] = set()
    for name, directory, group in zip(_set_names(dirs), dirs, set_groups):
        gold = read_gold_dir(directory)
        docs = []
        for doc_id, gold_rec in gold.items():
            inner = gold_rec.get("doc_id")
            if inner is not None and inner != doc_id:
                warnings.append(f"{name}/{doc_id}.json says doc_id {inner!r}; paired by file name")
            docs.append(score_document(name, doc_id, gold_rec, by_id.get(doc_id)))
        all_gold_ids.update(gold)
        sets.append(SetScores(name, (str(directory),), tuple(docs), group=group))

    without_gold = tuple(sorted(i for i in by_id if i not in all_gold_ids))
    return EvalReport(tuple(sets), len(records), without_gold, tuple(warnings))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chitieu eval",
        description="Score documents.jsonl against gold annotation directories.",
    )
    parser.add_argument("output_jsonl", type=Path, metavar="OUTPUT_JSONL",
                        help="the extractor's documents.jsonl")
    parser.add_argument("gold_dirs", nargs="+", metavar="[GROUP=]GOLD_DIR",
                        help="directories of <doc_id>.json gold files; each is scored as a set. "
                        "GROUP= puts the set in a group (tune=../shared/gold check=../shared/gold-extra2): "
                        "each group is pooled apart and the report ends with a table of strict and "
                        "loose F1 per set and per group")
    parser.add_argument("--json", action="store_true",
                        help="print the report as JSON instead of text")
    parser.add_argument("--summary", action="store_true",
                        help="print only the scores, not the list of misses and extras")
    return parser


def main(argv: list[str] | None = None) -> int:
    """``chitieu eval OUTPUT_JSONL GOLD_DIR [GOLD_DIR...] [--json] [--summary]``.

    A leading ``eval`` word in ``argv`` is dropped (unless it names an
    existing file), so the top-level CLI may pass its arguments through whole.
    Returns 0 after printing the report, 2 when an input cannot be read.
    """
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in[:1] == ["eval"] and not Path("eval").exists():
        args_in = args_in[1:]
    args = build_parser().parse_args(args_in)
    try:
        report = evaluate(args.output_jsonl, args.gold_dirs)
    except (OSError, ValueError) as exc:
        print(f"chitieu eval: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(report.format(verbose=not args.summary))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
