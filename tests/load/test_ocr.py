"""Scanned PDFs: OCR with tesseract -l vie."""
from __future__ import annotations

import shutil

import pytest

from pipeline.load import LoadError, load, ocr, pdf

from .conftest import check_offsets, need_file, need_tool
from .fixtures import DEJAVU, build_scanned_pdf


@pytest.fixture(scope="module")
def scan_pdf(tmp_path_factory):
    need_file(DEJAVU, "fonts-dejavu-core")
    return build_scanned_pdf(tmp_path_factory.mktemp("scan") / "scan.pdf", dpi=200)


def test_scanned_pdf_is_ocrd(scan_pdf):
    """Both pages are OCR'd in Vietnamese, with their diacritics and page spans.

    How long OCR takes is the bench's to measure (``bench/formats_bench.py``:
    scanned pages per second per core), not this test's.
    """
    need_tool("tesseract", "tesseract-ocr tesseract-ocr-vie")
    doc = load(scan_pdf)
    assert doc.format == "pdf-ocr"
    assert doc.ocr_confidence is not None and doc.ocr_confidence > 70
    assert any(w.startswith("text from OCR (all pages), mean confidence") for w in doc.warnings)
    assert doc.pages is not None and len(doc.pages) == 2
    check_offsets(doc)
    for phrase in ["Mục tiêu cụ thể đến năm 2030", "Đối với hệ thống thư viện", "đạt 60% (năm 2025)",
                   "12 - 15% mỗi năm", "suốt đời"]:
        assert phrase in doc.text, phrase
    assert "Thư viện tỉnh đạt 60% năm 2025" in doc.text[slice(*doc.pages[1])]


def test_scan_resolution_is_used(scan_pdf):
    import pdfplumber

    with pdfplumber.open(scan_pdf) as p:
        assert pdf._scan_dpi(p.pages[0]) == 200


@pytest.mark.parametrize("where", ["open", "render"])
def test_unrenderable_scan_is_a_per_file_error(scan_pdf, monkeypatch, where):
    """pdfminer reads the file but pdfium cannot open it, or cannot render a page."""
    import pypdfium2

    need_tool("tesseract", "tesseract-ocr tesseract-ocr-vie")

    def broken(*args, **kwargs):  # noqa: ARG001 - stands in for either
        raise pypdfium2.PdfiumError("Failed to load document")

    if where == "open":
        monkeypatch.setattr(pypdfium2, "PdfDocument", broken)
    else:
        monkeypatch.setattr(pypdfium2.PdfPage, "render", broken)
    with pytest.raises(LoadError) as info:
        load(scan_pdf)
    assert info.value.code == "corrupt"
    assert "for OCR" in info.value.problem


def test_missing_tesseract(scan_pdf, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)  # noqa: ARG005 - shutil.which
    with pytest.raises(LoadError) as info:
        load(scan_pdf)
    assert info.value.code == "missing_tool"
    assert "tesseract-ocr" in str(info.value)


def test_missing_vietnamese_data(scan_pdf, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/tesseract")  # noqa: ARG005 - shutil.which
    monkeypatch.setattr(ocr, "_languages", lambda binary: frozenset({"eng", "osd"}))  # noqa: ARG005 - stands in for it
    with pytest.raises(LoadError) as info:
        load(scan_pdf)
    assert info.value.code == "missing_tool"
    assert "tesseract-ocr-vie" in str(info.value)


def test_tsv_parsing():
    tsv = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
           "5\t1\t1\t1\t1\t1\t10\t10\t50\t20\t90\tMục\n"
           "5\t1\t1\t1\t1\t2\t70\t10\t50\t20\t80\ttiêu\n"
           "5\t1\t1\t1\t2\t1\t10\t40\t50\t20\t70\t60%\n"
           "4\t1\t1\t1\t2\t0\t10\t40\t50\t20\t-1\t\n")
    page = ocr._parse_tsv(tsv, 200, 100)
    assert [ln.text for ln in page.lines] == ["Mục tiêu", "60%"]
    assert page.mean_confidence == 80
    assert page.lines[1].top == 0.4
