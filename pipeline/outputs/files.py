"""The output files' bytes: ``documents.jsonl``, CSV, JSON and Parquet.

Output is deterministic: records sorted by ``doc_id`` (then ``source``),
fixed column order, no timestamps, ``"\\n"`` line ends, so the same inputs
give the same bytes.  CSV files are UTF-8 with a byte-order mark, which Excel
needs to show Vietnamese.  A CSV text cell that starts with ``=``, ``+``,
``-`` or ``@`` gets a leading ``'`` so that a spreadsheet shows it as text
instead of running it as a formula (OWASP's advice against CSV injection);
``documents.jsonl``, Parquet and JSON keep the exact text
(``text[start:end] == evidence.text`` holds there).
"""
from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any
from collections.abc import Iterable

from .format import format_difference, format_number
from .tables import NUMBER_COLUMNS, SIGNED_COLUMNS, sort_records

if TYPE_CHECKING:
    import pandas as pd

    from ..models import DocumentRecord

__all__ = ["documents_jsonl", "csv_bytes", "json_bytes", "parquet_bytes", "csv_text_cell", "csv_unescape",
           "CSV_FORMULA_START"]


def documents_jsonl(records: Iterable[DocumentRecord]) -> bytes:
    """``documents.jsonl``: one ``rec.to_json()`` per line, sorted, UTF-8, real Vietnamese."""
    lines = [json.dumps(rec.to_json(), ensure_ascii=False) + "\n" for rec in sort_records(records)]
    return "".join(lines).encode("utf-8")


def _is_na(value: Any) -> bool:
    """``pandas.isna`` of one cell (lists, tuples and dicts are not missing);
    the common cell types are answered without calling into pandas."""
    if value is None:
        return True
    cls = type(value)
    if cls is float:
        return bool(value != value)  # NaN
    if cls in _NEVER_NA or isinstance(value, (list, tuple, dict)):
        return False
    import pandas as pd

    return bool(pd.isna(value))


#: Cell types that are never missing.
_NEVER_NA = frozenset({str, int, bool})


def _is_number(value: Any) -> bool:
    cls = type(value)
    if cls is int or cls is float:
        return True
    import numbers
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and cls.__name__ != "bool_"


def _cell(value: Any, column: str) -> Any:
    if _is_na(value):
        return ""
    if column in SIGNED_COLUMNS and _is_number(value):
        return format_difference(value)
    if column in NUMBER_COLUMNS and _is_number(value):
        return format_number(value)
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "true" if value else "false"
    return value


#: First characters that make a spreadsheet read a CSV cell as a formula (OWASP, "CSV injection").
CSV_FORMULA_START = ("=", "+", "-", "@")


def csv_text_cell(value: Any) -> Any:
    """A text cell made safe to open in a spreadsheet: text starting with one
    of :data:`CSV_FORMULA_START` gets a leading ``'``, as OWASP advises, so
    ``=HYPERLINK(...)`` stays text.  Numbers and other values are unchanged.

    >>> csv_text_cell("=HYPERLINK(A1)"), csv_text_cell("- 60% xã"), csv_text_cell("60%"), csv_text_cell(-5)
    ("'=HYPERLINK(A1)", "'- 60% xã", '60%', -5)
    """
    if isinstance(value, str) and value.startswith(CSV_FORMULA_START):
        return "'" + value
    return value


def csv_unescape(value: str) -> str:
    """The text :func:`csv_text_cell` was given (for reading our own CSV back)."""
    if value.startswith("'") and value[1:2] in CSV_FORMULA_START and value[1:2]:
        return value[1:]
    return value


def _csv_cell(value: Any, column: str) -> Any:
    if isinstance(value, str):
        return csv_text_cell(value)
    return _cell(value, column)  # numbers, differences, booleans: our own formatting, never escaped


def _csv_column(values: list[Any], column: str, na: Any) -> list[Any]:
    """The CSV cells of one column (:func:`_csv_cell` of each value), the
    common cell types (text, missing, plain numbers) without its tests;
    ``na`` is ``pandas.NA``."""
    signed, number = column in SIGNED_COLUMNS, column in NUMBER_COLUMNS
    out = []
    for v in values:
        cls = type(v)
        if cls is str:
            out.append("'" + v if v.startswith(CSV_FORMULA_START) else v)
        elif v is None or v is na:
            out.append("")
        elif cls is float or cls is int:
            out.append("" if v != v else format_difference(v) if signed else format_number(v) if number else v)
        else:
            out.append(_csv_cell(v, column))
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    """A table as CSV bytes: UTF-8 with BOM, ``"\\n"`` line ends, empty for null,
    whole numbers without ``.0``, booleans as ``true``/``false``, differences
    signed (``+10``, ``−20``); text that a spreadsheet would take for a formula
    (starting with ``= + - @``) is prefixed with ``'`` (:func:`csv_text_cell`).

    The rows go through the :mod:`csv` writer as pandas' ``to_csv`` would
    (minimal quoting, the same bytes) without building a frame of the cells."""
    import csv
    import io

    import pandas as pd

    columns = list(df.columns)
    cells = [_csv_column(df[col].tolist(), str(col), pd.NA) for col in columns]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(zip(*cells, strict=True))  # no columns: no rows, as the frame of no cells has
    return buf.getvalue().encode("utf-8-sig")


