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

import bisect
import datetime
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any, Optional

import regex

from .. import rules
from ..models import Signer
from ..segment import Segmented
from ..text import PreparedText

__all__ = [
    "Metadata", "Body", "extract_metadata", "parse_body", "complete_body",
    "read_citation_date", "iso_date", "proper_case",
]

HEADER_CELLS = 80          # the header and title lie within the first cells
LONG_LINE = 120            # a header line is shorter than this
PREAMBLE_CHARS = 6000      # where an issuer names itself in running text
TAIL_CELLS = 16            # signature block when there is no "Nơi nhận"
SIGNATURE_CELLS = 30       # cells after "Nơi nhận" / "./." that may hold the signature
NAME_LOOKAHEAD = 6         # cells between a signer's title and name
SIGNATURE_LINE = 60        # a title line of a signature block is shorter than this
SENTENCE_WINDOW = 400      # how far a reporting sentence's subject may lie from its verb
DATELINE_CHARS = 130       # a page's dateline stands on a short line
RESPELL_TRIES = 8          # mentions of a header body looked at for its tone marks


# --------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Metadata:
    doc_type: Optional[str]
    number: Optional[str]
    issue_date: Optional[str]
    place: Optional[str]
    issuing_body: Optional[str]
    parent_body: Optional[str]
    admin_level: Optional[str]
    province: Optional[str]
    district: Optional[str]
    signer: Optional[Signer]
    title: Optional[str]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Body:
    """An issuing body, read from a header line or from running text.

    ``name`` is the full name in sentence case (``Ủy ban nhân dân huyện Nhà
    Bè``); ``level`` the level word after the head (``huyện``); ``place`` the
    place name after it (``Nhà Bè``); ``admin_level`` one of ``central``,
    ``province``, ``district``, ``commune``, ``school``, ``department``, or
    ``city`` until the place says whether a city is a province.
    """

    name: str
    head: str
    level: Optional[str] = None
    place: Optional[str] = None
    admin_level: Optional[str] = None


@dataclass(frozen=True)
class _Cell:
    """One cell of a header line (lines split at ``|``), offsets in ``norm``."""

    text: str
    start: int


# --------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------

_rx = rules.compile_pattern
_group = rules.group


# --------------------------------------------------------------------------
# Small text helpers
# --------------------------------------------------------------------------

_SPACES = regex.compile(r"\s+")
_RULE_LINE = regex.compile(r"[-–—_=]{3,}")
_DECOR = "*_#"


def _clean(s: str) -> str:
    """Collapse whitespace, strip markdown emphasis and spaces."""
    return _SPACES.sub(" ", s).strip().strip(_DECOR).strip()


