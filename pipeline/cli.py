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
import logging
import os
import re
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Optional, Sequence

if TYPE_CHECKING:
    from .models import DocumentRecord

log = logging.getLogger("chitieu")

PROG = "chitieu"
DEFAULT_OUT = Path("outputs")
DEFAULT_MAX_BYTES = 50_000_000  # == pipeline.core.DEFAULT_MAX_BYTES, kept here so --help needs no import
# == pipeline.batch.DEFAULT_FILE_TIMEOUT, DEFAULT_PAGE_TIMEOUT, DEFAULT_MAX_MEMORY (a test checks)
DEFAULT_FILE_TIMEOUT = (300.0, 30.0)
DEFAULT_MAX_MEMORY = 4 * 2**30
#: Where tracebacks of internal errors go, in the output folder.
LOG_NAME = "chitieu.log"

EXIT_OK, EXIT_FAILED_FILES, EXIT_USAGE, EXIT_CANNOT_WRITE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

Extractor = Callable[..., "DocumentRecord"]


class UsageError(Exception):
    """Bad command line; the message is shown as ``chitieu <cmd>: error: …`` and we exit 2."""


class OutputError(Exception):
    """The output folder cannot be created or written; we exit 3."""


# --------------------------------------------------------------------------
# Finding the input files
# --------------------------------------------------------------------------

def supported_suffixes() -> frozenset[str]:
    from .load import SUPPORTED_SUFFIXES
    return frozenset(SUPPORTED_SUFFIXES)


def _skipped_name(name: str) -> bool:
    """Hidden files and folders, and Office lock files (``~$plan.docx``)."""
    return name.startswith(".") or name.startswith("~$")


@dataclass(frozen=True)
class Skipped:
    """An entry of a searched folder that is not read, and why (a short reason
    that groups entries: ``extension .xlsx``, ``hidden``, ``symlink loop`` …)."""

    path: Path
    reason: str
    detail: str = ""


def _skip_reason(name: str) -> str:
    return "Office lock file" if name.startswith("~$") else "hidden"


def _search(root: Path, wanted: frozenset[str], skipped: list[Skipped]) -> list[Path]:
    """Supported files under ``root``, following symlinked folders once each.

    Real folders are searched before symlinked ones, so a link back into the
    tree (or to a folder already searched, or to an ancestor: a loop) is
    reported and not searched again.
    """
    found: list[Path] = []
    seen: dict[tuple[int, int], Path] = {}
    real: list[Path] = [root]
    linked: list[Path] = []
    while real or linked:
        folder = real.pop() if real else linked.pop(0)
        try:
            st = os.stat(folder)
        except OSError as exc:
            skipped.append(Skipped(folder, "unreadable folder", exc.strerror or str(exc)))
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen:
            first = seen[key]
            loop = folder.as_posix().startswith(first.as_posix().rstrip("/") + "/")  # walked from inside it
            skipped.append(Skipped(folder, "symlink loop" if loop else "folder already searched",
                                   f"links to {first}"))
            continue
        seen[key] = folder
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            skipped.append(Skipped(folder, "unreadable folder", exc.strerror or str(exc)))
            continue
        subfolders: list[Path] = []
        for e in entries:
            path = Path(e.path)
            if _skipped_name(e.name):
                skipped.append(Skipped(path, _skip_reason(e.name)))
                continue
            try:
                is_dir = e.is_dir()
                is_file = not is_dir and e.is_file()
                is_link = e.is_symlink()
            except OSError as exc:
                skipped.append(Skipped(path, "unreadable entry", exc.strerror or str(exc)))
                continue
            if is_dir:
                (linked if is_link else subfolders).append(path)
            elif is_file:
                suffix = path.suffix.lower()
                if suffix in wanted:
                    found.append(path)
                else:
                    skipped.append(Skipped(path, f"extension {suffix} not read" if suffix else "no extension"))
            elif is_link:
                skipped.append(Skipped(path, "broken symlink", f"points to {os.readlink(path)}"))
            else:
                skipped.append(Skipped(path, "not a regular file"))
        real.extend(reversed(subfolders))
    return sorted(found, key=lambda p: p.as_posix())


