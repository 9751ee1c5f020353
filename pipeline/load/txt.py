"""Plain-text files: find the encoding, keep the text as decoded.

Tried in order: a byte-order mark (UTF-8, UTF-16, UTF-32), strict UTF-8,
UTF-16 without a BOM (recognised by its zero bytes), then the legacy 8-bit
encodings Windows-1258, TCVN3 and VNI, of which the one whose result looks
most like Vietnamese wins.

The encoding is decided per line when a file is mostly UTF-8: a line that is
not valid UTF-8 is read either as UTF-8 with its stray bytes replaced (a lone
``\\xff`` becomes U+FFFD; a Windows-1252 quote or dash byte becomes that
character) or in the legacy encoding that suits such lines, whichever reads
as more Vietnamese; the rest of the file stays UTF-8.  Isolated control bytes
(a NUL, a form of terminal junk) are removed with a warning; only text dense
with them is refused as binary.  Lines that are UTF-8 read as Windows-1252
(``Tá»ˆNH``) are repaired and text that reads as TCVN3/VNI mojibake
(``Môc tiªu``) is converted (:func:`legacy_fonts.plan_repair`).  Every choice
other than plain UTF-8 leaves a warning.

The text is otherwise kept exactly as decoded (the BOM is dropped; Windows-1258
is NFC-normalised because it writes tone marks as combining characters).
"""
from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

import regex

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
#: Control characters that binary data is full of (C0 but the allowed ones, and DEL).
_BINARY_CONTROLS = regex.compile(r"[\x00-\x08\x0e-\x19\x1b-\x1f\x7f]")
#: Control characters removed from text: those and C1 (U+0080-U+009F), removed
#: after the mojibake repair, which needs the C1 characters of UTF-8 read as
#: Windows-1252 (``Ä\x90`` is ``Đ``).
_STRIPPED_CONTROLS = regex.compile(r"[\x00-\x08\x0e-\x19\x1b-\x1f\x7f-\x9f]")


def _utf16_without_bom(data: bytes) -> str | None:
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


def _control_count(text: str) -> int:
    return sum(1 for _ in _BINARY_CONTROLS.finditer(text))


def _looks_binary(text: str) -> bool:
    """Dense with control characters: more than 8 and more than 1 in 100."""
    n = _control_count(text)
    return n > max(8, len(text) // 100)


def _strip_controls(text: str, warnings: list[str]) -> str:
    """Remove isolated control characters (the text is not binary), saying so."""
    found = _STRIPPED_CONTROLS.findall(text)
    if not found:
        return text
    kinds = sorted({f"U+{ord(ch):04X}" for ch in found})
    shown = ", ".join(kinds[:5]) + (", ..." if len(kinds) > 5 else "")
    warnings.append(f"removed {len(found)} control character{'s' if len(found) != 1 else ''} "
                    f"({shown}) that text does not contain")
    return _STRIPPED_CONTROLS.sub("", text)


def _cp1258(data: bytes) -> str:
    return unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))


_LEGACY_DECODERS = {"cp1258": _cp1258, "tcvn3": legacy_fonts.tcvn3_bytes_to_unicode,
                    "vni": legacy_fonts.vni_bytes_to_unicode}


def _legacy_candidates(data: bytes) -> list[tuple[str, str, str]]:
    """(encoding, text, warning) for each 8-bit reading of ``data``."""
    return [
        ("cp1258", _cp1258(data), "decoded as Windows-1258"),
        ("tcvn3", legacy_fonts.tcvn3_bytes_to_unicode(data), legacy_fonts.conversion_warning("tcvn3")),
        ("vni", legacy_fonts.vni_bytes_to_unicode(data), legacy_fonts.conversion_warning("vni")),
    ]


_ESCAPED = regex.compile(r"[\udc80-\udcff]")
_NON_ASCII = regex.compile(r"[^\x00-\x7f]")
_LEGACY_NAMES = {"cp1258": "Windows-1258", "tcvn3": "TCVN3 (ABC)", "vni": "VNI"}


def _stray_byte(exc: UnicodeError) -> tuple[str, int]:
    """Decoding error handler: a byte that is not UTF-8 is the Windows-1252
    punctuation it stands for (quotes, dashes, ellipsis, bullet, euro), else U+FFFD."""
    if not isinstance(exc, UnicodeDecodeError):  # pragma: no cover - only ever used to decode
        raise exc
    b = exc.object[exc.start]
    if 0x80 <= b <= 0x9F:
        try:
            return bytes([b]).decode("cp1252"), exc.start + 1
        except UnicodeDecodeError:
            pass
    return "\ufffd", exc.start + 1


codecs.register_error("chitieu-stray-byte", _stray_byte)


def _stray_count(line: bytes) -> int:
    """How many bytes of ``line`` are not part of well-formed UTF-8."""
    return sum(1 for _ in _ESCAPED.finditer(line.decode("utf-8", errors="surrogateescape")))


