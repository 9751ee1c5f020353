"""Issuing bodies: a body's name read into a :class:`Body`, completed with the
place the reader knows, and bodies named in running text."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from .. import rules
from ..models import AdminLevel, admin_level_code
from .common import (
    clean,
    district_of,
    field_case,
    level_words,
    match_first,
    proper_case,
    province_of,
    sentence_case,
)

_rx = rules.compile_pattern
_group = rules.group

OF_REACH = 8               # how far before a body its "của" may stand (then it is not the subject)


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
    level: str | None = None
    place: str | None = None
    admin_level: BodyLevel | None = None


#: A body's level: an issuer's level (SCHEMA.md's ``admin_level``), or ``city``
#: while the place has not said whether the city is a province or a district.
BodyLevel = AdminLevel | Literal["city"]


def body_level(value: object) -> BodyLevel | None:
    """A level as a rule gives it (``rules/bodies.yaml``'s ``admin_level``), checked."""
    if value is None:
        return None
    return "city" if value == "city" else admin_level_code(value)



def is_central_city(place: str | None) -> bool:
    return bool(place) and bool(_rx("bodies", "city.central").match(clean(place or "")))


def level_of(level_rule: dict[str, Any], place: str | None) -> BodyLevel | None:
    lvl = body_level(level_rule.get("admin_level"))
    if lvl == "city":
        if place:
            return "province" if is_central_city(place) else "district"
        return "city"
    return lvl


def _split_admin(rest: str) -> tuple[dict[str, Any] | None, str | None]:
    """``TỈNH BÌNH DƯƠNG`` → (rule admin.tinh, ``Bình Dương``)."""
    hit = match_first("bodies", "admin.", rest)
    if not hit:
        return None, (proper_case(rest) or None)
    rule, m = hit
    written = rest[m.end():].strip(" .,")
    if written.isupper() and " " not in written and province_of(written):
        return rule, province_of(written)   # an abbreviation ("TP.HCM"): the name it stands for
    place = proper_case(written) or None
    if place and place == place.lower():      # "cần thơ" from a file that lost its capitals
        place = " ".join(w[:1].upper() + w[1:] for w in place.split())
    return rule, place


def parse_body(text: str) -> Body | None:
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
    s = clean(text)
    hit = match_first("bodies", "head.", s)
    if not hit:
        return None
    rule, m = hit
    rest = s[m.end():].strip(" ,.;:")
    takes = rule.get("takes", "none")
    head = rule.get("canonical") or sentence_case(m.group(0))
    if takes == "admin":
        lvl_rule, place = _split_admin(rest) if rest else (None, None)
        if lvl_rule is None:
            return Body(name=head, head=rule["id"], admin_level=body_level(rule.get("admin_level")))
        level = lvl_rule["canonical"]
        name = " ".join(x for x in (head, level, place) if x)
        return Body(name=name, head=rule["id"], level=level, place=place,
                    admin_level=level_of(lvl_rule, place))
    if takes == "party":
        w = m.group("w").lower()
        head = w[:1].upper() + w[1:] + " ủy"
        place = proper_case(rest) or None
        party_level: AdminLevel = "province" if w in rule["province_words"] else "district"
        return Body(name=" ".join(x for x in (head, place) if x), head=rule["id"],
                    level=w, place=place, admin_level=party_level)
    if takes == "school":
        return _school_body(head, rest, rule)
    if takes == "field":
        return _field_body(head, rest, rule)
    return Body(name=head, head=rule["id"], admin_level=body_level(rule.get("admin_level")))


def _school_body(head: str, rest: str, rule: dict[str, Any]) -> Body:
    hit = match_first("bodies", "school.", rest)
    if hit:
        srule, sm = hit
        kind = srule.get("canonical") or (
            sentence_case(sm.group(0)) if srule.get("canonical_from_text") else clean(sm.group(0)))
        name = _place_tail(proper_case(rest[sm.end():]))
        full = " ".join(x for x in (head, kind, name) if x)
    else:
        full = " ".join(x for x in (head, proper_case(rest)) if x)
    return Body(name=full, head=rule["id"], admin_level=body_level(rule.get("admin_level")))


def _place_tail(name: str) -> str:
    """A school's name whose closing province OCR misread (``Công Thương Thành
    Phó Hò Chí Minh``) with the place as the gazetteer spells it."""
    m = _rx("bodies", "header.place_tail").search(name)
    if not m:
        return name
    province = province_of(m["place"])
    if not province:
        return name
    if m["place"] == province and m["kind"].lower() in level_words("province", "city"):
        return name         # spelled right: kept as written
    # the level word as it is spelt, in the case of its first letter (a city's starts "th", a province's "t")
    [canonical] = level_words("city") if m["kind"].lower().startswith("th") else level_words("province")
    kind = m["kind"][:1] + canonical[1:]
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
            province = province_of(" ".join(words[-k:]))
            if province:
                field, place = " ".join(words[:-k]), province
                break
    if field.strip():
        parts.append(field_case(field))
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
                admin_level=body_level(rule.get("admin_level")))


