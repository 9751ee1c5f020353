"""One run's plumbing, shared by ``chitieu extract`` and the engines
(:mod:`pipeline.cli`, :mod:`pipeline.engines.dask`): exit codes, errors, the
run summary, the progress bar, the output folder check and ``chitieu.log``."""
from __future__ import annotations

import dataclasses
import logging
import os
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn
from collections.abc import Callable, Sequence

from .arguments import PROG as PROG  # the program name, defined with its parser (re-exported)

if TYPE_CHECKING:
    from tqdm import tqdm

    from .models import DocumentRecord

log = logging.getLogger("chitieu")


#: Where tracebacks of internal errors go, in the output folder.
LOG_NAME = "chitieu.log"


EXIT_OK, EXIT_FAILED_FILES, EXIT_USAGE, EXIT_CANNOT_WRITE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class UsageError(Exception):
    """Bad command line; the message is shown as ``chitieu <cmd>: error: …`` and we exit 2."""


class OutputError(Exception):
    """The output folder cannot be created or written; we exit 3."""


@dataclass
class RunSummary:
    documents: int = 0
    failed: int = 0
    targets: int = 0
    references: int = 0
    warnings: int = 0
    characters: int = 0
    seconds: float = 0.0
    out_dir: Path | None = None
    failures: list[tuple[str, str]] = field(default_factory=list)
    extracted: int | None = None  # None: not a batch run (no store line)
    reused: int = 0
    jobs: int = 1
    extract_seconds: float = 0.0  # of ``seconds``: reading and extracting (the rest writes the outputs)
    compared: str = ""  # what the comparison measured against (Comparison.describe_baselines)
    log_file: Path | None = None  # chitieu.log, when this run wrote tracebacks into it
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


def summarize(records: Sequence[DocumentRecord], seconds: float, out_dir: Path | None = None) -> RunSummary:
    s = RunSummary(documents=len(records), seconds=seconds, out_dir=out_dir)
    for rec in records:
        if rec.error is not None:
            s.failed += 1
            s.failures.append((rec.doc_id, rec.error.code))
            continue
        s.targets += len(rec.targets)
        s.references += len(rec.references)
        s.warnings += len(rec.warnings)
        s.characters += len(rec.text or "")
    return s


def _progress(files: Sequence[Path], quiet: bool) -> tqdm[NoReturn]:
    from tqdm import tqdm

    disable = quiet or not sys.stderr.isatty()
    return tqdm(total=len(files), desc="extract", unit="doc", file=sys.stderr, disable=disable,
                dynamic_ncols=True, leave=False)


def advancing(bar: tqdm[NoReturn], then: Callable[[Path, bool], None] | None = None) -> Callable[[Path, bool], None]:
    """The batch's ``progress(path, reused)`` callback for ``bar``: one step
    per file, the count of reused files and the file's name beside the bar;
    then ``then(path, reused)``, if given."""
    reused = 0

    def advance(path: Path, was_reused: bool) -> None:
        nonlocal reused
        reused += was_reused
        bar.set_postfix_str(f"reused {reused}  {path.name[-40:]}", refresh=False)
        bar.update(1)
        if then is not None:
            then(path, was_reused)

    return advance


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


def write_log(out_dir: Path, entries: Sequence[tuple[str, str]]) -> Path | None:
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


def _tracebacks(records: Sequence[DocumentRecord]) -> list[tuple[str, str]]:
    """The tracebacks the batch kept (``error.traceback``), taken out of the records."""
    out = []
    for rec in records:
        if rec.error is not None and rec.error.traceback:
            out.append((rec.error.message or rec.source, rec.error.traceback))
            rec.error = dataclasses.replace(rec.error, traceback=None)
    return out


def _warn_duplicate_ids(records: Sequence[DocumentRecord]) -> None:
    seen: dict[str, str] = {}
    for rec in records:
        if rec.doc_id in seen:
            log.warning("%s and %s share the doc_id %r; rename one to tell them apart in the outputs",
                        seen[rec.doc_id], rec.source, rec.doc_id)
        else:
            seen[rec.doc_id] = rec.source


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


def _internal_error(prog: str, out: Path, exc: BaseException, show: bool) -> int:
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    message = f"{prog}: internal error ({type(exc).__name__}: {exc}); no output was written"
    where = write_log(out, [(message, tb)])
    print(message + (f"; the traceback is in {where}, please report it" if where else ""), file=sys.stderr)
    if show:
        print(tb.rstrip(), file=sys.stderr)
    return EXIT_CANNOT_WRITE
