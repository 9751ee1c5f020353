"""Marking spans of a text: evidence sentences and the values inside them.

:func:`highlight` wraps spans of a text in ``<mark>`` elements (nesting, and
cutting crossing spans so the markup stays well formed); :func:`written_span`
gives where a target's value is written in its evidence sentence: the
reader's own span (``Target.value_span``) when it has one, else the search of
:func:`value_span` (:func:`find_value` for a value given by its numbers, as a
row of the targets table has it); :func:`pieces` cuts a text at such spans for a view without markup.
The report marks the document text with them, and ``comparison.xlsx`` writes
the value in bold inside every evidence cell of its data sheets (a rich
string of :func:`pieces`; a cell comment holds plain text only, so the
comparison sheet's comments stay plain).
"""
from __future__ import annotations

import functools
import html
import re
from collections import defaultdict, deque
from itertools import islice
from typing import Any
from collections.abc import Iterable, Iterator, Mapping, Sequence

from ..models import Target

__all__ = ["highlight", "written_span", "value_span", "find_value", "relative_span", "pieces", "esc"]


#: A number as written in a sentence: digits with dots or commas between groups.
_NUMBER_TOKEN = re.compile(r"(?<![\d.,])\d{1,15}(?:[.,]\d{1,15}){0,5}(?![\d])")
_PERCENT_AFTER = re.compile(r"[ \u00a0]?%")


@functools.lru_cache(maxsize=4096)
def _readings(token: str) -> frozenset[float]:
    """The numbers a written token can be: ``12,5`` (decimal comma), ``300.000``
    (dots between thousands), ``12.5`` (a decimal dot).  Cached: the same
    tokens (years, percentages) recur in every evidence sentence."""
    out = set()
    for candidate in (token.replace(".", "").replace(",", "."), token.replace(",", ""),
                      token.replace(",", ".") if token.count(",") + token.count(".") == 1 else token):
        try:
            out.add(float(candidate))
        except ValueError:
            pass
    return frozenset(out)


def relative_span(evidence: str, evidence_start: int, text: str, start: int, end: int) -> tuple[int, int] | None:
    """A span ``start``–``end`` of the document, holding ``text``, as a span
    of the evidence ``evidence`` that starts at ``evidence_start``; ``None``
    when it does not lie inside or does not hold ``text`` there.

    >>> relative_span("đạt 12 - 15 %.", 100, "12 - 15 %", 104, 113)
    (4, 13)
    >>> relative_span("đạt 12 - 15 %.", 100, "12 - 15 %", 90, 99) is None
    True
    """
    a, b = start - evidence_start, end - evidence_start
    return (a, b) if 0 <= a <= b <= len(evidence) and evidence[a:b] == text else None


def written_span(t: Target, evidence: str,
                 taken: Iterable[tuple[int, int]] = ()) -> tuple[int, int] | None:
    """Where ``t``'s value is written in its evidence ``evidence``: the span
    the reader matched (``t.value_span``) when it has one that lies there,
    else :func:`value_span`'s search.

    >>> from pipeline.models import Evidence
    >>> ev = Evidence("Năm 2025 đạt 60%; năm 2030 đạt 60%.", 10, 45)
    >>> t = Target("library", "lib.service", None, "all", 2030, None, 60, None, "percent", False, "at_least", ev,
    ...            value_span=Evidence("60%", 41, 44))
    >>> written_span(t, ev.text), value_span(t, ev.text)
    ((31, 34), (13, 16))
    """
    vs = t.value_span
    if vs is not None and evidence == t.evidence.text:
        at = relative_span(evidence, t.evidence.start, vs.text, vs.start, vs.end)
        if at is not None:
            return at
    return value_span(t, evidence, taken)


def value_span(t: Target, evidence: str,
               taken: Iterable[tuple[int, int]] = ()) -> tuple[int, int] | None:
    """Where ``t``'s value is written in its evidence ``evidence``: ``(start,
    end)`` within it, the range's two ends and a following ``%`` included, or
    ``None`` when the number is not found as written (the whole sentence then
    stands for it).  Spans in ``taken`` (the values of other targets read from
    the same sentence) are passed over while another place writes the same
    number, so ``60% (2025) … 60% (2025)`` gives each target its own.

    >>> from pipeline.models import Evidence
    >>> ev = Evidence("Cấp huyện đạt 12,5% và cấp xã đạt 12 - 15 %.", 0, 44)
    >>> t = Target("library", "lib.service", None, "district", 2025, None, 12.5, None, "percent", False, "at_least", ev)
    >>> a, b = value_span(t, ev.text); ev.text[a:b]
    '12,5%'
    >>> t = Target("library", "lib.service", None, "commune", 2025, None, 12, 15, "percent", False, "at_least", ev)
    >>> a, b = value_span(t, ev.text); ev.text[a:b]
    '12 - 15 %'
    """
    return find_value(float(t.value), t.value_max, t.unit, evidence, taken)


