"""The lazy, block-by-block tier index gives what the Matcher gives on the whole text."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import nlp, rules
from pipeline.segment import segment
from pipeline.spelling import respell
from pipeline.text import prepare

ROOT = Path(__file__).resolve().parents[1]
DIRS = [ROOT / "corpus", ROOT.parent / "shared" / "corpus-extra", ROOT.parent / "shared" / "corpus-extra2",
        ROOT.parent / "shared" / "fullplans" / "files"]


def _texts() -> list[Path]:
    return [p for d in DIRS if d.is_dir() for p in sorted(d.glob("*.txt"))]


@pytest.mark.parametrize("path", _texts(), ids=lambda p: p.name)
def test_block_by_block_equals_whole_text(path):
    flow = prepare(path.read_text(encoding="utf-8")).flow
    seg = segment(flow, with_sentences=False)
    whole = nlp.find_tiers(flow)
    idx = nlp.tier_index(seg)
    assert idx.blocks_matched == 0  # nothing is matched before it is asked for
    for b in seg.blocks[::3]:
        assert idx.between(b.start, b.end) == [t for t in whole if b.start <= t.start and t.end <= b.end]
    assert idx.between(0, len(flow)) == whole
    assert nlp.tier_index(seg) is idx  # kept with the document


def test_stretch_across_blocks_and_memo():
    seg = segment("Cấp tỉnh\n\nđạt 50% cấp huyện\n- xã, phường", with_sentences=False)
    idx = nlp.tier_index(seg)
    assert [t.text for t in idx.between(0, 8)] == ["Cấp tỉnh"]
    assert idx.blocks_matched == 1
    assert [t.tier for t in idx.between(0, len(seg.flow))] == [t.tier for t in nlp.find_tiers(seg.flow)]
    assert idx.blocks_matched == 3
    assert idx.between(3, 8) == []  # a mention only partly inside is not returned


def test_any_stretch_of_a_long_block_gives_the_mentions_wholly_inside_it():
    """between() bisects to a stretch's first mention: for stretches that
    start and end anywhere (inside a mention too), it returns what scanning
    the block's mentions would."""
    import random

    line = "- Đến năm 2030, " + ", ".join(
        f"{40 + i % 50}% {w}" for i, w in enumerate(["thư viện cấp huyện", "xã", "trường học", "cấp tỉnh",
                                                     "thôn, tổ dân phố"] * 40)) + "."
    seg = segment(line, with_sentences=False)
    assert len(seg.blocks) == 1
    idx = nlp.tier_index(seg)
    spans = idx.block(0)
    assert len(spans) > 150
    rng = random.Random(11)
    for _ in range(300):
        a = rng.randrange(len(line))
        b = rng.randrange(a, len(line) + 1)
        assert idx.between(a, b) == [t for t in spans if a <= t.start and t.end <= b], (a, b)


def test_no_tier_pattern_can_match_a_line_break():
    """What makes block-by-block matching exact: each pattern token names its
    words or asks for a letter, so none matches the whitespace token between blocks."""
    for rule in rules.load("tiers").rules:
        for pattern in rule.get("tokens", []):
            for tok in pattern:
                named = {"LOWER", "ORTH", "TEXT", "NORM"} & set(tok)
                alpha = tok.get("IS_ALPHA") is True
                assert named or alpha, (rule["id"], tok)
                for key in named:
                    val = tok[key]
                    if isinstance(val, dict) and "NOT_IN" in val:
                        # "any word but these" only stays inside a block when it asks for letters
                        assert alpha, (rule["id"], tok)
                    words = val.get("IN", []) if isinstance(val, dict) else [val]
                    assert all(w.strip() == w and w for w in words), (rule["id"], tok)


@pytest.mark.parametrize("path", _texts(), ids=lambda p: p.name)
def test_word_check_never_skips_a_text_with_tiers(path):
    flow = prepare(path.read_text(encoding="utf-8")).flow
    for b in segment(flow, with_sentences=False).blocks:
        text = flow[b.start:b.end]
        spelled = respell(text)  # the matcher reads spelling variants respelt (rules/spelling.yaml)
        full = nlp._match(nlp.make_doc(spelled), text)
        if full:
            assert nlp.may_have_tiers(spelled), text
        assert nlp.find_tiers(text) == full


def test_word_check_skips_text_without_tier_words():
    assert not nlp.may_have_tiers("Phấn đấu 100% cán bộ được tập huấn.")
    assert nlp.may_have_tiers("100% thư viện CẤP HUYỆN")
    assert nlp.find_tiers("Phấn đấu 100% cán bộ được tập huấn.") == []


def _same_as_whole_doc(text: str) -> list[nlp.TierSpan]:
    whole = nlp._match(nlp.make_doc(respell(text)), text)
    assert nlp.find_tiers(text) == whole, text
    return whole


def _random_tier_texts(count: int, seed: int) -> list[str]:
    """Dense runs of the tier rules' own words (chains of overlapping matches)."""
    import random

    words = sorted({w for r in rules.load("tiers").rules for p in r.get("tokens", []) for t in p
                    for v in [t.get("LOWER")] for w in ([v] if isinstance(v, str) else
                                                        (v or {}).get("IN", []))})
    words += ["đạt", "100%", "Của", "\n"]
    rng = random.Random(seed)
    return ["".join(rng.choice(words) + rng.choice([" ", " ", ", ", ""]) for _ in range(rng.randint(1, 80)))
            for _ in range(count)]


