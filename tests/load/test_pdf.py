"""PDF with a text layer: reading order, header columns, tables, page furniture, bad files."""
from __future__ import annotations

import pytest

from pipeline.load import LoadError, load

from .conftest import SAMPLE, check_offsets, need_file
from .fixtures import DEJAVU, DEJAVU_BOLD, HEADER_LEFT, HEADER_RIGHT, RUNNING_HEADER, TCVN3_PDF_LINES, build_tcvn3_pdf, build_text_pdf


@pytest.fixture(scope="module")
def plan_pdf(tmp_path_factory):
    need_file(DEJAVU, "fonts-dejavu-core")
    return build_text_pdf(tmp_path_factory.mktemp("pdf") / "plan.pdf")


@pytest.fixture(scope="module")
def loaded(plan_pdf):
    return load(plan_pdf)


def test_format_pages_offsets(loaded):
    assert loaded.format == "pdf" and loaded.ocr_confidence is None
    assert loaded.pages is not None and len(loaded.pages) == 3
    check_offsets(loaded)
    first = loaded.text[slice(*loaded.pages[0])]
    assert first.startswith(HEADER_LEFT[0])
    assert "16. " in first and "21. " not in first


def test_header_columns_stay_recognisable_lines(loaded):
    lines = loaded.text.split("\n")
    for line in HEADER_LEFT + HEADER_RIGHT:
        assert line in lines


def test_sample_words_intact_and_wrapped_lines_kept(loaded):
    # wrapped lines stay lines; joining them gives back the sample exactly
    flat = " ".join(loaded.text.split())
    assert " ".join(SAMPLE.split()) in flat
    assert "2. Mục tiêu cụ thể đến năm 2030\na) Đối với hệ thống thư viện\n- Phấn đấu" in loaded.text
    assert "\n- Năm 2030: 12 - 15% mỗi năm.\n" in loaded.text


def test_running_header_and_page_numbers_removed(loaded):
    lines = loaded.text.split("\n")
    assert RUNNING_HEADER not in loaded.text
    assert not any(ln.strip() in {"1", "2", "3"} for ln in lines)
    assert any("running header" in w for w in loaded.warnings)


def test_table_with_merged_cells(loaded):
    assert len(loaded.tables) == 1
    t = loaded.tables[0]
    assert t.page == 1
    cells = [[(c.text, c.row, c.col, c.rowspan, c.colspan) for c in row] for row in t.rows]
    assert cells[0] == [("TT", 0, 0, 2, 1), ("Chỉ tiêu", 0, 1, 2, 1), ("Kế hoạch", 0, 2, 1, 2)]
    assert cells[1] == [("Năm 2025", 1, 2, 1, 1), ("Năm 2030", 1, 3, 1, 1)]
    assert "\n1 | Thư viện tỉnh | 60% | 80%\n2 | Cấp huyện | 50% | 70%\n" in loaded.text
    # table text is not repeated as free lines
    assert loaded.text.count("Thư viện tỉnh | 60%") == 1
    assert loaded.text.count("Cấp huyện") == 1


def test_encrypted_pdf(tmp_path):
    need_file(DEJAVU, "fonts-dejavu-core")
    p = build_text_pdf(tmp_path / "locked.pdf", password="secret", pages=1)
    with pytest.raises(LoadError) as info:
        load(p)
    assert info.value.code == "encrypted"
    assert "locked.pdf" in str(info.value) and "password" in str(info.value)


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.98])
def test_truncated_pdf(tmp_path, plan_pdf, keep):
    data = plan_pdf.read_bytes()
    p = tmp_path / "cut.pdf"
    p.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(LoadError) as info:
        load(p)
    assert info.value.code == "corrupt"


def test_pdf_named_docx(tmp_path, plan_pdf):
    p = tmp_path / "plan.docx"
    p.write_bytes(plan_pdf.read_bytes())
    doc = load(p)
    assert doc.format == "pdf"
    assert doc.warnings[0] == "file named .docx is really PDF; loaded as such"


def test_pdf_header_garbage_after(tmp_path):
    p = tmp_path / "fake.pdf"
    p.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 20)
    with pytest.raises(LoadError) as info:
        load(p)
    assert info.value.code == "corrupt"


def test_tcvn3_text_layer(tmp_path):
    need_file(DEJAVU, "fonts-dejavu-core")
    doc = load(build_tcvn3_pdf(tmp_path / "vntime.pdf"))
    assert doc.encoding == "tcvn3"
    assert "converted from TCVN3 (ABC) font encoding" in doc.warnings
    assert doc.text.split("\n") == TCVN3_PDF_LINES


