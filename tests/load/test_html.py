"""Saved web pages: main text only, tables with spans, encodings, legacy fonts."""
from __future__ import annotations

import pytest

from pipeline.load import LoadError, load

from .conftest import SAMPLE, check_offsets
from .fixtures import HTML_BOILERPLATE, build_html


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    return load(build_html(tmp_path_factory.mktemp("html") / "page.html"))


def test_article_only(loaded):
    assert loaded.format == "html"
    assert SAMPLE in loaded.text
    assert loaded.text.startswith("Kế hoạch triển khai Chương trình học tập suốt đời")
    for junk in HTML_BOILERPLATE:
        assert junk not in loaded.text, junk
    check_offsets(loaded)


def test_table_spans_from_the_page(loaded):
    (t,) = loaded.tables
    assert [(c.text, c.rowspan, c.colspan) for c in t.rows[0]] == [
        ("TT", 2, 1), ("Chỉ tiêu", 2, 1), ("Kế hoạch", 1, 2)]
    assert "\nTT | Chỉ tiêu | Kế hoạch\nNăm 2025 | Năm 2030\n1 | Thư viện tỉnh | 60% | 80%\n" in loaded.text


def test_list_items_get_markers(loaded):
    assert "\n- Thư viện cấp xã đạt 30%.\n- Bảo tàng tỉnh đạt 100%.\n" in loaded.text


@pytest.mark.parametrize("charset", ["windows-1258", "utf-16"])
def test_declared_charsets(tmp_path, charset):
    doc = load(build_html(tmp_path / "p.html", charset=charset))
    assert SAMPLE in doc.text


def test_tcvn3_site(tmp_path):
    doc = load(build_html(tmp_path / "old.htm", charset="windows-1252", tcvn3=True))
    assert SAMPLE in doc.text
    assert doc.encoding == "tcvn3"
    assert "converted from TCVN3 (ABC) font encoding" in doc.warnings


def test_html_named_txt(tmp_path):
    p = build_html(tmp_path / "page.txt")
    doc = load(p)
    assert doc.format == "html"
    assert doc.warnings[0] == "file named .txt is really HTML; loaded as such"


def test_page_without_article(tmp_path):
    p = tmp_path / "empty.html"
    p.write_text("<html><head><title>x</title></head><body><nav><a href='/'>Trang chủ</a></nav></body></html>")
    with pytest.raises(LoadError) as info:
        load(p)
    assert info.value.code == "empty"
