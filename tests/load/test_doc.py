"""Legacy Word 97-2003 .doc via antiword (fixture: data/plan.doc, see make_doc_fixture.py)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.load import LoadError, load

from .conftest import SAMPLE, check_offsets, need_tool
from .fixtures import HEADER_LEFT, HEADER_RIGHT
from .make_doc_fixture import TCVN3_LINE

PLAN_DOC = Path(__file__).parent / "data" / "plan.doc"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.fixture(scope="module")
def loaded():
    need_tool("antiword", "antiword")
    return load(PLAN_DOC)


def test_text_and_offsets(loaded):
    assert loaded.format == "doc"
    assert SAMPLE in loaded.text
    check_offsets(loaded)


def test_header_and_signature_blocks(loaded):
    lines = loaded.text.split("\n")
    assert lines[:6] == HEADER_LEFT + HEADER_RIGHT
    assert lines[-4:] == ["Nơi nhận:", "- Như trên;", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]


def test_table_rows(loaded):
    assert "\n1 | Thư viện tỉnh | 60% | 80%\n2 | Cấp huyện | 50% | 70%\n" in loaded.text
    assert [c.text for c in loaded.tables[1].rows[2]] == ["1", "Thư viện tỉnh", "60%", "80%"]


def test_tcvn3_paragraph_converted(loaded):
    assert TCVN3_LINE in loaded.text.split("\n")
    assert loaded.encoding == "tcvn3"
    assert "converted from TCVN3 (ABC) font encoding" in loaded.warnings


def test_doc_named_docx(tmp_path):
    need_tool("antiword", "antiword")
    p = tmp_path / "plan.docx"
    p.write_bytes(PLAN_DOC.read_bytes())
    doc = load(p)
    assert doc.format == "doc"
    assert doc.warnings[0] == "file named .docx is really Word 97-2003 .doc; loaded as such"


def test_missing_antiword(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)  # noqa: ARG005 - stands in for shutil.which
    with pytest.raises(LoadError) as info:
        load(PLAN_DOC)
    assert info.value.code == "missing_tool"
    assert "antiword" in str(info.value)


@pytest.mark.parametrize("payload,code", [
    ("EncryptedPackage", "encrypted"),      # a password-protected .docx is an OLE file
    ("Workbook", "unsupported"),             # an .xls renamed .doc
    ("WordDocument", "corrupt"),             # a damaged Word file
    ("truncated", "corrupt"),
])
def test_bad_ole_files(tmp_path, payload, code):
    if code == "corrupt":
        need_tool("antiword", "antiword")
    p = tmp_path / "bad.doc"
    if payload == "truncated":
        p.write_bytes(PLAN_DOC.read_bytes()[:20000])
    else:
        header = bytearray(OLE + b"\0" * 504)
        header[0x1E:0x20] = (9).to_bytes(2, "little")      # 512-byte sectors
        header[0x30:0x34] = (0).to_bytes(4, "little")      # directory in sector 0
        p.write_bytes(bytes(header) + payload.encode("utf-16-le") + b"\x17" * 3000)
    with pytest.raises(LoadError) as info:
        load(p)
    assert info.value.code == code
    assert "bad.doc" in str(info.value)


def test_merged_header_spans_its_columns(loaded):
    # antiword: "Kế hoạch" is one <entry> 215.95pt wide over the 108pt grid of the rows below
    head = [(c.text, c.col, c.colspan) for c in loaded.tables[1].rows[0]]
    assert head == [("TT", 0, 1), ("Chỉ tiêu", 1, 1), ("Kế hoạch", 2, 2)]
    assert [(c.text, c.col) for c in loaded.tables[1].rows[1]][2:] == [("Năm 2025", 2), ("Năm 2030", 3)]


def _docbook_table(groups: list[tuple[list[str], list[list[str]]]]):
    """Render an antiword-style <informaltable> of (colwidths, rows) tgroups."""
    from lxml import etree

    from pipeline.load.doc import _DocBook

    xml = "<informaltable>"
    for widths, rows in groups:
        xml += f"<tgroup cols='{len(widths)}'>" + "".join(f"<colspec colwidth='{w}'/>" for w in widths)
        xml += "<tbody>" + "".join("<row>" + "".join(f"<entry>{t}</entry>" for t in r) + "</row>"
                                   for r in rows) + "</tbody></tgroup>"
    xml += "</informaltable>"
    r = _DocBook(None)
    r.table(etree.fromstring(xml))
    return [[(c.text, c.col, c.colspan) for c in row] for row in r.out.tables[0].rows]


def test_colspan_from_colspec_widths():
    rows = _docbook_table([
        (["144.00pt", "288.00pt"], [["Năm", "Tỷ lệ đạt (%)"]]),
        (["144.00pt", "144.00pt", "143.95pt"], [["", "Cấp huyện", "Cấp xã"], ["2025", "50", "40"]]),
        # a merge in the middle, widths rounded differently
        (["144.05pt", "287.90pt"], [["2030", "70"]]),
        (["72pt", "72pt", "288pt"], [["a", "b", "c"]]),  # a finer split of the first column
    ])
    assert rows[0] == [("Năm", 0, 2), ("Tỷ lệ đạt (%)", 2, 2)]
    assert rows[1] == [("", 0, 2), ("Cấp huyện", 2, 1), ("Cấp xã", 3, 1)]
    assert rows[2] == [("2025", 0, 2), ("50", 2, 1), ("40", 3, 1)]
    assert rows[3] == [("2030", 0, 2), ("70", 2, 2)]
    assert rows[4] == [("a", 0, 1), ("b", 1, 1), ("c", 2, 2)]


def test_no_usable_widths_keeps_one_column_per_entry():
    rows = _docbook_table([([], [["Năm", "Tỷ lệ đạt (%)"]]), (["1in", "x"], [["2025", "50", "40"]])])
    assert rows == [[("Năm", 0, 1), ("Tỷ lệ đạt (%)", 1, 1)], [("2025", 0, 1), ("50", 1, 1), ("40", 2, 1)]]
