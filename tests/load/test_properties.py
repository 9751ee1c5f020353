"""Property tests: decoding never crashes on arbitrary bytes, and legacy-font
detection and conversion do work linear in the text's length.

Linearity is checked by counting work, not by timing it: the characters that
:func:`legacy_fonts.fix_legacy_text` hands to the scorer and to the
converters, per character of input, must not grow with the input.  How fast
that work is done is the bench's to measure (``make bench``), not a test's.
"""
from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.load import legacy_fonts
from pipeline.load.txt import decode_bytes


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_decode_bytes_never_crashes(data):
    try:
        text, encoding, warnings = decode_bytes(data)
    except ValueError as exc:
        assert str(exc) == "binary"
    else:
        assert isinstance(text, str) and isinstance(encoding, str)
        assert encoding == "utf-8" or warnings


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=500))
def test_legacy_conversion_never_crashes(text):
    fixed, enc = legacy_fonts.fix_legacy_text(text)
    assert enc in (None, "tcvn3", "vni")
    assert enc is not None or fixed == text


UNIT = "Phấn đấu Thư viện tỉnh đạt 60% (năm 2025)."


@pytest.mark.parametrize("head", ["", "Thư viện tỉnh\n"], ids=["tcvn3", "mixed"])
def test_detection_is_linear(monkeypatch, head):
    """TCVN3 lines (after a Unicode line in ``mixed``, which takes the per-line
    vote of each converter) are detected and converted, and the characters
    scored and converted per character of input are the same for 10x the text.

    Deterministic: the work is counted, not timed (the speed is the bench's).
    The detection reads the whole text (no bounded prefix), so the count is
    what bounds it.  A quadratic step, such as detecting again for each line,
    multiplies the count per character by the number of lines.
    """
    unit = legacy_fonts.unicode_to_tcvn3(UNIT).decode("cp1252")
    work = 0

    def counted(fn: Callable[[str], object]) -> Callable[[str], object]:
        def wrapper(text: str) -> object:
            nonlocal work
            work += len(text)
            return fn(text)
        return wrapper

    monkeypatch.setattr(legacy_fonts, "vietnamese_score", counted(legacy_fonts.vietnamese_score))
    for name, convert in list(legacy_fonts._CONVERTERS.items()):
        monkeypatch.setitem(legacy_fonts._CONVERTERS, name, counted(convert))

    def work_per_char(n: int) -> float:
        nonlocal work
        text = head + "\n".join([unit] * n)
        work = 0
        fixed, enc = legacy_fonts.fix_legacy_text(text)
        assert enc == "tcvn3"
        assert fixed == head + "\n".join([UNIT] * n)
        assert work > len(text)  # the whole text was scored at least once: the counting sees the work
        return work / len(text)

    small, big = work_per_char(200), work_per_char(2000)
    assert big <= small * 1.05, (small, big)  # 10x the lines: the same work per character
