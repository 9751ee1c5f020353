"""The command line's grammar: ``chitieu``'s parser and its defaults.

Kept apart from :mod:`pipeline.cli`, which runs the commands, and importing
nothing of ``pipeline``: the program (``pipeline/__main__.py``) parses its
arguments with this alone, so ``chitieu --help``, ``--version`` and a usage
error load only :mod:`argparse`; the commands' plumbing (logging,
dataclasses, temporary files, the store) is imported once a command has been
parsed.  ``extract``'s paths stay text here (a path or an fsspec URL:
:func:`pipeline.cli.dispatch` tells them apart).
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Any, NoReturn
from collections.abc import Sequence

PROG = "chitieu"
DEFAULT_OUT = Path("outputs")
DEFAULT_MAX_BYTES = 50_000_000  # == pipeline.core.DEFAULT_MAX_BYTES, kept here so --help needs no import
# == pipeline.batch.DEFAULT_FILE_TIMEOUT, DEFAULT_PAGE_TIMEOUT, DEFAULT_MAX_MEMORY (a test checks)
DEFAULT_FILE_TIMEOUT = (300.0, 30.0)
DEFAULT_MAX_MEMORY = 4 * 2**30


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
    ex.add_argument("paths", nargs="+", metavar="PATH",
                    help="document files or folders (with --engine dask also fsspec URLs: s3://bucket/plans/)")
    ex.add_argument("--out", "-o", default=str(DEFAULT_OUT), metavar="DIR",
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


def parse(argv: Sequence[str]) -> argparse.Namespace | int:
    """The command ``argv`` asks for, or the exit status when it names none
    (the usage is then printed).  ``eval`` is parsed by :mod:`pipeline.evaluate`:
    its arguments are left in ``rest``.  ``--help``, ``--version`` and usage
    errors exit here (``SystemExit``), as argparse does."""
    argv = list(argv)
    if argv[:1] == ["eval"]:
        return argparse.Namespace(command="eval", rest=argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_usage(sys.stderr)
        print(f"{PROG}: error: a command is required: extract, compare, eval or review (see {PROG} --help)",
              file=sys.stderr)
        return 2
    return args
