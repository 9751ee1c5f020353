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

A reader that asks for the tiers of a few stretches of a long document uses
a :class:`TierIndex` (one per segmented document, :func:`tier_index`): it
runs the same ``Matcher`` only on the blocks asked for, once each.  This
gives the spans ``find_tiers`` gives on the whole text because a block is
one line and no tier pattern matches a line break: every pattern token
names its words (``LOWER``/``ORTH``) or asks for ``IS_ALPHA``
(``tests/test_nlp.py`` checks both on the corpus).

>>> from pipeline.segment import segment
>>> seg = segment("a) Cấp huyện:\\n- Đạt 40% thư viện phường.", with_sentences=False)
>>> [(t.text, t.start) for t in tier_index(seg).between(0, len(seg.flow))]
[('Cấp huyện', 3), ('phường', 33)]
"""
from __future__ import annotations

import bisect
import functools
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from collections.abc import Callable, Sequence

import regex

from .models import Tier

if TYPE_CHECKING:  # spaCy is imported when first used, not with this module
    from spacy.matcher import Matcher
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

__all__ = ["TierSpan", "TierIndex", "make_doc", "find_tiers", "tier_index", "tier_rules", "sent_tokenizer"]

_TOKEN = regex.compile(r"[\p{L}\p{M}\p{N}]+|[^\s]", regex.UNICODE)
_WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+", regex.UNICODE)


@dataclass(frozen=True)
class TierSpan:
    start: int
    end: int
    text: str
    tier: Tier       # rules/tiers.yaml's `tier` (never `none`: not_a_tier yields no span)
    area: bool


@functools.lru_cache(maxsize=1)
def _vocab() -> Vocab:
    """The vocabulary of a blank Vietnamese spaCy pipeline, made as its
    ``Language`` makes it (``create_vocab`` with the language's defaults):
    the ``Matcher`` and our ``Doc``s need nothing else, and building the
    whole blank pipeline (its config resolved, its tokenizer made) cost
    about 0.03 s of every process's start."""
    from spacy.lang.vi import Vietnamese
    from spacy.vocab import create_vocab

    return create_vocab(Vietnamese.lang, Vietnamese.Defaults)


def make_doc(text: str) -> Doc:
    """A spaCy ``Doc`` whose ``.text`` is ``text`` (syllable tokens)."""
    from spacy.tokens import Doc

    words, spaces = _syllables(text)
    return Doc(_vocab(), words=words, spaces=spaces)


def _syllables(text: str) -> tuple[list[str], list[bool]]:
    """The words and spaces of :func:`make_doc`'s ``Doc`` of ``text``."""
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
    # a Doc's text is its words, each followed by a space where spaces[i] says so
    assert "".join(w + " " if sp else w for w, sp in zip(words, spaces, strict=True)) == text, \
        "syllable Doc must reproduce the text exactly"
    return words, spaces


@functools.lru_cache(maxsize=1)
def tier_rules() -> dict[str, dict[str, Any]]:
    from . import rules

    return {r["id"]: r for r in rules.load("tiers").rules}


@functools.lru_cache(maxsize=1)
def _matcher() -> Matcher:
    from spacy.matcher import Matcher

    m = Matcher(_vocab())
    for rid, rule in tier_rules().items():
        m.add(rid, rule["tokens"])
    return m


@functools.lru_cache(maxsize=1)
def _anchor_words() -> regex.Pattern[str] | None:
    """Words one of which a text must hold (lower-cased) for any tier pattern to match.

    For each pattern of a tier (``not_a_tier`` only blocks tiers, so it
    needs none), the words of its first token that must be there (no
    ``OP``, or ``+``) and names them (``LOWER``/``ORTH``/``TEXT``, one word
    or ``IN`` a list).  A token with ``LOWER: w`` matches a piece of the
    text whose lower case is ``w``, so ``w`` is in the text's lower case.
    None when some pattern has no such token: then every text is matched.
    """
    reach = _anchor_reach()
    if reach is None:
        return None
    words = set(reach)
    # a word of letters is a whole token: a maximal run of the token characters
    # (as _TOKEN cuts them); anything else may sit anywhere
    ordered = sorted(words, key=len, reverse=True)
    whole = [regex.escape(w) for w in ordered if _WORD.fullmatch(w)]
    loose = [regex.escape(w) for w in ordered if not _WORD.fullmatch(w)]
    parts = []
    if whole:
        parts.append(r"(?<![\p{L}\p{M}\p{N}])(?:" + "|".join(whole) + r")(?![\p{L}\p{M}\p{N}])")
    parts.extend(loose)
    return regex.compile("|".join(parts))


@functools.lru_cache(maxsize=1)
def _anchor_reach() -> dict[str, tuple[int, int]] | None:
    """The anchor words of :func:`_anchor_words`, each with how many tokens a
    match anchored on it may reach before and after it.

    The anchor of a pattern is its first token that must be there (no ``OP``,
    or ``+``) and names its words: a match starts at most as many tokens
    before its anchor as the pattern has before it, and ends at most the rest
    of the pattern after it.  None when some tier pattern has no anchor.
    """
    reach: dict[str, tuple[int, int]] = {}
    for rule in tier_rules().values():
        if rule.get("tier") == "none":
            continue
        for pattern in rule.get("tokens", []):
            found = _anchor(pattern)
            if found is None:
                return None
            at, anchor = found
            for w in anchor:
                before, after = reach.get(w.lower(), (0, 0))
                reach[w.lower()] = (max(before, at), max(after, len(pattern) - at - 1))
    return reach


def _anchor(pattern: list[dict[str, Any]]) -> tuple[int, list[str]] | None:
    """The index and the words of a pattern's anchor token, or None."""
    for at, tok in enumerate(pattern):
        if tok.get("OP", "+") != "+":
            continue
        for key in ("LOWER", "ORTH", "TEXT"):
            val = tok.get(key)
            if isinstance(val, str) and val:
                return at, [val]
            if isinstance(val, dict) and set(val) == {"IN"} and val["IN"]:
                return at, list(val["IN"])
    return None


#: the token attributes a pattern may test for :func:`find_tiers` to match it
#: window by window: each depends on the token's own text only
_LOCAL_ATTRS = frozenset({"LOWER", "ORTH", "TEXT", "IS_ALPHA", "OP"})


@functools.lru_cache(maxsize=1)
def _longest_pattern() -> int | None:
    """The most tokens any tier pattern (``not_a_tier`` too) can match, or None
    when some pattern is unbounded (an ``OP`` other than ``?``) or tests more
    than the token's own text."""
    longest = 0
    for rule in tier_rules().values():
        for pattern in rule.get("tokens", []):
            for tok in pattern:
                if not set(tok) <= _LOCAL_ATTRS or tok.get("OP", "?") != "?":
                    return None
            longest = max(longest, len(pattern))
    return longest


def may_have_tiers(text: str) -> bool:
    """False only when no tier pattern can match ``text`` (a cheap word check, no spaCy)."""
    anchors = _anchor_words()
    return anchors is None or anchors.search(text.lower()) is not None


def find_tiers(text: str, doc: Doc | None = None) -> list[TierSpan]:
    """Non-overlapping tier mentions in ``text``, longest match first.

    Matches of the ``not_a_tier`` rule block the tier words inside them and
    are not returned.  A text without any tier word (:func:`may_have_tiers`)
    is not matched at all (and spaCy is not loaded for it).
    """
    if doc is None:
        from .spelling import respell  # variants (rules/spelling.yaml) for matching; spans cut from ``text``

        spelled = respell(text)
        if not may_have_tiers(spelled):
            return []
        return _match_windows(spelled, text)
    return _match(doc)


def _match_windows(spelled: str, text: str) -> list[TierSpan]:
    """:func:`_match` of ``make_doc(spelled)``, running the ``Matcher`` only on
    the stretches of tokens around the words a tier match must hold.

    spaCy's ``Matcher`` tries every pattern at every token.  A tier match
    holds an anchor token and reaches a known number of tokens each side of
    it (:func:`_anchor_reach`); every match is at most ``L`` tokens long
    (:func:`_longest_pattern`).  The patterns test only a token's own text,
    so in a window of tokens the Matcher finds exactly the matches of the
    whole text that lie inside it.  ``filter_spans`` resolves a match against
    the matches it overlaps, transitively; so a window reaches ``L - 1``
    tokens past the tier matches of its anchors, and is kept only when none
    of the matches in it reaches into those outer ``L - 1`` tokens (where a
    match across its edge could overlap it) — else it is widened (doubled)
    and matched again.  Every other match of the text overlaps no window's
    matches and names no tier (``not_a_tier``), so it would yield nothing.
    """
    longest, reach = _longest_pattern(), _anchor_reach()
    if longest is None or reach is None:
        return _match(make_doc(spelled), text)
    from spacy.tokens import Doc

    words, spaces = _syllables(spelled)
    n = len(words)
    margin = longest - 1
    wanted: list[tuple[int, int]] = []
    for i, w in enumerate(words):
        r = reach.get(w.lower())
        if r is not None:
            wanted.append((max(0, i - r[0] - margin), min(n, i + r[1] + 1 + margin)))
    vocab, matcher = _vocab(), _matcher()
    found: dict[tuple[int, int], tuple[Doc, list[tuple[int, int, int]]]] = {}
    while True:
        windows = _merged(wanted)
        wanted = []
        for a, b in windows:
            if (a, b) not in found:
                doc = Doc(vocab, words=words[a:b], spaces=spaces[a:b])
                found[(a, b)] = (doc, matcher(doc))
            matches = found[(a, b)][1]
            wide = b - a
            left = a > 0 and any(s < margin for _, s, _ in matches)
            right = b < n and any(e > wide - margin for _, _, e in matches)
            wanted.append((max(0, a - wide) if left else a, min(n, b + wide) if right else b))
        if wanted == windows:
            break
    out: list[TierSpan] = []
    start = 0   # the offset in ``spelled`` of token ``t``
    t = 0
    for a, b in windows:
        for k in range(t, a):
            start += len(words[k]) + spaces[k]
        t = a
        doc, matches = found[(a, b)]
        out.extend(_match(doc, text, matches, start))
    return out


def _merged(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Token ranges in order, overlapping or touching ones joined."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(windows):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def _match(doc: Doc, text: str | None = None, matches: list[tuple[int, int, int]] | None = None,
           base: int = 0) -> list[TierSpan]:
    """The tier spans of ``doc``, with ``text``'s own slices (``doc.text ==
    text[base:…]``); ``matches``: the Matcher's on ``doc``, when already run."""
    from spacy.util import filter_spans

    if matches is None:
        matches = _matcher()(doc)
    vocab = _vocab()
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
        a, b = sp.start_char + base, sp.end_char + base
        # the span's text is the text's own slice (doc.text == text): no Token objects made
        out.append(TierSpan(a, b, text[a:b] if text is not None else sp.text, rule["tier"], bool(rule.get("area"))))
    return out


class TierIndex:
    """The tier mentions of one document's ``flow``, found block by block.

    ``blocks`` are the document's blocks (anything with ``start``/``end``
    offsets into ``flow``, in order, not overlapping).  :meth:`between` runs
    the ``Matcher`` on each block it needs the first time it is needed and
    keeps the result, so each block is matched at most once per document.
    """

    __slots__ = ("flow", "_starts", "_ends", "_found", "_span_starts")

    def __init__(self, flow: str, blocks: Sequence[Any]) -> None:
        self.flow = flow
        self._starts = [b.start for b in blocks]
        self._ends = [b.end for b in blocks]
        self._found: dict[int, list[TierSpan]] = {}
        # per block, its mentions' starts when they are in order (else None):
        # a query then bisects to its first mention instead of scanning the block
        self._span_starts: dict[int, list[int] | None] = {}

    def block(self, k: int) -> list[TierSpan]:
        """The tier mentions of block ``k`` (offsets in ``flow``)."""
        found = self._found.get(k)
        if found is None:
            a, b = self._starts[k], self._ends[k]
            found = [TierSpan(t.start + a, t.end + a, t.text, t.tier, t.area)
                     for t in find_tiers(self.flow[a:b])]
            self._found[k] = found
            starts = [t.start for t in found]
            self._span_starts[k] = starts if all(x <= y for x, y in itertools.pairwise(starts)) else None
        return found

    def between(self, a: int, b: int) -> list[TierSpan]:
        """Tier mentions lying wholly inside ``flow[a:b]``, in text order.

        A block's mentions are in text order, so each query costs the log of
        its block's mentions plus the mentions it returns: a reader asking
        once per value of a long block stays linear in its values."""
        out: list[TierSpan] = []
        k = bisect.bisect_right(self._ends, a)
        while k < len(self._starts) and self._starts[k] < b:
            spans = self.block(k)
            starts = self._span_starts[k]
            if starts is None:
                out.extend(t for t in spans if t.start >= a and t.end <= b)
            else:
                for i in range(bisect.bisect_left(starts, a), len(spans)):
                    t = spans[i]
                    if t.start >= b:
                        break
                    if t.end <= b:
                        out.append(t)
            k += 1
        return out

    @property
    def blocks_matched(self) -> int:
        return len(self._found)


def tier_index(seg: Any) -> TierIndex:
    """The :class:`TierIndex` of a segmented document (``seg.flow``,
    ``seg.blocks``), made on first use and kept on ``seg`` itself, so that
    every reader of the same document shares it and it goes with the document."""
    idx = getattr(seg, "_tier_index", None)
    if idx is None or idx.flow is not seg.flow:
        idx = TierIndex(seg.flow, seg.blocks)
        object.__setattr__(seg, "_tier_index", idx)
    return idx


@functools.lru_cache(maxsize=1)
def sent_tokenizer() -> Callable[[str], list[str]]:
    """underthesea's sentence splitter, loaded without the rest of underthesea.

    ``import underthesea`` (or any submodule: the package's ``__init__`` runs
    first) loads its normaliser, word tokenizer and their models: ~0.3-0.5 s
    and ~75 MB for a function that is plain Python over one JSON file.  The
    splitter's module imports only the standard library, so it is loaded
    from underthesea's own folder by itself; if that ever fails (another
    layout, a relative import), the ordinary import is used.
    """
    import importlib.util
    import sys
    from pathlib import Path

    split: Callable[[str], list[str]]  # underthesea ships no types: the one signature we rely on
    loaded = sys.modules.get("underthesea.pipeline.sent_tokenize")
    if loaded is not None:
        split = loaded.sent_tokenize
        return split
    try:
        spec = importlib.util.find_spec("underthesea")  # finds the package without running it
        for base in (spec.submodule_search_locations or []) if spec else []:
            path = Path(base) / "pipeline" / "sent_tokenize" / "__init__.py"
            if path.is_file():
                sub = importlib.util.spec_from_file_location("chitieu._underthesea_sent_tokenize", path)
                if sub is None or sub.loader is None:
                    break
                mod = importlib.util.module_from_spec(sub)
                sub.loader.exec_module(mod)
                split = mod.sent_tokenize
                return split
    except (ImportError, OSError, AttributeError):
        pass
    from underthesea import sent_tokenize

    split = sent_tokenize
    return split
