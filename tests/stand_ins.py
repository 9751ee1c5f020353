"""Stand-ins for the extractor, shared by the batch tests and the Dask tests.

Module-level functions (not fixtures) so a worker process, local or Dask, can
import them by name; ``tests/`` is on the path of every test process and of
the workers they start (pytest puts the folder of ``tests/conftest.py`` there).
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from pipeline.models import DocumentRecord, Evidence, Target


def fake_extract(path, *, max_bytes=0) -> DocumentRecord:  # noqa: ARG001 - a stand-in with the extractor's signature
    """One target per file, the real sha256, the text kept: enough for every output."""
    path = Path(path)
    data = path.read_bytes()
    text = data.decode("utf-8", "replace")
    rec = DocumentRecord(path.stem, str(path), hashlib.sha256(data).hexdigest(), province="Đắk Nông",
                         number=path.stem, targets=[Target("library", "lib.service", None, "district", 2025,
                                                           None, 60.0, None, "percent", False, "at_least",
                                                           Evidence(text[:3], 0, 3))])
    rec.text, rec.format = text, "text"
    return rec


def crash_on_boom(path, *, max_bytes=0) -> DocumentRecord:  # noqa: ARG001 - a stand-in with the extractor's signature
    """Kills its own (worker) process on any file named ``boom*``: a segfault stand-in."""
    if Path(path).name.startswith("boom"):
        os._exit(7)
    return fake_extract(path)
