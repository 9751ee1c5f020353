"""Plain text: encodings, legacy Vietnamese fonts, bad files."""
from __future__ import annotations

import codecs
import os

import pytest

from pipeline.load import LoadError, load
from pipeline.load.legacy_fonts import unicode_to_tcvn3, unicode_to_vni

from .conftest import SAMPLE
from .fixtures import cp1258_bytes

CASES = [
    # id, bytes, expected encoding, expected warning substring (None: no warning)
    ("utf8", SAMPLE.encode("utf-8"), "utf-8", None),
    ("utf8-bom", codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "utf-8-sig", "byte-order mark"),
    ("utf16-le-bom", codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"), "utf-16", "UTF-16"),
    ("utf16-be-bom", codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), "utf-16", "UTF-16"),
    ("utf16-le-nobom", SAMPLE.encode("utf-16-le"), "utf-16", "no byte-order mark"),
    ("cp1258", cp1258_bytes(SAMPLE), "cp1258", "Windows-1258"),
    ("crlf-utf8", SAMPLE.replace("\n", "\r\n").encode("utf-8"), "utf-8", None),
]


@pytest.mark.parametrize("name,data,encoding,warning", CASES, ids=[c[0] for c in CASES])
def test_encodings(tmp_path, name, data, encoding, warning):
    p = tmp_path / "plan.txt"
    p.write_bytes(data)
    doc = load(p)
    assert doc.format == "txt"
    assert doc.encoding == encoding
    expected = SAMPLE.replace("\n", "\r\n") if name == "crlf-utf8" else SAMPLE
    assert doc.text == expected
    if warning is None:
        assert doc.warnings == []
    else:
        assert any(warning in w for w in doc.warnings), doc.warnings
    assert doc.tables == [] and doc.pages is None


def test_cp1258_fixture_really_uses_combining_marks():
    assert b"\xec" in cp1258_bytes("tiếng")  # U+0301 as its own byte
    assert cp1258_bytes(SAMPLE) != SAMPLE.encode("cp1258", errors="ignore")


def test_tcvn3_bytes(tmp_path):
    p = tmp_path / "tcvn3.txt"
    p.write_bytes(unicode_to_tcvn3(SAMPLE))
    doc = load(p)
    assert doc.text == SAMPLE
    assert doc.encoding == "tcvn3"
    assert "converted from TCVN3 (ABC) font encoding" in doc.warnings


def test_vni_bytes(tmp_path):
    p = tmp_path / "vni.txt"
    p.write_bytes(unicode_to_vni(SAMPLE).encode("cp1252"))
    doc = load(p)
    assert doc.text == SAMPLE
    assert doc.encoding == "vni"
    assert "converted from VNI font encoding" in doc.warnings


def test_tcvn3_mojibake_saved_as_utf8(tmp_path):
    """A TCVN3 document once read as Windows-1252 and saved as UTF-8."""
    p = tmp_path / "moji.txt"
    p.write_text(unicode_to_tcvn3(SAMPLE).decode("cp1252"), encoding="utf-8")
    doc = load(p)
    assert doc.text == SAMPLE
    assert doc.encoding == "tcvn3"


def test_unicode_text_is_not_converted(tmp_path):
    p = tmp_path / "plain.txt"
    text = SAMPLE + "\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n© 2023 Sở Văn hóa"
    p.write_text(text, encoding="utf-8")
    assert load(p).text == text


@pytest.mark.parametrize("data,code", [
    (b"", "empty"),
    (b"   \n\r\n\t  ", "empty"),
    (os.urandom(4096), "unsupported"),
    (b"\x00\x01\x02\x03" * 500, "unsupported"),
], ids=["zero-bytes", "whitespace", "random-binary", "control-bytes"])
def test_bad_text_files(tmp_path, data, code):
    p = tmp_path / "bad.txt"
    p.write_bytes(data)
    with pytest.raises(LoadError) as info:
        load(p)
    assert info.value.code == code
    assert str(p) in str(info.value)


def test_too_large(tmp_path):
    p = tmp_path / "big.txt"
    p.write_bytes(SAMPLE.encode() * 100)
    with pytest.raises(LoadError) as info:
        load(p, max_bytes=1000)
    assert info.value.code == "too_large"
    assert "max_bytes" in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(LoadError) as info:
        load(tmp_path / "nope.txt")
    assert info.value.code == "not_found"
