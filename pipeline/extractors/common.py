"""Helpers shared by the extraction stages (metadata and references): casing,
header cells, rule lookups, document symbols and the gazetteer."""
from __future__ import annotations

import bisect
import functools
from collections import Counter
from dataclasses import dataclass
from typing import Any

import regex

from .. import rules
from ..segment import Segmented

_rx = rules.compile_pattern
_group = rules.group

SENTENCE_WINDOW = 400      # how far a reporting sentence's subject may lie from its verb


@dataclass(frozen=True)
class Cell:
    """One cell of a header line (lines split at ``|``), offsets in ``norm``."""

    text: str
    start: int


_SPACES = regex.compile(r"\s+")
RULE_LINE = regex.compile(r"[-–—_=]{3,}")
_DECOR = "*_#"


def clean(s: str) -> str:
    """Collapse whitespace, strip markdown emphasis and spaces."""
    return str(_SPACES.sub(" ", s)).strip().strip(_DECOR).strip()


def squash(s: str) -> str:
    """Collapse whitespace only (emphasis marks kept)."""
    return str(_SPACES.sub(" ", s)).strip()


def is_upper(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def proper_case(s: str) -> str:
    """``NHÀ BÈ`` → ``Nhà Bè``; text already in mixed case is kept.

    >>> proper_case("LÊ QUANG ĐỊNH"), proper_case("Ngô Quyền"), proper_case("QUẬN 1")
    ('Lê Quang Định', 'Ngô Quyền', 'Quận 1')
    """
    s = clean(s)
    if not is_upper(s):
        return s
    return " ".join(_word_case(w) for w in s.split(" "))


def _word_case(w: str) -> str:
    """``NHÀ`` → ``Nhà``; Roman numerals, acronyms and numbers kept."""
    if not w[:1].isalpha() or _rx("bodies", "name.roman").match(w) or _rx("bodies", "name.acronym").match(w):
        return w
    return w[:1] + w[1:].lower()


def field_case(s: str) -> str:
    """``VĂN HÓA, THỂ THAO VÀ DU LỊCH`` → ``Văn hóa, Thể thao và Du lịch``."""
    s = clean(s)
    if not is_upper(s):
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


def sentence_case(s: str) -> str:
    s = clean(s)
    return s[:1].upper() + s[1:].lower() if is_upper(s) else s


def match_first(file: str, prefix: str, text: str) -> tuple[dict[str, Any], regex.Match[str]] | None:
    for rule, rx in _group(file, prefix):
        m = rx.match(text)
        if m:
            return rule, m
    return None


@functools.cache
def level_words(*admin_levels: str) -> frozenset[str]:
    """The level words (``huyện``, ``thị xã`` …: the canonical forms of the
    ``admin.*`` rules of ``rules/bodies.yaml``) of the given admin levels.

    >>> sorted(level_words("commune"))
    ['phường', 'thị trấn', 'xã']
    """
    return frozenset(str(r["canonical"]) for r in rules.load("bodies").rules
                     if r["id"].startswith("admin.") and r.get("admin_level") in admin_levels)


def match_rule(file: str, prefix: str, text: str | None) -> dict[str, Any] | None:
    """The first rule of the group whose pattern matches at the start of ``text``."""
    hit = match_first(file, prefix, text) if text else None
    return hit[0] if hit else None


def _places() -> Any:
    """The gazetteer module, imported lazily (it reads a database on first use)."""
    from .. import places
    return places


def province_of(name: str | None) -> str | None:
    if not name:
        return None
    try:
        found: str | None = _places().canonical_province(name)
        return found
    except (ImportError, OSError, ValueError):
        return None


def district_of(name: str | None, province: str | None, kind: str | None) -> Any:
    if not name:
        return None
    try:
        return _places().resolve_district(name, province, kind)
    except (ImportError, OSError, ValueError):
        return None


def most_common(counts: Counter[str]) -> str | None:
    return counts.most_common(1)[0][0] if counts else None


def most_named(counts: Counter[str]) -> str | None:
    """The place named most often, when one is: a tie at the top (a text that
    lists fourteen provinces once each) names no place, never the first of the list."""
    top = counts.most_common(2)
    if not top or (len(top) == 2 and top[0][1] == top[1][1]):
        return None
    return top[0][0]


def upper_prefix(text: str) -> tuple[str, str]:
    """Split ``KT. CHỦ TỊCH PHÓ CHỦ TỊCH Nguyễn Văn An`` into its upper-case
    words and the rest (a signature block flattened into one cell)."""
    words = text.split(" ")
    k = 0
    while k < len(words) and (is_upper(words[k]) or not any(c.isalpha() for c in words[k])):
        k += 1
    return " ".join(words[:k]), " ".join(words[k:])



def canonical_symbol(number: str) -> str:
    """A symbol as it is filed: without the stray spaces a text layer left
    around its separators (``36/NQ- TW`` → ``36/NQ-TW``), and with the hyphen
    a typist left out between type and issuer codes (``832/QĐUBND`` →
    ``832/QĐ-UBND``, rule ``ref.glued_codes``)."""
    number = "".join(number.split())
    m = _rx("references", "ref.symbol_parts").match(number)
    if m:
        glued = _rx("references", "ref.glued_codes").match(m["codes"])
        if glued:
            number = f"{m['num']}{m['sep']}{glued['type']}-{glued['issuer']}"
    return number


def symbol_codes(number: str) -> tuple[str | None, str | None]:
    """(type code, issuer code) of a symbol: ``1520/QĐ-TTg`` → (QĐ, TTg),
    ``35-KH/TU`` → (KH, TU), ``1234/UBND-VX`` → (UBND, VX)."""
    m = _rx("references", "ref.symbol_parts").match(number)
    if not m:
        return None, None
    parts = _rx("references", "ref.code_split").split(m["codes"])
    return parts[0], (parts[1] if len(parts) > 1 else None)



def split_cells(norm: str, limit: int | None = None, start: int = 0) -> list[Cell]:
    """Non-empty cells of the lines of ``norm`` (lines split at ``|``).

    Lines are cut one at a time, so that the ``limit`` cells of a header cost
    the lines they stand on, not a split of the whole document."""
    out: list[Cell] = []
    sep = _rx("doc_types", "header.separator")
    pos = start
    n = len(norm)
    while True:
        nl = norm.find("\n", pos)
        end = n if nl < 0 else nl
        line = norm[pos:end]
        if "|" in line:
            off = pos
            for piece in line.split("|"):
                text = piece.strip()
                if text and not sep.match(text):
                    out.append(Cell(text=text, start=off + piece.find(text)))
                off += len(piece) + 1
        else:
            text = line.strip()
            if text and not sep.match(text):
                out.append(Cell(text=text, start=pos + line.find(text)))
        if nl < 0 or (limit is not None and len(out) >= limit):
            break
        pos = nl + 1
    return out



def sentence_bounds(seg: Segmented, flow: str, pos: int) -> tuple[int, int]:
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



def place_of(text: str, hint: str | None) -> Any:
    try:
        return _places().resolve_place(text, hint)
    except (ImportError, OSError, ValueError):
        return None
