"""The HTML report (pipeline/outputs/report/).

Two kinds of tests:

* markup, checked with the standard library's HTML parser: escaping, well
  formed output whatever the evidence spans do (nested, equal, crossing,
  empty; also as a property test), a mark with the evidence text for every
  target and reference, every ``#…`` link resolving to an id, the baseline
  colouring, determinism and the atomic write;
* a real browser: Debian's ``chromium`` in headless mode, driven over the
  Chrome DevTools Protocol on a pipe (``--remote-debugging-pipe``: JSON
  messages ending in NUL on file descriptors 3 and 4), so neither a network
  port nor a Python package is needed.  It loads the report of the corpus plus
  a central decision, and checks: no console errors or exceptions, no request
  leaves ``file:``, the table and every chart are drawn with a non-zero size,
  and a real mouse click on a value moves ``location.hash`` to its mark, which
  is then in the viewport and flashing.

Without chromium the browser tests skip (``apt-get install chromium``), except
under ``CI``, where they fail.
"""
from __future__ import annotations

import dataclasses

import base64
import fcntl
import html
import json
import os
import re
import select
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import compare as compare_fn
from pipeline.core import extract_file, extract_text
from pipeline.models import DocumentRecord, Evidence, Reference, Target
from pipeline.outputs.annotate import highlight
from pipeline.outputs.labels import Labels
from pipeline.outputs.report import REPORT_FILE, render_report, write_report

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"

#: A short (synthetic) Prime Minister's decision, the national baseline.
CENTRAL_TEXT = """THỦ TƯỚNG CHÍNH PHỦ
-------
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
---------------
Số: 1520/QĐ-TTg
Hà Nội, ngày 09 tháng 12 năm 2022

QUYẾT ĐỊNH
Phê duyệt Chương trình “Đẩy mạnh các hoạt động phục vụ học tập suốt đời trong thư viện, bảo tàng, trung tâm văn hóa đến năm 2030”

THỦ TƯỚNG CHÍNH PHỦ

Căn cứ Luật Tổ chức Chính phủ ngày 19 tháng 6 năm 2015;
Căn cứ Luật Thư viện ngày 21 tháng 11 năm 2019;

QUYẾT ĐỊNH:

Điều 1. Phê duyệt Chương trình với những nội dung chủ yếu sau:

1. Mục tiêu cụ thể

a) Thư viện
- Phấn đấu thư viện cấp tỉnh đạt 70% (năm 2025) và đạt 90% (năm 2030); cấp huyện đạt 50% (năm 2025) và đạt 70% (năm 2030); cấp xã đạt 40% (năm 2025) và đạt 60% (năm 2030) có cung cấp dịch vụ phục vụ việc học tập suốt đời cho người sử dụng thư viện.
- Phấn đấu năm 2025, số lượt người sử dụng thư viện phục vụ nhu cầu học tập tăng bình quân 5% mỗi năm. Đến năm 2030, tăng bình quân 10% mỗi năm.

b) Bảo tàng
- Phấn đấu bảo tàng cấp tỉnh đạt 60% (năm 2025) và đạt 80% (năm 2030) xây dựng và triển khai Chương trình giáo dục lịch sử, văn hóa, khoa học, nghệ thuật cho mọi người dân.

c) Trung tâm văn hóa
- Phấn đấu Trung tâm Văn hóa cấp tỉnh đạt 60% (năm 2025) và đạt 80% (năm 2030); Trung tâm Văn hóa cấp huyện đạt 50% (năm 2025) và đạt 70% (năm 2030) tổ chức, hỗ trợ nhu cầu hoạt động sáng tạo và hưởng thụ văn hóa nghệ thuật.

Điều 2. Quyết định này có hiệu lực thi hành kể từ ngày ký.

KT. THỦ TƯỚNG
PHÓ THỦ TƯỚNG

Trần Hồng Hà
"""
CENTRAL_ID = "zz_qd_1520_ttg"


# --------------------------------------------------------------------------
# Fixtures: the corpus, and the corpus with a central decision
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus_records() -> list[DocumentRecord]:
    paths = sorted(CORPUS.glob("*.txt"))
    assert len(paths) == 5
    return [extract_file(p) for p in paths]


@pytest.fixture(scope="module")
def central_record() -> DocumentRecord:
    rec = extract_text(CENTRAL_TEXT, CENTRAL_ID, f"synthetic/{CENTRAL_ID}.txt")
    assert rec.admin_level == "central" and rec.number == "1520/QĐ-TTg"
    assert {(t.indicator, t.tier, t.year) for t in rec.targets} >= {
        ("lib.service", "district", 2025), ("lib.service", "commune", 2030)}
    return rec


@pytest.fixture(scope="module")
def batch(corpus_records, central_record) -> list[DocumentRecord]:
    return corpus_records + [central_record]


# --------------------------------------------------------------------------
# Reading the markup back
# --------------------------------------------------------------------------

VOID = {"meta", "br", "hr", "img", "input", "link", "wbr", "col", "area", "base", "source"}


