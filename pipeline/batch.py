"""Many documents: reuse what the store holds, extract the rest, serially or in parallel.

:func:`run_batch` is the engine of ``chitieu extract``:

1. **Reuse.**  Each input file is hashed; when the store
   (:mod:`pipeline.store`) holds a row for its path, bytes and the current
   fingerprint (rules, pipeline source, ``--max-bytes``), that record is
   taken and the file is not read again.  ``force=True`` skips this step.
2. **Extract** the others, in input order, in a pool of ``jobs`` worker
   processes (:class:`~concurrent.futures.ProcessPoolExecutor`, ``spawn``)
   whenever more than one file is to be extracted, ``jobs=1`` included; a
   single file is extracted in this process (it starts faster).  Each
   worker loads the models and rules once, in its initializer, then takes
   files one at a time.  Log lines a worker emits for a file are sent back
   with its record and logged here, so stderr looks the same either way.
   Each file has a :class:`Budget`: the parent watches the clock and the
   resident memory of the worker holding it, and kills a worker over
   either; that file gets a ``timeout`` or ``out_of_memory`` record and the
   other files carry on in a fresh worker.
3. **Store** each record the moment it is finished, one commit per document,
   so an interrupted run loses nothing already done.

The records come back in input order and are the stored payloads read back
(:func:`pipeline.store.from_payload`) whether or not they were just
extracted, so a serial run, a parallel run and a resumed run write the same
bytes.

A file whose extraction raises gets an ``internal_error`` record.  A file
whose worker process dies (a segfault in a native library, the OOM killer)
gets a ``worker_crashed`` record (``out_of_memory`` when the system killed it
with SIGKILL, as the kernel's OOM killer does): when the pool breaks, the files that were
in flight are retried one at a time in a fresh worker, so only the file
that really kills its worker is marked, and the batch goes on.  Neither kind
is stored, so the next run tries them again.  If even a lone worker cannot
get as far as its first task (so no file is to blame), the remaining files
are extracted in this process instead, with a warning.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
import traceback
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from collections.abc import Callable, Sequence

from .store import Store, fingerprint, from_payload, storable, to_payload

if TYPE_CHECKING:
    from .models import DocumentRecord

log = logging.getLogger("chitieu")

__all__ = ["BatchResult", "Budget", "NO_LIMITS", "run_batch", "safe_extract", "file_sha256"]

Extractor = Callable[..., "DocumentRecord"]
#: ``progress(path, reused)`` after each document, reused or extracted.
Progress = Callable[[Path, bool], None]

#: Files handed to the pool ahead of the free workers, per worker.
_AHEAD = 2


@dataclass
class BatchResult:
    records: list[DocumentRecord]          # one per input file, in input order
    extracted: int = 0                        # files read and extracted in this run
    reused: int = 0                           # records taken from the store
    stored: int = 0                           # records committed to the store in this run
    crashed: list[str] = field(default_factory=list)   # sources whose worker died
    seconds: float = 0.0


# --------------------------------------------------------------------------
# One file
# --------------------------------------------------------------------------

def _default_extractor() -> Extractor:
    from .core import extract_file  # looked up at call time (tests replace it)
    return extract_file


def _is_default(extractor: Extractor | None) -> bool:
    return extractor is None or (getattr(extractor, "__module__", None) == "pipeline.core"
                                 and getattr(extractor, "__qualname__", None) == "extract_file")


def _isolate_by_default(extractor: Extractor | None) -> bool:
    """Whether ``jobs=1`` extracts a batch in a worker process: yes for the real extractor."""
    return _is_default(extractor)


def _error_record(path: Path, code: str, message: str) -> DocumentRecord:
    from .models import DocumentRecord

    rec = DocumentRecord(doc_id=path.stem, source=str(path), sha256="", warnings=[f"error: {message}"])
    rec.extra.update(error=code, error_message=message)
    return rec


def safe_extract(extract: Extractor, path: Path, max_bytes: int,
                 sha256: str | None = None) -> DocumentRecord:
    """``extract(path)``; an unexpected exception becomes this file's error record,
    so one bad file (or one bug) never stops the batch.  ``sha256``, the hash
    the batch already computed to look the file up in its store, is handed to
    the default extractor so that the file is hashed once."""
    try:
        if sha256 is not None:
            return extract(path, max_bytes=max_bytes, sha256=sha256)  # type: ignore[call-arg]
        return extract(path, max_bytes=max_bytes)
    except Exception as exc:  # noqa: BLE001 - a bug in one file must not stop the batch; reported per file
        message = (f"{path}: extraction failed ({type(exc).__name__}: {exc}); "
                   "please report this file")
        log.error("%s", message)
        rec = _error_record(path, "internal_error", message)
        rec.extra["traceback"] = traceback.format_exc()  # for chitieu.log, not for stderr
        return rec


def _crash_record(path: Path) -> DocumentRecord:
    message = (f"{path}: the worker process extracting this file died (a crash in a native "
               "library, or out of memory); please report this file")
    log.error("%s", message)
    return _error_record(path, "worker_crashed", message)


def file_sha256(path: Path) -> str | None:
    from .core import sha256_file
    try:
        return sha256_file(path)
    except OSError:
        return None


# --------------------------------------------------------------------------
# The per-file budget
# --------------------------------------------------------------------------

#: ``--file-timeout`` default: seconds per file, plus seconds per PDF page (OCR).
DEFAULT_FILE_TIMEOUT = 300.0
DEFAULT_PAGE_TIMEOUT = 30.0
#: ``--max-memory`` default: resident memory of one worker and its child processes (Tesseract).
DEFAULT_MAX_MEMORY = 4 * 2**30
#: How often the parent looks at its workers' clocks and memory.
_TICK = 0.1


@dataclass(frozen=True)
class Budget:
    """What one file may cost in its worker process; 0 means no limit.

    The wall-time limit of a file is ``timeout + per_page * pages`` (pages of
    a PDF, which may need OCR, counted by the worker itself; 0 for other
    formats), from the moment its worker takes it.  ``max_memory`` is the
    resident memory (bytes) of the worker and its child processes, read from
    ``/proc`` every :data:`_TICK` seconds by the parent.  A worker over either
    limit is killed and its file gets a ``timeout`` or ``out_of_memory``
    record; the batch goes on with a fresh worker.
    """
    timeout: float = DEFAULT_FILE_TIMEOUT
    per_page: float = DEFAULT_PAGE_TIMEOUT
    max_memory: int = DEFAULT_MAX_MEMORY

    def seconds_for(self, path: Path) -> float | None:
        """The time allowed for ``path`` (``None``: no limit)."""
        return self.seconds_for_pages(_pdf_pages(path) if self.timeout > 0 and self.per_page > 0 else 0)

    def seconds_for_pages(self, pages: int) -> float | None:
        if self.timeout <= 0:
            return None
        return self.timeout + self.per_page * max(0, pages)

    def describe_timeout(self) -> str:
        return f"{self.timeout:g}" + (f"+{self.per_page:g}/page" if self.per_page else "")


NO_LIMITS = Budget(0, 0, 0)


def _pdf_pages(path: Path) -> int:
    """Pages of a PDF (any file that starts with ``%PDF``), 0 otherwise or when unknown."""
    try:
        with open(path, "rb") as fh:
            if not fh.read(1024).lstrip().startswith(b"%PDF"):
                return 0
        import pypdfium2

        pdf = pypdfium2.PdfDocument(str(path))
        try:
            return len(pdf)
        finally:
            pdf.close()
    except Exception:  # noqa: BLE001 - unreadable or broken: the loader will say so; no allowance
        return 0


def _rss(pid: int) -> int:
    """Resident bytes of ``pid`` and its descendants (Linux ``/proc``; 0 elsewhere)."""
    total = 0
    stack = [pid]
    seen: set[int] = set()
    page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * page
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children", "rb") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError, IndexError):
            continue
    return total


def _descendants(pid: int) -> list[int]:
    out: list[int] = []
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children", "rb") as fh:
                    kids = [int(c) for c in fh.read().split()]
                out.extend(kids)
                stack.extend(kids)
        except (OSError, ValueError):
            continue
    return out


def _kill_tree(pid: int) -> None:
    """SIGKILL a worker and the processes it started (Tesseract), only those."""
    kids = _descendants(pid)
    for p in [pid] + kids:
        try:
            os.kill(p, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _budget_record(path: Path, code: str, detail: str) -> DocumentRecord:
    log.error("%s", detail)
    return _error_record(path, code, detail)


# --------------------------------------------------------------------------
# Worker processes
# --------------------------------------------------------------------------

_WARMUP_TEXT = (
    "ỦY BAN NHÂN DÂN\nTỈNH ĐẮK NÔNG\nSố: 149/KH-UBND\n"
    "Đắk Nông, ngày 20 tháng 3 năm 2023\n\nKẾ HOẠCH\n"
    "Thực hiện Quyết định số 1520/QĐ-TTg ngày 06/10/2021 của Thủ tướng Chính phủ\n"
    "2. Mục tiêu cụ thể đến năm 2025\n"
    "- Phấn đấu 60% thư viện cấp huyện có cung cấp dịch vụ phục vụ việc học tập suốt đời.\n"
    "- 100% xã, phường, thị trấn tại huyện Đắk Mil đạt chuẩn.\n"
    "Nơi nhận:\n- Như trên;\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Văn A\n"
)


class _Capture(logging.Handler):
    """Keeps a worker's log lines for the file in hand; they go back with its record."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[tuple[str, int, str]] = []
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append((record.name, record.levelno, self.format(record)))
        except Exception:  # noqa: BLE001 - pragma: no cover - a bad log call must not lose the record
            pass


