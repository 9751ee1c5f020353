"""Batch runs (pipeline/batch/ and ``chitieu extract --jobs/--force``).

* parallel: ``--jobs 2`` writes the same bytes as ``--jobs 1`` on the corpus;
  a worker that dies or raises costs one file, not the batch;
* incremental: a rerun on unchanged input extracts nothing; changed bytes or
  rules files invalidate; ``--force`` re-extracts;
* interrupted runs: killed after k documents (an injected interrupt, and a
  real ``kill -9`` of the command), the rerun completes, does not redo the
  stored ones, and writes what a clean run writes.

The stand-in extractors are module-level functions so that worker processes
(``spawn``) can import them.
"""
from __future__ import annotations

import functools
import logging
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import batch, cli
import pipeline.batch.pool  # noqa: F401  (batch.pool, imported by run_batch when first needed)
from pipeline import rules as rules_mod
from pipeline.outputs.tables import OUTPUT_FILES
from pipeline.models import DocumentRecord
from stand_ins import crash_on_boom, fake_extract
from pipeline.store import STORE_NAME, Store, fingerprint

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
TEXT = "Phấn đấu 60% thư viện cấp huyện có dịch vụ học tập suốt đời đến năm 2025.\n"


# --------------------------------------------------------------------------
# Stand-in extractors (picklable)
# --------------------------------------------------------------------------

def raise_on_bad(path, *, max_bytes=0) -> DocumentRecord:  # noqa: ARG001 - a stand-in with the extractor's signature
    if Path(path).name.startswith("bad"):
        raise ValueError("bug in a loader")
    return fake_extract(path)


class Counting:
    """Counts calls (in this process) and can interrupt after ``stop_after`` files."""

    def __init__(self, inner=fake_extract, stop_after: int | None = None):
        self.inner, self.stop_after, self.calls = inner, stop_after, []

    def __call__(self, path, *, max_bytes=0):
        if self.stop_after is not None and len(self.calls) >= self.stop_after:
            raise KeyboardInterrupt
        self.calls.append(Path(path).name)
        return self.inner(path, max_bytes=max_bytes)


@pytest.fixture(autouse=True)
def pinned_fingerprint(monkeypatch):
    """One fingerprint per test: the code and rules of this checkout may be
    edited while the suite runs (the test that changes rules on purpose
    replaces this)."""
    cached = functools.lru_cache(maxsize=None)(lambda max_bytes, rules_dir: fingerprint(max_bytes,
                                                                                        rules_dir=rules_dir))
    monkeypatch.setattr(batch, "fingerprint", lambda max_bytes: cached(max_bytes, rules_mod.RULES_DIR))


def make_docs(folder: Path, n: int = 5, prefix: str = "doc") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = folder / f"{prefix}{i}.txt"
        p.write_text(f"{TEXT}Văn bản số {i}.\n", encoding="utf-8")
        paths.append(p)
    return paths


def outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUT_FILES}


def rows(out: Path) -> int:
    db = sqlite3.connect(out / STORE_NAME)
    try:
        return db.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    finally:
        db.close()


def run(files, out: Path, extractor=fake_extract, **kw) -> cli.RunSummary:
    return cli.run_extract(cli.find_inputs(files), out, quiet=True, extractor=extractor, **kw)


# --------------------------------------------------------------------------
# Incremental runs
# --------------------------------------------------------------------------

def test_a_rerun_on_unchanged_input_extracts_nothing(tmp_path: Path):
    docs = make_docs(tmp_path / "docs")
    first = run([tmp_path / "docs"], tmp_path / "out", extractor=Counting())
    assert (first.extracted, first.reused) == (5, 0)
    clean = outputs(tmp_path / "out")
    never = Counting(stop_after=0)  # any call would raise
    again = run([tmp_path / "docs"], tmp_path / "out", extractor=never)
    assert never.calls == [] and (again.extracted, again.reused) == (0, 5)
    assert "extracted   0, reused 5" in again.format()
    assert outputs(tmp_path / "out") == clean
    assert rows(tmp_path / "out") == len(docs)


