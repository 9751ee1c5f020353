"""Target sentences as officials write them, each with its expected rows.

The cases are written in the styles of real plans, with other provinces,
tiers, punctuation and line breaks than the corpus; counter-examples must
yield nothing.  Rows are (indicator, tier, year, value, value_max, unit).
"""
from __future__ import annotations

from collections import Counter

import pytest

from pipeline.extractors.targets import extract_targets
from pipeline.segment import segment
from pipeline.text import prepare


def rows(text: str, admin_level: str | None = None):
    p = prepare(text)
    targets, _ = extract_targets(p, segment(p.flow), admin_level)
    for t in targets:
        assert text[t.evidence.start:t.evidence.end] == t.evidence.text
    return targets


def keyset(targets):
    return Counter((t.indicator, t.tier, t.year, t.value, t.value_max, t.unit) for t in targets)


P, PPY, C = "percent", "percent_per_year", "count"

CASES = [
    ("value_then_year_province",
     "- Phấn đấu Thư viện tỉnh Lâm Đồng đạt 70% (năm 2025) và đạt 90% (năm 2030) có cung cấp dịch vụ phục vụ việc học tập suốt đời cho người sử dụng thư viện.",
     [("lib.service", "province", 2025, 70, None, P), ("lib.service", "province", 2030, 90, None, P)]),
    ("value_then_year_two_tiers_digital",
     "cấp huyện đạt 45% (năm 2025) và 65% (năm 2030); cấp xã đạt 30% (năm 2025) và 50% (năm 2030) có ứng dụng công nghệ thông tin và chuyển đổi số trong quản lý thư viện.",
     [("lib.digital", "district", 2025, 45, None, P), ("lib.digital", "district", 2030, 65, None, P),
      ("lib.digital", "commune", 2025, 30, None, P), ("lib.digital", "commune", 2030, 50, None, P)]),
    ("two_joined_indicators",
     "Thư viện cấp huyện đạt 55% (năm 2025) có cung cấp dịch vụ phục vụ việc học tập suốt đời cho người sử dụng thư viện, ứng dụng công nghệ thông tin và chuyển đổi số trong quản lý.",
     [("lib.service", "district", 2025, 55, None, P), ("lib.digital", "district", 2025, 55, None, P)]),
    ("year_from_heading_museum",
     "2. Mục tiêu cụ thể đến năm 2030\nb) Đối với hệ thống bảo tàng\n- Bảo tàng tỉnh đạt 100% xây dựng chương trình giáo dục lịch sử, văn hóa cho học sinh.",
     [("museum.education", "province", 2030, 100, None, P)]),
    ("year_then_tier_list_with_implied",
     "a) Hệ thống thư viện có cung cấp dịch vụ phục vụ việc học tập suốt đời cho người sử dụng thư viện:\n- Đến năm 2025: Thư viện huyện; 50% thư viện xã, thị trấn; 80% thư viện cơ sở giáo dục phổ thông có cung cấp dịch vụ.",
     [("lib.service", "district", 2025, 100, None, P), ("lib.service", "commune", 2025, 50, None, P),
      ("lib.service", "school", 2025, 80, None, P)]),
    ("year_labelled_items_under_indicator_heading",
     "b) Trung tâm Văn hóa - Thể thao huyện tổ chức, hỗ trợ nhu cầu hoạt động sáng tạo và hưởng thụ văn hóa nghệ thuật:\n- Năm 2025: đạt 75%.\n- Năm 2030: đạt 95%.",
     [("culture.activities", "district", 2025, 75, None, P), ("culture.activities", "district", 2030, 95, None, P)]),
    ("respectively_next_sentence",
     "Phấn đấu đến năm 2025, đạt 100% thư viện cấp tỉnh, 60% thư viện cấp huyện, 30% thư viện cấp xã có cung cấp dịch vụ phục vụ việc học tập suốt đời cho người sử dụng thư viện. Đến năm 2030, đạt 100%, 80% và 50% các chỉ tiêu tương ứng.",
     [("lib.service", "province", 2025, 100, None, P), ("lib.service", "district", 2025, 60, None, P),
      ("lib.service", "commune", 2025, 30, None, P), ("lib.service", "province", 2030, 100, None, P),
      ("lib.service", "district", 2030, 80, None, P), ("lib.service", "commune", 2030, 50, None, P)]),
    ("respectively_same_sentence",
     "Đến năm 2025, thư viện cấp tỉnh và thư viện cấp huyện lần lượt đạt 40% và 60% có ứng dụng công nghệ thông tin và chuyển đổi số.",
     [("lib.digital", "province", 2025, 40, None, P), ("lib.digital", "district", 2025, 60, None, P)]),
    ("growth_range_year_after",
     "Số lượt người sử dụng thư viện tăng bình quân 8 - 10% mỗi năm đến năm 2030.",
     [("lib.users_growth", "all", 2030, 8, 10, PPY)]),
    ("growth_decimal_per_year_slash",
     "Đến năm 2025, số lượt khách tham quan chọn bảo tàng để học tập tăng bình quân 7,5%/năm.",
     [("museum.visitors_growth", "all", 2025, 7.5, None, PPY)]),
    ("range_with_den",
     "Phấn đấu đến năm 2030 có từ 60% đến 70% người dân vùng nông thôn tham gia các hoạt động học tập tại các thiết chế văn hóa.",
     [("culture.participation", "rural", 2030, 60, 70, P)]),
    ("decimal_comma_other_programme",
     "Năm 2025: tỷ lệ người biết chữ trong độ tuổi 15 - 60 đạt 99,7%.",
     [("other", "all", 2025, 99.7, None, P)]),
    ("ratio_all_districts",
     "Đến năm 2030: 10/10 huyện, thị xã có Trung tâm Văn hóa - Thể thao.",
     [("culture.facilities", "district", 2030, 100, None, P)]),
    ("ratio_partial",
     "Phấn đấu đến năm 2025 có 9/12 xã có nhà văn hóa đạt chuẩn.",
     [("culture.facilities", "commune", 2025, 75, None, P)]),
    ("period_count",
     "Từ năm 2026 đến năm 2030, mỗi năm tổ chức ít nhất 2 cuộc thi về văn hóa đọc.",
     [("other", "all", 2030, 2, None, C)]),
    ("at_most_stunting",
     "Đến năm 2025, tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng thể thấp còi giảm xuống còn dưới 24%.",
     [("other", "all", 2025, 24, None, P)]),
    ("more_than_communes",
     "Đến năm 2025, hơn 90% xã, phường, thị trấn có điểm truy cập internet công cộng.",
     [("other", "commune", 2025, 90, None, P)]),
    ("count_range_thousands",
     "Phấn đấu đến năm 2025, thu hút 300.000 đến 400.000 lượt bạn đọc/năm.",
     [("other", "all", 2025, 300000, 400000, C)]),
    ("count_leading_zero",
     "Đến năm 2030, bình quân đạt 04 cuốn sách/người/năm.",
     [("other", "all", 2030, 4, None, C)]),
    ("digital_government_other",
     "Mục tiêu đến năm 2025: 100% thủ tục hành chính đủ điều kiện được cung cấp dưới dạng dịch vụ công trực tuyến toàn trình.",
     [("other", "all", 2025, 100, None, P)]),
    ("nutrition_at_most_year_after",
     "Giảm tỷ lệ suy dinh dưỡng thể thấp còi ở trẻ em dưới 5 tuổi xuống dưới 19% vào năm 2030.",
     [("other", "all", 2030, 19, None, P)]),
    ("hard_wrap_after_percent",
     "Phấn đấu đến năm 2025: 80%\nhọc sinh, sinh viên được tiếp cận thư viện.",
     [("other", "all", 2025, 80, None, P)]),
    ("hard_wrap_inside_year",
     "- Phấn đấu đến năm\n2030, 100% xã có Trung tâm Văn hóa - Thể thao.",
     [("culture.facilities", "commune", 2030, 100, None, P)]),
    ("list_over_communes_and_villages",
     "c) Đối với hệ thống thiết chế văn hóa\n- Đến năm 2030: 100% xã, phường, thị trấn có Trung tâm Văn hóa - Thể thao; 85% thôn, tổ dân phố có Nhà văn hóa.",
     [("culture.facilities", "commune", 2030, 100, None, P), ("culture.facilities", "village", 2030, 85, None, P)]),
    ("urban_rural_participation",
     "Thu hút 60% số dân vùng đô thị và 45% số dân vùng nông thôn tham gia các hoạt động học tập trong các thiết chế văn hóa đến năm 2030.",
     [("culture.participation", "urban", 2030, 60, None, P), ("culture.participation", "rural", 2030, 45, None, P)]),
    ("news_two_tiers",
     "Theo kế hoạch, đến năm 2025, 100% thư viện cấp huyện và 70% thư viện cấp xã được kết nối internet.",
     [("other", "district", 2025, 100, None, P), ("other", "commune", 2025, 70, None, P)]),
    ("news_year_carried_to_next_paragraph",
     "Theo đó, đến năm 2025, tỉnh phấn đấu 90% cơ sở giáo dục phổ thông có thư viện đạt chuẩn.\n\nBên cạnh đó, 75% người dân được tiếp cận dịch vụ thư viện.",
     [("other", "school", 2025, 90, None, P), ("other", "all", 2025, 75, None, P)]),
    ("two_years_each_after_value",
     "Tỷ lệ xã đạt chuẩn văn hóa nông thôn mới đạt 50% vào năm 2025 và 80% vào năm 2030.",
     [("other", "commune", 2025, 50, None, P), ("other", "commune", 2030, 80, None, P)]),
    ("university_libraries",
     "Đến năm 2030, 100% thư viện trường đại học có cung cấp dịch vụ phục vụ việc học tập suốt đời.",
     [("lib.service", "university", 2030, 100, None, P)]),
    ("community_libraries",
     "Phấn đấu đến năm 2025 có 50% thư viện cộng đồng ứng dụng công nghệ thông tin.",
     [("lib.digital", "community", 2025, 50, None, P)]),
    ("specialised_and_armed_forces",
     "Thư viện chuyên ngành, thư viện lực lượng vũ trang đạt 70% vào năm 2030 có cung cấp dịch vụ phục vụ việc học tập suốt đời.",
     [("lib.service", "specialized", 2030, 70, None, P), ("lib.service", "armed_forces", 2030, 70, None, P)]),
    ("growth_item_under_heading",
     "c) Số lượt người sử dụng thư viện phục vụ nhu cầu học tập tăng bình quân:\n- Năm 2025: 8% mỗi năm.\n- Năm 2030: 12 – 15% mỗi năm.",
     [("lib.users_growth", "all", 2025, 8, None, PPY), ("lib.users_growth", "all", 2030, 12, 15, PPY)]),
    ("implied_school_plan",
     "2. Mục tiêu cụ thể\n- Phấn đấu đến năm 2030, thư viện nhà trường có ứng dụng công nghệ thông tin và chuyển đổi số trong quản lý.",
     [("lib.digital", "school", 2030, 100, None, P)]),
    ("crlf_and_nbsp",
     "Thư viện tỉnh Gia Lai đạt\u00a080% (năm 2025)\r\n",
     [("other", "province", 2025, 80, None, P)]),
    ("old_tone_placement",
     "Trung tâm Văn hoá - Thể thao xã đạt 60% (năm 2025) có câu lạc bộ, nhóm sở thích.",
     [("culture.clubs", "commune", 2025, 60, None, P)]),
    ("one_value_two_tiers",
     "Đến năm 2030, 100% thư viện cấp tỉnh, cấp huyện có ứng dụng công nghệ thông tin và chuyển đổi số.",
     [("lib.digital", "province", 2030, 100, None, P), ("lib.digital", "district", 2030, 100, None, P)]),
    ("minimum_communes",
     "Phấn đấu đến năm 2025, tối thiểu 70% xã có thư viện hoặc tủ sách cộng đồng.",
     [("other", "commune", 2025, 70, None, P)]),
    ("staff_share",
     "Đến hết năm 2025: 100% cán bộ thư viện được bồi dưỡng kỹ năng số.",
     [("other", "all", 2025, 100, None, P)]),
    ("public_library_system_digital",
     "Năm 2025, 100% hệ thống thư viện công cộng phát triển hạ tầng số.",
     [("lib.digital", "all", 2025, 100, None, P)]),
    ("units_list_semicolons",
     "Mục tiêu cụ thể đến năm 2025 là 100% khu phố; 90% doanh nghiệp có tủ sách.",
     [("other", "village", 2025, 100, None, P), ("other", "all", 2025, 90, None, P)]),
    ("or_more_people",
     "Đến năm 2030, phấn đấu 95% trở lên người dân trong độ tuổi 15 - 35 biết chữ.",
     [("other", "all", 2030, 95, None, P)]),
    ("not_more_than",
     "Tỷ lệ hộ gia đình tái mù chữ không quá 5% vào năm 2030.",
     [("other", "all", 2030, 5, None, P)]),
    ("heading_tier_for_bare_values",
     "2.3. Đối với trung tâm văn hóa\na) Trung tâm Văn hóa - Thể thao phường có các câu lạc bộ, nhóm sở thích:\n- Năm 2025: đạt 65%.",
     [("culture.clubs", "commune", 2025, 65, None, P)]),
]