def _is_upper(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def proper_case(s: str) -> str:
    """``NHÀ BÈ`` → ``Nhà Bè``; text already in mixed case is kept.

    >>> proper_case("LÊ QUANG ĐỊNH"), proper_case("Ngô Quyền"), proper_case("QUẬN 1")
    ('Lê Quang Định', 'Ngô Quyền', 'Quận 1')
    """
    s = _clean(s)
    if not _is_upper(s):
        return s
    return " ".join(_word_case(w) for w in s.split(" "))


def _word_case(w: str) -> str:
    """``NHÀ`` → ``Nhà``; Roman numerals, acronyms and numbers kept."""
    if not w[:1].isalpha() or _rx("bodies", "name.roman").match(w) or _rx("bodies", "name.acronym").match(w):
        return w
    return w[:1] + w[1:].lower()


def _field_case(s: str) -> str:
    """``VĂN HÓA, THỂ THAO VÀ DU LỊCH`` → ``Văn hóa, Thể thao và Du lịch``."""
    s = _clean(s)
    if not _is_upper(s):
        return s
    parts = _rx("bodies", "field.separator").split(s)
    out = []
    for i, part in enumerate(parts):
        if i % 2:  # separator
            out.append(part.lower())
        elif part:
            words = part.split(" ")
            first = _word_case(words[0])
            rest = [w if _rx("bodies", "name.acronym").match(w) else w.lower() for w in words[1:]]
            out.append(" ".join([first] + rest))
    return "".join(out)


def _sentence_case(s: str) -> str:
    s = _clean(s)
    return s[:1].upper() + s[1:].lower() if _is_upper(s) else s


def iso_date(y: Optional[int], m: Optional[int], d: Optional[int]) -> Optional[str]:
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; None for an impossible date."""
    if y is None:
        return None
    if m is None:
        return f"{y:04d}"
    if not 1 <= m <= 12:
        return None
    if d is None:
        return f"{y:04d}-{m:02d}"
    try:
        return datetime.date(y, m, d).isoformat()
    except ValueError:
        return None


def _int(s: Optional[str]) -> Optional[int]:
    return int(s) if s else None


def read_citation_date(text: str, pos: int) -> tuple[Optional[str], Optional[tuple[int, int]], int]:
    """Read ``ngày …`` at ``pos``: (ISO date or None, (day, month) when the
    year is missing, end offset).  ``end == pos`` when there is no date.

    >>> read_citation_date("ngày 04 tháng 5 năm 2013 của", 0)
    ('2013-05-04', None, 24)
    >>> read_citation_date("ngày 26/10, về", 0)
    (None, (26, 10), 10)
    """
    m = _rx("dates", "date.ngay").match(text, pos)
    if not m:
        return None, None, pos
    if m.group("y1"):
        return iso_date(int(m["y1"]), int(m["m1"]), int(m["d1"])), None, m.end()
    if m.group("y2"):
        return iso_date(int(m["y2"]), int(m["m2"]), int(m["d2"])), None, m.end()
    return None, (int(m["d3"]), int(m["m3"])), m.end()


# --------------------------------------------------------------------------
# Bodies
# --------------------------------------------------------------------------

def _match_first(file: str, prefix: str, text: str) -> Optional[tuple[dict[str, Any], "regex.Match[str]"]]:
    for rule, rx in _group(file, prefix):
        m = rx.match(text)
        if m:
            return rule, m
    return None


def _is_central_city(place: Optional[str]) -> bool:
    return bool(place) and bool(_rx("bodies", "city.central").match(_clean(place or "")))


def _level_of(level_rule: dict[str, Any], place: Optional[str]) -> Optional[str]:
    lvl = level_rule.get("admin_level")
    if lvl == "city":
        if place:
            return "province" if _is_central_city(place) else "district"
        return "city"
    return lvl


def _split_admin(rest: str) -> tuple[Optional[dict[str, Any]], Optional[str]]:
    """``TỈNH BÌNH DƯƠNG`` → (rule admin.tinh, ``Bình Dương``)."""
    hit = _match_first("bodies", "admin.", rest)
    if not hit:
        return None, (proper_case(rest) or None)
    rule, m = hit
    place = proper_case(rest[m.end():]).strip(" .,") or None
    if place and place == place.lower():      # "cần thơ" from a file that lost its capitals
        place = " ".join(w[:1].upper() + w[1:] for w in place.split())
    return rule, place


def parse_body(text: str) -> Optional[Body]:
    """Read a body's name (upper case or not) into a :class:`Body`.

    >>> parse_body("ỦY BAN NHÂN DÂN HUYỆN NHÀ BÈ").name
    'Ủy ban nhân dân huyện Nhà Bè'
    >>> parse_body("TRƯỜNG TIỂU HỌC LÊ QUANG ĐỊNH").name
    'Trường Tiểu học Lê Quang Định'
    >>> parse_body("UBND thành phố").name
    'Ủy ban nhân dân thành phố'
    >>> parse_body("TRANG THÔNG TIN ĐIỆN TỬ") is None
    True
    """
    s = _clean(text)
    hit = _match_first("bodies", "head.", s)
    if not hit:
        return None
    rule, m = hit
    rest = s[m.end():].strip(" ,.;:")
    takes = rule.get("takes", "none")
    head = rule.get("canonical") or _sentence_case(m.group(0))
    if takes == "admin":
        lvl_rule, place = _split_admin(rest) if rest else (None, None)
        if lvl_rule is None:
            return Body(name=head, head=rule["id"], admin_level=rule.get("admin_level"))
        level = lvl_rule["canonical"]
        name = " ".join(x for x in (head, level, place) if x)
        return Body(name=name, head=rule["id"], level=level, place=place,
                    admin_level=_level_of(lvl_rule, place))
    if takes == "party":
        w = m.group("w").lower()
        head = w[:1].upper() + w[1:] + " ủy"
        place = proper_case(rest) or None
        level = "province" if w in ("tỉnh", "thành") else "district"
        return Body(name=" ".join(x for x in (head, place) if x), head=rule["id"],
                    level=w, place=place, admin_level=level)
    if takes == "school":
        return _school_body(head, rest, rule)
    if takes == "field":
        return _field_body(head, rest, rule)
    return Body(name=head, head=rule["id"], admin_level=rule.get("admin_level"))


def _school_body(head: str, rest: str, rule: dict[str, Any]) -> Body:
    hit = _match_first("bodies", "school.", rest)
    if hit:
        srule, sm = hit
        kind = srule.get("canonical") or (
            _sentence_case(sm.group(0)) if srule.get("canonical_from_text") else _clean(sm.group(0)))
        name = _place_tail(proper_case(rest[sm.end():]))
        full = " ".join(x for x in (head, kind, name) if x)
    else:
        full = " ".join(x for x in (head, proper_case(rest)) if x)
    return Body(name=full, head=rule["id"], admin_level=rule.get("admin_level"))


def _place_tail(name: str) -> str:
    """A school's name whose closing province OCR misread (``Công Thương Thành
    Phó Hò Chí Minh``) with the place as the gazetteer spells it."""
    m = _rx("bodies", "header.place_tail").search(name)
    if not m:
        return name
    province = _province_of(m["place"])
    if not province:
        return name
    if m["place"] == province and m["kind"].lower() in ("thành phố", "tỉnh"):
        return name         # spelled right: kept as written
    kind = m["kind"][:1] + ("hành phố" if m["kind"].lower().startswith("th") else "ỉnh")
    return name[:m.start("kind")] + f"{kind} {province}"


def _field_body(head: str, rest: str, rule: dict[str, Any]) -> Body:
    """``SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH`` or ``THƯ VIỆN TỈNH BÌNH DƯƠNG``."""
    cut = _rx("bodies", "field.admin_tail").search(rest)
    field, tail = (rest[:cut.start()], rest[cut.start():]) if cut else (rest, "")
    parts = [head]
    level = place = None
    if not tail:
        # "SỞ GIÁO DỤC VÀ ĐÀO TẠO HÀ NAM": a province named without its level word
        words = field.split()
        for k in range(min(4, len(words) - 1), 0, -1):
            province = _province_of(" ".join(words[-k:]))
            if province:
                field, place = " ".join(words[:-k]), province
                break
    if field.strip():
        parts.append(_field_case(field))
    if place:
        parts.append(place)
    if tail:
        lvl_rule, place = _split_admin(tail)
        if lvl_rule:
            level = lvl_rule["canonical"]
            parts.append(level)
        if place:
            parts.append(place)
    return Body(name=" ".join(parts), head=rule["id"], level=level, place=place,
                admin_level=rule.get("admin_level"))


def complete_body(body: Body, province: Optional[str], district: Optional[str]) -> Body:
    """Add the place a body leaves out because the reader knows it.

    ``UBND tỉnh`` in a plan of Đắk Nông → ``Ủy ban nhân dân tỉnh Đắk Nông``;
    ``UBND thành phố`` in a Hải Phòng district → ``… thành phố Hải Phòng``;
    ``Ban Thường vụ Tỉnh ủy`` → ``Ban Thường vụ Tỉnh ủy Tuyên Quang``.
    """
    if body.place:
        return body
    add: Optional[str] = None
    level = body.admin_level
    admin_head = body.head in ("head.ubnd", "head.hdnd", "head.dang_bo")
    if body.level == "tỉnh" and province and not _is_central_city(province):
        add, level = province, ("province" if admin_head else level)
    elif body.level == "thành phố" and province and _is_central_city(province):
        add, level = province, ("province" if admin_head else level)
    elif body.level in ("huyện", "quận", "thị xã") and district:
        add = district
    elif body.level in ("tỉnh", "thành") and body.head == "head.party" and province:
        add = province
    elif body.level in ("huyện", "quận", "thị") and body.head == "head.party" and district:
        add = district
    elif body.head == "head.ban" and province and _rx("bodies", "party.suffix").search(body.name):
        return replace(body, name=f"{body.name} {province}", place=province)
    if not add:
        return body
    return replace(body, name=f"{body.name} {add}", place=add, admin_level=level)


# --------------------------------------------------------------------------
# Places
# --------------------------------------------------------------------------

def _places() -> Any:
    """The gazetteer module, imported lazily (it reads a database on first use)."""
    from .. import places
    return places


def _province_of(name: Optional[str]) -> Optional[str]:
    if not name:
        return None
    try:
        return _places().canonical_province(name)
    except (ImportError, OSError, ValueError):
        return None


def _district_of(name: Optional[str], province: Optional[str], kind: Optional[str]) -> Any:
    if not name:
        return None
    try:
        return _places().resolve_district(name, province, kind)
    except (ImportError, OSError, ValueError):
        return None


def _trim_place(name: Optional[str], level: Optional[str]) -> Optional[str]:
    """Cut a place name read greedily from text at the longest known prefix
    (``Hà Nội Vũ Thu Hà`` → ``Hà Nội``); a name nothing resolves is kept."""
    if not name:
        return name
    words = name.split()
    for k in range(len(words), 0, -1):
        cand = " ".join(words[:k])
        if level in ("tỉnh", "thành phố") and _province_of(cand):
            return cand
        if level in ("huyện", "quận", "thị xã", "thành phố") and _district_of(cand, None, level):
            return cand
    return None if level == "tỉnh" else name


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
            p = _province_of(" ".join(words[:k]))
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
                    p = _province_of(" ".join(words[i:i + k]))
                    if p:
                        counts[p] += 1
                        break
    return counts


def _most_common(counts: Counter[str]) -> Optional[str]:
    return counts.most_common(1)[0][0] if counts else None


def _most_named(counts: Counter[str]) -> Optional[str]:
    """The place named most often, when one is: a tie at the top (a text that
    lists fourteen provinces once each) names no place, never the first of the list."""
    top = counts.most_common(2)
    if not top or (len(top) == 2 and top[0][1] == top[1][1]):
        return None
    return top[0][0]


def _typed_districts(text: str, province: Optional[str]) -> Counter[tuple[Optional[str], str]]:
    """(province, district) of the district-level units named in ``text``."""
    counts: Counter[tuple[Optional[str], str]] = Counter()
    for m in _rx("bodies", "place.district_typed").finditer(text):
        kind = _clean(m["kind"]).lower()
        if kind == "thành phố" and _is_central_city(m["name"]):
            continue
        words = m["name"].split()
        for k in range(len(words), 0, -1):
            place = _district_of(" ".join(words[:k]), province, kind)
            if place and place.district and (not province or place.province == province):
                counts[(place.province, place.district)] += 1
                break
    return counts


# --------------------------------------------------------------------------
# Header
# --------------------------------------------------------------------------

def _cells(norm: str, limit: Optional[int] = None, start: int = 0) -> list[_Cell]:
    """Non-empty cells of the lines of ``norm`` (lines split at ``|``)."""
    out: list[_Cell] = []
    sep = _rx("doc_types", "header.separator")
    pos = start
    for line in norm[start:].split("\n"):
        off = pos
        for piece in line.split("|"):
            text = piece.strip()
            if text and not sep.match(text):
                out.append(_Cell(text=text, start=off + piece.find(text)))
            off += len(piece) + 1
        pos += len(line) + 1
        if limit is not None and len(out) >= limit:
            break
    return out


@dataclass(frozen=True)
class _Header:
    cells: tuple[_Cell, ...]        # header cells (before the title line / body)
    title_index: Optional[int]      # index of the kind line among all cells
    doc_type: Optional[str]
    official: bool


def _read_header(cells: list[_Cell]) -> _Header:
    doc_type: Optional[str] = None
    title_index: Optional[int] = None
    for i, c in enumerate(cells[:HEADER_CELLS]):
        hit = _match_first("doc_types", "title.", _clean(c.text) or c.text)
        if hit:
            doc_type, title_index = hit[0]["doc_type"], i
            break
    if title_index is None and cells and _rx("doc_types", "lead.other").match(_clean(cells[0].text)):
        doc_type, title_index = "other", 0
    end = title_index if title_index is not None else len(cells[:HEADER_CELLS])
    body_start = _rx("doc_types", "header.body_start")
    for i, c in enumerate(cells[:end]):
        long_text = len(c.text) > LONG_LINE and not _is_upper(c.text)
        if body_start.match(c.text) or (long_text and title_index is None):
            end = i
            break
    # before a kind line, long lines are page chrome: passed over, not an end
    head = tuple(c for c in cells[:end] if len(c.text) <= LONG_LINE or _is_upper(c.text))
    joined = "\n".join(c.text for c in head)
    official = (title_index is not None and title_index < 25) or bool(
        _rx("doc_types", "header.motto").search(joined)) or any(
        _rx("doc_types", "header.number").match(c.text) for c in head)
    return _Header(cells=head, title_index=title_index, doc_type=doc_type, official=official)


def _header_bodies(header: _Header) -> list[Body]:
    """The issuer lines at the top: upper-case cells, motto and number removed,
    split where a new body's head starts a line."""
    motto = _rx("doc_types", "header.motto")
    number = _rx("doc_types", "header.number")
    date_line = _rx("dates", "date.line")
    on_behalf = _rx("bodies", "signer.on_behalf")
    lines: list[str] = []
    text = "\n".join(c.text for c in header.cells if not number.match(c.text))
    text = motto.sub("\n", text)
    cased = False       # the previous line kept was a body head not in capitals
    for raw_line in text.split("\n"):
        line = _clean(_RULE_LINE.sub(" ", raw_line))   # "TỈNH NINH THUẬN -------" (a flattened cell)
        if not line or sum(ch.isalpha() for ch in line) < 2 or date_line.search(line) or on_behalf.search(line) or (
                _match_first("bodies", "title.", line) and not _match_first("bodies", "head.", line)):
            cased = False
            continue
        upper, rest = _upper_prefix(line)
        if rest and len(upper.split()) >= 2:
            # OCR glues the header's right column to the left one ("TRƯỜNG ĐẠI HỌC …
            # SH SẾj anh p"): the capitals before it, without the vowelless noise
            words = upper.split()
            while len(words) > 2 and _rx("bodies", "header.no_vowel_token").match(words[-1]):
                words.pop()
            line, rest = " ".join(words), ""
        if not _is_upper(line):
            # a legacy-font file loses its capitals ("ủy Ban Nhân Dân" / "thành phố cần
            # thơ"): a short line that starts with a body head, and the short plain
            # line that continues it
            head = _match_first("bodies", "head.", line)
            if len(line) > LONG_LINE // 2 or not (head or (cased and _rx("bodies", "header.plain_line").match(line))):
                cased = False
                continue
            cased = bool(head)
        else:
            cased = False
        lines.append(line)
    groups: list[str] = []
    for line in lines:
        if groups and not _match_first("bodies", "head.", line):
            groups[-1] += " " + line
        else:
            groups.append(line)
    bodies: list[Body] = []
    for b in (parse_body(g) for g in groups):
        if b is not None and not (bodies and bodies[-1].name.casefold() == b.name.casefold()):
            bodies.append(b)     # a header printed twice (a running header above it) once
    return bodies


