"""The fast character dicts and page layout (:mod:`pipeline.load.pdf_objects`)
equal pdfplumber's own."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.load.pdf_objects import fast_layout, fast_objects

from .conftest import need_file
from .fixtures import DEJAVU, build_tcvn3_pdf, build_text_pdf


REAL = Path(os.environ.get("CHITIEU_SHARED", Path(__file__).resolve().parents[2].parent / "shared")) / "realfiles"


def _comparable(value):
    """An object dict without its image stream (a pdfminer object equal only to itself)."""
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items() if k != "stream"}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


def _objects(path: Path, *, fast: bool, touch=None, layout: bool = False, pages: int | None = None) -> list[dict]:
    import pdfplumber

    out = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages[:pages]:
            if fast:
                fast_objects(page)
            if layout:
                fast_layout(page)
            if touch is not None:
                touch(page.layout)
            out.append(_comparable(page.objects))
    return out


def _typeset(path: Path) -> Path:
    """Text set the ways a word processor's PDF sets it and fpdf2's default
    (a CID font, plain ``Tj``) does not: a simple font (Helvetica, one byte a
    character), justified lines (word spacing), letter spacing, horizontal
    scaling, superscripts (text rise), text rotated by 90° and by 30°."""
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="pt")
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    filler = "Phan dau 80% xa, phuong co thu vien dat chuan; 100% truong hoc co tu sach. " * 4
    pdf.multi_cell(475, 15, filler, align="J", new_x="LMARGIN", new_y="NEXT")
    pdf.set_char_spacing(1.5)
    pdf.cell(300, 15, "Chi tieu nam 2025: 12 - 15%", new_x="LMARGIN", new_y="NEXT")
    pdf.set_char_spacing(0)
    pdf.set_stretching(80)
    pdf.cell(300, 15, "Tang 20% so voi nam 2020", new_x="LMARGIN", new_y="NEXT")
    pdf.set_stretching(100)
    pdf.write(15, "Dien tich 25 m")
    pdf.char_vpos = "SUP"
    pdf.write(15, "2")
    pdf.char_vpos = "LINE"
    pdf.ln(20)
    with pdf.rotation(90, x=300, y=500):
        pdf.text(300, 500, "Ban hanh kem theo Quyet dinh so 12/QD-UBND")
    with pdf.rotation(30, x=200, y=650):
        pdf.text(200, 650, "Mau so 01")
    pdf.output(str(path))
    return path


def _moved_mediabox(src: Path, dst: Path) -> Path:
    """The same pages with a MediaBox whose origin is not (0, 0)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(src))
    for page in doc:
        left, bottom, right, top = page.get_mediabox()
        page.set_mediabox(left - 30, bottom - 20, right + 10, top + 5)
    doc.save(str(dst))
    return dst


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> list[Path]:
    need_file(DEJAVU, "fonts-dejavu-core")
    d = tmp_path_factory.mktemp("objects")
    plan = build_text_pdf(d / "plan.pdf", pages=2)
    return [plan, build_tcvn3_pdf(d / "vntime.pdf"), _moved_mediabox(plan, d / "moved.pdf")]


def test_same_objects_as_pdfplumber(pdfs):
    for path in pdfs:
        slow, fast = _objects(path, fast=False), _objects(path, fast=True)
        assert sum(len(p.get("char", [])) for p in fast) > 100, path
        assert fast == slow, path


def test_same_layout_as_pdfplumber(pdfs, tmp_path):
    """The characters of :func:`fast_layout` equal pdfminer's, attribute for
    attribute, on fpdf2's PDFs and on text set with a simple font, spacing,
    scaling, rise and rotation."""
    for path in [*pdfs, _typeset(tmp_path / "typeset.pdf")]:
        slow, fast = _objects(path, fast=True), _objects(path, fast=True, layout=True)
        chars = [c for p in fast for c in p.get("char", [])]
        assert len(chars) > 100, path
        assert fast == slow, path
    assert any(not c["upright"] for c in chars), "the rotated lines are read"
    assert len({round(c["matrix"][0], 3) for c in chars}) > 2, "scaled and rotated text"


@pytest.mark.parametrize("name", ["word_cp_nd45_2026.pdf", "word_qngai_tb11_2025.pdf",
                                  "tcvn3_mpi_kehoach2005.pdf", "scan_qngai_tb46_2025.pdf"])
def test_same_layout_on_real_files(name):
    """Word's PDFs (TrueType fonts, kerning in ``TJ``, marked content on every
    character), an old legacy-font export and a scan: their first pages."""
    path = REAL / name
    if not path.exists():
        pytest.skip(f"{path} is not here (../shared/realfiles, or set CHITIEU_SHARED)")
    assert _objects(path, fast=True, layout=True, pages=6) == _objects(path, fast=True, pages=6)


def test_unusual_characters_take_the_general_path(pdfs):
    """A character with attributes other than the usual ones (here: an extra
    attribute, a marked-content id) is resolved like pdfplumber does."""
    from pdfminer.layout import LTChar

    def touch(layout) -> None:
        for i, obj in enumerate(layout):
            if isinstance(obj, LTChar) and i % 3 == 0:
                obj.extra = i
                obj.mcid = [i, (i, 1.5)]

    slow, fast = _objects(pdfs[0], fast=False, touch=touch), _objects(pdfs[0], fast=True, touch=touch)
    assert any(c["mcid"] is not None for p in fast for c in p["char"])
    assert fast == slow
