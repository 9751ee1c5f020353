"""Document facts, as a table of cases written the way officials and newspapers
write them (other provinces, numbers and line breaks than the corpus), then
the development corpus against its gold files, then robustness."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
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


# --------------------------------------------------------------------------
# Official documents
# --------------------------------------------------------------------------

DISTRICT_DRAFT = """\
ỦY BAN NHÂN DÂN
HUYỆN CỦ CHI
-------
Số:      /KH-UBND

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
---------------
Củ Chi, ngày    tháng    năm 2024

KẾ HOẠCH
Phát triển văn hóa đọc trên địa bàn huyện Củ Chi năm 2024

Căn cứ Kế hoạch số 88/KH-UBND ngày 10/01/2024 của Ủy ban nhân dân Thành phố;
I. MỤC ĐÍCH
Nơi nhận:
- Như trên;
- Lưu: VT.

TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH

Nguyễn Thị Lan
"""

SCHOOL = """\
UBND QUẬN BÌNH THẠNH
TRƯỜNG TRUNG HỌC CƠ SỞ
HÀ HUY TẬP
Số: 58/KH-THCSHHT
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Bình Thạnh, ngày 12 tháng 9 năm 2022
KẾ HOẠCH
Tổ chức Ngày hội đọc sách năm học 2022 - 2023
Thực hiện Kế hoạch số 410/KH-GDĐT ngày 05/9/2022 của Phòng Giáo dục và Đào tạo;
Trên đây là Kế hoạch của nhà trường./.
Nơi nhận:
- Phòng GDĐT (để b/c);
- Lưu: VT.
HIỆU TRƯỞNG
(Đã ký)
Trần Văn Hùng
"""

WRAPPED_TABLE = """\
ỦY BAN NHÂN DÂN
TỈNH LẠNG
SƠN
-------
|
CỘNG
HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
---------------
|
Số: 35/QĐ-UBND
|
Lạng
Sơn, ngày 05 tháng 01 năm 2022
|
QUYẾT ĐỊNH
VỀ VIỆC BAN HÀNH KẾ HOẠCH PHÁT TRIỂN VĂN HÓA ĐỌC TỈNH LẠNG SƠN
GIAI ĐOẠN 2022 - 2025
ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN
Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;
"""

ONE_LINE_TABLE = """\
ỦY BAN NHÂN DÂN TỈNH BẾN TRE | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM |
Số: 1234/KH-UBND | Bến Tre, ngày 09 tháng 12 năm 2022 |
Thực hiện Quyết định số 1520/QĐ-TTg ngày 09/12/2022 của Thủ tướng Chính phủ, Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:
"""

HEADER_ONLY_HEAD = """\
ỦY BAN NHÂN DÂN | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM |
Số: 78/KH-UBND | Sóc Trăng, ngày 3 tháng 4 năm 2019 |
Thực hiện Quyết định số 329/QĐ-TTg, Ủy ban nhân dân tỉnh ban hành Kế hoạch triển khai thực hiện Đề án trên địa bàn tỉnh Sóc Trăng, như sau:
"""

CENTRAL = """\
THỦ TƯỚNG CHÍNH PHỦ
-------
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
---------------
Số: 1230/QĐ-TTg
Hà Nội, ngày 04 tháng 5 năm 2013
QUYẾT ĐỊNH
Phê duyệt Đề án phát triển thư viện số
THỦ TƯỚNG CHÍNH PHỦ
Căn cứ Luật Tổ chức Chính phủ ngày 25 tháng 12 năm 2001;
QUYẾT ĐỊNH:
Điều 1. Phê duyệt Đề án.
Nơi nhận:
- Ban Bí thư Trung ương Đảng;
- Lưu: VT, KGVX.
KT. THỦ TƯỚNG
PHÓ THỦ TƯỚNG
Vũ Văn Ninh
"""

DEPARTMENT = """\
UBND TỈNH QUẢNG NAM
SỞ VĂN HÓA, THỂ THAO
VÀ DU LỊCH
Số: 512/KH-SVHTTDL
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Quảng Nam, ngày 21 tháng 3 năm 2023
KẾ HOẠCH
Tổ chức Ngày Sách và Văn hóa đọc Việt Nam năm 2023
Nơi nhận:
- UBND tỉnh (b/c);
- Lưu: VT.
KT. GIÁM ĐỐC
PHÓ GIÁM ĐỐC
(Đã ký)
Hồ Thị Thu Hà
"""

NO_HEADER_TITLED = """\