def _number(header: _Header) -> tuple[Optional[str], Optional[str]]:
    """(number, warning) from the ``Số:`` line."""
    rx = _rx("doc_types", "header.number")
    for c in header.cells:
        m = rx.match(c.text)
        if not m:
            continue
        rest = _rx("doc_types", "header.number_loose").sub("", m["rest"])
        sym = _rx("references", "ref.symbol").search(rest)
        if sym and sym.start() < 12:
            return "".join(sym["number"].split()), None
        if _rx("doc_types", "header.blank_number").match(rest):
            return None, f"document number left blank: {_clean(c.text)!r}"
        return None, f"document number not readable: {_clean(c.text)!r}"
    return None, "no number line (Số: …) found"


def _split_number_line(text: str) -> str:
    """A number line that also holds the date line (``Số: 991/QĐ-UBND Đồng
    Xoài, ngày 14 …``, the two header columns read as one line) broken after
    the symbol, so that the date line starts a line."""
    m = _rx("doc_types", "header.number").match(text)
    if not m:
        return text
    sym = _rx("doc_types", "header.number_token").search(text, m.start("rest"))
    if not sym or not _rx("dates", "date.ngay_word").search(text, sym.end()):
        return text
    return text[:sym.end()] + "\n" + text[sym.end():].strip()


