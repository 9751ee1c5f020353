"""``--engine dask``: the batch on the workers of a Dask cluster.

The per-file work is that of :mod:`pipeline.batch` (``batch._work``: the
record of one file, an exception turned into its ``internal_error`` record,
the file's log lines sent back with it), run in Dask worker processes:

* **Workers.**  :class:`ChitieuPlugin`, a worker plugin, loads the rules and
  the models once per worker process (a warm-up extraction) and captures
  the log lines of the file in hand.  A task gets a path or URL, never
  bytes: the worker reads the file itself (a URL other than ``file://`` is
  copied to a temporary file of the same name), hashes it and extracts it.
* **Client.**  It sends the files in tasks of ``chunk`` files (default
  :data:`DEFAULT_CHUNK`), keeps at most ``inflight`` tasks on the cluster
  (default two per worker thread), takes results as they finish
  (``distributed.as_completed``), stores each record at once (one commit per
  document, as ``--engine local``) and hands it on (``on_record``) so the
  caller can stream it to the outputs; the client never holds the whole
  batch unless asked to (``keep=True``).
* **Reuse.**  The store (SQLite) stays on the client's disk.  The client
  asks the filesystem for each file's size and modification time; when the
  store holds a record for that path, size, time and fingerprint, it is
  reused without any task (its sha256 is the one the worker computed when it
  extracted the file).  When only the size or time changed, the stored
  sha256 goes with the task: the worker hashes the file and, when the bytes
  are the same, answers so instead of extracting.
* **Failures.**  A worker that dies mid-task (killed, out of memory: the
  nanny restarts it) has its task run again on a worker by the scheduler.
  A task that has been on ``allowed_failures + 1`` dying workers
  (``distributed.scheduler.allowed-failures``) is given up by the scheduler
  (``KilledWorker``): each of its files is then sent again in a task of its
  own, and the file whose own task is given up gets the ``worker_crashed``
  record of :mod:`pipeline.batch`; the batch goes on.  Error records are not stored,
  as with ``--engine local``.
* **Ctrl-C** cancels the futures still on the cluster and re-raises; every
  document finished before it is in the store.
* **Budget.**  ``--file-timeout`` is kept on the worker
  (:mod:`pipeline.engines.budget`): when the file's time is up (the seconds
  of :class:`pipeline.batch.Budget`, with its allowance per PDF page
  counted on the worker), a watchdog thread kills the processes the file
  started (Tesseract) and raises ``FileTimeout`` in the task's thread; the
  file gets the ``timeout`` record of ``--engine local`` and the worker
  goes on with the next file.  A thread stuck in a native call that does
  not return within ``HARD_STOP_GRACE`` seconds ends its worker (the task
  is retried, and ends ``worker_crashed`` if it does that every time).
  ``--max-memory`` becomes each worker's ``memory_limit`` when this engine
  starts the cluster (the nanny restarts a worker over it, so a file that
  does that repeatedly ends ``worker_crashed``).
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from collections.abc import Callable, Iterator, Sequence

from .. import batch
from ..batch import worker
from ..store import Store, fingerprint, from_payload, storable, to_payload
from ..models import DocError
from . import basename, local_path, stat_source, url_fs
from .budget import timeout_message, within

if TYPE_CHECKING:
    from ..models import DocumentRecord

log = logging.getLogger("chitieu")

__all__ = ["DaskEngine", "ChitieuPlugin", "DEFAULT_ALLOWED_FAILURES"]

#: Times a task may be on a worker that dies before its file is marked
#: ``worker_crashed`` (the scheduler's ``allowed-failures``, set on the
#: ``LocalCluster`` this engine starts; a running scheduler keeps its own).
DEFAULT_ALLOWED_FAILURES = 2
#: Tasks kept on the cluster per worker thread.
INFLIGHT_PER_THREAD = 2
#: Files per task.  Each task costs the client and the scheduler a few
#: milliseconds of CPU (submit, transitions, gathering the result), as much
#: as extracting a short document; a task of several files spreads it.
DEFAULT_CHUNK = 8

#: Loggers of the worker itself, not of the file in hand: not sent back.
_WORKER_LOGGERS = ("distributed", "tornado", "asyncio", "bokeh")

Extractor = Callable[..., "DocumentRecord"]
#: A log line of a worker: (logger name, level, message).
LogLine = tuple[str, int, str]
#: What a worker answers for one file: ``("same", sha256, None, [])`` or
#: ``("new", sha256, payload, log lines)``.
Outcome = tuple[str, "str | None", "str | None", list[LogLine]]
#: ``on_record(index, record, reused)`` for each input, in the order they finish.
OnRecord = Callable[[int, "DocumentRecord", bool], None]


# --------------------------------------------------------------------------
# On the workers
# --------------------------------------------------------------------------

_warm = False


def setup_worker(levels: dict[str, int], warm: bool) -> None:
    """Once per worker process (idempotent): capture log lines, the client's
    log levels, and the rules and models loaded by a warm-up extraction."""
    global _warm
    capture = worker.capture_logs()
    for name, level in levels.items():
        if name:  # the root logger's level is the worker's own business
            logging.getLogger(name).setLevel(level)
    if warm and not _warm:
        try:
            from ..core import extract_text
            extract_text(batch._WARMUP_TEXT, "warmup")
        except Exception:  # noqa: BLE001 - a warm-up failure is left to the first real file
            pass
        _warm = True
    capture.lines.clear()


try:
    from distributed import WorkerPlugin as _WorkerPlugin
except ImportError:  # pragma: no cover - dask is a dependency; this keeps --help working without it
    _WorkerPlugin = object  # type: ignore[misc,assignment]


class ChitieuPlugin(_WorkerPlugin):
    """Worker plugin: :func:`setup_worker` on every worker, those that join later included."""

    name = "chitieu"

    def __init__(self, levels: dict[str, int], warm: bool = True):
        self.levels, self.warm = dict(levels), warm

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ChitieuPlugin) and (self.levels, self.warm) == (other.levels, other.warm)

    def __hash__(self) -> int:
        return hash((tuple(sorted(self.levels.items())), self.warm))

    def setup(self, worker: Any) -> None:  # noqa: ARG002 - the WorkerPlugin hook, called with worker=
        setup_worker(self.levels, self.warm)


def _fetch(source: str) -> tuple[str, str | None]:
    """A local path to read ``source`` from, and a temporary folder to remove after."""
    local = local_path(source)
    if local is not None:
        return local, None
    tmp = tempfile.mkdtemp(prefix="chitieu-fetch.")
    dest = os.path.join(tmp, basename(source))
    fs, path = url_fs(source)
    fs.get_file(path, dest)
    return dest, tmp


def _renamed(payload: str, local: str, source: str) -> str:
    """The payload with the local file name the worker read replaced by ``source``."""
    rec = from_payload(payload)
    rec.source = source
    rec.warnings = [w.replace(local, source) for w in rec.warnings]
    if rec.error is not None:
        rec.error = DocError(rec.error.code,
                             None if rec.error.message is None else rec.error.message.replace(local, source),
                             None if rec.error.traceback is None else rec.error.traceback.replace(local, source))
    return to_payload(rec)


def extract_task(source: str, max_bytes: int, known_sha: str | None, extractor: Extractor | None,
                 budget: batch.Budget | None = None) -> Outcome:
    """One file on a worker: ``("same", sha256, None, [])`` when its bytes hash
    to ``known_sha``, else ``("new", sha256, payload, log lines)``."""
    if not worker.capturing():  # a worker that joined without the plugin (should not happen)
        setup_worker({}, extractor is None)
    try:
        local, tmp = _fetch(source)
    except Exception as exc:  # noqa: BLE001 - any fsspec backend error is this file's error; the batch goes on
        message = f"{source}: cannot read file: {type(exc).__name__}: {exc}"
        rec = batch._error_record(Path(basename(source)), "unreadable", message)
        rec.source = source
        return "new", None, to_payload(rec), [("chitieu", logging.ERROR, message)]
    try:
        sha = batch.file_sha256(Path(local))
        if known_sha and sha == known_sha:
            return "same", sha, None, []
        seconds = budget.seconds_for(Path(local)) if budget is not None else None  # PDF pages counted here
        pages = round((seconds - budget.timeout) / budget.per_page) if seconds and budget and budget.per_page else 0
        done, elapsed = within(seconds, source, lambda: batch._work(local, max_bytes, extractor, 0,
                                                                     sha if extractor is None else None))
        if done is None:
            assert budget is not None and elapsed is not None
            message = timeout_message(source, elapsed, budget, pages)
            rec = batch._error_record(Path(basename(source)), "timeout", message)
            rec.source = source
            return "new", sha, to_payload(rec), [("chitieu", logging.ERROR, message)]
        payload, lines = done
        if local != source:
            payload = _renamed(payload, local, source)
            lines = [(n, lv, m.replace(local, source)) for n, lv, m in lines]
        lines = [ln for ln in lines if not ln[0].startswith(_WORKER_LOGGERS)]
        return "new", sha, payload, lines
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def extract_chunk(items: Sequence[tuple[str, str | None]], max_bytes: int, extractor: Extractor | None,
                  budget: batch.Budget | None = None) -> list[Outcome]:
    """Several files in one task: :func:`extract_task` of each ``(source, known sha256)``.
    Each file's extraction has ``budget``'s time (``--file-timeout``, with its
    allowance per PDF page): a file over it gets a ``timeout`` record."""
    return [extract_task(source, max_bytes, known, extractor, budget) for source, known in items]


# --------------------------------------------------------------------------
# On the client
# --------------------------------------------------------------------------

class _Source(str):
    """A path or URL as given, with the ``stem`` that names its record."""

    @property
    def stem(self) -> str:
        return Path(basename(self)).stem


def _crash_payload(source: str) -> str:
    rec = batch._crash_record(_Source(source))  # type: ignore[arg-type]
    rec.source = source
    return to_payload(rec)


@dataclass
class DaskEngine:
    """A Dask client for ``chitieu extract --engine dask``; use it as a context manager.

    ``scheduler`` is the address of a running scheduler (``tcp://host:8786``);
    without it a ``LocalCluster`` of ``jobs`` worker processes (one thread
    each, loopback only, no dashboard) is started and closed with the
    engine.  ``memory_limit`` is each local worker's limit (bytes or
    ``"auto"``).  ``client`` may be given instead (tests share one cluster).
    """

    scheduler: str | None = None
    jobs: int = 2
    memory_limit: int | str = "auto"
    allowed_failures: int = DEFAULT_ALLOWED_FAILURES
    inflight: int | None = None
    chunk: int = 0
    #: A ``distributed.Client`` (``Any``: distributed's methods are not annotated).
    client: Any = None
    _cluster: Any = field(default=None, repr=False)
    _own_client: bool = field(default=False, repr=False)
    _started_with: ChitieuPlugin | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.chunk <= 0:
            self.chunk = DEFAULT_CHUNK

    def __enter__(self) -> DaskEngine:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self, plugin: ChitieuPlugin | None = None) -> None:
        """Connect, or start the ``LocalCluster``; its workers run ``plugin``'s setup
        (the models' warm-up) as they start, so no round trip waits for it after."""
        if self.client is not None:
            return
        import dask
        from distributed import Client, LocalCluster

        if self.scheduler:
            # distributed's Client, LocalCluster and as_completed are not annotated (no-untyped-call)
            self.client = Client(self.scheduler, set_as_default=False)  # type: ignore[no-untyped-call]
        else:
            # one task per worker thread at a time: when a worker dies, only the file it was
            # reading is suspected (a task queued on it would count a death too)
            with dask.config.set({"distributed.scheduler.allowed-failures": self.allowed_failures,
                                  "distributed.scheduler.worker-saturation": 1.0}):
                self._cluster = LocalCluster(  # type: ignore[no-untyped-call]
                    n_workers=max(1, self.jobs), threads_per_worker=1, processes=True, host="127.0.0.1",
                    dashboard_address=None, memory_limit=self.memory_limit, silence_logs=logging.ERROR,
                    plugins=(plugin,) if plugin is not None else ())
            self._started_with = plugin
            self.client = Client(self._cluster, set_as_default=False)  # type: ignore[no-untyped-call]
        self._own_client = True

    def close(self) -> None:
        if self._own_client and self.client is not None:
            self.client.close()
            self.client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def threads(self) -> int:
        nthreads: dict[str, int] = self.client.nthreads()
        return max(1, sum(nthreads.values()))

    # -- the batch -----------------------------------------------------------

    def run(self, sources: Sequence[str], *, max_bytes: int, store: Store | None = None,
            force: bool = False, extractor: Extractor | None = None,
            progress: batch.Progress | None = None, on_record: OnRecord | None = None,
            keep: bool = True, budget: batch.Budget | None = None) -> batch.BatchResult:
        """Records for ``sources`` (paths as strings, or URLs), reusing and filling ``store``.

        ``keep=True`` returns them in input order in ``BatchResult.records``
        (as :func:`pipeline.batch.run_batch` does); ``keep=False`` only hands
        each to ``on_record`` and keeps nothing, so memory does not grow with
        the batch.  ``budget`` gives each file its time on the worker
        (``--file-timeout``; its ``max_memory`` is not used: that is the
        workers' ``memory_limit``).  ``KeyboardInterrupt`` cancels the tasks on the cluster
        and propagates.
        """
        from distributed import KilledWorker, as_completed

        start = time.perf_counter()
        client: Any = None  # started at the first task: a rerun that reuses every record needs no cluster
        result = batch.BatchResult(records=[])
        payloads: list[str | None] = [None] * len(sources) if keep else []
        fp = fingerprint(max_bytes) if store is not None else ""
        ext = None if batch._is_default(extractor) else extractor
        limit = 1
        run_id = uuid.uuid4().hex[:8]
        ac: Any = None

        def connect() -> Any:
            nonlocal client, limit, ac
            if client is None:
                plugin = ChitieuPlugin(batch._log_levels(), ext is None)
                self.start(plugin)
                client = self.client
                if self._started_with != plugin:  # a running scheduler, or a cluster started for another run
                    client.register_plugin(plugin, name="chitieu")
                limit = self.inflight or INFLIGHT_PER_THREAD * self.threads()
                ac = as_completed(loop=client.loop)  # type: ignore[no-untyped-call]
            return client

        def finish(i: int, payload: str, reused: bool, rec: DocumentRecord | None = None) -> None:
            if rec is None:
                rec = from_payload(payload)
            if keep:
                payloads[i] = payload
            if reused:
                result.reused += 1
            else:
                result.extracted += 1
                log.debug("%s: %d targets, %d references", sources[i], len(rec.targets), len(rec.references))
            if on_record is not None:
                on_record(i, rec, reused)
            if progress:
                progress(Path(basename(sources[i])), reused)

        def store_new(i: int, payload: str, rec: DocumentRecord, stat: tuple[int, str] | None) -> None:
            if store is None:
                return
            if storable(rec):
                store.put_payload(rec.source, rec.sha256, fp, rec.doc_id, payload)
                result.stored += 1
                if stat is not None:
                    store.put_stat(sources[i], stat[0], stat[1], rec.sha256)

        Item = tuple[int, tuple[int, str] | None, str | None]   # (index, stat, known sha256)
        pending: dict[str, list[Item]] = {}   # key -> the files of that task
        live: dict[str, Any] = {}             # key -> future still on the cluster (cancelled on Ctrl-C)
        queue: Iterator[int] = iter(range(len(sources)))
        chunk = max(1, self.chunk)
        tokens = iter(range(1, 1 << 62))

        def submit(items: list[Item]) -> None:
            c = connect()
            fut = c.submit(extract_chunk, [(sources[i], known) for i, _, known in items],
                           max_bytes, ext, budget, key=f"chitieu-{run_id}-{next(tokens)}", pure=False)
            pending[fut.key], live[fut.key] = items, fut
            ac.add(fut)

        def submit_more() -> None:
            items: list[Item] = []
            while len(pending) < limit or client is None:
                i = next(queue, None)
                if i is None:
                    break
                source = sources[i]
                stat = stat_source(source) if store is not None else None
                known = None
                if store is not None and not force:
                    if stat is not None:
                        hit = store.get_by_stat(source, stat[0], stat[1], fp)
                        if hit is not None:
                            finish(i, hit[1], True)
                            continue
                    known = store.stored_sha256(source, fp)
                items.append((i, stat, known))
                # smaller tasks towards the end, so that no worker waits long for the last one
                if len(items) >= max(1, min(chunk, (len(sources) - i) // max(1, limit))):
                    submit(items)
                    items = []
            if items:
                submit(items)

        def crashed(items: list[Item]) -> None:
            """A task given up by the scheduler (its workers died): alone, the file is
            to blame; in a chunk, each file is tried again in a task of its own."""
            if len(items) > 1:
                log.warning("a worker died %d times on a task of %d files; trying each of them alone",
                            self.allowed_failures + 1, len(items))
                for item in items:
                    submit([item])
                return
            i = items[0][0]
            result.crashed.append(sources[i])
            finish(i, _crash_payload(sources[i]), False)

        def handle(item: Item, outcome: Outcome) -> None:
            i, stat, known = item
            source = sources[i]
            kind, sha, payload, lines = outcome
            if kind == "same" and store is not None and sha:
                stored = store.get_payload(source, sha, fp)
                if stored is not None:
                    if stat is not None:
                        store.put_stat(source, stat[0], stat[1], sha)
                    finish(i, stored, True)
                    return
                submit([(i, stat, None)])  # the row went away since the task was sent: extract it after all
                return
            assert payload is not None
            batch._replay(lines)
            rec = from_payload(payload)
            store_new(i, payload, rec, stat)
            finish(i, payload, False, rec)

        try:
            submit_more()
            for fut in ac if ac is not None else ():
                items = pending.pop(fut.key)
                live.pop(fut.key, None)
                try:
                    outcomes = fut.result()
                except KilledWorker:
                    fut.release()
                    crashed(items)
                    submit_more()
                    continue
                except Exception as exc:  # noqa: BLE001 - the task failed: per-file errors
                    fut.release()
                    for i, _, _ in items:
                        message = (f"{sources[i]}: extraction failed ({type(exc).__name__}: {exc}); "
                                   "please report this file")
                        log.error("%s", message)
                        rec = batch._error_record(_Source(sources[i]), "internal_error", message)  # type: ignore[arg-type]
                        rec.source = sources[i]
                        finish(i, to_payload(rec), False)
                    submit_more()
                    continue
                fut.release()
                for item, outcome in zip(items, outcomes, strict=True):
                    handle(item, outcome)
                submit_more()
        except BaseException:
            try:
                if client is not None:
                    client.cancel(list(live.values()))
            except Exception:  # noqa: BLE001 - pragma: no cover - the client is going away anyway
                pass
            raise
        if keep:
            assert all(p is not None for p in payloads)
            result.records = [from_payload(p) for p in payloads]  # type: ignore[arg-type]
        result.seconds = time.perf_counter() - start
        return result

    def run_batch(self, files: Sequence[Path], *, max_bytes: int, store: Store | None = None,
                  force: bool = False, extractor: Extractor | None = None,
                  progress: batch.Progress | None = None, budget: batch.Budget | None = None,
                  **_ignored: object) -> batch.BatchResult:
        """The hook of :func:`pipeline.batch.run_batch` (``engine=``): local files, records kept."""
        return self.run([str(Path(f)) for f in files], max_bytes=max_bytes, store=store, force=force,
                        extractor=extractor, progress=progress, keep=True, budget=budget)
