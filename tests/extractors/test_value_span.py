"""The value's own span on each target (quantulum3's ``text[span] == surface``):
over the whole corpus, every target the readers gave a ``value_span`` has it
as written in the loader's text, inside its sentence evidence (a table
target's: inside its cell's row), and its number reads as the target's value.
Implied targets (a named institution, value 100) have none."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core import extract_file
from pipeline.extractors.targets.mentions import _num, word_number
from pipeline.models import Target

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
FILES = sorted((ROOT / "corpus").glob("*.txt")) + sorted(
    p for d in ("corpus-extra", "corpus-extra2", "fullplans/files") if (SHARED / d).is_dir()
    for p in (SHARED / d).iterdir() if p.is_file())

def _readings(written: str, t: Target) -> set[float]:
    """The values the written span may stand for: the first number (a range's
    low end), or a ratio's percentage."""
    import regex

    nums = regex.findall(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?", written)
    out: set[float] = set()
    if "/" in written and len(nums) == 2:
        num, den = int(nums[0]), int(nums[1])
        out.add(round(100.0 * num / den, 2))
    if not nums:   # a count written as a word ("ít nhất một cơ sở")
        w = word_number(written)
        if w is not None:
            out.add(w)
    if nums:
        v = _num(nums[0])
        if v is not None:
            out.add(v)
        if t.value_max is not None and len(nums) >= 2:
            hi = _num(nums[-1])
            assert hi is not None and abs(hi - t.value_max) < 1e-9, (written, t.value_max)
    return out


@pytest.fixture(scope="module")
def records():
    if not FILES:
        pytest.skip("no corpus")
    return [extract_file(p) for p in FILES]


def test_every_value_span_is_the_value_as_written(records):
    spans = total = implied = 0
    for rec in records:
        assert rec.text is not None, rec.warnings
        text = rec.text
        for t in rec.targets:
            total += 1
            span = t.value_span
            if t.implied:
                implied += 1
                assert span is None, t
                continue
            if span is None:
                continue
            spans += 1
            where = (rec.doc_id, t.indicator, t.value, span)
            assert text[span.start:span.end] == span.text, where
            assert t.evidence.start <= span.start <= span.end <= t.evidence.end, where
            assert any(abs(v - t.value) < 1e-9 for v in _readings(span.text, t)), where
    print(f"\n{spans} of {total} targets carry a value_span ({implied} implied have none) "
          f"in {len(records)} files")
    # every target read from a number has its span (the readers set it at their match)
    assert spans == total - implied


def test_a_count_span_stops_before_its_unit_and_a_cell_span_before_nothing():
    from pipeline.core import extract_text
    from pipeline.load.document import Cell, Table

    text = ("Mục tiêu đến năm 2025: 100% cấp huyện có thư viện; thư viện cấp tỉnh thu hút "
            "150.000 đến 200.000 lượt bạn đọc/năm; tỷ lệ 12 - 15 % trường học có thư viện đạt chuẩn.")
    rec = extract_text(text, "t")
    written = {t.value_span.text for t in rec.targets if t.value_span is not None}
    assert {"150.000 đến 200.000", "12 - 15 %"} <= written, written
    assert all(text[t.value_span.start:t.value_span.end] == t.value_span.text
               for t in rec.targets if t.value_span is not None)

    row = "Tỷ lệ xã có thư viện (%)\tđạt 85%\n"
    head = "Chỉ tiêu\tNăm 2025\n"
    body = head + row
    a = len(head) + len("Tỷ lệ xã có thư viện (%)\t")
    cells = [[Cell("Chỉ tiêu", 0, 8, 0, 0), Cell("Năm 2025", 9, 17, 0, 1)],
             [Cell("Tỷ lệ xã có thư viện (%)", len(head), a - 1, 1, 0), Cell("đạt 85%", a, a + 7, 1, 1)]]
    rec = extract_text(body, "tab", tables=[Table(0, None, cells)])
    table = [t for t in rec.targets if t.cell is not None]
    assert table and all(t.value_span is not None and t.value_span.text == "85%" for t in table), table


def test_value_spans_go_to_the_tables_not_to_documents_jsonl(records, tmp_path):
    """targets.csv carries value_text/value_start/value_end; documents.jsonl
    (SCHEMA.md) does not, and reading it back takes them from targets.csv."""
    import csv
    import json

    from pipeline.outputs.records import read_documents_jsonl
    from pipeline.outputs.write import write_outputs

    some = [r for r in records if any(t.value_span for t in r.targets)][:3]
    write_outputs(some, tmp_path)
    assert "value_span" not in (tmp_path / "documents.jsonl").read_text(encoding="utf-8")
    with (tmp_path / "targets.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    spanned = [r for r in rows if r["value_start"]]
    assert spanned and all(r["value_text"] for r in spanned)
    by_id = {r.doc_id: r for r in some}
    for r in spanned:
        text = by_id[r["doc_id"]].text
        assert text[int(r["value_start"]):int(r["value_end"])] == r["value_text"]
    assert "value_start" in json.loads((tmp_path / "targets.json").read_text(encoding="utf-8"))[0]
    back = {r.doc_id: r for r in read_documents_jsonl(tmp_path / "documents.jsonl")}
    for doc_id, rec in by_id.items():
        assert [t.value_span for t in back[doc_id].targets] == [t.value_span for t in rec.targets]
