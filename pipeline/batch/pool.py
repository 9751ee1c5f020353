"""The pool of worker processes, and what happens when a worker dies.

Files are extracted in a :class:`~concurrent.futures.ProcessPoolExecutor`
of worker processes (forked from the fork server of :mod:`.server`, or
spawned where there is none), each under its :class:`~.budget.Budget`.  A
file over its budget is killed with its worker and gets its error record;
the files that shared the broken pool go back to the queue.  A worker that
dies on its own (a segfault in a native library, the OOM killer) puts the
files in flight under suspicion: they are retried one at a time in a fresh
worker, so only the file that really kills its worker is marked
(``worker_crashed``, or ``out_of_memory`` when the system killed it with
SIGKILL).  If even a lone worker cannot get as far as its first task (so no
file is to blame), :class:`WorkersCannotStart` is raised.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from collections.abc import Callable, Sequence

from ..store import to_payload
from . import server
from .budget import TICK, Budget, StartedQueue, Watch
from .records import Extractor, budget_record, crash_record, failed_record, is_default
from .worker import LogLine, init_worker, log_levels, ping, replay, work

log = logging.getLogger("chitieu")

#: Files handed to the pool ahead of the free workers, per worker.
AHEAD = 2

#: ``done(index, payload)``: file ``todo[index]`` is finished.
Done = Callable[[int, str], None]
#: What a worker hands back for a file: its store payload and its log lines.
Outcome = tuple[str, list[LogLine]]


class WorkersCannotStart(Exception):
    """No worker process got as far as its first task (the pool itself is broken)."""


class Pool:
    """A ProcessPoolExecutor that can be torn down at once (Ctrl-C), and that
    tells a worker dying on a file from workers that cannot start at all."""

    def __init__(self, workers: int, extractor: Extractor | None,
                 meanwhile: Callable[[], object] | None = None):
        ctx = server.start()
        if meanwhile is not None:
            # the fork server imports its modules on its own; the first worker
            # is waited for below (the executor starts its processes on the
            # first submit, and a fork-server start waits for the server)
            meanwhile()
        self.started: StartedQueue = ctx.SimpleQueue()
        self._tokens = 0
        self.executor = ProcessPoolExecutor(
            max_workers=workers, mp_context=ctx, initializer=init_worker,
            initargs=(log_levels(), is_default(extractor), self.started, dict(os.environ)))
        # Taken first by the first worker to be ready.  In a pool of one worker its
        # result is in before that worker takes a file, so if it fails no file is
        # to blame: the worker could not start (a broken install, a main module
        # that starts the batch again on import, no memory for the models).
        self.ping = self.executor.submit(ping)

    def next_token(self) -> int:
        self._tokens += 1
        return self._tokens

    def submit(self, path: Path, max_bytes: int, extractor: Extractor | None, token: int,
               sha256: str | None) -> Future[Outcome]:
        return self.executor.submit(work, str(path), max_bytes, extractor, token, sha256)

    def check_started(self) -> None:
        """After a pool of one worker broke: raise :class:`WorkersCannotStart`
        when its worker never got as far as the first task."""
        wait([self.ping], timeout=30)
        if not self.ping.done() or self.ping.exception() is not None:
            raise WorkersCannotStart(str(self.ping.exception()) if self.ping.done() else "no worker started")

    def _processes(self) -> list[multiprocessing.process.BaseProcess]:
        # ProcessPoolExecutor keeps its processes in a private dict (pid -> process)
        procs: dict[int, multiprocessing.process.BaseProcess] | None = getattr(self.executor, "_processes", None)
        return list((procs or {}).values())

    def killed_by_sigkill(self) -> bool:
        """Whether a worker of this pool was ended by SIGKILL that the batch did not
        send: on Linux, the kernel's out-of-memory killer.

        The pool's manager thread reaps the dead worker (and stops the
        others); the exit codes are read once it is done.  Reading them while
        it reaps races in ``multiprocessing``'s fork-server ``Popen.poll``:
        two threads read one status pipe, and the one that finds it empty
        records 255, so a worker killed by the system read as crashed."""
        manager = getattr(self.executor, "_executor_manager_thread", None)  # private, as in close()
        if manager is not None:
            manager.join(timeout=10)
        for _ in range(50):  # without the thread (another executor): wait for the reaping
            codes = [proc.exitcode for proc in self._processes()]
            if -signal.SIGKILL in codes:
                return True
            if codes and all(c is not None for c in codes):
                return False
            time.sleep(0.02)
        return False

    def kill(self) -> None:
        # Only the processes this pool started.
        for proc in self._processes():
            try:
                proc.kill()
            except Exception:  # noqa: BLE001 - pragma: no cover - already gone; killing the rest must go on
                pass

    def close(self, interrupted: bool) -> None:
        """Tell the workers to stop.  Without waiting for them to exit, unless
        interrupted (they are killed, then waited for): the pool is closed when
        none of its tasks is left, and a worker with spaCy loaded takes
        0.15-0.3 s to tear its interpreter down, while the batch goes on (the
        outputs are written meanwhile).  The executor's own thread reaps them."""
        if interrupted:
            self.kill()
        manager = getattr(self.executor, "_executor_manager_thread", None)  # shutdown() forgets it
        self.executor.shutdown(wait=interrupted, cancel_futures=True)
        if not interrupted and manager is not None:
            _forget_wakeup(manager)
        try:
            self.started.close()
        except Exception:  # noqa: BLE001 - pragma: no cover - closing at shutdown must not hide the run's result
            pass


