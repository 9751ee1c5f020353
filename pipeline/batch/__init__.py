"""Many documents: reuse what the store holds, extract the rest, serially or in parallel.

:func:`run_batch` is the engine of ``chitieu extract``:

1. **Reuse.**  Each input file is hashed; when the store
   (:mod:`pipeline.store`) holds a row for its path, bytes and the current
   fingerprint (rules, pipeline source, ``--max-bytes``), that record is
   taken and the file is not read again.  ``force=True`` skips this step.
2. **Extract** the others, in input order, in a pool of ``jobs`` worker
   processes (:mod:`.pool`) whenever more than one file is to be extracted,
   ``jobs=1`` included; a single file is extracted in this process (it
   starts faster).  Each worker (:mod:`.worker`) loads the models and rules
   once, in its initializer, then takes files one at a time; the log lines
   it emits for a file are sent back with its record and logged here, so
   stderr looks the same either way.  Each file has a :class:`Budget`
   (:mod:`.budget`): a worker over its time or memory is killed, that file
   gets a ``timeout`` or ``out_of_memory`` record and the other files carry
   on in a fresh worker.
3. **Store** each record the moment it is finished, one commit per document,
   so an interrupted run loses nothing already done.

The records come back in input order and are the stored payloads read back
(:func:`pipeline.store.from_payload`) whether or not they were just
extracted, so a serial run, a parallel run and a resumed run write the same
bytes.

A file whose extraction raises gets an ``internal_error`` record
(:mod:`.records`); a file whose worker process dies gets a ``worker_crashed``
record (``out_of_memory`` when the system killed it).  Neither kind is
stored, so the next run tries them again.  If even a lone worker cannot get
as far as its first task (so no file is to blame), the remaining files are
extracted in this process instead, with a warning.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from collections.abc import Callable, Sequence

from ..store import Store, fingerprint, from_payload, storable, to_payload
from . import records, worker
from .budget import DEFAULT_BUDGET, DEFAULT_FILE_TIMEOUT, DEFAULT_MAX_MEMORY, DEFAULT_PAGE_TIMEOUT, NO_LIMITS, Budget
from .records import Extractor, default_extractor, file_sha256, is_default, safe_extract

if TYPE_CHECKING:
    from ..models import DocumentRecord

log = logging.getLogger("chitieu")

__all__ = ["BatchResult", "Budget", "NO_LIMITS", "run_batch", "safe_extract", "file_sha256", "Extractor",
           "Progress", "Engine", "DEFAULT_BUDGET", "DEFAULT_FILE_TIMEOUT", "DEFAULT_PAGE_TIMEOUT", "DEFAULT_MAX_MEMORY"]

#: ``progress(path, reused)`` after each document, reused or extracted.
Progress = Callable[[Path, bool], None]

# The per-file work the Dask engine's workers share with the pool here
# (pipeline.engines.dask reads them under these names).
_WARMUP_TEXT = worker.WARMUP_TEXT
_work = worker.work
_replay = worker.replay
_log_levels = worker.log_levels
_error_record = records.error_record
_crash_record = records.crash_record
_is_default = records.is_default


@dataclass
class BatchResult:
    records: list[DocumentRecord]          # one per input file, in input order
    extracted: int = 0                        # files read and extracted in this run
    reused: int = 0                           # records taken from the store
    stored: int = 0                           # records committed to the store in this run
    crashed: list[str] = field(default_factory=list)   # sources whose worker died
    seconds: float = 0.0


class Engine(Protocol):
    """Another way to run a batch (:class:`pipeline.engines.dask.DaskEngine`)."""

    def run_batch(self, files: Sequence[Path], *, max_bytes: int, store: Store | None, force: bool,
                  extractor: Extractor | None, progress: Progress | None, budget: Budget) -> BatchResult: ...


def _isolate_by_default(extractor: Extractor | None) -> bool:
    """Whether ``jobs=1`` extracts a batch in a worker process: yes for the real extractor."""
    return is_default(extractor)


def run_batch(files: Sequence[Path], *, max_bytes: int, jobs: int = 1, store: Store | None = None,
              force: bool = False, extractor: Extractor | None = None,
              progress: Progress | None = None, budget: Budget = DEFAULT_BUDGET,
              isolate: bool | None = None, engine: Engine | None = None,
              meanwhile: Callable[[], object] | None = None) -> BatchResult:
    """Records for ``files`` (in that order), reusing and filling ``store``.

    ``engine``, when given, runs the batch instead of the process pool here
    (its ``run_batch`` method: :class:`pipeline.engines.dask.DaskEngine`).

    ``extractor`` defaults to :func:`pipeline.core.extract_file`; in worker
    processes a replacement must be picklable (a module-level function).
    When more than one file is to be extracted, each is extracted in a worker
    process under ``budget`` (:class:`Budget`), even with ``jobs=1``; a single
    file is extracted in this process, without a budget.  ``isolate=False``
    keeps ``jobs=1`` in this process; its default (``None``) isolates the
    default extractor only, so a stand-in extractor (tests, callers of the
    API) runs here unless ``isolate=True``.
    ``meanwhile``, when given, is called once in this process while the first
    worker processes start (after their fork server is started, before the
    first worker is waited for): work the caller will do anyway, such as
    :func:`pipeline.outputs.write.prepare`.  It is not called when no worker
    is started (one file, every file from the store, ``engine``).
    ``KeyboardInterrupt`` propagates; every document finished before it is
    already in the store.
    """
    if engine is not None:
        return engine.run_batch(files, max_bytes=max_bytes, store=store, force=force, extractor=extractor,
                                progress=progress, budget=budget)
    start = time.perf_counter()
    files = [Path(f) for f in files]
    payloads: list[str | None] = [None] * len(files)
    parsed: list[DocumentRecord | None] = [None] * len(files)  # read back once, when finished
    result = BatchResult(records=[])
    fp = fingerprint(max_bytes) if store is not None else ""

    todo: list[int] = []
    shas: list[str | None] = [None] * len(files)  # hashed once, here, when the store is asked
    for i, path in enumerate(files):
        if store is not None and not force:
            sha = shas[i] = file_sha256(path)
            payload = store.get_payload(str(path), sha, fp) if sha else None
            if payload is not None:
                payloads[i] = payload
                result.reused += 1
                if progress:
                    progress(path, True)
                continue
        todo.append(i)

    def done(k: int, payload: str) -> None:
        """File ``todo[k]`` is finished: commit it, then count it."""
        i = todo[k]
        rec = from_payload(payload)
        if store is not None and storable(rec):
            store.put_payload(rec.source, rec.sha256, fp, rec.doc_id, payload)
            result.stored += 1
        payloads[i], parsed[i] = payload, rec
        result.extracted += 1
        log.debug("%s: %d targets, %d references", files[i], len(rec.targets), len(rec.references))
        if progress:
            progress(files[i], False)

    todo_paths = [files[i] for i in todo]
    serial: Sequence[int] = range(len(todo_paths))
    if isolate is None:
        isolate = _isolate_by_default(extractor)
    if (jobs > 1 or isolate) and len(todo_paths) > 1:
        from .pool import WorkersCannotStart, run_parallel  # not for one file (multiprocessing: ~10 ms)

        try:
            run_parallel(todo_paths, jobs, max_bytes, extractor, done, result.crashed, budget,
                         [shas[i] for i in todo], meanwhile=meanwhile)
            serial = range(0)
        except WorkersCannotStart as exc:
            serial = [k for k, i in enumerate(todo) if payloads[i] is None]
            log.warning("worker processes cannot start (%s); extracting the %d remaining file%s "
                        "in this process", exc, len(serial), "" if len(serial) == 1 else "s")
    if serial:
        extract = extractor or default_extractor()
        default = is_default(extractor)
        for k in serial:
            done(k, to_payload(safe_extract(extract, todo_paths[k], max_bytes,
                                            shas[todo[k]] if default else None)))

    result.records = [rec if rec is not None else from_payload(p)
                      for p, rec in zip(payloads, parsed, strict=True) if p is not None]
    assert len(result.records) == len(files)
    result.seconds = time.perf_counter() - start
    return result
