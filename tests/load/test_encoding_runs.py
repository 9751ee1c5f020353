"""The encoding is decided per run of text: one bad byte, a NUL or a pasted
legacy line does not garble the rest of a document; half-converted legacy
text (look-alike symbols, UTF-8 read as Windows-1252) is repaired.

Generators of the adversarial inputs are here (``bad_bytes_plan`` …), built in
code from our own sentences."""
from __future__ import annotations

import pytest

from pipeline.core import extract_file
from pipeline.load import LoadError, load
from pipeline.load import legacy_fonts as lf
from pipeline.load.txt import decode_bytes

from .fixtures import cp1258_bytes

PLAN = "\n".join([
    "ỦY BAN NHÂN DÂN",
    "TỈNH QUẢNG TRỊ",
    "Số: 77/KH-UBND",
    "Quảng Trị, ngày 9 tháng 4 năm 2024",
    "KẾ HOẠCH",
    "Phát triển văn hóa đọc giai đoạn 2024 - 2030",
    "II. MỤC TIÊU CỤ THỂ",
    "1. Đến năm 2025, 70% thư viện cấp huyện được số hóa tài liệu.",
    "2. Đến năm 2030, 95% trường học có thư viện đạt chuẩn.",
    "3. Phấn đấu mỗi năm tăng 12% số lượt bạn đọc.",
    "4. Đến năm 2030, 100% xã có điểm đọc sách phục vụ cộng đồng.",
])


def bad_bytes_plan(bad: bytes, line: int = 8) -> bytes:
    """The plan in UTF-8 with ``bad`` inserted at the end of line ``line`` (1-based)."""
    lines = [ln.encode("utf-8") for ln in PLAN.split("\n")]
    lines[line - 1] += bad
    return b"\n".join(lines)


def _targets(path) -> set:
    rec = extract_file(path)
    assert rec.error is None, rec.warnings
    return {(t.year, t.value) for t in rec.targets}


@pytest.fixture
def clean_targets(tmp_path):
    p = tmp_path / "clean.txt"
    p.write_bytes(PLAN.encode("utf-8"))
    found = _targets(p)
    assert len(found) >= 3
    return found


@pytest.mark.parametrize("bad,shown", [
    (b"\xff", "\ufffd"),              # a byte UTF-8 never has
    (b"\x96", "\u2013"),              # a Windows-1252 en dash
    (b"\x93", "\u201c"),              # a Windows-1252 opening quote
    (b"\xe1\xbb", "\ufffd\ufffd"),    # a truncated multi-byte sequence
], ids=["xff", "cp1252-dash", "cp1252-quote", "truncated"])
def test_one_bad_byte_keeps_the_document_utf8(tmp_path, clean_targets, bad, shown):
    p = tmp_path / "plan.txt"
    p.write_bytes(bad_bytes_plan(bad))
    doc = load(p)
    assert doc.encoding == "utf-8"
    lines = PLAN.split("\n")
    lines[7] += shown
    assert doc.text == "\n".join(lines)
    assert any("not UTF-8 replaced" in w and "line 8" in w for w in doc.warnings), doc.warnings
    assert _targets(p) == clean_targets


def test_bad_byte_in_a_one_line_file():
    text, enc, warnings = decode_bytes("Đến năm 2030 đạt 95% trường học".encode() + b"\xff")
    assert (text, enc) == ("Đến năm 2030 đạt 95% trường học\ufffd", "utf-8") and warnings


def test_ascii_with_a_stray_byte_is_utf8():
    text, enc, warnings = decode_bytes(b"Plan 2030: 95%\xff of schools")
    assert (text, enc) == ("Plan 2030: 95%\ufffd of schools", "utf-8")


def test_pasted_windows_1258_line_is_decoded_on_its_own():
    pasted = "Phấn đấu 80% thôn có nhà văn hóa đạt chuẩn."
    data = PLAN.encode("utf-8") + b"\n" + cp1258_bytes(pasted)
    text, enc, warnings = decode_bytes(data)
    assert enc == "utf-8"
    assert text == PLAN + "\n" + pasted
    assert any("line 12 decoded as Windows-1258" in w for w in warnings), warnings


