"""The ``chitieu`` command (pipeline/cli.py).

Usage errors, input discovery and the run/exit-status logic are tested with a
stand-in extractor, so they need no extraction models; the end-to-end tests
at the bottom run the real extractor and are skipped (with the reason shown)
only while its metadata/references modules are not in the tree.
"""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.outputs.tables import OUTPUT_FILES
from pipeline.models import DocError, DocumentRecord, Evidence, Target
from pipeline.store import STORE_NAME

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
BOM = b"\xef\xbb\xbf"

GOOD_TEXT = (
    "ỦY BAN NHÂN DÂN\nTỈNH ĐẮK NÔNG\nSố: 149/KH-UBND\n"
    "Đắk Nông, ngày 20 tháng 3 năm 2023\n\nKẾ HOẠCH\n"
    "Thực hiện Đề án xây dựng xã hội học tập trên địa bàn tỉnh\n"
    "2. Mục tiêu cụ thể đến năm 2025\n"
    "- Phấn đấu 60% thư viện cấp huyện có cung cấp dịch vụ phục vụ việc học tập suốt đời "
    "cho người sử dụng thư viện.\n"
)


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``python -m pipeline ARGS`` in a fresh process: real exit status, real streams."""
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=600)


def read_csv(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.startswith(BOM)
    return list(csv.DictReader(io.StringIO(data[len(BOM):].decode("utf-8"), newline="")))


def fake_extract(path: Path, *, max_bytes: int = 0) -> DocumentRecord:  # noqa: ARG001 - a stand-in with the extractor's signature
    """Stand-in for pipeline.core.extract_file: empty files fail, others give one target."""
    path = Path(path)
    data = path.read_bytes()
    if not data:
        rec = DocumentRecord(path.stem, str(path), "", warnings=[f"error: {path}: the file is empty"])
        rec.error = DocError("empty", f"{path}: the file is empty")
        cli.log.error("%s: the file is empty", path)
        return rec
    text = data.decode("utf-8", "replace")
    rec = DocumentRecord(path.stem, str(path), "0" * 64, province="Đắk Nông", number=path.stem,
                         targets=[Target("library", "lib.service", None, "district", 2025, None, 60.0, None,
                                         "percent", False, "at_least", Evidence(text[:3], 0, 3))])
    rec.text, rec.format = text, "text"
    return rec


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setattr(cli, "default_extractor", lambda: fake_extract)


# --------------------------------------------------------------------------
# Usage errors: exit 2, one clear line, no traceback
# --------------------------------------------------------------------------

def test_nonexistent_path_is_a_usage_error(tmp_path: Path):
    missing = tmp_path / "no-such-folder"
    proc = run_cli("extract", str(missing), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"chitieu extract: error: {missing}: no such file or folder"
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv, message", [
    pytest.param([], "a command is required", id="no-command"),
    pytest.param(["extract"], "the following arguments are required: PATH", id="no-path"),
    pytest.param(["frobnicate"], "invalid choice", id="unknown-command"),
    pytest.param(["extract", "corpus", "--max-bytes", "lots"], "not a size in bytes", id="bad-size"),
    pytest.param(["extract", "corpus", "--jobs", "many"], "not a number of jobs", id="bad-jobs"),
])
def test_usage_errors_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        code = cli.main(argv)
        raise SystemExit(code)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_folder_without_documents_is_a_usage_error(tmp_path: Path, capsys):
    (tmp_path / "notes.xlsx").write_text("nothing to read")
    assert cli.main(["extract", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "no documents found" in err and "1 extension .xlsx not read" in err


def test_out_that_is_a_file_is_a_usage_error(tmp_path: Path, capsys):
    (tmp_path / "a.txt").write_text(GOOD_TEXT)
    (tmp_path / "out").write_text("")
    assert cli.main(["extract", str(tmp_path / "a.txt"), "--out", str(tmp_path / "out")]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_help_and_eval_help_work():
    proc = run_cli("--help")
    assert proc.returncode == 0 and "extract" in proc.stdout and "eval" in proc.stdout
    proc = run_cli("eval", "--help")
    assert proc.returncode == 0 and "GOLD_DIR" in proc.stdout


def test_eval_delegates_to_evaluate(tmp_path: Path, capsys):
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "a.json").write_text(json.dumps({"doc_id": "a", "targets": [], "references": []}))
    out = tmp_path / "documents.jsonl"
    out.write_text(json.dumps({"doc_id": "a", "targets": [], "references": []}) + "\n")
    assert cli.main(["eval", str(out), str(gold), "--summary"]) == 0
    assert "chitieu eval: 1 gold docs" in capsys.readouterr().out
    assert cli.main(["eval", str(tmp_path / "missing.jsonl"), str(gold)]) == 2


@pytest.mark.parametrize("text, expected", [
    ("50000000", 50_000_000), ("50_000_000", 50_000_000), ("50M", 50_000_000), ("50MB", 50_000_000),
    ("1g", 10**9), ("64KiB", 65536),
])
def test_parse_size(text, expected):
    assert cli.parse_size(text) == expected


# --------------------------------------------------------------------------
# Finding inputs
# --------------------------------------------------------------------------

def test_find_inputs_recurses_sorted_supported_only(tmp_path: Path):
    for rel in ["b.txt", "a.DOCX", "sub/c.pdf", "sub/deeper/d.html", "notes.md", ".hidden.txt",
                ".git/x.txt", "~$lock.docx", "e.htm", "f.doc"]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")
    names = [p.relative_to(tmp_path).as_posix() for p in cli.find_inputs([tmp_path])]
    assert names == ["a.DOCX", "b.txt", "e.htm", "f.doc", "notes.md", "sub/c.pdf", "sub/deeper/d.html"]


def test_find_inputs_takes_named_files_as_given_once(tmp_path: Path):
    (tmp_path / "plan.rtf").write_text("x")
    (tmp_path / "a.txt").write_text("x")
    found = cli.find_inputs([tmp_path / "plan.rtf", tmp_path, tmp_path / "a.txt"])
    assert [p.name for p in found] == ["plan.rtf", "a.txt"]


# --------------------------------------------------------------------------
# A run with a stand-in extractor: exit status, outputs, summary
# --------------------------------------------------------------------------

@pytest.mark.usefixtures("fake")
def test_run_all_good_exits_0_and_prints_summary(tmp_path: Path, capsys):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("one.txt", "two.txt"):
        (docs / name).write_text(GOOD_TEXT, encoding="utf-8")
    assert cli.main(["extract", str(docs), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "documents   2 (2 read, 0 failed)" in out
    assert "targets     2" in out and "documents/s" in out and "characters/s" in out
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(OUTPUT_FILES + (STORE_NAME,))


@pytest.mark.usefixtures("fake")
def test_run_with_a_failure_exits_1_writes_everything_and_logs_the_file(tmp_path: Path, capsys):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (docs / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    assert cli.main(["extract", str(docs), "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert f"{docs / 'empty.txt'}: the file is empty" in captured.err
    assert "failed      empty: empty" in captured.out
    assert [r["doc_id"] for r in read_csv(out / "errors.csv")] == ["empty"]
    assert len(out.joinpath("documents.jsonl").read_text(encoding="utf-8").splitlines()) == 2


def test_an_extractor_crash_is_one_failed_file_not_a_dead_batch(tmp_path: Path, monkeypatch, capsys):
    def crashes_on_b(path, *, max_bytes=0):  # noqa: ARG001 - a stand-in with the extractor's signature
        if path.name == "b.txt":
            raise ValueError("bug in a loader")
        return fake_extract(path)

    monkeypatch.setattr(cli, "default_extractor", lambda: crashes_on_b)
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(GOOD_TEXT, encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["extract", str(tmp_path), "--out", str(out), "-q"]) == 1
    assert "b.txt: extraction failed (ValueError: bug in a loader)" in capsys.readouterr().err
    assert [(r["doc_id"], r["error"]) for r in read_csv(out / "errors.csv")] == [("b", "internal_error")]
    assert len(out.joinpath("documents.jsonl").read_text(encoding="utf-8").splitlines()) == 3


@pytest.mark.usefixtures("fake")
def test_default_out_is_outputs_in_the_working_directory(tmp_path: Path, monkeypatch):
    (tmp_path / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["extract", "a.txt", "-q"]) == 0
    assert (tmp_path / "outputs" / "documents.jsonl").is_file()


def test_interrupt_exits_130_and_keeps_old_outputs(tmp_path: Path, monkeypatch, capsys):
    (tmp_path / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "documents.jsonl").write_text("old\n")

    def interrupted(path, *, max_bytes=0):  # noqa: ARG001 - a stand-in with the extractor's signature
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "default_extractor", lambda: interrupted)
    assert cli.main(["extract", str(tmp_path / "a.txt"), "--out", str(out), "-q"]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["documents.jsonl"]
    assert (out / "documents.jsonl").read_text() == "old\n"


def test_max_bytes_reaches_the_extractor(tmp_path: Path, monkeypatch):
    seen = []

    def spy(path, *, max_bytes):
        seen.append(max_bytes)
        return fake_extract(path)

    monkeypatch.setattr(cli, "default_extractor", lambda: spy)
    (tmp_path / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    cli.main(["extract", str(tmp_path / "a.txt"), "--out", str(tmp_path / "o"), "--max-bytes", "2M", "-q"])
    assert seen == [2_000_000]


# --------------------------------------------------------------------------
# End to end with the real extractor
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_extractor():
    from pipeline.core import extract_file
    return extract_file


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory):
    """A folder with a good plan text, an empty file and a binary file, run through the CLI."""
    base = tmp_path_factory.mktemp("mixed")
    docs = base / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (docs / "empty.txt").write_bytes(b"")
    (docs / "binary.txt").write_bytes(bytes(range(256)) * 64)
    out = base / "out"
    proc = run_cli("extract", str(docs), "--out", str(out))
    return docs, out, proc


def test_cli_mixed_folder_exits_1(mixed_run):
    _, _, proc = mixed_run
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "documents   3 (1 read, 2 failed)" in proc.stdout


def test_cli_mixed_folder_logs_one_line_per_bad_file(mixed_run):
    docs, _, proc = mixed_run
    error_lines = [line for line in proc.stderr.splitlines() if "ERROR" in line]
    assert len(error_lines) == 2, proc.stderr
    assert any(str(docs / "empty.txt") in line for line in error_lines)
    assert any(str(docs / "binary.txt") in line for line in error_lines)


def test_cli_mixed_folder_errors_csv_lists_the_two_bad_files(mixed_run):
    _, out, _ = mixed_run
    rows = read_csv(out / "errors.csv")
    assert [r["doc_id"] for r in rows] == ["binary", "empty"]
    assert all(r["error"] and r["message"] for r in rows)
    assert rows[1]["error"] == "empty"


def test_cli_mixed_folder_jsonl_has_all_three_records(mixed_run):
    _, out, _ = mixed_run
    objs = [json.loads(line) for line in out.joinpath("documents.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [o["doc_id"] for o in objs] == ["binary", "empty", "good"]
    assert all(tuple(o) == DocumentRecord.SCHEMA_KEYS for o in objs)
    good = objs[2]
    assert good["targets"], "the good plan text should yield its target"
    assert good["warnings"] == [] or all(not w.startswith("error:") for w in good["warnings"])


def test_cli_corpus_run_is_deterministic(tmp_path: Path):
    if not CORPUS.is_dir():
        pytest.skip("no corpus/ folder")
    first = run_cli("extract", str(CORPUS), "--out", str(tmp_path / "one"), "--quiet")
    second = run_cli("extract", str(CORPUS), "--out", str(tmp_path / "two"), "--quiet")
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    for name in OUTPUT_FILES:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == sorted(OUTPUT_FILES + (STORE_NAME,))
    n_docs = len(list(CORPUS.glob("*.txt")))
    assert f"documents   {n_docs} ({n_docs} read, 0 failed)" in first.stdout


def test_extract_with_baseline(tmp_path):
    from pipeline.cli import main

    out = tmp_path / "out"
    corpus = Path(__file__).resolve().parent.parent / "corpus"
    assert main(["extract", str(corpus), "--out", str(out), "--quiet",
                 "--baseline", "001_88505ad80152d7eb"]) == 0
    cols = (out / "comparison_columns.csv").read_text(encoding="utf-8-sig").splitlines()
    assert any(line.split(",")[1] == "baseline" and "001_88505ad80152d7eb" in line for line in cols[1:])
    assert (out / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_extract_with_unknown_baseline_is_a_usage_error(tmp_path, capsys):
    from pipeline.cli import main

    corpus = Path(__file__).resolve().parent.parent / "corpus"
    assert main(["extract", str(corpus), "--out", str(tmp_path / "o"), "--quiet", "--baseline", "nope"]) == 2
    assert "--baseline nope" in capsys.readouterr().err


def test_the_program_is_main_then_its_objects_frozen_for_a_quick_exit(monkeypatch):
    """``python -m pipeline`` and the installed script run ``pipeline.__main__.run``:
    the command's exit status, and the objects left frozen (gc.freeze) so that
    the interpreter's exit skips walking them."""
    import gc
    import tomllib

    from pipeline import __main__ as program

    monkeypatch.setattr(cli, "dispatch", lambda args: 3 if args.command == "compare" else 0)
    monkeypatch.setattr(sys, "argv", ["chitieu", "compare", "somewhere"])
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "")  # so that the run's setting is undone after the test
    monkeypatch.delenv("OPENBLAS_NUM_THREADS")
    assert gc.get_freeze_count() == 0
    try:
        assert program.run() == 3
        assert gc.get_freeze_count() > 0
        assert os.environ["OPENBLAS_NUM_THREADS"] == "1"  # numpy's threads: one (no linear algebra here)
    finally:
        gc.unfreeze()
    monkeypatch.setattr(sys, "argv", ["chitieu"])
    try:
        assert program.run() == 2  # no command: the usage, exit 2
    finally:
        gc.unfreeze()
    project = tomllib.loads((Path(cli.__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"]["chitieu"] == "pipeline.__main__:run"


@pytest.mark.parametrize("argv", [["--help"], ["extract", "--help"], ["extract"], ["frobnicate"]])
def test_help_and_usage_errors_load_only_the_parser(argv):
    """``chitieu --help`` and a usage error are answered by the parser alone
    (pipeline.arguments): the commands' plumbing is never imported, so they
    start about as fast as Python and argparse do (bench/speed_bench.py times it)."""
    code = ("import sys\nfrom pipeline.__main__ import run\n"
            "try:\n    run()\nexcept SystemExit:\n    pass\n"
            "heavy = ('pipeline.cli', 'pipeline.runs', 'pipeline.inputs', 'logging', 'dataclasses', 'tempfile')\n"
            "print([m for m in heavy if m in sys.modules], file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.stderr.strip().splitlines()[-1] == "[]", done.stderr
    assert "usage: chitieu" in done.stdout + done.stderr


# --------------------------------------------------------------------------
# Usage, write failures, internal errors (issue 9)
# --------------------------------------------------------------------------

def test_no_command_lists_every_command_in_the_usage(capsys):
    assert cli.main([]) == 2
    err = capsys.readouterr().err
    assert "{extract,compare,eval,review}" in err.splitlines()[0]
    assert "a command is required: extract, compare, eval or review" in err


def test_an_output_folder_that_cannot_be_created_exits_3_before_any_work(tmp_path: Path, monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(cli, "default_extractor", lambda: lambda p, **kw: calls.append(p))  # noqa: ARG005 - an extractor
    (tmp_path / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (tmp_path / "file").write_text("x")
    assert cli.main(["extract", str(tmp_path / "a.txt"), "--out", str(tmp_path / "file" / "out"), "-q"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("chitieu extract: error: cannot create the output folder ")
    assert calls == []


@pytest.mark.usefixtures("fake")
def test_temporary_files_left_by_a_killed_write_are_removed_by_the_next_run(tmp_path: Path):
    (tmp_path / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    stale = [out / ".documents.jsonl.k3j_x9ab.tmp", out / ".comparison.xlsx.0abc12de.tmp",
             out / ".chitieu.log.zz99yy88.tmp"]
    kept = [out / ".notes.abcdefgh.tmp", out / "mine.tmp", out / ".documents.jsonl.tmp"]
    for p in stale + kept:
        p.write_bytes(b"partial")
    assert cli.main(["extract", str(tmp_path / "a.txt"), "--out", str(out), "-q"]) == 0
    assert [p for p in stale if p.exists()] == []
    assert all(p.exists() for p in kept)


@pytest.mark.usefixtures("fake")
def test_a_failing_output_write_exits_3_with_one_line_and_removes_its_temporary_files(
        tmp_path: Path, monkeypatch, capsys):
    from pipeline.outputs import atomic as export

    (tmp_path / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "documents.jsonl").write_text("old\n")
    real_stage, staged = export._stage, []

    def stage_then_fail(path, data):
        if len(staged) == 3:
            raise OSError(28, "No space left on device", str(path))
        staged.append(real_stage(path, data))
        return staged[-1]

    monkeypatch.setattr(export, "_stage", stage_then_fail)
    assert cli.main(["extract", str(tmp_path / "a.txt"), "--out", str(out), "-q"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"chitieu extract: error: cannot write outputs to {out}: No space left on device")
    assert len(staged) == 3 and not any(Path(tmp).exists() for tmp, _ in staged)
    assert sorted(p.name for p in out.iterdir()) == ["chitieu.sqlite", "documents.jsonl"]
    assert (out / "documents.jsonl").read_text() == "old\n"


@pytest.mark.usefixtures("fake")
def test_a_store_that_cannot_be_written_exits_3_with_one_line(tmp_path: Path, capsys):
    (tmp_path / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / STORE_NAME).write_bytes(b"this is not a database, but it is long enough to be read as one" * 20)
    assert cli.main(["extract", str(tmp_path / "a.txt"), "--out", str(out), "-q"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"chitieu extract: error: cannot write the store {out / STORE_NAME}: ")
    assert (out / STORE_NAME).exists()  # not ours to delete: it was there before the run


def _crashes_on_b(path, *, max_bytes=0):  # noqa: ARG001 - a stand-in with the extractor's signature
    if Path(path).name == "b.txt":
        raise ValueError("bug in a loader")
    return fake_extract(path)


@pytest.mark.parametrize("flags, traceback_on_stderr", [
    (["-q"], False), ([], False), (["--verbose"], True), (["--verbose", "--quiet"], False)])
def test_an_internal_error_is_one_line_and_its_traceback_goes_to_chitieu_log(
        tmp_path: Path, monkeypatch, capsys, flags, traceback_on_stderr):
    monkeypatch.setattr(cli, "default_extractor", lambda: _crashes_on_b)
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(GOOD_TEXT, encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["extract", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--out", str(out), *flags]) == 1
    captured = capsys.readouterr()
    line = f"{tmp_path / 'b.txt'}: extraction failed (ValueError: bug in a loader); please report this file"
    assert captured.err.count(line) == (2 if traceback_on_stderr else 1)
    assert ("Traceback" in captured.err) is traceback_on_stderr
    assert f"chitieu: ERROR: {line}" in captured.err.splitlines()
    log = (out / cli.LOG_NAME).read_text(encoding="utf-8")
    assert line in log and "Traceback (most recent call last)" in log and "ValueError: bug in a loader" in log
    assert f"log         {out / cli.LOG_NAME}" in captured.out
    assert [(r["doc_id"], r["error"]) for r in read_csv(out / "errors.csv")] == [("b", "internal_error")]
    assert "Traceback" not in (out / "documents.jsonl").read_text(encoding="utf-8")


@pytest.mark.usefixtures("fake")
def test_an_internal_error_outside_any_file_is_one_line_exit_3_and_logged(tmp_path: Path, monkeypatch,
                                                                         capsys):
    from pipeline.outputs import write as export

    def broken(*a, **kw):  # noqa: ARG001 - stands in for any call
        raise RuntimeError("a bug in an output writer")

    monkeypatch.setattr(export, "write_outputs", broken)
    (tmp_path / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["extract", str(tmp_path / "a.txt"), "--out", str(out), "-q"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("chitieu extract: internal error (RuntimeError: a bug in an output writer); "
                          "no output was written; the traceback is in ")
    assert "RuntimeError: a bug in an output writer" in (out / cli.LOG_NAME).read_text(encoding="utf-8")


@pytest.mark.usefixtures("fake")
def test_no_log_file_when_nothing_went_wrong(tmp_path: Path):
    (tmp_path / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    assert cli.main(["extract", str(tmp_path / "a.txt"), "--out", str(tmp_path / "out"), "-q"]) == 0
    assert not (tmp_path / "out" / cli.LOG_NAME).exists()


@pytest.mark.usefixtures("fake")
def test_compare_into_a_folder_that_cannot_be_created_exits_3(tmp_path: Path, capsys):
    (tmp_path / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    assert cli.main(["extract", str(tmp_path / "a.txt"), "--out", str(tmp_path / "out"), "-q"]) == 0
    (tmp_path / "file").write_text("x")
    capsys.readouterr()
    assert cli.main(["compare", str(tmp_path / "out"), "--out", str(tmp_path / "file" / "cmp")]) == 3
    assert capsys.readouterr().err.startswith("chitieu compare: error: cannot create the output folder ")
