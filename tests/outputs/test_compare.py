"""The comparison across documents (pipeline/outputs/compare.py), its places and the
``chitieu compare`` command.

Records are built by hand: a national programme, a province's plan and a
district's plan in that province, a plan of a province merged in 2025 (its
name misspelt), a school plan known only by its district, a second national
document reported by the press.  No extractor is needed.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import cli
from pipeline.outputs.columns import (
    UnknownBaseline, document_labels, is_national, national_documents, select_baseline,
)
from pipeline.outputs.compare import (
    ABOVE, BELOW, DIFFERENCE_COLUMNS, NO_BASELINE, NO_BASELINE_VALUE, OTHER_UNIT, SAME,
    SEVERAL_BASELINE_VALUES, build_comparison, compare, differences,
)
from pipeline.outputs.format import format_difference
from pipeline.outputs.frames import to_frames
from pipeline.outputs.records import read_documents_jsonl
from pipeline.outputs.tables import COMPARISON_FILES, OUTPUT_FILES
from pipeline.outputs.write import write_outputs
from pipeline.places import document_place
from pipeline.models import DocError, DocumentRecord, Evidence, Reference, Target

BOM = b"\xef\xbb\xbf"
#: The key columns of the comparison: a row per (sector, indicator, tier, year, group).
KEYS = ["sector", "indicator", "tier", "year", "group"]
#: Position of the first value column (the baseline's).
FIRST = len(KEYS)


def doc(doc_id: str, targets=(), *, province=None, district=None, level=None, number=None,
        issuer=None, doc_type="plan", cites=()) -> DocumentRecord:
    """A record whose text is made of its targets' sentences, so evidence offsets hold.

    ``targets``: (indicator, tier, year, value[, value_max[, direction[, unit]]]).
    """
    sentences, made = [], []
    pos = 0
    for spec in targets:
        indicator, tier, year, value, *rest = spec
        value_max = rest[0] if len(rest) > 0 else None
        direction = rest[1] if len(rest) > 1 else "at_least"
        unit = rest[2] if len(rest) > 2 else "percent"
        shown = f"{value}" + (f" - {value_max}" if value_max is not None else "")
        sentence = f"Đến năm {year}: {shown}% thư viện ({indicator}, {tier}) ở {doc_id}."
        made.append(Target(indicator.split(".")[0].replace("lib", "library"), indicator, "thư viện", tier,
                           year, None, float(value), None if value_max is None else float(value_max),
                           unit, False, direction, Evidence(sentence, pos, pos + len(sentence))))
        sentences.append(sentence)
        pos += len(sentence) + 1
    text = "\n".join(sentences)
    refs = []
    for number_cited in cites:
        sentence = f"Căn cứ Quyết định số {number_cited};"
        refs.append(Reference("decision", number_cited, None, "Thủ tướng Chính phủ",
                              Evidence(sentence, len(text) + 1, len(text) + 1 + len(sentence))))
        text += "\n" + sentence
    rec = DocumentRecord(doc_id=doc_id, source=f"corpus/{doc_id}.txt", sha256="0" * 64, doc_type=doc_type,
                         number=number, issuing_body=issuer, admin_level=level, province=province,
                         district=district, references=refs, targets=list(made))
    rec.text, rec.format = text, "text"
    return rec


def national() -> DocumentRecord:
    return doc("n_1520", [("lib.service", "province", 2025, 100), ("lib.service", "district", 2025, 70),
                          ("lib.service", "commune", 2025, 40),
                          ("lib.users_growth", "all", 2030, 10, None, "at_least", "percent_per_year")],
               level="central", number="1520/QĐ-TTg", issuer="Thủ tướng Chính phủ", doc_type="decision")


def national_news() -> DocumentRecord:
    """A press article reporting a Prime Minister's decision: no level, no issuer read."""
    return doc("n_208_news", [("lib.service", "district", 2025, 50)], number="208/QĐ-TTg", doc_type="news")


def province_plan() -> DocumentRecord:
    return doc("hp_plan", [("lib.service", "district", 2025, 80), ("lib.service", "commune", 2025, 12, 15),
                           ("lib.digital", "district", 2025, 50)],
               province="Hải Phòng", level="province", number="12/KH-UBND",
               issuer="Ủy ban nhân dân thành phố Hải Phòng", cites=["1520/QĐ-TTg"])


def district_plan() -> DocumentRecord:
    return doc("hp_ngoquyen", [("lib.service", "district", 2025, 100), ("lib.service", "commune", 2025, 20),
                               ("lib.digital", "district", 2025, 50)],
               province="Hải Phòng", district="Ngô Quyền", level="district", number="68/KH-UBND",
               issuer="Ủy ban nhân dân quận Ngô Quyền", cites=["1520/QĐ-TTg", "12/KH-UBND"])