COUNTER_EXAMPLES = [
    ("event_day", "Hằng năm tổ chức các hoạt động hưởng ứng Ngày Sách và Văn hóa đọc Việt Nam (21/4), Ngày Di sản văn hóa Việt Nam (23/11)."),
    ("reporting_deadline", "Định kỳ báo cáo kết quả thực hiện về Sở Văn hóa, Thể thao và Du lịch trước ngày 15/12 hằng năm."),
    ("period", "Thực hiện Chương trình chuyển đổi số ngành thư viện giai đoạn 2021 - 2030."),
    ("document_number", "Thực hiện Quyết định số 1520/QĐ-TTg ngày 09/12/2022 của Thủ tướng Chính phủ."),
    ("anniversary", "Là công trình chào mừng kỷ niệm 62 năm Ngày thành lập quận."),
    ("distribution_list", "- UBND 12 phường;\n- Lưu: VT, KGVX (02b)."),
    ("solution_groups", "Để đạt được mục tiêu, tỉnh sẽ triển khai 07 nhóm giải pháp."),
    ("month_milestone", "- Tháng 3/2023: Xây dựng và triển khai Kế hoạch."),
    ("age_range", "Tổ chức lớp xóa mù chữ cho người trong độ tuổi 15-60."),
    ("past_result", "Năm 2022, toàn tỉnh đã có 85% xã có nhà văn hóa."),
    ("results_section", "I. KẾT QUẢ THỰC HIỆN\n1. Năm 2023\n- Thư viện tỉnh đạt 70% kế hoạch năm 2023."),
    ("dateline", "Hà Nội (TTXVN 18/11) Theo Chiến lược phát triển văn hóa."),
    ("effective_date", "Điều 3. Quyết định này có hiệu lực thi hành kể từ ngày ký."),
    ("funding_no_year", "Kinh phí thực hiện từ nguồn ngân sách nhà nước theo phân cấp hiện hành."),
]


