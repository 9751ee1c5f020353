"""Settings for the whole suite.

The rule loader keeps a marker per validated rule file in the user's cache
(``pipeline.rules``, ``$CHITIEU_CACHE_DIR``); the suite writes its markers to a
folder of its own, removed at the end, so a test run leaves nothing in the
user's home and never finds markers left by another checkout.
"""
from __future__ import annotations

import os
import shutil
import tempfile

from pipeline.rules import CACHE_DIR_ENV

_CACHE = tempfile.mkdtemp(prefix="chitieu-test-cache-")
os.environ[CACHE_DIR_ENV] = _CACHE   # worker processes inherit it


def pytest_sessionfinish(session, exitstatus):  # noqa: ARG001 (pytest's hook signature)
    shutil.rmtree(_CACHE, ignore_errors=True)
