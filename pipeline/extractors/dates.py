"""Dates: ISO dates, citation dates, the date line of a header and a news page's dateline."""
from __future__ import annotations

import datetime

from .. import rules
from .common import clean

_rx = rules.compile_pattern
_group = rules.group

DATELINE_CHARS = 130       # a page's dateline stands on a short line


def iso_date(y: int | None, m: int | None, d: int | None) -> str | None:
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; None for an impossible date."""
    if y is None:
        return None
    if m is None:
        return f"{y:04d}"
    if not 1 <= m <= 12:
        return None
    if d is None:
        return f"{y:04d}-{m:02d}"
    try:
        return datetime.date(y, m, d).isoformat()
    except ValueError:
        return None


def _int(s: str | None) -> int | None:
    return int(s) if s else None


def read_citation_date(text: str, pos: int) -> tuple[str | None, tuple[int, int] | None, int]:
    """Read ``ngày …`` at ``pos``: (ISO date or None, (day, month) when the
    year is missing, end offset).  ``end == pos`` when there is no date.

    >>> read_citation_date("ngày 04 tháng 5 năm 2013 của", 0)
    ('2013-05-04', None, 24)
    >>> read_citation_date("ngày 26/10, về", 0)
    (None, (26, 10), 10)
    """
    m = _rx("dates", "date.ngay").match(text, pos)
    if not m:
        return None, None, pos
    if m.group("y1"):
        return iso_date(int(m["y1"]), int(m["m1"]), int(m["d1"])), None, m.end()
    if m.group("y2"):
        return iso_date(int(m["y2"]), int(m["m2"]), int(m["d2"])), None, m.end()
    return None, (int(m["d3"]), int(m["m3"])), m.end()


def read_date_line(text: str, need_place: bool = False) -> tuple[str | None, str | None, str | None]:
    """(iso date, place, warning) from the first date line in ``text``;
    outside the header only a line that names its place counts (a wrapped
    citation date may also start a line)."""
    m = next((m for m in _rx("dates", "date.line").finditer(text) if m["place"] or not need_place), None)
    if not m:
        m = _rx("dates", "date.line_numeric").search(text)
    if not m:
        g = _rx("dates", "date.line_garbled_day").search(text)
        if g is None:
            return None, None, None
        return iso_date(int(g["y"]), int(g["m"]), None), clean(g["place"]), \
            f"day of the date line unreadable: {clean(g.group(0))!r}"
    y, mo, d = int(m["y"]), _int(m["m"]), _int(m["d"])
    warn = None
    if mo is None or d is None:
        if mo is None:
            d = None
        warn = f"issue date incomplete in the date line: {clean(m.group(0))!r}"
    place = clean(m["place"]) if m["place"] else None
    return iso_date(y, mo, d), place, warn


def read_dateline(flow: str, before: int) -> tuple[int, int, int] | None:
    """The news page's own date: the last full date before ``before`` on a
    short line or next to a clock time."""
    found: tuple[int, int, int] | None = None
    for m in _rx("dates", "date.numeric").finditer(flow, 0, before):
        lo, hi = max(0, m.start() - DATELINE_CHARS), min(len(flow), m.end() + DATELINE_CHARS)
        ls = flow.rfind("\n", lo, m.start())
        le = flow.find("\n", m.end(), hi)
        line = flow[ls + 1 if ls != -1 else lo:le if le != -1 else hi]
        # a line of its own: a newline (or the text's start / end) within reach on each side
        short = (ls != -1 or lo == 0) and (le != -1 or hi == len(flow)) and len(line) <= DATELINE_CHARS
        if short or _rx("dates", "date.page_time").search(line):
            found = (int(m["y"]), int(m["m"]), int(m["d"]))
    return found


def year_for(day_month: tuple[int, int], dateline: tuple[int, int, int]) -> int:
    d, m = day_month
    y, dm, dd = dateline
    return y if (m, d) <= (dm, dd) else y - 1
