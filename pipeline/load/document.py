"""What a loader returns, and the builder every format uses to produce it.

``LoadedText.text`` is the document as lines: paragraphs separated by ``"\\n"``,
each table row on one line with its cells joined by ``" | "``.  Every
:class:`Cell` knows where its text sits in ``LoadedText.text``, so
``text[cell.start:cell.end] == cell.text`` always holds.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import re

CELL_SEPARATOR = " | "

_LAYOUT_WORDS = re.compile(
    r"CỘNG\s+HÒA|CỘNG\s+HOÀ|ĐỘC\s+LẬP\s*[-–]\s*TỰ\s+DO|NƠI\s+NHẬN|\bTM\.|\bKT\.|"
    r"ỦY\s+BAN|UỶ\s+BAN|\bUBND\b|\bSố\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class Cell:
    text: str
    start: int
    end: int
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class Table:
    index: int
    page: int | None
    rows: list[list[Cell]]


@dataclass
class LoadedText:
    text: str
    format: str
    encoding: str | None
    warnings: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    pages: list[tuple[int, int]] | None = None
    ocr_confidence: float | None = None


@dataclass(frozen=True)
class CellSpec:
    """A table cell before it has a place in the text (what format readers build)."""

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


class TextBuilder:
    """Accumulates lines and tables, keeping offsets exact."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._len = 0
        self.tables: list[Table] = []
        self.pages: list[tuple[int, int]] = []
        self._page_start: int | None = None
        self._page_open = False

    def __len__(self) -> int:
        return self._len

    def _append(self, s: str) -> None:
        if s:
            self._parts.append(s)
            self._len += len(s)

    def _newline(self) -> None:
        if self._len:
            self._append("\n")
        if self._page_open and self._page_start is None:
            self._page_start = self._len

    def line(self, text: str) -> tuple[int, int]:
        """Add one line (a paragraph); return its (start, end)."""
        self._newline()
        start = self._len
        self._append(text)
        return start, self._len

    def table(self, cells: list[CellSpec], page: int | None = None, *,
              layout: bool = False) -> Table | None:
        """Add a table given its cells (merged cells once, at their top-left).

        Normal tables become one line per row, cells joined by ``" | "`` (line
        breaks inside a cell become spaces).  ``layout=True`` is for the
        borderless two-column blocks of Vietnamese documents (issuing body |
        national motto, recipients | signature): each line of each cell stays a
        line of its own so it remains recognisable.
        """
        if not cells:
            return None
        by_row: dict[int, list[CellSpec]] = {}
        for c in cells:
            by_row.setdefault(c.row, []).append(c)
        rows: list[list[Cell]] = []
        for r in sorted(by_row):
            row_cells = sorted(by_row[r], key=lambda c: c.col)
            out: list[Cell] = []
            if layout:
                for c in row_cells:
                    text = "\n".join(x for x in (ln.strip() for ln in c.text.split("\n")) if x)
                    if text:
                        start, end = self.line(text)
                    else:
                        start = end = self._len
                    out.append(Cell(text, start, end, c.row, c.col, c.rowspan, c.colspan))
            else:
                self._newline()
                for i, c in enumerate(row_cells):
                    if i:
                        self._append(CELL_SEPARATOR)
                    text = " ".join(c.text.split())
                    start = self._len
                    self._append(text)
                    out.append(Cell(text, start, self._len, c.row, c.col, c.rowspan, c.colspan))
            rows.append(out)
        t = Table(index=len(self.tables), page=page, rows=rows)
        self.tables.append(t)
        return t

    def start_page(self) -> None:
        """Begin a page; its span starts where its first line starts."""
        self._page_open = True
        self._page_start = None

    def end_page(self) -> None:
        start = self._len if self._page_start is None else self._page_start
        self.pages.append((start, self._len))
        self._page_open = False
        self._page_start = None

    @property
    def text(self) -> str:
        return "".join(self._parts)


def is_layout_table(cells: list[CellSpec]) -> bool:
    """A small borderless-style block: the issuing body | national motto header,
    or the recipients | signature block (at most 3 columns, 4 rows, with the
    words these blocks always have)."""
    if not cells:
        return False
    ncols = max(c.col + c.colspan for c in cells)
    nrows = max(c.row + c.rowspan for c in cells)
    if ncols > 3 or nrows > 4:
        return False
    return _LAYOUT_WORDS.search("\n".join(c.text for c in cells)) is not None
