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

:func:`comparison_from_dataset` computes the comparison and the differences
from the dataset (:func:`pipeline.outputs.compare.build_comparison` on the tables
read back), so they need no records in memory.
"""
from __future__ import annotations

import json
import time
import uuid
from typing import TYPE_CHECKING, Any
from collections.abc import Iterable

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from .models import DocumentRecord

__all__ = ["DatasetWriter", "TABLES", "PARTITION", "MANIFEST", "DEFAULT_SHARD_DOCS", "read_table",
           "read_frames", "comparison_from_dataset", "read_manifest"]

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


def _partitioning():
    import pyarrow as pa
    import pyarrow.dataset as ds

    return ds.partitioning(pa.schema([pa.field(PARTITION, pa.string())]), flavor="hive")


def _arrow_fs(fs):
    from pyarrow.fs import FSSpecHandler, PyFileSystem

    return PyFileSystem(FSSpecHandler(fs))


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
        rec.extra.pop("text", None)
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
            ds.write_dataset(arrow, f"{self.root}/{table}", format="parquet", partitioning=_partitioning(),
                             basename_template=f"{_TMP}{self.run}-{self._shard:05d}-{{i}}.parquet",
                             filesystem=_arrow_fs(self.fs), existing_data_behavior="overwrite_or_ignore",
                             file_visitor=lambda f, written=written: written.append(f.path), max_partitions=100_000)
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
        return json.loads(fh.read().decode("utf-8"))


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


def comparison_from_dataset(out: str, baseline: str | None = "auto"):
    """The :class:`~pipeline.outputs.compare.Comparison` of the batch in the dataset at ``out``."""
    from .outputs.compare import build_comparison

    return build_comparison(read_frames(out), baseline)
