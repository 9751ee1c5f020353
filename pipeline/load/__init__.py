"""Load a plan document (txt, markdown, docx, pdf, scanned pdf, html, doc) as text.

>>> from pathlib import Path
>>> doc = load(Path("plan.docx"))                      # doctest: +SKIP
>>> doc.text.splitlines()[0], doc.format, doc.warnings  # doctest: +SKIP
('ỦY BAN NHÂN DÂN', 'docx', [])

The format is decided by the file's content (magic bytes), not its name: a
file whose extension lies is loaded by what it really is, with a warning, or
refused with a :class:`LoadError` when that is something we do not read.
One module per format does the work: :mod:`.txt`, :mod:`.markdown`, :mod:`.docx`,
:mod:`.pdf` (:mod:`.ocr` for scans), :mod:`.html`, :mod:`.doc`.  Markdown has no
magic bytes: text in a file named ``.md``/``.markdown`` is read as markdown.
"""
from __future__ import annotations

import re
import zipfile
import zlib
from io import BytesIO
from pathlib import Path
from collections.abc import Callable

from .document import Cell, LoadedText, Table
from .errors import LoadError

__all__ = ["Cell", "Table", "LoadedText", "LoadError", "load", "sniff", "SUPPORTED_SUFFIXES"]

SUPPORTED_SUFFIXES: set[str] = {".txt", ".md", ".markdown", ".docx", ".pdf", ".doc", ".html", ".htm"}

#: What each supported suffix promises.
_SUFFIX_KIND = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".docx": "docx",
                ".pdf": "pdf", ".doc": "doc", ".html": "html", ".htm": "html"}

_KIND_NAMES = {
    "text": "plain text", "markdown": "Markdown", "docx": "Word .docx", "pdf": "PDF", "doc": "Word 97-2003 .doc",
    "html": "HTML", "rtf": "RTF", "xlsx": "Excel workbook", "pptx": "PowerPoint presentation",
    "odf": "OpenDocument", "zip": "zip archive", "ole": "Office 97-2003 (non-Word) file",
    "png": "PNG image", "jpeg": "JPEG image", "tiff": "TIFF image", "gif": "GIF image",
}

_UNSUPPORTED_ADVICE = {
    "rtf": "open it in Word or LibreOffice and save it as .docx",
    "odf": "open it in LibreOffice and save it as .docx",
    "png": "put the scan in a PDF (e.g. img2pdf) to have it OCR'd",
    "jpeg": "put the scan in a PDF (e.g. img2pdf) to have it OCR'd",
    "tiff": "put the scan in a PDF (e.g. img2pdf) to have it OCR'd",
    "gif": "put the scan in a PDF (e.g. img2pdf) to have it OCR'd",
}

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(data: bytes) -> str:
    """The kind of document ``data`` holds, from its first bytes.

    One of ``pdf``, ``zip`` (refined by :func:`_zip_kind`), ``ole``, ``rtf``,
    ``html``, ``png``, ``jpeg``, ``tiff``, ``gif`` or ``text`` (anything else;
    the text loader refuses binary data).

    >>> sniff(b"%PDF-1.7 ..."), sniff(b"PK\\x03\\x04..."), sniff(b"  <!DOCTYPE html><html>")
    ('pdf', 'zip', 'html')
    """
    head = data[:2048]
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(_OLE_MAGIC):
        return "ole"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(b"\x89PNG"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text: look at it as text
        codec = "utf-16-le" if head.startswith(b"\xff\xfe") else "utf-16-be"
        head = head[2:].decode(codec, errors="ignore").encode("utf-8", errors="ignore")
        data = head
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<meta")) \
            or (lowered.startswith((b"<!--", b"<?xml", b"<!doctype")) and b"<html" in lowered) \
            or (lowered.startswith(b"<") and b"<html" in lowered and b"<body" in data[:65536].lower()):
        return "html"
    return "text"


#: The main part of an Office package, from the officeDocument relationship of ``_rels/.rels``.
_MAIN_PART = re.compile(rb'Type="[^"]{0,200}/officeDocument"[^>]{0,500}?Target="/?([^"]{1,200})"')
_MAIN_PART_REV = re.compile(rb'Target="/?([^"]{1,200})"[^>]{0,500}?Type="[^"]{0,200}/officeDocument"')


def _zip_kind(path: Path, data: bytes) -> str:
    main: str | None = None
    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "_rels/.rels" in names and zf.getinfo("_rels/.rels").file_size < 1_000_000:
                rels = zf.read("_rels/.rels")
                m = _MAIN_PART.search(rels) or _MAIN_PART_REV.search(rels)
                main = m.group(1).decode("utf-8", "replace") if m else None
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, zlib.error) as exc:
        raise LoadError("corrupt", path, f"damaged or truncated zip container ({exc})",
                        "download the file again or re-save it from Word") from None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if any(n.startswith("ppt/") for n in names):
        return "pptx"
    if "content.xml" in names:
        return "odf"
    wordish = any(n.startswith("word/") for n in names) or (main or "").startswith("word/")
    if wordish and main and main in names:
        return "docx"  # the main part under another name (word/document2.xml): python-docx follows .rels
    if wordish or path.suffix.lower() == ".docx":
        missing = main if main and main.startswith("word/") else "word/document.xml"
        present = ", ".join(sorted(names)[:6]) + (", ..." if len(names) > 6 else "")
        code = "corrupt" if wordish else "unsupported"
        what = ("a Word package without its main part" if wordish
                else "a zip archive, not a Word document")
        raise LoadError(code, path, f"{what}: {missing} is missing (the archive holds {present or 'nothing'})",
                        "download the file again or re-save it from Word" if wordish
                        else "check that this is the document and not another archive")
    return "zip"


