"""Quantitative targets: value, year, tier, indicator — tied to their sentence.

How officials write targets, and how each form is read:

* value then year, tier before the value:
  ``cấp huyện đạt 50% (năm 2025) và đạt 70% (năm 2030)``;
* year then a list over tiers, tier after the value:
  ``Đến năm 2025: Thư viện quận; 40% thư viện phường; …`` (a bare
  ``Thư viện quận`` is an *implied* 100);
* year-labelled items under a heading that names the indicator/tier:
  ``a) … có cung cấp dịch vụ …:`` / ``- Năm 2025: đạt 80%.``;
* one value list for earlier slots: ``Đến năm 2030, đạt 100%, 90% … các chỉ
  tiêu tương ứng`` / ``lần lượt đạt 40% và 60%``;
* growth ``tăng bình quân 5 - 10% mỗi năm``, ratios ``8/8 huyện``, counts
  ``trung bình đọc 4 cuốn sách/năm``, bounds ``dưới 24%``.

The year comes from the value's own clause, else earlier in its sentence or
block, else the nearest heading, else the paragraphs before it under the
same parent.  Tier and indicator come from the value's clause, else its
sentence, else its headings.  All regexes are in ``rules/values.yaml``,
``rules/indicators.yaml``, ``rules/sectors.yaml``; tier phrases are spaCy
token patterns in ``rules/tiers.yaml``.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Iterable, Optional

import regex

from .. import rules
from ..models import CellRef, Evidence, Target
from ..nlp import TierIndex, TierSpan, find_tiers, tier_index
from ..segment import Block, Segmented
from ..text import PreparedText, fold

__all__ = ["extract_targets"]

_I = regex.IGNORECASE


def _p(rule_id: str, file: str = "values") -> "regex.Pattern[str]":
    return rules.compile_pattern(file, rule_id, _I)


# ----------------------------------------------------------------------------
# value mentions


@dataclass
class Mention:
    start: int              # offsets in flow
    end: int
    value: float
    value_max: Optional[float]
    kind: str               # percent | ratio | count
    unit_text: str = ""


def _num(s: str) -> Optional[float]:
    s = s.strip()
    if regex.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", s):
        s = s.replace(".", "").replace(",", ".")
    else:
        s = s.replace(",", ".")
    try:
        return float(s)
    except ValueError:
        return None


def _paren_spans(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Parenthesised stretches inside ``text[start:end]`` (one level)."""
    out = []
    depth = 0
    open_at = -1
    for i in range(start, end):
        c = text[i]
        if c == "(":
            if depth == 0:
                open_at = i
            depth += 1
        elif c == ")" and depth:
            depth -= 1
            if depth == 0:
                out.append((open_at, i + 1, text[open_at + 1:i]))
    return out


_EXCLUDED_PAREN = regex.compile(r"^\s*(?:gồm|bao\s+gồm|trong\s+đó|tức\s+là|tương\s+đương|chiếm|so\s+với|tăng|giảm)", _I)


def find_mentions(flow: str, start: int, end: int) -> list[Mention]:
    text = flow
    taken: list[tuple[int, int]] = []
    out: list[Mention] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    excluded = [(a, b) for a, b, inner in _paren_spans(text, start, end)
                if _EXCLUDED_PAREN.match(inner)]

    def in_excluded(pos: int) -> bool:
        return any(a <= pos < b for a, b in excluded)

    for m in _p("percent_range").finditer(text, start, end):
        lo, hi = _num(m.group("lo")), _num(m.group("hi"))
        if lo is None or hi is None or not (lo < hi <= 1000) or in_excluded(m.start()):
            continue
        out.append(Mention(m.start(), m.end(), lo, hi, "percent"))
        taken.append((m.start(), m.end()))
    for m in _p("percent").finditer(text, start, end):
        if not free(m.start(), m.end()) or in_excluded(m.start()):
            continue
        v = _num(m.group("lo"))
        if v is None or v > 1000:
            continue
        out.append(Mention(m.start(), m.end(), v, None, "percent"))
        taken.append((m.start(), m.end()))
    not_before_ratio = _p("ratio_not_target")
    for m in _p("ratio").finditer(text, start, end):
        if not free(m.start(), m.end()) or in_excluded(m.start()):
            continue
        num, den = int(m.group("num")), int(m.group("den"))
        if den < 2 or num > den:
            continue
        if not_before_ratio.search(text[max(start, m.start() - 12):m.start()]):
            continue
        out.append(Mention(m.start(), m.end(), round(100.0 * num / den, 2), None, "ratio"))
        taken.append((m.start(), m.end()))
    bad_unit = _p("count_unit_not_target")
    for m in _p("count").finditer(text, start, end):
        s, e = m.start("lo"), (m.end("hi") if m.group("hi") else m.end("lo"))
        if not free(s, e) or in_excluded(s):
            continue
        unit = m.group("unit") or ""
        if bad_unit.match(unit):
            continue
        lo = _num(m.group("lo"))
        hi = _num(m.group("hi")) if m.group("hi") else None
        if lo is None or (1900 <= lo <= 2100 and float(lo).is_integer()):
            continue
        if hi is not None and hi <= lo:
            hi = None
        unit_end = min(end, m.end("unit"))
        out.append(Mention(s, unit_end, lo, hi, "count", unit))
        taken.append((s, e))
    out.sort(key=lambda m: m.start)
    return out


