"""The target cases as data (issue 10, Duckling's corpus and negative corpus):
each target file of ``cases/`` (:data:`TARGET_FILES`) holds ``cases`` (a text
and the rows it must give, no more, no fewer) and ``counter_examples`` (texts
that must give nothing).
A new case is a few lines of YAML, not code.

A row is ``[indicator, tier, year, value, value_max, unit]``; every target's
evidence must be the slice of the text its offsets name.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.extractors.targets import extract_targets
from pipeline.segment import segment
from pipeline.text import prepare

CASES_DIR = Path(__file__).parent / "cases"
#: The target case files; ``references.yaml`` and ``metadata.yaml`` are walked by
#: test_references.py and test_metadata.py.
TARGET_FILES = ("targets", "scope")
_FILE_KEYS = {"cases", "counter_examples"}
_CASE_KEYS = {"id", "text", "rows"}
_COUNTER_KEYS = {"id", "text"}


def _load() -> dict[str, dict[str, list[dict[str, Any]]]]:
    out = {}
    for path in sorted(CASES_DIR / f"{name}.yaml" for name in TARGET_FILES):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(data, dict) and set(data) <= _FILE_KEYS, f"{path.name}: keys {sorted(data)}"
        out[path.stem] = {key: list(data.get(key) or []) for key in _FILE_KEYS}
    return out


FILES = _load()
POSITIVE = [pytest.param(c, id=f"{name}:{c.get('id')}") for name, d in FILES.items() for c in d["cases"]]
NEGATIVE = [pytest.param(c, id=f"{name}:{c.get('id')}") for name, d in FILES.items() for c in d["counter_examples"]]


def rows(text: str) -> list[Any]:
    p = prepare(text)
    targets, _ = extract_targets(p, segment(p.flow), None)
    for t in targets:
        assert text[t.evidence.start:t.evidence.end] == t.evidence.text
    return targets


def keyset(targets: list[Any]) -> Counter[tuple[Any, ...]]:
    return Counter((t.indicator, t.tier, t.year, t.value, t.value_max, t.unit) for t in targets)


def test_the_case_files_are_well_formed():
    # a new case file is walked by a test, never left unread
    assert {p.stem for p in CASES_DIR.glob("*.yaml")} == {*TARGET_FILES, "references", "metadata"}
    ids = Counter(f"{name}:{c.get('id')}" for name, d in FILES.items() for k in _FILE_KEYS for c in d[k])
    assert [i for i, n in ids.items() if n > 1] == []
    for name, d in FILES.items():
        for c in d["cases"]:
            assert set(c) == _CASE_KEYS, (name, c)
            assert isinstance(c["text"], str) and c["rows"], (name, c["id"])
            assert all(isinstance(r, list) and len(r) == 6 for r in c["rows"]), (name, c["id"])
        for c in d["counter_examples"]:
            assert set(c) == _COUNTER_KEYS and isinstance(c["text"], str), (name, c)


def test_enough_cases():
    """No case is lost: the counts when the Python lists of test_targets.py
    (123 cases, 38 counter-examples, and 14 cases of four smaller lists) moved here."""
    assert len(FILES["targets"]["cases"]) >= 57 and len(FILES["targets"]["counter_examples"]) >= 14
    assert len(FILES["scope"]["cases"]) >= 80 and len(FILES["scope"]["counter_examples"]) >= 24


@pytest.mark.parametrize("case", POSITIVE)
def test_case_gives_its_rows(case: dict[str, Any]):
    assert keyset(rows(case["text"])) == Counter(tuple(r) for r in case["rows"])


@pytest.mark.parametrize("case", NEGATIVE)
def test_counter_example_gives_nothing(case: dict[str, Any]):
    assert [(t.value, t.year, t.evidence.text) for t in rows(case["text"])] == []
