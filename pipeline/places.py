"""Vietnamese administrative places: provinces, districts, communes.

The gazetteer is read from the data bundled with the maintained package
``vietnamadminunits`` (its SQLite ``dataset.db`` for the 63 pre-2025 provinces
with their 696 district-level units and ~10 000 communes, plus the 34 provinces
and 3 321 communes in force since 1 July 2025, and ``converter_2025.json`` for
the merger).  The files are read directly, without importing the package (its
import loads geocoding libraries and compiles large regexes); nothing touches
the network.  The only hand-kept data are the spelling variants and
abbreviations in ``rules/places.yaml``.

Public API: :class:`Place`, :func:`canonical_province`, :func:`province_2025`,
:func:`resolve_district`, :func:`resolve_place` (and :func:`provinces`, the
63 canonical names).  ``Place`` has one field beyond province / district /
province_2025 / level: ``commune`` (default None), the ward/commune/town name
when ``level == "commune"``.

Names are returned NFC-normalised, with modern tone placement (``Hòa``,
``Thủy``) and bare (no "tỉnh"/"huyện"/... in front).  Two exceptions keep the
type word because the bare name would be a number: the numbered districts and
wards of the big cities ("Quận 1", "Phường 12").  Provinces are named as they
were before the 1 July 2025 merger ("Thừa Thiên Huế", although the package,
following the January 2025 change, calls it "Huế"); ``province_2025`` gives
the province since the merger.

Lookups are case-insensitive; an exact (accented) match is always preferred
and accents are ignored only when nothing matches exactly.  A name that
matches units in more than one province, with nothing to choose between them,
resolves to ``None``: this module never guesses.
"""
from __future__ import annotations

import functools
import importlib.util
import json
import re
import sqlite3
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

import regex

__all__ = [
    "Place",
    "canonical_province",
    "province_2025",
    "resolve_district",
    "resolve_place",
    "provinces",
    "document_place",
]


@dataclass(frozen=True)
class Place:
    province: Optional[str]        # pre-2025 province, bare: "Đắk Nông", "Hồ Chí Minh"
    district: Optional[str]        # district-level unit, bare: "Ngô Quyền", "Thủ Đức"
    province_2025: Optional[str]   # province since 1 July 2025: Đắk Nông -> "Lâm Đồng"
    level: Optional[str]           # "province" | "district" | "commune"
    commune: Optional[str] = field(default=None)  # ward/commune/town, bare, when level == "commune"


# --------------------------------------------------------------------------
# Text normalisation
# --------------------------------------------------------------------------

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}

# Old-style tone placement ("hoà", "thuỷ", "khoẻ") -> modern ("hòa", "thủy",
# "khỏe"): only in an open syllable ending in oa/oe/uy, and not after q
# ("quý" is right either way).
_OLD_TONE = re.compile(
    r"(?<![qQ])([oO])([àáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸ])(?!\w)"
    r"|(?<![qQ])([uU])([ỳýỷỹỵỲÝỶỸỴ])(?!\w)"
)


def _move_tone(m: "re.Match[str]") -> str:
    first = m.group(1) or m.group(3)
    second = m.group(2) or m.group(4)
    decomposed = unicodedata.normalize("NFD", second)
    tone = "".join(c for c in decomposed if c in _TONES)
    base = "".join(c for c in decomposed if c not in _TONES)
    return unicodedata.normalize("NFC", first + tone) + unicodedata.normalize("NFC", base)