class Page(HTMLParser):
    """What the tests need from a page or fragment: ids, links, the text of
    every mark (all pieces of a ``data-ev`` put together), table cells, and
    whether every element is closed in order."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.mark_text: dict[str, str] = {}
        self.mark_pieces: dict[str, int] = {}
        self.first_piece_has_id: dict[str, bool] = {}
        self.text_parts: list[str] = []
        self.stack: list[tuple[str, dict]] = []
        self.errors: list[str] = []
        self.cells: list[dict[str, Any]] = []     # comparison table cells with their classes and links
        self.elements: list[tuple[str, dict]] = []
        self.feed(markup)
        self.close()
        if self.stack:
            self.errors.append(f"unclosed: {[t for t, _ in self.stack]}")

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        self.elements.append((tag, a))
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
            for t, attrs_ in reversed(self.stack):
                if t == "td":
                    attrs_.setdefault("_links", []).append(a["href"])
                    break
        if tag == "mark":
            ev = a.get("data-ev")
            if ev is None:
                self.errors.append("mark without data-ev")
            else:
                if ev not in self.mark_pieces:
                    self.first_piece_has_id[ev] = a.get("id") == ev
                elif "id" in a:
                    self.errors.append(f"second piece of {ev} has an id")
                self.mark_pieces[ev] = self.mark_pieces.get(ev, 0) + 1
                self.mark_text.setdefault(ev, "")
        if tag not in VOID:
            self.stack.append((tag, a))

    def handle_startendtag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        self.elements.append((tag, a))
        if "id" in a:
            self.ids.append(a["id"])

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1][0] if self.stack else 'nothing'}")
            return
        _, a = self.stack.pop()
        if tag == "td" and "class" in a and "v" in a["class"].split():
            self.cells.append(a)

    def handle_data(self, data):
        self.text_parts.append(data)
        for tag, a in self.stack:
            if tag == "mark":
                self.mark_text[a["data-ev"]] += data

    @property
    def text(self) -> str:
        return "".join(self.text_parts)


def _nul(s: str) -> str:
    return s.replace("\0", "\ufffd")


# --------------------------------------------------------------------------
# highlight(): escaping and overlapping spans
# --------------------------------------------------------------------------

def test_highlight_escapes_text_and_keeps_it_exact():
    text = 'a <b>&amp; "q" \'s\' </mark><script>alert(1)</script>\r\nĐắk Nông\0 end'
    start = text.index("<script>")
    out = highlight(text, [(start, start + 25, "ev-x-1")], {"ev-x-1": ['<title> & "tip"']})
    assert "<script>" not in out and "<b>" not in out and "</mark><script" not in out
    assert "&#13;" in out  # a carriage return survives HTML parsing
    page = Page(out)
    assert not page.errors
    assert page.text == _nul(text)
    assert page.mark_text == {"ev-x-1": text[start:start + 25]}
    assert page.ids == ["ev-x-1"]
    title = [a["title"] for t, a in page.elements if t == "mark"][0]
    assert title == '<title> & "tip"'


@pytest.mark.parametrize("spans", [
    [(0, 10, "a"), (2, 5, "b")],                              # nested
    [(0, 10, "a"), (0, 10, "b")],                             # equal: one mark, first id
    [(0, 6, "a"), (3, 10, "b")],                              # crossing
    [(0, 6, "a"), (3, 10, "b"), (5, 12, "c"), (1, 11, "d")],  # several crossings
    [(0, 4, "a"), (4, 8, "b")],                               # adjacent
    [(3, 3, "a"), (0, 6, "b"), (6, 6, "c")],                  # empty spans
    [(0, 14, "a")],                                           # the whole text
])
def test_highlight_overlapping_spans_stay_well_formed(spans):
    text = "Đến năm 2025: x"
    out = highlight(text, spans)
    page = Page(out)
    assert not page.errors, page.errors
    assert page.text == text
    kept = {}
    for s, e, m in spans:
        kept.setdefault((s, e), m)
    assert sorted(page.mark_text) == sorted(kept.values())
    for (s, e), m in kept.items():
        assert page.mark_text[m] == text[s:e]
        assert page.first_piece_has_id[m]
    assert len(page.ids) == len(set(page.ids)) == len(kept)


def test_highlight_splits_only_crossing_spans():
    out = highlight("0123456789", [(0, 6, "a"), (3, 10, "b"), (1, 2, "c")])
    page = Page(out)
    assert page.mark_pieces == {"a": 1, "b": 2, "c": 1}


def test_highlight_rejects_spans_outside_the_text():
    with pytest.raises(ValueError):
        highlight("abc", [(1, 4, "a")])


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_highlight_property(data):
    text = data.draw(st.text(alphabet='ab <>&"\'\r\n\0Đắ', max_size=40))
    n = len(text)
    pairs = data.draw(st.lists(st.tuples(st.integers(0, n), st.integers(0, n)), max_size=8))
    spans, seen = [], set()
    for i, (x, y) in enumerate(pairs):
        s, e = min(x, y), max(x, y)
        if (s, e) not in seen:
            seen.add((s, e))
            spans.append((s, e, f"ev-d-{i}"))
    page = Page(highlight(text, spans))
    assert not page.errors
    assert page.text == _nul(text)
    for s, e, m in spans:
        assert page.mark_text[m] == _nul(text[s:e])
        assert page.first_piece_has_id[m]
    assert len(page.ids) == len(set(page.ids)) == len(spans)


# --------------------------------------------------------------------------
# The whole page
# --------------------------------------------------------------------------

def _doc_key(doc_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", doc_id).strip("_")


def _check_page(html_text: str, records: list[DocumentRecord]) -> Page:
    page = Page(html_text)
    assert not page.errors, page.errors[:5]
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"
    ids = set(page.ids)
    for href in page.hrefs:
        assert href.startswith("#"), f"link leaves the page: {href}"
        assert href[1:] in ids, f"dangling link {href}"
    # Every target and reference: its document's list links it to a mark
    # holding exactly its evidence text (a carriage return is kept as &#13;).
    for rec in records:
        key = _doc_key(rec.doc_id)
        start = html_text.index(f'<article class="doc" id="doc-{key}">')
        article = html_text[start:html_text.index("</article>", start)]
        links = re.findall(r'<a class="val" href="#([^"]+)">', article)
        assert len(links) == len(rec.targets)
        for t, mark in zip(rec.targets, links, strict=True):
            assert mark.startswith(f"ev-{key}-") and page.mark_text[mark] == t.evidence.text
        links = re.findall(r'<a class="ref" href="#([^"]+)">', article)
        assert len(links) == len(rec.references)
        for r, mark in zip(rec.references, links, strict=True):
            assert mark.startswith(f"ev-{key}-") and page.mark_text[mark] == r.evidence.text
        # one mark per distinct evidence span, no more
        doc_marks = [m for m in page.mark_text if m.startswith(f"ev-{key}-")]
        evidence = [t.evidence for t in rec.targets] + [r.evidence for r in rec.references]
        assert len(doc_marks) <= len({(e.start, e.end) for e in evidence})
    return page


def test_corpus_report_markup(corpus_records, tmp_path):
    path = write_report(corpus_records, tmp_path)
    assert path == tmp_path / REPORT_FILE
    raw = path.read_bytes()
    assert raw.startswith(b"<!DOCTYPE html>") and b'<meta charset="utf-8">' in raw[:200]
    page = _check_page(raw.decode("utf-8"), corpus_records)
    text = page.text
    for name in ("Đắk Nông", "Hải Phòng", "Ngô Quyền", "Hồ Chí Minh", "Nhà Bè", "149/KH-THLQĐ"):
        assert name in text
    # one section per document, with its full text
    for rec in corpus_records:
        assert f"doc-{_doc_key(rec.doc_id)}" in page.ids
        assert rec.text in text
    # nothing external: no src/href to another resource, no http(s) at all in markup
    assert not re.search(rb"""(?:src|href)\s*=\s*["'](?!#)""", raw)
    assert b"http://" not in raw.replace(b'xmlns="http://www.w3.org/2000/svg"', b"")
    assert b"https://" not in raw


