"""The ``chitieu`` command.

``chitieu extract PATH... [--out DIR] [--jobs N] [--force] [--max-bytes N]
[--file-timeout S[+P/page]] [--max-memory N] [--quiet] [--verbose]``
    Read every document named (folders are searched recursively for
    ``.txt .md .markdown .docx .pdf .doc .html .htm``) and write the outputs of
    :mod:`pipeline.outputs.write` to ``DIR`` (default ``outputs/``).  Finished
    documents are kept in ``DIR/chitieu.sqlite`` and reused by the next run
    while their bytes and the rules are unchanged (:mod:`pipeline.batch`).
    In a batch, each file is extracted in a worker process under a time and
    memory budget (:class:`pipeline.batch.Budget`).
    ``--engine dask [--scheduler ADDRESS] [--format files|parquet-dataset]``
    runs it on a Dask cluster instead, with paths or fsspec URLs
    (:mod:`pipeline.engines.dask`, :mod:`pipeline.dataset`).

``chitieu compare OUTPUT_DIR [--baseline DOC_ID] [--out DIR]``
    Rebuild the comparison tables from an existing ``documents.jsonl``.

``chitieu eval OUTPUT_JSONL GOLD_DIR... [--json] [--summary]``
    Score a ``documents.jsonl`` against gold folders (:mod:`pipeline.evaluate`).

``chitieu review OUTPUT_DIR [--port 8765] [--open] [--export-gold DIR]``
    Review and correct the targets of ``OUTPUT_DIR`` in the browser
    (:mod:`pipeline.review`); the corrections are kept in its store and
    applied to every output by the next ``extract`` or ``compare``.

Exit status (:data:`EXIT_OK` …): 0 when every file was read, 1 when some
could not be (the outputs are still written and ``errors.csv`` lists them),
2 for usage errors (unknown option, a path that does not exist), 3 when the
output folder or the store cannot be written (read-only, full disk) or an
internal error stopped the run before the outputs were written, 130 when
interrupted.  Each of these failures is one line on stderr; a traceback
goes to ``DIR/chitieu.log`` (and to stderr with ``--verbose``).
"""
from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import time
from pathlib import Path
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any
from collections.abc import Callable, Sequence

if TYPE_CHECKING:
    from .batch import Budget
    from .models import DocumentRecord

# the parser (the program parses with it alone: pipeline/__main__.py)
from .arguments import (DEFAULT_FILE_TIMEOUT, DEFAULT_MAX_BYTES, DEFAULT_MAX_MEMORY, DEFAULT_OUT,  # noqa: F401
                        build_parser, parse, parse_memory, parse_size, parse_timeout)
# the run's plumbing and the input finder live in their own modules (the engines use them too)
from .inputs import Skipped, find_inputs, report_skipped, supported_suffixes
from .runs import (EXIT_CANNOT_WRITE, EXIT_FAILED_FILES, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, PROG,
                   OutputError, RunSummary, UsageError, _internal_error, _progress, advancing, _reason, _setup_logging,
                   _tracebacks, _warn_duplicate_ids, prepare_output_folder, summarize, write_log)
from .runs import LOG_NAME as LOG_NAME  # noqa: F401  (cli.LOG_NAME: the log's name, for callers)

log = logging.getLogger("chitieu")



Extractor = Callable[..., "DocumentRecord"]


# --------------------------------------------------------------------------
# Running the extraction
# --------------------------------------------------------------------------


def default_extractor() -> Extractor:
    """:func:`pipeline.core.extract_file`, imported only when there is work to do."""
    from .core import extract_file
    return extract_file


