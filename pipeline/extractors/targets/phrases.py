"""Noun phrases around a value: what is counted, and which tiers it names."""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING
from collections.abc import Iterable

import regex

from ...models import Sector, Tier
from ...nlp import TierSpan
from ...segment import Block
from ...spelling import respell
from .common import LETTER, _dedupe, _p
from .mentions import Mention, _paren_spans
from .vocab import indicators_in, sector_of, sectors_in

_FIRST_WORD = regex.compile(r"[^\s,;]+\s*")
_PAREN_REACH = 400   # how far after a position a bracket around it is looked for

if TYPE_CHECKING:
    from .scope import _Ctx


def _starts_noun_phrase(after: str) -> bool:
    """Does the text after a value name what is counted (``40% thư viện phường``)?

    Not when it goes on with a connector (``(năm 2025) và``, ``mỗi năm``) or
    with a verb (``đạt 100% xây dựng chương trình …``): then the tier and
    subject stand before the value.
    """
    rest = _skip_after(after)
    if _p("after_value_connector").match(rest):
        return False
    return not _p("np_boundary").match(rest.lstrip())


def _all_bare(ctx: _Ctx, mentions: list[Mention], e: int) -> bool:
    flow = ctx.prep.flow
    for k, m in enumerate(mentions):
        nxt = mentions[k + 1].start if k + 1 < len(mentions) else e
        after = flow[m.end:nxt]
        if _starts_noun_phrase(after):
            return False
        if k + 1 < len(mentions) and len(after.split()) > 2:
            return False
    return True


def _skip_after(after: str) -> str:
    m = _p("after_value_skip").match(after)
    return after[m.end():] if m else after


def _np_span(flow: str, start: int, limit: int) -> tuple[int, int]:
    """The noun phrase after a value: up to its predicate verb."""
    skip = _p("after_value_skip").match(flow[start:limit])
    if skip:
        start += skip.end()
    while start < limit and flow[start] in " \t:":
        start += 1
    boundary = _p("np_boundary")
    # the first word is never a boundary ("tổ chức" as a noun: "60% các tổ chức")
    first = _FIRST_WORD.match(flow[start:limit])
    search_from = start + (first.end() if first else 0)
    # skip parenthesised stretches when looking for the boundary
    pos = search_from
    end = limit
    while pos < limit:
        m = boundary.search(flow, pos, limit)
        if not m:
            break
        depth = flow.count("(", start, m.start()) - flow.count(")", start, m.start())
        quotes = flow.count("“", start, m.start()) - flow.count("”", start, m.start())
        if depth <= 0 and quotes <= 0:
            end = m.start()
            break
        pos = m.end()
    return start, end


def _np_tiers(ctx: _Ctx, a: int, b: int) -> list[Tier]:
    """Tiers named by the noun phrase ``flow[a:b]``.

    A phrase naming people (``người dân ở khu vực nông thôn``, ``học sinh,
    sinh viên … tại các cơ sở giáo dục``) yields only an area tier or a level
    word (``công chức cấp xã``), never the institutions they use.  Otherwise the phrase is split into groups at
    commas, ``và``, ``hoặc`` (outside parentheses and tier phrases); a group
    that names no tier (``cơ quan/đơn vị/trường học``) adds ``all``.
    """
    flow = ctx.prep.flow
    spans = [t for t in ctx.tiers_between(a, b) if not _in_excluded_paren(flow, a, t.start)]
    head = flow[a:b].strip(" ,.;:…")
    if _p("person_head").match(head):
        # people: only an area, or a level of government named as such
        # ("cán bộ, công chức cấp xã" → commune), never the institutions they use
        level = _p("level_word")
        if _p("staff_head").match(head):
            # staff belong to the level of the institution they work in
            # ("người làm công tác thư viện tại thư viện cơ sở" → commune)
            return _dedupe(t.tier for t in spans) or ["all"]
        return _dedupe(t.tier for t in spans if t.area or level.match(t.text)) or ["all"]
    cuts: list[tuple[int, int]] = []
    depth = 0
    for m in _p("group_cut").finditer(flow[a:b]):
        tok = m.group(0)
        pos = a + m.start()
        if tok == "(":
            depth += 1
        elif tok == ")":
            depth = max(0, depth - 1)
        elif depth == 0 and not any(t.start <= pos < t.end for t in spans):
            cuts.append((pos, a + m.end()))
    bounds = [a] + [c for cut in cuts for c in cut] + [b]
    out: list[Tier] = []
    unmapped = False
    unit = _p("unit_noun")
    for gi, (ga, gb) in enumerate(zip(bounds[0::2], bounds[1::2], strict=True)):
        gtext = flow[ga:gb].strip(" ,.;:…")
        if not LETTER.search(gtext):
            continue
        gspans = [t for t in spans if ga <= t.start < gb]
        inst = [t.tier for t in gspans if not t.area]
        lead = flow[ga:gspans[0].start].strip(" ,.;:…") if gspans else ""
        if inst and "/" in gtext and lead and unit.match(lead):
            # "cơ quan/đơn vị/trường học": units of every kind, one of which is a tier
            unmapped = True
        elif inst:
            out.extend(inst)
        elif gspans:
            out.extend(t.tier for t in gspans)
        elif gi == 0 or unit.match(gtext):
            # a unit that is no tier (cơ quan/đơn vị); later bare words
            # ("đồng bằng") only qualify the group before them
            unmapped = True
    if unmapped:
        out.append("all")
    return _dedupe(out) or ["all"]


