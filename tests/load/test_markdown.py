"""Markdown (.md/.markdown): text without markup, soft wraps joined, tables as tables."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.load import load
from pipeline.load.markdown import inline_text, logical_lines, render

from .conftest import check_offsets

ROOT = Path(__file__).resolve().parents[2]
SHARED = next((p for p in (ROOT.parent / "shared", Path("/work/shared")) if p.is_dir()), ROOT.parent / "shared")
SHARED_MD = sorted((SHARED / "fullplans" / "files").glob("*.md"))

# A page converter's output: the header and signature blocks as one-cell-per-paragraph
# tables, paragraphs hard-wrapped, a task table split in two by a blank line.
BAR_PAGE = """\
|
**ỦY BAN NHÂN
DÂN**
**TỈNH HÀ GIANG**
-------
|
**CỘNG HÒA XÃ HỘI
CHỦ NGHĨA VIỆT NAM**
Độc lập - Tự do - Hạnh phúc
---------------
|
|
Số: 45/KH-UBND
|
*Hà Giang, ngày 7
tháng 3 năm 2024*
|


**KẾ HOẠCH**

Phát triển thư viện số giai
đoạn 2024 - 2030

Căn cứ Quyết định số 206/QĐ-TTg ngày 11 tháng 02
năm 2021 của Thủ tướng Chính phủ;

**I. MỤC
TIÊU**

- Đến năm 2030, 90% thư viện
cấp xã được số hóa.

|
**STT**
|
**Chỉ tiêu**
|
**Năm 2025**
|
**Năm 2030**
|
|
1
|
Tỷ lệ trường học có
thư viện số
|
40%
|
85%
|


|
2
|
Số đầu sách điện tử
|
1.200
|
5.000
|

|
Nơi nhận:
- Bộ Văn hóa, Thể thao và Du lịch;
- Lưu: VT.
|
**TM. ỦY BAN NHÂN
DÂN**
CHỦ TỊCH
Lò Văn Hải
|
"""

GFM_PAGE = """\
# Kế hoạch phát triển văn hóa đọc