# ----------------------------------------------------------------------------
# years


@dataclass(frozen=True)
class YearCue:
    pos: int
    end: int
    year: int
    period_start: Optional[int]


def _quote_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    for m in regex.finditer(r"“[^”\n]{0,400}”|\"[^\"\n]{0,400}\"", text[start:end]):
        spans.append((start + m.start(), start + m.end()))
    return spans


def find_year_cues(flow: str, start: int, end: int) -> list[YearCue]:
    quotes = _quote_spans(flow, start, end)
    not_cue = _p("year_not_cue")
    cues: list[YearCue] = []
    covered: list[tuple[int, int]] = []
    for m in _p("year_period").finditer(flow, start, end):
        if any(a <= m.start() < b for a, b in quotes):
            continue
        s0, y = int(m.group("start")), int(m.group("year"))
        if s0 < y:
            cues.append(YearCue(m.start(), m.end(), y, s0))
            covered.append((m.start(), m.end()))
    label = _p("year_period_label").match(flow[start:end])
    if label:
        s0, y = int(label.group("start")), int(label.group("year"))
        if s0 < y:
            cues.append(YearCue(start + label.start("start"), start + label.end(), y, s0))
            covered.append((start, start + label.end()))
    for m in _p("year_cue").finditer(flow, start, end):
        if any(a <= m.start() < b for a, b in covered + quotes):
            continue
        before = flow[max(start, m.start() - 20):m.start()]
        if not_cue.search(before):
            continue
        # "giai đoạn 2021 - năm 2025" style periods are not due years
        if regex.search(r"giai\s+đoạn\s*(?:\d{4}\s*[-–]\s*)?$", before, _I):
            continue
        cues.append(YearCue(m.start(), m.end(), int(m.group("year")), None))
    cues.sort(key=lambda c: c.pos)
    return cues


# ----------------------------------------------------------------------------
# indicators, sectors


@functools.lru_cache(maxsize=1)
def _indicator_rules() -> list[tuple[dict, "regex.Pattern[str]"]]:
    rf = rules.load("indicators")
    return [(r, rules.compile_pattern("indicators", r["id"], _I)) for r in rf.rules]


@functools.lru_cache(maxsize=1)
def _sector_rules() -> list[tuple[dict, "regex.Pattern[str]"]]:
    rf = rules.load("sectors")
    return [(r, rules.compile_pattern("sectors", r["id"], _I)) for r in rf.rules]


def sectors_in(text: str) -> list[str]:
    found = []
    for r, p in _sector_rules():
        m = p.search(text)
        if m:
            found.append((m.start(), r["sector"]))
    return [s for _, s in sorted(found)]


def indicators_in(text: str, growth: bool, person: bool = False) -> list[str]:
    """Indicator codes whose pattern (and needed sector word) occur in ``text``.

    ``person``: the value is a share of people (``30% người dân …``), so the
    indicators that count institutions (``counts_units``) do not apply.
    """
    secs = set(sectors_in(text))
    out = []
    for r, p in _indicator_rules():
        if person and r.get("counts_units"):
            continue
        if r.get("growth") and not growth:
            continue
        if not r.get("growth") and growth and r["id"] in ("lib.digital",):
            continue
        need = r.get("needs")
        if need and need not in secs:
            continue
        req = r.get("requires")
        if req and not regex.search(req, text, _I):
            continue
        if p.search(text):
            out.append(r["id"])
    # growth indicators win over the others when the value is a growth rate
    if growth and any(i.endswith("_growth") for i in out):
        out = [i for i in out if i.endswith("_growth")]
    if not growth:
        out = [i for i in out if not i.endswith("_growth")]
    return out


def sector_of(indicator: str) -> Optional[str]:
    for r, _ in _indicator_rules():
        if r["id"] == indicator:
            return r["sector"]
    return None


# ----------------------------------------------------------------------------
# the extractor


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
    tiers: TierIndex        # found block by block, when first asked for
    default_tier: str
    targets: list[Target] = field(default_factory=list)
    seen: set = field(default_factory=set)
    carry_year: dict = field(default_factory=dict)    # parent index -> YearCue
    last_slots: list[_Slot] = field(default_factory=list)
    no_year: list[str] = field(default_factory=list)   # evidence of values with no due year

    def tiers_between(self, a: int, b: int) -> list[TierSpan]:
        return self.tiers.between(a, b)


