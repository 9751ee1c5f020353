"""Cited documents, as a table of cases in the styles of real documents (other
provinces and numbers than the corpus), then the development corpus against
its gold files, then the evidence contract and robustness."""
from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extractors.metadata import extract_metadata
from pipeline.extractors.references import Place, extract_references
from pipeline.models import Reference
from pipeline.segment import segment
from pipeline.text import prepare

SHARED = Path(__file__).resolve().parents[3] / "shared"

Row = tuple[str, str | None, str | None, str | None]


def _place(prep, seg) -> Place:
    """The document's place, read by the metadata stage as the pipeline does."""
    facts = extract_metadata(prep, seg)
    return Place(facts.province, facts.district)


def refs(text: str, self_number: str | None = None) -> list[Reference]:
    prep = prepare(text)
    seg = segment(prep.flow)
    return extract_references(prep, seg, self_number, _place(prep, seg))


def rows(text: str, self_number: str | None = None) -> list[Row]:
    return [(r.kind, r.number, r.date, r.issuer) for r in refs(text, self_number)]


PROVINCE_HEADER = "ỦY BAN NHÂN DÂN\nTỈNH HÀ GIANG\nSố: 90/KH-UBND\nHà Giang, ngày 2 tháng 3 năm 2022\nKẾ HOẠCH\n"
CITY_DISTRICT_HEADER = "ỦY BAN NHÂN DÂN\nQUẬN HẢI CHÂU\nSố: 15/KH-UBND\nHải Châu, ngày 7 tháng 4 năm 2023\nKẾ HOẠCH\n"