PLACES = ("Đắk Nông", "Hải Phòng", "Ngô Quyền", "Hồ Chí Minh", "Nhà Bè")


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("with_central", [False, True])
def test_comparison_table_is_comparison_csv(with_central, lang, corpus_records, batch):
    """The report's table holds the cells of comparison.csv (pipeline.outputs.compare),
    same columns, same rows in the same order, each value a link to its
    evidence; codes are shown by their names, numbers as the language writes them."""
    L = Labels(lang)
    records = batch if with_central else corpus_records
    markup = render_report(records, lang=lang)
    table = compare_fn(records)
    doc_cols = [c for c in table.columns if c not in ("sector", "indicator", "tier", "year", "group")]
    heads = _table_heads(markup)
    assert heads == [L.column_label(c) for c in doc_cols]
    joined = " | ".join(heads)
    assert all(name in joined for name in PLACES), joined      # the three places side by side
    rows = _table_rows(markup)
    assert len(rows) == len(table)
    for row, expected in zip(rows, table.to_dict("records"), strict=True):
        group = "" if pd.isna(expected["group"]) else f' ({expected["group"]})'   # beside its tier
        assert row[:4] == [L.sector(expected["sector"]), L.indicator(expected["indicator"]),
                           L.tier(expected["tier"]) + group, L.year(expected["year"])]
        for col, cell in zip(doc_cols, row[4:], strict=True):
            want = "; ".join(L.value(*_parse(v)) for v in str(expected[col]).split("; ") if v)
            assert cell == want, (row[:4], col)
    page = Page(markup)
    n_values = sum(len([v for v in str(x).split("; ") if v]) for c in doc_cols for x in table[c])
    assert sum(len(c.get("_links", [])) for c in page.cells) == n_values


def _grouped(doc_id: str, number: str, values: dict[str | None, float], **place: Any) -> DocumentRecord:
    """A criteria table's cells for communes' cultural houses in 2030, one per group (``None``: no group)."""
    sentences, made, pos = [], [], 0
    for group, value in values.items():
        sentence = f"{group or 'Chung'}: {value:g}% xã có nhà văn hóa."
        made.append(Target("culture", "culture.facilities", "xã", "commune", 2030, None, value, None, "percent",
                           False, "at_least", Evidence(sentence, pos, pos + len(sentence)), group=group))
        sentences.append(sentence)
        pos += len(sentence) + 1
    rec = DocumentRecord(doc_id, f"{doc_id}.txt", "0" * 64, doc_type="decision", number=number,
                         targets=made, **place)
    rec.text, rec.format = "\n".join(sentences), "text"
    return rec


def test_a_criteria_group_is_a_row_of_the_report_with_its_tier():
    national = _grouped("n_table", "9/QĐ-TTg", {"Nhóm 1": 70.0, None: 50.0}, admin_level="central")
    local = _grouped("ls", "7/QĐ-UBND", {"Nhóm 1": 80.0, "Nhóm 2": 60.0, None: 50.0},
                     admin_level="province", province="Lạng Sơn")
    markup = render_report([national, local], lang="vi")
    _check_page(markup, [national, local])
    rows = _table_rows(markup)
    assert [(r[2], r[4], r[5]) for r in rows] == [
        ("Cấp xã", "50", "50"), ("Cấp xã (Nhóm 1)", "70", "80"), ("Cấp xã (Nhóm 2)", "", "60")]
    cells = _table_cells(markup)
    assert '<span class="diff">+10</span>' in cells[1][5]       # against the same group of the baseline
    assert 'd-nb' in cells[2][5] and 'd-eq' in cells[0][5]       # Nhóm 2: the baseline sets nothing
    assert 'title="Đơn vị có trung tâm văn hóa, nhà văn hóa · Cấp xã (Nhóm 2) · 2030: 60%"' in cells[2][5]
    # the chart: a bar per group, its tooltip and the label under it name the group
    chart = markup[markup.index('<section id="charts">'):markup.index('<section id="documents">')]
    assert "<title>Lạng Sơn · 7/QĐ-UBND — Cấp xã (Nhóm 1) 2030: 80%</title>" in chart
    labels = [re.sub(r"<[^>]+>", " ", m).split() for m in re.findall(r'<text class="tier"[^>]*>(.*?)</text>', chart)]
    assert [" ".join(words) for words in labels] == ["Cấp xã", "Cấp xã (Nhóm 1)", "Cấp xã (Nhóm 2)"]


def _parse(text: str) -> tuple[float, float | None, str | None]:
    """(value, value_max, direction) of a comparison.csv cell's text (``≤12–15``)."""
    direction = "at_most" if text.startswith("≤") else None
    low, _, high = text.lstrip("≤").partition("–")
    return float(low), (float(high) if high else None), direction


def _table_section(markup: str) -> str:
    return markup[markup.index('<table class="comparison">'):markup.index("</table>", markup.index(
        '<table class="comparison">'))]


def _table_heads(markup: str) -> list[str]:
    section = _table_section(markup)
    heads = re.findall(r'<th class="doc[^"]*"[^>]*>.*?<a href="[^"]*">(.*?)</a>', section)
    return [html.unescape(h) for h in heads]


def _table_cells(markup: str) -> list[list[str]]:
    """The comparison table's body: each row's ``<td …>…</td>`` as markup."""
    section = _table_section(markup)
    body = section[section.index("<tbody>"):]
    return [re.findall(r"<td[^>]*>.*?</td>", tr, flags=re.S) for tr in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)]


