"""Outputs stay as recorded in tests/digest.json unless a commit changes them
on purpose (``python tests/digest.py --refresh``, in its own commit)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import digest  # noqa: E402

RECORDED = json.loads(digest.RECORD.read_text())


@pytest.mark.parametrize("name", list(digest.SETS))
def test_outputs_match_the_recorded_digest(name):
    folder = digest.SETS[name]
    if not folder.is_dir():
        pytest.skip(f"{folder} is not present")
    assert name in RECORDED, f"no digest recorded for {name}: run tests/digest.py --refresh"
    now = digest.digest_of(folder)
    changed = sorted(f for f in set(now) | set(RECORDED[name]) if now.get(f) != RECORDED[name].get(f))
    assert not changed, (f"{name}: these outputs changed: {changed}. If the change is deliberate, "
                         "refresh tests/digest.json in its own commit that says why.")
