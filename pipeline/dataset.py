"""``--format parquet-dataset``: the output of a large batch as partitioned Parquet datasets.

Layout under the output folder or URL (``DIR``, ``file://…``, ``s3://…``)::

    documents/province_2025=Lâm%20Đồng/part-<run>-00000-0.parquet
    targets/province_2025=…/part-….parquet
    references/province_2025=…/part-….parquet
    _manifest.json

The three tables have the columns of ``documents.csv``, ``targets.csv`` and
``references.csv`` (:mod:`pipeline.outputs`), the partition column
``province_2025`` kept in the folder names (hive style, URI-escaped; a
document with no known province is in ``province_2025=__HIVE_DEFAULT_PARTITION__``;
``references`` carries ``province_2025`` of its document for the partition).
Every reader of hive-partitioned Parquet reads them as they are:
``pandas.read_parquet(DIR + "/targets")``, ``dask.dataframe.read_parquet``,
DuckDB ``read_parquet('DIR/targets/*/*.parquet', hive_partitioning=true)``,
Spark ``spark.read.parquet``.

Writing is streamed: :class:`DatasetWriter` takes one record at a time and
writes a *shard* (one file per partition per table) every ``shard_docs``
documents, so memory holds one shard, not the batch.  On object storage a
rename is a copy, not atomic: each file is first written under a hidden
temporary name (``_tmp-…``, which every reader above skips), and
:meth:`DatasetWriter.commit` renames them and then writes
``_manifest.json`` last, listing every file of the batch: the manifest is
the commit.  A reader that must never see a batch half-renamed reads the
files the manifest lists (:func:`read_table`).  After the manifest, the
files of earlier runs and the temporary files of interrupted ones are
removed.  Each run writes the whole batch (the documents reused from the
store as well as the new ones), so the dataset always holds exactly the
batch of the last run.

:func:`write_comparison` writes ``comparison.csv``, ``differences.csv`` and
``comparison_columns.csv`` from the dataset, reading the columns it needs
one file at a time and spilling the differences per slot, so the client
holds neither the records nor the targets table;
:func:`comparison_from_dataset` is the same comparison as a
:class:`~pipeline.outputs.compare.Comparison` (every table read into pandas,
for a batch that fits in memory).
"""
from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from collections.abc import Callable, Iterable

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.dataset as ds
    from pyarrow.fs import FileSystem

    from .models import DocumentRecord
    from .outputs.baselines import Builtin
    from .outputs.compare import Comparison, Slot

__all__ = ["DatasetWriter", "TABLES", "PARTITION", "MANIFEST", "DEFAULT_SHARD_DOCS", "read_table",
           "read_frames", "comparison_from_dataset", "read_manifest", "write_comparison",
           "DatasetComparison"]

#: The tables of the dataset, each a folder.
TABLES = ("documents", "targets", "references")
#: The partition column.
PARTITION = "province_2025"
#: The file that commits a batch, written last.
MANIFEST = "_manifest.json"
#: Documents per shard (one file per partition per table each).  The client
#: holds one shard's records (without their text) and tables: its memory
#: grows with this, not with the batch (about 25 MB per 1000 short documents).
DEFAULT_SHARD_DOCS = 1000
#: The partition of documents with no known ``province_2025`` (read back as ``None`` by :func:`read_table`).
UNKNOWN = "unknown"
_TMP = "_tmp-"
_FORMAT = "chitieu-parquet-dataset/1"


def _columns() -> dict[str, tuple[str, ...]]:
    from .outputs.tables import DOCUMENT_COLUMNS, REFERENCE_COLUMNS, TARGET_COLUMNS

    return {"documents": DOCUMENT_COLUMNS, "targets": TARGET_COLUMNS,
            "references": REFERENCE_COLUMNS + (PARTITION,)}


def schema(table: str) -> pa.Schema:
    """The Arrow schema of one table (its partition column included)."""
    import pyarrow as pa

    from .outputs.tables import INT_COLUMNS as _INT_COLUMNS, NUMBER_COLUMNS as _NUMBER_COLUMNS

    fields = []
    for col in _columns()[table]:
        t: pa.DataType
        if col in _INT_COLUMNS:
            t = pa.int64()
        elif col in _NUMBER_COLUMNS:
            t = pa.float64()
        elif col == "implied":
            t = pa.bool_()
        else:
            t = pa.string()
        fields.append(pa.field(col, t))
    return pa.schema(fields)


def _partitioning() -> ds.Partitioning:
    import pyarrow as pa
    import pyarrow.dataset as ds

    return ds.HivePartitioning(pa.schema([pa.field(PARTITION, pa.string())]))


