"""The five corpus documents, rendered into every format plans come in, give
the targets of their plain text.

Each ``corpus/*.txt`` is rendered here (builders in ``tests/formats/``) into
DOCX (real Word list numbering, the header and signature blocks as layout
tables), a text-layer PDF (lists of yearly targets set as ruled tables), the
same PDF printed and scanned (images only, OCR'd), a portal web page, Word
97-2003 .doc, and TCVN3-encoded .txt / .doc / .docx.  Every rendering goes
through :func:`pipeline.core.extract_file`, and its targets are scored with
:func:`pipeline.evaluate.evaluate` against the ``.txt`` extraction of the same
document written as gold: strict target F1, pooled over the corpus, must be
within 0.02 of the .txt's own (1.0), within 0.05 for OCR.

A table-form plan (targets only in tables, both orientations, merged header
cells) must extract fully from DOCX, PDF and HTML.

Known loader/extractor gaps are ``xfail(strict=True)`` tests at the end.
Run with ``-s`` (or look at the end of the output) for the per-format table.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from formats import docs as doc_renders
from formats import render
from formats.table_plan import EXPECTED, TIERS_BY_YEARS, table_plan
from pipeline.core import extract_file
from pipeline.evaluate import evaluate

CORPUS = sorted(render.CORPUS.glob("*.txt"))
TOLERANCE = 0.02
OCR_TOLERANCE = 0.05
OCR_DPI = 250


def need_tool(program: str, package: str) -> None:
    """Skip when a system program is missing, except in CI, where it must be there."""
    if shutil.which(program) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{program} missing in CI: run scripts/install-system-deps.sh (Debian package {package})")
        pytest.skip(f"{program} not installed (Debian package {package}; see scripts/install-system-deps.sh)")


def need_fonts() -> None:
    for font in (render.SERIF, render.SERIF_BOLD, render.SANS):
        if not font.exists():
            if os.environ.get("CI"):
                pytest.fail(f"{font} missing in CI: run scripts/install-system-deps.sh ({render.FONTS_PACKAGE})")
            pytest.skip(f"{font} not installed (Debian package {render.FONTS_PACKAGE})")


def need_tesseract() -> None:
    need_tool("tesseract", "tesseract-ocr tesseract-ocr-vie")
    from pipeline.load.ocr import LANGUAGE, _languages
    if LANGUAGE not in _languages(shutil.which("tesseract")):
        if os.environ.get("CI"):
            pytest.fail("tesseract has no Vietnamese data in CI: install tesseract-ocr-vie")
        pytest.skip("tesseract has no Vietnamese data (Debian package tesseract-ocr-vie)")


def key(t) -> tuple:
    return (t.indicator, t.tier, t.year, t.value, t.value_max)


# --------------------------------------------------------------------------
# The .txt results, as gold
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def txt_records():
    assert len(CORPUS) == 5, CORPUS
    return {p.stem: extract_file(p) for p in CORPUS}


@pytest.fixture(scope="module")
def gold_dir(tmp_path_factory, txt_records):
    """The .txt extraction of each document, written as a gold file."""
    d = tmp_path_factory.mktemp("txt-gold")
    for stem, rec in txt_records.items():
        assert rec.error is None, rec.warnings
        (d / f"{stem}.json").write_text(json.dumps(rec.to_json(), ensure_ascii=False), encoding="utf-8")
    return d


def score(records: dict, gold: Path):
    return evaluate([r.to_json() for r in records.values()], [gold])


# --------------------------------------------------------------------------
# Renderings: one module-scoped build per format
# --------------------------------------------------------------------------

@dataclass
class Format:
    name: str
    suffix: str
    loaded_as: str                     # LoadedText.format the loader must report
    tolerance: float = TOLERANCE
    tools: tuple = ()                  # (program, Debian package)


FORMATS = [
    Format("docx", ".docx", "docx"),
    Format("pdf", ".pdf", "pdf"),
    Format("pdf-ocr", ".pdf", "pdf-ocr", OCR_TOLERANCE, (("tesseract", "tesseract-ocr tesseract-ocr-vie"),)),
    Format("html", ".html", "html"),
    Format("doc", ".doc", "doc", tools=(("antiword", "antiword"),)),
    Format("tcvn3-txt", ".txt", "txt"),
    Format("tcvn3-doc", ".doc", "doc", tools=(("antiword", "antiword"),)),
    Format("tcvn3-docx", ".docx", "docx"),
]
BY_NAME = {f.name: f for f in FORMATS}


@dataclass
class Run:
    fmt: Format
    files: dict = field(default_factory=dict)      # stem -> rendered file
    records: dict = field(default_factory=dict)    # stem -> DocumentRecord
    build_s: float = 0.0
    extract_s: float = 0.0
    pages: int = 0


RESULTS: dict[str, dict] = {}


def _doc_files(tmp_path_factory) -> dict[str, Path]:
    """Every .doc rendering: made by LibreOffice when it is installed, else
    the committed copies (see ``tests/formats/docs.py``)."""
    if render.soffice() is not None:
        return doc_renders.render_docs(tmp_path_factory.mktemp("doc-render"))
    found, stale = doc_renders.committed_docs()
    if stale:
        msg = (f"committed .doc renderings missing or stale ({', '.join(stale)}); regenerate them with "
               "LibreOffice: python -m tests.formats.docs")
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return found


def _pdf_pages(path: Path) -> int:
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(str(path))
    try:
        return len(doc)
    finally:
        doc.close()


class Renderings:
    """Builds each format of the whole corpus once (on first use) and extracts it."""

    def __init__(self, tmp_path_factory) -> None:
        self.tmp = tmp_path_factory
        self.runs: dict[str, Run] = {}
        self._docs: dict[str, Path] | None = None

    def docs(self) -> dict[str, Path]:
        if self._docs is None:
            self._docs = _doc_files(self.tmp)
        return self._docs

    def __call__(self, name: str) -> Run:
        fmt = BY_NAME[name]
        need_fonts()
        for program, package in fmt.tools:
            need_tesseract() if program == "tesseract" else need_tool(program, package)
        if name not in self.runs:
            self.runs[name] = self._run(fmt)
        return self.runs[name]

    def _run(self, fmt: Format) -> Run:
        out = self.tmp.mktemp(fmt.name)
        r = Run(fmt)
        t0 = time.perf_counter()
        for src in CORPUS:
            r.files[src.stem] = self.build(fmt, src, out)
        r.build_s = time.perf_counter() - t0
        if fmt.suffix == ".pdf":
            r.pages = sum(_pdf_pages(p) for p in r.files.values())
        t0 = time.perf_counter()
        for stem, path in r.files.items():
            r.records[stem] = extract_file(path)
        r.extract_s = time.perf_counter() - t0
        return r

    def build(self, fmt: Format, src: Path, out: Path) -> Path:
        """Render corpus document ``src`` in format ``fmt`` as ``out/<stem><suffix>``."""
        path = out / f"{src.stem}{fmt.suffix}"
        text = src.read_text(encoding="utf-8")
        if fmt.name == "docx":
            return render.to_docx(render.parse_plan(text, src.stem), path, numbering=True)
        if fmt.name == "pdf":
            return render.to_text_pdf(render.parse_plan(text, src.stem, target_tables=True), path)
        if fmt.name == "pdf-ocr":
            printed = render.to_text_pdf(render.parse_plan(text, src.stem), out / f"{src.stem}.printed")
            scanned = render.to_scanned_pdf(printed, path, dpi=OCR_DPI)
            printed.unlink()
            return scanned
        if fmt.name == "html":
            return render.to_html(render.parse_plan(text, src.stem, target_tables=True), path)
        if fmt.name == "tcvn3-txt":
            return render.to_tcvn3_txt(text, path)
        if fmt.name == "tcvn3-docx":
            return render.to_tcvn3_docx(render.parse_plan(text, src.stem), path)
        if fmt.name in ("doc", "tcvn3-doc"):
            name = src.stem + (".tcvn3" if fmt.name == "tcvn3-doc" else "")
            shutil.copyfile(self.docs()[name], path)
            return path
        raise AssertionError(fmt.name)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Renderings:
    return Renderings(tmp_path_factory)


# --------------------------------------------------------------------------
# The main check: every format gives the targets of the .txt
# --------------------------------------------------------------------------

def test_txt_against_itself(txt_records, gold_dir):
    report = score(txt_records, gold_dir)
    strict = report.combined.targets("strict")
    RESULTS["txt"] = dict(f1=strict.f1, tp=strict.tp, fp=strict.fp, fn=strict.fn, pages=0,
                          targets=sum(len(r.targets) for r in txt_records.values()), docs=len(txt_records),
                          fields=report.combined.fields.accuracy, build_s=0.0, extract_s=0.0)
    assert strict.f1 == 1.0
    assert RESULTS["txt"]["targets"] >= 50  # the corpus does carry targets


@pytest.mark.parametrize("name", [f.name for f in FORMATS])
def test_targets_match_txt(name, runs, txt_records, gold_dir):
    run = runs(name)
    fmt = run.fmt
    for stem, rec in run.records.items():
        assert rec.error is None, (stem, rec.warnings)
        assert rec.format == fmt.loaded_as, (stem, rec.format)
    report = score(run.records, gold_dir)
    strict = report.combined.targets("strict")
    baseline = score(txt_records, gold_dir).combined.targets("strict").f1
    RESULTS[name] = dict(
        f1=strict.f1, tp=strict.tp, fp=strict.fp, fn=strict.fn, docs=len(run.records),
        targets=sum(len(r.targets) for r in run.records.values()), build_s=run.build_s,
        extract_s=run.extract_s, pages=run.pages, fields=report.combined.fields.accuracy,
        per_doc=" ".join(f"{d.doc_id[:3]}:{d.targets['strict'].f1:.2f}" for d in report.combined.docs))
    diffs = "\n".join(d.format() for d in report.combined.docs if d.target_misses or d.target_extras)
    assert strict.f1 >= baseline - fmt.tolerance, (
        f"{name}: strict target F1 {strict.f1:.3f} vs {baseline:.3f} for .txt\n{diffs}")


# --------------------------------------------------------------------------
# Each rendering is what it claims to be, and the loader's part in it works
# --------------------------------------------------------------------------

def _lines(text: str) -> list[str]:
    return [" ".join(ln.split()) for ln in text.split("\n") if ln.strip()]


def test_docx_labels_are_word_numbering_and_header_is_a_layout_table(runs):
    import docx

    run = runs("docx")
    numbered_total = 0
    for stem, path in run.files.items():
        plan = render.read_plan(render.CORPUS / f"{stem}.txt")
        d = docx.Document(str(path))
        numbered = [p for p in d.paragraphs if p._p.pPr is not None and p._p.pPr.numPr is not None]
        numbered_total += len(numbered)
        for p in numbered:  # the label is drawn by Word, not typed
            assert render.list_label(p.text) is None and p.text.strip(), p.text
        loaded = _lines(run.records[stem].text)
        for block in plan.blocks:   # ... and the loader draws it again, exactly as the .txt has it
            if isinstance(block, render.Para):
                assert block.text in loaded, (stem, block.text)
        body = d.element.body
        first = body[0].tag.rsplit("}", 1)[-1]
        if isinstance(plan.blocks[0], render.Layout):
            assert first == "tbl" and "w:val=\"nil\"" in body[0].xml  # borderless two-column header
            left, right = plan.blocks[0].rows[0]
            assert loaded[:len(left) + len(right)] == left + right, loaded[:8]
    assert numbered_total >= 150


def test_html_page_gives_the_article_without_the_portal(runs):
    run = runs("html")
    for stem, path in run.files.items():
        page = path.read_text(encoding="utf-8")
        assert all(b in page for b in render.PORTAL_BOILERPLATE)
        text = run.records[stem].text
        flat = " ".join(text.split())
        plan = render.read_plan(render.CORPUS / f"{stem}.txt", target_tables=True)
        for block in plan.blocks:
            if isinstance(block, render.Para):
                body = block.text[2:] if block.text.startswith("- ") else block.text
                assert " ".join(body.split()) in flat, (stem, block.text)
        leaked = [b for b in render.PORTAL_BOILERPLATE if b in text]
        assert not leaked, (stem, leaked)


def test_tcvn3_renderings_are_legacy_bytes(runs):
    for name in ("tcvn3-txt", "tcvn3-docx", "tcvn3-doc"):
        run = runs(name)
        for stem in run.files:
            rec = run.records[stem]
            assert any("TCVN3" in w for w in rec.warnings), (name, stem, rec.warnings)
        if name == "tcvn3-txt":
            for path in run.files.values():
                data = path.read_bytes()
                assert "ư".encode() not in data and b"\xad" in data   # "ư" is byte 0xAD in TCVN3


def test_scans_have_no_text_layer(runs):
    import pdfplumber

    run = runs("pdf-ocr")
    for stem, path in run.files.items():
        with pdfplumber.open(path) as pdf:
            assert all(not (page.extract_text() or "").strip() for page in pdf.pages)
            assert all(page.images for page in pdf.pages)
        rec = run.records[stem]
        assert rec.ocr_confidence > 80, (stem, rec.ocr_confidence)


def test_pdf_lists_of_targets_are_ruled_tables(runs, txt_records):
    """Where the .txt lists yearly targets, the PDF has ruled tables, the
    loader finds them (merged header cells included), and their targets are
    those of the lists."""
    from pipeline.load import load

    run = runs("pdf")
    stem = next(s for s in run.files if s.startswith("002_"))
    plan = render.read_plan(render.CORPUS / f"{stem}.txt", target_tables=True)
    made = [b for b in plan.blocks if isinstance(b, render.GridTable)]
    assert len(made) >= 4
    loaded = load(run.files[stem])
    value_tables = [t for t in loaded.tables if any("%" in c.text for row in t.rows for c in row)]
    assert len(value_tables) >= len(made)
    assert any(c.colspan == 2 for t in value_tables for row in t.rows for c in row)
    assert Counter(map(key, run.records[stem].targets)) == Counter(map(key, txt_records[stem].targets))


def test_committed_doc_copies_are_current(runs):
    """The .doc copies in tests/formats/data (used where LibreOffice is not
    installed) match the corpus and read like a fresh LibreOffice rendering."""
    need_tool("antiword", "antiword")
    from pipeline.load import load

    found, stale = doc_renders.committed_docs()
    assert not stale, f"stale .doc copies {stale}: run python -m tests.formats.docs (needs LibreOffice)"
    fresh = runs.docs()
    for name, path in found.items():
        if fresh[name] != path:
            assert load(path).text == load(fresh[name]).text, name


# --------------------------------------------------------------------------
# A table-form plan: targets only in tables, both orientations, merged headers
# --------------------------------------------------------------------------

def _table_targets(rec) -> Counter:
    assert rec.error is None, rec.warnings
    return Counter((t.indicator, t.tier, t.year, t.value, t.value_max, t.unit) for t in rec.targets)


@pytest.mark.parametrize("name", ["docx", "pdf", "html"])
def test_table_form_plan_extracts_fully(name, tmp_path):
    need_fonts()
    plan = table_plan()
    path = tmp_path / f"table_plan.{name}"
    {"docx": render.to_docx, "pdf": render.to_text_pdf, "html": render.to_html}[name](plan, path)
    rec = extract_file(path)
    assert rec.format == name
    got = _table_targets(rec)
    assert got == EXPECTED, f"missing {dict(EXPECTED - got)}, extra {dict(got - EXPECTED)}"
    assert rec.number == "95/KH-UBND" and rec.province == "Ninh Bình"
    text = rec.text
    for t in rec.targets:   # evidence is the table row, and sits where it says
        assert text[t.evidence.start:t.evidence.end] == t.evidence.text and " | " in t.evidence.text


# --------------------------------------------------------------------------
# Known gaps (xfail, strict: they start failing when fixed; then drop the mark)
# --------------------------------------------------------------------------

def test_table_form_plan_from_doc(runs):
    need_tool("antiword", "antiword")
    rec = extract_file(runs.docs()["table_plan"])
    assert rec.format == "doc"
    got = _table_targets(rec)
    assert got == EXPECTED, f"missing {dict(EXPECTED - got)}, extra {dict(got - EXPECTED)}"


@pytest.mark.xfail(strict=True, reason=(
    "OCR loader: scanned pages come back as lines only (pipeline/load/pdf.py _ocr keeps no table "
    "structure), so a scanned table-form plan gives no targets"))
def test_table_form_plan_from_scan(tmp_path):
    need_fonts()
    need_tesseract()
    printed = render.to_text_pdf(table_plan(), tmp_path / "printed.pdf")
    rec = extract_file(render.to_scanned_pdf(printed, tmp_path / "table_plan.pdf", dpi=OCR_DPI))
    assert rec.format == "pdf-ocr"
    got = _table_targets(rec)
    assert got == EXPECTED, f"missing {dict(EXPECTED - got)}, extra {dict(got - EXPECTED)}"


WRAPPED = ["KẾ HOẠCH", "I. MỤC TIÊU", "2. Mục tiêu cụ thể",
           "c) Đối với hệ thống Trung tâm Văn hóa - Thể thao và Truyền thông các cấp",
           "- Phấn đấu Trung tâm Văn hóa - Thể thao cấp xã đạt 50% (năm",
           "2025) và đạt 70% (năm 2030) có lớp năng khiếu, câu lạc bộ, nhóm",
           "sở thích phục vụ việc đẩy mạnh học tập suốt đời."]


def test_year_wrapped_after_open_parenthesis(tmp_path):
    need_fonts()
    txt = tmp_path / "wrapped.txt"
    txt.write_text("\n\n".join(WRAPPED[:4] + [" ".join(WRAPPED[4:])]) + "\n", encoding="utf-8")
    want = Counter(map(key, extract_file(txt).targets))
    assert ("culture.clubs", "commune", 2025, 50, None) in want
    got = Counter(map(key, extract_file(render.lines_pdf(WRAPPED, tmp_path / "wrapped.pdf")).targets))
    assert got == want


def test_table_continued_on_next_page_without_repeated_header(tmp_path):
    need_fonts()
    plan = table_plan()
    i = next(k for k, b in enumerate(plan.blocks) if isinstance(b, render.GridTable))
    plan.blocks[i] = render.GridTable(TIERS_BY_YEARS, heading_rows=2, repeat_headings=False)
    plan.blocks.insert(i, render.Spacer(6))        # the page ends after the table's second value row
    path = render.to_text_pdf(plan, tmp_path / "split.pdf")
    from pipeline.load import load
    loaded = load(path)
    pages = {t.page for t in loaded.tables if any("Thư viện" in c.text for row in t.rows for c in row)}
    assert pages == {1, 2}, "the table should break across pages 1 and 2"
    assert [len(t.rows) for t in loaded.tables if t.page == 1] == [4]   # 2 heading rows, 2 value rows
    got = _table_targets(extract_file(path))
    assert got == EXPECTED, f"missing {dict(EXPECTED - got)}, extra {dict(got - EXPECTED)}"


# --------------------------------------------------------------------------
# The per-format table (printed even under output capture)
# --------------------------------------------------------------------------

def test_zz_print_per_format_scores(capsys):
    """Last in the file: print what the tests above measured."""
    if not RESULTS:
        pytest.skip("no format was scored in this run")
    base = RESULTS.get("txt", {}).get("f1", 1.0)
    lines = ["", "strict target F1 of each rendering against the .txt extraction (pooled over the corpus)",
             f"{'format':<11} {'docs':>4} {'targets':>7} {'tp':>4} {'fp':>3} {'fn':>3} {'F1':>6} {'vs txt':>7} "
             f"{'fields':>6} {'pages':>5} {'build s':>7} {'extract s':>9}  per document"]
    for name, r in RESULTS.items():
        lines.append(f"{name:<11} {r['docs']:>4} {r['targets']:>7} {r['tp']:>4} {r['fp']:>3} {r['fn']:>3} "
                     f"{r['f1']:>6.3f} {r['f1'] - base:>+7.3f} {r['fields']:>6.3f} {r['pages'] or '':>5} "
                     f"{r['build_s']:>7.1f} {r['extract_s']:>9.1f}  {r.get('per_doc', '')}")
    with capsys.disabled():
        print("\n".join(lines))
