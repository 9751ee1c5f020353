#!/usr/bin/env python3
"""Throughput and memory of ``chitieu extract`` on corpora generated from the real documents.

    python bench/bench.py                 # the default run (about 4-5 minutes on 2 idle cores)
    BENCH_FULL=1 python bench/bench.py    # the long version (x1000 at full length; about 20 minutes)
    python bench/bench.py --copies 10 --concat 1,10 --jobs 1   # quick
    make bench                            # = python bench/bench.py (BENCH_FULL=1 make bench too)

Three series, each case run in a fresh process so that its peak memory
(``ru_maxrss``) is its own:

* **corpus**: the corpus (``corpus/*``) replicated ×10 and ×100
  (``--copies``), full-length documents, each size run serially and with
  ``--jobs 2`` (``--jobs``).  Then ×100 is run again into the same output
  folder: every document is unchanged, so it is reused from the store
  (``chitieu.sqlite``) and nothing is extracted (the ``rerun`` row);
* **corpus short**: ×1000 would take a quarter of an hour at full length, so
  the default run makes it of *short* documents: copy *i* of a text keeps
  its first lines (the header) and a tenth of its lines from an offset that
  moves with *i*.  ×100 is run short as well, so that the series compares
  documents of one shape (a short document has the same fixed cost per
  document over less text).  ``BENCH_FULL=1`` (or ``--full``) runs ×1000 at
  full length in the corpus series instead;
* **long doc**: one document made of N copies of one corpus text
  (``--concat``, default ×1 ×10 ×100, and ×1000 with ``BENCH_FULL=1``; the
  shortest text with a percentage in it): characters/s should stay flat as
  N grows;
* **adversarial**: one document of ``đạt 50%, `` repeated (the dense-value
  generator of ``tests/adversarial/generators.py``) at 16, 64, 256 and
  1024 KiB (``--adversarial``), with each separator the issue names:
  ``, ``, ``. ``, `` và `` and ``; ``, and `` xã, `` (a tier word after each
  value: ``comma_tier``); and one document of each of two other generators
  there (:data:`ADVERSARIAL_GENERATORS`): ``citations``, citation-like phrases
  that never close (the references reader), and ``headers``, header-like
  phrases (issuing body, news lead, signer's title; the metadata reader)
  (``--adversarial-separators`` names the separators and generators run).
  Each one's time/size ratio between steps
  should stay at or below :data:`ADVERSARIAL_TOLERANCE` and its peak memory
  at or below :data:`ADVERSARIAL_MAX_PEAK_MB`.  A case is stopped at
  ``--adversarial-timeout`` seconds or ``--adversarial-max-memory`` MB (the
  bench watches the process's resident memory), and the larger sizes of its
  series are then not run: the row says so.  ``--series adversarial`` runs
  this series alone.

Linearity: for each series and job count the report gives the cost per
unit of size (seconds per million characters) at each size, and its ratio
between consecutive sizes: about 1 (or below, as fixed costs are spread
out) means time grows linearly with size; clearly above 1 means worse.

``extract`` is the part of ``seconds`` spent reading and extracting (the
rest writes the output files, in one process whatever ``--jobs`` is).  A
CPU check first measures how much more pure-Python work two busy processes
get done than one: on a shared or hyper-threaded machine it is well below
×2, and so is any speed-up ``--jobs 2`` can give.

Timing: a serial case first loads the models and rules (a warm-up
extraction, reported as ``startup``, not timed); a ``--jobs N`` case times
everything, the start of its worker processes (spawn, models loaded once
per worker) included.  Both include writing the output files and the store.
Memory: ``peak MB`` is the command's own process (``RUSAGE_SELF``),
``worker MB`` the largest worker process (``RUSAGE_CHILDREN``), ``total MB``
the two added up as if every worker peaked at once (main + N × worker).

Results are printed and written to ``bench/results.txt`` and, as JSON, to
``bench/results.json``; generated corpora and outputs go to ``bench/out/``
(git-ignored).
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
#: Ratio of cost per unit of size between two sizes above which the report says "WORSE THAN LINEAR".
LINEAR_TOLERANCE = 1.25
#: The adversarial series' limits (issue 9): time/size between steps, and peak memory of the command.
ADVERSARIAL_TOLERANCE = 1.5
ADVERSARIAL_MAX_PEAK_MB = 300
SERIES = ("corpus", "short", "long", "adversarial")
#: A short document keeps 1/SHORT_SHARE of its text (series "corpus short").
SHORT_SHARE = 10
HEADER_LINES = 8
#: Adversarial cases other than the separators of ``dense_values``: name -> the
#: function of ``tests/adversarial/generators.py`` that builds it from a size.
ADVERSARIAL_GENERATORS = {"citations": "citation_phrases", "headers": "header_phrases"}


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() not in ("", "0", "false", "no")


# --------------------------------------------------------------------------
# Worker: one case in its own process
# --------------------------------------------------------------------------

def _maxrss_mb(who: int) -> float:
    kb = resource.getrusage(who).ru_maxrss  # KiB on Linux, bytes on macOS
    if sys.platform == "darwin":
        kb //= 1024
    return kb / 1024


def worker(corpus: Path, out: Path, warmup: Path, jobs: int, keep: bool) -> dict:
    t0 = time.perf_counter()
    from pipeline.cli import find_inputs, run_extract
    from pipeline.outputs.frames import to_frames

    if jobs == 1:
        from pipeline.core import extract_file
        to_frames([extract_file(warmup)])  # load models, rules and pandas; not part of the timing
    else:
        import pipeline.core  # noqa: F401  (as the command does; the models load in the workers)
        to_frames([])
    startup = time.perf_counter() - t0
    if not keep and out.exists():
        shutil.rmtree(out)
    files = find_inputs([corpus])
    summary = run_extract(files, out, quiet=True, jobs=jobs)
    if jobs > 1:
        # The workers are forked by the fork server (pipeline.batch.server):
        # their memory reaches RUSAGE_CHILDREN only once they and the server
        # are reaped (else "worker MB" reads 0).
        from pipeline.batch import server

        server.stop()
    return {
        "documents": summary.documents, "failed": summary.failed, "targets": summary.targets,
        "characters": summary.characters, "seconds": summary.seconds, "startup": startup,
        "extract_seconds": summary.extract_seconds,
        "extracted": summary.extracted, "reused": summary.reused, "jobs": jobs,
        "peak_mb": _maxrss_mb(resource.RUSAGE_SELF),
        "worker_mb": _maxrss_mb(resource.RUSAGE_CHILDREN) if jobs > 1 else 0.0,
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


def short_text(text: str, copy: int) -> str:
    """The first lines of ``text`` and 1/SHORT_SHARE of it from an offset that moves with ``copy``."""
    lines = text.splitlines(keepends=True)
    if len(lines) <= HEADER_LINES:
        return text
    want = max(1, len(text) // SHORT_SHARE)
    out = lines[:HEADER_LINES]
    size = sum(map(len, out))
    body = lines[HEADER_LINES:]
    j = (copy * 7919) % len(body)
    while size < want:
        out.append(body[j % len(body)])
        size += len(out[-1])
        j += 1
    return "".join(out)


def build_replicated(files: list[Path], copies: int, dest: Path, short: bool = False) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for i in range(copies):
        for f in files:
            target = dest / f"r{i:04d}_{f.name}"
            if short and f.suffix.lower() == ".txt":
                target.write_text(short_text(f.read_text(encoding="utf-8"), i), encoding="utf-8")
            else:
                shutil.copyfile(f, target)
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


def _generators():
    """``tests/adversarial/generators.py`` (its folder put on ``sys.path`` once)."""
    where = str(ROOT / "tests" / "adversarial")
    if where not in sys.path:
        sys.path.insert(0, where)
    import generators
    return generators


def adversarial_names() -> list[str]:
    """What ``--adversarial-separators`` accepts: the separators of dense values, then the other generators."""
    return [*_generators().SEPARATORS, *ADVERSARIAL_GENERATORS]


def build_adversarial(name: str, size: int, dest: Path) -> Path:
    """One document of ``tests/adversarial/generators.py``, ``size`` characters of body:
    dense values with the separator ``name``, or the generator ``name`` of
    :data:`ADVERSARIAL_GENERATORS`."""
    generators = _generators()
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    if name in ADVERSARIAL_GENERATORS:
        text, stem = getattr(generators, ADVERSARIAL_GENERATORS[name])(size), name
    else:
        text, stem = generators.dense_values(size, generators.SEPARATORS[name]), f"dense_{name}"
    (dest / f"{stem}_{size // 1024}k.txt").write_text(text, encoding="utf-8")
    return dest


def _tree_rss_mb(pid: int) -> float:
    sys.path.insert(0, str(ROOT))
    from pipeline.batch.budget import rss
    return rss(pid) / 2**20


def run_case(corpus: Path, out: Path, warmup: Path, jobs: int, timeout: float, keep: bool = False,
             max_memory_mb: float | None = None) -> dict:
    """One case in a fresh process; stopped after ``timeout`` seconds, or when
    its resident memory (with its children) passes ``max_memory_mb``."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(corpus),
           "--worker-out", str(out), "--warmup", str(warmup), "--worker-jobs", str(jobs)]
    if keep:
        cmd.append("--worker-keep")
    if max_memory_mb is None:
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {timeout:.0f} s", "jobs": jobs}
        stdout, stderr, code = proc.stdout, proc.stderr, proc.returncode
    else:
        import tempfile

        with tempfile.TemporaryFile("w+") as fout, tempfile.TemporaryFile("w+") as ferr:
            child = subprocess.Popen(cmd, stdout=fout, stderr=ferr, text=True, cwd=ROOT)
            start, peak = time.monotonic(), 0.0
            while child.poll() is None:
                time.sleep(0.2)
                used = _tree_rss_mb(child.pid)
                peak = max(peak, used)
                elapsed = time.monotonic() - start
                if elapsed > timeout or used > max_memory_mb:
                    child.kill()
                    child.wait()
                    why = (f"timed out after {elapsed:.0f} s" if elapsed > timeout
                           else f"stopped at {used:,.0f} MB (over {max_memory_mb:,.0f} MB) after {elapsed:.0f} s")
                    return {"error": f"{why}; peak {peak:,.0f} MB", "jobs": jobs, "seconds": elapsed,
                            "peak_mb": peak}
            fout.seek(0)
            ferr.seek(0)
            stdout, stderr, code = fout.read(), ferr.read(), child.returncode
    if code != 0:
        tail = stderr.strip().splitlines()[-1:] or ["(no message)"]
        return {"error": f"exit {code}: {tail[0]}", "jobs": jobs}
    return json.loads(stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------

HEADER = (f"{'case':<24} {'jobs':>4} {'docs':>6} {'MB text':>8} {'targets':>8} {'seconds':>8} {'extract':>8} "
          f"{'docs/s':>8} {'chars/s':>10} {'peak MB':>8} {'worker MB':>9} {'total MB':>8} "
          f"{'s/M chars':>9} {'reused':>6} {'startup':>8}")


def total_mb(r: dict) -> float:
    return r["peak_mb"] + r["jobs"] * r.get("worker_mb", 0.0) if r["jobs"] > 1 else r["peak_mb"]


def cost(r: dict) -> float:
    """Seconds per million characters."""
    return r["seconds"] / (r["characters"] / 1e6) if r.get("characters") else float("nan")


def row(name: str, r: dict) -> str:
    if "error" in r:
        return f"{name:<24} {r.get('jobs', ''):>4} {r['error']}"
    secs = r["seconds"] or 1e-9
    worker = f"{r['worker_mb']:>9.0f}" if r["jobs"] > 1 else f"{'-':>9}"
    return (f"{name:<24} {r['jobs']:>4} {r['documents']:>6} {r['characters'] / 1e6:>8.2f} {r['targets']:>8} "
            f"{r['seconds']:>8.2f} {r.get('extract_seconds', 0):>8.2f} {r['documents'] / secs:>8.2f} {r['characters'] / secs:>10,.0f} "
            f"{r['peak_mb']:>8.0f} {worker} {total_mb(r):>8.0f} {cost(r):>9.2f} {r.get('reused', 0):>6} "
            f"{r['startup']:>7.1f}s" + (f"  ({r['failed']} failed)" if r.get("failed") else ""))


def linearity(series: str, points: list[tuple[int, dict]], tolerance: float = LINEAR_TOLERANCE) -> list[dict]:
    """Cost per unit of size between consecutive sizes of one series and job count."""
    out = []
    for (n0, r0), (n1, r1) in zip(points, points[1:], strict=False):
        if not (r0["characters"] and r1["characters"] and r0["seconds"] > 0 and r1["seconds"] > 0):
            continue
        size = r1["characters"] / r0["characters"]
        time_ratio = r1["seconds"] / r0["seconds"]
        ratio = time_ratio / size
        out.append({
            "series": series, "jobs": r0["jobs"], "from": n0, "to": n1, "size_ratio": size,
            "time_ratio": time_ratio, "cost_ratio": ratio,
            "exponent": math.log(time_ratio) / math.log(size) if size > 1 else None,
            "linear": ratio <= tolerance, "tolerance": tolerance,
        })
    return out


def linearity_line(d: dict) -> str:
    verdict = "linear" if d["linear"] else f"WORSE THAN LINEAR (limit x{d.get('tolerance', LINEAR_TOLERANCE):.2f})"
    return (f"{d['series']} x{d['from']} -> x{d['to']}, jobs {d['jobs']}: text x{d['size_ratio']:.1f}, "
            f"time x{d['time_ratio']:.1f}, time/size x{d['cost_ratio']:.2f} "
            f"(time ~ size^{d['exponent']:.2f}; {verdict})")


def _spin(seconds_hint: int) -> float:
    t = time.perf_counter()
    x = 0
    for i in range(seconds_hint):
        x += i
    return time.perf_counter() - t


def cpu_parallelism(jobs: int, loops: int = 20_000_000) -> float:
    """How many times more pure-Python work ``jobs`` busy processes get done than one
    (``jobs`` on an idle machine with as many free cores; less when the cores are
    shared or busy).  Run before the cases so a parallel speed-up can be judged."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(jobs) as pool:
        pool.map(_spin, [1000] * jobs)  # start the processes
        alone = pool.apply(_spin, (loops,))
        together = max(pool.map(_spin, [loops] * jobs))
    return jobs * alone / together


def _show(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


ADVERSARIAL_MARK = "=== adversarial series alone (--series adversarial) ==="


def _merge_adversarial(txt: Path, js: Path, text: str, data: dict) -> tuple[str, dict]:
    """A run of the adversarial series alone, added to the results of the last
    full run (replacing an earlier run of this series alone) instead of
    overwriting them."""
    old_text = txt.read_text(encoding="utf-8") if txt.exists() else ""
    old_text = old_text.split("\n" + ADVERSARIAL_MARK)[0].rstrip("\n")
    try:
        old = json.loads(js.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = {}
    old["adversarial_alone"] = data
    return (old_text + "\n\n" + ADVERSARIAL_MARK + "\n" + text).lstrip("\n"), old


def _merge_keys(js: Path, data: dict, ran_adversarial: bool) -> dict:
    """This run's results over the keys of ``js`` it does not write: the
    ``speed`` key of ``bench/speed_bench.py`` survives a run of this bench,
    and so does an earlier run of the adversarial series alone unless this
    run measured that series itself."""
    try:
        old = json.loads(js.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = {}
    if not isinstance(old, dict):
        old = {}
    if ran_adversarial:
        old.pop("adversarial_alone", None)
    old.update(data)
    return old


def main(argv: list[str] | None = None) -> int:
    full_env = _truthy(os.environ.get("BENCH_FULL"))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus", help="documents to replicate")
    ap.add_argument("--copies", default="10,100,1000", help="replication factors (default 10,100,1000)")
    ap.add_argument("--jobs", default="1,2", help="job counts to run each size with (default 1,2)")
    ap.add_argument("--full", action="store_true", default=full_env,
                    help="full-length documents at every size (also BENCH_FULL=1)")
    ap.add_argument("--short-from", type=int, default=1000,
                    help="replication factor from which documents are shortened, unless --full (default 1000)")
    ap.add_argument("--concat", default=None,
                    help="copies of one text per long document (default 1,10,100; 1,10,100,1000 with --full)")
    ap.add_argument("--concat-source", type=Path, default=None,
                    help="text to repeat (default: the shortest corpus text with a percentage)")
    ap.add_argument("--no-rerun", action="store_true", help="skip the incremental rerun case")
    ap.add_argument("--series", default=",".join(SERIES),
                    help=f"series to run, of {','.join(SERIES)} (default: all)")
    ap.add_argument("--adversarial", default="16,64,256,1024",
                    help="KiB of body per adversarial document (default 16,64,256,1024)")
    ap.add_argument("--adversarial-separators", default="comma,period,va,semicolon,comma_tier,citations,headers",
                    help="separators between the dense values (comma,period,va,semicolon,comma_tier) or "
                         f"generators ({','.join(ADVERSARIAL_GENERATORS)}) to run (default: all)")
    ap.add_argument("--adversarial-timeout", type=float, default=600,
                    help="seconds allowed per adversarial case (default 600)")
    ap.add_argument("--adversarial-max-memory", type=float, default=4096,
                    help="MB of resident memory at which an adversarial case is stopped (default 4096)")
    ap.add_argument("--adversarial-keep-going", action="store_true",
                    help="run the larger adversarial sizes even after a smaller one went over the limits")
    ap.add_argument("--work", type=Path, default=DEFAULT_WORK, help="scratch folder (default bench/out)")
    ap.add_argument("--results", type=Path, default=DEFAULT_RESULTS,
                    help="report file; the JSON goes beside it with the suffix .json")
    ap.add_argument("--timeout", type=float, default=None,
                    help="seconds allowed per case (default 900, or 3600 with --full)")
    ap.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--worker-out", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--warmup", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--worker-jobs", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--worker-keep", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        sys.path.insert(0, str(ROOT))
        import logging
        logging.basicConfig(level=logging.CRITICAL)  # bad files are counted, not logged
        print(json.dumps(worker(args.worker, args.worker_out, args.warmup, args.worker_jobs,
                                args.worker_keep)))
        return 0

    series_wanted = {x.strip() for x in args.series.split(",") if x.strip()}
    unknown = series_wanted - set(SERIES)
    if unknown:
        print(f"bench: unknown --series {', '.join(sorted(unknown))} (of {', '.join(SERIES)})", file=sys.stderr)
        return 2
    files = corpus_files(args.corpus)
    if not files:
        print(f"bench: no documents in {args.corpus}", file=sys.stderr)
        return 2
    timeout = args.timeout or (3600 if args.full else 900)
    source = args.concat_source or default_concat_source(files)
    concat_default = "1,10,100,1000" if args.full else "1,10,100"
    copies, job_counts = sorted(set(_ints(args.copies))), _ints(args.jobs)
    concat = sorted(set(_ints(args.concat if args.concat is not None else concat_default)))
    if "corpus" not in series_wanted:
        copies = [n for n in copies if n >= args.short_from] if "short" in series_wanted and not args.full else []
    if "long" not in series_wanted:
        concat = []
    adv_sizes = [k * 1024 for k in sorted(set(_ints(args.adversarial)))] if "adversarial" in series_wanted else []
    adv_seps = [x.strip() for x in args.adversarial_separators.split(",") if x.strip()]
    unknown = set(adv_seps) - set(adversarial_names()) if adv_sizes else set()
    if unknown:
        print(f"bench: unknown --adversarial-separators {', '.join(sorted(unknown))} "
              f"(of {', '.join(adversarial_names())})", file=sys.stderr)
        return 2
    short_from = None if args.full else args.short_from
    warmup = source
    started = time.perf_counter()

    lines = [
        "chitieu bench — " + time.strftime("%Y-%m-%d %H:%M") + (" (BENCH_FULL)" if args.full else ""),
        f"python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} CPUs",
        f"corpus: {_show(args.corpus)} ({len(files)} documents, "
        f"{sum(p.stat().st_size for p in files) / 1e3:.0f} kB); long documents repeat {source.name}",
        "corpus xN: the corpus replicated N times, full-length documents"
        + (f"; corpus short xN: each copy is a short document (its first {HEADER_LINES} lines and "
           f"1/{SHORT_SHARE} of its text from an offset that moves with the copy)"
           if short_from and any(n >= short_from for n in copies) else ""),
        "long doc xN: one document of N copies of that text",
        "serial: timing excludes startup (imports + a first document); jobs N: timing includes starting "
        "the workers; both include writing the outputs and the store",
        "peak MB: the command's process; worker MB: largest worker; total MB: peak + jobs x worker",
        "s/M chars: seconds per million characters (the cost per unit of size)",
        "",
        HEADER,
    ]
    if adv_sizes:
        lines[-1:-1] = [f"adversarial <sep> N: one document of N KiB of dense values ('đạt 50%<sep>' repeated); "
                        "adversarial citations N / headers N: N KiB of citation-like / header-like phrases "
                        f"repeated; limits: time/size <= x{ADVERSARIAL_TOLERANCE} between sizes, peak <= "
                        f"{ADVERSARIAL_MAX_PEAK_MB} MB; a case is stopped at {args.adversarial_timeout:.0f} s or "
                        f"{args.adversarial_max_memory:.0f} MB", ""]
    if not (copies or concat):
        job_counts = job_counts[:1]
    most_jobs = max(job_counts)
    cpu = cpu_parallelism(most_jobs) if most_jobs > 1 else 1.0
    lines[-2:-2] = [f"CPU check: {most_jobs} busy processes get x{cpu:.2f} the work of one done "
                    f"(x{most_jobs} on {most_jobs} idle cores); that bounds the speed-up of --jobs {most_jobs}"]
    print("\n".join(lines), flush=True)
    results: list[dict] = []

    def record(name: str, series: str, n: int, result: dict, **extra) -> dict:
        result = dict(result, case=name, series=series, size=n, **extra)
        results.append(result)
        line = row(name, result)
        lines.append(line)
        print(line, flush=True)
        return result

    # Full-length sizes, then short ones; the largest full size below short_from
    # is run short too, so that each series compares documents of one shape.
    plan = [("corpus", n, False) for n in copies if short_from is None or n < short_from]
    shorts = [n for n in copies if short_from is not None and n >= short_from]
    if shorts:
        bridge = [n for n in copies if n < short_from][-1:]
        plan += [("corpus short", n, True) for n in bridge + shorts]
    for series, n, short in plan:
        slug = f"copies_x{n}" + ("_short" if short else "")
        corpus = build_replicated(files, n, args.work / slug, short=short)
        for jobs in job_counts:
            out = args.work / f"{slug}_j{jobs}_outputs"
            record(f"{series} x{n}", series, n, run_case(corpus, out, warmup, jobs, timeout),
                   short_documents=short)
        if series == "corpus" and n == 100 and not args.no_rerun:
            jobs = job_counts[0]
            out = args.work / f"{slug}_j{jobs}_outputs"
            if (out / "documents.jsonl").exists():
                record(f"{series} x{n} rerun", "rerun", n, run_case(corpus, out, warmup, jobs, timeout, keep=True),
                       short_documents=short)
    for n in concat:
        corpus = build_concatenated(source, n, args.work / f"concat_x{n}")
        record(f"long doc x{n}", "long doc", n,
               run_case(corpus, args.work / f"concat_x{n}_outputs", warmup, 1, timeout))

    for sep in adv_seps:
        failed = None
        for size in adv_sizes:
            name = f"adversarial {sep} {size // 1024}K"
            if failed is not None and not args.adversarial_keep_going:
                record(name, f"adversarial {sep}", size,
                       {"error": f"not run: {failed // 1024}K already went over the limits", "jobs": 1})
                continue
            corpus = build_adversarial(sep, size, args.work / f"adversarial_{sep}_{size // 1024}k")
            result = record(name, f"adversarial {sep}", size,
                            run_case(corpus, args.work / f"adversarial_{sep}_{size // 1024}k_outputs", warmup, 1,
                                     args.adversarial_timeout, max_memory_mb=args.adversarial_max_memory))
            if "error" in result:
                failed = size

    checks: list[dict] = []
    for series in ("corpus", "corpus short", "long doc") + tuple(f"adversarial {s}" for s in adv_seps):
        tolerance = ADVERSARIAL_TOLERANCE if series.startswith("adversarial") else LINEAR_TOLERANCE
        for jobs in sorted({r["jobs"] for r in results if r["series"] == series}):
            points = [(r["size"], r) for r in results
                      if r["series"] == series and r["jobs"] == jobs and "error" not in r]
            checks += linearity(series, points, tolerance)
    memory = [{"case": r["case"], "peak_mb": r["peak_mb"], "limit_mb": ADVERSARIAL_MAX_PEAK_MB,
               "ok": "error" not in r and r["peak_mb"] <= ADVERSARIAL_MAX_PEAK_MB}
              for r in results if r["series"].startswith("adversarial") and "peak_mb" in r]
    speedups = []
    for series, n, _ in plan:
        by_jobs = {r["jobs"]: r for r in results if r["series"] == series and r["size"] == n and "error" not in r}
        if 1 in by_jobs:
            for j, r in sorted(by_jobs.items()):
                if j > 1 and r["seconds"] > 0 and r.get("extract_seconds"):
                    speedups.append({"series": series, "size": n, "jobs": j,
                                     "speedup": by_jobs[1]["seconds"] / r["seconds"],
                                     "extract_speedup": by_jobs[1]["extract_seconds"] / r["extract_seconds"]})

    tail = ["", f"linearity (time/size between sizes: <= {LINEAR_TOLERANCE:.2f} is linear; "
            f"<= {ADVERSARIAL_TOLERANCE:.2f} for the adversarial series)"]
    tail += ["  " + linearity_line(d) for d in checks]
    if memory:
        tail += ["", f"adversarial peak memory (limit {ADVERSARIAL_MAX_PEAK_MB} MB)"]
        tail += [f"  {m['case']}: {m['peak_mb']:,.0f} MB" + ("" if m["ok"] else "  OVER THE LIMIT") for m in memory]
    if speedups:
        tail += ["", "parallel speed-up (serial seconds / parallel seconds; the outputs are written by one "
                 f"process; CPU check x{cpu:.2f})"]
        tail += [f"  {s['series']} x{s['size']}: jobs {s['jobs']} x{s['speedup']:.2f} in all, "
                 f"x{s['extract_speedup']:.2f} reading and extracting" for s in speedups]
    elapsed = time.perf_counter() - started
    tail += ["", f"bench took {elapsed / 60:.1f} min"]
    lines += tail
    print("\n".join(tail), flush=True)

    json_path = args.results.with_suffix(".json")
    data = {
        "date": time.strftime("%Y-%m-%d %H:%M"), "full": args.full, "python": platform.python_version(),
        "platform": platform.platform(), "cpus": os.cpu_count(), "corpus": _show(args.corpus),
        "corpus_documents": len(files), "concat_source": source.name, "short_from": short_from,
        "short_share": SHORT_SHARE, "cpu_parallelism": cpu, "cases": results, "linearity": checks, "speedup": speedups,
        "adversarial_memory": memory,
        "seconds": elapsed,
    }
    text = "\n".join(lines) + "\n"
    if series_wanted == {"adversarial"}:
        # Only this series: keep the last full run's results beside it.
        text, data = _merge_adversarial(args.results, json_path, text, data)
    else:
        data = _merge_keys(json_path, data, ran_adversarial=bool(adv_sizes))
    _write(args.results, text)
    _write(json_path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten to {_show(args.results)} and {_show(json_path)}")
    return 1 if any("error" in r for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