def _json_value(value: Any) -> Any:
    if _is_na(value):
        return None
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    if _is_number(value):
        f = float(value)
        return int(f) if f.is_integer() else f
    return value


def json_bytes(df: pd.DataFrame) -> bytes:
    """A table as a JSON list of objects (pandas' ``records`` orient), UTF-8,
    Vietnamese unescaped, null for missing, whole numbers as ints; laid out as
    ``json.dumps(rows, ensure_ascii=False, indent=1)`` lays it out."""
    import pandas as pd

    cols = [str(c) for c in df.columns]
    columns = [df.iloc[:, i].tolist() for i in range(df.shape[1])]
    text = _indented_records(cols, columns, len(df), pd.NA)
    if text is None:  # a cell that is not a string, number, boolean or null
        rows = [dict(zip(cols, (_json_value(v) for v in row), strict=True)) for row in zip(*columns, strict=True)]
        text = json.dumps(rows, ensure_ascii=False, indent=1)
    return (text + "\n").encode("utf-8")


def _indented_records(cols: list[str], columns: list[list[Any]], n_rows: int, na: Any) -> str | None:
    """``json.dumps`` of the rows (``{col: _json_value(cell)}``) with
    ``ensure_ascii=False, indent=1``, for tables of strings, numbers, booleans
    and nulls; ``None`` when a cell is anything else (or the table is empty).
    ``json`` writes an indented document with its pure-Python encoder, a few
    calls per value; here each column's cells are encoded at once (strings by
    ``json``'s C string encoder) and the layout joined once.  Repeated column
    names (a dict keeps the last) are left to ``json`` too."""
    if not n_rows or not cols or len(set(cols)) < len(cols):
        return None
    encoded = []
    for col, values in zip(cols, columns, strict=True):
        fragments = _json_fragments(f"  {encode_basestring(col)}: ", values, na)
        if fragments is None:
            return None
        encoded.append(fragments)
    rows = [" {\n" + ",\n".join(row) + "\n }" for row in zip(*encoded, strict=True)]
    return "[\n" + ",\n".join(rows) + "\n]"


def _json_fragments(key: str, values: list[Any], na: Any) -> list[str] | None:
    """``key`` followed by the JSON of each of ``values`` (:func:`_json_value`,
    then as ``json.dumps`` writes it); ``None`` for a value that is not a
    string, number, boolean or null.  ``na`` is ``pandas.NA``."""
    null = key + "null"
    out = []
    for v in values:
        cls = type(v)
        if cls is str:
            out.append(key + encode_basestring(v))
            continue
        if v is None or v is na:
            out.append(null)
            continue
        if cls is float or cls is int:
            if v != v:  # NaN
                out.append(null)
                continue
        else:
            v = _json_value(v)
            cls = type(v)
        if v is None:
            out.append(null)
        elif cls is str:
            out.append(key + encode_basestring(v))
        elif cls is bool:
            out.append(key + ("true" if v else "false"))
        elif cls is float and v.is_integer():
            out.append(key + int.__repr__(int(v)))
        elif cls is float:
            out.append(key + _json_float(v))
        elif cls is int:
            out.append(key + int.__repr__(int(float(v))))  # as _json_value: through a float
        else:
            return None
    return out


def _json_float(f: float) -> str:
    """A float as ``json`` writes it (``allow_nan``: ``NaN``, ``Infinity``)."""
    if f != f:
        return "NaN"
    if f == float("inf"):
        return "Infinity"
    if f == -float("inf"):
        return "-Infinity"
    return float.__repr__(f)


def parquet_bytes(df: pd.DataFrame) -> bytes:
    """A table as Parquet bytes (pyarrow), with a fixed schema: text columns
    are strings even when empty, ``Int64`` columns int64, floats float64."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = []
    for col in df.columns:
        dtype = str(df[col].dtype)
        typ = (pa.int64() if dtype.lower().startswith("int") else pa.float64() if dtype.startswith("float")
               else pa.bool_() if dtype == "bool" else pa.string())
        fields.append(pa.field(str(col), typ))
    table = pa.Table.from_pandas(df, schema=pa.schema(fields), preserve_index=False)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="snappy")
    return sink.getvalue().to_pybytes()