def _long_table_pdf(path, *, repeat_headings: bool, rows: int = 60, second_widths=None):
    """A ruled table (two heading rows, a merged header) running onto page 2;
    a page number at the top of page 2.  ``second_widths``: instead, page 1
    ends with the table and page 2 starts with another one, without heading
    rows, on other column lines."""
    from fpdf import FPDF

    class Pdf(FPDF):
        def header(self):
            if self.page_no() > 1:
                self.set_font("DejaVu", "", 9)
                self.set_xy(self.l_margin, 20)
                self.cell(self.epw, 10, str(self.page_no()), align="C")
                self.set_y(self.t_margin)

    pdf = Pdf(format="A4", unit="pt")
    pdf.add_font("DejaVu", "", str(DEJAVU))
    pdf.add_font("DejaVu", "B", str(DEJAVU_BOLD))
    pdf.set_margins(left=70, top=57, right=57)
    pdf.set_auto_page_break(True, margin=57)
    pdf.add_page()
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(0, 15, "a) Tỷ lệ thư viện có ứng dụng chuyển đổi số:", new_x="LMARGIN", new_y="NEXT")

    def table(body, widths=(2.2, 1, 1), heading=True):
        with pdf.table(col_widths=widths, line_height=16, num_heading_rows=2 if heading else 0,
                       first_row_as_headings=heading, repeat_headings=int(repeat_headings)) as t:
            if heading:
                r = t.row()
                r.cell("Loại thư viện", rowspan=2)
                r.cell("Mục tiêu (%)", colspan=2)
                r = t.row()
                r.cell("Năm 2025")
                r.cell("Năm 2030")
            for i in body:
                r = t.row()
                r.cell(f"Thư viện số {i}")
                r.cell(str(i % 90))
                r.cell(str(i % 90 + 5))

    if second_widths is None:
        table(range(1, rows + 1))
    else:
        table(range(1, rows + 1))
        pdf.add_page()
        table(range(100, 103), second_widths, heading=False)
    pdf.output(str(path))
    return path


def _body_rows(table):
    return [[c.text for c in row] for row in table.rows if row[0].text.startswith("Thư viện số")]


def test_table_continued_without_heading_gets_the_heading(tmp_path):
    need_file(DEJAVU, "fonts-dejavu-core")
    doc = load(_long_table_pdf(tmp_path / "split.pdf", repeat_headings=False))
    check_offsets(doc)
    assert [t.page for t in doc.tables] == [1, 2]
    first, second = doc.tables
    n1 = len(_body_rows(first))
    assert 5 < n1 < 60 and len(_body_rows(second)) == 60 - n1
    # the continuation starts with the very heading cells of page 1 ...
    assert second.rows[:2] == first.rows[:2]
    assert [(c.text, c.col, c.colspan) for c in second.rows[0]] == [("Loại thư viện", 0, 1), ("Mục tiêu (%)", 1, 2)]
    # ... its own rows follow, numbered after them, and sit on page 2
    assert [c.row for c in second.rows[2]] == [2, 2, 2]
    assert second.rows[2][0].text == f"Thư viện số {n1 + 1}"
    page2 = doc.pages[1]
    assert all(page2[0] <= c.start <= page2[1] for row in second.rows[2:] for c in row)
    assert doc.text.count("Mục tiêu (%)") == 1          # the text itself is unchanged
    assert any("continued on the next page" in w for w in doc.warnings)


def test_table_with_repeated_heading_is_left_alone(tmp_path):
    need_file(DEJAVU, "fonts-dejavu-core")
    doc = load(_long_table_pdf(tmp_path / "repeat.pdf", repeat_headings=True))
    check_offsets(doc)
    first, second = doc.tables
    assert second.rows[0][0].text == "Loại thư viện" and second.rows[0][0].start > first.rows[-1][-1].end
    assert len(_body_rows(first)) + len(_body_rows(second)) == 60
    assert len(second.rows) == len(_body_rows(second)) + 2
    assert not any("continued on the next page" in w for w in doc.warnings)


def test_other_table_on_next_page_is_not_a_continuation(tmp_path):
    need_file(DEJAVU, "fonts-dejavu-core")
    # page 1 ends with a table, page 2 starts with one on other column lines
    doc = load(_long_table_pdf(tmp_path / "two.pdf", repeat_headings=False, rows=40, second_widths=(1, 1, 1)))
    check_offsets(doc)
    assert [t.page for t in doc.tables] == [1, 2]
    assert doc.tables[1].rows[0][0].start > doc.tables[0].rows[-1][-1].end
    assert not any("continued on the next page" in w for w in doc.warnings)
