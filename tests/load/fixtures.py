"""Builders for the generated test documents (nothing here is downloaded).

Run ``python -m tests.load.fixtures OUTDIR`` to write one of each to look at.
"""
from __future__ import annotations

import sys
import unicodedata
import zipfile
from pathlib import Path

from .conftest import SAMPLE_LINES

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

HEADER_LEFT = ["ỦY BAN NHÂN DÂN", "TỈNH NINH BÌNH", "Số: 87/KH-UBND"]
HEADER_RIGHT = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                "Ninh Bình, ngày 19 tháng 5 năm 2023"]
TARGET_TABLE = [
    ["TT", "Chỉ tiêu", "Kế hoạch", None],
    [None, None, "Năm 2025", "Năm 2030"],
    ["1", "Thư viện tỉnh", "60%", "80%"],
    ["2", "Cấp huyện", "50%", "70%"],
]


def cp1258_bytes(text: str) -> bytes:
    """Encode like Windows-1258 does (tone marks as combining characters)."""
    # Windows-1258 keeps base letters with shape marks (â, ơ ...) precomposed
    # and writes the tone as a combining character; NFD + recompose the shape.
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        shape = "".join(m for m in marks if m in "\u0302\u0306\u031b")
        tone = "".join(m for m in marks if m not in "\u0302\u0306\u031b")
        out += unicodedata.normalize("NFC", base + shape).encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


# --------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------

def _strip_prefix(line: str) -> str:
    """'2. Mục tiêu' -> 'Mục tiêu': the label comes from numbering.xml instead."""
    head, _, rest = line.partition(" ")
    return rest if head in ("2.", "a)", "-") else line


def _add_numbering(document) -> str:
    """Add a Vietnamese outline list (I. / 1. / a) / -) and return its numId."""
    from docx.oxml import parse_xml

    levels = [("upperRoman", "%1."), ("decimal", "%2."), ("lowerLetter", "%3)"), ("bullet", "-")]
    lvl_xml = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/></w:lvl>'
        for i, (fmt, text) in enumerate(levels))
    numbering = document.part.numbering_part.element
    abstract = parse_xml(f'<w:abstractNum xmlns:w="{W}" w:abstractNumId="90">{lvl_xml}</w:abstractNum>')
    num = parse_xml(f'<w:num xmlns:w="{W}" w:numId="90"><w:abstractNumId w:val="90"/></w:num>')
    first_num = numbering.find(f"{{{W}}}num")
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(num)
    return "90"


def _set_num(paragraph, num_id: str, ilvl: int) -> None:
    from docx.oxml import parse_xml
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr xmlns:w="{W}"><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))


def build_docx(path: Path, *, tcvn3: bool = True) -> Path:
    """A plan as Word writes it: header table, numbered outline, merged-cell table,
    and (``tcvn3``) a few paragraphs typed in .VnTime / .VnTimeH / VNI-Times fonts."""
    import docx
    from pipeline.load.legacy_fonts import unicode_to_tcvn3, unicode_to_vni

    d = docx.Document()
    num = _add_numbering(d)

    header = d.add_table(rows=1, cols=2)
    for cell, lines in zip(header.rows[0].cells, (HEADER_LEFT, HEADER_RIGHT), strict=True):
        cell.paragraphs[0].text = lines[0]
        for ln in lines[1:]:
            cell.add_paragraph(ln)
    d.add_paragraph("KẾ HOẠCH")
    d.add_paragraph("")                          # empty paragraphs are dropped

    def numbered(text: str, ilvl: int) -> None:
        _set_num(d.add_paragraph(text), num, ilvl)

    numbered("MỤC TIÊU", 0)                      # I.
    numbered("Mục tiêu chung", 1)                # 1.
    d.add_paragraph("Tiếp tục đổi mới hoạt động thư viện.")
    numbered(_strip_prefix(SAMPLE_LINES[0]), 1)  # 2.
    numbered(_strip_prefix(SAMPLE_LINES[1]), 2)  # a)
    numbered(_strip_prefix(SAMPLE_LINES[2]), 3)  # -
    numbered(_strip_prefix(SAMPLE_LINES[3]), 3)  # -
    numbered("NHIỆM VỤ", 0)                      # II.
    numbered("Tuyên truyền", 1)                  # 1. (restarts under II.)

    add_target_table(d)

    if tcvn3:
        p = d.add_paragraph()
        run = p.add_run(unicode_to_tcvn3("Thư viện cấp xã đạt 30%").decode("cp1252"))
        run.font.name = ".VnTime"
        p = d.add_paragraph()
        run = p.add_run(unicode_to_tcvn3("tổ chức thực hiện").decode("cp1252"))
        run.font.name = ".VnTimeH"
        p = d.add_paragraph()
        run = p.add_run(unicode_to_vni("Bảo tàng tỉnh đạt 100%"))
        run.font.name = "VNI-Times"

    footer = d.add_table(rows=1, cols=2)
    footer.rows[0].cells[0].text = "Nơi nhận:"
    footer.rows[0].cells[0].add_paragraph("- Như trên;")
    footer.rows[0].cells[1].text = "TM. ỦY BAN NHÂN DÂN"
    footer.rows[0].cells[1].add_paragraph("CHỦ TỊCH")
    d.save(path)
    return path