CASES = [
    pytest.param(
        "Thực hiện Quyết định số 1230/QĐ-TTg ngày 09/12/2022 của Thủ tướng Chính phủ về việc phê duyệt Đề án;",
        [("decision", "1230/QĐ-TTg", "2022-12-09", "Thủ tướng Chính phủ")],
        id="dd/mm/yyyy, issuer cut before 'về việc'"),
    pytest.param(
        "Căn cứ Chỉ thị số 08/CT-TTg ngày 9/2/2021 của Thủ tướng Chính phủ phê duyệt;",
        [("directive", "08/CT-TTg", "2021-02-09", "Thủ tướng Chính phủ")],
        id="d/m/yyyy without leading zeros"),
    pytest.param(
        "Căn cứ Thông tư số 05/2020/TT-BVHTTDL ngày 04 tháng 5 năm 2013 của Bộ trưởng Bộ Văn hóa, "
        "Thể thao và Du lịch quy định chi tiết;",
        [("circular", "05/2020/TT-BVHTTDL", "2013-05-04", "Bộ trưởng Bộ Văn hóa, Thể thao và Du lịch")],
        id="'ngày 04 tháng 5 năm 2013', issuer with commas inside a ministry's name"),
    pytest.param(
        "theo Quyết định số 71/QĐ-TTg ngày 11.2.2021 của Thủ tướng Chính phủ (Quyết định số 71).",
        [("decision", "71/QĐ-TTg", "2021-02-11", "Thủ tướng Chính phủ")],
        id="d.m.yyyy as newspapers write it; short back-reference not listed"),
    pytest.param(
        "Căn cứ Nghị định số 150/2025/NĐ-CP ngày 12 tháng 6 năm 2025 của Chính phủ quy định tổ chức;",
        [("decree", "150/2025/NĐ-CP", "2025-06-12", "Chính phủ")],
        id="number with year: 150/2025/NĐ-CP"),
    pytest.param(
        PROVINCE_HEADER + "Thực hiện Kế hoạch số 35-KH/TU ngày 20/7/2021 của Ban Thường vụ Tỉnh ủy về phát triển;",
        [("plan", "35-KH/TU", "2021-07-20", "Ban Thường vụ Tỉnh ủy Hà Giang")],
        id="Party symbol 35-KH/TU; 'Tỉnh ủy' completed with the province"),
    pytest.param(
        "Căn cứ Luật Thư viện ngày 21 tháng 11 năm 2019;\nCăn cứ Luật Di sản văn hóa ngày 29 tháng 6 năm 2001;",
        [("law", None, "2019-11-21", None), ("law", None, "2001-06-29", None)],
        id="laws cited by name and date, without number"),
    pytest.param(
        "Căn cứ Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền "
        "địa phương ngày 22 tháng 11 năm 2019;",
        [("law", None, "2019-11-22", None)],
        id="an amending law is one law, not three"),
    pytest.param(
        "Ngày 5/3, UBND tỉnh ban hành Kế hoạch số 20/KH-UBND về triển khai Luật Thư viện và các văn bản "
        "hướng dẫn thi hành Luật. Tăng cường thi hành Luật Thư viện.",
        [("law", None, None, None)],
        id="undated law implemented by the plan, listed once; the plan itself is not listed"),
    pytest.param(
        "Kinh phí thực hiện theo quy định của Luật Ngân sách nhà nước và Luật Đầu tư công.",
        [],
        id="laws named only as the frame of a rule are not citations"),
    pytest.param(
        "Căn cứ Luật Thư viện ngày 21 tháng 11 năm 2019 và Nghị định số 93/2020/NĐ-CP ngày 18 tháng 8 "
        "năm 2020 của Chính phủ quy định chi tiết một số điều của Luật Thư viện;",
        [("law", None, "2019-11-21", None), ("decree", "93/2020/NĐ-CP", "2020-08-18", "Chính phủ")],
        id="a law and the decree detailing it; the law's second mention merged"),
    pytest.param(
        "KẾ HOẠCH\nTRIỂN KHAI QUYẾT ĐỊNH SỐ 1230/QĐ-TTG NGÀY 20/10/2023 CỦA THỦ TƯỚNG CHÍNH PHỦ\n"
        "Thực hiện Quyết định số 1230/QĐ-TTg ngày 20/10/2023 của Thủ tướng Chính phủ;",
        [("decision", "1230/QĐ-TTg", "2023-10-20", "Thủ tướng Chính phủ")],
        id="duplicate in an upper-case title listed once, symbol case restored"),
    pytest.param(
        "Căn cứ Nghị quyết số 50/NQ-CP ngày 17/4/2020 ban hành Chương trình hành động của Chính phủ "
        "thực hiện Nghị quyết số 52-NQ/TW ngày 27/9/2019 của Bộ Chính trị về một số chủ trương;",
        [("resolution", "50/NQ-CP", "2020-04-17", "Chính phủ"),
         ("resolution", "52-NQ/TW", "2019-09-27", "Bộ Chính trị")],
        id="a citation inside a citation; issuer from the symbol when not printed"),
    pytest.param(
        CITY_DISTRICT_HEADER + "Thực hiện Kế hoạch số 68/KH-UBND ngày 03/3/2023 của UBND thành phố về việc "
        "triển khai; Công văn số 1234/UBND-KGVX ngày 5/6/2023 của UBND quận;",
        [("plan", "68/KH-UBND", "2023-03-03", "Ủy ban nhân dân thành phố Đà Nẵng"),
         ("official_letter", "1234/UBND-KGVX", "2023-06-05", "Ủy ban nhân dân quận Hải Châu")],
        id="'UBND thành phố' in a district of Đà Nẵng; an official letter"),
    pytest.param(
        "Thực hiện Quyết định số 329/QĐ-TTg ngày 15/3/2017 của Thủ tướng Chính phủ phê duyệt Đề án "
        "“Phát triển văn hóa đọc trong cộng đồng”; triển khai Chương trình chuyển đổi số quốc gia.",
        [("decision", "329/QĐ-TTg", "2017-03-15", "Thủ tướng Chính phủ")],
        id="unnumbered Đề án and Chương trình left out"),
    pytest.param(
        PROVINCE_HEADER + "theo tinh thần Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XVII, nhiệm kỳ 2020 - 2025.",
        [("resolution", None, None, "Đảng bộ tỉnh Hà Giang")],
        id="Party congress resolution, cited without number"),
    pytest.param(
        "Căn cứ Luật Tổ chức chính quyền địa phương năm 2015; Luật Giáo dục năm 2019;\n"
        "Kinh phí theo quy định của Luật Ngân sách nhà nước năm 2015.",
        [("law", None, "2015", None), ("law", None, "2019", None)],
        id="laws with a year only, in a 'Căn cứ' line; not the one framing a rule"),
    pytest.param(
        PROVINCE_HEADER + "Thực hiện Quyết định số 2500/QĐ-UBND ngày 12/12/2021 của Chủ tịch UBND tỉnh về việc; "
        "Kế hoạch số 55/KH-UBND của UBND huyện Vị Xuyên; báo cáo theo Mẫu số 01/BC.",
        [("decision", "2500/QĐ-UBND", "2021-12-12", "Chủ tịch Ủy ban nhân dân tỉnh Hà Giang"),
         ("plan", "55/KH-UBND", None, "Ủy ban nhân dân huyện Vị Xuyên")],
        id="a title before the body; no date; a form number is not a citation"),
    pytest.param(
        PROVINCE_HEADER + "Ngày 30/8/2021, Ủy ban nhân dân tỉnh Bình Phước đã ban hành Kế hoạch số 141/KH-UBND "
        "về chuyển đổi số; Quyết định số 1520/QĐ-TTg (ngày 9/12/2022) của Thủ tướng Chính phủ.",
        [("plan", "141/KH-UBND", "2021-08-30", "Ủy ban nhân dân tỉnh Bình Phước"),
         ("decision", "1520/QĐ-TTg", "2022-12-09", "Thủ tướng Chính phủ")],
        id="date written before the document; date in brackets"),
    pytest.param(
        "Kế hoạch số 12/KH-UBND ngày 02/02/2022 của UBND tỉnh Kon Tum về phát triển văn hóa đọc. "
        "Kết luận số 384-KL/TU ngày 07/3/2022 của Tỉnh ủy Kon Tum.",
        [("other", "384-KL/TU", "2022-03-07", "Tỉnh ủy Kon Tum")],
        id="the document's own number is never listed"),
    pytest.param(
        "Căn cứ Nghị quyết số 36/NQ- TW ngày 01/7/2014 của Bộ Chính trị; Nghị định số 64/2019/NĐ -CP "
        "ngày 16/7/2019 của Chính phủ; Quyết định số 12/QĐ-UBND - Hà Tĩnh.",
        [("resolution", "36/NQ-TW", "2014-07-01", "Bộ Chính trị"),
         ("decree", "64/2019/NĐ-CP", "2019-07-16", "Chính phủ"),
         ("decision", "12/QĐ-UBND", None, None)],
        id="a stray space on one side of - or / inside a symbol (PDF text layer); ' - ' ends it"),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_reference_cases(text: str, expected: list[Row]) -> None:
    prep = prepare(text)
    seg = segment(prep.flow)
    self_number = extract_metadata(prep, seg).number or "12/KH-UBND"
    found = extract_references(prep, seg, self_number, _place(prep, seg))
    got = [(r.kind, r.number, r.date, r.issuer) for r in found]
    assert got == expected


def test_self_number_from_caller_is_left_out() -> None:
    text = "Kế hoạch số 20/KH-UBND ngày 5/3/2023 và Quyết định số 9/QĐ-UBND ngày 1/2/2023 của UBND tỉnh Lào Cai."
    assert [r.number for r in refs(text, "20/KH-UBND")] == ["9/QĐ-UBND"]
    assert [r.number for r in refs(text, None)] == ["20/KH-UBND", "9/QĐ-UBND"]


# --------------------------------------------------------------------------
# Evidence is a span of the raw text
# --------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    "Thực hiện Quyết định số 1230/QĐ-TTg ngày 09/12/2022 của Thủ tướng Chính phủ;\r\n",
    "Căn cứ Kế hoạch số 5/KH-UBND ngày 3/1/2023 của Uỷ ban nhân dân tỉnh Hoà Bình;",
    "Căn cứ Quyết định số\n206/QĐ-TTg ngày 11/02/2021 của Thủ\ntướng Chính phủ;",
    "Căn cứ\u00a0Luật Thư viện ngày 21 tháng\n11 năm 2019;",
])
def test_evidence_is_raw_span(raw: str) -> None:
    found = refs(raw)
    assert found
    for r in found:
        assert raw[r.evidence.start:r.evidence.end] == r.evidence.text
        assert r.evidence.text.strip() == r.evidence.text


