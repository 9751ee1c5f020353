"""``chitieu extract --engine dask``: the client's side of a run on a Dask
cluster (:class:`pipeline.engines.dask.DaskEngine`): the store on the
client's disk, the records streamed to the outputs or the Parquet dataset
(:mod:`pipeline.dataset`), and the command's exit status."""
from __future__ import annotations

import dataclasses
import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast
from collections.abc import Sequence

from ..store import Store
from . import local_path, url_fs
from .. import batch
from .dask import DaskEngine, Extractor

if TYPE_CHECKING:
    import argparse

    from ..dataset import DatasetWriter
    from ..inputs import Skipped
    from ..models import DocumentRecord
    from ..runs import RunSummary

log = logging.getLogger("chitieu")


# --------------------------------------------------------------------------
# ``chitieu extract --engine dask``
# --------------------------------------------------------------------------

#: ``--format parquet-dataset`` also writes today's small-batch files
#: (``documents.jsonl``, the CSV tables, ``comparison.xlsx``, ``report.html``
#: …) for batches of at most this many documents: they hold every record in
#: memory at once (about 1 MB per 40 documents of the corpus's length).
SMALL_BATCH_DOCS = 2000
#: Where the store of a run whose output is a URL is kept (on the client's disk).
STORE_DIR_ENV = "CHITIEU_STORE_DIR"


def store_path_for(out: str) -> Path:
    """The store of output ``out``: ``OUT/chitieu.sqlite`` for a local folder;
    for a URL, a file named after it under ``$CHITIEU_STORE_DIR`` (default
    ``~/.cache/chitieu/stores``), since SQLite needs a local disk."""
    import hashlib

    from ..store import STORE_NAME

    local = local_path(out)
    if local is not None:
        return Path(local) / STORE_NAME
    base = Path(os.environ.get(STORE_DIR_ENV) or Path.home() / ".cache" / "chitieu" / "stores")
    return base / f"{hashlib.sha256(out.encode('utf-8')).hexdigest()[:16]}-{STORE_NAME}"


def _publish(local_dir: Path, out: str, names: Sequence[str]) -> None:
    """Copy files written in ``local_dir`` to the output URL ``out``."""
    fs, root = url_fs(out)
    root = root.rstrip("/")
    fs.makedirs(root, exist_ok=True)
    for name in names:
        fs.put_file(str(local_dir / name), f"{root}/{name}")


@dataclass
class DaskRun:
    """What :func:`run_extract` did, for the summary."""

    summary: RunSummary
    dataset_rows: dict[str, int] | None = None
    files: list[str] = field(default_factory=list)


