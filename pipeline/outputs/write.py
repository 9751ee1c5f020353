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
                              (:func:`pipeline.outputs.compare.build_comparison`)
``differences.csv``           every local value against the baseline
``comparison_columns.csv``    one row per comparison column: its document,
                              place (``province_2025`` too), level, role
``comparison.xlsx``           all of these tables, one sheet each, for Excel
``targets.parquet``           ``targets`` for pandas / Arrow / DuckDB
``documents.parquet``         ``documents`` likewise
``targets.json``              ``targets`` as a JSON list of objects
============================  ===============================================


The bytes of each file come from :mod:`~pipeline.outputs.files` (JSON lines,
CSV, JSON, Parquet), :mod:`~pipeline.outputs.xlsx` and
:mod:`~pipeline.outputs.report`; this is the only module that imports all of
them.  Every file is written atomically (:mod:`pipeline.outputs.atomic`).
"""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING
from collections.abc import Iterable, Mapping

from .atomic import write_all
from .compare import build_comparison
from .files import csv_bytes, documents_jsonl, json_bytes, parquet_bytes
from .labels import check_lang
from .report import render_report
from .tables import COMPARISON_FILES, OUTPUT_FILES, record_frames, sort_records
from .xlsx import xlsx_bytes

if TYPE_CHECKING:
    import pandas as pd

    from ..models import DocumentRecord
    from .compare import Comparison

__all__ = ["write_outputs", "write_comparison", "prepare", "WrittenOutputs", "OUTPUT_FILES", "COMPARISON_FILES",
           "WRITER_IMPORTS"]

#: The modules :func:`write_outputs` imports when it first runs: the
#: libraries of the tables and files (imported where they are used, so that
#: importing this module stays cheap) and the modules of ours that import
#: them.  About 0.55 s together.
WRITER_IMPORTS = ("pandas", "pyarrow", "pyarrow.parquet", "pyarrow.pandas_compat", "pyarrow.vendored.version",
                  "xlsxwriter", "jinja2", "yaml", "pipeline.outputs.xlsx_view", "pipeline.outputs.baselines",
                  "pipeline.outputs.report.cache", "pipeline.places")


def prepare() -> None:
    """Import :data:`WRITER_IMPORTS` and read the built-in baselines now.  A
    batch has it done while its worker processes start (``run_batch``'s
    ``meanwhile``): the first worker waits ~0.6 s for its fork server to
    import the pipeline and spaCy's parts, time this process would otherwise
    spend idle, and then spend again on these before it writes.  A library that cannot be
    imported, or a baseline file that cannot be read, is left for
    :func:`write_outputs` to report where it needs it."""
    for name in WRITER_IMPORTS:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
    from .baselines import BaselineFileError, all_builtins

    try:
        all_builtins()   # cached: what the comparison reads
    except BaselineFileError:
        pass


def _comparison_payloads(frames: Mapping[str, pd.DataFrame], comparison: Comparison,
                         lang: str = "vi") -> dict[str, bytes]:
    return {
        "comparison.csv": csv_bytes(comparison.table),
        "differences.csv": csv_bytes(comparison.differences),
        "comparison_columns.csv": csv_bytes(comparison.columns),
        "comparison.xlsx": xlsx_bytes(frames, comparison, lang),
    }


class WrittenOutputs(dict[str, Path]):
    """name → path of the files :func:`write_outputs` wrote, with the
    :class:`~pipeline.outputs.compare.Comparison` they show as ``.comparison``."""

    comparison: Comparison


def write_outputs(records: Iterable[DocumentRecord], out_dir: Path | str,
                  frames: Mapping[str, pd.DataFrame] | None = None,
                  baseline: str | None = "auto", lang: str = "vi") -> WrittenOutputs:
    """Write all of :data:`OUTPUT_FILES` for ``records`` into ``out_dir``.

    ``frames``, when given, are ``records``' tables (:func:`pipeline.outputs.tables.record_frames`),
    already made.  ``baseline`` is the comparison's baseline (see
    :func:`pipeline.outputs.columns.select_baseline`); ``lang`` the language people
    read in ``comparison.xlsx`` and ``report.html`` (``vi``, the default, or
    ``en``; the CSV, Parquet and JSON files keep codes).  Everything is rendered in
    memory first and staged as temporary files, then each is moved into
    place, so a failure or an interrupt before the moves leaves the previous
    outputs untouched.  Returns name → path (:class:`WrittenOutputs`, whose
    ``.comparison`` is the comparison written).
    """
    check_lang(lang)
    records = sort_records(records)
    if frames is None:
        frames = record_frames(records)
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
        "report.html": _report_bytes(records, baseline, lang, comparison),
    }
    written = WrittenOutputs(write_all(Path(out_dir), {name: payloads[name] for name in OUTPUT_FILES}))
    written.comparison = comparison
    return written


def _report_bytes(records: list[DocumentRecord], baseline: str | None, lang: str,
                  comparison: Comparison) -> bytes:
    """``report.html``: the evidence report (:mod:`pipeline.outputs.report`), showing
    ``comparison`` (the one written to comparison.csv, built with ``baseline``).

    The report's baseline is ``"auto"`` both for ``baseline="auto"`` and for
    ``baseline=None`` (its ``baseline_doc_id=None``): only for the first is the
    comparison of the CSV files the report's; for ``None`` the report builds its own."""
    if baseline is None:
        return render_report(records, baseline_doc_id=None, lang=lang).encode("utf-8")
    return render_report(records, baseline_doc_id=baseline if baseline != "auto" else None, lang=lang,
                         comparison=comparison).encode("utf-8")


def write_comparison(records: Iterable[DocumentRecord], out_dir: Path | str,
                     baseline: str | None = "auto", lang: str = "vi") -> Comparison:
    """Write :data:`COMPARISON_FILES` for ``records`` into ``out_dir``
    (``chitieu compare``), atomically as :func:`write_outputs` does, and
    return the :class:`~pipeline.outputs.compare.Comparison`.  Raises
    :class:`~pipeline.outputs.columns.UnknownBaseline` before writing anything when
    ``baseline`` names no document of ``records``."""
    check_lang(lang)
    frames = record_frames(records)
    comparison = build_comparison(frames, baseline)
    write_all(Path(out_dir), _comparison_payloads(frames, comparison, lang))
    return comparison
