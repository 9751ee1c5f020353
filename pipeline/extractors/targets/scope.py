"""The scope a value is read in: the extraction context and the chain of scopes
(clause → lead → heading → period → document) that fills a value's year."""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Optional

from ...models import Target
from ...nlp import TierSpan
from ...segment import Block, Segmented
from ...text import PreparedText
from .years import YearCue, find_year_cues


@dataclass
class _Slot:
    tiers: list[str]
    indicators: list[str]
    sector: str
    subject: Optional[str]
    cue: Optional["YearCue"] = None
    first_in_segment: bool = False


@dataclass
class _Ctx:
    prep: PreparedText
    seg: Segmented
    tiers: list[TierSpan]
    tier_starts: list[int]
    default_tier: str
    targets: list[Target] = field(default_factory=list)
    seen: set = field(default_factory=set)
    carry_year: dict = field(default_factory=dict)    # parent index -> YearCue
    last_slots: list[_Slot] = field(default_factory=list)
    no_year: list[str] = field(default_factory=list)   # evidence of values with no due year

    def tiers_between(self, a: int, b: int) -> list[TierSpan]:
        i = bisect.bisect_left(self.tier_starts, a)
        out = []
        while i < len(self.tiers) and self.tiers[i].start < b:
            if self.tiers[i].end <= b:
                out.append(self.tiers[i])
            i += 1
        return out


_ADMIN_TIER = {"province": "province", "district": "district", "commune": "commune",
               "school": "school", "central": "all", "department": "all"}



def _year_for(ctx: _Ctx, mention_pos: int, cues: list[YearCue], block_cues: list[YearCue],
              heads: list[Block], block: Block) -> Optional[YearCue]:
    before = [c for c in cues if c.pos < mention_pos]
    if before:
        return before[-1]
    if block_cues:
        return block_cues[-1]
    for h in heads:
        hc = find_year_cues(ctx.prep.flow, h.start, h.end)
        if hc:
            return hc[-1]
    c = ctx.carry_year.get(block.parent)
    if c is not None:
        return c
    after = [c for c in cues if c.pos >= mention_pos]
    if after:
        return after[0]
    return None
