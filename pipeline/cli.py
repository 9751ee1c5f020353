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
import re
import sys
import time
from pathlib import Path
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, NoReturn
from collections.abc import Callable, Sequence

if TYPE_CHECKING:
    from .batch import Budget
    from .models import DocumentRecord

# the run's plumbing and the input finder live in their own modules (the engines use them too)
from .inputs import Skipped, find_inputs, report_skipped, supported_suffixes
from .runs import (EXIT_CANNOT_WRITE, EXIT_FAILED_FILES, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, PROG,
                   OutputError, RunSummary, UsageError, _internal_error, _progress, advancing, _reason, _setup_logging,
                   _tracebacks, _warn_duplicate_ids, prepare_output_folder, summarize, write_log)
from .runs import LOG_NAME as LOG_NAME  # noqa: F401  (cli.LOG_NAME: the log's name, for callers)

log = logging.getLogger("chitieu")

DEFAULT_OUT = Path("outputs")
DEFAULT_MAX_BYTES = 50_000_000  # == pipeline.core.DEFAULT_MAX_BYTES, kept here so --help needs no import
# == pipeline.batch.DEFAULT_FILE_TIMEOUT, DEFAULT_PAGE_TIMEOUT, DEFAULT_MAX_MEMORY (a test checks)
DEFAULT_FILE_TIMEOUT = (300.0, 30.0)
DEFAULT_MAX_MEMORY = 4 * 2**30


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
    from .outputs.write import write_outputs
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
                              budget=budget if budget is not None else Budget(), isolate=isolate)
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

_SIZE = re.compile(r"^\s*(\d[\d_,]*)\s*([kmg]i?b?|b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 10**3, "m": 10**6, "g": 10**9, "ki": 2**10, "mi": 2**20, "gi": 2**30}


def parse_size(text: str) -> int:
    """A byte count: ``50000000``, ``50_000_000``, ``50M``, ``50MB``, ``64MiB``.

    >>> parse_size("50M"), parse_size("1_000"), parse_size("2KiB")
    (50000000, 1000, 2048)
    """
    m = _SIZE.match(text)
    if not m:
        raise argparse.ArgumentTypeError(f"not a size in bytes: {text!r} (e.g. 50000000 or 50M)")
    unit = (m.group(2) or "").lower().rstrip("b")
    n = int(m.group(1).replace("_", "").replace(",", "")) * _UNITS[unit]
    if n <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 bytes: {text!r}")
    return n


_TIMEOUT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:\+\s*(\d+(?:\.\d+)?)\s*(?:/\s*pages?)?)?\s*$",
                      re.IGNORECASE)


def parse_timeout(text: str) -> tuple[float, float]:
    """``--file-timeout``: seconds per file, and seconds added per PDF page.

    >>> parse_timeout("300+30/page"), parse_timeout("120"), parse_timeout("0")
    ((300.0, 30.0), (120.0, 0.0), (0.0, 0.0))
    """
    m = _TIMEOUT.match(text)
    if not m:
        raise argparse.ArgumentTypeError(f"not a time limit: {text!r} (e.g. 300, or 300+30/page; 0 = none)")
    return float(m.group(1)), float(m.group(2) or 0)


def parse_memory(text: str) -> int:
    """``--max-memory``: a size as for ``--max-bytes``, or ``0``/``none`` for no limit."""
    if text.strip().lower() in ("0", "none", "off"):
        return 0
    return parse_size(text)


def _size_text(n: int) -> str:
    for unit, size in (("G", 2**30), ("M", 2**20)):
        if n % size == 0:
            return f"{n // size}{unit}iB"
    return str(n)