_ADMIN_TIER = {"province": "province", "district": "district", "commune": "commune",
               "school": "school", "central": "all", "department": "all"}


def extract_targets(prep: PreparedText, seg: Segmented, admin_level: Optional[str] = None,
                    tables: Optional[list] = None,
                    issue_year: Optional[int] = None) -> tuple[list[Target], list[str]]:
    """All targets of a document, and warnings about values left out.

    ``tables`` (the loader's tables, cell offsets in the raw text) are read
    cell by cell; their rows are not read again as prose.  A value due before
    the year the document was issued (``issue_year``) is a past result, not a
    target: it is left out with a warning.
    """
    flow = prep.flow
    ctx = _Ctx(prep=prep, seg=seg, tiers=tier_index(seg),
               default_tier=_ADMIN_TIER.get(admin_level or "", "all"))
    warnings: list[str] = []
    elision = _p("elision")
    nontarget_heading = _p("not_target_heading")
    blocks = seg.blocks
    table_blocks: set[int] = set()
    if tables:
        for t in tables:
            for row in t.rows:
                for c in row:
                    b = seg.block_at(prep.from_raw(c.start))
                    if b is not None:
                        table_blocks.add(b.index)
    for bi, block in enumerate(blocks):
        if bi in table_blocks:
            continue
        heads = [blocks[i] for i in seg.ancestors(bi)]
        if any(nontarget_heading.search(h.text) and h.level < 6 for h in heads):
            continue
        sentences = list(block.sentences)
        nxt = blocks[bi + 1] if bi + 1 < len(blocks) else None
        if nxt is not None and elision.match(nxt.text) and sentences:
            s, e = sentences[-1]
            if flow[e - 1] not in ".!?;:”\"":
                sentences = sentences[:-1]  # cut off by the elision
        block_cues: list[YearCue] = []
        for si, (s, e) in enumerate(sentences):
            if si == 0 and block.marker:
                s = max(s, block.body_start)
            _sentence(ctx, block, heads, s, e, block_cues, warnings)
        if block_cues:
            ctx.carry_year[block.parent] = block_cues[-1]
    if tables:
        for t in table_targets(prep, seg, tables, admin_level, prep.from_raw):
            key = (t.indicator, t.tier, t.year, t.value, t.value_max, t.unit,
                   fold(t.subject or "") if t.indicator == "other" else "")
            if key not in ctx.seen:
                ctx.seen.add(key)
                ctx.targets.append(t)
    targets = ctx.targets
    if ctx.no_year:
        warnings.append(f"{len(ctx.no_year)} value(s) with no year they are due left out "
                        f"(e.g. {ctx.no_year[0]!r})")
    if issue_year is not None:
        past = [t for t in targets if t.year < issue_year]
        if past:
            targets = [t for t in targets if t.year >= issue_year]
            warnings.append(f"{len(past)} value(s) due before the issue year {issue_year} read as past "
                            f"results, not targets (e.g. {past[0].evidence.text[:80]!r})")
    return targets, warnings


def _split_segments(flow: str, s: int, e: int) -> list[tuple[int, int]]:
    """Split a sentence at ';' outside parentheses and quotes."""
    segs = []
    depth = 0
    inq = False
    last = s
    for i in range(s, e):
        c = flow[i]
        if c == "(":
            depth += 1
        elif c == ")" and depth:
            depth -= 1
        elif c in "“”\"":
            inq = (c == "“") or (c == "\"" and not inq)
            if c == "”":
                inq = False
        elif c == ";" and depth == 0 and not inq:
            segs.append((last, i))
            last = i + 1
    segs.append((last, e))
    return [(a, b) for a, b in segs if flow[a:b].strip()]


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


def _sentence(ctx: _Ctx, block: Block, heads: list[Block], s: int, e: int,
              block_cues: list[YearCue], warnings: list[str]) -> None:
    flow = ctx.prep.flow
    cues = find_year_cues(flow, s, e)
    mentions = find_mentions(flow, s, e)
    if not mentions:
        mentions = _bare_number_item(flow, s, e, heads)
    segments = _split_segments(flow, s, e)
    sent_slots: list[_Slot] = []
    for a, b in segments:
        seg_mentions = [m for m in mentions if a <= m.start < b]
        if not seg_mentions:
            _implied(ctx, block, heads, s, e, a, b, mentions, cues, block_cues)
            continue
        if _respectively(ctx, block, heads, s, e, a, b, seg_mentions, cues, block_cues):
            continue
        slots = _segment(ctx, block, heads, s, e, a, b, seg_mentions, cues, block_cues, sent_slots)
        if slots:
            ctx.last_slots = slots
            sent_slots.extend(slots)
    block_cues.extend(cues)


