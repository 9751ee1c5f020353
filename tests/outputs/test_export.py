"""Output files and tables (pipeline/outputs/).

Records are built by hand, so these tests need neither the extractors nor a
corpus: they pin the file contract — SCHEMA.md keys in order, UTF-8 with BOM,
fixed columns, same input → same bytes, atomic writes — and the comparison
table's shape and labels.
"""
from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from pipeline import compare as compare_fn
from pipeline import to_frames
from pipeline.outputs.atomic import atomic_write
from pipeline.outputs.columns import document_labels
from pipeline.outputs.format import format_number, format_value
from pipeline.outputs.tables import DOCUMENT_COLUMNS, ERROR_COLUMNS, OUTPUT_FILES, REFERENCE_COLUMNS, TARGET_COLUMNS
from pipeline.outputs.write import write_outputs
from pipeline.models import DocError, DocumentRecord, Evidence, Reference, Signer, Target

BOM = b"\xef\xbb\xbf"

TEXT_A = ("KẾ HOẠCH\nĐến năm 2025: 60% thư viện cấp huyện; 12 - 15% thư viện xã.\n"
          "Căn cứ Quyết định số 1520/QĐ-TTg ngày 06/10/2021 của Thủ tướng Chính phủ;")


def _ev(text: str, needle: str) -> Evidence:
    start = text.index(needle)
    return Evidence(needle, start, start + len(needle))


def _target(needle: str, tier: str, value: float, value_max=None, *, year=2025, indicator="lib.service",
            sector="library", direction="at_least", text=TEXT_A) -> Target:
    return Target(sector, indicator, "thư viện", tier, year, None, value, value_max, "percent",
                  False, direction, _ev(text, needle))


def record_a() -> DocumentRecord:
    rec = DocumentRecord(
        doc_id="b_dak_nong", source="corpus/b_dak_nong.txt", sha256="a" * 64, doc_type="plan",
        number="149/KH-UBND", issue_date="2023-07-04", place="Gia Nghĩa",
        issuing_body="Ủy ban nhân dân tỉnh Đắk Nông", admin_level="province", province="Đắk Nông",
        signer=Signer("Tôn Thị Ngọc Hạnh", "Phó Chủ tịch"), title="Kế hoạch thư viện",
        references=[Reference("decision", "1520/QĐ-TTg", "2021-10-06", "Thủ tướng Chính phủ",
                              _ev(TEXT_A, "Quyết định số 1520/QĐ-TTg ngày 06/10/2021"))],
        targets=[_target("60% thư viện cấp huyện", "district", 60.0),
                 _target("12 - 15% thư viện xã", "commune", 12.0, 15.0)],
        warnings=["title: doubtful line break"],
    )
    rec.text, rec.format = TEXT_A, "text"
    return rec


def record_b() -> DocumentRecord:
    """A central document (no province) with a decimal value and an at-most target."""
    text = "Năm 2030: 99,7% thư viện tỉnh; tỷ lệ dưới 5% thôn."
    rec = DocumentRecord(
        doc_id="a_national", source="corpus/a_national.txt", sha256="b" * 64, doc_type="decision",
        number="206/QĐ-TTg", admin_level="central",
        targets=[Target("library", "lib.digital", None, "province", 2030, 2025, 99.7, None, "percent",
                        False, "at_least", _ev(text, "99,7% thư viện tỉnh")),
                 Target("other", "other", "thôn", "village", 2030, None, 5.0, None, "percent",
                        False, "at_most", _ev(text, "dưới 5% thôn"))],
    )
    rec.text, rec.format = text, "text"
    return rec


def record_failed(doc_id: str = "c_broken", code: str = "empty") -> DocumentRecord:
    msg = f"corpus/{doc_id}.txt: the file is empty (0 bytes); check the download"
    rec = DocumentRecord(doc_id=doc_id, source=f"corpus/{doc_id}.txt", sha256="", warnings=[f"error: {msg}"])
    rec.error = DocError(code, msg)
    return rec


def records() -> list[DocumentRecord]:
    # deliberately not in doc_id order
    return [record_failed(), record_a(), record_b()]