def _in_excluded_paren(flow: str, a: int, pos: int) -> bool:
    """Is ``pos`` inside a parenthesis like ``(gồm thư viện tỉnh, …)``?"""
    for pa, pb, inner in _paren_spans(flow, a, min(len(flow), pos + _PAREN_REACH)):
        if pa < pos < pb and _p("paren_not_value").match(inner):
            return True
    return False


def _tier_list(spans: Iterable[TierSpan]) -> list[Tier]:
    spans = list(spans)
    inst = [t.tier for t in spans if not t.area]
    return _dedupe(inst or [t.tier for t in spans])



def _heading_tiers(ctx: _Ctx, heads: list[Block]) -> list[Tier]:
    for h in heads:
        if h.level < 3:  # section titles name no tier of their own
            break
        spans = ctx.tiers_between(h.body_start, h.end)
        if h.marker is None:
            # a lead-in paragraph names its territory ("huyện phấn đấu …:"); only a
            # level named as such ("Đối với cấp huyện:") is the tier of what follows
            level = _p("level_word")
            spans = [t for t in spans if level.match(t.text)]
        t = _tier_list(spans)
        if t:
            return t
    return []


def _is_person(subject: str | None) -> bool:
    """Does the subject name people (``tỷ lệ người dân …``, ``số dân vùng đô thị``)?"""
    if not subject:
        return False
    head = _p("measure_prefix").sub("", subject)
    return bool(_p("person_head").match(head))


def _heading_indicators(ctx: _Ctx, heads: list[Block], growth: bool, person: bool = False) -> list[str]:
    for h in heads:
        def read(h: Block = h) -> list[str]:
            return indicators_in(h.text, growth or bool(_p("growth_verb").search(h.text)), person)

        inds = ctx.memo(("head_inds", h.index, growth, person), read)
        if inds:
            return inds
    return []


def _earlier_sentence_indicators(ctx: _Ctx, block: Block, s: int, growth: bool, person: bool) -> list[str]:
    """The indicators of the first sentence of ``block`` that names one, if it stands before ``s``."""
    flow = ctx.prep.flow

    def first() -> tuple[int, list[str]]:
        for ps, pe in block.sentences:
            inds = indicators_in(flow[ps:pe], growth, person)
            if inds:
                return ps, inds
        return len(flow), []

    ps, inds = ctx.memo(("block", block.index, growth, person), first)
    return inds if ps < s else []


def _sector_for(ctx: _Ctx, inds: list[str], own: str, sentence: str, heads: list[Block],
                span: tuple[int, int] | None = None) -> Sector:
    for i in inds:
        s = sector_of(i)
        if s:
            return s
    secs = sectors_in(own)
    if secs:
        return secs[0]
    key = ("sectors", span) if span is not None else None
    secs = ctx.memo(key, lambda: sectors_in(sentence)) if key else sectors_in(sentence)
    if secs:
        return secs[0]
    for h in heads:
        secs = ctx.memo(("sectors_h", h.index), functools.partial(sectors_in, h.text))
        if secs:
            return secs[0]
    return "other"


def _indicators_for(ctx: _Ctx, text: str, heads: list[Block], growth: bool) -> list[str]:
    return indicators_in(text, growth) or _heading_indicators(ctx, heads, growth) or ["other"]


def _strip_cues(text: str) -> str:
    """``text`` without the target words it opens with, read through its
    spelling variants (``Phần đầu`` for ``Phấn đấu``) and cut as written."""
    m = _p("subject_cue_words").match(respell(text))
    return text[m.end():] if m else text


def _names_something(subject: str) -> bool:
    """Does a subject written before a value name something beyond connectors,
    periods and growth words (``/năm giai đoạn 2023 - 2025 và`` names nothing)?"""
    rest = _p("year_period_phrase").sub(" ", subject)
    rest = _p("value_connectors").sub(" ", rest)
    rest = _p("growth_after").sub(" ", rest.lstrip())
    return len([w for w in rest.split() if LETTER.search(w)]) >= 2
