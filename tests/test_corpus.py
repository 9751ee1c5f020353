"""The whole corpus: evidence offsets hold for every target and reference,
and the dev-set scores meet the bar the project set itself."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted((ROOT / "corpus").glob("*.txt"))
SHARED = ROOT.parent / "shared"

core = pytest.importorskip("pipeline.core", reason="extractor modules not importable")


@pytest.fixture(scope="module")
def records():
    return {p.stem: core.extract_file(p) for p in CORPUS}


def test_corpus_is_there():
    assert len(CORPUS) == 5


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_evidence_offsets(records, path):
    rec = records[path.stem]
    text = rec.text
    assert rec.error is None, rec.warnings
    for item in list(rec.targets) + list(rec.references):
        ev = item.evidence
        assert text[ev.start:ev.end] == ev.text


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_records_follow_schema(records, path):
    out = records[path.stem].to_json()
    assert list(out) == ["doc_id", "source", "sha256", "doc_type", "number", "issue_date", "place",
                         "issuing_body", "parent_body", "admin_level", "province", "district",
                         "signer", "title", "references", "targets", "warnings"]
    json.dumps(out, ensure_ascii=False)
    for v in out.values():
        assert v != ""
    sources = {"clause", "lead", "heading", "period", "document", "table", "none"}
    for t in out["targets"]:
        assert t["year"] is None or isinstance(t["year"], int)
        assert t["unit"] in {"percent", "percent_per_year", "count", "other"}
        assert t["direction"] in {"at_least", "at_most"}
        # every target says where its year and its tier were found (SCHEMA.md)
        assert t["year_source"] in sources and t["tier_source"] in sources, t
        assert (t["year"] is None) == (t["year_source"] == "none"), t


EXTRA_TEXTS = sorted(p for d in ("corpus-extra", "corpus-extra2") for p in (SHARED / d).glob("*.txt"))


@pytest.mark.skipif(not EXTRA_TEXTS, reason="../shared/corpus-extra* is not present")
def test_every_target_of_the_shared_texts_has_its_sources():
    for path in EXTRA_TEXTS:
        rec = core.extract_file(path)
        text = rec.text
        for t in rec.targets:
            assert text[t.evidence.start:t.evidence.end] == t.evidence.text
            assert t.year_source is not None and t.tier_source is not None, (path.name, t)


@pytest.mark.skipif(not (SHARED / "gold").is_dir(), reason="../shared/gold is not present")
def test_dev_set_scores(records):
    from pipeline.evaluate import evaluate

    report = evaluate([r.to_json() for r in records.values()], [SHARED / "gold"]).to_dict()
    s = report["sets"][0]
    flat = json.dumps(s, ensure_ascii=False)
    assert not s["missing_output"], flat
    targets = s["targets"]["strict"]["f1"]
    refs = s["references"]["f1"]
    fields = s["fields"]["accuracy"]
    assert targets >= 0.95, flat
    assert refs == 1.0, flat
    assert fields >= 0.95, flat
