"""Result types.  Every extracted value keeps its place in the loader's text.

The JSON shape of these objects is the contract of ``SCHEMA.md``
(``documents.jsonl``); :meth:`DocumentRecord.to_json` produces it exactly.
"""
from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import Any, Generic, Literal, TypeVar, get_args
from collections.abc import Mapping

# --------------------------------------------------------------------------
# Code vocabularies of SCHEMA.md, defined once.  ``tests/test_models.py``
# checks each against the codes the rules name (``rules/tiers.yaml``,
# ``rules/sectors.yaml``, ``rules/labels.yaml``) and against SCHEMA.md.

#: The level of the units a target counts (SCHEMA.md "tier codes").
Tier = Literal["province", "district", "commune", "village", "school", "university", "specialized",
               "armed_forces", "community", "urban", "rural", "all"]
#: What a target's value measures.
Unit = Literal["percent", "percent_per_year", "count", "other"]
#: Whether the value is a floor (the default) or a ceiling.
Direction = Literal["at_least", "at_most"]
#: The field of culture a target belongs to.
Sector = Literal["library", "museum", "culture", "other"]
#: Where a target's year or tier was found, nearest first (``year_source``, ``tier_source``).
Source = Literal["clause", "lead", "heading", "period", "document", "table", "none"]
#: The kind of a cited document.
RefKind = Literal["decision", "plan", "directive", "law", "resolution", "decree", "circular",
                  "official_letter", "project", "program", "other"]
#: The kind of a document read.
DocType = Literal["plan", "decision", "directive", "news", "other"]
#: The level of a document's issuer.
AdminLevel = Literal["central", "province", "district", "commune", "school", "department"]

TIERS: tuple[Tier, ...] = get_args(Tier)
UNITS: tuple[Unit, ...] = get_args(Unit)
DIRECTIONS: tuple[Direction, ...] = get_args(Direction)
SECTORS: tuple[Sector, ...] = get_args(Sector)
SOURCES: tuple[Source, ...] = get_args(Source)
REF_KINDS: tuple[RefKind, ...] = get_args(RefKind)
DOC_TYPES: tuple[DocType, ...] = get_args(DocType)
ADMIN_LEVELS: tuple[AdminLevel, ...] = get_args(AdminLevel)

_C = TypeVar("_C", bound=str)


class _Codes(Generic[_C]):
    """A vocabulary, to read a code back from text: ``tier_code("commune")``
    is ``"commune"`` typed :data:`Tier`; an unknown code is a
    :class:`ValueError` that names the vocabulary and what it holds."""

    def __init__(self, what: str, codes: tuple[_C, ...]) -> None:
        self.what = what
        self.codes = codes
        self._of: dict[str, _C] = {c: c for c in codes}

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and value in self._of

    def __call__(self, value: object) -> _C:
        code = self._of.get(value) if isinstance(value, str) else None
        if code is None:
            raise ValueError(f"unknown {self.what} code {value!r}: expected one of {', '.join(self.codes)}")
        return code


tier_code = _Codes("tier", TIERS)
unit_code = _Codes("unit", UNITS)
direction_code = _Codes("direction", DIRECTIONS)
sector_code = _Codes("sector", SECTORS)
source_code = _Codes("source", SOURCES)
ref_kind_code = _Codes("reference kind", REF_KINDS)
doc_type_code = _Codes("doc_type", DOC_TYPES)
admin_level_code = _Codes("admin_level", ADMIN_LEVELS)


@dataclass(frozen=True)
class Evidence:
    """A span of the loader's text: ``text == doc_text[start:end]``."""

    text: str
    start: int
    end: int

    def span(self) -> tuple[int, int]:
        return (self.start, self.end)


@dataclass(frozen=True)
class Signer:
    name: str | None
    title: str | None


@dataclass(frozen=True)
class Reference:
    kind: RefKind
    number: str | None
    date: str | None
    issuer: str | None
    evidence: Evidence


@dataclass(frozen=True)
class CellRef:
    """Where a value read from a table stands: the loader's table index, the
    cell's row and column in it, the page (PDFs), and the column header."""

    table: int
    row: int
    col: int
    page: int | None = None
    header: str | None = None


