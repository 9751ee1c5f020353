"""One table of bad inputs, across every supported suffix: each gives a LoadError
with a stable code and a message naming the file."""
from __future__ import annotations

import os
import random

import pytest

from pipeline.load import SUPPORTED_SUFFIXES, LoadError, load, sniff

RANDOM = random.Random(1).randbytes(8192)
PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(200)

CASES = [
    # id, suffix, bytes, code, words the message must contain
    *[(f"empty{s}", s, b"", "empty", "empty") for s in sorted(SUPPORTED_SUFFIXES)],
    *[(f"random{s}", s, RANDOM, "unsupported", "binary") for s in sorted(SUPPORTED_SUFFIXES)],
    ("png-named-pdf", ".pdf", PNG, "unsupported", "PNG image"),
    ("rtf-named-doc", ".doc", b"{\\rtf1\\ansi hello}", "unsupported", "save it as .docx"),
    ("xlsx-zip", ".docx", None, "unsupported", "Excel"),
    ("truncated-zip", ".docx", b"PK\x03\x04" + b"\0" * 100, "corrupt", "zip"),
]


def _xlsx_bytes() -> bytes:
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


@pytest.mark.parametrize("name,suffix,data,code,words", CASES, ids=[c[0] for c in CASES])
def test_bad_file(tmp_path, name, suffix, data, code, words):  # noqa: ARG001 - name is the case id
    p = tmp_path / f"input{suffix}"
    p.write_bytes(_xlsx_bytes() if data is None else data)
    with pytest.raises(LoadError) as info:
        load(p)
    err = info.value
    assert err.code == code
    assert err.path == p
    message = str(err)
    assert message.startswith(str(p) + ": ")
    assert words in message
    assert "\n" not in message


@pytest.mark.parametrize("suffix", sorted(SUPPORTED_SUFFIXES))
def test_size_limit_checked_before_reading(tmp_path, suffix):
    p = tmp_path / f"big{suffix}"
    p.write_bytes(b"x" * 2048)
    with pytest.raises(LoadError) as info:
        load(p, max_bytes=1024)
    assert info.value.code == "too_large"


@pytest.mark.parametrize("head,kind", [
    (b"%PDF-1.4", "pdf"), (b"\n\n%PDF-1.7", "pdf"), (b"PK\x03\x04", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"), (b"{\\rtf1", "rtf"),
    (b"<!DOCTYPE html><html>", "html"), (b"\xef\xbb\xbf<html>", "html"),
    ("\ufeff<html><body>".encode("utf-16-le"), "html"), (b"<?xml version='1.0'?><html>", "html"),
    ("Kế hoạch <b>số</b> 87".encode(), "text"), (b"\xff\xd8\xff\xe0", "jpeg"),
])
def test_sniff(head, kind):
    assert sniff(head) == kind