def modernize(text: str) -> str:
    """NFC, unify apostrophes and dashes, modern tone placement."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    return _OLD_TONE.sub(_move_tone, text)


_RE_DASH = re.compile(r"\s*-\s*")
_RE_PUNCT = re.compile(r"[^\w' -]+")
_RE_ZEROS = re.compile(r"\b0+(\d)")
_RE_SPACES = re.compile(r"\s+")
_RE_SYLLABLE = re.compile(r"[a-z0-9]+")
_RE_ONSET = re.compile(r"^(?:qu|gi|[^aeiouy]*)")


def _nkey(name: str) -> str:
    """Exact key: modern NFC, lower case, single spaces, ' - ' for dashes,
    numbers without leading zeros."""
    s = modernize(name).lower()
    s = _RE_DASH.sub(" - ", s)
    s = _RE_PUNCT.sub(" ", s)
    s = _RE_ZEROS.sub(r"\1", s)
    return _RE_SPACES.sub(" ", s).strip(" -")


def _strip_accents(s: str) -> str:
    s = s.replace("đ", "d").replace("Đ", "D")
    s = unicodedata.normalize("NFD", s)
    return "".join(c for c in s if not unicodedata.combining(c))


_VOWELS = set("aeiouy")


def _fold_syllable(syl: str) -> str:
    # final k/c are interchangeable in minority-language names (Đắk / Đắc)
    if len(syl) > 1 and syl[-1] == "k" and syl[-2] in _VOWELS:
        syl = syl[:-1] + "c"
    # y/i after a consonant (Kỳ/Kì, Mỹ/Mĩ, Quy/Qui, Lý/Lí)
    if syl[-1:] == "y":
        onset = _RE_ONSET.match(syl).group(0)
        if len(onset) == len(syl) - 1:
            syl = onset + "i"
    return syl


@functools.lru_cache(maxsize=1 << 16)
def _keys(name: str) -> tuple[str, str, str]:
    """(exact, ascii, folded) keys of a name.

    exact:  modern NFC, lower case (``_nkey``);
    ascii:  accents stripped, letters and digits only -- the form the package
            uses for its keywords ('daknong', 'quan2');
    folded: ascii with the k/c and y/i spelling variants folded."""
    n = _nkey(name)
    plain = _strip_accents(n)
    a = "".join(_RE_SYLLABLE.findall(plain))
    f = "".join(_fold_syllable(x) for x in _RE_SYLLABLE.findall(plain))
    return n, a, f


def _akey(name: str) -> str:
    return _keys(name)[1]


# --------------------------------------------------------------------------
# Rule file: abbreviations and province aliases
# --------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _rule_data() -> tuple[tuple[tuple["regex.Pattern[str]", str], ...],
                          tuple[tuple["regex.Pattern[str]", str], ...],
                          dict[str, str]]:
    from pipeline import rules

    rf = rules.load("places")
    abbrs, aliases, renames = [], [], {}
    for r in rf.rules:
        if "pattern" not in r:
            continue
        pat = rules.compile_pattern("places", r["id"])  # case-insensitive
        if r["id"].startswith("abbr."):
            abbrs.append((pat, str(r["replace"])))
        elif "province" in r:
            aliases.append((pat, modernize(str(r["province"]))))
            if r.get("package_name"):
                renames[modernize(str(r["package_name"]))] = modernize(str(r["province"]))
    return tuple(abbrs), tuple(aliases), renames


def _expand_abbreviations(text: str) -> str:
    for pat, rep in _rule_data()[0]:
        text = pat.sub(rep, text)
    return text


# --------------------------------------------------------------------------
# Gazetteer built from the package data
# --------------------------------------------------------------------------

_PACKAGE = "vietnamadminunits"


def _package_data_dir() -> Path:
    spec = importlib.util.find_spec(_PACKAGE)  # locates, does not import
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"the {_PACKAGE!r} package is required for pipeline.places")
    for loc in spec.submodule_search_locations:
        d = Path(loc) / "data"
        if (d / "dataset.db").exists():
            return d
    raise FileNotFoundError(f"{_PACKAGE}: bundled data (data/dataset.db) not found")


@dataclass(frozen=True)
class _Prov:
    key: str
    name: str            # canonical pre-2025 bare name
    central: bool        # centrally-run city ("thành phố" at province level)
    name_2025: str


@dataclass(frozen=True, eq=False)  # one object per unit: identity hash is enough
class _Dist:
    pkey: str
    key: str
    name: str            # bare ("Ngô Quyền"; "Quận 1" for numbered districts)
    kind: str            # "huyện" | "quận" | "thị xã" | "thành phố"
    kinds: frozenset = frozenset()  # kind plus former kinds (thị xã -> thành phố)


@dataclass(frozen=True, eq=False)
class _Comm:
    pkey: str            # pre-2025 province key, "" if unknown (2025 communes)
    dkey: str            # pre-2025 district key, "" if unknown
    name: str
    kind: str            # "phường" | "xã" | "thị trấn" | "đặc khu"
    pkey_2025: str


class _Index:
    """name -> set of items under three keys (see ``_keys``), plus the former
    names the package lists for a unit (ASCII keys only)."""

    def __init__(self) -> None:
        self.exact: dict[str, set] = {}
        self.ascii: dict[str, set] = {}
        self.folded: dict[str, set] = {}
        self.alias: dict[str, set] = {}

    def add(self, name: str, item) -> None:
        n, a, f = _keys(name)
        self.exact.setdefault(n, set()).add(item)
        self.ascii.setdefault(a, set()).add(item)
        self.folded.setdefault(f, set()).add(item)

    def add_alias(self, akey: str, item) -> None:
        self.alias.setdefault(akey, set()).add(item)

    def get(self, level: str, keys: tuple[str, str, str]) -> set:
        n, a, f = keys
        if level == "exact":
            return self.exact.get(n, set())
        if level == "loose":  # accent-insensitive: current and former names alike
            return self.ascii.get(a, set()) | self.alias.get(a, set())
        return self.folded.get(f, set())

    def lookup(self, name: str) -> set:
        return _lookup([self], name)


# Match levels, closest first.  "Tân Thành" (former name of Phú Mỹ, BR-VT)
# and "Tân Thạnh" (Long An) meet at "loose" and make each other ambiguous.
_LEVELS = ("exact", "loose", "folded")


def _lookup(indexes: Iterable[Optional[_Index]], name: str) -> set:
    """Items called ``name`` in any of ``indexes`` at the closest match level
    that finds any: exact, else accent-insensitive (current or former names),
    else with spelling variants folded."""
    keys = _keys(name)
    if not keys[0]:
        return set()
    idxs = [i for i in indexes if i is not None]
    for level in _LEVELS:
        out: set = set()
        for i in idxs:
            out |= i.get(level, keys)
        if out:
            return out
    return set()


@dataclass
class _Gazetteer:
    provinces: dict[str, _Prov]              # pre-2025 province key -> province
    by_name: dict[str, str]                  # canonical name -> key
    prov_index: _Index
    districts: dict[tuple[str, str], _Dist]
    dist_index: _Index
    old_to_new: dict[str, str]               # pre-2025 province key -> 2025 key
    names_2025: dict[str, str]               # 2025 province key -> bare name


@dataclass
class _Communes:
    by_district: dict[tuple[str, str], _Index]
    by_province: dict[str, _Index]
    national: _Index
    new_by_province: dict[str, _Index]       # 2025 communes by 2025 province key
    new_national: _Index


_DISTRICT_PREFIXES = ("thanhpho", "thixa", "huyen", "quan", "district", "tp", "tx", "q")
_KIND_PREFIXES = (("thanhpho", "thành phố"), ("tp", "thành phố"), ("thixa", "thị xã"),
                  ("tx", "thị xã"), ("huyen", "huyện"), ("quan", "quận"))
_WARD_PREFIXES = ("thitran", "phuong", "xa", "ward", "tt", "p", "f")
_RE_PAREN_TAIL = re.compile(r"\s*\([^)]*\)\s*$")
_RE_NUMBERED = re.compile(r"(?:quận|huyện|phường|xã|thị trấn)\s+(\d+)")


def _aliases(keywords: Iterable[str], name: str, prefixes: tuple[str, ...]) -> set[str]:
    """Former names the package lists among a unit's keywords (merged units,
    renumbered wards...), as bare ASCII keys."""
    kws = {k for k in keywords if k and k.isascii()}
    own = _akey(name)
    own_forms = {own} | {p + own for p in prefixes}
    out = set()
    for kw in kws - own_forms:
        bare = kw
        for p in prefixes:
            rest = kw[len(p):]
            if kw.startswith(p) and rest and (rest in kws or rest.isdigit()):
                bare = rest.lstrip("0") or "0" if rest.isdigit() else rest
                break
        out.add(bare)
    return out - {own}


@functools.lru_cache(maxsize=None)
def _bare(short: str) -> str:
    name = modernize(_RE_PAREN_TAIL.sub("", short.strip()))  # "Kỳ Anh (Huyện)"
    # every word capitalised: the package has "é Tòng", "Pa ủ" (É Tòng, Pa Ủ)
    return " ".join(w[:1].upper() + w[1:] for w in name.split(" "))


@functools.lru_cache(maxsize=1)
def _raw() -> tuple[dict, list[tuple], list[tuple]]:
    """The package's data: converter JSON, pre-2025 rows, 2025 rows."""
    data = _package_data_dir()
    with (data / "converter_2025.json").open(encoding="utf-8") as fh:
        conv = json.load(fh)
    con = sqlite3.connect(f"file:{data / 'dataset.db'}?mode=ro", uri=True)
    try:
        legacy = con.execute(
            "SELECT provinceKey, provinceShort, districtKey, districtShort, districtType, "
            "districtKeywords, wardShort, wardType, wardKeywords FROM admin_units_legacy"
        ).fetchall()
        new = con.execute(
            "SELECT provinceKey, provinceShort, wardKey, wardShort, wardType FROM admin_units"
        ).fetchall()
    finally:
        con.close()
    return conv, legacy, new


