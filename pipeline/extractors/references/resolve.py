"""Resolving citations: what the mentions found by :mod:`.find` refer to.

An issuer is expanded and completed from the document's place (``của UBND
thành phố`` in a Hải Phòng district plan → ``Ủy ban nhân dân thành phố Hải
Phòng``) or, when the text names none, read from the symbol's issuer code;
mentions of one document are merged (a symbol first seen in an upper-case
title, ``20/CT-TTG``, and later as ``20/CT-TTg`` is one reference).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ... import rules
from ..bodies import complete_body, parse_body
from ..common import is_upper, level_words, match_rule, symbol_codes
from .find import Cite

__all__ = ["Place", "resolve_citations"]

ISSUER_TITLE_WORDS = 4  # "Chủ tịch", "Bộ trưởng" … before the body in an issuer

_rx = rules.compile_pattern


@dataclass(frozen=True)
class Place:
    """The citing document's place, which completes a cited body's name."""

    province: str | None
    district: str | None


def _fix_case(number: str) -> str:
    """Canonical spelling of the codes of a symbol read in upper case
    (``20/CT-TTG`` → ``20/CT-TTg``)."""
    m = _rx("references", "ref.symbol_parts").match(number)
    if not m:
        return number
    codes = m["codes"]
    out: list[str] = []
    last = 0
    for sep in _rx("references", "ref.code_split").finditer(codes):
        out.extend((_code_case(codes[last:sep.start()]), sep.group(0)))
        last = sep.end()
    out.append(_code_case(codes[last:]))
    return str(m["num"]) + str(m["sep"]) + "".join(out)


def _code_case(code: str) -> str:
    rule = match_rule("references", "issuer.", code) or match_rule("doc_types", "code.", code)
    return str(rule["code"]) if rule and rule.get("code") else code


def normalize_issuer(text: str | None, place: Place, strict: bool = False) -> str | None:
    """Expand and complete an issuer: ``UBND tỉnh`` → ``Ủy ban nhân dân tỉnh
    Hà Giang``; a title before the body is kept (``Chủ tịch UBND tỉnh`` →
    ``Chủ tịch Ủy ban nhân dân tỉnh Hà Giang``).  A text that names no known
    body is kept as written, or dropped when ``strict``."""
    if not text:
        return None
    words = text.split(" ")
    for k in range(min(ISSUER_TITLE_WORDS, len(words) - 1) + 1):
        body = parse_body(" ".join(words[k:]))
        if body is not None:
            title = " ".join(words[:k])
            if title and is_upper(title):
                title = title[:1] + title[1:].lower()
            name = complete_body(body, place.province, place.district).name
            return f"{title} {name}" if title else name
    if strict:
        return None
    return text[:1] + text[1:].lower() if is_upper(text) else text


def _issuer(c: Cite, place: Place) -> str | None:
    if c.party_level is not None:
        where = c.party_place or (place.province if c.party_level in level_words("province", "city")
                                  else place.district)
        local = str(rules.load("references").rule("ref.party_congress")["local_issuer"])
        return " ".join(x for x in (local, c.party_level, where) if x)
    if c.issuer:
        return c.issuer
    issuer = normalize_issuer(c.issuer_text, place) or normalize_issuer(c.subject_text, place, strict=True)
    if issuer is None and c.number:
        _, code = symbol_codes(c.number)
        rule = match_rule("references", "issuer.", code)
        issuer = str(rule["issuer"]) if rule else None
    return issuer


def _merge(cites: list[Cite], self_key: str | None) -> list[Cite]:
    """One entry per document, in order of first mention; the best-informed
    mention gives the evidence, the others fill what it lacks."""
    groups: dict[str, list[Cite]] = {}
    for c in sorted(cites, key=lambda c: c.start):
        if c.key == self_key:
            continue
        groups.setdefault(c.key, []).append(c)
    out: list[Cite] = []
    for key, group in groups.items():
        if key.startswith("law:") and not any(c.cites for c in group):
            continue
        out.append(_combine(group))
    out.sort(key=lambda c: c.start)
    return out


def _combine(group: list[Cite]) -> Cite:
    mixed = [c for c in group if not c.upper] or group
    best = max(group, key=lambda c: (c.date is not None, c.issuer is not None, c.cites, not c.upper, -c.start))
    number = None
    if group[0].number:
        lower = [c.number for c in group if c.number and not c.number.isupper()]
        number = lower[0] if lower else _fix_case(group[0].number)
    kind = next((c.kind for c in group if c.kind_from_word), group[0].kind)
    date = next((c.date for c in group if c.date), None)
    issuer = next((c.issuer for c in mixed if c.issuer), None) or \
        next((c.issuer for c in group if c.issuer), None)
    return Cite(key=best.key, kind=kind, kind_from_word=True, number=number, date=date,
                issuer=issuer, start=best.start, end=best.end, upper=best.upper)


def resolve_citations(cites: list[Cite], place: Place, self_key: str | None) -> list[Cite]:
    """One resolved citation per cited document, the document itself left out."""
    resolved = [replace(c, issuer=_issuer(c, place)) for c in cites]
    return _merge(resolved, self_key)
