"""Real files as offices issued them (``../shared/realfiles``): every fact of
``facts.json`` and every target bound, one test per file x field, so the
count of facts that hold is visible.  A fact the readers cannot get yet is
``xfail(strict=True)`` with the reason; fixing it flips the test to a failure
that says "XPASS(strict)", and the mark is then removed.

Skips when ``../shared`` is absent (or set ``CHITIEU_SHARED``).  Tests never
time: ``bench/realfiles_bench.py`` does.
"""
from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CHITIEU_SHARED", ROOT.parent / "shared"))
REAL = SHARED / "realfiles"
FACTS_FILE = REAL / "facts.json"

FIELDS = ("doc_type", "number", "issue_date", "issuing_body", "parent_body", "province", "signer_name")

#: (file, field) -> why it does not hold yet.
KNOWN: dict[tuple[str, str], str] = {
    ('tcvn3_btc_qd12_2001.doc', 'issuing_body'):
        'TCVN3 .doc header not recognised as a body',
    ('tcvn3_btc_qd12_2001.doc', 'signer_name'):
        'TCVN3 .doc signature block not found',
    ('tcvn3_btc_qd12_2001.doc', 'targets'):
        "numbers in a decision's articles read as targets",
    ('tcvn3_cp_nd28_2003.doc', 'number'):
        'loose number line `Số: 28 /2003/NĐ-CP`',
    ('tcvn3_cp_nd28_2003.doc', 'issuing_body'):
        'TCVN3 .doc header not recognised as a body',
    ('tcvn3_cp_nd28_2003.doc', 'signer_name'):
        'TCVN3 .doc signature block not found',
    ('tcvn3_mpi_kehoach2005.pdf', 'number'):
        "a cited resolution taken as the report's own number",
    ('tcvn3_mpi_kehoach2005.pdf', 'doc_type'):
        'a report (Báo cáo) typed as news',
    ('vni_binhphuoc_qd991_2008.doc', 'issue_date'):
        'loose date line',
    ('scan_dct_kh753_2026.pdf', 'issuing_body'):
        'OCR header columns glued with the national motto',
    ('scan_dct_kh753_2026.pdf', 'parent_body'):
        'a ministry above a university not taken as parent body',
    ('scan_cucthue_ct2191_2026.pdf', 'issuing_body'):
        'OCR drops the diacritic (Thue)',
    ('scan_cucthue_ct2191_2026.pdf', 'targets'):
        'a number in an official letter read as a target',
    ('word_cp_nd45_2026.pdf', 'signer_name'):
        'signature column interleaved with Nơi nhận',
    ('scan_qngai_ct07_2018.pdf', 'issuing_body'):
        'OCR header glued with the document-kind line',
    ('scan_qngai_ct07_2018.pdf', 'doc_type'):
        'OCR-garbled document-kind line (Chỉ thị)',
    ('word_qngai_tb11_2025.pdf', 'number'):
        'number stamped in a signature-field appearance',
    ('word_qngai_tb11_2025.pdf', 'issue_date'):
        'day stamped in a signature-field appearance',
    ('word_qngai_tb11_2025.pdf', 'signer_name'):
        'signature column interleaved with Nơi nhận',
    ('scan_qngai_tb46_2025.pdf', 'issuing_body'):
        'OCR header: province line lost',
    ('vbpl_ttg_qd42_2025.html', 'number'):
        'legal-database page chrome hides the header',
    ('vbpl_ttg_qd42_2025.html', 'issue_date'):
        'legal-database page chrome hides the header',
    ('vbpl_ttg_qd42_2025.html', 'targets'):
        'tiered-criteria tables (issue 8 item 8, target reader) not read',
    ('docx_cp_nd30_phuluc3.docx', 'doc_type'):
        'an appendix (Phụ lục) typed as news',
}


def _facts() -> dict:
    if not FACTS_FILE.is_file():
        return {}
    return json.loads(FACTS_FILE.read_text(encoding="utf-8"))


FACTS = _facts()


def _cases():
    for name, facts in FACTS.items():
        for field in FIELDS:
            if field in facts:
                yield name, field
        if "min_targets" in facts or "max_targets" in facts:
            yield name, "targets"


def _params():
    out = []
    for name, field in _cases():
        marks = []
        if (name, field) in KNOWN:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN[(name, field)]))
        out.append(pytest.param(name, field, marks=marks, id=f"{name}-{field}"))
    return out


_records: dict[str, object] = {}


def _record(name: str):
    if name not in _records:
        from pipeline.core import extract_file
        _records[name] = extract_file(REAL / name)
    return _records[name]


def _fold(s):
    return None if s is None else unicodedata.normalize("NFC", s).casefold()


pytestmark = pytest.mark.skipif(not FACTS, reason=f"{FACTS_FILE} is absent")


@pytest.mark.parametrize("name,field", _params())
def test_fact(name: str, field: str):
    facts = FACTS[name]
    rec = _record(name)
    assert "error" not in rec.extra, rec.warnings
    if field == "targets":
        n = len(rec.targets)
        lo, hi = facts.get("min_targets", 0), facts.get("max_targets")
        assert n >= lo and (hi is None or n <= hi), f"{n} targets, want [{lo}, {hi}]"
        return
    if field == "signer_name":
        got = rec.signer.name if rec.signer is not None else None
    else:
        got = getattr(rec, field)
    assert _fold(got) == _fold(facts[field]), f"{field}: got {got!r}, want {facts[field]!r}"


def test_every_file_loads():
    from pipeline.core import extract_file
    for name in FACTS:
        rec = _record(name)
        assert "error" not in rec.extra, (name, rec.warnings)
        text = rec.extra["text"]
        for item in list(rec.targets) + list(rec.references):
            assert text[item.evidence.start:item.evidence.end] == item.evidence.text
    assert extract_file  # imported for the records
