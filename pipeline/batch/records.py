"""One file's record when things go wrong: an extraction that raises, a worker
that dies, a file over its budget.  Each is an error record (the code in
``error.code``, the message in ``error.message`` and, as for
every record, an ``error: …`` warning) so that one bad file never stops the
batch."""
from __future__ import annotations

import logging
import traceback
from pathlib import Path
from typing import TYPE_CHECKING
from collections.abc import Callable

if TYPE_CHECKING:
    from ..models import DocumentRecord

log = logging.getLogger("chitieu")

#: ``extractor(path, max_bytes=…)`` (and ``sha256=…`` for the default one).
Extractor = Callable[..., "DocumentRecord"]


def default_extractor() -> Extractor:
    from ..core import extract_file  # looked up at call time (tests replace it)
    return extract_file


def is_default(extractor: Extractor | None) -> bool:
    """Whether ``extractor`` is :func:`pipeline.core.extract_file` (or ``None``, which means it)."""
    return extractor is None or (getattr(extractor, "__module__", None) == "pipeline.core"
                                 and getattr(extractor, "__qualname__", None) == "extract_file")


def error_record(path: Path, code: str, message: str) -> DocumentRecord:
    from ..models import DocError, DocumentRecord, error_warning

    return DocumentRecord(doc_id=path.stem, source=str(path), sha256="", warnings=[error_warning(message)],
                          error=DocError(code, message))


def failed_record(path: Path, exc: BaseException) -> tuple[DocumentRecord, str]:
    """The ``internal_error`` record of an extraction that raised ``exc``, and its message
    (the traceback goes in the record, for ``chitieu.log``, not for stderr)."""
    message = f"{path}: extraction failed ({type(exc).__name__}: {exc}); please report this file"
    from ..models import DocError, DocumentRecord, error_warning

    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    rec = DocumentRecord(doc_id=path.stem, source=str(path), sha256="", warnings=[error_warning(message)],
                         error=DocError("internal_error", message, tb))
    return rec, message


def safe_extract(extract: Extractor, path: Path, max_bytes: int,
                 sha256: str | None = None) -> DocumentRecord:
    """``extract(path)``; an unexpected exception becomes this file's error record,
    so one bad file (or one bug) never stops the batch.  ``sha256``, the hash
    the batch already computed to look the file up in its store, is handed to
    the default extractor so that the file is hashed once."""
    try:
        if sha256 is not None:
            return extract(path, max_bytes=max_bytes, sha256=sha256)
        return extract(path, max_bytes=max_bytes)
    except Exception as exc:  # noqa: BLE001 - a bug in one file must not stop the batch; reported per file
        rec, message = failed_record(path, exc)
        log.error("%s", message)
        return rec


def crash_record(path: Path) -> DocumentRecord:
    message = (f"{path}: the worker process extracting this file died (a crash in a native "
               "library, or out of memory); please report this file")
    log.error("%s", message)
    return error_record(path, "worker_crashed", message)


def budget_record(path: Path, code: str, detail: str) -> DocumentRecord:
    """A file stopped over its budget (``timeout``, ``out_of_memory``)."""
    log.error("%s", detail)
    return error_record(path, code, detail)


def file_sha256(path: Path) -> str | None:
    from ..core import sha256_file
    try:
        return sha256_file(path)
    except OSError:
        return None
