"""Tables and output files from extracted records.

:func:`to_frames` turns :class:`~pipeline.models.DocumentRecord` objects into
pandas tables; :func:`write_outputs` writes them to a folder:

============================  ===============================================
``documents.jsonl``           one SCHEMA.md record per line (``rec.to_json()``)
``documents.csv``             one row per document: its facts, counts, warnings
``targets.csv``               one row per target, with its document's place
``references.csv``            one row per cited document
``errors.csv``                one row per file that could not be read
``comparison.csv``            documents side by side, the baseline first
                              (:func:`pipeline.compare.build_comparison`)
``differences.csv``           every local value against the baseline
``comparison_columns.csv``    one row per comparison column: its document,
                              place (``province_2025`` too), level, role
``comparison.xlsx``           all of these tables, one sheet each, for Excel
``targets.parquet``           ``targets`` for pandas / Arrow / DuckDB
``documents.parquet``         ``documents`` likewise
``targets.json``              ``targets`` as a JSON list of objects
============================  ===============================================

Every file is written atomically (a temporary file in the same folder, then
``os.replace``), so an interrupted run leaves the old file or the new one,
never half of one; the temporary files that a ``kill -9`` during the moves
leaves behind (``.<name>.<random>.tmp``) are removed by the next run
(:func:`remove_stale_temps`).  Output is deterministic: records sorted by ``doc_id``
(then ``source``), fixed column order, no timestamps, ``"\\n"`` line ends, so
the same inputs give the same bytes (the XLSX file too: its dates are fixed
and its zip entries carry no time).  CSV files are UTF-8 with a byte-order
mark, which Excel needs to show Vietnamese.  A CSV text cell that starts
with ``=``, ``+``, ``-`` or ``@`` gets a leading ``'`` so that a spreadsheet
shows it as text instead of running it as a formula (OWASP's advice against
CSV injection); ``documents.jsonl``, Parquet and JSON keep the exact text
(``text[start:end] == evidence.text`` holds there), and the XLSX workbook
stores every text cell as a string.

Places: ``province`` is the province as it was when the document was issued,
spelled one way (:func:`pipeline.places.canonical_province`; taken from the
district when only that is known), and ``province_2025`` the province it
belongs to since 1 July 2025 (:func:`pipeline.places.province_2025`).  These
two are in ``documents.csv`` and ``targets.csv``; ``documents.jsonl`` keeps
exactly the SCHEMA.md record.
"""
from __future__ import annotations

import io
import json
import math
import numbers
import os
import re
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional

from .compare import build_comparison, format_difference, format_number

if TYPE_CHECKING:
    import pandas as pd

    from .compare import Comparison
    from .models import DocumentRecord, Target
    from .xlsx_view import ComparisonView, SheetView

__all__ = [
    "to_frames", "write_outputs", "write_comparison", "read_documents_jsonl", "atomic_write",
    "remove_stale_temps", "csv_text_cell",
    "documents_jsonl", "csv_bytes", "xlsx_bytes", "parquet_bytes", "json_bytes", "sort_records",
    "document_place", "DOCUMENT_COLUMNS", "TARGET_COLUMNS", "REFERENCE_COLUMNS", "ERROR_COLUMNS",
    "OUTPUT_FILES", "COMPARISON_FILES", "XLSX_SHEETS",
]

#: Columns of documents.csv.
DOCUMENT_COLUMNS = (
    "doc_id", "source", "sha256", "format", "doc_type", "number", "issue_date", "place",
    "issuing_body", "parent_body", "admin_level", "province", "province_2025", "district",
    "signer_name", "signer_title", "title", "n_targets", "n_references", "warnings", "error",
)
#: Columns of targets.csv: the document's identity, then the target.
TARGET_COLUMNS = (
    "doc_id", "province", "province_2025", "district", "admin_level", "number", "issuing_body",
    "sector", "indicator", "subject", "tier", "year", "period_start", "value", "value_max",
    "unit", "implied", "direction", "year_source", "tier_source", "group",
    "evidence_text", "evidence_start", "evidence_end", "table", "table_page", "table_row", "table_col", "table_header",
)
#: Columns of references.csv.
REFERENCE_COLUMNS = ("doc_id", "kind", "number", "date", "issuer",
                     "evidence_text", "evidence_start", "evidence_end")
#: Columns of errors.csv.
ERROR_COLUMNS = ("doc_id", "source", "error", "message")