def find_inputs(paths: Sequence[Path | str], suffixes: Optional[Iterable[str]] = None,
                skipped: Optional[list[Skipped]] = None) -> list[Path]:
    """The files to read for the ``paths`` given on the command line.

    A file is taken as named, whatever its extension (the loader decides by
    content).  A folder is searched recursively for files whose extension is
    supported, skipping hidden entries and Office lock files and following
    symlinked folders (each folder is searched once: a link loop ends there);
    each folder's files come sorted.  A file named twice is read once.  What
    a folder search leaves out is appended to ``skipped`` (see
    :func:`report_skipped`).  Raises :class:`UsageError` for a path that does
    not exist.
    """
    wanted = frozenset(s.lower() for s in (supported_suffixes() if suffixes is None else suffixes))
    skipped = [] if skipped is None else skipped
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(_search(path, wanted, skipped))
        elif path.exists():
            found.append(path)
        else:
            raise UsageError(f"{raw}: no such file or folder")
    unique: dict[str, Path] = {}
    for p in found:
        first = unique.setdefault(os.path.realpath(p), p)
        if first is not p and first != p:
            skipped.append(Skipped(p, "same file found twice", f"read as {first}"))
    return list(unique.values())


#: Reasons a user expects (not worth a warning): hidden entries and lock files.
_QUIET_REASONS = frozenset({"hidden", "Office lock file"})
_LIST_AT_MOST = 10


def report_skipped(skipped: Sequence[Skipped], logger: logging.Logger = log) -> list[str]:
    """Say what a folder search left out: one summary line counting the
    reasons (a warning when a document may have been missed: an extension not
    read, a loop, an unreadable folder), then one line per entry: the first
    few of each reason at INFO, all of them at DEBUG (``--verbose``).

    Returns the summary and every entry's line, for a log file.
    """
    if not skipped:
        return []
    counts: dict[str, int] = {}
    for s in skipped:
        counts[s.reason] = counts.get(s.reason, 0) + 1
    order = sorted(counts, key=lambda r: (r in _QUIET_REASONS, -counts[r], r))
    summary = ", ".join(f"{counts[r]} {r}" for r in order)
    n = len(skipped)
    level = logging.INFO if all(r in _QUIET_REASONS for r in counts) else logging.WARNING
    head = (f"skipped {n} entr{'y' if n == 1 else 'ies'} of the folders searched "
            f"(not read, not in errors.csv): {summary}")
    logger.log(level, "%s", head)
    lines = [head]
    shown: dict[str, int] = {}
    for s in skipped:
        shown[s.reason] = shown.get(s.reason, 0) + 1
        quiet = s.reason in _QUIET_REASONS or shown[s.reason] > _LIST_AT_MOST
        line = f"skipped {s.path}: {s.reason}" + (f" ({s.detail})" if s.detail else "")
        logger.log(logging.DEBUG if quiet else logging.INFO, "%s", line)
        lines.append(line)
    hidden = sum(max(0, c - _LIST_AT_MOST) for r, c in counts.items() if r not in _QUIET_REASONS)
    if hidden and not logger.isEnabledFor(logging.DEBUG):
        logger.info("... and %d more skipped entr%s (--verbose lists them all)", hidden,
                    "y" if hidden == 1 else "ies")
    return lines


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
    log_file: Optional[Path] = None  # chitieu.log, when this run wrote tracebacks into it
    logged: int = 0
    corrections: list[str] = field(default_factory=list)  # an analyst's corrections (pipeline.review)

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
            from .outputs.tables import OUTPUT_FILES

            lines.append(f"outputs     {self.out_dir}{os.sep}  ({', '.join(OUTPUT_FILES)})")
        for doc_id, code in self.failures:
            lines.append(f"failed      {doc_id}: {code}  (see errors.csv)")
        lines.extend(self.corrections)
        if self.log_file is not None:
            lines.append(f"log         {self.log_file}  (the traceback of {self.logged} internal "
                         f"error{'' if self.logged == 1 else 's'}; please report it)")
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


