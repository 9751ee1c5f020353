"""Legacy Word 97-2003 ``.doc`` files, via antiword (Debian package ``antiword``).

antiword's DocBook output keeps paragraphs, list items and tables apart, so
tables come out as ``" | "`` rows with cells like every other format.  Text
typed in TCVN3/VNI fonts (most Vietnamese .doc files before ~2005) reaches us
as Windows-1252 mojibake and is converted (:mod:`.legacy_fonts`).

An OLE file that is not a Word document (Excel, PowerPoint) or that is a
password-protected Office file is refused with a clear :class:`LoadError`.
"""
from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path
from collections.abc import Callable

from lxml import etree

from . import legacy_fonts
from .document import CellSpec, LoadedText, TextBuilder, is_layout_table
from .errors import LoadError

TIMEOUT = 120  # seconds



def _itertext(el: etree._Element) -> str:
    """The text of ``el`` and its descendants (lxml gives str for a parsed document)."""
    return "".join(t if isinstance(t, str) else t.decode("utf-8") for t in el.itertext())


def _utf16(s: str) -> bytes:
    return s.encode("utf-16-le")


def _ole_streams(data: bytes) -> set[str]:
    """Names of the OLE streams we care about (cheap scan of the directory entries)."""
    found = set()
    for name in ("WordDocument", "Workbook", "Book", "PowerPoint Document", "EncryptedPackage",
                 "EncryptionInfo"):
        if _utf16(name) in data:
            found.add(name)
    return found


def _antiword(path: Path) -> str:
    binary = shutil.which("antiword")
    if binary is None:
        raise LoadError("missing_tool", path, "reading Word 97-2003 .doc files needs antiword, which is not installed",
                        "install Debian package antiword (scripts/install-system-deps.sh), "
                        "or save the document as .docx")
    return binary


def _run_antiword(binary: str, path: Path, data: bytes, args: list[str]) -> subprocess.CompletedProcess[bytes]:
    with tempfile.TemporaryDirectory(prefix="chitieu-doc-") as tmp:
        f = Path(tmp) / "document.doc"
        f.write_bytes(data)
        env = dict(os.environ, LC_ALL="C.UTF-8")
        try:
            return subprocess.run([binary, *args, str(f)], capture_output=True, timeout=TIMEOUT, env=env)
        except subprocess.TimeoutExpired:
            raise LoadError("corrupt", path, f"antiword took over {TIMEOUT} s",
                            "open the file in Word or LibreOffice and save it as .docx") from None


def _tag(el: etree._Element) -> str:
    return el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""


class _DocBook:
    """Render antiword's DocBook: paragraphs, list items (with their marks), tables."""

    def __init__(self, convert: Callable[[str], str] | None) -> None:
        self.out = TextBuilder()
        self.convert = convert or (lambda s: s)
        self.lists = 0

    def walk(self, el: etree._Element) -> None:
        for ch in el:
            tag = _tag(ch)
            if tag in ("para", "title", "simpara", "literallayout", "programlisting"):
                self.para(ch)
            elif tag in ("itemizedlist", "orderedlist"):
                self.list(ch)
            elif tag in ("informaltable", "table"):
                self.table(ch)
            elif tag in ("bookinfo", "info", "titleabbrev", "subtitle"):
                continue
            else:
                self.walk(ch)

    def para(self, el: etree._Element) -> None:
        """A paragraph; antiword nests tables and lists inside <para>."""
        pending: list[str] = [el.text or ""]
        for ch in el:
            tag = _tag(ch)
            if tag in ("informaltable", "table", "itemizedlist", "orderedlist"):
                self._lines("".join(pending))
                pending = []
                if tag in ("informaltable", "table"):
                    self.table(ch)
                else:
                    self.list(ch)
            else:
                pending.append(_itertext(ch))
            pending.append(ch.tail or "")
        self._lines("".join(pending))

    def _lines(self, raw: str) -> None:
        for ln in raw.split("\n"):
            ln = " ".join(ln.split())
            if ln:
                self.out.line(self.convert(ln))

    def list(self, el: etree._Element) -> None:
        # antiword flattens Word's multi-level lists into one level, so any
        # number we made up could be wrong: the items are written without one.
        self.lists += 1
        for item in el:
            if _tag(item) != "listitem":
                continue
            for ch in item:
                tag = _tag(ch)
                if tag in ("itemizedlist", "orderedlist"):
                    self.list(ch)
                elif tag in ("informaltable", "table"):
                    self.table(ch)
                else:
                    self.para(ch)

    def table(self, el: etree._Element) -> None:
        """A table: antiword writes one <tgroup> per run of rows with the same
        cells, a horizontally merged cell as one <entry> whose <colspec> is as
        wide as the columns it covers.  Columns are therefore placed on the
        finest grid of column edges over all the table's tgroups."""
        groups = [g for g in el.iter() if _tag(g) == "tgroup"] or [el]
        widths = [_colspec_widths(g) for g in groups]
        grid = _column_grid([w for w in widths if w is not None])
        cells: list[CellSpec] = []
        r = 0
        for group, w in zip(groups, widths, strict=True):
            edges = None
            if grid is not None and w is not None:
                edges = [_grid_index(grid, x) for x in _cumulative(w)]
            for row in group.iter():
                if _tag(row) != "row":
                    continue
                c = 0
                for i, entry in enumerate(e for e in row if _tag(e) == "entry"):
                    raw = _itertext(entry)
                    text = "\n".join(self.convert(" ".join(ln.split())) for ln in raw.split("\n") if ln.strip())
                    if edges is not None and i + 1 < len(edges):
                        col = max(edges[i], c)
                        span = max(1, edges[i + 1] - col)
                    else:      # no usable widths (or more entries than colspecs)
                        col, span = c, 1
                    cells.append(CellSpec(text, r, col, colspan=span))
                    c = col + span
                r += 1
        # antiword writes a merged cell as an empty entry: drop empty trailing cells
        cells = [x for x in cells if x.text or any(y.row == x.row and y.col > x.col and y.text for y in cells)]
        self.out.table(cells, layout=is_layout_table(cells))


