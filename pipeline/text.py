"""Normalise Vietnamese text for matching without losing the way back.

The loader's text (``raw``) is what evidence offsets refer to.  Matching runs
on ``norm``: NFC, one tone-mark placement (``hoá`` → ``hóa``, ``Uỷ`` → ``Ủy``),
ordinary spaces for odd ones (NBSP, zero-width), and real line breaks for the
literal ``\\r\\n`` sequences that scraped pages carry.  ``flow`` is ``norm``
with hard line wraps turned into spaces (same length as ``norm``), so a
sentence broken across lines by a PDF or a portal reads as one.

``PreparedText.to_raw(start, end)`` maps a ``norm``/``flow`` span back to the
``raw`` span it came from.

>>> p = prepare("Uỷ ban\\u00a0nhân dân")
>>> p.norm
'Ủy ban nhân dân'
>>> p.to_raw(0, 6)
(0, 6)
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import regex

__all__ = ["PreparedText", "prepare", "fold"]

# Odd spaces become " "; zero-width characters and soft hyphens are dropped.
_SPACES = {"\u00a0", "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005",
           "\u2006", "\u2007", "\u2008", "\u2009", "\u200a", "\u202f", "\u205f",
           "\u3000", "\t", "\x0b", "\x0c"}
_DROP = {"\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad"}

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_ESCAPED_NL = regex.compile(r"(?:\\r)?\\n")
_CLUSTER = regex.compile(r"\X", regex.UNICODE)
_WRAP_JOIN = regex.compile(r"[^\n]\n+(?=[^\n])")
_LIST_START = regex.compile(
    r"(?:[-+*•–]\s|\d{1,2}(?:\.\d{1,2})*[.)]\s|[a-zđ][.)]\s|[IVXLC]+[.)]\s|Điều\s+\d|Phần\s|Chương\s)")


@dataclass(frozen=True)
class PreparedText:
    raw: str
    norm: str
    flow: str
    # _starts[i], _ends[i]: the raw span that produced norm[i]
    _starts: tuple[int, ...]
    _ends: tuple[int, ...]

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open ``norm`` span to the ``raw`` span it came from."""
        if end <= start:
            pos = self._starts[start] if start < len(self._starts) else len(self.raw)
            return (pos, pos)
        return (self._starts[start], self._ends[end - 1])

    def from_raw(self, pos: int) -> int:
        """The ``norm`` offset of the first character produced at or after raw ``pos``."""
        import bisect

        return bisect.bisect_left(self._starts, pos)

    def raw_span_text(self, start: int, end: int) -> tuple[str, int, int]:
        """``(raw_text, raw_start, raw_end)`` for a ``norm`` span, trimmed of blanks."""
        while start < end and self.norm[start].isspace():
            start += 1
        while end > start and self.norm[end - 1].isspace():
            end -= 1
        a, b = self.to_raw(start, end)
        return self.raw[a:b], a, b


def _fix_tone_placement(syllable: str) -> str:
    """``hoá`` → ``hóa``, ``thuỷ`` → ``thủy``, ``khoẻ`` → ``khỏe``; ``quý`` unchanged."""
    if len(syllable) < 2:
        return syllable
    v1, v2 = syllable[-2], syllable[-1]
    if v1.lower() not in "ou":
        return syllable
    d2 = unicodedata.normalize("NFD", v2)
    base2, marks2 = d2[0], d2[1:]
    tone = [m for m in marks2 if m in _TONES]
    if not tone or base2.lower() not in ("a", "e", "y"):
        return syllable
    if v1.lower() == "o" and base2.lower() not in ("a", "e"):
        return syllable
    if v1.lower() == "u" and base2.lower() != "y":
        return syllable
    head = syllable[:-2]
    if head.lower().endswith("q"):
        return syllable  # "qu": u belongs to the consonant
    d1 = unicodedata.normalize("NFD", v1)
    if any(m in _TONES for m in d1[1:]):
        return syllable
    new1 = unicodedata.normalize("NFC", d1 + tone[0])
    new2 = unicodedata.normalize("NFC", base2 + "".join(m for m in marks2 if m not in _TONES))
    return head + new1 + new2


_SYLLABLE = regex.compile(r"\p{L}+", regex.UNICODE)


