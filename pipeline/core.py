"""One document in, one :class:`~pipeline.models.DocumentRecord` out.

``extract_file`` never raises on a bad input file: a file that cannot be read
gives a record whose ``warnings`` say why and whose ``error`` holds a
short code, so a batch goes on and the outputs list the failure.
"""
from __future__ import annotations

import hashlib
import logging
import traceback
from dataclasses import replace
from pathlib import Path
from typing import Any

from .extractors.context import Extracted, ExtractionContext
from .extractors.metadata import read_facts
from .extractors.references import find_references
from .extractors.targets import extract_targets
from .models import DocError, DocumentRecord, Target, error_warning

log = logging.getLogger("chitieu")

DEFAULT_MAX_BYTES = 50_000_000


def sha256_file(path: Path) -> str:
    """The sha256 of a file's bytes.  A batch computes it once, to look the
    file up in its store, and hands it to :func:`extract_file` (``sha256=``)."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def extract_text(raw: str, doc_id: str, source: str = "", sha256: str | None = None,
                 warnings: list[str] | None = None, tables: list[Any] | None = None) -> DocumentRecord:
    """Extract facts, references and targets from a document's text (and its tables)."""
    if sha256 is None:
        sha256 = hashlib.sha256(raw.encode("utf-8")).hexdigest()
    rec = DocumentRecord(doc_id=doc_id, source=source, sha256=sha256, warnings=list(warnings or []))
    _fill(rec, ExtractionContext.build(raw, tables))
    rec.text = raw
    return rec


def find_targets(ctx: ExtractionContext) -> Extracted[Target]:
    """The targets stage, in the shape of the others (the reader takes the
    document's level, year and title from the facts on the context)."""
    facts = ctx.facts
    targets, warnings = extract_targets(ctx.prep, ctx.seg, facts.admin_level if facts else None,
                                        list(ctx.tables), ctx.issue_year, facts.title if facts else None)
    return Extracted(items=tuple(targets), warnings=tuple(warnings))


def _fill(rec: DocumentRecord, ctx: ExtractionContext) -> None:
    """Run the stages in order on one context: metadata, then references and
    targets, which read the facts the first put on the context."""
    found = read_facts(ctx)
    meta = found.items[0]
    ctx = ctx.with_facts(meta)
    rec.doc_type = meta.doc_type
    rec.number = meta.number
    rec.issue_date = meta.issue_date
    rec.place = meta.place
    rec.issuing_body = meta.issuing_body
    rec.parent_body = meta.parent_body
    rec.admin_level = meta.admin_level
    rec.province = meta.province
    rec.district = meta.district
    rec.signer = meta.signer
    rec.title = meta.title
    rec.warnings.extend(found.warnings)
    refs = find_references(ctx)
    rec.references = list(refs.items)
    rec.warnings.extend(refs.warnings)
    targets = find_targets(ctx)
    rec.targets = list(targets.items)
    rec.warnings.extend(targets.warnings)
    raw = ctx.prep.raw
    for ev in [t.evidence for t in rec.targets] + [r.evidence for r in rec.references]:
        if raw[ev.start:ev.end] != ev.text:  # the contract of SCHEMA.md
            raise AssertionError(f"evidence offsets do not match the text: {ev}")


def extract_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES,
                 sha256: str | None = None) -> DocumentRecord:
    """Load and extract one file; a bad file gives an error record, not an exception.

    ``sha256`` is the file's hash when the caller has it (a batch looking the
    file up in its store); otherwise it is computed here, once.
    """
    from .load import LoadError, load

    path = Path(path)
    doc_id = path.stem
    try:
        sha = sha256 if sha256 is not None else sha256_file(path)
    except OSError as exc:
        return _error_record(doc_id, str(path), "", "unreadable", f"{path}: cannot read file: {exc.strerror}")
    try:
        loaded = load(path, max_bytes=max_bytes)
    except LoadError as exc:
        return _error_record(doc_id, str(path), sha, getattr(exc, "code", "load_error"), str(exc))
    try:
        rec = extract_text(loaded.text, doc_id, str(path), sha, list(loaded.warnings),
                           list(getattr(loaded, "tables", None) or []))
    except Exception as exc:  # noqa: BLE001 - a bug must not stop the batch; it is reported per file
        rec = _error_record(doc_id, str(path), sha, "internal_error",
                            f"{path}: extraction failed ({type(exc).__name__}: {exc}); please report this file")
        assert rec.error is not None
        rec.error = replace(rec.error, traceback=traceback.format_exc())  # for chitieu.log; stderr gets the one line
        return rec
    rec.format = loaded.format
    if getattr(loaded, "ocr_confidence", None) is not None:
        rec.ocr_confidence = loaded.ocr_confidence
    return rec


def _error_record(doc_id: str, source: str, sha: str, code: str, message: str) -> DocumentRecord:
    log.error("%s", message)
    return DocumentRecord(doc_id=doc_id, source=source, sha256=sha, warnings=[error_warning(message)],
                          error=DocError(code, message))