def _bare_number_item(flow: str, s: int, e: int, heads: list[Block]) -> list[Mention]:
    """``- Năm 2025: 85.`` under a heading that carries the unit (``Tỷ lệ … (%):``)."""
    m = _p("bare_number_item").match(flow[s:e])
    if not m or not heads:
        return []
    head = heads[0].text
    if "%" not in head and not regex.search(r"tỷ\s+lệ", head, _I):
        return []
    v = _num(m.group("lo"))
    hi = _num(m.group("hi")) if m.group("hi") else None
    if v is None or v > 100 or (hi is not None and (hi <= v or hi > 100)):
        return []
    end = s + (m.end("hi") if m.group("hi") else m.end("lo"))
    return [Mention(s + m.start("lo"), end, v, hi, "percent")]


def _respectively(ctx: _Ctx, block: Block, heads: list[Block], s: int, e: int, a: int, b: int,
                  mentions: list[Mention], cues: list[YearCue], block_cues: list[YearCue]) -> bool:
    """``lần lượt đạt 40% và 60%`` / ``đạt 100%, 90%, 60% … các chỉ tiêu tương ứng``.

    Bare values are mapped in order onto the tiers named before them in the
    same segment, else onto the value slots of the previous segment or
    sentence.  Returns whether the segment was read that way.
    """
    flow = ctx.prep.flow
    seg_text = flow[a:b]
    if len(mentions) < 2 or not _p("respectively").search(seg_text) or not _all_bare(ctx, mentions, b):
        return False
    pre_tiers = _tier_list(ctx.tiers_between(a, mentions[0].start))
    if len(pre_tiers) == len(mentions):
        inds = _indicators_for(ctx, flow[s:e], heads, False, block)
        slots = [_Slot([t], inds, "", None) for t in pre_tiers]
    elif len(ctx.last_slots) == len(mentions):
        slots = ctx.last_slots
    else:
        return False
    for m, slot in zip(mentions, slots):
        cue = _year_for(ctx, m.start, cues, block_cues, heads, block)
        _emit(ctx, m, slot.tiers or ["all"], slot.indicators or ["other"], slot.sector,
              slot.subject, cue, s, e, flow[s:e], heads, block, False)
    ctx.last_slots = slots
    return True


@dataclass
class _Read:
    """One value of a segment, as read before indicators are chosen."""
    m: Mention
    post: bool
    tiers: list[str]
    subject: Optional[str]
    own: str
    growth: bool
    cue: Optional[YearCue]
    inherited: Optional[_Slot] = None


