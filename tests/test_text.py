from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from pipeline.segment import segment
from pipeline.text import prepare


@pytest.mark.parametrize("raw,norm", [
    ("văn hoá", "văn hóa"), ("Uỷ ban", "Ủy ban"), ("thuỷ", "thủy"), ("quý", "quý"),
    ("khoẻ", "khỏe"), ("hoàn", "hoàn"), ("a\u00a0b", "a b"), ("Ho\u0301a", "Hóa"),
    ("x\\r\\ny", "x\ny"), ("C:\\report", "C:\\report"), ("a\r\nb", "a\nb"),
])
def test_normalisation(raw, norm):
    assert prepare(raw).norm == norm


@pytest.mark.parametrize("raw,joined", [
    ("phấn đấu đến năm 2025: 80%\nhọc sinh, sinh viên", True),
    ("định hướng đến năm\n2030", True),
    ("ỦY\nBAN NHÂN DÂN", True),
    ("trung tâm văn\n\nhóa và gắn kết", True),
    ("a) Đối với thư viện\n- Năm 2025: đạt 80%.", False),
    ("đạt 80%.\nNăm 2030", False),
    ("I. MỤC TIÊU\n1. Mục tiêu chung", False),
])
def test_wrap_rejoining(raw, joined):
    flow = prepare(raw).flow
    assert ("\n" not in flow) is joined
    assert len(flow) == len(prepare(raw).norm)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aăâeêoôơuưyđ àáảãạ\u0301\u0303\n\r\t\u00a0\\%-/0123456789:;.,()“”Năm")), max_size=300))
def test_offsets_map_back(raw):
    p = prepare(raw)
    assert len(p.flow) == len(p.norm)
    a, b = p.to_raw(0, len(p.norm))
    assert 0 <= a <= b <= len(raw)
    for i in range(len(p.norm)):
        s, e = p.to_raw(i, i + 1)
        assert 0 <= s < e <= len(raw)
    segment(p.flow, with_sentences=False)


def test_heading_path():
    seg = segment(prepare("I. MỤC TIÊU\n2. Mục tiêu cụ thể đến năm 2030\na) Thư viện\n- Năm 2025: đạt 80%.").flow)
    assert seg.heading_path(3) == ["I. MỤC TIÊU", "2. Mục tiêu cụ thể đến năm 2030", "a) Thư viện"]


@pytest.mark.parametrize("raw,joined", [
    ("Bình\nDương, ngày 14 tháng 9 năm 2021", True),
    ("Căn cứ Luật\nTổ chức chính quyền địa phương", True),
    ("về việc phê duyệt chương trình thư viện số\nTHỦ TƯỚNG CHÍNH PHỦ", False),
    ("Minh Châu\n\n\nCác bài mới đăng", False),
])
def test_wrap_rejoining_names_and_headers(raw, joined):
    assert ("\n" not in prepare(raw).flow) is joined


def test_year_in_brackets_is_not_a_list_number():
    assert "\n" not in prepare("cấp huyện đạt 50% (năm\n2025) và đạt 70% (năm 2030)").flow


# ---------------------------------------------------------------------------
# The fast path of prepare() against its specification, _prepare_reference()

import bisect  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import regex  # noqa: E402

from pipeline import text as text_mod  # noqa: E402

_ROOT = Path(__file__).resolve().parents[1]
_TEXT_DIRS = [_ROOT / "corpus", _ROOT.parent / "shared" / "corpus-extra", _ROOT.parent / "shared" / "corpus-extra2"]


def _corpus_texts() -> list[str]:
    out = []
    for d in _TEXT_DIRS:
        for p in sorted(d.glob("*.txt")) if d.is_dir() else []:
            out.append(p.read_text(encoding="utf-8"))
    return out


def _same_as_reference(raw: str) -> None:
    p = prepare(raw)
    norm, starts, ends = text_mod._prepare_reference(raw)
    assert p.norm == norm
    assert p._map.starts() == starts
    assert p._map.ends() == ends
    assert p.flow == text_mod._unwrap(norm)
    for pos in range(len(raw) + 2):
        assert p.from_raw(pos) == bisect.bisect_left(starts, pos), pos