def read_csv(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.startswith(BOM), f"{path.name} has no UTF-8 BOM"
    return list(csv.DictReader(io.StringIO(data[len(BOM):].decode("utf-8"), newline="")))


def csv_header(path: Path) -> list[str]:
    return next(csv.reader(io.StringIO(path.read_bytes()[len(BOM):].decode("utf-8"))))


@pytest.fixture
def written(tmp_path: Path) -> Path:
    write_outputs(records(), tmp_path / "out")
    return tmp_path / "out"


# --------------------------------------------------------------------------
# documents.jsonl
# --------------------------------------------------------------------------

def test_all_output_files_are_written(written: Path):
    assert sorted(p.name for p in written.iterdir()) == sorted(OUTPUT_FILES)


def test_jsonl_has_schema_keys_in_order_one_record_per_line(written: Path):
    lines = written.joinpath("documents.jsonl").read_text(encoding="utf-8").splitlines()
    objs = [json.loads(line) for line in lines]
    assert [o["doc_id"] for o in objs] == ["a_national", "b_dak_nong", "c_broken"]  # sorted
    for obj in objs:
        assert tuple(obj) == DocumentRecord.SCHEMA_KEYS
    assert objs[1]["signer"] == {"name": "Tôn Thị Ngọc Hạnh", "title": "Phó Chủ tịch"}
    assert "extra" not in objs[1] and "text" not in objs[1]


def test_jsonl_round_trips_the_records(written: Path):
    objs = [json.loads(line) for line in written.joinpath("documents.jsonl").open(encoding="utf-8")]
    by_id = {r.doc_id: r for r in records()}
    for obj in objs:
        assert obj == by_id[obj["doc_id"]].to_json()


def test_jsonl_writes_vietnamese_unescaped_and_whole_numbers_as_ints(written: Path):
    raw = written.joinpath("documents.jsonl").read_bytes()
    assert not raw.startswith(BOM)
    assert "Ủy ban nhân dân tỉnh Đắk Nông".encode() in raw
    assert b"\\u" not in raw
    obj = [json.loads(line) for line in raw.decode().splitlines()][1]
    assert [t["value"] for t in obj["targets"]] == [60, 12]
    assert isinstance(obj["targets"][0]["value"], int)


def test_evidence_offsets_survive_export(written: Path):
    for row in read_csv(written / "targets.csv") + read_csv(written / "references.csv"):
        if row["doc_id"] == "b_dak_nong":
            start, end = int(row["evidence_start"]), int(row["evidence_end"])
            assert TEXT_A[start:end] == row["evidence_text"]


# --------------------------------------------------------------------------
# CSV files
# --------------------------------------------------------------------------

@pytest.mark.parametrize("name, columns", [
    ("documents.csv", DOCUMENT_COLUMNS), ("targets.csv", TARGET_COLUMNS),
    ("references.csv", REFERENCE_COLUMNS), ("errors.csv", ERROR_COLUMNS),
])
def test_csv_has_bom_and_fixed_columns(written: Path, name: str, columns):
    assert written.joinpath(name).read_bytes().startswith(BOM)
    assert csv_header(written / name) == list(columns)


def test_comparison_csv_has_bom(written: Path):
    assert written.joinpath("comparison.csv").read_bytes().startswith(BOM)
    # Excel reads it back as Vietnamese
    assert "Đắk Nông · 149/KH-UBND" in written.joinpath("comparison.csv").read_text(encoding="utf-8-sig")


def test_targets_csv_rows(written: Path):
    rows = read_csv(written / "targets.csv")
    assert [(r["doc_id"], r["tier"], r["value"], r["value_max"]) for r in rows] == [
        ("a_national", "province", "99.7", ""),
        ("a_national", "village", "5", ""),
        ("b_dak_nong", "district", "60", ""),
        ("b_dak_nong", "commune", "12", "15"),
    ]
    first = rows[0]
    assert first["province"] == "" and first["number"] == "206/QĐ-TTg"  # null → empty cell
    assert first["year"] == "2030" and first["period_start"] == "2025"
    assert rows[2]["period_start"] == "" and rows[2]["implied"] == "false"
    assert rows[2]["province"] == "Đắk Nông" and rows[2]["issuing_body"] == "Ủy ban nhân dân tỉnh Đắk Nông"


def test_documents_csv_rows(written: Path):
    rows = {r["doc_id"]: r for r in read_csv(written / "documents.csv")}
    assert list(rows) == ["a_national", "b_dak_nong", "c_broken"]
    a = rows["b_dak_nong"]
    assert (a["signer_name"], a["signer_title"]) == ("Tôn Thị Ngọc Hạnh", "Phó Chủ tịch")
    assert (a["n_targets"], a["n_references"], a["error"]) == ("2", "1", "")
    assert a["warnings"] == "title: doubtful line break"
    bad = rows["c_broken"]
    assert bad["error"] == "empty" and bad["n_targets"] == "0" and bad["warnings"].startswith("error: ")


def test_references_csv(written: Path):
    rows = read_csv(written / "references.csv")
    assert [(r["doc_id"], r["kind"], r["number"], r["date"], r["issuer"]) for r in rows] == [
        ("b_dak_nong", "decision", "1520/QĐ-TTg", "2021-10-06", "Thủ tướng Chính phủ")]


def test_errors_csv_lists_failures(written: Path):
    rows = read_csv(written / "errors.csv")
    assert [(r["doc_id"], r["source"], r["error"]) for r in rows] == [("c_broken", "corpus/c_broken.txt", "empty")]
    assert "the file is empty" in rows[0]["message"]


def test_errors_csv_is_header_only_when_nothing_failed(tmp_path: Path):
    write_outputs([record_a()], tmp_path)
    assert tmp_path.joinpath("errors.csv").read_bytes() == BOM + (",".join(ERROR_COLUMNS) + "\n").encode()


def test_no_records_still_writes_every_file_with_headers(tmp_path: Path):
    write_outputs([], tmp_path)
    assert csv_header(tmp_path / "targets.csv") == list(TARGET_COLUMNS)
    assert csv_header(tmp_path / "comparison.csv") == ["sector", "indicator", "tier", "year", "group"]
    assert tmp_path.joinpath("documents.jsonl").read_bytes() == b""


# --------------------------------------------------------------------------
# Determinism and atomicity
# --------------------------------------------------------------------------

def test_same_input_gives_same_bytes_whatever_the_order(tmp_path: Path):
    write_outputs(records(), tmp_path / "one")
    write_outputs(list(reversed(records())), tmp_path / "two")
    for name in OUTPUT_FILES:
        assert tmp_path.joinpath("one", name).read_bytes() == tmp_path.joinpath("two", name).read_bytes(), name


def test_writing_leaves_no_temporary_files(tmp_path: Path):
    write_outputs(records(), tmp_path)
    write_outputs(records(), tmp_path)  # overwriting too
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(OUTPUT_FILES)


def test_output_files_are_readable_by_others(tmp_path: Path):
    """Every output file (CSV, XLSX, Parquet, JSON, the report) is 0644 under umask 022."""
    old = os.umask(0o022)
    try:
        write_outputs(records(), tmp_path)
    finally:
        os.umask(old)
    for name in OUTPUT_FILES:
        assert tmp_path.joinpath(name).stat().st_mode & 0o777 == 0o644, name


def test_failed_write_keeps_the_old_file_and_no_temp(tmp_path: Path, monkeypatch):
    target = tmp_path / "documents.jsonl"
    atomic_write(target, b"old\n")

    def boom(src, dst):  # noqa: ARG001 - stands in for os.replace
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write(target, b"new\n")
    assert target.read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["documents.jsonl"]


def test_interrupted_output_run_leaves_previous_outputs_untouched(tmp_path: Path, monkeypatch):
    write_outputs([record_a()], tmp_path)
    before = {n: tmp_path.joinpath(n).read_bytes() for n in OUTPUT_FILES}
    import pipeline.outputs.atomic as export

    real_stage = export._stage
    calls = []

    def stage_then_interrupt(path, data):
        calls.append(path.name)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_stage(path, data)

    monkeypatch.setattr(export, "_stage", stage_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_outputs(records(), tmp_path)
    assert {n: tmp_path.joinpath(n).read_bytes() for n in OUTPUT_FILES} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(OUTPUT_FILES)


# --------------------------------------------------------------------------
# Frames and the comparison table
# --------------------------------------------------------------------------

def test_to_frames_tables_and_columns():
    frames = to_frames(records())
    assert set(frames) == {"documents", "targets", "references", "errors", "comparison"}
    assert list(frames["documents"].columns) == list(DOCUMENT_COLUMNS)
    assert list(frames["targets"].columns) == list(TARGET_COLUMNS)
    assert list(frames["references"].columns) == list(REFERENCE_COLUMNS)
    assert list(frames["errors"].columns) == list(ERROR_COLUMNS)
    assert len(frames["targets"]) == 4 and len(frames["errors"]) == 1
    assert frames["targets"]["value"].dtype == "float64"
    assert str(frames["targets"]["period_start"].dtype) == "Int64"


def test_comparison_shape_rows_and_labels():
    table = compare_fn(records())
    doc_cols = ["206/QĐ-TTg", "Đắk Nông · 149/KH-UBND"]  # failed c_broken has no targets, no column
    assert list(table.columns) == ["sector", "indicator", "tier", "year", "group"] + doc_cols
    assert table["group"].isna().all()   # no criteria-table group in these documents
    keys = [tuple(r) for r in table[["sector", "indicator", "tier", "year"]].itertuples(index=False)]
    # SCHEMA.md order of sectors, indicators and tiers; one row per slot
    assert keys == [
        ("library", "lib.service", "district", 2025),
        ("library", "lib.service", "commune", 2025),
        ("library", "lib.digital", "province", 2030),
        ("other", "other", "village", 2030),
    ]
    assert table[doc_cols[1]].tolist() == ["60", "12–15", "", ""]
    assert table[doc_cols[0]].tolist() == ["", "", "99.7", "≤5"]


def test_compare_accepts_frames_or_records():
    frames = to_frames(records())
    pd.testing.assert_frame_equal(compare_fn(frames), compare_fn(records()))
    pd.testing.assert_frame_equal(compare_fn(frames), frames["comparison"])


def test_comparison_joins_different_values_for_one_slot():
    rec = record_a()
    rec.targets.append(_target("12 - 15% thư viện xã", "district", 70.0))
    table = compare_fn([rec])
    assert table.iloc[0]["Đắk Nông · 149/KH-UBND"] == "60; 70"


def test_comparison_of_nothing_is_empty_with_key_columns():
    table = compare_fn([record_failed()])
    assert list(table.columns) == ["sector", "indicator", "tier", "year", "group"] and len(table) == 0


@pytest.mark.parametrize("docs, expected", [
    pytest.param([{"doc_id": "x", "province": "Đắk Nông", "number": "149/KH-UBND"}],
                 ["Đắk Nông · 149/KH-UBND"], id="province-and-number"),
    pytest.param([{"doc_id": "x", "province": None, "number": "206/QĐ-TTg"}], ["206/QĐ-TTg"], id="central"),
    pytest.param([{"doc_id": "x", "province": "Hà Nội", "number": None}], ["Hà Nội · x"], id="blank-number"),
    pytest.param([{"doc_id": "x", "province": None, "number": None}], ["x"], id="nothing-known"),
    pytest.param([{"doc_id": "x", "province": "Hà Nội", "number": "1/KH"},
                  {"doc_id": "y", "province": "Hà Nội", "number": "1/KH"}],
                 ["Hà Nội · 1/KH (x)", "Hà Nội · 1/KH (y)"], id="same-label-twice"),
    pytest.param([{"doc_id": "x", "province": None, "number": None},
                  {"doc_id": "q", "province": None, "number": "x"}],
                 ["x", "x (q)"], id="label-equal-to-other-doc-id"),
])
def test_document_labels(docs, expected):
    labels = document_labels(docs)
    assert [labels[d["doc_id"]] for d in docs] == expected
    assert len(set(labels.values())) == len(labels)


@pytest.mark.parametrize("value, value_max, direction, expected", [
    (60.0, None, None, "60"), (12, 15, None, "12–15"), (99.7, None, None, "99.7"),
    (100, 100.0, None, "100"), (5, None, "at_most", "≤5"), (0.5, 1.5, None, "0.5–1.5"),
])
def test_format_value(value, value_max, direction, expected):
    assert format_value(value, value_max, direction) == expected


def test_format_number_never_writes_trailing_zero_or_float_noise():
    assert format_number(10.0) == "10" and format_number(0.1 + 0.2) == "0.3"
    assert format_number(None) == "" and format_number(float("nan")) == ""


def test_public_api_is_four_functions_and_import_is_light():
    import subprocess
    import sys
    code = ("import sys, pipeline; print(sorted(pipeline.__all__)); "
            "print(all(callable(getattr(pipeline, n)) for n in pipeline.__all__)); "
            "print([m for m in ('pandas', 'spacy', 'tqdm') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["['compare', 'extract', 'load', 'to_frames']", "True", "[]"]


def test_prepare_imports_every_library_write_outputs_needs(tmp_path: Path):
    """After :func:`~pipeline.outputs.write.prepare` (what a batch does while
    its workers start), writing the outputs imports no library of its own: a
    library the writers come to import lazily must join ``WRITER_IMPORTS``, or
    the batch pays for it after its last file instead of while it waited."""
    import subprocess
    import sys
    root = Path(__file__).resolve().parents[2]
    code = ("import sys; from pathlib import Path; from pipeline.core import extract_file; "
            "from pipeline.outputs.write import prepare, write_outputs; "
            "recs = [extract_file(p) for p in sorted(Path(sys.argv[1]).glob('*.txt'))[:2]]; "
            "prepare(); before = set(sys.modules); write_outputs(recs, sys.argv[2]); "
            "tops = {m.split('.')[0] for m in set(sys.modules) - before}; "
            "print(sorted(tops - set(sys.stdlib_module_names) - {'pipeline'}))")
    out = subprocess.run([sys.executable, "-c", code, str(root / "corpus"), str(tmp_path / "out")],
                         capture_output=True, text=True, check=True, cwd=root).stdout
    assert out.splitlines()[-1] == "[]"
    assert (tmp_path / "out" / "comparison.xlsx").is_file()