_capture: _Capture | None = None
#: The queue on which a worker says which task it starts (token, pid).
_started = None


def _exit_with_parent(parent: int, every: float = 0.5) -> None:
    """A worker whose parent was killed (``kill -9``) exits instead of waiting
    forever for work: the parent is polled from a daemon thread."""
    import os
    import threading

    def watch() -> None:
        while True:
            time.sleep(every)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="chitieu-parent-watch", daemon=True).start()


def _init_worker(levels: dict[str, int], warm: bool, parent: int, started=None) -> None:
    """Pool initializer: quiet Ctrl-C (the parent handles it), exit with the
    parent, the parent's log levels with lines captured, then models and
    rules loaded once.  ``started`` is the queue of :class:`_Watch`."""
    global _capture, _started
    _started = started
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent(parent)
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    _capture = _Capture()
    root.addHandler(_capture)
    for name, level in levels.items():
        logging.getLogger(name or None).setLevel(level)
    if warm:
        try:
            from .core import extract_text
            extract_text(_WARMUP_TEXT, "warmup")
        except Exception:  # noqa: BLE001 - a warm-up failure is left to the first real file to report
            pass
        _capture.lines.clear()


def _work(path: str, max_bytes: int, extractor: Extractor | None, token: int = 0,
          sha256: str | None = None) -> tuple[str, list]:
    """One file in a worker: the record as a store payload, and the log lines."""
    if _started is not None:
        _started.put((token, os.getpid(), 0))   # the clock starts now ...
        pages = _pdf_pages(Path(path))          # ... counted here, so a PDF that hangs or crashes
        if pages:                               # its reader costs this worker, not the batch
            _started.put((token, os.getpid(), pages))
    if _capture is not None:
        _capture.lines.clear()
    rec = safe_extract(extractor or _default_extractor(), Path(path), max_bytes,
                       sha256 if extractor is None else None)
    lines = list(_capture.lines) if _capture is not None else []
    return to_payload(rec), lines


