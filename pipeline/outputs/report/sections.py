"""What the report's HTML sections show, prepared for their templates.

The markup itself is in ``templates/`` (Jinja2, autoescaping every value with
:func:`pipeline.outputs.annotate.esc`): ``nav.html.j2``, ``overview.html.j2``
(the batch in numbers, the baseline, every document, the failures),
``comparison.html.j2`` (the table of comparison.csv with links to the
evidence and the differences from the baseline) and ``documents.html.j2``
(one article per document, its text with the evidence highlighted).  This
module works out what they need that is more than a lookup: statistics, the
baseline note, each comparison cell's class and tooltip, each document's
facts and highlighted text.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from ..annotate import highlight, written_span
from ..compare import KEY_COLUMNS, Comparison
from ..labels import Labels
from .model import _Column, _difference, _Doc, _reference_what, _Row, _target_summary

if TYPE_CHECKING:
    from ...models import Target

#: The difference classes the legend explains, from much higher to no baseline value.
LEGEND = ("up3", "up2", "up1", "eq", "down1", "down2", "down3", "nb")


@dataclass
class Overview:
    """The overview section: ``stats`` (name, number), the built-in
    programmes' notes (section id, shown label, the documents compared with
    it) or the baseline document, every document and the failed ones."""
    stats: list[tuple[str, int]]
    docs: list[_Doc]
    failed: list[_Doc]
    how: str = ""
    builtins: list[tuple[str, str, str]] = field(default_factory=list)
    baseline: _Doc | None = None
    who: str | None = None
    has_columns: bool = False


@dataclass
class Cell:
    """A value cell of the comparison table: ``texts`` (shown value, mark id,
    tooltip) linked to their evidence; ``cls`` the classes after ``v``,
    ``tip`` and ``diff`` (the difference shown) for a compared cell."""
    texts: list[tuple[str, str, str]]
    cls: str = ""
    tip: str | None = None
    diff: str = ""


@dataclass
class TableRow:
    key: tuple[str, str, str, int | None]     # sector, indicator, tier, year
    group: str | None
    cells: list[Cell | None]                  # one per column; ``None``: the document sets nothing


@dataclass
class ComparisonTable:
    columns: list[_Column]
    rows: list[TableRow]
    legend: tuple[str, ...] = ()
    #: The key columns shown (a group stands beside its tier, in the tier's cell).
    key_columns: tuple[str, ...] = tuple(k for k in KEY_COLUMNS if k != "group")


@dataclass
class TargetRow:
    """A row of a document's targets table: the target, its mark id, where its
    tier and its year were found (a tooltip, or ``None``) and its fields as
    shown (names, numbers as the language writes them)."""
    t: Target
    mark: str
    tier_found: str | None
    year_found: str | None
    value: str
    sector: str
    indicator: str
    tier: str
    year: str
    period_start: str
    unit: str


@dataclass
class DocumentView:
    """One document's article: ``facts`` (data-fact, label key, value),
    ``targets`` (:class:`TargetRow`), ``references`` (what, mark id), the text
    with its evidence marked (``None`` when there is no text) and the
    evidence not found in it, each marked alone."""
    doc: _Doc
    facts: list[tuple[str, str, Any]]
    targets: list[TargetRow]
    references: list[tuple[str, str]]
    body: Markup | None
    loose: list[Markup]


def overview(docs: list[_Doc], baseline: _Doc | None, columns: list[_Column], L: Labels, *, explicit: bool,
             comparison: Comparison | None = None) -> Overview:
    failed = [d for d in docs if d.error]
    stats = [("documents", len(docs)), ("read", len(docs) - len(failed)), ("failed", len(failed)),
             ("with targets", sum(1 for d in docs if d.rec.targets)),
             ("targets", sum(len(d.rec.targets) for d in docs)),
             ("references", sum(len(d.rec.references) for d in docs)),
             ("warnings", sum(len(d.rec.warnings) for d in docs))]
    view = Overview(stats=stats, docs=docs, failed=failed, has_columns=bool(columns))
    builtin_cols = [c for c in columns if c.is_baseline and c.doc.rec.builtin]
    if builtin_cols and comparison is not None:
        uses: dict[str, list[str]] = defaultdict(list)
        for compared, bases in comparison.compared_with.items():
            for b in bases:
                uses[b].append(L.column_label(compared))
        view.how = L.ui("how.requested") if explicit else L.ui("how.cited")
        view.builtins = [(c.doc.section_id, c.shown, ", ".join(uses.get(c.label, []))) for c in builtin_cols]
    elif baseline is not None:
        view.how = L.ui("how.requested") if explicit else L.ui("how.national")
        view.baseline = baseline
        view.who = baseline.rec.issuing_body or L.code("level", baseline.rec.admin_level)
    return view


def _is_national_column(col: _Column | None) -> bool:
    """Whether a baseline column is a national programme (built in, or a central document)."""
    if col is None:
        return False
    r = col.doc.rec
    return r.builtin or r.admin_level == "central"


def comparison_table(rows: list[_Row], columns: list[_Column], L: Labels) -> ComparisonTable:
    base_pos = next((i for i, c in enumerate(columns) if c.is_baseline), None)
    label_pos = {c.label: i for i, c in enumerate(columns)}
    national = {c.label: _is_national_column(c) for c in columns if c.is_baseline}
    out: list[TableRow] = []
    for row in rows:
        cells: list[Cell | None] = []
        for pos, col in enumerate(columns):
            found = row.cells.get(pos)
            if found is None:
                cells.append(None)
                continue
            cell = Cell([(text, mark, _target_summary(t, L)) for text, mark, t in found.texts])
            if col.is_baseline:
                cell.cls = " base"
            elif base_pos is not None:
                named = next((str(r["baseline"]) for r in row.differences.get(pos, [])
                              if isinstance(r.get("baseline"), str)), None)
                fallback = _is_national_column(columns[base_pos])
                is_nat = national.get(named, fallback) if named is not None else fallback
                cls, cell.diff, cell.tip = _difference(row, pos, base_pos, L, label_pos, national=is_nat)
                cell.cls = " " + cls
            cells.append(cell)
        out.append(TableRow(row.key, row.group, cells))
    return ComparisonTable(columns, out, LEGEND if base_pos is not None else ())


def document(d: _Doc, L: Labels) -> DocumentView:
    r = d.rec
    facts = [
        ("col.doc_id", r.doc_id), ("facts.source", r.source), ("facts.format", r.format),
        ("col.type", L.code("kind", r.doc_type)), ("col.number", r.number), ("facts.issue_date", L.date(r.issue_date)),
        ("facts.place", r.place), ("facts.issuing_body", r.issuing_body), ("facts.parent_body", r.parent_body),
        ("col.level", L.code("level", r.admin_level)), ("col.province", r.province), ("col.district", r.district),
        ("facts.signer", " — ".join(x for x in (r.signer.name, r.signer.title) if x) if r.signer else None),
        ("facts.title", r.title),
    ]
    classes = {m: ("ev-t" if m in d.target_marks_set else "ev-r") for m in d.mark_titles}
    body = None
    if d.text is not None:
        body = Markup(highlight(d.text, d.spans, d.mark_titles, classes, values=d.values))
    loose = [Markup(highlight(text, [(0, len(text), mark)], d.mark_titles, classes, values=_loose_values(d, text)))
             for text, mark in d.loose]
    return DocumentView(
        doc=d, facts=[(name.split(".", 1)[1], name, value) for name, value in facts],
        targets=[_target_row(t, mark, L) for t, mark in zip(r.targets, d.target_marks, strict=True)],
        references=[(_reference_what(ref, L), mark) for ref, mark in zip(r.references, d.reference_marks, strict=True)],
        body=body, loose=loose)


def _target_row(t: Target, mark: str, L: Labels) -> TargetRow:
    return TargetRow(t, mark, _found_in(t.tier_source, L), _found_in(t.year_source, L),
                     value=L.value(t.value, t.value_max, t.direction, t.unit), sector=L.sector(t.sector),
                     indicator=L.indicator(t.indicator), tier=L.tier(t.tier), year=L.year(t.year),
                     period_start=L.year(t.period_start), unit=L.code("unit", t.unit))


def _found_in(source: str | None, L: Labels) -> str | None:
    """A tooltip saying where a year or tier was found (SCHEMA.md's
    ``year_source``/``tier_source``), or ``None`` when unknown."""
    return L.ui("found_in", where=L.code("source", source)) if source else None


def _loose_values(d: _Doc, text: str) -> list[tuple[int, int]]:
    """Where the values of the targets whose evidence is ``text`` (not found in the document) are written."""
    taken: set[tuple[int, int]] = set()
    for t in d.rec.targets:
        if t.evidence.text == text:
            span = written_span(t, text, taken)
            if span is not None:
                taken.add(span)
    return sorted(taken)
