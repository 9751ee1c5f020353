"""A plan whose targets stand only in tables: one with tiers as rows and
years as columns under a merged "Mục tiêu (%)" header (and a TT column), one
with years as rows and tiers as columns under a merged header.  The prose
around them has no number that is a target."""
from __future__ import annotations

from collections import Counter

from .render import GridTable, Layout, Para, Plan

NAME = "table_plan"

TIERS_BY_YEARS = [
    [("TT", 2, 1), ("Loại thư viện", 2, 1), ("Mục tiêu (%)", 1, 2)],
    [("Năm 2025", 1, 1), ("Năm 2030", 1, 1)],
    [("1", 1, 1), ("Thư viện cấp tỉnh", 1, 1), ("100", 1, 1), ("100", 1, 1)],
    [("2", 1, 1), ("Thư viện cấp huyện", 1, 1), ("60", 1, 1), ("80", 1, 1)],
    [("3", 1, 1), ("Thư viện cấp xã", 1, 1), ("40", 1, 1), ("60", 1, 1)],
    [("4", 1, 1), ("Thư viện cơ sở giáo dục phổ thông", 1, 1), ("70", 1, 1), ("12 - 15", 1, 1)],
]
YEARS_BY_TIERS = [
    [("Năm", 2, 1), ("Tỷ lệ đạt (%)", 1, 2)],
    [("Cấp huyện", 1, 1), ("Cấp xã", 1, 1)],
    [("2025", 1, 1), ("50", 1, 1), ("40", 1, 1)],
    [("2030", 1, 1), ("70", 1, 1), ("60", 1, 1)],
]

#: (indicator, tier, year, value, value_max, unit) of every target the plan sets.
EXPECTED = Counter([
    ("lib.digital", "province", 2025, 100, None, "percent"), ("lib.digital", "province", 2030, 100, None, "percent"),
    ("lib.digital", "district", 2025, 60, None, "percent"), ("lib.digital", "district", 2030, 80, None, "percent"),
    ("lib.digital", "commune", 2025, 40, None, "percent"), ("lib.digital", "commune", 2030, 60, None, "percent"),
    ("lib.digital", "school", 2025, 70, None, "percent"), ("lib.digital", "school", 2030, 12, 15, "percent"),
    ("culture.clubs", "district", 2025, 50, None, "percent"), ("culture.clubs", "commune", 2025, 40, None, "percent"),
    ("culture.clubs", "district", 2030, 70, None, "percent"), ("culture.clubs", "commune", 2030, 60, None, "percent"),
])


def table_plan() -> Plan:
    return Plan(NAME, [
        Layout([(["ỦY BAN NHÂN DÂN", "TỈNH NINH BÌNH"], ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                                         "Độc lập - Tự do - Hạnh phúc"]),
                (["Số: 95/KH-UBND"], ["Ninh Bình, ngày 12 tháng 6 năm 2023"])]),
        Para("KẾ HOẠCH"),
        Para("Phát triển hệ thống thư viện và thiết chế văn hóa phục vụ học tập suốt đời trên địa bàn tỉnh"),
        Para("I. MỤC TIÊU"),
        Para("1. Mục tiêu chung"),
        Para("Đổi mới hoạt động của thư viện, trung tâm văn hóa, tạo điều kiện để người dân được học tập "
             "thường xuyên, góp phần xây dựng xã hội học tập."),
        Para("2. Chỉ tiêu cụ thể"),
        Para("a) Tỷ lệ thư viện có ứng dụng công nghệ thông tin và chuyển đổi số trong quản lý, tổ chức "
             "hoạt động phục vụ việc học tập suốt đời:"),
        GridTable(TIERS_BY_YEARS, heading_rows=2),
        Para("b) Trung tâm Văn hóa - Thể thao có câu lạc bộ, nhóm sở thích, thường xuyên tổ chức các "
             "hoạt động văn hóa văn nghệ thu hút người dân tham gia:"),
        GridTable(YEARS_BY_TIERS, heading_rows=2),
        Para("II. NHIỆM VỤ, GIẢI PHÁP"),
        Para("1. Tuyên truyền, phổ biến nâng cao nhận thức về học tập suốt đời trong thư viện, trung tâm văn hóa."),
        Para("2. Củng cố cơ sở hạ tầng, mạng lưới thư viện; tăng cường ứng dụng công nghệ thông tin và chuyển đổi số."),
        Para("III. TỔ CHỨC THỰC HIỆN"),
        Para("Các sở, ban, ngành và Ủy ban nhân dân các huyện, thành phố căn cứ Kế hoạch này tổ chức thực hiện."),
        Layout([(["Nơi nhận:", "- Như trên;", "- Lưu: VT, VX."], ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH",
                                                                  "PHÓ CHỦ TỊCH", "Trần Song Tùng"])]),
    ])