def prepare(raw: str) -> PreparedText:
    """Build ``norm`` and ``flow`` from ``raw`` with an offset map (linear time)."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    n = len(raw)
    while i < n:
        ch = raw[i]
        # literal "\r\n" / "\n" escapes left in scraped text
        if ch == "\\":
            m_esc = _ESCAPED_NL.match(raw, i)
            if m_esc:
                out.append("\n")
                starts.append(i)
                ends.append(m_esc.end())
                i = m_esc.end()
                continue
        if ch == "\r":
            if i + 1 < n and raw[i + 1] == "\n":
                i += 1  # fold CRLF into the LF that follows
                continue
            out.append("\n")
            starts.append(i)
            ends.append(i + 1)
            i += 1
            continue
        if ch in _DROP:
            i += 1
            continue
        if ch in _SPACES:
            out.append(" ")
            starts.append(i)
            ends.append(i + 1)
            i += 1
            continue
        m = _CLUSTER.match(raw, i)
        j = m.end() if m else i + 1
        cluster = raw[i:j]
        composed = unicodedata.normalize("NFC", cluster) if not cluster.isascii() else cluster
        for c in composed:
            out.append(c)
            starts.append(i)
            ends.append(j)
        i = j
    norm = "".join(out)
    # Tone placement: same length in, same length out, so offsets stay.
    norm = _SYLLABLE.sub(lambda m: _fix_tone_placement(m.group(0)), norm)
    flow = _unwrap(norm)
    return PreparedText(raw=raw, norm=norm, flow=flow, _starts=tuple(starts), _ends=tuple(ends))


_TERMINAL = set(".:;!?|")


def _unwrap(norm: str) -> str:
    """Turn hard line wraps into spaces; keep real paragraph and item breaks.

    A break is a wrap when the line before it does not end a sentence or a
    heading and the next line continues it: it starts with a lower-case
    letter or a digit that is not a list number (``2025, định hướng``), or the
    line before ends with a word that cannot end a line (``số``, ``ngày``,
    ``của``, ``năm``).  Blank lines between the two halves (page breaks) are
    folded too.
    """
    chars = list(norm)
    for m in _WRAP_JOIN.finditer(norm):
        brk_start = m.start() + 1
        brk_end = m.end()
        line_start = norm.rfind("\n", 0, brk_start) + 1
        prev = norm[line_start:brk_start].rstrip()
        nxt_end = norm.find("\n", brk_end)
        nxt = norm[brk_end: nxt_end if nxt_end != -1 else len(norm)].lstrip()
        if not prev or not nxt:
            continue
        if _is_wrap(prev, nxt, brk_end - brk_start):
            for k in range(brk_start, brk_end):
                chars[k] = " "
    return "".join(chars)


_NO_END_WORDS = {"số", "ngày", "tháng", "năm", "của", "và", "các", "những", "về", "với",
                 "cho", "trong", "tại", "theo", "đến", "từ", "là", "được", "có", "để",
                 "thực", "việc", "phê", "định", "quyết", "kế", "chương", "hoạch", "căn",
                 # first syllables of document kinds and bodies: "Luật\nTổ chức …"
                 "luật", "nghị", "chỉ", "thông", "đề", "bộ", "sở", "ủy"}


def _is_wrap(prev: str, nxt: str, breaks: int) -> bool:
    last = prev[-1]
    if last in _TERMINAL:
        return False
    if last in "”\"" and len(prev) > 1 and prev[-2] in ".!?":
        return False
    if _LIST_START.match(nxt):
        return False
    first = nxt[0]
    last_word = prev.rsplit(None, 1)[-1].lower() if prev.split() else ""
    nxt_head = nxt.split()[0]
    if prev.isupper() and nxt_head.isupper() and breaks == 1:
        # "ỦY\nBAN NHÂN DÂN", "BÌNH\nDƯƠNG": upper-case headers split mid-name
        return len(prev.split()) <= 2 or len(nxt.split()) <= 2
    if _is_caps_line(nxt) and not prev.isupper():
        return False  # "… thư viện số" / "THỦ TƯỚNG CHÍNH PHỦ": a new block
    if first.islower() or first in "(“\"":
        return True
    if first.isdigit():
        return breaks == 1 or last_word in _NO_END_WORDS
    if breaks != 1:
        return False
    if last_word in _NO_END_WORDS or last == ",":
        return True
    # "Bình\nDương, ngày …", "Luật\nTổ chức …": a name or phrase cut after one or two words
    return len(prev.split()) <= 2 and not prev.isupper() and first.isupper()


def _is_caps_line(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def fold(s: str) -> str:
    """Lower-case, accent-free key for lookups (``Đắk Nông`` → ``dak nong``)."""
    s = unicodedata.normalize("NFD", s.lower()).replace("đ", "d")
    return "".join(c for c in s if not unicodedata.combining(c))