def _segment(ctx: _Ctx, block: Block, heads: list[Block], s: int, e: int, a: int, b: int,
             seg_mentions: list[Mention], cues: list[YearCue], block_cues: list[YearCue],
             sent_slots: list[_Slot]) -> list[_Slot]:
    """Read the values of one ``;``-separated segment of a sentence.

    ``sent_slots`` are the values read so far in the same sentence: a bare
    ``năm 2025: 70%`` takes the subject of the one before it, and bare
    ``đạt 30% và 20%`` after ``20% số dân ở đô thị và 10% số dân ở nông
    thôn;`` map onto those two slots in order.
    """
    flow = ctx.prep.flow
    not_target = _p("not_target_context")
    sentence_text = flow[s:e]
    seg_cues = [c for c in cues if a <= c.pos < b]
    prev_seg_first = next((x.cue for x in reversed(sent_slots) if x.first_in_segment), None)
    reads: list[_Read] = []
    prev_tiers: list[str] = []
    for k, m in enumerate(seg_mentions):
        nxt_start = seg_mentions[k + 1].start if k + 1 < len(seg_mentions) else b
        prev_end = seg_mentions[k - 1].end if k > 0 else a
        if not_target.search(flow[max(a, m.start - 60):m.start]):
            continue
        after = flow[m.end:nxt_start]
        growth = m.kind == "percent" and (
            bool(_p("growth_after").match(after))
            or bool(_p("growth_before").search(flow[max(a, m.start - 40):m.start])))
        post = m.kind != "count" and _starts_noun_phrase(after)
        if post:
            np_start, np_end = _np_span(flow, m.end, nxt_start)
            tiers = _np_tiers(ctx, np_start, np_end)
            subject = _clean(flow[np_start:nxt_start])
            own = flow[np_start:b]
        elif m.kind == "count":
            subject = _clean(flow[a:m.end])
            own = flow[a:b]
            each = regex.search(r"\b(?:mỗi|từng)\s", flow[a:m.start], _I)
            tiers = _tier_list(ctx.tiers_between(a + each.end(), m.start)) if each else []
            each_after = regex.search(r"\b(?:mỗi|từng)\s", flow[m.end:nxt_start], _I)
            if not tiers and each_after:
                tiers = _tier_list(ctx.tiers_between(m.end + each_after.end(), nxt_start))[:1]
            tiers = tiers or ["all"]
        else:
            tiers = _tier_list(ctx.tiers_between(prev_end, m.start))
            if not tiers and k > 0 and reads:
                tiers = prev_tiers
            subject = _clean(_strip_cues(flow[prev_end if k else a:m.start]))
            own = flow[a:b]
        # the year: right after the value, else the nearest before it in the
        # segment, else the one the previous segment of the sentence began
        # with (parallel lists: "đạt 60% và đến năm 2030 đạt 80% X; đạt 50% …")
        cue = _year_after(after, m.end)
        if cue is None:
            before = [c for c in seg_cues if c.pos < m.start]
            if before:
                cue = before[-1]
            elif prev_seg_first is not None:
                cue = prev_seg_first
            else:
                cue = _year_for(ctx, m.start, cues, block_cues, heads, block)
        reads.append(_Read(m, post, tiers, subject, own, growth, cue))
        prev_tiers = tiers

    # bare values (no tier, no subject of their own)
    def bare(r: _Read) -> bool:
        return not r.post and r.m.kind != "count" and not r.tiers and not r.subject

    if len(reads) >= 2 and all(bare(r) for r in reads) and len(sent_slots) >= len(reads) \
            and not _has_words_between(flow, reads):
        # "đạt 30% và 20% tham gia …" after "20% số dân ở đô thị và 10% số dân ở nông thôn;"
        for r, slot in zip(reads, sent_slots[-len(reads):]):
            r.inherited = slot
    else:
        for k, r in enumerate(reads):
            if not bare(r):
                continue
            later = next((x for x in reads[k + 1:] if x.post), None)
            if later is not None:
                # "đạt 60% và đến năm 2030 đạt 80% bảo tàng …": one subject for both
                r.tiers, r.subject = later.tiers, later.subject
            elif k == 0 and sent_slots and not _has_words_after(flow, r.m.end, b):
                r.inherited = sent_slots[-1]

    seg_has_pred = bool(reads) and reads[-1].post and _np_span(flow, reads[-1].m.end, b)[1] < b
    sent_growth = bool(regex.search(r"tăng\s+(?:bình\s+quân|trung\s+bình)", sentence_text, _I))
    slots: list[_Slot] = []
    for r in reads:
        if r.inherited is not None:
            tiers, inds, sector, subject = (r.inherited.tiers, r.inherited.indicators,
                                            r.inherited.sector, r.inherited.subject)
        else:
            tiers = r.tiers or _heading_tiers(ctx, heads) or ["all"]
            subject = r.subject
            person = _is_person(subject)
            inds = indicators_in(r.own, r.growth, person)
            own_pred = seg_has_pred or r.m.kind == "count"
            if not inds and not own_pred:
                inds = indicators_in(sentence_text, r.growth or (sent_growth and r.m.kind == "percent"), person)
            if not inds and not own_pred:
                for ps, pe in block.sentences:
                    if ps < s:
                        inds = indicators_in(flow[ps:pe], r.growth, person)
                        if inds:
                            break
            if not inds:
                inds = _heading_indicators(ctx, heads, r.growth, person)
            inds = inds or ["other"]
            sector = _sector_for(ctx, inds, r.own, sentence_text, heads)
        slots.append(_Slot(tiers, inds, sector, subject, r.cue, first_in_segment=not slots))
        _emit(ctx, r.m, tiers, inds, sector, subject, r.cue, s, e, sentence_text, heads, block,
              False, growth=r.growth)
    return slots


def _has_words_between(flow: str, reads: list["_Read"]) -> bool:
    """Is there more than connectors (``và``, ``,``, ``đạt``) between the values?"""
    for x, y in zip(reads, reads[1:]):
        gap = flow[x.m.end:y.m.start]
        if regex.search(r"\p{L}", regex.sub(r"\b(?:và|đạt|hoặc|là)\b", "", gap, flags=_I)):
            return True
    return False


def _has_words_after(flow: str, start: int, end: int) -> bool:
    rest = _skip_after(flow[start:end])
    rest = regex.sub(r"^\s*(?:/\s*năm|mỗi\s+năm|hằng\s+năm|\(\s*năm\s+\d{4}\s*\))", "", rest, flags=_I)
    return bool(regex.search(r"\p{L}", rest))


def _year_after(after: str, pos: int) -> Optional[YearCue]:
    """A due year written right after the value: ``(năm 2025)``, ``vào năm 2030``,
    ``/năm giai đoạn 2026 - 2030``."""
    m = _p("year_paren").match(after)
    if m:
        return YearCue(pos, pos + m.end(), int(m.group("year") or m.group("year2")), None)
    m = _p("period_after").match(after)
    if m and int(m.group("start")) < int(m.group("year")):
        return YearCue(pos, pos + m.end(), int(m.group("year")), int(m.group("start")))
    return None


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
    first = regex.match(r"[^\s,;]+\s*", flow[start:limit])
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