def _replay(lines: list[tuple[str, int, str]]) -> None:
    for name, level, message in lines:
        logger = logging.getLogger(name)
        if logger.isEnabledFor(level):
            logger.log(level, "%s", message)


def _log_levels() -> dict[str, int]:
    names = ["", "chitieu", "pdfminer"]
    return {n: logging.getLogger(n or None).level for n in names}


def _ping() -> bool:
    return True


class _WorkersCannotStart(Exception):
    """No worker process got as far as its first task (the pool itself is broken)."""


class _Pool:
    """A ProcessPoolExecutor that can be torn down at once (Ctrl-C), and that
    tells a worker dying on a file from workers that cannot start at all."""

    def __init__(self, workers: int, extractor: Extractor | None):
        ctx = multiprocessing.get_context("spawn")
        self.started = ctx.SimpleQueue()
        self._tokens = 0
        self.executor = ProcessPoolExecutor(
            max_workers=workers, mp_context=ctx, initializer=_init_worker,
            initargs=(_log_levels(), _is_default(extractor), os.getpid(), self.started))
        # Taken first by the first worker to be ready.  In a pool of one worker its
        # result is in before that worker takes a file, so if it fails no file is
        # to blame: the worker could not start (a broken install, a main module
        # that starts the batch again on import, no memory for the models).
        self.ping = self.executor.submit(_ping)

    def next_token(self) -> int:
        self._tokens += 1
        return self._tokens

    def check_started(self) -> None:
        """After a pool of one worker broke: raise :class:`_WorkersCannotStart`
        when its worker never got as far as the first task."""
        wait([self.ping], timeout=30)
        if not self.ping.done() or self.ping.exception() is not None:
            raise _WorkersCannotStart(str(self.ping.exception()) if self.ping.done() else "no worker started")

    def killed_by_sigkill(self) -> bool:
        """Whether a worker of this pool was ended by SIGKILL that the batch did not
        send: on Linux, the kernel's out-of-memory killer."""
        for _ in range(50):  # the pool's manager thread reaps the dead worker
            codes = [proc.exitcode for proc in list((getattr(self.executor, "_processes", None) or {}).values())]
            if -signal.SIGKILL in codes:
                return True
            if codes and all(c is not None for c in codes):
                return False
            time.sleep(0.02)
        return False

    def kill(self) -> None:
        # Only the processes this pool started.
        for proc in list((getattr(self.executor, "_processes", None) or {}).values()):
            try:
                proc.kill()
            except Exception:  # noqa: BLE001 - pragma: no cover - already gone; killing the rest must go on
                pass

    def close(self, interrupted: bool) -> None:
        if interrupted:
            self.kill()
        self.executor.shutdown(wait=True, cancel_futures=True)
        try:
            self.started.close()
        except Exception:  # noqa: BLE001 - pragma: no cover - closing at shutdown must not hide the run's result
            pass


