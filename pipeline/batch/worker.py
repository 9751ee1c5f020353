"""What runs inside a worker process: its set-up (log capture, exit with the
parent, models and rules loaded once) and the work on one file.

Log lines a worker emits for a file are captured and sent back with its
record; the parent logs them again (:func:`replay`), so stderr looks the
same whether a file was extracted here or in a worker.  The Dask engine's
workers (:mod:`pipeline.engines.dask`) run the same :func:`work`.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
from pathlib import Path

from ..store import to_payload
from .budget import StartedQueue, pdf_pages
from .records import Extractor, default_extractor, safe_extract

#: A log line sent back from a worker: (logger name, level, message).
LogLine = tuple[str, int, str]

#: A short plan extracted once by each worker, so that its first file does not
#: pay for loading the rules and models.
WARMUP_TEXT = (
    "ỦY BAN NHÂN DÂN\nTỈNH ĐẮK NÔNG\nSố: 149/KH-UBND\n"
    "Đắk Nông, ngày 20 tháng 3 năm 2023\n\nKẾ HOẠCH\n"
    "Thực hiện Quyết định số 1520/QĐ-TTg ngày 06/10/2021 của Thủ tướng Chính phủ\n"
    "2. Mục tiêu cụ thể đến năm 2025\n"
    "- Phấn đấu 60% thư viện cấp huyện có cung cấp dịch vụ phục vụ việc học tập suốt đời.\n"
    "- 100% xã, phường, thị trấn tại huyện Đắk Mil đạt chuẩn.\n"
    "Nơi nhận:\n- Như trên;\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Văn A\n"
)


#: The worker's OpenBLAS threads: one.  spaCy imports numpy, whose OpenBLAS
#: starts a thread per CPU that spins for a while; that is ~0.13 s of CPU per
#: worker start taken from the other workers, and the extraction does no
#: linear algebra.  A value set by the user is kept.
BLAS_THREADS = "OPENBLAS_NUM_THREADS"


class Capture(logging.Handler):
    """Keeps a worker's log lines for the file in hand; they go back with its record."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[LogLine] = []
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append((record.name, record.levelno, self.format(record)))
        except Exception:  # noqa: BLE001 - pragma: no cover - a bad log call must not lose the record
            pass


_capture: Capture | None = None
#: The queue on which a worker says which task it starts (token, pid, pages).
_started: StartedQueue | None = None


def capture_logs() -> Capture:
    """This process's capture of log lines, added to the root logger the first time."""
    global _capture
    if _capture is None:
        _capture = Capture()
        logging.getLogger().addHandler(_capture)
    return _capture


def capturing() -> bool:
    """Whether this process captures its log lines (a worker that was set up)."""
    return _capture is not None


def _exit_with_parent() -> None:
    """A worker whose batch was killed (``kill -9``) exits instead of reading
    on: a daemon thread waits on ``multiprocessing``'s sentinel of the
    process that asked for this worker (the batch, also for a worker forked
    by the fork server of :mod:`.server`, whose own parent is the server)."""
    import multiprocessing

    batch = multiprocessing.parent_process()
    if batch is None:  # pragma: no cover - not a multiprocessing child: nothing to watch
        return

    def watch() -> None:
        batch.join()
        os._exit(1)

    threading.Thread(target=watch, name="chitieu-parent-watch", daemon=True).start()


def init_worker(levels: dict[str, int], warm: bool, started: StartedQueue | None = None,
                env: dict[str, str] | None = None) -> None:
    """Pool initializer: the batch's environment (``env``: a worker forked from
    the fork server has the server's), quiet Ctrl-C (the parent handles it),
    exit with the parent, the parent's log levels with lines captured, then
    models and rules loaded once (``warm``).  ``started`` is the queue of
    :class:`~.budget.Watch`."""
    global _capture, _started
    _started = started
    if env is not None and env != os.environ:
        os.environ.clear()
        os.environ.update(env)
    os.environ.setdefault(BLAS_THREADS, "1")  # before the warm-up imports numpy (with spaCy)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent()
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    _capture = Capture()
    root.addHandler(_capture)
    for name, level in levels.items():
        logging.getLogger(name or None).setLevel(level)
    if warm:  # (in a worker forked from the fork server of .server the modules are already imported)
        try:
            from ..core import extract_text
            extract_text(WARMUP_TEXT, "warmup")
        except Exception:  # noqa: BLE001 - a warm-up failure is left to the first real file to report
            pass
        _capture.lines.clear()


def work(path: str, max_bytes: int, extractor: Extractor | None, token: int = 0,
         sha256: str | None = None) -> tuple[str, list[LogLine]]:
    """One file in a worker: the record as a store payload, and the log lines."""
    if _started is not None:
        _started.put((token, os.getpid(), 0))   # the clock starts now ...
        pages = pdf_pages(Path(path))           # ... counted here, so a PDF that hangs or crashes
        if pages:                               # its reader costs this worker, not the batch
            _started.put((token, os.getpid(), pages))
    if _capture is not None:
        _capture.lines.clear()
    rec = safe_extract(extractor or default_extractor(), Path(path), max_bytes,
                       sha256 if extractor is None else None)
    lines = list(_capture.lines) if _capture is not None else []
    return to_payload(rec), lines


def replay(lines: list[LogLine]) -> None:
    """Log here the lines a worker captured."""
    for name, level, message in lines:
        logger = logging.getLogger(name)
        if logger.isEnabledFor(level):
            logger.log(level, "%s", message)


def log_levels() -> dict[str, int]:
    """This process's log levels, for its workers."""
    names = ["", "chitieu", "pdfminer"]
    return {n: logging.getLogger(n or None).level for n in names}


def ping() -> bool:
    return True
