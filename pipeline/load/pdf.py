"""PDF documents: the text layer via pdfplumber, OCR for scanned pages.

Per page: words are rebuilt from character positions (on a page that writes
its space characters, a layout gap narrower than ``GLUE_EM`` of the font size
is not a space, so ``12, 3%`` and ``ch ỉ đạo`` read ``12,3%`` and ``chỉ đạo``)
and grouped into lines top to bottom; a line whose words are
far apart (the two-column header ``ỦY BAN NHÂN DÂN … CỘNG HÒA …``) is split
into one line per column so each stays recognisable.  Ruled tables found by
pdfplumber become ``" | "`` rows (merged cells once, spans from the ruling
grid) at their place in the flow.  Lines wrapped by the layout stay separate
lines (the extractor re-joins them); words are never cut.  Running headers and
footers (the same text at the top or bottom of most pages) and page numbers
are dropped.  ``LoadedText.pages`` gives each page's span.

A ruled table that breaks across a page without its heading rows repeated
(it ends the page, the next page starts with a table on the same column
lines) stays two tables, one per page, but the continuation's
:class:`~.document.Table` begins with the heading rows of the table it
continues: the very :class:`~.document.Cell` objects, whose offsets point at
the heading on the earlier page, so ``text[cell.start:cell.end] == cell.text``
still holds.  Its own rows are numbered after them.

Digitally signed PDFs often carry part of the text only in annotation
appearances: offices stamp the number and the day into signature fields
on the ``Số:`` and ``ngày`` lines, so the page's own text reads ``Số: /TB-UBND``.
The text of each widget and FreeText appearance stream is read (pdfminer),
mapped from the form's box to the annotation's rectangle, and a short stamp
that lies on a text line joins that line at its x position.  Long stamps
(the signer's certificate box) and stamps off any line are left out.

A page without a usable text layer (a scan, or glyphs without a Unicode map)
is rasterised at the scan's own resolution and OCR'd (:mod:`.ocr`); the result
is then ``format="pdf-ocr"`` with the mean word confidence.
"""
from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass, field, replace
from io import BytesIO
from pathlib import Path
from collections.abc import Callable

from . import legacy_fonts
from .document import Cell, CellSpec, LoadedText, Table, TextBuilder
from .errors import LoadError
from .pdf_objects import fast_objects

DEFAULT_DPI = 300
MIN_DPI, MAX_DPI = 150, 600
#: Top/bottom share of the page where running headers, footers and page numbers live.
MARGIN = 0.12


@dataclass
class _Line:
    segments: list[str]
    top: float      # fraction of page height
    bottom: float


@dataclass
class _TableBlock:
    cells: list[CellSpec]
    top: float                      # fraction of page height
    bottom: float = 1.0
    xs: list[float] = field(default_factory=list)   # the column lines (pt)
    continues: _TableBlock | None = None        # the table it continues (previous page)


@dataclass
class _Page:
    number: int
    blocks: list[_Line | _TableBlock] = field(default_factory=list)
    ocr: bool = False


_PAGE_NUMBER = re.compile(
    r"^[\s\-–—.]*(?:(?:trang|page)\s*)?\d{1,4}(?:\s*(?:/|của|trên|of)\s*\d{1,4})?[\s\-–—.]*$",
    re.IGNORECASE)


def _open_error(path: Path, exc: BaseException) -> LoadError:
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    inner = exc
    while inner.__cause__ is not None or (inner.args and isinstance(inner.args[0], BaseException)):
        nxt = inner.__cause__ or inner.args[0]
        if nxt is inner:
            break
        inner = nxt
    if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)) or "password" in str(inner).lower():
        return LoadError("encrypted", path, "the PDF is password-protected",
                         "ask for an unprotected copy or remove the password (qpdf --decrypt)")
    return LoadError("corrupt", path, f"damaged or truncated PDF ({type(inner).__name__}: {inner})",
                     "download the file again; if it opens in a viewer, print it to a new PDF")


# --------------------------------------------------------------------------
# text layer
# --------------------------------------------------------------------------

def _group_lines(words: list[dict]) -> list[list[dict]]:
    """Words -> lines (each sorted left to right), top to bottom."""
    lines: list[list[dict]] = []
    current: list[dict] = []
    top = bottom = 0.0
    for w in sorted(words, key=lambda w: (w["top"], w["x0"])):
        h = w["bottom"] - w["top"]
        if current:
            overlap = min(bottom, w["bottom"]) - max(top, w["top"])
            if overlap > 0.5 * min(h, bottom - top):
                current.append(w)
                top, bottom = min(top, w["top"]), max(bottom, w["bottom"])
                continue
            lines.append(sorted(current, key=lambda w: w["x0"]))
        current, top, bottom = [w], w["top"], w["bottom"]
    if current:
        lines.append(sorted(current, key=lambda w: w["x0"]))
    return lines


