"""The fast character dicts (:mod:`pipeline.load.pdf_objects`) equal pdfplumber's own."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.load.pdf_objects import fast_objects

from .conftest import need_file
from .fixtures import DEJAVU, build_tcvn3_pdf, build_text_pdf


def _objects(path: Path, *, fast: bool, touch=None) -> list[dict]:
    import pdfplumber

    out = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            if fast:
                fast_objects(page)
            if touch is not None:
                touch(page.layout)
            out.append(page.objects)
    return out


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
