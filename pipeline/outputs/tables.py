"""The output tables of extracted records: their columns and their rows.

:func:`record_frames` turns :class:`~pipeline.models.DocumentRecord` objects
into the pandas tables ``documents``, ``targets``, ``references`` and
``errors`` (:func:`pipeline.outputs.frames.to_frames` adds the comparison).

Places: ``province`` is the province as it was when the document was issued,
spelled one way (:func:`pipeline.places.canonical_province`; taken from the
district when only that is known), and ``province_2025`` the province it
belongs to since 1 July 2025 (:func:`pipeline.places.province_2025`), both
from :func:`pipeline.places.document_place`.  These two are in
``documents.csv`` and ``targets.csv``; ``documents.jsonl`` keeps exactly the
SCHEMA.md record.
"""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, cast
from collections.abc import Iterable

if TYPE_CHECKING:
    import pandas as pd

    from ..models import DocumentRecord

__all__ = [
    "record_frames", "sort_records", "DOCUMENT_COLUMNS", "TARGET_COLUMNS", "REFERENCE_COLUMNS",
    "ERROR_COLUMNS", "OUTPUT_FILES", "COMPARISON_FILES", "XLSX_SHEETS", "WARNING_SEPARATOR", "rows_of",
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
    "evidence_text", "evidence_start", "evidence_end", "value_text", "value_start", "value_end",
    "table", "table_page", "table_row", "table_col", "table_header",
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

INT_COLUMNS = {"year", "period_start", "evidence_start", "evidence_end", "value_start", "value_end",
               "n_targets", "n_references", "table", "table_page", "table_row", "table_col"}
NUMBER_COLUMNS = {"value", "value_max"}
SIGNED_COLUMNS = {"difference"}


def sort_records(records: Iterable[DocumentRecord]) -> list[DocumentRecord]:
    """Records in output order: by ``doc_id``, then ``source``."""
    return sorted(records, key=lambda r: (r.doc_id, r.source))


def _error_message(rec: DocumentRecord) -> str | None:
    if rec.error is None or not rec.error.code:
        return None
    return rec.error.message or None


def record_frames(records: Iterable[DocumentRecord]) -> dict[str, pd.DataFrame]:
    """The output tables of ``records``, keyed ``documents``, ``targets``,
    ``references`` and ``errors``.

    Columns are those of :data:`DOCUMENT_COLUMNS`, :data:`TARGET_COLUMNS`,
    :data:`REFERENCE_COLUMNS`, :data:`ERROR_COLUMNS`; integer columns that may
    be empty use pandas' nullable ``Int64``; ``value``/``value_max`` are floats.
    """
    from ..places import document_place

    records = sort_records(records)
    docs, targets, refs, errors = [], [], [], []
    place_cache: dict[tuple[str | None, str | None], tuple[str | None, str | None]] = {}
    for rec in records:
        error = rec.error.code if rec.error is not None else None
        where = (rec.province, rec.district)
        if where not in place_cache:
            place_cache[where] = document_place(*where)
        province, province_2025 = place_cache[where]
        docs.append({
            "doc_id": rec.doc_id, "source": rec.source, "sha256": rec.sha256,
            "format": rec.format, "doc_type": rec.doc_type, "number": rec.number,
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
                "value_text": t.value_span.text if t.value_span else None,
                "value_start": t.value_span.start if t.value_span else None,
                "value_end": t.value_span.end if t.value_span else None,
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
        "documents": _frame(docs, DOCUMENT_COLUMNS),
        "targets": _frame(targets, TARGET_COLUMNS),
        "references": _frame(refs, REFERENCE_COLUMNS),
        "errors": _frame(errors, ERROR_COLUMNS),
    }
    return frames


def rows_of(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of an output table as dicts keyed by column name, as
    ``df.to_dict("records")`` gives them (native Python values; ``None`` for
    a missing value of an object or extension column such as ``Int64``).

    Built from each column's ``tolist()`` when every cell of the object and
    extension columns is ``None``, ``pandas.NA`` or a ``str``, ``int``,
    ``float`` or ``bool`` (pandas' ``to_dict`` walks the rows and boxes each
    of those cells); else by ``to_dict`` itself.  pandas types
    ``to_dict("records")`` with ``Hashable`` keys; every table of this
    package has string column names (the ``*_COLUMNS`` constants, document
    labels), so the keys are ``str``."""
    import numpy as np
    import pandas as pd

    columns = [str(c) for c in df.columns]
    if columns and df.columns.is_unique and all(isinstance(c, str) for c in df.columns):
        na = pd.NA
        native = _NATIVE_CELLS | {type(na)}
        lists = []
        for i, dtype in enumerate(df.dtypes):
            values = df.iloc[:, i].tolist()
            if dtype == np.dtype(object) or isinstance(dtype, pd.api.extensions.ExtensionDtype):
                if not set(map(type, values)) <= native:
                    break
                values = [None if v is na else v for v in values]
            lists.append(values)
        else:
            return [dict(zip(columns, row, strict=True)) for row in zip(*lists, strict=True)]
    return cast("list[dict[str, Any]]", df.to_dict("records"))


#: Cell types that ``to_dict("records")`` hands over as they are (``pandas.NA`` becomes ``None``).
_NATIVE_CELLS = frozenset({str, int, float, bool, type(None)})


def _frame(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    """The table of ``rows`` with :func:`typed`'s dtypes.  Each column is built
    at its dtype from the values (:func:`_column`), as pandas would infer and
    :func:`typed` convert them; a column of other values (a float in an
    integer column, a number among texts) goes the long way, the whole table
    inferred by pandas and converted column by column."""
    import pandas as pd

    values = [[row[c] for row in rows] for c in columns]
    nan_text = _text_missing_is_nan()
    built = {c: _column(c, v, nan_text) for c, v in zip(columns, values, strict=True)}
    if any(col is None for col in built.values()):
        return typed(pd.DataFrame(rows, columns=list(columns)))
    return pd.DataFrame(built, columns=list(columns))


@functools.cache
def _text_missing_is_nan() -> bool:
    """Whether pandas, inferring a column of texts and ``None`` from records,
    holds the missing cell as NaN (pandas 3 infers ``str``; pandas 2 keeps
    ``object`` and ``None``), seen after :func:`typed`'s ``astype("object")``."""
    import pandas as pd

    cell = pd.DataFrame([{"a": "x"}, {"a": None}])["a"].astype("object").iloc[1]
    return cell is not None


#: Integers an ``Int64`` column holds as pandas would (through a float when the column has nulls).
_EXACT_INT = 2**53


def _column(column: str, values: list[Any], nan_text: bool) -> pd.Series | None:
    """One column of :func:`_frame` at the dtype :func:`typed` gives it, or
    ``None`` when its values are not all of the usual types (integers or
    ``None`` in :data:`INT_COLUMNS`, numbers or ``None`` in
    :data:`NUMBER_COLUMNS`, booleans in ``implied``, text or ``None``
    elsewhere).  A text column with a text keeps NaN for its missing cells,
    as pandas infers it (``str``) and ``astype("object")`` leaves it; a column
    with no text keeps ``None``."""
    import numpy as np
    import pandas as pd

    types = set(map(type, values))
    if column in INT_COLUMNS:
        ints = [v for v in values if v is not None]
        if not types <= _INT_TYPES or (ints and (min(ints) < -_EXACT_INT or max(ints) > _EXACT_INT)):
            return None
        mask = np.array([v is None for v in values], dtype=bool)
        data = np.array([0 if v is None else v for v in values], dtype="int64")
        return pd.Series(pd.arrays.IntegerArray(data, mask), copy=False)
    if column in NUMBER_COLUMNS:
        if not types <= _NUMBER_TYPES:
            return None
        return pd.Series(np.array([np.nan if v is None else float(v) for v in values], dtype="float64"), copy=False)
    if column == "implied":
        if not types <= {bool}:
            return None
        return pd.Series(np.array(values, dtype=bool), copy=False)
    if not types <= _TEXT_TYPES:
        return None
    missing = np.nan if nan_text and str in types else None
    cells = np.empty(len(values), dtype=object)
    cells[:] = [missing if v is None else v for v in values]
    return pd.Series(cells, dtype=object, copy=False)


_INT_TYPES = frozenset({int, type(None)})
_NUMBER_TYPES = frozenset({int, float, type(None)})
_TEXT_TYPES = frozenset({str, type(None)})


def typed(df: pd.DataFrame, *, nulls_as_none: bool = False) -> pd.DataFrame:
    """``df`` with the dtypes of the output tables, column by column, in place:
    integers as ``Int64``, numbers as ``float64``, ``implied`` as ``bool``,
    the rest as ``object`` (with ``nulls_as_none``, a missing value there is
    ``None``, as in a frame built from records, not NaN as Arrow reads it)."""
    for col in df.columns:
        if col in INT_COLUMNS:
            df[col] = df[col].astype("Int64")
        elif col in NUMBER_COLUMNS:
            df[col] = df[col].astype("float64")
        elif col == "implied":
            df[col] = df[col].astype("bool")
        else:
            values = df[col].astype("object")
            df[col] = values.where(values.notna(), None) if nulls_as_none else values
    return df