def _segments(line: list[dict]) -> list[str]:
    """Split a line where the gap between words is a column gap, not a space
    (a stamped annotation word sits in a blank left for it: never a column gap
    next to it, up to twice the usual width)."""
    height = statistics.median(w["bottom"] - w["top"] for w in line)
    gap_limit = max(2.5 * height, 18.0)
    out: list[list[str]] = [[]]
    prev = None
    for w in line:
        limit = 2 * gap_limit if prev is not None and (w.get("stamp") or prev.get("stamp")) else gap_limit
        if prev is not None and w["x0"] - prev["x1"] > limit:
            out.append([])
        out[-1].append(w["text"])
        prev = w
    return [unicodedata.normalize("NFC", " ".join(ws)) for ws in out if ws]


def _cluster(values: list[float], tol: float = 2.0) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


def _index(edges: list[float], v: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - v))


def _inside(w: dict, bbox: tuple[float, float, float, float]) -> bool:
    cx, cy = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
    return bbox[0] <= cx <= bbox[2] and bbox[1] <= cy <= bbox[3]


def _column_lines(table) -> list[float]:
    boxes = list(table.cells)
    return _cluster([b[0] for b in boxes] + [b[2] for b in boxes])


def _table_cells(table, words: list[dict]) -> list[CellSpec]:
    boxes = list(table.cells)
    xs = _column_lines(table)
    ys = _cluster([b[1] for b in boxes] + [b[3] for b in boxes])
    cells = []
    for b in boxes:
        c0, c1 = _index(xs, b[0]), _index(xs, b[2])
        r0, r1 = _index(ys, b[1]), _index(ys, b[3])
        inner = [w for w in words if _inside(w, b)]
        text = "\n".join(" ".join(_segments(ln)) for ln in _group_lines(inner))
        cells.append(CellSpec(text=text, row=r0, col=c0, rowspan=max(1, r1 - r0), colspan=max(1, c1 - c0)))
    # renumber rows densely, keeping order
    rows = sorted({c.row for c in cells})
    dense = {r: i for i, r in enumerate(rows)}
    return [CellSpec(c.text, dense[c.row], c.col, c.rowspan, c.colspan) for c in cells]


#: A stamp longer than this (letters and digits) is a signature box, not a filled-in blank.
STAMP_CHARS = 24
_ANNOT_TYPES = ("Widget", "FreeText")


class _FormPage:
    """A form XObject (an annotation's appearance) dressed as a page for pdfminer."""

    def __init__(self, stream, bbox: list[float]) -> None:
        from pdfminer.pdftypes import resolve1
        self.resources = resolve1(stream.attrs.get("Resources")) or {}
        self.contents = [stream]
        self.mediabox = self.cropbox = bbox
        self.rotate = 0
        self.pageid = 0
        self.attrs: dict = {}


def _chars_of(layout) -> list:
    from pdfminer.layout import LTChar
    out, stack = [], [layout]
    while stack:
        obj = stack.pop()
        if isinstance(obj, LTChar):
            out.append(obj)
        elif hasattr(obj, "__iter__"):
            stack.extend(reversed(list(obj)))
    return out


def _stamp_words(page) -> list[dict]:
    """Words of the short widget/FreeText appearance texts, in page coordinates
    (pdfplumber's: ``top`` from the top of the page)."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdftypes import PDFStream, resolve1

    try:
        annots = page.annots
    except Exception:  # noqa: BLE001 - damaged annotations (pdfminer raises many types): none
        return []
    words: list[dict] = []
    manager = None
    for a in annots:
        data = a.get("data") or {}
        subtype = getattr(data.get("Subtype"), "name", str(data.get("Subtype", "")))
        if subtype.strip("/'") not in _ANNOT_TYPES:
            continue
        try:
            ap = resolve1(data.get("AP"))
            normal = resolve1(ap.get("N")) if isinstance(ap, dict) else None
            if not isinstance(normal, PDFStream):
                continue
            bbox = [float(resolve1(v)) for v in resolve1(normal.attrs.get("BBox", [0, 0, 1, 1]))]
            if manager is None:
                manager = PDFResourceManager()
            device = PDFPageAggregator(manager, laparams=None)
            PDFPageInterpreter(manager, device).process_page(_FormPage(normal, bbox))
            chars = _chars_of(device.get_result())
        except Exception:  # noqa: BLE001 - a broken appearance stream: not worth failing the page
            continue
        text = "".join(c.get_text() for c in chars)
        if not chars or sum(ch.isalnum() for ch in text) > STAMP_CHARS or not text.strip():
            continue
        bw, bh = (bbox[2] - bbox[0]) or 1.0, (bbox[3] - bbox[1]) or 1.0
        sx, sy = (a["x1"] - a["x0"]) / bw, (a["bottom"] - a["top"]) / bh
        current: list = []
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


def _flush_stamp_word(words: list[dict], current: list, a: dict, bbox: list[float], sx: float, sy: float) -> None:
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


def _place_stamps(words: list[dict], stamps: list[dict]) -> list[dict]:
    """The stamp words that lie on a line of the page's own words."""
    kept = []
    for s in stamps:
        mid = (s["top"] + s["bottom"]) / 2
        if any(w["top"] <= mid <= w["bottom"] for w in words):
            # take the line's height, so that the line grouping keeps it on the line
            line = [w for w in words if w["top"] <= mid <= w["bottom"]]
            kept.append({**s, "top": min(w["top"] for w in line), "bottom": max(w["bottom"] for w in line)})
    return kept


