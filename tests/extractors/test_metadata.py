"""Document facts, as a table of cases written the way officials and newspapers
write them (other provinces, numbers and line breaks than the corpus,
``cases/metadata.yaml``), then
the development corpus against its gold files, then robustness."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extractors.context import ExtractionContext
from pipeline.extractors.metadata import extract_metadata, parse_body, proper_case, read_facts
from pipeline.segment import segment
from pipeline.text import prepare

SHARED = Path(__file__).resolve().parents[3] / "shared"


class _Read:
    """The metadata stage's facts, with its warnings beside them."""

    def __init__(self, text: str) -> None:
        found = read_facts(ExtractionContext.build(text))
        (self.facts,), self.warnings = found.items, found.warnings

    def __getattr__(self, name: str) -> Any:
        return getattr(self.facts, name)


def meta(text: str) -> _Read:
    return _Read(text)


def check(m, expected: dict[str, Any]) -> None:
    for key, want in expected.items():
        if key == "signer":
            got = None if m.signer is None else (m.signer.name, m.signer.title)
        elif key == "warning":
            assert any(want in w for w in m.warnings), m.warnings
            continue
        else:
            got = getattr(m, key)
        assert got == want, f"{key}: got {got!r}, expected {want!r}"


#: The table of cases, as data: official documents, news articles reporting a
#: document, and real files' layouts (see the file's header).
CASES_FILE = Path(__file__).parent / "cases" / "metadata.yaml"
GROUPS = ("official", "news", "layouts")
_CASES = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))


def cases(group: str) -> list[Any]:
    assert set(_CASES) == set(GROUPS), sorted(_CASES)
    out = []
    for case in _CASES[group]:
        assert set(case) == {"id", "text", "expect"} and case["expect"], case
        expect = dict(case["expect"])
        if expect.get("signer") is not None:
            expect["signer"] = tuple(expect["signer"])
        out.append(pytest.param(case["text"], expect, id=case["id"]))
    return out


def test_enough_metadata_cases() -> None:
    """No case is lost: the counts when the cases moved here from Python lists."""
    counts = {group: len(cases(group)) for group in GROUPS}
    assert counts["official"] >= 15 and counts["news"] >= 10 and counts["layouts"] >= 10, counts
    ids = [p.id for group in GROUPS for p in cases(group)]
    assert len(set(ids)) == len(ids)


# --------------------------------------------------------------------------
# Official documents
# --------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", cases("official"))
def test_official_documents(text: str, expected: dict[str, Any]) -> None:
    check(meta(text), expected)


# --------------------------------------------------------------------------
# News articles reporting a document
# --------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", cases("news"))
def test_news_articles(text: str, expected: dict[str, Any]) -> None:
    check(meta(text), expected)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

@pytest.mark.parametrize("text,name,level", [
    ("ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ", "Ủy ban nhân dân thành phố Cần Thơ", "province"),
    ("ỦY BAN NHÂN DÂN THÀNH PHỐ THỦ ĐỨC", "Ủy ban nhân dân thành phố Thủ Đức", "district"),
    ("UBND XÃ TÂN PHÚ", "Ủy ban nhân dân xã Tân Phú", "commune"),
    ("TRƯỜNG THCS NGUYỄN DU", "Trường THCS Nguyễn Du", "school"),
    ("PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", "Phòng Giáo dục và Đào tạo", "department"),
    ("TỈNH ỦY BẮC KẠN", "Tỉnh ủy Bắc Kạn", "province"),
    ("BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH", "Bộ Văn hóa, Thể thao và Du lịch", "central"),
    ("THƯ VIỆN TỈNH BÌNH ĐỊNH", "Thư viện tỉnh Bình Định", "department"),
])
def test_parse_body(text: str, name: str, level: str) -> None:
    body = parse_body(text)
    assert body is not None and (body.name, body.admin_level) == (name, level)


def test_proper_case_keeps_roman_numerals_and_mixed_case() -> None:
    assert proper_case("ĐẠI HỘI LẦN THỨ XIX") == "Đại Hội Lần Thứ XIX"
    assert proper_case("Ngô Quyền") == "Ngô Quyền"


# --------------------------------------------------------------------------
# Development corpus against gold
# --------------------------------------------------------------------------

FIELDS = ("doc_type", "number", "issue_date", "place", "issuing_body", "parent_body",
          "admin_level", "province", "district")


def _dev_docs() -> list[Any]:
    gold_dir = SHARED / "gold"
    if not gold_dir.is_dir():
        return [pytest.param(None, id="no-gold", marks=pytest.mark.skip(reason="../shared/gold absent"))]
    return [pytest.param(p, id=p.stem) for p in sorted(gold_dir.glob("*.json"))]