def _table_rows(markup: str) -> list[list[str]]:
    """The comparison table's body as text, without the difference notes."""
    return [[html.unescape(re.sub(r"<[^>]+>", "", re.sub(r'<span class="diff">.*?</span>', "", td)))
             for td in row] for row in _table_cells(markup)]


def test_baseline_is_the_central_document_and_cells_show_differences(batch, central_record):
    markup = render_report(batch, lang="en")
    page = _check_page(markup, batch)
    heads = _table_heads(markup)
    assert heads[0] == "1520/QĐ-TTg"                        # baseline column first
    assert "Baseline (the national document of the batch)" in markup
    classes = [c["class"].split() for c in page.cells]
    assert sum("base" in c for c in classes) == len(central_record.targets)
    diff_classes = {x for c in classes for x in c if x.startswith("d-")}
    assert {"d-up1", "d-eq", "d-nb"} <= diff_classes, diff_classes
    assert any(x.startswith("d-down") for x in diff_classes)
    # Hải Phòng's district libraries: 100 against the decision's 50 -> much higher, "+50"
    rows = _table_rows(markup)
    i = next(i for i, r in enumerate(rows) if r[:4] == ["Library", "Libraries providing lifelong-learning services",
                                                        "District", "2025"])
    assert rows[i][4] == "50"
    hp = next(i for i, h in enumerate(heads) if h.startswith("Hải Phòng"))
    assert rows[i][4 + hp] == "100"
    td = _table_cells(markup)[i][4 + hp]
    assert 'class="v d-up3"' in td and '<span class="diff">+50</span>' in td


def test_baseline_choice(batch, corpus_records):
    uncited = [r for r in corpus_records if not any(ref.number == "1520/QĐ-TTg" for ref in r.references)]
    assert uncited and any(r.targets for r in uncited)
    no_central = render_report(uncited, lang="en")
    assert "No baseline" in no_central and 'class="v d-' not in no_central
    # the plans that cite 1520/QĐ-TTg are compared with the built-in programme
    cited = render_report(corpus_records, lang="en")
    _check_page(cited, corpus_records)
    assert _table_heads(cited)[0] == "1520/QĐ-TTg (built in)"
    assert "compared with the national programme it cites" in cited and 'class="v d-' in cited
    assert '<article class="doc" id="doc-builtin-1520-QD-TTg-2022">' in cited
    chosen = render_report(batch, baseline_doc_id="002_8a02b571fa603f08", lang="en")
    assert _table_heads(chosen)[0].startswith("Hải Phòng · Ngô Quyền")
    assert "Baseline (as requested)" in chosen
    with pytest.raises(ValueError, match="nope"):
        render_report(batch, baseline_doc_id="nope")


def test_a_target_without_a_year_is_compared_with_the_baselines():
    """A comparison row without a year (an empty Int64 in the tables) finds its
    differences as a row with a year does."""
    def record(doc_id, value, **facts):
        text = f"Đạt {value:g}% thư viện cấp huyện có dịch vụ."
        ev = Evidence(text, 0, len(text))
        rec = DocumentRecord(doc_id, f"{doc_id}.txt", "0", targets=[
            Target("library", "lib.service", None, "district", None, None, value, None, "percent", False,
                   "at_least", ev)], **facts)
        rec.text = text
        return rec
    page = render_report([record("c", 50.0, admin_level="central", number="1/QĐ-TTg"),
                          record("p", 60.0, admin_level="province", province="Đắk Nông", number="2/KH-UBND")],
                         lang="en")
    cells = _table_cells(page)
    assert len(cells) == 1 and cells[0][3] == '<td class="num"></td>'
    assert 'class="v d-up' in cells[0][5] and '<span class="diff">+10</span>' in cells[0][5]


@pytest.mark.parametrize("baseline", ["auto", "002_8a02b571fa603f08", None])
def test_write_outputs_builds_the_comparison_once_and_the_report_shows_it(baseline, corpus_records, tmp_path,
                                                                         monkeypatch):
    """write_outputs hands the comparison of comparison.csv to the report instead of
    the report building it again; the page is the one render_report builds alone
    (whose baseline is ``auto`` also for ``baseline=None``: that one builds its own)."""
    import pipeline.outputs.report.model as model
    import pipeline.outputs.write as write

    calls: list[object] = []
    real = write.build_comparison

    def counting(*args, **kwargs):
        calls.append(args[1:])
        return real(*args, **kwargs)
    monkeypatch.setattr(write, "build_comparison", counting)
    monkeypatch.setattr(model, "build_comparison", counting)
    write.write_outputs(corpus_records, tmp_path, baseline=baseline)
    assert len(calls) == (1 if baseline is not None else 2)
    monkeypatch.undo()
    alone = render_report(corpus_records, baseline_doc_id=baseline if baseline != "auto" else None)
    assert (tmp_path / REPORT_FILE).read_text("utf-8") == alone

def test_charts_one_per_indicator(batch):
    markup = render_report(batch)
    indicators = {(t.sector, t.indicator) for r in batch for t in r.targets}
    figures = re.findall(r'<figure class="chart" id="([^"]+)">', markup)
    assert len(figures) == len(indicators)
    svgs = re.findall(r"<svg class=\"chart\".*?</svg>", markup, flags=re.S)
    assert len(svgs) == len(indicators)
    for svg in svgs:
        assert '<rect class="bar"' in svg
        assert not Page(svg).errors
    # every bar links to an evidence mark
    ids = set(Page(markup).ids)
    for href in re.findall(r'<a href="#([^"]+)" class="bar-link">', markup):
        assert href in ids and href.startswith("ev-")


