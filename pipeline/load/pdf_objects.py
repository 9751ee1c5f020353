"""A faster equivalent of pdfplumber's per-character object dictionaries.

pdfplumber turns every pdfminer layout object into a dict
(``Page.process_object``), resolving each attribute recursively
(``resolve_all``) and decoding the colour-space name character by character.
For a character almost every attribute is already a plain number, string or
tuple of numbers, so that work is pure overhead: on text-layer PDFs it was
about half the load time.  :func:`fast_objects` gives a page a
``process_object`` that builds the same dict for an ``LTChar`` directly
(plain values as they are, anything else through ``resolve_all``, the colour
space names decoded once per name) and leaves every other object to
pdfplumber.  ``tests/load/test_pdf_objects.py`` checks that both give equal
dicts for every object of generated PDFs.  A pdfplumber without the helpers
this borrows (``ALL_ATTRS``, ``resolve_all``) keeps its own way: slower, the
same dicts.

:func:`fast_layout` reads a page's layout with a device whose character
loop does pdfminer's and pdfplumber's per-character work (matrix, box,
marked-content tags) inline: the same numbers, about a third less time to
load a text page.
"""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from unicodedata import normalize as normalize_unicode

if TYPE_CHECKING:  # pragma: no cover
    from pdfminer.layout import LTItem
    from pdfplumber.page import Page

_PLAIN = frozenset({int, float, str, bool, type(None)})


@functools.lru_cache(maxsize=256)
def _decode_name(name: str) -> Any:
    from pdfplumber.utils.pdfinternals import resolve_and_decode
    return resolve_and_decode(name)


#: The attributes of a pdfminer ``LTChar`` as this pdfminer sets them; a
#: character with exactly these (the usual case) takes the shortest path.
_CHAR_KEYS = frozenset({"_text", "matrix", "fontname", "ncs", "graphicstate", "adv", "upright",
                        "x0", "y0", "x1", "y1", "width", "height", "bbox", "size", "mcid", "tag"})


def fast_objects(page: Page) -> None:
    """Make ``page`` build its character dicts the fast way (before its
    objects are first read)."""
    from pdfminer.layout import LTChar
    try:
        from pdfplumber.page import ALL_ATTRS, fix_fontname_bytes
        from pdfplumber.utils.pdfinternals import resolve_all, resolve_and_decode
    except ImportError:  # pragma: no cover - a pdfplumber laid out otherwise: its own (slower) way
        return

    original: Callable[[LTItem], dict[str, Any]] = page.process_object
    unicode_norm = page.pdf.unicode_norm
    mb_x0, mb_top = page.mediabox[:2]
    height = page.height
    doctop = page.initial_doctop
    number = page.page_number
    plain = _PLAIN
    char_keys = _CHAR_KEYS
    kept = [k for k in ("matrix", "fontname", "adv", "upright", "x0", "y0", "x1", "y1", "width", "height",
                        "size", "mcid", "tag") if k in ALL_ATTRS]

    def process_object(obj: LTItem) -> dict[str, Any]:
        if type(obj) is not LTChar:
            return original(obj)
        d = obj.__dict__
        attr: dict[str, Any]
        if d.keys() == char_keys and type(d["mcid"]) in plain and type(d["tag"]) in plain \
                and type(d["fontname"]) is str:
            # pdfminer computes the numbers and the matrix: nothing to resolve
            attr = {k: d[k] for k in kept}
        else:
            attr = {}
            for k, v in d.items():
                if k in ALL_ATTRS:
                    t = type(v)
                    # a plain value (or tuple of them: the matrix) resolves to itself
                    if t not in plain and not (t is tuple and all(type(x) in plain for x in v)):
                        v = resolve_all(v)
                    attr[k] = v
            if isinstance(attr.get("fontname"), bytes):  # pragma: no cover - rare byte-encoded font names
                attr["fontname"] = fix_fontname_bytes(attr["fontname"])
        attr["object_type"] = "char"
        attr["page_number"] = number
        name = obj.ncs.name
        attr["ncs"] = _decode_name(name) if type(name) is str else resolve_and_decode(name)
        if hasattr(obj, "scs"):  # pragma: no cover - pdfminer does not set it (pdfplumber reads it if it did)
            attr["scs"] = resolve_and_decode(obj.scs.name)
        text = obj.get_text()
        attr["text"] = normalize_unicode(unicode_norm, text) if unicode_norm is not None else text
        gs = obj.graphicstate
        attr["stroking_color"] = gs.scolor if isinstance(gs.scolor, tuple) else (gs.scolor,)
        attr["non_stroking_color"] = gs.ncolor if isinstance(gs.ncolor, tuple) else (gs.ncolor,)
        y1 = attr["y1"]
        top = attr["top"] = (height - y1) + mb_top
        attr["bottom"] = (height - attr["y0"]) + mb_top
        attr["doctop"] = doctop + top
        if mb_x0 != 0:
            attr["x0"] = attr["x0"] + mb_x0
            attr["x1"] = attr["x1"] + mb_x0
        return attr

    page.process_object = process_object  # type: ignore[method-assign]  # an instance's own, faster equivalent