@functools.lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    """Provinces and districts (communes are built on first use)."""
    conv, legacy, new = _raw()
    renames = _rule_data()[2]
    names_2025 = {pk: modernize(ps) for pk, ps, *_ in new}
    old_to_new = {old: nk for nk, olds in conv["DICT_PROVINCE"].items() for old in olds}

    provinces: dict[str, _Prov] = {}
    prov_index = _Index()
    districts: dict[tuple[str, str], _Dist] = {}
    dist_index = _Index()
    for pk, ps, dk, ds, dt, dkw, *_ in legacy:
        if pk not in provinces:
            short = modernize(ps)
            name = renames.get(short, short)
            nk = old_to_new.get(pk)
            provinces[pk] = _Prov(key=pk, name=name, central=pk.startswith("thanhpho"),
                                  name_2025=names_2025.get(nk, name) if nk else name)
            prov_index.add(name, pk)
            if name != short:
                prov_index.add(short, pk)
        if (pk, dk) in districts:
            continue
        name = _bare(ds)
        kws = json.loads(dkw or "[]")
        # current kind plus the kinds in its keywords, former names included
        # ("huyentanthanh" for Phú Mỹ): a kind word only narrows, so a loose
        # set is safe
        kinds = {dt.lower()} | {k for p, k in _KIND_PREFIXES
                                for kw in kws if kw.startswith(p) and kw[len(p):] in kws}
        d = _Dist(pkey=pk, key=dk, name=name, kind=dt.lower(), kinds=frozenset(kinds))
        districts[(pk, dk)] = d
        dist_index.add(name, d)
        m = _RE_NUMBERED.fullmatch(_keys(name)[0])
        if m:  # "Quận 1" is also "1" once the type word is read
            dist_index.add(m.group(1), d)
        for al in _aliases(kws, name, _DISTRICT_PREFIXES):
            dist_index.add_alias(al, d)
    return _Gazetteer(provinces=provinces, by_name={p.name: k for k, p in provinces.items()},
                      prov_index=prov_index, districts=districts, dist_index=dist_index,
                      old_to_new=old_to_new, names_2025=names_2025)


