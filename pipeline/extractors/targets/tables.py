"""Reading tables: rows are tiers or indicators, columns are years (or the transpose)."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import regex

from ...models import CellRef, Direction, Evidence, Source, Target, Tier, Unit
from ...nlp import find_tiers, tier_index
from ...segment import Segmented
from ...text import PreparedText
from .common import _clean, _p
from .mentions import _num
from .phrases import _heading_indicators, _heading_tiers, _sector_for, _tier_list
from .scope import _ADMIN_TIER, _Ctx, _year_for
from .vocab import indicators_in, sector_of
from .years import YearCue, document_cue

if TYPE_CHECKING:
    from ...load.document import Cell, Table

_LETTER_COLUMN = regex.compile(r"[A-Z]")
_SECTION_MARK = regex.compile(r"[IVXLC]{1,6}|[A-Z]")
_ABOVE = 3   # the blocks above a table whose period dates it (its caption, the appendix heading)


def _is_period(m: regex.Match[str]) -> bool:
    """``2026 - 2030`` in a cell (a task table's time column) is a period, a
    scope and never a value (SCHEMA.md: "periods themselves")."""
    lo, hi = m.group("lo"), m.group("hi")
    return (hi is not None and not (m.group("p1") or m.group("p2"))
            and all(_p("cell_year").fullmatch(x) for x in (lo, hi)))


def table_targets(prep: PreparedText, seg: Segmented, tables: Iterable[Table], admin_level: str | None = None,
                  raw_to_norm: Callable[[int], int] | None = None, doc_cue: YearCue | None = None) -> list[Target]:
    """Targets of tables (rows = tiers or indicators, columns = years, or the transpose).

    ``tables`` are the loader's :class:`~pipeline.load.Table` objects, whose
    cell offsets refer to the raw text.  A cell holding a number is a value;
    its year comes from its column header (or its row label), its tier and
    indicator from its row label, column header and the heading above the
    table.  A ``%`` in the cell, its header or its row label makes it a
    percentage; a bare number is a count.  Row numbers (an ``STT`` column, or a
    first column counting 1, 2, 3 …) are no values.
    """
    ctx = _Ctx(prep=prep, seg=seg, tiers=tier_index(seg),
               default_tier=_ADMIN_TIER.get(admin_level or "", "all"), document_cue=doc_cue)
    stt = _p("stt_header")
    group_re = _p("table_group")
    out: list[Target] = []
    for table in tables:
        grid: dict[tuple[int, int], Cell] = {}
        for row in table.rows:
            for cell in row:
                for dr in range(max(1, cell.rowspan)):
                    for dc in range(max(1, cell.colspan)):
                        grid[(cell.row + dr, cell.col + dc)] = cell
        if not grid:
            continue
        nrows = max(r for r, _ in grid) + 1
        ncols = max(c for _, c in grid) + 1

        def text(r: int, c: int, grid: dict[tuple[int, int], Cell] = grid) -> str:
            cell = grid.get((r, c))
            return cell.text if cell is not None else ""

        def is_value(r: int, c: int) -> bool:
            t = text(r, c)
            m = _p("cell_value").match(t)
            return m is not None and not (_p("cell_year").fullmatch(t.strip())) and not _is_period(m)

        header_rows: list[int] = []
        number_rows: set[int] = set()
        for r in range(nrows):
            if _numbers_columns([text(r, c) for c in range(ncols)]):
                number_rows.add(r)   # the row numbering the columns (1 | 2 | 3 …) is never a value
                header_rows.append(r)
                continue
            if any(is_value(r, c) for c in range(ncols)):
                break
            header_rows.append(r)
        number_rows |= {r for r in range(nrows) if r not in header_rows
                        and _numbers_columns([text(r, c) for c in range(ncols)])}
        col_year: dict[int, int] = {}
        for c in range(ncols):
            for r in header_rows:
                ys = _p("cell_year").findall(text(r, c))
                if ys:
                    col_year[c] = int(ys[-1])
        col_head = {c: " ".join(dict.fromkeys(text(r, c) for r in header_rows if r not in number_rows))
                    for c in range(ncols)}
        row_number_cols = {c for c in range(ncols)
                           if any(stt.match(text(r, c).strip()) for r in header_rows)
                           or _counts_rows(text, c, header_rows, nrows)}
        first = table.rows[0][0] if table.rows and table.rows[0] else None
        block = seg.block_at(raw_to_norm(first.start)) if (first is not None and raw_to_norm) else None
        heads = [seg.blocks[i] for i in seg.ancestors(block.index)] if block else []
        caption = ""
        if block is not None and block.index > 0:
            caption = seg.blocks[block.index - 1].text
        above_cue: YearCue | None = None
        if block is not None:
            for i in range(block.index - 1, max(-1, block.index - 1 - _ABOVE), -1):
                got = document_cue(seg.blocks[i].text)
                if got is not None:
                    above_cue = dataclasses.replace(got, source="heading")
                    break
        for r in range(nrows):
            if r in header_rows or r in number_rows:
                continue
            label_cells = [c for c in range(ncols) if text(r, c).strip() and not is_value(r, c)
                           and not _p("cell_year").fullmatch(text(r, c).strip())]
            row_label = " ".join(dict.fromkeys(text(r, c) for c in label_cells))
            row_years = [int(y) for c in label_cells for y in _p("cell_year").findall(text(r, c))]
            row_years += [int(text(r, c).strip()) for c in range(ncols)
                          if _p("cell_year").fullmatch(text(r, c).strip())]
            cells = [grid[(r, c)] for c in range(ncols) if (r, c) in grid]
            if not cells:
                continue
            rs = min(c.start for c in cells)
            re_ = max(c.end for c in cells)
            ev = Evidence(text=prep.raw[rs:re_], start=rs, end=re_)
            seen_cells: set[int] = set()
            for c in range(ncols):
                if c in row_number_cols or not is_value(r, c) or id(grid[(r, c)]) in seen_cells:
                    continue
                seen_cells.add(id(grid[(r, c)]))
                m = _p("cell_value").match(text(r, c))
                if m is None:   # is_value(r, c) matched it
                    continue
                year = col_year.get(c) or (row_years[-1] if row_years else None)
                year_source: Source = "table"
                period_start: int | None = None
                if year is None:
                    cue = (_year_for(ctx, block.start, [], [], heads, block) if block
                           else ctx.document_cue)
                    if (cue is None or cue.source == "document") and above_cue is not None:
                        cue = above_cue   # the appendix heading over the table ("… giai đoạn 2026 - 2030")
                    if cue is None:
                        continue   # a table cell with no year anywhere is no target
                    year, year_source, period_start = cue.year, cue.source, cue.period_start
                lo, hi = _num(m.group("lo")), _num(m.group("hi")) if m.group("hi") else None
                if lo is None:
                    continue
                written = _written(grid[(r, c)], m, prep.raw)
                label = f"{row_label} {col_head.get(c, '') if c not in col_year else ''}".strip()
                pct = bool(m.group("p1") or m.group("p2")) or "%" in col_head.get(c, "") \
                    or "%" in row_label or _p("rate_word").search(f"{row_label} {caption}") is not None \
                    or "%" in caption
                growth = bool(_p("table_growth").search(f"{label} {caption}"))
                unit: Unit = ("percent_per_year" if growth else "percent") if pct else "count"
                grp = group_re.search(col_head.get(c, "")) or group_re.search(row_label)
                group = _group_name(grp.group(0)) if grp else None
                direction: Direction = "at_most" if _p("cell_at_most").match(text(r, c)) else "at_least"
                tiers: list[Tier] = _tier_list(find_tiers(label))
                tier_source: Source = "table"
                if not tiers:
                    tiers, tier_source = _heading_tiers(ctx, heads), "heading"
                if not tiers:
                    tiers, tier_source = ["all"], "none"
                inds = (indicators_in(f"{label} {caption}", growth and pct)
                        or _heading_indicators(ctx, heads, growth and pct) or ["other"])
                sector = _sector_for(ctx, inds, label, caption, heads)
                for ind in inds:
                    for tier in tiers:
                        out.append(Target(
                            sector=sector_of(ind) or sector, indicator=ind, subject=_clean(label),
                            tier=tier, year=year, period_start=period_start, value=lo,
                            value_max=hi if hi is not None and hi > lo else None, unit=unit,
                            implied=False, direction=direction, evidence=ev, group=group, value_span=written,
                            year_source=year_source, tier_source=tier_source,
                            cell=CellRef(table=table.index, row=r, col=c, page=table.page,
                                         header=_clean(col_head.get(c, "")))))
    return out



def _written(cell: Cell, m: regex.Match[str], raw: str) -> Evidence | None:
    """The value of ``cell`` as written (``12 - 15%``, without ``đạt`` or ``≥``
    before it), ``m`` being its ``cell_value`` match; None when the cell's text
    is not the raw text at its offsets."""
    if raw[cell.start:cell.end] != cell.text:
        return None
    a = cell.start + m.start("lo")
    b = cell.start + max(m.end(g) for g in ("lo", "p1", "hi", "p2") if m.group(g) is not None)
    return Evidence(raw[a:b], a, b)


def _group_name(surface: str) -> str:
    """``nhóm 2`` / ``NHÓM 2`` -> ``Nhóm 2``: one spelling per group, so that
    documents share a comparison row."""
    word, _, rest = " ".join(surface.split()).partition(" ")
    return f"{word.capitalize()} {rest.upper()}"


def _numbers_columns(cells: list[str]) -> bool:
    """Is this row the column numbers of a form (``1 | 2 | 3 … 20``, or ``A | B | 1 | 2 …``):
    three or more cells, their numbers consecutive from 1 in column order?"""
    nums = []
    prev = None
    for t in cells:
        t = t.strip().strip("()").rstrip(".")
        if not t or t == prev:
            continue   # an empty cell, or a merged cell seen again
        prev = t
        if _LETTER_COLUMN.fullmatch(t):
            continue   # lettered columns (A, B) before the numbered ones
        if not t.isdigit():
            return False
        nums.append(int(t))
    return len(nums) >= 3 and nums == list(range(1, len(nums) + 1))


def _counts_rows(text: Callable[[int, int], str], c: int, header_rows: list[int], nrows: int) -> bool:
    """Does column ``c`` number the rows (1, 2, 3 …; a merged number may repeat)?"""
    nums = []
    for r in range(nrows):
        if r in header_rows:
            continue
        t = text(r, c).strip().rstrip(".")
        if not t or _SECTION_MARK.fullmatch(t):
            continue   # empty, or a section's roman numeral or letter
        if not t.isdigit():
            return False
        nums.append(int(t))
    if len(nums) < 2 or not (nums[0] == 1 or c == 0):
        return False
    # each number repeats the last (a merged cell), follows it, or restarts a section at 1
    steps = list(zip(nums, nums[1:], strict=False))
    return all(b in (a, a + 1, 1) for a, b in steps) and any(b == a + 1 for a, b in steps)
