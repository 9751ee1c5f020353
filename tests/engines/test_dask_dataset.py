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
        rec.text, rec.format = "abc" * 10, "text"
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


# --------------------------------------------------------------------------
# The comparison written from the dataset, one file at a time
# --------------------------------------------------------------------------

def mixed_records(shared: bool = True) -> list[DocumentRecord]:
    """Several targets per document over several slots (repeated values, ranges,
    another unit, no year, criteria-table groups), a national programme, and (``shared``) one doc_id
    shared by two input files of different provinces (its targets in two partitions)."""
    out = []
    specs = [("lib.service", "district", 2025), ("lib.service", "commune", 2030), ("lib.digital", "province", None),
             ("museum.education", "all", 2025)]
    for i in range(14):
        targets = []
        for k, (ind, tier, year) in enumerate(specs[: 1 + i % len(specs)]):
            sector = ind.split(".")[0]
            unit = "count" if (i + k) % 5 == 0 else "percent"
            for value, vmax in ((float(10 * k + i), None), (float(10 * k + i), None), (5.0 + i, 9.0 + i)):
                start = 100 - 7 * k - int(value) % 3
                group = f"Nhóm {1 + i % 2}" if tier == "commune" and i % 3 == 0 else None
                targets.append(Target(sector, ind, None, tier, year, None, value, vmax, unit, False, "at_least",
                                      Evidence(f"ev {i} {k} {value}", start, start + 4), group=group))
        doc_id = "shared" if shared and i in (3, 9) else f"m{i:02d}"
        rec = DocumentRecord(doc_id, f"in/m{i:02d}.txt", f"{i:064x}", province=PROVINCES[i % len(PROVINCES)],
                             number=f"{i}/KH-UBND", admin_level="district" if i % 3 else "province",
                             district="Ngô Quyền" if i % 3 else None, targets=targets,
                             references=[Reference("decision", "1520/QĐ-TTg", None, None, Evidence("x", 5, 6))])
        out.append(rec)
    national = DocumentRecord("nat", "in/nat.txt", "f" * 64, number="9/QĐ-TTg", admin_level="central",
                              issuing_body="Thủ tướng Chính phủ",
                              targets=[Target("library", "lib.service", None, "district", 2025, None, 12.0, None,
                                              "percent", False, "at_least", Evidence("nat", 1, 4)),
                                       Target("library", "lib.service", None, "commune", 2030, None, 7.0, None,
                                              "percent", False, "at_least", Evidence("nat2", 9, 13)),
                                       Target("library", "lib.service", None, "commune", 2030, None, 8.0, None,
                                              "percent", False, "at_least", Evidence("nat3", 19, 23))])
    return out + [national]


@pytest.mark.parametrize("with_national, baseline, shared", [
    (True, "auto", False), (True, "auto", True), (False, "auto", False), (False, "auto", True),
    (True, None, True), (True, "m05", True), (False, "1520/QĐ-TTg", False),
], ids=["national", "national-shared-doc-id", "built-in-by-citation", "built-in-shared-doc-id",
        "no-baseline", "baseline-doc-id", "named-built-in"])
def test_comparison_written_from_the_dataset_is_build_comparison(tmp_path, with_national, baseline, shared):
    """The same bytes as the comparison of the whole dataset read into pandas, which is the
    comparison of the records in input order (a serial run's) unless a doc_id is shared:
    the dataset does not keep which of its input files came first."""
    from pipeline.dataset import comparison_from_dataset, write_comparison
    from pipeline.outputs.compare import build_comparison

    recs = mixed_records(shared)
    recs = recs if with_national else recs[:-1]
    out = tmp_path / "ds"
    w = DatasetWriter(str(out), shard_docs=3)  # several files per partition
    for rec in recs:
        w.add(rec)
    w.commit()
    want = comparison_from_dataset(str(out), baseline)
    if not shared:
        serial = build_comparison(to_frames(recs, comparison=False), baseline)
        for table in ("table", "differences", "columns"):
            assert csv_bytes(getattr(serial, table)) == csv_bytes(getattr(want, table)), table
    got = write_comparison(str(out), tmp_path, baseline)
    assert len(want.differences) > 20 and got.differences_rows == len(want.differences)
    for name, df in (("comparison.csv", want.table), ("differences.csv", want.differences),
                     ("comparison_columns.csv", want.columns)):
        assert (tmp_path / name).read_bytes() == csv_bytes(df), name
    assert got.describe_baselines() == want.describe_baselines()
    assert not list(tmp_path.glob(".*.tmp"))