def run_extract(sources: Sequence[str], out: str, *, fmt: str = "files", engine: DaskEngine | None = None,
                scheduler: str | None = None, jobs: int = 2, max_bytes: int, quiet: bool = False,
                force: bool = False, baseline: str | None = "auto", memory_limit: int | str = "auto",
                verbose: bool = False, lang: str = "vi", extractor: Extractor | None = None,
                shard_docs: int | None = None, small_batch_docs: int = SMALL_BATCH_DOCS,
                on_progress: batch.Progress | None = None, budget: batch.Budget | None = None) -> DaskRun:
    """Extract ``sources`` on a Dask cluster and write ``out`` (a folder or a URL).

    ``fmt="files"`` writes today's outputs (:func:`pipeline.export.write_outputs`,
    the same bytes as ``--engine local``; the whole batch is held in memory
    to write them).  ``fmt="parquet-dataset"`` streams the records into the
    dataset of :mod:`pipeline.dataset` (nothing is held but one shard),
    writes the comparison tables computed from the dataset one file of it at
    a time (:func:`pipeline.dataset.write_comparison`), and the other
    small-batch files when the batch has at most ``small_batch_docs`` documents.
    """
    from tqdm.contrib.logging import logging_redirect_tqdm

    from ..runs import _progress, advancing, _tracebacks, summarize
    from ..dataset import DEFAULT_SHARD_DOCS, DatasetWriter
    from ..review import apply_corrections  # the analyst's corrections, if any (chitieu review)

    if fmt not in ("files", "parquet-dataset"):
        raise ValueError(f"unknown format {fmt!r}")
    start = time.perf_counter()
    local_out = local_path(out)
    keep = fmt == "files" or len(sources) <= small_batch_docs
    writer = DatasetWriter(out, shard_docs or DEFAULT_SHARD_DOCS) if fmt == "parquet-dataset" else None
    totals = summarize([], 0.0)
    entries: list[tuple[str, str]] = []

    def sink(i: int, rec: DocumentRecord, reused: bool) -> None:  # noqa: ARG001 - the engine's sink(index, record, reused)
        one = summarize([rec], 0.0)
        for name in ("documents", "failed", "targets", "references", "warnings", "characters"):
            setattr(totals, name, getattr(totals, name) + getattr(one, name))
        totals.failures.extend(one.failures)
        entries.extend(_tracebacks([rec]))
        if writer is not None:
            writer.add(apply_corrections([rec], store_path_for(out))[0] if corrected else rec)

    bar = _progress(cast("Sequence[Path]", sources), quiet)  # only its length is read
    advance = advancing(bar, on_progress)
    own = engine is None
    if engine is None:
        engine = DaskEngine(scheduler=scheduler, jobs=jobs, memory_limit=memory_limit)
    store = Store(store_path_for(out))
    corrected = store.has_corrections()
    closing = None
    try:
        with logging_redirect_tqdm(loggers=[logging.getLogger()]), bar:
            result = engine.run(sources, max_bytes=max_bytes, store=store, force=force, extractor=extractor,
                                progress=advance, on_record=sink, keep=keep,
                                budget=budget if budget is not None else batch.Budget())
        if own:  # the cluster shuts down (a second or two of waiting) while the outputs are written
            closing = threading.Thread(target=engine.close, name="chitieu-close-cluster", daemon=True)
            closing.start()
    finally:
        store.close()
        if own and closing is None:
            engine.close()
    try:
        return _write(result, totals, entries, out, local_out, keep, writer, baseline, lang, jobs, verbose, quiet,
                      start, closing)
    finally:
        if closing is not None:
            closing.join()


def _write(result: batch.BatchResult, totals: RunSummary, entries: list[tuple[str, str]], out: str,
           local_out: str | None, keep: bool, writer: DatasetWriter | None, baseline: str | None, lang: str,
           jobs: int, verbose: bool, quiet: bool, start: float, closing: threading.Thread | None) -> DaskRun:
    """The outputs of a finished batch, and the summary of the run."""
    from ..dataset import write_comparison
    from ..outputs.tables import COMPARISON_FILES, OUTPUT_FILES
    from ..outputs.write import write_outputs
    from ..review import apply_corrections
    from ..runs import _warn_duplicate_ids, write_log

    if entries and verbose and not quiet:
        import sys
        for message, tb in entries:
            print(f"{message}\n{tb.rstrip()}", file=sys.stderr)
    run = DaskRun(summary=totals)
    with tempfile.TemporaryDirectory(prefix="chitieu-out.") as tmp:
        target = Path(local_out) if local_out is not None else Path(tmp)
        written: list[str] = []
        if keep:
            records = result.records
            for rec in records:
                if rec.error is not None:
                    rec.error = dataclasses.replace(rec.error, traceback=None)
            _warn_duplicate_ids(records)
            records = apply_corrections(records, store_path_for(out))
            comparison = write_outputs(records, target, baseline=baseline, lang=lang).comparison
            written.extend(OUTPUT_FILES)
            totals.compared = comparison.describe_baselines()
            del records
            result.records = []
        if writer is not None:
            run.dataset_rows = writer.commit()
            streamed = write_comparison(out, target, baseline)
            written.extend(n for n in COMPARISON_FILES if n.endswith(".csv") and n not in written)
            totals.compared = streamed.describe_baselines()
        if local_out is None:
            _publish(target, out, written)
        run.files = written
    if closing is not None:
        closing.join()  # the run's time includes the cluster's shutdown
    totals.seconds = time.perf_counter() - start
    totals.extracted, totals.reused, totals.jobs = result.extracted, result.reused, jobs
    totals.extract_seconds = result.seconds
    log_dir = Path(local_out) if local_out is not None else store_path_for(out).parent
    totals.log_file, totals.logged = write_log(log_dir, entries), len(entries)
    return run