def test_failures_and_dict_records(corpus_records, tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    failed = extract_file(bad)
    assert failed.error is not None
    # documents.jsonl dicts (no text, no extra): texts come from the texts= argument;
    # a failure shows as an 'error:' warning only
    dicts = [r.to_json() for r in corpus_records] + [failed.to_json()]
    texts = {r.doc_id: r.text for r in corpus_records}
    from_dicts = render_report(dicts, texts=texts, lang="en")
    page = _check_page(from_dicts, corpus_records)
    assert 'data-stat="failed"><b>1</b>' in from_dicts
    assert "<h2>Failures</h2>" in from_dicts and "broken" in page.text
    # the same page as from the records, apart from what documents.jsonl does not
    # keep: the file format, the error's code (a dict has only its warning) and
    # each value's own span (a dict's values are marked where find_value finds them)
    unspanned = [dataclasses.replace(r, targets=[dataclasses.replace(t, value_span=None) for t in r.targets])
                 for r in corpus_records]
    from_records = render_report(unspanned + [failed], lang="en")
    def strip(s: str) -> str:
        s = re.sub(r'<dt data-fact="format">[^<]*</dt><dd>[^<]*</dd>', "", s)
        return s.replace(f"<b>{failed.error.code}</b>", "<b>error</b>").replace(
            f">{failed.error.code}</", ">error</")
    assert strip(from_dicts) == strip(from_records)


def test_evidence_without_text_still_has_marks(corpus_records):
    rec = corpus_records[1]
    dicts = [rec.to_json()]                       # no text anywhere
    markup = render_report(dicts, lang="en")
    _check_page(markup, [rec])
    assert "The document text is not available" in markup
    key = _doc_key(rec.doc_id)
    start = markup.index(f'<article class="doc" id="doc-{key}">')
    assert '<pre class="text"' not in markup[start:markup.index("</article>", start)]
    # a wrong text: evidence that does not fit is listed, never dangling
    markup = render_report(dicts, texts={rec.doc_id: "khác hẳn"})
    _check_page(markup, [rec])
    assert "Đoạn dẫn chứng không tìm thấy ở đúng vị trí trong văn bản" in markup


def test_tricky_record_markup():
    text = 'Đến năm 2025: <60%> thư viện & "xã"; 12 - 15% bảo tàng.\r\nTheo Quyết định 1/QĐ-TTg'
    def ev(s: str) -> Evidence:
        i = text.index(s)
        return Evidence(s, i, i + len(s))
    sentence = ev('Đến năm 2025: <60%> thư viện & "xã"; 12 - 15% bảo tàng.')
    targets = [
        Target("library", "lib.service", "thư viện", "commune", 2025, None, 60.0, None, "percent", False,
               "at_least", sentence),
        Target("museum", "museum.education", "bảo tàng", "province", 2025, None, 12.0, 15.0, "percent", False,
               "at_most", ev("12 - 15% bảo tàng.\r\nTheo")),               # crosses the reference
        Target("other", "other", "<b>", "all", 2025, None, 1.0, None, "count", False, "at_least", ev("<60%>")),
    ]
    refs = [Reference("decision", "1/QĐ-TTg", None, None, ev("bảo tàng.\r\nTheo Quyết định 1/QĐ-TTg"))]
    rec = DocumentRecord("x <&> y", "x.txt", "0", province='<Tỉnh "A">', number="1/KH", admin_level="province",
                         targets=targets, references=refs, warnings=["<warn> & more"])
    rec.text = text
    markup = render_report([rec])
    page = _check_page(markup, [rec])
    assert "<warn>" not in markup and "&lt;warn&gt; &amp; more" in markup
    assert '<Tỉnh "A">' not in markup and "&lt;Tỉnh &quot;A&quot;&gt; · 1/KH" in markup
    assert "ev-x_y-1" in page.ids and "doc-x_y" in page.ids
    assert page.text.count("\r") >= 1                         # &#13; keeps the carriage return
    assert "≤12–15" in page.text


def test_write_report_is_deterministic_and_atomic(batch, tmp_path, monkeypatch):
    out = tmp_path / "deep" / "out"
    first = write_report(batch, out).read_bytes()
    assert write_report(list(reversed(batch)), out).read_bytes() == first
    assert sorted(p.name for p in out.iterdir()) == [REPORT_FILE]   # no temporary file left
    # an interrupted write leaves the previous report as it was
    import pipeline.outputs.atomic as export

    def boom(*a, **k):  # noqa: ARG001 - stands in for any call
        raise KeyboardInterrupt
    monkeypatch.setattr(export.os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        write_report(batch[:1], out)
    assert (out / REPORT_FILE).read_bytes() == first
    assert sorted(p.name for p in out.iterdir()) == [REPORT_FILE]


def test_empty_batch(tmp_path):
    page = Page(write_report([], tmp_path).read_text("utf-8"))
    assert not page.errors
    assert "Không văn bản nào trong lô có chỉ tiêu." in page.text
    assert "No document in the batch has targets." in Page(render_report([], lang="en")).text


# --------------------------------------------------------------------------
# Headless chromium over the DevTools protocol (pipe transport)
# --------------------------------------------------------------------------

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--window-size=1280,900", "--remote-debugging-pipe",
]


def need_chromium() -> str:
    exe = shutil.which("chromium")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("chromium missing in CI: run scripts/install-system-deps.sh (Debian package chromium)")
        pytest.skip("chromium not installed (Debian package chromium; see scripts/install-system-deps.sh)")
    return exe


def test_missing_chromium_skips_only_outside_ci(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)  # noqa: ARG005 - shutil.which
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Debian package chromium"):
        need_chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="Debian package chromium"):
        need_chromium()