def prepare_output_folder(out_dir: Path) -> None:
    """Before any work: ``out_dir`` exists (created if missing) and a file can
    be written in it, else :class:`OutputError`; the hidden temporary files a
    killed run left there are removed."""
    from .outputs.atomic import remove_stale_temps

    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder {out_dir}: {_reason(exc)}") from exc
    try:
        fd, probe = tempfile.mkstemp(dir=out_dir, prefix=".chitieu-probe.", suffix=".tmp")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(f"cannot write in the output folder {out_dir}: {_reason(exc)}") from exc
    for path in remove_stale_temps(out_dir, names=("chitieu-probe", LOG_NAME)):
        log.debug("removed %s, left by a run that was killed while writing", path)


def _reason(exc: BaseException) -> str:
    """The reason of an ``OSError`` without the file name (a temporary file's, or the folder's, already named)."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def write_log(out_dir: Path, entries: Sequence[tuple[str, str]]) -> Optional[Path]:
    """Append ``(message, traceback)`` entries to ``out_dir/chitieu.log``; the
    log's path, or ``None`` when nothing was written (no entries, or the
    folder refuses it: the one-line messages were shown anyway)."""
    if not entries:
        return None
    path = Path(out_dir) / LOG_NAME
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    text = "".join(f"{stamp} {message}\n{tb.rstrip()}\n\n" for message, tb in entries)
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError:
        return None
    return path


def _tracebacks(records: Sequence["DocumentRecord"]) -> list[tuple[str, str]]:
    """The tracebacks the batch kept (``extra["traceback"]``), taken out of the records."""
    out = []
    for rec in records:
        tb = rec.extra.pop("traceback", None)
        if tb:
            out.append((str(rec.extra.get("error_message") or rec.source), str(tb)))
    return out


def run_extract(files: Sequence[Path], out_dir: Path, *, max_bytes: int = DEFAULT_MAX_BYTES,
                quiet: bool = False, extractor: Optional[Extractor] = None, jobs: int = 1,
                force: bool = False, use_store: bool = True,
                baseline: Optional[str] = "auto", budget=None, isolate: Optional[bool] = None,
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
    from tqdm.contrib.logging import logging_redirect_tqdm

    from .batch import Budget, run_batch
    from .outputs.write import write_outputs
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

    def error(self, message: str):  # type: ignore[override]
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
                    "as 'timeout'; 0 = no limit (default: %g+%g/page)" % DEFAULT_FILE_TIMEOUT)
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

    def __call__(self, parser, namespace, values, option_string=None):  # type: ignore[override]
        parser.exit(message=f"{parser.prog} {_version()}\n")


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
        print(f"{PROG}: error: a command is required: extract, compare, eval or review (see {PROG} --help)",
              file=sys.stderr)
        return 2
    if args.command == "compare":
        return _cmd_compare(args)
    if args.command == "review":
        from .review.app import main as review_main
        return review_main(args)
    return _cmd_extract(args)


def _path_or_url(text: str):
    """A command-line path: a :class:`Path`, or the text itself for a URL (``s3://…``)."""
    from .engines import is_url
    return text if is_url(text) else Path(text)


def _cmd_extract(args: argparse.Namespace) -> int:
    if args.engine == "dask":
        from .engines.dask import cmd_extract
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
    except Exception as exc:  # a bug outside any one file: one line here, the traceback in the log
        return _internal_error(prog, args.out, exc, show=args.verbose and not args.quiet)
    print(summary.format(), flush=True)
    return EXIT_FAILED_FILES if summary.failed else EXIT_OK


def _internal_error(prog: str, out: Path, exc: BaseException, show: bool) -> int:
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    message = f"{prog}: internal error ({type(exc).__name__}: {exc}); no output was written"
    where = write_log(out, [(message, tb)])
    print(message + (f"; the traceback is in {where}, please report it" if where else ""), file=sys.stderr)
    if show:
        print(tb.rstrip(), file=sys.stderr)
    return EXIT_CANNOT_WRITE


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
    except Exception as exc:
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