#: The files of the comparison (written by :func:`write_outputs` and by
#: ``chitieu compare`` through :func:`write_comparison`).
COMPARISON_FILES = ("comparison.csv", "differences.csv", "comparison_columns.csv", "comparison.xlsx")

#: The files :func:`write_outputs` writes, in writing order.
OUTPUT_FILES = ("documents.jsonl", "documents.csv", "targets.csv", "references.csv",
                "errors.csv") + COMPARISON_FILES + ("targets.parquet", "documents.parquet", "targets.json",
                                                    "report.html")

#: The sheets of comparison.xlsx, in order.
XLSX_SHEETS = ("comparison", "differences", "columns", "targets", "documents", "references", "errors")

#: Joins a document's warnings in documents.csv.
WARNING_SEPARATOR = " | "

_INT_COLUMNS = {"year", "period_start", "evidence_start", "evidence_end", "n_targets", "n_references",
                "table", "table_page", "table_row", "table_col"}
_NUMBER_COLUMNS = {"value", "value_max"}
_SIGNED_COLUMNS = {"difference"}


def sort_records(records: Iterable["DocumentRecord"]) -> list["DocumentRecord"]:
    """Records in output order: by ``doc_id``, then ``source``."""
    return sorted(records, key=lambda r: (r.doc_id, r.source))


def _error_message(rec: "DocumentRecord") -> Optional[str]:
    if not rec.extra.get("error"):
        return None
    msg = rec.extra.get("error_message")
    if msg:
        return str(msg)
    errs = [w[len("error: "):] for w in rec.warnings if w.startswith("error: ")]
    return errs[0] if errs else None


def document_place(province: Optional[str], district: Optional[str] = None) -> tuple[Optional[str], Optional[str]]:
    """(province as issued, province since 1 July 2025) of a document.

    The province is spelled one way (``Đắc Nông`` → ``Đắk Nông``); when only
    the district is known, the province is the one that district is in, if
    the name is not ambiguous.  A province the gazetteer does not know is
    kept as written, with no ``province_2025``.

    >>> document_place("Đắk Nông"), document_place("Hải Phòng", "Ngô Quyền"), document_place(None, "Nhà Bè")
    (('Đắk Nông', 'Lâm Đồng'), ('Hải Phòng', 'Hải Phòng'), ('Hồ Chí Minh', 'Hồ Chí Minh'))
    >>> document_place(None), document_place("Atlantis")
    ((None, None), ('Atlantis', None))
    """
    from . import places

    prov: Optional[str] = None
    if province and str(province).strip():
        prov = places.canonical_province(province) or str(province).strip()
    elif district and str(district).strip():
        found = places.resolve_district(district)
        prov = found.province if found else None
    return prov, (places.province_2025(prov) if prov else None)