def _outcome(fut: Future, path: Path) -> tuple[str, list]:
    """A finished future's (payload, log lines); raises BrokenProcessPool when its worker died."""
    try:
        return fut.result()
    except BrokenProcessPool:
        raise
    except Exception as exc:  # noqa: BLE001 - the call failed (extractor not picklable): a per-file error
        message = f"{path}: extraction failed ({type(exc).__name__}: {exc}); please report this file"
        rec = _error_record(path, "internal_error", message)
        rec.extra["traceback"] = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        return to_payload(rec), [("chitieu", logging.ERROR, message)]


class _Watch:
    """The parent's eye on the files in flight: which worker runs which file
    since when (each worker says so when it starts a file), and a kill for a
    file over its :class:`Budget`."""

    def __init__(self, budget: Budget, started):
        self.budget, self.started = budget, started
        self.running: dict[int, tuple[int, float]] = {}   # token -> (worker pid, start time)
        self.pages: dict[int, int] = {}                    # token -> PDF pages (the OCR allowance)
        self.verdicts: dict[int, tuple[str, str]] = {}    # token -> (error code, message)

    def drain(self) -> None:
        while not self.started.empty():
            token, pid, pages = self.started.get()
            self.running.setdefault(token, (pid, time.monotonic()))
            if pages:
                self.pages[token] = pages

    def check(self, tokens: dict[int, Path]) -> bool:
        """Kill every worker over budget; ``True`` when one was killed."""
        self.drain()
        killed = False
        for token, (pid, t0) in list(self.running.items()):
            if token not in tokens or token in self.verdicts:
                continue
            path, limit = tokens[token], self.budget.seconds_for_pages(self.pages.get(token, 0))
            elapsed = time.monotonic() - t0
            if limit is not None and elapsed > limit:
                pages = self.pages.get(token, 0)
                allowed = f", {limit:g} s for its {pages} pages" if pages and self.budget.per_page else ""
                self.verdicts[token] = ("timeout", (
                    f"{path}: stopped after {elapsed:.0f} s, over the time allowed for one file "
                    f"(--file-timeout {self.budget.describe_timeout()}{allowed}); raise --file-timeout "
                    "if the file is just large"))
            elif self.budget.max_memory > 0:
                used = _rss(pid)
                if used > self.budget.max_memory:
                    self.verdicts[token] = ("out_of_memory", (
                        f"{path}: stopped when its worker used {used / 2**20:,.0f} MB, over "
                        f"--max-memory {self.budget.max_memory / 2**20:,.0f} MB; raise --max-memory "
                        "if the file is just large"))
            if token in self.verdicts:
                _kill_tree(pid)
                killed = True
        return killed

    def forget(self, token: int) -> None:
        self.running.pop(token, None)
        self.pages.pop(token, None)


