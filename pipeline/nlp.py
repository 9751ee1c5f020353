"""spaCy ``Doc`` over Vietnamese text, with exact character offsets.

Vietnamese is written in syllables separated by spaces; tier phrases such as
``thư viện cấp huyện`` are matched as syllable sequences by a spaCy
``Matcher`` whose token patterns live in ``rules/tiers.yaml``.  The ``Doc``
is built from our own syllable tokenisation so that ``doc.text`` is the input
text exactly and every span's ``start_char``/``end_char`` is an offset into
it.

>>> spans = find_tiers("đạt 40% thư viện phường; trên địa bàn tỉnh")
>>> [(s.text, s.tier) for s in spans]
[('phường', 'commune')]
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import regex

from . import rules

__all__ = ["TierSpan", "make_doc", "find_tiers", "tier_rules"]

_TOKEN = regex.compile(r"[\p{L}\p{M}\p{N}]+|[^\s]", regex.UNICODE)


@dataclass(frozen=True)
class TierSpan:
    start: int
    end: int
    text: str
    tier: str
    area: bool


@functools.lru_cache(maxsize=1)
def _nlp():
    import spacy

    return spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})


def make_doc(text: str):
    """A spaCy ``Doc`` whose ``.text`` is ``text`` (syllable tokens)."""
    from spacy.tokens import Doc

    words: list[str] = []
    spaces: list[bool] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        gap = text[pos:m.start()]
        if gap:
            if words and gap == " " and not spaces[-1]:
                spaces[-1] = True
            else:
                # any other whitespace run is kept as a token of its own
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
    doc = Doc(_nlp().vocab, words=words, spaces=spaces)
    assert doc.text == text, "syllable Doc must reproduce the text exactly"
    return doc


@functools.lru_cache(maxsize=1)
def tier_rules() -> dict[str, dict]:
    return {r["id"]: r for r in rules.load("tiers").rules}


@functools.lru_cache(maxsize=1)
def _matcher():
    from spacy.matcher import Matcher

    m = Matcher(_nlp().vocab)
    for rid, rule in tier_rules().items():
        m.add(rid, rule["tokens"])
    return m


def find_tiers(text: str, doc=None) -> list[TierSpan]:
    """Non-overlapping tier mentions in ``text``, longest match first.

    Matches of the ``not_a_tier`` rule block the tier words inside them and
    are not returned.
    """
    from spacy.util import filter_spans

    if doc is None:
        doc = make_doc(text)
    matches = _matcher()(doc)
    vocab = _nlp().vocab
    spans = [doc[s:e] for _, s, e in matches]
    labels = {(s, e): vocab.strings[mid] for mid, s, e in matches}
    # filter_spans prefers longer spans, then earlier ones
    kept = filter_spans(spans)
    out: list[TierSpan] = []
    rmap = tier_rules()
    for sp in sorted(kept, key=lambda s: s.start):
        rid = labels[(sp.start, sp.end)]
        rule = rmap[rid]
        if rule["tier"] == "none":
            continue
        out.append(TierSpan(sp.start_char, sp.end_char, sp.text, rule["tier"], bool(rule.get("area"))))
    return out
