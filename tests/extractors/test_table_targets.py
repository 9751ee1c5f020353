"""A plan whose targets stand only in a table, in both orientations, with
merged header cells, extracts fully (cell evidence is its row's text)."""
from __future__ import annotations

from collections import Counter

from pipeline.extractors.targets import extract_targets
from pipeline.load.document import Cell, Table
from pipeline.segment import segment
from pipeline.text import prepare


def build(before: list[str], grid: list[list[tuple[str, int, int]]]):
    """``grid`` rows of (text, rowspan, colspan) at consecutive free columns."""
    raw = "\n".join(before) + "\n"
    rows = []
    occupied: set[tuple[int, int]] = set()
    for r, spec in enumerate(grid):
        c = 0
        out = []
        for i, (text, rs, cs) in enumerate(spec):
            while (r, c) in occupied:
                c += 1
            if i:
                raw += " | "
            out.append(Cell(text, len(raw), len(raw) + len(text), r, c, rs, cs))
            raw += text
            for dr in range(rs):
                for dc in range(cs):
                    occupied.add((r + dr, c + dc))
            c += cs
        raw += "\n"
        rows.append(out)
    return raw, [Table(0, None, rows)]


def extract(raw, tables, admin_level="province"):
    p = prepare(raw)
    ts, _ = extract_targets(p, segment(p.flow), admin_level, tables)
    for t in ts:
        assert raw[t.evidence.start:t.evidence.end] == t.evidence.text
    return ts, Counter((t.indicator, t.tier, t.year, t.value, t.value_max, t.unit) for t in ts)


def test_rows_are_tiers_columns_are_years_with_merged_header():
    raw, tables = build(
        ["II. MỤC TIÊU", "2. Chỉ tiêu cụ thể",
         "Tỷ lệ thư viện có ứng dụng công nghệ thông tin và chuyển đổi số trong quản lý"],
        [[("Loại thư viện", 2, 1), ("Mục tiêu (%)", 1, 2)],
         [("Năm 2025", 1, 1), ("Năm 2030", 1, 1)],
         [("Thư viện cấp tỉnh", 1, 1), ("100", 1, 1), ("100", 1, 1)],
         [("Thư viện cấp huyện", 1, 1), ("60", 1, 1), ("80", 1, 1)],
         [("Thư viện cơ sở giáo dục phổ thông", 1, 1), ("70", 1, 1), ("12 - 15", 1, 1)]])
    ts, got = extract(raw, tables)
    assert got == Counter([
        ("lib.digital", "province", 2025, 100, None, "percent"), ("lib.digital", "province", 2030, 100, None, "percent"),
        ("lib.digital", "district", 2025, 60, None, "percent"), ("lib.digital", "district", 2030, 80, None, "percent"),
        ("lib.digital", "school", 2025, 70, None, "percent"), ("lib.digital", "school", 2030, 12, 15, "percent")])
    assert {t.evidence.text for t in ts if t.tier == "district"} == {"Thư viện cấp huyện | 60 | 80"}


def test_rows_are_years_columns_are_tiers():
    raw, tables = build(
        ["Đến năm 2030, các Trung tâm Văn hóa - Thể thao có câu lạc bộ, nhóm sở thích đạt tỷ lệ sau:"],
        [[("Năm", 1, 1), ("Cấp huyện", 1, 1), ("Cấp xã", 1, 1)],
         [("2025", 1, 1), ("50%", 1, 1), ("40%", 1, 1)],
         [("2030", 1, 1), ("70%", 1, 1), ("60%", 1, 1)]])
    _, got = extract(raw, tables)
    assert got == Counter([
        ("culture.clubs", "district", 2025, 50, None, "percent"), ("culture.clubs", "commune", 2025, 40, None, "percent"),
        ("culture.clubs", "district", 2030, 70, None, "percent"), ("culture.clubs", "commune", 2030, 60, None, "percent")])


def test_table_rows_are_not_read_twice_as_prose():
    raw, tables = build(["Chỉ tiêu phát triển văn hóa đọc"],
                        [[("Chỉ tiêu", 1, 1), ("Năm 2025", 1, 1)],
                         [("Số bản sách bình quân/người", 1, 1), ("2,5", 1, 1)],
                         [("Tỷ lệ xã có tủ sách cộng đồng (%)", 1, 1), ("80", 1, 1)]])
    ts, got = extract(raw, tables)
    assert got == Counter([("other", "all", 2025, 2.5, None, "count"),
                           ("other", "commune", 2025, 80, None, "percent")])


