"""Plain-text files: find the encoding, keep the text as decoded.

Tried in order: a byte-order mark (UTF-8, UTF-16, UTF-32), strict UTF-8,
UTF-16 without a BOM (recognised by its zero bytes), then the legacy 8-bit
encodings Windows-1258, TCVN3 and VNI, of which the one whose result looks
most like Vietnamese wins.  Text that decoded cleanly but reads as TCVN3/VNI
mojibake (``Môc tiªu``) is converted too.  Every choice other than plain
UTF-8 leaves a warning.

The text is otherwise kept exactly as decoded (the BOM is dropped; Windows-1258
is NFC-normalised because it writes tone marks as combining characters).
"""
from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path
from typing import Optional

from . import legacy_fonts
from .document import LoadedText
from .errors import LoadError

_BOMS = (  # longest first: the UTF-32-LE BOM starts with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)

_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v\x1a")  # \x1a: DOS end-of-file


def _utf16_without_bom(data: bytes) -> Optional[str]:
    """'utf-16-le'/'utf-16-be' if the zero bytes say so, else None."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    z_even, z_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if z_odd > 0.2 and z_even < 0.02:
        return "utf-16-le"
    if z_even > 0.2 and z_odd < 0.02:
        return "utf-16-be"
    return None


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS)
    return controls > max(2, len(text) // 200)


def _legacy_candidates(data: bytes) -> list[tuple[str, str, str]]:
    """(encoding, text, warning) for each 8-bit reading of ``data``."""
    cp1258 = unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))
    return [
        ("cp1258", cp1258, "decoded as Windows-1258"),
        ("tcvn3", legacy_fonts.tcvn3_bytes_to_unicode(data), legacy_fonts.conversion_warning("tcvn3")),
        ("vni", legacy_fonts.vni_bytes_to_unicode(data), legacy_fonts.conversion_warning("vni")),
    ]


def decode_bytes(data: bytes) -> tuple[str, str, list[str]]:
    """Decode a text document: ``(text, encoding, warnings)``.

    Raises ``ValueError("binary")`` when the bytes are not text.

    >>> decode_bytes("Mục tiêu".encode("utf-8"))
    ('Mục tiêu', 'utf-8', [])
    >>> decode_bytes(b"\\xef\\xbb\\xbfM\\xe1\\xbb\\xa5c")[1:]
    ('utf-8-sig', ['decoded as UTF-8 with a byte-order mark (removed)'])
    """
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(codec)
            except UnicodeDecodeError:
                text = data[len(bom):].decode(codec, errors="replace")
                warn = [f"decoded as {name.upper()} (BOM) with invalid bytes replaced by U+FFFD"]
            else:
                warn = ["decoded as UTF-8 with a byte-order mark (removed)"] if name == "utf-8-sig" \
                    else [f"decoded as {name.upper()} (byte-order mark removed)"]
            if _looks_binary(text):
                raise ValueError("binary")
            return _fix_legacy(text, name, warn)

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if _looks_binary(text):
            utf16 = _utf16_without_bom(data)
            if utf16 is None:
                raise ValueError("binary")
            return _decode_utf16(data, utf16)
        return _fix_legacy(text, "utf-8", [])

    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return _decode_utf16(data, utf16)

    candidates = _legacy_candidates(data)
    if _looks_binary(candidates[0][1]):
        raise ValueError("binary")
    best = max(candidates, key=lambda c: legacy_fonts.vietnamese_score(c[1]).net)  # first wins ties
    encoding, text, warning = best
    return text, encoding, [warning]


def _decode_utf16(data: bytes, codec: str) -> tuple[str, str, list[str]]:
    text = data.decode(codec, errors="replace")
    if _looks_binary(text):
        raise ValueError("binary")
    return _fix_legacy(text, "utf-16", [f"decoded as {codec.upper()} (no byte-order mark)"])


def _fix_legacy(text: str, encoding: str, warnings: list[str]) -> tuple[str, str, list[str]]:
    fixed, legacy = legacy_fonts.fix_legacy_text(text)
    if legacy is None:
        return text, encoding, warnings
    return fixed, legacy, warnings + [legacy_fonts.conversion_warning(legacy)]


def decode_text_file(path: Path, data: bytes) -> tuple[str, str, list[str]]:
    """:func:`decode_bytes` for a file: binary data and blank text are :class:`LoadError`."""
    try:
        text, encoding, warnings = decode_bytes(data)
    except ValueError:
        raise LoadError("unsupported", path, "binary data, not a text document",
                        "check that this is the document and not an image, archive or program") from None
    if not text.strip():
        raise LoadError("empty", path, "the file contains no text", "check the download or the export")
    return text, encoding, warnings


def load_txt(path: Path, data: bytes) -> LoadedText:
    text, encoding, warnings = decode_text_file(path, data)
    return LoadedText(text=text, format="txt", encoding=encoding, warnings=warnings)
