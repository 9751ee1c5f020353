#!/usr/bin/env python3
"""The Dask engine beside ``--jobs 2``: throughput, client memory, per-document costs.

    python bench/dask_bench.py                 # the default run (4-8 minutes on 2 shared cores)
    python bench/dask_bench.py --repeat 5      # five runs of each engine for the throughput
    python bench/dask_bench.py --copies 20 --short-copies 100,400   # quicker
    python bench/dask_bench.py --no-memory     # the throughput cases only
    make bench                                 # runs bench.py, ..., then this

Cases, each in a fresh process (``chitieu extract`` through ``pipeline.cli.main``):

* **throughput**: the corpus (``corpus/*``) replicated ``--copies`` times
  (default ×100, full-length documents, as ``bench/bench.py``), extracted
  with ``--jobs 2`` (the process pool) and with ``--engine dask --jobs 2``
  (a 2-worker ``LocalCluster`` started by the command), both writing
  today's files into a fresh folder, ``--repeat`` times each (default 3),
  alternating (local, dask, dask, local, ...) so that a change in the
  machine's load falls on both; the median documents/s of each, their
  spread and the run-by-run ratios are reported, with the load average
  before and after each run.  Both times include starting the workers
  (and their warm-up extraction) and writing the outputs.  Target: the
  Dask engine's median documents/s within 15% of ``--jobs 2``'s;
* **client memory**: ``--engine dask --jobs 2 --format parquet-dataset`` on
  the *short* corpus (``bench.py``'s short documents: the cost per document
  without the length) at each of ``--short-copies`` (default ×100 and ×1000),
  then the largest again into the same folder (every record reused).  The
  client's peak resident memory (``ru_maxrss`` of the command's process,
  which also runs the LocalCluster's scheduler) must grow by at most
  50 MB from ×100 to ×1000: the dataset is streamed, and the small-batch
  files are written only up to ``SMALL_BATCH_DOCS`` documents.

The per-document costs that ``docs/scale.md`` plans with are printed at the
end: worker-seconds per full-length document, client seconds per document
reused, bytes of the dataset and of the store per document.

Results are printed and written to ``bench/dask_results.txt`` and, as
JSON, to ``bench/dask_results.json``.
Generated corpora and outputs go to ``bench/out/dask/`` (git-ignored).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
OUT = ROOT / "bench" / "out" / "dask"
DOCS_PER_S_TOLERANCE = 0.15
MEMORY_GROWTH_MB = 50.0


def _maxrss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 / (1024 if sys.platform == "darwin" else 1)


def _tree_bytes(path: Path, suffix: str = "") -> int:
    return sum(p.stat().st_size for p in path.rglob(f"*{suffix}") if p.is_file())


def case(args: list[str]) -> dict:
    """One ``chitieu extract`` in this process; its summary numbers and peak memory."""
    import contextlib
    import io
    import re

    from pipeline import cli, runs

    # the time each document is done (the progress callback both engines call), for the
    # steady rate: documents from the 10th to the 90th percentile over the time between them,
    # which leaves out the workers' start and warm-up and the writing of the outputs
    stamps: list[float] = []
    plain = runs.advancing

    def advancing(bar, then=None):  # noqa: ANN001, ANN202 - runs.advancing's signature
        step = plain(bar, then)

        def timed(path, reused):  # noqa: ANN001, ANN202
            step(path, reused)
            stamps.append(time.perf_counter())
        return timed

    runs.advancing = cli.advancing = advancing  # type: ignore[assignment]
    buf = io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(buf):
        code = cli.main(["extract", *args, "--quiet"])
    seconds = time.perf_counter() - t0
    text = buf.getvalue()

    def num(label: str) -> int:
        m = re.search(rf"{label}\s+(\d+)", text)
        return int(m.group(1)) if m else -1

    reused = re.search(r"reused (\d+)", text)
    lo, hi = len(stamps) // 10, len(stamps) * 9 // 10
    steady = (hi - lo) / (stamps[hi - 1] - stamps[lo - 1]) if lo >= 1 and stamps[hi - 1] > stamps[lo - 1] else 0.0
    return {"steady_docs_per_s": steady, "code": code, "seconds": seconds, "documents": num("documents"), "extracted": num("extracted"),
            "reused": int(reused.group(1)) if reused else -1, "peak_mb": _maxrss_mb(),
            "client_cpu_s": resource.getrusage(resource.RUSAGE_SELF).ru_utime
            + resource.getrusage(resource.RUSAGE_SELF).ru_stime}


def _load() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def run_case(label: str, args: list[str]) -> dict:
    load_before = _load()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, __file__, "--case", json.dumps(args)], capture_output=True,
                          text=True, env=env, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"{label}: failed\n{proc.stderr[-3000:]}")
    row = json.loads(proc.stdout.strip().splitlines()[-1])
    row["case"] = label
    row["load_before"], row["load_after"] = load_before, _load()
    row["docs_per_s"] = row["documents"] / row["seconds"] if row["seconds"] else 0.0
    print(_row_line(row), flush=True)
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=100, help="corpus copies for the throughput cases")
    ap.add_argument("--short-copies", default="100,1000", help="short-corpus copies for the memory cases")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each engine for the throughput (default 3)")
    ap.add_argument("--no-memory", action="store_true", help="the throughput cases only")
    ap.add_argument("--case", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.case:
        print(json.dumps(case(json.loads(a.case))))
        return 0

    from bench import build_replicated, corpus_files  # bench/bench.py

    start = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    files = corpus_files(ROOT / "corpus")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    head = (f"chitieu dask bench — {time.strftime('%Y-%m-%d %H:%M')}, python {platform.python_version()}, "
            f"{os.cpu_count()} CPUs, load average {load:.2f} at the start")
    print(head, flush=True)
    rows: list[dict] = []

    full = build_replicated(files, a.copies, OUT / f"corpus-x{a.copies}")
    engines = {"local": (f"corpus x{a.copies} --jobs 2", ["--jobs", "2"]),
               "dask": (f"corpus x{a.copies} --engine dask --jobs 2", ["--engine", "dask", "--jobs", "2"])}
    runs: dict[str, list[dict]] = {"local": [], "dask": []}
    for rep in range(a.repeat):
        # the two engines alternate (ABBA ...), so that a change of the machine's load
        # falls on both alike
        for name in (("local", "dask") if rep % 2 == 0 else ("dask", "local")):
            label, extra = engines[name]
            out = OUT / f"o-{name}"
            shutil.rmtree(out, ignore_errors=True)
            row = run_case(f"{label} #{rep + 1}", [str(full), "--out", str(out), *extra])
            runs[name].append(row)
            rows.append(row)
    rates = {name: sorted(r["docs_per_s"] for r in rs) for name, rs in runs.items()}
    median = {name: statistics.median(v) for name, v in rates.items()}
    ratio = median["dask"] / median["local"] if median["local"] else 0.0
    paired = [d["docs_per_s"] / l["docs_per_s"] for l, d in zip(runs["local"], runs["dask"], strict=True)]
    steady = {name: sorted(r["steady_docs_per_s"] for r in rs) for name, rs in runs.items()}
    steady_median = {name: statistics.median(v) for name, v in steady.items()}
    steady_ratio = steady_median["dask"] / steady_median["local"] if steady_median["local"] else 0.0
    steady_paired = [d["steady_docs_per_s"] / l["steady_docs_per_s"] if l["steady_docs_per_s"] else 0.0
                     for l, d in zip(runs["local"], runs["dask"], strict=True)]
    dask_row = min(runs["dask"], key=lambda r: abs(r["docs_per_s"] - median["dask"]))

    memory: list[dict] = []
    rerun: dict | None = None
    sizes = [int(x) for x in a.short_copies.split(",") if x.strip()] if not a.no_memory else []
    for n in sizes:
        corpus = build_replicated(files, n, OUT / f"short-x{n}", short=True)
        out = OUT / f"ds-short-x{n}"
        shutil.rmtree(out, ignore_errors=True)
        label = f"short x{n} --engine dask --format parquet-dataset"
        row = run_case(label, [str(corpus), "--out", str(out), "--engine", "dask", "--jobs", "2",
                               "--format", "parquet-dataset"])
        row["dataset_bytes"] = sum(_tree_bytes(out / t, ".parquet") for t in ("documents", "targets", "references"))
        row["store_bytes"] = _tree_bytes(out, ".sqlite")
        rows.append(row)
        memory.append(row)
    if sizes:
        n = sizes[-1]
        rerun = run_case(f"short x{n} rerun (all reused)", [str(OUT / f"short-x{n}"), "--out",
                                                             str(OUT / f"ds-short-x{n}"), "--engine", "dask",
                                                             "--jobs", "2", "--format", "parquet-dataset"])
        rows.append(rerun)

    full_docs = dask_row["documents"]
    lines = ["", head] + [_row_line(row) for row in rows] + [
        f"throughput: corpus x{a.copies} ({full_docs} full-length documents), {a.repeat} runs of each engine, "
        f"alternating: --engine dask median {median['dask']:.2f} docs/s ({rates['dask'][0]:.2f}-{rates['dask'][-1]:.2f}), "
        f"--jobs 2 median {median['local']:.2f} docs/s ({rates['local'][0]:.2f}-{rates['local'][-1]:.2f}): "
        f"x{ratio:.2f} ({'within' if ratio >= 1 - DOCS_PER_S_TOLERANCE else 'NOT within'} "
        f"{DOCS_PER_S_TOLERANCE:.0%}); run by run x{', x'.join(f'{p:.2f}' for p in paired)}",
        f"  steady (10th to 90th percentile of the documents, without the start, warm-up and writing): "
        f"--engine dask median {steady_median['dask']:.2f} docs/s ({steady['dask'][0]:.2f}-{steady['dask'][-1]:.2f}), "
        f"--jobs 2 median {steady_median['local']:.2f} docs/s ({steady['local'][0]:.2f}-{steady['local'][-1]:.2f}): "
        f"x{steady_ratio:.2f} ({'within' if steady_ratio >= 1 - DOCS_PER_S_TOLERANCE else 'NOT within'} "
        f"{DOCS_PER_S_TOLERANCE:.0%}); run by run x{', x'.join(f'{p:.2f}' for p in steady_paired)}",
    ]
    growth = None
    if memory:
        last = memory[-1]
        growth = last["peak_mb"] - memory[0]["peak_mb"]
        lines.append(f"client memory: --format parquet-dataset, short x{sizes[0]} peak {memory[0]['peak_mb']:.0f} MB, "
                     f"x{sizes[-1]} peak {last['peak_mb']:.0f} MB: {growth:+.0f} MB "
                     f"({'within' if growth <= MEMORY_GROWTH_MB else 'NOT within'} {MEMORY_GROWTH_MB:.0f} MB)")
    lines += ["per-document costs (docs/scale.md):",
              f"  worker time, full-length document: {2 * dask_row['seconds'] / full_docs * 1000:.0f} ms "
              f"(2 workers x {dask_row['seconds']:.1f} s / {full_docs} docs, the median dask run, startup and "
              "writing included)"]
    if memory and rerun is not None:
        lines += [f"  client time per reused document:  {rerun['seconds'] / rerun['documents'] * 1000:.1f} ms "
                  f"(short x{sizes[-1]} rerun: {rerun['seconds']:.1f} s / {rerun['documents']} docs, dataset rewritten)",
                  f"  dataset bytes per short document: {memory[-1]['dataset_bytes'] / memory[-1]['documents']:.0f} B; "
                  f"store bytes per short document: {memory[-1]['store_bytes'] / memory[-1]['documents']:.0f} B"]
    lines.append(f"dask bench took {(time.perf_counter() - start) / 60:.1f} min")
    text = "\n".join(lines) + "\n"
    print(text)
    (ROOT / "bench" / "dask_results.txt").write_text(text.lstrip("\n"), encoding="utf-8")
    (ROOT / "bench" / "dask_results.json").write_text(json.dumps({
        "rows": rows, "docs_per_s_median": median, "docs_per_s_ratio": ratio, "paired_ratios": paired,
        "steady_docs_per_s_median": steady_median, "steady_ratio": steady_ratio, "steady_paired_ratios": steady_paired,
        "memory_growth_mb": growth, "load_average": load,
    }, indent=1) + "\n", encoding="utf-8")
    return 0


def _row_line(row: dict) -> str:
    return (f"  {row['case']:<52} {row['documents']:>6} docs {row['seconds']:>8.2f} s {row['docs_per_s']:>7.2f} docs/s "
            f"(steady {row['steady_docs_per_s']:>7.2f})  "
            f"peak {row['peak_mb']:>5.0f} MB  client CPU {row['client_cpu_s']:>5.1f} s  "
            f"extracted {row['extracted']}, reused {row['reused']}  load {row['load_before']:.2f}->{row['load_after']:.2f}")


if __name__ == "__main__":
    sys.exit(main())
