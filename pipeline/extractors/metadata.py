"""Document facts: kind, number, date, place, issuer, level, province, signer, title.

Official documents print their facts in a fixed layout: the issuer in upper
case at the top left (one or two bodies, often wrapped over several lines),
the national motto at the top right, ``Số: 149/KH-THLQĐ``, the date line
``Nhà Bè, ngày 04 tháng 7 năm 2023``, the kind (``KẾ HOẠCH``) on a line of
its own, the subject line (trích yếu), and the signature block at the end
(``KT. CHỦ TỊCH`` / ``PHÓ CHỦ TỊCH`` / name).  Copies scraped from the web
flatten the header table into cells separated by ``|`` and break lines in the
middle of names; drafts leave the number and the day blank.

A text without that layout is read as a news article about a document: its
facts are those of the document it reports (``Ngày 19/11, UBND thành phố Hà
Nội ban hành Kế hoạch số 226/KH-UBND``), the year of a yearless date coming
from the article's own dateline.

This module only assembles the facts; each part is read by its own stage:
:mod:`.header` (cells, kind line, issuer lines, number, subject line),
:mod:`.dates`, :mod:`.bodies` (a body's name, completed with its place),
:mod:`.signature` and :mod:`.news`; :mod:`.common` holds what they share.
Patterns live in ``rules/doc_types.yaml``, ``rules/bodies.yaml`` and
``rules/dates.yaml``.  Nothing here raises on odd text: a fact that cannot be
read is ``None`` and, where it matters, a warning says why.

>>> from pipeline.text import prepare
>>> from pipeline.segment import segment
>>> p = prepare("UBND TỈNH LẠNG SƠN\\nSố: 12/KH-UBND\\nLạng Sơn, ngày 3 tháng 2 năm 2022\\nKẾ HOẠCH\\nVề phát triển văn hóa đọc")
>>> m = extract_metadata(p, segment(p.flow, with_sentences=False))
>>> (m.doc_type, m.number, m.issue_date, m.place, m.issuing_body, m.admin_level, m.province)
('plan', '12/KH-UBND', '2022-02-03', 'Lạng Sơn', 'Ủy ban nhân dân tỉnh Lạng Sơn', 'province', 'Lạng Sơn')
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from .. import rules
from ..models import AdminLevel, DocType, Signer, admin_level_code
from ..segment import Segmented
from ..text import PreparedText
from .bodies import Body, BodyLevel, complete_body, is_central_city, parse_body
from .common import (
    Cell,
    clean,
    district_of,
    is_upper,
    level_words,
    match_first,
    most_common,
    most_named,
    place_of,
    proper_case,
    province_of,
    split_cells,
)
from .context import Extracted, ExtractionContext
from .dates import iso_date, read_citation_date, read_date_line, read_dateline, year_for
from .header import (
    HEADER_CELLS,
    PREAMBLE_CHARS,
    Header,
    header_bodies,
    read_header,
    read_number,
    read_title,
    respell,
    split_number_line,
    type_from_symbol,
)
from .news import (
    issuer_from_symbol,
    passive_body,
    read_report,
    self_issued,
    source_body,
    text_issuer,
)
from .signature import read_signature

__all__ = [
    "Metadata", "read_facts", "Body", "extract_metadata", "parse_body", "complete_body",
    "read_citation_date", "iso_date", "proper_case",
]

_rx = rules.compile_pattern


@dataclass(frozen=True)
class Metadata:
    """The facts of one document (see SCHEMA.md for each field)."""

    doc_type: DocType | None
    number: str | None
    issue_date: str | None
    place: str | None
    issuing_body: str | None
    parent_body: str | None
    admin_level: AdminLevel | None
    province: str | None
    district: str | None
    signer: Signer | None
    title: str | None


#: The month from which there is no district level (the reorganisation of
#: 1 July 2025): a document issued since names no district.  Compared with an
#: ISO issue date, full or partial ("2025-07-01", "2025-07", "2026"); a bare
#: "2025" is before it, as it may be.
DISTRICTS_ENDED = "2025-07"


def _merge_bodies(header: Body | None, text: Body | None) -> Body | None:
    """A header body without its level (``ỦY BAN NHÂN DÂN`` alone) takes it
    from the same body named in the text."""
    if header is None:
        return text
    if text is not None and header.level is None and header.head == text.head and text.level:
        return text
    return header


def _scope_level(flow: str) -> AdminLevel | None:
    counts: Counter[str] = Counter()
    for m in _rx("bodies", "scope.level").finditer(flow):
        hit = match_first("bodies", "admin.", m["level"])
        if hit:
            lvl = hit[0]["admin_level"]
            counts["province" if lvl == "city" else lvl] += 1
    top = most_common(counts)
    return None if top is None else admin_level_code(top)


@dataclass
class _Facts:
    """Mutable scratch record while the facts are put together."""

    doc_type: DocType | None = None
    number: str | None = None
    issue_date: str | None = None
    place: str | None = None
    issuer: Body | None = None
    parent: Body | None = None
    signer: Signer | None = None
    title: str | None = None
    warnings: list[str] = field(default_factory=list)

    def warn(self, msg: str | None) -> None:
        if msg:
            self.warnings.append(msg)


def _official(prep: PreparedText, seg: Segmented, cells: list[Cell], header: Header, f: _Facts) -> None:
    f.doc_type = header.doc_type
    f.number, warn = read_number(header)
    f.warn(warn)
    if f.doc_type is None:
        f.doc_type = type_from_symbol(f.number) or "other"
    # issuer and motto lines out, so that a place is not read across them
    head_text = "\n".join(split_number_line(c.text) for c in header.cells
                          if not (is_upper(c.text) and " " in c.text.strip()))
    f.issue_date, f.place, warn = read_date_line(head_text)
    if f.issue_date is None:
        f.issue_date, f.place, warn = read_date_line(prep.norm[:PREAMBLE_CHARS], need_place=True)
    f.warn(warn)
    if f.issue_date is None:
        f.warn("no date line found")
    bodies = [respell(b, prep.flow) for b in header_bodies(header)]
    issuer = bodies[-1] if bodies else None
    f.parent = bodies[-2] if len(bodies) > 1 else None
    incomplete = issuer is None or (issuer.level is None and issuer.admin_level is None)
    f.issuer = _merge_bodies(issuer, text_issuer(prep.flow, seg) if incomplete else None)
    f.signer = read_signature(prep.norm)
    f.title = read_title(prep, cells, header.title_index)


def _news(prep: PreparedText, seg: Segmented, f: _Facts) -> None:
    f.doc_type = "news"
    rep = read_report(prep.flow, seg)
    if rep is None:
        f.issuer = passive_body(prep.flow) or source_body(prep.flow)
        f.warn("no reported document found in the article")
        return
    f.number, f.issuer, f.signer, f.title = rep.number, rep.body, rep.signer, rep.title
    f.issue_date = rep.date
    if rep.date is None and rep.day_month is not None:
        dl = read_dateline(prep.flow, rep.start)
        if dl is not None:
            y = year_for(rep.day_month, dl)
            f.issue_date = iso_date(y, rep.day_month[1], rep.day_month[0])
        else:
            f.warn("reported document's date has no year and the article no dateline")
    if f.issuer is None and rep.number:
        f.issuer = issuer_from_symbol(rep.number)


def _locate(prep: PreparedText, f: _Facts) -> tuple[AdminLevel | None, str | None, str | None]:
    """(admin_level, province, district); completes the issuer with its place.
    A city the places do not tell a province or a district of has no level.
    An article on a document (``Theo Đề án …``) that names a province and no
    district, and gives no level otherwise, is on the province's document."""
    flow = prep.flow
    level: BodyLevel | None = f.issuer.admin_level if f.issuer else None
    if level == "central":
        return "central", None, None
    province, district = _chain_places([b for b in (f.parent, f.issuer) if b is not None], flow)
    if province is None:
        province = most_named(_typed_provinces(flow)) or province_of(f.place) or \
            most_named(_bare_provinces(flow))
    if province is None and f.place:
        # the date line names a district-level town: "Phủ Lý, ngày …" → Hà Nam
        found = district_of(_rx("bodies", "place.level_prefix").sub("", f.place), None, None)
        province = getattr(found, "province", None)
    if level in (None, "city") and f.issuer and f.issuer.level in level_words("city"):
        level = "province" if is_central_city(province) else "district"
    if district is None and level in ("district", "commune", "school"):
        counts = _typed_districts(flow, province)
        top = counts.most_common(1)[0][0] if counts else None
        if top is not None:
            district, province = top[1], province or top[0]
    if level is None:
        level = _scope_level(flow)
    if level is None and f.doc_type == "news" and province and district is None and \
            _rx("doc_types", "report.kind_named").search(flow):
        level = "province"   # an article on a document of the one territory it names: the province's
    if f.issuer is not None:
        f.issuer = complete_body(f.issuer, province, district)
        level = f.issuer.admin_level if f.issuer.admin_level not in (None, "city") else level
    if level in ("province", None) or (f.issue_date or "") >= DISTRICTS_ENDED:
        district = None   # no district level since 1 July 2025: a commune is under its province
    return (None if level == "city" else level), province, district