def build_zip_bomb(path: Path, size: int) -> Path:
    """A .docx whose document.xml unpacks to ``size`` bytes of zeros."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(size >> 20):
                fh.write(chunk)
    return path


# --------------------------------------------------------------------------
# PDF (fpdf2 + DejaVu from Debian's fonts-dejavu-core)
# --------------------------------------------------------------------------

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
RUNNING_HEADER = "Kế hoạch số 87/KH-UBND của Ủy ban nhân dân tỉnh Ninh Bình"
BODY_FILLER = ("Các cơ quan, đơn vị căn cứ chức năng, nhiệm vụ được giao triển khai thực hiện "
               "các nội dung của Kế hoạch bảo đảm hiệu quả, thiết thực.")
BODY_SUBJECTS = ["Sở Văn hóa và Thể thao", "Sở Giáo dục và Đào tạo", "Sở Tài chính", "Sở Thông tin và Truyền thông",
                 "Ủy ban nhân dân cấp huyện", "Đài Phát thanh và Truyền hình tỉnh", "Báo Ninh Bình",
                 "Hội Khuyến học tỉnh", "Tỉnh đoàn", "Liên đoàn Lao động tỉnh", "Sở Nội vụ", "Sở Tư pháp",
                 "Sở Y tế", "Công an tỉnh", "Sở Kế hoạch và Đầu tư", "Hội Liên hiệp Phụ nữ tỉnh",
                 "Thư viện tỉnh", "Bảo tàng tỉnh"]


def build_text_pdf(path: Path, *, password: str | None = None, pages: int = 3) -> Path:
    """A plan as a word processor exports it: a two-column header, the sample
    section (its long line wraps), a ruled table with merged cells, a running
    header and page numbers on every page."""
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="pt")
    pdf.add_font("DejaVu", "", str(DEJAVU))
    pdf.add_font("DejaVu", "B", str(DEJAVU_BOLD))
    pdf.set_auto_page_break(False)
    if password:
        pdf.set_encryption(owner_password="owner-" + password, user_password=password)
    left, width = 60.0, 475.0

    def page_furniture(n: int) -> None:
        pdf.set_font("DejaVu", "", 8)
        pdf.set_xy(left, 25)
        pdf.cell(width, 10, RUNNING_HEADER, align="C")
        pdf.set_xy(left, 800)
        pdf.cell(width, 10, str(n), align="C")

    for n in range(1, pages + 1):
        pdf.add_page()
        page_furniture(n)
        pdf.set_font("DejaVu", "", 11)
        y = 60.0
        if n == 1:
            pdf.set_font("DejaVu", "B", 10)
            for i, (l_text, r_text) in enumerate(zip(HEADER_LEFT, HEADER_RIGHT, strict=True)):
                pdf.set_xy(left, y + 14 * i)
                pdf.cell(170, 12, l_text, align="C")
                pdf.set_xy(left + 215, y + 14 * i)
                pdf.cell(260, 12, r_text, align="C")
            y += 70
            pdf.set_font("DejaVu", "", 11)
            for line in SAMPLE_LINES:
                pdf.set_xy(left, y)
                pdf.multi_cell(width, 15, line, align="L")
                y = pdf.get_y() + 4
            y += 10
            pdf.set_xy(left, y)
            with pdf.table(width=width, col_widths=(30, 205, 120, 120), line_height=16,
                           first_row_as_headings=False) as table:
                r = table.row()
                r.cell("TT", rowspan=2)
                r.cell("Chỉ tiêu", rowspan=2)
                r.cell("Kế hoạch", colspan=2)
                r = table.row()
                r.cell("Năm 2025")
                r.cell("Năm 2030")
                for row in TARGET_TABLE[2:]:
                    r = table.row()
                    for value in row:
                        r.cell(value)
            y = pdf.get_y() + 15
        for i in range(6):
            pdf.set_xy(left, y)
            subject = BODY_SUBJECTS[(6 * (n - 1) + i) % len(BODY_SUBJECTS)]
            pdf.multi_cell(width, 15, f"{i + 1 + 10 * n}. {subject}: " + BODY_FILLER, align="L")
            y = pdf.get_y() + 4
    pdf.output(str(path))
    return path


TCVN3_PDF_LINES = [SAMPLE_LINES[0], "Phấn đấu tỉnh đạt 60% (năm 2025) và đạt 80% (năm 2030).", SAMPLE_LINES[3]]


def build_tcvn3_pdf(path: Path) -> Path:
    """A PDF exported from a .VnTime document: its text layer holds the
    Windows-1252 characters the font drew Vietnamese letters with.

    Only lines without "ư": TCVN3 writes it as byte 0xAD, which fpdf2 treats
    as a soft hyphen and does not draw."""
    from fpdf import FPDF
    from pipeline.load.legacy_fonts import unicode_to_tcvn3

    pdf = FPDF(format="A4", unit="pt")
    pdf.add_font("DejaVu", "", str(DEJAVU))
    pdf.set_font("DejaVu", "", 11)
    pdf.add_page()
    for line in TCVN3_PDF_LINES:
        pdf.multi_cell(475, 15, unicode_to_tcvn3(line).decode("cp1252"), align="L",
                       new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def build_scanned_pdf(path: Path, *, dpi: int = 200, pages: int = 2) -> Path:
    """The sample text rendered to a lightly degraded grey image per page (no text layer)."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont
    import random

    rnd = random.Random(7)
    font = ImageFont.truetype(str(DEJAVU), size=int(11 * dpi / 72))
    w, h = int(6.0 * dpi), int(4.5 * dpi)          # a half-page strip keeps OCR fast
    images = []
    for n in range(pages):
        img = Image.new("L", (w, h), 255)
        draw = ImageDraw.Draw(img)
        y = int(0.4 * dpi)
        lines = SAMPLE_LINES[:2] + _wrap(SAMPLE_LINES[2], 62) + SAMPLE_LINES[3:] if n == 0 \
            else _wrap(BODY_FILLER, 62) + ["Thư viện tỉnh đạt 60% năm 2025."]
        for line in lines:
            draw.text((int(0.4 * dpi), y), line, font=font, fill=20)
            y += int(font.size * 1.5)
        img = img.rotate(0.4, resample=Image.BICUBIC, fillcolor=255)
        img = img.filter(ImageFilter.GaussianBlur(0.6))
        px = img.load()
        for _ in range(w * h // 200):               # speckle
            px[rnd.randrange(w), rnd.randrange(h)] = rnd.choice((0, 110, 255))
        images.append(img)
    images[0].save(path, "PDF", resolution=float(dpi), save_all=True, append_images=images[1:])
    return path


def _wrap(text: str, width: int) -> list[str]:
    import textwrap
    return textwrap.wrap(text, width)


# --------------------------------------------------------------------------
# HTML: a news page with menus, breadcrumbs, comments and related links
# --------------------------------------------------------------------------

HTML_PAGE = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="{charset}"><title>Kế hoạch thư viện - Cổng thông tin</title>
<script>var x = "menu";</script><style>.a{{}}</style></head>
<body>
<header><div class="logo">CỔNG THÔNG TIN ĐIỆN TỬ TỈNH NINH BÌNH</div>
<nav class="menu"><ul><li><a href="/">Trang chủ</a></li><li><a href="/gioi-thieu">Giới thiệu</a></li><li><a href="/tin-tuc">Tin tức - Sự kiện</a></li><li><a href="/van-ban">Văn bản chỉ đạo điều hành</a></li></ul></nav></header>
<div class="breadcrumb"><a href="/">Trang chủ</a> / <a href="/tin-tuc">Tin tức</a></div>
<main><article class="post">
<h1>Kế hoạch triển khai Chương trình học tập suốt đời trong thư viện đến năm 2030</h1>
<p class="date">Thứ năm, 25/05/2023</p>
<p>Ngày 19/5/2023, Ủy ban nhân dân tỉnh đã ban hành Kế hoạch số 87/KH-UBND triển khai thực hiện Chương trình “Đẩy mạnh các hoạt động phục vụ học tập suốt đời trong thư viện, bảo tàng, trung tâm văn hóa đến năm 2030” trên địa bàn tỉnh Ninh Bình.</p>
{sample}
<table border="1">
<tr><th rowspan="2">TT</th><th rowspan="2">Chỉ tiêu</th><th colspan="2">Kế hoạch</th></tr>
<tr><th>Năm 2025</th><th>Năm 2030</th></tr>
<tr><td>1</td><td>Thư viện tỉnh</td><td>60%</td><td>80%</td></tr>
<tr><td>2</td><td>Cấp huyện</td><td>50%</td><td>70%</td></tr>
</table>
<ul><li>Thư viện cấp xã đạt 30%.</li><li>Bảo tàng tỉnh đạt 100%.</li></ul>
<p>Kế hoạch cũng quy định trách nhiệm của các sở, ban, ngành và Ủy ban nhân dân các huyện, thành phố trong việc tổ chức thực hiện, bảo đảm hiệu quả, thiết thực, phù hợp với điều kiện thực tế của địa phương.</p>
<p class="author">Minh Châu</p>
</article>
<section class="comments" id="comments"><h3>Bình luận</h3>
<div class="comment"><p>Nguyễn Văn A: Kế hoạch rất thiết thực, mong sớm triển khai ở xã tôi.</p></div>
<form><textarea></textarea><button>Gửi bình luận</button></form></section>
<aside class="related"><h3>Tin liên quan</h3><ul>
<li><a href="/a">Hội nghị tổng kết công tác thư viện năm 2022</a></li>
<li><a href="/b">Ra mắt mô hình thư viện thân thiện tại huyện Kim Sơn</a></li>
<li><a href="/c">Ngày sách và Văn hóa đọc Việt Nam năm 2023</a></li></ul></aside>
</main>
<footer><p>Bản quyền thuộc Sở Văn hóa và Thể thao tỉnh Ninh Bình. Địa chỉ: Đường Lê Hồng Phong, TP Ninh Bình.</p></footer>
</body></html>
"""
HTML_BOILERPLATE = ["Trang chủ", "Giới thiệu", "Văn bản chỉ đạo điều hành", "Bình luận",
                    "Nguyễn Văn A", "Tin liên quan", "Hội nghị tổng kết", "Ra mắt mô hình", "Bản quyền"]


def build_html(path: Path, *, charset: str = "utf-8", tcvn3: bool = False) -> Path:
    """The news page; ``charset`` is declared and used; ``tcvn3`` types the article
    in the .VnTime font as old sites did."""
    import html as html_lib

    sample = "\n".join(f"<p>{html_lib.escape(line)}</p>" for line in SAMPLE_LINES)
    page = HTML_PAGE.format(sample=sample, charset=charset)
    if tcvn3:
        from pipeline.load.legacy_fonts import unicode_to_tcvn3
        page = page.replace("<p>", '<p><font face=".VnTime">')
        path.write_bytes(unicode_to_tcvn3(page))
        return path
    if charset.lower() == "windows-1258":
        path.write_bytes(cp1258_bytes(page))
    else:
        path.write_bytes(page.encode(charset))
    return path


def main(outdir: str) -> None:  # pragma: no cover - a helper for people
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    build_docx(out / "plan.docx")
    build_text_pdf(out / "plan.pdf")
    build_scanned_pdf(out / "scan.pdf")
    build_html(out / "page.html")
    print("written to", out)


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1] if len(sys.argv) > 1 else "fixtures-out")


def add_target_table(d) -> None:
    """The merged-cell target table (:data:`TARGET_TABLE`) added to a python-docx document."""
    t = d.add_table(rows=4, cols=4)
    t.style = "Table Grid"
    for r, row in enumerate(TARGET_TABLE):
        for c, value in enumerate(row):
            if value is not None:
                t.cell(r, c).text = value
    t.cell(0, 0).merge(t.cell(1, 0))
    t.cell(0, 1).merge(t.cell(1, 1))
    t.cell(0, 2).merge(t.cell(0, 3))