def run_extract(files: Sequence[Path], out_dir: Path, *, max_bytes: int = DEFAULT_MAX_BYTES,
                quiet: bool = False, extractor: Extractor | None = None, jobs: int = 1,
                force: bool = False, use_store: bool = True,
                baseline: str | None = "auto", budget: Budget | None = None, isolate: bool | None = None,
                verbose: bool = False, lang: str = "vi") -> RunSummary:
    """Extract ``files`` (``jobs`` at a time) and write every output to ``out_dir``.

    Documents unchanged since an earlier run into ``out_dir`` are taken from
    its store instead (unless ``force``); see :mod:`pipeline.batch`, which
    also explains ``budget`` (default :class:`pipeline.batch.Budget`) and
    ``isolate``.  The tracebacks of internal errors are appended to
    ``out_dir/chitieu.log`` (and shown on stderr when ``verbose`` and not
    ``quiet``).  Raises :class:`pipeline.store.StoreError` or ``OSError``
    when the store or the outputs cannot be written.
    """
    from .batch import Budget, run_batch
    from .outputs.write import prepare, write_outputs
    from .store import STORE_NAME, Store

    start = time.perf_counter()
    extract = extractor or default_extractor()
    bar = _progress(files, quiet)
    advance = advancing(bar)
    store = Store(Path(out_dir) / STORE_NAME) if use_store else None
    try:
        with _logs_above(bar), bar:
            batch = run_batch(files, max_bytes=max_bytes, jobs=jobs, store=store, force=force,
                              extractor=extract, progress=advance,
                              budget=budget if budget is not None else Budget(), isolate=isolate,
                              meanwhile=prepare)
    finally:
        if store is not None:
            store.close()
    records = batch.records
    entries = _tracebacks(records)
    if entries and verbose and not quiet:
        for message, tb in entries:
            print(f"{message}\n{tb.rstrip()}", file=sys.stderr)
    _warn_duplicate_ids(records)
    from .review import apply_corrections  # the analyst's corrections, if any (chitieu review)
    records = apply_corrections(records, Path(out_dir) / STORE_NAME if use_store else None)
    written = write_outputs(records, out_dir, baseline=baseline, lang=lang)
    summary = summarize(records, time.perf_counter() - start, out_dir)
    summary.compared = written.comparison.describe_baselines()
    summary.extracted, summary.reused, summary.jobs = batch.extracted, batch.reused, jobs
    summary.extract_seconds = batch.seconds
    summary.log_file, summary.logged = write_log(out_dir, entries), len(entries)
    summary.corrections = records.summary_lines()
    return summary


def _logs_above(bar: Any) -> AbstractContextManager[Any]:
    """While the progress bar is shown, the log lines are written above it
    (``tqdm.write``); a bar that is not shown (``--quiet``, stderr not a
    terminal) needs nothing, and ``tqdm.contrib.logging`` (which imports
    ``asyncio``, ~10-30 ms) is not imported."""
    if bar.disable:
        return contextlib.nullcontext()
    from tqdm.contrib.logging import logging_redirect_tqdm

    return logging_redirect_tqdm(loggers=[logging.getLogger()])


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    """``chitieu`` with the arguments ``argv`` (default: the process's): the exit status."""
    args = parse(sys.argv[1:] if argv is None else argv)
    return args if isinstance(args, int) else dispatch(args)


def dispatch(args: argparse.Namespace) -> int:
    """Run the command ``args`` were parsed for (:func:`pipeline.arguments.parse`)."""
    if args.command == "eval":
        from .evaluate import main as eval_main
        return eval_main(args.rest)
    if args.command == "compare":
        return _cmd_compare(args)
    if args.command == "review":
        from .review.app import main as review_main
        return review_main(args)
    args.paths = [_path_or_url(p) for p in args.paths]
    args.out = _path_or_url(args.out)
    return _cmd_extract(args)


def _path_or_url(text: str) -> Path | str:
    """A command-line path: a :class:`Path`, or the text itself for a URL (``s3://…``)."""
    from .engines import is_url
    return text if is_url(text) else Path(text)


