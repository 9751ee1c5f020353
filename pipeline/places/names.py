"""Place names: the :class:`Place` type, tone placement, the keys names are
looked up by, and the spellings and abbreviations of ``rules/places.yaml``."""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

import regex


@dataclass(frozen=True)
class Place:
    province: str | None        # pre-2025 province, bare: "Đắk Nông", "Hồ Chí Minh"
    district: str | None        # district-level unit, bare: "Ngô Quyền", "Thủ Đức"
    province_2025: str | None   # province since 1 July 2025: Đắk Nông -> "Lâm Đồng"
    level: str | None           # "province" | "district" | "commune"
    commune: str | None = field(default=None)  # ward/commune/town, bare, when level == "commune"


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


def _move_tone(m: re.Match[str]) -> str:
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
        m = _RE_ONSET.match(syl)  # always matches (the onset may be empty)
        onset = m.group(0) if m else ""
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
def _rule_data() -> tuple[tuple[tuple[regex.Pattern[str], str], ...],
                          tuple[tuple[regex.Pattern[str], str], ...],
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