def to_frames(records: Iterable["DocumentRecord"], *, comparison: bool = True) -> dict[str, "pd.DataFrame"]:
    """The output tables of ``records``, keyed ``documents``, ``targets``,
    ``references``, ``errors`` and (unless ``comparison=False``) ``comparison``
    (with the national programme of the batch, if any, as its baseline).

    Columns are those of :data:`DOCUMENT_COLUMNS`, :data:`TARGET_COLUMNS`,
    :data:`REFERENCE_COLUMNS`, :data:`ERROR_COLUMNS`; integer columns that may
    be empty use pandas' nullable ``Int64``; ``value``/``value_max`` are floats.
    """
    import pandas as pd

    records = sort_records(records)
    docs, targets, refs, errors = [], [], [], []
    place_cache: dict[tuple, tuple[Optional[str], Optional[str]]] = {}
    for rec in records:
        error = rec.extra.get("error")
        where = (rec.province, rec.district)
        if where not in place_cache:
            place_cache[where] = document_place(*where)
        province, province_2025 = place_cache[where]
        docs.append({
            "doc_id": rec.doc_id, "source": rec.source, "sha256": rec.sha256,
            "format": rec.extra.get("format"), "doc_type": rec.doc_type, "number": rec.number,
            "issue_date": rec.issue_date, "place": rec.place, "issuing_body": rec.issuing_body,
            "parent_body": rec.parent_body, "admin_level": rec.admin_level,
            "province": province, "province_2025": province_2025, "district": rec.district,
            "signer_name": rec.signer.name if rec.signer else None,
            "signer_title": rec.signer.title if rec.signer else None,
            "title": rec.title, "n_targets": len(rec.targets), "n_references": len(rec.references),
            "warnings": WARNING_SEPARATOR.join(rec.warnings) or None,
            "error": error or None,
        })
        for t in rec.targets:
            targets.append({
                "doc_id": rec.doc_id, "province": province, "province_2025": province_2025,
                "district": rec.district, "admin_level": rec.admin_level, "number": rec.number,
                "issuing_body": rec.issuing_body,
                "sector": t.sector, "indicator": t.indicator, "subject": t.subject, "tier": t.tier,
                "year": t.year, "period_start": t.period_start, "value": t.value,
                "value_max": t.value_max, "unit": t.unit, "implied": t.implied,
                "direction": t.direction, "year_source": t.year_source,
                "tier_source": t.tier_source, "group": t.group, "evidence_text": t.evidence.text,
                "evidence_start": t.evidence.start, "evidence_end": t.evidence.end,
                "table": t.cell.table if t.cell else None,
                "table_page": t.cell.page if t.cell else None,
                "table_row": t.cell.row if t.cell else None,
                "table_col": t.cell.col if t.cell else None,
                "table_header": t.cell.header if t.cell else None,
            })
        for r in rec.references:
            refs.append({
                "doc_id": rec.doc_id, "kind": r.kind, "number": r.number, "date": r.date,
                "issuer": r.issuer, "evidence_text": r.evidence.text,
                "evidence_start": r.evidence.start, "evidence_end": r.evidence.end,
            })
        if error:
            errors.append({"doc_id": rec.doc_id, "source": rec.source, "error": error,
                           "message": _error_message(rec)})

    frames = {
        "documents": _frame(pd, docs, DOCUMENT_COLUMNS),
        "targets": _frame(pd, targets, TARGET_COLUMNS),
        "references": _frame(pd, refs, REFERENCE_COLUMNS),
        "errors": _frame(pd, errors, ERROR_COLUMNS),
    }
    if comparison:
        frames["comparison"] = build_comparison(frames).table
    return frames


