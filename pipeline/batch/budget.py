"""What one file may cost in its worker process, and the parent's watch over it.

Each file has a :class:`Budget`: the parent watches the clock and the
resident memory of the worker holding it (:class:`Watch`), and kills a worker
over either, with the processes it started (Tesseract); that file gets a
``timeout`` or ``out_of_memory`` record and the other files carry on in a
fresh worker.
"""
from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

#: ``--file-timeout`` default: seconds per file, plus seconds per PDF page (OCR).
DEFAULT_FILE_TIMEOUT = 300.0
DEFAULT_PAGE_TIMEOUT = 30.0
#: ``--max-memory`` default: resident memory of one worker and its child processes (Tesseract).
DEFAULT_MAX_MEMORY = 4 * 2**30
#: How often the parent looks at its workers' clocks and memory.
TICK = 0.1

#: What a worker puts on the queue when it starts a task: (token, its pid, PDF pages).
Started = tuple[int, int, int]


class StartedQueue(Protocol):
    """The queue on which a worker says which task it starts (a ``SimpleQueue``)."""

    def empty(self) -> bool: ...
    def get(self) -> Started: ...
    def put(self, obj: Started) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class Budget:
    """What one file may cost in its worker process; 0 means no limit.

    The wall-time limit of a file is ``timeout + per_page * pages`` (pages of
    a PDF, which may need OCR, counted by the worker itself; 0 for other
    formats), from the moment its worker takes it.  ``max_memory`` is the
    resident memory (bytes) of the worker and its child processes, read from
    ``/proc`` every :data:`TICK` seconds by the parent.  A worker over either
    limit is killed and its file gets a ``timeout`` or ``out_of_memory``
    record; the batch goes on with a fresh worker.
    """
    timeout: float = DEFAULT_FILE_TIMEOUT
    per_page: float = DEFAULT_PAGE_TIMEOUT
    max_memory: int = DEFAULT_MAX_MEMORY

    def seconds_for(self, path: Path) -> float | None:
        """The time allowed for ``path`` (``None``: no limit)."""
        return self.seconds_for_pages(pdf_pages(path) if self.timeout > 0 and self.per_page > 0 else 0)

    def seconds_for_pages(self, pages: int) -> float | None:
        if self.timeout <= 0:
            return None
        return self.timeout + self.per_page * max(0, pages)

    def describe_timeout(self) -> str:
        return f"{self.timeout:g}" + (f"+{self.per_page:g}/page" if self.per_page else "")


NO_LIMITS = Budget(0, 0, 0)
#: The budget of a file when none is given (``--file-timeout``, ``--max-memory`` defaults).
DEFAULT_BUDGET = Budget()


def pdf_pages(path: Path) -> int:
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


# --------------------------------------------------------------------------
# Worker process trees (Linux /proc)
# --------------------------------------------------------------------------

def rss(pid: int) -> int:
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


# --------------------------------------------------------------------------
# The parent's watch
# --------------------------------------------------------------------------

class Watch:
    """The parent's eye on the files in flight: which worker runs which file
    since when (each worker says so when it starts a file), and a kill for a
    file over its :class:`Budget`."""

    def __init__(self, budget: Budget, started: StartedQueue):
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
                used = rss(pid)
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