def test_fast_path_equals_reference_on_the_corpus():
    texts = _corpus_texts()
    assert texts, "corpus/ holds the project's own texts"
    for raw in texts:
        _same_as_reference(raw)


# Characters that exercise every branch: odd spaces, dropped characters, CRLF
# and literal escapes, composed and decomposed Vietnamese, combining marks
# after a space or a line break, joiners, emoji with modifiers, flags,
# Hangul jamo and syllables, prepended signs, singleton decompositions.
_TRICKY = list("aăâeêoôơuưyđqQOU àáảãạ hoá Uỷ khoẻ") + [
    "\u0300", "\u0301", "\u0303", "\u0309", "\u0323", "\u0302", "\u0306", "\u031b",
    "\n", "\r", "\t", "\u00a0", "\u2009", "\u3000", "\\", "\\n", "\\r\\n",
    "\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad", "\u2126", "\u212b", "\u0340", "\u0344",
    "\U0001F468", "\U0001F3FB", "\U0001F1FB", "\U0001F1F3", "\u1100", "\u1161", "\u11a8", "\uac00",
    "\u0600", "\u0915", "\u093f", "\u0903", "\ufb2c", "\u0958", "%", "1", ".",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_TRICKY), max_size=80).map("".join))
def test_fast_path_equals_reference_on_tricky_text(raw):
    _same_as_reference(raw)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_fast_path_equals_reference_on_any_text(raw):
    _same_as_reference(raw)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_fast_path_equals_reference_on_mutated_corpus_text(data):
    texts = _corpus_texts()
    raw = data.draw(st.sampled_from(texts))
    a = data.draw(st.integers(0, max(0, len(raw) - 1)))
    piece = raw[a:a + 400]
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(piece)))
        what = data.draw(st.sampled_from(_TRICKY) | st.text(max_size=3))
        cut = data.draw(st.integers(0, 2))
        piece = piece[:at] + what + piece[at + cut:]
    _same_as_reference(piece)
    # decomposed (NFD) text takes the slow steps and must come out the same
    import unicodedata
    _same_as_reference(unicodedata.normalize("NFD", piece))


def test_simple_ranges_hold_no_joining_character():
    joins = regex.compile(r"[\p{GCB=Extend}\p{GCB=ZWJ}\p{GCB=SpacingMark}\p{GCB=Prepend}"
                          r"\p{GCB=Regional_Indicator}\p{GCB=L}\p{GCB=V}\p{GCB=T}\p{GCB=LV}\p{GCB=LVT}]")
    bad = [hex(cp) for lo, hi in text_mod.SIMPLE_RANGES for cp in range(lo, hi + 1) if joins.match(chr(cp))]
    assert bad == []


def test_tone_candidates_cover_every_toned_a_e_y():
    import unicodedata
    cands = set(text_mod._toned_aey())
    missing = []
    for cp in range(sys.maxunicode + 1):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        d = unicodedata.normalize("NFD", chr(cp))
        if len(d) > 1 and d[0] in "aeyAEY" and any(m in text_mod._TONES for m in d[1:]) and chr(cp) not in cands:
            missing.append(hex(cp))
    assert missing == []


def test_offset_map_is_small():
    raw = ("Phấn đấu đến năm 2025, 80% thư viện cấp huyện được hiện đại hóa.\n" * 2000)
    p = prepare(raw)
    assert p._map.nbytes() < 200  # one run: no per-character cost
    p2 = prepare(raw.replace("\n", "\r\n"))
    assert p2._map.nbytes() <= 40 * 2000  # a run per folded line break


def test_prepared_texts_of_the_same_text_are_equal():
    raw = "Uỷ ban\r\nnhân dân\u00a0tỉnh"
    assert prepare(raw) == prepare(raw) and hash(prepare(raw)) == hash(prepare(raw))
    assert prepare(raw) != prepare(raw + " ")