def merged_province_plan() -> DocumentRecord:
    # "Đắc Nông": a spelling variant; since 1 July 2025 part of Lâm Đồng
    return doc("dn_plan", [("lib.service", "district", 2025, 70), ("lib.service", "commune", 2025, 5, None, "at_most")],
               province="Đắc Nông", level="province", number="149/KH-UBND", cites=["1520/QĐ-TTg"])


def school_plan() -> DocumentRecord:
    # only the district is known; it is in Hồ Chí Minh
    return doc("nb_school", [("lib.service", "school", 2025, 100)], district="Nhà Bè", level="school",
               number="149/KH-THLQĐ")


def failed() -> DocumentRecord:
    rec = DocumentRecord("zz_broken", "corpus/zz_broken.txt", "", warnings=["error: corpus/zz_broken.txt: empty"])
    rec.error = DocError("empty", "corpus/zz_broken.txt: empty")
    return rec


def batch() -> list[DocumentRecord]:
    return [school_plan(), district_plan(), failed(), merged_province_plan(), national_news(),
            province_plan(), national()]


def nulls_as_none(values) -> list:
    return [None if (not isinstance(v, (list, dict)) and pd.isna(v)) else v for v in values]


def diff_rows(d: pd.DataFrame, doc_id: str) -> dict[tuple, dict]:
    return {(r["indicator"], r["tier"], r["year"], r["value"]): dict(zip(r, nulls_as_none(r.values()), strict=True))
            for r in d.to_dict("records") if r["doc_id"] == doc_id}


# --------------------------------------------------------------------------
# Places: province as issued, province since 1 July 2025
# --------------------------------------------------------------------------

@pytest.mark.parametrize("province, district, expected", [
    pytest.param("Đắk Nông", None, ("Đắk Nông", "Lâm Đồng"), id="merged-into-lam-dong"),
    pytest.param("Đắc Nông", None, ("Đắk Nông", "Lâm Đồng"), id="spelling-variant"),
    pytest.param("Hải Phòng", "Ngô Quyền", ("Hải Phòng", "Hải Phòng"), id="hai-phong"),
    pytest.param("Hải Dương", None, ("Hải Dương", "Hải Phòng"), id="merged-into-hai-phong"),
    pytest.param("TP. HCM", None, ("Hồ Chí Minh", "Hồ Chí Minh"), id="abbreviation"),
    pytest.param(None, "Nhà Bè", ("Hồ Chí Minh", "Hồ Chí Minh"), id="from-district"),
    pytest.param(None, None, (None, None), id="unknown"),
])
def test_document_place(province, district, expected):
    assert document_place(province, district) == expected


def test_province_2025_in_documents_and_targets_tables():
    frames = to_frames(batch())
    docs = frames["documents"].set_index("doc_id")
    cols = list(frames["documents"].columns)
    assert cols.index("province_2025") == cols.index("province") + 1
    assert docs.loc["dn_plan", ["province", "province_2025"]].tolist() == ["Đắk Nông", "Lâm Đồng"]
    assert docs.loc["hp_ngoquyen", ["province", "province_2025", "district"]].tolist() == \
        ["Hải Phòng", "Hải Phòng", "Ngô Quyền"]
    assert docs.loc["nb_school", ["province", "province_2025", "district"]].tolist() == \
        ["Hồ Chí Minh", "Hồ Chí Minh", "Nhà Bè"]
    assert pd.isna(docs.loc["n_1520", "province_2025"])
    targets = frames["targets"]
    assert set(targets.loc[targets["doc_id"] == "dn_plan", "province_2025"]) == {"Lâm Đồng"}
    assert set(targets.loc[targets["doc_id"] == "nb_school", "province_2025"]) == {"Hồ Chí Minh"}


def test_province_2025_in_csv_files_but_not_in_jsonl(tmp_path: Path):
    write_outputs(batch(), tmp_path)
    for name in ("documents.csv", "targets.csv", "differences.csv", "comparison_columns.csv"):
        rows = read_csv(tmp_path / name)
        dn = [r for r in rows if r.get("doc_id") == "dn_plan"]
        assert dn and all(r["province"] == "Đắk Nông" and r["province_2025"] == "Lâm Đồng" for r in dn), name
    for line in tmp_path.joinpath("documents.jsonl").read_text(encoding="utf-8").splitlines():
        obj = json.loads(line)
        assert tuple(obj) == DocumentRecord.SCHEMA_KEYS
        if obj["doc_id"] == "dn_plan":
            assert obj["province"] == "Đắc Nông"  # the record as extracted, untouched


# --------------------------------------------------------------------------
# Baseline selection
# --------------------------------------------------------------------------

def test_auto_baseline_is_the_national_programme():
    result = build_comparison(batch())
    assert result.baseline == "n_1520" and result.baseline_label == "1520/QĐ-TTg"
    assert list(result.table.columns)[FIRST] == "1520/QĐ-TTg"
    assert result.columns.iloc[0][["column", "role"]].tolist() == ["1520/QĐ-TTg", "baseline"]
    assert (result.columns["role"] == "baseline").sum() == 1


