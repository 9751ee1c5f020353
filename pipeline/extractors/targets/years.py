"""Year cues: due years (``Đến năm 2025``), periods (``từ năm 2025 đến năm 2030``)."""
from __future__ import annotations

from dataclasses import dataclass

import regex

from ...models import Source
from .common import _p
from .mentions import _Spans

_CUE_PREFIX_REACH = 20   # the words before a year cue that may make it no due year (year_not_cue, period_before_year)


@dataclass(frozen=True, slots=True)
class YearCue:
    pos: int
    end: int
    year: int
    period_start: int | None
    source: Source = "clause"     # the scope it was found in (SCHEMA.md's year_source)


_QUOTE = regex.compile(r"“[^”\n]{0,400}”|\"[^\"\n]{0,400}\"")


def _quote_spans(text: str, start: int, end: int) -> _Spans:
    spans = _Spans()
    for m in _QUOTE.finditer(text, start, end):
        spans.add(m.start(), m.end())
    return spans


def find_year_cues(flow: str, start: int, end: int) -> list[YearCue]:
    quotes = _quote_spans(flow, start, end)
    not_cue = _p("year_not_cue")
    cues: list[YearCue] = []
    covered = _Spans()
    for m in _p("year_period").finditer(flow, start, end):
        if quotes.covers(m.start()):
            continue
        s0, y = int(m.group("start")), int(m.group("year"))
        if s0 < y:
            cues.append(YearCue(m.start(), m.end(), y, s0))
            covered.add(m.start(), m.end())
    label = _p("year_period_label").match(flow[start:end])
    if label:
        s0, y = int(label.group("start")), int(label.group("year"))
        if s0 < y:
            cues.append(YearCue(start + label.start("start"), start + label.end(), y, s0))
            covered.add(start, start + label.end())
    for m in _p("year_period_phrase").finditer(flow, start, end):
        # a period named in the sentence scopes the values after it
        # ("mục tiêu giai đoạn 2021-2025, phấn đấu 70% …" → 2025, from 2021)
        if covered.covers(m.start()) or quotes.covers(m.start()):
            continue
        s0, y = int(m.group("start")), int(m.group("year"))
        if s0 < y:
            cues.append(YearCue(m.start(), m.end(), y, s0))
            covered.add(m.start(), m.end())
    for m in _p("year_onward").finditer(flow, start, end):
        # "Từ năm 2027 trở đi, 100% …": due from that year on
        if not quotes.covers(m.start()):
            cues.append(YearCue(m.start(), m.end(), int(m.group("year")), None))
            covered.add(m.start(), m.end())
    for m in _p("year_cue").finditer(flow, start, end):
        if covered.covers(m.start()) or quotes.covers(m.start()):
            continue
        before = flow[max(start, m.start() - _CUE_PREFIX_REACH):m.start()]
        if not_cue.search(before):
            continue
        # "giai đoạn 2021 - năm 2025" style periods are not due years
        if _p("period_before_year").search(before):
            continue
        cues.append(YearCue(m.start(), m.end(), int(m.group("year")), None))
    cues.sort(key=lambda c: c.pos)
    return cues



def _year_after(after: str, pos: int) -> YearCue | None:
    """A due year written right after the value: ``(năm 2025)``, ``vào năm 2030``,
    ``/năm giai đoạn 2026 - 2030``."""
    m = _p("year_paren").match(after)
    if m:
        return YearCue(pos, pos + m.end(), int(m.group("year") or m.group("year2") or m.group("year3")), None)
    m = _p("period_after").match(after)
    if m and int(m.group("start")) < int(m.group("year")):
        return YearCue(pos, pos + m.end(), int(m.group("year")), int(m.group("start")))
    return None




def document_cue(title: str | None) -> YearCue | None:
    """The document scope: the period of a plan's title (``giai đoạn 2026 - 2030``
    → 2030, from 2026) or its single year (``Kế hoạch … năm 2024``); a vision
    (``tầm nhìn đến năm 2045``) is no due year.  ``None`` when the title names
    none, or several years and no period.
    """
    if not title:
        return None
    text = _p("title_vision").sub(" ", title)
    periods = list(_p("title_period").finditer(text))
    m = periods[-1] if periods else None
    if m is not None and int(m.group("start")) < int(m.group("year")):
        return YearCue(-1, -1, int(m.group("year")), int(m.group("start")), "document")
    years = {c.year for c in find_year_cues(text, 0, len(text))}
    if len(years) == 1:
        return YearCue(-1, -1, years.pop(), None, "document")
    return None
