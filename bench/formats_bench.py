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

Each case is timed after a warm-up extraction (models and rules loaded);
the text PDF case is run ``--repeat`` times and the run of least load CPU
time is reported (every run's is stored, ``load_cpu_runs``):
loading (``pipeline.load.load``: text layer, or rasterising + tesseract with
``--ocr-jobs`` pages at a time) and then extraction of the loaded text, as
``chitieu extract`` does for one file.  The result lines are printed and
appended to ``bench/results.txt`` (which ``bench/bench.py`` rewrites, so
under ``make bench`` they follow its report) and stored under ``"pages"`` in
``bench/results.json``.  Built PDFs go to ``bench/out/formats/`` (git-ignored).

Pages per second *per core* divide the pages by the CPU time spent on them
(this process and its tesseract children, ``resource.getrusage``), so they do
not depend on how many OCR jobs run at once or on other load on the machine;
``pages/s`` is the wall-clock rate.  The goals (issue 11): a text-layer PDF
>= 20 pages/s/core, OCR >= 1 page/s/core.  The PDFs of ``../shared/realfiles``
(``CHITIEU_SHARED``), when present, are measured the same way (load only).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WORK = ROOT / "bench" / "out" / "formats"
DEFAULT_RESULTS = ROOT / "bench" / "results.txt"
DEFAULT_JSON = ROOT / "bench" / "results.json"


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


#: Pages per second per core asked for by issue 11.
GOAL_TEXT, GOAL_OCR = 20.0, 1.0


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (tesseract)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def time_case(path: Path, ocr_jobs: int, *, extract: bool = True) -> dict:
    from pipeline.core import extract_text
    from pipeline.load import load

    c0, t0 = _cpu(), time.perf_counter()
    loaded = load(path, ocr_jobs=ocr_jobs)
    c1, t1 = _cpu(), time.perf_counter()
    targets = None
    if extract:
        rec = extract_text(loaded.text, path.stem, str(path), None, list(loaded.warnings), list(loaded.tables))
        targets = len(rec.targets)
    c2, t2 = _cpu(), time.perf_counter()
    return {"pages": len(loaded.pages or []), "chars": len(loaded.text), "targets": targets,
            "format": loaded.format, "load_s": t1 - t0, "extract_s": t2 - t1,
            "load_cpu_s": c1 - c0, "extract_cpu_s": c2 - c1, "confidence": loaded.ocr_confidence}


def per_core(r: dict) -> tuple[float, float]:
    """Pages per CPU second: loading alone, and loading + extraction."""
    n, load_cpu = r["pages"], r["load_cpu_s"]
    both = load_cpu + r["extract_cpu_s"]
    return (n / load_cpu if load_cpu else 0.0), (n / both if both else 0.0)


HEADER = (f"{'case':<34} {'pages':>5} {'chars':>9} {'targets':>7} {'load s':>7} {'extract s':>9} {'pages/s':>8}"
          f" {'load cpu s':>10} {'p/s/core load':>13} {'+extract':>8}")


def row(name: str, r: dict, goal: float | None = None) -> str:
    total = r["load_s"] + r["extract_s"]
    load_rate, both_rate = per_core(r)
    targets = "-" if r["targets"] is None else r["targets"]
    both = f"{both_rate:>8.2f}" if r["targets"] is not None else f"{'-':>8}"
    flag = ""
    if goal is not None:
        flag = f"  goal >= {goal:g}: " + ("ok" if load_rate >= goal else "BELOW")
    return (f"{name:<34} {r['pages']:>5} {r['chars']:>9,} {targets:>7} {r['load_s']:>7.2f} "
            f"{r['extract_s']:>9.2f} {r['pages'] / total if total else 0:>8.2f}"
            f" {r['load_cpu_s']:>10.2f} {load_rate:>13.2f} {both}{flag}")


def _store_json(path: Path, cases: dict[str, dict]) -> None:
    """Put the page-rate cases under ``"pages"`` in ``bench/results.json``
    (written by bench/bench.py; kept as it is otherwise)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    data["pages"] = {"date": time.strftime("%Y-%m-%d %H:%M"), "goal_pages_per_s_per_core":
                     {"text_pdf": GOAL_TEXT, "ocr": GOAL_OCR}, "cases": cases}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--text-pages", type=int, default=60, help="pages of the text-layer PDF (default 60)")
    ap.add_argument("--scan-pages", type=int, default=12, help="pages of the scanned PDF (default 12)")
    ap.add_argument("--dpi", type=int, default=250, help="scan resolution (default 250)")
    ap.add_argument("--ocr-jobs", type=int, default=2, help="pages OCR'd at once (default 2)")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of the text PDF case; the one of least load CPU time is reported (default 3)")
    ap.add_argument("--work", type=Path, default=DEFAULT_WORK, help="scratch folder (default bench/out/formats)")
    ap.add_argument("--results", type=Path, default=DEFAULT_RESULTS, help="report file to append to")
    ap.add_argument("--json", type=Path, default=DEFAULT_JSON, help="results.json to store the cases in")
    ap.add_argument("--no-real", dest="real", action="store_false",
                    help="skip the PDFs of ../shared/realfiles")
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

    cases: dict[str, dict] = {}
    missing_font = [f for f in (render.SERIF, render.SERIF_BOLD, render.SANS) if not f.exists()]
    if missing_font:
        record(f"{'(all cases)':<34} skipped: {missing_font[0]} missing (Debian package {render.FONTS_PACKAGE})")
    else:
        from pipeline.core import extract_file
        extract_file(sorted((ROOT / "corpus").glob("*.txt"))[0])   # warm-up: models and rules
        t0 = time.perf_counter()
        text_pdf = build_text_pdf(args.text_pages, args.work)
        print(f"  (built {text_pdf.name} in {time.perf_counter() - t0:.1f} s)", flush=True)
        # the fastest of --repeat runs (the CPU time of one run varies by a third on a shared machine)
        runs = [time_case(text_pdf, args.ocr_jobs) for _ in range(max(1, args.repeat))]
        r = dict(min(runs, key=lambda x: x["load_cpu_s"]))
        r["load_cpu_runs"] = [round(x["load_cpu_s"], 3) for x in runs]
        cases["text PDF"] = r
        record(row("text PDF", r, GOAL_TEXT))
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
                cases[name] = r
                record(row(name, r, GOAL_OCR) + (f"  conf {r['confidence']:.0f}" if r["confidence"] else ""))
    real = Path(os.environ.get("CHITIEU_SHARED", ROOT.parent / "shared")) / "realfiles"
    if args.real and real.is_dir():
        from pipeline.load import LoadError
        for path in sorted(real.glob("*.pdf")):
            try:
                r = time_case(path, args.ocr_jobs, extract=False)
            except LoadError as exc:        # a scan without tesseract: reported, not fatal
                record(f"{'real: ' + path.stem:<34.34} skipped: {exc}")
                continue
            ocr = r["format"] == "pdf-ocr"
            name = f"real {'scan' if ocr else 'text'}: {path.stem}"[:34]
            cases[name] = r
            record(row(name, r, GOAL_OCR if ocr else GOAL_TEXT))
    args.results.parent.mkdir(parents=True, exist_ok=True)
    with open(args.results, "a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    _store_json(args.json, cases)
    print(f"\nappended to {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
