"""Resolving names to places: provinces, districts, and the most specific
place a free text names (never guessing between same-named units)."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from collections.abc import Iterable

from .gazetteer import _LEVELS, _Comm, _communes, _Dist, _gazetteer, _Index
from .names import _RE_SPACES, Place, _expand_abbreviations, _keys, _nkey, _rule_data, modernize


# --------------------------------------------------------------------------
# Provinces
# --------------------------------------------------------------------------

_PROVINCE_WORDS = re.compile(
    r"^(?:(?:ủy ban nhân dân|ubnd)\s+)?(?:tỉnh|thành phố|thủ đô|tp)\s+", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def _province_key(name: str) -> str | None:
    """Key of the province ``name`` denotes, or None."""
    if not name or not name.strip():
        return None
    g = _gazetteer()
    s = _expand_abbreviations(modernize(name)).strip(" \t\r\n.,;:")
    s = _RE_SPACES.sub(" ", s)
    for _ in range(2):  # "Thủ đô Hà Nội", "thành phố HCM"
        s2 = _PROVINCE_WORDS.sub("", s)
        if s2 == s:
            break
        s = s2
    found = g.prov_index.exact.get(_nkey(s))
    if found and len(found) == 1:
        return next(iter(found))
    for pat, prov in _rule_data()[1]:
        if pat.fullmatch(s):
            return g.by_name.get(prov)
    found = g.prov_index.lookup(s)
    if len(found) == 1:
        return next(iter(found))
    return None


def canonical_province(name: str) -> str | None:
    """Bare canonical pre-2025 name of the province ``name`` denotes
    ("TP. HCM" -> "Hồ Chí Minh", "Đắc Nông" -> "Đắk Nông", "Huế" ->
    "Thừa Thiên Huế"), or None if it is not a province."""
    k = _province_key(name)
    return _gazetteer().provinces[k].name if k else None


def province_2025(province: str) -> str | None:
    """The province a pre-2025 province belongs to since 1 July 2025
    (Đắk Nông -> "Lâm Đồng"; unchanged provinces map to themselves)."""
    k = _province_key(province)
    return _gazetteer().provinces[k].name_2025 if k else None


def provinces() -> list[str]:
    """The 63 canonical pre-2025 province names."""
    return sorted(p.name for p in _gazetteer().provinces.values())


def _province_place(pkey: str) -> Place:
    p = _gazetteer().provinces[pkey]
    return Place(province=p.name, district=None, province_2025=p.name_2025, level="province")


# --------------------------------------------------------------------------
# Districts
# --------------------------------------------------------------------------

_KINDS = {
    "huyện": "huyện", "quận": "quận", "thị xã": "thị xã", "thành phố": "thành phố",
    "tp": "thành phố", "tx": "thị xã", "h": "huyện", "q": "quận",
}
_DISTRICT_WORDS = re.compile(r"^(huyện|quận|thị xã|thành phố)\s+", re.IGNORECASE)


def _hint_filter(cands: set[_Dist], hint_keys: Iterable[str]) -> set[_Dist]:
    """Candidates in the hinted provinces (pre-2025 first, then 2025)."""
    hint_keys = [h for h in hint_keys if h]
    if not hint_keys:
        return cands
    g = _gazetteer()
    sel = {c for c in cands if c.pkey in hint_keys}
    if sel:
        return sel
    new = {g.provinces[h].name_2025 for h in hint_keys}
    return {c for c in cands if c.pkey and g.provinces[c.pkey].name_2025 in new}


def _district_candidates(name: str, kind: str | None) -> set[_Dist]:
    cands = _gazetteer().dist_index.lookup(name)
    if kind:
        typed = {c for c in cands if kind in c.kinds}
        if typed:  # the kind is a preference: units get upgraded (thị xã -> thành phố)
            cands = typed
    return cands


def _unique_place(cands: set[_Dist]) -> Place | None:
    places = {(c.pkey, c.name) for c in cands}
    if len(places) != 1:
        return None
    c = next(iter(cands))
    p = _gazetteer().provinces[c.pkey]
    return Place(province=p.name, district=c.name, province_2025=p.name_2025, level="district")


def _norm_kind(kind: str | None) -> str | None:
    if not kind:
        return None
    k = _nkey(kind).replace(".", "").strip()
    return _KINDS.get(k)


def resolve_district(name: str, province_hint: str | None = None,
                     kind: str | None = None) -> Place | None:
    """The district-level unit called ``name`` ("Nhà Bè", "huyện Nhà Bè",
    "Quận Ngô Quyền", "Quận 9" -> Thủ Đức).  ``kind`` ("huyện", "quận",
    "thị xã", "thành phố") and ``province_hint`` narrow the search; a name
    left matching units in several provinces gives None."""
    if not name or not name.strip():
        return None
    s = _expand_abbreviations(modernize(name)).strip(" \t\r\n.,;:")
    s = _RE_SPACES.sub(" ", s)
    m = _DISTRICT_WORDS.match(s)
    if m:
        kind = kind or m.group(1)
        s = s[m.end():]
    kind = _norm_kind(kind)
    cands = _district_candidates(s, kind)
    if not cands:
        return None
    if province_hint:
        hk = _province_key(province_hint)
        if hk:
            sel = _hint_filter(cands, [hk])
            if sel:
                cands = sel
    return _unique_place(cands)


# --------------------------------------------------------------------------
# Free text
# --------------------------------------------------------------------------

# type word (as lower-case token tuples) -> (level, kind)
_TYPE_WORDS: dict[tuple[str, ...], tuple[str, str]] = {
    ("tỉnh",): ("province", "tỉnh"),
    ("thủ", "đô"): ("province", "thủ đô"),
    ("thành", "phố"): ("city", "thành phố"),
    ("quận",): ("district", "quận"),
    ("huyện",): ("district", "huyện"),
    ("thị", "xã"): ("district", "thị xã"),
    ("phường",): ("commune", "phường"),
    ("xã",): ("commune", "xã"),
    ("thị", "trấn"): ("commune", "thị trấn"),
    ("đặc", "khu"): ("commune", "đặc khu"),
    # party committees and island districts name their unit too
    ("tỉnh", "ủy"): ("province", "tỉnh"),
    ("thành", "ủy"): ("city", "thành phố"),
    ("huyện", "ủy"): ("district", "huyện"),
    ("quận", "ủy"): ("district", "quận"),
    ("thị", "ủy"): ("district", "thị xã"),
    ("huyện", "đảo"): ("district", "huyện"),
}
# words that follow a type word without being a place ("xã hội", "tỉnh ủy")
_NOT_NAMES = {"hội", "ủy", "ủy ban", "đoàn", "bộ"}
_MAX_NAME_TOKENS = 6
_SEGMENT_SPLIT = re.compile(r"[,;:()\[\]{}\n\r\t\"“”«»!?|/]|\.(?=\s|$)")
_TOKEN = re.compile(r"\w+(?:'\w+)*|-")


@dataclass
class _Mention:
    level: str                 # "province" | "district" | "commune"
    kind: str | None
    text: str
    pkey: str | None = None
    dcands: frozenset[_Dist] = frozenset()
    cased: bool = True         # found in mixed-case text, where names must be capitalised


def _capitalized(tok: str) -> bool:
    return tok[:1].isupper() or tok[:1].isdigit()


def _join(tokens: list[str]) -> str:
    return re.sub(r"\s*-\s*", " - ", " ".join(tokens)).strip()


def _scan_segment(seg: str) -> list[_Mention]:
    g = _gazetteer()
    toks = _TOKEN.findall(seg)
    low = [t.lower() for t in toks]
    mixed_case = any(c.isupper() for c in seg) and any(c.islower() for c in seg)
    out: list[_Mention] = []
    i = 0
    while i < len(toks):
        hit = None
        for tw, lk in _TYPE_WORDS.items():
            if tuple(low[i:i + len(tw)]) == tw and (hit is None or len(tw) > len(hit[0])):
                hit = (tw, lk)
        if hit is None:
            i += 1
            continue
        tw, (level, kind) = hit
        j = i + len(tw)
        if j >= len(toks) or low[j] == "-" or (mixed_case and not _capitalized(toks[j])):
            i = j
            continue
        found = None
        for n in range(min(_MAX_NAME_TOKENS, len(toks) - j), 0, -1):
            if toks[j + n - 1] == "-":
                continue
            span = _join(toks[j:j + n])
            if _nkey(span) in _NOT_NAMES:
                continue
            if level == "province":
                pk = _province_key(span)
                if pk:
                    found = (n, _Mention("province", kind, span, pkey=pk))
            elif level == "city":
                pk = _province_key(span)
                cands = {c for c in g.dist_index.lookup(span) if "thành phố" in c.kinds}
                if pk and (g.provinces[pk].central or not cands):
                    found = (n, _Mention("province", "thành phố", span, pkey=pk))
                elif cands:  # "thành phố Thanh Hóa" is the city, not the province
                    found = (n, _Mention("district", "thành phố", span, dcands=frozenset(cands)))
            elif level == "district":
                cands = _district_candidates(span, kind)
                if cands:
                    found = (n, _Mention("district", kind, span, dcands=frozenset(cands)))
            else:  # commune: checked later against the districts found
                cm = _communes()
                if cm.national.lookup(span) or cm.new_national.lookup(span):
                    found = (n, _Mention("commune", kind, span, cased=mixed_case))
            if found:
                break
        if found:
            out.append(found[1])
            i = j + found[0]
        else:
            i = j
    if not out:  # a segment that is just a name: "Nhà Bè, ngày 04 tháng 7 năm 2023"
        words = [t for t in toks if t != "-"]
        if 0 < len(words) <= _MAX_NAME_TOKENS and (not mixed_case or all(
                _capitalized(t) for t in words)):
            span = _join(toks)
            pk = _province_key(span)
            if pk:
                out.append(_Mention("province", None, span, pkey=pk))
            elif len(words) > 1:
                cands = g.dist_index.lookup(span)
                if cands:
                    out.append(_Mention("district", None, span, dcands=frozenset(cands)))
    return out


def _commune_match(indexes: Iterable[_Index[_Comm] | None], m: _Mention, level: str,
                   strict: bool) -> set[_Comm]:
    """Communes called ``m.text`` at one match level, of ``m``'s kind if strict."""
    keys = _keys(m.text)
    if not keys[0]:
        return set()
    out: set[_Comm] = set()
    for idx in indexes:
        if idx is not None:
            out |= idx.get(level, keys)
    return {c for c in out if c.kind == m.kind} if strict else out


