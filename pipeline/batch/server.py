"""The fork server the batch's worker processes are started from.

A spawned worker starts a fresh interpreter and imports spaCy, the rules and
the models itself: about 1 s of CPU for every worker, every pool (a pool is
made again after a file is killed for its budget), and with ``--jobs 2`` on
two cores the two workers' start-up is time neither extracts.  So, where the
platform has it (Linux, macOS), workers come from ``multiprocessing``'s
*fork server*: one clean, single-threaded process, started once for this
process, that imports the extractor's
modules (:data:`PRELOAD`: the pipeline, spaCy's parts) and then forks
each worker, which starts with them loaded and only reads its rules and
models (the warm-up of :func:`pipeline.batch.worker.init_worker`, ~0.05 s).
The server imports modules only, so that importing any module of
``pipeline`` still loads no model (tests/test_architecture.py).

What a fork server cannot see is kept true by hand:

* the environment: each worker is given the batch's ``os.environ`` when it
  starts (:func:`pipeline.batch.worker.init_worker`), as a spawned one has it;
* the code and the rules: the server is restarted when a file under the
  ``pipeline`` package or the rules folder has changed (size or time)
  since it was started, so a worker never extracts with rules older than
  those the store's fingerprint names.

Elsewhere (Windows), or when this Python's fork server cannot be restarted,
workers are spawned as before.  The fork server is shared by the whole
process (``multiprocessing`` keeps one): its preload list is set here.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
from multiprocessing import forkserver
from multiprocessing.context import BaseContext
from pathlib import Path

__all__ = ["context", "start", "PRELOAD"]

#: What the fork server imports before it forks a worker: what the
#: extractor imports when it first runs (imports only; no state is made).
PRELOAD = ["pipeline.core", "pipeline.batch.worker", "pipeline.places", "pipeline.batch.preload"]

_PACKAGE_DIR = Path(__file__).resolve().parents[1]

#: :func:`_stamp` of the code and rules the running fork server loaded (one
#: per process, as ``multiprocessing``'s fork server is).
_started_with: str | None = None


def _stamp() -> str:
    """Size and modification time of every file the store's fingerprint
    hashes (:func:`pipeline.store.tree_files` of the package and the rules):
    a few milliseconds, no file is read."""
    from .. import rules
    from ..store import tree_files

    h = hashlib.sha256()
    for root in (_PACKAGE_DIR, Path(rules.RULES_DIR)):
        for path in tree_files(root):
            try:
                st = path.stat()
            except OSError:
                continue
            h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _usable() -> bool:
    return ("forkserver" in multiprocessing.get_all_start_methods()
            and callable(getattr(getattr(forkserver, "_forkserver", None), "_stop", None)))


def context() -> BaseContext:
    """The ``multiprocessing`` context to start workers with: the fork server
    (restarted first if the code or rules changed since it started), or
    ``spawn`` where there is none."""
    global _started_with
    if not _usable():
        return multiprocessing.get_context("spawn")
    stamp = _stamp()
    if _started_with is not None and stamp != _started_with:
        forkserver._forkserver._stop()  # type: ignore[attr-defined]
    _started_with = stamp
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def start() -> BaseContext:
    """The context of :func:`context`, its fork server (if any) started now:
    the first worker waits for the server's imports, so the sooner the better."""
    ctx = context()
    if ctx.get_start_method() != "forkserver":
        return ctx
    # one OpenBLAS thread in the server (numpy comes with spaCy), as in a
    # spawned worker (worker.BLAS_THREADS); the server takes this process's
    # environment as it starts
    given = os.environ.get("OPENBLAS_NUM_THREADS")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        forkserver.ensure_running()
    finally:
        if given is None:
            os.environ.pop("OPENBLAS_NUM_THREADS", None)
    return ctx


def stop(join_timeout: float = 30) -> None:
    """Wait for this process's workers to exit (up to ``join_timeout``
    seconds each), then stop the fork server, if it runs, and wait for it
    (and so for its workers' accounting: a caller that measures its
    children's CPU time or memory with ``getrusage`` sees theirs only after
    this).  It is started again when needed; it also stops by itself when
    this process exits."""
    global _started_with
    for child in multiprocessing.active_children():
        child.join(timeout=join_timeout)
    if _usable():
        forkserver._forkserver._stop()  # type: ignore[attr-defined]
    _started_with = None
