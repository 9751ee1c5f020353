"""Saved web pages: the article body only, tables kept.

Navigation bars and breadcrumbs are removed first (``_strip_chrome``); then
the main content is found by trafilatura (menus, breadcrumbs, comments,
"related articles" lists, footers are dropped).  Its XML output gives the
paragraphs, headings, lists and tables in order; list items get the marker
the browser would draw (``-`` or ``1.``).  Tables are rebuilt from the page's
own ``<table>`` so that merged cells keep their rowspan/colspan.

Old Vietnamese sites typed in ``.VnTime``/``VNI-Times`` fonts are converted
like any other text (:mod:`.legacy_fonts`).
"""
from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from pathlib import Path
from collections.abc import Iterator

from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement

from . import legacy_fonts
from .document import CellSpec, LoadedText, TextBuilder
from .errors import LoadError
from .txt import decode_bytes

log = logging.getLogger("chitieu")

#: Libraries whose log lines are about their own work, not the user's file
#: (trafilatura logs "discarding data: None" when it gives up on a page).
_LIBRARY_LOGGERS = ("trafilatura", "htmldate", "courlan", "justext")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _library_logs() -> Iterator[list[logging.LogRecord]]:
    """Keep the extraction libraries' log lines off stderr while they run; what
    they said is logged at DEBUG (``--verbose``) instead."""
    collect = _Collect()
    saved = []
    for name in _LIBRARY_LOGGERS:
        lg = logging.getLogger(name)
        saved.append((lg, lg.propagate))
        lg.addHandler(collect)
        lg.propagate = False
    try:
        yield collect.records
    finally:
        for lg, propagate in saved:
            lg.removeHandler(collect)
            lg.propagate = propagate
        for rec in collect.records:
            log.debug("%s said: %s", rec.name, rec.getMessage())


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.IGNORECASE)
_BLOCK_TAGS = {"p", "head", "quote", "code", "list", "table"}


def decode_html(data: bytes) -> tuple[str, str | None, list[str]]:
    """Decode HTML bytes: BOM, then the declared charset, then detection like .txt."""
    m = _META_CHARSET.search(data[:8192])
    if m and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        declared = m.group(1).decode("ascii", "replace").lower()
        try:
            text = data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
        else:
            if declared.replace("-", "").replace("_", "") in ("windows1258", "cp1258"):
                import unicodedata
                text = unicodedata.normalize("NFC", text)
                return text, "cp1258", ["decoded as Windows-1258 (declared by the page)"]
            return text, declared, []
    text, encoding, warnings = decode_bytes(data)
    return text, encoding, warnings


def _text(el: etree._Element) -> str:
    """Text of an element, <lb/> as a line break, whitespace runs collapsed per line."""
    parts: list[str] = []

    def walk(e: etree._Element) -> None:
        if e.text:
            parts.append(e.text)
        for ch in e:
            if ch.tag == "lb":
                parts.append("\n")
            elif ch.tag not in ("list", "table"):
                walk(ch)
            if ch.tail:
                parts.append(ch.tail)
    walk(el)
    lines = (" ".join(ln.split()) for ln in "".join(parts).split("\n"))
    return "\n".join(ln for ln in lines if ln)


def _source_tables(tree: HtmlElement) -> list[tuple[list[str], list[CellSpec]]]:
    """Each <table> of the page: its non-empty cell texts (to match) and its cells with spans."""
    out = []
    for tbl in tree.iter("table"):
        cells: list[CellSpec] = []
        taken: dict[tuple[int, int], bool] = {}
        rows = [tr for tr in tbl.iter("tr") if _nearest_table(tr) is tbl]
        for r, tr in enumerate(rows):
            c = 0
            for td in tr:
                if td.tag not in ("td", "th"):
                    continue
                while taken.get((r, c)):
                    c += 1
                rowspan = _span(td.get("rowspan"))
                colspan = _span(td.get("colspan"))
                for dr in range(rowspan):
                    for dc in range(colspan):
                        taken[(r + dr, c + dc)] = True
                text = "\n".join(" ".join(ln.split()) for ln in td.text_content().split("\n") if ln.strip())
                cells.append(CellSpec(text, r, c, rowspan, colspan))
                c += colspan
        out.append(([" ".join(x.text.split()) for x in cells if x.text.strip()], cells))
    return out


def _nearest_table(el: etree._Element) -> etree._Element | None:
    for anc in el.iterancestors():
        if anc.tag == "table":
            return anc
    return None


def _span(v: str | None) -> int:
    try:
        return max(1, min(int(str(v).strip()), 1000))
    except (TypeError, ValueError):
        return 1


