"""Tests of ``pipeline.evaluate``: exact scores on small hand-built cases."""
from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from pipeline.evaluate import (
    FIELDS,
    PRF,
    EvalReport,
    evaluate,
    main,
    match_multiset,
    values_equal,
)

SHARED = Path("/work/shared")


# --------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------

def gold_target(indicator: str = "lib.service", tier: str = "province", year: int = 2025,
                value: float = 60, value_max: float | None = None,
                quote: str = "đạt 60%") -> dict[str, Any]:
    return {"sector": "library", "indicator": indicator, "tier": tier, "year": year,
            "value": value, "value_max": value_max, "unit": "percent", "implied": False,
            "quote": quote}


def out_target(indicator: str = "lib.service", tier: str = "province", year: int = 2025,
               value: float = 60, value_max: float | None = None,
               text: str = "đạt 60%") -> dict[str, Any]:
    return {"sector": "library", "indicator": indicator, "subject": None, "tier": tier,
            "year": year, "period_start": None, "value": value, "value_max": value_max,
            "unit": "percent", "implied": False, "direction": "at_least",
            "evidence": {"text": text, "start": 0, "end": len(text)}}


BASE_FIELDS: dict[str, Any] = {
    "doc_type": "plan", "number": "149/KH-UBND", "issue_date": "2023-07-04",
    "place": "Nhà Bè", "issuing_body": "Ủy ban nhân dân huyện Nhà Bè", "parent_body": None,
    "admin_level": "district", "province": "Hồ Chí Minh", "district": "Nhà Bè",
}


def gold_doc(doc_id: str, targets: list[dict] | None = None, refs: list[tuple] | None = None,
             signer: tuple[str | None, str | None] = ("Tôn Thị Ngọc Hạnh", "Phó Chủ tịch"),
             **fields: Any) -> dict[str, Any]:
    return {"doc_id": doc_id, **BASE_FIELDS, "signer_name": signer[0], "signer_title": signer[1],
            **fields,
            "references": [{"kind": "decision", "number": n, "date": d, "issuer": None}
                           for n, d in (refs or [])],
            "targets": targets or []}


def out_doc(doc_id: str, targets: list[dict] | None = None, refs: list[tuple] | None = None,
            signer: dict | None = None, **fields: Any) -> dict[str, Any]:
    if signer is None:
        signer = {"name": "Tôn Thị Ngọc Hạnh", "title": "Phó Chủ tịch"}
    return {"doc_id": doc_id, "source": f"corpus/{doc_id}.txt", "sha256": "0" * 64,
            **BASE_FIELDS, "signer": signer, "title": None, **fields,
            "references": [{"kind": "decision", "number": n, "date": d, "issuer": None,
                            "evidence": {"text": f"số {n}", "start": 0, "end": 1}}
                           for n, d in (refs or [])],
            "targets": targets or [], "warnings": []}


