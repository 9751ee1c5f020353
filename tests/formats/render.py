"""Render a plain-text plan (``corpus/*.txt``) into the formats plans really
come in, the way the software that makes them lays them out.

Nothing here is downloaded; fonts are Debian's ``fonts-dejavu-core``.

* :func:`to_docx` — Word: the header block as the borderless two-column
  layout table (issuing body | national motto, number | place and date), the
  signature block likewise, and (``numbering=True``) the ``I.`` / ``1.`` /
  ``a)`` / ``-`` paragraph labels turned into real Word list numbering
  (``numbering.xml``), so the loader has to draw them again.
* :func:`to_text_pdf` — a word-processor export with fpdf2: header and
  signature columns side by side, justified paragraphs wrapped by the
  layout, a page number at the top of every page but the first, and
  (``target_tables=True``) year-labelled lists of targets set as ruled tables.
* :func:`to_scanned_pdf` — that PDF printed and scanned: each page rasterised,
  tilted by a fraction of a degree, blurred and speckled, put back into a PDF
  as images only (no text layer).
* :func:`to_html` — the text as the article of a provincial portal page with a
  menu, breadcrumbs, a sidebar of related articles, comments and a footer.
* :func:`to_tcvn3_txt` / :func:`to_tcvn3_docx` — typed in the pre-Unicode
  TCVN3 (``.VnTime``) encoding.
* :func:`to_doc` — Word 97-2003, converted from the .docx by LibreOffice
  (only LibreOffice writes .doc; see :mod:`tests.formats.docs`).

``python -m tests.formats.render OUTDIR`` writes every format of every corpus
document to look at.
"""
from __future__ import annotations

import html as html_lib
import random
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
SERIF = FONT_DIR / "DejaVuSerif.ttf"
SERIF_BOLD = FONT_DIR / "DejaVuSerif-Bold.ttf"
SANS = FONT_DIR / "DejaVuSans.ttf"
FONTS_PACKAGE = "fonts-dejavu-core"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# --------------------------------------------------------------------------
# The plan as blocks
# --------------------------------------------------------------------------

@dataclass
class Para:
    text: str


@dataclass
class Layout:
    """A borderless block: each row is (left lines, right lines)."""
    rows: list[tuple[list[str], list[str]]]


#: A table as rows of ``(text, rowspan, colspan)`` cells, each placed at the
#: next free column of its row (cells covered by a merge are not listed).
Grid = list[list[tuple[str, int, int]]]


@dataclass
class GridTable:
    """A ruled table; ``replaces`` are the paragraphs it stands for (if any)."""
    grid: Grid
    replaces: list[str] = field(default_factory=list)
    heading_rows: int = 1
    repeat_headings: bool = True           # PDF: heading rows again on the next page


@dataclass
class Spacer:
    """PDF only: move down so that ``lines`` body lines are left on the page."""
    lines: float


@dataclass
class Plan:
    name: str
    blocks: list = field(default_factory=list)


def place(grid: Grid) -> tuple[list[tuple[int, int, str, int, int]], int]:
    """``(row, col, text, rowspan, colspan)`` of every cell, and the column count."""
    occupied: set[tuple[int, int]] = set()
    out = []
    for r, spec in enumerate(grid):
        c = 0
        for text, rs, cs in spec:
            while (r, c) in occupied:
                c += 1
            out.append((r, c, text, rs, cs))
            occupied.update((r + dr, c + dc) for dr in range(rs) for dc in range(cs))
            c += cs
    return out, max(c for _, c in occupied) + 1