def find_value(value: float, value_max: float | None, unit: str | None, evidence: str,
               taken: Iterable[tuple[int, int]] = ()) -> tuple[int, int] | None:
    """:func:`value_span` for a value given by its numbers and unit (a row of
    the targets or differences table).

    >>> text = "Tỷ lệ 300.000 lượt; cấp xã đạt 5%, cấp huyện 12,5%"
    >>> a, b = find_value(12.5, None, "percent", text); text[a:b]
    '12,5%'
    >>> a, b = find_value(300000, None, "count", text); text[a:b]
    '300.000'
    >>> find_value(7, None, "count", text) is None
    True
    """
    # One pass over the numbers (with a look-ahead of two for a range's high
    # end, :func:`_range_spans`), keeping only the first candidates: memory
    # stays constant however many numbers a sentence holds (a 1 MB line of
    # values is one sentence).
    percent = unit in ("percent", "percent_per_year")
    high = value_max if value_max is not None and value_max == value_max and value_max != value else None
    taken = set(taken)
    spans = (_value_spans(float(value), percent, evidence) if high is None
             else _range_spans(float(value), float(high), percent, evidence))
    first: tuple[int, int] | None = None          # the first place the value is written
    first_free: tuple[int, int] | None = None     # ... that no other target took
    first_pct: tuple[int, int] | None = None      # the same, written with its % sign
    first_pct_free: tuple[int, int] | None = None
    for span in spans:
        free = span not in taken
        first = first or span
        first_free = first_free or (span if free else None)
        if percent and evidence[span[1] - 1:span[1]] == "%":
            first_pct = first_pct or span
            first_pct_free = first_pct_free or (span if free else None)
            if first_pct_free:
                return first_pct_free
        elif not percent and first_free:
            return first_free
    if percent and first_pct is not None:   # a percentage is written with its sign where there is one
        return first_pct_free or first_pct
    return first_free or first


def _is(x: float, written: str) -> bool:
    """Whether the written number ``written`` can be ``x`` (:func:`_readings`)."""
    readings = _readings(written)
    return x in readings or any(abs(x - r) < 1e-9 for r in readings)


def _end_of(evidence: str, end: int, percent: bool) -> int:
    """``end``, past a ``%`` sign right after it when ``percent``."""
    m = _PERCENT_AFTER.match(evidence, end) if percent else None
    return m.end() if m else end


def _value_spans(value: float, percent: bool, evidence: str) -> Iterator[tuple[int, int]]:
    """The spans of :func:`find_value` where ``value`` is written (with its
    ``%`` sign after it, if ``percent`` and there is one), in order."""
    for m in _NUMBER_TOKEN.finditer(evidence):
        if _is(value, m.group()):
            yield m.start(), _end_of(evidence, m.end(), percent)


def _range_spans(value: float, high: float, percent: bool, evidence: str) -> Iterator[tuple[int, int]]:
    """The spans of :func:`find_value` where the range ``value``–``high`` is
    written: ``value``, then ``high`` within 12 characters as one of the next
    two numbers; in order."""
    tokens = ((m.start(), m.end(), m.group()) for m in _NUMBER_TOKEN.finditer(evidence))
    ahead: deque[tuple[int, int, str]] = deque(islice(tokens, 3))
    while ahead:
        start, end, written = ahead.popleft()
        ahead.extend(islice(tokens, 3 - len(ahead)))
        if not _is(value, written):
            continue
        nxt = next((tok for tok in list(ahead)[:2] if _is(high, tok[2]) and tok[0] - end <= 12), None)
        if nxt is not None:
            yield start, _end_of(evidence, nxt[1], percent)