Mục tiêu của **tỉnh Lai Châu** đến năm 2030 (xem [văn bản gốc](https://example.org/vb?id=1)):

| Chỉ tiêu | 2025 | 2030 |
|:---------|-----:|:----:|
| Thư viện cấp huyện đạt chuẩn | 50% | 70% |
| Tỷ lệ đọc sách \\| báo điện tử | 30% | 60% |

Ghi chú: số liệu \\*dự kiến\\*.
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _rows(table) -> list[list[str]]:
    return [[c.text for c in row] for row in table.rows]


def test_bar_tables_become_tables_with_exact_offsets(tmp_path):
    doc = load(_write(tmp_path, "kh.md", BAR_PAGE))
    assert doc.format == "markdown" and doc.encoding == "utf-8" and doc.warnings == []
    check_offsets(doc)
    header, tasks, sign = doc.tables
    assert _rows(header) == [["ỦY BAN NHÂN DÂN\nTỈNH HÀ GIANG\n-------",
                              "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n---------------"],
                             ["Số: 45/KH-UBND", "Hà Giang, ngày 7 tháng 3 năm 2024"]]
    # the table split by a blank line is one table (the second part has no header of its own)
    assert _rows(tasks) == [["STT", "Chỉ tiêu", "Năm 2025", "Năm 2030"],
                            ["1", "Tỷ lệ trường học có thư viện số", "40%", "85%"],
                            ["2", "Số đầu sách điện tử", "1.200", "5.000"]]
    assert [(c.row, c.col) for c in tasks.rows[2]] == [(2, 0), (2, 1), (2, 2), (2, 3)]
    assert _rows(sign)[0][1] == "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nLò Văn Hải"
    lines = doc.text.split("\n")
    # layout blocks keep one line per cell line, as .docx does; a data row is one line
    assert lines[:7] == ["ỦY BAN NHÂN DÂN", "TỈNH HÀ GIANG", "-------", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                         "Độc lập - Tự do - Hạnh phúc", "---------------", "Số: 45/KH-UBND"]
    assert "1 | Tỷ lệ trường học có thư viện số | 40% | 85%" in lines
    # soft wraps are joined, emphasis is gone
    assert "Phát triển thư viện số giai đoạn 2024 - 2030" in lines
    assert "Căn cứ Quyết định số 206/QĐ-TTg ngày 11 tháng 02 năm 2021 của Thủ tướng Chính phủ;" in lines
    assert "I. MỤC TIÊU" in lines
    assert "- Đến năm 2030, 90% thư viện cấp xã được số hóa." in lines
    assert "*" not in doc.text and "|\n" not in doc.text


def test_gfm_table_and_inline_markup(tmp_path):
    doc = load(_write(tmp_path, "vh.markdown", GFM_PAGE))
    assert doc.format == "markdown"
    check_offsets(doc)
    (table,) = doc.tables
    assert _rows(table) == [["Chỉ tiêu", "2025", "2030"],
                            ["Thư viện cấp huyện đạt chuẩn", "50%", "70%"],
                            ["Tỷ lệ đọc sách | báo điện tử", "30%", "60%"]]
    assert doc.text.split("\n") == [
        "Kế hoạch phát triển văn hóa đọc",
        "Mục tiêu của tỉnh Lai Châu đến năm 2030 (xem văn bản gốc):",
        "Chỉ tiêu | 2025 | 2030",
        "Thư viện cấp huyện đạt chuẩn | 50% | 70%",
        "Tỷ lệ đọc sách | báo điện tử | 30% | 60%",
        "Ghi chú: số liệu *dự kiến*.",
    ]


def test_same_text_named_txt_stays_plain_text(tmp_path):
    doc = load(_write(tmp_path, "kh.txt", GFM_PAGE))
    assert doc.format == "txt" and doc.tables == [] and doc.text == GFM_PAGE


def test_markdown_file_that_is_really_html_says_so(tmp_path):
    page = "<!DOCTYPE html><html><body><p>Kế hoạch số 12/KH-UBND của tỉnh Bến Tre về mục tiêu năm 2030.</p></body></html>"
    doc = load(_write(tmp_path, "page.md", page))
    assert doc.format == "html"
    assert doc.warnings[0] == "file named .md is really HTML; loaded as such"


@pytest.mark.parametrize("lines,expected", [
    (["Căn cứ Luật ngày 16", "tháng 6 năm 2025;"], ["Căn cứ Luật ngày 16 tháng 6 năm 2025;"]),
    (["giai đoạn 2021", "- 2025”;"], ["giai đoạn 2021 - 2025”;"]),            # a wrapped range
    (["Nơi nhận:", "- Bộ Tài chính;", "- Lưu: VT."], ["Nơi nhận:", "- Bộ Tài chính;", "- Lưu: VT."]),
    (["- một", "- hai"], ["- một", "- hai"]),                                # a list: items stay lines
    (["đến năm", "2030. Tiếp theo"], ["đến năm 2030. Tiếp theo"]),           # "2030." is no list marker here
    (["Dòng một  ", "dòng hai"], ["Dòng một", "dòng hai"]),                  # hard break
    (["Dòng một\\", "dòng hai"], ["Dòng một", "dòng hai"]),
    (["TỈNH CAO BẰNG", "-------"], ["TỈNH CAO BẰNG", "-------"]),            # a rule stays a line
    (["Mục tiêu:", "a) Đạt 50%;", "b) Đạt 60%."], ["Mục tiêu:", "a) Đạt 50%;", "b) Đạt 60%."]),
])
def test_logical_lines(lines, expected):
    assert logical_lines(lines) == expected


@pytest.mark.parametrize("src,expected", [
    ("**Số:** 12/KH-UBND", "Số: 12/KH-UBND"),
    ("*Cà Mau, ngày 2 tháng 5 năm 2023*", "Cà Mau, ngày 2 tháng 5 năm 2023"),
    ("__đậm__ và _nghiêng_", "đậm và nghiêng"),
    ("mã_số_thuế và 2 * 3", "mã_số_thuế và 2 * 3"),
    ("![ảnh](a.png)xem <https://vbpl.vn/x>", "xem https://vbpl.vn/x"),
    ("A&amp;B &nbsp;C <span class=\"x\">D</span> <5%", "A&B \u00a0C D <5%".replace("\u00a0", " ")),
    ("`**giữ nguyên**`", "**giữ nguyên**"),
    ("\\# không phải tiêu đề", "# không phải tiêu đề"),
])
def test_inline_text(src, expected):
    assert inline_text(src) == expected


def test_br_in_a_cell_is_a_line_break():
    built = render("| Đơn vị | Chỉ tiêu |\n|---|---|\n| Thư viện<br>cấp xã | 80% |\n")
    assert built.tables[0].rows[1][0].text == "Thư viện cấp xã"  # a data table cell is one line
    head = render("|\nỦY BAN NHÂN DÂN<br/>TỈNH SƠN LA\n|\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n|\n")
    assert head.tables[0].rows[0][0].text == "ỦY BAN NHÂN DÂN\nTỈNH SƠN LA"


def test_unclosed_bar_block_keeps_the_text():
    built = render("|\nmột ô không đóng\n\nđoạn sau vẫn còn\nvà tiếp\n")
    assert [[c.text for c in r] for r in built.tables[0].rows] == [["một ô không đóng"]]
    assert built.text.split("\n") == ["một ô không đóng", "đoạn sau vẫn còn và tiếp"]


def test_extract_reads_a_markdown_plan(tmp_path):
    from pipeline.core import extract_file

    rec = extract_file(_write(tmp_path, "kh.md", BAR_PAGE))
    assert rec.error is None and rec.format == "markdown"
    assert rec.number == "45/KH-UBND" and rec.issue_date == "2024-03-07"
    assert rec.signer is not None and rec.signer.name == "Lò Văn Hải"
    values = {(t.year, t.value) for t in rec.targets}
    assert (2030, 85) in values and (2030, 90) in values
    for t in rec.targets:
        assert rec.text[t.evidence.start:t.evidence.end] == t.evidence.text


@pytest.mark.skipif(not SHARED_MD, reason="../shared/fullplans absent")
@pytest.mark.parametrize("path", SHARED_MD, ids=[p.name for p in SHARED_MD])
def test_real_markdown_pages(path):
    """The legal-database pages kept as markdown: header block, signature block and
    task tables come out as tables; no markup is left."""
    doc = load(path)
    check_offsets(doc)
    assert doc.format == "markdown" and doc.warnings == []
    lines = doc.text.split("\n")
    assert lines[0] == "ỦY BAN NHÂN DÂN"
    assert any(ln.startswith("Số: ") for ln in lines[:10])
    assert doc.tables and doc.tables[0].rows[0][1].text.startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert any("Nơi nhận" in c.text for t in doc.tables for r in t.rows for c in r)
    assert "**" not in doc.text and not any(ln.strip() == "|" for ln in lines)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PIECES = st.sampled_from(["|", "| a | b |", "|---|---|", "**", "*", "_", "[", "](", ")", "`", "\\", "<br>",
                           "&amp;", "- ", "1. ", "#", "-------", "  ", "\n", "\n\n", "Số: 12/KH-UBND",
                           "đạt 80%", "ỦY BAN NHÂN DÂN", "Nơi nhận:", "x", "<table><tr><td>",
                           "</td><td colspan=\"2\">", "</td></tr></table>"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=60).map("".join))
def test_render_never_crashes_and_cells_sit_where_they_say(text):
    built = render(text)
    out = built.text
    for table in built.tables:
        for row in table.rows:
            for cell in row:
                assert out[cell.start:cell.end] == cell.text
    assert "\n\n" not in out


HTML_TABLE_PAGE = """\
Chỉ tiêu của tỉnh Gia Lai:

<table>
<tr><th rowspan="2">Chỉ tiêu</th><th colspan="2">Mục tiêu</th></tr>
<tr><td>2025</td><td>2030</td></tr>
<tr><td>Xã có thư viện<br>đạt chuẩn</td><td>60%</td><td>**80%**</td></tr>
</table>

Đoạn sau bảng.
"""


def test_raw_html_table_keeps_merged_cells(tmp_path):
    doc = load(_write(tmp_path, "gl.md", HTML_TABLE_PAGE))
    check_offsets(doc)
    (table,) = doc.tables
    spans = [[(c.text, c.row, c.col, c.rowspan, c.colspan) for c in row] for row in table.rows]
    assert spans == [[("Chỉ tiêu", 0, 0, 2, 1), ("Mục tiêu", 0, 1, 1, 2)],
                     [("2025", 1, 1, 1, 1), ("2030", 1, 2, 1, 1)],
                     [("Xã có thư viện đạt chuẩn", 2, 0, 1, 1), ("60%", 2, 1, 1, 1), ("80%", 2, 2, 1, 1)]]
    assert doc.text.split("\n")[0] == "Chỉ tiêu của tỉnh Gia Lai:"
    assert doc.text.split("\n")[-1] == "Đoạn sau bảng."


def test_unclosed_html_table_ends_at_a_blank_line():
    built = render("<table><tr><td>Ô một</td><td>Ô hai</td></tr>\n\nĐoạn văn tiếp theo.\n")
    assert [[c.text for c in r] for r in built.tables[0].rows] == [["Ô một", "Ô hai"]]
    assert built.text.split("\n")[-1] == "Đoạn văn tiếp theo."