def _np_tiers(ctx: _Ctx, a: int, b: int) -> list[str]:
    """Tiers named by the noun phrase ``flow[a:b]``.

    A phrase naming people (``người dân ở khu vực nông thôn``, ``học sinh,
    sinh viên … tại các cơ sở giáo dục``) yields only an area tier, never the
    institutions they use.  Otherwise the phrase is split into groups at
    commas, ``và``, ``hoặc`` (outside parentheses and tier phrases); a group
    that names no tier (``cơ quan/đơn vị/trường học``) adds ``all``.
    """
    flow = ctx.prep.flow
    spans = [t for t in ctx.tiers_between(a, b) if not _in_excluded_paren(flow, a, t.start)]
    head = flow[a:b].strip(" ,.;:…")
    if _p("person_head").match(head):
        return _dedupe(t.tier for t in spans if t.area) or ["all"]
    cuts: list[tuple[int, int]] = []
    depth = 0
    for m in regex.finditer(r"[()]|,|\s(?:và|hoặc)\s", flow[a:b]):
        tok = m.group(0)
        pos = a + m.start()
        if tok == "(":
            depth += 1
        elif tok == ")":
            depth = max(0, depth - 1)
        elif depth == 0 and not any(t.start <= pos < t.end for t in spans):
            cuts.append((pos, a + m.end()))
    bounds = [a] + [c for cut in cuts for c in cut] + [b]
    out: list[str] = []
    unmapped = False
    unit = _p("unit_noun")
    for gi, (ga, gb) in enumerate(zip(bounds[0::2], bounds[1::2])):
        gtext = flow[ga:gb].strip(" ,.;:…")
        if not regex.search(r"\p{L}", gtext):
            continue
        gspans = [t for t in spans if ga <= t.start < gb]
        inst = [t.tier for t in gspans if not t.area]
        if inst:
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
    for pa, pb, inner in _paren_spans(flow, a, min(len(flow), pos + 400)):
        if pa < pos < pb and _EXCLUDED_PAREN.match(inner):
            return True
    return False


def _tier_list(spans: Iterable[TierSpan]) -> list[str]:
    spans = list(spans)
    inst = [t.tier for t in spans if not t.area]
    return _dedupe(inst or [t.tier for t in spans])