def write_gold(directory: Path, *docs: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for d in docs:
        (directory / f"{d['doc_id']}.json").write_text(
            json.dumps(d, ensure_ascii=False, indent=2), encoding="utf-8")
    return directory


def write_jsonl(path: Path, *records: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


def scores(prf: PRF) -> tuple[float, float, float, int, int, int]:
    return (round(prf.precision, 6), round(prf.recall, 6), round(prf.f1, 6),
            prf.tp, prf.fp, prf.fn)


def run(tmp_path: Path, gold: list[dict], out: list[dict]) -> EvalReport:
    return evaluate(out, [write_gold(tmp_path / "gold", *gold)])


# --------------------------------------------------------------------------
# Unit pieces
# --------------------------------------------------------------------------

def test_values_equal_numbers_strings_none() -> None:
    assert values_equal(60, 60.0)
    assert values_equal(60, 60 + 1e-9)
    assert not values_equal(60, 60.001)
    assert values_equal(None, None)
    assert not values_equal(None, 0)
    assert not values_equal("", None)
    nfd = unicodedata.normalize("NFD", "Đắk  Nông ")
    assert values_equal(nfd, "Đắk Nông")
    assert not values_equal("Đắk Nông", "Dak Nong")


def test_match_multiset_counts_duplicates() -> None:
    m = match_multiset([("a",), ("a",), ("b",)], [("a",), ("c",)])
    assert m.pairs == ((0, 0),)
    assert m.missed == (1, 2)
    assert m.extra == (1,)


def test_prf_empty_conventions() -> None:
    assert scores(PRF(0, 0, 0)) == (1.0, 1.0, 1.0, 0, 0, 0)
    assert scores(PRF(0, 0, 2)) == (0.0, 0.0, 0.0, 0, 0, 2)
    assert scores(PRF(0, 3, 0)) == (0.0, 0.0, 0.0, 0, 3, 0)


# --------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------

def test_perfect_match(tmp_path: Path) -> None:
    gold = gold_doc("d1", [gold_target(), gold_target(tier="district", value=50)],
                    refs=[("1520/QĐ-TTg", "2022-12-09")])
    out = out_doc("d1", [out_target(tier="district", value=50.0), out_target()],
                  refs=[("1520/QĐ-TTg", "2022-12-09")])
    report = run(tmp_path, [gold], [out])
    s = report.combined
    for view in ("strict", "by-tier", "loose"):
        assert scores(s.targets(view)) == (1.0, 1.0, 1.0, 2, 0, 0)
    assert scores(s.references) == (1.0, 1.0, 1.0, 1, 0, 0)
    assert (s.fields.correct, s.fields.total) == (len(FIELDS), len(FIELDS))
    assert report.docs[0].is_perfect
    text = report.format()
    assert "targets strict  P=1.000 R=1.000 F1=1.000 (tp=2 fp=0 fn=0)" in text
    assert "fields accuracy=1.000 (11/11)" in text


def test_one_miss(tmp_path: Path) -> None:
    gold = gold_doc("d1", [gold_target(), gold_target(year=2030, value=80, quote="đạt 80% (năm 2030)")])
    out = out_doc("d1", [out_target()])
    report = run(tmp_path, [gold], [out])
    assert scores(report.combined.targets("strict")) == (1.0, 0.5, 0.666667, 1, 0, 1)
    doc = report.docs[0]
    assert [d.key for d in doc.target_misses] == [("lib.service", "province", 2030, 80, None)]
    assert doc.target_extras == ()
    text = report.format()
    assert "targets strict  P=1.000 R=0.500 F1=0.667 (tp=1 fp=0 fn=1)" in text
    assert 'target miss   ("lib.service", "province", 2030, 80, null)  "đạt 80% (năm 2030)"' in text


def test_one_extra_shows_truncated_evidence(tmp_path: Path) -> None:
    long_text = "Thư viện cấp xã đạt 55% " + "x" * 300
    gold = gold_doc("d1", [gold_target()])
    out = out_doc("d1", [out_target(), out_target(tier="commune", value=55, text=long_text)])
    report = run(tmp_path, [gold], [out])
    assert scores(report.combined.targets("strict")) == (0.5, 1.0, 0.666667, 1, 1, 0)
    extra_line = next(l for l in report.format().splitlines() if "target extra" in l)
    assert '("lib.service", "commune", 2025, 55, null)' in extra_line
    assert "Thư viện cấp xã đạt 55%" in extra_line
    assert "x" * 300 not in extra_line
    assert len(extra_line) < 200


def test_multiset_duplicates(tmp_path: Path) -> None:
    gold = gold_doc("d1", [gold_target(), gold_target()])
    one = run(tmp_path / "a", [gold], [out_doc("d1", [out_target()])])
    assert scores(one.combined.targets("strict")) == (1.0, 0.5, 0.666667, 1, 0, 1)
    three = run(tmp_path / "b", [gold], [out_doc("d1", [out_target()] * 3)])
    assert scores(three.combined.targets("strict")) == (0.666667, 1.0, 0.8, 2, 1, 0)


def test_value_max_handling(tmp_path: Path) -> None:
    gold = gold_doc("d1", [gold_target(tier="all", year=2030, value=12, value_max=15),
                           gold_target(tier="all", year=2030, value=5, value_max=10)])
    out = out_doc("d1", [out_target(tier="all", year=2030, value=12.0, value_max=15.0),
                         out_target(tier="all", year=2030, value=5, value_max=None)])
    report = run(tmp_path, [gold], [out])
    assert scores(report.combined.targets("strict")) == (0.5, 0.5, 0.5, 1, 1, 1)
    doc = report.docs[0]
    assert [d.key[-2:] for d in doc.target_misses] == [(5, 10)]
    assert [d.key[-2:] for d in doc.target_extras] == [(5, None)]


def test_views_differ(tmp_path: Path) -> None:
    """Wrong indicator: strict misses, by-tier matches; wrong tier: only loose matches."""
    gold = gold_doc("d1", [gold_target(), gold_target(tier="commune", value=55)])
    out = out_doc("d1", [out_target(indicator="lib.digital"),
                         out_target(tier="district", value=55)])
    s = run(tmp_path, [gold], [out]).combined
    assert scores(s.targets("strict")) == (0.0, 0.0, 0.0, 0, 2, 2)
    assert scores(s.targets("by-tier")) == (0.5, 0.5, 0.5, 1, 1, 1)
    assert scores(s.targets("loose")) == (1.0, 1.0, 1.0, 2, 0, 0)


def test_micro_average_over_documents(tmp_path: Path) -> None:
    g1 = gold_doc("d1", [gold_target()])
    g2 = gold_doc("d2", [gold_target(), gold_target(value=70), gold_target(value=80)])
    o1 = out_doc("d1", [out_target()])
    o2 = out_doc("d2", [out_target(value=70)])
    s = run(tmp_path, [g1, g2], [o1, o2]).combined
    # micro: tp=2, fp=0, fn=2 (a macro average of recalls would be 0.667)
    assert scores(s.targets("strict")) == (1.0, 0.5, 0.666667, 2, 0, 2)


# --------------------------------------------------------------------------
# References
# --------------------------------------------------------------------------

def test_references_multiset_on_number_and_date(tmp_path: Path) -> None:
    gold = gold_doc("d1", refs=[("1520/QĐ-TTg", "2022-12-09"), (None, "2015-06-19"),
                                (None, "2019-11-22")])
    out = out_doc("d1", refs=[("1520/QĐ-TTg", "2022-12-09"), (None, "2015-06-19"),
                              ("68/KH-UBND", "2023-03-03"), ("1520/QĐ-TTg", "2022-12-10")])
    report = run(tmp_path, [gold], [out])
    assert scores(report.combined.references) == (0.5, 0.666667, 0.571429, 2, 2, 1)
    doc = report.docs[0]
    assert [d.key for d in doc.reference_misses] == [(None, "2019-11-22")]
    assert [d.key for d in doc.reference_extras] == [("68/KH-UBND", "2023-03-03"),
                                                     ("1520/QĐ-TTg", "2022-12-10")]
    assert 'ref miss      (null, "2019-11-22")' in report.format()


# --------------------------------------------------------------------------
# Document fields
# --------------------------------------------------------------------------

def test_field_accuracy_with_null(tmp_path: Path) -> None:
    gold = gold_doc("d1", number=None, parent_body=None, issue_date="2023")
    out = out_doc("d1", number="/KH-UBND", parent_body=None, issue_date="2023")
    report = run(tmp_path, [gold], [out])
    s = report.combined
    assert (s.field("number").correct, s.field("number").total) == (0, 1)
    assert s.field("parent_body").accuracy == 1.0
    assert s.field("issue_date").accuracy == 1.0
    assert (s.fields.correct, s.fields.total) == (10, 11)
    assert round(s.fields.accuracy, 6) == round(10 / 11, 6)
    text = report.format()
    assert "fields accuracy=0.909 (10/11)" in text
    assert 'number: got "/KH-UBND", expected null' in text


def test_field_nfc_and_whitespace(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Ủy ban nhân dân  huyện\nNhà Bè ")
    assert decomposed != BASE_FIELDS["issuing_body"]
    report = run(tmp_path, [gold_doc("d1")], [out_doc("d1", issuing_body=decomposed)])
    assert report.combined.field("issuing_body").accuracy == 1.0


def test_signer_flattening(tmp_path: Path) -> None:
    golds = [gold_doc("a"), gold_doc("b", signer=(None, None)), gold_doc("c")]
    outs = [
        out_doc("a", signer={"name": "Tôn Thị Ngọc Hạnh", "title": "Phó Chủ tịch"}),
        {**out_doc("b"), "signer": None},
        out_doc("c", signer={"name": "Tôn Thị Ngọc Hạnh", "title": "Chủ tịch"}),
    ]
    report = run(tmp_path, golds, outs)
    s = report.combined
    assert (s.field("signer_name").correct, s.field("signer_name").total) == (3, 3)
    assert (s.field("signer_title").correct, s.field("signer_title").total) == (2, 3)
    assert 'signer_title: got "Chủ tịch", expected "Phó Chủ tịch"' in report.format()


# --------------------------------------------------------------------------
# Pairing, sets, report
# --------------------------------------------------------------------------

def test_missing_output_and_output_without_gold(tmp_path: Path) -> None:
    golds = [gold_doc("d1", [gold_target()]),
             gold_doc("d2", [gold_target(), gold_target(value=70)], refs=[("1/QĐ", None)])]
    outs = [out_doc("d1", [out_target()]), out_doc("stray", [out_target()])]
    report = run(tmp_path, golds, outs)
    s = report.combined
    assert s.missing_output == ("d2",)
    assert report.output_without_gold == ("stray",)
    assert report.n_output_records == 2
    assert scores(s.targets("strict")) == (1.0, 0.333333, 0.5, 1, 0, 2)
    assert scores(s.references) == (0.0, 0.0, 0.0, 0, 0, 1)
    # the missing document has every field wrong
    assert (s.fields.correct, s.fields.total) == (11, 22)
    text = report.format()
    assert "1 without gold (ignored)" in text
    assert "gold without output (scored as all-missed): gold/d2" in text


def test_per_set_breakdown(tmp_path: Path) -> None:
    g1 = write_gold(tmp_path / "gold", gold_doc("a", [gold_target()]))
    g2 = write_gold(tmp_path / "gold-extra", gold_doc("b", [gold_target(), gold_target(value=70)]))
    outs = [out_doc("a", [out_target()]), out_doc("b", [out_target(value=99)])]
    report = evaluate(outs, [g1, g2])
    assert [s.name for s in report.sets] == ["gold", "gold-extra"]
    assert scores(report.sets[0].targets("strict")) == (1.0, 1.0, 1.0, 1, 0, 0)
    assert scores(report.sets[1].targets("strict")) == (0.0, 0.0, 0.0, 0, 1, 2)
    assert scores(report.combined.targets("strict")) == (0.5, 0.333333, 0.4, 1, 1, 2)
    text = report.format(verbose=False)
    assert "== gold (" in text and "== gold-extra (" in text and "== combined (" in text
    assert "target miss" not in text
    d = report.to_dict()
    assert [s["name"] for s in d["sets"]] == ["gold", "gold-extra"]
    assert d["combined"]["targets"]["strict"]["tp"] == 1
    assert d["combined"]["targets"]["strict"]["fn"] == 2
    assert {x["doc_id"]: x["set"] for x in d["documents"]} == {"a": "gold", "b": "gold-extra"}
    json.dumps(d)  # serialisable


def test_single_set_has_no_combined_block(tmp_path: Path) -> None:
    report = run(tmp_path, [gold_doc("a")], [out_doc("a")])
    assert "== combined" not in report.format()


def test_null_years_match_only_null_years(tmp_path: Path) -> None:
    gold = gold_doc("a", [gold_target(year=None), gold_target(value=70, year=None)])
    out = out_doc("a", [out_target(year=None), out_target(value=70, year=2025)])
    report = run(tmp_path, [gold], [out])
    assert scores(report.combined.targets("strict")) == (0.5, 0.5, 0.5, 1, 1, 1)
    assert scores(report.combined.targets("loose")) == (0.5, 0.5, 0.5, 1, 1, 1)
    assert "target miss   (\"lib.service\", \"province\", null, 70, null)" in report.format()


def _split_sets(tmp_path: Path) -> tuple[list[str], list[dict]]:
    """Three tune sets (two of them folders named ``gold``) and a check set."""
    g1 = write_gold(tmp_path / "gold", gold_doc("a", [gold_target()]))
    g2 = write_gold(tmp_path / "gold-extra", gold_doc("b", [gold_target(), gold_target(value=70)]))
    g3 = write_gold(tmp_path / "fullplans" / "gold", gold_doc("c", [gold_target(year=2026)]))
    g4 = write_gold(tmp_path / "gold-extra2", gold_doc("d", [gold_target(), gold_target(value=40)]))
    outs = [out_doc("a", [out_target()]), out_doc("b", [out_target(value=70)]),
            out_doc("c", [out_target(year=2026)]),
            out_doc("d", [out_target(), out_target(indicator="lib.digital", value=40)])]
    args = [f"tune={g1}", f"tune={g2}", f"tune={g3}", f"check={g4}"]
    return args, outs


def test_tune_and_check_groups_are_pooled_apart(tmp_path: Path) -> None:
    args, outs = _split_sets(tmp_path)
    report = evaluate(outs, args)
    assert [(s.name, s.group) for s in report.sets] == [
        ("gold", "tune"), ("gold-extra", "tune"), ("fullplans/gold", "tune"), ("gold-extra2", "check")]
    assert report.group_names == ("tune", "check")
    tune, check = report.group("tune"), report.group("check")
    assert scores(tune.targets("strict")) == (1.0, 0.75, 0.857143, 3, 0, 1)
    assert scores(check.targets("strict")) == (0.5, 0.5, 0.5, 1, 1, 1)
    assert scores(check.targets("loose")) == (1.0, 1.0, 1.0, 2, 0, 0)
    assert [d.doc_id for d in tune.docs] == ["a", "b", "c"]

    text = report.format(verbose=False)
    assert "== combined (" not in text   # tune and check are never pooled together
    assert "== TUNE combined (" in text and "== CHECK combined (" in text
    table = text[text.index("TUNE: "):]
    lines = table.splitlines()
    assert lines[0] == "TUNE: gold, gold-extra, fullplans/gold"
    assert [l.split()[0] for l in lines[1:5]] == ["gold", "gold-extra", "fullplans/gold", "TUNE"]
    assert "strict F1 0.857   loose F1 0.857" in lines[4]
    check_at = lines.index("CHECK: gold-extra2")
    assert lines[check_at + 1].split()[0] == "gold-extra2"
    assert "strict F1 0.500   loose F1 1.000" in lines[check_at + 2]
    assert lines[check_at + 2].split()[:2] == ["CHECK", "combined"]

    d = report.to_dict()
    assert [s["group"] for s in d["sets"]] == ["tune", "tune", "tune", "check"]
    assert d["groups"]["check"]["targets"]["strict"]["fp"] == 1
    json.dumps(d)


def test_groups_given_apart_and_ungrouped_sets(tmp_path: Path) -> None:
    args, outs = _split_sets(tmp_path)
    dirs = [a.split("=", 1)[1] for a in args]
    by_list = evaluate(outs, [Path(d) for d in dirs], groups=["tune", "tune", "tune", "check"])
    assert by_list.to_dict()["groups"] == evaluate(outs, args).to_dict()["groups"]
    with pytest.raises(ValueError):
        evaluate(outs, [Path(d) for d in dirs], groups=["tune"])
    mixed = evaluate(outs, [args[0], dirs[3]])
    assert [s.group for s in mixed.sets] == ["tune", None]
    text = mixed.format(verbose=False)
    assert "OTHER: gold-extra2" in text and "TUNE: gold" in text


def test_cli_groups(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args, outs = _split_sets(tmp_path)
    path = write_jsonl(tmp_path / "documents.jsonl", *outs)
    assert main([str(path), *args, "--summary"]) == 0
    text = capsys.readouterr().out
    assert text.count("TUNE: gold, gold-extra, fullplans/gold") == 1
    assert "CHECK: gold-extra2" in text
    assert main([str(path), *args]) == 0   # with the misses: the table before and after them
    assert capsys.readouterr().out.count("CHECK: gold-extra2") == 2
    assert main([str(path), f"check={tmp_path / 'nowhere'}"]) == 2
    assert "nowhere" in capsys.readouterr().err


def test_evaluate_reads_jsonl_file(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "documents.jsonl", out_doc("a", [out_target()]))
    report = evaluate(path, [write_gold(tmp_path / "gold", gold_doc("a", [gold_target()]))])
    assert scores(report.combined.targets("strict")) == (1.0, 1.0, 1.0, 1, 0, 0)


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------

def test_cli_main_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold_dir = write_gold(tmp_path / "gold", gold_doc("a", [gold_target(), gold_target(value=70)]))
    path = write_jsonl(tmp_path / "documents.jsonl", out_doc("a", [out_target()]))

    assert main([str(path), str(gold_dir)]) == 0
    out = capsys.readouterr().out
    assert "targets strict  P=1.000 R=0.500 F1=0.667 (tp=1 fp=0 fn=1)" in out
    assert "target miss" in out

    assert main(["eval", str(path), str(gold_dir), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["sets"][0]["targets"]["strict"] == {
        "precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3),
        "tp": 1, "fp": 0, "fn": 1}
    assert data["sets"][0]["fields"]["accuracy"] == 1.0

    assert main([str(path), str(gold_dir), "--summary"]) == 0
    assert "target miss" not in capsys.readouterr().out


def test_cli_missing_gold_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_jsonl(tmp_path / "documents.jsonl", out_doc("a"))
    assert main([str(path), str(tmp_path / "nope")]) == 2
    assert "gold directory not found" in capsys.readouterr().err


# --------------------------------------------------------------------------
# Round trip on the real gold files
# --------------------------------------------------------------------------

def gold_as_output(gold: dict[str, Any]) -> dict[str, Any]:
    """Turn a gold file into an output-shaped record (signer object, dummy evidence)."""
    rec = {k: v for k, v in gold.items()
           if k not in ("signer_name", "signer_title", "notes", "targets", "references")}
    name, title = gold.get("signer_name"), gold.get("signer_title")
    rec["signer"] = None if name is None and title is None else {"name": name, "title": title}
    rec.update(source=f"corpus/{gold['doc_id']}.txt", sha256="0" * 64, title=None, warnings=[])
    rec["targets"] = []
    for t in gold["targets"]:
        t = dict(t)
        quote = t.pop("quote", "") or ""
        t["evidence"] = {"text": quote, "start": 0, "end": len(quote)}
        rec["targets"].append(t)
    rec["references"] = [{**r, "evidence": {"text": "", "start": 0, "end": 0}}
                         for r in gold["references"]]
    return rec


def test_gold_against_itself_scores_perfect(tmp_path: Path) -> None:
    gold_dirs = [d for d in (SHARED / "gold", SHARED / "gold-extra") if d.is_dir()]
    if not (SHARED / "gold").is_dir():
        pytest.skip("/work/shared/gold is absent")
    records = [gold_as_output(json.loads(p.read_text(encoding="utf-8")))
               for d in gold_dirs for p in sorted(d.glob("*.json"))]
    assert records, "no gold files found"
    path = write_jsonl(tmp_path / "documents.jsonl", *records)
    report = evaluate(path, gold_dirs)
    s = report.combined
    assert s.n_gold == len(records)
    assert s.missing_output == ()
    assert report.output_without_gold == ()
    for view in ("strict", "by-tier", "loose"):
        assert s.targets(view).f1 == 1.0
    assert s.references.f1 == 1.0
    assert s.fields.accuracy == 1.0
    assert all(d.is_perfect for d in report.docs)
