"""News about a document: the reporting sentence, its document, date and issuer;
an official text without a header that names itself."""
from __future__ import annotations

from dataclasses import dataclass

from .. import rules
from ..models import DocType, Signer
from ..segment import Segmented
from .bodies import Body, body_opening, parse_body, subject_before
from .common import match_first, sentence_bounds, symbol_codes
from .dates import read_citation_date
from .header import PREAMBLE_CHARS, own_kind
from .signature import news_signer

_rx = rules.compile_pattern
_group = rules.group

SYMBOL_REACH = 20          # how far after a reporting verb the reported document's symbol may start
COMMA_REACH = 3            # the comma after an opening date ("Ngày 19/11, …") stands this close
CITED_DATE_REACH = 30      # a symbol this close before a date makes it a cited document's date
_SOURCE_REACH = 160        # the longest name of a body an article cites as its source


@dataclass(frozen=True)
class Report:
    number: str | None
    date: str | None
    day_month: tuple[int, int] | None
    body: Body | None
    signer: Signer | None
    title: str | None
    start: int


def read_report(flow: str, seg: Segmented) -> Report | None:
    """The first sentence that reports a document being issued."""
    symbol = _rx("references", "ref.symbol")
    kind_gap = _rx("references", "ref.kind_gap")
    date_lead = _rx("references", "ref.date_lead")
    for m in _rx("doc_types", "report.verb").finditer(flow):
        s, e = sentence_bounds(seg, flow, m.start())
        number = None
        after = m.end()
        sm = symbol.search(flow, m.end(), min(len(flow), m.end() + SYMBOL_REACH))
        if sm and kind_gap.match(flow[m.end():sm.start()]):
            number, after = "".join(sm["number"].split()), sm.end()
        signer, signer_body = news_signer(flow[s:e])
        body = signer_body or subject_before(flow[s:m.start() + 1], m.start() - s)
        if number is None and body is None:
            continue
        date: str | None = None
        dm: tuple[int, int] | None = None
        lead = date_lead.match(flow, after) if number else None
        if lead:
            date, dm, end = read_citation_date(flow, lead.end())
            after = max(after, end)
        if date is None and dm is None:
            date, dm = _date_opening(flow, s, m.start())
        title = _report_title(flow[after:e])
        return Report(number, date, dm, body, signer, title, s)
    return None


def _date_opening(flow: str, start: int, verb: int) -> tuple[str | None, tuple[int, int] | None]:
    """The date that opens a reporting clause ("Ngày 19/11, UBND …"): the last
    "ngày …" before the verb that is followed by a comma and is not the date
    of a document cited just before it."""
    symbol = _rx("references", "ref.symbol")
    found: tuple[str | None, tuple[int, int] | None] = (None, None)
    for dmatch in _rx("dates", "date.ngay").finditer(flow, start, verb):
        date, dm, end = read_citation_date(flow, dmatch.start())
        if not flow[end:end + COMMA_REACH].lstrip().startswith(","):
            continue
        if symbol.search(flow, max(start, dmatch.start() - CITED_DATE_REACH), dmatch.start()):
            continue
        found = (date, dm)
    return found


def _report_title(text: str) -> str | None:
    t = _rx("doc_types", "report.title_lead").sub("", text, count=1).strip().rstrip(".;:").strip()
    return t or None


def passive_body(flow: str) -> Body | None:
    m = _rx("doc_types", "report.passive").search(flow)
    return parse_body(m["body"]) if m else None


def source_body(flow: str) -> Body | None:
    """The body an article's opening cites as its source (``Theo UBND tỉnh
    Tây Ninh, ngành chức năng đang triển khai kế hoạch …``): the body whose
    plan it reports, when no sentence reports the plan being issued."""
    m = _rx("doc_types", "report.source").search(flow, 0, PREAMBLE_CHARS)
    if m is None:
        return None
    found = body_opening(flow[m.end():m.end() + _SOURCE_REACH])
    if found is None or not flow[m.end() + found[0]:].lstrip(" \t").startswith(","):
        return None   # "Theo UBND tỉnh Tây Ninh về việc …": not a source standing alone
    return found[1]


def text_issuer(flow: str, seg: Segmented) -> Body | None:
    """An official text naming itself: ``Ủy ban nhân dân tỉnh ban hành Kế hoạch``."""
    pre = flow[:PREAMBLE_CHARS]
    for m in _rx("doc_types", "issue.verb").finditer(pre):
        s, _ = sentence_bounds(seg, flow, m.start())
        body = subject_before(flow[s:m.start() + 1], m.start() - s)
        if body:
            return body
    return None


def self_issued(flow: str, seg: Segmented) -> DocType | None:
    """The kind of document a headerless text says it is ("Ủy ban nhân dân
    tỉnh ban hành Kế hoạch …, cụ thể như sau:"), or None.  News say "vừa/đã
    ban hành" and are not taken."""
    intro = _rx("doc_types", "issue.self_intro")
    for m in _rx("doc_types", "issue.verb").finditer(flow, 0, PREAMBLE_CHARS):
        if m["news"]:  # vừa / đã / mới ban hành
            continue
        _, e = sentence_bounds(seg, flow, m.start())
        if intro.search(flow[m.end():e]):
            hit = match_first("doc_types", "kind.", m["kind"])
            return (own_kind(hit[0]["kind"]) if hit else None) or "other"
    return None


def issuer_from_symbol(number: str) -> Body | None:
    _, code = symbol_codes(number)
    if not code:
        return None
    hit = match_first("references", "issuer.", code)
    return parse_body(hit[0]["issuer"]) if hit else None
