"""The analyst formats (pipeline/outputs/xlsx.py, files.py): comparison.xlsx, Parquet, JSON.

The workbook is opened back with openpyxl and checked the way an analyst
would use it: sheets, frozen header, autofilter, numbers that are numbers,
the evidence of every comparison value in the cell's comment, column widths.
"""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.outputs.compare import build_comparison
from pipeline.outputs.files import json_bytes, parquet_bytes
from pipeline.outputs.frames import to_frames
from pipeline.outputs.labels import Labels
from pipeline.outputs.tables import DOCUMENT_COLUMNS, OUTPUT_FILES, TARGET_COLUMNS, XLSX_SHEETS
from pipeline.outputs.write import write_outputs
from pipeline.outputs.xlsx import XLSX_FIXED_DATE, XLSX_MAX_WIDTH, xlsx_bytes
from pipeline.models import DocumentRecord, Evidence, Target

LONG = "Phấn đấu đến năm 2025 " + "thư viện cơ sở giáo dục phổ thông, " * 6 + "đạt 70%."


def make(doc_id, targets, **facts) -> DocumentRecord:
    """targets: (indicator, tier, year, value, value_max, direction, unit, sentence)."""
    text, made = "", []
    for indicator, tier, year, value, value_max, direction, unit, sentence in targets:
        start = len(text)
        text += sentence + "\n"
        made.append(Target("library", indicator, "thư viện", tier, year, None, float(value),
                           None if value_max is None else float(value_max), unit, False, direction,
                           Evidence(sentence, start, start + len(sentence))))
    rec = DocumentRecord(doc_id, f"corpus/{doc_id}.txt", "0" * 64, targets=made, **facts)
    rec.text, rec.format = text, "text"
    return rec


def records() -> list[DocumentRecord]:
    return [
        make("a_national", [
            ("lib.service", "district", 2025, 70, None, "at_least", "percent", "70% thư viện cấp huyện."),
            ("lib.service", "commune", 2025, 40, None, "at_least", "percent", "40% thư viện cấp xã."),
            ("lib.users_growth", "all", 2030, 10, None, "at_least", "percent_per_year",
             "Số lượt người sử dụng tăng bình quân 10%/năm."),
        ], doc_type="decision", number="1520/QĐ-TTg", admin_level="central", issuing_body="Thủ tướng Chính phủ"),
        make("b_haiphong", [
            ("lib.service", "district", 2025, 80, None, "at_least", "percent", "80% thư viện cấp huyện."),
            ("lib.service", "district", 2025, 90, None, "at_least", "percent", "Năm 2025: 90% thư viện huyện."),
            ("lib.service", "commune", 2025, 12, 15, "at_least", "percent", "Đạt 12 - 15% thư viện xã."),
            ("lib.digital", "province", 2025, 99.7, None, "at_least", "percent", "99,7% thư viện tỉnh."),
        ], doc_type="plan", number="12/KH-UBND", admin_level="province", province="Hải Phòng"),
        make("c_ngoquyen", [
            ("lib.service", "district", 2025, 100, None, "at_least", "percent", "100% thư viện quận."),
            ("other", "village", 2025, 5, None, "at_most", "percent", "Dưới 5% tổ dân phố\x0b chưa có."),
        ], doc_type="plan", number="68/KH-UBND", admin_level="district", province="Hải Phòng",
            district="Ngô Quyền"),
        make("d_daknong", [
            ("lib.service", "school", 2025, 70, None, "at_least", "percent", LONG),
        ], doc_type="plan", number="149/KH-UBND", admin_level="province", province="Đắk Nông"),
    ]


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    """The outputs in English (``lang="en"``): sheet names and data headers are
    then the CSV's; the Vietnamese default is checked apart below."""
    out = tmp_path_factory.mktemp("formats")
    write_outputs(records(), out, lang="en")
    return out


