"""The scope a value is read in: the extraction context and the chain of scopes
(clause → lead → heading → period → document) that fills a value's year."""
from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar, cast

import regex

from ...models import Sector, Source, Target, Tier
from ...nlp import TierIndex, TierSpan
from ...segment import INTRO_LEVEL, Block, Segmented
from ...text import PreparedText
from .common import CLAUSE_REACH, PREFIX_REACH, _p
from .mentions import Mention
from .years import YearCue, find_year_cues


@dataclass(slots=True)
class _Slot:
    tiers: list[Tier]
    indicators: list[str]
    sector: Sector
    subject: str | None
    cue: YearCue | None = None
    first_in_segment: bool = False
    tier_source: Source = "clause"


#: A target row as the reader tells rows apart: indicator, tier, year, value,
#: value_max, unit, and the folded subject of an ``other`` indicator ("" else).
RowKey = tuple[str, Tier, int | None, float, float | None, str, str]
#: A table row's key: the same and its group.  (Of another length, a table row
#: never equals a prose row: the two are told apart, not merged.)
TableRowKey = tuple[str, Tier, int | None, float, float | None, str, str, str | None]

_R = TypeVar("_R")


#: Memo kinds keyed by the sentence being read (its offsets): no other sentence asks for them.
_SENTENCE_KINDS = frozenset({"growth", "sent", "evidence", "tiers", "sectors", "goal"})


@dataclass
class _Ctx:
    prep: PreparedText
    seg: Segmented
    tiers: TierIndex        # the tier Matcher, run block by block when first asked for
    default_tier: Tier
    targets: list[Target] = field(default_factory=list)
    seen: set[RowKey | TableRowKey] = field(default_factory=set)
    carry_year: dict[int | None, YearCue] = field(default_factory=dict)    # parent index -> YearCue
    last_slots: list[_Slot] = field(default_factory=list)
    no_year: list[str] = field(default_factory=list)   # evidence of values with no due year
    document_cue: YearCue | None = None             # the title's period or single year
    issue_year: int | None = None                   # outer scopes before it date no target
    lead: Lead | None = None                      # the lead-in whose scope we are in
    head_cues: dict[int, list[YearCue]] = field(default_factory=dict)      # block index -> its year cues (cached)
    subjects: dict[tuple[Any, ...], list[str]] = field(default_factory=dict)  # row key without subject -> subjects read
    target_rows: set[tuple[Hashable, ...]] = field(default_factory=set)  # rows read outside task sections, no subject
    normative: bool = False                            # a law, decree, circular: provisions, not targets
    # what memo() computed, by key: each key's compute() gives one type, which the
    # store cannot say, so memo() casts back to it
    _memo: dict[tuple[Hashable, ...], object] = field(default_factory=dict)
    _sentence_memo: dict[tuple[Hashable, ...], object] = field(default_factory=dict)   # kinds in _SENTENCE_KINDS

    def memo(self, key: tuple[Hashable, ...], compute: Callable[[], _R]) -> _R:
        """``compute()`` once per key: what a sentence or heading yields is read once,
        however many values stand in it (the reader stays linear in its values).
        What is keyed by the sentence being read is forgotten at the next one
        (:meth:`next_sentence`), so the memo does not grow with the sentences."""
        store = self._sentence_memo if key[0] in _SENTENCE_KINDS else self._memo
        try:
            return cast(_R, store[key])
        except KeyError:
            got = compute()
            store[key] = got
            return got

    def next_sentence(self) -> None:
        self._sentence_memo.clear()

    def cues_of(self, block: Block) -> list[YearCue]:
        """The year cues of a heading or lead-in block, computed once per block."""
        got = self.head_cues.get(block.index)
        if got is None:
            got = self.head_cues[block.index] = find_year_cues(self.prep.flow, block.start, block.end)
        return got

    def tiers_between(self, a: int, b: int) -> list[TierSpan]:
        return self.tiers.between(a, b)


_DIGIT = regex.compile(r"\d")

_ADMIN_TIER: dict[str, Tier] = {"province": "province", "district": "district", "commune": "commune",
               "school": "school", "central": "all", "department": "all"}



def cue_before(cues: list[YearCue], pos: int) -> YearCue | None:
    """The last of ``cues`` (in text order) that stands before ``pos``."""
    i = bisect.bisect_left(cues, pos, key=lambda c: c.pos)
    return cues[i - 1] if i else None


def cue_after(cues: list[YearCue], pos: int) -> YearCue | None:
    """The first of ``cues`` that stands at or after ``pos``."""
    i = bisect.bisect_left(cues, pos, key=lambda c: c.pos)
    return cues[i] if i < len(cues) else None


def cues_between(cues: list[YearCue], a: int, b: int) -> list[YearCue]:
    i = bisect.bisect_left(cues, a, key=lambda c: c.pos)
    j = bisect.bisect_left(cues, b, key=lambda c: c.pos)
    return cues[i:j]


@functools.lru_cache(maxsize=4096)
def _scoped(cue: YearCue, source: Source) -> YearCue:
    """``cue`` as found in an outer scope; a period found there is the ``period`` scope.

    Cached (a cue is frozen): the values of one long sentence that take the
    same outer cue share one copy instead of one each."""
    if cue.period_start is not None:
        source = "period"
    return replace(cue, source=source)


_VISION_REACH = 24   # how far before a year its vision words may start ("tầm nhìn đến năm ")


