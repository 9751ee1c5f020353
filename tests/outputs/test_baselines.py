"""The built-in baselines (rules/baselines/*.yaml): every file fits the
schema, holds facts only, and agrees with the hand-made gold of the texts it
was read from (when ../shared is there)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from pipeline.outputs import baselines
from pipeline.outputs.baselines import BASELINES_DIR, BaselineFileError, all_builtins, cited, find, load_file

ROOT = Path(__file__).resolve().parents[2]
SHARED = next((p for p in (ROOT.parent / "shared", Path("/work/shared")) if p.is_dir()), None)
FILES = sorted(BASELINES_DIR.glob("*.yaml"))


def test_the_programmes_plans_cite_are_built_in():
    assert {b.number for b in all_builtins()} >= {"1520/QĐ-TTg", "1909/QĐ-TTg", "208/QĐ-TTg"}


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_each_file_fits_the_schema(path):
    b = load_file(path)
    assert b.id == path.stem and b.targets
    assert find(b.number) is b or find(b.number).number == b.number
    rec = b.record()
    text = rec.text
    for t in rec.targets:   # the record's evidence holds like any document's
        assert text[t.evidence.start:t.evidence.end] == t.evidence.text
        assert b.number in t.evidence.text and "Article" in t.evidence.text


def _write(tmp_path: Path, data: dict, name: str = "1-QD-TTg-2020.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _good() -> dict:
    return {"id": "1-QD-TTg-2020", "number": "1/QĐ-TTg", "date": "2020-03-04", "issuer": "Thủ tướng Chính phủ",
            "kind": "decision", "checked": "Checked by hand against a made-up text for this test.",
            "covers": ["lib.service"],
            "targets": [{"sector": "library", "indicator": "lib.service", "tier": "district", "year": 2025,
                         "value": 50, "where": {"article": 1, "part": "objectives"}}]}


@pytest.mark.parametrize("change, message", [
    (lambda d: d["targets"][0].update(tier="huyện"), "tier"),
    (lambda d: d["targets"][0].update(indicator="lib.other"), "indicator"),
    (lambda d: d["targets"][0].pop("where"), "where"),
    (lambda d: d["targets"][0].update(year="2025"), "year"),
    (lambda d: d["targets"][0].update(value=150), "above 100"),
    (lambda d: d["targets"][0].update(value_max=10), "value_max"),
    (lambda d: d["targets"].append(dict(d["targets"][0])), "second target"),
    (lambda d: d["targets"][0].update(subject="thư viện cấp huyện có dịch vụ"), "English"),
    (lambda d: d.update(checked="Đọc từ bản tin tóm tắt quyết định."), "English"),
    (lambda d: d.update(title="a title"), "title"),
    (lambda d: d.update(number="1/KH-UBND"), "number"),
    (lambda d: d.update(id="2-QD-TTg-2020"), "file name"),
    (lambda d: d.update(covers=["lib.digital"]), "covers"),
])
def test_a_file_that_does_not_fit_is_refused_with_its_name(tmp_path, change, message):
    load_file(_write(tmp_path, _good()))   # the unchanged file is fine
    data = _good()
    change(data)
    with pytest.raises(BaselineFileError, match=message) as exc:
        load_file(_write(tmp_path, data))
    assert "1-QD-TTg-2020.yaml" in str(exc.value)


def test_citations_match_by_number_and_year():
    b = find("1520/QĐ-TTg")
    assert find("1520/QD-TTg") is b and find(" 1520/qđ-ttg ") is b and find("1520/QĐ-TTg (built in)") is b
    assert find(b.doc_id) is b and find("1520/QĐ-UBND") is None
    assert cited([{"number": "1520/QĐ-TTg", "date": None}]) == [b]
    assert cited([{"number": "1520/QĐ-TTg", "date": "2022"}]) == [b]
    assert cited([{"number": "1520/QĐ-TTg", "date": "2017-05-02"}]) == []
    assert cited([{"number": "1909/QĐ-TTg"}, {"number": "1520/QĐ-TTg"}, {"number": "1909/QĐ-TTg"}]) == [
        find("1909/QĐ-TTg"), b]
    # a programme with no date is matched by its number alone
    assert cited([{"number": "208/QĐ-TTg", "date": "2014-02-10"}]) == [find("208/QĐ-TTg")]


def test_two_files_of_one_number_need_dates(tmp_path):
    _write(tmp_path, _good())
    other = _good()
    other.update(id="1-QD-TTg-2021", date=None)
    _write(tmp_path, other, "1-QD-TTg-2021.yaml")
    with pytest.raises(BaselineFileError, match="give both a date"):
        baselines.all_builtins(tmp_path)


@pytest.mark.skipif(SHARED is None, reason="../shared is not beside the clone")
def test_every_built_in_value_is_in_the_hand_made_gold_of_its_text():
    """The values were read with chitieu from the national texts of
    corpus-extra and checked by hand; the gold files of those texts were
    written by hand too, so each built-in target is there (indicator, tier,
    year, value).  A programme whose text names no number (an infographic)
    is checked against the gold of the text that carries its targets."""
    gold = {}
    for path in sorted((SHARED / "gold-extra").glob("*.json")):
        g = json.loads(path.read_text(encoding="utf-8"))
        gold.setdefault(g.get("number"), []).append(g)
    checked = 0
    for b in all_builtins():
        docs = gold.get(b.number) or [g for g in gold.get(None, []) if g.get("issuing_body") in ("Chính phủ", b.issuer)
                                      and any(t.get("year") == b.targets[0]["year"] for t in g["targets"])]
        assert docs, f"no gold text for {b.number}"
        keys = [(t["indicator"], t["tier"], t["year"], float(t["value"])) for g in docs for t in g["targets"]]
        for t in b.targets:
            key = (t["indicator"], t["tier"], t["year"], float(t["value"]))
            assert key in keys, f"{b.path.name}: {key} is in no gold target of its text"
            keys.remove(key)
            checked += 1
    assert checked == sum(len(b.targets) for b in all_builtins())


@pytest.mark.parametrize("kind, doc_type", [("decision", "decision"), ("directive", "directive"),
                                            ("resolution", "other")])
def test_a_baselines_record_has_a_doc_type_of_the_schema(tmp_path, kind, doc_type):
    # SCHEMA.md's doc_type has no 'resolution' (a Nghị quyết is 'other')
    data = _good()
    data["kind"] = kind
    assert load_file(_write(tmp_path, data)).record().doc_type == doc_type