@dataclass(frozen=True)
class Target:
    sector: Sector
    indicator: str
    subject: str | None
    tier: Tier
    year: int | None              # None: no due year in reach (SCHEMA.md keeps such targets)
    period_start: int | None
    value: float
    value_max: float | None
    unit: Unit
    implied: bool
    direction: Direction
    evidence: Evidence
    cell: CellRef | None = None   # for values read from a table; not in documents.jsonl
    # The value as written (``12 - 15 %``, ``8/8``, ``1.200``), a span of the
    # loader's text inside the evidence (or the table cell), where the reader
    # matched it; None for implied targets.  Not in documents.jsonl.
    value_span: Evidence | None = None
    # Where the year and the tier were found (SCHEMA.md's year_source/tier_source:
    # clause, lead, heading, period, document, table, none); None when unknown.
    year_source: Source | None = None
    tier_source: Source | None = None
    # A criteria-table group that is not an administrative tier (``Nhóm 1``).
    group: str | None = None
    # An analyst's correction (pipeline.review): ``accepted``/``edited``/``added``,
    # with the extracted target under ``original`` when edited; None otherwise.
    reviewed: str | None = None
    original: Target | None = None


@dataclass(frozen=True)
class DocError:
    """Why a file gave no extraction: a code (``empty``, ``damaged``,
    ``timeout``, ``internal_error``, …), the message users see and, for an
    internal error, the traceback that goes to ``chitieu.log`` only."""

    code: str
    message: str | None = None
    traceback: str | None = None


@dataclass(frozen=True)
class FactsReview:
    """An analyst's correction of the document facts (pipeline.review):
    ``reviewed`` (``edited``) and the extracted facts under ``original``."""

    reviewed: str
    original: Mapping[str, Any]


#: How a failed record's message starts among its warnings: the only place a
#: ``documents.jsonl`` line carries the error (SCHEMA.md has no error key).
ERROR_WARNING = "error: "


def error_warning(message: str) -> str:
    """The warning a failed record carries: ``error_warning("a.pdf: damaged")``
    is ``"error: a.pdf: damaged"``; :func:`error_of_warning` reads it back."""
    return ERROR_WARNING + message


def error_of_warning(warning: str) -> str | None:
    """The message of an :func:`error_warning`, ``None`` for any other warning.

    >>> error_of_warning(error_warning("a.pdf: damaged"))
    'a.pdf: damaged'
    >>> error_of_warning("no date found") is None
    True
    """
    return warning[len(ERROR_WARNING):] if warning.startswith(ERROR_WARNING) else None