def test_changed_bytes_reextract_that_file_only(tmp_path: Path):
    docs = make_docs(tmp_path / "docs")
    run([tmp_path / "docs"], tmp_path / "out")
    docs[2].write_text(TEXT + "Đã sửa.\n", encoding="utf-8")
    counting = Counting()
    s = run([tmp_path / "docs"], tmp_path / "out", extractor=counting)
    assert counting.calls == ["doc2.txt"] and (s.extracted, s.reused) == (1, 4)
    run([tmp_path / "docs"], tmp_path / "fresh", force=True)
    assert outputs(tmp_path / "out") == outputs(tmp_path / "fresh")


def test_changing_a_rules_file_invalidates_every_record(tmp_path: Path, monkeypatch):
    rules = tmp_path / "rules"
    import shutil
    shutil.copytree(rules_mod.RULES_DIR, rules)
    monkeypatch.setattr(rules_mod, "RULES_DIR", rules)
    # The rules are hashed afresh for every run; the package source is held still.
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "core.py").write_text("x = 1\n")
    monkeypatch.setattr(batch, "fingerprint", lambda max_bytes: fingerprint(max_bytes, package_dir=pkg))
    make_docs(tmp_path / "docs")
    assert run([tmp_path / "docs"], tmp_path / "out").extracted == 5
    assert run([tmp_path / "docs"], tmp_path / "out").reused == 5
    (rules / "tiers.yaml").write_bytes((rules / "tiers.yaml").read_bytes() + b"\n# changed\n")
    counting = Counting()
    s = run([tmp_path / "docs"], tmp_path / "out", extractor=counting)
    assert (s.extracted, s.reused, len(counting.calls)) == (5, 0, 5)
    assert run([tmp_path / "docs"], tmp_path / "out").reused == 5


def test_max_bytes_is_part_of_the_key(tmp_path: Path):
    make_docs(tmp_path / "docs")
    run([tmp_path / "docs"], tmp_path / "out")
    assert run([tmp_path / "docs"], tmp_path / "out", max_bytes=1000).extracted == 5


def test_force_extracts_everything_again(tmp_path: Path):
    make_docs(tmp_path / "docs")
    run([tmp_path / "docs"], tmp_path / "out")
    counting = Counting()
    s = run([tmp_path / "docs"], tmp_path / "out", extractor=counting, force=True)
    assert (s.extracted, s.reused, len(counting.calls)) == (5, 0, 5)


def test_force_and_jobs_on_the_command_line(tmp_path: Path, monkeypatch, capsys):
    make_docs(tmp_path / "docs")
    counting = Counting()
    monkeypatch.setattr(cli, "default_extractor", lambda: counting)
    argv = ["extract", str(tmp_path / "docs"), "--out", str(tmp_path / "out"), "-q"]
    assert cli.main(argv) == 0
    assert cli.main(argv) == 0
    assert "extracted   0, reused 5" in capsys.readouterr().out
    assert cli.main(argv + ["--force"]) == 0
    assert "extracted   5, reused 0" in capsys.readouterr().out
    assert len(counting.calls) == 10


def test_same_bytes_under_another_name_are_another_record(tmp_path: Path):
    docs = make_docs(tmp_path / "docs", n=1)
    run([tmp_path / "docs"], tmp_path / "out")
    (tmp_path / "docs" / "copy.txt").write_bytes(docs[0].read_bytes())
    s = run([tmp_path / "docs"], tmp_path / "out")
    assert (s.extracted, s.reused) == (1, 1)
    assert sorted(r.doc_id for r in batch.run_batch(cli.find_inputs([tmp_path / "docs"]), max_bytes=10**6,
                                                    store=None, extractor=fake_extract).records) == \
        ["copy", "doc0"]


def test_errors_from_bugs_are_not_stored_and_are_retried(tmp_path: Path):
    make_docs(tmp_path / "docs", n=2)
    make_docs(tmp_path / "docs", n=1, prefix="bad")
    s = run([tmp_path / "docs"], tmp_path / "out", extractor=raise_on_bad)
    assert s.failed == 1 and rows(tmp_path / "out") == 2
    counting = Counting()
    s = run([tmp_path / "docs"], tmp_path / "out", extractor=counting)
    assert counting.calls == ["bad0.txt"] and (s.extracted, s.reused, s.failed) == (1, 2, 0)