def _frame(pd, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> "pd.DataFrame":
    df = pd.DataFrame(rows, columns=list(columns))
    for col in columns:
        if col in _INT_COLUMNS:
            df[col] = df[col].astype("Int64")
        elif col in _NUMBER_COLUMNS:
            df[col] = df[col].astype("float64")
        elif col == "implied":
            df[col] = df[col].astype("bool")
        else:
            df[col] = df[col].astype("object")
    return df


# --------------------------------------------------------------------------
# Reading documents.jsonl back
# --------------------------------------------------------------------------

def read_documents_jsonl(path: Path | str) -> list["DocumentRecord"]:
    """The records of a ``documents.jsonl`` written by :func:`write_outputs`.

    What the JSON record does not hold is taken from the files beside it when
    they are there: each document's input ``format`` and ``error`` code from
    ``documents.csv``, the error message from ``errors.csv``.  Without them a
    record whose warnings start ``error: `` gets the error code ``error``.
    Raises :class:`ValueError` naming the line of a line that is not a record.
    """
    from .models import DocumentRecord, Evidence, Reference, Signer

    path = Path(path)
    facts = _read_side_csv(path.parent / "documents.csv", ("format", "error"))
    messages = _read_side_csv(path.parent / "errors.csv", ("message",))
    records = []
    with path.open(encoding="utf-8-sig") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"{path}, line {lineno}"
            try:
                obj = json.loads(line)
                if not isinstance(obj, dict):
                    raise ValueError("not a JSON object")
                signer = obj.get("signer")
                rec = DocumentRecord(
                    doc_id=str(obj["doc_id"]), source=str(obj["source"]), sha256=str(obj.get("sha256") or ""),
                    **{k: obj.get(k) for k in ("doc_type", "number", "issue_date", "place", "issuing_body",
                                               "parent_body", "admin_level", "province", "district", "title")},
                    signer=Signer(signer.get("name"), signer.get("title")) if isinstance(signer, dict) else None,
                    references=[Reference(r["kind"], r.get("number"), r.get("date"), r.get("issuer"),
                                          Evidence(**r["evidence"])) for r in obj.get("references") or []],
                    targets=[_target_of_json(t) for t in obj.get("targets") or []],
                    warnings=[str(w) for w in obj.get("warnings") or []],
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{where}: not a documents.jsonl record ({type(exc).__name__}: {exc})") from None
            key = (rec.doc_id, rec.source)
            fmt, error = facts.get(key, (None, None))
            if fmt:
                rec.extra["format"] = fmt
            if key not in facts and any(w.startswith("error: ") for w in rec.warnings):
                error = "error"
            if error:
                rec.extra["error"] = error
                msg = messages.get(key, (None,))[0]
                if msg:
                    rec.extra["error_message"] = msg
            records.append(rec)
    return records


def _target_of_json(t: Mapping[str, Any]) -> "Target":
    """A target of documents.jsonl; ``year`` may be null, and the scope fields
    (``year_source``, ``tier_source``, ``group``) absent (older outputs)."""
    from .models import Evidence, Target

    def opt_int(v: Any) -> Optional[int]:
        return None if v is None else int(v)

    def opt_str(v: Any) -> Optional[str]:
        return None if v is None else str(v)

    return Target(t["sector"], t["indicator"], t.get("subject"), t["tier"], opt_int(t.get("year")),
                  opt_int(t.get("period_start")), float(t["value"]),
                  None if t.get("value_max") is None else float(t["value_max"]),
                  t["unit"], bool(t.get("implied")), t.get("direction") or "at_least",
                  Evidence(**t["evidence"]), year_source=opt_str(t.get("year_source")),
                  tier_source=opt_str(t.get("tier_source")), group=opt_str(t.get("group")))


def _read_side_csv(path: Path, columns: tuple[str, ...]) -> dict[tuple[str, str], tuple]:
    import csv

    if not path.is_file():
        return {}
    out: dict[tuple[str, str], tuple] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            if "doc_id" in row and "source" in row:
                key = (csv_unescape(row["doc_id"]), csv_unescape(row["source"]))
                out.setdefault(key, tuple(csv_unescape(row.get(c) or "") or None for c in columns))
    return out


# --------------------------------------------------------------------------
# Serialisation: JSON lines, CSV, JSON, Parquet
# --------------------------------------------------------------------------

def documents_jsonl(records: Iterable["DocumentRecord"]) -> bytes:
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
    if column in _SIGNED_COLUMNS and _is_number(value):
        return format_difference(value)
    if column in _NUMBER_COLUMNS and _is_number(value):
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


def csv_bytes(df: "pd.DataFrame") -> bytes:
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


def json_bytes(df: "pd.DataFrame") -> bytes:
    """A table as a JSON list of objects (pandas' ``records`` orient), UTF-8,
    Vietnamese unescaped, null for missing, whole numbers as ints."""
    cols = [str(c) for c in df.columns]
    rows = [dict(zip(cols, (_json_value(v) for v in rec))) for rec in df.itertuples(index=False, name=None)]
    return (json.dumps(rows, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def parquet_bytes(df: "pd.DataFrame") -> bytes:
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


# --------------------------------------------------------------------------
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


def _xlsx_frame(df: "pd.DataFrame") -> "pd.DataFrame":
    from pandas.api.types import is_string_dtype

    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or is_string_dtype(out[col]):
            out[col] = out[col].map(_xlsx_text)
    return out


def _width(values: Iterable[Any]) -> int:
    """A column's width: its longest text (header included), capped."""
    longest = 0
    for v in values:
        if type(v) is str:  # the common case, without the checks below
            text = v
        elif v is None or _is_na(v):
            continue
        else:
            text = format_number(v) if _is_number(v) else str(v)
        if len(text) <= longest:
            continue  # no line of it can be longer
        longest = max(longest, max((len(line) for line in text.split("\n")), default=0))
    return min(XLSX_MAX_WIDTH, max(8, longest + 2))


class _Book:
    """An xlsxwriter workbook in constant-memory mode (rows are written in
    order and flushed), with its cell formats made once each."""

    def __init__(self, buf: "io.BytesIO", tmpdir: Optional[str] = None) -> None:
        import xlsxwriter

        options: dict[str, Any] = {"constant_memory": True, "strings_to_numbers": False,
                                   "strings_to_formulas": False, "strings_to_urls": False}
        if tmpdir:
            options["tmpdir"] = tmpdir
        self.wb = xlsxwriter.Workbook(buf, options)
        self._formats: dict[tuple, Any] = {}

    def fmt(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        f = self._formats.get(key)
        if f is None:
            f = self._formats[key] = self.wb.add_format(dict(props))
        return f

    def number(self, num_format: Optional[str]) -> Any:
        return self.fmt(num_format=num_format) if num_format else None


def _put(ws, row: int, col: int, value: Any, fmt: Any = None) -> None:
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


def _set_widths(ws, widths: list[int]) -> None:
    for j, w in enumerate(widths):
        # in pixels, so that the file holds exactly ``w`` (set_column would add padding)
        ws.set_column_pixels(j, j, w * _PIXELS_PER_CHAR)


def _data_sheet(book: _Book, view: "SheetView") -> None:
    """One table as a sheet: header row frozen, autofilter, the view's numbers
    and formats (``view.formats[header][row]``), fitted widths."""
    clean = _xlsx_frame(view.frame)
    ws = book.wb.add_worksheet(view.name)
    cols = [str(c) for c in clean.columns]
    ncols, nrows = len(cols), len(clean)
    for j, col in enumerate(cols):
        ws.write_string(0, j, _xlsx_text(col))
    values = [clean[c].tolist() for c in clean.columns]
    given = [view.formats.get(c) or () for c in cols]
    for i in range(nrows):
        for j in range(ncols):
            formats = given[j]
            fmt = book.number(formats[i]) if i < len(formats) else None
            _put(ws, i + 1, j, values[j][i], fmt)
    ws.freeze_panes(1, 0)
    if ncols:
        ws.autofilter(0, 0, nrows, ncols - 1)
    _set_widths(ws, [_width([c] + v) for c, v in zip(cols, values)])


def _comment_options(text: str) -> dict[str, Any]:
    """The size of a comparison value's comment (its evidence), from its length."""
    lines = sum(1 + len(p) // 55 for p in text.split("\n"))
    return {"author": "chitieu", "width": 420, "height": min(600, 24 + 16 * lines)}


def _comparison_sheet(book: _Book, view: "ComparisonView") -> None:
    """The comparison, with three header rows above it (province, province
    since 2025, level) grouping the document columns, numbers as numbers and
    the evidence of every value in the cell's comment."""
    df = _xlsx_frame(view.frame)
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

    columns = [df[c].tolist() for c in df.columns]
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


def xlsx_bytes(frames: Mapping[str, "pd.DataFrame"], comparison: "Comparison", lang: str = "vi") -> bytes:
    """``comparison.xlsx``: one sheet per table (:data:`XLSX_SHEETS`), named
    and headed in ``lang`` (``vi``, the default, or ``en``).

    What is shown is decided by :mod:`pipeline.xlsx_view`: percentages are
    fractions with a percent format (``0.6`` shown ``60%``), ranges are two
    numbers (``value``, ``value_max``) in the data sheets, and the
    comparison's value cells are numbers where the document sets one value
    (text where it sets a range or several values, ``12–15%``).  Every sheet
    has its header frozen and an autofilter; text is always written as text
    (a cell starting with ``=`` is not a formula); each comparison value
    carries the evidence sentence(s) behind it as a cell comment; widths fit
    the text up to :data:`XLSX_MAX_WIDTH` characters.  Written by xlsxwriter
    in constant-memory mode (each row is flushed once written).  The bytes
    are the same for the same tables: the workbook's dates are
    :data:`XLSX_FIXED_DATE` and the zip entries carry no time.
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
    return _fixed_zip(buf.getvalue())


_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with fixed entry times and fixed document dates."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            content = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_DATES.sub(lambda m: m.group(1) + XLSX_FIXED_DATE.encode() + m.group(3), content)
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            zout.writestr(entry, content)
    return out.getvalue()


# --------------------------------------------------------------------------
# Writing files atomically
# --------------------------------------------------------------------------

def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new, never a part."""
    _commit([_stage(Path(path), data)])


def _stage(path: Path, data: bytes) -> tuple[str, Path]:
    """Write ``data`` to a temporary file beside ``path``; return (temp, path)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
    except BaseException:
        _unlink(tmp)
        raise
    return tmp, path


def _commit(staged: list[tuple[str, Path]]) -> None:
    try:
        for tmp, path in staged:
            os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            _unlink(tmp)


def _unlink(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass


#: A temporary file of :func:`_stage` (``.<name>.<random>.tmp``), or of the folder probe of ``chitieu extract``.
_STAGED_TEMP = re.compile(r"^\.(?P<name>[^/]+?)\.[A-Za-z0-9_]{6,}\.tmp$")


def remove_stale_temps(folder: Path | str, names: Iterable[str] = ()) -> list[Path]:
    """Remove the hidden ``.<name>.<random>.tmp`` files that a killed run
    (``kill -9`` while the outputs were being written) left in ``folder``, for
    ``name`` in :data:`OUTPUT_FILES` (and ``names``); return what was removed.
    Other files are never touched."""
    known = set(OUTPUT_FILES) | set(names)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        m = _STAGED_TEMP.match(entry.name)
        if m and m.group("name") in known and entry.is_file(follow_symlinks=False):
            try:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            except FileNotFoundError:
                pass
    return removed


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_all(out: Path, payloads: Mapping[str, bytes]) -> dict[str, Path]:
    """Stage every payload, then move them all into place."""
    out.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for name, data in payloads.items():
            staged.append(_stage(out / name, data))
    except BaseException:
        for tmp, _ in staged:
            _unlink(tmp)
        raise
    _commit(staged)
    return {name: out / name for name in payloads}


def _comparison_payloads(frames: Mapping[str, "pd.DataFrame"], comparison: "Comparison",
                         lang: str = "vi") -> dict[str, bytes]:
    return {
        "comparison.csv": csv_bytes(comparison.table),
        "differences.csv": csv_bytes(comparison.differences),
        "comparison_columns.csv": csv_bytes(comparison.columns),
        "comparison.xlsx": xlsx_bytes(frames, comparison, lang),
    }


class WrittenOutputs(dict):
    """name → path of the files :func:`write_outputs` wrote, with the
    :class:`~pipeline.compare.Comparison` they show as ``.comparison``."""

    comparison: "Comparison"


def write_outputs(records: Iterable["DocumentRecord"], out_dir: Path | str,
                  frames: Optional[Mapping[str, "pd.DataFrame"]] = None,
                  baseline: Optional[str] = "auto", lang: str = "vi") -> WrittenOutputs:
    """Write all of :data:`OUTPUT_FILES` for ``records`` into ``out_dir``.

    ``baseline`` is the comparison's baseline (see
    :func:`pipeline.compare.select_baseline`); ``lang`` the language people
    read in ``comparison.xlsx`` and ``report.html`` (``vi``, the default, or
    ``en``; the CSV, Parquet and JSON files keep codes).  Everything is rendered in
    memory first and staged as temporary files, then each is moved into
    place, so a failure or an interrupt before the moves leaves the previous
    outputs untouched.  Returns name → path (:class:`WrittenOutputs`, whose
    ``.comparison`` is the comparison written).
    """
    from .labels import check_lang

    check_lang(lang)
    records = sort_records(records)
    if frames is None:
        frames = to_frames(records, comparison=False)
    comparison = build_comparison(frames, baseline)
    payloads = {
        "documents.jsonl": documents_jsonl(records),
        "documents.csv": csv_bytes(frames["documents"]),
        "targets.csv": csv_bytes(frames["targets"]),
        "references.csv": csv_bytes(frames["references"]),
        "errors.csv": csv_bytes(frames["errors"]),
        **_comparison_payloads(frames, comparison, lang),
        "targets.parquet": parquet_bytes(frames["targets"]),
        "documents.parquet": parquet_bytes(frames["documents"]),
        "targets.json": json_bytes(frames["targets"]),
        "report.html": _report_bytes(records, baseline if baseline != "auto" else None, lang),
    }
    written = WrittenOutputs(_write_all(Path(out_dir), {name: payloads[name] for name in OUTPUT_FILES}))
    written.comparison = comparison
    return written


def _report_bytes(records: list["DocumentRecord"], baseline: Optional[str], lang: str = "vi") -> bytes:
    """``report.html``: the evidence report (:mod:`pipeline.report`)."""
    from .report import render_report

    return render_report(records, baseline_doc_id=baseline, lang=lang).encode("utf-8")


def write_comparison(records: Iterable["DocumentRecord"], out_dir: Path | str,
                     baseline: Optional[str] = "auto", lang: str = "vi") -> "Comparison":
    """Write :data:`COMPARISON_FILES` for ``records`` into ``out_dir``
    (``chitieu compare``), atomically as :func:`write_outputs` does, and
    return the :class:`~pipeline.compare.Comparison`.  Raises
    :class:`~pipeline.compare.UnknownBaseline` before writing anything when
    ``baseline`` names no document of ``records``."""
    from .labels import check_lang

    check_lang(lang)
    frames = to_frames(records, comparison=False)
    comparison = build_comparison(frames, baseline)
    _write_all(Path(out_dir), _comparison_payloads(frames, comparison, lang))
    return comparison
