"""The adversarial set of issue 9: bad files beside a good one, and output
folders that cannot be written.

* every generator of :mod:`generators` (dense value lines with each
  separator, 400 values in one sentence, a line of digits and ``%``, a line
  of ``năm 2025``, citation-like and header-like phrases repeated, formula
  cells) in one batch beside a good document: the
  batch completes, exit 0, nothing on stderr, and the good document's
  outputs are byte-identical to its clean run;
* formula cells: escaped with ``'`` in the CSV files, text (never a
  formula) in comparison.xlsx, exact in documents.jsonl and Parquet;
  ``<script>`` and ``javascript:`` inert in report.html;
* a read-only output folder and a full one (a small tmpfs; skipped with the
  reason when this machine cannot mount one): exit 3 and the one stderr
  line of the README, nothing left behind;
* a Hypothesis test over the generators (small sizes): extraction completes
  with no error record and every evidence offset holds.

Sizes stay at a few KB so the suite is fast while the target reader is
quadratic in dense values; ``bench/bench.py`` runs the megabyte sizes.
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
import generators as gen  # noqa: E402

from pipeline import cli  # noqa: E402
from pipeline.outputs import write as export  # noqa: E402
from pipeline.models import DocumentRecord  # noqa: E402
from pipeline.store import STORE_NAME  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "corpus" / "001_88505ad80152d7eb.txt"  # the corpus document with the most targets
SIZE = 2000   # characters of each generated body in the batch test
BOM = b"\xef\xbb\xbf"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=900)


def read_csv(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.startswith(BOM)
    return list(csv.DictReader(io.StringIO(data[len(BOM):].decode("utf-8"), newline="")))


def jsonl_line(out: Path, doc_id: str) -> str:
    lines = [ln for ln in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()
             if json.loads(ln)["doc_id"] == doc_id]
    assert len(lines) == 1
    return lines[0]


def csv_rows(out: Path, name: str, doc_id: str) -> list[str]:
    text = (out / name).read_bytes()[len(BOM):].decode("utf-8")
    return [ln for ln in text.splitlines() if ln.startswith(doc_id + ",")]


# --------------------------------------------------------------------------
# Bad files beside a good one
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def batch_run(tmp_path_factory):
    if not GOOD.is_file():
        pytest.skip(f"{GOOD} is not in this checkout")
    base = tmp_path_factory.mktemp("adversarial")
    docs = base / "docs"
    docs.mkdir()
    shutil.copy(GOOD, docs / "good.txt")
    clean = run_cli("extract", str(docs / "good.txt"), "--out", str(base / "clean"), "-q")
    assert clean.returncode == 0, clean.stderr
    for name, text in gen.all_cases(SIZE).items():
        (docs / f"{name}.txt").write_text(text, encoding="utf-8")
    (docs / "script.txt").write_text(gen.HEADER + SCRIPT_LINES, encoding="utf-8")
    bad = run_cli("extract", str(docs), "--out", str(base / "out"), "-q")
    return base / "clean", base / "out", bad


SCRIPT_LINES = ('<script>alert("chitieu")</script> Phấn đấu 70% xã có điểm bưu điện văn hóa.\n'
                '<a href="javascript:alert(1)">bấm</a> 90% hộ gia đình có điện.\n'
                '<img src=x onerror="alert(2)"> javascript:alert(3)\n')


def test_the_batch_completes_with_exit_0_and_nothing_on_stderr(batch_run):
    _, out, proc = batch_run
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert "failed)" in proc.stdout and f"documents   {len(gen.all_cases(SIZE)) + 2} (" in proc.stdout
    assert read_csv(out / "errors.csv") == []


def test_the_good_file_beside_the_bad_ones_is_byte_identical_to_its_clean_run(batch_run):
    clean, out, _ = batch_run
    assert jsonl_line(out, "good") == jsonl_line(clean, "good")
    for name in ("documents.csv", "targets.csv", "references.csv"):
        assert csv_rows(out, name, "good") == csv_rows(clean, name, "good"), name
    assert csv_rows(clean, "targets.csv", "good")  # the comparison is not vacuous


def test_formula_cells_are_escaped_in_csv_and_exact_in_jsonl_and_parquet(batch_run):
    _, out, _ = batch_run
    rec = json.loads(jsonl_line(out, "formulas"))
    assert rec["targets"], "the formula document should give targets (evidence starting with = and @)"
    starts = [t["evidence"]["text"][:1] for t in rec["targets"]]
    assert "=" in starts or "@" in starts
    rows = [r for r in read_csv(out / "targets.csv") if r["doc_id"] == "formulas"]
    assert len(rows) == len(rec["targets"])
    for row, t in zip(sorted(rows, key=lambda r: int(r["evidence_start"])),
                      sorted(rec["targets"], key=lambda t: t["evidence"]["start"]), strict=True):
        exact = t["evidence"]["text"]
        assert row["evidence_text"] == ("'" + exact if exact[:1] in "=+-@" else exact)
    for table in [read_csv(out / n) for n in ("targets.csv", "documents.csv", "differences.csv",
                                              "comparison.csv", "references.csv")]:
        for row in table:
            for value in row.values():
                assert not (value or "")[:1] in ("=", "+", "@") or value.lstrip("+").replace(".", "").isdigit(), \
                    value
    import pyarrow.parquet as pq

    texts = set(pq.read_table(out / "targets.parquet").column("evidence_text").to_pylist())
    assert {t["evidence"]["text"] for t in rec["targets"]} <= texts
    src = (out.parent / "docs" / "formulas.txt").read_text(encoding="utf-8")
    for t in rec["targets"]:
        ev = t["evidence"]
        assert src[ev["start"]:ev["end"]] == ev["text"]


def test_formula_cells_are_text_not_formulas_in_comparison_xlsx(batch_run):
    import openpyxl

    _, out, _ = batch_run
    wb = openpyxl.load_workbook(out / "comparison.xlsx")
    formula_like = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith("=HYPERLINK("):
                    formula_like.append(cell.value)
    assert formula_like, "the =HYPERLINK line should be in the workbook, as text"


def test_script_and_javascript_links_are_inert_in_the_report(batch_run):
    _, out, _ = batch_run
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<script>alert("chitieu")</script>' not in html
    assert "<a href=\"javascript:" not in html and "<img src=x" not in html
    assert not re.search(r"""(?i)\b(?:href|src|action)\s*=\s*["']?\s*javascript:""", html)
    assert not re.search(r"""(?i)<[a-z][^>]*\son[a-z]+\s*=\s*["']?alert""", html)
    assert "&lt;script&gt;" in html  # the text is shown, escaped


