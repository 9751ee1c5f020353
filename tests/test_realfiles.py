"""Real files as offices issued them (``../shared/realfiles``): every fact of
``facts.json`` and every target bound, one test per file x field, so the
count of facts that hold is visible.  A fact the readers cannot get yet is
``xfail(strict=True)`` with the reason; fixing it flips the test to a failure
that says "XPASS(strict)", and the mark is then removed.

Skips when ``../shared`` is absent (or set ``CHITIEU_SHARED``).  Tests never
time: ``bench/realfiles_bench.py`` does.
"""
from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CHITIEU_SHARED", ROOT.parent / "shared"))
REAL = SHARED / "realfiles"
FACTS_FILE = REAL / "facts.json"

FIELDS = ("doc_type", "number", "issue_date", "issuing_body", "parent_body", "province", "signer_name")

#: (file, field) -> why it does not hold yet.
KNOWN: dict[tuple[str, str], str] = {
    # every fact holds; a new file's fact the readers cannot get yet goes here
}


def _facts() -> dict:
    if not FACTS_FILE.is_file():
        return {}
    return json.loads(FACTS_FILE.read_text(encoding="utf-8"))


FACTS = _facts()


def _cases():
    for name, facts in FACTS.items():
        for field in FIELDS:
            if field in facts:
                yield name, field
        if "min_targets" in facts or "max_targets" in facts:
            yield name, "targets"


def _params():
    out = []
    for name, field in _cases():
        marks = []
        if (name, field) in KNOWN:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN[(name, field)]))
        out.append(pytest.param(name, field, marks=marks, id=f"{name}-{field}"))
    return out


_records: dict[str, object] = {}


def _record(name: str):
    if name not in _records:
        from pipeline.core import extract_file
        _records[name] = extract_file(REAL / name)
    return _records[name]


def _fold(s):
    return None if s is None else unicodedata.normalize("NFC", s).casefold()


needs_real = pytest.mark.skipif(not FACTS, reason=f"{FACTS_FILE} is absent")


@needs_real
@pytest.mark.parametrize("name,field", _params())
def test_fact(name: str, field: str):
    facts = FACTS[name]
    rec = _record(name)
    assert rec.error is None, rec.warnings
    if field == "targets":
        n = len(rec.targets)
        lo, hi = facts.get("min_targets", 0), facts.get("max_targets")
        assert n >= lo and (hi is None or n <= hi), f"{n} targets, want [{lo}, {hi}]"
        return
    if field == "signer_name":
        got = rec.signer.name if rec.signer is not None else None
    else:
        got = getattr(rec, field)
    assert _fold(got) == _fold(facts[field]), f"{field}: got {got!r}, want {facts[field]!r}"


@needs_real
def test_every_file_loads():
    from pipeline.core import extract_file
    for name in FACTS:
        rec = _record(name)
        assert rec.error is None, (name, rec.warnings)
        text = rec.text
        for item in list(rec.targets) + list(rec.references):
            assert text[item.evidence.start:item.evidence.end] == item.evidence.text
    assert extract_file  # imported for the records


# --------------------------------------------------------------------------
# Loader classes of the real files, on fixtures built here
# --------------------------------------------------------------------------

def _pdf(objects: list[bytes]) -> bytes:
    """A PDF from its numbered objects (1 = catalog), with a correct xref."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< " + extra + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def _signed_pdf() -> bytes:
    """A letter whose number and day are stamped into signature-field
    appearances (as signing software does), plus the signer's certificate box."""
    page = (b"BT /F1 12 Tf 72 760 Td (So:) Tj 60 0 Td (/TB-UBND) Tj ET\n"
            b"BT /F1 12 Tf 300 760 Td (Hue, ngay) Tj 95 0 Td (thang 03 nam 2024) Tj ET\n"
            b"BT /F1 12 Tf 72 700 Td (THONG BAO) Tj ET\n"
            b"BT /F1 12 Tf 72 680 Td (Ket luan cua cuoc hop ngay 02/3/2024.) Tj ET")
    form = lambda text, w: _stream(  # noqa: E731
        b"BT /F1 12 Tf 2 4 Td (" + text + b") Tj ET",
        b"/Type /XObject /Subtype /Form /BBox [0 0 %d 17] /Resources << /Font << /F1 5 0 R >> >>" % w)
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >>"
        b" /Contents 4 0 R /Annots [6 0 R 8 0 R 10 0 R] >>",
        _stream(page),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Annot /Subtype /Widget /FT /Sig /Rect [100 755 130 772] /AP << /N 7 0 R >> >>",
        form(b"27", 30),
        b"<< /Type /Annot /Subtype /Widget /FT /Sig /Rect [360 755 392 772] /AP << /N 9 0 R >> >>",
        form(b"05", 32),
        b"<< /Type /Annot /Subtype /FreeText /Rect [380 800 590 817] /AP << /N 11 0 R >> >>",
        form(b"Signed by: Provincial office, 2024-03-05 09:12:44 +07:00", 210),
    ])


def test_signature_field_stamps_join_their_lines():
    from pipeline.load import load
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "signed.pdf"
        path.write_bytes(_signed_pdf())
        loaded = load(path)
    lines = loaded.text.splitlines()
    assert "So: 27 /TB-UBND" in lines, lines
    assert "Hue, ngay 05 thang 03 nam 2024" in lines, lines
    # the certificate box is long and off every text line: left out
    assert "Signed by" not in loaded.text


