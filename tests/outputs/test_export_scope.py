"""A target with no due year (``year`` null) and the scope fields
(``year_source``, ``tier_source``, ``group``) through every output: documents.jsonl,
targets.csv/XLSX/Parquet/JSON, the comparison and its differences, report.html,
the store and ``chitieu compare``.

Records are built here by hand (no extractor), so these tests hold whatever
the target reader does.
"""
from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

from pipeline import cli
from pipeline.models import TARGET_KEYS, DocumentRecord, Evidence, Target
from pipeline.outputs.compare import build_comparison
from pipeline.outputs.frames import to_frames
from pipeline.outputs.records import read_documents_jsonl
from pipeline.outputs.report import render_report
from pipeline.outputs.tables import TARGET_COLUMNS
from pipeline.outputs.write import write_outputs
from pipeline.store import from_payload, to_payload

BOM = b"\xef\xbb\xbf"
SCOPE = ("year_source", "tier_source", "group")


def _record() -> DocumentRecord:
    """A plan with a dated target (year from a heading), an undated one (kept
    with ``year`` null) and a criteria-table target of a group."""
    lines = [
        "Mục tiêu đến năm 2027: 60% thư viện cấp huyện có dịch vụ.",
        "Phấn đấu 35% xã có câu lạc bộ đọc sách.",
        "Nhóm 2: 80% xã đạt tiêu chí.",
    ]
    text = "\n".join(lines)
    spans, pos = [], 0
    for line in lines:
        spans.append(Evidence(line, pos, pos + len(line)))
        pos += len(line) + 1
    targets = [
        Target("library", "lib.service", "thư viện", "district", 2027, None, 60.0, None, "percent", False,
               "at_least", spans[0], year_source="heading", tier_source="clause"),
        Target("culture", "culture.clubs", "xã", "commune", None, None, 35.0, None, "percent", False,
               "at_least", spans[1], year_source="none", tier_source="clause"),
        Target("other", "other", "xã đạt tiêu chí", "commune", 2025, 2021, 80.0, None, "percent", False,
               "at_least", spans[2], year_source="period", tier_source="table", group="Nhóm 2"),
    ]
    rec = DocumentRecord("kh_scope", "in/kh_scope.txt", "0" * 64, doc_type="plan", number="7/KH-UBND",
                         admin_level="province", province="Quảng Trị", targets=targets,
                         warnings=["target 35% (culture.clubs): no due year in reach"])
    rec.text, rec.format = text, "text"
    return rec


def _null(v):
    return None if (not isinstance(v, (list, dict)) and pd.isna(v)) else v


def test_documents_jsonl_keys_in_schema_order_and_null_year_kept(tmp_path):
    write_outputs([_record()], tmp_path)
    line = (tmp_path / "documents.jsonl").read_text(encoding="utf-8").splitlines()[0]
    obj = json.loads(line)
    text = _record().text
    assert [list(t) for t in obj["targets"]] == [list(TARGET_KEYS)] * 3
    assert [t["year"] for t in obj["targets"]] == [2027, None, 2025]
    assert [(t["year_source"], t["tier_source"], t["group"]) for t in obj["targets"]] == [
        ("heading", "clause", None), ("none", "clause", None), ("period", "table", "Nhóm 2")]
    for t in obj["targets"]:
        ev = t["evidence"]
        assert text[ev["start"]:ev["end"]] == ev["text"]


def test_scope_keys_written_as_null_when_unknown():
    ev = Evidence("đạt 50%", 0, 7)
    rec = DocumentRecord("a", "a.txt", "0", targets=[
        Target("library", "lib.service", None, "all", 2025, None, 50.0, None, "percent", False, "at_least", ev)])
    t = rec.to_json()["targets"][0]
    assert (t["year_source"], t["tier_source"], t["group"]) == (None, None, None)
    assert list(t) == list(TARGET_KEYS) and "cell" not in t


