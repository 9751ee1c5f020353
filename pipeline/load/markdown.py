"""Markdown files (``.md``, ``.markdown``): the text without its markup, tables as tables.

Research groups keep scraped legal-database pages as markdown.  What a reader
sees is kept, what only marks it up goes:

* A paragraph's lines are joined by a space (a single line break is a soft
  break in markdown), except where a line starts a list item after a line that
  ends a sentence, after a hard break (two trailing spaces, ``\\``, ``<br>``) and
  around rule lines (``-------``, kept as lines: they are drawn under the
  issuing body and the national motto).
* Headings lose their ``#``, emphasis its ``*``/``_``, links keep their text,
  images and HTML tags go, ``\\`` escapes and ``&…;`` entities are resolved.
* Tables become :class:`~pipeline.load.Table` objects exactly as the other
  loaders make them (one line per row, cells joined by ``" | "``; the
  borderless header and signature blocks keep one line per cell line).  Three
  forms are read: GFM pipe tables (a header row, a ``| --- | :-: |`` delimiter
  row, body rows) and the one-cell-per-paragraph form some page converters
  write, where a line holding only ``|`` separates two cells and two such
  lines in a row end a table row; and raw HTML ``<table>`` blocks, read with
  their merged cells.

The bytes are decoded by :func:`pipeline.load.txt.decode_bytes` (encodings,
legacy fonts, stray bytes), so a markdown file is read as well as a text file.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

from .document import CellSpec, LoadedText, TextBuilder, is_layout_table
from .errors import LoadError
from .txt import decode_text_file

# Structure (all anchored to one line; no nested quantifiers).
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)")
_ATX_CLOSE = re.compile(r"[ \t]+#+[ \t]*$")
_QUOTE = re.compile(r"^ {0,3}> ?")
_DASH_RULE = re.compile(r"^ {0,3}-{3,}[ \t]*$")           # kept as a line (header underlines)
_OTHER_RULE = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}|={3,}|(?:-[ \t]+){2,}-)[ \t]*$")
_DELIM_ROW = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_BULLET = re.compile(r"^[ \t]{0,6}([-+*•])[ \t]+")
_ORDERED = re.compile(r"^[ \t]{0,6}(?:\d{1,3}(?:\.\d{1,3}){0,3}[.)]|[a-zđ]\)|[IVXLC]{1,6}\.)[ \t]+")
_BULLET_NUMBER = re.compile(r"^[ \t]{0,6}[-–][ \t]*\d")    # "- 2025": a wrapped range "2021 - 2025"
_SENTENCE_END = re.compile(r"[.;:!?…\"”’')\]]")   # matched against a line's last character
_BR = re.compile(r"<br[ \t]*/?>", re.IGNORECASE)

# Inline markup.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# Inner classes exclude the opening bracket too, so a run of "[" fails at once.
_IMAGE = re.compile(r"!\[[^\[\]\n]{0,500}\]\([^()\n]{0,2000}\)")
_LINK = re.compile(r"\[([^\[\]\n]{0,1000})\]\([^()\n]{0,2000}\)")
_REF_LINK = re.compile(r"\[([^\[\]\n]{1,1000})\]\[[^\[\]\n]{0,200}\]")
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^<>\s]{1,2000})>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]{0,15}(?:[ \t/][^<>\n]{0,500})?>")
_CODE = re.compile(r"(`{1,3})([^`\n]{1,2000}?)\1")
_STRONG = re.compile(r"\*\*|__(?!\w)|(?<!\w)__")
_STAR = re.compile(r"(?<![\s*])\*|\*(?=[^\s*])")
_UNDERSCORE = re.compile(r"(?<![\w\\])_(?=\S)|(?<=\S)_(?!\w)")
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,30}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")

_MARKUP_CHARS = re.compile(r"[*_\[\]<>&`\\]")

#: Escaped characters are hidden in this private-use plane while markup is removed.
_HIDE = 0xF0000


def _hide_escapes(s: str) -> str:
    return _ESCAPE.sub(lambda m: chr(_HIDE + ord(m.group(1))), s)


def _unhide(s: str) -> str:
    return "".join(chr(ord(ch) - _HIDE) if ord(ch) >= _HIDE and ord(ch) < _HIDE + 128 else ch for ch in s)


def inline_text(s: str) -> str:
    """The text of one line of markdown, its inline markup removed.

    >>> inline_text("**Số:** 12/KH-UBND, xem [trang](http://x.vn) \\\\*ghi chú\\\\*")
    'Số: 12/KH-UBND, xem trang *ghi chú*'
    >>> inline_text("tăng 2 * 3 lần, mã_số_thuế")
    'tăng 2 * 3 lần, mã_số_thuế'
    """
    if _MARKUP_CHARS.search(s) is None:
        return s.replace("\u00a0", " ")
    s = _hide_escapes(s)
    s = _CODE.sub(lambda m: _hide_all(m.group(2)), s)
    s = _IMAGE.sub("", s)
    s = _LINK.sub(r"\1", s)
    s = _REF_LINK.sub(r"\1", s)
    s = _AUTOLINK.sub(r"\1", s)
    s = _TAG.sub("", s)
    s = _STRONG.sub("", s)
    s = _STAR.sub("", s)
    s = _UNDERSCORE.sub("", s)
    s = _ENTITY.sub(lambda m: html.unescape(m.group()), s)
    return _unhide(s).replace("\u00a0", " ")


def _hide_all(s: str) -> str:
    """Code spans are literal: hide their ASCII punctuation from the markup rules."""
    return "".join(chr(_HIDE + ord(ch)) if ch in "*_[]()<>&!\\`" else ch for ch in s)


# --------------------------------------------------------------------------
# Paragraphs: which line breaks are real
# --------------------------------------------------------------------------

def _starts_item(line: str) -> bool:
    return bool(_BULLET.match(line) or _ORDERED.match(line))


def logical_lines(lines: list[str]) -> list[str]:
    """The lines a reader sees in one paragraph (markup still in them).

    >>> logical_lines(["Căn cứ Luật ngày 16", "tháng 6 năm 2025;", "- Điểm một;", "- Điểm hai"])
    ['Căn cứ Luật ngày 16 tháng 6 năm 2025;', '- Điểm một;', '- Điểm hai']
    >>> logical_lines(["giai đoạn 2021", "- 2025”;"])
    ['giai đoạn 2021 - 2025”;']
    """
    out: list[list[str]] = []   # each logical line as its pieces (joined once, at the end)
    hard = False
    in_list = False
    prev_is_rule = False
    for raw in lines:
        line = raw.rstrip("\r")
        brk = line.endswith("  ") or line.endswith("\\")
        text = line.rstrip()
        if text.endswith("\\"):
            text = text[:-1].rstrip()
        text = text.strip()
        rule = _DASH_RULE.match(text) is not None
        if not out:
            out.append([text])
            in_list = _starts_item(text)
        else:
            last = out[-1][-1] if out[-1] else ""
            ends_sentence = bool(last) and _SENTENCE_END.match(last[-1]) is not None
            item = _starts_item(text) and not (_BULLET_NUMBER.match(text) and not ends_sentence)
            if hard or rule or prev_is_rule or (item and (in_list or ends_sentence)):
                out.append([text])
                in_list = in_list or item
            elif text:
                out[-1].append(text)
        hard = brk
        prev_is_rule = rule
    return [" ".join(p for p in parts if p) for parts in out]


def _clean(line: str) -> str:
    return " ".join(inline_text(line).split()) if not _DASH_RULE.match(line) else line.strip()


def _bullet_as_dash(line: str) -> str:
    """``* item`` / ``+ item`` / ``• item`` are written ``- item``, as Vietnamese documents do."""
    m = _BULLET.match(line)
    if m and m.group(1) != "-":
        return "- " + line[m.end():]
    return line


def _paragraph(lines: list[str]) -> list[str]:
    pieces: list[str] = []
    for ln in lines:
        if "<" in ln:  # a <br> is a hard break, like two trailing spaces
            parts = _BR.split(ln)
            pieces.extend([p.rstrip() + "  " for p in parts[:-1]] + [parts[-1]])
        else:
            pieces.append(ln)
    out: list[str] = []
    for ln in logical_lines(pieces):
        text = _clean(_bullet_as_dash(ln))
        if text:
            out.append(text)
    return out


# --------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------

def _cell_lines(lines: list[str]) -> list[str]:
    """The lines of a cell of a layout block: a break inside an open ``**``/``*``
    span is a wrap (joined); other breaks are kept."""
    out: list[list[str]] = []
    strong = single = 0       # parity of the markers seen in the current line
    for raw in lines:
        for piece in _BR.split(raw) if "<" in raw else [raw]:
            text = piece.strip()
            if not text:
                strong = single = 0
                continue
            if out and (strong or single):
                out[-1].append(text)
            else:
                out.append([text])
                strong = single = 0
            hidden = _hide_escapes(text)
            strong ^= hidden.count("**") & 1
            single ^= hidden.replace("**", "").count("*") & 1
    return [c for c in (_clean(_bullet_as_dash(" ".join(x))) for x in out) if c]


def _cell(lines: list[str], row: int, col: int) -> CellSpec:
    return CellSpec("\n".join(_cell_lines(lines)), row, col)


def _split_row(line: str) -> list[str]:
    """Cells of a GFM table row (``\\|`` is a literal bar)."""
    s = _hide_escapes(line.strip())
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    return [_unhide_bar(c) for c in s.split("|")]


def _unhide_bar(s: str) -> str:
    """Put escapes back as escapes (``inline_text`` resolves them later)."""
    return "".join("\\" + chr(ord(ch) - _HIDE) if _HIDE <= ord(ch) < _HIDE + 128 else ch for ch in s)


# --------------------------------------------------------------------------
# Blocks
# --------------------------------------------------------------------------

def _is_bar(line: str) -> bool:
    return line.strip() == "|"


def _gfm_starts(lines: list[str], i: int) -> bool:
    return ("|" in lines[i] and i + 1 < len(lines) and "|" in lines[i + 1] + lines[i]
            and _DELIM_ROW.match(lines[i + 1]) is not None and "-" in lines[i + 1]
            and len(_split_row(lines[i])) == len(_split_row(lines[i + 1])))


def _read_gfm(lines: list[str], i: int) -> tuple[int, list[CellSpec]]:
    cells: list[CellSpec] = []
    rows = [lines[i]]
    j = i + 2
    while j < len(lines) and lines[j].strip() and "|" in lines[j]:
        rows.append(lines[j])
        j += 1
    for r, line in enumerate(rows):
        for c, text in enumerate(_split_row(line)):
            cells.append(_cell([text], r, c))
    return j, cells


def _read_bar_block(lines: list[str], i: int, row: int = 0) -> tuple[int, list[CellSpec]]:
    """The one-cell-per-paragraph form, from the ``|`` line at ``i``.

    Tokens are bars and the chunks of lines between them; two bars in a row
    end a table row; a bar followed by a blank line ends the table, and so
    does a blank line in a cell (so that a stray bar cannot swallow the text
    after it).
    """
    n = len(lines)
    cells: list[CellSpec] = []
    col = 0
    j = i + 1  # just after a bar
    while j < n:
        if _is_bar(lines[j]):      # bar, bar: the row ends
            if col:
                row, col = row + 1, 0
            j += 1
            continue
        if not lines[j].strip():   # bar, blank line: the table has ended
            return j, cells
        k = j
        while k < n and lines[k].strip() and not _is_bar(lines[k]):
            k += 1
        cells.append(_cell(lines[j:k], row, col))
        col += 1
        if k < n and not lines[k].strip():
            return k, cells        # a cell left open by a blank line: the table ends with it
        j = k + 1                  # past the closing bar (or n)
    return n, cells


def _next_bar(lines: list[str], j: int) -> int | None:
    """The line of the next bar if only blank lines come before it."""
    while j < len(lines) and not lines[j].strip():
        j += 1
    return j if j < len(lines) and _is_bar(lines[j]) else None


def _read_bar_tables(lines: list[str], i: int) -> tuple[int, list[CellSpec]]:
    """A bar table and the parts it continues in after blank lines (a page
    converter splits long tables): a part that is a data table, following a
    data table with nothing between, is more rows of the same table."""
    j, cells = _read_bar_block(lines, i)
    while cells and not _layout_cells(cells):
        nxt = _next_bar(lines, j)
        if nxt is None:
            break
        rows = max(c.row for c in cells) + 1
        end, more = _read_bar_block(lines, nxt, rows)
        if not more or _layout_cells([CellSpec(c.text, c.row - rows, c.col) for c in more]):
            break
        j, cells = end, cells + more
    return j, cells


_HTML_TABLE_OPEN = re.compile(r"<table\b", re.IGNORECASE)
_HTML_TABLE_CLOSE = re.compile(r"</table\s*>", re.IGNORECASE)
_HTML_TABLE_START = re.compile(r"^ {0,3}<table\b", re.IGNORECASE)


def _read_html_table(lines: list[str], i: int) -> tuple[int, list[CellSpec]]:
    """A raw HTML ``<table>`` (converters leave tables with merged cells as
    HTML): up to its matching ``</table>``, or to a blank line if it is never
    closed.  Merged cells keep their rowspan/colspan, as in the HTML loader."""
    from lxml import etree
    from lxml import html as lxml_html

    from .html import _source_tables

    depth = 0
    j = i
    end = None
    while j < len(lines):
        depth += len(_HTML_TABLE_OPEN.findall(lines[j])) - len(_HTML_TABLE_CLOSE.findall(lines[j]))
        j += 1
        if depth <= 0:
            end = j
            break
    if end is None:  # never closed: CommonMark ends an HTML block at a blank line
        end = next((k for k in range(i, len(lines)) if not lines[k].strip()), len(lines))
    source = _BR.sub("\n", "\n".join(lines[i:end]))
    try:
        fragment = lxml_html.fragment_fromstring(source, create_parent="div")
    except (etree.ParserError, ValueError):
        return end, []
    tables = _source_tables(fragment)
    if not tables:
        return end, []
    cells = [CellSpec("\n".join(_cell_lines(c.text.split("\n"))), c.row, c.col, c.rowspan, c.colspan)
             for c in tables[0][1]]
    return end, cells


def _layout_cells(cells: list[CellSpec]) -> bool:
    return is_layout_table([c for c in cells if c.text])


def render(text: str) -> TextBuilder:
    """Build the text and tables of a markdown document."""
    lines = [ln.rstrip("\r") for ln in text.split("\n")]
    out = TextBuilder()
    n = len(lines)
    i = 0
    para: list[str] = []

    def flush() -> None:
        for ln in _paragraph(para):
            out.line(ln)
        para.clear()

    while i < n:
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            flush()
            i += 1
            continue
        if _is_bar(line) and not para:
            i, cells = _read_bar_tables(lines, i)
            _table(out, cells)
            continue
        m = _FENCE.match(line)
        if m:
            flush()
            fence = m.group(1)
            i += 1
            while i < n and not lines[i].strip().startswith(fence):
                if lines[i].strip():
                    out.line(lines[i].rstrip())
                i += 1
            i += 1
            continue
        if _HTML_TABLE_START.match(line):
            flush()
            i, cells = _read_html_table(lines, i)
            _table(out, cells)
            continue
        if _gfm_starts(lines, i):
            flush()
            i, cells = _read_gfm(lines, i)
            _table(out, cells)
            continue
        m = _ATX.match(line)
        if m:
            flush()
            heading = _ATX_CLOSE.sub("", line[m.end():])
            text = _clean(heading)
            if text:
                out.line(text)
            i += 1
            continue
        if _OTHER_RULE.match(line):
            flush()
            i += 1
            continue
        q = _QUOTE.match(line)
        para.append(line[q.end():] if q else line)
        i += 1
    flush()
    return out


def _table(out: TextBuilder, cells: list[CellSpec]) -> None:
    kept = [c for c in cells if c.text]
    if kept:
        out.table(kept, layout=_layout_cells(kept))


def load_markdown(path: Path, data: bytes) -> LoadedText:
    text, encoding, warnings = decode_text_file(path, data)
    built = render(text)
    body = built.text
    if not body.strip():
        raise LoadError("empty", path, "the file contains no text", "check the download or the export")
    return LoadedText(text=body, format="markdown", encoding=encoding, warnings=warnings,
                      tables=built.tables)


__all__ = ["load_markdown", "render", "inline_text", "logical_lines"]