def _date_line(text: str, need_place: bool = False) -> tuple[Optional[str], Optional[str], Optional[str]]:
    """(iso date, place, warning) from the first date line in ``text``;
    outside the header only a line that names its place counts (a wrapped
    citation date may also start a line)."""
    m = next((m for m in _rx("dates", "date.line").finditer(text) if m["place"] or not need_place), None)
    if not m:
        m = _rx("dates", "date.line_numeric").search(text)
    if not m:
        g = _rx("dates", "date.line_garbled_day").search(text)
        if g is None:
            return None, None, None
        place = _clean(g["place"])
        return iso_date(int(g["y"]), int(g["m"]), None), place, \
            f"day of the date line unreadable: {_clean(g.group(0))!r}"
    y, mo, d = int(m["y"]), _int(m["m"]), _int(m["d"])
    warn = None
    if mo is None or d is None:
        if mo is None:
            d = None
        warn = f"issue date incomplete in the date line: {_clean(m.group(0))!r}"
    place = _clean(m["place"]) if m["place"] else None
    return iso_date(y, mo, d), place, warn


def _title(prep: PreparedText, cells: list[_Cell], index: Optional[int]) -> Optional[str]:
    """The subject line after the kind line: upper-case lines joined, or the
    first line when it is in sentence case (hard wraps already joined); in a
    letter without kind line, the "V/v …" line."""
    if index is None:
        subject = _rx("doc_types", "subject.line")
        for i, c in enumerate(cells[:HEADER_CELLS]):
            if subject.match(_clean(c.text)):
                return _wrapped_line(prep, cells, i)
        return None
    body_start = _rx("doc_types", "header.body_start")
    parts: list[str] = []
    for c in cells[index + 1:index + 12]:
        text = _clean(c.text)
        if not text or body_start.match(text) or _match_first("bodies", "head.", text) or \
                _match_first("bodies", "title.", text) or _rx("dates", "date.line").search(text):
            break
        if _is_upper(text) or (parts and not any(ch.isalpha() for ch in text)):
            parts.append(text)
            continue
        if not parts:
            return _wrapped_line(prep, cells, cells.index(c))
        break
    return " ".join(parts) or None