#: A page whose space characters are at least this share of its characters
#: writes its spaces: a gap without one is justification or kerning, not a space.
SPACED_PAGE = 0.05
#: On such a page a gap narrower than this share of the font size joins two
#: characters into one word ("12, 3%" → "12,3%", "ch ỉ đạo" → "chỉ đạo",
#: "200 3" → "2003"); column gaps are several times wider.
GLUE_EM = 0.7


def _words(page) -> list[dict]:
    """The page's words, rebuilt from character positions: where the page
    writes its spaces, only a space or a wide gap ends a word, so a digit run
    or a syllable is never broken by a layout gap; a combining mark always
    stays with its base letter."""
    chars = page.chars
    spaces = sum(1 for c in chars if c.get("text") == " ")
    if chars and spaces >= SPACED_PAGE * len(chars):
        words = page.extract_words(x_tolerance_ratio=GLUE_EM, y_tolerance=2, keep_blank_chars=False)
    else:
        words = page.extract_words(x_tolerance=2, y_tolerance=2, keep_blank_chars=False)
    out: list[dict] = []
    for w in words:
        prev = out[-1] if out else None
        if prev is not None and w["text"] and unicodedata.combining(w["text"][0]) and \
                abs(w["top"] - prev["top"]) < 0.5 * (prev["bottom"] - prev["top"]):
            out[-1] = {**prev, "text": prev["text"] + w["text"], "x1": max(prev["x1"], w["x1"])}
            continue
        out.append(w)
    return out


def _text_page(page, number: int) -> _Page:
    height = float(page.height) or 1.0
    words = _words(page)
    stamps = _place_stamps(words, _stamp_words(page)) if words else []
    words = words + stamps
    out = _Page(number)
    tables = []
    for t in page.find_tables():
        if len(t.cells) >= 2:
            tables.append(t)
    table_words: set[int] = set()
    for t in tables:
        inner = [w for w in words if _inside(w, t.bbox)]
        table_words.update(id(w) for w in inner)
        cells = _table_cells(t, inner)
        out.blocks.append(_TableBlock(cells, top=t.bbox[1] / height, bottom=t.bbox[3] / height,
                                      xs=_column_lines(t)))
    free = [w for w in words if id(w) not in table_words]
    for ln in _group_lines(free):
        out.blocks.append(_Line(_segments(ln), top=min(w["top"] for w in ln) / height,
                                bottom=max(w["bottom"] for w in ln) / height))
    out.blocks.sort(key=lambda b: b.top)
    return out


def _page_text(page: _Page) -> str:
    parts = []
    for b in page.blocks:
        if isinstance(b, _Line):
            parts.extend(b.segments)
        else:
            parts.extend(c.text for c in b.cells)
    return "\n".join(parts)


def _needs_ocr(page, text: str) -> bool:
    """No usable text layer: (almost) no text over an image, or undecodable glyphs."""
    stripped = "".join(text.split())
    if "(cid:" in text and text.count("(cid:") * 6 > len(stripped) * 0.3:
        return True
    if stripped:
        junk = sum(1 for ch in stripped if ch == "\ufffd" or unicodedata.category(ch) in ("Co", "Cc"))
        if junk > 0.2 * len(stripped):
            return True
    if len(stripped) >= 20:
        return False
    area = float(page.width * page.height) or 1.0
    covered = sum(abs((im["x1"] - im["x0"]) * (im["bottom"] - im["top"])) for im in page.images)
    return covered > 0.25 * area


