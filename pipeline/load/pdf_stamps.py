"""Text stamped into annotation appearances of a PDF page (signed PDFs).

Offices stamp the number and the day into signature fields on the ``Số:``
and ``ngày`` lines, so the page's own text reads ``Số: /TB-UBND``.  The text
of each widget and FreeText appearance stream is read (pdfminer), mapped from
the form's box to the annotation's rectangle (:func:`stamp_words`), and a
short stamp that lies on a text line joins that line (:func:`place_stamps`).
Long stamps (the signer's certificate box) are left out here, stamps off any
line there.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pdfminer.pdfpage import PDFPage

if TYPE_CHECKING:  # pragma: no cover
    from pdfminer.layout import LTChar, LTItem
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfinterp import PDFResourceManager
    from pdfminer.pdftypes import PDFStream
    from pdfplumber.page import Page

#: A word as pdfplumber gives it (``text``, ``x0``, ``x1``, ``top``, ``bottom``, …);
#: a stamped word also has ``stamp: True``.
Word = dict[str, Any]

#: A stamp longer than this (letters and digits) is a signature box, not a filled-in blank.
STAMP_CHARS = 24
_ANNOT_TYPES = ("Widget", "FreeText")


class _FormPage(PDFPage):
    """A form XObject (an annotation's appearance) dressed as a page for
    pdfminer's interpreter: its box as the media box, its resources, itself
    as the content stream."""

    def __init__(self, doc: PDFDocument, stream: PDFStream, bbox: tuple[float, float, float, float]) -> None:
        from pdfminer.pdftypes import resolve1
        # not PDFPage.__init__: there is no page dictionary to parse
        self.doc = doc
        self.pageid = 0
        self.attrs = {}
        self.label = None
        self.lastmod = None
        self.resources = resolve1(stream.attrs.get("Resources")) or {}
        self.contents = [stream]
        self.mediabox = self.cropbox = bbox
        self.rotate = 0
        self.annots = None
        self.beads = None


def _chars_of(layout: LTItem) -> list[LTChar]:
    from pdfminer.layout import LTChar
    out: list[LTChar] = []
    stack: list[object] = [layout]
    while stack:
        obj = stack.pop()
        if isinstance(obj, LTChar):
            out.append(obj)
        elif isinstance(obj, Iterable):
            stack.extend(reversed(list(obj)))
    return out


def _appearance_chars(doc: PDFDocument, data: dict[str, Any], manager: PDFResourceManager
                      ) -> tuple[list[LTChar], tuple[float, float, float, float]] | None:
    """The characters of an annotation's normal appearance and its form box, or None."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfminer.pdftypes import PDFStream, resolve1

    ap = resolve1(data.get("AP"))
    normal = resolve1(ap.get("N")) if isinstance(ap, dict) else None
    if not isinstance(normal, PDFStream):
        return None
    box = [float(resolve1(v)) for v in resolve1(normal.attrs.get("BBox", [0, 0, 1, 1]))]
    bbox = (box[0], box[1], box[2], box[3])
    device = PDFPageAggregator(manager, laparams=None)
    PDFPageInterpreter(manager, device).process_page(_FormPage(doc, normal, bbox))
    return _chars_of(device.get_result()), bbox


def stamp_words(page: Page) -> list[Word]:
    """Words of the short widget/FreeText appearance texts, in page coordinates
    (pdfplumber's: ``top`` from the top of the page)."""
    from pdfminer.pdfinterp import PDFResourceManager

    try:
        annots = page.annots
    except Exception:  # noqa: BLE001 - damaged annotations (pdfminer raises many types): none
        return []
    words: list[Word] = []
    manager: PDFResourceManager | None = None
    for a in annots:
        data = a.get("data") or {}
        subtype = getattr(data.get("Subtype"), "name", str(data.get("Subtype", "")))
        if subtype.strip("/'") not in _ANNOT_TYPES:
            continue
        try:
            if manager is None:
                manager = PDFResourceManager()
            found = _appearance_chars(page.pdf.doc, data, manager)
        except Exception:  # noqa: BLE001 - a broken appearance stream: not worth failing the page
            continue
        if found is None:
            continue
        chars, bbox = found
        text = "".join(c.get_text() for c in chars)
        if not chars or sum(ch.isalnum() for ch in text) > STAMP_CHARS or not text.strip():
            continue
        bw, bh = (bbox[2] - bbox[0]) or 1.0, (bbox[3] - bbox[1]) or 1.0
        sx, sy = (a["x1"] - a["x0"]) / bw, (a["bottom"] - a["top"]) / bh
        current: list[LTChar] = []
        for c in sorted(chars, key=lambda c: (-round(c.y0), c.x0)):
            if c.get_text().isspace():
                _flush_stamp_word(words, current, a, bbox, sx, sy)
                continue
            if current and (abs(c.y0 - current[-1].y0) > 0.5 * (c.y1 - c.y0)
                            or c.x0 - current[-1].x1 > 0.3 * (c.y1 - c.y0)):
                _flush_stamp_word(words, current, a, bbox, sx, sy)
            current.append(c)
        _flush_stamp_word(words, current, a, bbox, sx, sy)
    return words


def _flush_stamp_word(words: list[Word], current: list[LTChar], a: dict[str, Any],
                      bbox: tuple[float, float, float, float], sx: float, sy: float) -> None:
    """Append the characters collected in ``current`` (appearance-stream
    coordinates) as one word in page coordinates, and empty ``current``."""
    if current:
        words.append({
            "text": unicodedata.normalize("NFC", "".join(c.get_text() for c in current)),
            "x0": a["x0"] + (current[0].x0 - bbox[0]) * sx,
            "x1": a["x0"] + (current[-1].x1 - bbox[0]) * sx,
            "top": a["top"] + (bbox[3] - max(c.y1 for c in current)) * sy,
            "bottom": a["top"] + (bbox[3] - min(c.y0 for c in current)) * sy,
            "stamp": True,
        })
        current.clear()


def place_stamps(words: list[Word], stamps: list[Word]) -> list[Word]:
    """The stamp words that lie on a line of the page's own words."""
    kept = []
    for s in stamps:
        mid = (s["top"] + s["bottom"]) / 2
        line = [w for w in words if w["top"] <= mid <= w["bottom"]]
        if line:
            # take the line's height, so that the line grouping keeps it on the line
            kept.append({**s, "top": min(w["top"] for w in line), "bottom": max(w["bottom"] for w in line)})
    return kept