@pytest.mark.parametrize("text,expected", [pytest.param(t, e, id=i) for i, t, e in CASES])
def test_target_rows(text, expected):
    got = keyset(rows(text))
    assert got == Counter(expected)


@pytest.mark.parametrize("text", [pytest.param(t, id=i) for i, t in COUNTER_EXAMPLES])
def test_counter_examples_yield_nothing(text):
    assert rows(text) == []


def test_enough_cases():
    assert len(CASES) >= 40 and len(COUNTER_EXAMPLES) >= 10


def test_direction_and_period():
    t = rows("Tỷ lệ hộ gia đình tái mù chữ không quá 5% vào năm 2030.")[0]
    assert t.direction == "at_most"
    t = rows("Đến năm 2025, hơn 90% xã có điểm truy cập internet công cộng.")[0]
    assert t.direction == "at_least"
    t = rows("Phấn đấu từ năm 2025 đến năm 2030, số lượt người sử dụng thư viện tăng bình quân 10% mỗi năm.")[0]
    assert (t.year, t.period_start, t.unit) == (2030, 2025, PPY)


def test_implied_flag_and_default_tier():
    ts = rows("2. Mục tiêu cụ thể\n- Phấn đấu từ năm 2025 đến năm 2030, thư viện có cung cấp dịch vụ phục vụ việc học tập suốt đời cho người sử dụng thư viện.",
              admin_level="school")
    assert [(t.tier, t.value, t.implied, t.period_start) for t in ts] == [("school", 100, True, 2025)]


def test_percent_sign_in_heading():
    ts = rows("a) Tỷ lệ thôn, bản có nhà văn hóa (%):\n- Năm 2025: 85.")
    assert keyset(ts) == Counter([("culture.facilities", "village", 2025, 85, None, P)])


@pytest.mark.parametrize("text,expected", [
    pytest.param("Đến 2025, 100% xã có Trung tâm Văn hóa - Thể thao.",
                 [("culture.facilities", "commune", 2025, 100, None, P)], id="year_without_nam"),
    pytest.param("- Giai đoạn 2021 - 2025: 80% xã, phường có tủ sách pháp luật.",
                 [("other", "commune", 2025, 80, None, P)], id="period_label"),
    pytest.param("Đến năm 2030, số người đọc sách tăng 20% so với năm 2020.",
                 [("other", "all", 2030, 20, None, P)], id="baseline_year_is_not_due_year"),
])
def test_more_year_forms(text, expected):
    assert keyset(rows(text)) == Counter(expected)


def test_money_is_not_a_count_target():
    assert rows("Đến năm 2025, tổng kinh phí thực hiện là 5 tỷ đồng.") == []


@pytest.mark.parametrize("text,expected", [
    pytest.param("- Phấn đấu đến năm 2025, đạt 100% thư viện công cộng cấp tỉnh, 70% thư viện công cộng cấp huyện có cung cấp dịch vụ phục vụ việc học tập suốt đời cho người sử dụng thư viện; đến năm 2030 đạt tương ứng là 100% và 90%.",
                 [("lib.service", "province", 2025, 100, None, P), ("lib.service", "district", 2025, 70, None, P),
                  ("lib.service", "province", 2030, 100, None, P), ("lib.service", "district", 2030, 90, None, P)],
                 id="respectively_in_a_later_segment"),
    pytest.param("- Số lượt người sử dụng thư viện tăng bình quân 5%/năm giai đoạn 2023 - 2025 và 5 - 10%/năm giai đoạn 2026 - 2030.",
                 [("lib.users_growth", "all", 2025, 5, None, PPY), ("lib.users_growth", "all", 2030, 5, 10, PPY)],
                 id="growth_with_periods_after"),
    pytest.param("- Năm 2024: 50% số xã có Nhà văn hóa đạt chuẩn; năm 2025: 70%.",
                 [("culture.facilities", "commune", 2024, 50, None, P), ("culture.facilities", "commune", 2025, 70, None, P)],
                 id="bare_segment_takes_previous_subject"),
    pytest.param("Đến năm 2030 có ít nhất 01 mô hình thư viện thông minh tại mỗi huyện.",
                 [("other", "district", 2030, 1, None, C)], id="count_per_tier_after"),
])
def test_list_and_period_forms(text, expected):
    assert keyset(rows(text)) == Counter(expected)


# The national programme's own wording, which local plans copy.
@pytest.mark.parametrize("text,expected", [
    pytest.param("b) Đối với hệ thống bảo tàng\n- Phấn đấu đến năm 2025, đạt 60% và đến năm 2030 đạt 80% bảo tàng xây dựng và triển khai Chương trình giáo dục lịch sử, văn hóa, khoa học, nghệ thuật cho mọi người dân.",
                 [("museum.education", "all", 2025, 60, None, P), ("museum.education", "all", 2030, 80, None, P)],
                 id="two_years_one_subject_after"),
    pytest.param("c) Đối với hệ thống trung tâm văn hóa\n- Phấn đấu đến năm 2025, đạt 60% và đến năm 2030 đạt 80% trung tâm văn hóa cấp tỉnh; đạt 50% và đến năm 2030 đạt 70% trung tâm văn hóa cấp huyện tổ chức, hỗ trợ nhu cầu hoạt động sáng tạo và hưởng thụ văn hóa nghệ thuật.",
                 [("culture.activities", "province", 2025, 60, None, P), ("culture.activities", "province", 2030, 80, None, P),
                  ("culture.activities", "district", 2025, 50, None, P), ("culture.activities", "district", 2030, 70, None, P)],
                 id="parallel_segments_share_predicate_and_years"),
    pytest.param("- Phấn đấu đến năm 2025, thu hút 20% số dân ở đô thị và 10% số dân ở nông thôn; đến năm 2030, đạt 30% và 20% tham gia các hoạt động phục vụ cho mục đích học tập trong các thiết chế văn hóa, thể thao.",
                 [("culture.participation", "urban", 2025, 20, None, P), ("culture.participation", "rural", 2025, 10, None, P),
                  ("culture.participation", "urban", 2030, 30, None, P), ("culture.participation", "rural", 2030, 20, None, P)],
                 id="bare_values_map_onto_previous_segment"),
    pytest.param("Đến năm 2030, mỗi năm tăng 5% số lượt bạn đọc đến thư viện.",
                 [("lib.users_growth", "all", 2030, 5, None, PPY)], id="growth_mỗi_năm_tăng"),
    pytest.param("Đến năm 2025, 100% (10/10) huyện có thư viện đạt chuẩn.",
                 [("other", "district", 2025, 100, None, P)], id="ratio_in_brackets_after_percent"),
])
def test_national_wording(text, expected):
    assert keyset(rows(text)) == Counter(expected)


