"""OCR of page images with Tesseract (``-l vie``), pages in parallel.

Tesseract is run as a program (Debian packages ``tesseract-ocr`` and
``tesseract-ocr-vie``), one process per page, at most ``jobs`` at a time, each
with ``OMP_THREAD_LIMIT=1`` so that N jobs use N cores.  Its TSV output gives
the words with their lines, positions and confidences.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
import unicodedata
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from collections.abc import Sequence

from .errors import LoadError

if TYPE_CHECKING:  # pragma: no cover
    from PIL.Image import Image

LANGUAGE = "vie"
TIMEOUT_PER_PAGE = 300  # seconds


@dataclass(frozen=True)
class OcrLine:
    text: str
    top: float      # fraction of the page height
    bottom: float
    left: float     # fraction of the page width
    right: float


@dataclass(frozen=True)
class OcrPage:
    lines: list[OcrLine]
    confidences: list[float]  # one per word

    @property
    def mean_confidence(self) -> float | None:
        return sum(self.confidences) / len(self.confidences) if self.confidences else None


@functools.cache
def _languages(binary: str) -> frozenset[str]:
    try:
        out = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    lines = (out.stdout + out.stderr).splitlines()
    return frozenset(ln.strip() for ln in lines if ln.strip() and " " not in ln.strip())


def tesseract_binary(path: Path) -> str:
    """The tesseract program, checked to have Vietnamese; else LoadError('missing_tool')."""
    binary = shutil.which("tesseract")
    if binary is None:
        raise LoadError("missing_tool", path, "this PDF is a scan and needs OCR, but tesseract is not installed",
                        "install Debian packages tesseract-ocr tesseract-ocr-vie (scripts/install-system-deps.sh)")
    if LANGUAGE not in _languages(binary):
        raise LoadError("missing_tool", path,
                        "this PDF is a scan and needs OCR, but tesseract has no Vietnamese language data",
                        "install Debian package tesseract-ocr-vie (scripts/install-system-deps.sh)")
    return binary


def _parse_tsv(tsv: str, width: int, height: int) -> OcrPage:
    lines: dict[tuple[int, int, int], list[tuple[int, int, int, int, str]]] = {}
    order: list[tuple[int, int, int]] = []
    confidences: list[float] = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = cols[11].strip()
        if not text:
            continue
        try:
            conf = float(cols[10])
            left, top, w, h = (int(c) for c in cols[6:10])
        except ValueError:
            continue
        key = (int(cols[2]), int(cols[3]), int(cols[4]))
        if key not in lines:
            lines[key] = []
            order.append(key)
        lines[key].append((left, top, left + w, top + h, text))
        if conf >= 0:
            confidences.append(conf)
    out = []
    for key in order:
        words = lines[key]
        text = unicodedata.normalize("NFC", " ".join(w[4] for w in words))
        out.append(OcrLine(text=text,
                           top=min(w[1] for w in words) / height, bottom=max(w[3] for w in words) / height,
                           left=min(w[0] for w in words) / width, right=max(w[2] for w in words) / width))
    return OcrPage(out, confidences)


def _ocr_one(binary: str, image_file: Path, dpi: int, width: int, height: int, path: Path) -> OcrPage:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    cmd = [binary, str(image_file), "stdout", "-l", LANGUAGE, "--psm", "3", "--dpi", str(dpi), "tsv"]
    try:
        proc = subprocess.run(cmd, capture_output=True, env=env, timeout=TIMEOUT_PER_PAGE)
    except subprocess.TimeoutExpired:
        raise LoadError("corrupt", path, f"OCR of a page took over {TIMEOUT_PER_PAGE} s",
                        "check the scan; very large pages may need to be downscaled") from None
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise LoadError("corrupt", path, f"tesseract failed on a page: {err[-1] if err else proc.returncode}",
                        "check that the scan opens in a PDF viewer")
    return _parse_tsv(proc.stdout.decode("utf-8", "replace"), width, height)


class OcrRunner:
    """Saves page images to a temporary folder and OCRs them, ``jobs`` at a time.

    Rendering the next page (in the caller's thread) overlaps with OCR of the
    previous ones, and only one rendered page is held in memory at a time::

        with OcrRunner(path, jobs=2) as ocr:
            futures = [ocr.submit(render(page), dpi) for page in pages]
        results = [f.result() for f in futures]
    """

    def __init__(self, path: Path, jobs: int = 2) -> None:
        self.path = path
        self.binary = tesseract_binary(path)
        self.jobs = max(1, jobs)

    def __enter__(self) -> OcrRunner:
        self._tmp = tempfile.TemporaryDirectory(prefix="chitieu-ocr-")
        self._pool = ThreadPoolExecutor(max_workers=self.jobs)
        self._n = 0
        return self

    def submit(self, image: Image, dpi: int) -> Future[OcrPage]:
        f = Path(self._tmp.name) / f"page-{self._n:05d}.pgm"  # uncompressed: fastest to write and read
        self._n += 1
        (image if image.mode in ("L", "1") else image.convert("L")).save(f)
        return self._pool.submit(_ocr_one, self.binary, f, dpi, image.width, image.height, self.path)

    def __exit__(self, *exc: object) -> None:
        try:
            self._pool.shutdown(wait=True, cancel_futures=exc[0] is not None)
        finally:
            self._tmp.cleanup()


def ocr_images(path: Path, images: Sequence[tuple[Image, int]], jobs: int = 2) -> list[OcrPage]:
    """OCR each ``(image, dpi)``; returns one :class:`OcrPage` per image, in order."""
    with OcrRunner(path, jobs) as runner:
        futures = [runner.submit(img, dpi) for img, dpi in images]
    return [f.result() for f in futures]