def test_legacy_file_is_still_legacy_throughout():
    """A TCVN3 file (no valid UTF-8 in it) is decoded as TCVN3, as before."""
    text, enc, warnings = decode_bytes(lf.unicode_to_tcvn3(PLAN))
    # TCVN3 has no upper-case toned letters (see unicode_to_tcvn3): compare case-folded
    assert enc == "tcvn3" and text.lower() == PLAN.lower()
    assert warnings == ["converted from TCVN3 (ABC) font encoding"]


@pytest.mark.parametrize("junk", [b"\x00", b"\x00\x00\x01", b"\x1b", b"\x7f", b"\x08\x08"],
                         ids=["nul", "nuls", "escape", "del", "backspaces"])
def test_isolated_control_bytes_are_removed_with_a_warning(tmp_path, clean_targets, junk):
    p = tmp_path / "plan.txt"
    p.write_bytes(bad_bytes_plan(junk, line=9))
    doc = load(p)
    assert doc.text == PLAN and doc.encoding == "utf-8"
    assert any(w.startswith(f"removed {len(junk)} control character") for w in doc.warnings), doc.warnings
    assert _targets(p) == clean_targets


def test_nul_in_a_legacy_file(tmp_path):
    p = tmp_path / "tcvn3.txt"
    p.write_bytes(lf.unicode_to_tcvn3(PLAN.lower()) + b"\x00")
    doc = load(p)
    assert doc.encoding == "tcvn3" and doc.text == PLAN.lower()
    assert any("control character" in w for w in doc.warnings)


def test_real_binary_is_still_refused(tmp_path):
    p = tmp_path / "blob.txt"
    p.write_bytes(PLAN.encode("utf-8") + bytes(range(32)) * 40)
    with pytest.raises(LoadError) as info:
        load(p)
    assert info.value.code == "unsupported" and "binary" in str(info.value)


# --------------------------------------------------------------------------
# Half-converted legacy fonts
# --------------------------------------------------------------------------

def tcvn3_lookalike_layer(text: str) -> str:
    """TCVN3 text as some PDF text layers give it: the soft hyphen (ư) as U+2212,
    the middle dot (ã) as U+2219."""
    return lf.unicode_to_tcvn3(text).decode("cp1252").replace("\xad", "\u2212").replace("\xb7", "\u2219")


def utf8_read_as_cp1252(text: str) -> str:
    return "".join(lf._cp1252_char(b) for b in text.encode("utf-8"))


LEGACY_BODY = "mục tiêu của tỉnh đến năm 2030: 95% trường học đã được công nhận đạt chuẩn quốc gia"


def test_tcvn3_lookalike_symbols_are_mapped():
    layer = tcvn3_lookalike_layer(LEGACY_BODY)
    assert "\u2212" in layer and "\u2219" in layer
    fixed, enc = lf.fix_legacy_text(layer)
    assert (fixed, enc) == (LEGACY_BODY, "tcvn3")


def test_minus_sign_in_unicode_text_is_kept():
    text = "Nhiệt độ giảm \u22125 độ; chỉ số \u2219 tăng"
    assert lf.fix_legacy_text(text) == (text, None)
    assert lf.plan_repair(text).needed is False


def test_vni_document_with_a_first_line_of_utf8_mojibake(tmp_path):
    """A VNI file whose first line was UTF-8 read as Windows-1252."""
    head = "UBND TỈNH BÌNH ĐỊNH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    body = ["Mục tiêu đến năm 2030 của tỉnh", "Phấn đấu 90% thôn có nhà văn hóa", "Quy Nhơn, ngày 3 tháng 6 năm 2022"]
    text = "\n".join([utf8_read_as_cp1252(head)] + [lf.unicode_to_vni(b) for b in body])
    plan = lf.plan_repair(text)
    assert plan.encoding == "vni" and plan.mojibake == 1
    assert [plan.convert(ln) for ln in text.split("\n")] == [head] + body
    assert plan.warnings[0].startswith("repaired 1 line of UTF-8 text")
    # the old entry point gives the same conversion (what pdf.py calls)
    enc, convert = lf.legacy_converter(text)
    assert enc == "vni" and convert(text.split("\n")[0]) == head
    # and a .txt file holding that text (saved as UTF-8) reads right
    p = tmp_path / "vni.txt"
    p.write_text(text, encoding="utf-8")
    doc = load(p)
    assert doc.text == "\n".join([head] + body) and doc.encoding == "vni"


