"""Built-in baselines: national programmes' targets shipped as facts.

``rules/baselines/*.yaml`` holds, for each national programme, its number,
date and issuer and its targets (indicator, tier, year, value, unit,
direction, where it stands in the decision) — facts, never sentences of a
text.  When no baseline document is in the batch, a local plan is compared
with the built-in programme it cites (:func:`cited`); ``--baseline
1520/QĐ-TTg`` names one for every document (:func:`find`).

Every file is validated against :data:`BASELINE_SCHEMA` when it is loaded;
a file that does not fit raises :class:`BaselineFileError` naming the file
and the problem.

>>> b = find("1520/QĐ-TTg")
>>> b.label, b.number, b.date
('1520/QĐ-TTg (built in)', '1520/QĐ-TTg', '2022-12-09')
>>> find("1520/qd-ttg") is b, find("1520-QD-TTg-2022") is b, find("9999/QĐ-TTg")
(True, True, None)
>>> [x.number for x in cited([{"number": "1520/QĐ-TTg", "date": "2022-12-09"}, {"number": "12/KH-UBND"}])]
['1520/QĐ-TTg']
>>> cited([{"number": "1520/QĐ-TTg", "date": "2019-01-02"}])   # another year: another decision
[]
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from collections.abc import Iterable, Mapping

if TYPE_CHECKING:
    from ..models import DocumentRecord

__all__ = ["Builtin", "BaselineFileError", "all_builtins", "find", "cited", "BASELINES_DIR",
           "BASELINE_SCHEMA", "BUILTIN_SUFFIX", "load_file"]

BASELINES_DIR = Path(__file__).resolve().parents[2] / "rules" / "baselines"

#: Appended to a built-in programme's number in its column label.
BUILTIN_SUFFIX = " (built in)"
#: doc_id prefix of a built-in programme's column in ``comparison_columns.csv``
#: (a ``:`` no Windows file name has, so no input file gets such a doc_id there).
BUILTIN_ID_PREFIX = "builtin:"

SECTORS = ("library", "museum", "culture", "other")
INDICATORS = ("lib.service", "lib.digital", "lib.users_growth", "museum.education", "museum.visitors_growth",
              "culture.activities", "culture.clubs", "culture.facilities", "culture.participation", "other")
TIERS = ("province", "district", "commune", "village", "school", "university", "specialized",
         "armed_forces", "community", "urban", "rural", "all")
UNITS = ("percent", "percent_per_year", "count", "other")
DIRECTIONS = ("at_least", "at_most")

_ISO_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"
_SYMBOL = r"^\d+/[A-ZĐ0-9-]+-(TTg|CP)$"
_ENGLISH_NOTE = {"type": "string", "minLength": 1, "maxLength": 400}

BASELINE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "number", "date", "issuer", "kind", "checked", "covers", "targets"],
    "properties": {
        "id": {"type": "string", "pattern": r"^\d+-[A-Za-z0-9-]+-\d{4}$"},
        "number": {"type": "string", "pattern": _SYMBOL},
        "date": {"type": ["string", "null"], "pattern": _ISO_DATE},
        "issuer": {"enum": ["Thủ tướng Chính phủ", "Chính phủ"]},
        "kind": {"enum": ["decision", "resolution", "directive"]},
        "checked": {"type": "string", "minLength": 20, "maxLength": 800},
        "covers": {"type": "array", "minItems": 1, "items": {"enum": list(INDICATORS)}},
        "targets": {
            "type": "array", "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["sector", "indicator", "tier", "year", "value", "where"],
                "properties": {
                    "sector": {"enum": list(SECTORS)},
                    "indicator": {"enum": list(INDICATORS)},
                    "tier": {"enum": list(TIERS)},
                    "year": {"type": "integer", "minimum": 1990, "maximum": 2100},
                    "period_start": {"type": ["integer", "null"], "minimum": 1990, "maximum": 2100},
                    "value": {"type": "number", "minimum": 0},
                    "value_max": {"type": ["number", "null"], "minimum": 0},
                    "unit": {"enum": list(UNITS)},
                    "direction": {"enum": list(DIRECTIONS)},
                    "group": _ENGLISH_NOTE,
                    "subject": _ENGLISH_NOTE,
                    "where": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["article"],
                        "properties": {
                            "article": {"type": "integer", "minimum": 1},
                            "part": _ENGLISH_NOTE,
                        },
                    },
                },
            },
        },
    },
}


class BaselineFileError(ValueError):
    """A file of ``rules/baselines/`` that does not fit :data:`BASELINE_SCHEMA`."""


@dataclass(frozen=True)
class Builtin:
    """A national programme shipped in ``rules/baselines/``."""

    id: str
    number: str
    date: str | None
    issuer: str
    kind: str
    targets: tuple[Mapping[str, Any], ...]
    covers: tuple[str, ...]
    path: Path

    @property
    def label(self) -> str:
        """Its column label and what ``differences.csv`` names it: ``1520/QĐ-TTg (built in)``."""
        return self.number + BUILTIN_SUFFIX

    @property
    def doc_id(self) -> str:
        """The doc_id its column carries in ``comparison_columns.csv``: ``builtin:1520-QD-TTg-2022``."""
        return BUILTIN_ID_PREFIX + self.id

    def where_text(self, t: Mapping[str, Any]) -> str:
        """Where a target stands: ``Article 1, specific objectives: … (rules/baselines/….yaml)``."""
        where = t.get("where") or {}
        parts = [f"Article {where.get('article')}"] + ([str(where["part"])] if where.get("part") else [])
        if t.get("group"):
            parts.append(str(t["group"]))
        return f"{self.number}, " + ", ".join(parts) + f" (built-in baseline rules/baselines/{self.path.name})"

    def record(self) -> DocumentRecord:
        """The programme as a record, for the comparison and the report: its
        text is one line per target saying where it stands (:meth:`where_text`),
        and each target's evidence is its line, so offsets hold as for any
        document.  ``builtin`` is ``True``; its ``doc_type`` is the file's
        ``kind`` where SCHEMA.md has one (a resolution is ``other``)."""
        from ..models import DocumentRecord, Evidence, Target, doc_type_code

        lines, targets, pos = [], [], 0
        for t in self.targets:
            line = self.where_text(t)
            targets.append(Target(
                t["sector"], t["indicator"], t.get("subject"), t["tier"], int(t["year"]), t.get("period_start"),
                float(t["value"]), None if t.get("value_max") is None else float(t["value_max"]),
                t.get("unit", "percent"), False, t.get("direction", "at_least"),
                Evidence(line, pos, pos + len(line)), group=t.get("group")))
            lines.append(line)
            pos += len(line) + 1
        rec = DocumentRecord(doc_id=self.doc_id, source=f"rules/baselines/{self.path.name}", sha256="",
                             doc_type=doc_type_code(self.kind) if self.kind in doc_type_code else "other", number=self.number, issue_date=self.date,
                             issuing_body=self.issuer, admin_level="central", targets=targets)
        rec.text, rec.format, rec.builtin = "\n".join(lines), "builtin", True
        return rec


def symbol_key(number: Any) -> str | None:
    """A document number compared loosely: case, spaces, accents and ``Đ``/``D`` ignored.

    >>> symbol_key("1520/QĐ-TTg") == symbol_key(" 1520 / qd-ttg ")
    True
    """
    if number is None:
        return None
    s = re.sub(r"\s+", "", str(number)).replace("đ", "d").replace("Đ", "D")
    s = "".join(ch for ch in unicodedata.normalize("NFD", s) if not unicodedata.combining(ch))
    return s.casefold() or None


def load_file(path: Path) -> Builtin:
    """One baseline file, validated; :class:`BaselineFileError` when it does not fit."""
    import json

    import yaml

    from .. import rules

    try:
        raw = path.read_bytes()
        # libyaml's safe loader when PyYAML has it (the same data, much faster)
        data = yaml.load(raw.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise BaselineFileError(f"{path}: cannot be read: {exc}") from None
    # the schema check once per fingerprint of the file and the schema (rules.validated_before)
    fp = rules.fingerprint(json.dumps(BASELINE_SCHEMA, sort_keys=True), raw)
    if not rules.validated_before("baseline", fp):
        import jsonschema

        try:
            jsonschema.validate(data, BASELINE_SCHEMA)
        except jsonschema.ValidationError as exc:
            at = "/".join(str(p) for p in exc.absolute_path) or "(top)"
            raise BaselineFileError(f"{path}: {at}: {exc.message}") from None
    year = (data["date"] or "")[:4]
    expected = re.sub(r"[/]", "-", data["number"]).replace("Đ", "D") + (f"-{year}" if year else "")
    if data["id"] != path.stem or (year and data["id"] != expected):
        raise BaselineFileError(f"{path}: id {data['id']!r} must be the file name and "
                                f"the number with its year ({expected!r})")
    for where, text in _notes(data):
        if not text.isascii():
            raise BaselineFileError(f"{path}: {where}: notes are in English (facts only, no sentence "
                                    f"of a text): {text[:60]!r}")
    seen: set[tuple[Any, ...]] = set()
    for i, t in enumerate(data["targets"]):
        key = (t["indicator"], t["tier"], t["year"], t.get("group"), t.get("subject") if t["indicator"] == "other" else None)
        if key in seen:
            raise BaselineFileError(f"{path}: targets/{i}: a second target for {key}")
        seen.add(key)
        if t.get("value_max") is not None and t["value_max"] < t["value"]:
            raise BaselineFileError(f"{path}: targets/{i}: value_max below value")
        if t.get("unit", "percent") == "percent" and t["value"] > 100:
            raise BaselineFileError(f"{path}: targets/{i}: a percentage above 100")
        if t["indicator"] not in data["covers"]:
            raise BaselineFileError(f"{path}: targets/{i}: indicator {t['indicator']} not in covers")
    rules.remember_valid("baseline", fp)  # only now: every check above passed
    return Builtin(id=data["id"], number=data["number"], date=data["date"], issuer=data["issuer"],
                   kind=data["kind"], targets=tuple(data["targets"]), covers=tuple(data["covers"]), path=path)


def _notes(data: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    """The free-text fields of a baseline file (all but number and issuer)."""
    yield "checked", data["checked"]
    for i, t in enumerate(data["targets"]):
        for k in ("subject", "group"):
            if t.get(k) is not None:
                yield f"targets/{i}/{k}", t[k]
        if (t.get("where") or {}).get("part") is not None:
            yield f"targets/{i}/where/part", t["where"]["part"]


@functools.cache
def _load_dir(directory: Path) -> tuple[Builtin, ...]:
    found = [load_file(p) for p in sorted(directory.glob("*.yaml"))]
    keys: dict[str, Path] = {}
    for b in found:
        k = symbol_key(b.number) or ""
        if k in keys and _year(b.date) is None:
            raise BaselineFileError(f"{b.path}: {b.number} is also in {keys[k]}; give both a date")
        keys.setdefault(k, b.path)
    return tuple(found)


def all_builtins(directory: Path | None = None) -> tuple[Builtin, ...]:
    """Every built-in programme (of ``directory``, by default :data:`BASELINES_DIR`)."""
    return _load_dir(Path(directory or BASELINES_DIR))


def find(name: Any, directory: Path | None = None) -> Builtin | None:
    """The built-in programme named by its number (``1520/QĐ-TTg``, loosely),
    its label (``1520/QĐ-TTg (built in)``) or its id (``1520-QD-TTg-2022``)."""
    text = str(name or "").strip()
    if text.endswith(BUILTIN_SUFFIX.strip()):
        text = text[: -len(BUILTIN_SUFFIX.strip())].strip()
    if text.startswith(BUILTIN_ID_PREFIX):
        text = text[len(BUILTIN_ID_PREFIX):]
    key = symbol_key(text)
    for b in all_builtins(directory):
        if key in (symbol_key(b.number), symbol_key(b.id)):
            return b
    return None


def _year(date: Any) -> str | None:
    s = "" if date is None else str(date)
    return s[:4] if re.match(r"^\d{4}", s) else None


def cited(references: Iterable[Mapping[str, Any]], directory: Path | None = None) -> list[Builtin]:
    """The built-in programmes a document cites, in the order it cites them:
    a reference whose number is the programme's, and whose year (when both
    are known) is the programme's too."""
    out: list[Builtin] = []
    builtins = all_builtins(directory)
    for ref in references:
        key = symbol_key(ref.get("number"))
        if not key:
            continue
        for b in builtins:
            if symbol_key(b.number) != key:
                continue
            ref_year, year = _year(ref.get("date")), _year(b.date)
            if ref_year and year and ref_year != year:
                continue
            if b not in out:
                out.append(b)
    return out