@dataclass
class DocumentRecord:
    doc_id: str
    source: str
    sha256: str
    doc_type: str | None = None
    number: str | None = None
    issue_date: str | None = None
    place: str | None = None
    issuing_body: str | None = None
    parent_body: str | None = None
    admin_level: str | None = None
    province: str | None = None
    district: str | None = None
    signer: Signer | None = None
    title: str | None = None
    references: list[Reference] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Not part of SCHEMA.md's documents.jsonl; kept for the other outputs.
    text: str | None = None                 # the loader's text (offsets point into it)
    format: str | None = None               # the input format the loader read (``pdf``, ``docx``, ``builtin``…)
    error: DocError | None = None           # why the file gave no extraction
    ocr_confidence: float | None = None     # the OCR's mean confidence, for scanned files
    review: FactsReview | None = None       # an analyst's correction of the facts
    builtin: bool = False                   # a built-in baseline (pipeline.outputs.baselines), not a file
    # Free-form values a caller attaches (a custom extractor's own); the store
    # keeps those JSON can hold.
    extra: dict[str, Any] = field(default_factory=dict)

    SCHEMA_KEYS = (
        "doc_id", "source", "sha256", "doc_type", "number", "issue_date", "place",
        "issuing_body", "parent_body", "admin_level", "province", "district",
        "signer", "title", "references", "targets", "warnings",
    )

    def to_json(self, *, with_cells: bool = False) -> dict[str, Any]:
        """The record as SCHEMA.md defines it, keys in the documented order.

        ``with_cells`` keeps each table target's ``cell`` (its place in the
        table), which SCHEMA.md does not have; the store uses it.
        """
        out: dict[str, Any] = {}
        for key in self.SCHEMA_KEYS:
            value = getattr(self, key)
            if key == "signer":
                value = None if value is None else plain_dict(value)
            elif key == "references":
                value = [_clean_numbers(plain_dict(v)) for v in value]
            elif key == "targets":
                value = [_target_json(t, with_cells) for t in value]
            out[key] = value
        if self.review is not None:  # corrected document facts (pipeline.review)
            out["reviewed"] = self.review.reviewed
            out["original"] = dict(self.review.original)
        return out

    def side_json(self) -> dict[str, Any]:
        """What the record holds beside SCHEMA.md's keys, as flat JSON keys
        (``text``, ``format``, ``error``, ``error_message``, ``traceback``,
        ``ocr_confidence``, ``builtin``), those that are set;
        :func:`pipeline.outputs.records.from_json` reads them back."""
        out: dict[str, Any] = {}
        for key in ("text", "format", "ocr_confidence"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.error is not None:
            out["error"] = self.error.code
            if self.error.message is not None:
                out["error_message"] = self.error.message
            if self.error.traceback is not None:
                out["traceback"] = self.error.traceback
        if self.builtin:
            out["builtin"] = True
        return out


#: Keys of a target in documents.jsonl, in SCHEMA.md's order.  ``year_source``,
#: ``tier_source`` and ``group`` are always written (``null`` when the reader
#: did not set them); ``cell`` and ``value_span`` only for the store.
TARGET_KEYS = (
    "sector", "indicator", "subject", "tier", "year", "period_start", "value", "value_max",
    "unit", "implied", "direction", "year_source", "tier_source", "group", "evidence",
)


def _target_json(t: Target, with_cells: bool) -> dict[str, Any]:
    out = {k: _plain(getattr(t, k)) for k in TARGET_KEYS}
    if with_cells and t.cell is not None:
        out["cell"] = plain_dict(t.cell)
    if with_cells and t.value_span is not None:
        out["value_span"] = plain_dict(t.value_span)
    if t.reviewed is not None:  # only when an analyst's correction applies (pipeline.review)
        out["reviewed"] = t.reviewed
        if t.original is not None:
            out["original"] = _target_json(t.original, False)
    return _clean_numbers(out)


#: Values :func:`_plain` returns as they are (``asdict`` would deep-copy them to equal objects).
_ATOMS = frozenset({str, int, float, bool, type(None)})


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    """The field names of a dataclass, in definition order (what :func:`dataclasses.asdict` walks)."""
    return tuple(f.name for f in fields(cls))


def plain_dict(obj: Any) -> dict[str, Any]:
    """``dataclasses.asdict(obj)``, with the field names of each class looked
    up once: the serialisers call it for every target, evidence and reference
    of a batch, where ``asdict``'s generic walk (a ``fields()`` call and a
    deep copy per value) was most of the cost of ``documents.jsonl``.

    >>> plain_dict(Reference("plan", "12/KH", None, None, Evidence("x", 0, 1)))
    {'kind': 'plan', 'number': '12/KH', 'date': None, 'issuer': None, 'evidence': {'text': 'x', 'start': 0, 'end': 1}}
    """
    cls: type = type(obj)
    return {name: _plain(getattr(obj, name)) for name in _field_names(cls)}


def _plain(value: Any) -> Any:
    if type(value) in _ATOMS:
        return value
    if is_dataclass(value) and not isinstance(value, type):
        return plain_dict(value)
    return asdict(_Box(value))["value"]  # containers and anything else: exactly as asdict does


@dataclass
class _Box:
    value: Any


def _clean_numbers(d: dict[str, Any]) -> dict[str, Any]:
    """Write whole numbers as ints (``60`` not ``60.0``)."""
    for k in ("value", "value_max"):
        v = d.get(k)
        if isinstance(v, float) and v.is_integer():
            d[k] = int(v)
    return d