def test_mojibake_alone_is_repaired(tmp_path):
    line = "Đến năm 2025, tỷ lệ trường học đạt chuẩn là 85% – theo “Kế hoạch”"
    p = tmp_path / "m.txt"
    p.write_text(PLAN + "\n" + utf8_read_as_cp1252(line), encoding="utf-8")
    doc = load(p)
    assert doc.text == PLAN + "\n" + line and doc.encoding == "utf-8"
    assert any(w.startswith("repaired 1 line") for w in doc.warnings)


@pytest.mark.parametrize("text", [
    "Môc tiªu cô thÓ ®Õn n¨m 2030",                       # TCVN3 mojibake: not UTF-8 read wrong
    "Muïc tieâu cuï theå ñeán naêm 2030",                  # VNI
    "Café Ã  la carte, São Paulo",                          # Western text
    "Mục tiêu cụ thể đến năm 2030",
])
def test_repair_mojibake_leaves_other_text_alone(text):
    assert lf.repair_mojibake(text) == text


def test_docx_with_mojibake_and_vni_text(tmp_path):
    """A .docx (no legacy font names) whose first paragraph is UTF-8 mojibake and
    the rest VNI: the loader repairs both through plan_repair."""
    import docx

    head = "ỦY BAN NHÂN DÂN TỈNH PHÚ YÊN"
    body = ["Kế hoạch phát triển thư viện đến năm 2030", "Phấn đấu 90% xã có điểm đọc sách"]
    d = docx.Document()
    d.add_paragraph(utf8_read_as_cp1252(head))
    for b in body:
        d.add_paragraph(lf.unicode_to_vni(b))
    p = tmp_path / "mixed.docx"
    d.save(p)
    doc = load(p)
    assert doc.text.split("\n") == [head] + body
    assert doc.encoding == "vni" and any(w.startswith("repaired 1 line") for w in doc.warnings)


def test_pdf_text_layer_with_lookalike_symbols(tmp_path):
    """A PDF whose TCVN3 text layer has U+2212/U+2219 (drawn with DejaVu, which
    has both glyphs) is converted in full by the PDF loader."""
    from .conftest import need_file
    from .fixtures import DEJAVU

    need_file(DEJAVU, "fonts-dejavu-core")
    from fpdf import FPDF

    lines = ["Kế hoạch của tỉnh về phát triển thư viện", "Đến năm 2030, 95% trường học đã được công nhận",
             "Các sở, ngành được giao nhiệm vụ phối hợp thực hiện"]
    pdf = FPDF(format="A4", unit="pt")
    pdf.add_font("DejaVu", "", str(DEJAVU))
    pdf.set_font("DejaVu", "", 11)
    pdf.add_page()
    for ln in lines:
        pdf.multi_cell(475, 15, tcvn3_lookalike_layer(ln), new_x="LMARGIN", new_y="NEXT")
    p = tmp_path / "tcvn3.pdf"
    pdf.output(str(p))
    doc = load(p)
    assert doc.encoding == "tcvn3"
    assert [ln.lower() for ln in doc.text.split("\n")] == [ln.lower() for ln in lines]


def test_pdf_text_layer_with_a_mojibake_line(tmp_path):
    """A Unicode PDF one of whose lines is UTF-8 read as Windows-1252: pdf.py
    repairs it through plan_repair (no legacy font involved)."""
    from .conftest import need_file
    from .fixtures import DEJAVU

    need_file(DEJAVU, "fonts-dejavu-core")
    from fpdf import FPDF

    head = "UBND TỈNH BÌNH PHƯỚC"           # no byte that Windows-1252 leaves undefined
    lines = ["Kế hoạch phát triển thư viện đến năm 2030", "Phấn đấu 90% xã có điểm đọc sách"]
    pdf = FPDF(format="A4", unit="pt")
    pdf.add_font("DejaVu", "", str(DEJAVU))
    pdf.set_font("DejaVu", "", 11)
    pdf.add_page()
    for ln in [utf8_read_as_cp1252(head)] + lines:
        pdf.multi_cell(475, 15, ln, new_x="LMARGIN", new_y="NEXT")
    p = tmp_path / "moji.pdf"
    pdf.output(str(p))
    doc = load(p)
    assert doc.text.split("\n") == [head] + lines
    assert doc.encoding is None and any(w.startswith("repaired 1 line") for w in doc.warnings)
