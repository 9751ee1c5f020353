"""The ``chitieu`` command.

``chitieu extract PATH... [--out DIR] [--jobs N] [--force] [--max-bytes N] [--quiet]``
    Read every document named (folders are searched recursively for
    ``.txt .docx .pdf .doc .html .htm``) and write the outputs of
    :mod:`pipeline.export` to ``DIR`` (default ``outputs/``).  Finished
    documents are kept in ``DIR/chitieu.sqlite`` and reused by the next run
    while their bytes and the rules are unchanged (:mod:`pipeline.batch`).

``chitieu eval OUTPUT_JSONL GOLD_DIR... [--json] [--summary]``
    Score a ``documents.jsonl`` against gold folders (:mod:`pipeline.evaluate`).

Exit status: 0 when every file was read, 1 when some could not be (the
outputs are still written and ``errors.csv`` lists them), 2 for usage errors
(unknown option, a path that does not exist), 130 when interrupted.
"""
from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Optional, Sequence

if TYPE_CHECKING:
    from .models import DocumentRecord

log = logging.getLogger("chitieu")

PROG = "chitieu"
DEFAULT_OUT = Path("outputs")
DEFAULT_MAX_BYTES = 50_000_000  # == pipeline.core.DEFAULT_MAX_BYTES, kept here so --help needs no import

Extractor = Callable[..., "DocumentRecord"]


class UsageError(Exception):
    """Bad command line; the message is shown as ``chitieu <cmd>: error: …`` and we exit 2."""


# --------------------------------------------------------------------------
# Finding the input files
# --------------------------------------------------------------------------

def supported_suffixes() -> frozenset[str]:
    from .load import SUPPORTED_SUFFIXES
    return frozenset(SUPPORTED_SUFFIXES)


def _skipped_name(name: str) -> bool:
    """Hidden files and folders, and Office lock files (``~$plan.docx``)."""
    return name.startswith(".") or name.startswith("~$")


def find_inputs(paths: Sequence[Path | str], suffixes: Optional[Iterable[str]] = None) -> list[Path]:
    """The files to read for the ``paths`` given on the command line.

    A file is taken as named, whatever its extension (the loader decides by
    content).  A folder is searched recursively for files whose extension is
    supported, skipping hidden entries and Office lock files; each folder's
    files come sorted.  A file named twice is read once.  Raises
    :class:`UsageError` for a path that does not exist.
    """
    wanted = frozenset(s.lower() for s in (supported_suffixes() if suffixes is None else suffixes))
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside = []
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames[:] = [d for d in dirnames if not _skipped_name(d)]
                for name in filenames:
                    if not _skipped_name(name) and Path(name).suffix.lower() in wanted:
                        inside.append(Path(dirpath, name))
            found.extend(sorted(inside, key=lambda p: p.as_posix()))
        elif path.exists():
            found.append(path)
        else:
            raise UsageError(f"{raw}: no such file or folder")
    unique: dict[str, Path] = {}
    for p in found:
        unique.setdefault(os.path.realpath(p), p)
    return list(unique.values())


# --------------------------------------------------------------------------
# Running the extraction
# --------------------------------------------------------------------------

@dataclass
class RunSummary:
    documents: int = 0
    failed: int = 0
    targets: int = 0
    references: int = 0
    warnings: int = 0
    characters: int = 0
    seconds: float = 0.0
    out_dir: Optional[Path] = None
    failures: list[tuple[str, str]] = field(default_factory=list)
    extracted: Optional[int] = None  # None: not a batch run (no store line)
    reused: int = 0
    jobs: int = 1
    extract_seconds: float = 0.0  # of ``seconds``: reading and extracting (the rest writes the outputs)
    compared: str = ""  # what the comparison measured against (Comparison.describe_baselines)

    @property
    def docs_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds > 0 else 0.0

    @property
    def chars_per_second(self) -> float:
        return self.characters / self.seconds if self.seconds > 0 else 0.0

    def format(self) -> str:
        read = self.documents - self.failed
        lines = [
            f"documents   {self.documents} ({read} read, {self.failed} failed)",
            f"targets     {self.targets}",
            f"references  {self.references}",
            f"warnings    {self.warnings}",
            f"time        {self.seconds:.2f} s  ({self.docs_per_second:.2f} documents/s, "
            f"{self.chars_per_second:,.0f} characters/s)",
        ]
        if self.extracted is not None:
            lines.append(f"extracted   {self.extracted}, reused {self.reused} (unchanged since an "
                         f"earlier run), jobs {self.jobs}")
        if self.compared:
            lines.append(f"compared    with {self.compared}")
        if self.out_dir is not None:
            from .export import OUTPUT_FILES

            lines.append(f"outputs     {self.out_dir}{os.sep}  ({', '.join(OUTPUT_FILES)})")
        for doc_id, code in self.failures:
            lines.append(f"failed      {doc_id}: {code}  (see errors.csv)")
        return "\n".join(lines)