def _split_old_key(k: str) -> tuple[str, str]:
    parts = k.split("_")
    return parts[0], (parts[1] if len(parts) > 1 else "")


@functools.lru_cache(maxsize=1)
def _communes() -> _Communes:
    conv, legacy, new = _raw()
    g = _gazetteer()
    by_district: dict[tuple[str, str], _Index] = {}
    by_province: dict[str, _Index] = {}
    national = _Index()
    for pk, _ps, dk, _ds, _dt, _dkw, ws, wt, wkw in legacy:
        if not ws:  # island districts without communes
            continue
        c = _Comm(pkey=pk, dkey=dk, name=_bare(ws), kind=wt.lower(),
                  pkey_2025=g.old_to_new.get(pk, pk))
        m = _RE_NUMBERED.fullmatch(_keys(c.name)[0])
        als = _aliases(json.loads(wkw or "[]"), c.name, _WARD_PREFIXES)
        for idx in (by_district.setdefault((pk, dk), _Index()),
                    by_province.setdefault(pk, _Index()), national):
            idx.add(c.name, c)
            if m:
                idx.add(m.group(1), c)
            for al in als:
                idx.add_alias(al, c)

    # communes since 1 July 2025, placed in the pre-2025 province/district
    # when all the old communes they were made from lie in one
    origins: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for nk, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for nwk, olds in wards.items():
            origins.setdefault((nk, nwk), set()).update(_split_old_key(o) for o in olds)
    for nk, olds in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for o, targets in olds.items():
            for t in targets:
                origins.setdefault((nk, t["newWardKey"]), set()).add(_split_old_key(o))
    new_by_province: dict[str, _Index] = {}
    new_national = _Index()
    for pk, _ps, wk, ws, wt in new:
        orig = origins.get((pk, wk), set())
        old_p = {o[0] for o in orig}
        old_d = {o[1] for o in orig}
        one_p = next(iter(old_p)) if len(old_p) == 1 else ""
        one_d = next(iter(old_d)) if one_p and len(old_d) == 1 else ""
        c = _Comm(pkey=one_p, dkey=one_d, name=_bare(ws), kind=wt.lower(), pkey_2025=pk)
        new_by_province.setdefault(pk, _Index()).add(c.name, c)
        new_national.add(c.name, c)
    return _Communes(by_district=by_district, by_province=by_province, national=national,
                     new_by_province=new_by_province, new_national=new_national)