@pytest.mark.parametrize("gold_path", _dev_docs())
def test_dev_corpus_matches_gold(gold_path: Path) -> None:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    text_path = SHARED / "corpus" / f"{gold_path.stem}.txt"
    if not text_path.exists():
        pytest.skip(f"{text_path} absent")
    m = meta(text_path.read_text(encoding="utf-8"))
    for key in FIELDS:
        assert getattr(m, key) == gold[key], key
    got_signer = (m.signer.name, m.signer.title) if m.signer else (None, None)
    assert got_signer == (gold["signer_name"], gold["signer_title"])


# --------------------------------------------------------------------------
# Robustness
# --------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ỦY BANHÂDỈ\n|:/-0123456789.,KHQĐTgSốngàytháms")),
               max_size=300))
def test_never_raises_on_odd_text(text: str) -> None:
    m = meta(text)
    assert m.doc_type in ("plan", "decision", "directive", "news", "other")


@pytest.mark.parametrize("text", [
    "",
    "\n\n\n",
    "Số: | | |\nngày tháng năm\nKẾ HOẠCH\n",
    "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n",
])
def test_degenerate_texts(text: str) -> None:
    m = meta(text)
    assert m.signer is None and m.number is None


def test_long_repetitive_text_is_read() -> None:
    """A long text of header-like phrases (an issuing body that names no province,
    a news lead that names no document, a signer's title followed by one-letter
    words) is read to the end and gives none of the facts it never states.  How
    fast such texts are read is measured by the adversarial series ``headers``
    of ``bench/bench.py``, not here."""
    text = ("ỦY BAN NHÂN DÂN TỈNH " * 2000 + "\n" + "Ngày 5/12, UBND tỉnh ban hành " * 2000
            + "\n" + "Phó Chủ tịch UBND tỉnh A B C D E F G " * 1000)
    m = meta(text)
    assert (m.number, m.issue_date, m.province, m.district) == (None, None, None, None)
    # no signer's name is made of the one-letter words
    assert m.signer is None or not any(len(w) == 1 for w in (m.signer.name or "").split()), m.signer


def test_news_signer_without_a_name_is_null():

    p = prepare("(Baonghean) - Chủ tịch UBND tỉnh Nghệ An vừa ký Quyết định số 2345/QĐ-UBND ngày 5/9/2022 "
                "phê duyệt Kế hoạch thực hiện Chương trình chuyển đổi số ngành thư viện trên địa bàn tỉnh.")
    meta = extract_metadata(p, segment(p.flow))
    assert meta.signer is None
    assert (meta.number, meta.issue_date, meta.province) == ("2345/QĐ-UBND", "2022-09-05", "Nghệ An")


def test_department_named_with_its_province_without_level_word():

    p = prepare("SỞ GIÁO DỤC VÀ ĐÀO TẠO HÀ NAM\nTRƯỜNG THPT CHUYÊN BIÊN HÒA\n-------\nSố: 58/KH-THPTCBH\n"
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
                "Phủ Lý, ngày 02 tháng 10 năm 2023\nKẾ HOẠCH\nPhát triển văn hóa đọc năm học 2023 - 2024\n")
    meta = extract_metadata(p, segment(p.flow))
    assert (meta.parent_body, meta.province, meta.admin_level) == (
        "Sở Giáo dục và Đào tạo Hà Nam", "Hà Nam", "school")


# --------------------------------------------------------------------------
# Real files as offices issue them (issue 8): loose number and date lines,
# headers that lost their capitals or were glued by OCR, signature blocks
# read line by line with the recipients list, reports and appendices
# --------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", cases("layouts"))
def test_real_file_layouts(text: str, expected: dict[str, Any]) -> None:
    check(meta(text), expected)


# A text that lists provinces once each names none of them: never the first of a list.
@pytest.mark.parametrize("text, province", [
    ("Đề án được triển khai tại 6 tỉnh vùng Tây Nguyên: Kon Tum, Gia Lai, Đắk Lắk, Đắk Nông, "
     "Lâm Đồng và Bình Phước. Đến năm 2030, 90% thư viện cơ sở có dịch vụ đọc sách trực tuyến.", None),
    ("Chương trình áp dụng cho các tỉnh Sơn La, Điện Biên, Lai Châu. Mục tiêu đến năm 2028 "
     "có 70% trường học được kết nối mạng.", None),
    # one province named more often than the others is still the document's
    ("Tỉnh Gia Lai triển khai kế hoạch cùng các tỉnh Kon Tum, Đắk Lắk. Tỉnh Gia Lai phấn đấu "
     "đến năm 2027 có 60% xã đạt chuẩn.", "Gia Lai"),
])
def test_a_list_of_provinces_names_no_province(text: str, province) -> None:
    assert meta(text).province == province
