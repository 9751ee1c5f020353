"""Word .docx: order, numbering, merged cells, layout tables, legacy fonts, bad packages."""
from __future__ import annotations

import zipfile

import pytest

from pipeline.load import LoadError, load
from pipeline.load.docx import Numbering, format_number

from .conftest import SAMPLE, check_offsets
from .fixtures import HEADER_LEFT, HEADER_RIGHT, build_docx, build_zip_bomb


@pytest.fixture(scope="module")
def plan_docx(tmp_path_factory):
    return build_docx(tmp_path_factory.mktemp("docx") / "plan.docx")


@pytest.fixture(scope="module")
def loaded(plan_docx):
    return load(plan_docx)


def test_format_and_offsets(loaded):
    assert loaded.format == "docx"
    assert loaded.pages is None and loaded.ocr_confidence is None
    check_offsets(loaded)


def test_sample_section_with_reconstructed_numbering(loaded):
    assert SAMPLE in loaded.text


def test_outline_numbering(loaded):
    lines = loaded.text.split("\n")
    for expected in ["I. MỤC TIÊU", "1. Mục tiêu chung", "II. NHIỆM VỤ", "1. Tuyên truyền"]:
        assert expected in lines
    # the plain paragraph between numbered ones has no label
    assert "Tiếp tục đổi mới hoạt động thư viện." in lines


def test_header_table_lines_stay_recognisable(loaded):
    lines = loaded.text.split("\n")
    assert lines[:6] == HEADER_LEFT + HEADER_RIGHT
    header = loaded.tables[0]
    assert [c.text for c in header.rows[0]] == ["\n".join(HEADER_LEFT), "\n".join(HEADER_RIGHT)]


def test_signature_table_is_layout(loaded):
    lines = loaded.text.split("\n")
    assert lines[-4:] == ["Nơi nhận:", "- Như trên;", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]


def test_merged_cells_once(loaded):
    table = loaded.tables[1]
    cells = [[(c.text, c.row, c.col, c.rowspan, c.colspan) for c in row] for row in table.rows]
    assert cells == [
        [("TT", 0, 0, 2, 1), ("Chỉ tiêu", 0, 1, 2, 1), ("Kế hoạch", 0, 2, 1, 2)],
        [("Năm 2025", 1, 2, 1, 1), ("Năm 2030", 1, 3, 1, 1)],
        [("1", 2, 0, 1, 1), ("Thư viện tỉnh", 2, 1, 1, 1), ("60%", 2, 2, 1, 1), ("80%", 2, 3, 1, 1)],
        [("2", 3, 0, 1, 1), ("Cấp huyện", 3, 1, 1, 1), ("50%", 3, 2, 1, 1), ("70%", 3, 3, 1, 1)],
    ]
    assert "\n1 | Thư viện tỉnh | 60% | 80%\n" in loaded.text
    assert "\nTT | Chỉ tiêu | Kế hoạch\nNăm 2025 | Năm 2030\n" in loaded.text


def test_legacy_font_runs(loaded):
    lines = loaded.text.split("\n")
    assert "Thư viện cấp xã đạt 30%" in lines
    assert "TỔ CHỨC THỰC HIỆN" in lines          # .VnTimeH draws capitals
    assert "Bảo tàng tỉnh đạt 100%" in lines      # VNI-Times
    assert any("TCVN3" in w for w in loaded.warnings)
    assert any("VNI" in w for w in loaded.warnings)


def test_no_legacy_warning_for_unicode_document(tmp_path):
    doc = load(build_docx(tmp_path / "u.docx", tcvn3=False))
    assert doc.warnings == [] and doc.encoding is None


def test_numbering_formats():
    assert [format_number(n, "upperRoman") for n in (1, 4, 9, 14)] == ["I", "IV", "IX", "XIV"]
    assert [format_number(n, "lowerLetter") for n in (1, 26, 27)] == ["a", "z", "aa"]
    assert Numbering(None).label("1", 0) == ""


# --- bad packages ----------------------------------------------------------

def test_truncated_docx(tmp_path, plan_docx):
    p = tmp_path / "cut.docx"
    p.write_bytes(plan_docx.read_bytes()[:3000])
    with pytest.raises(LoadError) as info:
        load(p)
    assert info.value.code == "corrupt"
    assert "cut.docx" in str(info.value)


def test_corrupt_xml_docx(tmp_path, plan_docx):
    p = tmp_path / "badxml.docx"
    with zipfile.ZipFile(plan_docx) as src, zipfile.ZipFile(p, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = data[: len(data) // 2]
            dst.writestr(info, data)
    with pytest.raises(LoadError) as info:
        load(p)
    assert info.value.code == "corrupt"


def test_zip_bomb(tmp_path):
    p = build_zip_bomb(tmp_path / "bomb.docx", 64 << 20)
    assert p.stat().st_size < 200_000
    for limit in (50_000_000, 10_000_000):  # by expansion ratio, by total size
        with pytest.raises(LoadError) as info:
            load(p, max_bytes=limit)
        assert info.value.code == "zip_bomb"


def test_zip_that_is_not_word(tmp_path):
    p = tmp_path / "archive.docx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(LoadError) as info:
        load(p)
    assert info.value.code == "unsupported"


def test_docx_named_pdf_is_loaded_with_warning(tmp_path, plan_docx):
    p = tmp_path / "plan.pdf"
    p.write_bytes(plan_docx.read_bytes())
    doc = load(p)
    assert doc.format == "docx"
    assert "really Word .docx" in doc.warnings[0]