def test_national_documents_ranked_by_citations_then_targets():
    frames = to_frames(batch(), comparison=False)
    # both national; the programme the local plans cite comes first
    assert national_documents(frames) == ["n_1520", "n_208_news"]


def test_a_news_article_reporting_a_prime_minister_decision_is_a_baseline():
    recs = [r for r in batch() if r.doc_id != "n_1520"]
    assert build_comparison(recs).baseline == "n_208_news"


@pytest.mark.parametrize("doc, expected", [
    ({"admin_level": "central"}, True),
    ({"issuing_body": "Thủ tướng Chính phủ"}, True),
    ({"issuing_body": "Chính phủ"}, True),
    ({"doc_type": "news", "number": "1520/QĐ-TTg"}, True),
    ({"admin_level": "province", "number": "12/KH-UBND", "issuing_body": "Ủy ban nhân dân tỉnh Đắk Nông"}, False),
    ({}, False),
])
def test_is_national(doc, expected):
    assert is_national(doc) is expected


def test_baseline_override_picks_the_province_plan_for_its_district():
    result = build_comparison(batch(), baseline="hp_plan")
    assert result.baseline == "hp_plan"
    assert list(result.table.columns)[FIRST] == "Hải Phòng · 12/KH-UBND"
    rows = diff_rows(result.differences, "hp_ngoquyen")
    assert rows[("lib.service", "district", 2025, "100")]["difference"] == 20
    assert rows[("lib.service", "commune", 2025, "20")]["difference"] == 8  # against the low end of 12–15
    assert rows[("lib.digital", "district", 2025, "50")]["status"] == SAME
    # the national programme is now one of the compared documents
    assert "n_1520" in set(result.differences["doc_id"])
    assert "hp_plan" not in set(result.differences["doc_id"])


def test_no_national_document_and_no_cited_programme_means_no_baseline():
    uncited = doc("hn_plan", [("lib.service", "district", 2025, 75)], province="Hà Nội", level="province",
                  number="5/KH-UBND", cites=["3/QĐ-UBND"])
    recs = [school_plan(), uncited]
    result = build_comparison(recs)
    assert result.baseline is None and result.baseline_label is None
    assert set(result.columns["role"]) == {"compared"}
    assert set(result.differences["status"]) == {NO_BASELINE}
    assert result.differences["baseline"].isna().all() and result.differences["difference"].isna().all()


def test_baseline_none_asks_for_no_baseline():
    assert build_comparison(batch(), baseline=None).baseline is None


def test_unknown_baseline_is_an_error_naming_the_doc_ids():
    with pytest.raises(UnknownBaseline, match="'nope'.*hp_plan"):
        build_comparison(batch(), baseline="nope")


def test_a_failed_file_is_never_the_auto_baseline():
    rec = failed()
    rec.admin_level = "central"
    frames = to_frames([rec, province_plan()], comparison=False)
    assert select_baseline(frames) is None


def test_baseline_without_targets_still_gets_its_column_and_says_so():
    empty_national = doc("n_empty", [], level="central", number="206/QĐ-TTg")
    result = build_comparison([empty_national, province_plan()])
    assert result.baseline == "n_empty"
    assert list(result.table.columns)[FIRST] == "206/QĐ-TTg"
    assert (result.table["206/QĐ-TTg"] == "").all()
    assert set(result.differences["status"]) == {NO_BASELINE_VALUE}


# --------------------------------------------------------------------------
# Differences
# --------------------------------------------------------------------------

def test_difference_signs_and_statuses():
    d = differences(batch())
    assert list(d.columns) == list(DIFFERENCE_COLUMNS)
    hp = diff_rows(d, "hp_plan")
    above = hp[("lib.service", "district", 2025, "80")]
    assert (above["difference"], above["status"], above["baseline_value"]) == (10, ABOVE, "70")
    rng = hp[("lib.service", "commune", 2025, "12–15")]
    assert (rng["difference"], rng["status"]) == (-28, BELOW)  # a range compares by its low end
    none = hp[("lib.digital", "district", 2025, "50")]
    assert none["status"] == NO_BASELINE_VALUE
    assert none["difference"] is None and none["baseline_value"] is None
    dn = diff_rows(d, "dn_plan")
    assert dn[("lib.service", "district", 2025, "70")]["status"] == SAME
    assert dn[("lib.service", "district", 2025, "70")]["difference"] == 0
    assert dn[("lib.service", "commune", 2025, "≤5")]["difference"] == -35
    assert set(d["baseline"]) == {"1520/QĐ-TTg"}
    assert "n_1520" not in set(d["doc_id"])  # the baseline is not compared with itself