def _texts() -> list[Path]:
    return sorted((SHARED / "corpus").glob("*.txt")) + sorted((SHARED / "corpus-extra").glob("*.txt"))


@pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="../shared/corpus absent")
def test_evidence_is_raw_span_on_all_texts() -> None:
    for path in _texts():
        raw = path.read_text(encoding="utf-8")
        for r in refs(raw):
            assert raw[r.evidence.start:r.evidence.end] == r.evidence.text, path.name


# --------------------------------------------------------------------------
# Development corpus against gold
# --------------------------------------------------------------------------

def _dev_docs() -> list:
    gold_dir = SHARED / "gold"
    if not gold_dir.is_dir():
        return [pytest.param(None, id="no-gold", marks=pytest.mark.skip(reason="../shared/gold absent"))]
    return [pytest.param(p, id=p.stem) for p in sorted(gold_dir.glob("*.json"))]


@pytest.mark.parametrize("gold_path", _dev_docs())
def test_dev_corpus_references_match_gold(gold_path: Path) -> None:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    text_path = SHARED / "corpus" / f"{gold_path.stem}.txt"
    if not text_path.exists():
        pytest.skip(f"{text_path} absent")
    prep = prepare(text_path.read_text(encoding="utf-8"))
    seg = segment(prep.flow)
    found = extract_references(prep, seg, extract_metadata(prep, seg).number, _place(prep, seg))
    assert Counter((r.kind, r.number, r.date, r.issuer) for r in found) == \
        Counter((g["kind"], g["number"], g["date"], g["issuer"]) for g in gold["references"])


# --------------------------------------------------------------------------
# Robustness
# --------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("Luật Quyết địnhsố0123456789/-.QĐKHTgcủa ngày tháng năm,;\n")),
               max_size=300))
def test_never_raises_on_odd_text(text: str) -> None:
    for r in refs(text):
        assert r.kind in ("decision", "plan", "directive", "law", "resolution", "decree", "circular",
                          "official_letter", "project", "program", "other")


def test_linear_time_on_long_repetitive_text() -> None:
    text = ("Luật Thư viện và " * 3000 + "\n" + "Quyết định số 1/QĐ-TTg của " * 2000 + "\n"
            + "Căn cứ Luật " + "a b c " * 3000 + "ngày 1/1/2020")
    t0 = time.perf_counter()
    refs(text)
    assert time.perf_counter() - t0 < 20
