"""``comparison.xlsx``: the tables of one run as an Excel workbook.

What each sheet shows is decided by :mod:`pipeline.outputs.xlsx_view`; this
module writes it with xlsxwriter.  The workbook stores every text cell as a
string, and the same tables give the same bytes: its dates are fixed and its
zip entries carry no time.
"""
from __future__ import annotations

import io
import math
import numbers
import re
from typing import TYPE_CHECKING, Any
from collections.abc import Iterable, Mapping

from .annotate import find_value, pieces
from .files import _is_na, _is_number
from .format import format_number

if TYPE_CHECKING:
    import pandas as pd

    from .compare import Comparison
    from .xlsx_view import ComparisonView, Marked, SheetView

__all__ = ["xlsx_bytes", "XLSX_MAX_WIDTH", "XLSX_FIXED_DATE"]

#: An xlsxwriter worksheet: xlsxwriter ships no types (pyproject's mypy overrides).
Worksheet = Any


# XLSX
# --------------------------------------------------------------------------

#: Widest column, in characters.
XLSX_MAX_WIDTH = 60
#: Longest text an Excel cell holds.
_XLSX_MAX_TEXT = 32767
#: The creation and modification date written into every workbook, so two runs give the same bytes.
XLSX_FIXED_DATE = "1980-01-01T00:00:00Z"
#: Background of the baseline's columns in the comparison sheet's headings.
_BASELINE_FILL = "FFF2CC"


#: Characters an XLSX file cannot hold (the C0 controls but tab and line breaks).
_ILLEGAL_XLSX = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
#: Pixels per character of column width (Calibri 11): a width of ``w`` characters is ``7 * w`` pixels.
_PIXELS_PER_CHAR = 7


def _xlsx_text(value: Any) -> Any:
    if isinstance(value, str):
        if not value.isprintable():  # a control character, maybe (a cheap test first)
            value = _ILLEGAL_XLSX.sub("", value)
        if len(value) > _XLSX_MAX_TEXT:
            value = value[:_XLSX_MAX_TEXT - 1] + "…"
    return value


def _needs_cleaning(series: pd.Series) -> bool:
    """Whether a column's texts go through :func:`_xlsx_text` before they are
    measured (object and string columns)."""
    from pandas.api.types import is_string_dtype

    return bool(series.dtype == object or is_string_dtype(series))


def _clean_values(values: list[Any]) -> list[Any]:
    """:func:`_xlsx_text` over a column's values, calling it only on the texts
    it changes (a control character or too long)."""
    return [_xlsx_text(v) if isinstance(v, str) and (len(v) > _XLSX_MAX_TEXT or not v.isprintable()) else v
            for v in values]


def _column(series: pd.Series) -> tuple[list[Any], bool]:
    """A column's cells, its texts cleaned by :func:`_xlsx_text` in an object
    or string column (what is measured and written), and whether each of its
    texts is then as :func:`_put` writes it (the column was cleaned, or holds
    no text): the fast path of :func:`_put_cells` then writes it, else
    :func:`_put` cell by cell."""
    values = series.tolist()
    if _needs_cleaning(series):
        return _clean_values(values), True
    if series.hasnans:   # NaN, NA, NaT: each written and measured as None is
        values = [None if missing else v for v, missing in zip(values, series.isna().tolist(), strict=True)]
    return values, not any(isinstance(v, str) for v in values)


def _width(values: Iterable[Any]) -> int:
    """A column's width: its longest text (header included), capped."""
    longest = 0
    seen: set[int | float] = set()   # numbers measured already
    for v in values:
        kind = type(v)
        if kind is str:  # the common case, without the checks below
            text = v
        elif kind is float or kind is int:
            if v != v or v in seen:   # NaN, or a number measured already
                continue
            seen.add(v)
            text = format_number(v)
        elif v is None or _is_na(v):
            continue
        else:
            text = format_number(v) if _is_number(v) else str(v)
        if len(text) <= longest:
            continue  # no line of it can be longer
        longest = max(longest, max((len(line) for line in text.split("\n")), default=0))
        if longest + 2 >= XLSX_MAX_WIDTH:
            break  # capped: no longer text can widen it
    return min(XLSX_MAX_WIDTH, max(8, longest + 2))