# --------------------------------------------------------------------------
# The page layout: pdfminer's characters, built without its per-call layers
# --------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _fast_device() -> type | None:
    """pdfplumber's layout device with a faster ``render_string_horizontal``
    (None when pdfminer or pdfplumber are not laid out as this expects).

    For each character pdfminer translates the text matrix, builds an
    ``LTChar`` (bounding box through ``apply_matrix_rect``: six calls) and
    pdfplumber then tags it with the marked-content id; that is about half
    the time of reading a text page.  This does the same arithmetic in the
    same order, in one loop, and sets the same attributes in the same order,
    so the characters are equal value for value (``tests/load/
    test_pdf_objects.py`` compares every object of generated and real PDFs).
    Vertical fonts keep pdfminer's own path."""
    try:
        from pdfminer.layout import LTChar
        from pdfminer.pdffont import PDFUnicodeNotDefined
        from pdfplumber.page import PDFPageAggregatorWithMarkedContent
    except ImportError:  # pragma: no cover - a pdfplumber laid out otherwise: its own device
        return None
    new = LTChar.__new__

    class FastAggregator(PDFPageAggregatorWithMarkedContent):
        def render_string_horizontal(self, seq: Any, matrix: Any, pos: Any, font: Any, fontsize: Any,
                                     scaling: Any, charspace: Any, wordspace: Any, rise: Any, dxscale: Any,
                                     ncs: Any, graphicstate: Any) -> Any:
            (x, y) = pos
            needcharspace = False
            (a, b, c, d, e, f) = matrix
            upright = a * d * scaling > 0 and b * c <= 0
            fontname = font.fontname
            to_unichr, char_width, decode = font.to_unichr, font.char_width, font.decode
            items = self.cur_item
            mcid, tag = self.cur_mcid, self.cur_tag
            descent = font.get_descent() * fontsize
            bottom = descent + rise
            top = descent + rise + fontsize
            for obj in seq:
                if isinstance(obj, (int, float)):
                    x -= obj * dxscale
                    needcharspace = True
                elif isinstance(obj, bytes):
                    for cid in decode(obj):
                        if needcharspace:
                            x += charspace
                        # pdfminer.utils.translate_matrix(matrix, (x, y))
                        m_e, m_f = x * a + y * c + e, x * b + y * d + f
                        try:
                            text = to_unichr(cid)
                            assert isinstance(text, str), str(type(text))
                        except PDFUnicodeNotDefined:
                            text = self.handle_undefined_char(font, cid)
                        adv = char_width(cid) * fontsize * scaling
                        # LTChar.__init__, horizontal: the box (0, bottom, adv, top) through the matrix
                        left1, bottom1 = a * 0 + c * bottom + m_e, b * 0 + d * bottom + m_f
                        right1, bottom2 = a * adv + c * bottom + m_e, b * adv + d * bottom + m_f
                        right2, top1 = a * adv + c * top + m_e, b * adv + d * top + m_f
                        left2, top2 = a * 0 + c * top + m_e, b * 0 + d * top + m_f
                        x0 = min(left1, left2, right1, right2)
                        y0 = min(bottom1, bottom2, top1, top2)
                        x1 = max(left1, left2, right1, right2)
                        y1 = max(bottom1, bottom2, top1, top2)
                        item = new(LTChar)
                        item.__dict__.update(
                            _text=text, matrix=(a, b, c, d, m_e, m_f), fontname=fontname, ncs=ncs,
                            graphicstate=graphicstate, adv=adv, upright=upright, x0=x0, y0=y0, x1=x1,
                            y1=y1, width=x1 - x0, height=y1 - y0, bbox=(x0, y0, x1, y1), size=y1 - y0,
                            mcid=mcid, tag=tag)
                        items.add(item)
                        x += adv
                        if cid == 32 and wordspace:
                            x += wordspace
                        needcharspace = True
                else:
                    logging.getLogger("pdfminer.pdfdevice").warning(
                        "Cannot render horizontal string because %r is not a valid int, float or bytes.", obj)
            return (x, y)

    return FastAggregator


def fast_layout(page: Page) -> None:
    """Read ``page``'s layout (what ``page.layout`` would) with the faster
    character loop of :func:`_fast_device`; a no-op when it is read already.
    Errors are pdfplumber's own (``PdfminerException``)."""
    device_class = _fast_device()
    if device_class is None or hasattr(page, "_layout"):  # pragma: no cover - pdfplumber's own way
        return
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfplumber.utils.exceptions import PdfminerException

    device = device_class(page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams)
    interpreter = PDFPageInterpreter(page.pdf.rsrcmgr, device)
    try:
        interpreter.process_page(page.page_obj)
    except Exception as exc:  # noqa: BLE001 - wrapped as pdfplumber wraps it
        raise PdfminerException(exc) from exc
    page._layout = device.get_result()