def _commune_place(c: _Comm) -> Place:
    g = _gazetteer()
    p = g.provinces.get(c.pkey)
    d = g.districts.get((c.pkey, c.dkey))
    return Place(province=p.name if p else None, district=d.name if d else None,
                 province_2025=g.names_2025.get(c.pkey_2025), level="commune", commune=c.name)


def _unique_commune(cands: set[_Comm]) -> _Comm | None:
    keys = {(c.pkey, c.dkey, c.name, c.pkey_2025) for c in cands}
    return next(iter(cands)) if len(keys) == 1 else None


def _resolve_commune(m: _Mention, districts: set[tuple[str, str]],
                     provs: list[str]) -> _Comm | None:
    """The commune ``m`` names, if it is unique in the narrowest scope that
    knows the name (the districts named, else the provinces, else -- for an
    exact, capitalised name with its exact kind -- the whole country).

    Closer matches first: the exact name before accent-insensitive, folded
    and former names; the same kind (phường/xã/thị trấn) before any kind.
    Inside named districts only pre-2025 communes count.  Without a district,
    pre-2025 and 2025 communes are tried together at each step: a pre-2025
    commune wins if unique, else a unique 2025 one (post-2025 addresses name
    no district, so "xã X, tỉnh Y" with several old X but one new X is new).
    """
    cm = _communes()
    g = _gazetteer()
    if districts:
        groups = [[cm.by_district.get(k) for k in districts]]
    elif provs:
        groups = [[cm.by_province.get(p) for p in provs],
                  [cm.new_by_province.get(g.old_to_new.get(p, p)) for p in provs]]
    elif m.cased:  # the whole country: exact name and kind only
        groups = [[cm.national], [cm.new_national]]
    else:  # "CẤP XÃ ĐẠT ..." in capitals: too weak without a district or province
        return None
    steps = [(lv, st) for lv in _LEVELS for st in (True, False)]
    if not districts and not provs:
        steps = [("exact", True)]
    for level, strict in steps:
        found = [_commune_match(grp, m, level, strict) for grp in groups]
        if not any(found):
            continue
        for cands in found:
            c = _unique_commune(cands) if cands else None
            if c is not None:
                return c
        return None  # ambiguous here: do not widen
    return None