def test_values_due_before_the_issue_year_are_past_results():
    p = prepare("Năm 2022, tỷ lệ xã có thư viện đạt 60%. Đến năm 2025, tỷ lệ xã có thư viện đạt 80%.")
    ts, warnings = extract_targets(p, segment(p.flow), issue_year=2023)
    assert [(t.year, t.value) for t in ts] == [(2025, 80)]
    assert warnings and "past" in warnings[0]


def test_funding_section_is_not_read():
    assert rows("IV. KINH PHÍ THỰC HIỆN\nĐến năm 2025, ngân sách tỉnh bảo đảm 70% kinh phí thực hiện.") == []


def test_values_without_a_year_are_kept_with_a_warning():
    p = prepare("Phấn đấu 80% xã có thư viện.")
    ts, warnings = extract_targets(p, segment(p.flow))
    assert [(t.year, t.value, t.tier, t.year_source, t.tier_source) for t in ts] == [
        (None, 80, "commune", "none", "clause")]
    assert warnings and "no year" in warnings[0]


def test_past_filter_keeps_values_without_a_year():
    p = prepare("Năm 2022, tỷ lệ xã có thư viện đạt 60%. Phấn đấu 90% thôn có tủ sách.")
    ts, _ = extract_targets(p, segment(p.flow), issue_year=2023)
    assert [(t.year, t.value) for t in ts] == [(None, 90)]


def test_values_with_years_before_their_subject():
    ts = rows("Phấn đấu đạt 70% (năm 2025) và 90% (năm 2030) thư viện cấp tỉnh; 50% (năm 2025) và 70% (năm 2030) thư viện cấp huyện có ứng dụng công nghệ thông tin và chuyển đổi số.")
    assert keyset(ts) == Counter([
        ("lib.digital", "province", 2025, 70, None, P), ("lib.digital", "province", 2030, 90, None, P),
        ("lib.digital", "district", 2025, 50, None, P), ("lib.digital", "district", 2030, 70, None, P)])


@pytest.mark.parametrize("text,expected", [
    pytest.param("a) Đến năm 2025:\n- 100% thư viện cấp tỉnh, 80% thư viện cấp huyện được số hóa tài liệu;\n- Tỷ lệ người dân sử dụng dịch vụ thư viện số đạt 30%.",
                 [("lib.digital", "province", 2025, 100, None, P), ("lib.digital", "district", 2025, 80, None, P),
                  ("other", "all", 2025, 30, None, P)],
                 id="share_of_people_is_not_an_institution_indicator"),
    pytest.param("Tăng số lượng bản sách trong thư viện tỉnh lên 500.000 bản vào năm 2030.",
                 [("other", "all", 2030, 500000, None, C)], id="count_raised_to"),
])
def test_people_and_counts(text, expected):
    assert keyset(rows(text)) == Counter(expected)


# Dense values: the reader is linear in the number of values per sentence and
# block (issue 9, item 1).  These assert completion and the rows; the time per
# size is measured by the bench, not here.
def test_four_hundred_values_in_one_sentence():
    text = "Đến năm 2030: " + ", ".join(f"{v}% thôn có tủ sách" for v in range(1, 401)) + "."
    ts = rows(text)
    assert len(ts) == 400
    assert {(t.year, t.tier, t.unit) for t in ts} == {(2030, "village", P)}
    assert sorted(t.value for t in ts) == list(range(1, 401))


@pytest.mark.parametrize("sep,kb", [(", ", 200), (". ", 64), (" và ", 64), ("; ", 64)],
                         ids=["comma_200kb", "stop_64kb", "va_64kb", "semicolon_64kb"])