def _dedupe(xs: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for x in xs:
        if x not in seen:
            seen.append(x)
    return seen


def _heading_tiers(ctx: _Ctx, heads: list[Block]) -> list[str]:
    for h in heads:
        if h.level < 3:  # section titles name no tier of their own
            break
        t = _tier_list(ctx.tiers_between(h.body_start, h.end))
        if t:
            return t
    return []


def _is_person(subject: Optional[str]) -> bool:
    """Does the subject name people (``tỷ lệ người dân …``, ``số dân vùng đô thị``)?"""
    if not subject:
        return False
    head = regex.sub(r"^(?:tỷ\s+lệ|số\s+lượng|tổng\s+số)\s+", "", subject, flags=_I)
    return bool(_p("person_head").match(head))


def _heading_indicators(ctx: _Ctx, heads: list[Block], growth: bool, person: bool = False) -> list[str]:
    for h in heads:
        inds = indicators_in(h.text, growth or bool(regex.search(r"tăng", h.text, _I)), person)
        if inds:
            return inds
    return []


def _sector_for(ctx: _Ctx, inds: list[str], own: str, sentence: str, heads: list[Block]) -> str:
    for i in inds:
        s = sector_of(i)
        if s:
            return s
    for text in [own, sentence] + [h.text for h in heads]:
        secs = sectors_in(text)
        if secs:
            return secs[0]
    return "other"


def _indicators_for(ctx: _Ctx, text: str, heads: list[Block], growth: bool, block: Block) -> list[str]:
    return indicators_in(text, growth) or _heading_indicators(ctx, heads, growth) or ["other"]


_CUE_WORDS = regex.compile(
    r"^(?:[\s,:;.\-–]|phấn\s+đấu|phần\s+đầu|phân\s+đầu|mục\s+tiêu(?:\s+cụ\s+thể|\s+chung|\s+chủ\s+yếu)?"
    r"|đến\s+năm\s+\d{4}|năm\s+\d{4}|đến|đạt|là|có|và|thu\s+hút|duy\s+trì|bảo\s+đảm|đảm\s+bảo"
    r"|theo\s+đó|theo\s+kế\s+hoạch|trong\s+đó|cụ\s+thể|dự\s+kiến|định\s+hướng|\(\s*năm\s+\d{4}\s*\))+", _I)


def _strip_cues(text: str) -> str:
    return _CUE_WORDS.sub("", text)


def _clean(text: str) -> Optional[str]:
    t = " ".join(text.split()).strip(" ,;:.-–")
    if len(t) > 200:
        t = t[:200].rsplit(" ", 1)[0] + " …"
    return t or None


def _implied(ctx: _Ctx, block: Block, heads: list[Block], s: int, e: int, a: int, b: int,
             mentions: list[Mention], cues: list[YearCue], block_cues: list[YearCue]) -> None:
    """Targets met by a named institution without a number (value 100)."""
    flow = ctx.prep.flow
    text = flow[a:b]
    body = regex.sub(r"^[\s\-–+•*]*(?:(?:phấn\s+đấu|phần\s+đầu|phân\s+đầu)\s+)?"
                     r"(?:(?:đến|từ)\s+)?(?:năm\s+\d{4}(?:\s*(?:đến|-|–)\s*(?:năm\s+)?\d{4})?)?\s*[:,]?\s*",
                     "", text, flags=_I)
    if not _p("institution").match(body):
        return
    offset = a + (len(text) - len(body))  # where the institution's name starts
    in_list = bool(mentions) and len(body.split()) <= 8
    cue_here = [c for c in cues if a <= c.pos < b]
    targetish = any(_p("target_heading").search(h.text) for h in heads) or _p("target_heading").search(text)
    inds: list[str]
    if in_list:
        tiers = _tier_list(ctx.tiers_between(offset, b))
        if not tiers:
            return
        inds = _heading_indicators(ctx, heads, False) or indicators_in(flow[s:e], False) or ["other"]
    else:
        if not (cue_here and targetish):
            return
        inds = indicators_in(text, False)
        if not inds:
            return
        np_start, np_end = _np_span(flow, offset, b)
        tiers = _tier_list(ctx.tiers_between(np_start, np_end)) or [ctx.default_tier]
    cue = _year_for(ctx, b, cues, block_cues, heads, block)
    m = Mention(offset, b, 100.0, None, "implied")
    sector = _sector_for(ctx, inds, text, flow[s:e], heads)
    _emit(ctx, m, tiers, inds, sector, _clean(body), cue, s, e, flow[s:e], heads, block, True)


def _emit(ctx: _Ctx, m: Mention, tiers: list[str], inds: list[str], sector: str,
          subject: Optional[str], cue: Optional[YearCue], s: int, e: int, sentence_text: str,
          heads: list[Block], block: Block, implied: bool, growth: bool = False) -> None:
    if cue is None:
        ctx.no_year.append(ctx.prep.flow[max(s, m.start - 40):m.end + 40].strip())
        return
    flow = ctx.prep.flow
    if m.kind == "count":
        unit = "count"
    elif growth:
        unit = "percent_per_year"
    else:
        unit = "percent"
    direction = "at_most" if _p("at_most").search(flow[max(s, m.start - 30):m.start]) else "at_least"
    text, rs, re_ = ctx.prep.raw_span_text(s, e)
    ev = Evidence(text=text, start=rs, end=re_)
    for ind in inds:
        sec = sector_of(ind) or sector
        for tier in tiers:
            key = (ind, tier, cue.year, m.value, m.value_max, unit,
                   fold(subject or "") if ind == "other" else "")
            if key in ctx.seen:
                continue
            ctx.seen.add(key)
            ctx.targets.append(Target(
                sector=sec, indicator=ind, subject=subject, tier=tier, year=cue.year,
                period_start=cue.period_start, value=m.value, value_max=m.value_max,
                unit=unit, implied=implied, direction=direction, evidence=ev))


# ----------------------------------------------------------------------------
# tables


_CELL_VALUE = regex.compile(
    r"^\s*(?:(?:đạt|trên|dưới|tối\s+thiểu|ít\s+nhất)\s+)?(?P<lo>\d{1,3}(?:\.\d{3})+|\d+(?:[.,]\d+)?)\s*(?P<p1>%)?"
    r"(?:\s*(?:-|–|đến)\s*(?P<hi>\d{1,3}(?:\.\d{3})+|\d+(?:[.,]\d+)?)\s*(?P<p2>%)?)?\s*$", _I)
_YEAR_IN_CELL = regex.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def table_targets(prep: PreparedText, seg: Segmented, tables: Iterable, admin_level: Optional[str] = None,
                  raw_to_norm=None) -> list[Target]:
    """Targets of tables (rows = tiers or indicators, columns = years, or the transpose).

    ``tables`` are the loader's :class:`~pipeline.load.Table` objects, whose
    cell offsets refer to the raw text.  A cell holding a number is a value;
    its year comes from its column header (or its row label), its tier and
    indicator from its row label, column header and the heading above the
    table.  A ``%`` in the cell, its header or its row label makes it a
    percentage; a bare number is a count.
    """
    flow = prep.flow
    ctx = _Ctx(prep=prep, seg=seg, tiers=tier_index(seg),
               default_tier=_ADMIN_TIER.get(admin_level or "", "all"))
    out: list[Target] = []
    for table in tables:
        grid: dict[tuple[int, int], object] = {}
        for row in table.rows:
            for c in row:
                for dr in range(max(1, c.rowspan)):
                    for dc in range(max(1, c.colspan)):
                        grid[(c.row + dr, c.col + dc)] = c
        if not grid:
            continue
        nrows = max(r for r, _ in grid) + 1
        ncols = max(c for _, c in grid) + 1

        def text(r: int, c: int) -> str:
            cell = grid.get((r, c))
            return cell.text if cell is not None else ""

        def is_value(r: int, c: int) -> bool:
            t = text(r, c)
            m = _CELL_VALUE.match(t)
            return bool(m) and not (_YEAR_IN_CELL.fullmatch(t.strip()))

        header_rows = []
        for r in range(nrows):
            if any(is_value(r, c) for c in range(ncols)):
                break
            header_rows.append(r)
        col_year: dict[int, int] = {}
        for c in range(ncols):
            for r in header_rows:
                ys = _YEAR_IN_CELL.findall(text(r, c))
                if ys:
                    col_year[c] = int(ys[-1])
        col_head = {c: " ".join(dict.fromkeys(text(r, c) for r in header_rows)) for c in range(ncols)}
        first = table.rows[0][0] if table.rows and table.rows[0] else None
        block = seg.block_at(raw_to_norm(first.start)) if (first is not None and raw_to_norm) else None
        heads = [seg.blocks[i] for i in seg.ancestors(block.index)] if block else []
        caption = ""
        if block is not None and block.index > 0:
            caption = seg.blocks[block.index - 1].text
        for r in range(nrows):
            if r in header_rows:
                continue
            label_cells = [c for c in range(ncols) if text(r, c).strip() and not is_value(r, c)
                           and not _YEAR_IN_CELL.fullmatch(text(r, c).strip())]
            row_label = " ".join(dict.fromkeys(text(r, c) for c in label_cells))
            row_years = [int(y) for c in label_cells for y in _YEAR_IN_CELL.findall(text(r, c))]
            row_years += [int(text(r, c).strip()) for c in range(ncols)
                          if _YEAR_IN_CELL.fullmatch(text(r, c).strip())]
            cells = [grid[(r, c)] for c in range(ncols) if (r, c) in grid]
            if not cells:
                continue
            rs = min(c.start for c in cells)
            re_ = max(c.end for c in cells)
            ev = Evidence(text=prep.raw[rs:re_], start=rs, end=re_)
            seen_cells = set()
            for c in range(ncols):
                if not is_value(r, c) or id(grid[(r, c)]) in seen_cells:
                    continue
                seen_cells.add(id(grid[(r, c)]))
                m = _CELL_VALUE.match(text(r, c))
                year = col_year.get(c) or (row_years[-1] if row_years else None)
                if year is None:
                    cue = _year_for(ctx, block.start if block else 0, [], [], heads, block) if block else None
                    year = cue.year if cue else None
                if year is None:
                    continue
                lo, hi = _num(m.group("lo")), _num(m.group("hi")) if m.group("hi") else None
                label = f"{row_label} {col_head.get(c, '') if c not in col_year else ''}".strip()
                pct = bool(m.group("p1") or m.group("p2")) or "%" in col_head.get(c, "") \
                    or "%" in row_label or regex.search(r"tỷ\s+lệ", f"{row_label} {caption}", _I) \
                    or "%" in caption
                growth = bool(regex.search(r"tăng\s+(?:bình\s+quân|trung\s+bình)|/năm|mỗi\s+năm|hằng\s+năm",
                                           f"{label} {caption}", _I))
                unit = ("percent_per_year" if growth else "percent") if pct else "count"
                tiers = _tier_list(find_tiers(label)) or _heading_tiers(ctx, heads) or ["all"]
                inds = (indicators_in(f"{label} {caption}", growth and pct)
                        or _heading_indicators(ctx, heads, growth and pct) or ["other"])
                sector = _sector_for(ctx, inds, label, caption, heads)
                for ind in inds:
                    for tier in tiers:
                        out.append(Target(
                            sector=sector_of(ind) or sector, indicator=ind, subject=_clean(label),
                            tier=tier, year=year, period_start=None, value=lo,
                            value_max=hi if hi is not None and hi > lo else None, unit=unit,
                            implied=False, direction="at_least", evidence=ev,
                            cell=CellRef(table=table.index, row=r, col=c, page=table.page,
                                         header=_clean(col_head.get(c, "")))))
    return out