def resolve_place(text: str, province_hint: str | None = None) -> Place | None:
    """The most specific administrative unit named in ``text`` (an address,
    a heading, a school name with its district...), with its province.

    Units are recognised after their type word ("tỉnh", "thành phố",
    "quận", "huyện", "thị xã", "phường", "xã", "thị trấn", also "TP.", "Q.",
    ...), or when a comma-separated part of the text is nothing but a known
    name ("Nhà Bè, ngày ..." / "Hà Nội").  Province names in the text, then
    ``province_hint``, decide between same-named units; what stays ambiguous
    is not returned.  A commune is returned with ``level="commune"`` and its
    name in ``Place.commune``; communes created on 1 July 2025 are found too
    (their pre-2025 province/district are filled in when the old communes
    they were made from all lay in one).
    """
    if not text or not text.strip():
        return None
    g = _gazetteer()
    s = _expand_abbreviations(modernize(text))
    mentions: list[_Mention] = []
    for seg in _SEGMENT_SPLIT.split(s):
        if seg.strip():
            mentions.extend(_scan_segment(seg))
    if not mentions:
        return None

    text_provs = list(dict.fromkeys(m.pkey for m in mentions if m.level == "province" and m.pkey))
    hint_key = _province_key(province_hint) if province_hint else None
    context = text_provs or ([hint_key] if hint_key else [])

    def narrow(cands: set[_Dist]) -> set[_Dist]:
        for keys in (text_provs, [hint_key] if hint_key else []):
            sel = _hint_filter(cands, keys) if keys else set()
            if sel:
                return sel
        return cands

    dist_cands = [narrow(set(m.dcands)) for m in mentions if m.level == "district"]
    resolved = [next(iter(c)) for c in dist_cands if len({(x.pkey, x.name) for x in c}) == 1]

    communes = [m for m in mentions if m.level == "commune"]
    if communes:
        if resolved:
            districts = {(d.pkey, d.key) for d in resolved}
        else:  # an ambiguous district may be settled by its commune
            districts = {(d.pkey, d.key) for c in dist_cands for d in c}
        for m in communes:
            c = _resolve_commune(m, districts, context)
            if c is not None:
                return _commune_place(c)

    if resolved:
        d = resolved[0]
        p = g.provinces[d.pkey]
        return Place(province=p.name, district=d.name, province_2025=p.name_2025,
                     level="district")
    if text_provs:
        return _province_place(text_provs[0])
    return None


def document_place(province: str | None, district: str | None = None) -> tuple[str | None, str | None]:
    """(province as issued, province since 1 July 2025) of a document.

    The province is spelled one way (``Đắc Nông`` → ``Đắk Nông``); when only
    the district is known, the province is the one that district is in, if
    the name is not ambiguous.  A province the gazetteer does not know is
    kept as written, with no ``province_2025``.

    >>> document_place("Đắk Nông"), document_place("Hải Phòng", "Ngô Quyền"), document_place(None, "Nhà Bè")
    (('Đắk Nông', 'Lâm Đồng'), ('Hải Phòng', 'Hải Phòng'), ('Hồ Chí Minh', 'Hồ Chí Minh'))
    >>> document_place(None), document_place("Atlantis")
    ((None, None), ('Atlantis', None))
    """
    prov: str | None = None
    if province and str(province).strip():
        prov = canonical_province(province) or str(province).strip()
    elif district and str(district).strip():
        found = resolve_district(district)
        prov = found.province if found else None
    return prov, (province_2025(prov) if prov else None)