def test_number_stamped_into_signature_field_is_read():
    from pipeline.core import extract_text
    rec = extract_text("ỦY BAN NHÂN DÂN\nTỈNH THỪA THIÊN HUẾ\nSố: 27 /TB-UBND\nHuế, ngày 05 tháng 03 năm 2024\n"
                       "THÔNG BÁO\nKết luận của cuộc họp\n", "x")
    assert (rec.number, rec.issue_date) == ("27/TB-UBND", "2024-03-05")


def test_saved_legal_database_page_loses_its_breadcrumb():
    import tempfile
    from pipeline.core import extract_file
    html = """<html><head><meta charset="utf-8"><title>Văn bản</title></head><body>
<header><nav class="ant-breadcrumb"><ol><li><a href="/">Trang chủ</a></li><li>&gt;</li>
<li><a href="/vb">Văn bản quy phạm pháp luật địa phương</a></li><li>&gt;</li>
<li>Quyết định số 18/2023/QĐ-UBND về quy chế</li></ol></nav></header>
<main><article><h1>Quyết định số 18/2023/QĐ-UBND về quy chế quản lý thư viện</h1>
<table><tr><td><p>ỦY BAN NHÂN DÂN<br>TỈNH NINH THUẬN</p><p>-------</p></td>
<td><p>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br>Độc lập - Tự do - Hạnh phúc</p></td></tr>
<tr><td><p>Số: 18/2023/QĐ-UBND</p></td><td><p>Ninh Thuận, ngày 07 tháng 4 năm 2023</p></td></tr></table>
<p>QUYẾT ĐỊNH</p><p>Ban hành quy chế quản lý thư viện công cộng</p>
<p>Căn cứ Luật Thư viện ngày 21 tháng 11 năm 2019;</p>
<p>Điều 1. Ban hành kèm theo Quyết định này quy chế quản lý thư viện công cộng trên địa bàn tỉnh.</p>
<p>Điều 2. Quyết định này có hiệu lực kể từ ngày ký./.</p>
</article></main></body></html>"""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "page.html"
        path.write_text(html, encoding="utf-8")
        rec = extract_file(path)
    assert "Trang chủ" not in rec.text
    assert (rec.doc_type, rec.number, rec.issue_date) == ("decision", "18/2023/QĐ-UBND", "2023-04-07")
    assert rec.issuing_body == "Ủy ban nhân dân tỉnh Ninh Thuận"


def test_auto_numbered_stt_cells_of_a_docx_table_are_filled(tmp_path):
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_paragraph("Bảng phân công nhiệm vụ")
    t = d.add_table(rows=4, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "STT", "Nội dung"
    for i, task in enumerate(["Tham mưu xây dựng kế hoạch", "Tổ chức kiểm tra", "Tổng hợp báo cáo"], 1):
        t.cell(i, 0).paragraphs[0].style = d.styles["List Number"]    # Word numbers the empty cell
        t.cell(i, 1).text = task
    path = tmp_path / "stt.docx"
    d.save(str(path))
    from pipeline.load import load
    loaded = load(path)
    rows = [[c.text for c in row] for row in loaded.tables[0].rows]
    assert [r[0] for r in rows] == ["STT", "1.", "2.", "3."], rows
    assert "1. | Tham mưu xây dựng kế hoạch" in loaded.text


def _gapped_pdf(path: Path) -> None:
    """Lines whose numbers and syllables are drawn in pieces with layout gaps
    and no space character between (as justified or kerned text layers are)."""
    fpdf = pytest.importorskip("fpdf")
    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not font.is_file():
        pytest.skip("fonts-dejavu-core absent")
    pdf = fpdf.FPDF(unit="pt", format="A4")
    pdf.add_page()
    pdf.add_font("DejaVu", "", str(font))
    pdf.set_font("DejaVu", size=13)
    y = 100.0
    for gap in (2.5, 4.5, 7.5):     # 0.2 to 0.6 of the font size
        x = 72.0
        for piece in ("GDP tăng 8,", "4%, thu đạt 2", "15 nghìn tỷ; ch", "ỉ tiêu nghèo 1,", "5%."):
            pdf.text(x, y, piece)
            x += pdf.get_string_width(piece) + gap
        y += 24
    pdf.text(72, y, "Các xã có nhà văn hóa:            12 xã")   # a real wide space stays a space
    pdf.output(str(path))


def test_layout_gaps_never_break_a_number_or_a_syllable(tmp_path):
    import shutil
    import subprocess
    from pipeline.load import load
    path = tmp_path / "gaps.pdf"
    _gapped_pdf(path)
    text = load(path).text
    want = "GDP tăng 8,4%, thu đạt 215 nghìn tỷ; chỉ tiêu nghèo 1,5%."
    assert text.splitlines()[:3] == [want] * 3, text
    assert "12 xã" in text
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils absent (scripts/install-system-deps.sh installs it for the tests)")
    poppler = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                             text=True, check=True).stdout
    # the same characters as poppler reads, in the same order: nothing lost or added ...
    assert "".join(text.split()) == "".join(poppler.split())
    # ... where poppler keeps the layout gaps as spaces
    assert "8, 4%" in poppler and "8,4%" in text