def _named(body: Body | None) -> str | None:
    """A body's name, unless it is a territory's body whose territory no part
    of the text names ("UBND tỉnh đã ban hành …" and no province): that is no
    name, and is left empty (its level is still the document's)."""
    if body is None:
        return None
    if not body.place and body.level in level_words("province", "city", "district", "commune"):
        return None
    return body.name


def _chain_places(chain: list[Body], flow: str) -> tuple[str | None, str | None]:
    """(province, district) named by the issuer and the body above it."""
    province: str | None = None
    district: str | None = None
    for b in chain:
        if b.place and (b.level is None or b.level in level_words("province") or (
                b.level in level_words("city") and is_central_city(b.place))):
            province = province or province_of(b.place)
    hint = province or most_named(_typed_provinces(flow))
    for b in chain:
        if not b.place or b.level not in level_words("district", "city", "commune") or (
                b.level in level_words("city") and is_central_city(b.place)):
            continue
        if b.level in level_words("district", "city"):
            found = district_of(b.place, hint, b.level)
        else:  # a commune: its district and province, when the name is unique
            found = place_of(f"{b.level} {b.place}", hint)
        if found is not None and found.district:
            district, province = found.district, province or found.province
    return province, district


#: how far before a type word its plural marker may stand ("gồm 14 ", "các ")
_PLURAL_REACH = 12