def summarize(records: Sequence["DocumentRecord"], seconds: float, out_dir: Optional[Path] = None) -> RunSummary:
    s = RunSummary(documents=len(records), seconds=seconds, out_dir=out_dir)
    for rec in records:
        if rec.extra.get("error"):
            s.failed += 1
            s.failures.append((rec.doc_id, str(rec.extra["error"])))
            continue
        s.targets += len(rec.targets)
        s.references += len(rec.references)
        s.warnings += len(rec.warnings)
        s.characters += len(rec.extra.get("text") or "")
    return s


def default_extractor() -> Extractor:
    """:func:`pipeline.core.extract_file`, imported only when there is work to do."""
    from .core import extract_file
    return extract_file


def _progress(files: Sequence[Path], quiet: bool):
    from tqdm import tqdm

    disable = quiet or not sys.stderr.isatty()
    return tqdm(total=len(files), desc="extract", unit="doc", file=sys.stderr, disable=disable,
                dynamic_ncols=True, leave=False)


def run_extract(files: Sequence[Path], out_dir: Path, *, max_bytes: int = DEFAULT_MAX_BYTES,
                quiet: bool = False, extractor: Optional[Extractor] = None, jobs: int = 1,
                force: bool = False, use_store: bool = True,
                baseline: Optional[str] = "auto", lang: str = "vi") -> RunSummary:
    """Extract ``files`` (``jobs`` at a time) and write every output to ``out_dir``.

    Documents unchanged since an earlier run into ``out_dir`` are taken from
    its store instead (unless ``force``); see :mod:`pipeline.batch`.
    """
    from tqdm.contrib.logging import logging_redirect_tqdm

    from .batch import run_batch
    from .export import write_outputs
    from .store import STORE_NAME, Store

    start = time.perf_counter()
    extract = extractor or default_extractor()
    bar = _progress(files, quiet)
    reused = 0

    def advance(path: Path, was_reused: bool) -> None:
        nonlocal reused
        reused += was_reused
        bar.set_postfix_str(f"reused {reused}  {path.name[-40:]}", refresh=False)
        bar.update(1)

    store = Store(Path(out_dir) / STORE_NAME) if use_store else None
    try:
        with logging_redirect_tqdm(loggers=[logging.getLogger()]), bar:
            batch = run_batch(files, max_bytes=max_bytes, jobs=jobs, store=store, force=force,
                              extractor=extract, progress=advance)
    finally:
        if store is not None:
            store.close()
    records = batch.records
    _warn_duplicate_ids(records)
    written = write_outputs(records, out_dir, baseline=baseline, lang=lang)
    summary = summarize(records, time.perf_counter() - start, out_dir)
    summary.compared = written.comparison.describe_baselines()
    summary.extracted, summary.reused, summary.jobs = batch.extracted, batch.reused, jobs
    summary.extract_seconds = batch.seconds
    return summary