def _jobs(text: str) -> int:
    """``--jobs``: a count of worker processes; 0 means one per CPU."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of jobs: {text!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return n or (os.cpu_count() or 1)


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line plus the usage, exit 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Extract document facts, references and quantitative "
                     "targets from Vietnamese government plan documents.")
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="{extract,compare,eval,review}", parser_class=_Parser)

    ex = sub.add_parser("extract", help="read documents and write the output tables",
                        description="Read documents (files, or folders searched recursively for "
                        ".txt .md .markdown .docx .pdf .doc .html .htm) and write documents.jsonl, documents.csv, "
                        "targets.csv, references.csv, errors.csv, the comparison tables (CSV, XLSX), "
                        "Parquet, JSON and report.html. "
                        "Exit status: 0 all read, 1 some failed (outputs still written), 2 usage error, "
                        "3 the output folder or the store cannot be written, 130 interrupted.")
    ex.add_argument("paths", nargs="+", type=_path_or_url, metavar="PATH",
                    help="document files or folders (with --engine dask also fsspec URLs: s3://bucket/plans/)")
    ex.add_argument("--out", "-o", type=_path_or_url, default=DEFAULT_OUT, metavar="DIR",
                    help="output folder, created if missing (default: outputs); a URL with --engine dask")
    ex.add_argument("--engine", choices=("local", "dask"), default="local",
                    help="local: worker processes on this machine; dask: the workers of a Dask cluster, a "
                    "LocalCluster of --jobs workers unless --scheduler is given (default: local)")
    ex.add_argument("--scheduler", metavar="ADDRESS", default=None,
                    help="with --engine dask: the address of a running Dask scheduler (tcp://host:8786)")
    ex.add_argument("--format", choices=("files", "parquet-dataset"), default="files",
                    help="files: the output files listed above; parquet-dataset (--engine dask): "
                    "documents/, targets/, references/ as Parquet datasets partitioned by province_2025, "
                    "the comparison tables, and the other files for batches of at most 2000 documents "
                    "(default: files)")
    ex.add_argument("--jobs", "-j", type=_jobs, default=1, metavar="N",
                    help="extract N documents at a time in worker processes; 0 = one per CPU (default: 1)")
    ex.add_argument("--force", action="store_true",
                    help="extract every document again, even those unchanged since the last run "
                    "into DIR (kept in DIR/chitieu.sqlite)")
    ex.add_argument("--baseline", "-b", metavar="DOC_ID", default="auto",
                    help="doc_id of the document the comparison and the report measure against, or a "
                    "built-in national programme (1520/QĐ-TTg) "
                    "(default: the national document of the batch, if any)")
    ex.add_argument("--lang", choices=("vi", "en"), default="vi",
                    help="language of report.html and comparison.xlsx: names of indicators, tiers, "
                    "statuses, sheets and headers (default: vi, Vietnamese; CSV/Parquet/JSON keep codes)")
    ex.add_argument("--max-bytes", type=parse_size, default=DEFAULT_MAX_BYTES, metavar="N",
                    help="refuse files larger than N bytes; accepts 50M, 1G (default: 50000000)")
    ex.add_argument("--file-timeout", type=parse_timeout, default=DEFAULT_FILE_TIMEOUT, metavar="S[+P/page]",
                    help="in a batch, stop a file after S seconds plus P per PDF page (OCR) and report it "
                    "as 'timeout'; 0 = no limit (default: {:g}+{:g}/page)".format(*DEFAULT_FILE_TIMEOUT))
    ex.add_argument("--max-memory", type=parse_memory, default=DEFAULT_MAX_MEMORY, metavar="N",
                    help="in a batch, stop a file whose worker process uses more than N bytes of "
                    "resident memory and report it as 'out_of_memory'; accepts 4G, 512M; 0 = no limit "
                    f"(default: {_size_text(DEFAULT_MAX_MEMORY)})")
    ex.add_argument("--quiet", "-q", action="store_true",
                    help="no progress bar, only warnings and errors on stderr (never a traceback)")
    ex.add_argument("--verbose", "-v", action="store_true",
                    help="log each file's counts, and show the traceback of an internal error")

    cmp = sub.add_parser("compare", help="rebuild the comparison tables from an output folder",
                         description="Build comparison.csv, differences.csv, comparison_columns.csv and "
                         "comparison.xlsx from the documents.jsonl in OUTPUT_DIR, without re-extracting. "
                         "The baseline is the national programme in the batch unless --baseline names "
                         "another document. Exit status: 0 written, 2 usage error (no documents.jsonl, "
                         "unreadable record, unknown --baseline), 3 the tables cannot be written.")
    cmp.add_argument("output_dir", type=Path, metavar="OUTPUT_DIR",
                     help="a folder written by 'chitieu extract' (holding documents.jsonl)")
    cmp.add_argument("--baseline", "-b", metavar="DOC_ID", default="auto",
                     help="doc_id of the document to compare against, or a built-in national "
                     "programme (1520/QĐ-TTg) (default: the national "
                     "document of the batch, if any)")
    cmp.add_argument("--lang", choices=("vi", "en"), default="vi",
                     help="language of comparison.xlsx (default: vi, Vietnamese)")
    cmp.add_argument("--out", "-o", type=Path, default=None, metavar="DIR",
                     help="where to write the tables (default: OUTPUT_DIR)")

    rv = sub.add_parser("review", help="review and correct the extracted targets in the browser",
                        description="Serve a small web app on 127.0.0.1 over OUTPUT_DIR/chitieu.sqlite: "
                        "accept, edit, reject or add targets and correct document facts; each correction is "
                        "saved at once in the store and applied by the next 'chitieu extract' or "
                        "'chitieu compare' into OUTPUT_DIR. Exit status: 0 stopped or exported, 2 usage "
                        "error (no store in OUTPUT_DIR), 3 the gold folder cannot be written.")
    rv.add_argument("output_dir", type=Path, metavar="OUTPUT_DIR",
                    help="a folder written by 'chitieu extract' (holding chitieu.sqlite)")
    rv.add_argument("--port", type=int, default=8765, help="port to listen on (default: 8765)")
    rv.add_argument("--host", default="127.0.0.1",
                    help="address to bind (default: 127.0.0.1, this machine only)")
    rv.add_argument("--open", action="store_true", help="open the review page in the default browser")
    rv.add_argument("--who", default=None,
                    help="the analyst's name recorded with each correction (default: the login name)")
    rv.add_argument("--export-gold", type=Path, default=None, metavar="DIR",
                    help="do not serve: write the documents marked reviewed as gold files "
                    "(<doc_id>.json, the ../shared/gold format) into DIR, for 'chitieu eval'")

    # ``eval`` is parsed by pipeline.evaluate; listed here for --help only.
    sub.add_parser("eval", help="score a documents.jsonl against gold folders", add_help=False)
    return parser


class _VersionAction(argparse.Action):
    """``--version``, looked up only when asked for (reading the installed
    metadata costs ``--help`` and every command ~20 ms otherwise)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str = "show program's version number and exit"):
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,  # noqa: ARG002
                 values: str | Sequence[Any] | None,  # noqa: ARG002 - argparse.Action's hook
                 option_string: str | None = None) -> None:  # noqa: ARG002
        parser.exit(message=f"{parser.prog} {_version()}\n")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("chitieu")
    except PackageNotFoundError:  # not installed (running from a checkout)
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in[:1] == ["eval"]:
        from .evaluate import main as eval_main
        return eval_main(args_in[1:])

    parser = build_parser()
    args = parser.parse_args(args_in)
    if args.command is None:
        parser.print_usage(sys.stderr)
        print(f"{PROG}: error: a command is required: extract, compare, eval or review (see {PROG} --help)",
              file=sys.stderr)
        return 2
    if args.command == "compare":
        return _cmd_compare(args)
    if args.command == "review":
        from .review.app import main as review_main
        return review_main(args)
    return _cmd_extract(args)


def run() -> int:
    """The ``chitieu`` program (``python -m pipeline``, the installed script):
    :func:`main`, then every object left is frozen (:func:`gc.freeze`), so
    that the interpreter's exit does not walk them all once more (0.2-0.5 s
    after a run that loaded spaCy and pandas, 0.04 s frozen).  The exit
    handlers still run (logs flushed, worker processes reaped).  Not for a
    caller that goes on running: that one calls :func:`main`.

    OpenBLAS gets one thread (``OPENBLAS_NUM_THREADS``, unless set): numpy
    comes with spaCy and pandas, and its threads spin at start for ~0.1 s of
    CPU, for no linear algebra (as in the workers, :mod:`pipeline.batch.worker`)."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    code = main()
    import gc

    gc.freeze()
    return code


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