def _scan_dpi(page) -> int:
    """The resolution of the page's largest image (its own scan resolution)."""
    best = None
    for im in page.images:
        width_pt = abs(im["x1"] - im["x0"])
        src = im.get("srcsize") or (0, 0)
        if width_pt > 0 and src[0]:
            dpi = src[0] / (width_pt / 72.0)
            area = width_pt * abs(im["bottom"] - im["top"])
            if best is None or area > best[0]:
                best = (area, dpi)
    if best is None:
        return DEFAULT_DPI
    return int(round(min(max(best[1], MIN_DPI), MAX_DPI)))


# --------------------------------------------------------------------------
# running headers / footers / page numbers
# --------------------------------------------------------------------------

def _norm(s: str) -> str:
    return re.sub(r"\d+", "#", " ".join(s.lower().split()))


def _drop_furniture(pages: list[_Page]) -> int:
    """Remove page numbers and lines repeated in the margins of most pages."""
    def margin_lines(p: _Page) -> list[_Line]:
        # only the outermost two lines at each end can be page furniture
        lines = [b for b in p.blocks if isinstance(b, _Line)]
        first = lines[:2] if p.blocks and isinstance(p.blocks[0], _Line) else []
        last = lines[-2:] if p.blocks and isinstance(p.blocks[-1], _Line) else []
        out = [b for b in first if b.bottom < MARGIN] + [b for b in last if b.top > 1 - MARGIN]
        return list({id(b): b for b in out}.values())

    counts: dict[str, int] = {}
    for p in pages:
        for key in {_norm(" ".join(b.segments)) for b in margin_lines(p)}:
            counts[key] = counts.get(key, 0) + 1
    repeated = {k for k, n in counts.items() if len(pages) >= 2 and n >= max(2, (len(pages) + 1) // 2)}
    dropped = 0
    for p in pages:
        drop = []
        for b in margin_lines(p):
            text = " ".join(b.segments)
            if _PAGE_NUMBER.match(text) or _norm(text) in repeated:
                drop.append(b)
        for b in drop:
            p.blocks.remove(b)
        dropped += len(drop)
    return dropped


# --------------------------------------------------------------------------
# tables continued on the next page
# --------------------------------------------------------------------------

#: A table ending below this share of the page height ends the page, one
#: starting above this share of the next page starts it.
_PAGE_END, _PAGE_START = 2 / 3, 1 / 3
#: Column lines further apart than this (pt) are not the same table's.
_COLUMN_TOLERANCE = 3.0
_NUMBER_CELL = re.compile(r"^[<>≤≥]?\s*\d[\d.,]*\s*%?(?:\s*[-–]\s*\d[\d.,]*\s*%?)?$")
_YEAR_CELL = re.compile(r"^(?:19|20)\d\d$")


def _first_row(cells: list[CellSpec]) -> list[tuple[str, int, int]]:
    return sorted((" ".join(c.text.split()), c.col, c.colspan) for c in cells if c.row == 0)


def _mark_continued_tables(pages: list[_Page]) -> None:
    """Mark each table that continues the last table of the previous page
    without repeating its heading."""
    for prev, page in zip(pages, pages[1:], strict=False):
        if prev.ocr or page.ocr or page.number != prev.number + 1 or not prev.blocks or not page.blocks:
            continue
        a, b = prev.blocks[-1], page.blocks[0]
        if not (isinstance(a, _TableBlock) and isinstance(b, _TableBlock)):
            continue
        if a.bottom < _PAGE_END or b.top > _PAGE_START or len(a.xs) != len(b.xs) or \
                any(abs(x - y) > _COLUMN_TOLERANCE for x, y in zip(a.xs, b.xs, strict=True)):
            continue
        root = a.continues or a
        if _first_row(b.cells) == _first_row(root.cells):
            continue            # the heading is repeated: the table reads on its own
        b.continues = root


def _heading_rows(table: Table) -> list[list[Cell]]:
    """The leading rows of a table that hold no number (and the rows their
    merged cells reach down to)."""
    k = 0
    for row in table.rows:
        if any(_NUMBER_CELL.match(c.text.strip()) and not _YEAR_CELL.match(c.text.strip()) for c in row):
            break
        k += 1
    if k == 0:
        return []
    while True:
        reach = max(c.row + c.rowspan for row in table.rows[:k] for c in row)
        if reach <= k or k >= len(table.rows):
            break
        k = min(reach, len(table.rows))
    return table.rows[:k]


def _with_heading(table: Table, heading: list[list[Cell]]) -> Table:
    shift = len(heading)
    rows = [list(r) for r in heading] + [[replace(c, row=c.row + shift) for c in row] for row in table.rows]
    return Table(index=table.index, page=table.page, rows=rows)


# --------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------

def load_pdf(path: Path, data: bytes, *, ocr_jobs: int = 2) -> LoadedText:
    import pdfplumber

    warnings: list[str] = []
    try:
        pdf = pdfplumber.open(BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many types for damaged files; a per-file error
        raise _open_error(path, exc) from None
    try:
        try:
            n_pages = len(pdf.pages)
        except Exception as exc:  # noqa: BLE001 - pdfminer raises many types for damaged files; a per-file error
            raise _open_error(path, exc) from None
        if n_pages == 0:
            raise LoadError("empty", path, "the PDF has no pages", "check the download")
        pages: list[_Page] = []
        to_ocr: list[int] = []
        for i, page in enumerate(pdf.pages):
            fast_objects(page)
            try:
                p = _text_page(page, i + 1)
            except LoadError:
                raise
            except Exception as exc:  # noqa: BLE001 - pdfminer raises many types for damaged files; a per-file error
                raise _open_error(path, exc) from None
            if _needs_ocr(page, _page_text(p)):
                to_ocr.append(i)
            else:
                page.close()    # its parsed objects are no longer needed
            pages.append(p)
        confidence = None
        if to_ocr:
            confidence = _ocr(path, pdf, pages, to_ocr, ocr_jobs)
    finally:
        pdf.close()

    dropped = _drop_furniture(pages)
    _mark_continued_tables(pages)
    convert: Callable[[str], str] | None = None
    encoding = None
    text_pages = [p for p in pages if not p.ocr]
    if text_pages:
        plan = legacy_fonts.plan_repair("\n".join(_page_text(p) for p in text_pages))
        if plan.needed:  # legacy-font text, or UTF-8 text read as Windows-1252
            convert = plan.convert
            encoding = plan.encoding
            warnings.extend(plan.warnings)

    out = TextBuilder()
    built: dict[int, Table] = {}     # id(_TableBlock) -> its Table
    continued = 0
    for p in pages:
        c = convert if (convert is not None and not p.ocr) else None
        out.start_page()
        for b in p.blocks:
            if isinstance(b, _Line):
                for seg in b.segments:
                    out.line(c(seg) if c else seg)
            else:
                cells = [CellSpec(c(x.text), x.row, x.col, x.rowspan, x.colspan) for x in b.cells] if c else b.cells
                t = out.table(cells, page=p.number)
                if t is None:
                    continue
                built[id(b)] = t
                root = built.get(id(b.continues)) if b.continues is not None else None
                heading = _heading_rows(root) if root is not None else []
                if heading:
                    out.tables[t.index] = _with_heading(t, heading)
                    continued += 1
        out.end_page()

    text = out.text
    if not text.strip():
        raise LoadError("empty", path, "the PDF contains no text, and OCR found none",
                        "check that the pages are not blank")
    fmt = "pdf"
    if to_ocr:
        fmt = "pdf-ocr"
        where = "all pages" if len(to_ocr) == len(pages) else \
            "pages " + ", ".join(str(i + 1) for i in to_ocr)
        conf = "unknown" if confidence is None else f"{confidence:.0f}"
        warnings.append(f"text from OCR ({where}), mean confidence {conf}")
    if dropped:
        warnings.append(f"removed {dropped} running header/footer and page-number lines")
    if continued:
        warnings.append(f"{continued} table(s) continued on the next page without their heading: "
                        "read under the heading of the page before")
    return LoadedText(text=text, format=fmt, encoding=encoding, warnings=warnings,
                      tables=out.tables, pages=out.pages, ocr_confidence=confidence)


def _ocr(path: Path, pdf, pages: list[_Page], to_ocr: list[int], jobs: int) -> float | None:
    from .ocr import OcrRunner

    futures = []
    with OcrRunner(path, jobs) as runner:
        for i in to_ocr:
            page = pdf.pages[i]
            dpi = _scan_dpi(page)
            try:
                image = page.to_image(resolution=dpi).original.convert("L")
            except Exception as exc:  # noqa: BLE001 - an unrenderable page (many types): per-file error
                raise LoadError("corrupt", path, f"cannot render page {i + 1} for OCR ({exc})",
                                "check that the PDF opens in a viewer") from None
            futures.append((i, runner.submit(image, dpi)))
            del image
    confidences: list[float] = []
    for i, fut in futures:
        result = fut.result()
        pages[i] = _Page(i + 1, [_Line([ln.text], ln.top, ln.bottom) for ln in result.lines], ocr=True)
        confidences.extend(result.confidences)
    return sum(confidences) / len(confidences) if confidences else None
