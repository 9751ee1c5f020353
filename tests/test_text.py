from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from pipeline.segment import segment
from pipeline.text import prepare


@pytest.mark.parametrize("raw,norm", [
    ("văn hoá", "văn hóa"), ("Uỷ ban", "Ủy ban"), ("thuỷ", "thủy"), ("quý", "quý"),
    ("khoẻ", "khỏe"), ("hoàn", "hoàn"), ("a\u00a0b", "a b"), ("Ho\u0301a", "Hóa"),
    ("x\\r\\ny", "x\ny"), ("C:\\report", "C:\\report"), ("a\r\nb", "a\nb"),
])
def test_normalisation(raw, norm):
    assert prepare(raw).norm == norm


@pytest.mark.parametrize("raw,joined", [
    ("phấn đấu đến năm 2025: 80%\nhọc sinh, sinh viên", True),
    ("định hướng đến năm\n2030", True),
    ("ỦY\nBAN NHÂN DÂN", True),
    ("trung tâm văn\n\nhóa và gắn kết", True),
    ("a) Đối với thư viện\n- Năm 2025: đạt 80%.", False),
    ("đạt 80%.\nNăm 2030", False),
    ("I. MỤC TIÊU\n1. Mục tiêu chung", False),
])
def test_wrap_rejoining(raw, joined):
    flow = prepare(raw).flow
    assert ("\n" not in flow) is joined
    assert len(flow) == len(prepare(raw).norm)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aăâeêoôơuưyđ àáảãạ\u0301\u0303\n\r\t\u00a0\\%-/0123456789:;.,()“”Năm")), max_size=300))
def test_offsets_map_back(raw):
    p = prepare(raw)
    assert len(p.flow) == len(p.norm)
    a, b = p.to_raw(0, len(p.norm))
    assert 0 <= a <= b <= len(raw)
    for i in range(len(p.norm)):
        s, e = p.to_raw(i, i + 1)
        assert 0 <= s < e <= len(raw)
    segment(p.flow, with_sentences=False)


def test_heading_path():
    seg = segment(prepare("I. MỤC TIÊU\n2. Mục tiêu cụ thể đến năm 2030\na) Thư viện\n- Năm 2025: đạt 80%.").flow)
    assert seg.heading_path(3) == ["I. MỤC TIÊU", "2. Mục tiêu cụ thể đến năm 2030", "a) Thư viện"]


@pytest.mark.parametrize("raw,joined", [
    ("Bình\nDương, ngày 14 tháng 9 năm 2021", True),
    ("Căn cứ Luật\nTổ chức chính quyền địa phương", True),
    ("về việc phê duyệt chương trình thư viện số\nTHỦ TƯỚNG CHÍNH PHỦ", False),
    ("Minh Châu\n\n\nCác bài mới đăng", False),
])
def test_wrap_rejoining_names_and_headers(raw, joined):
    assert ("\n" not in prepare(raw).flow) is joined


def test_year_in_brackets_is_not_a_list_number():
    assert "\n" not in prepare("cấp huyện đạt 50% (năm\n2025) và đạt 70% (năm 2030)").flow
