"""What is read as a value but is no target, or the same target again: results
and baselines before a sentence's goal, the later sentences of a paragraph that
opens with an assessment, a task's commitments and repeats, restated rows, and the
provisions of a normative text (docs/targets.md)."""
from __future__ import annotations

import functools
from collections.abc import Hashable

from ...models import Target
from ...segment import Block
from ...spelling import respell
from ...text import fold
from .common import PREFIX_REACH, _p
from .mentions import Mention
from .phrases import _names_something
from .scope import RowKey, _Ctx
from .years import YearCue, find_year_cues

_BASELINE_BEFORE = 80   # how far before a value a past year makes it a baseline
_BASELINE_AFTER = 16    # ... and how far after it
_SAME_SUBJECT = 12      # the shortest subject that may begin another and be the same row
_RECENT = 20            # how many subjects of a row are compared with a new one
_SAME_HEAD = 24         # the shortest first clause of a subject that, said again, is the same row
_HEAD_LINES = 60        # the non-empty lines of a document's head that its kind line stands in
_HEADING_LEVELS = 6     # block levels below this are section headings (I., 1., a)); items and lead-ins are not


def _drop_results_before_goal(flow: str, s: int, e: int, mentions: list[Mention],
                              cues: list[YearCue]) -> list[Mention]:
    """Values a sentence reports before it states its goal are results or baselines.

    ``Số CLB năm 2020 đạt 1.200 CLB, phấn đấu đến năm 2025 có 1.500 CLB``: a
    value before the first goal word (``phấn đấu``, ``mục tiêu``, ``đến năm``)
    dated by a plain ``năm YYYY`` earlier than a year after that word is a
    baseline; in a sentence opening with an assessment (``Qua 5 năm thực
    hiện``, ``Năm qua``) every value before the goal word is a result.
    """
    if not mentions:
        return mentions
    goal = _p("goal_word").search(flow, s, e)
    limit = goal.start() if goal else e
    if _p("result_lead").match(flow, s, e):
        return [m for m in mentions if m.start >= limit]
    if goal is None:
        return mentions
    later = [c.year for c in cues if c.pos >= limit]
    if not later:
        return mentions
    due_prefix = _p("due_prefix")
    past = [c for c in cues if c.pos < limit and c.year < max(later)
            and not due_prefix.search(flow, max(s, c.pos - PREFIX_REACH), c.pos)]
    if not past:
        return mentions

    def baseline(m: Mention) -> bool:
        # the past year stands in the value's own stretch: just before it or just after it
        return any(m.start - _BASELINE_BEFORE <= c.pos <= m.end + _BASELINE_AFTER for c in past)

    return [m for m in mentions if m.start >= limit or not baseline(m)]


def _in_assessment(ctx: _Ctx, block: Block, s: int) -> bool:
    """Does the sentence at ``s`` follow, in its paragraph, a first sentence that
    opens with an assessment of what was done (``result_lead``: ``Qua 5 năm
    thực hiện, …``)?  Such a paragraph reports results: a later sentence of it
    sets a target only where it states a goal."""
    if not block.sentences or block.sentences[0][0] >= s:
        return False
    first = block.sentences[0]
    return ctx.memo(("assessment", block.index),
                    lambda: _p("result_lead").match(ctx.prep.flow, first[0], first[1]) is not None)


def _states_goal(flow: str, s: int, e: int, cues: list[YearCue]) -> bool:
    """Does the sentence state a goal: a goal word (``phấn đấu``, ``mục tiêu``,
    ``đến năm 2030``) or a year said to be due (``vào năm 2027``, ``trong năm 2026``)?"""
    if _p("goal_word").search(flow, s, e) is not None:
        return True
    due = _p("due_prefix")
    return any(due.search(flow, max(s, c.pos - PREFIX_REACH), c.pos) for c in cues)


def _section_kind(text: str) -> str | None:
    """``"targets"`` for a heading that names targets (``Mục tiêu``, ``II. CHỈ
    TIÊU, NHIỆM VỤ``), ``"tasks"`` for one that names tasks only (``b) Nhiệm
    vụ``, ``III. GIẢI PHÁP``), else None."""
    text = respell(text)
    if _p("target_heading").search(text):
        return "targets"
    return "tasks" if _p("task_heading").search(text) else None