class Chrome:
    """A headless chromium and one page, driven with DevTools protocol
    commands over ``--remote-debugging-pipe`` (we write to its fd 3 and read
    its fd 4; each message is JSON followed by a NUL byte)."""

    def __init__(self, exe: str, profile: Path, log: Path):
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def child_fds() -> None:  # runs in the child before exec: the pipe ends become fds 3 and 4
            r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(r, 3)
            os.dup2(w, 4)

        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
            preexec_fn=child_fds, close_fds=False)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._next_id = 0
        self.events: list[dict] = []
        self.session: str | None = None

    # --- transport ---------------------------------------------------------
    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from chromium")
            ready, _, _ = select.select([self._from_chrome], [], [], left)
            if ready:
                chunk = os.read(self._from_chrome, 1 << 16)
                if not chunk:
                    raise EOFError(f"chromium exited (status {self.proc.poll()})")
                self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: dict | None = None, *, browser: bool = False,
             timeout: float = 20) -> dict:
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if not browser and self.session:
            msg["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_event(self, method: str, timeout: float = 20) -> dict:
        deadline = time.monotonic() + timeout
        seen = len(self.events)
        for ev in self.events[:seen]:
            if ev["method"] == method:
                return ev
        while True:
            msg = self._read_message(deadline)
            if "method" in msg:
                self.events.append(msg)
                if msg["method"] == method:
                    return msg

    # --- page --------------------------------------------------------------
    def open_page(self) -> None:
        targets = self.send("Target.getTargets", browser=True)["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.send("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True},
                                 browser=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")

    def navigate(self, url: str) -> None:
        self.events.clear()
        self.send("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired")

    def js(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise AssertionError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, x: float, y: float) -> None:
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left",
                                                  "buttons": 1 if kind == "mousePressed" else 0,
                                                  "clickCount": 1})

    def pump(self, seconds: float) -> None:
        """Collect events for a while (console messages arrive asynchronously)."""
        deadline = time.monotonic() + seconds
        try:
            while True:
                msg = self._read_message(deadline)
                if "method" in msg:
                    self.events.append(msg)
        except TimeoutError:
            pass

    def problems(self) -> list[str]:
        out = []
        for ev in self.events:
            m, p = ev["method"], ev.get("params", {})
            if m == "Runtime.exceptionThrown":
                out.append(f"exception: {p['exceptionDetails'].get('text')} "
                           f"{p['exceptionDetails'].get('exception', {}).get('description', '')}")
            elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
                out.append(f"console.{p['type']}: {[a.get('value') for a in p.get('args', [])]}")
            elif m == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
                out.append(f"log {p['entry']['level']}: {p['entry']['text']} {p['entry'].get('url', '')}")
        return out

    def requested_urls(self) -> list[str]:
        return [ev["params"]["request"]["url"] for ev in self.events
                if ev["method"] == "Network.requestWillBeSent"]

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", {"format": "png"})["data"]))

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                self.send("Browser.close", browser=True, timeout=5)
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001 - whatever the DevTools socket raises, the chromium we started is killed
            if self.proc.poll() is None:
                self.proc.kill()          # the chromium we started (the Debian wrapper execs it)
                self.proc.wait(timeout=10)
        finally:
            os.close(self._to_chrome)
            os.close(self._from_chrome)
            self._log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    exe = need_chromium()
    tmp = tmp_path_factory.mktemp("chromium")
    t0 = time.monotonic()
    chrome = Chrome(exe, tmp / "profile", tmp / "chromium.log")
    try:
        chrome.open_page()
    except Exception as exc:
        chrome.close()
        raise AssertionError(f"chromium did not start; its log: {(tmp / 'chromium.log').read_text()[-2000:]}") from exc
    chrome.started_in = time.monotonic() - t0
    yield chrome
    chrome.close()


@pytest.fixture(scope="module")
def loaded(browser, batch, tmp_path_factory):
    """The report of the corpus and the central decision, open in chromium."""
    out = tmp_path_factory.mktemp("report")
    path = write_report(batch, out)
    t0 = time.monotonic()
    browser.navigate(path.as_uri())
    browser.load_time = time.monotonic() - t0
    browser.pump(0.3)
    return browser, path


VISIBLE = """(function (el) {
  var r = el.getBoundingClientRect();
  return {w: r.width, h: r.height, top: r.top, bottom: r.bottom,
          inView: r.bottom > 0 && r.top < window.innerHeight && r.right > 0 && r.left < window.innerWidth};
})"""


def test_browser_page_loads_cleanly(loaded):
    chrome, path = loaded
    assert chrome.problems() == []
    urls = chrome.requested_urls()
    assert urls and all(u.startswith(("file:", "data:", "about:")) for u in urls), urls
    assert chrome.js("document.characterSet") == "UTF-8"
    body = chrome.js("document.body.innerText")
    for name in ("Đắk Nông", "Hải Phòng", "Ngô Quyền", "Hồ Chí Minh", "Nhà Bè", "Thủ tướng Chính phủ"):
        assert name in body


def test_browser_table_and_charts_render(loaded, batch):
    chrome, _ = loaded
    table = chrome.js(f"({VISIBLE})(document.querySelector('table.comparison'))")
    assert table["w"] > 300 and table["h"] > 300
    heads = chrome.js("Array.from(document.querySelectorAll('table.comparison th.doc a'))"
                      ".map(a => a.textContent)")
    assert heads[0] == "1520/QĐ-TTg"
    assert all(any(name in h for h in heads) for name in PLACES), heads
    # side by side: the three provinces' columns sit on one row, left to right
    lefts = chrome.js("Array.from(document.querySelectorAll('table.comparison th.doc'))"
                      ".map(th => [th.textContent, th.getBoundingClientRect().left, th.getBoundingClientRect().top])")
    tops = {round(t) for _, _, t in lefts}
    assert len(tops) == 1 and [x for _, x, _ in lefts] == sorted(x for _, x, _ in lefts)
    # cells coloured by their difference from the baseline
    colours = chrome.js("Array.from(document.querySelectorAll('td.d-up3, td.d-down1, td.base'))"
                        ".map(td => getComputedStyle(td).backgroundColor)")
    assert colours and all(c not in ("rgba(0, 0, 0, 0)", "transparent") for c in colours)
    charts = chrome.js("Array.from(document.querySelectorAll('svg.chart')).map(s => {"
                       " var r = s.getBoundingClientRect();"
                       " var bars = Array.from(s.querySelectorAll('rect.bar')).filter(b => {"
                       "   var q = b.getBBox(); return q.width > 0 && q.height > 0; });"
                       " return [r.width, r.height, bars.length]; })")
    indicators = {(t.sector, t.indicator) for r in batch for t in r.targets}
    assert len(charts) == len(indicators)
    assert all(w > 50 and h > 50 and n > 0 for w, h, n in charts), charts