def test_windows_give_the_whole_texts_spans_on_random_tier_words():
    """find_tiers runs the Matcher only on windows around anchor words: on
    dense runs of the rules' own words it gives the spans of the Matcher on
    the whole text."""
    for text in _random_tier_texts(3000, 11):
        _same_as_whole_doc(text)


@pytest.mark.parametrize("per_doc", [1, 2, 5])
def test_places_matched_a_batch_at_a_time_give_the_same_spans(monkeypatch, per_doc):
    """A word's places are matched _PLACES_PER_DOC at a time (each batch a
    Doc of its own): a match found in two batches counts once, and one whose
    anchor is in one batch is found there."""
    monkeypatch.setattr(nlp, "_PLACES_PER_DOC", per_doc)
    for text in _random_tier_texts(600, 23):
        _same_as_whole_doc(text)
    assert len(_same_as_whole_doc("đạt 50% xã, " * 40)) == 40


@pytest.fixture
def chain_rules(monkeypatch):
    """A tier ``x`` and two not-a-tier patterns that chain: in ``n n n n x``
    the longest match ``n n n n`` (which holds no anchor) removes ``n x``,
    and so frees the tier ``x`` that ``n x`` would have blocked."""
    made = {"x": {"id": "x", "tier": "province", "tokens": [[{"LOWER": "x"}]]},
            "none": {"id": "none", "tier": "none",
                     "tokens": [[{"LOWER": "n"}] * 4, [{"LOWER": "n"}, {"LOWER": "x"}]]}}
    cached = (nlp._matcher, nlp._anchor_reach, nlp._anchor_words, nlp._longest_pattern, nlp._anchor_groups,
              nlp._rule_order)
    for f in cached:
        f.cache_clear()
    monkeypatch.setattr(nlp, "tier_rules", lambda: made)
    yield
    for f in cached:
        f.cache_clear()


@pytest.mark.usefixtures("chain_rules")
def test_chains_of_overlapping_matches_resolve_as_on_the_whole_text():
    assert [(t.text, t.start) for t in _same_as_whole_doc("n n n n x")] == [("x", 8)]
    assert _same_as_whole_doc("o n n n n x") != []
    assert _same_as_whole_doc("n n n x") == []   # "n x" blocks it
    import random

    rng = random.Random(5)
    for _ in range(3000):
        _same_as_whole_doc(" ".join(rng.choice("nnxo") for _ in range(rng.randint(1, 40))))


def test_the_vocab_is_the_one_of_a_blank_vietnamese_pipeline():
    """``_vocab`` is made without building ``spacy.blank("vi")``: the same
    language, and the same lexical attributes of every word (what the tier
    patterns read: ``LOWER``, ``ORTH``, ``IS_ALPHA`` …)."""
    import spacy
    from pathlib import Path

    blank = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}}).vocab
    ours = nlp._vocab()
    assert ours.lang == blank.lang == "vi"
    assert ours.lex_attr_getters.keys() == blank.lex_attr_getters.keys()
    text = sorted((Path(__file__).resolve().parent.parent / "corpus").glob("*.txt"))[0].read_text(encoding="utf-8")
    words = sorted(set(nlp._syllables(text[:20000])[0])) + ["Thư", "VIỆN", "10", "mười", "x2", "%"]
    for key, getter in blank.lex_attr_getters.items():
        assert [ours.lex_attr_getters[key](w) for w in words] == [getter(w) for w in words], key


def _syllables_one_by_one(text: str) -> tuple[list[str], list[bool]]:
    """The tokens of ``nlp._syllables`` found one regex match at a time (as
    it was first written), to check the faster split against."""
    words: list[str] = []
    spaces: list[bool] = []
    pos = 0
    for m in nlp._TOKEN.finditer(text):
        gap = text[pos:m.start()]
        if gap:
            if words and gap.startswith(" ") and not spaces[-1]:
                spaces[-1] = True
                gap = gap[1:]
            if gap:
                words.append(gap)
                spaces.append(False)
        words.append(m.group(0))
        spaces.append(False)
        pos = m.end()
    tail = text[pos:]
    if tail:
        if words and tail == " " and not spaces[-1]:
            spaces[-1] = True
        else:
            words.append(tail)
            spaces.append(False)
    return words, spaces


def test_syllables_split_as_one_match_at_a_time():
    import random

    texts = [p.read_text(encoding="utf-8") for p in _texts()[:12]]
    rng = random.Random(3)
    pieces = ["xã", "Huyện", "50%", "2.500", " ", "  ", "\n", " \n", "\t", ",", "-", "(", "…", "\u00a0", "x̣"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    for text in texts:
        words, spaces = nlp._syllables(text)
        assert (words, spaces) == _syllables_one_by_one(text), text
        assert "".join(w + " " if sp else w for w, sp in zip(words, spaces, strict=True)) == text
        starts = nlp._starts(words, spaces)
        assert [text[a:a + len(w)] for a, w in zip(starts[:-1], words, strict=True)] == words and starts[-1] == len(text)