def _wrapped_line(prep: PreparedText, cells: list[_Cell], i: int) -> Optional[str]:
    """A sentence-case line with the lines the text layer joined to it as
    hard wraps, but not an upper-case line after it."""
    parts = [_clean(cells[i].text)]
    for j in range(i + 1, min(len(cells), i + 8)):
        prev_end = cells[j - 1].start + len(cells[j - 1].text)
        between = prep.flow[prev_end:cells[j].start]
        nxt = _clean(cells[j].text)
        if "\n" in between or _is_upper(nxt) or _rx("doc_types", "header.body_start").match(nxt):
            break
        parts.append(nxt)
    return " ".join(p for p in parts if p) or None


# --------------------------------------------------------------------------
# Signature block
# --------------------------------------------------------------------------

def _own_title(text: str) -> Optional[str]:
    """The signer's own title in a signature line, not one after KT./TM.
    (``KT. CHỦ TỊCH PHÓ CHỦ TỊCH`` → ``Phó Chủ tịch``)."""
    found: list[tuple[int, int, str]] = []
    for rule, rx in _group("bodies", "title."):
        for m in rx.finditer(text):
            found.append((m.start(), m.end(), rule["canonical"]))
    if not found:
        return None
    found.sort(key=lambda t: (t[0], -(t[1] - t[0])))
    kept: list[tuple[int, int, str]] = []
    for f in found:  # drop titles inside a longer one ("CHỦ TỊCH" in "PHÓ CHỦ TỊCH")
        if kept and f[0] < kept[-1][1]:
            continue
        kept.append(f)
    on_behalf = _rx("bodies", "signer.on_behalf")
    own = [k for k in kept if not on_behalf.search(text[max(0, k[0] - 8):k[0]])]
    return own[-1][2] if own else None


def _person(text: str) -> Optional[str]:
    text = _clean(text)
    if not _rx("bodies", "signer.person_name").match(text) or _own_title(text):
        return None
    return proper_case(text)


def _signature(norm: str) -> Optional[Signer]:
    """The signer of an official text: a title line (not one after KT./TM.)
    followed by a name, looked for after each "Nơi nhận" or "./." from the
    last one back (a decision may end with the plan it issues), then in the
    last lines."""
    cells = _cells(norm)
    recipients = _rx("doc_types", "header.recipients")
    end_mark = _rx("doc_types", "header.end_mark")
    marks = [i for i, c in enumerate(cells) if recipients.match(c.text) or end_mark.search(c.text)]
    for start in sorted(set(marks), reverse=True) + [max(0, len(cells) - TAIL_CELLS)]:
        signer = _signer_in(cells[start:start + SIGNATURE_CELLS])
        if signer:
            return signer
    return None


def _upper_prefix(text: str) -> tuple[str, str]:
    """Split ``KT. CHỦ TỊCH PHÓ CHỦ TỊCH Nguyễn Văn An`` into its upper-case
    words and the rest (a signature block flattened into one cell)."""
    words = text.split(" ")
    k = 0
    while k < len(words) and (_is_upper(words[k]) or not any(c.isalpha() for c in words[k])):
        k += 1
    return " ".join(words[:k]), " ".join(words[k:])


def _title_line(text: str) -> Optional[str]:
    """The signer's own title of a signature line in any case (``KT.Bộ trưởng
    bộ tài chính`` / ``Thứ trưởng``, legacy-font files lose their capitals): a
    short line that starts with an on-behalf prefix or a title."""
    if len(text) > SIGNATURE_LINE or not _rx("bodies", "signer.title_line").match(text):
        return None
    return _own_title(text)


def _signer_in(cells: list[_Cell]) -> Optional[Signer]:
    skip = _rx("bodies", "signer.skip")
    recipient = _rx("bodies", "signer.recipient_line")
    for i, cell in enumerate(cells):
        text = _clean(cell.text)
        if text.startswith(("-", "+", "•")):
            continue
        upper, rest = _upper_prefix(text)
        title = _own_title(upper) if upper else None
        if not title:
            title, rest = _title_line(text), ""
        if not title:
            continue
        if rest:
            name = _person(rest)
            if name:
                return Signer(name=name, title=title)
            continue
        # the recipients list may be interleaved line by line with the signature
        # column: its lines are passed over, and do not count
        for c in cells[i + 1:i + 1 + SIGNATURE_CELLS]:
            following = _clean(c.text)
            if skip.match(following) or recipient.search(following):
                continue
            name = _person(following)
            if name:
                return Signer(name=name, title=title)
            break
    return None


def _news_signer(sentence: str) -> tuple[Optional[Signer], Optional[Body]]:
    """``Phó Chủ tịch UBND thành phố Hà Nội Vũ Thu Hà ký`` → signer and body."""
    m = _rx("bodies", "signer.news").search(sentence)
    if not m:
        return None, None
    title = _own_title(m["title"])
    words = m["words"].split()
    run = 0
    while run < len(words) and words[-1 - run][:1].isupper():
        run += 1
    cap = words[len(words) - run:]
    split = 0
    for k in range(len(cap) - 2, 0, -1):  # longest place prefix, ≥ 2 words left for the name
        if _province_of(" ".join(cap[:k])) or _district_of(" ".join(cap[:k]), None, None):
            split = k
            break
    name_words = cap[split:]
    whole = " ".join(cap)
    if split == 0 and cap and (_province_of(whole) or _district_of(whole, None, None)):
        # "Chủ tịch UBND tỉnh Nghệ An vừa ký …": the run is the place, no name is given
        return None, None
    if not 2 <= len(name_words) <= 5:
        return None, None
    body_text = " ".join(words[:len(words) - len(name_words)])
    if title in ("Thủ tướng", "Phó Thủ tướng"):
        body_text = "Thủ tướng Chính phủ"
    body = parse_body(body_text) if body_text else None
    return Signer(name=" ".join(name_words), title=title), body