class _Renderer:
    def __init__(self, sources: list[tuple[list[str], list[CellSpec]]]) -> None:
        self.out = TextBuilder()
        self.sources = list(sources)

    def block(self, el: etree._Element) -> None:
        tag = el.tag
        if tag == "list":
            self.list(el, 0)
        elif tag == "table":
            self.table(el)
        elif tag in ("graphic", "ref") and not _text(el):
            return
        else:
            text = _text(el)
            if text:
                for ln in text.split("\n"):
                    self.out.line(ln)
            for ch in el:
                if ch.tag in ("list", "table"):
                    self.block(ch)

    def list(self, el: etree._Element, depth: int) -> None:
        ordered = el.get("rend", "") == "ol"
        n = 0
        for item in el:
            if item.tag != "item":
                continue
            n += 1
            marker = f"{n}." if ordered else "-"
            text = _text(item)
            if text:
                lines = text.split("\n")
                self.out.line(f"{marker} {lines[0]}")
                for ln in lines[1:]:
                    self.out.line(ln)
            for ch in item:
                if ch.tag == "list":
                    self.list(ch, depth + 1)
                elif ch.tag == "table":
                    self.table(ch)

    def table(self, el: etree._Element) -> None:
        rows = [row for row in el if row.tag == "row"]
        texts = [" ".join(_text(c).split()) for row in rows for c in row if c.tag == "cell"]
        key = [t for t in texts if t]
        for i, (src_key, src_cells) in enumerate(self.sources):
            if src_key == key:
                cells = src_cells
                del self.sources[i]
                break
        else:  # not found in the page (trafilatura rewrote it): its grid, spans unknown
            cells = []
            for r, row in enumerate(rows):
                for c, cell in enumerate(x for x in row if x.tag == "cell"):
                    text = _text(cell)
                    if text:
                        cells.append(CellSpec(text, r, c))
        self.out.table(cells)


def _elements(tree: HtmlElement, path: str) -> list[HtmlElement]:
    """The elements an XPath expression selects in a parsed page."""
    return [el for el in tree.xpath(path) if isinstance(el, HtmlElement)]


def _fix_legacy_tree(tree: HtmlElement) -> str | None:
    """Convert a page typed in TCVN3/VNI fonts, in place, before extraction.

    Done on the parsed tree (entities resolved) because extractors drop the
    soft hyphen that TCVN3 uses for "ư"."""
    for bad in _elements(tree, "//script|//style"):
        bad.drop_tree()
    body = tree.find("body")
    visible = (body if body is not None else tree).text_content()
    legacy, convert = legacy_fonts.legacy_converter(visible)
    if legacy is None:
        return None
    for el in tree.iter():
        if isinstance(el.tag, str):
            if el.text:
                el.text = convert(el.text)
            if el.tail:
                el.tail = convert(el.tail)
    return legacy


#: Page chrome above a saved document: navigation bars and breadcrumbs
#: (``Trang chủ > Văn bản … > Quyết định số …``), whose numbered items would
#: read as the start of the document's body and hide its header.
_CHROME = ("//nav | //*[contains(concat(' ', normalize-space(@class), ' '), 'breadcrumb')"
           " or contains(@id, 'breadcrumb') or @role='navigation'"
           " or contains(translate(@aria-label, 'BREADCUMB', 'breadcumb'), 'breadcrumb')]")


def _strip_chrome(tree: HtmlElement) -> int:
    """Remove navigation and breadcrumbs (never an element holding a table:
    a page built from layout tables may wrap its whole text in one)."""
    removed = 0
    for el in _elements(tree, _CHROME):
        if el.getparent() is None or el.find(".//table") is not None:
            continue
        el.drop_tree()          # keeps the text that follows it
        removed += 1
    return removed


def load_html(path: Path, data: bytes) -> LoadedText:
    import trafilatura

    try:
        source, encoding, warnings = decode_html(data)
    except ValueError:
        raise LoadError("unsupported", path, "binary data, not an HTML page",
                        "check that the file is the saved page") from None
    if not source.strip():
        raise LoadError("empty", path, "the page is empty", "save the page again")

    try:
        tree = lxml_html.document_fromstring(source)
    except (etree.ParserError, ValueError) as exc:
        raise LoadError("corrupt", path, f"cannot parse the page ({exc})", "save the page again") from None
    legacy = _fix_legacy_tree(tree)
    if legacy is not None:
        warnings.append(legacy_fonts.conversion_warning(legacy))
        encoding = legacy
        source = lxml_html.tostring(tree, encoding="unicode")
    if _strip_chrome(tree):
        source = lxml_html.tostring(tree, encoding="unicode")
    sources = _source_tables(tree)

    with _library_logs():
        extracted = trafilatura.extract(source, output_format="xml", include_tables=True,
                                        include_comments=False, include_links=False, include_images=False,
                                        deduplicate=False)
        if extracted is None:
            extracted = trafilatura.extract(source, output_format="xml", include_tables=True,
                                            include_comments=False, favor_recall=True)
            if extracted is not None:
                warnings.append("main content hard to find; extracted with recall-oriented settings")
    if extracted is None:
        raise LoadError("empty", path, "no article text found in the page",
                        "save the page as text or PDF from the browser")
    doc = etree.fromstring(extracted.encode("utf-8"))
    main = doc.find("main")
    if main is None:
        raise LoadError("empty", path, "no article text found in the page",
                        "save the page as text or PDF from the browser")
    renderer = _Renderer(sources)
    for b in main:
        renderer.block(b)
    text = renderer.out.text
    if not text.strip():
        raise LoadError("empty", path, "no article text found in the page",
                        "save the page as text or PDF from the browser")
    return LoadedText(text=text, format="html", encoding=encoding, warnings=warnings,
                      tables=renderer.out.tables)