def test_no_store_file_when_nothing_was_finished(tmp_path: Path):
    make_docs(tmp_path / "docs", n=2)
    with pytest.raises(KeyboardInterrupt):
        run([tmp_path / "docs"], tmp_path / "out", extractor=Counting(stop_after=0))
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------
# Interrupted runs
# --------------------------------------------------------------------------

@pytest.mark.parametrize("k", [1, 3])
def test_an_interrupted_run_resumes_without_redoing_stored_documents(tmp_path: Path, k: int):
    make_docs(tmp_path / "docs", n=6)
    first = Counting(stop_after=k)
    with pytest.raises(KeyboardInterrupt):
        run([tmp_path / "docs"], tmp_path / "out", extractor=first)
    assert rows(tmp_path / "out") == k
    assert not (tmp_path / "out" / "documents.jsonl").exists()   # no outputs from an interrupted run
    second = Counting()
    s = run([tmp_path / "docs"], tmp_path / "out", extractor=second)
    assert (s.extracted, s.reused) == (6 - k, k)
    assert set(second.calls).isdisjoint(first.calls) and len(second.calls) == 6 - k
    run([tmp_path / "docs"], tmp_path / "clean")
    assert outputs(tmp_path / "out") == outputs(tmp_path / "clean")


def test_interrupt_through_the_command_exits_130_and_keeps_finished_documents(tmp_path: Path, monkeypatch,
                                                                           capsys):
    make_docs(tmp_path / "docs", n=4)
    monkeypatch.setattr(cli, "default_extractor", lambda: Counting(stop_after=2))
    assert cli.main(["extract", str(tmp_path / "docs"), "--out", str(tmp_path / "out"), "-q"]) == 130
    assert "will not redo them" in capsys.readouterr().err
    assert rows(tmp_path / "out") == 2


def _pinned_cli(out: Path, docs: Path, jobs: int) -> list[str]:
    """The real command in a fresh process, with the fingerprint pinned (this
    checkout may be edited while the test runs)."""
    code = ("import sys; import pipeline.batch as b; b.fingerprint = lambda max_bytes: 'pinned'; "
            "from pipeline.cli import main; sys.exit(main(sys.argv[1:]))")
    return [sys.executable, "-c", code, "extract", str(docs), "--out", str(out), "--jobs", str(jobs), "-q"]