def _forget_wakeup(manager: object) -> None:
    """Take the manager thread of a pool that is shutting down off the list
    that ``concurrent.futures`` wakes at interpreter exit.  The thread, still joining the
    exiting workers when a short script ends, closes its wake-up pipe while
    the exit hook writes to it: a race in CPython 3.11 that prints
    ``OSError: [Errno 9] Bad file descriptor`` at exit.  The thread needs no
    waking (it was told to shut down) and the interpreter still joins it."""
    from concurrent.futures import process

    wakeups = getattr(process, "_threads_wakeups", None)
    if wakeups is not None:
        try:
            wakeups.pop(manager, None)
        except Exception:  # noqa: BLE001 - pragma: no cover - only a message at exit is at stake
            pass


def outcome(fut: Future[Outcome], path: Path) -> Outcome:
    """A finished future's (payload, log lines); raises BrokenProcessPool when its worker died."""
    try:
        return fut.result()
    except BrokenProcessPool:
        raise
    except Exception as exc:  # noqa: BLE001 - the call failed (extractor not picklable): a per-file error
        rec, message = failed_record(path, exc)
        return to_payload(rec), [("chitieu", logging.ERROR, message)]


def run_parallel(todo: Sequence[Path], jobs: int, max_bytes: int, extractor: Extractor | None,
                 done: Done, crashed: list[str], budget: Budget,
                 shas: Sequence[str | None] | None = None,
                 meanwhile: Callable[[], object] | None = None) -> None:
    """Extract ``todo`` in ``jobs`` worker processes; ``done(index, payload)`` per file.
    ``meanwhile`` is called once, while the first pool's workers start.

    A file over its budget is killed with its worker and gets its error
    record; the files that shared the broken pool go back to the queue.  A
    worker that dies on its own puts the files in flight under suspicion:
    they are retried one at a time (:func:`isolate`).
    """
    ext = None if is_default(extractor) else extractor
    pending = deque(range(len(todo)))
    while pending:
        suspects: list[int] = []
        pool = Pool(min(jobs, len(pending)), ext, meanwhile)
        meanwhile = None
        watch = Watch(budget, pool.started)
        interrupted = True
        try:
            inflight: dict[Future[Outcome], int] = {}
            tokens: dict[int, Path] = {}
            token_of: dict[Future[Outcome], int] = {}
            broken = False
            while (pending or inflight) and not suspects and not broken:
                while pending and len(inflight) < AHEAD * jobs:
                    i = pending.popleft()
                    token = pool.next_token()
                    try:
                        fut = pool.submit(todo[i], max_bytes, ext, token, shas[i] if shas else None)
                    except BrokenProcessPool:  # a worker died since the last look
                        if not inflight:  # ... and none of ours was running: never loop forever
                            suspects.append(i)
                        else:
                            pending.appendleft(i)
                        break
                    inflight[fut], token_of[fut], tokens[token] = i, token, todo[i]
                if not inflight:
                    break
                finished, _ = wait(inflight, timeout=TICK, return_when=FIRST_COMPLETED)
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
                        done(i, to_payload(budget_record(todo[i], code, message)))
                        continue
                    try:
                        payload, lines = outcome(fut, todo[i])
                    except BrokenProcessPool:
                        if killed_here:  # we killed this pool for another file: try again
                            pending.appendleft(i)
                            broken = True
                        else:
                            suspects.append(i)
                        continue
                    replay(lines)
                    done(i, payload)
                if killed_here:
                    broken = True
                    # keep input order for the files sent back
                    pending = deque(sorted(pending))
            interrupted = False
        finally:
            pool.close(interrupted)
        if suspects:
            isolate(sorted(suspects), todo, max_bytes, ext, done, crashed, budget, shas)


def isolate(suspects: list[int], todo: Sequence[Path], max_bytes: int, ext: Extractor | None,
            done: Done, crashed: list[str], budget: Budget,
            shas: Sequence[str | None] | None = None) -> None:
    """After a worker died: each file that was in flight, alone in one worker.
    The file whose worker dies again is the culprit; the others finish."""
    log.warning("a worker process died; retrying the %d file%s it may have been reading, one at a time",
                len(suspects), "" if len(suspects) == 1 else "s")
    queue_ = deque(suspects)
    while queue_:
        pool = Pool(1, ext)
        watch = Watch(budget, pool.started)
        interrupted = True
        try:
            while queue_:
                i = queue_.popleft()
                token = pool.next_token()
                fut = pool.submit(todo[i], max_bytes, ext, token, shas[i] if shas else None)
                while not wait([fut], timeout=TICK).done:
                    if watch.check({token: todo[i]}):
                        wait([fut])
                if token in watch.verdicts:
                    code, message = watch.verdicts[token]
                    done(i, to_payload(budget_record(todo[i], code, message)))
                    break  # this pool is dead; a new one for the rest
                try:
                    payload, lines = outcome(fut, todo[i])
                except BrokenProcessPool:
                    pool.check_started()
                    crashed.append(str(todo[i]))
                    if pool.killed_by_sigkill():
                        message = (f"{todo[i]}: the worker process extracting this file was killed by the "
                                   "system, most likely for using too much memory; lower --max-memory so that "
                                   "chitieu stops it first, or give the file more memory")
                        done(i, to_payload(budget_record(todo[i], "out_of_memory", message)))
                    else:
                        done(i, to_payload(crash_record(todo[i])))
                    break  # this pool is dead; a new one for the rest
                replay(lines)
                done(i, payload)
            interrupted = False
        finally:
            pool.close(interrupted)