def test_differences_csv_writes_signed_text(tmp_path: Path):
    write_outputs(batch(), tmp_path)
    rows = read_csv(tmp_path / "differences.csv")
    assert list(rows[0]) == list(DIFFERENCE_COLUMNS)
    got = {(r["doc_id"], r["tier"], r["value"]): (r["difference"], r["status"]) for r in rows}
    assert got[("hp_plan", "district", "80")] == ("+10", "above baseline")
    assert got[("hp_plan", "commune", "12–15")] == ("−28", "below baseline")
    assert got[("dn_plan", "district", "70")] == ("0", "same as baseline")
    assert got[("hp_plan", "district", "50")] == ("", "no baseline value")


@pytest.mark.parametrize("x, text", [(10, "+10"), (-20.0, "−20"), (0.0, "0"), (2.5, "+2.5"), (-0.1 - 0.2, "−0.3"),
                                     (None, ""), (float("nan"), "")])
def test_format_difference(x, text):
    assert format_difference(x) == text


def test_several_baseline_values_or_another_unit_give_no_difference():
    base = doc("n", [("lib.service", "district", 2025, 60), ("lib.service", "district", 2025, 70),
                     ("lib.service", "commune", 2025, 40, None, "at_least", "count")], level="central", number="1/QĐ-TTg")
    local = doc("p", [("lib.service", "district", 2025, 80), ("lib.service", "commune", 2025, 50)],
                province="Hà Nội", level="province", number="2/KH-UBND")
    d = diff_rows(differences([base, local]), "p")
    several = d[("lib.service", "district", 2025, "80")]
    assert several["status"] == SEVERAL_BASELINE_VALUES and several["baseline_value"] == "60; 70"
    assert several["difference"] is None
    unit = d[("lib.service", "commune", 2025, "50")]
    assert unit["status"] == OTHER_UNIT and unit["difference"] is None


def test_each_distinct_local_value_is_one_difference_row():
    local = doc("p", [("lib.service", "district", 2025, 80), ("lib.service", "district", 2025, 90),
                      ("lib.service", "district", 2025, 80)], province="Hà Nội", level="province", number="2/KH")
    d = differences([national(), local])
    assert d[["value", "difference"]].values.tolist() == [["80", 10.0], ["90", 20.0]]


# --------------------------------------------------------------------------
# Grouping by province and level
# --------------------------------------------------------------------------

EXPECTED_COLUMNS = [
    "1520/QĐ-TTg",                                      # baseline first
    "208/QĐ-TTg",                                       # other national documents
    "Hải Phòng · 12/KH-UBND",                           # the province's plan ...
    "Hải Phòng · Ngô Quyền (district) · 68/KH-UBND",    # ... then its district's
    "Hồ Chí Minh · Nhà Bè (school) · 149/KH-THLQĐ",
    "Đắk Nông · 149/KH-UBND",                           # with Lâm Đồng, where it is since 2025
]


def test_columns_grouped_by_province_then_level():
    table = compare(batch())
    assert list(table.columns) == KEYS + EXPECTED_COLUMNS


def test_province_plan_and_district_plan_are_distinguishable():
    result = build_comparison(batch())
    info = result.columns.set_index("doc_id")
    assert nulls_as_none(info.loc["hp_plan", ["column", "admin_level", "district"]]) == \
        ["Hải Phòng · 12/KH-UBND", "province", None]
    assert nulls_as_none(info.loc["hp_ngoquyen", ["column", "admin_level", "district"]]) == \
        ["Hải Phòng · Ngô Quyền (district) · 68/KH-UBND", "district", "Ngô Quyền"]
    row = result.table[(result.table["indicator"] == "lib.service") & (result.table["tier"] == "district")].iloc[0]
    assert row["Hải Phòng · 12/KH-UBND"] == "80"
    assert row["Hải Phòng · Ngô Quyền (district) · 68/KH-UBND"] == "100"
    assert row["1520/QĐ-TTg"] == "70"


def test_comparison_columns_table_carries_place_level_and_role():
    info = build_comparison(batch()).columns
    assert info["column"].tolist() == EXPECTED_COLUMNS
    assert info["role"].tolist() == ["baseline"] + ["compared"] * 5
    assert nulls_as_none(info["province_2025"]) == [None, None, "Hải Phòng", "Hải Phòng", "Hồ Chí Minh", "Lâm Đồng"]
    assert info["n_targets"].tolist() == [4, 1, 3, 3, 1, 2]


def test_multiindex_view_province_level_document():
    mi = build_comparison(batch()).multiindex()
    assert mi.columns.names == ["province", "level", "document"]
    assert list(mi.columns)[:FIRST + 1] == [("", "", k) for k in KEYS] + [("national", "central (baseline)", "1520/QĐ-TTg")]
    assert ("Hải Phòng", "province", "Hải Phòng · 12/KH-UBND") in mi.columns
    assert ("Hải Phòng", "district: Ngô Quyền", "Hải Phòng · Ngô Quyền (district) · 68/KH-UBND") in mi.columns
    assert mi["Hải Phòng"].shape[1] == 2


