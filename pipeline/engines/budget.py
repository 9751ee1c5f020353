"""``--file-timeout`` on a Dask worker: the time budget of the file in hand.

The process pool of ``--engine local`` kills a worker whose file is over its
time; a Dask worker is shared by the tasks and restarted by its nanny, so
the budget is kept inside the worker instead: :func:`within` runs the
extraction in the task's own thread under a :class:`_Clock`, and one
:class:`_Watchdog` thread per worker process raises :class:`FileTimeout` in
that thread when the time is up (``PyThreadState_SetAsyncExc``), after
killing the processes the file started (Tesseract).  The seconds are those
of :class:`pipeline.batch.Budget` (``--file-timeout S+P/page``, the pages of
a PDF counted on the worker).  A thread stuck in a native call does not see
the exception until the call returns: one that has not stopped
:data:`HARD_STOP_GRACE` seconds later ends its worker (its task is then
retried by the scheduler, and the file ends ``worker_crashed`` if it does
that every time).
"""
from __future__ import annotations

import logging
import os
import signal
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar
from collections.abc import Callable

if TYPE_CHECKING:
    from ..batch import Budget

log = logging.getLogger("chitieu")

__all__ = ["FileTimeout", "within", "timeout_message", "HARD_STOP_GRACE", "WATCH_TICK"]


class FileTimeout(BaseException):
    """Raised in a task's thread when its file is over its time budget (a
    ``BaseException``, so that the pipeline's per-file ``except Exception``
    does not turn it into an ``internal_error``)."""


#: Seconds a file over its budget has to stop once told to (it may be in a
#: native call that cannot be interrupted) before its worker is ended.
HARD_STOP_GRACE = 30.0
#: How often a worker's watchdog looks at the clocks of its files.
WATCH_TICK = 0.1


def _raise_in(thread: int, exc: type[BaseException] | None) -> None:
    """Raise ``exc`` in thread ``thread`` at its next Python instruction (``None``: no longer)."""
    import ctypes

    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread),
                                               ctypes.py_object(exc) if exc is not None else None)


def _boot_ticks() -> float:
    """Now, in the clock ticks since boot of ``/proc/PID/stat``'s start times."""
    return time.clock_gettime(time.CLOCK_BOOTTIME) * os.sysconf("SC_CLK_TCK")


def _children_since(ticks: float) -> list[int]:
    """The processes this worker started (and theirs) at or after ``ticks`` (Linux; none elsewhere)."""
    out: list[int] = []
    stack = [os.getpid()]
    while stack:
        pid = stack.pop()
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                with open(f"/proc/{pid}/task/{tid}/children", "rb") as fh:
                    kids = [int(c) for c in fh.read().split()]
            except (OSError, ValueError):
                continue
            stack.extend(kids)
            for kid in kids:
                try:
                    with open(f"/proc/{kid}/stat", "rb") as fh:
                        started = int(fh.read().rsplit(b")", 1)[1].split()[19])
                except (OSError, ValueError, IndexError):
                    continue
                if started >= ticks - 1:
                    out.append(kid)
    return out


@dataclass
class _Clock:
    """The budget of the file in hand on one task thread."""

    source: str
    thread: int
    deadline: float                # time.monotonic() when its time is up
    ticks: float                   # _boot_ticks() when it started
    done: bool = False
    fired: float = 0.0             # time.monotonic() when it was told to stop


class _Watchdog:
    """One per worker process: a daemon thread that looks at the clock of every
    file in hand each :data:`WATCH_TICK` seconds.  A file whose time is up gets
    :class:`FileTimeout` raised in its thread, after the processes it started
    (Tesseract) are killed; a thread that has not stopped :data:`HARD_STOP_GRACE`
    seconds later (stuck in a native call) ends the worker, whose task the
    scheduler then retries."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.clocks: dict[int, _Clock] = {}
        self.thread: threading.Thread | None = None

    def watch(self, clock: _Clock) -> None:
        with self.lock:
            self.clocks[clock.thread] = clock
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="chitieu-file-timeout", daemon=True)
                self.thread.start()

    def forget(self, clock: _Clock) -> None:
        """The file is finished: its thread is not told to stop from now on."""
        with self.lock:
            clock.done = True
            self.clocks.pop(clock.thread, None)

    def _run(self) -> None:
        while True:
            time.sleep(WATCH_TICK)
            now = time.monotonic()
            with self.lock:
                for clock in list(self.clocks.values()):
                    if not clock.fired and now > clock.deadline:
                        clock.fired = now
                        for pid in _children_since(clock.ticks):
                            try:
                                os.kill(pid, signal.SIGKILL)
                            except OSError:
                                pass
                        _raise_in(clock.thread, FileTimeout)
                    elif clock.fired and now > clock.fired + HARD_STOP_GRACE:
                        log.error("%s: still running %g s after its time was up (in a native call); "
                                  "ending the worker", clock.source, HARD_STOP_GRACE)
                        os._exit(1)


_watchdog = _Watchdog()

T = TypeVar("T")


def within(seconds: float | None, source: str, work: Callable[[], T]) -> tuple[T | None, float | None]:
    """``(work(), None)``, or ``(None, elapsed seconds)`` when ``work`` (run in this
    thread) was stopped after ``seconds`` (``None``: no limit)."""
    if seconds is None:
        return work(), None
    start = time.monotonic()
    clock = _Clock(source, threading.get_ident(), start + seconds, _boot_ticks())
    _watchdog.watch(clock)
    result = None
    try:
        try:
            result = work()
        finally:
            _watchdog.forget(clock)
            if clock.fired:
                _raise_in(clock.thread, None)  # an exception set but not raised yet
    except FileTimeout:
        pass
    _watchdog.forget(clock)  # again: a FileTimeout raised within the first one may have cut it short
    return (None, time.monotonic() - start) if clock.fired else (result, None)


def timeout_message(source: str, elapsed: float, budget: Budget, pages: int) -> str:
    """The message of ``--engine local`` for a file over its time."""
    limit = budget.seconds_for_pages(pages)
    allowed = f", {limit:g} s for its {pages} pages" if pages and budget.per_page else ""
    return (f"{source}: stopped after {elapsed:.0f} s, over the time allowed for one file "
            f"(--file-timeout {budget.describe_timeout()}{allowed}); raise --file-timeout if the file is just large")
