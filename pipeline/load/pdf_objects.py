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
"""
from __future__ import annotations

import functools
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