def test_table_targets_know_their_cell_and_it_is_kept_out_of_the_schema_record():
    from pipeline.models import DocumentRecord

    raw, tables = build(["Chỉ tiêu"], [[("Chỉ tiêu", 1, 1), ("Năm 2025", 1, 1)],
                                       [("Tỷ lệ xã có tủ sách (%)", 1, 1), ("80", 1, 1)]])
    ts, _ = extract(raw, tables)
    assert [(t.cell.table, t.cell.row, t.cell.col, t.cell.header) for t in ts] == [(0, 1, 1, "Năm 2025")]
    rec = DocumentRecord(doc_id="x", source="x", sha256="0", targets=ts)
    assert "cell" not in rec.to_json()["targets"][0]
    assert rec.to_json(with_cells=True)["targets"][0]["cell"]["header"] == "Năm 2025"


def test_row_numbers_are_no_values():
    # an STT column, and a first column counting 1, 2, 3 under section numerals
    raw, tables = build(["Phụ lục: Chỉ tiêu chuyển đổi số"],
                        [[("STT", 1, 1), ("Chỉ tiêu", 1, 1), ("Năm 2026", 1, 1)],
                         [("I", 1, 1), ("Chính quyền số", 1, 1), ("", 1, 1)],
                         [("1", 1, 1), ("Tỷ lệ hồ sơ trực tuyến toàn trình (%)", 1, 1), ("85", 1, 1)],
                         [("2", 1, 1), ("Tỷ lệ văn bản ký số (%)", 1, 1), ("95", 1, 1)]])
    ts, got = extract(raw, tables)
    assert got == Counter([("other", "all", 2026, 85, None, "percent"), ("other", "all", 2026, 95, None, "percent")])
    assert {(t.year_source, t.tier_source) for t in ts} == {("table", "none")}


def test_task_table_without_values_yields_nothing():
    raw, tables = build(["Phụ lục: Nhiệm vụ"],
                        [[("TT", 1, 1), ("Nhiệm vụ", 1, 1), ("Thời gian", 1, 1)],
                         [("1", 1, 1), ("Xây dựng kế hoạch kiểm tra", 1, 1), ("Quý I", 1, 1)],
                         [("2", 1, 1), ("Tổ chức tập huấn cho cán bộ", 1, 1), ("Quý II", 1, 1)]])
    ts, _ = extract(raw, tables)
    assert ts == []


def test_table_cell_tier_comes_from_its_row_label():
    raw, tables = build(["Tỷ lệ thư viện có số hóa tài liệu"],
                        [[("Loại thư viện", 1, 1), ("Năm 2027 (%)", 1, 1)],
                         [("Thư viện cấp huyện", 1, 1), ("60", 1, 1)]])
    ts, _ = extract(raw, tables)
    assert [(t.tier, t.tier_source, t.year_source) for t in ts] == [("district", "table", "table")]


def extract_titled(raw, tables, title):
    p = prepare(raw)
    ts, _ = extract_targets(p, segment(p.flow), "province", tables, None, title)
    return ts, Counter((t.indicator, t.tier, t.year, t.value, t.value_max, t.unit) for t in ts)


PLAN_TITLE = "Kế hoạch chuyển đổi số của tỉnh giai đoạn 2026 - 2030"


def test_a_task_tables_time_column_is_a_period_not_a_value():
    # an appendix of tasks: what to do, who leads, when — no cell is a target,
    # though the title's period dates the table
    raw, tables = build(
        ["PHỤ LỤC", "DANH MỤC NHIỆM VỤ TRIỂN KHAI GIAI ĐOẠN 2026 - 2030"],
        [[("STT", 1, 1), ("Nhiệm vụ", 1, 1), ("Cơ quan chủ trì", 1, 1), ("Thời gian", 1, 1)],
         [("1", 1, 1), ("Số hóa hồ sơ lưu trữ của các xã, phường", 1, 1), ("Sở Nội vụ", 1, 1), ("2026 - 2030", 1, 1)],
         [("2", 1, 1), ("Mở lớp bồi dưỡng kỹ năng số cho cán bộ cấp xã", 1, 1), ("Sở Khoa học", 1, 1),
          ("2027 – 2028", 1, 1)]])
    ts, got = extract_titled(raw, tables, PLAN_TITLE)
    assert got == Counter()