def _click_and_follow(chrome: Chrome, selector: str) -> dict:
    info = chrome.js(f"""(function () {{
      var a = document.querySelector({json.dumps(selector)});
      a.scrollIntoView({{block: "center"}});
      var r = a.getBoundingClientRect();
      var x = r.left + r.width / 2, y = r.top + r.height / 2;
      var hit = document.elementFromPoint(x, y);
      return {{x: x, y: y, href: a.getAttribute("href"), hit: !!hit && (hit === a || a.contains(hit))}};
    }})()""")
    assert info["hit"], f"something covers {selector}"
    chrome.click(info["x"], info["y"])
    mark_id = info["href"][1:]
    wait = 5.0  # a timeout for the wait below, not a speed check
    deadline = time.monotonic() + wait
    # the hash changes at once; the page's hashchange handler (scroll, flash) runs just after
    while not chrome.js(f"location.hash === {json.dumps(info['href'])} && document.getElementById("
                        f"{json.dumps(mark_id)}).classList.contains('flash')"):
        assert time.monotonic() < deadline, (f"timed out ({wait:g} s) waiting for the click on {selector} to reach "
                                             f"{info['href']}: location.hash = {chrome.js('location.hash')!r}")
        time.sleep(0.05)
    state = chrome.js(f"""(function () {{
      var m = document.getElementById({json.dumps(mark_id)});
      return {{tag: m.tagName, cls: m.className, text: m.textContent,
              view: ({VISIBLE})(m)}};
    }})()""")
    state["href"] = info["href"]
    return state


def test_browser_click_on_value_reaches_its_evidence(loaded, batch, tmp_path):
    chrome, _ = loaded
    # a value of the last document column (Hồ Chí Minh, Nhà Bè): its text is far down the page
    heads = chrome.js("Array.from(document.querySelectorAll('table.comparison th.doc a')).map(a => a.textContent)")
    col = next(i for i, h in enumerate(heads) if "Nhà Bè" in h) + 5
    state = _click_and_follow(chrome, f"table.comparison tbody tr td:nth-child({col}) a.val")
    chrome.screenshot(tmp_path / "after-click.png")
    assert state["tag"] == "MARK" and "flash" in state["cls"].split()
    assert state["view"]["inView"] and state["view"]["h"] > 0
    nha_be = next(r for r in batch if r.district == "Nhà Bè")
    assert state["href"].startswith("#ev-003_d7b93acbe63a00f6-")
    assert state["text"] in {t.evidence.text for t in nha_be.targets}
    # scroll back up, then follow a bar of the first chart
    chrome.js("window.scrollTo(0, 0)")
    state = _click_and_follow(chrome, "svg.chart a.bar-link")
    assert state["tag"] == "MARK" and state["view"]["inView"]
    assert chrome.problems() == []


# --------------------------------------------------------------------------
# Vietnamese by default, English on request; values stand out in their sentence
# --------------------------------------------------------------------------

_CODE = re.compile(r"\b(?:lib|culture|museum)\.[a-z_]+")
_TIER_CODES = ("armed_forces", "specialized", "university", "village", "district", "commune", "province")


def _shown_text(markup: str) -> str:
    """What a reader sees outside the documents' own texts: the page's text and
    its tooltips, without the <pre> of each document and its evidence."""
    without_texts = re.sub(r'<pre class="text".*?</pre>', "", markup, flags=re.S)
    without_texts = re.sub(r'<ul class="loose">.*?</ul>', "", without_texts, flags=re.S)
    titles = " ".join(html.unescape(t) for t in re.findall(r'title="([^"]*)"', without_texts))
    page = Page(without_texts)
    return page.text + " " + titles


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_report_shows_names_not_codes(lang, batch, corpus_records):
    for records in (batch, corpus_records):
        shown = _shown_text(render_report(records, lang=lang))
        assert not _CODE.search(shown), _CODE.search(shown).group()
        for code in (_TIER_CODES if lang == "vi" else ("armed_forces",)):   # "district" is an English word
            assert not re.search(rf"(?<![\w-]){code}(?![\w-])", shown), code
        assert "no baseline document" not in shown or lang == "en"


def test_report_is_vietnamese_by_default(corpus_records):
    markup = render_report(corpus_records)
    assert markup.startswith("<!DOCTYPE html>\n<html lang=\"vi\">")
    page = Page(markup)
    for words in ("Báo cáo chitieu", "Tổng quan", "So sánh", "Biểu đồ", "Văn bản",
                  "Thư viện cung cấp dịch vụ học tập suốt đời", "Cấp huyện", "Cấp xã", "Trường học",
                  "1520/QĐ-TTg (có sẵn)", "Hải Phòng · Ngô Quyền (cấp huyện)"):
        assert words in page.text, words
    assert "thấp hơn mức quốc gia" in markup or "cao hơn mức quốc gia" in markup   # statuses, in tooltips
    # a plan without a number is labelled by its issuer (and date), never by its internal id
    assert "Đắk Nông · Ủy ban nhân dân tỉnh Đắk Nông" in page.text
    heads = _table_heads(markup)
    assert not any(re.search(r"\d{3}_[0-9a-f]{16}", h) for h in heads), heads
    # growth targets read as Vietnamese write them
    assert "%/năm" in markup and "%/yr" not in markup


def test_report_in_english(corpus_records):
    markup = render_report(corpus_records, lang="en")
    assert '<html lang="en">' in markup
    page = Page(markup)
    for words in ("chitieu report", "Overview", "Comparison", "Charts", "Documents",
                  "Libraries providing lifelong-learning services", "District", "1520/QĐ-TTg (built in)"):
        assert words in page.text, words
    assert "Báo cáo" not in page.text and "Cấp huyện" not in page.text
    with pytest.raises(ValueError, match="vi, en"):
        render_report(corpus_records, lang="fr")


def test_numbers_are_written_the_vietnamese_way():
    text = "Đến năm 2025: 12,5% thư viện cấp xã; phục vụ 300.000 lượt bạn đọc."
    i, j = text.index("12,5%"), text.index("300.000")
    targets = [
        Target("library", "lib.service", None, "commune", 2025, None, 12.5, None, "percent", False, "at_least",
               Evidence(text, 0, len(text))),
        Target("library", "other", "lượt bạn đọc", "all", 2025, None, 300000.0, None, "count", False, "at_least",
               Evidence(text, 0, len(text))),
    ]
    rec = DocumentRecord("n", "n.txt", "0", province="Cà Mau", number="5/KH-UBND", admin_level="province",
                         targets=targets)
    rec.text = text
    vi = render_report([rec])
    cells = [c for row in _table_rows(vi) for c in row[4:] if c]
    assert cells == ["12,5", "300.000"]
    assert ">12,5%</a>" in vi and ">300.000</a>" in vi          # the document's target list
    en = render_report([rec], lang="en")
    assert [c for row in _table_rows(en) for c in row[4:] if c] == ["12.5", "300000"]
    # each value stands out inside its highlighted sentence, as written
    values = re.findall(r'<b class="val">(.*?)</b>', vi)
    assert values == ["12,5%", "300.000"]
    assert text[i:i + 5] == "12,5%" and text[j:j + 7] == "300.000"
    page = _check_page(vi, [rec])
    assert page.text.count(text) >= 1


