#!/usr/bin/env python3
"""What Tesseract's settings cost and give on scanned pages (issue 11's OCR goal).

    python bench/ocr_bench.py                 # the formats bench's scan + ../shared/realfiles scans
    python bench/ocr_bench.py --pages 12      # all 12 pages of the bench's scan (default: 4 of each)

The loader (:mod:`pipeline.load.ocr`) runs ``tesseract -l vie --psm 3`` on
each page rendered in grey at the scan's own resolution.  This bench renders
the pages of each scanned PDF once, the way the loader does, and OCRs them
one at a time (``OMP_THREAD_LIMIT=1``) with each setting below, measuring
Tesseract's CPU time per page (``resource.getrusage`` of the children) and
what it read:

* ``conf``: mean word confidence;
* ``same``: the share of the words of the loader's setting found again, in
  order (``difflib``), so 100 means the same text;
* ``truth``: for the bench's own scan, whose text is known (the text layer of
  the PDF it was printed from), the same share against that text.

Settings: page segmentation modes 3 (the loader's: full layout analysis),
4 (one column of lines) and 6 (one block); ``tessedit_do_invert=0`` (no second
pass over inverted lines); the page downscaled to 200 dpi (the LSTM
normalises each text line to a fixed height, so fewer pixels save only the
layout analysis).  The render itself is timed both ways: RGB converted to
grey (the loader) and pdfium rendering grey directly.

Scans come from ``bench/out/formats/scan_*.pdf`` (``bench/formats_bench.py``
builds it; run that first, as ``make bench`` does) and
``$CHITIEU_SHARED/realfiles/scan_*.pdf``.  Results are printed, appended to
``bench/results.txt`` and stored under ``"ocr_settings"`` in ``bench/results.json``.
"""
from __future__ import annotations

import argparse
import difflib
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RESULTS = ROOT / "bench" / "results.txt"
DEFAULT_JSON = ROOT / "bench" / "results.json"

#: name -> (extra tesseract arguments, dpi cap or None)
SETTINGS: dict[str, tuple[list[str], int | None]] = {
    "psm 3 (loader)": (["--psm", "3"], None),
    "psm 3, no invert": (["--psm", "3", "-c", "tessedit_do_invert=0"], None),
    "psm 4": (["--psm", "4"], None),
    "psm 6": (["--psm", "6"], None),
    "psm 3, 200 dpi": (["--psm", "3"], 200),
}
BASE = "psm 3 (loader)"
_WORD = re.compile(r"\w+")


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _self_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def render(path: Path, pages: int, work: Path) -> tuple[list[tuple[Path, int]], float, float]:
    """Each page as a PGM at its scan's dpi, as the loader renders it; and the
    CPU seconds per page of that render and of pdfium rendering grey."""
    import pdfplumber
    import pypdfium2 as pdfium

    from pipeline.load import pdf as pdf_loader

    out: list[tuple[Path, int]] = []
    cpu_rgb = cpu_grey = 0.0
    with pdfplumber.open(path) as plumber:
        doc = pdfium.PdfDocument(str(path))
        try:
            for i in range(min(pages, len(doc))):
                dpi = pdf_loader._scan_dpi(plumber.pages[i])
                page = doc[i]
                opts = {"scale": dpi / 72, "no_smoothtext": True, "no_smoothpath": True, "no_smoothimage": True}
                c0 = _self_cpu()
                image = page.render(**opts).to_pil().convert("L")
                c1 = _self_cpu()
                page.render(grayscale=True, **opts).to_pil()
                c2 = _self_cpu()
                cpu_rgb, cpu_grey = cpu_rgb + c1 - c0, cpu_grey + c2 - c1
                f = work / f"{path.stem}-{i:03d}.pgm"
                image.save(f)
                out.append((f, dpi))
                page.close()
        finally:
            doc.close()
    n = max(1, len(out))
    return out, cpu_rgb / n, cpu_grey / n


def ocr(image: Path, dpi: int, args: list[str], cap: int | None, work: Path) -> tuple[list[str], list[float]]:
    if cap is not None and dpi > cap:
        from PIL import Image

        small = work / f"{image.stem}-{cap}.pgm"
        with Image.open(image) as im:
            im.resize((round(im.width * cap / dpi), round(im.height * cap / dpi)), Image.Resampling.LANCZOS).save(small)
        image, dpi = small, cap
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    cmd = ["tesseract", str(image), "stdout", "-l", "vie", "--dpi", str(dpi), *args, "tsv"]
    proc = subprocess.run(cmd, capture_output=True, env=env, check=True)
    words, confs = [], []
    for row in proc.stdout.decode("utf-8", "replace").splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) >= 12 and cols[0] == "5" and cols[11].strip():
            words.append(cols[11].strip())
            if float(cols[10]) >= 0:
                confs.append(float(cols[10]))
    return words, confs


