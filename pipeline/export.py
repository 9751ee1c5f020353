"""Tables and output files from extracted records.

:func:`to_frames` turns :class:`~pipeline.models.DocumentRecord` objects into
pandas tables; :func:`write_outputs` writes them to a folder:

=====================  ====================================================
``documents.jsonl``    one SCHEMA.md record per line (``rec.to_json()``)
``documents.csv``      one row per document: its facts, counts, warnings
``targets.csv``        one row per target, with its document's place
``references.csv``     one row per cited document
``errors.csv``         one row per file that could not be read
``comparison.csv``     documents side by side (:func:`pipeline.compare.compare`)
=====================  ====================================================

Every file is written atomically (a temporary file in the same folder, then
``os.replace``), so an interrupted run leaves the old file or the new one,
never half of one.  Output is deterministic: records sorted by ``doc_id``
(then ``source``), fixed column order, no timestamps, ``"\\n"`` line ends, so
the same inputs give the same bytes.  CSV files are UTF-8 with a byte-order
mark, which Excel needs to show Vietnamese.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional

from .compare import compare, format_number

if TYPE_CHECKING:
    import pandas as pd

    from .models import DocumentRecord

__all__ = [
    "to_frames", "write_outputs", "atomic_write", "documents_jsonl", "csv_bytes", "sort_records",
    "DOCUMENT_COLUMNS", "TARGET_COLUMNS", "REFERENCE_COLUMNS", "ERROR_COLUMNS", "OUTPUT_FILES",
]

#: Columns of documents.csv.
DOCUMENT_COLUMNS = (
    "doc_id", "source", "sha256", "format", "doc_type", "number", "issue_date", "place",
    "issuing_body", "parent_body", "admin_level", "province", "district",
    "signer_name", "signer_title", "title", "n_targets", "n_references", "warnings", "error",
)
#: Columns of targets.csv: the document's identity, then the target.
TARGET_COLUMNS = (
    "doc_id", "province", "district", "admin_level", "number", "issuing_body",
    "sector", "indicator", "subject", "tier", "year", "period_start", "value", "value_max",
    "unit", "implied", "direction", "evidence_text", "evidence_start", "evidence_end",
)
#: Columns of references.csv.
REFERENCE_COLUMNS = ("doc_id", "kind", "number", "date", "issuer",
                     "evidence_text", "evidence_start", "evidence_end")
#: Columns of errors.csv.
ERROR_COLUMNS = ("doc_id", "source", "error", "message")

#: The files :func:`write_outputs` writes, in writing order.
OUTPUT_FILES = ("documents.jsonl", "documents.csv", "targets.csv", "references.csv",
                "errors.csv", "comparison.csv")

#: Joins a document's warnings in documents.csv.
WARNING_SEPARATOR = " | "

_INT_COLUMNS = {"year", "period_start", "evidence_start", "evidence_end", "n_targets", "n_references"}
_NUMBER_COLUMNS = {"value", "value_max"}


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


def to_frames(records: Iterable["DocumentRecord"], *, comparison: bool = True) -> dict[str, "pd.DataFrame"]:
    """The output tables of ``records``, keyed ``documents``, ``targets``,
    ``references``, ``errors`` and (unless ``comparison=False``) ``comparison``.

    Columns are those of :data:`DOCUMENT_COLUMNS`, :data:`TARGET_COLUMNS`,
    :data:`REFERENCE_COLUMNS`, :data:`ERROR_COLUMNS`; integer columns that may
    be empty use pandas' nullable ``Int64``; ``value``/``value_max`` are floats.
    """
    import pandas as pd

    records = sort_records(records)
    docs, targets, refs, errors = [], [], [], []
    for rec in records:
        error = rec.extra.get("error")
        docs.append({
            "doc_id": rec.doc_id, "source": rec.source, "sha256": rec.sha256,
            "format": rec.extra.get("format"), "doc_type": rec.doc_type, "number": rec.number,
            "issue_date": rec.issue_date, "place": rec.place, "issuing_body": rec.issuing_body,
            "parent_body": rec.parent_body, "admin_level": rec.admin_level,
            "province": rec.province, "district": rec.district,
            "signer_name": rec.signer.name if rec.signer else None,
            "signer_title": rec.signer.title if rec.signer else None,
            "title": rec.title, "n_targets": len(rec.targets), "n_references": len(rec.references),
            "warnings": WARNING_SEPARATOR.join(rec.warnings) or None,
            "error": error or None,
        })
        for t in rec.targets:
            targets.append({
                "doc_id": rec.doc_id, "province": rec.province, "district": rec.district,
                "admin_level": rec.admin_level, "number": rec.number, "issuing_body": rec.issuing_body,
                "sector": t.sector, "indicator": t.indicator, "subject": t.subject, "tier": t.tier,
                "year": t.year, "period_start": t.period_start, "value": t.value,
                "value_max": t.value_max, "unit": t.unit, "implied": t.implied,
                "direction": t.direction, "evidence_text": t.evidence.text,
                "evidence_start": t.evidence.start, "evidence_end": t.evidence.end,
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
        frames["comparison"] = compare(frames)
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
# Serialisation
# --------------------------------------------------------------------------

def documents_jsonl(records: Iterable["DocumentRecord"]) -> bytes:
    """``documents.jsonl``: one ``rec.to_json()`` per line, sorted, UTF-8, real Vietnamese."""
    lines = [json.dumps(rec.to_json(), ensure_ascii=False) + "\n" for rec in sort_records(records)]
    return "".join(lines).encode("utf-8")


def _cell(value: Any, column: str, isna) -> Any:
    if isna(value):
        return ""
    if column in _NUMBER_COLUMNS:
        return format_number(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def csv_bytes(df: "pd.DataFrame") -> bytes:
    """A table as CSV bytes: UTF-8 with BOM, ``"\\n"`` line ends, empty for null,
    whole numbers without ``.0``, booleans as ``true``/``false``."""
    import pandas as pd

    out = pd.DataFrame({col: [_cell(v, str(col), pd.isna) for v in df[col].tolist()] for col in df.columns},
                       columns=list(df.columns), dtype=object)
    text = out.to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8-sig")


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


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_outputs(records: Iterable["DocumentRecord"], out_dir: Path | str,
                  frames: Optional[Mapping[str, "pd.DataFrame"]] = None) -> dict[str, Path]:
    """Write all of :data:`OUTPUT_FILES` for ``records`` into ``out_dir``.

    Everything is rendered in memory first and staged as temporary files,
    then each is moved into place, so a failure or an interrupt before the
    moves leaves the previous outputs untouched.  Returns name → path.
    """
    records = sort_records(records)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if frames is None:
        frames = to_frames(records)
    payloads = {
        "documents.jsonl": documents_jsonl(records),
        "documents.csv": csv_bytes(frames["documents"]),
        "targets.csv": csv_bytes(frames["targets"]),
        "references.csv": csv_bytes(frames["references"]),
        "errors.csv": csv_bytes(frames["errors"]),
        "comparison.csv": csv_bytes(frames["comparison"] if "comparison" in frames else compare(frames)),
    }
    staged: list[tuple[str, Path]] = []
    try:
        for name in OUTPUT_FILES:
            staged.append(_stage(out / name, payloads[name]))
    except BaseException:
        for tmp, _ in staged:
            _unlink(tmp)
        raise
    _commit(staged)
    return {name: out / name for name in OUTPUT_FILES}