def test_a_range_of_shares_beside_a_period_column_is_still_read():
    raw, tables = build(
        ["2. Chỉ tiêu", "Tỷ lệ hồ sơ được số hóa (%)"],
        [[("Đơn vị", 1, 1), ("Giai đoạn", 1, 1), ("Năm 2030", 1, 1)],
         [("Cấp xã", 1, 1), ("2026 - 2030", 1, 1), ("70 - 80", 1, 1)]])
    ts, got = extract_titled(raw, tables, PLAN_TITLE)
    assert got == Counter([("other", "commune", 2030, 70, 80, "percent")])


def test_a_row_of_column_numbers_is_never_a_value():
    # a form's header, then the row that numbers its columns, then the data
    raw, tables = build(
        ["2. Chỉ tiêu đến năm 2030", "Số câu lạc bộ văn hóa"],
        [[("STT", 1, 1), ("Đơn vị", 1, 1), ("Năm 2028", 1, 1), ("Năm 2029", 1, 1), ("Năm 2030", 1, 1)],
         [("1", 1, 1), ("2", 1, 1), ("3", 1, 1), ("4", 1, 1), ("5", 1, 1)],
         [("1", 1, 1), ("Cấp huyện", 1, 1), ("14", 1, 1), ("16", 1, 1), ("19", 1, 1)]])
    ts, got = extract(raw, tables)
    assert sorted(k[2:4] for k in got) == [(2028, 14), (2029, 16), (2030, 19)], got


def test_a_row_of_column_numbers_after_lettered_columns():
    from pipeline.extractors.targets.tables import _numbers_columns
    assert _numbers_columns(["A", "B", "1", "2", "3"])
    assert _numbers_columns(["(1)", "(2)", "(3)", "(4)"])
    assert not _numbers_columns(["1", "Cấp xã", "70", "80"])
    assert not _numbers_columns(["2", "3", "4"])      # values, not a numbering from 1
    assert not _numbers_columns(["1", "2"])           # too short to tell


def test_a_criteria_tables_groups_go_to_the_group_field():
    # columns of groups that are not levels; the due year from the appendix heading
    raw, tables = build(
        ["PHỤ LỤC", "BỘ TIÊU CHÍ XÃ VĂN MINH GIAI ĐOẠN 2026 - 2030"],
        [[("STT", 2, 1), ("Nội dung tiêu chí", 2, 1), ("Chỉ tiêu theo đối tượng", 1, 3)],
         [("Nhóm 1", 1, 1), ("Nhóm 2", 1, 1), ("Nhóm 3", 1, 1)],
         [("1", 1, 1), ("Tỷ lệ thôn có nhà văn hóa đạt chuẩn", 1, 1), ("≥85%", 1, 1), (">=75%", 1, 1), ("60%", 1, 1)],
         [("2", 1, 1), ("Tỷ lệ hộ gia đình dùng nước chưa sạch", 1, 1), ("≤ 5%", 1, 1), ("<=10%", 1, 1), ("<15%", 1, 1)]])
    ts, _ = extract(raw, tables)
    got = sorted((t.group, t.tier, t.year, t.value, t.direction) for t in ts)
    assert got == [
        # households are no level: tier all; villages (thôn) are
        ("Nhóm 1", "all", 2030, 5, "at_most"), ("Nhóm 1", "village", 2030, 85, "at_least"),
        ("Nhóm 2", "all", 2030, 10, "at_most"), ("Nhóm 2", "village", 2030, 75, "at_least"),
        ("Nhóm 3", "all", 2030, 15, "at_most"), ("Nhóm 3", "village", 2030, 60, "at_least"),
    ], got

    assert {t.year_source for t in ts} == {"heading"}


def test_a_row_group_beside_its_tier():
    raw, tables = build(
        ["Chỉ tiêu đến năm 2030", "Tỷ lệ hộ được công nhận gia đình văn hóa"],
        [[("Đối tượng", 1, 1), ("Năm 2030", 1, 1)],
         [("Xã nhóm 1", 1, 1), ("92%", 1, 1)],
         [("Xã NHÓM 2", 1, 1), ("85%", 1, 1)]])
    ts, _ = extract(raw, tables)
    assert sorted((t.group, t.tier, t.value) for t in ts) == [("Nhóm 1", "commune", 92), ("Nhóm 2", "commune", 85)]