def _scope_cue(ctx: _Ctx, cues: list[YearCue]) -> YearCue:
    """The due year a heading or lead-in gives what it scopes: its last year,
    but not a vision's while it names another (``Mục tiêu đến năm 2030, định
    hướng đến năm 2045`` → 2030; ``Định hướng đến năm 2035`` alone → 2035)."""
    vision = _p("vision_before")
    flow = ctx.prep.flow
    due = [c for c in cues if not vision.search(flow, max(0, c.pos - _VISION_REACH), c.pos)]
    return (due or cues)[-1]


def _is_lead(block: Block) -> bool:
    """An unnumbered paragraph or item ending with ``:`` introduces what follows."""
    return block.level >= INTRO_LEVEL and block.text.rstrip().endswith(":")


@dataclass(frozen=True)
class Lead:
    """A lead-in (``Kế hoạch đặt ra các mục tiêu đến năm 2027 như sau:``) and its scope:
    the items, sub-lists and paragraphs after it, up to the next heading of
    ``end_level`` or higher (the level of the heading it stands in) or the
    next lead-in that names a year."""
    cue: YearCue
    block: int
    end_level: float


def open_lead(ctx: _Ctx, block: Block, lead_end: regex.Pattern[str]) -> None:
    """Open the scope of ``block`` if it is a lead-in naming a due year."""
    # every year cue is written with a digit (as _sentence of the reader
    # assumes): a block without one names no due year, whatever its ending
    if _DIGIT.search(ctx.prep.flow, block.start, block.end) is None or not lead_end.search(block.text):
        return
    cues = [c for c in ctx.cues_of(block) if ctx.issue_year is None or c.year >= ctx.issue_year]
    if cues:
        parent = ctx.seg.blocks[block.parent] if block.parent is not None else None
        ctx.lead = Lead(_scope_cue(ctx, cues), block.index, parent.level if parent is not None else 4.0)


def close_lead(ctx: _Ctx, block: Block) -> None:
    """A heading of the lead's level or higher ends its scope."""
    if ctx.lead is not None and block.index > ctx.lead.block and block.level < INTRO_LEVEL \
            and block.level <= ctx.lead.end_level:
        ctx.lead = None


def _year_for(ctx: _Ctx, mention_pos: int, cues: list[YearCue], block_cues: list[YearCue],
              heads: list[Block], block: Block) -> YearCue | None:
    """The due year of a value at ``mention_pos``, along the scope chain.

    clause (a cue before the value in its sentence) → lead (an earlier
    sentence of its paragraph, a lead-in above it, the paragraph before it
    under the same parent) → heading → clause again (a cue after the value)
    → document (the title's period or single year).  ``None``: no year in reach.
    """
    before = cue_before(cues, mention_pos)
    if before is not None:
        return before

    def due(c: YearCue) -> bool:  # a past year (a result's) scopes nothing after it
        return ctx.issue_year is None or c.year >= ctx.issue_year

    in_block = [c for c in block_cues[-3:] if due(c)]
    if in_block:
        return _scoped(in_block[-1], "lead")
    lead = ctx.lead if ctx.lead is not None and ctx.lead.block < block.index else None
    for h in heads:
        if lead is not None and h.index < lead.block:
            return _scoped(lead.cue, "lead")   # the lead-in stands nearer than this heading
        hc = [c for c in ctx.cues_of(h) if due(c)]
        if hc:
            return _scoped(_scope_cue(ctx, hc), "lead" if _is_lead(h) else "heading")
    if lead is not None:
        return _scoped(lead.cue, "lead")
    # the paragraph before, under the same parent — or before a heading above
    for p in [block.parent] + [h.parent for h in heads]:
        c = ctx.carry_year.get(p)
        if c is not None and due(c):
            return _scoped(c, "lead")
    after = cue_after(cues, mention_pos)
    if after is not None:
        return after
    return ctx.document_cue


def _due_in_own_clause(ctx: _Ctx, m: Mention, nxt_start: int, cues: list[YearCue]) -> YearCue | None:
    """A due year later in the value's own clause (up to the next comma or value):
    ``ít nhất 40% địa bàn cấp xã không ma túy trong năm 2026, phấn đấu đến năm 2030 …``.
    A comma before a tier word lists the units counted (``40% xã, phường, thị
    trấn … trong năm 2026``): the clause goes on over it."""
    flow = ctx.prep.flow
    end = min(nxt_start, m.end + CLAUSE_REACH)
    clause_end = _p("clause_end")
    pos = m.end
    while (cut := clause_end.search(flow, pos, end)) is not None:   # a year after "và" dates the next value
        if cut.group() != "," or not _lists_units(ctx, cut.end(), end):
            end = cut.start()
            break
        pos = cut.end()
    cue = cue_after(cues, m.end)
    if cue is None or cue.pos >= end:
        return None
    due = _p("due_prefix")
    if due.search(flow, max(0, cue.pos - PREFIX_REACH), cue.pos) or _p("due_cue_start").match(flow, cue.pos, cue.end):
        return cue
    return None


_LIST_ITEM = 24   # how far after a comma the next unit of a list may start and end ("thị trấn", "đặc khu")


def _lists_units(ctx: _Ctx, pos: int, end: int) -> bool:
    """Does a tier word follow at ``pos`` (after spaces), so that the comma
    before it lists units rather than ending a clause?"""
    found = ctx.tiers_between(pos, min(end, pos + _LIST_ITEM))
    return bool(found) and not ctx.prep.flow[pos:found[0].start].strip()