# --------------------------------------------------------------------------
# Issuer named in running text; news reports
# --------------------------------------------------------------------------

def _mentions(text: str) -> list[tuple[int, int, Body]]:
    """Bodies named in ``text`` with their spans."""
    out: list[tuple[int, int, Body]] = []
    for m in _rx("bodies", "mention.admin").finditer(text):
        head_hit = _match_first("bodies", "head.", _clean(m["head"]))
        hit = _match_first("bodies", "admin.", _clean(m["level"]))
        if not hit or not head_hit:
            continue
        head_rule, lvl_rule = head_hit[0], hit[0]
        level = lvl_rule["canonical"]
        place = _trim_place(m["name"], level) if m["name"] else None
        name = " ".join(x for x in (head_rule["canonical"], level, place) if x)
        out.append((m.start(), m.end(), Body(name=name, head=head_rule["id"], level=level, place=place,
                                             admin_level=_level_of(lvl_rule, place))))
    for rid in ("mention.school", "mention.department", "mention.central"):
        for m in _rx("bodies", rid).finditer(text):
            body = parse_body(m.group(0))
            if body:
                out.append((m.start(), m.end(), body))
    out.sort(key=lambda t: (t[0], -t[1]))
    return out


def _subject_before(text: str, verb_start: int) -> Optional[Body]:
    """The body named right before a verb (a person's name may stand between)."""
    gap = _rx("bodies", "mention.gap")
    of = _rx("bodies", "mention.of")
    best: Optional[tuple[int, int, Body]] = None
    for s, e, body in _mentions(text[:verb_start]):
        if not gap.match(text[e:verb_start]) or of.search(text[max(0, s - 8):s]):
            continue
        if best is None or e > best[1] or (e == best[1] and s < best[0]):
            best = (s, e, body)
    return best[2] if best else None


def _sentence_bounds(seg: Segmented, flow: str, pos: int) -> tuple[int, int]:
    """The sentence around ``pos``, clipped to ``SENTENCE_WINDOW`` on each side."""
    lo, hi = max(0, pos - SENTENCE_WINDOW), min(len(flow), pos + SENTENCE_WINDOW)
    block = seg.block_at(pos)
    if block is None:
        start = flow.rfind("\n", lo, pos) + 1 or lo
        end = flow.find("\n", pos, hi)
        return max(start, lo), end if end != -1 else hi
    starts = [s for s, _ in block.sentences]
    i = bisect.bisect_right(starts, pos) - 1
    if 0 <= i < len(block.sentences) and pos < block.sentences[i][1]:
        s, e = block.sentences[i]
    else:
        s, e = block.start, block.end
    return max(s, lo), min(e, hi)


@dataclass(frozen=True)
class _Report:
    number: Optional[str]
    date: Optional[str]
    day_month: Optional[tuple[int, int]]
    body: Optional[Body]
    signer: Optional[Signer]
    title: Optional[str]
    start: int


def _report(flow: str, seg: Segmented) -> Optional[_Report]:
    """The first sentence that reports a document being issued."""
    symbol = _rx("references", "ref.symbol")
    kind_gap = _rx("references", "ref.kind_gap")
    date_lead = _rx("references", "ref.date_lead")
    for m in _rx("doc_types", "report.verb").finditer(flow):
        s, e = _sentence_bounds(seg, flow, m.start())
        number = None
        after = m.end()
        sm = symbol.search(flow, m.end(), min(len(flow), m.end() + 20))
        if sm and kind_gap.match(flow[m.end():sm.start()]):
            number, after = "".join(sm["number"].split()), sm.end()
        signer, signer_body = _news_signer(flow[s:e])
        body = signer_body or _subject_before(flow[s:m.start() + 1], m.start() - s)
        if number is None and body is None:
            continue
        date: Optional[str] = None
        dm: Optional[tuple[int, int]] = None
        lead = date_lead.match(flow, after) if number else None
        if lead:
            date, dm, end = read_citation_date(flow, lead.end())
            after = max(after, end)
        if date is None and dm is None:
            date, dm = _date_opening(flow, s, m.start())
        title = _report_title(flow[after:e])
        return _Report(number, date, dm, body, signer, title, s)
    return None


def _date_opening(flow: str, start: int, verb: int) -> tuple[Optional[str], Optional[tuple[int, int]]]:
    """The date that opens a reporting clause ("Ngày 19/11, UBND …"): the last
    "ngày …" before the verb that is followed by a comma and is not the date
    of a document cited just before it."""
    symbol = _rx("references", "ref.symbol")
    found: tuple[Optional[str], Optional[tuple[int, int]]] = (None, None)
    for dmatch in _rx("dates", "date.ngay").finditer(flow, start, verb):
        date, dm, end = read_citation_date(flow, dmatch.start())
        if not flow[end:end + 3].lstrip().startswith(","):
            continue
        if symbol.search(flow, max(start, dmatch.start() - 30), dmatch.start()):
            continue
        found = (date, dm)
    return found


def _report_title(text: str) -> Optional[str]:
    t = _rx("doc_types", "report.title_lead").sub("", text, count=1).strip().rstrip(".;:").strip()
    return t or None


def _dateline(flow: str, before: int) -> Optional[tuple[int, int, int]]:
    """The news page's own date: the last full date before ``before`` on a
    short line or next to a clock time."""
    found: Optional[tuple[int, int, int]] = None
    for m in _rx("dates", "date.numeric").finditer(flow, 0, before):
        lo, hi = max(0, m.start() - DATELINE_CHARS), min(len(flow), m.end() + DATELINE_CHARS)
        ls = flow.rfind("\n", lo, m.start())
        le = flow.find("\n", m.end(), hi)
        line = flow[ls + 1 if ls != -1 else lo:le if le != -1 else hi]
        short = ls != -1 and le != -1 and len(line) <= DATELINE_CHARS
        if short or _rx("dates", "date.page_time").search(line):
            found = (int(m["y"]), int(m["m"]), int(m["d"]))
    return found