def pieces(text: str, spans: Iterable[tuple[int, int]]) -> list[tuple[str, bool]]:
    """``text`` cut at the ``(start, end)`` spans: ``(piece, inside a span?)``
    in order, empty pieces left out; a span overlapping an earlier one is
    passed over.  What a view without markup highlights (an XLSX rich string).

    >>> pieces("Cấp xã đạt 60% (2025)", [(11, 14)])
    [('Cấp xã đạt ', False), ('60%', True), (' (2025)', False)]
    >>> pieces("60%", [(0, 3)])
    [('60%', True)]
    """
    out: list[tuple[str, bool]] = []
    pos = 0
    for start, end in sorted(spans):
        if start < pos or not (0 <= start < end <= len(text)):
            continue
        if start > pos:
            out.append((text[pos:start], False))
        out.append((text[start:end], True))
        pos = end
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def esc(value: Any) -> str:
    """HTML-escape text or an attribute value.  A carriage return is written as
    ``&#13;`` (a literal one would become a line feed in the DOM) and NUL as
    U+FFFD (the parser drops it), so the page keeps the text's length."""
    if value is None:
        return ""
    return html.escape(str(value), quote=True).replace("\r", "&#13;").replace("\0", "\ufffd")


def highlight(text: str, spans: Iterable[tuple[int, int, str]],
              titles: Mapping[str, Sequence[str]] | None = None,
              classes: Mapping[str, str] | None = None,
              values: Iterable[tuple[int, int]] = ()) -> str:
    """``text`` escaped, each ``(start, end, id)`` span wrapped in ``<mark>``.

    Spans may nest, coincide (the first id wins) or cross.  A span that crosses
    one opened before it is closed and reopened around the crossing, so the
    result is always well formed: its first piece is ``<mark id=ID
    data-ev=ID>``, the others ``<mark data-ev=ID>``, and the pieces' text is
    ``text[start:end]``.  ``titles`` gives a tooltip per id, ``classes`` extra
    classes per id.  Each ``(start, end)`` of ``values`` (where a value is
    written inside its evidence) is wrapped in ``<b class="val">``, cut the
    same way where it crosses a mark.
    """
    titles = titles or {}
    classes = classes or {}
    unique: dict[tuple[int, int], str] = {}
    unique_v: list[tuple[int, int, str]] = []
    for start, end, mark in spans:
        if not (0 <= start <= end <= len(text)):
            raise ValueError(f"span {start}:{end} outside a text of {len(text)} characters")
        unique.setdefault((start, end), mark)
    value_ids: set[str] = set()
    for k, (start, end) in enumerate(sorted(set(values))):
        if not (0 <= start < end <= len(text)):
            raise ValueError(f"value span {start}:{end} outside a text of {len(text)} characters")
        value_ids.add(f"\0v{k}")
        starts_v = (start, end, f"\0v{k}")
        unique_v.append(starts_v)
    starts: dict[int, list[tuple[int, str]]] = defaultdict(list)
    empty: dict[int, list[str]] = defaultdict(list)
    end_of: dict[str, int] = {}
    for start, end, mark in unique_v:
        starts[start].append((end, mark))
        end_of[mark] = end
    for (start, end), mark in unique.items():
        if start == end:
            empty[start].append(mark)
        else:
            starts[start].append((end, mark))
            end_of[mark] = end
    bounds = sorted({0, len(text)} | set(starts) | set(end_of.values()) | set(empty))
    out: list[str] = []
    stack: list[str] = []
    opened: set[str] = set()

    def close_tag(mark: str) -> str:
        return "</b>" if mark in value_ids else "</mark>"

    def open_tag(mark: str) -> str:
        if mark in value_ids:
            return '<b class="val">'
        cls = " ".join(x for x in ("ev", classes.get(mark, "")) if x)
        if mark in opened:
            return f'<mark class="{cls} ev-cont" data-ev="{esc(mark)}">'
        opened.add(mark)
        tip = titles.get(mark)
        title = f' title="{esc(chr(10).join(tip))}"' if tip else ""
        return f'<mark id="{esc(mark)}" class="{cls}" data-ev="{esc(mark)}"{title}>'

    pos = 0
    for b in bounds:
        if b > pos:
            out.append(esc(text[pos:b]))
            pos = b
        ending = {m for m in stack if end_of[m] == b}
        if ending:
            reopen = []
            while ending & set(stack):
                m = stack.pop()
                out.append(close_tag(m))
                if m not in ending:
                    reopen.append(m)
            for m in reversed(reopen):
                out.append(open_tag(m))
                stack.append(m)
        for m in sorted(empty.get(b, ())):
            out.append(open_tag(m) + "</mark>")
        for _, m in sorted(starts.get(b, ()), key=lambda em: (-em[0], em[1] in value_ids, em[1])):
            out.append(open_tag(m))
            stack.append(m)
    out.append(esc(text[pos:]))
    out.extend(close_tag(m) for m in reversed(stack))
    return "".join(out)