# --------------------------------------------------------------------------
# Provinces
# --------------------------------------------------------------------------

_PROVINCE_WORDS = re.compile(
    r"^(?:(?:ủy ban nhân dân|ubnd)\s+)?(?:tỉnh|thành phố|thủ đô|tp)\s+", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def _province_key(name: str) -> Optional[str]:
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


def canonical_province(name: str) -> Optional[str]:
    """Bare canonical pre-2025 name of the province ``name`` denotes
    ("TP. HCM" -> "Hồ Chí Minh", "Đắc Nông" -> "Đắk Nông", "Huế" ->
    "Thừa Thiên Huế"), or None if it is not a province."""
    k = _province_key(name)
    return _gazetteer().provinces[k].name if k else None


def province_2025(province: str) -> Optional[str]:
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


def _hint_filter(cands: set, hint_keys: Iterable[str]) -> set:
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


def _district_candidates(name: str, kind: Optional[str]) -> set[_Dist]:
    cands = _gazetteer().dist_index.lookup(name)
    if kind:
        typed = {c for c in cands if kind in c.kinds}
        if typed:  # the kind is a preference: units get upgraded (thị xã -> thành phố)
            cands = typed
    return cands


def _unique_place(cands: set[_Dist]) -> Optional[Place]:
    places = {(c.pkey, c.name) for c in cands}
    if len(places) != 1:
        return None
    c = next(iter(cands))
    p = _gazetteer().provinces[c.pkey]
    return Place(province=p.name, district=c.name, province_2025=p.name_2025, level="district")


def _norm_kind(kind: Optional[str]) -> Optional[str]:
    if not kind:
        return None
    k = _nkey(kind).replace(".", "").strip()
    return _KINDS.get(k)


def resolve_district(name: str, province_hint: Optional[str] = None,
                     kind: Optional[str] = None) -> Optional[Place]:
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
    kind: Optional[str]
    text: str
    pkey: Optional[str] = None
    dcands: frozenset = frozenset()
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


def _commune_match(indexes: Iterable[Optional[_Index]], m: _Mention, level: str,
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


def _unique_commune(cands: set[_Comm]) -> Optional[_Comm]:
    keys = {(c.pkey, c.dkey, c.name, c.pkey_2025) for c in cands}
    return next(iter(cands)) if len(keys) == 1 else None


def _resolve_commune(m: _Mention, districts: set[tuple[str, str]],
                     provs: list[str]) -> Optional[_Comm]:
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


def resolve_place(text: str, province_hint: Optional[str] = None) -> Optional[Place]:
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

    def narrow(cands: set) -> set:
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


def document_place(province: Optional[str], district: Optional[str] = None) -> tuple[Optional[str], Optional[str]]:
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
    prov: Optional[str] = None
    if province and str(province).strip():
        prov = canonical_province(province) or str(province).strip()
    elif district and str(district).strip():
        found = resolve_district(district)
        prov = found.province if found else None
    return prov, (province_2025(prov) if prov else None)
