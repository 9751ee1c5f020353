"""``--engine dask`` on a real LocalCluster (pipeline/engines/dask.py).

One cluster for the module: 2 worker processes, one thread each, loopback
only, no dashboard, 1.5 GiB per worker, ``allowed-failures`` 1 (a task whose
worker dies twice is given up), one task per worker at a time (as the engine's own cluster).  Checked:

* a Dask run writes the same ``documents.jsonl`` bytes as a serial run, a
  bad file among good ones included (its error row too);
* a rerun reuses every record without a task (size and mtime unchanged),
  and a file only touched is confirmed by the worker's sha256, not extracted;
* a worker killed mid-run (``client.run(os._exit, 1, workers=[one])``): the
  batch completes, nothing lost or repeated;
* a file that kills every worker it lands on ends as a ``worker_crashed``
  row, the others are read;
* an interrupt (Ctrl-C) cancels the tasks on the cluster and keeps what is
  finished; the rerun extracts only the rest;
* inputs from ``file://`` URLs, outputs to a ``file://`` URL and to
  ``memory://`` (an in-memory fsspec filesystem standing in for object
  storage) as a partitioned Parquet dataset whose comparison equals the serial one.

The stand-in extractors are module-level functions: the workers import this
module (they start with this process's ``sys.path``).
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

import dask  # noqa: E402

from pipeline import batch, cli  # noqa: E402
from pipeline.engines.command import run_extract  # noqa: E402
from pipeline.engines.dask import DaskEngine  # noqa: E402
from pipeline.outputs.files import csv_bytes, documents_jsonl
from pipeline.outputs.frames import to_frames  # noqa: E402
from pipeline.models import DocumentRecord  # noqa: E402
from stand_ins import crash_on_boom, fake_extract  # noqa: E402
from pipeline.store import STORE_NAME, Store, fingerprint  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
MAX_BYTES = cli.DEFAULT_MAX_BYTES


# --------------------------------------------------------------------------
# Stand-in extractors (run on the workers)
# --------------------------------------------------------------------------

def slow_fake(path, *, max_bytes=0) -> DocumentRecord:  # noqa: ARG001 - a stand-in with the extractor's signature
    time.sleep(0.4)
    return fake_extract(path)


def spin_on_slow(path, *, max_bytes=0) -> DocumentRecord:  # noqa: ARG001 - a stand-in with the extractor's signature
    if Path(path).name.startswith("slow"):
        while True:  # a file that never ends (pure Python: the budget's exception reaches it)
            pass
    return fake_extract(path)


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with dask.config.set({"distributed.scheduler.allowed-failures": 1,
                          "distributed.scheduler.worker-saturation": 1.0}):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, memory_limit="1.5GiB", silence_logs=50)
    c = Client(cluster, set_as_default=False)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


@pytest.fixture
def engine(client):
    """Tasks of 2 files (the default is 8): several tasks even for these small batches."""
    return DaskEngine(client=client, chunk=2)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[str]:
    """The corpus twice under other names, and a file that cannot be read as a PDF."""
    folder = tmp_path_factory.mktemp("in")
    for copy in range(2):
        for p in sorted(CORPUS.iterdir()):
            shutil.copy(p, folder / f"c{copy}_{p.name}")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\nnot really a pdf\n")
    return [str(p) for p in sorted(folder.iterdir())]


@pytest.fixture(scope="module")
def serial(inputs) -> bytes:
    """documents.jsonl of a serial run (in this process) over ``inputs``."""
    res = batch.run_batch([Path(p) for p in inputs], max_bytes=MAX_BYTES, isolate=False)
    return documents_jsonl(res.records)


def fake_docs(folder: Path, n: int, prefix: str = "doc") -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"{prefix}{i:02d}.txt").write_text(f"Phấn đấu 60% thư viện cấp huyện. Văn bản {i}.\n",
                                                   encoding="utf-8")
    return [str(p) for p in sorted(folder.iterdir())]


def chitieu_tasks(client) -> list[str]:
    return client.run_on_scheduler(lambda dask_scheduler: [k for k in dask_scheduler.tasks
                                                           if str(k).startswith("chitieu-")])


# --------------------------------------------------------------------------
# Same bytes, reuse
# --------------------------------------------------------------------------

def test_same_documents_jsonl_as_serial_then_rerun_reuses_all(engine, inputs, serial, tmp_path):
    out = tmp_path / "out"
    run = run_extract(inputs, str(out), engine=engine, max_bytes=MAX_BYTES, quiet=True)
    assert (out / "documents.jsonl").read_bytes() == serial
    s = run.summary
    assert (s.documents, s.extracted, s.reused, s.failed) == (len(inputs), len(inputs), 0, 1)
    assert b'"broken"' in serial and "broken" in (out / "errors.csv").read_text(encoding="utf-8-sig")

    again = run_extract(inputs, str(out), engine=engine, max_bytes=MAX_BYTES, quiet=True)
    assert (again.summary.extracted, again.summary.reused) == (0, len(inputs))
    assert (out / "documents.jsonl").read_bytes() == serial

    # a file whose mtime changed but not its bytes: the worker hashes it and says "same"
    touched = inputs[0]
    os.utime(touched, ns=(time.time_ns(), time.time_ns() + 10**9))
    third = run_extract(inputs, str(out), engine=engine, max_bytes=MAX_BYTES, quiet=True)
    assert (third.summary.extracted, third.summary.reused) == (0, len(inputs))
    with Store(out / STORE_NAME) as store:
        st = os.stat(touched)
        assert store.get_by_stat(touched, st.st_size, str(st.st_mtime_ns), fingerprint(MAX_BYTES)) is not None


def test_worker_killed_mid_run_loses_and_repeats_nothing(engine, client, inputs, serial):
    killed = []

    def kill_one_worker(path, reused):  # noqa: ARG001 - the engine's progress callback
        if not killed:
            victim = sorted(client.scheduler_info()["workers"])[0]
            killed.append(victim)
            try:
                client.run(os._exit, 1, workers=[victim])
            except Exception:  # noqa: BLE001 - the worker died under the call, as intended, whatever the client raises
                pass

    res = engine.run(inputs, max_bytes=MAX_BYTES, progress=kill_one_worker)
    assert killed
    assert sorted(r.source for r in res.records) == sorted(inputs)  # nothing lost, nothing twice
    assert not res.crashed
    assert documents_jsonl(res.records) == serial
    client.wait_for_workers(2, timeout=60)


# --------------------------------------------------------------------------
# Failures
# --------------------------------------------------------------------------

def test_file_that_kills_every_worker_ends_as_worker_crashed(engine, client, tmp_path):
    files = fake_docs(tmp_path / "in", 4)
    boom = tmp_path / "in" / "boom.txt"
    boom.write_text("x", encoding="utf-8")
    res = engine.run(sorted(files + [str(boom)]), max_bytes=MAX_BYTES, extractor=crash_on_boom)
    by_source = {r.source: r for r in res.records}
    assert by_source[str(boom)].error.code == "worker_crashed"
    assert res.crashed == [str(boom)]
    assert all(by_source[f].error is None and by_source[f].targets for f in files)
    client.wait_for_workers(2, timeout=60)


def test_file_over_its_time_ends_as_a_timeout_row_and_the_worker_goes_on(engine, client, tmp_path):
    import re

    files = fake_docs(tmp_path / "in", 4)
    slow = tmp_path / "in" / "slow.txt"
    slow.write_text("never ends", encoding="utf-8")
    workers = client.run(os.getpid)
    res = engine.run(sorted(files + [str(slow)]), max_bytes=MAX_BYTES, extractor=spin_on_slow,
                     budget=batch.Budget(timeout=1, per_page=0, max_memory=0))
    by_id = {r.doc_id: r for r in res.records}
    assert by_id["slow"].error.code == "timeout" and by_id["slow"].source == str(slow)
    assert re.fullmatch(re.escape(str(slow)) + r": stopped after 1 s, over the time allowed for one file "
                        r"\(--file-timeout 1\); raise --file-timeout if the file is just large",
                        by_id["slow"].error.message)
    assert [r.doc_id for r in res.records if r.error] == ["slow"] and len(res.records) == 5
    assert not res.crashed and client.run(os.getpid) == workers  # no worker was ended or restarted


def test_interrupt_cancels_tasks_and_keeps_what_is_finished(engine, client, tmp_path):
    files = fake_docs(tmp_path / "in", 12)
    out = tmp_path / "out"
    seen = []

    def interrupt_after_two(path, reused):  # noqa: ARG001 - the engine's progress callback
        seen.append(path)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_extract(files, str(out), engine=engine, max_bytes=MAX_BYTES, quiet=True, extractor=slow_fake,
                    on_progress=interrupt_after_two)
    deadline = time.monotonic() + 20
    while chitieu_tasks(client) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert chitieu_tasks(client) == []  # the futures were cancelled
    assert not (out / "documents.jsonl").exists()
    with Store(out / STORE_NAME) as store:
        kept = len(store)
    assert kept >= 2
    rerun = run_extract(files, str(out), engine=engine, max_bytes=MAX_BYTES, quiet=True, extractor=slow_fake)
    assert (rerun.summary.reused, rerun.summary.extracted) == (kept, len(files) - kept)


# --------------------------------------------------------------------------
# URLs and the dataset
# --------------------------------------------------------------------------

def test_file_urls_in_and_out(engine, inputs, serial, tmp_path):
    urls = [Path(p).resolve().as_uri() for p in inputs]
    out = tmp_path / "out"
    run_extract(urls, out.as_uri(), engine=engine, max_bytes=MAX_BYTES, quiet=True)
    lines = (out / "documents.jsonl").read_bytes()
    # the records (and the messages of the bad file) name the URL they were read from;
    # otherwise the same bytes
    expected = serial
    for p, u in zip(inputs, urls, strict=True):
        expected = expected.replace(p.encode(), u.encode())
    assert expected != serial
    assert lines == expected


def test_parquet_dataset_on_memory_filesystem(engine, inputs, serial, tmp_path, monkeypatch):
    import fsspec
    import pandas as pd

    from pipeline.dataset import MANIFEST, read_frames, read_manifest

    monkeypatch.setenv("CHITIEU_STORE_DIR", str(tmp_path / "stores"))
    out = "memory://chitieu-test/run"
    run = run_extract(inputs, out, fmt="parquet-dataset", engine=engine, max_bytes=MAX_BYTES, quiet=True,
                      shard_docs=4)
    fs = fsspec.filesystem("memory")
    assert fs.exists(f"/chitieu-test/run/{MANIFEST}")
    assert list((tmp_path / "stores").glob(f"*{STORE_NAME}"))  # the store stays on the client's disk
    with fs.open("/chitieu-test/run/documents.jsonl", "rb") as fh:
        assert fh.read() == serial  # a small batch: the files are written as well
    manifest = read_manifest(out)
    assert manifest["files"] and all(f.split("/")[-1].startswith("part-") for f in manifest["files"])
    assert not [p for p in fs.find("/chitieu-test/run") if "/_tmp-" in p]
    records = batch.run_batch([Path(p) for p in inputs], max_bytes=MAX_BYTES, isolate=False).records
    ref = to_frames(records, comparison=False)
    got = read_frames(out)
    for table in ("documents", "targets", "references"):
        assert csv_bytes(got[table]) == csv_bytes(ref[table]), table
    from pipeline.outputs.compare import build_comparison
    comparison = build_comparison(ref)
    with fs.open("/chitieu-test/run/differences.csv", "rb") as fh:
        assert fh.read() == csv_bytes(comparison.differences)
    # readable by pandas straight from the folder, partitions decoded
    local = tmp_path / "copy"
    fs.get("/chitieu-test/run/targets", str(local), recursive=True)
    df = pd.read_parquet(local)
    assert len(df) == run.dataset_rows["targets"] == len(ref["targets"])
    assert set(df["province_2025"].astype(str)) == set(ref["targets"]["province_2025"].fillna("unknown"))


# --------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------

def test_cli_on_a_running_scheduler(client, inputs, serial, tmp_path, capsys):
    out = tmp_path / "out"
    code = cli.main(["extract", *inputs, "--engine", "dask", "--scheduler", client.scheduler.address,
                     "--format", "parquet-dataset", "--out", str(out), "--quiet"])
    assert code == cli.EXIT_FAILED_FILES  # broken.pdf
    assert (out / "documents.jsonl").read_bytes() == serial
    printed = capsys.readouterr().out
    assert "dataset     documents/ 11 rows" in printed and "failed      broken: " in printed
    assert (out / "_manifest.json").is_file() and (out / "targets").is_dir()


@pytest.mark.parametrize("extra, what", [
    (["--format", "parquet-dataset"], "--format parquet-dataset"),
    (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler"),
    (["--out", "memory://x/y"], "the URL memory://x/y"),
])
def test_cli_dask_options_need_the_dask_engine(extra, what, tmp_path, capsys):
    code = cli.main(["extract", str(CORPUS), "--out", str(tmp_path / "o"), *extra])
    assert code == cli.EXIT_USAGE
    assert f"{what} needs --engine dask" in capsys.readouterr().err


def test_run_batch_hook_hands_the_batch_to_the_engine(engine, tmp_path):
    files = [Path(p) for p in fake_docs(tmp_path / "in", 5)]
    with Store(tmp_path / STORE_NAME) as store:
        res = batch.run_batch(files, max_bytes=MAX_BYTES, store=store, extractor=fake_extract, engine=engine)
        assert [r.source for r in res.records] == [str(f) for f in files]  # input order, as run_batch
        assert (res.extracted, res.stored) == (5, 5)
        again = batch.run_batch(files, max_bytes=MAX_BYTES, store=store, extractor=fake_extract, engine=engine)
    assert (again.extracted, again.reused) == (0, 5)
