#!/usr/bin/env python3
"""Pages per second for text-layer PDFs and for scanned PDFs (OCR).

    python bench/formats_bench.py                       # 60 text pages, 12 scanned pages
    python bench/formats_bench.py --text-pages 20 --scan-pages 4   # quicker
    make bench                                          # runs bench.py, then this

The corpus texts (``corpus/*.txt``, those with most percentages first) are
rendered, one after the other and as
many times as needed, into a text-layer PDF the way the format tests do it
(``tests/formats/render.py``: fpdf2, DejaVu Serif 13 pt, A4, header columns,
ruled target tables, page numbers), cut to ``--text-pages`` pages.  Its
first ``--scan-pages`` pages are "printed and scanned" (rasterised at
``--dpi``, tilted, blurred, speckled; images only) into a second PDF.

Each case is timed after a warm-up extraction (models and rules loaded):
loading (``pipeline.load.load``: text layer, or rasterising + tesseract with
``--ocr-jobs`` pages at a time) and then extraction of the loaded text, as
``chitieu extract`` does for one file.  The result lines are printed and
appended to ``bench/results.txt`` (which ``bench/bench.py`` rewrites, so
under ``make bench`` they follow its report).  Built PDFs go to
``bench/out/formats/`` (git-ignored).
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WORK = ROOT / "bench" / "out" / "formats"
DEFAULT_RESULTS = ROOT / "bench" / "results.txt"


def build_text_pdf(pages: int, work: Path) -> Path:
    """A text-layer PDF of exactly ``pages`` pages made of the corpus texts."""
    import pypdfium2 as pdfium
    from tests.formats import render

    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))]
    texts.sort(key=lambda t: -t.count("%"))         # documents with targets first (the scan takes the first pages)
    if not texts:
        raise SystemExit("formats bench: no corpus/*.txt")
    full = work / "corpus-rendered.pdf"
    copies = 1
    while True:
        text = "\n\n".join(texts * copies)
        render.to_text_pdf(render.parse_plan(text, "bench", target_tables=True), full)
        src = pdfium.PdfDocument(str(full))
        n = len(src)
        if n >= pages:
            break
        src.close()
        copies = max(copies + 1, int(copies * pages / max(n, 1)) + 1)
    out = work / f"text_{pages}p.pdf"
    dst = pdfium.PdfDocument.new()
    dst.import_pages(src, list(range(pages)))
    dst.save(str(out))
    dst.close()
    src.close()
    return out


def build_scan_pdf(text_pdf: Path, pages: int, dpi: int, work: Path) -> Path:
    import pypdfium2 as pdfium
    from tests.formats import render

    src = pdfium.PdfDocument(str(text_pdf))
    part = work / f"printed_{pages}p.pdf"
    dst = pdfium.PdfDocument.new()
    dst.import_pages(src, list(range(min(pages, len(src)))))
    dst.save(str(part))
    dst.close()
    src.close()
    return render.to_scanned_pdf(part, work / f"scan_{pages}p_{dpi}dpi.pdf", dpi=dpi)


def time_case(path: Path, ocr_jobs: int) -> dict:
    from pipeline.core import extract_text
    from pipeline.load import load

    t0 = time.perf_counter()
    loaded = load(path, ocr_jobs=ocr_jobs)
    t1 = time.perf_counter()
    rec = extract_text(loaded.text, path.stem, str(path), None, list(loaded.warnings), list(loaded.tables))
    t2 = time.perf_counter()
    return {"pages": len(loaded.pages or []), "chars": len(loaded.text), "targets": len(rec.targets),
            "format": loaded.format, "load_s": t1 - t0, "extract_s": t2 - t1,
            "confidence": loaded.ocr_confidence}


HEADER = f"{'case':<34} {'pages':>5} {'chars':>9} {'targets':>7} {'load s':>7} {'extract s':>9} {'pages/s':>8}"


def row(name: str, r: dict) -> str:
    total = r["load_s"] + r["extract_s"]
    return (f"{name:<34} {r['pages']:>5} {r['chars']:>9,} {r['targets']:>7} {r['load_s']:>7.2f} "
            f"{r['extract_s']:>9.2f} {r['pages'] / total if total else 0:>8.2f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--text-pages", type=int, default=60, help="pages of the text-layer PDF (default 60)")
    ap.add_argument("--scan-pages", type=int, default=12, help="pages of the scanned PDF (default 12)")
    ap.add_argument("--dpi", type=int, default=250, help="scan resolution (default 250)")
    ap.add_argument("--ocr-jobs", type=int, default=2, help="pages OCR'd at once (default 2)")
    ap.add_argument("--work", type=Path, default=DEFAULT_WORK, help="scratch folder (default bench/out/formats)")
    ap.add_argument("--results", type=Path, default=DEFAULT_RESULTS, help="report file to append to")
    args = ap.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    import logging
    logging.basicConfig(level=logging.CRITICAL)
    from tests.formats import render

    if args.work.exists():
        shutil.rmtree(args.work)
    args.work.mkdir(parents=True)
    lines = ["", f"chitieu formats bench — {time.strftime('%Y-%m-%d %H:%M')} (bench/formats_bench.py)",
             f"python {platform.python_version()}, {os.cpu_count()} CPUs; load = pipeline.load.load, "
             "extract = facts, references and targets of the loaded text; timing after a warm-up",
             HEADER]
    print("\n".join(lines), flush=True)

    def record(line: str) -> None:
        lines.append(line)
        print(line, flush=True)

    missing_font = [f for f in (render.SERIF, render.SERIF_BOLD, render.SANS) if not f.exists()]
    if missing_font:
        record(f"{'(all cases)':<34} skipped: {missing_font[0]} missing (Debian package {render.FONTS_PACKAGE})")
    else:
        from pipeline.core import extract_file
        extract_file(sorted((ROOT / "corpus").glob("*.txt"))[0])   # warm-up: models and rules
        t0 = time.perf_counter()
        text_pdf = build_text_pdf(args.text_pages, args.work)
        print(f"  (built {text_pdf.name} in {time.perf_counter() - t0:.1f} s)", flush=True)
        record(row("text PDF", time_case(text_pdf, args.ocr_jobs)))
        if args.scan_pages > 0:
            if shutil.which("tesseract") is None:
                record(f"{'scanned PDF (OCR)':<34} skipped: tesseract not installed "
                       "(Debian packages tesseract-ocr tesseract-ocr-vie)")
            else:
                t0 = time.perf_counter()
                scan = build_scan_pdf(text_pdf, args.scan_pages, args.dpi, args.work)
                print(f"  (built {scan.name} in {time.perf_counter() - t0:.1f} s)", flush=True)
                r = time_case(scan, args.ocr_jobs)
                name = f"scanned PDF (OCR {args.dpi} dpi, {args.ocr_jobs} jobs)"
                record(row(name, r) + (f"  conf {r['confidence']:.0f}" if r["confidence"] else ""))
    args.results.parent.mkdir(parents=True, exist_ok=True)
    with open(args.results, "a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    print(f"\nappended to {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