def _typed_provinces(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    plural = _rx("bodies", "place.plural_type")
    for m in _rx("bodies", "place.typed").finditer(text):
        if plural.search(text, max(0, m.start() - _PLURAL_REACH), m.start()):
            continue  # "các tỉnh Sơn La, Điện Biên, …": a list, not a place of the document
        words = m["name"].split()
        for k in range(len(words), 0, -1):
            p = province_of(" ".join(words[:k]))
            if p:
                counts[p] += 1
                break
    return counts


def _bare_provinces(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for m in _rx("bodies", "place.capitalised_run").finditer(text):
        words = m.group(0).split()
        for i in range(len(words)):
            for k in (3, 2):
                if i + k <= len(words):
                    p = province_of(" ".join(words[i:i + k]))
                    if p:
                        counts[p] += 1
                        break
    return counts


def _typed_districts(text: str, province: str | None) -> Counter[tuple[str | None, str]]:
    """(province, district) of the district-level units named in ``text``."""
    counts: Counter[tuple[str | None, str]] = Counter()
    for m in _rx("bodies", "place.district_typed").finditer(text):
        kind = clean(m["kind"]).lower()
        if kind in level_words("city") and is_central_city(m["name"]):
            continue
        words = m["name"].split()
        for k in range(len(words), 0, -1):
            place = district_of(" ".join(words[:k]), province, kind)
            if place and place.district and (not province or place.province == province):
                counts[(place.province, place.district)] += 1
                break
    return counts


def read_facts(ctx: ExtractionContext) -> Extracted[Metadata]:
    """The metadata stage: the document facts of ``ctx`` as one item, and the
    warnings about facts that could not be read (never raises on odd text).

    Nothing is kept between calls: the pipeline puts the facts on the context
    (:meth:`~.context.ExtractionContext.with_facts`) for the later stages.
    """
    facts, warnings = _extract(ctx.prep, ctx.seg)
    return Extracted(items=(facts,), warnings=warnings)


def extract_metadata(prep: PreparedText, seg: Segmented) -> Metadata:
    """The facts of one prepared text (:func:`read_facts` without its warnings)."""
    return _extract(prep, seg)[0]


def _extract(prep: PreparedText, seg: Segmented) -> tuple[Metadata, tuple[str, ...]]:
    f = _Facts()
    cells = split_cells(prep.norm, limit=HEADER_CELLS * 2)
    header = read_header(cells)
    self_kind = None if header.official else self_issued(prep.flow, seg)
    if self_kind is not None:
        header = replace(header, doc_type=self_kind, official=True)
    if header.official:
        _official(prep, seg, cells, header, f)
    else:
        _news(prep, seg, f)
    level, province, district = _locate(prep, f)
    if f.issuer is None:
        f.warn("issuing body not found")
    return Metadata(
        doc_type=f.doc_type, number=f.number, issue_date=f.issue_date, place=f.place,
        issuing_body=_named(f.issuer), parent_body=_named(f.parent),
        admin_level=level, province=province, district=district,
        signer=f.signer, title=f.title,
    ), tuple(f.warnings)

