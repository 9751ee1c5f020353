"""PDF with a text layer: reading order, header columns, tables, page furniture, bad files."""
from __future__ import annotations

import pytest

from pipeline.load import LoadError, load

from .conftest import SAMPLE, check_offsets, need_file
from .fixtures import DEJAVU, HEADER_LEFT, HEADER_RIGHT, RUNNING_HEADER, TCVN3_PDF_LINES, build_tcvn3_pdf, build_text_pdf


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