def _arrow_fs(fs: Any) -> FileSystem:
    """An fsspec filesystem as a pyarrow one."""
    from pyarrow.fs import FSSpecHandler, PyFileSystem

    # pyarrow-stubs declare FSSpecHandler's handler methods abstract; pyarrow implements them all
    return PyFileSystem(FSSpecHandler(fs))  # type: ignore[abstract]


class DatasetWriter:
    """Streams records into the dataset at ``out`` (a path or an fsspec URL).

    >>> import tempfile, pandas as pd
    >>> from pipeline.models import DocumentRecord
    >>> d = tempfile.mkdtemp()
    >>> w = DatasetWriter(d)
    >>> w.add(DocumentRecord("a", "a.txt", "ab12", province="Đắk Nông"))
    >>> w.commit()["documents"]
    1
    >>> pd.read_parquet(d + "/documents")[["doc_id", "province_2025"]].astype(str).values.tolist()
    [['a', 'Lâm Đồng']]
    """

    def __init__(self, out: str, shard_docs: int = DEFAULT_SHARD_DOCS):
        from .engines import url_fs

        self.out = str(out)
        self.fs, self.root = url_fs(self.out)
        self.root = self.root.rstrip("/")
        self.shard_docs = max(1, int(shard_docs))
        self.run = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + uuid.uuid4().hex[:6]
        self._buffer: list[DocumentRecord] = []
        self._shard = 0
        self._written: list[str] = []  # temporary files, relative to root
        self.rows = {t: 0 for t in TABLES}
        self.fs.makedirs(self.root, exist_ok=True)

    def add(self, rec: DocumentRecord) -> None:
        """One record (its text is not needed and is not kept)."""
        rec.text = None
        self._buffer.append(rec)
        if len(self._buffer) >= self.shard_docs:
            self.flush()

    def flush(self) -> None:
        """Write the records buffered so far as one shard (temporary names)."""
        if not self._buffer:
            return
        import pyarrow as pa
        import pyarrow.dataset as ds

        from .outputs.frames import to_frames

        frames = to_frames(self._buffer, comparison=False)
        self._buffer = []
        docs = frames["documents"]
        frames["references"][PARTITION] = frames["references"]["doc_id"].map(
            dict(zip(docs["doc_id"], docs[PARTITION], strict=True)))
        for table in TABLES:
            df = frames[table]
            self.rows[table] += len(df)
            if not len(df):
                continue
            df = df[list(_columns()[table])].copy()
            df[PARTITION] = df[PARTITION].where(df[PARTITION].notna(), UNKNOWN)
            arrow = pa.Table.from_pandas(df, schema=schema(table), preserve_index=False)
            written: list[str] = []

            def visit(f: Any, written: list[str] = written) -> None:  # a ds.WrittenFile (the stubs say str)
                written.append(f.path)

            ds.write_dataset(arrow, f"{self.root}/{table}", format="parquet", partitioning=_partitioning(),
                             basename_template=f"{_TMP}{self.run}-{self._shard:05d}-{{i}}.parquet",
                             filesystem=_arrow_fs(self.fs), existing_data_behavior="overwrite_or_ignore",
                             file_visitor=visit, max_partitions=100_000)
            self._written.extend(p[len(self.root) + 1:] for p in written)
        self._shard += 1

    def commit(self) -> dict[str, int]:
        """Flush, rename every temporary file, write the manifest (last), then
        remove what earlier runs left; the row count of each table."""
        self.flush()
        files: list[str] = []
        for rel in sorted(self._written):
            head, name = rel.rsplit("/", 1)
            final = f"{head}/part-{name[len(_TMP):]}"
            self.fs.mv(f"{self.root}/{rel}", f"{self.root}/{final}")
            files.append(final)
        manifest = {"format": _FORMAT, "run": self.run, "partition": PARTITION, "tables": list(TABLES),
                    "rows": self.rows, "files": files}
        with self.fs.open(f"{self.root}/{MANIFEST}", "wb") as fh:
            fh.write(json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
        keep = set(files)
        for table in TABLES:
            base = f"{self.root}/{table}"
            if not self.fs.exists(base):
                continue
            for path in self.fs.find(base):
                rel = path.rstrip("/")[len(self.root) + 1:]
                if rel.endswith(".parquet") and rel not in keep:
                    self.fs.rm(path)
        self._written = []
        return dict(self.rows)


def read_manifest(out: str) -> dict[str, Any]:
    """The manifest of the last committed batch at ``out``; ``FileNotFoundError`` when none."""
    from .engines import url_fs

    fs, root = url_fs(str(out))
    with fs.open(f"{root.rstrip('/')}/{MANIFEST}", "rb") as fh:
        manifest: dict[str, Any] = json.loads(fh.read().decode("utf-8"))
    return manifest


def read_table(out: str, table: str, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """One table of the committed batch at ``out`` as pandas, the files listed in
    the manifest only, with the dtypes of :func:`pipeline.outputs.frames.to_frames`
    (``province_2025`` back as a plain column; ``None`` for no province)."""
    import pyarrow.dataset as ds

    from .engines import url_fs

    fs, root = url_fs(str(out))
    root = root.rstrip("/")
    manifest = read_manifest(out)
    files = [f"{root}/{f}" for f in manifest["files"] if f.startswith(f"{table}/")]
    cols = list(_columns()[table])
    wanted = list(columns) if columns is not None else cols
    if not files:
        arrow = schema(table).empty_table().select(wanted)
    else:
        dataset = ds.dataset(files, schema=schema(table), format="parquet", filesystem=_arrow_fs(fs),
                             partitioning=_partitioning(), partition_base_dir=f"{root}/{table}")
        arrow = dataset.to_table(columns=wanted, use_threads=False)  # threads: more memory, no gain here
    out_df = _typed(arrow.to_pandas())
    # documents in output order; a document's targets and references are in one file, in order
    sort = [c for c in ("doc_id", "source") if c in out_df.columns]
    return out_df.sort_values(sort, kind="stable").reset_index(drop=True) if sort else out_df


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    """The dtypes of :func:`pipeline.outputs.frames.to_frames`, column by column (no copy to rows)."""
    from .outputs.tables import typed

    typed(df, nulls_as_none=True)
    if PARTITION in df.columns:
        df[PARTITION] = df[PARTITION].where(df[PARTITION] != UNKNOWN, None)
    return df


def read_frames(out: str) -> dict[str, pd.DataFrame]:
    """``documents``, ``targets`` and ``references`` of the dataset at ``out``
    (``references`` without its partition column, as :func:`pipeline.outputs.frames.to_frames`)."""
    from .outputs.tables import REFERENCE_COLUMNS

    frames = {t: read_table(out, t) for t in TABLES}
    frames["references"] = frames["references"][list(REFERENCE_COLUMNS)]
    return frames


def comparison_from_dataset(out: str, baseline: str | None = "auto") -> Comparison:
    """The :class:`~pipeline.outputs.compare.Comparison` of the batch in the dataset at ``out``."""
    from .outputs.compare import build_comparison

    return build_comparison(read_frames(out), baseline)


# --------------------------------------------------------------------------
# The comparison, streamed from the dataset
# --------------------------------------------------------------------------

#: Columns of each table the comparison reads (no text, no table cells).
_COMPARE_COLUMNS = {
    "documents": ("doc_id", "source", "doc_type", "number", "issue_date", "issuing_body", "admin_level",
                  "province", "province_2025", "district", "error"),
    "targets": ("doc_id", "sector", "indicator", "tier", "year", "group", "value", "value_max", "unit", "direction",
                "evidence_text", "evidence_start", "evidence_end"),
    "references": ("doc_id", "number", "date", "evidence_start"),
}
#: Rows of ``differences.csv`` formatted at a time.
_CSV_ROWS = 5000



@dataclass
class DatasetComparison:
    """What :func:`write_comparison` wrote: the comparison table and its column
    descriptions (small: a row per slot, a column per document with targets),
    the number of rows of ``differences.csv`` (streamed to the file, not kept),
    and what the documents were compared with."""

    table: pd.DataFrame
    columns: pd.DataFrame
    differences_rows: int
    baseline: str | None
    baseline_label: str | None
    builtins: tuple[Builtin, ...]
    compared_with: dict[str, tuple[str, ...]]

    def describe_baselines(self) -> str:
        """:meth:`pipeline.outputs.compare.Comparison.describe_baselines` of this comparison."""
        import pandas as pd

        from .outputs.compare import Comparison

        return Comparison(table=self.table, columns=self.columns, differences=pd.DataFrame(),
                          baseline=self.baseline, baseline_label=self.baseline_label, builtins=self.builtins,
                          compared_with=self.compared_with).describe_baselines()


def _table_files(out: str, table: str) -> tuple[Any, list[str]]:
    """The filesystem of ``out`` and the files of ``table`` the manifest lists, in its order."""
    from .engines import url_fs

    fs, root = url_fs(str(out))
    root = root.rstrip("/")
    return fs, [f"{root}/{f}" for f in read_manifest(out)["files"] if f.startswith(f"{table}/")]


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``df`` as dicts (its column names are strings)."""
    return cast("list[dict[str, Any]]", df.to_dict("records"))


def _cells(rows: pd.DataFrame, column_of: Callable[[str], str | None]) -> dict[tuple[Slot, str], list[dict[str, Any]]]:
    """(slot, column label) -> the targets of ``rows`` in that cell, in text order."""
    from .outputs.compare import slot_of

    cells: dict[tuple[Slot, str], list[dict[str, Any]]] = {}
    if not len(rows):
        return cells
    ordered = rows.sort_values(["doc_id", "evidence_start", "evidence_end"], kind="stable")
    for t in _records(ordered):
        col = column_of(str(t["doc_id"]))
        if col is not None:
            cells.setdefault((slot_of(t), col), []).append(t)
    return cells


def write_comparison(out: str, folder: Path, baseline: str | None = "auto") -> DatasetComparison:
    """Write ``comparison.csv``, ``differences.csv`` and ``comparison_columns.csv``
    of the batch in the dataset at ``out`` into the local ``folder``: the same
    bytes as :func:`pipeline.outputs.compare.build_comparison` on the whole
    batch, without holding its targets.

    The documents' identity columns, the targets' ``doc_id`` and the
    references' numbers are read first (the columns, the labels and the
    baselines, as :func:`~pipeline.outputs.compare.build_comparison` decides
    them).  Then the targets are read one file of the dataset at a time (a
    shard of one partition; all the targets of a document are in one file,
    except a ``doc_id`` shared by several input files, whose targets are
    gathered apart): each file gives its cells of the comparison table and
    its rows of the differences, spilled to a temporary file per slot.  Last,
    the slots are written in order, each sorted by column.  Memory holds the
    comparison table, one file's targets and one slot's differences.
    """
    import os
    import pickle
    import shutil
    import tempfile

    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .outputs.atomic import _umask, write_all
    from .outputs.columns import document_labels
    from .outputs.compare import (BASELINE_ROLE, COLUMN_INFO_COLUMNS, COMPARED_ROLE,
                                  KEY_COLUMNS, VALUE_SEPARATOR, _builtin_frames,
                                  _cited_builtins, _distinct_texts, _info_row, _resolve_baseline, compare_values,
                                  differences_frame, plan_columns, slot_order)
    from .outputs.files import csv_bytes

    folder = Path(folder)
    docs = read_table(out, "documents", _COMPARE_COLUMNS["documents"])
    target_ids = read_table(out, "targets", ["doc_id"])
    frames = {"documents": docs, "targets": target_ids,
              "references": read_table(out, "references", _COMPARE_COLUMNS["references"])}
    baseline_id, fixed, by_citation = _resolve_baseline(frames, baseline)
    n_targets = {str(k): int(v) for k, v in target_ids["doc_id"].value_counts().items()}
    cites = _cited_builtins(frames) if by_citation else {}
    shared_ids = set(docs["doc_id"][docs["doc_id"].duplicated()].astype(str))
    wanted = docs["doc_id"].isin(set(n_targets)) | (docs["doc_id"] == baseline_id)
    del frames, target_ids
    picked = _records(docs[wanted])
    del docs, wanted

    # the columns, as build_comparison orders and labels them
    labels = document_labels(picked)
    plan = plan_columns(picked, labels, baseline_id, fixed, cites)
    first, ordered_ids, builtins, compared_with = plan.first, plan.ordered_ids, plan.builtins, plan.compared_with
    baseline_label = plan.baseline_label
    del picked, cites, plan
    builtin_frames = _builtin_frames(builtins)
    columns = [b.label for b in builtins] + [labels[i] for i in ordered_ids]
    rank = {col: k for k, col in enumerate(columns)}
    info_rows = [_info_row(b.label, BASELINE_ROLE, _records(builtin_frames[b.id]["documents"])[0],
                           len(b.targets)) for b in builtins]
    info_rows += [_info_row(labels[i], BASELINE_ROLE if i == baseline_id else COMPARED_ROLE, first[i],
                            n_targets.get(i, 0)) for i in ordered_ids]
    info_of = {row["column"]: row for row in info_rows}
    del n_targets

    fs, files = _table_files(out, "targets")
    arrow_fs = _arrow_fs(fs)
    cols = list(_COMPARE_COLUMNS["targets"])

    def read(path: str, doc_id: str | None = None) -> pd.DataFrame:
        import pyarrow.compute as pc

        arrow = pq.read_table(path, columns=cols, filesystem=arrow_fs, use_threads=False)
        if doc_id is not None:
            arrow = arrow.filter(pc.equal(arrow["doc_id"], pa.scalar(doc_id)))
        return _typed(arrow.to_pandas())

    # the baseline columns' cells (built-in programmes, the batch's baseline document)
    base: dict[Slot, dict[str, list[dict[str, Any]]]] = {}
    for b in builtins:
        def builtin_column(_doc_id: str, b: Builtin = b) -> str | None:
            return b.label

        for (key, col), ts in _cells(builtin_frames[b.id]["targets"], builtin_column).items():
            base.setdefault(key, {})[col] = ts
    if baseline_id is not None:
        rows = pd.concat([read(p, baseline_id) for p in files] or [pd.DataFrame(columns=cols)])
        for (key, col), ts in _cells(rows, labels.get).items():
            base.setdefault(key, {})[col] = ts

    table: dict[Slot, dict[str, str]] = {}
    for key, by_col in base.items():
        for col, ts in by_col.items():
            table.setdefault(key, {})[col] = VALUE_SEPARATOR.join(_distinct_texts(ts))
    spill = Path(tempfile.mkdtemp(prefix="chitieu-differences."))
    slot_files: dict[Slot, Path] = {}

    def differences(cell: dict[tuple[Slot, str], list[dict[str, Any]]]) -> None:
        """Table cells and difference rows of the cells of one file (as build_comparison._differences)."""
        by_slot: dict[Slot, list[tuple[Any, ...]]] = {}
        for (key, col), ts in cell.items():
            table.setdefault(key, {})[col] = VALUE_SEPARATOR.join(_distinct_texts(ts))
            info = info_of[col]
            if info["role"] == BASELINE_ROLE:
                continue
            for t, text, chosen, base_text, diff, status in compare_values(ts, compared_with.get(col, ()),
                                                                             base.get(key, {})):
                by_slot.setdefault(key, []).append((
                    rank[col], *key, col, info["doc_id"], info["province"], info["province_2025"],
                    info["district"], info["admin_level"], text, t.get("unit"), chosen, base_text,
                    diff, status, t.get("evidence_text")))
        for key, rows_of in by_slot.items():
            path = slot_files.setdefault(key, spill / f"{len(slot_files):05d}.pickle")
            with open(path, "ab") as fh:
                pickle.dump(rows_of, fh, protocol=pickle.HIGHEST_PROTOCOL)

    try:
        shared: list[pd.DataFrame] = []
        for path in files:
            rows = read(path)
            if shared_ids:
                apart = rows["doc_id"].isin(shared_ids)
                if apart.any():
                    shared.append(rows[apart])
                    rows = rows[~apart]
            differences(_cells(rows, labels.get))
            del rows
        if shared:
            differences(_cells(pd.concat(shared), labels.get))
            del shared

        keys = sorted(table, key=slot_order)
        comparison = pd.DataFrame([{**dict(zip(KEY_COLUMNS, key, strict=True)),
                                    **{col: table[key].get(col, "") for col in columns}} for key in keys],
                                  columns=list(KEY_COLUMNS) + columns)
        comparison["year"] = comparison["year"].astype("Int64")
        info = pd.DataFrame(info_rows, columns=list(COLUMN_INFO_COLUMNS))
        info["n_targets"] = info["n_targets"].astype("Int64")
        for col in COLUMN_INFO_COLUMNS:
            if col != "n_targets":
                info[col] = info[col].astype("object")
        write_all(folder, {"comparison.csv": csv_bytes(comparison), "comparison_columns.csv": csv_bytes(info)})

        def frame(rows_of: list[tuple[Any, ...]]) -> pd.DataFrame:
            return differences_frame(r[1:] for r in rows_of)

        n_rows = 0
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".differences.csv.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(csv_bytes(frame([])))
                for key in keys:
                    if key not in slot_files:
                        continue
                    rows_of = []
                    with open(slot_files[key], "rb") as sf:
                        while True:
                            try:
                                rows_of.extend(pickle.load(sf))
                            except EOFError:
                                break
                    rows_of.sort(key=lambda r: r[0])  # by column; stable: text order within a cell
                    for at in range(0, len(rows_of), _CSV_ROWS):
                        data = csv_bytes(frame(rows_of[at:at + _CSV_ROWS]))
                        fh.write(data[data.index(b"\n") + 1:])  # without the BOM and the header
                    n_rows += len(rows_of)
                    del rows_of
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, folder / "differences.csv")
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    finally:
        shutil.rmtree(spill, ignore_errors=True)
    return DatasetComparison(table=comparison, columns=info, differences_rows=n_rows, baseline=baseline_id,
                             baseline_label=baseline_label, builtins=tuple(builtins), compared_with=compared_with)

