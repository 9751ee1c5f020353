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
    import pandas as pd

    return not isinstance(value, (list, tuple, dict)) and bool(pd.isna(value))


def _is_number(value: Any) -> bool:
    import numbers
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and type(value).__name__ != "bool_"


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


def csv_bytes(df: pd.DataFrame) -> bytes:
    """A table as CSV bytes: UTF-8 with BOM, ``"\\n"`` line ends, empty for null,
    whole numbers without ``.0``, booleans as ``true``/``false``, differences
    signed (``+10``, ``−20``); text that a spreadsheet would take for a formula
    (starting with ``= + - @``) is prefixed with ``'`` (:func:`csv_text_cell`)."""
    import pandas as pd

    out = pd.DataFrame({col: [_csv_cell(v, str(col)) for v in df[col].tolist()] for col in df.columns},
                       columns=list(df.columns), dtype=object)
    text = out.to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8-sig")


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
    Vietnamese unescaped, null for missing, whole numbers as ints."""
    cols = [str(c) for c in df.columns]
    rows = [dict(zip(cols, (_json_value(v) for v in rec), strict=True))
            for rec in df.itertuples(index=False, name=None)]
    return (json.dumps(rows, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


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
