"""Cited documents, as a table of cases in the styles of real documents (other
provinces and numbers than the corpus, ``cases/references.yaml``), then the development corpus against
its gold files, then the evidence contract and robustness."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extractors.metadata import extract_metadata
from pipeline.extractors.references import Place, extract_references
from pipeline.models import Reference
from pipeline.segment import segment
from pipeline.text import prepare

SHARED = Path(__file__).resolve().parents[3] / "shared"

Row = tuple[str, str | None, str | None, str | None]


def _place(prep, seg) -> Place:
    """The document's place, read by the metadata stage as the pipeline does."""
    facts = extract_metadata(prep, seg)
    return Place(facts.province, facts.district)


def refs(text: str, self_number: str | None = None) -> list[Reference]:
    prep = prepare(text)
    seg = segment(prep.flow)
    return extract_references(prep, seg, self_number, _place(prep, seg))


def rows(text: str, self_number: str | None = None) -> list[Row]:
    return [(r.kind, r.number, r.date, r.issuer) for r in refs(text, self_number)]


#: The table of cases (a corpus and a negative corpus, as data): see its header.
CASES_FILE = Path(__file__).parent / "cases" / "references.yaml"
_CASE_KEYS = {"id", "header", "text", "rows"}


def _load_cases() -> tuple[list[Any], list[Any]]:
    data = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
    assert set(data) == {"headers", "cases", "counter_examples"}, sorted(data)
    headers: dict[str, str] = data["headers"]

    def text(case: dict[str, Any]) -> str:
        assert set(case) <= _CASE_KEYS and {"id", "text"} <= set(case), case
        return headers[case["header"]] + case["text"] if "header" in case else case["text"]

    assert all(case.get("rows") for case in data["cases"])
    assert not any("rows" in case for case in data["counter_examples"])
    cases = [pytest.param(text(c), [tuple(r) for r in c["rows"]], id=c["id"]) for c in data["cases"]]
    counter = [pytest.param(text(c), [], id=c["id"]) for c in data["counter_examples"]]
    return cases, counter


CASES, COUNTER_EXAMPLES = _load_cases()


def test_enough_reference_cases() -> None:
    """No case is lost: the counts when the cases moved here from a Python list."""
    assert len(CASES) >= 20 and len(COUNTER_EXAMPLES) >= 1
    assert len({p.id for p in CASES + COUNTER_EXAMPLES}) == len(CASES) + len(COUNTER_EXAMPLES)


@pytest.mark.parametrize("text,expected", CASES + COUNTER_EXAMPLES)
def test_reference_cases(text: str, expected: list[Row]) -> None:
    prep = prepare(text)
    seg = segment(prep.flow)
    self_number = extract_metadata(prep, seg).number or "12/KH-UBND"
    found = extract_references(prep, seg, self_number, _place(prep, seg))
    got = [(r.kind, r.number, r.date, r.issuer) for r in found]
    assert got == expected


def test_self_number_from_caller_is_left_out() -> None:
    text = "Kế hoạch số 20/KH-UBND ngày 5/3/2023 và Quyết định số 9/QĐ-UBND ngày 1/2/2023 của UBND tỉnh Lào Cai."
    assert [r.number for r in refs(text, "20/KH-UBND")] == ["9/QĐ-UBND"]
    assert [r.number for r in refs(text, None)] == ["20/KH-UBND", "9/QĐ-UBND"]


# --------------------------------------------------------------------------
# Evidence is a span of the raw text
# --------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    "Thực hiện Quyết định số 1230/QĐ-TTg ngày 09/12/2022 của Thủ tướng Chính phủ;\r\n",
    "Căn cứ Kế hoạch số 5/KH-UBND ngày 3/1/2023 của Uỷ ban nhân dân tỉnh Hoà Bình;",
    "Căn cứ Quyết định số\n206/QĐ-TTg ngày 11/02/2021 của Thủ\ntướng Chính phủ;",
    "Căn cứ\u00a0Luật Thư viện ngày 21 tháng\n11 năm 2019;",
])
def test_evidence_is_raw_span(raw: str) -> None:
    found = refs(raw)
    assert found
    for r in found:
        assert raw[r.evidence.start:r.evidence.end] == r.evidence.text
        assert r.evidence.text.strip() == r.evidence.text


def _texts() -> list[Path]:
    return sorted((SHARED / "corpus").glob("*.txt")) + sorted((SHARED / "corpus-extra").glob("*.txt"))


@pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="../shared/corpus absent")
def test_evidence_is_raw_span_on_all_texts() -> None:
    for path in _texts():
        raw = path.read_text(encoding="utf-8")
        for r in refs(raw):
            assert raw[r.evidence.start:r.evidence.end] == r.evidence.text, path.name


# --------------------------------------------------------------------------
# Development corpus against gold
# --------------------------------------------------------------------------

def _dev_docs() -> list:
    gold_dir = SHARED / "gold"
    if not gold_dir.is_dir():
        return [pytest.param(None, id="no-gold", marks=pytest.mark.skip(reason="../shared/gold absent"))]
    return [pytest.param(p, id=p.stem) for p in sorted(gold_dir.glob("*.json"))]


@pytest.mark.parametrize("gold_path", _dev_docs())
def test_dev_corpus_references_match_gold(gold_path: Path) -> None:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    text_path = SHARED / "corpus" / f"{gold_path.stem}.txt"
    if not text_path.exists():
        pytest.skip(f"{text_path} absent")
    prep = prepare(text_path.read_text(encoding="utf-8"))
    seg = segment(prep.flow)
    found = extract_references(prep, seg, extract_metadata(prep, seg).number, _place(prep, seg))
    assert Counter((r.kind, r.number, r.date, r.issuer) for r in found) == \
        Counter((g["kind"], g["number"], g["date"], g["issuer"]) for g in gold["references"])


# --------------------------------------------------------------------------
# Robustness
# --------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("Luật Quyết địnhsố0123456789/-.QĐKHTgcủa ngày tháng năm,;\n")),
               max_size=300))
def test_never_raises_on_odd_text(text: str) -> None:
    for r in refs(text):
        assert r.kind in ("decision", "plan", "directive", "law", "resolution", "decree", "circular",
                          "official_letter", "project", "program", "other")


def test_long_repetitive_text_is_read() -> None:
    """A long text of citation-like phrases that never close is read to the end:
    the repeated decision is found once, as a decision, with no date (the only
    date closes a clause 18 000 characters further on), and no citation is made
    of the run of short words.  How fast such texts are read is measured by the
    adversarial series ``citations`` of ``bench/bench.py``, not here."""
    text = ("Luật Thư viện và " * 3000 + "\n" + "Quyết định số 1/QĐ-TTg của " * 2000 + "\n"
            + "Căn cứ Luật " + "a b c " * 3000 + "ngày 1/1/2020")
    found = refs(text)
    decisions = [r for r in found if r.number == "1/QĐ-TTg"]
    assert len(decisions) == 1, found
    assert decisions[0].kind == "decision" and decisions[0].date is None
    for r in found:
        assert text[r.evidence.start:r.evidence.end] == r.evidence.text
        assert "a b c" not in (r.number or "") + (r.issuer or "")