def _group_gone(pgid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("jobs, sig", [(1, signal.SIGKILL), (2, signal.SIGKILL), (2, signal.SIGINT)],
                         ids=["kill-9", "kill-9-jobs-2", "ctrl-c-jobs-2"])
def test_a_killed_command_resumes_and_writes_what_a_clean_run_writes(tmp_path: Path, jobs: int, sig):
    """kill -9 (or Ctrl-C) after the store has a row; the rerun finishes the rest only."""
    if not CORPUS.is_dir():
        pytest.skip("no corpus/ folder")
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(4):  # 20 real documents, enough to be caught half-way
        for p in sorted(CORPUS.glob("*.txt")):
            (docs / f"c{i}_{p.name}").write_bytes(p.read_bytes())
    out = tmp_path / "out"
    proc = subprocess.Popen(_pinned_cli(out, docs, jobs), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        killed_at = 0
        while time.monotonic() < deadline and proc.poll() is None:
            if (out / STORE_NAME).exists():
                try:
                    killed_at = rows(out)
                except sqlite3.OperationalError:  # the table is being created
                    killed_at = 0
                if killed_at >= 1:
                    os.killpg(proc.pid, sig)  # the command and its workers: our own session
                    break
            time.sleep(0.02)
    finally:
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if killed_at == 0 or killed_at == 20:
        pytest.skip(f"could not catch the run half-way ({killed_at} of 20 stored)")
    assert proc.returncode == (130 if sig == signal.SIGINT else -signal.SIGKILL)
    assert _group_gone(proc.pid), "worker processes outlived the command"
    assert not (out / "documents.jsonl").exists()
    stored_before = rows(out)
    assert stored_before >= killed_at
    resumed = subprocess.run(_pinned_cli(out, docs, jobs)[:-1], cwd=ROOT, capture_output=True, text=True,
                             timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert f"extracted   {20 - stored_before}, reused {stored_before} " in resumed.stdout
    clean = subprocess.run(_pinned_cli(tmp_path / "clean", docs, 1), cwd=ROOT, capture_output=True,
                           text=True, timeout=600)
    assert clean.returncode == 0, clean.stderr
    assert outputs(out) == outputs(tmp_path / "clean")


# --------------------------------------------------------------------------
# Parallel runs
# --------------------------------------------------------------------------

def test_jobs_2_gives_the_records_of_jobs_1_in_input_order(tmp_path: Path):
    files = make_docs(tmp_path / "docs", n=7)
    serial = batch.run_batch(files, max_bytes=10**6, extractor=fake_extract)
    parallel = batch.run_batch(files, max_bytes=10**6, jobs=2, extractor=fake_extract)
    assert parallel.records == serial.records
    assert [r.doc_id for r in parallel.records] == [f"doc{i}" for i in range(7)]
    assert (parallel.extracted, parallel.reused) == (7, 0)


def test_a_worker_crash_is_that_files_error_record(tmp_path: Path, caplog):
    make_docs(tmp_path / "docs", n=5)
    make_docs(tmp_path / "docs", n=1, prefix="boom")
    with caplog.at_level(logging.WARNING, logger="chitieu"):
        s = run([tmp_path / "docs"], tmp_path / "out", extractor=crash_on_boom, jobs=2)
    assert (s.documents, s.failed) == (6, 1)
    assert s.failures == [("boom0", "worker_crashed")]
    assert "boom0.txt: the worker process extracting this file died" in caplog.text
    assert rows(tmp_path / "out") == 5  # the crash is not stored: the next run tries again
    jsonl = (tmp_path / "out" / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(jsonl) == 6
    s = run([tmp_path / "docs"], tmp_path / "out", extractor=fake_extract, jobs=2)
    assert (s.extracted, s.reused, s.failed) == (1, 5, 0)


def die_at_start(*args) -> None:  # noqa: ARG001 - a pool initializer, called with its initargs
    """A pool initializer standing in for a worker that cannot start."""
    os._exit(3)


def test_workers_that_cannot_start_fall_back_to_this_process(tmp_path: Path, monkeypatch, caplog):
    files = make_docs(tmp_path / "docs", n=4)
    monkeypatch.setattr(batch.pool, "init_worker", die_at_start)
    with caplog.at_level(logging.WARNING, logger="chitieu"):
        result = batch.run_batch(files, max_bytes=10**6, jobs=2, extractor=fake_extract)
    assert [r.doc_id for r in result.records] == ["doc0", "doc1", "doc2", "doc3"]
    assert not any(r.error for r in result.records) and result.crashed == []
    assert "worker processes cannot start" in caplog.text


def test_an_exception_in_a_worker_is_that_files_error_record_and_is_logged(tmp_path: Path, caplog):
    make_docs(tmp_path / "docs", n=3)
    make_docs(tmp_path / "docs", n=1, prefix="bad")
    with caplog.at_level(logging.ERROR, logger="chitieu"):
        s = run([tmp_path / "docs"], tmp_path / "out", extractor=raise_on_bad, jobs=2)
    assert s.failures == [("bad0", "internal_error")]
    assert "bad0.txt: extraction failed (ValueError: bug in a loader)" in caplog.text
    assert "Traceback" not in caplog.text  # one line on stderr; the worker's traceback ...
    log = (tmp_path / "out" / cli.LOG_NAME).read_text(encoding="utf-8")
    assert "bad0.txt: extraction failed" in log and "Traceback" in log and "raise_on_bad" in log  # ... is here
    assert s.log_file == tmp_path / "out" / cli.LOG_NAME and s.logged == 1


def test_jobs_option():
    assert cli.build_parser().parse_args(["extract", "x", "--jobs", "3"]).jobs == 3
    assert cli.build_parser().parse_args(["extract", "x", "-j", "0"]).jobs == (os.cpu_count() or 1)
    assert cli.build_parser().parse_args(["extract", "x"]).jobs == 1
    with pytest.raises(SystemExit) as exc:
        cli.build_parser().parse_args(["extract", "x", "--jobs", "-1"])
    assert exc.value.code == 2


def test_corpus_jobs_1_and_jobs_2_write_identical_bytes(tmp_path: Path):
    if not CORPUS.is_dir():
        pytest.skip("no corpus/ folder")
    cmd = [sys.executable, "-m", "pipeline", "extract", str(CORPUS), "--quiet", "--out"]
    one = subprocess.run(cmd + [str(tmp_path / "one"), "--jobs", "1"], cwd=ROOT, capture_output=True,
                         text=True, timeout=600)
    two = subprocess.run(cmd + [str(tmp_path / "two"), "--jobs", "2"], cwd=ROOT, capture_output=True,
                         text=True, timeout=600)
    assert one.returncode == 0, one.stderr
    assert two.returncode == 0, two.stderr
    assert "jobs 2" in two.stdout and "reused 0" in two.stdout
    for name in OUTPUT_FILES:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
    with Store(tmp_path / "two" / STORE_NAME) as s:
        assert len(s) == len([p for p in CORPUS.iterdir() if p.is_file()])


# --------------------------------------------------------------------------
# The per-file budget (issue 9): worker processes for every batch, a time
# and a memory limit per file
# --------------------------------------------------------------------------

def runaway(path, *, max_bytes=0) -> DocumentRecord:  # noqa: ARG001 - a stand-in with the extractor's signature
    """``slow*`` files never finish, ``big*`` files grow to 600 MB; the others are fine."""
    name = Path(path).name
    if name.startswith("slow"):
        time.sleep(300)
    if name.startswith("big"):
        hog = bytearray(600 * 2**20)
        for i in range(0, len(hog), 4096):  # touch every page: resident, not just reserved
            hog[i] = 1
        time.sleep(300)
    return fake_extract(path)


def reports_pid(path, *, max_bytes=0) -> DocumentRecord:  # noqa: ARG001 - a stand-in with the extractor's signature
    rec = fake_extract(path)
    rec.extra["pid"] = os.getpid()
    return rec


def test_a_batch_runs_in_worker_processes_even_with_jobs_1_and_a_single_file_does_not(tmp_path: Path):
    files = make_docs(tmp_path / "docs", n=3)
    many = batch.run_batch(files, max_bytes=10**6, extractor=reports_pid, isolate=True)
    assert all(r.extra["pid"] != os.getpid() for r in many.records)
    assert len({r.extra["pid"] for r in many.records}) == 1  # one worker, reused
    one = batch.run_batch(files[:1], max_bytes=10**6, extractor=reports_pid, isolate=True)
    assert one.records[0].extra["pid"] == os.getpid()
    assert batch._isolate_by_default(None) and not batch._isolate_by_default(fake_extract)


def reports_blas_threads(path, *, max_bytes=0) -> DocumentRecord:  # noqa: ARG001 - the extractor's signature
    rec = fake_extract(path)
    rec.extra["blas"] = os.environ.get("OPENBLAS_NUM_THREADS")
    return rec


@pytest.mark.parametrize("given", [None, "3"])
def test_a_worker_gives_openblas_one_thread_unless_the_user_said(tmp_path: Path, monkeypatch, given):
    if given is None:
        monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    else:
        monkeypatch.setenv("OPENBLAS_NUM_THREADS", given)
    files = make_docs(tmp_path / "docs", n=2)
    res = batch.run_batch(files, max_bytes=10**6, extractor=reports_blas_threads, isolate=True)
    assert [r.extra["blas"] for r in res.records] == [given or "1"] * 2
    assert os.environ.get("OPENBLAS_NUM_THREADS") == given  # the parent's own setting is left alone


def test_the_workers_exit_after_the_batch_without_being_waited_for(tmp_path: Path):
    """The pool is closed without waiting for its workers' interpreters to tear
    down; they are told to stop, and do, by themselves."""
    files = make_docs(tmp_path / "docs", n=4)
    res = batch.run_batch(files, max_bytes=10**6, jobs=2, extractor=reports_pid, isolate=True)
    pids = {r.extra["pid"] for r in res.records}
    assert pids and os.getpid() not in pids
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        alive = set()
        for pid in pids:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][:1]
            except OSError:
                continue
            if state != "Z":  # a zombie has exited; the executor's thread reaps it
                alive.add(pid)
        if not alive:
            break
        time.sleep(0.05)
    assert not alive, f"worker processes still running: {sorted(alive)}"


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_file_over_its_time_or_memory_budget_is_one_error_record_and_the_batch_goes_on(
        tmp_path: Path, jobs: int, caplog):
    make_docs(tmp_path / "docs", n=4)
    make_docs(tmp_path / "docs", n=1, prefix="slow")
    make_docs(tmp_path / "docs", n=1, prefix="big")
    budget = batch.Budget(timeout=6, per_page=0, max_memory=300 * 2**20)  # 6 s: big0 fills 300 MB well before
    with caplog.at_level(logging.ERROR, logger="chitieu"):
        s = run([tmp_path / "docs"], tmp_path / "out", extractor=runaway, jobs=jobs, budget=budget, isolate=True)
    assert sorted(s.failures) == [("big0", "out_of_memory"), ("slow0", "timeout")]
    assert s.documents == 6 and s.targets == 4
    assert re.search(r"slow0\.txt: stopped after \d+ s, over the time allowed for one file \(--file-timeout 6\)",
                     caplog.text)
    assert "big0.txt: stopped when its worker used" in caplog.text and "over --max-memory 300 MB" in caplog.text
    assert caplog.text.count("slow0.txt") == 1 and caplog.text.count("big0.txt") == 1
    assert rows(tmp_path / "out") == 4  # neither is stored: a larger budget may let them through


def test_the_budget_on_the_command_line(tmp_path: Path, monkeypatch, capsys):
    make_docs(tmp_path / "docs", n=2)
    make_docs(tmp_path / "docs", n=1, prefix="slow")
    make_docs(tmp_path / "docs", n=1, prefix="big")
    monkeypatch.setattr(cli, "default_extractor", lambda: runaway)
    monkeypatch.setattr(batch, "_isolate_by_default", lambda extractor: True)  # noqa: ARG005 - stands in for it
    out = tmp_path / "out"
    argv = ["extract", str(tmp_path / "docs"), "--out", str(out), "-q", "--file-timeout", "6+1/page",
            "--max-memory", "300M"]
    assert cli.main(argv) == 1
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert len(err) == 2 and "Traceback" not in captured.err
    assert err[0].startswith("chitieu: ERROR: ") and err[0].endswith("raise --max-memory if the file is just large")
    assert "(--file-timeout 6+1/page)" in err[1]
    import csv

    with open(out / "errors.csv", encoding="utf-8-sig", newline="") as fh:
        assert [(r["doc_id"], r["error"]) for r in csv.DictReader(fh)] == [("big0", "out_of_memory"),
                                                                           ("slow0", "timeout")]
    assert "documents   4 (2 read, 2 failed)" in captured.out


def test_budget_options_and_their_defaults():
    args = cli.build_parser().parse_args(["extract", "x"])
    assert args.file_timeout == (batch.DEFAULT_FILE_TIMEOUT, batch.DEFAULT_PAGE_TIMEOUT)
    assert args.max_memory == batch.DEFAULT_MAX_MEMORY
    args = cli.build_parser().parse_args(["extract", "x", "--file-timeout", "0", "--max-memory", "0"])
    assert (args.file_timeout, args.max_memory) == ((0.0, 0.0), 0)
    assert cli.parse_timeout("60 + 5/page") == (60.0, 5.0)
    for bad in ("-1", "ten", "5+"):
        with pytest.raises(SystemExit):
            cli.build_parser().parse_args(["extract", "x", "--file-timeout", bad])
    assert batch.NO_LIMITS.seconds_for(Path("x")) is None


def test_the_time_allowed_grows_with_the_pages_of_a_pdf(tmp_path: Path):
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    for _ in range(3):
        pdf.add_page()
    pdf.output(str(tmp_path / "three.pdf"))
    (tmp_path / "plain.txt").write_text(TEXT, encoding="utf-8")
    budget = batch.Budget(timeout=100, per_page=10, max_memory=0)
    assert budget.seconds_for(tmp_path / "three.pdf") == 130
    assert budget.seconds_for(tmp_path / "plain.txt") == 100
    assert budget.seconds_for(tmp_path / "missing.pdf") == 100


def sigkilled_on_oom(path, *, max_bytes=0) -> DocumentRecord:  # noqa: ARG001 - a stand-in with the extractor's signature
    """``oom*`` files end their worker as the kernel's OOM killer does (SIGKILL)."""
    if Path(path).name.startswith("oom"):
        os.kill(os.getpid(), signal.SIGKILL)
    return fake_extract(path)


def test_a_worker_killed_by_the_system_oom_killer_is_out_of_memory_not_worker_crashed(tmp_path: Path):
    make_docs(tmp_path / "docs", n=3)
    make_docs(tmp_path / "docs", n=1, prefix="oom")
    s = run([tmp_path / "docs"], tmp_path / "out", extractor=sigkilled_on_oom, jobs=2)
    assert s.failures == [("oom0", "out_of_memory")]
    assert s.documents == 4 and s.targets == 3


def sleeps_on_pdf(path, *, max_bytes=0) -> DocumentRecord:  # noqa: ARG001 - a stand-in with the extractor's signature
    if Path(path).suffix == ".pdf":
        time.sleep(300)
    return fake_extract(path)


def test_a_pdf_gets_its_per_page_allowance_counted_in_the_worker(tmp_path: Path, caplog):
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    for _ in range(2):
        pdf.add_page()
    docs = tmp_path / "docs"
    make_docs(docs, n=1)
    pdf.output(str(docs / "scan.pdf"))
    budget = batch.Budget(timeout=1, per_page=2, max_memory=0)
    start = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="chitieu"):
        result = batch.run_batch([docs / "doc0.txt", docs / "scan.pdf"], max_bytes=10**6, extractor=sleeps_on_pdf,
                                 isolate=True, budget=budget)
    assert time.monotonic() - start >= 5  # 1 s + 2 pages x 2 s, not 1 s
    assert [r.error and r.error.code for r in result.records] == [None, "timeout"]
    assert "(--file-timeout 1+2/page, 5 s for its 2 pages)" in caplog.text


def test_meanwhile_runs_once_before_any_worker_is_started_and_not_for_one_file(tmp_path: Path):
    """``run_batch``'s ``meanwhile`` (the CLI's writer imports) is this
    process's work while the fork server imports spaCy: called once, before
    the executor starts a worker (so before one is waited for) and before any
    file is done; a single file, extracted here, starts no worker and does
    not call it."""
    import multiprocessing

    files = make_docs(tmp_path / "docs", n=3)
    events: list[str] = []
    running: list[set[int | None]] = []   # the processes alive at the call (a past batch's may be exiting)

    def meanwhile() -> None:
        events.append("meanwhile")
        running.append({p.pid for p in multiprocessing.active_children()})

    def progress(_path: Path, _reused: bool) -> None:
        events.append("done")

    res = batch.run_batch(files, max_bytes=10**6, extractor=reports_pid, isolate=True, meanwhile=meanwhile,
                          progress=progress)
    assert len(res.records) == 3 and all(r.extra["pid"] != os.getpid() for r in res.records)
    assert events == ["meanwhile", "done", "done", "done"]
    assert not {r.extra["pid"] for r in res.records} & running[0]   # its worker did not exist yet
    events.clear()
    batch.run_batch(files[:1], max_bytes=10**6, extractor=reports_pid, isolate=True, meanwhile=meanwhile,
                    progress=progress)
    assert events == ["done"]
