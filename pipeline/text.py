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

import bisect
import functools
import re
import unicodedata
from array import array
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

class OffsetMap:
    """Where each ``norm`` character came from in ``raw``, piece by piece.

    ``norm[i]`` was produced by ``raw[start(i):end(i)]``.  Most of a text maps
    one to one with a constant shift (a *run*); only dropped characters,
    folded line breaks, escapes and composed clusters start a new run, so the
    map costs a few integers per run, not per character.  A run is either
    *shifted* (``norm[i]`` ← ``raw[i + d]``) or *fixed* (every character of
    the run comes from the same raw span: a cluster composed into several
    characters, or one escape).
    """

    __slots__ = ("_norm", "_raw", "_end", "_last", "_n", "_raw_len")

    def __init__(self, norm_at: array[int], raw_at: array[int], end_at: array[int], n: int, raw_len: int):
        self._norm = norm_at      # norm index where run k begins
        self._raw = raw_at        # raw index of its first character
        self._end = end_at        # -1 for a shifted run, else the raw end of a fixed run
        self._n = n
        self._raw_len = raw_len
        last = array("q")         # the largest raw start inside run k (non-decreasing)
        for k in range(len(norm_at)):
            size = (norm_at[k + 1] if k + 1 < len(norm_at) else n) - norm_at[k]
            last.append(raw_at[k] + size - 1 if end_at[k] < 0 else raw_at[k])
        self._last = last

    def __len__(self) -> int:
        return self._n

    def _key(self) -> tuple[int, int, bytes, bytes, bytes]:
        return (self._n, self._raw_len, self._norm.tobytes(), self._raw.tobytes(), self._end.tobytes())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OffsetMap) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _run(self, i: int) -> int:
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError("norm offset out of range")
        return bisect.bisect_right(self._norm, i) - 1

    def start(self, i: int) -> int:
        if i < 0:
            i += self._n
        k = self._run(i)
        return self._raw[k] + (i - self._norm[k]) if self._end[k] < 0 else self._raw[k]

    def end(self, i: int) -> int:
        if i < 0:
            i += self._n
        k = self._run(i)
        return self._raw[k] + (i - self._norm[k]) + 1 if self._end[k] < 0 else self._end[k]

    def first_at_or_after(self, pos: int) -> int:
        """The smallest ``i`` with ``start(i) >= pos`` (``len`` when there is none)."""
        k = bisect.bisect_left(self._last, pos)
        if k == len(self._last):
            return self._n
        if self._end[k] < 0:
            return self._norm[k] + max(0, pos - self._raw[k])
        return self._norm[k]

    def starts(self) -> list[int]:
        """Every ``start(i)`` (for tests and debugging; costs a list per character)."""
        return [self.start(i) for i in range(self._n)]

    def ends(self) -> list[int]:
        return [self.end(i) for i in range(self._n)]

    def nbytes(self) -> int:
        return sum(a.itemsize * len(a) for a in (self._norm, self._raw, self._end, self._last))


class _MapBuilder:
    """Collects runs while ``prepare`` walks the text."""

    __slots__ = ("norm_at", "raw_at", "end_at", "n", "_next_raw")

    def __init__(self) -> None:
        self.norm_at = array("q")
        self.raw_at = array("q")
        self.end_at = array("q")
        self.n = 0
        self._next_raw = -1     # raw index that would continue the current shifted run

    def shifted(self, raw_pos: int, length: int) -> None:
        """``length`` norm characters, one per raw character from ``raw_pos`` on."""
        if length <= 0:
            return
        if raw_pos != self._next_raw:
            self.norm_at.append(self.n)
            self.raw_at.append(raw_pos)
            self.end_at.append(-1)
        self.n += length
        self._next_raw = raw_pos + length

    def fixed(self, raw_start: int, raw_end: int, length: int) -> None:
        """``length`` norm characters, all produced by ``raw[raw_start:raw_end]``."""
        if length <= 0:
            return
        if length == 1 and raw_end == raw_start + 1:
            self.shifted(raw_start, 1)
            return
        self.norm_at.append(self.n)
        self.raw_at.append(raw_start)
        self.end_at.append(raw_end)
        self.n += length
        self._next_raw = -1

    def build(self, raw_len: int) -> OffsetMap:
        return OffsetMap(self.norm_at, self.raw_at, self.end_at, self.n, raw_len)


