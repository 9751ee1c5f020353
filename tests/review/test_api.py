"""The review app's API with Starlette's TestClient, and the corrections in every output."""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402

from pipeline import cli  # noqa: E402
from pipeline.review.app import create_app  # noqa: E402
from pipeline.review.corrections import apply_corrections, correct_record, target_spans  # noqa: E402
from pipeline.store import STORE_NAME, Store  # noqa: E402

from .conftest import MISSED, extract  # noqa: E402

TOKEN = "test-token"


def client(out: Path) -> TestClient:
    return TestClient(create_app(out, who="tester", token=TOKEN))


def post(c: TestClient, path: str, body: dict, token: str = TOKEN):
    return c.post(path, content=json.dumps(body), headers={"X-CSRF-Token": token,
                                                           "Content-Type": "application/json"})


def stored(out: Path):
    with Store(out / STORE_NAME) as st:
        (source, sha, payload), = list(st.payloads())
    from pipeline.store import from_payload
    return from_payload(payload)


def index_of(rec, value: float) -> int:
    return next(i for i, t in enumerate(rec.targets) if t.value == value)


def targets_csv(out: Path) -> list[dict]:
    with (out / "targets.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_pages_list_filter_and_show_the_document(plan_out):
    c = client(plan_out)
    rec = stored(plan_out)
    page = c.get("/")
    assert page.status_code == 200 and rec.doc_id in page.text
    assert f"/doc/{rec.sha256}" in page.text
    assert rec.doc_id not in c.get("/", params={"province": "Atlantis"}).text.split("</form>")[1]
    assert rec.doc_id in c.get("/", params={"reviewed": "no"}).text.split("</form>")[1]
    assert rec.doc_id not in c.get("/", params={"reviewed": "yes"}).text.split("</form>")[1]
    assert rec.doc_id not in c.get("/", params={"status": "failed"}).text.split("</form>")[1]
    doc = c.get(f"/doc/{rec.sha256}")
    assert doc.status_code == 200
    # every extracted value is highlighted in the text, at its own span
    for _start, _end, written in target_spans(rec):
        assert f">{written}</mark>" in doc.text
    assert doc.headers["content-security-policy"].startswith("default-src 'self'")
    assert c.get("/doc/" + "0" * 64).status_code == 404
    assert c.get("/static/review.js").status_code == 200


def test_queue_puts_far_years_and_tiers_first(plan_out):
    rec = stored(plan_out)
    page = client(plan_out).get("/queue").text
    rows = re.findall(r"<tr( class=\"far\")?>\s*<td><a href=\"/doc/", page)
    assert len(rows) == len(rec.targets)
    flags = [bool(r) for r in rows]
    assert flags == sorted(flags, reverse=True)  # every far one before every other


def test_writes_need_the_csrf_token_json_and_a_loopback_host(plan_out):
    c = client(plan_out)
    rec = stored(plan_out)
    body = {"sha256": rec.sha256, "action": "accept", "index": 0}
    assert post(c, "/api/target", body, token="wrong").status_code == 403
    assert c.post("/api/target", data={"sha256": rec.sha256}, headers={"X-CSRF-Token": TOKEN}).status_code == 415
    assert c.get("/api/target").status_code == 405
    evil = TestClient(create_app(plan_out, token=TOKEN), base_url="http://evil.example")
    assert evil.get("/").status_code == 400
    with Store(plan_out / STORE_NAME) as st:
        assert st.corrections() == []
    assert post(c, "/api/target", body).json()["ok"]


@pytest.mark.parametrize("fields, error", [
    ({"indicator": "lib.nothing"}, "indicator"),
    ({"tier": "galaxy"}, "tier"),
    ({"unit": "kg"}, "unit"),
    ({"direction": "sideways"}, "direction"),
    ({"year": "20x5"}, "year"),
    ({"year": 1200}, "year"),
    ({"value": "lots"}, "value"),
    ({"value": 50, "value_max": 10}, "value_max"),
    ({"colour": "red"}, "not fields"),
], ids=lambda x: x if isinstance(x, str) else None)
def test_an_edit_is_validated_against_the_schema_codes(plan_out, fields, error):
    c = client(plan_out)
    rec = stored(plan_out)
    r = post(c, "/api/target", {"sha256": rec.sha256, "action": "edit", "index": 0, "fields": fields})
    assert r.status_code == 422 and r.json()["error"].startswith(error)
    with Store(plan_out / STORE_NAME) as st:
        assert st.corrections() == []


def test_bad_spans_and_facts_are_refused(plan_out):
    c = client(plan_out)
    rec = stored(plan_out)
    add = {"sha256": rec.sha256, "start": 10, "end": 5, "fields": {}}
    assert post(c, "/api/add", add).status_code == 422
    assert post(c, "/api/target", {"sha256": rec.sha256, "action": "accept", "index": 99}).status_code == 422
    assert post(c, "/api/fact", {"sha256": rec.sha256, "name": "admin_level", "value": "galactic"}).status_code == 422
    assert post(c, "/api/fact", {"sha256": rec.sha256, "name": "issue_date", "value": "5/3/2024"}).status_code == 422
    assert post(c, "/api/fact", {"sha256": rec.sha256, "name": "colour", "value": "x"}).status_code == 422
    assert post(c, "/api/target", {"sha256": "nothex", "action": "accept", "index": 0}).status_code == 422


def _correct_everything(c: TestClient, rec) -> dict[str, int]:
    """Edit the 70%, reject the 90%, accept the count, add the missed one, correct a fact."""
    text = rec.text
    i70, i90, i4 = index_of(rec, 70), index_of(rec, 90), index_of(rec, 4)
    ids = {}
    r = post(c, "/api/target", {"sha256": rec.sha256, "action": "edit", "index": i70,
                                "fields": {"value": "75", "year": 2029}})
    assert r.status_code == 200, r.text
    ids["edit"] = r.json()["id"]
    ids["reject"] = post(c, "/api/target", {"sha256": rec.sha256, "action": "reject", "index": i90}).json()["id"]
    ids["accept"] = post(c, "/api/target", {"sha256": rec.sha256, "action": "accept", "index": i4}).json()["id"]
    start = text.index(MISSED)
    r = post(c, "/api/add", {"sha256": rec.sha256, "start": start, "end": start + len(MISSED),
                             "fields": {"indicator": "culture.clubs", "tier": "district", "year": "2030",
                                        "value": "3", "unit": "count", "subject": "câu lạc bộ đọc sách"}})
    assert r.status_code == 200, r.text
    ids["add"] = r.json()["id"]
    ids["fact"] = post(c, "/api/fact", {"sha256": rec.sha256, "name": "signer_title",
                                        "value": "Phó Chủ tịch Ủy ban nhân dân tỉnh"}).json()["id"]
    return ids


def test_corrections_reach_every_output_and_survive_a_rerun(plan_out, tmp_path):
    rec = stored(plan_out)
    before = targets_csv(plan_out)
    c = client(plan_out)
    _correct_everything(c, rec)
    page = c.get(f"/doc/{rec.sha256}").text
    for status in ("edited", "rejected", "accepted", "added"):
        assert f"st-{status}" in page

    # a rerun reuses the stored record and applies the corrections
    assert extract(tmp_path / "in", plan_out) == 0
    rows = targets_csv(plan_out)
    values = sorted(float(r["value"]) for r in rows)
    assert values == sorted([75.0, 50.0, 4.0, 3.0])
    assert len(before) == 4 and 90.0 in [float(r["value"]) for r in before]
    edited = next(r for r in rows if float(r["value"]) == 75)
    assert edited["year"] == "2029"
    added = next(r for r in rows if r["indicator"] == "culture.clubs")
    assert MISSED in added["evidence_text"]
    text = rec.text
    assert text[int(added["evidence_start"]):int(added["evidence_end"])] == added["evidence_text"]
    assert added["evidence_text"].startswith("Mỗi huyện")  # the list item, without its dash

    (line,) = (plan_out / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    doc = json.loads(line)
    by_value = {t["value"]: t for t in doc["targets"]}
    assert by_value[75]["reviewed"] == "edited" and by_value[75]["original"]["value"] == 70
    assert by_value[75]["original"]["year"] == 2030 and "reviewed" not in by_value[75]["original"]
    assert by_value[4]["reviewed"] == "accepted" and "original" not in by_value[4]
    assert by_value[3]["reviewed"] == "added"
    assert "reviewed" not in by_value[50]
    assert doc["signer"]["title"] == "Phó Chủ tịch Ủy ban nhân dân tỉnh"
    assert doc["reviewed"] == "edited" and doc["original"]["signer"]["title"] == "Phó Chủ tịch"
    for t in doc["targets"]:
        assert text[t["evidence"]["start"]:t["evidence"]["end"]] == t["evidence"]["text"]

    import pandas as pd
    assert sorted(pd.read_parquet(plan_out / "targets.parquet")["value"]) == [3.0, 4.0, 50.0, 75.0]
    assert "75" in (plan_out / "report.html").read_text(encoding="utf-8")

    # --force extracts again: still corrected
    assert cli.main(["extract", str(tmp_path / "in"), "--out", str(plan_out), "--quiet", "--force"]) == 0
    assert sorted(float(r["value"]) for r in targets_csv(plan_out)) == [3.0, 4.0, 50.0, 75.0]


def test_compare_reads_the_store(plan_out, capsys):
    rec = stored(plan_out)
    c = client(plan_out)
    comparison_before = (plan_out / "comparison.csv").read_text(encoding="utf-8-sig")
    post(c, "/api/target", {"sha256": rec.sha256, "action": "edit", "index": index_of(rec, 50),
                            "fields": {"value": 55}})
    # documents.jsonl still holds the extraction; compare applies the store's corrections
    assert cli.main(["compare", str(plan_out)]) == 0
    assert "corrections 1 applied to 1 document, 0 unmatched" in capsys.readouterr().out
    comparison = (plan_out / "comparison.csv").read_text(encoding="utf-8-sig")
    assert comparison != comparison_before and "55" in comparison
    with (plan_out / "differences.csv").open(encoding="utf-8-sig") as fh:
        assert "55" in fh.read()
    # and again from a documents.jsonl that already holds the correction: applied once
    from pipeline.outputs.records import read_documents_jsonl
    assert cli.main(["extract", str(plan_out.parent / "in"), "--out", str(plan_out), "--quiet"]) == 0
    again = apply_corrections(read_documents_jsonl(plan_out / "documents.jsonl"), plan_out / STORE_NAME)
    assert [t.value for t in again[0].targets].count(55) == 1 and 50 not in [t.value for t in again[0].targets]


def test_undo_takes_a_correction_back(plan_out):
    rec = stored(plan_out)
    c = client(plan_out)
    cid = post(c, "/api/target", {"sha256": rec.sha256, "action": "reject", "index": 0}).json()["id"]
    assert len(apply_corrections([rec], plan_out / STORE_NAME)[0].targets) == len(rec.targets) - 1
    assert post(c, "/api/undo", {"sha256": rec.sha256, "id": cid}).json()["ok"]
    back = apply_corrections([rec], plan_out / STORE_NAME)
    assert back[0].targets == rec.targets and back.applied == 0
    assert post(c, "/api/undo", {"sha256": rec.sha256, "id": 9999}).status_code == 422


def test_a_correction_that_matches_nothing_is_listed_not_dropped(plan_out):
    rec = stored(plan_out)
    c = client(plan_out)
    post(c, "/api/target", {"sha256": rec.sha256, "action": "accept", "index": index_of(rec, 4)})
    # the same file as a rules change would read it: the count is no longer extracted
    import dataclasses
    changed = dataclasses.replace(rec, targets=[t for t in rec.targets if t.value != 4])
    with Store(plan_out / STORE_NAME) as st:
        rows = st.corrections(rec.sha256)
    new, applied, unmatched, _ = correct_record(changed, rows)
    assert applied == 0 and len(unmatched) == 1 and unmatched[0].span_text == "04"
    assert any("matches no extracted value" in w for w in new.warnings)
    with Store(plan_out / STORE_NAME) as st:  # the store now holds the record the new rules made
        st.put(changed, "another fingerprint")
        result = apply_corrections([changed], st)
    assert len(result.unmatched) == 1 and result.summary_lines()[0].endswith("1 unmatched")
    assert "'04'" in result.summary_lines()[1]
    page = client(plan_out).get(f"/doc/{rec.sha256}").text
    assert 'id="unmatched"' in page and "<q>04</q>" in page


def test_without_corrections_the_records_are_returned_untouched(plan_out):
    rec = stored(plan_out)
    out = apply_corrections([rec], plan_out / STORE_NAME)
    assert out[0] is rec and out.summary_lines() == []
    assert apply_corrections([rec], plan_out / "missing.sqlite")[0] is rec
    assert apply_corrections([rec], None)[0] is rec


def test_export_gold_is_scored_by_chitieu_eval(plan_out, tmp_path, capsys):
    rec = stored(plan_out)
    c = client(plan_out)
    _correct_everything(c, rec)
    assert post(c, "/api/status", {"sha256": rec.sha256, "reviewed": True}).json()["ok"]
    assert rec.doc_id in c.get("/", params={"reviewed": "yes"}).text.split("</form>")[1]
    gold = tmp_path / "gold"
    assert cli.main(["review", str(plan_out), "--export-gold", str(gold)]) == 0
    data = json.loads((gold / f"{rec.doc_id}.json").read_text(encoding="utf-8"))
    assert sorted(t["value"] for t in data["targets"]) == [3, 4, 50, 75]
    assert data["signer_title"] == "Phó Chủ tịch Ủy ban nhân dân tỉnh"
    assert set(data) >= {"doc_id", "doc_type", "number", "issue_date", "province", "references", "targets"}
    capsys.readouterr()
    # the raw extraction against the analyst's gold: not perfect ...
    assert cli.main(["eval", str(plan_out / "documents.jsonl"), str(gold), "--json"]) == 0
    raw = json.loads(capsys.readouterr().out)
    # ... the corrected outputs: perfect
    assert extract(tmp_path / "in", plan_out) == 0
    capsys.readouterr()
    assert cli.main(["eval", str(plan_out / "documents.jsonl"), str(gold), "--json"]) == 0
    fixed = json.loads(capsys.readouterr().out)
    assert json.dumps(raw) != json.dumps(fixed)
    assert '"f1": 1.0' in json.dumps(fixed)


def test_review_without_a_store_is_a_usage_error(tmp_path, capsys):
    assert cli.main(["review", str(tmp_path)]) == 2
    assert "chitieu.sqlite: no such file" in capsys.readouterr().err


def test_a_new_indicator_brings_its_sector(plan_out):
    rec = stored(plan_out)
    c = client(plan_out)
    post(c, "/api/target", {"sha256": rec.sha256, "action": "edit", "index": index_of(rec, 50),
                            "fields": {"indicator": "culture.clubs"}})
    (t,) = [t for t in apply_corrections([rec], plan_out / STORE_NAME)[0].targets if t.reviewed]
    assert (t.indicator, t.sector, t.original.sector) == ("culture.clubs", "culture", "library")


def test_corrections_of_files_not_in_the_run_are_counted(plan_out):
    import dataclasses

    rec = stored(plan_out)
    post(client(plan_out), "/api/target", {"sha256": rec.sha256, "action": "reject", "index": 0})
    other = dataclasses.replace(rec, sha256="f" * 64)  # the file was edited since: other bytes
    result = apply_corrections([other], plan_out / STORE_NAME)
    assert result[0] is other and result.elsewhere == 1
    assert "1 of files not in this run" in result.summary_lines()[0]
