"""Cited documents: every other document a text cites, once, never itself.

A citation is a document symbol (``1520/QĐ-TTg``, ``150/2025/NĐ-CP``,
``35-KH/TU``) with the kind word before it (``Quyết định số``) and, after it,
its date and issuer (``ngày 09/12/2022 của Thủ tướng Chính phủ``).  Laws are
often cited by name and date alone (``Luật Thư viện ngày 21 tháng 11 năm
2019``) or, when a plan implements them, by name alone (``triển khai Luật Thư
viện``); Party congress resolutions by their congress (``Nghị quyết Đại hội
Đảng bộ tỉnh lần thứ XIX``).  Unnumbered programmes and schemes
(``Chương trình “…”``, ``Đề án …``) are not listed: they cannot be told apart
from the decision that approved them.

Two stages, as in eyecite: :mod:`.find` finds every mention with its span and
what the text says around it; :mod:`.resolve` completes the issuers from the
document's place and merges the mentions of one document.  Evidence is the
citation phrase, as a span of the raw text.

>>> from pipeline.text import prepare
>>> from pipeline.segment import segment
>>> p = prepare("Căn cứ Quyết định số 150/QĐ-TTg ngày 04 tháng 5 năm 2013 của Thủ tướng Chính phủ về việc;")
>>> [(r.kind, r.number, r.date, r.issuer) for r in extract_references(p, segment(p.flow, with_sentences=False), None)]
[('decision', '150/QĐ-TTg', '2013-05-04', 'Thủ tướng Chính phủ')]
"""
from __future__ import annotations

from ...models import Evidence, Reference
from ...segment import Segmented
from ...text import PreparedText
from ..context import Extracted, ExtractionContext
from .find import find_citations, symbol_key
from .resolve import Place, resolve_citations

__all__ = ["find_references", "extract_references", "Place"]


def find_references(ctx: ExtractionContext) -> Extracted[Reference]:
    """The references stage: every document cited by the document of ``ctx``,
    its own number (``ctx.facts``) left out, issuers completed from its place."""
    facts = ctx.facts
    place = Place(facts.province, facts.district) if facts else None
    number = facts.number if facts else None
    return Extracted(items=tuple(extract_references(ctx.prep, ctx.seg, number, place)))


def extract_references(prep: PreparedText, seg: Segmented | None, self_number: str | None,
                       place: Place | None = None) -> list[Reference]:
    """Every document ``prep`` cites, once, without the document itself.

    ``self_number`` is the document's own number (for a news article, the
    number of the document it reports), left out of the list.  ``place``, the
    document's province and district when the caller has read its facts,
    completes a cited body's name (``UBND tỉnh`` → ``… tỉnh Hà Giang``); the
    references never read the facts themselves.  ``seg`` is not needed: a
    citation is read in the flow text.
    """
    del seg  # kept in the signature: every extractor takes (prepared text, segmentation, …)
    cites = find_citations(prep.flow)
    self_key = symbol_key(self_number) if self_number else None
    out: list[Reference] = []
    for c in resolve_citations(cites, place or Place(None, None), self_key):
        text, a, b = prep.raw_span_text(c.start, c.end)
        out.append(Reference(kind=c.kind or "other", number=c.number, date=c.date,
                             issuer=c.issuer, evidence=Evidence(text=text, start=a, end=b)))
    return out