_NUMBERS = st.one_of(st.sampled_from([None, 1, 1.0, -0.0, 0, 12.5, 60.0, 300000, float("nan"), pd.NA]),
                    st.integers(0, 3), st.floats(allow_infinity=False))
_WORDS = st.one_of(st.none(), st.sampled_from(["percent", "count", "percent_per_year", "at_most", "at_least",
                                               "district", "library", "lib.service", "", "nope"]))
_CODES = st.one_of(_WORDS, st.sampled_from([float("nan"), 3]))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["vi", "en"]),
       st.lists(st.tuples(_NUMBERS, _NUMBERS, _WORDS, _WORDS, _CODES), min_size=1, max_size=12))
def test_labels_write_a_value_or_a_name_the_same_every_time(lang, calls):
    """Labels keeps the names and values it wrote: a later call, however the
    same value is spelled (1 or 1.0), is written as a Labels that never saw it writes it."""
    kept = Labels(lang)
    for value, value_max, direction, unit, code in calls:
        for args in [(value, value_max, direction, unit), (value, None, direction, unit), (value, value_max, None, unit),
                     (value, value_max, "at_most", unit), (value, value_max, direction, None),
                     (value, value_max, direction, "percent"), (value, value_max, direction, "count")]:
            assert kept.value(*args) == Labels(lang).value(*args)
        for field in ("unit", "tier", "sector", "direction"):
            assert kept.code(field, code) == Labels(lang).code(field, code)


def test_value_span_finds_the_written_number_or_gives_the_sentence():
    from pipeline.outputs.annotate import value_span

    def span(sentence: str, value: float, value_max: float | None = None, unit: str = "percent"):
        t = Target("library", "lib.service", None, "district", 2025, None, value, value_max, unit, False,
                   "at_least", Evidence(sentence, 0, len(sentence)))
        found = value_span(t, sentence)
        return None if found is None else sentence[found[0]:found[1]]

    assert span("năm 2025 đạt 25% thư viện", 25) == "25%"              # not the 25 of 2025
    assert span("Đạt từ 12 - 15 % thư viện huyện", 12, 15) == "12 - 15 %"
    assert span("tăng 1.250 lượt, đạt 99,7%", 99.7) == "99,7%"
    assert span("8/8 huyện có thư viện", 8, unit="count") == "8"
    assert span("một trăm phần trăm thư viện", 100) is None           # no number as written: the whole sentence


def test_chart_tier_labels_do_not_overlap(corpus_records):
    """Each tier label is wrapped into the width of its run of bars, and every
    group is wide enough for the longest word, so neighbours never touch."""
    from pipeline.outputs.report.charts import _LABEL_CHAR_W

    markup = render_report(corpus_records)
    svgs = re.findall(r'<svg class="chart".*?</svg>', markup, flags=re.S)
    assert svgs
    for svg in svgs:
        labels = re.findall(r'<text class="tier" data-tier="[^"]*" x="([\d.]+)"[^>]*>(.*?)</text>', svg)
        lines = [(float(x), re.findall(r"<tspan[^>]*>(.*?)</tspan>", body)) for x, body in labels]
        assert lines
        boxes = []
        for x, rows in lines:
            half = max(len(html.unescape(r)) for r in rows) * _LABEL_CHAR_W / 2
            boxes.append((x - half, x + half))
        for (a0, a1), (b0, b1) in zip(boxes, boxes[1:], strict=False):
            assert a1 <= b0, (a0, a1, b0, b1)
    # several tiers side by side: names, not codes
    assert "Thôn, tổ dân phố" in markup or ("Thôn," in markup and "tổ dân phố" in markup)


def test_each_target_of_a_sentence_gets_its_own_value_span():
    text = "Cấp tỉnh đạt 60% (năm 2025); thư viện chuyên ngành đạt 60% (năm 2025) và 80% (năm 2030)."
    ev = Evidence(text, 0, len(text))
    targets = [Target("library", "lib.service", None, tier, year, None, v, None, "percent", False, "at_least", ev)
               for tier, year, v in (("province", 2025, 60.0), ("specialized", 2025, 60.0),
                                     ("specialized", 2030, 80.0))]
    rec = DocumentRecord("s", "s.txt", "0", province="Sơn La", number="9/KH-UBND", admin_level="province",
                         targets=targets)
    rec.text = text
    markup = render_report([rec])
    assert re.findall(r'<b class="val">(.*?)</b>', markup) == ["60%", "60%", "80%"]
    _check_page(markup, [rec])


def test_cli_lang_flag(tmp_path):
    """``--lang en`` on ``chitieu extract`` and ``chitieu compare``; Vietnamese without it."""
    import openpyxl

    from pipeline import cli

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("KẾ HOẠCH\nĐến năm 2025: 80% thư viện cấp huyện có cung cấp dịch vụ "
                               "phục vụ học tập suốt đời.\n", encoding="utf-8")
    vi, en = tmp_path / "vi", tmp_path / "en"
    assert cli.main(["extract", str(src), "--out", str(vi), "-q"]) in (0, 1)
    assert cli.main(["extract", str(src), "--out", str(en), "-q", "--lang", "en"]) in (0, 1)
    assert '<html lang="vi">' in (vi / REPORT_FILE).read_text("utf-8")
    assert '<html lang="en">' in (en / REPORT_FILE).read_text("utf-8")
    assert openpyxl.load_workbook(vi / "comparison.xlsx").sheetnames[0] == "So sánh"
    assert openpyxl.load_workbook(en / "comparison.xlsx").sheetnames[0] == "comparison"
    assert (vi / "targets.csv").read_bytes() == (en / "targets.csv").read_bytes()      # codes stay codes
    again = tmp_path / "again"
    assert cli.main(["compare", str(vi), "--out", str(again), "--lang", "en"]) == 0
    assert openpyxl.load_workbook(again / "comparison.xlsx").sheetnames[0] == "comparison"