def test_dense_repeated_values_complete(sep, kb):
    unit = "đạt 50%" + sep
    text = "Đến năm 2025, " + unit * (kb * 1024 // len(unit.encode()))
    ts = rows(text)
    # one value repeated is one target, never one per repetition
    assert [(t.year, t.value, t.unit) for t in ts] == [(2025, 50, P)]


# ----------------------------------------------------------------------------
# The scope model (docs/targets.md): cases of issue 7's phenomena, written for
# other provinces and programmes (education, digital transformation, culture
# movements).  Rows are (indicator, tier, year, value, value_max, unit).

SCOPE_CASES = [
    # per-clause years inside one sentence
    ("clause_years_raise_to",
     "Phấn đấu đến năm 2026 có 40% giáo viên tiểu học đạt chuẩn kỹ năng số và nâng lên 70% vào năm 2030.",
     [("other", "all", 2026, 40, None, P), ("other", "all", 2030, 70, None, P)]),
    ("clause_years_tien_toi",
     "Đến năm 2027, tỷ lệ hồ sơ được số hóa đạt 35%, tiến tới 60% vào năm 2030.",
     [("other", "all", 2027, 35, None, P), ("other", "all", 2030, 60, None, P)]),
    ("clause_year_after_value_plain",
     "Tỷ lệ người dân có tài khoản định danh điện tử đạt 55% năm 2026 và 80% năm 2028.",
     [("other", "all", 2026, 55, None, P), ("other", "all", 2028, 80, None, P)]),
    ("clause_year_each_segment",
     "Năm 2026, 30% trường trung học cơ sở có phòng học thông minh; năm 2029, 75% trường trung học cơ sở có phòng học thông minh.",
     [("other", "school", 2026, 30, None, P), ("other", "school", 2029, 75, None, P)]),
    ("due_year_later_in_own_clause",
     "Bảo đảm ít nhất 30% trường học đạt chuẩn chuyển đổi số trong năm 2026, phấn đấu đến năm 2030 đạt 80%.",
     [("other", "school", 2026, 30, None, P), ("other", "all", 2030, 80, None, P)]),
    ("clause_year_trong_nam",
     "Ít nhất 45% số xã đạt chuẩn tiếp cận pháp luật trong năm 2026, phấn đấu đến năm 2030 đạt 90% số xã.",
     [("other", "commune", 2026, 45, None, P), ("other", "commune", 2030, 90, None, P)]),
    ("clause_year_in_brackets_each",
     "Tỷ lệ thôn có đội văn nghệ quần chúng đạt 60% (năm 2026), 85% (năm 2030).",
     [("other", "village", 2026, 60, None, P), ("other", "village", 2030, 85, None, P)]),
    # periods as scope
    ("period_in_sentence",
     "Trong giai đoạn 2026 - 2030, phấn đấu 90% học sinh trung học phổ thông được học kỹ năng an toàn trên không gian mạng.",
     [("other", "all", 2030, 90, None, P)]),
    ("period_heading_over_vision_title",
     "II. MỤC TIÊU\n2. Mục tiêu cụ thể giai đoạn 2026 - 2030:\n- 100% xã có điểm phục vụ bưu chính - văn hóa kết nối internet băng rộng.",
     [("other", "commune", 2030, 100, None, P)]),
    ("period_dash_no_spaces",
     "Mục tiêu thực hiện giai đoạn 2025-2028, phấn đấu 65% hộ gia đình đạt danh hiệu gia đình văn hóa.",
     [("other", "all", 2028, 65, None, P)]),
    ("period_from_year_to_year",
     "Từ năm 2026 đến năm 2029, mỗi năm có thêm 5 mô hình tủ sách lớp học trong trường học.",
     [("other", "school", 2029, 5, None, C)]),
    ("period_label_item",
     "- Giai đoạn 2031 - 2035: tối thiểu 80% cơ sở giáo dục nghề nghiệp dạy học trực tuyến.",
     [("other", "school", 2035, 80, None, P)]),
    ("period_after_growth_value",
     "Số người học trực tuyến tăng bình quân 12%/năm giai đoạn 2026 - 2030.",
     [("other", "all", 2030, 12, None, PPY)]),
    ("period_backref_next_sentence",
     "Kế hoạch được thực hiện trong giai đoạn 2026 - 2029. Giai đoạn này, phấn đấu 75% thôn, bản có tủ sách cộng đồng.",
     [("other", "village", 2029, 75, None, P)]),
    ("period_backref_thoi_ky_noi_tren",
     "Chương trình triển khai từ năm 2025 đến năm 2028.\nTrong thời kỳ nói trên, bảo đảm 100% trường tiểu học có phòng học ngoại ngữ.",
     [("other", "school", 2028, 100, None, P)]),
    ("period_backref_with_no_period_in_reach",
     "Giai đoạn này, phấn đấu 100% hồ sơ thủ tục hành chính được số hóa.",
     [("other", "all", None, 100, None, P)]),
    # lead-ins across paragraphs
    ("lead_in_covers_paragraphs",
     "Kế hoạch đặt ra các mục tiêu đến năm 2028 như sau:\n\nTỷ lệ trường học có thư viện thân thiện đạt 70%.\n\nTỷ lệ giáo viên được bồi dưỡng kỹ năng số đạt 85%.",
     [("other", "school", 2028, 70, None, P), ("other", "all", 2028, 85, None, P)]),
    ("lead_in_items_bare_values",
     "Phấn đấu đến năm 2027 đạt các chỉ tiêu sau:\n- Tỷ lệ dân số trưởng thành có chữ ký số cá nhân: 40%;\n- Tỷ lệ doanh nghiệp dùng hóa đơn điện tử: 100%.",
     [("other", "all", 2027, 40, None, P), ("other", "all", 2027, 100, None, P)]),
    ("lead_in_sub_list",
     "Mục tiêu đến năm 2030:\na) Về giáo dục:\n- 100% trường học kết nối internet cáp quang;\n- 80% học sinh được học bơi an toàn.",
     [("other", "school", 2030, 100, None, P), ("other", "all", 2030, 80, None, P)]),
    ("heading_year_scopes_block",
     "2.2. Định hướng đến năm 2035\n- 95% hộ gia đình ở khu vực nông thôn được sử dụng nước sạch.\n- 100% thôn có nhà văn hóa.",
     [("other", "rural", 2035, 95, None, P), ("culture.facilities", "village", 2035, 100, None, P)]),
    ("next_heading_ends_scope",
     "1. Mục tiêu đến năm 2026\n- 50% xã có tủ sách cộng đồng.\n2. Mục tiêu đến năm 2030\n- 90% xã có tủ sách cộng đồng.",
     [("other", "commune", 2026, 50, None, P), ("other", "commune", 2030, 90, None, P)]),
    # baselines and results beside targets
    ("baseline_from_to",
     "Nâng tỷ lệ người dân tham gia tập luyện thể thao thường xuyên từ 31% năm 2020 lên 38% năm 2025.",
     [("other", "all", 2025, 38, None, P)]),
    ("baseline_from_to_two_targets",
     "Tỷ lệ trẻ em được tiêm chủng đầy đủ tăng từ 88% năm 2021 lên 93% năm 2025 và 96% năm 2030.",
     [("other", "all", 2025, 93, None, P), ("other", "all", 2030, 96, None, P)]),
    ("result_paragraph_before_targets",
     "Năm 2023, toàn huyện đã có 92% hộ gia đình đạt danh hiệu gia đình văn hóa.\nĐến năm 2026, phấn đấu 95% hộ gia đình đạt danh hiệu gia đình văn hóa.",
     [("other", "all", 2026, 95, None, P)]),
    ("baseline_compared_with",
     "Đến năm 2027, số lượt truy cập thư viện số tăng 30% so với năm 2023.",
     [("other", "all", 2027, 30, None, P)]),
    # tier inside the counted phrase
    ("tier_two_levels_in_phrase",
     "Đến năm 2028, 100% cán bộ trong các đơn vị học tập cấp xã, cấp huyện được bồi dưỡng kỹ năng số.",
     [("other", "commune", 2028, 100, None, P), ("other", "district", 2028, 100, None, P)]),
    ("tier_members_of_commune_association",
     "Năm 2026, 70% thành viên Hội Khuyến học cấp xã tham gia học tập trực tuyến.",
     [("other", "commune", 2026, 70, None, P)]),
    ("tier_on_commune_territory",
     "Đến năm 2030, 80% đơn vị học tập trên địa bàn cấp xã đạt danh hiệu đơn vị học tập.",
     [("other", "commune", 2030, 80, None, P)]),
    ("tier_schools",
     "Đến năm 2027, 100% trường học có kết nối internet tốc độ cao.",
     [("other", "school", 2027, 100, None, P)]),
    ("tier_province_libraries_public",
     "Đến năm 2029, 100% thư viện công cộng cấp tỉnh, thành phố trực thuộc trung ương có dịch vụ mượn sách tự động.",
     [("other", "province", 2029, 100, None, P)]),
    ("tier_from_heading_for_ratio",
     "Mục tiêu đến năm 2026\nĐối với cấp huyện:\n- 6/6 đơn vị có trung tâm chuyển đổi số.",
     [("other", "district", 2026, 100, None, P)]),
    ("tier_people_without_level_word",
     "Đến năm 2028, 75% người dân có kỹ năng số cơ bản.",
     [("other", "all", 2028, 75, None, P)]),
    ("tier_commune_officials",
     "Đến năm 2026, 100% cán bộ, công chức cấp xã sử dụng chữ ký số.",
     [("other", "commune", 2026, 100, None, P)]),
    ("tier_university",
     "Đến năm 2030, 90% cơ sở giáo dục đại học có học liệu số dùng chung.",
     [("other", "university", 2030, 90, None, P)]),
    # counts and ranges as targets
    ("count_establish_new",
     "Đến năm 2027, thành lập mới 04 thư viện cấp xã.",
     [("other", "commune", 2027, 4, None, C)]),
    ("count_year_label",
     "Năm 2026: 86 xã, phường đạt chuẩn văn hóa.",
     [("other", "commune", 2026, 86, None, C)]),
    ("count_or_more",
     "Đến năm 2028, có từ 30 thôn trở lên đạt chuẩn thôn văn hóa kiểu mẫu.",
     [("other", "village", 2028, 30, None, C)]),
    ("count_range_from_to",
     "Đến năm 2030, thu hút từ 18.000 đến 22.000 lượt khách/năm đến các di tích của huyện.",
     [("other", "all", 2030, 18000, 22000, C)]),
    ("count_publish",
     "Năm 2026, xuất bản 03 ấn phẩm giới thiệu di sản văn hóa phi vật thể của tỉnh.",
     [("other", "all", 2026, 3, None, C)]),
    ("count_at_least_per_school",
     "Đến năm 2028, mỗi trường học có ít nhất 01 phòng tư vấn tâm lý học đường.",
     [("other", "school", 2028, 1, None, C)]),
    ("count_build_new_areas",
     "Năm 2026, xây dựng mới 12 địa bàn cấp xã không ma túy.",
     [("other", "commune", 2026, 12, None, C)]),
    ("range_percent_dash",
     "Đến năm 2030, 60 - 70% người cao tuổi tham gia câu lạc bộ dưỡng sinh.",
     [("other", "all", 2030, 60, 70, P)]),
    # no duplicates
    ("one_row_for_restated_subheading",
     "a) Trên 75% xã đạt chuẩn tiếp cận pháp luật.\nĐến năm 2025, phấn đấu trên 75% xã đạt chuẩn tiếp cận pháp luật theo quy định.",
     [("other", "commune", 2025, 75, None, P)]),
    ("no_all_row_beside_tier",
     "Đến năm 2027, 90% thư viện cấp huyện được kết nối liên thông.",
     [("other", "district", 2027, 90, None, P)]),
    ("title_village_earns_is_no_facility",
     "Đến năm 2026, 100% thôn có nhà văn hóa; 85% thôn đạt tiêu chuẩn thôn văn hóa.",
     [("culture.facilities", "village", 2026, 100, None, P), ("other", "village", 2026, 85, None, P)]),
    # headings and periods further out
    ("period_block_minimum",
     "Giai đoạn 2031 - 2035:\n- Tối thiểu 85% người lao động qua đào tạo có kỹ năng số.",
     [("other", "all", 2035, 85, None, P)]),
    ("earlier_year_then_later_goal",
     "Ít nhất 35% địa bàn cấp xã không ma túy trong năm 2026, phấn đấu đến năm 2030 có 60% địa bàn cấp xã không ma túy.",
     [("other", "commune", 2026, 35, None, P), ("other", "commune", 2030, 60, None, P)]),
    ("heading_year_over_items",
     "3. Chỉ tiêu đến năm 2027\n3.1. Về chuyển đổi số\n- 100% hồ sơ công việc cấp huyện được xử lý trên môi trường mạng.",
     [("other", "district", 2027, 100, None, P)]),
    # words containing tier words are no tiers
    ("cooperative_is_no_commune",
     "Đến năm 2028, 60% hợp tác xã nông nghiệp ứng dụng công nghệ số trong tiêu thụ sản phẩm.",
     [("other", "all", 2028, 60, None, P)]),
    ("society_is_no_commune",
     "Đến năm 2027, 80% tổ chức xã hội nghề nghiệp tham gia phong trào học tập suốt đời.",
     [("other", "all", 2027, 80, None, P)]),
    # education, digital transformation, culture movements
    ("education_literacy",
     "Phấn đấu đến năm 2026, 98,5% người trong độ tuổi 15 - 35 biết chữ mức độ 2.",
     [("other", "all", 2026, 98.5, None, P)]),
    ("education_kindergarten",
     "Đến năm 2030, 100% trường mầm non đạt chuẩn quốc gia mức độ 1.",
     [("other", "school", 2030, 100, None, P)]),
    ("digital_public_services",
     "Năm 2026: 90% hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình.",
     [("other", "all", 2026, 90, None, P)]),
    ("digital_at_least",
     "Đến năm 2027, tối thiểu 70% doanh nghiệp nhỏ và vừa sử dụng nền tảng số.",
     [("other", "all", 2027, 70, None, P)]),
    ("digital_ratio_communes",
     "Đến năm 2026, 18/18 xã có tổ công nghệ số cộng đồng hoạt động hiệu quả.",
     [("other", "commune", 2026, 100, None, P)]),
    ("culture_movement_families",
     "Hằng năm có trên 90% hộ gia đình đạt danh hiệu gia đình văn hóa đến năm 2030.",
     [("other", "all", 2030, 90, None, P)]),
    ("culture_movement_residential",
     "Đến năm 2028, 85% khu dân cư đạt danh hiệu khu dân cư văn hóa.",
     [("other", "village", 2028, 85, None, P)]),
    ("culture_centres_commune",
     "Đến năm 2027, 100% xã, phường có Trung tâm Văn hóa - Thể thao.",
     [("culture.facilities", "commune", 2027, 100, None, P)]),
    ("at_most_dropout",
     "Đến năm 2028, tỷ lệ học sinh bỏ học ở cấp trung học cơ sở giảm xuống dưới 0,5%.",
     [("other", "all", 2028, 0.5, None, P)]),
    ("multi_value_items_under_lead",
     "Đến năm 2029, huyện phấn đấu đạt các chỉ tiêu:\n+ 100% trường tiểu học dạy tiếng Anh từ lớp 1;\n+ 95% trẻ 5 tuổi được học 2 buổi/ngày.",
     [("other", "school", 2029, 100, None, P), ("other", "all", 2029, 95, None, P)]),
    ("heading_tier_commune_items",
     "Mục tiêu đến năm 2027\nĐối với cấp xã:\n- 100% đơn vị có bộ phận một cửa số.",
     [("other", "commune", 2027, 100, None, P)]),
    ("year_in_parentheses_two_tiers",
     "Thư viện cấp huyện đạt 50% (năm 2026) và thư viện cấp xã đạt 30% (năm 2026) có số hóa tài liệu địa chí.",
     [("lib.digital", "district", 2026, 50, None, P), ("lib.digital", "commune", 2026, 30, None, P)]),
    ("count_per_year_visitors",
     "Đến năm 2030, bảo tàng tỉnh đón 120.000 lượt khách/năm.",
     [("other", "all", 2030, 120000, None, C)]),
    ("growth_average_yearly",
     "Giai đoạn 2026 - 2030, số lượt bạn đọc đến thư viện tăng bình quân 6%/năm.",
     [("lib.users_growth", "all", 2030, 6, None, PPY)]),
    ("villages_ratio_heading_year",
     "3. Chỉ tiêu đến năm 2028\n- 42/45 thôn, bản có nhà văn hóa đạt chuẩn.",
     [("culture.facilities", "village", 2028, 93.33, None, P)]),
    ("at_most_not_exceed",
     "Đến năm 2027, tỷ lệ hồ sơ giải quyết trễ hạn không quá 2%.",
     [("other", "all", 2027, 2, None, P)]),
    ("result_before_goal_in_sentence",
     "Số đội văn nghệ năm 2021 đạt 240 đội, phấn đấu đến năm 2027 có 320 đội văn nghệ quần chúng.",
     [("other", "all", 2027, 320, None, C)]),
    ("baseline_percent_before_goal",
     "Tỷ lệ hộ dùng internet cáp quang đạt 64% năm 2022, cho đến năm 2026 đạt 85%.",
     [("other", "all", 2026, 85, None, P)]),
    ("assessment_sentence_then_goal",
     "Qua 5 năm thực hiện, toàn huyện có 91% hộ đạt gia đình văn hóa; mục tiêu đến năm 2030 đạt 95% hộ gia đình văn hóa.",
     [("other", "all", 2030, 95, None, P)]),
    ("due_year_before_later_goal_is_kept",
     "Hoàn thành 50% số thôn có camera an ninh trong năm 2026, phấn đấu đến năm 2028 đạt 100% số thôn có camera an ninh.",
     [("other", "village", 2026, 50, None, P), ("other", "village", 2028, 100, None, P)]),
    ("count_have_after_year",
     "Năm 2028 có 45 câu lạc bộ dân ca trên địa bàn tỉnh.",
     [("other", "all", 2028, 45, None, C)]),
    ("later_value_reads_only_its_own_words",
     "Đến năm 2029, 100% xã có thiết chế văn hóa đạt chuẩn, tỷ lệ khu phố văn minh đạt 75%.",
     [("culture.facilities", "commune", 2029, 100, None, P), ("other", "village", 2029, 75, None, P)]),
    ("list_of_titles_each_with_own_subject",
     "Đến năm 2030, 100% xã có nhà văn hóa, làng văn hóa đạt 70%, khu phố văn hóa đạt 80% theo tiêu chí mới.",
     [("culture.facilities", "commune", 2030, 100, None, P), ("other", "village", 2030, 70, None, P),
      ("other", "village", 2030, 80, None, P)]),
    ("same_target_later_years_respectively",
     "Đến năm 2027, phấn đấu 20% số thôn có tủ sách cộng đồng; đến năm 2030 đạt 60% chỉ tiêu tương ứng và đạt 95% vào năm 2040.",
     [("other", "village", 2027, 20, None, P), ("other", "village", 2030, 60, None, P),
      ("other", "village", 2040, 95, None, P)]),
    ("same_target_with_words_of_its_own_respectively",
     "Đến năm 2026, phấn đấu 10% số xã xây dựng mô hình điểm đọc sách; đến năm 2030 nhân rộng mô hình đạt 45% chỉ tiêu tương ứng.",
     [("other", "commune", 2026, 10, None, P), ("other", "commune", 2030, 45, None, P)]),
    ("count_with_thousands_separator_is_no_year",
     "Phấn đấu đến năm 2026 có 1.800 hội viên, năm 2030 có 2.000 hội viên câu lạc bộ dưỡng sinh.",
     [("other", "all", 2026, 1800, None, C), ("other", "all", 2030, 2000, None, C)]),
    ("undated_headline_then_dated_value",
     "Phấn đấu 48% dân số đọc sách thường xuyên.\nChỉ tiêu này đạt 40% vào năm 2026 và 48% vào năm 2030.",
     [("other", "all", 2026, 40, None, P), ("other", "all", 2030, 48, None, P)]),
    ("staff_take_their_institutions_tier",
     "Đến năm 2027, 60% người làm công tác thư viện tại thư viện cấp huyện được bồi dưỡng nghiệp vụ số.",
     [("other", "district", 2027, 60, None, P)]),
    ("users_do_not_take_institutions_tier",
     "Đến năm 2027, 60% học sinh tại các trường học được đọc sách điện tử miễn phí.",
     [("other", "all", 2027, 60, None, P)]),
    ("learning_families",
     "Đến năm 2030, 70% gia đình đạt danh hiệu gia đình học tập; 65% dòng họ đạt danh hiệu dòng họ học tập.",
     [("other", "all", 2030, 70, None, P), ("other", "all", 2030, 65, None, P)]),
]

SCOPE_COUNTER_EXAMPLES = [
    # undated rates with no goal anywhere above them are provisions, not targets
    ("undated_fine_provision", "Phạt tiền đến 15% mức phạt tối đa đối với hành vi vi phạm tương ứng."),
    ("undated_interest_rate", "Người gửi tiết kiệm kỳ hạn 6 tháng được hưởng lãi suất 4,5%."),
    ("condition_exemption", "Nơi có tỷ lệ hộ nghèo trên 30% có thể điều chỉnh mục tiêu cho phù hợp."),
    ("activity_quota_per_quarter", "Đài Truyền thanh xã đăng ít nhất 04 tin, bài mỗi quý về chuyển đổi số."),
    ("activity_quota_training", "Sở Giáo dục và Đào tạo tổ chức 02 lớp tập huấn cho giáo viên cốt cán."),
    ("activity_quota_monthly", "Duy trì giao ban ít nhất 01 lần/tháng giữa các thành viên Ban Chỉ đạo."),
    ("activity_quota_per_term", "Mỗi học kỳ tổ chức ít nhất 1 buổi ngoại khóa về an toàn giao thông."),
    ("result_already_reached", "Năm 2023, toàn tỉnh đã có 97,2% trường học kết nối internet."),
    ("ratio_result_reached", "Hiện nay 21/21 xã đã có nhà văn hóa đạt chuẩn."),
    ("event_date", "Tổ chức Ngày hội đọc sách vào dịp 23/4 hằng năm."),
    ("reporting_deadline_quarter", "Các đơn vị báo cáo kết quả trước ngày 20/6 và 20/12 hằng năm."),
    ("period_only", "Triển khai Đề án phát triển văn hóa đọc giai đoạn 2026 - 2030."),
    ("decision_number", "Căn cứ Quyết định số 2158/QĐ-UBND ngày 12/8/2025 của Ủy ban nhân dân tỉnh."),
    ("school_year", "Tổng kết năm học 2025-2026 vào tháng 5."),
    ("money_budget", "Tổng kinh phí dự kiến là 12 tỷ đồng giai đoạn 2026 - 2030."),
    ("age_group", "Đối tượng là trẻ em từ 6 đến 14 tuổi."),
    ("anniversary_years", "Kỷ niệm 80 năm Ngày truyền thống ngành giáo dục tỉnh."),
    ("assessment_section", "I. ĐÁNH GIÁ KẾT QUẢ GIAI ĐOẠN TRƯỚC\n- Tỷ lệ xã đạt chuẩn văn hóa đạt 88% năm 2024."),
    ("funding_section", "V. KINH PHÍ\n- Ngân sách huyện bố trí 60% kinh phí, xã bố trí 40%."),
    ("table_row_number_words", "Phụ lục 2. Danh mục nhiệm vụ kèm theo Kế hoạch."),
    ("time_of_day", "Hội nghị bắt đầu lúc 14 giờ ngày 05/3."),
    ("population_figure_past", "Năm 2024, dân số toàn huyện đã đạt 152.000 người."),
    ("distribution_copies", "- Như trên;\n- Lưu: VT, VHXH (03b)."),
    ("article_of_decision", "Điều 2. Quyết định này có hiệu lực kể từ ngày ký."),
]


@pytest.mark.parametrize("text,expected", [pytest.param(t, e, id=i) for i, t, e in SCOPE_CASES])
def test_scope_rows(text, expected):
    assert keyset(rows(text)) == Counter(expected)


@pytest.mark.parametrize("text", [pytest.param(t, id=i) for i, t in SCOPE_COUNTER_EXAMPLES])
def test_scope_counter_examples_yield_nothing(text):
    assert [(t.value, t.year, t.evidence.text) for t in rows(text)] == []


def test_enough_scope_cases():
    assert len(SCOPE_CASES) >= 60 and len(SCOPE_COUNTER_EXAMPLES) >= 20


def _read(text: str, title: str | None = None, issue_year: int | None = None):
    p = prepare(text)
    return extract_targets(p, segment(p.flow), None, None, issue_year, title)


@pytest.mark.parametrize("title,year,period_start", [
    pytest.param("Kế hoạch chuyển đổi số năm 2026 của huyện Đức Trọng", 2026, None, id="single_year_plan"),
    pytest.param("Kế hoạch cải cách hành chính giai đoạn 2026 - 2030", 2030, 2026, id="period_plan"),
    pytest.param("Chương trình phát triển văn hóa đọc giai đoạn 2026 - 2030, tầm nhìn đến năm 2045", 2030, 2026,
                 id="vision_is_no_due_year"),
])
def test_document_scope_from_title(title, year, period_start):
    ts, _ = _read("II. CHỈ TIÊU\n- 100% thủ tục hành chính được công khai trên cổng dịch vụ công.", title)
    assert [(t.year, t.period_start, t.year_source) for t in ts] == [(year, period_start, "document")]


def test_title_with_several_years_and_no_period_dates_nothing():
    ts, warnings = _read("- Phấn đấu 100% thủ tục hành chính được công khai.", "Kế hoạch năm 2026 thực hiện Nghị quyết năm 2021")
    assert [(t.year, t.year_source) for t in ts] == [(None, "none")] and "no year" in warnings[0]


@pytest.mark.parametrize("text,sources", [
    pytest.param("Đến năm 2027, 80% xã có tủ sách.", [("clause", "clause")], id="clause"),
    pytest.param("Kế hoạch đặt ra các mục tiêu đến năm 2027 như sau:\n\nTỷ lệ thôn có tủ sách đạt 70%.",
                 [("lead", "clause")], id="lead"),
    pytest.param("1. Mục tiêu đến năm 2028\n- Đạt 90% số hộ có kết nối cáp quang.", [("heading", "none")], id="heading"),
    pytest.param("2. Mục tiêu giai đoạn 2026 - 2030\n- 75% người dân có kỹ năng số.", [("period", "none")], id="period"),
    pytest.param("Đối với cấp huyện:\n- Năm 2026: 5/5 đơn vị có trung tâm điều hành thông minh.",
                 [("clause", "heading")], id="tier_from_heading"),
    pytest.param("Phấn đấu 60% xã có đội văn nghệ.", [("none", "clause")], id="none"),
])
def test_year_and_tier_sources(text, sources):
    ts, _ = _read(text)
    assert [(t.year_source, t.tier_source) for t in ts] == sources


def test_past_year_in_lead_dates_nothing_after_it():
    text = "Năm 2024, toàn tỉnh đạt 70% số xã có tủ sách. Phấn đấu 90% số xã có tủ sách."
    ts, _ = _read(text, issue_year=2025)
    assert [(t.year, t.value) for t in ts] == [(None, 90)]


# --- issue 8 item 9: provisions of normative texts and letters are no targets ---

DECREE = """CHÍNH PHỦ
Số: 77/2031/NĐ-CP
Hà Nội, ngày 04 tháng 5 năm 2031
NGHỊ ĐỊNH
Quy định về lệ phí cấp giấy phép hoạt động bảo tàng
Điều 3. Mức thu
1. Tổ chức được giảm tối thiểu 30% lệ phí khi nộp hồ sơ trực tuyến.
2. Bảo đảm ít nhất 20% số phòng trưng bày dành cho hiện vật địa phương.
Điều 4. Mục tiêu
Phấn đấu đến năm 2035 có 90% bảo tàng cấp tỉnh số hóa hiện vật.
"""


def test_a_decrees_provisions_are_no_targets_but_its_dated_goals_are():
    got = keyset(rows(DECREE))
    assert [k[2:4] for k in got] == [(2035, 90)], got


def test_the_same_provisions_in_a_plan_are_read():
    plan = DECREE.replace("NGHỊ ĐỊNH", "KẾ HOẠCH")
    assert (2035, 90) in {k[2:4] for k in keyset(rows(plan))}
    # the undated share next to a goal word stays, with no year
    assert any(k[2] is None and k[3] == 20 for k in keyset(rows(plan)))


@pytest.mark.parametrize("text", [
    "Doanh nghiệp khoa học được áp dụng thuế suất 12% trong 10 năm đến năm 2030.",
    "Căn cứ Luật, hợp tác xã được miễn thuế 2 năm và giảm 40% số thuế phải nộp trong 5 năm tiếp theo đến năm 2029.",
    "Người mua trái phiếu được hưởng lãi là 7% mỗi năm, bảo đảm đến năm 2028.",
    "Hồ sơ vi phạm phải được lập thành ít nhất 03 bản và bảo đảm đúng thời hạn.",
])
def test_rates_of_law_and_undated_obligations_are_no_targets(text):
    assert rows("CÔNG VĂN\n" + text + "\n") == []


def test_a_tax_goal_is_still_a_target():
    got = keyset(rows("Phấn đấu đến năm 2030, tỷ lệ hồ sơ khai thuế điện tử đạt 98%.\n"))
    assert {k[2:4] for k in got} == {(2030, 98)}


@pytest.mark.parametrize("text,sector", [
    ("Đến năm 2030, bảo tàng cấp tỉnh và bảo tàng cấp huyện lần lượt đạt 80% và 50% được số hóa hiện vật.", "museum"),
    ("Đến năm 2030, nhà văn hóa cấp xã và nhà văn hóa thôn lần lượt đạt 90% và 70% được sửa chữa, nâng cấp.", "culture"),
])
def test_values_mapped_in_order_onto_tiers_take_the_sector_of_their_sentence(text, sector):
    """``… lần lượt đạt 80% và 50%`` with no indicator of the table: each value
    is a row of the sector its sentence names (it was an empty sector)."""
    got = rows(text)
    assert len(got) == 2 and {t.sector for t in got} == {sector}