#: Column edges closer than this (points) are the same edge (Word rounds widths).
_GRID_TOLERANCE = 2.0
_WIDTH = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(pt)?\s*$")


def _colspec_widths(group: etree._Element) -> list[float] | None:
    """The widths (pt) of a tgroup's columns, or None when they are not all given."""
    specs = [ch for ch in group if _tag(ch) == "colspec"]
    if not specs:
        return None
    out = []
    for spec in specs:
        m = _WIDTH.match(spec.get("colwidth") or "")
        if m is None or float(m.group(1)) <= 0:
            return None
        out.append(float(m.group(1)))
    return out


def _cumulative(widths: list[float]) -> list[float]:
    edges = [0.0]
    for w in widths:
        edges.append(edges[-1] + w)
    return edges


def _column_grid(all_widths: list[list[float]]) -> list[float] | None:
    """The finest set of column edges over every tgroup, near-equal edges merged."""
    if not all_widths:
        return None
    values = sorted(x for w in all_widths for x in _cumulative(w))
    clusters: list[list[float]] = []
    for v in values:
        if clusters and v - clusters[-1][-1] <= _GRID_TOLERANCE:
            clusters[-1].append(v)
        else:
            clusters.append([v])
    return [sum(c) / len(c) for c in clusters]


def _grid_index(grid: list[float], x: float) -> int:
    return min(range(len(grid)), key=lambda i: abs(grid[i] - x))


def _ole_truncated(data: bytes) -> bool:
    """True when the OLE header points at a directory beyond the end of the file."""
    if len(data) < 512:
        return True
    shift: int = struct.unpack_from("<H", data, 0x1E)[0]
    first_dir: int = struct.unpack_from("<I", data, 0x30)[0]
    if not 7 <= shift <= 16 or first_dir >= 0xFFFFFFFA:
        return True
    return (first_dir + 1) * (1 << shift) + 128 > len(data)


def load_doc(path: Path, data: bytes) -> LoadedText:
    if _ole_truncated(data):
        raise LoadError("corrupt", path, "damaged or truncated Office 97-2003 file (its directory is missing)",
                        "download the file again")
    streams = _ole_streams(data)
    if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
        raise LoadError("encrypted", path, "the Office document is password-protected",
                        "ask for an unprotected copy")
    if "WordDocument" not in streams:
        kind = "an Excel workbook" if {"Workbook", "Book"} & streams else \
            "a PowerPoint presentation" if "PowerPoint Document" in streams else "not a Word document"
        raise LoadError("unsupported", path, f"this Office 97-2003 file is {kind}",
                        "supported: .doc, .docx, .pdf, .html, .txt")
    binary = _antiword(path)
    proc = _run_antiword(binary, path, data, ["-x", "db", "-m", "UTF-8.txt"])
    stderr = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode != 0 or not proc.stdout.strip():
        low = stderr.lower()
        if "encrypt" in low or "password" in low:
            raise LoadError("encrypted", path, "the Word document is password-protected",
                            "ask for an unprotected copy")
        detail = stderr.splitlines()[-1] if stderr else f"exit code {proc.returncode}"
        raise LoadError("corrupt", path, f"damaged Word document (antiword: {detail})",
                        "open it in Word or LibreOffice and save it as .docx")
    try:
        root = etree.fromstring(proc.stdout, parser=etree.XMLParser(recover=True, resolve_entities=False,
                                                                    no_network=True))
    except etree.XMLSyntaxError as exc:
        raise LoadError("corrupt", path, f"unreadable antiword output ({exc})",
                        "open it in Word or LibreOffice and save it as .docx") from None
    if root is None:
        raise LoadError("corrupt", path, "unreadable antiword output",
                        "open it in Word or LibreOffice and save it as .docx")

    warnings: list[str] = []
    encoding = None
    first = _DocBook(None)
    first.walk(root)
    renderer = first
    plan = legacy_fonts.plan_repair(first.out.text)
    if plan.needed:
        renderer = _DocBook(plan.convert)
        renderer.walk(root)
        warnings.extend(plan.warnings)
        encoding = plan.encoding
    if renderer.lists:
        warnings.append("automatic list numbering of .doc files is not reconstructed "
                        "(antiword); save the document as .docx to keep it")
    text = renderer.out.text
    if not text.strip():
        raise LoadError("empty", path, "the Word document contains no text",
                        "if it is a scan pasted into Word, export it as PDF to have it OCR'd")
    return LoadedText(text=text, format="doc", encoding=encoding, warnings=warnings,
                      tables=renderer.out.tables)