def _load_text(path: Path, data: bytes, jobs: int) -> LoadedText:  # noqa: ARG001 - a _LOADERS entry; only PDF uses jobs
    from .txt import load_txt
    return load_txt(path, data)


def _load_markdown(path: Path, data: bytes, jobs: int) -> LoadedText:  # noqa: ARG001 - a _LOADERS entry; only PDF uses jobs
    from .markdown import load_markdown
    return load_markdown(path, data)


def _load_docx(path: Path, data: bytes, jobs: int) -> LoadedText:  # noqa: ARG001 - a _LOADERS entry; only PDF uses jobs
    from .docx import load_docx
    return load_docx(path, data)


def _load_pdf(path: Path, data: bytes, jobs: int) -> LoadedText:
    from .pdf import load_pdf
    return load_pdf(path, data, ocr_jobs=jobs)


def _load_html(path: Path, data: bytes, jobs: int) -> LoadedText:  # noqa: ARG001 - a _LOADERS entry; only PDF uses jobs
    from .html import load_html
    return load_html(path, data)


def _load_doc(path: Path, data: bytes, jobs: int) -> LoadedText:  # noqa: ARG001 - a _LOADERS entry; only PDF uses jobs
    from .doc import load_doc
    return load_doc(path, data)


_LOADERS: dict[str, Callable[[Path, bytes, int], LoadedText]] = {
    "text": _load_text, "markdown": _load_markdown, "docx": _load_docx, "pdf": _load_pdf, "html": _load_html, "ole": _load_doc,
}


def load(path: Path, *, max_bytes: int = 50_000_000, ocr_jobs: int = 2) -> LoadedText:
    """Read the document at ``path``.

    ``max_bytes`` bounds the file size (and, for .docx, the unpacked size);
    ``ocr_jobs`` is how many scanned pages are OCR'd at once.
    Raises :class:`LoadError` for anything that cannot be read.
    """
    path = Path(path)
    try:
        if not path.is_file():
            raise LoadError("not_found", path, "no such file", "check the path")
        size = path.stat().st_size
        if size > max_bytes:
            raise LoadError("too_large", path,
                            f"the file is {size:,} bytes, over the limit of {max_bytes:,}",
                            "raise max_bytes if the document is genuine")
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError("not_found", path, f"cannot read the file ({exc.strerror or exc})",
                        "check the path and its permissions") from None
    if not data:
        raise LoadError("empty", path, "the file is empty (0 bytes)", "check the download")

    kind = sniff(data)
    if kind == "zip":
        kind = _zip_kind(path, data)
    if kind == "text" and _SUFFIX_KIND.get(path.suffix.lower()) == "markdown":
        kind = "markdown"
    loader = _LOADERS.get(kind)
    if loader is None:
        raise LoadError("unsupported", path, f"{_KIND_NAMES.get(kind, kind)} is not a supported format",
                        _UNSUPPORTED_ADVICE.get(kind, "supported: " + ", ".join(sorted(SUPPORTED_SUFFIXES))))

    if kind == "docx":
        from .docx import check_zip
        check_zip(path, data, max_bytes)
    result = loader(path, data, ocr_jobs)

    real = "doc" if kind == "ole" else kind
    suffix = path.suffix.lower()
    expected = _SUFFIX_KIND.get(suffix)
    if expected != real:
        named = f"named {suffix}" if suffix else "without an extension"
        result.warnings.insert(0, f"file {named} is really {_KIND_NAMES[real]}; loaded as such")
    return result