@dataclass(frozen=True)
class PreparedText:
    raw: str
    norm: str
    flow: str
    # the raw span that produced each norm character
    _map: OffsetMap

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open ``norm`` span to the ``raw`` span it came from."""
        if end <= start:
            pos = self._map.start(start) if start < len(self._map) else len(self.raw)
            return (pos, pos)
        return (self._map.start(start), self._map.end(end - 1))

    def from_raw(self, pos: int) -> int:
        """The ``norm`` offset of the first character produced at or after raw ``pos``."""
        return self._map.first_at_or_after(pos)

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


def _toned_aey() -> str:
    """Every precomposed letter whose base is a/e/y and which carries a tone mark."""
    out = []
    for lo, hi in ((0x00C0, 0x0250), (0x1E00, 0x1F00)):
        for cp in range(lo, hi):
            d = unicodedata.normalize("NFD", chr(cp))
            if len(d) > 1 and d[0] in "aeyAEY" and any(m in _TONES for m in d[1:]):
                out.append(chr(cp))
    return "".join(out)


#: The only places a tone can be misplaced: a plain o/u, then a toned a/e/y ending the syllable.
_TONE_CANDIDATE = regex.compile("[oOuU][" + _toned_aey() + r"](?!\p{L})")

#: Spaces and invisible characters, as a translation table for simple stretches of text.
#: one odd space (each becomes one " ": a regex substitution, not ``str.translate``, whose
#: per-character dict lookups on non-ASCII text cost 20 times as much)
_ODD_SPACE = re.compile("[" + "".join(re.escape(c) for c in sorted(_SPACES)) + "]")
_DROP_CLASS = "".join(_DROP)
#: Blocks of characters none of which joins a neighbour into a grapheme
#: cluster (no combining marks, joiners, Hangul jamo, regional indicators,
#: prepended signs).  ``tests/test_text.py`` checks this against the
#: ``regex`` module's Grapheme_Cluster_Break property.
SIMPLE_RANGES = ((0x0000, 0x02FF), (0x0370, 0x0482), (0x048A, 0x052F), (0x1E00, 0x1FFF),
                 (0x2000, 0x200B), (0x200E, 0x20CF), (0x2100, 0x2BFF), (0x3000, 0x3029),
                 (0x3030, 0x3098), (0x30A0, 0x30FF), (0x4E00, 0x9FFF), (0xFF01, 0xFF9D))
_SIMPLE_CLASS = "".join(re.escape(chr(a)) + "-" + re.escape(chr(b)) for a, b in SIMPLE_RANGES)
#: Where the fast path must step cluster by cluster: escapes, carriage returns,
#: dropped characters, and any character outside :data:`SIMPLE_RANGES` (with
#: the character before it, which it may join).
_SPECIAL = re.compile(r"\\|\r|[" + re.escape(_DROP_CLASS) + r"]|.?[^" + _SIMPLE_CLASS + "]", re.DOTALL)


def _plain_ranges() -> str:
    """:data:`SIMPLE_RANGES` without the escape, carriage return and dropped characters, as a class."""
    stops = sorted(ord(c) for c in "\\\r" + _DROP_CLASS)
    out: list[tuple[int, int]] = []
    for a, b in SIMPLE_RANGES:
        for cp in stops:
            if a <= cp <= b:
                if a < cp:
                    out.append((a, cp - 1))
                a = cp + 1
        if a <= b:
            out.append((a, b))
    return "".join(re.escape(chr(a)) + "-" + re.escape(chr(b)) for a, b in out)


#: One character :data:`_SPECIAL` needs (a single class: searching for
#: ``_SPECIAL`` itself tries its ``.?`` at every character, 10 times slower).
#: A match of ``_SPECIAL`` starts at it or the character before it, never earlier.
_SPECIAL_CHAR = re.compile("[^" + _plain_ranges() + "]")


def _step(raw: str, i: int, out: list[str], m: _MapBuilder) -> int:
    """One step of the character walk at ``raw[i]``: append its norm text, return the next index."""
    ch = raw[i]
    n = len(raw)
    # literal "\r\n" / "\n" escapes left in scraped text
    if ch == "\\":
        m_esc = _ESCAPED_NL.match(raw, i)
        if m_esc:
            out.append("\n")
            m.fixed(i, m_esc.end(), 1)
            return m_esc.end()
    if ch == "\r":
        if i + 1 < n and raw[i + 1] == "\n":
            return i + 1  # fold CRLF into the LF that follows
        out.append("\n")
        m.fixed(i, i + 1, 1)
        return i + 1
    if ch in _DROP:
        return i + 1
    if ch in _SPACES:
        out.append(" ")
        m.fixed(i, i + 1, 1)
        return i + 1
    mc = _CLUSTER.match(raw, i)
    j = mc.end() if mc else i + 1
    cluster = raw[i:j]
    composed = unicodedata.normalize("NFC", cluster) if not cluster.isascii() else cluster
    out.append(composed)
    m.fixed(i, j, len(composed))
    return j


def prepare(raw: str) -> PreparedText:
    """Build ``norm`` and ``flow`` from ``raw`` with an offset map (linear time).

    Stretches of already-composed text without escapes, carriage returns or
    combining characters are copied in one piece (odd spaces replaced
    by one regex substitution); the rest is walked grapheme cluster by cluster.  The result is
    the same as :func:`_prepare_reference`, character for character.
    """
    out: list[str] = []
    m = _MapBuilder()
    pos = 0
    n = len(raw)
    while pos < n:
        c = _SPECIAL_CHAR.search(raw, pos)
        sp = _SPECIAL.search(raw, max(pos, c.start() - 1)) if c else None
        stop = sp.start() if sp else n
        if stop > pos:
            chunk = raw[pos:stop]
            if chunk.isascii() or unicodedata.is_normalized("NFC", chunk):
                out.append(_ODD_SPACE.sub(" ", chunk))
                m.shifted(pos, stop - pos)
            else:
                i = pos
                while i < stop:
                    i = _step(raw, i, out, m)
                stop = i
        if sp is None:
            break
        i = stop
        while i < sp.end():
            i = _step(raw, i, out, m)
        pos = i
    norm = "".join(out)
    del out
    norm = _fix_tones(norm)
    flow = _unwrap(norm)
    return PreparedText(raw=raw, norm=norm, flow=flow, _map=m.build(n))


def _fix_tones(norm: str) -> str:
    """Tone placement on the candidate syllables only (same length in and out)."""
    pieces: list[str] = []
    last = 0
    for mt in _TONE_CANDIDATE.finditer(norm):
        p = mt.start()
        if p > 0 and norm[p - 1] in "qQ":
            continue  # "qu": u belongs to the consonant
        fixed = _fix_tone_placement(mt.group(0))
        if fixed != mt.group(0):
            pieces.append(norm[last:p])
            pieces.append(fixed)
            last = mt.end()
    if not pieces:
        return norm
    pieces.append(norm[last:])
    return "".join(pieces)


def _prepare_reference(raw: str) -> tuple[str, list[int], list[int]]:
    """The specification of :func:`prepare`: one grapheme cluster at a time.

    Returns ``(norm, starts, ends)``: ``raw[starts[i]:ends[i]]`` produced
    ``norm[i]``.  Slow (a regex match and Python objects per character);
    ``tests/test_text.py`` checks :func:`prepare` against it.
    """
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    n = len(raw)
    while i < n:
        ch = raw[i]
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
                i += 1
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
    norm = _SYLLABLE.sub(lambda mm: _fix_tone_placement(mm.group(0)), norm)
    return norm, starts, ends


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
    pieces: list[str] = []
    last = 0
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
            pieces.append(norm[last:brk_start])
            pieces.append(" " * (brk_end - brk_start))
            last = brk_end
    if not pieces:
        return norm
    pieces.append(norm[last:])
    return "".join(pieces)


@functools.lru_cache(maxsize=1)
def _no_end_words() -> frozenset[str]:
    """Words a line cannot end with (``rules/wraps.yaml``, read on first use)."""
    from . import rules

    return frozenset(rules.load("wraps").rule("wrap.no_end_word")["phrases"])


def _list_start(line: str) -> bool:
    from . import rules

    return rules.compile_pattern("wraps", "wrap.list_start").match(line) is not None


def _is_wrap(prev: str, nxt: str, breaks: int) -> bool:
    last = prev[-1]
    if last in _TERMINAL:
        return False
    if last in "”\"" and len(prev) > 1 and prev[-2] in ".!?":
        return False
    if _list_start(nxt):
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
        return breaks == 1 or last_word in _no_end_words()
    if breaks != 1:
        return False
    if last_word in _no_end_words() or last == ",":
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