def _cmd_extract(args: argparse.Namespace) -> int:
    if args.engine == "dask":
        from .engines.command import cmd_extract
        return cmd_extract(args)
    _setup_logging(args.quiet, args.verbose)
    prog = f"{PROG} extract"
    urls = [str(p) for p in [*args.paths, args.out] if isinstance(p, str)]
    if urls or args.format != "files" or args.scheduler:
        what = (f"the URL {urls[0]}" if urls else "--format parquet-dataset" if args.format != "files"
                else "--scheduler")
        print(f"{prog}: error: {what} needs --engine dask", file=sys.stderr)
        return EXIT_USAGE
    try:
        skipped: list[Skipped] = []
        files = find_inputs(args.paths, skipped=skipped)
        report_skipped(skipped)
        if not files:
            raise UsageError("no documents found in " + ", ".join(str(p) for p in args.paths)
                             + " (looking for " + " ".join(sorted(supported_suffixes())) + ")")
        if args.out.exists() and not args.out.is_dir():
            raise UsageError(f"--out {args.out}: exists and is not a folder")
        if args.baseline not in ("auto", None) and args.baseline not in {p.stem for p in files}:
            from .outputs.baselines import all_builtins, find
            if find(args.baseline) is None:
                raise UsageError(f"--baseline {args.baseline}: no input file has that doc_id "
                                 f"(the doc_id is the file name without its extension) and no built-in "
                                 f"programme has that number ({', '.join(b.number for b in all_builtins())})")
    except UsageError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        prepare_output_folder(args.out)
    except OutputError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return EXIT_CANNOT_WRITE
    if not args.quiet:
        log.info("reading %d file%s into %s%s", len(files), "" if len(files) == 1 else "s", args.out, os.sep)
    from .batch import Budget
    from .store import StoreError

    budget = Budget(timeout=args.file_timeout[0], per_page=args.file_timeout[1], max_memory=args.max_memory)
    try:
        summary = run_extract(files, args.out, max_bytes=args.max_bytes, quiet=args.quiet,
                              jobs=args.jobs, force=args.force, baseline=args.baseline, budget=budget,
                              verbose=args.verbose, lang=args.lang)
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; no output was written (earlier outputs are untouched); "
              "the documents finished so far are kept and the next run will not redo them",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    except StoreError as exc:
        print(f"{prog}: error: {exc}; no output was written (earlier outputs are untouched)", file=sys.stderr)
        return EXIT_CANNOT_WRITE
    except OSError as exc:  # the output folder cannot be written (full disk, read-only)
        print(f"{prog}: error: cannot write outputs to {args.out}: {_reason(exc)}; no output was "
              "written (earlier outputs are untouched)", file=sys.stderr)
        return EXIT_CANNOT_WRITE
    except Exception as exc:  # noqa: BLE001 - a bug outside any one file: one line here, the traceback in the log
        return _internal_error(prog, args.out, exc, show=args.verbose and not args.quiet)
    print(summary.format(), flush=True)
    return EXIT_FAILED_FILES if summary.failed else EXIT_OK


def _cmd_compare(args: argparse.Namespace) -> int:
    """``chitieu compare``: the comparison tables from an existing documents.jsonl."""
    from .outputs.columns import UnknownBaseline
    from .outputs.records import read_documents_jsonl
    from .outputs.tables import COMPARISON_FILES
    from .outputs.write import write_comparison

    prog = f"{PROG} compare"
    jsonl = args.output_dir / "documents.jsonl"
    out = args.out if args.out is not None else args.output_dir
    if not jsonl.is_file():
        print(f"{prog}: error: {jsonl}: no such file (run '{PROG} extract ... --out "
              f"{args.output_dir}' first)", file=sys.stderr)
        return 2
    if out.exists() and not out.is_dir():
        print(f"{prog}: error: --out {out}: exists and is not a folder", file=sys.stderr)
        return 2
    try:
        prepare_output_folder(out)
    except OutputError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return EXIT_CANNOT_WRITE
    try:
        from .review import apply_corrections  # the analyst's corrections, if any (chitieu review)
        from .store import STORE_NAME
        records = apply_corrections(read_documents_jsonl(jsonl), args.output_dir / STORE_NAME)
        result = write_comparison(records, out, baseline=args.baseline, lang=args.lang)
    except UnknownBaseline as exc:
        print(f"{prog}: error: --baseline: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # a line of documents.jsonl that is not a record
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; no output was written (earlier outputs are untouched)", file=sys.stderr)
        return 130
    except OSError as exc:
        print(f"{prog}: error: cannot write to {out}: {_reason(exc)}; no output was written "
              "(earlier outputs are untouched)", file=sys.stderr)
        return EXIT_CANNOT_WRITE
    except Exception as exc:  # noqa: BLE001 - a bug outside any one file: one line here, the traceback in the log
        return _internal_error(prog, out, exc, show=False)
    table, diffs = result.table, result.differences
    base = result.describe_baselines() or ("none: no national document in this batch and no plan cites a "
                                           "built-in programme (name one with --baseline DOC_ID)")
    counts = diffs["status"].value_counts().to_dict() if len(diffs) else {}
    lines = [
        f"documents   {len(records)}",
        f"baseline    {base}",
        f"comparison  {len(table)} rows x {len(result.columns)} documents",
        "differences " + (", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "none"),
        f"outputs     {out}{os.sep}  ({', '.join(COMPARISON_FILES)})",
    ] + records.summary_lines()
    print("\n".join(lines), flush=True)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