def _run_parallel(todo: Sequence[Path], jobs: int, max_bytes: int, extractor: Extractor | None,
                  done: Callable[[int, str], None], crashed: list[str], budget: Budget,
                  shas: Sequence[str | None] | None = None) -> None:
    """Extract ``todo`` in ``jobs`` worker processes; ``done(index, payload)`` per file.

    A file over its budget is killed with its worker and gets its error
    record; the files that shared the broken pool go back to the queue.  A
    worker that dies on its own puts the files in flight under suspicion:
    they are retried one at a time (:func:`_isolate`).
    """
    ext = None if _is_default(extractor) else extractor
    pending = deque(range(len(todo)))
    while pending:
        suspects: list[int] = []
        pool = _Pool(min(jobs, len(pending)), ext)
        watch = _Watch(budget, pool.started)
        interrupted = True
        try:
            inflight: dict[Future, int] = {}
            tokens: dict[int, Path] = {}
            token_of: dict[Future, int] = {}
            broken = False
            while (pending or inflight) and not suspects and not broken:
                while pending and len(inflight) < _AHEAD * jobs:
                    i = pending.popleft()
                    token = pool.next_token()
                    try:
                        fut = pool.executor.submit(_work, str(todo[i]), max_bytes, ext, token, shas[i] if shas else None)
                    except BrokenProcessPool:  # a worker died since the last look
                        if not inflight:  # ... and none of ours was running: never loop forever
                            suspects.append(i)
                        else:
                            pending.appendleft(i)
                        break
                    inflight[fut], token_of[fut], tokens[token] = i, token, todo[i]
                if not inflight:
                    break
                finished, _ = wait(inflight, timeout=_TICK, return_when=FIRST_COMPLETED)
                if not finished:
                    if watch.check(tokens):
                        wait(inflight)
                        finished = set(inflight)
                    else:
                        continue
                if any(isinstance(f.exception(), BrokenProcessPool) for f in finished):
                    # The pool is dead: every other future fails at once too;
                    # keep the results that made it, suspect the rest.
                    wait(inflight)
                    finished = set(inflight)
                    watch.drain()
                killed_here = bool(watch.verdicts)
                for fut in sorted(finished, key=lambda f: inflight[f]):
                    i = inflight.pop(fut)
                    token = token_of.pop(fut)
                    watch.forget(token)
                    if token in watch.verdicts:
                        code, message = watch.verdicts[token]
                        done(i, to_payload(_budget_record(todo[i], code, message)))
                        continue
                    try:
                        payload, lines = _outcome(fut, todo[i])
                    except BrokenProcessPool:
                        if killed_here:  # we killed this pool for another file: try again
                            pending.appendleft(i)
                            broken = True
                        else:
                            suspects.append(i)
                        continue
                    _replay(lines)
                    done(i, payload)
                if killed_here:
                    broken = True
                    # keep input order for the files sent back
                    pending = deque(sorted(pending))
            interrupted = False
        finally:
            pool.close(interrupted)
        if suspects:
            _isolate(sorted(suspects), todo, max_bytes, ext, done, crashed, budget, shas)