def _year_for(day_month: tuple[int, int], dateline: tuple[int, int, int]) -> int:
    d, m = day_month
    y, dm, dd = dateline
    return y if (m, d) <= (dm, dd) else y - 1


def _passive_body(flow: str) -> Optional[Body]:
    m = _rx("doc_types", "report.passive").search(flow)
    return parse_body(m["body"]) if m else None


# --------------------------------------------------------------------------
# Assembling
# --------------------------------------------------------------------------

def _text_issuer(flow: str, seg: Segmented) -> Optional[Body]:
    """An official text naming itself: ``Ủy ban nhân dân tỉnh ban hành Kế hoạch``."""
    pre = flow[:PREAMBLE_CHARS]
    for m in _rx("doc_types", "issue.verb").finditer(pre):
        s, _ = _sentence_bounds(seg, flow, m.start())
        body = _subject_before(flow[s:m.start() + 1], m.start() - s)
        if body:
            return body
    return None


def _self_issued(flow: str, seg: Segmented) -> Optional[str]:
    """The kind of document a headerless text says it is ("Ủy ban nhân dân
    tỉnh ban hành Kế hoạch …, cụ thể như sau:"), or None.  News say "vừa/đã
    ban hành" and are not taken."""
    intro = _rx("doc_types", "issue.self_intro")
    for m in _rx("doc_types", "issue.verb").finditer(flow, 0, PREAMBLE_CHARS):
        if m.group(0)[:1].lower() in ("v", "đ", "m"):  # vừa / đã / mới ban hành
            continue
        _, e = _sentence_bounds(seg, flow, m.start())
        if intro.search(flow[m.end():e]):
            hit = _match_first("doc_types", "kind.", m["kind"])
            kind = str(hit[0]["kind"]) if hit else None
            return kind if kind in ("plan", "decision", "directive") else "other"
    return None


def _merge_bodies(header: Optional[Body], text: Optional[Body]) -> Optional[Body]:
    """A header body without its level (``ỦY BAN NHÂN DÂN`` alone) takes it
    from the same body named in the text."""
    if header is None:
        return text
    if text is not None and header.level is None and header.head == text.head and text.level:
        return text
    return header


def _scope_level(flow: str) -> Optional[str]:
    counts: Counter[str] = Counter()
    for m in _rx("bodies", "scope.level").finditer(flow):
        hit = _match_first("bodies", "admin.", m["level"])
        if hit:
            lvl = hit[0]["admin_level"]
            counts["province" if lvl == "city" else lvl] += 1
    return _most_common(counts)


@dataclass
class _Facts:
    """Mutable scratch record while the facts are put together."""

    doc_type: Optional[str] = None
    number: Optional[str] = None
    issue_date: Optional[str] = None
    place: Optional[str] = None
    issuer: Optional[Body] = None
    parent: Optional[Body] = None
    signer: Optional[Signer] = None
    title: Optional[str] = None
    warnings: list[str] = field(default_factory=list)

    def warn(self, msg: Optional[str]) -> None:
        if msg:
            self.warnings.append(msg)


def _fold_char(c: str) -> str:
    if c in "đĐ":
        return "d"
    return unicodedata.normalize("NFD", c)[0].lower()


def _plain(word: str) -> bool:
    """A word with no diacritic at all (``Thue``, ``Minh``)."""
    return all(_fold_char(ch) == ch.lower() for ch in word if ch.isalpha())


def _respell(body: Optional[Body], flow: str) -> Optional[Body]:
    """A header body whose words OCR read without their tone marks (``CỤC
    THUE``) spelled as the text itself names it (``Cục Thuế nhận được …``):
    only a word with no mark at all is replaced, by the same letters with marks."""
    if body is None or len(body.name) < 6 or not any(_plain(w) for w in body.name.split()):
        return body
    pre = flow[:PREAMBLE_CHARS]
    folded = "".join(_fold_char(ch) for ch in pre)
    key = "".join(_fold_char(ch) for ch in body.name)
    mine = body.name.split(" ")
    at = folded.find(key)
    for _ in range(RESPELL_TRIES):       # the header itself is the first place it is named
        if at < 0:
            break
        seen = pre[at:at + len(key)].split(" ")
        at = folded.find(key, at + 1)
        if len(seen) != len(mine):
            continue
        words = [t if _plain(m) and not _plain(t) else m for m, t in zip(mine, seen)]
        words = [w if not (_is_upper(w) and not _is_upper(m)) else m[:1] + w[1:].lower() for w, m in zip(words, mine)]
        if words != mine:
            return replace(body, name=" ".join(words))
    return body


def _official(prep: PreparedText, seg: Segmented, cells: list[_Cell], header: _Header, f: _Facts) -> None:
    f.doc_type = header.doc_type
    f.number, warn = _number(header)
    f.warn(warn)
    if f.doc_type is None:
        f.doc_type = _type_from_symbol(f.number) or "other"
    # issuer and motto lines out, so that a place is not read across them
    head_text = "\n".join(_split_number_line(c.text) for c in header.cells
                          if not (_is_upper(c.text) and " " in c.text.strip()))
    f.issue_date, f.place, warn = _date_line(head_text)
    if f.issue_date is None:
        f.issue_date, f.place, warn = _date_line(prep.norm[:PREAMBLE_CHARS], need_place=True)
    f.warn(warn)
    if f.issue_date is None:
        f.warn("no date line found")
    bodies = [_respell(b, prep.flow) for b in _header_bodies(header)]
    issuer = bodies[-1] if bodies else None
    f.parent = bodies[-2] if len(bodies) > 1 else None
    incomplete = issuer is None or (issuer.level is None and issuer.admin_level is None)
    f.issuer = _merge_bodies(issuer, _text_issuer(prep.flow, seg) if incomplete else None)
    f.signer = _signature(prep.norm)
    f.title = _title(prep, cells, header.title_index)