def cmd_extract(args: argparse.Namespace) -> int:
    """``chitieu extract … --engine dask`` (or ``--format parquet-dataset``): exit status as ``--engine local``."""
    import sys

    from ..inputs import report_skipped, supported_suffixes
    from ..runs import (EXIT_CANNOT_WRITE, EXIT_FAILED_FILES, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, PROG,
                        OutputError, UsageError, _internal_error, _reason, _setup_logging, prepare_output_folder)
    from ..store import StoreError

    _setup_logging(args.quiet, args.verbose)
    prog = f"{PROG} extract"
    out = str(args.out)
    try:
        skipped: list[Skipped] = []
        sources = find_sources_cli(args.paths, skipped)
        report_skipped(skipped)
        if not sources:
            raise UsageError("no documents found in " + ", ".join(str(p) for p in args.paths)
                             + " (looking for " + " ".join(sorted(supported_suffixes())) + ")")
        local_out = local_path(out)
        if local_out is not None and Path(local_out).exists() and not Path(local_out).is_dir():
            raise UsageError(f"--out {out}: exists and is not a folder")
    except UsageError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if local_out is not None:
            prepare_output_folder(Path(local_out))
        else:
            store_path_for(out).parent.mkdir(parents=True, exist_ok=True)
    except (OutputError, OSError) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return EXIT_CANNOT_WRITE
    where = args.scheduler or f"a local cluster of {args.jobs} worker{'s' if args.jobs != 1 else ''}"
    if not args.quiet:
        log.info("reading %d file%s into %s on %s", len(sources), "" if len(sources) == 1 else "s", out, where)
    try:
        run = run_extract(sources, out, fmt=args.format, scheduler=args.scheduler, jobs=args.jobs,
                          max_bytes=args.max_bytes, quiet=args.quiet, force=args.force,
                          baseline=args.baseline, memory_limit=args.max_memory or 0,
                          verbose=args.verbose, lang=args.lang,
                          budget=batch.Budget(timeout=args.file_timeout[0], per_page=args.file_timeout[1],
                                              max_memory=0))
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; the tasks on the cluster were cancelled and no output was written "
              "(earlier outputs are untouched); the documents finished so far are kept and the next run "
              "will not redo them", file=sys.stderr)
        return EXIT_INTERRUPTED
    except StoreError as exc:
        print(f"{prog}: error: {exc}; no output was written (earlier outputs are untouched)", file=sys.stderr)
        return EXIT_CANNOT_WRITE
    except OSError as exc:
        print(f"{prog}: error: cannot write outputs to {out}: {_reason(exc)}; no output was "
              "written (earlier outputs are untouched)", file=sys.stderr)
        return EXIT_CANNOT_WRITE
    except Exception as exc:  # noqa: BLE001 - a bug, or no scheduler: one line, traceback in the log
        log_dir = Path(local_out) if local_out is not None else store_path_for(out).parent
        return _internal_error(prog, log_dir, exc, show=args.verbose and not args.quiet)
    summary = run.summary
    lines = [summary.format()]
    if run.dataset_rows is not None:
        lines.append("dataset     " + ", ".join(f"{t}/ {n} rows" for t, n in run.dataset_rows.items())
                     + ", partitioned by province_2025, committed by _manifest.json")
    lines.append(f"outputs     {out.rstrip('/')}/  ({', '.join(run.files) or 'the dataset only'})")
    print("\n".join(lines), flush=True)
    return EXIT_FAILED_FILES if summary.failed else EXIT_OK


def find_sources_cli(paths: Sequence[str | os.PathLike[str]], skipped: list[Skipped]) -> list[str]:
    from ..inputs import supported_suffixes
    from . import find_sources

    return find_sources([str(p) if not isinstance(p, str) else p for p in paths], supported_suffixes(), skipped)
