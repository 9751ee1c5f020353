"""Builders for the generated test documents (nothing here is downloaded).

Run ``python -m tests.load.fixtures OUTDIR`` to write one of each to look at.
"""
from __future__ import annotations

import io
import sys
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
    for cell, lines in zip(header.rows[0].cells, (HEADER_LEFT, HEADER_RIGHT)):
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

    t = d.add_table(rows=4, cols=4)
    t.style = "Table Grid"
    for r, row in enumerate(TARGET_TABLE):
        for c, value in enumerate(row):
            if value is not None:
                t.cell(r, c).text = value
    t.cell(0, 0).merge(t.cell(1, 0))
    t.cell(0, 1).merge(t.cell(1, 1))
    t.cell(0, 2).merge(t.cell(0, 3))

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


def main(outdir: str) -> None:  # pragma: no cover - a helper for people
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    build_docx(out / "plan.docx")
    print("written to", out)


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1] if len(sys.argv) > 1 else "fixtures-out")