_TITLE = re.compile(r"^(?:KẾ HOẠCH|QUYẾT ĐỊNH|CHỈ THỊ|THÔNG BÁO|BÁO CÁO|CÔNG VĂN|CHƯƠNG TRÌNH)$")
_MOTTO = re.compile(r"CỘNG H[ÒO]A|Độc lập\s*-", re.IGNORECASE)
_NUMBER = re.compile(r"^Số\s*:")
_DATE_LINE = re.compile(r",\s*ngày\b")
_PCT = r"\d+(?:[.,]\d+)?(?:\s*-\s*\d+(?:[.,]\d+)?)?\s*%"
# "- Năm 2025: đạt 80%." / "- Năm 2030: 12 - 15% mỗi năm."
_YEAR_ITEM = re.compile(rf"^-\s+(?P<label>[Nn]ăm\s+(?:19|20)\d\d)\s*:\s*(?:đạt\s+)?(?P<value>{_PCT})\s*(?P<rest>[^;]*?)\.?$")
# "- Đến năm 2025: Thư viện quận; 40% thư viện phường; 70% thư viện …"
_YEAR_LIST = re.compile(r"^-\s+Đến\s+năm\s+(?P<year>(?:19|20)\d\d)\s*:\s*(?P<body>[^:]+?)\.?$")
_LIST_PART = re.compile(rf"^(?:(?P<value>{_PCT})\s+)?(?P<label>\D.*)$")


def _year_items_table(items: list[str]) -> GridTable | None:
    ms = [_YEAR_ITEM.match(it) for it in items]
    rests = {m.group("rest").strip() for m in ms}
    if len(rests) != 1:
        return None
    rest = rests.pop()
    head = "Mức tăng bình quân " + rest if rest else "Chỉ tiêu đạt"
    grid: Grid = [[("Năm", 1, 1), (head, 1, 1)]]
    grid += [[(m.group("label"), 1, 1), (" ".join(m.group("value").split()), 1, 1)] for m in ms]
    return GridTable(grid, list(items))


def _year_lists_table(items: list[str]) -> GridTable | None:
    """Two or more "Đến năm Y: a; b% B; c% C" items over the same tiers -> tiers × years."""
    years, columns = [], []
    for it in items:
        m = _YEAR_LIST.match(it)
        parts = [_LIST_PART.match(p.strip()) for p in m.group("body").split(";")]
        if not all(parts):
            return None
        years.append(m.group("year"))
        columns.append([(p.group("label"), p.group("value") or "100%") for p in parts])
    labels = [[lab for lab, _ in col] for col in columns]
    if any(lab != labels[0] for lab in labels):
        return None
    grid: Grid = [[("Loại thư viện", 2, 1), ("Chỉ tiêu", 1, len(years))],
                  [(f"Năm {y}", 1, 1) for y in years]]
    for i, lab in enumerate(labels[0]):
        grid.append([(lab[0].upper() + lab[1:], 1, 1)] + [(col[i][1], 1, 1) for col in columns])
    return GridTable(grid, list(items), heading_rows=2)


