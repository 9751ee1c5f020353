"""A small plan written for these tests (not from the corpus), extracted once per module."""
from __future__ import annotations

from pathlib import Path

import pytest

PLAN = """ỦY BAN NHÂN DÂN
TỈNH QUẢNG TRỊ
Số: 12/KH-UBND
Quảng Trị, ngày 5 tháng 3 năm 2024

KẾ HOẠCH
Phát triển thư viện giai đoạn 2024 - 2030

I. MỤC TIÊU
1. Mục tiêu cụ thể đến năm 2030
- 70% thư viện cấp huyện cung cấp dịch vụ học tập suốt đời cho người sử dụng.
- 50% thư viện cấp xã ứng dụng công nghệ thông tin và chuyển đổi số.
- Thành lập mới 04 thư viện cấp xã.
- Đến năm 2028, 90% thư viện trường học có phòng đọc mở cửa cả ngày.
- Mỗi huyện duy trì ba câu lạc bộ đọc sách cho thiếu nhi.

II. TỔ CHỨC THỰC HIỆN
Sở Văn hóa, Thể thao và Du lịch chủ trì triển khai Kế hoạch này.

KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Nguyễn Văn An
"""

#: The words of the value the extractor misses (a number in words), added by the analyst.
MISSED = "ba câu lạc bộ đọc sách"


def write_plan(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kh-thu-vien.txt"
    path.write_text(PLAN, encoding="utf-8")
    return path


def extract(inputs: Path, out: Path) -> int:
    from pipeline import cli

    return cli.main(["extract", str(inputs), "--out", str(out), "--quiet"])


@pytest.fixture()
def plan_out(tmp_path: Path) -> Path:
    """An output folder holding the extracted plan (and its store)."""
    inputs = tmp_path / "in"
    write_plan(inputs)
    out = tmp_path / "out"
    assert extract(inputs, out) == 0
    return out
