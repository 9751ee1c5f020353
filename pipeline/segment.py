"""Blocks, headings and sentences that keep the document's own structure.

A *block* is one logical line of ``flow`` (hard wraps already joined): a
heading (``I.``, ``2.``, ``2.1.``, ``a)``), a list item (``-``, ``+``, ``*``)
or a paragraph.  Each block knows its parent, so an extractor can ask for the
heading path above a sentence (``2. Mục tiêu cụ thể đến năm 2030`` →
``a) Đối với hệ thống thư viện`` → ``- Phấn đấu …``).  Sentences come from
underthesea's splitter, run within each block (it ignores line breaks).

>>> seg = segment("2. Mục tiêu\\na) Thư viện:\\n- Năm 2025: đạt 80%.")
>>> [b.marker for b in seg.blocks]
['2.', 'a)', '-']
>>> [seg.blocks[i].marker for i in seg.ancestors(2)]
['a)', '2.']
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from collections.abc import Callable, Iterator

import regex

__all__ = ["Block", "Segmented", "segment"]

_MARKERS: list[tuple[regex.Pattern[str], float]] = [
    (regex.compile(r"(?:Phần|PHẦN|Chương|CHƯƠNG)\s+(?:thứ\s+)?[\p{L}\dIVX]+\b\.?"), 0.0),
    (regex.compile(r"[IVXLC]{1,6}[.)](?=\s)"), 1.0),
    (regex.compile(r"(?:Điều|ĐIỀU)\s+\d+\.?"), 1.5),
    (regex.compile(r"\d{1,2}\.\d{1,2}\.\d{1,2}\.?(?=\s)"), 4.0),
    (regex.compile(r"\d{1,2}\.\d{1,2}\.?(?=\s)"), 3.0),
    (regex.compile(r"\d{1,2}[.)](?=\s)"), 2.0),
    (regex.compile(r"[a-zđ][)](?=\s)|[a-zđ]\.(?=\s)"), 5.0),
    (regex.compile(r"[-–—•](?=\s)"), 6.0),
    (regex.compile(r"\+(?=\s)"), 7.0),
    (regex.compile(r"\*(?=\s)"), 8.0),
]
#: the markers as one alternation, tried in the list's order as :func:`_marker` did one by one
#: (each alternative a named group: which one matched gives the level)
_MARKER = regex.compile("|".join(f"(?P<m{i}>{pat.pattern})" for i, (pat, _) in enumerate(_MARKERS)))
_MARKER_LEVEL = {f"m{i}": level for i, (_, level) in enumerate(_MARKERS)}
INTRO_LEVEL = 5.5      # an unnumbered paragraph ending with ':' introduces a list
PARAGRAPH_LEVEL = 99.0
_SENTENCE_BREAK = regex.compile(r"[.!?…]\s+\S")   # a block without one is one sentence


@dataclass
class Block:
    index: int
    start: int                 # offsets in norm/flow (content, trimmed)
    end: int
    text: str                  # flow[start:end]
    marker: str | None
    level: float
    parent: int | None
    sentences: list[tuple[int, int]] = field(default_factory=list)

    @property
    def body_start(self) -> int:
        """Offset just after the marker."""
        if not self.marker:
            return self.start
        off = self.start + len(self.marker)
        while off < self.end and self.text[off - self.start].isspace():
            off += 1
        return off

    @property
    def is_heading(self) -> bool:
        return self.level < PARAGRAPH_LEVEL and (self.level < 6 or self.text.rstrip().endswith(":"))


@dataclass
class Segmented:
    flow: str
    blocks: list[Block]

    def ancestors(self, index: int) -> Iterator[int]:
        """Indices of the blocks above ``index``, nearest first."""
        p = self.blocks[index].parent
        while p is not None:
            yield p
            p = self.blocks[p].parent

    def block_at(self, offset: int) -> Block | None:
        lo, hi = 0, len(self.blocks) - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            b = self.blocks[mid]
            if offset < b.start:
                hi = mid - 1
            elif offset >= b.end:
                lo = mid + 1
            else:
                return b
        return None

    def heading_path(self, index: int) -> list[str]:
        return [self.blocks[i].text for i in reversed(list(self.ancestors(index)))]


def _marker(line: str) -> tuple[str | None, float]:
    m = _MARKER.match(line)
    if m is None:
        return None, PARAGRAPH_LEVEL
    assert m.lastgroup is not None
    return m.group(0), _MARKER_LEVEL[m.lastgroup]


def segment(flow: str, with_sentences: bool = True) -> Segmented:
    blocks: list[Block] = []
    stack: list[Block] = []
    pos = 0
    for line in flow.split("\n"):
        line_start = pos
        pos += len(line) + 1
        stripped = line.strip()
        if not stripped:
            continue
        start = line_start + (len(line) - len(line.lstrip()))
        end = start + len(stripped)
        marker, level = _marker(stripped)
        if marker is None and stripped.endswith(":") and len(stripped) < 400:
            level = INTRO_LEVEL
        while stack and stack[-1].level >= level:
            stack.pop()
        block = Block(index=len(blocks), start=start, end=end, text=stripped,
                      marker=marker, level=level,
                      parent=stack[-1].index if stack else None)
        if with_sentences:
            block.sentences = split_sentences(flow, block)
        blocks.append(block)
        if level < PARAGRAPH_LEVEL:
            stack.append(block)
    return Segmented(flow=flow, blocks=blocks)


def split_sentences(flow: str, block: Block) -> list[tuple[int, int]]:
    """Sentence spans (offsets in ``flow``) of one block, via underthesea."""
    text = flow[block.start:block.end]
    if len(text) < 40 or not _SENTENCE_BREAK.search(text):
        return [(block.start, block.end)]
    pieces = _sent_tokenize()(text)
    spans: list[tuple[int, int]] = []
    cursor = 0
    starts: list[int] = []
    for piece in pieces:
        probe = piece.strip()[:12]
        if not probe:
            continue
        found = text.find(probe, cursor)
        if found < 0:
            continue  # the splitter altered this piece; it stays with the previous one
        starts.append(found)
        cursor = found + len(probe)
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    for i, s in enumerate(starts):
        e = starts[i + 1] if i + 1 < len(starts) else len(text)
        seg = text[s:e].rstrip()
        if seg:
            spans.append((block.start + s, block.start + s + len(seg)))
    return spans or [(block.start, block.end)]


@lru_cache(maxsize=1)
def _sent_tokenize() -> Callable[[str], list[str]]:  # imported lazily, and without the rest of underthesea (~0.5 s)
    from .nlp import sent_tokenizer
    return sent_tokenizer()
