"""The report's HTML sections: navigation, overview, comparison table and
one section per document with its text, evidence highlighted."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..annotate import esc as _esc
from ..annotate import highlight, value_span
from ..compare import KEY_COLUMNS
from ..labels import Labels
from .model import PALETTE, _Column, _difference, _Doc, _reference_what, _Row, _target_summary


def _nav(has_rows: bool, L: Labels) -> str:
    links = [f'<a href="#overview">{_esc(L.ui("nav.overview"))}</a>']
    if has_rows:
        links += [f'<a href="#comparison">{_esc(L.ui("nav.comparison"))}</a>',
                  f'<a href="#charts">{_esc(L.ui("nav.charts"))}</a>']
    links.append(f'<a href="#documents">{_esc(L.ui("nav.documents"))}</a>')
    return f'<nav class="top">{" ".join(links)}</nav>\n'


def _overview(docs: list[_Doc], baseline: _Doc | None, columns: list[_Column], L: Labels, *, explicit: bool,
              comparison: Any | None = None) -> str:
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


def _is_national_column(col: _Column | None) -> bool:
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
               + "".join(f'<th scope="col" data-key="{k}">{_esc(L.ui("col." + k))}</th>' for k in KEY_COLUMNS
                       if k != "group")  # a group is shown with its tier
               + "".join(_column_head(c, L) for c in columns) + "</tr></thead>\n<tbody>\n")
    for row in rows:
        sector, indicator, tier, year = row.key
        out.append(f'<tr><td data-code="{_esc(sector)}">{_esc(L.sector(sector))}</td>'
                   f'<td data-code="{_esc(indicator)}">{_esc(L.indicator(indicator))}</td>'
                   f'<td data-code="{_esc(tier)}">{_esc(L.tier(tier))}'
                   f'{f" ({_esc(row.group)})" if row.group else ""}</td>'
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
                fallback = _is_national_column(columns[base_pos])
                is_nat = national.get(named, fallback) if named is not None else fallback
                cls, diff, tip = _difference(row, pos, base_pos, L, label_pos, national=is_nat)
                note = f'<span class="diff">{_esc(diff)}</span>' if diff else ""
                out.append(f'<td class="v {cls}" title="{_esc(tip)}">{links}{note}</td>')
        out.append("</tr>\n")
    out.append("</tbody></table></div>\n</section>\n")
    return "".join(out)




def _documents(docs: list[_Doc], L: Labels) -> str:
    out = [f'<section id="documents">\n<h2>{_esc(L.ui("nav.documents"))}</h2>\n']
    for d in docs:
        out.append(_document(d, L))
    out.append("</section>\n")
    return "".join(out)


def _source_title(source: str | None, L: Labels) -> str:
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
        for t, mark in zip(r.targets, d.target_marks, strict=True):
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
        for ref, mark in zip(r.references, d.reference_marks, strict=True):
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


