"""Value mentions: percentages, ranges, ratios and counts, with their spans."""
from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass

import regex

from ... import rules
from .common import PREFIX_REACH, _p

_DIGIT = regex.compile(r"\d")

_PAREN = regex.compile(r"[()]")
_GROUPED = regex.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")   # 1.200.000,5: dots group thousands


@dataclass(slots=True)
class Mention:
    start: int              # offsets in flow
    end: int
    value: float
    value_max: float | None
    kind: str               # percent | ratio | count | multiple | rate (the last two: unit other)
    unit_text: str = ""
    value_end: int | None = None   # where the value as written ends, when before ``end`` (a count's unit)

    @property
    def counted(self) -> bool:
        """A number of things, a multiple or a rate per population: read
        with the words before it, as a count is (not a share of its tier)."""
        return self.kind in ("count", "multiple", "rate")

    def written(self) -> tuple[int, int]:
        """The span of the value as written (``12 - 15%``, ``8/8``, ``1.200``), in flow."""
        return self.start, self.end if self.value_end is None else self.value_end


def _num(s: str) -> float | None:
    s = s.strip()
    if _GROUPED.fullmatch(s):
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
    for pm in _PAREN.finditer(text, start, end):   # only the brackets: not a step per character
        i = pm.start()
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


class _Spans:
    """Disjoint spans kept in order: membership in O(log n), so that finding
    the values of a sentence stays near-linear in their number."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, a: int, b: int) -> None:
        i = bisect.bisect_left(self.starts, a)
        self.starts.insert(i, a)
        self.ends.insert(i, b)

    def free(self, a: int, b: int) -> bool:
        """Does ``[a, b)`` overlap no span?"""
        i = bisect.bisect_left(self.starts, b)   # spans starting before b
        return i == 0 or self.ends[i - 1] <= a

    def covers(self, pos: int) -> bool:
        i = bisect.bisect_right(self.starts, pos)
        return i > 0 and pos < self.ends[i - 1]


def find_mentions(flow: str, start: int, end: int) -> list[Mention]:
    text = flow
    taken = _Spans()
    out: list[Mention] = []
    free = taken.free
    excluded = _Spans()
    for a, b, inner in _paren_spans(text, start, end):
        if _p("paren_not_value").match(inner):
            excluded.add(a, b)
    in_excluded = excluded.covers

    for m in _p("percent_range").finditer(text, start, end):
        lo, hi = _num(m.group("lo")), _num(m.group("hi"))
        if lo is None or hi is None or not (lo < hi <= 1000) or in_excluded(m.start()):
            continue
        out.append(Mention(m.start(), m.end(), lo, hi, "percent"))
        taken.add(m.start(), m.end())
    for m in _p("percent").finditer(text, start, end):
        if not free(m.start(), m.end()) or in_excluded(m.start()):
            continue
        v = _num(m.group("lo"))
        if v is None or v > 1000:
            continue
        out.append(Mention(m.start(), m.end(), v, None, "percent"))
        taken.add(m.start(), m.end())
    not_before_ratio = _p("ratio_not_target")
    for m in _p("ratio").finditer(text, start, end):
        if not free(m.start(), m.end()) or in_excluded(m.start()):
            continue
        num, den = int(m.group("num")), int(m.group("den"))
        if den < 2 or num > den:
            continue
        if not_before_ratio.search(text[max(start, m.start() - PREFIX_REACH):m.start()]):
            continue
        out.append(Mention(m.start(), m.end(), round(100.0 * num / den, 2), None, "ratio"))
        taken.add(m.start(), m.end())
    for m in _p("per_population").finditer(text, start, end):
        s, e = m.start("lo"), m.end("den")
        if not free(s, e) or in_excluded(s):
            continue
        v = _num(m.group("lo"))
        if v is None:
            continue
        # the value as written is the number; "/100.000 …" is its unit
        out.append(Mention(s, e, v, None, "rate", m.group("unit") or "", value_end=m.end("lo")))
        taken.add(s, e)
    for m in _p("multiple").finditer(text, start, end):
        s, e = m.start("lo"), m.end()
        if not free(s, e) or in_excluded(s):
            continue
        lo = _num(m.group("lo"))
        hi = _num(m.group("hi")) if m.group("hi") else None
        if lo is None or (hi is not None and hi <= lo):
            continue
        out.append(Mention(s, e, lo, hi, "multiple", "lần", value_end=m.end("hi") if hi is not None else m.end("lo")))
        taken.add(s, e)
    for m in _count_matches(text, start, end):
        s, e = m.start("lo"), (m.end("hi") if m.group("hi") else m.end("lo"))
        if not free(s, e) or in_excluded(s):
            continue
        unit = m.group("unit") or ""
        lo = _count_value(m, unit)
        if lo is None:
            continue
        hi = _num(m.group("hi")) if m.group("hi") else None
        if hi is not None and hi <= lo:
            hi = None
        unit_end = min(end, m.end("unit"))
        out.append(Mention(s, unit_end, lo, hi, "count", unit, value_end=e))
        taken.add(s, e)
    counts = [m for m in out if m.kind == "count"]
    k = 0
    while k < len(counts):   # a found part or item may lead to the next one
        for par in _parallel_counts(text, counts[k], end):
            s, e = par.written()
            if free(s, e) and not in_excluded(s):
                out.append(par)
                counts.append(par)
                taken.add(s, e)
        k += 1
    out.sort(key=lambda m: m.start)
    k = 0
    while k < len(out):   # a count after a value of the list, of units to be certified
        item = _certified_item(text, out[k], end)
        if item is not None:
            s, e = item.written()
            if free(s, e) and not in_excluded(s):
                out.insert(k + 1, item)   # read next: it may lead to the next item
                taken.add(s, e)
        k += 1
    out.sort(key=lambda m: m.start)   # a count written as a word may stand between (no digit)
    return out


def _certified_item(text: str, value: Mention, end: int) -> Mention | None:
    """The nearest count after ``value``, before any other value, that is a later
    item of its list counting units to be certified (``98% cơ quan đạt chuẩn văn
    hóa, 75 doanh nghiệp đạt chuẩn văn hóa``)."""
    m = _p("count_certified_item").search(text, value.end, min(end, value.end + PARALLEL_REACH))
    if m is None or _DIGIT.search(text, value.end, m.start("lo")):
        return None
    unit = m.group("unit") or ""
    lo = _count_value(m, unit)
    if lo is None:
        return None
    return Mention(m.start("lo"), min(end, m.end("unit")), lo, None, "count", unit, value_end=m.end("lo"))


PARALLEL_REACH = 160   # how far after a count a part of it or a parallel count may stand


def _unit_head(unit: str) -> str:
    return " ".join(unit.split("/")[0].split()).casefold()


def _count_value(m: regex.Match[str], unit: str) -> float | None:
    """The number of a count match, unless its unit makes it no target (an
    age, a sum of money) or the number is a year (``2025``, not ``2.000 CLB``)."""
    lo = _num(m.group("lo"))
    if lo is None:
        lo = word_number(m.group("lo"))   # count_word: "ít nhất một cơ sở"
    if lo is None or _p("count_unit_not_target").match(unit) or (1900 <= lo <= 2100 and m.group("lo").isdigit()):
        return None
    return lo


_NUMBER_GROUP = regex.compile(r"w(\d+)")


@functools.cache
def _number_word() -> regex.Pattern[str]:
    return regex.compile(rules.fragment("so_chu") or r"(?!)", regex.IGNORECASE)


def word_number(text: str) -> float | None:
    """The number a word names (``một`` -> 1.0 … ``mười`` -> 10.0: the shared
    fragment ``so_chu``, whose group ``w<number>`` that matches is the value), else None."""
    m = _number_word().fullmatch(text.strip())
    if m is None:
        return None
    name = next(name for name, found in m.groupdict().items() if found)
    g = _NUMBER_GROUP.fullmatch(name)
    return float(g.group(1)) if g else None


def _parallel_counts(text: str, count: Mention, end: int) -> list[Mention]:
    """After ``count``, in reach: a part of it (``trong đó có 20 …``), and a
    count of the same things later in its list (``100 doanh nghiệp …, 50
    doanh nghiệp …``)."""
    stop = min(end, count.end + PARALLEL_REACH)
    found: list[Mention] = []
    for rid, same_unit in (("count_part", False), ("count_list_item", True)):
        for m in _p(rid).finditer(text, count.end, stop):
            unit = m.group("unit") or ""
            lo = _count_value(m, unit)
            if lo is None:
                continue
            if same_unit and _unit_head(unit) != _unit_head(count.unit_text):
                continue
            found.append(Mention(m.start("lo"), min(end, m.end("unit")), lo, None, "count", unit,
                                 value_end=m.end("lo")))
            break   # the nearest one: it leads to the next
    return found


_COUNT_RULES = ("count", "count_outcome", "count_label", "count_named", "count_from", "count_have", "count_certified",
                "count_word")


def _count_matches(text: str, start: int, end: int) -> list[regex.Match[str]]:
    """Counts in the forms of ``rules/values.yaml`` (after a target word, an
    outcome verb, a year label, a label naming what is counted, ``từ … đến
    …`` / ``từ … trở lên``, a goal word or list separator before units to be
    certified), in text order."""
    found: list[regex.Match[str]] = []
    for rid in _COUNT_RULES:
        found.extend(_p(rid).finditer(text, start, end))
    found.sort(key=lambda m: m.start("lo"))
    return found

