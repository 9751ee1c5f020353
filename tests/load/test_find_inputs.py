"""Folder scans: markdown is found, symlinked folders are followed once (loops
end), and what is left out is reported with its reason."""
from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from pipeline import cli

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks on this system")


def _tree(root: Path, files: list[str]) -> None:
    for rel in files:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")


def _rel(root: Path, paths) -> list[str]:
    return [Path(p).relative_to(root).as_posix() for p in paths]


def test_markdown_is_found_and_the_rest_reported(tmp_path):
    _tree(tmp_path, ["a.md", "b.markdown", "c.txt", "d.xlsx", "e.json", "f.json", "README",
                     ".hidden.md", "~$g.docx", ".git/h.txt"])
    skipped: list[cli.Skipped] = []
    found = cli.find_inputs([tmp_path], skipped=skipped)
    assert _rel(tmp_path, found) == ["a.md", "b.markdown", "c.txt"]
    reasons = sorted((Path(s.path).name, s.reason) for s in skipped)
    assert reasons == [(".git", "hidden"), (".hidden.md", "hidden"), ("README", "no extension"),
                       ("d.xlsx", "extension .xlsx not read"), ("e.json", "extension .json not read"),
                       ("f.json", "extension .json not read"), ("~$g.docx", "Office lock file")]


def test_symlinked_folder_is_followed_and_a_loop_ends(tmp_path):
    _tree(tmp_path, ["docs/a.txt", "docs/sub/b.txt", "elsewhere/c.docx"])
    os.symlink(tmp_path / "elsewhere", tmp_path / "docs" / "linked")      # outside the tree: followed
    os.symlink(tmp_path / "docs", tmp_path / "docs" / "sub" / "up")       # to an ancestor: a loop
    os.symlink(tmp_path / "docs" / "sub", tmp_path / "docs" / "again")    # inside the tree: once only
    os.symlink(tmp_path / "nowhere", tmp_path / "docs" / "dangling")
    skipped: list[cli.Skipped] = []
    found = cli.find_inputs([tmp_path / "docs"], skipped=skipped)
    assert _rel(tmp_path / "docs", found) == ["a.txt", "linked/c.docx", "sub/b.txt"]
    why = {Path(s.path).name: s.reason for s in skipped}
    assert why == {"up": "symlink loop", "again": "folder already searched", "dangling": "broken symlink"}


def test_loop_through_two_links_terminates(tmp_path):
    _tree(tmp_path, ["a/x.txt", "b/y.txt"])
    os.symlink(tmp_path / "b", tmp_path / "a" / "to_b")
    os.symlink(tmp_path / "a", tmp_path / "b" / "to_a")
    skipped: list[cli.Skipped] = []
    found = cli.find_inputs([tmp_path / "a"], skipped=skipped)
    assert _rel(tmp_path / "a", found) == ["to_b/y.txt", "x.txt"]
    assert [(Path(s.path).name, s.reason) for s in skipped] == [("to_a", "symlink loop")]


def test_report_skipped_counts_reasons_and_lists_entries(tmp_path, caplog):
    _tree(tmp_path, ["a.txt", ".h.txt"] + [f"t{i:02d}.xlsx" for i in range(12)])
    skipped: list[cli.Skipped] = []
    cli.find_inputs([tmp_path], skipped=skipped)
    logger = logging.getLogger("chitieu.test_find_inputs")
    with caplog.at_level(logging.INFO, logger=logger.name):
        cli.report_skipped(skipped, logger)
    records = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert records[0] == (logging.WARNING, "skipped 13 entries of the folders searched (not read, "
                                           "not in errors.csv): 12 extension .xlsx not read, 1 hidden")
    listed = [m for lvl, m in records if m.startswith("skipped ") and lvl == logging.INFO]
    assert len(listed) == 10 and listed[0] == f"skipped {tmp_path / 't00.xlsx'}: extension .xlsx not read"
    assert records[-1] == (logging.INFO, "... and 2 more skipped entries (--verbose lists them all)")


def test_only_hidden_entries_are_no_warning(tmp_path, caplog):
    _tree(tmp_path, ["a.txt", ".git/config"])
    skipped: list[cli.Skipped] = []
    cli.find_inputs([tmp_path], skipped=skipped)
    logger = logging.getLogger("chitieu.test_find_inputs")
    with caplog.at_level(logging.DEBUG, logger=logger.name):
        cli.report_skipped(skipped, logger)
    assert max(r.levelno for r in caplog.records) == logging.INFO


def test_extract_says_what_it_skipped_on_stderr(tmp_path, capsys, monkeypatch):
    """Even with --quiet the summary line is there (a document may be missing);
    the skipped files are not failures (exit 0, nothing in errors.csv)."""
    from pipeline.models import DocumentRecord

    _tree(tmp_path, ["in/plan.txt", "in/table.xlsx", "in/notes.md"])

    def fake(path, max_bytes=0):  # noqa: ARG001 - a stand-in with the extractor's signature
        return DocumentRecord(doc_id=Path(path).stem, source=str(path), sha256="0" * 64)

    monkeypatch.setattr("pipeline.core.extract_file", fake)
    code = cli.main(["extract", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 0
    assert "skipped 1 entry of the folders searched (not read, not in errors.csv): " \
           "1 extension .xlsx not read" in err
    errors = (tmp_path / "out" / "errors.csv").read_text(encoding="utf-8").strip().splitlines()
    assert len(errors) == 1  # the header only


def test_report_skipped_returns_every_line_for_a_log_file(tmp_path):
    _tree(tmp_path, ["a.txt"] + [f"t{i:02d}.xlsx" for i in range(12)])
    skipped: list[cli.Skipped] = []
    cli.find_inputs([tmp_path], skipped=skipped)
    lines = cli.report_skipped(skipped, logging.getLogger("chitieu.test_find_inputs"))
    assert len(lines) == 13 and lines[0].startswith("skipped 12 entries")
    assert lines[-1] == f"skipped {tmp_path / 't11.xlsx'}: extension .xlsx not read"
    assert cli.report_skipped([]) == []
