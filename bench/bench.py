#!/usr/bin/env python3
"""Throughput and memory of ``chitieu extract`` on replicated corpora.

    python bench/bench.py                      # the default run (a few minutes)
    python bench/bench.py --copies 10 --concat 1,10   # quicker
    make bench

Two series, each case run in a fresh process so that its peak memory
(``ru_maxrss``) is its own:

* **many documents** — the corpus (``corpus/*``) replicated ×10 and ×100
  (``--copies``): documents/s and characters/s should not depend on how many
  documents there are;
* **long documents** — one document made of N copies of one corpus text
  (``--concat``, default ×1 ×10 ×100 ×1000 of the shortest text with a
  percentage in it): characters/s should stay flat as N grows; the report
  gives the exponent k of time ~ length^k between the two longest (k≈1 is
  linear; k≈2 would mean a quadratic step).

Timing starts after a warm-up extraction (models and rules loaded; reported
as ``startup``) and includes writing all the output files.  Results are
printed and written to ``bench/results.txt``; generated corpora and outputs
go to ``bench/out/`` (git-ignored).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WORK = ROOT / "bench" / "out"
DEFAULT_RESULTS = ROOT / "bench" / "results.txt"


# --------------------------------------------------------------------------
# Worker: one case in its own process
# --------------------------------------------------------------------------

def worker(corpus: Path, out: Path, warmup: Path) -> dict:
    t0 = time.perf_counter()
    from pipeline.cli import find_inputs, run_extract
    from pipeline.core import extract_file

    from pipeline.export import to_frames

    to_frames([extract_file(warmup)])  # load models, rules and pandas; not part of the timing
    startup = time.perf_counter() - t0
    files = find_inputs([corpus])
    summary = run_extract(files, out, quiet=True)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    if sys.platform == "darwin":  # bytes there
        peak_kb //= 1024
    return {
        "documents": summary.documents, "failed": summary.failed, "targets": summary.targets,
        "characters": summary.characters, "seconds": summary.seconds, "startup": startup,
        "peak_mb": peak_kb / 1024,
    }


# --------------------------------------------------------------------------
# Building the corpora
# --------------------------------------------------------------------------

def corpus_files(corpus: Path) -> list[Path]:
    sys.path.insert(0, str(ROOT))
    from pipeline.cli import find_inputs
    return find_inputs([corpus])


def default_concat_source(files: list[Path]) -> Path:
    """The shortest corpus text that states a percentage (so targets are found
    and the target extractor is exercised), else the shortest text."""
    by_size = sorted(files, key=lambda p: (p.stat().st_size, p.name))
    for p in by_size:
        if p.suffix.lower() == ".txt" and "%" in p.read_text(encoding="utf-8", errors="replace"):
            return p
    return by_size[0]


def build_replicated(files: list[Path], copies: int, dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for i in range(copies):
        for f in files:
            shutil.copyfile(f, dest / f"r{i:04d}_{f.name}")
    return dest


def build_concatenated(source: Path, n: int, dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    text = source.read_text(encoding="utf-8").rstrip("\n") + "\n"
    with open(dest / f"concat_x{n}{source.suffix}", "w", encoding="utf-8") as fh:
        for _ in range(n):
            fh.write(text)
    return dest


def run_case(corpus: Path, out: Path, warmup: Path, timeout: float) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(corpus),
           "--worker-out", str(out), "--warmup", str(warmup)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["(no message)"]
        return {"error": f"exit {proc.returncode}: {tail[0]}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------

HEADER = (f"{'case':<22} {'docs':>6} {'MB text':>8} {'targets':>8} {'seconds':>8} {'docs/s':>8} "
          f"{'chars/s':>10} {'peak MB':>8} {'startup':>8}")


def row(name: str, r: dict) -> str:
    if "error" in r:
        return f"{name:<22} {r['error']}"
    secs = r["seconds"] or 1e-9
    return (f"{name:<22} {r['documents']:>6} {r['characters'] / 1e6:>8.2f} {r['targets']:>8} "
            f"{r['seconds']:>8.2f} {r['documents'] / secs:>8.2f} {r['characters'] / secs:>10,.0f} "
            f"{r['peak_mb']:>8.0f} {r['startup']:>7.1f}s"
            + (f"  ({r['failed']} failed)" if r.get("failed") else ""))


def _show(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus", help="documents to replicate")
    ap.add_argument("--copies", default="10,100", help="replication factors (default 10,100)")
    ap.add_argument("--concat", default="1,10,100,1000",
                    help="copies of one text per long document (default 1,10,100,1000)")
    ap.add_argument("--concat-source", type=Path, default=None,
                    help="text to repeat (default: the shortest corpus file)")
    ap.add_argument("--work", type=Path, default=DEFAULT_WORK, help="scratch folder (default bench/out)")
    ap.add_argument("--results", type=Path, default=DEFAULT_RESULTS, help="report file")
    ap.add_argument("--timeout", type=float, default=600, help="seconds allowed per case")
    ap.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--worker-out", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--warmup", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        sys.path.insert(0, str(ROOT))
        import logging
        logging.basicConfig(level=logging.CRITICAL)  # bad files are counted, not logged
        print(json.dumps(worker(args.worker, args.worker_out, args.warmup)))
        return 0

    files = corpus_files(args.corpus)
    if not files:
        print(f"bench: no documents in {args.corpus}", file=sys.stderr)
        return 2
    source = args.concat_source or default_concat_source(files)
    copies = [int(x) for x in args.copies.split(",") if x.strip()]
    concat = [int(x) for x in args.concat.split(",") if x.strip()]
    warmup = source

    lines = [
        "chitieu bench — " + time.strftime("%Y-%m-%d %H:%M"),
        f"python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} CPUs",
        f"corpus: {_show(args.corpus)} ({len(files)} documents, "
        f"{sum(p.stat().st_size for p in files) / 1e3:.0f} kB); long documents repeat {source.name}",
        "timing excludes startup (imports + first document) and includes writing the outputs",
        "corpus xN: the corpus replicated N times; long doc xN: one document of N copies of that text",
        "",
        HEADER,
    ]
    print("\n".join(lines), flush=True)

    def record(name: str, result: dict) -> None:
        line = row(name, result)
        lines.append(line)
        print(line, flush=True)

    cases = [(f"corpus x{n}", build_replicated, (files, n), f"copies_x{n}") for n in copies]
    cases += [(f"long doc x{n}", build_concatenated, (source, n), f"concat_x{n}") for n in concat]
    times: list[tuple[int, float]] = []
    for name, build, build_args, slug in cases:
        corpus = build(*build_args, args.work / slug)
        result = run_case(corpus, args.work / f"{slug}_outputs", warmup, args.timeout)
        record(name, result)
        if slug.startswith("concat") and "error" not in result and result["seconds"] > 0:
            times.append((build_args[1], result["seconds"]))

    if len(times) >= 2:
        # Compare the two longest documents: fixed costs (writing the outputs,
        # a few ms) blur the short ones.  Time ~ length^k; k≈1 is linear.
        (n0, t0), (n1, t1) = times[-2], times[-1]
        k = math.log(t1 / t0) / math.log(n1 / n0)
        verdict = "linear" if k < 1.25 else "WORSE THAN LINEAR"
        lines += ["", f"document length x{n0} -> x{n1}: time x{t1 / t0:.1f}, "
                      f"i.e. time ~ length^{k:.2f} ({verdict})"]
        print("\n".join(lines[-2:]))
    args.results.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.results.with_name(f".{args.results.name}.tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, args.results)
    print(f"\nwritten to {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