def _agreement(words: list[str], reference: list[str]) -> float:
    a = [w.lower() for w in _WORD.findall(" ".join(words))]
    b = [w.lower() for w in _WORD.findall(" ".join(reference))]
    if not b:
        return float("nan")
    m = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return 100.0 * sum(bl.size for bl in m.get_matching_blocks()) / len(b)


def truth_words(scan: Path, pages: int) -> list[str] | None:
    """The text the bench's scan was printed from (its text-layer source)."""
    printed = sorted(scan.parent.glob("printed_*.pdf"))
    if not scan.name.startswith("scan_") or not printed:
        return None
    import pdfplumber

    with pdfplumber.open(printed[0]) as p:
        return " ".join((pg.extract_text() or "") for pg in p.pages[:pages]).split()


def _store_json(path: Path, figures: dict[str, object]) -> None:
    """Put the figures under ``"ocr_settings"`` in ``bench/results.json``, the rest kept."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    data["ocr_settings"] = figures
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=4, help="pages of each scan at most (default 4)")
    ap.add_argument("--results", type=Path, default=DEFAULT_RESULTS, help="report file to append to")
    ap.add_argument("--json", type=Path, default=DEFAULT_JSON, help="results.json to store the figures in")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if shutil.which("tesseract") is None:
        print("ocr bench: tesseract is not installed (Debian packages tesseract-ocr tesseract-ocr-vie); skipped")
        return 0
    shared = Path(os.environ.get("CHITIEU_SHARED", ROOT.parent / "shared"))
    scans = sorted((ROOT / "bench" / "out" / "formats").glob("scan_*.pdf")) + \
        sorted((shared / "realfiles").glob("scan_*.pdf"))
    if not scans:
        print("ocr bench: no scans (run bench/formats_bench.py first); skipped")
        return 0
    version = subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    lines = ["", f"chitieu OCR settings bench — {time.strftime('%Y-%m-%d %H:%M')} (bench/ocr_bench.py)",
             f"python {platform.python_version()}, {version}; one page at a time, OMP_THREAD_LIMIT=1; "
             "CPU s/page of tesseract; same = % of the loader's words read again; truth = % of the source's words"]

    def record(line: str) -> None:
        lines.append(line)
        print(line, flush=True)

    totals: dict[str, list[float]] = {name: [0.0, 0.0] for name in SETTINGS}   # cpu, pages
    scans_out: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="chitieu-ocr-bench-") as tmp:
        work = Path(tmp)
        for scan in scans:
            images, rgb, grey = render(scan, args.pages, work)
            truth = truth_words(scan, len(images))
            record(f"{scan.name[:40]}: {len(images)} pages at {sorted({d for _, d in images})} dpi; "
                   f"render {rgb:.3f} s/page (RGB to grey, the loader), {grey:.3f} s/page (pdfium grey)")
            base: list[list[str]] = []
            scan_out: dict[str, object] = {"pages": len(images), "dpi": sorted({d for _, d in images}),
                                           "render_rgb_to_grey_s": rgb, "render_pdfium_grey_s": grey}
            scans_out[scan.name] = scan_out
            for name, (extra, cap) in SETTINGS.items():
                cpu, words_all, confs_all, per_page = 0.0, [], [], []
                for image, dpi in images:
                    c0 = _children_cpu()
                    words, confs = ocr(image, dpi, extra, cap, work)
                    cpu += _children_cpu() - c0
                    per_page.append(words)
                    words_all += words
                    confs_all += confs
                if name == BASE:
                    base = per_page
                pairs = [(w, b) for w, b in zip(per_page, base, strict=True) if b]   # pages with words
                same = sum(_agreement(w, b) * len(b) for w, b in pairs) / max(1, sum(len(b) for _, b in pairs))
                totals[name][0] += cpu
                totals[name][1] += len(images)
                conf = sum(confs_all) / len(confs_all) if confs_all else float("nan")
                truth_pct = _agreement(words_all, truth) if truth else None
                extra_txt = f"  truth {truth_pct:5.1f}" if truth_pct is not None else ""
                scan_out[name] = {"cpu_s_per_page": cpu / len(images), "confidence": conf, "same_words_pct": same,
                                  "truth_words_pct": truth_pct}
                record(f"  {name:<18} {cpu / len(images):5.2f} s/page  {len(images) / cpu:5.2f} pages/s/core  "
                       f"conf {conf:4.1f}  same {same:5.1f}{extra_txt}")
    record("all scans: " + "; ".join(f"{name} {p / c:.2f} pages/s/core" for name, (c, p) in totals.items() if c))
    args.results.parent.mkdir(parents=True, exist_ok=True)
    with open(args.results, "a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    _store_json(args.json, {"date": time.strftime("%Y-%m-%d %H:%M"), "tesseract": version,
                            "pages_per_s_per_core": {n: p / c for n, (c, p) in totals.items() if c},
                            "scans": scans_out})
    print(f"\nappended to {args.results}; stored in {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
