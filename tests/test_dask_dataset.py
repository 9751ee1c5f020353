"""The partitioned Parquet dataset (pipeline/dataset.py), without a cluster.

* files are written under hidden temporary names and are invisible to a
  reader until the commit, which renames them and writes the manifest last;
* a second run replaces the first run's files (the dataset holds the last batch);
* pandas and dask.dataframe read a table folder as it is, partitions decoded;
* the same on an in-memory fsspec filesystem (the stand-in for object storage).
"""
from __future__ import annotations

import pandas as pd
import pytest

from pipeline.dataset import MANIFEST, DatasetWriter, read_frames, read_manifest
from pipeline.outputs.files import csv_bytes
from pipeline.outputs.frames import to_frames
from pipeline.models import DocumentRecord, Evidence, Reference, Target

PROVINCES = ("Đắk Nông", "Hải Phòng", None, "Atlantis")


def records(n: int, tag: str = "") -> list[DocumentRecord]:
    out = []
    for i in range(n):
        rec = DocumentRecord(f"d{i:03d}{tag}", f"in/d{i:03d}.txt", f"{i:064x}",
                             province=PROVINCES[i % len(PROVINCES)], number=f"{i}/KH-UBND",
                             targets=[Target("library", "lib.service", "thư viện", "district", 2025, None,
                                             float(i), None, "percent", False, "at_least",
                                             Evidence("abc", 0, 3))],
                             references=[Reference("decision", "1520/QĐ-TTg", None, None, Evidence("x", 5, 6))])
        rec.extra.update(text="abc" * 10, format="text")
        out.append(rec)
    return out


def parquet_files(root) -> list:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.parquet"))


def test_nothing_visible_before_commit_then_manifest_last(tmp_path):
    w = DatasetWriter(str(tmp_path), shard_docs=3)
    for rec in records(7):
        w.add(rec)
    staged = parquet_files(tmp_path)
    assert staged and all(p.split("/")[-1].startswith("_tmp-") for p in staged)
    assert not (tmp_path / MANIFEST).exists()
    # readers skip names starting with "_": an uncommitted shard is not read
    assert (tmp_path / "documents").is_dir() and len(pd.read_parquet(tmp_path / "documents")) == 0
    rows = w.commit()
    assert rows == {"documents": 7, "targets": 7, "references": 7}
    manifest = read_manifest(str(tmp_path))
    assert sorted(manifest["files"]) == parquet_files(tmp_path)
    assert all(f.split("/")[-1].startswith("part-") for f in manifest["files"])
    assert any("province_2025=unknown" in f for f in manifest["files"])


def test_a_second_run_replaces_the_first(tmp_path):
    first = DatasetWriter(str(tmp_path))
    for rec in records(5, "a"):
        first.add(rec)
    first.commit()
    second = DatasetWriter(str(tmp_path))
    for rec in records(3, "b"):
        second.add(rec)
    second.commit()
    docs = pd.read_parquet(tmp_path / "documents")
    assert sorted(docs["doc_id"]) == ["d000b", "d001b", "d002b"]


@pytest.mark.parametrize("where", ["local", "memory"])
def test_tables_read_back_as_the_export_frames(tmp_path, where):
    out = str(tmp_path) if where == "local" else f"memory://dataset-test-{tmp_path.name}"
    recs = records(9)
    w = DatasetWriter(out, shard_docs=4)
    for rec in records(9):
        w.add(rec)
    w.commit()
    got, want = read_frames(out), to_frames(recs, comparison=False)
    for table in ("documents", "targets", "references"):
        assert csv_bytes(got[table]) == csv_bytes(want[table]), table


def test_pandas_and_dask_read_the_folders(tmp_path):
    dd = pytest.importorskip("dask.dataframe")
    w = DatasetWriter(str(tmp_path), shard_docs=4)
    for rec in records(8):
        w.add(rec)
    w.commit()
    df = pd.read_parquet(tmp_path / "targets")
    assert len(df) == 8
    assert set(df["province_2025"].astype(str)) == {"Lâm Đồng", "Hải Phòng", "unknown"}
    ddf = dd.read_parquet(str(tmp_path / "targets"))
    assert int(ddf["value"].count().compute()) == 8