KẾ HOẠCH

Triển khai Đề án phát triển văn hóa đọc trong cộng đồng

Thực hiện Quyết định số 329/QĐ-TTg ngày 15/3/2017 của Thủ tướng Chính phủ, Ủy ban nhân dân tỉnh ban hành Kế hoạch triển khai thực hiện trên địa bàn tỉnh Gia Lai, cụ thể như sau:

I. MỤC ĐÍCH, YÊU CẦU

Nơi nhận:
- Bộ VHTTDL (b/c);

**KT. CHỦ TỊCH
PHÓ CHỦ TỊCH**

Kpă Thuyên
"""

SELF_ISSUED_NO_TITLE = """\
Thực hiện Kế hoạch số 45/KH-UBND ngày 02/3/2023 của UBND Thành phố, Ủy ban nhân dân huyện Đông Anh ban hành Kế hoạch triển khai thực hiện, như sau:

I. MỤC TIÊU
1. Mục tiêu chung
"""

MONTH_ONLY = """\
ỦY BAN NHÂN DÂN
THỊ XÃ SƠN TÂY
Số:   /KH-UBND
Sơn Tây, ngày … tháng 8 năm 2023
KẾ HOẠCH
Về phát triển văn hóa đọc
"""

DECISION_WITH_PLAN = """\
ỦY BAN NHÂN DÂN
TỈNH PHÚ YÊN
-------
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 1456/QĐ-UBND
Phú Yên, ngày 10 tháng 8 năm 2021
QUYẾT ĐỊNH
VỀ VIỆC BAN HÀNH KẾ HOẠCH PHÁT TRIỂN VĂN HÓA ĐỌC
CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH PHÚ YÊN
Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;
QUYẾT ĐỊNH:
Điều 1. Ban hành kèm theo Quyết định này Kế hoạch phát triển văn hóa đọc.
Điều 2. Quyết định này có hiệu lực kể từ ngày ký./.
Nơi nhận:
- Như Điều 2;
- Lưu: VT.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Phan Đình Phùng
KẾ HOẠCH
PHÁT TRIỂN VĂN HÓA ĐỌC
(Ban hành kèm theo Quyết định số 1456/QĐ-UBND ngày 10/8/2021 của Chủ tịch UBND tỉnh Phú Yên)
I. MỤC ĐÍCH
1. Tổ chức thực hiện tốt Kế hoạch./.
"""

COMMUNE_ONE_CELL_SIGNATURE = """\
ỦY BAN NHÂN DÂN XÃ TÂN THÔNG HỘI | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM |
Số: 12/KH-UBND | Tân Thông Hội, ngày 3 tháng 3 năm 2023 |
KẾ HOẠCH
Tổ chức các hoạt động tại Nhà văn hóa xã
Thực hiện Kế hoạch số 55/KH-UBND của UBND huyện Củ Chi;
Trên đây là Kế hoạch./.
Nơi nhận: - UBND huyện; - Lưu: VT. | TM. ỦY BAN NHÂN DÂN CHỦ TỊCH Lê Thị Mỹ |
"""

PARTY = """\
TỈNH ỦY BẮC NINH
*
Số 35-KH/TU
ĐẢNG CỘNG SẢN VIỆT NAM
Bắc Ninh, ngày 20 tháng 7 năm 2021
KẾ HOẠCH
thực hiện Nghị quyết số 10-NQ/TW ngày 16/6/2021 của Bộ Chính trị
Nơi nhận:
- Các huyện ủy;
T/M BAN THƯỜNG VỤ
PHÓ BÍ THƯ THƯỜNG TRỰC
Nguyễn Quốc Chung
"""

LETTER = """\
ỦY BAN NHÂN DÂN
HUYỆN MƯỜNG KHƯƠNG
Số: 1024/UBND-VHTT
V/v triển khai Ngày Sách và Văn hóa đọc Việt Nam năm 2024
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Mường Khương, ngày 02 tháng 4 năm 2024
Kính gửi: Ủy ban nhân dân các xã, thị trấn.
Nơi nhận:
- Như trên;
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
(đã ký)
Lù Văn Trình
"""

LIBRARY = """\
UBND TỈNH ĐẮK LẮK
SỞ VĂN HÓA, THỂ THAO
VÀ DU LỊCH
THƯ VIỆN TỈNH
Số: 33/KH-TV
Đắk Lắk, ngày 5/1/2024
KẾ HOẠCH
Hoạt động năm 2024
"""

OFFICIAL_CASES = [
    pytest.param(PARTY, dict(
        doc_type="plan", number="35-KH/TU", issue_date="2021-07-20", place="Bắc Ninh",
        issuing_body="Tỉnh ủy Bắc Ninh", admin_level="province", province="Bắc Ninh",
        signer=("Nguyễn Quốc Chung", "Phó Bí thư Thường trực")),
        id="Party committee: 'Số 35-KH/TU', Party motto, T/M BAN THƯỜNG VỤ"),
    pytest.param(LETTER, dict(
        doc_type="other", number="1024/UBND-VHTT", issue_date="2024-04-02",
        issuing_body="Ủy ban nhân dân huyện Mường Khương", admin_level="district",
        province="Lào Cai", district="Mường Khương", signer=("Lù Văn Trình", "Phó Chủ tịch"),
        title="V/v triển khai Ngày Sách và Văn hóa đọc Việt Nam năm 2024"),
        id="official letter: no kind line, subject 'V/v …'"),
    pytest.param(LIBRARY, dict(
        doc_type="plan", issue_date="2024-01-05", issuing_body="Thư viện tỉnh Đắk Lắk",
        parent_body="Sở Văn hóa, Thể thao và Du lịch", admin_level="department", province="Đắk Lắk"),
        id="three bodies in the header; date line in figures"),
    pytest.param(DECISION_WITH_PLAN, dict(
        doc_type="decision", number="1456/QĐ-UBND", issue_date="2021-08-10",
        issuing_body="Ủy ban nhân dân tỉnh Phú Yên", signer=("Phan Đình Phùng", "Phó Chủ tịch"),
        title="VỀ VIỆC BAN HÀNH KẾ HOẠCH PHÁT TRIỂN VĂN HÓA ĐỌC"),
        id="decision followed by the plan it issues: title stops at the enacting line, signer before the plan"),
    pytest.param(COMMUNE_ONE_CELL_SIGNATURE, dict(
        doc_type="plan", number="12/KH-UBND", place="Tân Thông Hội",
        issuing_body="Ủy ban nhân dân xã Tân Thông Hội", admin_level="commune",
        province="Hồ Chí Minh", district="Củ Chi", signer=("Lê Thị Mỹ", "Chủ tịch")),
        id="commune: district and province from the gazetteer; signature flattened into one cell"),
    pytest.param(DISTRICT_DRAFT, dict(
        doc_type="plan", number=None, warning="blank", issue_date="2024", place="Củ Chi",
        issuing_body="Ủy ban nhân dân huyện Củ Chi", parent_body=None, admin_level="district",
        province="Hồ Chí Minh", district="Củ Chi", signer=("Nguyễn Thị Lan", "Phó Chủ tịch"),
        title="Phát triển văn hóa đọc trên địa bàn huyện Củ Chi năm 2024"),
        id="district draft: blank number, 'ngày tháng năm 2024', TM./KT./PHÓ CHỦ TỊCH"),
    pytest.param(SCHOOL, dict(
        doc_type="plan", number="58/KH-THCSHHT", issue_date="2022-09-12", place="Bình Thạnh",
        issuing_body="Trường Trung học cơ sở Hà Huy Tập",
        parent_body="Ủy ban nhân dân quận Bình Thạnh", admin_level="school",
        province="Hồ Chí Minh", district="Bình Thạnh", signer=("Trần Văn Hùng", "Hiệu trưởng")),
        id="school under a district, issuer over two lines, (Đã ký)"),
    pytest.param(WRAPPED_TABLE, dict(
        doc_type="decision", number="35/QĐ-UBND", issue_date="2022-01-05", place="Lạng Sơn",
        issuing_body="Ủy ban nhân dân tỉnh Lạng Sơn", admin_level="province", province="Lạng Sơn",
        district=None, signer=None,
        title="VỀ VIỆC BAN HÀNH KẾ HOẠCH PHÁT TRIỂN VĂN HÓA ĐỌC TỈNH LẠNG SƠN GIAI ĐOẠN 2022 - 2025"),
        id="portal copy: names wrapped mid-word, '|' cells, upper-case title over two lines"),
    pytest.param(ONE_LINE_TABLE, dict(
        doc_type="plan", number="1234/KH-UBND", issue_date="2022-12-09", place="Bến Tre",
        issuing_body="Ủy ban nhân dân tỉnh Bến Tre", admin_level="province", province="Bến Tre"),
        id="header table flattened into one line per row, type from the symbol"),
    pytest.param(HEADER_ONLY_HEAD, dict(
        doc_type="plan", number="78/KH-UBND", place="Sóc Trăng",
        issuing_body="Ủy ban nhân dân tỉnh Sóc Trăng", admin_level="province", province="Sóc Trăng"),
        id="header reduced to 'ỦY BAN NHÂN DÂN': level and place from the text"),
    pytest.param(CENTRAL, dict(
        doc_type="decision", number="1230/QĐ-TTg", issue_date="2013-05-04", place="Hà Nội",
        issuing_body="Thủ tướng Chính phủ", admin_level="central", province=None, district=None,
        signer=("Vũ Văn Ninh", "Phó Thủ tướng"), title="Phê duyệt Đề án phát triển thư viện số"),
        id="Prime Minister's decision: KT. THỦ TƯỚNG / PHÓ THỦ TƯỚNG, no province"),
    pytest.param(DEPARTMENT, dict(
        doc_type="plan", number="512/KH-SVHTTDL", issuing_body="Sở Văn hóa, Thể thao và Du lịch",
        parent_body="Ủy ban nhân dân tỉnh Quảng Nam", admin_level="department",
        province="Quảng Nam", signer=("Hồ Thị Thu Hà", "Phó Giám đốc")),
        id="department under a province, field name wrapped after a comma"),
    pytest.param(NO_HEADER_TITLED, dict(
        doc_type="plan", number=None, issue_date=None, place=None,
        issuing_body="Ủy ban nhân dân tỉnh Gia Lai", admin_level="province", province="Gia Lai",
        signer=("Kpă Thuyên", "Phó Chủ tịch"),
        title="Triển khai Đề án phát triển văn hóa đọc trong cộng đồng"),
        id="copy without header: issuer from 'Ủy ban nhân dân tỉnh ban hành' + 'tỉnh Gia Lai'"),
    pytest.param(SELF_ISSUED_NO_TITLE, dict(
        doc_type="plan", issuing_body="Ủy ban nhân dân huyện Đông Anh", admin_level="district",
        province="Hà Nội", district="Đông Anh"),
        id="neither header nor title: the preamble says 'ban hành Kế hoạch …, như sau:'"),
    pytest.param(MONTH_ONLY, dict(
        doc_type="plan", number=None, issue_date="2023-08", place="Sơn Tây",
        issuing_body="Ủy ban nhân dân thị xã Sơn Tây", admin_level="district",
        province="Hà Nội", district="Sơn Tây"),
        id="day left blank, month given: partial YYYY-MM"),
]


@pytest.mark.parametrize("text,expected", OFFICIAL_CASES)
def test_official_documents(text: str, expected: dict[str, Any]) -> None:
    check(meta(text), expected)


# --------------------------------------------------------------------------
# News articles reporting a document
# --------------------------------------------------------------------------

NEWS_CASES = [
    pytest.param(
        "Thứ Sáu, 17/03/2023, 09:00\nThực hiện Quyết định số 1520/QĐ-TTg ngày 9/12/2022 của Thủ tướng Chính "
        "phủ phê duyệt Chương trình “Đẩy mạnh học tập suốt đời”, UBND tỉnh Tây Ninh vừa ban hành Kế hoạch "
        "số 812/KH-UBND ngày 14/3/2023 triển khai trên địa bàn tỉnh.\n",
        dict(doc_type="news", number="812/KH-UBND", issue_date="2023-03-14",
             issuing_body="Ủy ban nhân dân tỉnh Tây Ninh", province="Tây Ninh"),
        id="the cited decision that approved a programme is not the reported document"),
    pytest.param(
        "Thứ Sáu, 17/03/2023, 09:00\nThực hiện Quyết định số 1520/QĐ-TTg ngày 9/12/2022, UBND tỉnh Tây Ninh "
        "vừa ban hành Kế hoạch số 812/KH-UBND triển khai trên địa bàn tỉnh.\n",
        dict(doc_type="news", number="812/KH-UBND", issue_date=None,
             issuing_body="Ủy ban nhân dân tỉnh Tây Ninh"),
        id="a cited decision's date is not the reported plan's date"),
    pytest.param(
        "Ngày 12/5, Sở Văn hóa, Thể thao và Du lịch tỉnh Lâm Đồng ban hành Kế hoạch số 88/KH-SVHTTDL "
        "về tổ chức Ngày sách.\n",
        dict(doc_type="news", number="88/KH-SVHTTDL",
             issuing_body="Sở Văn hóa, Thể thao và Du lịch tỉnh Lâm Đồng", admin_level="department",
             province="Lâm Đồng"),
        id="a department reports its plan"),
    pytest.param(
        "Bắc Giang đẩy mạnh văn hóa đọc\n\nUBND tỉnh Bắc Giang vừa ban hành Kế hoạch số 45/KH-UBND "
        "ngày 15/3/2023 về phát triển văn hóa đọc trong cộng đồng giai đoạn 2023 - 2025.\n",
        dict(doc_type="news", number="45/KH-UBND", issue_date="2023-03-15", place=None,
             issuing_body="Ủy ban nhân dân tỉnh Bắc Giang", admin_level="province",
             province="Bắc Giang", signer=None,
             title="phát triển văn hóa đọc trong cộng đồng giai đoạn 2023 - 2025"),
        id="number and full date after the number"),
    pytest.param(
        "Cập nhật: 10:15, 22/04/2022\n\nNgày 18/4, UBND tỉnh Sóc Trăng ban hành Kế hoạch số 77/KH-UBND "
        "về phát triển hệ thống thư viện.\n",
        dict(doc_type="news", number="77/KH-UBND", issue_date="2022-04-18",
             issuing_body="Ủy ban nhân dân tỉnh Sóc Trăng", province="Sóc Trăng"),
        id="'Ngày 18/4' takes its year from the page's dateline"),
    pytest.param(
        "Thứ Ba, 05/01/2021, 08:30\n\nNgày 28/12, Uỷ ban nhân dân tỉnh đã ban hành Kế hoạch số 300/KH-UBND "
        "triển khai Chương trình trên địa bàn tỉnh Yên Bái.\n",
        dict(doc_type="news", number="300/KH-UBND", issue_date="2020-12-28",
             issuing_body="Ủy ban nhân dân tỉnh Yên Bái", province="Yên Bái"),
        id="yearless date later than the dateline: previous year; place from 'trên địa bàn tỉnh'"),
    pytest.param(
        "Ngày 2/6, Phó Chủ tịch UBND tỉnh Nghệ An Bùi Đình Long ký ban hành Kế hoạch số 301/KH-UBND "
        "về xây dựng xã hội học tập.\n",
        dict(doc_type="news", number="301/KH-UBND", issue_date=None, warning="no year",
             issuing_body="Ủy ban nhân dân tỉnh Nghệ An", province="Nghệ An",
             signer=("Bùi Đình Long", "Phó Chủ tịch")),
        id="signer named in the report; no dateline so no year"),
    pytest.param(
        "Phó Thủ tướng Trần Hồng Hà vừa ký Quyết định số 1230/QĐ-TTg ngày 20/10/2023 phê duyệt "
        "Đề án phát triển thư viện số.\n",
        dict(doc_type="news", number="1230/QĐ-TTg", issue_date="2023-10-20",
             issuing_body="Thủ tướng Chính phủ", admin_level="central", province=None,
             signer=("Trần Hồng Hà", "Phó Thủ tướng")),
        id="Deputy Prime Minister signs a decision"),
    pytest.param(
        "Theo Chiến lược phát triển thể thao đến năm 2030 đã được Chính phủ phê duyệt, "
        "phấn đấu 100% xã có sân thể thao.\n",
        dict(doc_type="news", number=None, issue_date=None, issuing_body="Chính phủ",
             admin_level="central", province=None),
        id="passive 'đã được Chính phủ phê duyệt'"),
    pytest.param(
        "Hội nghị ký kết chương trình phối hợp giữa các hội.\nToàn tỉnh phấn đấu đến năm 2025 có "
        "80% gia đình đạt danh hiệu gia đình học tập; con người Thái Bình năng động.\n",
        dict(doc_type="news", number=None, issuing_body=None, admin_level="province",
             province="Thái Bình"),
        id="no reported document: level from 'toàn tỉnh', province from a bare name"),
]


@pytest.mark.parametrize("text,expected", NEWS_CASES)
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


def test_linear_time_on_long_repetitive_text() -> None:
    text = ("ỦY BAN NHÂN DÂN TỈNH " * 2000 + "\n" + "Ngày 5/12, UBND tỉnh ban hành " * 2000
            + "\n" + "Phó Chủ tịch UBND tỉnh A B C D E F G " * 1000)
    t0 = time.perf_counter()
    meta(text)
    assert time.perf_counter() - t0 < 20


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

LOOSE_NUMBER = """\
BỘ Y TẾ
Số: 47 /2019/TT-BYT
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Hà Nội, ngày 10 tháng 12 năm 2019
THÔNG TƯ
Quy định về hồ sơ bệnh án
"""

DOTTED_NUMBER_DATE_ON_ITS_LINE = """\
ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH AN GIANG Độc lập - Tự do - Hạnh phúc
Số: …07…./2011/QĐ-UBND Long Xuyên, ngày30 tháng4 năm 2011
QUYẾT ĐỊNH
Về việc ban hành quy chế phối hợp
"""

LOWERCASE_LEGACY = """\
ủy Ban Nhân Dân
thành phố đà nẵng
Số: 315/QĐ-UBND
cộng hoà xã hội chủ nghĩa việt nam
Độc lập - Tự do - Hạnh phúc
Đà Nẵng, ngày 2 tháng 6 năm 2006
quyết định của ủy ban nhân dân thành phố
Về việc giao chỉ tiêu kế hoạch
Căn cứ Luật Tổ chức Hội đồng nhân dân và Ủy ban nhân dân;
Điều 1. Giao chỉ tiêu kế hoạch năm 2006.
Nơi gửi:
- Như Điều 3;
- Lưu VT.
kt.chủ tịch
phó chủ tịch
(Đã ký)
Hoàng Tuấn Anh
"""

OCR_GLUED = """\
ỦY BAN NHÂN DÂN CỌNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH PHÚ YÊN Độc lập — Tự do -Hạnh phúc
Số: 21/CT-UBND Tuy Hòa, ngày 09 tháng 8 năm 2017
CHÍ THỊ
Về việc tăng cường phòng chống thiên tai
"""

OCR_SCHOOL = """\
BỘ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Â Độc lập - Tự do - Hạnh phúc
TRƯỜNG ĐẠI HỌC NÔNG LÂM TR xy ầm q
THÀNH PHÓ HÒ CHÍ MINH
Hà Nội, ngày 3 tháng 4 năm 2024
Số: 88/KH-ĐHTL
KẾ HOẠCH
Tổ chức hội nghị khoa học
"""

INTERLEAVED_SIGNATURE = """\
ỦY BAN NHÂN DÂN
TỈNH BÌNH ĐỊNH
Số: 204/TB-UBND
Quy Nhơn, ngày 15 tháng 3 năm 2024
THÔNG BÁO
Kết luận của Chủ tịch UBND tỉnh tại cuộc họp
Nay thông báo để các cơ quan biết, thực hiện./.
Nơi nhận:
TL. CHỦ TỊCH
- CT, các PCT UBND tỉnh;
KT. CHÁNH VĂN PHÒNG
- Các Sở: Tài chính, Xây dựng,
PHÓ CHÁNH VĂN PHÒNG
Giao thông vận tải, Công Thương,
Nội vụ;
- Lưu: VT, K7.
Trần Minh Khoa
"""

REPORT_FIRST_LINE = """\
Báo cáo
Tình hình thực hiện kế hoạch năm 2019 và kế hoạch năm 2020
Năm 2019, Chính phủ đã ban hành Nghị quyết số 02/NQ-CP ngày 01/01/2019 về các nhiệm vụ chủ yếu.
Ngày 5/3, Thủ tướng Chính phủ ký Quyết định số 11/QĐ-TTg về việc giao kế hoạch.
"""

APPENDIX_FIRST_LINE = """\
PHỤ LỤC II
MẪU TRÌNH BÀY VĂN BẢN
(Kèm theo Thông tư số 01/2011/TT-BNV ngày 19 tháng 01 năm 2011 của Bộ Nội vụ)
Ngày 19/01, Bộ Nội vụ ban hành Thông tư số 01/2011/TT-BNV hướng dẫn thể thức.
"""


@pytest.mark.parametrize("text,expected", [
    pytest.param(LOOSE_NUMBER, {"number": "47/2019/TT-BYT", "issue_date": "2019-12-10"},
                 id="a space before the slash of the number"),
    pytest.param(DOTTED_NUMBER_DATE_ON_ITS_LINE,
                 {"number": "07/2011/QĐ-UBND", "issue_date": "2011-04-30", "place": "Long Xuyên",
                  "issuing_body": "Ủy ban nhân dân tỉnh An Giang", "doc_type": "decision"},
                 id="dotted blank filled in; date on the number's line; ngày30, tháng4"),
    pytest.param(LOWERCASE_LEGACY,
                 {"issuing_body": "Ủy ban nhân dân thành phố Đà Nẵng", "province": "Đà Nẵng",
                  "signer": ("Hoàng Tuấn Anh", "Phó Chủ tịch")},
                 id="a legacy-font file that lost its capitals; (Đã ký) before the name"),
    pytest.param(OCR_GLUED,
                 {"issuing_body": "Ủy ban nhân dân tỉnh Phú Yên", "province": "Phú Yên", "doc_type": "directive",
                  "number": "21/CT-UBND", "issue_date": "2017-08-09"},
                 id="OCR glues the motto to the issuer's lines, misreads tone marks"),
    pytest.param(OCR_SCHOOL,
                 {"parent_body": "Bộ Nông nghiệp và Phát triển nông thôn", "number": "88/KH-ĐHTL",
                  "issuing_body": "Trường Đại học Nông Lâm Thành phố Hồ Chí Minh",
                  "doc_type": "plan"},
                 id="OCR: a ministry above a university, noise of the right column left out, its city's tone marks repaired"),
    pytest.param(INTERLEAVED_SIGNATURE,
                 {"number": "204/TB-UBND", "signer": ("Trần Minh Khoa", "Phó Chánh Văn phòng")},
                 id="signature column interleaved line by line with the recipients list"),
    pytest.param("ỦY BAN NHÂN DÂN CỌNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nTỈNH QUẢNG TRỊ Độc lập - Tự do - Hạnh phúc\n"
                 "Số: @# /CT-UBND Đông Hà, ngày #6 tháng 3 năm 2019\nCHỈ THỊ\nVề việc phòng cháy\n",
                 {"issue_date": "2019-03", "place": "Đông Hà", "number": None,
                  "issuing_body": "Ủy ban nhân dân tỉnh Quảng Trị", "warning": "day of the date line unreadable"},
                 id="a handwritten day OCR cannot read: the month stays"),
    pytest.param("BỘ TÀI CHÍNH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nTỔNG CỤC HAI QUAN Độc lập - Tự do - Hạnh phúc\n"
                 "Số: 315/TCHQ-GSQL\nHà Nội, ngày 4 tháng 2 năm 2022\nV/v thủ tục hải quan\n"
                 "Kính gửi: Cục Hải quan các tỉnh, thành phố.\n"
                 "Tổng cục Hải quan nhận được công văn của doanh nghiệp; về vấn đề này, Tổng cục Hải quan có ý kiến như sau:\n",
                 {"issuing_body": "Tổng cục Hải quan", "parent_body": "Bộ Tài chính"},
                 id="OCR lost the tone marks of the issuer's name: spelled as the text names it"),
    pytest.param(REPORT_FIRST_LINE, {"doc_type": "other", "number": None},
                 id="a report opening with 'Báo cáo' is not a news article"),
    pytest.param(APPENDIX_FIRST_LINE, {"doc_type": "other", "number": None},
                 id="an appendix opening with 'PHỤ LỤC II' is not a news article"),
])
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