def _task_commitment(ctx: _Ctx, heads: list[Block], s: int, e: int) -> bool:
    """Is the sentence at ``s``–``e`` a commitment inside a task rather than a
    target: the nearest heading above it that names targets or tasks names
    tasks only, and the sentence states no goal of its own (``Tổ chức tiếp
    nhận hồ sơ …, bảo đảm 100% hồ sơ được số hóa``)?  The caller asks only for a
    value whose year is not its own clause's: an outcome with a due year is a
    target wherever it stands."""
    if not _in_tasks(ctx, heads):
        return False
    flow = ctx.prep.flow
    return not ctx.memo(("goal", s, e), lambda: _states_goal(flow, s, e, find_year_cues(flow, s, e)))


def _in_tasks(ctx: _Ctx, heads: list[Block]) -> bool:
    """Is the nearest section heading above that names targets or tasks one
    that names tasks only (:func:`_section_kind`)?"""
    for h in heads:
        if h.level < _HEADING_LEVELS:   # a lead-in ("Các sở, ngành:") is no section heading
            kind = ctx.memo(("section", h.index), functools.partial(_section_kind, h.text))
            if kind is not None:
                return kind == "tasks"
    return False


def _repeated_in_tasks(ctx: _Ctx, heads: list[Block], rows: list[tuple[Hashable, ...]]) -> bool:
    """Is a value in a task section the same target as one read outside it —
    every row of it (indicator, tier, year, value, value_max, unit) read
    there already (``III. GIẢI PHÁP … Triển khai các giải pháp …, phấn đấu xây
    dựng được ít nhất 40% xã … trong năm 2026`` after the objectives said
    so)?  A row of no indicator and no tier (``100% … 2030``) is too common to
    tell one target by; it is never taken for a repeat.  Records the rows read
    outside task sections."""
    if not _in_tasks(ctx, heads):
        ctx.target_rows.update(rows)
        return False
    return all(r in ctx.target_rows and not (r[0] == "other" and r[1] == "all") for r in rows)


def _drop_undated_restatements(targets: list[Target]) -> list[Target]:
    """A value with no year whose row is read again with a year (a subheading
    ``a) Trên 75% xã đạt chuẩn …`` over ``Đến năm 2025, phấn đấu trên 75% xã
    đạt chuẩn …``) is the same target: keep the dated one."""
    dated: dict[tuple[str, str, float, float | None, str], list[str]] = {}
    for t in targets:
        if t.year is not None:
            subject = fold(t.subject or "") if t.subject and _names_something(t.subject) else ""
            dated.setdefault((t.indicator, t.tier, t.value, t.value_max, t.unit), []).append(subject)

    def restated(t: Target) -> bool:
        subject = fold(t.subject or "")
        others = dated.get((t.indicator, t.tier, t.value, t.value_max, t.unit), [])
        # the same row named again, or dated where the text names nothing else ("… 42% vào năm 2030")
        return t.indicator != "other" and bool(others) or any(
            not x or (min(len(x), len(subject)) >= _SAME_SUBJECT and (x.startswith(subject) or subject.startswith(x)))
            for x in others[:_RECENT])

    return [t for t in targets if t.year is not None or not restated(t)]


def _restated(ctx: _Ctx, key: RowKey) -> bool:
    """Is this value a restatement of one already read — the same row whose
    subject begins the other's (a subheading ``Trên 70% xã đạt chuẩn …`` over
    the paragraph that says it again in full), or whose first clause is the
    other's, said on (``40% địa bàn cấp xã không ma túy trong năm 2026, phấn đấu
    …`` in the opening and again in the objectives, each going on in its own
    words)?  Records the subject either way."""
    subject = key[-1]
    seen = ctx.subjects.setdefault(key[:-1], [])
    head = _head(subject)
    dup = len(subject) >= _SAME_SUBJECT and any(min(len(x), len(subject)) >= _SAME_SUBJECT and
                                     (x.startswith(subject) or subject.startswith(x)) for x in seen[-_RECENT:])
    if not dup and len(head) >= _SAME_HEAD:
        dup = any(_head(x) == head for x in seen[-_RECENT:])
    seen.append(subject)
    return dup


def _head(subject: str) -> str:
    """A subject's first clause: its words up to the first comma."""
    return subject.split(",", 1)[0].strip()


def _is_normative(raw: str) -> bool:
    """Is the document a normative text (its kind line ``LUẬT``, ``NGHỊ ĐỊNH``,
    ``THÔNG TƯ`` … among its head lines, rules/doc_types.yaml ``normative.kind``)?"""
    kind = _p("normative.kind", "doc_types")
    n = 0
    for line in raw[:20000].splitlines():
        line = line.strip()
        if not line:
            continue
        if kind.match(line):
            return True
        n += 1
        if n >= _HEAD_LINES:
            return False
    return False
