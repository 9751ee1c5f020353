"""The target reader: blocks → sentences → ``;`` segments → value slots."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import regex

from ...models import Direction, Evidence, Sector, Source, Target, Tier, Unit
from ...nlp import tier_index
from ...segment import Block, Segmented
from ...spelling import respell
from ...text import PreparedText, fold
from .common import CONTEXT_REACH, LETTER, PHRASE_REACH, PREFIX_REACH, _clean, _p
from .mentions import Mention, _num, find_mentions
from .phrases import (
    _all_bare,
    _earlier_sentence_indicators,
    _heading_indicators,
    _heading_tiers,
    _indicators_for,
    _is_person,
    _names_something,
    _np_span,
    _np_tiers,
    _sector_for,
    _skip_after,
    _starts_noun_phrase,
    _strip_cues,
    _tier_list,
)
from .scope import (
    _ADMIN_TIER,
    RowKey,
    TableRowKey,
    _Ctx,
    _due_in_own_clause,
    _scope_cue,
    _Slot,
    _year_for,
    close_lead,
    cue_before,
    cues_between,
    open_lead,
)
from .sieve import (
    _drop_results_before_goal,
    _drop_undated_restatements,
    _in_assessment,
    _is_normative,
    _repeated_in_tasks,
    _restated,
    _states_goal,
    _task_commitment,
)
from .tables import table_targets
from .vocab import indicators_in, sector_of
from .years import YearCue, _year_after, document_cue, find_year_cues

if TYPE_CHECKING:
    from ...load.document import Table

__all__ = ["extract_targets"]

_WINDOW = 400   # characters before a value that its subject and indicator are read from
_TAIL = 1000    # characters after the last value of a segment (its shared predicate)
_AT_MOST_REACH = 30      # the words before a value that may say it is a ceiling (at_most)
_OBLIGATION_REACH = 80   # the words before an undated value that may make it a procedural rule
_NOTE_REACH = 40         # the text each side of an undated value quoted in its warning
_FREQUENCY_REACH = 30    # the text each side of a count of activities that may say how often (mỗi quý)
_DIGIT = regex.compile(r"\d")
_SEGMENT_SIGN = regex.compile(r"[()“”\";]")   # what _split_segments reads: brackets, quotes, ';'
#: The fallback tier and indicator lists, shared by every slot that takes them
#: (a 1 MB line of values makes 100k slots; nothing changes a slot's lists).
_ALL: list[Tier] = ["all"]
_OTHER = ["other"]


def extract_targets(prep: PreparedText, seg: Segmented, admin_level: str | None = None,
                    tables: list[Table] | None = None,
                    issue_year: int | None = None,
                    title: str | None = None) -> tuple[list[Target], list[str]]:
    """All targets of a document, and warnings about values left out or doubtful.

    ``tables`` (the loader's tables, cell offsets in the raw text) are read
    cell by cell; their rows are not read again as prose.  A value due before
    the year the document was issued (``issue_year``) is a past result, not a
    target: it is left out with a warning.  ``title`` is the document scope:
    its period (``giai đoạn 2026 - 2030``) or single year (``năm 2024``) is the
    due year of values that no nearer scope dates.  A value with no year in
    reach is kept with ``year`` None and a warning.
    """
    flow = prep.flow
    ctx = _Ctx(prep=prep, seg=seg, tiers=tier_index(seg),
               default_tier=_ADMIN_TIER.get(admin_level or "", "all"),
               document_cue=document_cue(title), issue_year=issue_year)
    ctx.normative = _is_normative(prep.raw)
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
    lead_end = _p("lead_in_end")
    for bi, block in enumerate(blocks):
        close_lead(ctx, block)
        if bi in table_blocks:
            continue
        heads = [blocks[i] for i in seg.ancestors(bi)]
        if any(h.level < 6 and ctx.memo(("not_target", h.index), functools.partial(_found, nontarget_heading, h.text))
               for h in heads):
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
            _sentence(ctx, block, heads, s, e, block_cues)
        if block_cues:
            ctx.carry_year[block.parent] = _scope_cue(ctx, block_cues)
        open_lead(ctx, block, lead_end)
    if tables:
        for tt in table_targets(prep, seg, tables, admin_level, prep.from_raw, ctx.document_cue):
            if ctx.normative and tt.year_source != "table":
                continue   # a normative text's table (a fee or rate schedule) dated by nothing of its own
            key: TableRowKey = (tt.indicator, tt.tier, tt.year, tt.value, tt.value_max, tt.unit,
                                fold(tt.subject or "") if tt.indicator == "other" else "", tt.group)
            if key not in ctx.seen:
                ctx.seen.add(key)
                ctx.targets.append(tt)
    targets = _drop_undated_restatements(ctx.targets)
    if ctx.no_year:
        warnings.append(f"{len(ctx.no_year)} value(s) with no year they are due in reach, kept with "
                        f"no year (e.g. {ctx.no_year[0]!r})")
    if issue_year is not None:
        past = [t for t in targets if t.year is not None and t.year < issue_year]
        if past:
            targets = [t for t in targets if t.year is None or t.year >= issue_year]
            warnings.append(f"{len(past)} value(s) due before the issue year {issue_year} read as past "
                            f"results, not targets (e.g. {past[0].evidence.text[:80]!r})")
    return targets, warnings


def _split_segments(flow: str, s: int, e: int) -> list[tuple[int, int]]:
    """Split a sentence at ';' outside parentheses and quotes."""
    segs = []
    depth = 0
    inq = False
    last = s
    for sm in _SEGMENT_SIGN.finditer(flow, s, e):   # only the signs it reads: not a step per character
        i = sm.start()
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






def _found(rx: regex.Pattern[str], text: str) -> bool:
    return rx.search(text) is not None


def _targetish(text: str) -> bool:
    """Does ``text`` introduce targets (``Mục tiêu``, ``Phấn đấu`` — or a spelling variant of it)?"""
    return _p("target_heading").search(respell(text)) is not None


def _sentence(ctx: _Ctx, block: Block, heads: list[Block], s: int, e: int,
              block_cues: list[YearCue]) -> None:
    flow = ctx.prep.flow
    ctx.next_sentence()
    if _DIGIT.search(flow, s, e) is None:
        # Every value (percent, ratio, count, a bare item number) and every
        # year cue is written with a digit, and an implied target needs a
        # value of its list or a year cue of its own clause: a sentence with
        # none yields nothing here.  (Scope — lead-ins, headings — is kept by
        # extract_targets on every block, whether its sentences are read or not.)
        return
    cues = find_year_cues(flow, s, e)
    mentions = find_mentions(flow, s, e)
    if not mentions:
        mentions = _bare_number_item(flow, s, e, heads)
    mentions = _drop_results_before_goal(flow, s, e, mentions, cues)
    if mentions and _in_assessment(ctx, block, s) and not _states_goal(flow, s, e, cues):
        return   # "Qua 5 năm thực hiện, … . Các đội văn nghệ biểu diễn 600 buổi.": a result as well
    segments = _split_segments(flow, s, e)
    sent = flow[s:e]   # the sentence's text, once: its segments and values read it, never copy it
    sent_slots: list[_Slot] = []
    k = 0   # mentions are in text order: walk them once across the segments
    for a, b in segments:
        while k < len(mentions) and mentions[k].start < a:
            k += 1
        j = k
        while j < len(mentions) and mentions[j].start < b:
            j += 1
        seg_mentions = mentions[k:j]
        k = j
        if not seg_mentions:
            _implied(ctx, block, heads, s, e, a, b, mentions, cues, block_cues, sent)
            continue
        if _respectively(ctx, block, heads, s, e, a, b, seg_mentions, cues, block_cues, sent):
            continue
        slots = _segment(ctx, block, heads, s, e, a, b, seg_mentions, cues, block_cues, sent_slots, sent)
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
    if "%" not in head and not _p("rate_word").search(head):
        return []
    v = _num(m.group("lo"))
    hi = _num(m.group("hi")) if m.group("hi") else None
    if v is None or v > 100 or (hi is not None and (hi <= v or hi > 100)):
        return []
    end = s + (m.end("hi") if m.group("hi") else m.end("lo"))
    return [Mention(s + m.start("lo"), end, v, hi, "percent")]


def _respectively(ctx: _Ctx, block: Block, heads: list[Block], s: int, e: int, a: int, b: int,
                  mentions: list[Mention], cues: list[YearCue], block_cues: list[YearCue],
                  sent: str) -> bool:
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
        inds = _indicators_for(ctx, sent, heads, False)
        sector = _sector_for(ctx, inds, seg_text, sent, heads)
        slots = [_Slot([t], inds, sector, None) for t in pre_tiers]
        source: Source = "clause"
    elif len(ctx.last_slots) == len(mentions):
        slots = ctx.last_slots
        source = "lead"   # the slots of the sentence or segment before
    else:
        return False
    for m, slot in zip(mentions, slots, strict=True):
        cue = _year_for(ctx, m.start, cues, block_cues, heads, block)
        _emit(ctx, m, slot.tiers or ["all"], slot.indicators or ["other"], slot.sector,
              slot.subject, cue, s, e, heads, False,
              tier_source=source if slot.tiers else "none")
    ctx.last_slots = slots
    return True


@dataclass(slots=True)
class _Read:
    """One value of a segment, as read before indicators are chosen."""
    m: Mention
    post: bool
    tiers: list[Tier]
    subject: str | None
    own: str
    growth: bool
    cue: YearCue | None
    inherited: _Slot | None = None


def _segment(ctx: _Ctx, block: Block, heads: list[Block], s: int, e: int, a: int, b: int,
             seg_mentions: list[Mention], cues: list[YearCue], block_cues: list[YearCue],
             sent_slots: list[_Slot], sentence_text: str) -> list[_Slot]:
    """Read the values of one ``;``-separated segment of a sentence.

    ``sent_slots`` are the values read so far in the same sentence: a bare
    ``năm 2025: 70%`` takes the subject of the one before it, and bare
    ``đạt 30% và 20%`` after ``20% số dân ở đô thị và 10% số dân ở nông
    thôn;`` map onto those two slots in order.
    """
    flow = ctx.prep.flow
    not_target = _p("not_target_context")
    seg_cues = cues_between(cues, a, b)
    prev_seg_first = next((x.cue for x in reversed(sent_slots) if x.first_in_segment), None)
    reads: list[_Read] = []
    prev_tiers: list[Tier] = []
    # the text after the last value: a predicate the values before it share
    # ("100% thư viện tỉnh, 60% thư viện huyện có …"); capped, so that each
    # value reads a bounded window and the segment stays linear in its values
    tail = flow[seg_mentions[-1].end:min(b, seg_mentions[-1].end + _TAIL)]
    for k, m in enumerate(seg_mentions):
        nxt_start = seg_mentions[k + 1].start if k + 1 < len(seg_mentions) else b
        prev_end = seg_mentions[k - 1].end if k > 0 else a
        if not_target.search(flow[max(a, m.start - CONTEXT_REACH):m.start]):
            continue
        if _p("legal_rate_before").search(flow, max(a, m.start - PHRASE_REACH), m.start) or \
                _p("legal_rate_after").match(flow, m.end, min(b, m.end + PHRASE_REACH)):
            continue   # a tax or interest rate, a fine: a rule of law stated as it stands, not a goal
        if _p("condition_before").search(flow[max(a, m.start - CONTEXT_REACH):m.start]) or \
                _p("condition_after").match(flow[m.end:min(b, m.end + CONTEXT_REACH)]):
            continue   # a condition or exemption ("nơi có tỷ lệ dưới 30% có thể điều chỉnh …")
        after = flow[m.end:min(nxt_start, m.end + _WINDOW)]
        if _p("baseline_before").search(flow[max(a, m.start - PREFIX_REACH):m.start]) and (
                _p("baseline_after").match(after)
                or (m.kind == "rate" and _p("baseline_after_population").match(after))):
            continue   # "từ 28% năm 2020 lên 35%", "từ 23 ca/1.000 phụ nữ xuống 18": the first is the baseline
        growth = m.kind == "percent" and (
            bool(_p("growth_after").match(after))
            or bool(_p("growth_before").search(flow[max(a, m.start - PHRASE_REACH):m.start])))
        post = not m.counted and _starts_noun_phrase(after)
        if post:
            np_start, np_end = _np_span(flow, m.end, nxt_start)
            tiers = _np_tiers(ctx, np_start, np_end)
            if tiers == ["all"] and not ctx.tiers_between(np_start, np_end):
                tiers = []   # units of no level ("6/6 đơn vị"): a heading may name their tier
            subject = _clean(flow[np_start:nxt_start])
            if not tiers and not _is_person(subject):
                # a level of government its own predicate names ("100% vấn đề … đã phân cấp
                # cho cấp xã được xử lý"): a level word gives the tier wherever it stands
                level, scope = _p("level_word"), _p("territory_before_level")
                tiers = _tier_list([t for t in ctx.tiers_between(np_end, min(nxt_start, np_end + _WINDOW))
                                    if level.match(t.text)
                                    and not scope.search(flow, max(np_end, t.start - PREFIX_REACH), t.start)])
            # a value whose noun phrase has its own predicate reads its own
            # clause; else it shares the predicate after the last value
            own = flow[np_start:nxt_start] if np_end < nxt_start else flow[np_start:nxt_start] + " " + tail
        elif m.counted:
            w = max(a, m.start - _WINDOW)
            subject = _clean(flow[w:m.end])
            own = _own_window(flow, w, m, nxt_start, tail)
            each = _p("each_word").search(flow[w:m.start])
            tiers = _tier_list(ctx.tiers_between(w + each.end(), m.start)) if each else []
            each_after = _p("each_word").search(flow[m.end:nxt_start])
            if not tiers and each_after:
                tiers = _tier_list(ctx.tiers_between(m.end + each_after.end(), nxt_start))[:1]
            if not tiers:
                # the tier inside the counted phrase ("03 thư viện cấp xã", "35 địa bàn cấp xã")
                tiers = _tier_list(ctx.tiers_between(m.start, _np_span(flow, m.start, nxt_start)[1]))
            tiers = tiers or ["all"]
        else:
            # its own words start after the value before it — after that value's
            # noun phrase and predicate, when it had them ("100% xã có thiết chế …,
            # tỷ lệ khu phố văn minh đạt 75%"): a later value never reads them
            own_start = prev_end
            if k and reads and reads[-1].post:
                cut = flow.rfind(",", prev_end, m.start)
                if cut >= 0:
                    own_start = cut + 1
            ra = _p("respectively_after").match(flow, own_start, m.start) if k else None
            if ra:
                own_start = ra.end()   # "50% chỉ tiêu tương ứng và đạt 90%": those words are the last value's
            tiers = _tier_list(ctx.tiers_between(own_start, m.start))
            subject = _clean(_strip_cues(flow[own_start if k else max(a, m.start - _WINDOW):m.start]))
            if not tiers and k > 0 and reads and not _is_person(subject) and (
                    own_start == prev_end or _p("subset_lead").match(flow, own_start, m.start)):
                # "thư viện cấp huyện đạt 50% (năm 2025) và đạt 70%", "…, trong đó ít nhất 30%
                # kết nối …": the same units; but people named in its own words ("…, số hộ
                # gia đình đạt 86%") are counted at no level unless a level word says so
                tiers = prev_tiers
            own = _own_window(flow, max(own_start if k else a, m.start - _WINDOW), m, nxt_start, tail)
        # the year: right after the value, else the nearest before it in the
        # segment, else the one the previous segment of the sentence began
        # with (parallel lists: "đạt 60% và đến năm 2030 đạt 80% X; đạt 50% …")
        cue = _year_after(after, m.end) or _due_in_own_clause(ctx, m, nxt_start, seg_cues)
        if cue is None:
            before = cue_before(seg_cues, m.start)
            if before is not None:
                cue = before
            elif prev_seg_first is not None:
                cue = prev_seg_first
            else:
                cue = _year_for(ctx, m.start, cues, block_cues, heads, block)
        if m.kind == "count" and _p("activity_unit").match(m.unit_text) and (
                cue is None or cue.source != "clause"
                or _p("activity_frequency").search(flow, max(a, m.start - _FREQUENCY_REACH), min(b, m.end + _FREQUENCY_REACH))):
            continue   # an activity quota inside a task ("ít nhất 01 lần/tháng"), not an outcome
        reads.append(_Read(m, post, tiers, subject, own, growth, cue))
        prev_tiers = tiers

    # bare values (no tier, no subject of their own)
    def bare(r: _Read) -> bool:
        return not r.post and not r.m.counted and not r.tiers and not r.subject

    if len(reads) >= 2 and all(bare(r) for r in reads) and len(sent_slots) >= len(reads) \
            and not _has_words_between(flow, reads):
        # "đạt 30% và 20% tham gia …" after "20% số dân ở đô thị và 10% số dân ở nông thôn;"
        for r, slot in zip(reads, sent_slots[-len(reads):], strict=True):
            r.inherited = slot
    else:
        next_post: list[_Read | None] = [None] * len(reads)
        nearest: _Read | None = None
        for k in range(len(reads) - 1, -1, -1):
            next_post[k] = nearest
            if reads[k].post:
                nearest = reads[k]
        for k, r in enumerate(reads):
            if not r.post and not r.tiers and sent_slots and not r.m.counted and (
                    _p("respectively_after").match(flow, r.m.end, min(b, r.m.end + PHRASE_REACH))
                    or (k > 0 and reads[k - 1].inherited is not None)):
                # "…; đến năm 2030 nhân rộng mô hình đạt 50% chỉ tiêu tương ứng và đạt 90%
                # vào năm 2045": the same target as the slot before, at later years
                r.inherited = sent_slots[-1]
                continue
            if not bare(r):
                continue
            later = next_post[k]
            if later is not None:
                # "đạt 60% và đến năm 2030 đạt 80% bảo tàng …": one subject for both
                r.tiers, r.subject = later.tiers, later.subject
            elif k == 0 and sent_slots and not _has_words_after(flow, r.m.end, b):
                r.inherited = sent_slots[-1]

    seg_has_pred = bool(reads) and reads[-1].post and _np_span(flow, reads[-1].m.end, b)[1] < b
    sent_growth = ctx.memo(("growth", s, e), lambda: bool(_p("growth_word").search(sentence_text)))
    slots: list[_Slot] = []
    for ri, r in enumerate(reads):
        if r.inherited is not None:
            tiers, inds, sector, subject = (r.inherited.tiers, r.inherited.indicators,
                                            r.inherited.sector, r.inherited.subject)
            tier_source = r.inherited.tier_source
        else:
            head_tiers = [] if r.tiers else _heading_tiers(ctx, heads)
            tiers = r.tiers or head_tiers or _ALL   # one shared list: slots only read it
            tier_source = "clause" if r.tiers else ("heading" if head_tiers else "none")
            subject = r.subject
            # a share of people, or a count, is never a share of institutions
            person = _is_person(subject) or r.m.counted
            inds = indicators_in(r.own, r.growth, person)
            # a value that names its own measure ("tỷ lệ khu phố văn minh đạt 75%")
            # or has its own predicate reads no other clause of the sentence
            # — as does a later value of a list whose subject stands before it
            # ("…, làng văn hóa đạt 70%, tổ dân phố văn hóa đạt 80%")
            own_pred = seg_has_pred or r.m.counted or \
                (not r.post and subject is not None and subject != "" and (bool(_p("share_head").match(subject))
                                                   or (ri > 0 and _names_something(subject))))
            if not inds and not own_pred:
                g = r.growth or (sent_growth and r.m.kind == "percent")
                inds = ctx.memo(("sent", s, e, g, person), functools.partial(indicators_in, sentence_text, g, person))
            if not inds and not own_pred:
                inds = _earlier_sentence_indicators(ctx, block, s, r.growth, person)
            if not inds:
                inds = _heading_indicators(ctx, heads, r.growth, person)
            inds = inds or _OTHER
            sector = _sector_for(ctx, inds, r.own, sentence_text, heads, (s, e))
        slots.append(_Slot(tiers, inds, sector, subject, r.cue, first_in_segment=not slots,
                           tier_source=tier_source))
        _emit(ctx, r.m, tiers, inds, sector, subject, r.cue, s, e, heads,
              False, growth=r.growth, tier_source=tier_source)
        reads[ri] = None   # type: ignore[call-overload]  # done: its window is freed as the slots grow
    return slots


def _own_window(flow: str, w: int, m: Mention, nxt_start: int, tail: str) -> str:
    """The words a value without a noun phrase after it reads its indicator from:
    a window before it, its own stretch to the next value, and — when only
    connectors stand between it and the next value (``45% (năm 2025) và 65% …
    có ứng dụng …``) — the predicate shared after the last value."""
    own = flow[w:nxt_start]
    if nxt_start >= m.end + len(tail):
        return own   # the last value: its stretch is the tail
    gap = _p("value_connectors").sub("", flow[m.end:nxt_start])
    return own if LETTER.search(gap) else own + " " + tail


def _has_words_between(flow: str, reads: list[_Read]) -> bool:
    """Is there more than connectors (``và``, ``,``, ``đạt``) between the values?"""
    for x, y in zip(reads, reads[1:], strict=False):
        gap = flow[x.m.end:y.m.start]
        if LETTER.search(_p("bare_connector").sub("", gap)):
            return True
    return False


def _has_words_after(flow: str, start: int, end: int) -> bool:
    rest = _skip_after(flow[start:end])
    rest = _p("per_year_tail").sub("", rest)
    return bool(LETTER.search(rest))



def _implied(ctx: _Ctx, block: Block, heads: list[Block], s: int, e: int, a: int, b: int,
             mentions: list[Mention], cues: list[YearCue], block_cues: list[YearCue], sent: str) -> None:
    """Targets met by a named institution without a number (value 100)."""
    flow = ctx.prep.flow
    text = flow[a:b]
    lead = _p("implied_lead").match(respell(text))   # read through spelling variants, cut as written
    body = text[lead.end():] if lead else text
    if not _p("institution").match(body):
        return
    offset = a + (len(text) - len(body))  # where the institution's name starts
    in_list = bool(mentions) and len(body.split()) <= 8
    cue_here = cues_between(cues, a, b)
    targetish = any(ctx.memo(("targetish", h.index), functools.partial(_targetish, h.text)) for h in heads) \
        or _targetish(text)
    inds: list[str]
    if in_list:
        tiers = _tier_list(ctx.tiers_between(offset, b))
        if not tiers:
            return
        inds = (_heading_indicators(ctx, heads, False)
                or ctx.memo(("sent", s, e, False, False), lambda: indicators_in(sent, False)) or ["other"])
    else:
        if not (cue_here and targetish):
            return
        inds = indicators_in(text, False)
        if not inds:
            return
        np_start, np_end = _np_span(flow, offset, b)
        tiers = _tier_list(ctx.tiers_between(np_start, np_end))
    tier_source: Source = "clause"
    if not tiers:
        tiers, tier_source = [ctx.default_tier], "document"
    cue = _year_for(ctx, b, cues, block_cues, heads, block)
    m = Mention(offset, b, 100.0, None, "implied")
    sector = _sector_for(ctx, inds, text, sent, heads, (s, e))
    _emit(ctx, m, tiers, inds, sector, _clean(body), cue, s, e, heads, True,
          tier_source=tier_source)


def _emit(ctx: _Ctx, m: Mention, tiers: list[Tier], inds: list[str], sector: Sector,
          subject: str | None, cue: YearCue | None, s: int, e: int,
          heads: list[Block], implied: bool, growth: bool = False,
          tier_source: Source = "clause") -> None:
    flow = ctx.prep.flow
    if ctx.normative and (cue is None or cue.source != "clause" or not _p("goal_word").search(flow, s, e)):
        return   # a law's or a decree's provision: a target only where its own clause sets a goal and its year
    if (cue is None or cue.source != "clause") and _task_commitment(ctx, heads, s, e):
        return   # "b) Nhiệm vụ … Tổ chức …, bảo đảm 100% hồ sơ …": a task's commitment, no goal of its own
    if cue is None:
        goal = _p("undated_goal")
        if not goal.search(flow, s, e) and not any(goal.search(flow, h.start, h.end) for h in heads):
            return   # an undated rate with no goal anywhere above it is a provision, not a target
        if _p("obligation_before").search(flow, max(s, m.start - _OBLIGATION_REACH), m.start):
            return   # an undated obligation ("phải lập thành ít nhất 02 bản") is a procedural rule
        ctx.no_year.append(flow[max(s, m.start - _NOTE_REACH):m.end + _NOTE_REACH].strip())
    year = cue.year if cue is not None else None
    unit: Unit
    if m.kind == "count":
        unit = "count"
    elif m.counted:
        unit = "other"   # a multiple ("gấp 30 lần") or a rate per population ("4/100.000 trẻ")
    elif growth:
        unit = "percent_per_year"
    else:
        unit = "percent"
    direction: Direction = "at_most" if _p("at_most").search(flow[max(s, m.start - _AT_MOST_REACH):m.start]) else "at_least"
    if _repeated_in_tasks(ctx, heads, [(ind, tier, year, m.value, m.value_max, unit) for ind in inds for tier in tiers]):
        return   # a task restating an objective's figure for the same units and year
    ev = ctx.memo(("evidence", s, e), lambda: Evidence(*ctx.prep.raw_span_text(s, e)))
    if tiers == ["all"] and tier_source == "clause" and not ctx.memo(("tiers", s, e), lambda: ctx.tiers_between(s, e)):
        tier_source = "none"
    for ind in inds:
        sec = sector_of(ind) or sector
        for tier in tiers:
            key: RowKey = (ind, tier, year, m.value, m.value_max, unit,
                   fold(subject or "") if ind == "other" else "")
            if key in ctx.seen or (ind == "other" and _restated(ctx, key)):
                continue
            ctx.seen.add(key)
            ctx.targets.append(Target(
                sector=sec, indicator=ind, subject=subject, tier=tier, year=year,
                period_start=cue.period_start if cue is not None else None, value=m.value,
                value_max=m.value_max, unit=unit, implied=implied, direction=direction, evidence=ev,
                value_span=None if implied else Evidence(*ctx.prep.raw_span_text(*m.written())),
                year_source=cue.source if cue is not None else "none", tier_source=tier_source))