@pytest.mark.parametrize("d, label", [
    ({"doc_id": "x", "province": "Hải Phòng", "district": "Ngô Quyền", "admin_level": "district",
      "number": "68/KH-UBND"}, "Hải Phòng · Ngô Quyền (district) · 68/KH-UBND"),
    ({"doc_id": "x", "province": "Hải Phòng", "district": "Ngô Quyền", "admin_level": "province",
      "number": "12/KH-UBND"}, "Hải Phòng · 12/KH-UBND"),
    ({"doc_id": "x", "province": "Hà Nội", "admin_level": "department", "number": "290/KH-SVHTT"},
     "Hà Nội (department) · 290/KH-SVHTT"),
    ({"doc_id": "x", "province": "Hải Phòng", "district": "Ngô Quyền", "admin_level": "district",
      "number": None}, "Hải Phòng · Ngô Quyền (district) · x"),
    ({"doc_id": "x", "district": "Nhà Bè", "admin_level": "school", "number": "1/KH"}, "Nhà Bè (school) · 1/KH"),
])
def test_labels_show_level_below_the_province(d, label):
    assert document_labels([d]) == {"x": label}


def test_without_baseline_the_order_is_still_grouped():
    table = compare(batch(), baseline=None)
    assert list(table.columns) == KEYS + ["1520/QĐ-TTg"] + EXPECTED_COLUMNS[1:]  # national group first


def test_rows_and_cells_unchanged_by_the_baseline():
    a, b = compare(batch()), compare(batch(), baseline="hp_ngoquyen")
    pd.testing.assert_frame_equal(a[KEYS], b[KEYS])
    for col in EXPECTED_COLUMNS:
        assert a[col].tolist() == b[col].tolist()


# --------------------------------------------------------------------------
# Reading documents.jsonl back, and ``chitieu compare``
# --------------------------------------------------------------------------