def _party_province_words() -> list[str]:
    return list(rules.load("bodies").rule("head.party")["province_words"])


def complete_body(body: Body, province: str | None, district: str | None) -> Body:
    """Add the place a body leaves out because the reader knows it.

    ``UBND tỉnh`` in a plan of Đắk Nông → ``Ủy ban nhân dân tỉnh Đắk Nông``;
    ``UBND thành phố`` in a Hải Phòng district → ``… thành phố Hải Phòng``;
    ``Ban Thường vụ Tỉnh ủy`` → ``Ban Thường vụ Tỉnh ủy Tuyên Quang``.
    """
    if body.place:
        return body
    add: str | None = None
    level = body.admin_level
    admin_head = body.head in ("head.ubnd", "head.hdnd", "head.dang_bo")
    party = body.head == "head.party"
    party_province = party and body.level in _party_province_words()
    if body.level in level_words("province") and province and not is_central_city(province):
        add, level = province, ("province" if admin_head else level)
    elif body.level in level_words("city") and province and is_central_city(province):
        add, level = province, ("province" if admin_head else level)
    elif body.level in level_words("district") and district:
        add = district
    elif party_province and province:
        add = province
    elif party and not party_province and body.level and district:
        add = district
    elif body.head == "head.ban" and province and _rx("bodies", "party.suffix").search(body.name):
        return replace(body, name=f"{body.name} {province}", place=province)
    if not add:
        return body
    return replace(body, name=f"{body.name} {add}", place=add, admin_level=level)


def trim_place(name: str | None, level: str | None) -> str | None:
    """Cut a place name read greedily from text at the longest known prefix
    (``Hà Nội Vũ Thu Hà`` → ``Hà Nội``); a name nothing resolves is kept."""
    if not name:
        return name
    if name.isupper() and " " not in name:   # an abbreviation ("TP.HCM"): the name it stands for
        return province_of(name) if level in level_words("province", "city") else None
    words = name.split()
    for k in range(len(words), 0, -1):
        cand = " ".join(words[:k])
        if level in level_words("province", "city") and province_of(cand):
            return cand
        if level in level_words("district", "city") and district_of(cand, None, level):
            return cand
    return None if level in level_words("province") else name



def _mentions(text: str) -> list[tuple[int, int, Body]]:
    """Bodies named in ``text`` with their spans."""
    out: list[tuple[int, int, Body]] = []
    for m in _rx("bodies", "mention.admin").finditer(text):
        head_hit = match_first("bodies", "head.", clean(m["head"]))
        hit = match_first("bodies", "admin.", clean(m["level"]))
        if not hit or not head_hit:
            continue
        head_rule, lvl_rule = head_hit[0], hit[0]
        level = lvl_rule["canonical"]
        place = trim_place(m["name"], level) if m["name"] else None
        name = " ".join(x for x in (head_rule["canonical"], level, place) if x)
        out.append((m.start(), m.end(), Body(name=name, head=head_rule["id"], level=level, place=place,
                                             admin_level=level_of(lvl_rule, place))))
    for rid in ("mention.school", "mention.department", "mention.central"):
        for m in _rx("bodies", rid).finditer(text):
            body = parse_body(m.group(0))
            if body:
                out.append((m.start(), m.end(), body))
    out.sort(key=lambda t: (t[0], -t[1]))
    return out


def subject_before(text: str, verb_start: int) -> Body | None:
    """The body named right before a verb (a person's name may stand between)."""
    gap = _rx("bodies", "mention.gap")
    of = _rx("bodies", "mention.of")
    best: tuple[int, int, Body] | None = None
    for s, e, body in _mentions(text[:verb_start]):
        if not gap.match(text[e:verb_start]) or of.search(text[max(0, s - OF_REACH):s]):
            continue
        if best is None or e > best[1] or (e == best[1] and s < best[0]):
            best = (s, e, body)
    return best[2] if best else None


def body_opening(text: str) -> tuple[int, Body] | None:
    """The body ``text`` opens with (``UBND tỉnh Tây Ninh, …``) and where its
    name ends, or None when ``text`` opens with anything else."""
    for s, e, body in _mentions(text):
        return (e, body) if s == 0 else None
    return None