def _news(prep: PreparedText, seg: Segmented, f: _Facts) -> None:
    f.doc_type = "news"
    rep = _report(prep.flow, seg)
    if rep is None:
        f.issuer = _passive_body(prep.flow)
        f.warn("no reported document found in the article")
        return
    f.number, f.issuer, f.signer, f.title = rep.number, rep.body, rep.signer, rep.title
    f.issue_date = rep.date
    if rep.date is None and rep.day_month is not None:
        dl = _dateline(prep.flow, rep.start)
        if dl is not None:
            y = _year_for(rep.day_month, dl)
            f.issue_date = iso_date(y, rep.day_month[1], rep.day_month[0])
        else:
            f.warn("reported document's date has no year and the article no dateline")
    if f.issuer is None and rep.number:
        f.issuer = _issuer_from_symbol(rep.number)


def _type_from_symbol(number: Optional[str]) -> Optional[str]:
    if not number:
        return None
    code = _symbol_codes(number)[0]
    hit = _match_first("doc_types", "code.", code) if code else None
    kind = hit[0]["kind"] if hit else None
    return kind if kind in ("plan", "decision", "directive") else ("other" if kind else None)


def _symbol_codes(number: str) -> tuple[Optional[str], Optional[str]]:
    """(type code, issuer code) of a symbol: ``1520/QĐ-TTg`` → (QĐ, TTg),
    ``35-KH/TU`` → (KH, TU), ``1234/UBND-VX`` → (UBND, VX)."""
    m = _rx("references", "ref.symbol_parts").match(number)
    if not m:
        return None, None
    parts = _rx("references", "ref.code_split").split(m["codes"])
    return parts[0], (parts[1] if len(parts) > 1 else None)


def _issuer_from_symbol(number: str) -> Optional[Body]:
    _, code = _symbol_codes(number)
    if not code:
        return None
    hit = _match_first("references", "issuer.", code)
    return parse_body(hit[0]["issuer"]) if hit else None


def _locate(prep: PreparedText, f: _Facts) -> tuple[Optional[str], Optional[str], Optional[str]]:
    """(admin_level, province, district); completes the issuer with its place."""
    flow = prep.flow
    level = f.issuer.admin_level if f.issuer else None
    if level == "central":
        return "central", None, None
    province, district = _chain_places([b for b in (f.parent, f.issuer) if b is not None], flow)
    if province is None:
        province = _most_named(_typed_provinces(flow)) or _province_of(f.place) or \
            _most_named(_bare_provinces(flow))
    if province is None and f.place:
        # the date line names a district-level town: "Phủ Lý, ngày …" → Hà Nam
        found = _district_of(regex.sub(r"^(?:TP\.?|thành\s+phố|thị\s+xã|huyện|quận)\s+", "",
                                       f.place, flags=regex.IGNORECASE), None, None)
        province = getattr(found, "province", None)
    if level in (None, "city") and f.issuer and f.issuer.level == "thành phố":
        level = "province" if _is_central_city(province) else "district"
    if district is None and level in ("district", "commune", "school"):
        counts = _typed_districts(flow, province)
        top = counts.most_common(1)[0][0] if counts else None
        if top is not None:
            district, province = top[1], province or top[0]
    if level is None:
        level = _scope_level(flow)
    if f.issuer is not None:
        f.issuer = complete_body(f.issuer, province, district)
        level = f.issuer.admin_level if f.issuer.admin_level not in (None, "city") else level
    if level in ("province", None):
        district = None
    return level, province, district


_DISTRICT_LEVELS = ("huyện", "quận", "thị xã", "thành phố")
_COMMUNE_LEVELS = ("xã", "phường", "thị trấn")


def _chain_places(chain: list[Body], flow: str) -> tuple[Optional[str], Optional[str]]:
    """(province, district) named by the issuer and the body above it."""
    province: Optional[str] = None
    district: Optional[str] = None
    for b in chain:
        if b.place and (b.level in ("tỉnh", None) or (b.level == "thành phố" and _is_central_city(b.place))):
            province = province or _province_of(b.place)
    hint = province or _most_named(_typed_provinces(flow))
    for b in chain:
        if not b.place or b.level not in _DISTRICT_LEVELS + _COMMUNE_LEVELS or (
                b.level == "thành phố" and _is_central_city(b.place)):
            continue
        if b.level in _DISTRICT_LEVELS:
            found = _district_of(b.place, hint, b.level)
        else:  # a commune: its district and province, when the name is unique
            found = _place_of(f"{b.level} {b.place}", hint)
        if found is not None and found.district:
            district, province = found.district, province or found.province
    return province, district


def _place_of(text: str, hint: Optional[str]) -> Any:
    try:
        return _places().resolve_place(text, hint)
    except (ImportError, OSError, ValueError):
        return None


def extract_metadata(prep: PreparedText, seg: Segmented) -> Metadata:
    """Read the document facts of one text (never raises on odd text).

    Nothing is kept between calls: the pipeline reads the facts once and hands
    them to :func:`~pipeline.extractors.references.extract_references`, which
    needs the document's place.
    """
    return _extract(prep, seg)


def _extract(prep: PreparedText, seg: Segmented) -> Metadata:
    f = _Facts()
    cells = _cells(prep.norm, limit=HEADER_CELLS * 2)
    header = _read_header(cells)
    self_kind = None if header.official else _self_issued(prep.flow, seg)
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
        issuing_body=f.issuer.name if f.issuer else None,
        parent_body=f.parent.name if f.parent else None,
        admin_level=level, province=province, district=district,
        signer=f.signer, title=f.title, warnings=tuple(f.warnings),
    )

