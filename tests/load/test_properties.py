"""Property tests: decoding never crashes on arbitrary bytes and stays linear."""
from __future__ import annotations

import time

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


def test_detection_is_linear():
    unit = legacy_fonts.unicode_to_tcvn3("Phấn đấu Thư viện tỉnh đạt 60% (năm 2025). ").decode("cp1252")

    def cost(n: int) -> float:
        text = unit * n
        start = time.perf_counter()
        legacy_fonts.fix_legacy_text(text)
        return time.perf_counter() - start

    small, big = cost(200), cost(2000)
    assert big < 10 * small * 3  # 10x input, allow 3x slack over linear
