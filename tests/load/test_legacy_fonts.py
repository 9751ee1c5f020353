"""TCVN3 / VNI tables: round trips over every Vietnamese letter, detection."""
from __future__ import annotations

import unicodedata

import pytest

from pipeline.load import legacy_fonts as lf

from .conftest import SAMPLE

LOWER_LETTERS = [
    unicodedata.normalize("NFC", base + tone)
    for base in ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"]
    for tone in ["", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"]
] + ["đ"]


def test_tcvn3_covers_every_lower_case_letter():
    for ch in LOWER_LETTERS:
        if ch in "aeiouy":
            continue
        assert lf.tcvn3_bytes_to_unicode(lf.unicode_to_tcvn3(ch)) == ch, ch
    assert len(set(lf.TCVN3_BYTES.values())) == len(lf.TCVN3_BYTES)


@pytest.mark.parametrize("ch", LOWER_LETTERS + [c.upper() for c in LOWER_LETTERS])
def test_vni_round_trip(ch):
    assert lf.vni_to_unicode(lf.unicode_to_vni(ch)) == ch


@pytest.mark.parametrize("garbled,expected", [
    ("ViÖt Nam", "Việt Nam"),
    ("ñy ban nh©n d©n tØnh", "ủy ban nhân dân tỉnh"),
    ("®­îc", "được"),
])
def test_tcvn3_known_strings(garbled, expected):
    assert lf.tcvn3_to_unicode(garbled) == expected


def test_tcvn3_h_font_upper():
    assert lf.tcvn3_to_unicode("céng hßa x· héi", upper=True) == "CỘNG HÒA XÃ HỘI"


@pytest.mark.parametrize("garbled,expected", [
    ("COÄNG HOØA XAÕ HOÄI CHUÛ NGHÓA VIEÄT NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ("ñöôïc", "được"),
])
def test_vni_known_strings(garbled, expected):
    assert lf.vni_to_unicode(garbled) == expected


@pytest.mark.parametrize("text,encoding", [
    (lf.unicode_to_tcvn3(SAMPLE).decode("cp1252"), "tcvn3"),
    (lf.unicode_to_vni(SAMPLE), "vni"),
    (SAMPLE, None),
    ("Café, naïve, São Paulo, Ångström — ordinary Western text.", None),
    ("Giá 1.000 € (±5%) · tổng cộng", None),
], ids=["tcvn3", "vni", "unicode", "western", "symbols"])
def test_detection(text, encoding):
    fixed, enc = lf.fix_legacy_text(text)
    assert enc == encoding
    if encoding:
        assert fixed == SAMPLE
    else:
        assert fixed == text


def test_mixed_document_converts_only_legacy_lines():
    legacy = lf.unicode_to_tcvn3("Phấn đấu Thư viện tỉnh đạt 60% năm 2025").decode("cp1252")
    text = f"Công tác thư viện năm 2024\n{legacy}\nCông tác bảo tàng"
    fixed, enc = lf.fix_legacy_text(text)
    assert enc == "tcvn3"
    assert fixed == "Công tác thư viện năm 2024\nPhấn đấu Thư viện tỉnh đạt 60% năm 2025\nCông tác bảo tàng"