class _Book:
    """An xlsxwriter workbook made in memory, with its cell formats made once each.

    Its texts go to the workbook's shared string table (each distinct text
    escaped and stored once, the cells pointing to it), not written inline
    cell by cell as in xlsxwriter's constant-memory mode: the tables repeat
    most of their texts (codes, places, units, the evidence of a document's
    values), so this writes a third less XML.  In memory (xlsxwriter's
    ``in_memory``), no temporary file is made and the zip entries get the
    fixed time 1980-01-01 from xlsxwriter itself, so the zip is not rewritten
    to fix them.  Corpus x60 (185 k cells), against constant-memory mode and
    a rewritten zip: 3.33 -> 2.14 s CPU, ~38 MB more held while the workbook
    is made, beside the tables it comes from (2026-12-02)."""

    def __init__(self, buf: io.BytesIO) -> None:
        import xlsxwriter

        options: dict[str, Any] = {"in_memory": True, "strings_to_numbers": False,
                                   "strings_to_formulas": False, "strings_to_urls": False}
        self.wb = xlsxwriter.Workbook(buf, options)
        self._formats: dict[tuple[tuple[str, Any], ...], Any] = {}   # properties -> xlsxwriter Format

    def fmt(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        f = self._formats.get(key)
        if f is None:
            f = self._formats[key] = self.wb.add_format(dict(props))
        return f

    def number(self, num_format: str | None) -> Any:
        return self.fmt(num_format=num_format) if num_format else None


def _put(ws: Worksheet, row: int, col: int, value: Any, fmt: Any = None) -> None:
    """One cell, typed as pandas' Excel writer types it: missing values are
    empty, booleans booleans, numbers numbers, anything else text -- always
    written as a string, so a text starting with ``=`` is never a formula."""
    kind = type(value)
    if kind is str:
        if value:
            ws.write_string(row, col, _xlsx_text(value), fmt)
        elif fmt is not None:
            ws.write_blank(row, col, None, fmt)
        return
    if kind is int:
        ws.write_number(row, col, value, fmt)
        return
    if kind is float and value == value and not math.isinf(value):
        ws.write_number(row, col, value, fmt)
        return
    if value is None or _is_na(value):
        if fmt is not None:
            ws.write_blank(row, col, None, fmt)
        return
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        ws.write_boolean(row, col, bool(value), fmt)
    elif isinstance(value, numbers.Integral):
        ws.write_number(row, col, int(value), fmt)
    elif isinstance(value, numbers.Real):
        f = float(value)
        if math.isinf(f):
            ws.write_string(row, col, "inf" if f > 0 else "-inf", fmt)
        else:
            ws.write_number(row, col, f, fmt)
    else:
        text = _xlsx_text(str(value))
        if text:
            ws.write_string(row, col, text, fmt)
        elif fmt is not None:
            ws.write_blank(row, col, None, fmt)


def _put_cells(ws: Worksheet, row: int, cols: list[int], values: Iterable[Any], fmts: Iterable[Any]) -> None:
    """The cells ``values`` of one row in the columns ``cols``, each as
    :func:`_put` writes it: texts (already as :func:`_xlsx_text` leaves them),
    ints, floats and ``None`` here, anything else by :func:`_put`."""
    write_string, write_number, write_blank = ws.write_string, ws.write_number, ws.write_blank
    for col, value, fmt in zip(cols, values, fmts, strict=True):
        kind = type(value)
        if kind is str:
            if value:
                write_string(row, col, value, fmt)
            elif fmt is not None:
                write_blank(row, col, None, fmt)
        elif (kind is float or kind is int) and value - value == 0:   # finite (NaN and inf are not)
            write_number(row, col, value, fmt)
        elif value is None or (kind is float and value != value):   # missing: None or NaN
            if fmt is not None:
                write_blank(row, col, None, fmt)
        else:
            _put(ws, row, col, value, fmt)


def _put_marked(book: _Book, ws: Worksheet, row: int, col: int, text: Any, ref: Marked | None) -> None:
    """A text cell with the number of ``ref`` in bold where it is written
    (the reader's span, else :func:`pipeline.outputs.annotate.find_value`'s,
    as the report marks it); any other cell as :func:`_put` writes it."""
    span: tuple[int, int] | None = None
    if ref is not None and isinstance(text, str) and text:
        span = find_value(*ref, text) if isinstance(ref, tuple) else (ref.start, ref.end)
    if span is None:
        _put(ws, row, col, text)
        return
    bold = book.fmt(bold=True)
    parts = pieces(text, [span])
    if len(parts) == 1:   # the whole text is the value
        ws.write_string(row, col, text, bold)
        return
    fragments: list[Any] = []
    for piece, marked in parts:
        fragments += [bold, piece] if marked else [piece]
    ws.write_rich_string(row, col, *fragments)


def _set_widths(ws: Worksheet, widths: list[int]) -> None:
    for j, w in enumerate(widths):
        # in pixels, so that the file holds exactly ``w`` (set_column would add padding)
        ws.set_column_pixels(j, j, w * _PIXELS_PER_CHAR)


def _number_formats(book: _Book, given: list[list[str | None] | tuple[()]], nrows: int) -> list[list[Any]]:
    """Per column, the xlsxwriter format of each row's number format
    (``None`` past the end of a column's list).  The formats are made in the
    order the cells are written, row by row, so that they get the same
    indexes in the workbook as when made cell by cell."""
    made: dict[str | None, Any] = {None: None, "": None}
    for i in range(nrows):
        for formats in given:
            if i < len(formats) and formats[i] not in made:
                made[formats[i]] = book.number(formats[i])
    return [[made[f] for f in formats[:nrows]] + [None] * (nrows - len(formats)) for formats in given]


def _data_sheet(book: _Book, view: SheetView) -> None:
    """One table as a sheet: header row frozen, autofilter, the view's numbers
    and formats (``view.formats[header][row]``), fitted widths."""
    frame = view.frame
    ws = book.wb.add_worksheet(view.name)
    cols = [str(c) for c in frame.columns]
    ncols, nrows = len(cols), len(frame)
    for j, col in enumerate(cols):
        ws.write_string(0, j, _xlsx_text(col))
    columns = [_column(frame[c]) for c in frame.columns]
    values = [v for v, _ in columns]
    marked = [view.marked.get(c) for c in cols]
    given = [view.formats.get(c) or () if refs is None else () for c, refs in zip(cols, marked, strict=True)]
    fmts = _number_formats(book, given, nrows)
    # the cells: the plain ones of a row by the fast path, those that it cannot
    # write (a text to clean in a column not cleaned) and the marked ones apart
    plain = [j for j in range(ncols) if marked[j] is None and columns[j][1]]
    other = [j for j in range(ncols) if marked[j] is None and not columns[j][1]]
    rich = [(j, values[j], refs) for j, refs in enumerate(marked) if refs is not None]
    plain_rows = zip(*(values[j] for j in plain), strict=True) if plain else iter([()] * nrows)
    plain_fmts = zip(*(fmts[j] for j in plain), strict=True) if plain else iter([()] * nrows)
    for i, (row_values, row_fmts) in enumerate(zip(plain_rows, plain_fmts, strict=True)):
        _put_cells(ws, i + 1, plain, row_values, row_fmts)
        for j in other:
            _put(ws, i + 1, j, values[j][i], fmts[j][i])
        for j, texts, refs in rich:
            _put_marked(book, ws, i + 1, j, texts[i], refs[i])
    ws.freeze_panes(1, 0)
    if ncols:
        ws.autofilter(0, 0, nrows, ncols - 1)
    _set_widths(ws, [_width([c] + v) for c, v in zip(cols, values, strict=True)])


def _comment_options(text: str) -> dict[str, Any]:
    """The size of a comparison value's comment (its evidence), from its length."""
    lines = sum(1 + len(p) // 55 for p in text.split("\n"))
    return {"author": "chitieu", "width": 420, "height": min(600, 24 + 16 * lines)}


def _comparison_sheet(book: _Book, view: ComparisonView) -> None:
    """The comparison, with three header rows above it (province, province
    since 2025, level) grouping the document columns, numbers as numbers and
    the evidence of every value in the cell's comment."""
    df = view.frame
    ws = book.wb.add_worksheet(view.name)
    cols = [str(c) for c in df.columns]
    top = len(view.header_titles)
    nkeys, ncols, nrows = view.n_keys, len(cols), len(df)
    header_row = top  # 0-based row of the table's own header
    value_cols = cols[nkeys:]

    headers: list[tuple[str, str, str]] = [view.headings[c] for c in value_cols]
    baseline: list[bool] = [bool(view.baseline[c]) for c in value_cols]
    fill = {"pattern": 1, "bg_color": "#" + _BASELINE_FILL}
    bold = book.fmt(bold=True)
    # the rows above the table; one merged heading per run of columns of the
    # same province (the baseline apart) in the first two
    for r in range(top):
        ws.write_string(r, 0, _xlsx_text(view.header_titles[r]), bold)
        k = 0
        while k < len(headers):
            end = k
            if r < 2:
                while (end + 1 < len(headers) and headers[end + 1][r] == headers[k][r]
                       and baseline[end + 1] == baseline[k]):
                    end += 1
            text = _xlsx_text(headers[k][r]) or None
            f = book.fmt(bold=True, align="center", **(fill if baseline[k] else {}))
            if end > k and headers[k][r]:
                ws.merge_range(r, nkeys + k, r, nkeys + end, text, f)
            else:
                for kk in range(k, end + 1):
                    _put(ws, r, nkeys + kk, _xlsx_text(headers[kk][r]) or None, f)
            k = end + 1
    for j, col in enumerate(cols):
        is_base = j >= nkeys and baseline[j - nkeys]
        ws.write_string(header_row, j, _xlsx_text(col), book.fmt(**fill) if is_base else None)

    columns = [_column(df[c])[0] for c in df.columns]
    for pos in range(nrows):
        row = header_row + 1 + pos
        for j, col in enumerate(cols):
            _put(ws, row, j, columns[j][pos], book.number(view.formats.get((pos, col))))
            note = view.comments.get((pos, col))
            if note:
                text = _xlsx_text(note)
                ws.write_comment(row, j, text, _comment_options(text))

    ws.freeze_panes(header_row + 1, nkeys)
    ws.autofilter(header_row, 0, header_row + nrows, ncols - 1)
    widths = []
    for j, col in enumerate(cols):
        extra = list(headers[j - nkeys]) if j >= nkeys else []
        widths.append([col] + extra + columns[j])
    widths[0].append(view.header_titles[1])
    _set_widths(ws, [_width(w) for w in widths])


def xlsx_bytes(frames: Mapping[str, pd.DataFrame], comparison: Comparison, lang: str = "vi") -> bytes:
    """``comparison.xlsx``: one sheet per table (:data:`XLSX_SHEETS`), named
    and headed in ``lang`` (``vi``, the default, or ``en``).

    What is shown is decided by :mod:`pipeline.outputs.xlsx_view`: percentages are
    fractions with a percent format (``0.6`` shown ``60%``), ranges are two
    numbers (``value``, ``value_max``) in the data sheets, and the
    comparison's value cells are numbers where the document sets one value
    (text where it sets a range or several values, ``12–15%``).  Every sheet
    has its header frozen and an autofilter; text is always written as text
    (a cell starting with ``=`` is not a formula); each comparison value
    carries the evidence sentence(s) behind it as a cell comment; widths fit
    the text up to :data:`XLSX_MAX_WIDTH` characters.  Written by xlsxwriter,
    texts in its shared string table (:class:`_Book`).  The bytes
    are the same for the same tables: the workbook's dates are
    :data:`XLSX_FIXED_DATE` and its zip entries' 1980-01-01.
    """
    import datetime

    from .labels import labels_for
    from .xlsx_view import columns_view, comparison_view, data_view, differences_view, national_baselines

    L = labels_for(lang)
    buf = io.BytesIO()
    book = _Book(buf)
    _comparison_sheet(book, comparison_view(comparison, L))
    _data_sheet(book, differences_view(comparison.differences, L, national=national_baselines(comparison)))
    _data_sheet(book, columns_view(comparison.columns, L))
    for name in ("targets", "documents", "references", "errors"):
        _data_sheet(book, data_view(name, frames[name], L))
    book.wb.set_properties({"title": L.ui("xlsx.title"), "author": "chitieu",
                            "created": datetime.datetime(1980, 1, 1)})
    book.wb.close()
    return buf.getvalue()


# --------------------------------------------------------------------------
# Writing files atomically