def test_target_tables_have_the_scope_columns(tmp_path):
    frames = to_frames([_record()], comparison=False)
    targets = frames["targets"]
    cols = list(targets.columns)
    assert cols == list(TARGET_COLUMNS)
    assert cols.index("direction") < cols.index("year_source") < cols.index("tier_source") \
        < cols.index("group") < cols.index("evidence_text")
    assert [_null(v) for v in targets["year"]] == [2027, None, 2025]
    assert str(targets["year"].dtype) == "Int64"

    write_outputs([_record()], tmp_path, lang="en")   # the XLSX below with the CSV's headers
    rows = list(csv.DictReader(io.StringIO((tmp_path / "targets.csv").read_bytes()[len(BOM):].decode("utf-8"))))
    assert [(r["year"], r["year_source"], r["tier_source"], r["group"]) for r in rows] == [
        ("2027", "heading", "clause", ""), ("", "none", "clause", ""), ("2025", "period", "table", "Nhóm 2")]

    js = json.loads((tmp_path / "targets.json").read_text(encoding="utf-8"))
    assert [(t["year"], t["year_source"], t["group"]) for t in js] == [
        (2027, "heading", None), (None, "none", None), (2025, "period", "Nhóm 2")]

    pq = pd.read_parquet(tmp_path / "targets.parquet")
    assert [_null(v) for v in pq["year"]] == [2027, None, 2025]
    assert list(pq["tier_source"]) == ["clause", "clause", "table"]
    assert [_null(v) for v in pq["group"]] == [None, None, "Nhóm 2"]

    openpyxl = pytest.importorskip("openpyxl")
    ws = openpyxl.load_workbook(tmp_path / "comparison.xlsx")["targets"]
    header = [c.value for c in ws[1]]
    got = [dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=2)]
    assert [(r["year"], r["year_source"], r["group"]) for r in got] == [
        (2027, "heading", None), (None, "none", None), (2025, "period", "Nhóm 2")]


def test_comparison_has_a_row_with_an_empty_year_sorted_last(tmp_path):
    comparison = build_comparison([_record()])
    table = comparison.table
    clubs = table[table["indicator"] == "culture.clubs"]
    assert len(clubs) == 1 and pd.isna(clubs["year"].iloc[0])
    assert clubs.iloc[0]["Quảng Trị · 7/KH-UBND"] == "35"

    # a slot with and without a year: the dated row first, the undated after
    other = Target("culture", "culture.clubs", "xã", "commune", 2030, None, 50.0, None, "percent", False,
                   "at_least", Evidence("x", 0, 1))
    rec = _record()
    rec.targets.append(other)
    table = build_comparison([rec]).table
    years = [_null(v) for v in table[table["indicator"] == "culture.clubs"]["year"]]
    assert years == [2030, None]

    diffs = comparison.differences
    row = diffs[diffs["indicator"] == "culture.clubs"].iloc[0]
    assert pd.isna(row["year"]) and row["value"] == "35"

    write_outputs([_record()], tmp_path)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "comparison.csv").read_bytes()[len(BOM):].decode("utf-8"))))
    assert [r["year"] for r in rows if r["indicator"] == "culture.clubs"] == [""]
    rows = list(csv.DictReader(io.StringIO((tmp_path / "differences.csv").read_bytes()[len(BOM):].decode("utf-8"))))
    assert [r["year"] for r in rows if r["indicator"] == "culture.clubs"] == [""]


def test_report_shows_the_undated_target_and_where_years_came_from():
    page = render_report([_record()], lang="en")
    assert "None" not in page.replace("Nonetheless", "")
    assert 'title="found in: a heading"' in page and 'title="found in: a table header"' in page
    assert "(Nhóm 2)" in page
    assert ">no year</text>" in page   # the chart's label under the undated bar
    vi = render_report([_record()])
    assert 'title="tìm thấy ở: đề mục"' in vi and ">không rõ năm</text>" in vi


def test_store_round_trip_keeps_null_year_and_scope_fields():
    rec = _record()
    back = from_payload(to_payload(rec))
    assert back.targets == rec.targets
    assert back.targets[1].year is None and back.targets[2].group == "Nhóm 2"


def test_read_back_and_chitieu_compare(tmp_path):
    out = tmp_path / "out"
    write_outputs([_record()], out)
    back = read_documents_jsonl(out / "documents.jsonl")
    assert back[0].targets == _record().targets

    again = tmp_path / "again"
    assert cli.main(["compare", str(out), "--out", str(again)]) == 0
    rows = list(csv.DictReader(io.StringIO((again / "comparison.csv").read_bytes()[len(BOM):].decode("utf-8"))))
    assert ("culture.clubs", "") in [(r["indicator"], r["year"]) for r in rows]
    assert (again / "comparison.csv").read_bytes() == (out / "comparison.csv").read_bytes()


def test_read_back_an_older_documents_jsonl_without_scope_keys(tmp_path):
    obj = _record().to_json()
    for t in obj["targets"]:
        for k in SCOPE:
            del t[k]
    (tmp_path / "documents.jsonl").write_text(json.dumps(obj, ensure_ascii=False) + "\n", encoding="utf-8")
    back = read_documents_jsonl(tmp_path / "documents.jsonl")
    assert [(t.year, t.year_source, t.group) for t in back[0].targets] == [(2027, None, None), (None, None, None),
                                                                           (2025, None, None)]