def _lines_list(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:5])
    more = f" and {len(numbers) - 5} more" if len(numbers) > 5 else ""
    return f"line{'s' if len(numbers) != 1 else ''} {shown}{more}"


def _decode_mostly_utf8(data: bytes) -> tuple[str, str, list[str]] | None:
    """Per-line decoding of a file that is UTF-8 but for some bytes, or None
    when it is not mostly UTF-8: when its non-ASCII characters are not in the
    majority well-formed UTF-8 sequences (ASCII text with at most 3 stray
    bytes counts as UTF-8)."""
    probe = data.decode("utf-8", errors="surrogateescape")
    invalid = sum(1 for _ in _ESCAPED.finditer(probe))
    valid = sum(1 for _ in _NON_ASCII.finditer(probe)) - invalid
    if not (valid > invalid or (valid == 0 and invalid <= 3)):
        return None
    lines = data.split(b"\n")
    bad: list[int] = []
    for i, ln in enumerate(lines):
        if not ln.isascii():
            try:
                ln.decode("utf-8")
            except UnicodeDecodeError:
                bad.append(i)
    bad_bytes = b"\n".join(lines[i] for i in bad)
    legacy_name, _, _ = max(_legacy_candidates(bad_bytes),
                            key=lambda c: legacy_fonts.vietnamese_score(c[1]).net)
    decode_legacy = _LEGACY_DECODERS[legacy_name]
    out: list[str] = []
    replaced: list[int] = []
    stray = 0
    legacy_lines: list[int] = []
    bad_set = set(bad)
    for i, ln in enumerate(lines):
        if i not in bad_set:
            out.append(ln.decode("utf-8"))
            continue
        as_utf8 = ln.decode("utf-8", errors="chitieu-stray-byte")
        as_legacy = decode_legacy(ln)
        if legacy_fonts.vietnamese_score(as_legacy).net > legacy_fonts.vietnamese_score(as_utf8).net:
            out.append(as_legacy)
            legacy_lines.append(i + 1)
        else:
            out.append(as_utf8)
            replaced.append(i + 1)
            stray += _stray_count(ln)
    warnings: list[str] = []
    if replaced:
        warnings.append(f"{stray} byte{'s' if stray != 1 else ''} that {'are' if stray != 1 else 'is'} "
                        f"not UTF-8 replaced (by U+FFFD, or the Windows-1252 punctuation "
                        f"{'they stand' if stray != 1 else 'it stands'} for) on {_lines_list(replaced)}; "
                        "the rest of the file is UTF-8")
    if legacy_lines:
        warnings.append(f"{_lines_list(legacy_lines)} decoded as {_LEGACY_NAMES[legacy_name]}; "
                        "the rest of the file is UTF-8")
    return "\n".join(out), "utf-8", warnings


def decode_bytes(data: bytes) -> tuple[str, str, list[str]]:
    """Decode a text document: ``(text, encoding, warnings)``.

    Raises ``ValueError("binary")`` when the bytes are not text.

    >>> decode_bytes("Mục tiêu".encode("utf-8"))
    ('Mục tiêu', 'utf-8', [])
    >>> decode_bytes(b"\\xef\\xbb\\xbfM\\xe1\\xbb\\xa5c")[1:]
    ('utf-8-sig', ['decoded as UTF-8 with a byte-order mark (removed)'])
    >>> decode_bytes("Mục tiêu đạt 50%".encode("utf-8") + b"\\xff")[:2]   # a stray byte
    ('Mục tiêu đạt 50%\\ufffd', 'utf-8')
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
            return _finish(text, name, warn)

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
        return _finish(text, "utf-8", [])

    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return _decode_utf16(data, utf16)

    mostly = _decode_mostly_utf8(data)
    if mostly is not None:
        text, encoding, warnings = mostly
        if _looks_binary(text):
            raise ValueError("binary")
        return _finish(text, encoding, warnings)

    candidates = _legacy_candidates(data)
    if _looks_binary(candidates[0][1]):
        raise ValueError("binary")
    best = max(candidates, key=lambda c: legacy_fonts.vietnamese_score(c[1]).net)  # first wins ties
    encoding, text, warning = best
    warnings = [warning]
    return _strip_controls(text, warnings), encoding, warnings


def _decode_utf16(data: bytes, codec: str) -> tuple[str, str, list[str]]:
    text = data.decode(codec, errors="replace")
    if _looks_binary(text):
        raise ValueError("binary")
    return _finish(text, "utf-16", [f"decoded as {codec.upper()} (no byte-order mark)"])


def _finish(text: str, encoding: str, warnings: list[str]) -> tuple[str, str, list[str]]:
    """Repair mojibake and legacy-font text (:func:`legacy_fonts.plan_repair`),
    then remove the control characters left."""
    plan = legacy_fonts.plan_repair(text)
    if plan.needed:
        text = "\n".join(plan.convert(ln) for ln in text.split("\n"))
        encoding = plan.encoding or encoding
        warnings = warnings + plan.warnings
    return _strip_controls(text, warnings), encoding, warnings


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