@pytest.fixture(scope="module")
def written_vi(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("formats_vi")
    write_outputs(records(), out)
    return out


@pytest.fixture(scope="module")
def wb(written: Path):
    return openpyxl.load_workbook(written / "comparison.xlsx")


def header_map(ws, row: int = 1) -> dict[str, int]:
    return {c.value: c.column for c in ws[row] if c.value is not None}


def comparison_cell(ws, indicator: str, tier: str, label: str, lang: str = "en"):
    """The comparison sheet's cell of (indicator, tier) codes, shown by their names."""
    L = Labels(lang)
    cols = header_map(ws, 4)
    for row in ws.iter_rows(min_row=5):
        if row[1].value == L.indicator(indicator) and row[2].value == L.tier(tier):
            return ws.cell(row=row[0].row, column=cols[label])
    raise AssertionError(f"no row {indicator} {tier}")


# --------------------------------------------------------------------------
# XLSX: layout
# --------------------------------------------------------------------------

def test_xlsx_has_one_sheet_per_table(wb):
    assert wb.sheetnames == list(XLSX_SHEETS)


def test_xlsx_headers_are_frozen_and_filtered(wb):
    assert wb["comparison"].freeze_panes == "F5"  # the five key columns and the four header rows
    assert wb["comparison"].auto_filter.ref == "A4:I10"
    for name in XLSX_SHEETS[1:]:
        ws = wb[name]
        assert ws.freeze_panes == "A2", name
        last = openpyxl.utils.get_column_letter(ws.max_column)
        assert ws.auto_filter.ref == f"A1:{last}{ws.max_row}", name
    assert wb["errors"].auto_filter.ref == "A1:D1"  # header only


def test_xlsx_data_sheets_have_the_csv_columns(wb):
    assert [c.value for c in wb["targets"][1]] == list(TARGET_COLUMNS)
    assert [c.value for c in wb["documents"][1]] == list(DOCUMENT_COLUMNS)
    docs = {r[0]: r for r in wb["documents"].iter_rows(min_row=2, values_only=True)}
    col = DOCUMENT_COLUMNS.index("province_2025")
    assert docs["d_daknong"][col] == "Lâm Đồng" and docs["b_haiphong"][col] == "Hải Phòng"


def test_xlsx_comparison_groups_columns_by_province_and_level(wb):
    ws = wb["comparison"]
    rows = [[c.value for c in ws[r]] for r in range(1, 5)]
    assert rows[3] == ["sector", "indicator", "tier", "year", "group", "1520/QĐ-TTg", "Hải Phòng · 12/KH-UBND",
                       "Hải Phòng · Ngô Quyền (district) · 68/KH-UBND", "Đắk Nông · 149/KH-UBND"]
    assert rows[0][0] == "province" and rows[1][0] == "province since 1 July 2025" and rows[2][0] == "level"
    assert rows[0][5:] == ["national", "Hải Phòng", None, "Đắk Nông"]  # G1:H1 merged: one Hải Phòng heading
    assert rows[1][5:] == [None, "Hải Phòng", None, "Lâm Đồng"]
    assert rows[2][5:] == ["central (baseline)", "province", "district: Ngô Quyền", "province"]
    assert rows[0][4] is None and rows[1][4] is None and rows[2][4] is None   # a key column: no headings
    assert "G1:H1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["F4"].fill.fgColor.rgb.endswith("FFF2CC") and not ws["G4"].fill.fgColor.rgb.endswith("FFF2CC")


def test_xlsx_column_widths_fit_vietnamese_text_up_to_a_cap(wb):
    for ws in wb:
        for letter, dim in ws.column_dimensions.items():
            assert 8 <= dim.width <= XLSX_MAX_WIDTH, (ws.title, letter, dim.width)
    targets = wb["targets"]
    cols = header_map(targets)
    letter = openpyxl.utils.get_column_letter
    assert targets.column_dimensions[letter(cols["evidence_text"])].width == XLSX_MAX_WIDTH  # LONG is capped
    assert targets.column_dimensions[letter(cols["issuing_body"])].width >= len("issuing_body")
    label = "Hải Phòng · Ngô Quyền (district) · 68/KH-UBND"
    assert wb["comparison"].column_dimensions["H"].width >= len(label)


# --------------------------------------------------------------------------
# XLSX: values are numbers, shown as in the CSV
# --------------------------------------------------------------------------

def test_xlsx_comparison_values_are_numbers_with_formats(wb):
    ws = wb["comparison"]
    base = comparison_cell(ws, "lib.service", "district", "1520/QĐ-TTg")
    assert base.value == pytest.approx(0.7) and base.number_format == '0%'     # a fraction shown 70%
    decimal = comparison_cell(ws, "lib.digital", "province", "Hải Phòng · 12/KH-UBND")
    assert decimal.value == pytest.approx(0.997) and decimal.number_format == '0.0##%'
    at_most = comparison_cell(ws, "other", "village", "Hải Phòng · Ngô Quyền (district) · 68/KH-UBND")
    assert at_most.value == pytest.approx(0.05) and at_most.number_format == '"≤"0%'
    growth = comparison_cell(ws, "lib.users_growth", "all", "1520/QĐ-TTg")
    assert growth.value == pytest.approx(0.1) and growth.number_format == '0%"/yr"'
    assert ws.cell(row=base.row, column=4).value == 2025


def test_xlsx_ranges_and_joined_values_stay_text(wb):
    ws = wb["comparison"]
    assert comparison_cell(ws, "lib.service", "commune", "Hải Phòng · 12/KH-UBND").value == "12–15%"
    assert comparison_cell(ws, "lib.service", "district", "Hải Phòng · 12/KH-UBND").value == "80%; 90%"
    assert comparison_cell(ws, "lib.service", "commune", "Đắk Nông · 149/KH-UBND").value is None


def test_xlsx_targets_and_differences_numbers(wb):
    ws = wb["targets"]
    cols = header_map(ws)
    rows = list(ws.iter_rows(min_row=2))
    first = rows[0]
    assert first[cols["value"] - 1].value == pytest.approx(0.7) and first[cols["value"] - 1].number_format == '0%'
    assert first[cols["year"] - 1].value == 2025 and first[cols["implied"] - 1].value is False
    rng = next(r for r in rows if r[cols["value_max"] - 1].value is not None)
    assert (rng[cols["value"] - 1].value, rng[cols["value_max"] - 1].value) == pytest.approx((0.12, 0.15))
    assert rng[cols["value_max"] - 1].number_format == '0%'

    ws = wb["differences"]
    cols = header_map(ws)
    got = {(r[cols["doc_id"] - 1].value, r[cols["tier"] - 1].value, round(r[cols["value"] - 1].value, 6)): r
           for r in ws.iter_rows(min_row=2)}
    below = got[("b_haiphong", "commune", 0.12)]               # the range 12–15 as two numbers
    assert below[cols["value_max"] - 1].value == pytest.approx(0.15)
    assert below[cols["difference"] - 1].value == pytest.approx(-0.28)
    assert below[cols["difference"] - 1].number_format == '"+"0%;"−"0%;0%'
    assert below[cols["status"] - 1].value == "below the national level"
    above = got[("b_haiphong", "district", 0.8)]
    assert above[cols["difference"] - 1].value == pytest.approx(0.1)
    assert above[cols["baseline_value"] - 1].value == pytest.approx(0.7)
    nothing = got[("b_haiphong", "province", 0.997)]
    assert nothing[cols["difference"] - 1].value is None
    assert nothing[cols["status"] - 1].value == "no baseline value"


def test_xlsx_comparison_reads_back_with_pandas(written: Path):
    table = build_comparison(to_frames(records(), comparison=False)).table
    back = pd.read_excel(written / "comparison.xlsx", sheet_name="comparison", header=3)
    assert list(back.columns) == list(table.columns)
    assert back["Hải Phòng · 12/KH-UBND"].tolist()[:2] == ["80%; 90%", "12–15%"]
    assert back["1520/QĐ-TTg"].tolist()[0] == pytest.approx(0.7)


# --------------------------------------------------------------------------
# XLSX: Vietnamese by default
# --------------------------------------------------------------------------

def test_xlsx_speaks_vietnamese_by_default(written_vi: Path):
    wb = openpyxl.load_workbook(written_vi / "comparison.xlsx")
    assert wb.sheetnames == ["So sánh", "Chênh lệch", "Cột so sánh", "Chỉ tiêu", "Văn bản", "Dẫn chiếu", "Lỗi"]
    ws = wb["So sánh"]
    assert [c.value for c in ws[4]][:6] == ["lĩnh vực", "chỉ tiêu", "cấp, đối tượng", "năm", "nhóm", "1520/QĐ-TTg"]
    assert ws["A1"].value == "tỉnh, thành phố" and ws["F3"].value == "Trung ương (mức so sánh)"
    labels = [c.value for c in ws[4]]
    assert "Hải Phòng · Ngô Quyền (cấp huyện) · 68/KH-UBND" in labels
    names = {(r[1].value, r[2].value) for r in ws.iter_rows(min_row=5)}
    assert ("Thư viện cung cấp dịch vụ học tập suốt đời", "Cấp huyện") in names
    assert not any(str(v).startswith(("lib.", "culture.", "museum.")) for pair in names for v in pair)
    cell = comparison_cell(ws, "lib.service", "district", "1520/QĐ-TTg", lang="vi")
    assert cell.value == pytest.approx(0.7) and cell.number_format == "0%"
    growth = comparison_cell(ws, "lib.users_growth", "all", "1520/QĐ-TTg", lang="vi")
    assert growth.number_format == '0%"/năm"'
    decimal = comparison_cell(ws, "lib.digital", "province", "Hải Phòng · 12/KH-UBND", lang="vi")
    assert decimal.value == pytest.approx(0.997)                 # Excel shows 99,7% to a Vietnamese reader
    assert comparison_cell(ws, "lib.service", "commune", "Hải Phòng · 12/KH-UBND", lang="vi").value == "12–15%"
    one = comparison_cell(ws, "lib.service", "commune", "Hải Phòng · 12/KH-UBND", lang="vi").comment.text
    assert "(b_haiphong, ký tự" in one


def test_xlsx_vietnamese_data_sheets_compute(written_vi: Path):
    """Percentages read back as fractions with a percent format; a range as two numbers."""
    wb = openpyxl.load_workbook(written_vi / "comparison.xlsx")
    L = Labels("vi")
    ws = wb["Chỉ tiêu"]
    assert [c.value for c in ws[1]] == [L.column(c) for c in TARGET_COLUMNS]
    cols = header_map(ws)
    rows = list(ws.iter_rows(min_row=2))
    value, value_max = cols[L.column("value")] - 1, cols[L.column("value_max")] - 1
    rng = next(r for r in rows if r[value_max].value is not None)
    assert (rng[value].value, rng[value_max].value) == pytest.approx((0.12, 0.15))
    assert rng[value].number_format == rng[value_max].number_format == "0%"
    assert rng[cols[L.column("indicator")] - 1].value == "lib.service"      # data sheets keep the codes
    ws = wb["Chênh lệch"]
    cols = header_map(ws)
    status = cols[L.column("status")] - 1
    statuses = {r[status].value for r in ws.iter_rows(min_row=2)}
    assert "thấp hơn mức quốc gia" in statuses and "cao hơn mức quốc gia" in statuses
    diffs = [r for r in ws.iter_rows(min_row=2) if r[cols[L.column("value_max")] - 1].value is not None]
    assert diffs and all(isinstance(r[cols[L.column("value")] - 1].value, float) for r in diffs)


# --------------------------------------------------------------------------
# XLSX: the evidence of every value
# --------------------------------------------------------------------------

def test_every_comparison_value_has_its_evidence_as_a_comment(wb):
    ws = wb["comparison"]
    values = [c for row in ws.iter_rows(min_row=5, min_col=5) for c in row if c.value is not None]
    assert len(values) == 9
    for cell in values:
        assert cell.comment is not None, cell.coordinate
        assert cell.comment.author == "chitieu"
    empty = [c for row in ws.iter_rows(min_row=5, min_col=5) for c in row if c.value is None]
    assert empty and all(c.comment is None for c in empty)


def test_comment_holds_the_evidence_sentences_and_where_they_are(wb):
    ws = wb["comparison"]
    one = comparison_cell(ws, "lib.service", "commune", "Hải Phòng · 12/KH-UBND").comment.text
    assert one.startswith("Đạt 12 - 15% thư viện xã.") and "(b_haiphong, characters" in one
    two = comparison_cell(ws, "lib.service", "district", "Hải Phòng · 12/KH-UBND").comment.text
    assert "80%: 80% thư viện cấp huyện." in two and "90%: Năm 2025: 90% thư viện huyện." in two
    long = comparison_cell(ws, "lib.service", "school", "Đắk Nông · 149/KH-UBND").comment.text
    assert LONG in long


def test_control_characters_are_dropped_not_fatal(wb):
    ws = wb["comparison"]
    text = comparison_cell(ws, "other", "village", "Hải Phòng · Ngô Quyền (district) · 68/KH-UBND").comment.text
    assert "Dưới 5% tổ dân phố chưa có." in text and "\x0b" not in text


# --------------------------------------------------------------------------
# XLSX: same input, same bytes
# --------------------------------------------------------------------------

def test_xlsx_bytes_are_deterministic_and_carry_no_time():
    frames = to_frames(records(), comparison=False)
    one = xlsx_bytes(frames, build_comparison(frames))
    frames2 = to_frames(list(reversed(records())), comparison=False)
    two = xlsx_bytes(frames2, build_comparison(frames2))
    assert one == two
    with zipfile.ZipFile(io.BytesIO(one)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert core.count(XLSX_FIXED_DATE) == 2
    props = openpyxl.load_workbook(io.BytesIO(one)).properties
    assert props.creator == "chitieu" and props.created.year == props.modified.year == 1980


def test_write_outputs_writes_every_format_atomically(tmp_path: Path, monkeypatch):
    write_outputs(records()[:1], tmp_path)
    before = {n: tmp_path.joinpath(n).read_bytes() for n in OUTPUT_FILES}
    import pipeline.outputs.atomic as export

    real_stage = export._stage

    def stage_until_xlsx(path, data):
        if path.name == "comparison.xlsx":
            raise KeyboardInterrupt
        return real_stage(path, data)

    monkeypatch.setattr(export, "_stage", stage_until_xlsx)
    with pytest.raises(KeyboardInterrupt):
        write_outputs(records(), tmp_path)
    assert {n: tmp_path.joinpath(n).read_bytes() for n in OUTPUT_FILES} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(OUTPUT_FILES)


# --------------------------------------------------------------------------
# Parquet
# --------------------------------------------------------------------------

def _records_of(df: pd.DataFrame) -> list[dict]:
    return [{k: (None if not isinstance(v, (list, dict)) and pd.isna(v) else v) for k, v in r.items()}
            for r in df.to_dict("records")]


@pytest.mark.parametrize("name, table", [("targets.parquet", "targets"), ("documents.parquet", "documents")])
def test_parquet_round_trips(written: Path, name: str, table: str):
    frames = to_frames(records(), comparison=False)
    back = pd.read_parquet(written / name)
    assert list(back.columns) == list(frames[table].columns)
    assert _records_of(back) == _records_of(frames[table])
    if table == "targets":
        assert str(back["year"].dtype) == "Int64" and back["value"].dtype == "float64"
        assert back["implied"].dtype == bool


def test_parquet_schema_is_fixed_even_when_empty():
    frames = to_frames([], comparison=False)
    schema = pq.read_schema(io.BytesIO(parquet_bytes(frames["targets"])))
    assert schema.names == list(TARGET_COLUMNS)
    assert schema.field("evidence_text").type == pa.string()
    assert schema.field("province_2025").type == pa.string()
    assert schema.field("year").type == pa.int64() and schema.field("value").type == pa.float64()
    assert schema.field("implied").type == pa.bool_()


def test_parquet_bytes_are_deterministic():
    a = to_frames(records(), comparison=False)["targets"]
    b = to_frames(list(reversed(records())), comparison=False)["targets"]
    assert parquet_bytes(a) == parquet_bytes(b)


# --------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------

def test_targets_json_is_a_list_of_records(written: Path):
    raw = written.joinpath("targets.json").read_bytes()
    assert "thư viện cấp huyện".encode() in raw  # Vietnamese unescaped;
    assert raw.count(b"\\u") == 1 and b"\\u000b" in raw  # only the control character is escaped
    rows = json.loads(raw)
    assert isinstance(rows, list) and len(rows) == 10
    assert all(list(r) == list(TARGET_COLUMNS) for r in rows)
    first = rows[0]
    assert first["doc_id"] == "a_national" and first["value"] == 70 and isinstance(first["value"], int)
    assert first["value_max"] is None and first["province"] is None and first["implied"] is False
    decimal = next(r for r in rows if r["indicator"] == "lib.digital")
    assert decimal["value"] == 99.7 and decimal["province_2025"] == "Hải Phòng"
    rng = next(r for r in rows if r["value_max"] is not None)
    assert (rng["value"], rng["value_max"]) == (12, 15)


def test_targets_json_round_trips_through_pandas(written: Path):
    frames = to_frames(records(), comparison=False)
    back = pd.DataFrame(json.loads(written.joinpath("targets.json").read_bytes()))
    assert list(back.columns) == list(TARGET_COLUMNS)
    expected = _records_of(frames["targets"])
    got = _records_of(back)
    for e, g in zip(expected, got, strict=True):
        assert {k: (float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
                for k, v in g.items()} == \
            {k: (float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
             for k, v in e.items()}


def test_json_of_no_targets_is_an_empty_list():
    assert json.loads(json_bytes(to_frames([], comparison=False)["targets"])) == []


# --------------------------------------------------------------------------
# XLSX: the value in bold inside its evidence (pipeline.outputs.annotate)
# --------------------------------------------------------------------------

def _runs(cell) -> list[tuple[str, bool]]:
    """A cell's text as (piece, bold?) runs; a plain string is one run."""
    from openpyxl.cell.rich_text import CellRichText

    value = cell.value
    if isinstance(value, CellRichText):
        return [(b, False) if isinstance(b, str) else (b.text, bool(b.font.b)) for b in value]
    return [(value, bool(cell.font.b))]


@pytest.mark.parametrize("sheet, evidence, value", [
    ("targets", "Đạt 12 - 15% thư viện xã.", "12 - 15%"),           # a range: both ends and the sign
    ("targets", "99,7% thư viện tỉnh.", "99,7%"),                   # a decimal comma, at the start
    ("targets", "Dưới 5% tổ dân phố chưa có.", "5%"),               # a control character dropped first
    ("differences", "Năm 2025: 90% thư viện huyện.", "90%"),        # 2025 is not the value
])
def test_xlsx_evidence_cells_show_the_value_in_bold(written: Path, sheet, evidence, value):
    book = openpyxl.load_workbook(written / "comparison.xlsx", rich_text=True)
    ws = book[sheet]
    col = header_map(ws)["evidence_text"]
    cells = [row[col - 1] for row in ws.iter_rows(min_row=2)]
    cell = next(c for c in cells if "".join(p for p, _ in _runs(c)) == evidence)
    assert [p for p, bold in _runs(cell) if bold] == [value]


def test_xlsx_evidence_cells_keep_their_text(written: Path):
    """Read without rich text, every evidence cell is the evidence as in targets.csv."""
    ws = openpyxl.load_workbook(written / "comparison.xlsx")["targets"]
    col = header_map(ws)["evidence_text"]
    texts = [row[col - 1].value for row in ws.iter_rows(min_row=2)]
    expected = [t.evidence.text.replace("\x0b", "") for r in sorted(records(), key=lambda r: r.doc_id)
                for t in r.targets]
    assert sorted(texts) == sorted(expected)


def test_xlsx_data_sheet_writes_every_kind_of_cell_as_one_put_each():
    """The data sheets write a row's plain cells by a fast path: each cell
    must come out as :func:`pipeline.outputs.xlsx._put` alone writes it
    (texts cleaned, empty texts and missing values blank or formatted
    blanks, booleans, numbers, infinities as text, other objects as text),
    whatever the column's dtype."""
    import datetime

    from pandas.api.types import is_string_dtype

    from pipeline.outputs.xlsx import _Book, _data_sheet, _put, _xlsx_text
    from pipeline.outputs.xlsx_view import SheetView

    frame = pd.DataFrame({
        "text": ["a", "", None, "x\x01y", "\x02", "=1+1", float("nan"), "z" * 40000],
        "mixed": [1, 2.5, True, None, float("inf"), datetime.date(2024, 1, 2), pd.NA, "t"],
        "floats": [1.0, float("nan"), float("-inf"), 0.25, -0.0, 1e20, 3.0, float("inf")],
        "ints": pd.array([1, None, 3, 4, None, 6, 7, 8], dtype="Int64"),
        "cat": pd.Categorical(["p", "q\x03", None, "p", "", "q\x03", "r", "p"]),
        "bools": [True, False, True, False, True, False, True, False],
    })
    formats = {"floats": ["0%", None, "0", "0.0##%", "0", None, '"≤"0', "0"], "ints": ["0"] * 8,
               "text": ["0"] * 4}
    buf = io.BytesIO()
    book = _Book(buf)
    _data_sheet(book, SheetView("fast", frame, formats))
    ws = book.wb.add_worksheet("each")   # the same cells, one _put each
    for j, col in enumerate(frame.columns):
        ws.write_string(0, j, col)
    for i in range(len(frame)):
        for j, col in enumerate(frame.columns):
            given = formats.get(col, [])
            value = frame[col].tolist()[i]   # as the writer has always taken them
            cleaned = frame[col].dtype == object or is_string_dtype(frame[col])   # as measured, too
            _put(ws, i + 1, j, _xlsx_text(value) if cleaned else value,
                 book.number(given[i]) if i < len(given) else None)
    book.wb.close()
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))

    def cells(ws):
        return [[(c.value, c.data_type, c.number_format) for c in row] for row in ws.iter_rows()]

    fast, each = cells(wb["fast"]), cells(wb["each"])
    assert len(fast) == len(frame) + 1
    assert fast == each
    assert fast[2][0] == (None, "n", "0")   # an empty text in a formatted column: a formatted blank
    assert fast[4][0][0] == "xy" and fast[1][1][0] == 1 and fast[3][1][0] is True and fast[5][1][0] == "inf"