def parse_plan(text: str, name: str = "", *, target_tables: bool = False) -> Plan:
    """Split a plan into its header block, paragraphs and signature block
    (one paragraph per non-empty line, as the .txt has them).

    ``target_tables``: runs of year-labelled target items (``- Năm 2025: đạt
    80%.`` …, ``- Đến năm 2025: Thư viện quận; 40% thư viện phường …``) become
    the ruled tables a word processor user would have made of them."""
    lines = [" ".join(ln.split()) for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    plan = Plan(name)
    start = 0
    title = next((i for i, ln in enumerate(lines[:25]) if _TITLE.match(ln)), None)
    if title and any(_MOTTO.search(ln) or _NUMBER.match(ln) for ln in lines[:title]):
        head = lines[:title]
        body_left = [ln for ln in head if not (_MOTTO.search(ln) or _NUMBER.match(ln) or _DATE_LINE.search(ln))]
        motto = [ln for ln in head if _MOTTO.search(ln)]
        number = [ln for ln in head if _NUMBER.match(ln)]
        date = [ln for ln in head if _DATE_LINE.search(ln) and not _MOTTO.search(ln)]
        rows = [(body_left, motto), (number, date)]
        plan.blocks.append(Layout([r for r in rows if r[0] or r[1]]))
        start = title
    end = len(lines)
    footer_block = None
    footer = next((i for i in range(len(lines) - 1, max(start, len(lines) - 20) - 1, -1)
                   if lines[i].startswith("Nơi nhận")), None)
    if footer is not None:
        sig = next((i for i in range(footer + 1, len(lines))
                    if not lines[i].startswith("-") and lines[i] == lines[i].upper()), None)
        if sig is not None:
            footer_block = Layout([(lines[footer:sig], lines[sig:])])
            end = footer
    body = lines[start:end]
    i = 0
    while i < len(body):
        if target_tables:
            table = None
            for pattern, build in ((_YEAR_ITEM, _year_items_table), (_YEAR_LIST, _year_lists_table)):
                j = i
                while j < len(body) and pattern.match(body[j]):
                    j += 1
                if j - i >= 2:
                    table = build(body[i:j])
                    if table is not None:
                        break
            if table is not None:
                plan.blocks.append(table)
                i += len(table.replaces)
                continue
        plan.blocks.append(Para(body[i]))
        i += 1
    if footer_block is not None:
        plan.blocks.append(footer_block)
    return plan


def read_plan(path: Path, **kw) -> Plan:
    return parse_plan(path.read_text(encoding="utf-8"), path.stem, **kw)


# --------------------------------------------------------------------------
# Word numbering: which paragraphs get a real list label
# --------------------------------------------------------------------------

_LABEL = re.compile(r"^(?:(?P<roman>[IVX]{1,4})\.|(?P<num>\d{1,2})\.|(?P<letter>[a-z])\)|(?P<dash>-))\s+(?P<rest>\S.*)$")
_LEVELS = (("upperRoman", "%1."), ("decimal", "%2."), ("lowerLetter", "%3)"), ("bullet", "-"))


def _roman_value(s: str) -> int:
    vals = {"I": 1, "V": 5, "X": 10}
    total = 0
    for a, b in zip(s, s[1:] + " ", strict=True):
        total += -vals[a] if b != " " and vals[a] < vals[b] else vals[a]
    return total


def list_label(text: str) -> tuple[int, int, str] | None:
    """``(level, number, rest)`` of a paragraph typed with a list label, else None."""
    m = _LABEL.match(text)
    if not m:
        return None
    if m.group("roman"):
        return 0, _roman_value(m.group("roman")), m.group("rest")
    if m.group("num"):
        return 1, int(m.group("num")), m.group("rest")
    if m.group("letter"):
        return 2, ord(m.group("letter")) - ord("a") + 1, m.group("rest")
    return 3, 0, m.group("rest")


NUM_ID_BASE = 100  # clear of the numIds python-docx's template defines


class NumberingPlan:
    """Assigns ``(numId, ilvl)`` to labelled paragraphs so that Word's counters
    give back exactly the typed labels: one outline list, and a new list
    instance (``w:num`` with a ``startOverride``) wherever the typed numbers
    do not follow on (a letter list under a ``2.1.`` heading, a skipped number)."""

    def __init__(self) -> None:
        self.nums: list[dict[int, int]] = []   # per numId (index + 1): level -> startOverride
        self._counters: dict[int, int] = {}

    def _next(self, counters: dict[int, int], level: int) -> int:
        return counters[level] + 1 if level in counters else 1

    def assign(self, level: int, number: int) -> tuple[str, int]:
        if not self.nums or (level < 3 and self._next(self._counters, level) != number):
            self.nums.append({level: number} if level < 3 else {})
            self._counters = {}
            start = number if level < 3 else 0
            self._counters[level] = start
        else:
            self._counters[level] = self._next(self._counters, level) if level < 3 else 0
        for deeper in [k for k in self._counters if k > level]:
            del self._counters[deeper]
        return str(NUM_ID_BASE + len(self.nums)), level

    def numbering_xml(self) -> list[str]:
        lvls = "".join(
            f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="0" w:firstLine="567"/></w:pPr></w:lvl>'
            for i, (fmt, text) in enumerate(_LEVELS))
        out = [f'<w:abstractNum xmlns:w="{W}" w:abstractNumId="70">'
               f'<w:multiLevelType w:val="multilevel"/>{lvls}</w:abstractNum>']
        for n, overrides in enumerate(self.nums, 1):
            ov = "".join(f'<w:lvlOverride w:ilvl="{lvl}"><w:startOverride w:val="{start}"/></w:lvlOverride>'
                         for lvl, start in overrides.items())
            out.append(f'<w:num xmlns:w="{W}" w:numId="{NUM_ID_BASE + n}"><w:abstractNumId w:val="70"/>{ov}</w:num>')
        return out


# --------------------------------------------------------------------------
# DOCX (python-docx)
# --------------------------------------------------------------------------

def _no_borders(table) -> None:
    from docx.oxml import parse_xml
    tblpr = table._tbl.tblPr
    tblpr.append(parse_xml(
        f'<w:tblBorders xmlns:w="{W}">' + "".join(
            f'<w:{side} w:val="nil"/>' for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
        + "</w:tblBorders>"))


def _fill_cell(cell, lines: list[str], *, font: str | None = None, encode=None, bold: bool = False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    for i, ln in enumerate(lines):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(encode(ln) if encode else ln)
        run.bold = bold or ln == ln.upper()
        if font:
            run.font.name = font


def to_docx(plan: Plan, path: Path, *, numbering: bool = True, legacy: str | None = None) -> Path:
    """The plan as a Word document.

    ``numbering``: typed ``I.``/``1.``/``a)``/``-`` labels become Word list
    numbering.  ``legacy="tcvn3"``: every run typed in the ``.VnTime`` font
    with TCVN3 codes (as pre-2005 documents were).
    """
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.shared import Pt

    encode = None
    font = None
    if legacy == "tcvn3":
        font = ".VnTime"
        encode = tcvn3_str
    d = docx.Document()
    style = d.styles["Normal"]
    style.font.name = font or "Times New Roman"
    style.font.size = Pt(13)
    nplan = NumberingPlan()
    pending: list[tuple[object, str, int]] = []
    for block in plan.blocks:
        if isinstance(block, Layout):
            t = d.add_table(rows=len(block.rows), cols=2)
            _no_borders(t)
            for r, (left, right) in enumerate(block.rows):
                _fill_cell(t.cell(r, 0), left, font=font, encode=encode)
                _fill_cell(t.cell(r, 1), right, font=font, encode=encode)
        elif isinstance(block, GridTable):
            docx_grid(d, block.grid, font=font, encode=encode)
        elif isinstance(block, Spacer):
            continue
        else:
            text = block.text
            label = list_label(text) if numbering else None
            p = d.add_paragraph()
            if label is not None:
                level, number, rest = label
                num_id, ilvl = nplan.assign(level, number)
                pending.append((p, num_id, ilvl))
                text = rest
            if _TITLE.match(text):
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            else:
                p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            run = p.add_run(encode(text) if encode else text)
            run.bold = text == text.upper() and any(ch.isalpha() for ch in text)
            if font:
                run.font.name = font
    if pending:
        numbering_el = d.part.numbering_part.element
        for xml in nplan.numbering_xml():
            el = parse_xml(xml)
            if el.tag.endswith("abstractNum"):
                first = numbering_el.find(f"{{{W}}}num")
                if first is not None:
                    first.addprevious(el)
                else:
                    numbering_el.append(el)
            else:
                numbering_el.append(el)
        for p, num_id, ilvl in pending:
            ppr = p._p.get_or_add_pPr()
            ppr.insert(0, parse_xml(f'<w:numPr xmlns:w="{W}"><w:ilvl w:val="{ilvl}"/>'
                                    f'<w:numId w:val="{num_id}"/></w:numPr>'))
    d.core_properties.author = "chitieu tests"
    d.save(path)
    return path


def docx_grid(d, grid: Grid, *, font: str | None = None, encode=None) -> None:
    """A ruled Word table; merged cells are real merges (gridSpan / vMerge)."""
    cells, ncols = place(grid)
    t = d.add_table(rows=len(grid), cols=ncols)
    t.style = "Table Grid"
    for r, c, text, _rs, _cs in cells:
        _fill_cell(t.cell(r, c), [text], font=font, encode=encode, bold=r == 0)
    for r, c, _text, rs, cs in cells:
        if rs > 1 or cs > 1:
            t.cell(r, c).merge(t.cell(r + rs - 1, c + cs - 1))


# --------------------------------------------------------------------------
# Text-layer PDF (fpdf2)
# --------------------------------------------------------------------------

def _pdf_class():
    from fpdf import FPDF

    class PlanPDF(FPDF):
        def header(self) -> None:  # page number at the top, from page 2 (Vietnamese style)
            if self.page_no() > 1:
                self.set_font("Serif", "", 11)
                self.set_xy(self.l_margin, 28)
                self.cell(self.epw, 12, str(self.page_no()), align="C")
                self.set_xy(self.l_margin, self.t_margin)

    return PlanPDF


def to_text_pdf(plan: Plan, path: Path, *, size: float = 13.0) -> Path:
    """The plan as a word processor exports it to PDF (A4, Vietnamese margins)."""
    pdf = _pdf_class()(format="A4", unit="pt")
    pdf.add_font("Serif", "", str(SERIF))
    pdf.add_font("Serif", "B", str(SERIF_BOLD))
    pdf.add_font("Sans", "", str(SANS))
    pdf.set_fallback_fonts(["Sans"])            # symbols such as ✓
    pdf.set_margins(left=85, top=57, right=57)
    pdf.set_auto_page_break(True, margin=57)
    pdf.add_page()
    lh = size * 1.3
    for block in plan.blocks:
        if isinstance(block, Layout):
            _pdf_layout(pdf, block, size)
        elif isinstance(block, GridTable):
            pdf_grid(pdf, block.grid, size, heading_rows=block.heading_rows,
                     repeat_headings=block.repeat_headings)
        elif isinstance(block, Spacer):
            pdf.set_y(pdf.page_break_trigger - block.lines * lh)
        else:
            text = block.text
            upper = text == text.upper() and any(ch.isalpha() for ch in text)
            pdf.set_font("Serif", "B" if upper else "", size)
            pdf.multi_cell(0, lh, text, align="C" if _TITLE.match(text) else "J",
                           new_x="LMARGIN", new_y="NEXT")
            pdf.ln(size * 0.4)
    pdf.output(str(path))
    return path


def pdf_grid(pdf, grid: Grid, size: float, col_widths: tuple | None = None, heading_rows: int = 1,
             repeat_headings: bool = True) -> None:
    """A ruled table (fpdf2 draws every cell border; merged cells span); the
    heading rows are repeated at the top of the next page when it breaks."""
    cells, ncols = place(grid)
    if col_widths is None:
        col_widths = (2.2,) + (1,) * (ncols - 1) if ncols > 2 else (1, 1)
    pdf.set_font("Serif", "", size - 1)
    with pdf.table(col_widths=col_widths, line_height=size * 1.3, first_row_as_headings=heading_rows > 0,
                   num_heading_rows=max(1, heading_rows), repeat_headings=int(repeat_headings),
                   text_align="CENTER") as table:
        for spec in grid:
            row = table.row()
            for text, rs, cs in spec:
                row.cell(text, rowspan=rs, colspan=cs)
    pdf.ln(size * 0.6)


def lines_pdf(lines: list[str], path: Path, *, size: float = 13.0) -> Path:
    """A one-page PDF whose lines break exactly where given (a justified
    paragraph as a word processor wrapped it)."""
    pdf = _pdf_class()(format="A4", unit="pt")
    pdf.add_font("Serif", "", str(SERIF))
    pdf.set_margins(left=85, top=57, right=57)
    pdf.add_page()
    pdf.set_font("Serif", "", size)
    for ln in lines:
        pdf.cell(0, size * 1.3, ln, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def _pdf_layout(pdf, block: Layout, size: float) -> None:
    left_w, gap = 190.0, 20.0
    right_w = pdf.epw - left_w - gap
    lh = size * 1.25
    for left, right in block.rows:
        if pdf.will_page_break(lh * max(len(left), len(right), 1) * 1.5):
            pdf.add_page()
        y0 = pdf.get_y()
        ys = []
        for x, w, lines in ((pdf.l_margin, left_w, left), (pdf.l_margin + left_w + gap, right_w, right)):
            pdf.set_xy(x, y0)
            for ln in lines:
                pdf.set_font("Serif", "B" if ln == ln.upper() else "", size - 1.5)
                pdf.set_x(x)
                pdf.multi_cell(w, lh, ln, align="C" if not ln.startswith("-") else "L",
                               new_x="LEFT", new_y="NEXT")
            ys.append(pdf.get_y())
        pdf.set_xy(pdf.l_margin, max(ys) + size * 0.6)


# --------------------------------------------------------------------------
# Scanned PDF: the text PDF printed and scanned (images only)
# --------------------------------------------------------------------------

def to_scanned_pdf(text_pdf: Path, path: Path, *, dpi: int = 250, seed: int = 7,
                   max_angle: float = 0.4, blur: float = 0.5, speckle: float = 1 / 1000) -> Path:
    """Rasterise each page at ``dpi``, degrade it lightly (tilt below half a
    degree, blur, speckle, a grey paper tone) and save the images as a PDF
    with no text layer."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    rnd = random.Random(seed)
    images = []
    doc = pdfium.PdfDocument(str(text_pdf))
    try:
        for i in range(len(doc)):
            page = doc[i]
            img = page.render(scale=dpi / 72.0, grayscale=True).to_pil().convert("L")
            page.close()
            angle = rnd.uniform(0.15, max_angle) * rnd.choice((-1, 1))
            img = img.rotate(angle, resample=Image.BICUBIC, fillcolor=255)
            img = img.filter(ImageFilter.GaussianBlur(blur))
            img = img.point(lambda v: 18 + v * (236 - 18) // 255)       # toner not quite black, paper not white
            w, h = img.size
            px = img.load()
            for _ in range(int(w * h * speckle)):                          # speckle
                px[rnd.randrange(w), rnd.randrange(h)] = rnd.choice((40, 120, 255))
            images.append(img)
    finally:
        doc.close()
    images[0].save(path, "PDF", resolution=float(dpi), save_all=True, append_images=images[1:])
    return path


# --------------------------------------------------------------------------
# HTML: the article of a portal page
# --------------------------------------------------------------------------

PORTAL_TOP = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>{title} - Cổng thông tin điện tử</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/site.css"><script src="/static/jquery.min.js"></script>
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}</script>
</head>
<body class="page-article">
<div class="topbar"><span>Thứ sáu, 26/05/2023</span> | <a href="/lien-he">Liên hệ</a> | <a href="/so-do">Sơ đồ cổng</a> | <a href="/en">English</a></div>
<header class="site-header"><div class="logo"><a href="/">CỔNG THÔNG TIN ĐIỆN TỬ SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH</a></div>
<form class="search"><input name="q" placeholder="Tìm kiếm..."><button>Tìm</button></form>
<nav class="main-menu"><ul>
<li><a href="/">Trang chủ</a></li><li><a href="/gioi-thieu">Giới thiệu</a><ul><li><a href="/co-cau">Cơ cấu tổ chức</a></li><li><a href="/chuc-nang">Chức năng nhiệm vụ</a></li></ul></li>
<li><a href="/tin-tuc">Tin tức - Sự kiện</a></li><li><a href="/van-ban">Văn bản chỉ đạo điều hành</a></li>
<li><a href="/thu-tuc">Thủ tục hành chính</a></li><li><a href="/hoi-dap">Hỏi đáp trực tuyến</a></li></ul></nav></header>
<div class="breadcrumb"><a href="/">Trang chủ</a> » <a href="/van-ban">Văn bản chỉ đạo điều hành</a> » <span>Kế hoạch</span></div>
<div class="container"><div class="row">
<main class="col-md-8"><article class="news-detail">
<h1 class="title">{title}</h1>
<div class="meta"><span class="date">26/05/2023 08:15</span> <span class="views">Lượt xem: 1.234</span></div>
<div class="share"><a href="#">Chia sẻ Facebook</a> <a href="#">Zalo</a> <a href="#">In bài viết</a></div>
<div class="content">
"""
PORTAL_BOTTOM = """</div>
<div class="tags">Từ khóa: <a href="/tag/hoc-tap-suot-doi">học tập suốt đời</a>, <a href="/tag/thu-vien">thư viện</a></div>
</article>
<section class="comments" id="binh-luan"><h3>Ý kiến bạn đọc (2)</h3>
<div class="comment"><b>Trần Thị Hoa</b> <i>26/05/2023 10:02</i><p>Mong kế hoạch sớm được triển khai đến tận các thôn, bản ở vùng sâu vùng xa.</p></div>
<div class="comment"><b>Lê Văn Nam</b> <i>27/05/2023 21:40</i><p>Thư viện xã tôi đã có phòng đọc mới, rất thiết thực cho các cháu học sinh.</p></div>
<form class="comment-form"><label>Họ tên:(*)</label><input><label>Nội dung:(*)</label><textarea></textarea><button>Gửi ý kiến</button></form>
</section>
</main>
<aside class="col-md-4 sidebar">
<div class="box"><h3>Tin liên quan</h3><ul>
<li><a href="/tin/1">Hội nghị tổng kết công tác thư viện năm 2022 và triển khai nhiệm vụ năm 2023</a></li>
<li><a href="/tin/2">Khai trương không gian đọc sách thân thiện tại nhà văn hóa trung tâm</a></li>
<li><a href="/tin/3">Ngày Sách và Văn hóa đọc Việt Nam: nhiều hoạt động hấp dẫn thu hút bạn đọc</a></li>
<li><a href="/tin/4">Tập huấn nghiệp vụ cho cán bộ văn hóa cơ sở năm 2023</a></li></ul></div>
<div class="box"><h3>Tin xem nhiều</h3><ul>
<li><a href="/tin/5">Lịch nghỉ Tết Nguyên đán đối với cán bộ, công chức, viên chức</a></li>
<li><a href="/tin/6">Thông báo tuyển dụng viên chức sự nghiệp văn hóa</a></li></ul></div>
<div class="box poll"><h3>Thăm dò ý kiến</h3><p>Bạn đánh giá thế nào về giao diện cổng thông tin?</p>
<label><input type="radio"> Đẹp</label><label><input type="radio"> Bình thường</label></div>
</aside></div></div>
<footer class="site-footer"><p>Cơ quan chủ quản: Sở Văn hóa, Thể thao và Du lịch. Giấy phép số 12/GP-TTĐT do Sở Thông tin và Truyền thông cấp.</p>
<p>Địa chỉ: Số 1 đường Trần Hưng Đạo. Điện thoại: 0229.3871234. Email: svhttdl@example.gov.vn</p>
<p>Ghi rõ nguồn khi phát hành lại thông tin từ website này.</p></footer>
</body></html>
"""
#: Phrases of the page around the article (menus, sidebar, comments, footer).
PORTAL_BOILERPLATE = ["Sơ đồ cổng", "Cơ cấu tổ chức", "Thủ tục hành chính", "Hỏi đáp trực tuyến",
                      "Chia sẻ Facebook", "Ý kiến bạn đọc", "Trần Thị Hoa", "Mong kế hoạch sớm",
                      "Tin liên quan", "Khai trương không gian đọc sách", "Tin xem nhiều",
                      "Thăm dò ý kiến", "Cơ quan chủ quản", "Ghi rõ nguồn", "Lượt xem"]


def html_grid(grid: Grid) -> str:
    esc = html_lib.escape
    rows = []
    for r, spec in enumerate(grid):
        tag = "th" if r == 0 else "td"
        rows.append("<tr>" + "".join(
            f"<{tag}" + (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
            + f">{esc(text)}</{tag}>" for text, rs, cs in spec) + "</tr>")
    return '<table class="table table-bordered" border="1">' + "".join(rows) + "</table>"


def to_html(plan: Plan, path: Path) -> Path:
    """The plan as the article body of a portal page: ``- `` items as ``<ul>``
    lists, everything else as paragraphs, target tables as ``<table>``."""
    esc = html_lib.escape
    title_line = next((b.text for b in plan.blocks if isinstance(b, Para) and len(b.text) > 40), plan.name)
    parts: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if items:
            parts.append("<ul>" + "".join(f"<li>{esc(x)}</li>" for x in items) + "</ul>")
            items.clear()

    for block in plan.blocks:
        if isinstance(block, Para) and block.text.startswith("- "):
            items.append(block.text[2:])
            continue
        flush()
        if isinstance(block, Layout):
            for left, right in block.rows:
                parts.extend(f"<p>{esc(ln)}</p>" for ln in left + right)
        elif isinstance(block, GridTable):
            parts.append(html_grid(block.grid))
        elif isinstance(block, Spacer):
            continue
        else:
            text = block.text
            if _TITLE.match(text):
                parts.append(f'<p style="text-align:center"><strong>{esc(text)}</strong></p>')
            else:
                parts.append(f"<p>{esc(text)}</p>")
    flush()
    page = PORTAL_TOP.format(title=esc(title_line[:150])) + "\n".join(parts) + PORTAL_BOTTOM
    path.write_text(page, encoding="utf-8")
    return path


# --------------------------------------------------------------------------
# TCVN3 and Word 97-2003
# --------------------------------------------------------------------------

def tcvn3_bytes(text: str) -> bytes:
    """``text`` typed in TCVN3; characters the encoding lacks (✓, emoji) are dropped."""
    from pipeline.load.legacy_fonts import unicode_to_tcvn3

    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += unicode_to_tcvn3(ch)
        except UnicodeEncodeError:
            continue
    return bytes(out)


def tcvn3_str(text: str) -> str:
    """TCVN3 codes as the Windows-1252 characters a Word run in ``.VnTime`` holds."""
    return tcvn3_bytes(text).decode("cp1252", errors="replace")


def to_tcvn3_txt(text: str, path: Path) -> Path:
    """A text file saved from a TCVN3 editor (CRLF line ends, no BOM)."""
    path.write_bytes(tcvn3_bytes(text.replace("\r\n", "\n")).replace(b"\n", b"\r\n"))
    return path


def to_tcvn3_docx(plan: Plan, path: Path) -> Path:
    return to_docx(plan, path, numbering=False, legacy="tcvn3")


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_doc(sources: list[Path], outdir: Path, *, tcvn3_plans: dict[str, Plan] | None = None) -> list[Path]:
    """Convert .docx files to Word 97-2003 with LibreOffice (one run for all).

    LibreOffice stores the TCVN3 "ư" (0xAD, a soft hyphen to everyone else)
    as Word's optional hyphen (0x1F), which Word itself does not do for typed
    text; for the documents in ``tcvn3_plans`` it is put back."""
    binary = soffice()
    if binary is None:
        raise RuntimeError("LibreOffice (soffice) is needed to write .doc files")
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chitieu-soffice-") as profile:
        subprocess.run([binary, f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", "doc:MS Word 97", "--outdir", str(outdir), *map(str, sources)],
                       check=True, capture_output=True, timeout=300)
    out = [outdir / (p.stem + ".doc") for p in sources]
    for p in out:
        if tcvn3_plans and p.stem in tcvn3_plans:
            _restore_soft_hyphens(p, tcvn3_plans[p.stem])
    return out


def _plan_strings(plan: Plan) -> list[str]:
    out: list[str] = []
    for b in plan.blocks:
        if isinstance(b, Layout):
            for left, right in b.rows:
                out += left + right
        elif isinstance(b, GridTable):
            out += [text for spec in b.grid for text, _, _ in spec]
        elif isinstance(b, Spacer):
            continue
        else:
            out.append(b.text)
    return out


def _restore_soft_hyphens(doc: Path, plan: Plan) -> None:
    data = bytearray(doc.read_bytes())
    fixed = 0
    for s in _plan_strings(plan):
        typed = tcvn3_str(s)
        if "\u00ad" not in typed:
            continue
        for codec in ("utf-16-le", "cp1252"):
            try:
                stored = typed.replace("\u00ad", "\x1f").encode(codec)
                wanted = typed.encode(codec)
            except UnicodeEncodeError:
                continue
            i = data.find(stored)
            while i >= 0:
                data[i:i + len(stored)] = wanted
                fixed += 1
                i = data.find(stored, i + len(stored))
    if fixed == 0:
        raise RuntimeError(f"{doc}: no TCVN3 paragraph found in LibreOffice's output")
    doc.write_bytes(bytes(data))


# --------------------------------------------------------------------------

def main(outdir: str) -> None:  # pragma: no cover - a helper for people
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    for src in sorted(CORPUS.glob("*.txt")):
        plan = read_plan(src)
        to_docx(plan, out / f"{src.stem}.docx")
        pdf = to_text_pdf(read_plan(src, target_tables=True), out / f"{src.stem}.pdf")
        to_scanned_pdf(pdf, out / f"{src.stem}.scan.pdf")
        to_html(plan, out / f"{src.stem}.html")
        to_tcvn3_txt(src.read_text(encoding="utf-8"), out / f"{src.stem}.tcvn3.txt")
    print("written to", out)


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1] if len(sys.argv) > 1 else "formats-out")
