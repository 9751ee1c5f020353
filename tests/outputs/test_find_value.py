"""``annotate.find_value``: where a value (or a range) is written in a sentence,
as comparison.xlsx marks it in bold and the report highlights it."""
from __future__ import annotations

from pipeline.outputs.annotate import find_value


def _at(text: str, span: tuple[int, int] | None) -> str | None:
    return None if span is None else text[span[0]:span[1]]


def test_a_percentage_is_found_where_it_is_written_with_its_sign() -> None:
    text = "Năm 2025 có 12 xã; tỷ lệ đạt 12 %."
    assert _at(text, find_value(12, None, "percent", text)) == "12 %"
    assert _at(text, find_value(12, None, "count", text)) == "12"


def test_a_value_taken_by_another_target_is_passed_over() -> None:
    text = "Cấp huyện đạt 60%, cấp xã đạt 60%."
    first = find_value(60, None, "percent", text)
    assert first == (14, 17)
    assert find_value(60, None, "percent", text, [first]) == (30, 33)
    assert find_value(60, None, "percent", text, [first, (30, 33)]) == first   # all taken: the first


def test_a_range_needs_its_high_end_among_the_next_two_numbers_close_by() -> None:
    text = "đạt 12 - 15 %; riêng 12 xã, 2025, đạt 15."
    assert _at(text, find_value(12, 15, "percent", text)) == "12 - 15 %"
    far = "đạt 12 trong khoảng thời gian dài 15 %"
    assert find_value(12, 15, "percent", far) is None
    third = "đạt 12, 13, 14, 15"
    assert find_value(12, 15, "count", third) is None
    assert _at(third, find_value(13, 15, "count", third)) == "13, 14, 15"


def test_numbers_are_read_as_vietnamese_and_english_write_them() -> None:
    text = "Tỷ lệ 300.000 lượt; cấp huyện 12,5% và 1.5 lần"
    assert _at(text, find_value(300000, None, "count", text)) == "300.000"
    assert _at(text, find_value(12.5, None, "percent", text)) == "12,5%"
    assert _at(text, find_value(1.5, None, "count", text)) == "1.5"
    assert find_value(7, None, "count", text) is None
    assert find_value(12.5, float("nan"), "percent", text) == find_value(12.5, None, "percent", text)