def read_csv(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.startswith(BOM), f"{path.name} has no UTF-8 BOM"
    return list(csv.DictReader(io.StringIO(data[len(BOM):].decode("utf-8"), newline="")))


@pytest.fixture
def outputs(tmp_path: Path) -> Path:
    out = tmp_path / "outputs"
    write_outputs(batch(), out)
    return out


def test_read_documents_jsonl_gives_back_the_records(outputs: Path):
    back = read_documents_jsonl(outputs / "documents.jsonl")
    original = {r.doc_id: r for r in batch()}
    assert [r.doc_id for r in back] == sorted(original)
    for rec in back:
        assert rec.to_json() == original[rec.doc_id].to_json()
        assert rec.format == original[rec.doc_id].format
        assert rec.error == original[rec.doc_id].error
    assert next(r for r in back if r.doc_id == "zz_broken").error.message == "corpus/zz_broken.txt: empty"


def test_read_documents_jsonl_without_the_csv_files(tmp_path: Path, outputs: Path):
    lone = tmp_path / "lone"
    lone.mkdir()
    (lone / "documents.jsonl").write_bytes((outputs / "documents.jsonl").read_bytes())
    back = {r.doc_id: r for r in read_documents_jsonl(lone / "documents.jsonl")}
    assert back["zz_broken"].error.code == "error" and back["hp_plan"].error is None
    # the message is read from the warning once, here, for every reader of the record
    assert back["zz_broken"].error.message == "corpus/zz_broken.txt: empty"


def test_read_documents_jsonl_names_a_bad_line(tmp_path: Path, outputs: Path):
    bad = tmp_path / "documents.jsonl"
    bad.write_bytes((outputs / "documents.jsonl").read_bytes() + b'{"doc_id": "x"}\n')
    with pytest.raises(ValueError, match=r"line 8: not a documents.jsonl record"):
        read_documents_jsonl(bad)


def test_cli_compare_rebuilds_the_same_tables_without_extracting(outputs: Path, tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "default_extractor", lambda: pytest.fail("compare must not extract"))
    out = tmp_path / "again"
    assert cli.main(["compare", str(outputs), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(COMPARISON_FILES)
    for name in COMPARISON_FILES:  # the same bytes as the extract run wrote
        assert out.joinpath(name).read_bytes() == outputs.joinpath(name).read_bytes(), name
    printed = capsys.readouterr().out
    assert "baseline    1520/QĐ-TTg  (n_1520)" in printed
    assert "2 above baseline" in printed and "no baseline value" in printed


def test_cli_compare_writes_into_the_output_dir_by_default(outputs: Path):
    before = {n: outputs.joinpath(n).read_bytes() for n in OUTPUT_FILES}
    assert cli.main(["compare", str(outputs), "--baseline", "hp_plan"]) == 0
    rows = read_csv(outputs / "comparison.csv")
    assert list(rows[0])[FIRST] == "Hải Phòng · 12/KH-UBND"
    assert {r["baseline"] for r in read_csv(outputs / "differences.csv")} == {"Hải Phòng · 12/KH-UBND"}
    # only the comparison files change; the extracted tables are left as they were
    for name in set(OUTPUT_FILES) - set(COMPARISON_FILES):
        assert outputs.joinpath(name).read_bytes() == before[name], name
    assert outputs.joinpath("comparison.csv").read_bytes() != before["comparison.csv"]
    assert not [p for p in outputs.iterdir() if p.name.startswith(".")]


def test_cli_compare_unknown_baseline_exits_2_and_writes_nothing(outputs: Path, tmp_path: Path, capsys):
    out = tmp_path / "x"
    assert cli.main(["compare", str(outputs), "--baseline", "nope", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "chitieu compare: error: --baseline: no document with doc_id 'nope'" in err
    assert not out.exists() or not any(out.iterdir())


def test_cli_compare_without_documents_jsonl_exits_2(tmp_path: Path, capsys):
    assert cli.main(["compare", str(tmp_path)]) == 2
    assert "documents.jsonl: no such file" in capsys.readouterr().err


def test_cli_compare_with_a_bad_record_exits_2(tmp_path: Path, capsys):
    (tmp_path / "documents.jsonl").write_text("not json\n", encoding="utf-8")
    assert cli.main(["compare", str(tmp_path)]) == 2
    assert "line 1: not a documents.jsonl record" in capsys.readouterr().err


def test_cli_compare_says_when_there_is_no_baseline(tmp_path: Path, capsys):
    write_outputs([school_plan()], tmp_path)
    assert cli.main(["compare", str(tmp_path)]) == 0
    assert "baseline    none: no national document" in capsys.readouterr().out
    assert {r["status"] for r in read_csv(tmp_path / "differences.csv")} == {"no baseline document"}


def test_cli_compare_says_which_built_in_programme_it_used(tmp_path: Path, capsys):
    write_outputs([province_plan(), district_plan(), school_plan()], tmp_path)
    assert cli.main(["compare", str(tmp_path)]) == 0
    assert "baseline    1520/QĐ-TTg (built in): 2 documents (Hải Phòng · " in capsys.readouterr().out
    rows = read_csv(tmp_path / "differences.csv")
    assert {r["doc_id"]: r["baseline"] for r in rows} == {
        "hp_plan": "1520/QĐ-TTg (built in)", "hp_ngoquyen": "1520/QĐ-TTg (built in)", "nb_school": ""}
    assert cli.main(["compare", str(tmp_path), "--baseline", "1520/QĐ-TTg", "--out", str(tmp_path / "b")]) == 0
    rows = read_csv(tmp_path / "b" / "differences.csv")
    assert {r["baseline"] for r in rows} == {"1520/QĐ-TTg (built in)"}   # the school plan too, as asked


def test_cli_compare_help():
    with pytest.raises(SystemExit) as exc:
        cli.main(["compare", "--help"])
    assert exc.value.code == 0


# --------------------------------------------------------------------------
# Built-in baselines: the national programme a plan cites (rules/baselines/)
# --------------------------------------------------------------------------

BUILT_IN_1520 = "1520/QĐ-TTg (built in)"


def local_batch() -> list[DocumentRecord]:
    """No national document: plans citing 1520/QĐ-TTg, and a school plan citing nothing."""
    return [school_plan(), district_plan(), merged_province_plan(), province_plan()]


def test_without_a_national_document_each_plan_is_compared_with_the_programme_it_cites():
    result = build_comparison(local_batch())
    assert result.baseline is None and result.baseline_label is None
    assert [b.number for b in result.builtins] == ["1520/QĐ-TTg"]
    assert result.baseline_labels == (BUILT_IN_1520,)
    assert list(result.table.columns)[FIRST] == BUILT_IN_1520
    first = result.columns.iloc[0]
    assert (first["column"], first["role"], first["doc_id"], first["number"]) == (
        BUILT_IN_1520, "baseline", "builtin:1520-QD-TTg-2022", "1520/QĐ-TTg")
    assert (result.columns["role"] == "baseline").sum() == 1
    # the built-in programme's own values fill its column
    row = result.table[(result.table["indicator"] == "lib.service") & (result.table["tier"] == "district")
                       & (result.table["year"] == 2025)].iloc[0]
    assert row[BUILT_IN_1520] == "70"

    d = result.differences
    hp = diff_rows(d, "hp_plan")
    assert (hp[("lib.service", "district", 2025, "80")]["difference"],
            hp[("lib.service", "district", 2025, "80")]["baseline"]) == (10, BUILT_IN_1520)
    assert hp[("lib.digital", "district", 2025, "50")]["difference"] == -10   # 1520's 60% for digital services
    school = diff_rows(d, "nb_school")[("lib.service", "school", 2025, "100")]
    assert (school["status"], school["baseline"]) == (NO_BASELINE, None)   # it cites no programme
    assert result.compared_with["Hải Phòng · 12/KH-UBND"] == (BUILT_IN_1520,)
    assert result.describe_baselines().startswith(f"{BUILT_IN_1520}: 3 documents (Hải Phòng · ")


def test_a_national_document_in_the_batch_wins_over_the_built_in_one():
    result = build_comparison(batch())
    assert result.baseline == "n_1520" and not result.builtins
    assert set(result.differences["baseline"]) == {"1520/QĐ-TTg"}


def test_baseline_may_name_a_built_in_programme():
    result = build_comparison(batch(), baseline="1520/QĐ-TTg")   # no doc_id of the batch is that
    assert result.baseline is None and [b.number for b in result.builtins] == ["1520/QĐ-TTg"]
    assert set(result.differences["baseline"]) == {BUILT_IN_1520}
    assert "n_1520" in set(result.differences["doc_id"])       # the batch's copy is compared with it
    nb = diff_rows(result.differences, "nb_school")[("lib.service", "school", 2025, "100")]
    assert (nb["baseline_value"], nb["difference"]) == ("70", 30)
    with pytest.raises(UnknownBaseline, match="built-in programme.*1520/QĐ-TTg"):
        build_comparison(batch(), baseline="7/QĐ-TTg")


def test_a_plan_citing_two_programmes_gets_a_column_for_each_and_the_one_that_sets_the_row():
    plan = doc("qt_plan", [("lib.service", "commune", 2025, 45), ("culture.facilities", "commune", 2030, 90)],
               province="Quảng Trị", level="province", number="9/KH-UBND", cites=["1909/QĐ-TTg", "1520/QĐ-TTg"])
    plan.targets[1] = Target("culture", "culture.facilities", "xã", "commune", 2030, None, 90.0, None, "percent",
                             False, "at_least", plan.targets[1].evidence)
    result = build_comparison([plan])
    assert list(result.table.columns)[FIRST:FIRST + 2] == ["1909/QĐ-TTg (built in)", BUILT_IN_1520]
    rows = diff_rows(result.differences, "qt_plan")
    lib = rows[("lib.service", "commune", 2025, "45")]
    culture = rows[("culture.facilities", "commune", 2030, "90")]
    assert (lib["baseline"], lib["difference"]) == (BUILT_IN_1520, 5)
    assert (culture["baseline"], culture["difference"]) == ("1909/QĐ-TTg (built in)", -10)


def test_a_citation_of_another_year_is_another_decision():
    plan = doc("p", [("lib.service", "district", 2025, 80)], province="Hà Nội", level="province", number="2/KH-UBND")
    plan.references.append(Reference("decision", "1520/QĐ-TTg", "2016-01-01", None, Evidence("", 0, 0)))
    result = build_comparison([plan])
    assert not result.builtins and set(result.differences["status"]) == {NO_BASELINE}


def test_built_in_comparison_in_the_files(tmp_path: Path):
    write_outputs(local_batch(), tmp_path)
    rows = read_csv(tmp_path / "differences.csv")
    assert {r["baseline"] for r in rows if r["doc_id"] != "nb_school"} == {BUILT_IN_1520}
    cols = read_csv(tmp_path / "comparison_columns.csv")
    assert (cols[0]["column"], cols[0]["role"]) == (BUILT_IN_1520, "baseline")
    header = read_csv(tmp_path / "comparison.csv")[0]
    assert list(header)[FIRST] == BUILT_IN_1520
    targets = read_csv(tmp_path / "targets.csv")
    assert not any(r["doc_id"].startswith("builtin:") for r in targets)   # built-ins are not extracted targets
    openpyxl = pytest.importorskip("openpyxl")
    ws = openpyxl.load_workbook(tmp_path / "comparison.xlsx")["So sánh"]   # Vietnamese by default
    assert [c.value for c in ws[4]][FIRST] == "1520/QĐ-TTg (có sẵn)"


def test_extract_baseline_may_name_a_built_in_programme(tmp_path: Path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Kế hoạch\nĐến năm 2025: 80% thư viện cấp huyện.\n", encoding="utf-8")
    assert cli.main(["extract", str(src), "--out", str(tmp_path / "o"), "-q", "--baseline", "1520/QĐ-TTg"]) in (0, 1)
    assert f"compared    with {BUILT_IN_1520}" in capsys.readouterr().out
    assert cli.main(["extract", str(src), "--out", str(tmp_path / "o"), "-q", "--baseline", "7/QĐ-TTg"]) == 2
    assert "no built-in programme" in capsys.readouterr().err


def grouped_plan() -> DocumentRecord:
    """A province's criteria table: one indicator, tier and year, three cells
    that differ only by their group (``Nhóm 1``, ``Nhóm 2``, none)."""
    sentences = ["Nhóm 1: 70% xã có nhà văn hóa.", "Nhóm 2: 50% xã có nhà văn hóa.", "Đến năm 2030: 60% xã có nhà văn hóa."]
    made, pos = [], 0
    for sentence, value, group in zip(sentences, (70.0, 50.0, 60.0), ("Nhóm 1", "Nhóm 2", None), strict=True):
        made.append(Target("culture", "culture.facilities", "xã", "commune", 2030, None, value, None, "percent",
                           False, "at_least", Evidence(sentence, pos, pos + len(sentence)), group=group))
        pos += len(sentence) + 1
    rec = DocumentRecord("ls_plan", "corpus/ls_plan.txt", "0" * 64, doc_type="plan", number="7/QĐ-UBND",
                         admin_level="province", province="Lạng Sơn", targets=made)
    rec.text, rec.format = "\n".join(sentences), "text"
    return rec


def by_group(frame: pd.DataFrame, column: str) -> list[tuple[str | None, str]]:
    """(group or None, the cell of ``column``) of each row, in order."""
    return [(None if pd.isna(g) else g, v) for g, v in zip(frame["group"], frame[column], strict=True)]


def test_a_criteria_group_gets_its_own_comparison_row():
    """Cells of a criteria table that differ only by their group (not a tier)
    are rows of their own, in the comparison and in the differences, never one
    cell with two values; the row without a group comes first."""
    comparison = build_comparison([grouped_plan()], baseline=None)
    table = comparison.table
    assert list(table.columns) == KEYS + ["Lạng Sơn · 7/QĐ-UBND"]
    assert by_group(table, "Lạng Sơn · 7/QĐ-UBND") == [(None, "60"), ("Nhóm 1", "70"), ("Nhóm 2", "50")]
    assert (table["tier"] == "commune").all() and (table["year"] == 2030).all()
    diffs = comparison.differences
    assert by_group(diffs, "value") == [(None, "60"), ("Nhóm 1", "70"), ("Nhóm 2", "50")]


def test_a_group_row_is_compared_with_the_same_group_of_the_baseline():
    """A national table with the same groups is compared group by group; a
    group it does not set has no baseline value (never the ungrouped one)."""
    national_table = grouped_plan()
    national_table.doc_id, national_table.number, national_table.province = "n_table", "9/QĐ-TTg", None
    national_table.admin_level = "central"
    national_table.targets = [replace(t, value=t.value - 5) for t in national_table.targets if t.group != "Nhóm 2"]
    result = build_comparison([national_table, grouped_plan()], baseline="n_table")
    rows = {(None if pd.isna(r["group"]) else r["group"]): r for r in result.differences.to_dict("records")}
    assert (rows["Nhóm 1"]["baseline_value"], rows["Nhóm 1"]["difference"]) == ("65", 5)
    assert (rows[None]["baseline_value"], rows[None]["difference"]) == ("55", 5)
    assert rows["Nhóm 2"]["status"] == NO_BASELINE_VALUE and pd.isna(rows["Nhóm 2"]["baseline_value"])


def test_documents_without_groups_leave_the_group_cells_empty(tmp_path: Path):
    result = build_comparison(batch())
    assert result.table["group"].isna().all() and result.differences["group"].isna().all()
    write_outputs(batch(), tmp_path)
    for name in ("comparison.csv", "differences.csv"):
        rows = read_csv(tmp_path / name)
        assert list(rows[0])[:FIRST] == KEYS, name
        assert {r["group"] for r in rows} == {""}, name


def test_the_group_is_a_column_of_the_files(tmp_path: Path):
    write_outputs([grouped_plan()], tmp_path)
    assert [r["group"] for r in read_csv(tmp_path / "comparison.csv")] == ["", "Nhóm 1", "Nhóm 2"]
    assert [r["group"] for r in read_csv(tmp_path / "differences.csv")] == ["", "Nhóm 1", "Nhóm 2"]
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(tmp_path / "comparison.xlsx")
    for sheet in ("So sánh", "Chênh lệch"):
        ws = book[sheet]
        header = [c.value for c in next(r for r in ws.iter_rows() if "nhóm" in [c.value for c in r])]
        col = header.index("nhóm")
        values = [row[col].value for row in ws.iter_rows(min_row=ws.max_row - 2)]
        assert values == [None, "Nhóm 1", "Nhóm 2"], sheet


_VALUES = st.one_of(st.sampled_from([None, 1, 1.0, -0.0, 0, 12.5, 15, 60.0, 1e16, float("nan"), pd.NA]),
                    st.integers(-5, 5), st.floats(allow_infinity=False))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(_VALUES, _VALUES, st.sampled_from([None, "at_least", "at_most", float("nan")])),
                min_size=1, max_size=10))
def test_a_cell_value_is_written_as_format_value_writes_it(rows):
    """The comparison writes each value once per spelling (1 and 1.0 alike) and
    keeps it: every later row is written as format_value writes it."""
    from pipeline.outputs.compare import _value_text
    from pipeline.outputs.format import format_value

    for value, value_max, direction in rows:
        if value is None or value is pd.NA or value != value:
            continue                       # a target always has a value
        for v_max in (value_max, None, float("nan")):
            for d in (direction, None, "at_most"):
                t = {"value": value, "value_max": v_max, "direction": d}
                assert _value_text(t) == format_value(value, v_max, d)
