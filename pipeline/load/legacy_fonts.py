"""Vietnamese legacy 8-bit font encodings: TCVN3 (ABC, ``.VnTime``) and VNI.

Before Unicode, Vietnamese documents were typed in fonts that drew Vietnamese
letters in place of Western (Windows-1252) characters.  Read without the font,
such text is nonsense: TCVN3 gives ``Môc tiªu cô thÓ ®Õn n¨m 2030`` and VNI
gives ``Muïc tieâu cuï theå ñeán naêm 2030``; both mean
``Mục tiêu cụ thể đến năm 2030``.

This module converts such text back to Unicode and decides, from how
Vietnamese the result looks, whether a text needs converting at all::

    >>> tcvn3_to_unicode("Môc tiªu cô thÓ ®Õn n¨m 2030")
    'Mục tiêu cụ thể đến năm 2030'
    >>> vni_to_unicode("Muïc tieâu cuï theå ñeán naêm 2030")
    'Mục tiêu cụ thể đến năm 2030'
    >>> fix_legacy_text("Môc tiªu cô thÓ cña tØnh ®Õn n¨m 2030")
    ('Mục tiêu cụ thể của tỉnh đến năm 2030', 'tcvn3')
    >>> fix_legacy_text("Mục tiêu cụ thể đến năm 2030")
    ('Mục tiêu cụ thể đến năm 2030', None)

The tables are the published TCVN 5712:1993 (VN3) and VNI-Windows layouts.
TCVN3 has no upper-case toned letters: headings were typed in the companion
"H" fonts (``.VnTimeH``), which draw the lower-case codes as capitals; pass
``upper=True`` for text in such a font.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from collections.abc import Callable

import regex

# --------------------------------------------------------------------------
# TCVN3 (ABC): one byte per letter.
# --------------------------------------------------------------------------

#: byte -> letter, for the bytes TCVN3 redefines (all others are Windows-1252).
TCVN3_BYTES: dict[int, str] = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}


def _cp1252_char(b: int) -> str:
    """The character Windows shows for byte ``b`` in a Western font."""
    try:
        return bytes([b]).decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D
        return chr(b)


#: Windows-1252 character (as Word/antiword/pdfminer hand it to us) -> letter.
_TCVN3_CHARS: dict[str, str] = {_cp1252_char(b): u for b, u in TCVN3_BYTES.items()}
#: Some PDF text layers of TCVN3 fonts map two glyphs to look-alike symbols
#: instead of their Windows-1252 code: the soft hyphen (0xAD, ``ư``) to U+2212
#: MINUS SIGN and the middle dot (0xB7, ``ã``) to U+2219 BULLET OPERATOR
#: (``n−íc`` for ``nước``, ``®∙`` for ``đã``).  Mapped in TCVN3 text only.
TCVN3_LOOKALIKES: dict[str, str] = {"\u2212": "ư", "\u2219": "ã"}
_TCVN3_CHARS.update(TCVN3_LOOKALIKES)
_TCVN3_TRANS = str.maketrans(_TCVN3_CHARS)
_TCVN3_INVERSE: dict[str, int] = {u: b for b, u in TCVN3_BYTES.items()}


#: Latin-1 character (one per byte) -> what Windows shows / what TCVN3 means.
_CP1252_FROM_LATIN1 = str.maketrans({chr(b): _cp1252_char(b) for b in range(128, 256)})
_TCVN3_FROM_LATIN1 = str.maketrans({chr(b): TCVN3_BYTES.get(b) or _cp1252_char(b) for b in range(128, 256)})


def tcvn3_bytes_to_unicode(data: bytes) -> str:
    """Decode bytes typed in a TCVN3 font."""
    return data.decode("latin-1").translate(_TCVN3_FROM_LATIN1)


def tcvn3_to_unicode(text: str, *, upper: bool = False) -> str:
    """Convert text that was read as Windows-1252 from a TCVN3 font.

    >>> tcvn3_to_unicode("n\u2212íc ®\u2219 ®­îc")   # look-alike symbols of a PDF text layer
    'nước đã được'
    """
    out = text.translate(_TCVN3_TRANS)
    return out.upper() if upper else out


def unicode_to_tcvn3(text: str) -> bytes:
    """Encode Unicode text as a TCVN3 file would store it (lower-case font).

    Upper-case toned letters do not exist in TCVN3; they are written as their
    lower-case code (what the ``.VnTimeH`` fonts draw as capitals).
    """
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ch in _TCVN3_INVERSE:
            out.append(_TCVN3_INVERSE[ch])
        elif ch.lower() in _TCVN3_INVERSE and ch not in "ĂÂÊÔƠƯĐ":
            out.append(_TCVN3_INVERSE[ch.lower()])
        else:
            out += ch.encode("cp1252")
    return bytes(out)


# --------------------------------------------------------------------------
# VNI: a base letter followed by one Windows-1252 character for the marks.
# --------------------------------------------------------------------------

_TONES = {"\u0301": 0, "\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0323": 4}  # sắc huyền hỏi ngã nặng
# base (lower-case, with its shape mark) -> (VNI base, suffix for the five tones)
_VNI_BASES: dict[str, tuple[str, tuple[str, ...]]] = {
    "a": ("a", ("aù", "aø", "aû", "aõ", "aï")),
    "ă": ("aê", ("aé", "aè", "aú", "aü", "aë")),
    "â": ("aâ", ("aá", "aà", "aå", "aã", "aä")),
    "e": ("e", ("eù", "eø", "eû", "eõ", "eï")),
    "ê": ("eâ", ("eá", "eà", "eå", "eã", "eä")),
    "i": ("i", ("í", "ì", "æ", "ó", "ò")),
    "o": ("o", ("où", "oø", "oû", "oõ", "oï")),
    "ô": ("oâ", ("oá", "oà", "oå", "oã", "oä")),
    "ơ": ("ô", ("ôù", "ôø", "ôû", "ôõ", "ôï")),
    "u": ("u", ("uù", "uø", "uû", "uõ", "uï")),
    "ư": ("ö", ("öù", "öø", "öû", "öõ", "öï")),
    "y": ("y", ("yù", "yø", "yû", "yõ", "î")),
    "đ": ("ñ", ()),
}


def _build_vni() -> dict[str, str]:
    table: dict[str, str] = {}
    for base, (plain, toned) in _VNI_BASES.items():
        if base not in "aeiouy":
            table[base] = plain
        for mark, idx in _TONES.items():
            if idx < len(toned):
                table[unicodedata.normalize("NFC", base + mark)] = toned[idx]
    for ch, seq in list(table.items()):
        table[ch.upper()] = seq.upper()
    return table


#: letter -> VNI character sequence
UNICODE_TO_VNI: dict[str, str] = _build_vni()
_VNI_TO_UNICODE: dict[str, str] = {seq: ch for ch, seq in UNICODE_TO_VNI.items()}


def vni_to_unicode(text: str) -> str:
    """Convert text that was read as Windows-1252 from a VNI font."""
    out: list[str] = []
    i, n = 0, len(text)
    get = _VNI_TO_UNICODE.get
    while i < n:
        two = get(text[i:i + 2]) if i + 1 < n else None
        if two is not None:
            out.append(two)
            i += 2
            continue
        out.append(get(text[i], text[i]))
        i += 1
    return "".join(out)


def vni_bytes_to_unicode(data: bytes) -> str:
    """Decode bytes typed in a VNI font."""
    return vni_to_unicode(data.decode("latin-1").translate(_CP1252_FROM_LATIN1))


def unicode_to_vni(text: str) -> str:
    """Write Unicode text as it reads when a VNI-font document is read as Windows-1252."""
    return "".join(UNICODE_TO_VNI.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


# --------------------------------------------------------------------------
# How Vietnamese does a text look?
# --------------------------------------------------------------------------

_ONSET = r"(?:ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdđfghjklmnprstvwxz])?"
_NUCLEI = sorted("""
a ă â e ê i o ô ơ u ư y
ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ uê ui uô uơ uy ưa ưi ươ ưu yê
iêu yêu oai oao oay oeo uây uôi ươi ươu uya uyê uyu uêu
""".split(), key=len, reverse=True)
_CODA = r"(?:ch|nh|ng|[cmnptk])?"  # k: Đắk Lắk
_SYLLABLE = regex.compile(rf"{_ONSET}(?:{'|'.join(_NUCLEI)}){_CODA}")
_WORD = regex.compile(r"[\p{L}\p{M}]+")
_TONE_MARKS = frozenset(_TONES)
_SHAPE_MARKS = {"\u0302": "aeo", "\u0306": "a", "\u031b": "ou"}  # circumflex, breve, horn
#: Characters that a Vietnamese text in Unicode practically never contains but
#: that legacy-font text read as Windows-1252 is full of.
_MOJIBAKE_SYMBOLS = frozenset("¡¢£¤¥¦§¨©ª«¬\u00ad®¯µ¶·¸¹º»¼½¾¿")


@dataclass(frozen=True)
class Score:
    good: int   # words with non-ASCII letters that are Vietnamese syllables
    bad: int    # words that cannot be Vietnamese, plus mojibake symbols

    @property
    def net(self) -> int:
        return self.good - self.bad

    @property
    def bad_ratio(self) -> float:
        total = self.good + self.bad
        return self.bad / total if total else 0.0


@lru_cache(maxsize=1 << 16)  # a document repeats its words: score each once
def _is_syllable(word: str) -> bool:
    if any(c.isupper() for c in word[1:]) and any(c.islower() for c in word):
        if not word.isupper() and not (word[0].isupper() and word[1:].islower()):
            return False  # "ViÖt", "thÓ": case changes inside a word
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = 0
    base: list[str] = []
    letter = ""
    for ch in decomposed:
        if ch in _TONE_MARKS:
            if letter not in ("a", "e", "i", "o", "u", "y"):
                return False
            tones += 1
        elif ch in _SHAPE_MARKS:
            if not base or base[-1] not in _SHAPE_MARKS[ch]:
                return False
            base.append(ch)
        elif ch == "đ" or ("a" <= ch <= "z"):
            base.append(ch)
            letter = ch
        else:
            return False
    if tones > 1:
        return False
    return _SYLLABLE.fullmatch(unicodedata.normalize("NFC", "".join(base))) is not None


def vietnamese_score(text: str) -> Score:
    """Count Vietnamese-looking and impossible words (ASCII-only words count neither)."""
    good = bad = 0
    for m in _WORD.finditer(text):
        w = m.group()
        if w.isascii():
            continue
        if _is_syllable(w):
            good += 1
        else:
            bad += 1
    bad += sum(1 for ch in text if ch in _MOJIBAKE_SYMBOLS)
    return Score(good, bad)


#: Letters that only Unicode text has (not in Windows-1252): a piece of text
#: containing one is Unicode already, whatever else it contains.
UNICODE_ONLY = regex.compile(r"[ăĂơƠưƯđĐĩĨũŨ\u1ea0-\u1ef9]")

_CONVERTERS: dict[str, Callable[[str], str]] = {}


def detect_legacy(text: str) -> str | None:
    """``"tcvn3"``, ``"vni"`` or ``None``: is ``text`` (mostly) legacy-font mojibake?

    Lines that contain letters only Unicode has are left out of the vote, so a
    Unicode document with a pasted TCVN3 paragraph is still recognised.
    """
    legacy_part = "\n".join(ln for ln in text.split("\n") if not UNICODE_ONLY.search(ln))
    before = vietnamese_score(legacy_part)
    if before.bad < 3 or before.bad_ratio < 0.15:
        return None
    best: tuple[Score, str] | None = None
    for name, convert in _CONVERTERS.items():
        score = vietnamese_score(convert(legacy_part))
        if best is None or score.net > best[0].net:
            best = (score, name)
    assert best is not None
    score, name = best
    if score.net > before.net and score.bad * 2 < before.bad:
        return name
    return None


def _legacy_plan(text: str) -> tuple[str | None, Callable[[str], str]]:
    enc = detect_legacy(text)
    if enc is None:
        return None, _identity
    base = _CONVERTERS[enc]
    others = [c for name, c in _CONVERTERS.items() if name != enc]
    mixed = UNICODE_ONLY.search(text) is not None

    def convert(piece: str) -> str:
        if UNICODE_ONLY.search(piece):
            return piece
        if not mixed:
            return base(piece)
        best, best_net = piece, vietnamese_score(piece).net
        for conv in [base, *others]:  # ties keep the earlier (the piece as it is first)
            new = conv(piece)
            net = vietnamese_score(new).net
            if net > best_net:
                best, best_net = new, net
        return best
    return enc, convert


# --------------------------------------------------------------------------
# UTF-8 read as Windows-1252 ("Tá»ˆNH" for "TỈNH")
# --------------------------------------------------------------------------

#: A UTF-8 lead byte (0xC2-0xEF) followed by a continuation byte (0x80-0xBF), both
#: as Windows-1252 shows them: the mark of UTF-8 text decoded as Windows-1252.
_UTF8_AS_CP1252 = regex.compile(
    "[\u00c2-\u00ef][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030"
    "\u2039\u203a\u20ac\u2122]")


def repair_mojibake(piece: str) -> str:
    """Undo UTF-8 text decoded as Windows-1252 (ftfy's ``fix_encoding``), where
    a piece shows the mark of it; anything else is returned unchanged.

    >>> repair_mojibake("UBND Tá»ˆNH BÃŒNH PHÆ¯á»šC")
    'UBND TỈNH BÌNH PHƯỚC'
    >>> repair_mojibake("Môc tiªu cô thÓ")   # TCVN3 text is not this
    'Môc tiªu cô thÓ'
    """
    if _UTF8_AS_CP1252.search(piece) is None:
        return piece
    import ftfy  # only for the rare piece that needs it

    fixed = ftfy.fix_encoding(piece)
    # take ftfy's answer only when it makes no word less Vietnamese
    if fixed != piece and vietnamese_score(fixed).bad <= vietnamese_score(piece).bad:
        return fixed
    return piece


@dataclass(frozen=True)
class Repair:
    """What a document's text needs, decided once on the whole text and then
    applied piece by piece (line, table cell, run) with :attr:`convert`."""

    encoding: str | None       # "tcvn3" / "vni": legacy-font text was found
    mojibake: int                 # lines of UTF-8 text that had been read as Windows-1252
    convert: Callable[[str], str]

    @property
    def needed(self) -> bool:
        return self.encoding is not None or self.mojibake > 0

    @property
    def warnings(self) -> list[str]:
        out = []
        if self.mojibake:
            out.append(f"repaired {self.mojibake} line{'s' if self.mojibake != 1 else ''} of UTF-8 "
                       "text that had been read as Windows-1252 (mojibake such as 'Tá»ˆNH')")
        if self.encoding is not None:
            out.append(conversion_warning(self.encoding))
        return out


def plan_repair(text: str) -> Repair:
    """Decide how to repair a document's text: the lines that are UTF-8 read
    as Windows-1252 are repaired first (each on its own), then the legacy-font
    vote of :func:`detect_legacy` runs on the repaired text.

    Every loader calls this once on its whole text and then ``convert`` on
    each piece it emits (``convert`` is the identity when nothing is needed)::

        plan = plan_repair(full_text)
        if plan.needed:
            pieces = [plan.convert(p) for p in pieces]
            warnings += plan.warnings
    """
    lines = text.split("\n")
    repaired = [repair_mojibake(ln) for ln in lines]
    mojibake = sum(1 for a, b in zip(lines, repaired, strict=True) if a is not b)
    enc, legacy = _legacy_plan("\n".join(repaired) if mojibake else text)
    if not mojibake:
        return Repair(enc, 0, legacy)

    def convert(piece: str) -> str:
        return legacy(repair_mojibake(piece))
    return Repair(enc, mojibake, convert)


def legacy_converter(text: str) -> tuple[str | None, Callable[[str], str]]:
    """Decide for a whole document, then convert it piece by piece (line, cell, run).

    Returns ``(encoding, convert)``; ``convert`` is the identity when the
    document needs nothing.  A piece holding Unicode-only letters is never
    converted; in a document that mixes both, a piece is converted only if
    that makes it more Vietnamese.  ``convert`` also repairs pieces that are
    UTF-8 read as Windows-1252 (see :func:`plan_repair`, which also says when
    that alone is needed).
    """
    plan = plan_repair(text)
    return plan.encoding, plan.convert


def _identity(s: str) -> str:
    return s


def fix_legacy_text(text: str) -> tuple[str, str | None]:
    """Convert ``text`` from TCVN3 or VNI if it is clearly such mojibake.

    Returns ``(text, encoding)`` where encoding is ``"tcvn3"``, ``"vni"`` or
    ``None`` (text returned unchanged).  Works line by line (see
    :func:`legacy_converter`).
    """
    enc, convert = _legacy_plan(text)
    if enc is None:
        return text, None
    return "\n".join(convert(ln) for ln in text.split("\n")), enc


_CONVERTERS.update(tcvn3=tcvn3_to_unicode, vni=vni_to_unicode)

ENCODING_NAMES = {
    "tcvn3": "TCVN3 (ABC)",
    "vni": "VNI",
}


def conversion_warning(encoding: str) -> str:
    return f"converted from {ENCODING_NAMES[encoding]} font encoding"