def _isolate(suspects: list[int], todo: Sequence[Path], max_bytes: int, ext: Extractor | None,
             done: Callable[[int, str], None], crashed: list[str], budget: Budget,
             shas: Sequence[str | None] | None = None) -> None:
    """After a worker died: each file that was in flight, alone in one worker.
    The file whose worker dies again is the culprit; the others finish."""
    log.warning("a worker process died; retrying the %d file%s it may have been reading, one at a time",
                len(suspects), "" if len(suspects) == 1 else "s")
    queue_ = deque(suspects)
    while queue_:
        pool = _Pool(1, ext)
        watch = _Watch(budget, pool.started)
        interrupted = True
        try:
            while queue_:
                i = queue_.popleft()
                token = pool.next_token()
                fut = pool.executor.submit(_work, str(todo[i]), max_bytes, ext, token, shas[i] if shas else None)
                while not wait([fut], timeout=_TICK).done:
                    if watch.check({token: todo[i]}):
                        wait([fut])
                if token in watch.verdicts:
                    code, message = watch.verdicts[token]
                    done(i, to_payload(_budget_record(todo[i], code, message)))
                    break  # this pool is dead; a new one for the rest
                try:
                    payload, lines = _outcome(fut, todo[i])
                except BrokenProcessPool:
                    pool.check_started()
                    crashed.append(str(todo[i]))
                    if pool.killed_by_sigkill():
                        message = (f"{todo[i]}: the worker process extracting this file was killed by the "
                                   "system, most likely for using too much memory; lower --max-memory so that "
                                   "chitieu stops it first, or give the file more memory")
                        done(i, to_payload(_budget_record(todo[i], "out_of_memory", message)))
                    else:
                        done(i, to_payload(_crash_record(todo[i])))
                    break  # this pool is dead; a new one for the rest
                _replay(lines)
                done(i, payload)
            interrupted = False
        finally:
            pool.close(interrupted)


# --------------------------------------------------------------------------
# The batch
# --------------------------------------------------------------------------

def run_batch(files: Sequence[Path], *, max_bytes: int, jobs: int = 1, store: Store | None = None,
              force: bool = False, extractor: Extractor | None = None,
              progress: Progress | None = None, budget: Budget = Budget(),
              isolate: bool | None = None, engine=None) -> BatchResult:
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
    ``KeyboardInterrupt`` propagates; every document finished before it is
    already in the store.
    """
    if engine is not None:
        return engine.run_batch(files, max_bytes=max_bytes, store=store, force=force, extractor=extractor,
                                progress=progress, budget=budget)
    start = time.perf_counter()
    files = [Path(f) for f in files]
    payloads: list[str | None] = [None] * len(files)
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
        payloads[i] = payload
        result.extracted += 1
        log.debug("%s: %d targets, %d references", files[i], len(rec.targets), len(rec.references))
        if progress:
            progress(files[i], False)

    todo_paths = [files[i] for i in todo]
    serial = range(len(todo_paths))
    if isolate is None:
        isolate = _isolate_by_default(extractor)
    if (jobs > 1 or isolate) and len(todo_paths) > 1:
        try:
            _run_parallel(todo_paths, jobs, max_bytes, extractor, done, result.crashed, budget,
                          [shas[i] for i in todo])
            serial = range(0)
        except _WorkersCannotStart as exc:
            serial = [k for k, i in enumerate(todo) if payloads[i] is None]
            log.warning("worker processes cannot start (%s); extracting the %d remaining file%s "
                        "in this process", exc, len(serial), "" if len(serial) == 1 else "s")
    if serial:
        extract = extractor or _default_extractor()
        default = _is_default(extractor)
        for k in serial:
            done(k, to_payload(safe_extract(extract, todo_paths[k], max_bytes,
                                            shas[todo[k]] if default else None)))

    assert all(p is not None for p in payloads)
    result.records = [from_payload(p) for p in payloads]  # type: ignore[arg-type]
    result.seconds = time.perf_counter() - start
    return result
