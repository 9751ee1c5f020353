"""The page model of a loaded PDF, and the work done across its pages.

A page is a list of blocks top to bottom: text lines (:class:`Line`, already
split into column segments) and ruled tables (:class:`TableBlock`).  Across
pages: running headers, footers and page numbers are dropped
(:func:`drop_furniture`), and a table that continues the previous page's last
table without repeating its heading is marked (:func:`mark_continued_tables`)
so that it is read under that heading (:func:`heading_rows`,
:func:`with_heading`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .document import Cell, CellSpec, Table

#: Top/bottom share of the page where running headers, footers and page numbers live.
MARGIN = 0.12


@dataclass
class Line:
    segments: list[str]
    top: float      # fraction of page height
    bottom: float


@dataclass
class TableBlock:
    cells: list[CellSpec]
    top: float                      # fraction of page height
    bottom: float = 1.0
    xs: list[float] = field(default_factory=list)   # the column lines (pt)
    continues: TableBlock | None = None        # the table it continues (previous page)


@dataclass
class PageBlocks:
    number: int
    blocks: list[Line | TableBlock] = field(default_factory=list)
    ocr: bool = False


_PAGE_NUMBER = re.compile(
    r"^[\s\-–—.]*(?:(?:trang|page)\s*)?\d{1,4}(?:\s*(?:/|của|trên|of)\s*\d{1,4})?[\s\-–—.]*$",
    re.IGNORECASE)


# --------------------------------------------------------------------------
# running headers / footers / page numbers
# --------------------------------------------------------------------------

def _norm(s: str) -> str:
    return re.sub(r"\d+", "#", " ".join(s.lower().split()))


def drop_furniture(pages: list[PageBlocks]) -> int:
    """Remove page numbers and lines repeated in the margins of most pages."""
    def margin_lines(p: PageBlocks) -> list[Line]:
        # only the outermost two lines at each end can be page furniture
        lines = [b for b in p.blocks if isinstance(b, Line)]
        first = lines[:2] if p.blocks and isinstance(p.blocks[0], Line) else []
        last = lines[-2:] if p.blocks and isinstance(p.blocks[-1], Line) else []
        out = [b for b in first if b.bottom < MARGIN] + [b for b in last if b.top > 1 - MARGIN]
        return list({id(b): b for b in out}.values())

    counts: dict[str, int] = {}
    for p in pages:
        for key in {_norm(" ".join(b.segments)) for b in margin_lines(p)}:
            counts[key] = counts.get(key, 0) + 1
    repeated = {k for k, n in counts.items() if len(pages) >= 2 and n >= max(2, (len(pages) + 1) // 2)}
    dropped = 0
    for p in pages:
        drop = []
        for b in margin_lines(p):
            text = " ".join(b.segments)
            if _PAGE_NUMBER.match(text) or _norm(text) in repeated:
                drop.append(b)
        for b in drop:
            p.blocks.remove(b)
        dropped += len(drop)
    return dropped



# --------------------------------------------------------------------------
# tables continued on the next page
# --------------------------------------------------------------------------

#: A table ending below this share of the page height ends the page, one
#: starting above this share of the next page starts it.
_PAGE_END, _PAGE_START = 2 / 3, 1 / 3
#: Column lines further apart than this (pt) are not the same table's.
_COLUMN_TOLERANCE = 3.0
_NUMBER_CELL = re.compile(r"^[<>≤≥]?\s*\d[\d.,]*\s*%?(?:\s*[-–]\s*\d[\d.,]*\s*%?)?$")
_YEAR_CELL = re.compile(r"^(?:19|20)\d\d$")


def _first_row(cells: list[CellSpec]) -> list[tuple[str, int, int]]:
    return sorted((" ".join(c.text.split()), c.col, c.colspan) for c in cells if c.row == 0)


def mark_continued_tables(pages: list[PageBlocks]) -> None:
    """Mark each table that continues the last table of the previous page
    without repeating its heading."""
    for prev, page in zip(pages, pages[1:], strict=False):
        if prev.ocr or page.ocr or page.number != prev.number + 1 or not prev.blocks or not page.blocks:
            continue
        a, b = prev.blocks[-1], page.blocks[0]
        if not (isinstance(a, TableBlock) and isinstance(b, TableBlock)):
            continue
        if a.bottom < _PAGE_END or b.top > _PAGE_START or len(a.xs) != len(b.xs) or \
                any(abs(x - y) > _COLUMN_TOLERANCE for x, y in zip(a.xs, b.xs, strict=True)):
            continue
        root = a.continues or a
        if _first_row(b.cells) == _first_row(root.cells):
            continue            # the heading is repeated: the table reads on its own
        b.continues = root


def heading_rows(table: Table) -> list[list[Cell]]:
    """The leading rows of a table that hold no number (and the rows their
    merged cells reach down to)."""
    k = 0
    for row in table.rows:
        if any(_NUMBER_CELL.match(c.text.strip()) and not _YEAR_CELL.match(c.text.strip()) for c in row):
            break
        k += 1
    if k == 0:
        return []
    while True:
        reach = max(c.row + c.rowspan for row in table.rows[:k] for c in row)
        if reach <= k or k >= len(table.rows):
            break
        k = min(reach, len(table.rows))
    return table.rows[:k]


def with_heading(table: Table, heading: list[list[Cell]]) -> Table:
    shift = len(heading)
    rows = [list(r) for r in heading] + [[replace(c, row=c.row + shift) for c in row] for row in table.rows]
    return Table(index=table.index, page=table.page, rows=rows)
