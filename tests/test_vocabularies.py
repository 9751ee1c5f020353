"""The code vocabularies of ``pipeline.models`` (``Tier``, ``Unit``, …) are
defined once; the rules, the labels and SCHEMA.md name the same codes."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline import models, rules

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT.parent / "shared" / "SCHEMA.md"


def _labels(prefix: str) -> set[str]:
    return {k.split(".", 1)[1] for k in rules.load("labels").names if k.startswith(prefix + ".")}


def test_tiers_are_those_of_the_tier_rules():
    assert set(models.TIERS) == set(rules.load("tiers").names)
    # every tier a rule gives is a code (``none``: the not_a_tier rule, which yields no span)
    assert {r["tier"] for r in rules.load("tiers").rules} <= set(models.TIERS) | {"none"}


def test_sectors_are_those_of_the_sector_and_indicator_rules():
    assert set(models.SECTORS) == set(rules.load("sectors").names)
    assert {r["sector"] for r in rules.load("sectors").rules} <= set(models.SECTORS)
    assert {r["sector"] for r in rules.load("indicators").rules} <= set(models.SECTORS)


@pytest.mark.parametrize("codes,prefix", [
    (models.UNITS, "unit"), (models.DIRECTIONS, "direction"), (models.SOURCES, "source"),
    (models.ADMIN_LEVELS, "level"),
])
def test_each_vocabulary_is_named_in_the_labels(codes, prefix):
    assert set(codes) == _labels(prefix)


def test_document_and_reference_kinds_are_named_in_the_labels_and_the_rules():
    assert set(models.REF_KINDS) | set(models.DOC_TYPES) == _labels("kind")
    doc_types = rules.load("doc_types").rules
    assert {r["kind"] for r in doc_types if "kind" in r} <= set(models.REF_KINDS)
    assert {r["doc_type"] for r in doc_types if "doc_type" in r} <= set(models.DOC_TYPES)


@pytest.mark.parametrize("read,good,bad", [
    (models.tier_code, "commune", "xã"), (models.unit_code, "percent", "%"),
    (models.direction_code, "at_most", "below"), (models.sector_code, "museum", ""),
    (models.source_code, "lead", None), (models.ref_kind_code, "official_letter", "letter"),
    (models.doc_type_code, "news", "plan "), (models.admin_level_code, "central", 3),
])
def test_a_code_is_read_back_and_an_unknown_one_refused(read, good, bad):
    assert read(good) == good and good in read
    assert bad not in read
    with pytest.raises(ValueError, match=read.what):
        read(bad)


# --------------------------------------------------------------------------
# SCHEMA.md (../shared, beside the clone; skipped when it is absent)

def _schema_codes(text: str) -> dict[str, set[str]]:
    """The codes SCHEMA.md gives for each key: the backticked identifiers of
    its table row (``| `unit` | `percent` (…), `count` … |``), and the first
    column of the tier code table.  What a bracket says of a code (``(also
    a count per period, with what is counted in `subject`)``) is no code."""
    out: dict[str, set[str]] = {}
    for line in text.splitlines():
        m = re.match(r"\|\s*`([a-z_]+)`(?:,\s*`([a-z_]+)`)?\s*\|(.*)\|\s*$", line)
        if m:
            row = m.group(3)
            while True:   # drop brackets, innermost first
                row, n = re.subn(r"\([^()]*\)", "", row)
                if not n:
                    break
            codes = set(re.findall(r"`([a-z_]+)`", row))
            for key in filter(None, (m.group(1), m.group(2))):
                out.setdefault(key, set()).update(codes)
    tiers = text.split("#### tier codes", 1)[1].split("\n#", 1)[0]
    out["tier"] = {c for row in re.findall(r"^\|\s*(`[a-z_]+`(?:\s*/\s*`[a-z_]+`)*)\s*\|", tiers, re.M)
                   for c in re.findall(r"`([a-z_]+)`", row)}
    return out


@pytest.mark.skipif(not SCHEMA.exists(), reason="../shared/SCHEMA.md not beside the clone")
@pytest.mark.parametrize("key,codes", [
    ("tier", models.TIERS), ("unit", models.UNITS), ("direction", models.DIRECTIONS),
    ("sector", models.SECTORS), ("year_source", models.SOURCES), ("tier_source", models.SOURCES),
    ("kind", models.REF_KINDS), ("doc_type", models.DOC_TYPES), ("admin_level", models.ADMIN_LEVELS),
])
def test_each_vocabulary_is_the_one_of_schema_md(key, codes):
    assert _schema_codes(SCHEMA.read_text(encoding="utf-8"))[key] == set(codes)