# --------------------------------------------------------------------------
# Output folders that cannot be written
# --------------------------------------------------------------------------

def _mount_tmpfs(path: Path, options: str) -> None:
    path.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({proc.stderr.strip() or 'mount failed'}); "
                    "needs root with CAP_SYS_ADMIN")


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


@contextlib.contextmanager
def read_only_folder(base: Path):
    """A folder this process cannot write into: chmod for a normal user; for
    root (whom chmod does not stop), a read-only tmpfs."""
    folder = base / "ro"
    if os.geteuid() != 0:
        folder.mkdir()
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)
        return
    if not shutil.which("mount"):
        pytest.skip("running as root without the mount program: no read-only folder can be made")
    _mount_tmpfs(folder, "ro,size=1m")
    try:
        yield folder
    finally:
        _umount(folder)


@contextlib.contextmanager
def small_tmpfs(base: Path, size: str = "4m"):
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root and the mount program")
    folder = base / "small"
    _mount_tmpfs(folder, f"size={size}")
    try:
        yield folder
    finally:
        _umount(folder)


def fill(folder: Path) -> None:
    """Fill the file system of ``folder`` to the last byte."""
    with open(folder / "filler", "wb", buffering=0) as fh:
        for chunk in (1 << 16, 1 << 12, 1 << 8, 1):
            try:
                while True:
                    fh.write(b"\0" * chunk)
            except OSError:
                continue


def _one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "filler")


GOOD_TEXT = gen.HEADER + "- Phấn đấu 60% thư viện cấp huyện có dịch vụ học tập suốt đời.\n"


