"""Adversarial inputs for the batch: texts that once made extraction slow,
huge or wrong, built from a size so that tests use a few KB and
``bench/bench.py`` the megabytes (issue 9).

Every generator returns text for a document: a plan header (so the text is
read as a plan), then the adversarial body of about ``size`` characters.
"""
from __future__ import annotations

HEADER = ("ỦY BAN NHÂN DÂN\nTỈNH BÌNH ĐỊNH\nSố: 12/KH-UBND\n"
          "Bình Định, ngày 5 tháng 4 năm 2024\n\nKẾ HOẠCH\n"
          "Phát triển thư viện đến năm 2030\n\n2. Mục tiêu cụ thể đến năm 2030\n")

#: Separators between repeated value clauses: every one a list of values can
#: use; ``comma_tier`` puts a tier word after each value (``đạt 50% xã, ``), so
#: that every value asks for the tiers of one long block (once quadratic).
SEPARATORS = {"comma": ", ", "period": ". ", "va": " và ", "semicolon": "; ", "comma_tier": " xã, "}


def _repeat(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit))


def dense_values(size: int, separator: str = ", ") -> str:
    """``đạt 50%`` clauses joined by ``separator``, about ``size`` characters in one paragraph."""
    return HEADER + "- Phấn đấu " + _repeat(f"đạt 50%{separator}", size) + "đạt 50%.\n"


def many_values_sentence(count: int = 400) -> str:
    """One sentence with ``count`` values (percentages, counts, years)."""
    parts = []
    for i in range(count):
        kind = i % 3
        parts.append(f"{i % 100}% xã" if kind == 0 else f"{i + 1} trường" if kind == 1 else f"năm {2020 + i % 11}")
    return HEADER + "- Phấn đấu có " + ", ".join(parts) + ".\n"


def digits_line(size: int) -> str:
    """One line of digits and ``%`` with no spaces: ``1234567%89%…``."""
    unit = "1234567890%"
    return HEADER + _repeat(unit, size) + "\n"


def year_line(size: int) -> str:
    """One line of ``năm 2025`` repeated."""
    return HEADER + _repeat("năm 2025 ", size) + "\n"


def citation_phrases(size: int) -> str:
    """Citation-like phrases that never close, about ``size`` characters on three lines:
    law titles joined by ``và``, ``Quyết định số 15/QĐ-UBND của`` over and over (a
    number whose issuer is another citation), and ``Căn cứ Luật`` followed by a
    long run of short words, its date only at the very end."""
    third = max(1, size // 3)
    return (HEADER + _repeat("Luật Thư viện và Luật Di sản văn hóa và ", third) + "\n"
            + _repeat("Quyết định số 15/QĐ-UBND của ", third) + "\n"
            + "Căn cứ Luật " + _repeat("x y z ", third) + "ngày 10/10/2020.\n")


def header_phrases(size: int) -> str:
    """Header-like phrases repeated, about ``size`` characters on three lines: an
    issuing body with no name (``ỦY BAN NHÂN DÂN HUYỆN``), a news lead with no
    document (``Ngày 12/3, UBND huyện ban hành``), and a signer's title followed
    by capitalised one-letter words (no name)."""
    third = max(1, size // 3)
    return (HEADER + _repeat("ỦY BAN NHÂN DÂN HUYỆN ", third) + "\n"
            + _repeat("Ngày 12/3, UBND huyện ban hành ", third) + "\n"
            + _repeat("Phó Chủ tịch UBND huyện H K L M N P Q ", third) + "\n")


#: Document lines that a spreadsheet would run as formulas (OWASP CSV injection).
FORMULA_LINES = (
    '=HYPERLINK("http://example.invalid/x","bấm vào đây")',
    "+1+1",
    "-2+3",
    "@SUM(1+1)",
)


def formula_cells() -> str:
    """Formula-looking lines, alone and at the start of target lines."""
    body = "\n".join(FORMULA_LINES) + "\n"
    body += f'{FORMULA_LINES[0]} Phấn đấu 60% thư viện cấp huyện có dịch vụ học tập suốt đời.\n'
    body += "@SUM(1+1) 80% trường học có thư viện.\n"
    return HEADER + body


def all_cases(size: int) -> dict[str, str]:
    """Every generator at ``size``: name -> text."""
    cases = {f"dense_{name}": dense_values(size, sep) for name, sep in SEPARATORS.items()}
    cases["values_400"] = many_values_sentence(400)
    cases["digits_percent"] = digits_line(size)
    cases["year_line"] = year_line(size)
    cases["citations"] = citation_phrases(size)
    cases["headers"] = header_phrases(size)
    cases["formulas"] = formula_cells()
    return cases