def _warn_duplicate_ids(records: Sequence["DocumentRecord"]) -> None:
    seen: dict[str, str] = {}
    for rec in records:
        if rec.doc_id in seen:
            log.warning("%s and %s share the doc_id %r; rename one to tell them apart in the outputs",
                        seen[rec.doc_id], rec.source, rec.doc_id)
        else:
            seen[rec.doc_id] = rec.source


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

    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Extract document facts, references and quantitative "
                     "targets from Vietnamese government plan documents.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    ex = sub.add_parser("extract", help="read documents and write the output tables",
                        description="Read documents (files, or folders searched recursively for "
                        ".txt .docx .pdf .doc .html .htm) and write documents.jsonl, documents.csv, "
                        "targets.csv, references.csv, errors.csv, the comparison tables (CSV, XLSX), "
                        "Parquet, JSON and report.html. "
                        "Exit status: 0 all read, 1 some failed (outputs still written), 2 usage error.")
    ex.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="document files or folders")
    ex.add_argument("--out", "-o", type=Path, default=DEFAULT_OUT, metavar="DIR",
                    help="output folder, created if missing (default: outputs)")
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
    ex.add_argument("--quiet", "-q", action="store_true",
                    help="no progress bar, only warnings and errors on stderr")
    ex.add_argument("--verbose", "-v", action="store_true", help="log each file's counts")

    cmp = sub.add_parser("compare", help="rebuild the comparison tables from an output folder",
                         description="Build comparison.csv, differences.csv, comparison_columns.csv and "
                         "comparison.xlsx from the documents.jsonl in OUTPUT_DIR, without re-extracting. "
                         "The baseline is the national programme in the batch unless --baseline names "
                         "another document. Exit status: 0 written, 2 usage error (no documents.jsonl, "
                         "unreadable record, unknown --baseline).")
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

    # ``eval`` is parsed by pipeline.evaluate; listed here for --help only.
    sub.add_parser("eval", help="score a documents.jsonl against gold folders", add_help=False)
    return parser


def _version() -> str:
    try:
        from importlib.metadata import version
        return version("chitieu")
    except Exception:  # not installed (running from a checkout)
        return "unknown"


def _setup_logging(quiet: bool, verbose: bool) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("chitieu: %(levelname)s: %(message)s"))
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_chitieu", False):
            root.removeHandler(h)
    handler._chitieu = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    logging.getLogger("chitieu").setLevel(level)
    root.setLevel(logging.WARNING if not verbose else logging.DEBUG)
    logging.getLogger("chitieu").propagate = True
    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # page-level noise, not the user's problem


def main(argv: Optional[Sequence[str]] = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in[:1] == ["eval"]:
        from .evaluate import main as eval_main
        return eval_main(args_in[1:])

    parser = build_parser()
    args = parser.parse_args(args_in)
    if args.command is None:
        parser.print_usage(sys.stderr)
        print(f"{PROG}: error: a command is required: extract or eval (see {PROG} --help)", file=sys.stderr)
        return 2
    if args.command == "compare":
        return _cmd_compare(args)
    return _cmd_extract(args)


def _cmd_extract(args: argparse.Namespace) -> int:
    _setup_logging(args.quiet, args.verbose)
    prog = f"{PROG} extract"
    try:
        files = find_inputs(args.paths)
        if not files:
            raise UsageError("no documents found in " + ", ".join(str(p) for p in args.paths)
                             + " (looking for " + " ".join(sorted(supported_suffixes())) + ")")
        if args.out.exists() and not args.out.is_dir():
            raise UsageError(f"--out {args.out}: exists and is not a folder")
        if args.baseline not in ("auto", None) and args.baseline not in {p.stem for p in files}:
            from .baselines import all_builtins, find
            if find(args.baseline) is None:
                raise UsageError(f"--baseline {args.baseline}: no input file has that doc_id "
                                 f"(the doc_id is the file name without its extension) and no built-in "
                                 f"programme has that number ({', '.join(b.number for b in all_builtins())})")
    except UsageError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        log.info("reading %d file%s into %s%s", len(files), "" if len(files) == 1 else "s", args.out, os.sep)
    try:
        summary = run_extract(files, args.out, max_bytes=args.max_bytes, quiet=args.quiet,
                              jobs=args.jobs, force=args.force, baseline=args.baseline, lang=args.lang)
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; no output was written (earlier outputs are untouched); "
              "the documents finished so far are kept and the next run will not redo them",
              file=sys.stderr)
        return 130
    except OSError as exc:  # the output folder cannot be written
        print(f"{prog}: error: cannot write outputs to {args.out}: {exc}", file=sys.stderr)
        return 2
    print(summary.format(), flush=True)
    return 1 if summary.failed else 0


def _cmd_compare(args: argparse.Namespace) -> int:
    """``chitieu compare``: the comparison tables from an existing documents.jsonl."""
    from .compare import UnknownBaseline
    from .export import COMPARISON_FILES, read_documents_jsonl, write_comparison

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
        records = read_documents_jsonl(jsonl)
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
        print(f"{prog}: error: cannot write to {out}: {exc}", file=sys.stderr)
        return 2
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
    ]
    print("\n".join(lines), flush=True)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
