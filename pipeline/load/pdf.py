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

import statistics
import unicodedata
from io import BytesIO
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING

from . import legacy_fonts
from .document import CellSpec, LoadedText, Table, TextBuilder
from .errors import LoadError
from .pdf_objects import fast_layout, fast_objects
from .pdf_pages import drop_furniture, heading_rows, Line, mark_continued_tables, PageBlocks, TableBlock, with_heading
from .pdf_stamps import Word, place_stamps, stamp_words

if TYPE_CHECKING:  # pragma: no cover
    from pdfplumber.page import Page
    from pdfplumber.pdf import PDF
    from pdfplumber.table import Table as RuledTable

DEFAULT_DPI = 300
MIN_DPI, MAX_DPI = 150, 600


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

def _group_lines(words: list[Word]) -> list[list[Word]]:
    """Words -> lines (each sorted left to right), top to bottom."""
    lines: list[list[Word]] = []
    current: list[Word] = []
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


def _segments(line: list[Word]) -> list[str]:
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


def _inside(w: Word, bbox: tuple[float, float, float, float]) -> bool:
    cx, cy = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
    return bool(bbox[0] <= cx <= bbox[2] and bbox[1] <= cy <= bbox[3])


def _column_lines(table: RuledTable) -> list[float]:
    boxes = list(table.cells)
    return _cluster([b[0] for b in boxes] + [b[2] for b in boxes])


def _table_cells(table: RuledTable, words: list[Word]) -> list[CellSpec]:
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


#: A page whose space characters are at least this share of its characters
#: writes its spaces: a gap without one is justification or kerning, not a space.
SPACED_PAGE = 0.05
#: On such a page a gap narrower than this share of the font size joins two
#: characters into one word ("12, 3%" → "12,3%", "ch ỉ đạo" → "chỉ đạo",
#: "200 3" → "2003"); column gaps are several times wider.
GLUE_EM = 0.7


def _words(page: Page) -> list[Word]:
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
    out: list[Word] = []
    for w in words:
        prev = out[-1] if out else None
        if prev is not None and w["text"] and unicodedata.combining(w["text"][0]) and \
                abs(w["top"] - prev["top"]) < 0.5 * (prev["bottom"] - prev["top"]):
            out[-1] = {**prev, "text": prev["text"] + w["text"], "x1": max(prev["x1"], w["x1"])}
            continue
        out.append(w)
    return out


def _text_page(page: Page, number: int) -> PageBlocks:
    height = float(page.height) or 1.0
    words = _words(page)
    stamps = place_stamps(words, stamp_words(page)) if words else []
    words = words + stamps
    out = PageBlocks(number)
    tables = []
    for t in page.find_tables():
        if len(t.cells) >= 2:
            tables.append(t)
    table_words: set[int] = set()
    for t in tables:
        inner = [w for w in words if _inside(w, t.bbox)]
        table_words.update(id(w) for w in inner)
        cells = _table_cells(t, inner)
        out.blocks.append(TableBlock(cells, top=t.bbox[1] / height, bottom=t.bbox[3] / height,
                                      xs=_column_lines(t)))
    free = [w for w in words if id(w) not in table_words]
    for ln in _group_lines(free):
        out.blocks.append(Line(_segments(ln), top=min(w["top"] for w in ln) / height,
                                bottom=max(w["bottom"] for w in ln) / height))
    out.blocks.sort(key=lambda b: b.top)
    return out


def _page_text(page: PageBlocks) -> str:
    parts = []
    for b in page.blocks:
        if isinstance(b, Line):
            parts.extend(b.segments)
        else:
            parts.extend(c.text for c in b.cells)
    return "\n".join(parts)


def _needs_ocr(page: Page, text: str) -> bool:
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
    return bool(covered > 0.25 * area)


def _scan_dpi(page: Page) -> int:
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
        pages: list[PageBlocks] = []
        to_ocr: list[int] = []
        for i, page in enumerate(pdf.pages):
            fast_objects(page)
            try:
                fast_layout(page)
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
            confidence = _ocr(path, data, pdf, pages, to_ocr, ocr_jobs)
    finally:
        pdf.close()

    dropped = drop_furniture(pages)
    mark_continued_tables(pages)
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
    built: dict[int, Table] = {}     # id(TableBlock) -> its Table
    continued = 0
    for p in pages:
        c = convert if (convert is not None and not p.ocr) else None
        out.start_page()
        for b in p.blocks:
            if isinstance(b, Line):
                for seg in b.segments:
                    out.line(c(seg) if c else seg)
            else:
                cells = [CellSpec(c(x.text), x.row, x.col, x.rowspan, x.colspan) for x in b.cells] if c else b.cells
                t = out.table(cells, page=p.number)
                if t is None:
                    continue
                built[id(b)] = t
                root = built.get(id(b.continues)) if b.continues is not None else None
                heading = heading_rows(root) if root is not None else []
                if heading:
                    out.tables[t.index] = with_heading(t, heading)
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


def _ocr(path: Path, data: bytes, pdf: PDF, pages: list[PageBlocks], to_ocr: list[int], jobs: int) -> float | None:
    """OCR the pages ``to_ocr``: each rendered at its scan's resolution (one
    pypdfium2 document for all of them; pdfplumber's ``to_image`` would open
    the file again for every page) with pdfplumber's settings (no smoothing),
    as grey levels, while the previous pages are being OCR'd."""
    import pypdfium2 as pdfium

    from .ocr import OcrRunner

    futures = []
    with OcrRunner(path, jobs) as runner:
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise LoadError("corrupt", path, f"cannot open the PDF to render its pages for OCR ({exc})",
                            "check that the PDF opens in a viewer") from None
        try:
            for i in to_ocr:
                dpi = _scan_dpi(pdf.pages[i])
                try:
                    page = doc[i]
                    image = page.render(scale=dpi / 72, no_smoothtext=True, no_smoothpath=True,
                                        no_smoothimage=True).to_pil().convert("L")
                    page.close()
                except Exception as exc:  # noqa: BLE001 - an unrenderable page (many types): per-file error
                    raise LoadError("corrupt", path, f"cannot render page {i + 1} for OCR ({exc})",
                                    "check that the PDF opens in a viewer") from None
                futures.append((i, runner.submit(image, dpi)))
                del image
        finally:
            doc.close()
    confidences: list[float] = []
    for i, fut in futures:
        result = fut.result()
        pages[i] = PageBlocks(i + 1, [Line([ln.text], ln.top, ln.bottom) for ln in result.lines], ocr=True)
        confidences.extend(result.confidences)
    return sum(confidences) / len(confidences) if confidences else None
