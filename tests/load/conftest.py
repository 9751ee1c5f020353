"""Shared fixtures for the loader tests: the sample text and a check that
every table cell sits where it says in the text."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pipeline.load import LoadedText

SAMPLE = (
    "2. Mục tiêu cụ thể đến năm 2030\n"
    "a) Đối với hệ thống thư viện\n"
    "- Phấn đấu Thư viện tỉnh đạt 60% (năm 2025) và đạt 80% (năm 2030); cấp huyện đạt 50% "
    "(năm 2025) và đạt 70% (năm 2030) có cung cấp dịch vụ phục vụ việc học tập suốt đời cho "
    "người sử dụng thư viện.\n"
    "- Năm 2030: 12 - 15% mỗi năm."
)
SAMPLE_LINES = SAMPLE.split("\n")


def check_offsets(doc: LoadedText) -> None:
    """Every cell's text is exactly where its offsets say; pages tile the text."""
    for table in doc.tables:
        for row in table.rows:
            for cell in row:
                assert doc.text[cell.start:cell.end] == cell.text, cell
    if doc.pages:
        prev = 0
        for start, end in doc.pages:
            assert prev <= start <= end <= len(doc.text)
            prev = end


def need_file(path: Path, package: str) -> None:
    """Like :func:`need_tool`, for a data file (a font) from a Debian package."""
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} missing in CI: run scripts/install-system-deps.sh (Debian package {package})")
        pytest.skip(f"{path} not installed (Debian package {package}; see scripts/install-system-deps.sh)")


def need_tool(program: str, package: str) -> None:
    """Skip when a system program is missing, except in CI, where it must be there."""
    if shutil.which(program) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{program} missing in CI: run scripts/install-system-deps.sh (Debian package {package})")
        pytest.skip(f"{program} not installed (Debian package {package}; see scripts/install-system-deps.sh)")
