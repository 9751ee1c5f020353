"""The record store (pipeline/store.py): fingerprint, payload round trip, SQLite rows."""
from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from pipeline import store as store_mod
from pipeline.outputs.tables import OUTPUT_FILES
from pipeline.outputs.write import write_outputs
from pipeline.models import DocError, DocumentRecord, Evidence, FactsReview, Reference, Signer, Target
from pipeline.store import STORE_NAME, Store, fingerprint, from_payload, storable, to_payload

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


def full_record(doc_id: str = "doc", source: str = "docs/doc.txt", sha: str = "ab" * 32) -> DocumentRecord:
    text = "Số: 149/KH-UBND\nPhấn đấu 60% thư viện cấp huyện đến năm 2025; 12,5 - 15% xã.\n"
    rec = DocumentRecord(
        doc_id=doc_id, source=source, sha256=sha, doc_type="plan", number="149/KH-UBND",
        issue_date="2023-03-20", place="Đắk Nông", issuing_body="UBND tỉnh Đắk Nông", parent_body=None,
        admin_level="province", province="Đắk Nông", district=None,
        signer=Signer("Nguyễn Văn A", "Phó Chủ tịch"), title="Kế hoạch thực hiện",
        references=[Reference("decision", "1520/QĐ-TTg", "2021-10-06", "Thủ tướng Chính phủ",
                              Evidence("Quyết định", 0, 10))],
        targets=[Target("library", "lib.service", None, "district", 2025, None, 60.0, None, "percent",
                        False, "at_least", Evidence("60%", 27, 30), value_span=Evidence("60%", 27, 30)),
                 Target("other", "other", "xã", "commune", 2025, 2021, 12.5, 15.0, "percent", True,
                        "at_most", Evidence("12,5 - 15%", 59, 69))],
        warnings=["một cảnh báo"],
    )
    rec.text, rec.format, rec.ocr_confidence = text, "text", 0.93
    rec.extra["pid"] = 4242  # a caller's own value, kept
    return rec


# --------------------------------------------------------------------------
# Payload
# --------------------------------------------------------------------------

def test_payload_round_trip_gives_an_equal_record():
    rec = full_record()
    back = from_payload(to_payload(rec))
    assert back == rec
    assert back.to_json() == rec.to_json()
    assert isinstance(back.targets[0].value, float) and back.targets[0].value == 60.0
    assert back.extra == rec.extra == {"pid": 4242}
    assert (back.text, back.format, back.ocr_confidence) == (rec.text, "text", 0.93)


def test_payload_of_the_previous_version_still_loads():
    """Rows stored before the typed fields kept the text, format, error and
    the facts review in ``extra``: they read back into the typed fields."""
    rec = full_record()
    rec.error = DocError("empty", "a.txt: empty", "Traceback …")
    rec.review = FactsReview("edited", {"number": "12/KH-UBND"})
    rec.builtin = True
    rec.extra.clear()
    record = rec.to_json(with_cells=True)
    old = json.dumps({"record": record, "extra": {
        "text": rec.text, "format": "text", "ocr_confidence": 0.93, "error": "empty",
        "error_message": "a.txt: empty", "traceback": "Traceback …", "builtin": True, "pid": 7,
        "review": {"reviewed": "edited", "original": {"number": "12/KH-UBND"}}}}, ensure_ascii=False)
    back = from_payload(old)
    assert back.extra == {"pid": 7}
    back.extra.clear()
    assert back == rec
    assert from_payload(to_payload(back)) == back


def test_payload_of_an_error_record_and_an_empty_one():
    rec = DocumentRecord("bad", "bad.pdf", "cd" * 32, warnings=["error: bad.pdf: damaged"])
    rec.error = DocError("damaged", "bad.pdf: damaged")
    assert from_payload(to_payload(rec)) == rec
    empty = DocumentRecord("e", "e.txt", "")
    assert from_payload(to_payload(empty)) == empty


def test_payload_drops_what_json_cannot_hold():
    rec = full_record()
    rec.extra["handle"] = object()
    back = from_payload(to_payload(rec))
    assert "handle" not in back.extra and back.text == rec.text


@pytest.fixture(scope="module")
def corpus_records():
    if not CORPUS.is_dir():
        pytest.skip("no corpus/ folder")
    from pipeline.core import extract_file
    return [extract_file(p) for p in sorted(CORPUS.iterdir()) if p.is_file()]


def test_corpus_records_round_trip_to_the_same_output_bytes(corpus_records, tmp_path: Path):
    back = [from_payload(to_payload(r)) for r in corpus_records]
    assert back == corpus_records
    write_outputs(corpus_records, tmp_path / "direct")
    write_outputs(back, tmp_path / "stored")
    for name in OUTPUT_FILES:
        assert (tmp_path / "direct" / name).read_bytes() == (tmp_path / "stored" / name).read_bytes(), name


# --------------------------------------------------------------------------
# Store
# --------------------------------------------------------------------------

def test_store_is_created_only_when_a_row_is_written(tmp_path: Path):
    path = tmp_path / "out" / STORE_NAME
    with Store(path) as s:
        assert s.get("a.txt", "ab", "fp") is None
        assert len(s) == 0 and list(s.sources()) == []
    assert not path.parent.exists()
    with Store(path) as s:
        assert s.put(full_record(source="a.txt"), "fp")
    assert path.is_file()