def test_a_read_only_output_folder_exits_3_with_one_line_before_any_work(tmp_path: Path):
    (tmp_path / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    with read_only_folder(tmp_path) as ro:
        proc = run_cli("extract", str(tmp_path / "a.txt"), "--out", str(ro / "out"), "-q")
        line = _one_line(proc.stderr)
        assert proc.returncode == 3
        assert line.startswith("chitieu extract: error: cannot create the output folder ")
        proc = run_cli("extract", str(tmp_path / "a.txt"), "--out", str(ro), "-q")
        assert proc.returncode == 3
        assert _one_line(proc.stderr).startswith("chitieu extract: error: cannot write in the output folder ")
        assert list(ro.iterdir()) == []
        assert proc.stdout == ""


def stand_in(path, *, max_bytes=0) -> DocumentRecord:  # noqa: ARG001 - a stand-in with the extractor's signature
    path = Path(path)
    data = path.read_bytes()
    import hashlib

    rec = DocumentRecord(path.stem, str(path), hashlib.sha256(data).hexdigest(), number=path.stem)
    rec.text, rec.format = data.decode("utf-8"), "text"
    return rec


def test_a_full_disk_while_storing_exits_3_and_leaves_no_store(tmp_path: Path, monkeypatch, capsys):
    src = tmp_path / "a.txt"
    src.write_text(GOOD_TEXT * 50, encoding="utf-8")
    with small_tmpfs(tmp_path) as disk:
        out = disk / "out"

        def fills_then_extracts(path, *, max_bytes=0):  # noqa: ARG001 - a stand-in with the extractor's signature
            fill(disk)
            return stand_in(path)

        monkeypatch.setattr(cli, "default_extractor", lambda: fills_then_extracts)
        assert cli.main(["extract", str(src), "--out", str(out), "-q"]) == 3
        line = _one_line(capsys.readouterr().err)
        assert line.startswith(f"chitieu extract: error: cannot write the store {out / STORE_NAME}: ")
        assert "full" in line
        assert _leftovers(out) == []  # no chitieu.sqlite, -wal, -shm, nor a temporary file


def test_a_full_disk_while_writing_outputs_exits_3_keeps_old_outputs_and_no_temp_files(
        tmp_path: Path, monkeypatch, capsys):
    src = tmp_path / "a.txt"
    src.write_text(GOOD_TEXT, encoding="utf-8")
    with small_tmpfs(tmp_path) as disk:
        out = disk / "out"
        out.mkdir()
        (out / "documents.jsonl").write_text("old\n")
        real = export.write_outputs

        def fills_then_writes(*a, **kw):
            fill(disk)
            return real(*a, **kw)

        monkeypatch.setattr(cli, "default_extractor", lambda: stand_in)
        monkeypatch.setattr(export, "write_outputs", fills_then_writes)
        assert cli.main(["extract", str(src), "--out", str(out), "-q"]) == 3
        line = _one_line(capsys.readouterr().err)
        assert line.startswith(f"chitieu extract: error: cannot write outputs to {out}: No space left on device")
        assert (out / "documents.jsonl").read_text() == "old\n"
        assert _leftovers(out) == ["chitieu.sqlite", "documents.jsonl"]  # the finished document is kept


# --------------------------------------------------------------------------
# Property: every generator, small sizes, completes with no error record
# --------------------------------------------------------------------------

_GENERATED = st.one_of(
    st.builds(gen.dense_values, st.integers(20, 1500), st.sampled_from(list(gen.SEPARATORS.values()))),
    st.builds(gen.many_values_sentence, st.integers(1, 400)),
    st.builds(gen.digits_line, st.integers(1, 4000)),
    st.builds(gen.year_line, st.integers(1, 4000)),
    st.builds(gen.citation_phrases, st.integers(1, 4000)),
    st.builds(gen.header_phrases, st.integers(1, 4000)),
    st.just(gen.formula_cells()),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_GENERATED)
def test_every_generated_text_is_extracted_without_an_error_record(text: str):
    from pipeline.core import extract_file

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "adversarial.txt"
        path.write_text(text, encoding="utf-8")
        rec = extract_file(path)
    assert rec.error is None, rec.error
    for ev in [t.evidence for t in rec.targets] + [r.evidence for r in rec.references]:
        assert text[ev.start:ev.end] == ev.text