def test_a_row_matches_only_its_source_bytes_and_fingerprint(tmp_path: Path):
    rec = full_record(source="docs/a.txt", sha="11" * 32)
    with Store(tmp_path / STORE_NAME) as s:
        s.put(rec, "fp1")
        assert s.get("docs/a.txt", "11" * 32, "fp1") == rec
        assert s.get("docs/a.txt", "22" * 32, "fp1") is None    # other bytes
        assert s.get("docs/a.txt", "11" * 32, "fp2") is None    # other rules / code
        assert s.get("other/a.txt", "11" * 32, "fp1") is None   # other file
        assert s.get("docs/a.txt", "", "fp1") is None


def test_rows_persist_and_one_row_is_kept_per_source(tmp_path: Path):
    path = tmp_path / STORE_NAME
    with Store(path) as s:
        s.put(full_record(source="a.txt", sha="11" * 32), "fp1")
        s.put(full_record(source="b.txt", sha="11" * 32), "fp1")
        s.put(full_record(source="a.txt", sha="22" * 32), "fp2")   # a.txt changed: replaces its row
    with Store(path) as s:
        assert len(s) == 2 and list(s.sources()) == ["a.txt", "b.txt"]
        assert s.get("a.txt", "22" * 32, "fp2") is not None
        assert s.get("a.txt", "11" * 32, "fp1") is None


def test_store_uses_wal_and_commits_each_row_at_once(tmp_path: Path):
    path = tmp_path / STORE_NAME
    s = Store(path)
    s.put(full_record(source="a.txt"), "fp")
    # Seen by another connection while the first is still open: committed.
    other = sqlite3.connect(path)
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert other.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 1
    other.close()
    s.close()


def test_a_store_of_another_schema_version_is_emptied(tmp_path: Path):
    path = tmp_path / STORE_NAME
    with Store(path) as s:
        s.put(full_record(source="a.txt"), "fp")
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value='0' WHERE key='schema'")
    db.commit()
    db.close()
    with Store(path) as s:
        assert len(s) == 0


@pytest.mark.parametrize("code, kept", [("internal_error", False), ("worker_crashed", False),
                                        ("unreadable", False), ("empty", True), ("too_large", True),
                                        (None, True)])
def test_which_records_are_stored(code, kept, tmp_path: Path):
    rec = full_record(source="a.txt")
    if code:
        rec.error = DocError(code)
    assert storable(rec) is kept
    with Store(tmp_path / STORE_NAME) as s:
        assert s.put(rec, "fp") is kept
        assert len(s) == int(kept)
    assert not storable(full_record(sha=""))


# --------------------------------------------------------------------------
# Fingerprint
# --------------------------------------------------------------------------

@pytest.fixture
def trees(tmp_path: Path):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "core.py").write_text("x = 1\n")
    (pkg / "sub").mkdir()
    (pkg / "sub" / "mod.py").write_text("y = 2\n")
    return rules, pkg


def fp(rules: Path, pkg: Path, max_bytes: int = 50_000_000) -> str:
    return fingerprint(max_bytes, rules_dir=rules, package_dir=pkg)


def test_fingerprint_is_stable(trees):
    rules, pkg = trees
    assert fp(rules, pkg) == fp(rules, pkg)
    assert len(fp(rules, pkg)) == 64


def test_fingerprint_changes_with_any_rules_file(trees):
    rules, pkg = trees
    before = fp(rules, pkg)
    target = rules / "indicators.yaml"
    original = target.read_bytes()
    target.write_bytes(original + b"\n# a comment is a change too\n")
    assert fp(rules, pkg) != before
    target.write_bytes(original)
    assert fp(rules, pkg) == before
    (rules / "new.yaml").write_text("description: x\nrules: []\n")
    assert fp(rules, pkg) != before
    (rules / "new.yaml").unlink()
    (rules / "places.yaml").rename(rules / "places2.yaml")   # a rename is a change
    assert fp(rules, pkg) != before


def test_fingerprint_changes_with_the_package_source_and_max_bytes(trees):
    rules, pkg = trees
    before = fp(rules, pkg)
    (pkg / "sub" / "mod.py").write_text("y = 3\n")
    changed = fp(rules, pkg)
    assert changed != before
    assert fp(rules, pkg, max_bytes=1000) != changed


def test_fingerprint_ignores_compiled_files(trees):
    rules, pkg = trees
    before = fp(rules, pkg)
    (pkg / "__pycache__").mkdir()
    (pkg / "__pycache__" / "core.cpython-311.pyc").write_bytes(b"\0junk")
    (pkg / "sub" / "mod.pyc").write_bytes(b"\0junk")
    assert fp(rules, pkg) == before


def test_default_fingerprint_reads_the_real_rules_and_package(monkeypatch, trees):
    rules, _ = trees
    from pipeline import rules as rules_mod
    real = fingerprint(50_000_000)
    assert real == fingerprint(50_000_000, rules_dir=rules_mod.RULES_DIR, package_dir=store_mod._PACKAGE_DIR)
    (rules / "dates.yaml").write_bytes((rules / "dates.yaml").read_bytes() + b"\n")
    monkeypatch.setattr(rules_mod, "RULES_DIR", rules)
    assert fingerprint(50_000_000) != real
