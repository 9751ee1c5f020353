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
import operator
from array import array
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, cast
from collections.abc import Callable, Sequence

import regex

from . import spacy_parts
from .models import Tier

if TYPE_CHECKING:  # spaCy is imported when first used, not with this module
    from spacy.matcher import Matcher
    from spacy.tokens import Doc, Span
    from spacy.vocab import Vocab

__all__ = ["TierSpan", "TierIndex", "make_doc", "find_tiers", "tier_index", "tier_rules", "sent_tokenizer"]

_TOKEN = regex.compile(r"[\p{L}\p{M}\p{N}]+|[^\s]", regex.UNICODE)
_WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+", regex.UNICODE)
#: :data:`_TOKEN` as a separator: split on it, a text is its gaps and tokens in turn
_PIECES = regex.compile(r"([\p{L}\p{M}\p{N}]+|[^\s])", regex.UNICODE)


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
    spacy = spacy_parts.load()
    vocab: Vocab = spacy.create_vocab(spacy.lang, spacy.defaults)
    return vocab


def make_doc(text: str) -> Doc:
    """A spaCy ``Doc`` whose ``.text`` is ``text`` (syllable tokens)."""
    words, spaces = _syllables(text)
    doc: Doc = spacy_parts.load().Doc(_vocab(), words=words, spaces=spaces)
    return doc


def _syllables(text: str) -> tuple[list[str], list[bool]]:
    """The words and spaces of :func:`make_doc`'s ``Doc`` of ``text``: each
    run of letters, marks and digits and each other non-space character is a
    token; one space after a token is its trailing space, any other
    whitespace run a token of its own (after the space its token takes)."""
    words: list[str] = []
    spaces: list[bool] = []
    same: dict[str, str] = {}   # one string for each word however often it comes (a text repeats most)
    parts = _PIECES.split(text)   # gap, token, gap, token, …, gap
    last = len(parts) - 1
    for i in range(0, last, 2):
        gap = parts[i]
        if gap:
            if words and not spaces[-1] and gap.startswith(" "):
                spaces[-1] = True
                gap = gap[1:]
            if gap:
                words.append(gap)
                spaces.append(False)
        w = parts[i + 1]
        words.append(same.setdefault(w, w))
        spaces.append(False)
    tail = parts[last]
    if tail:
        if words and tail == " " and not spaces[-1]:
            spaces[-1] = True
        else:
            words.append(tail)
            spaces.append(False)
    # a Doc's text is its words, each followed by a space where spaces[i] says so
    assert sum(map(len, words)) + sum(spaces) == len(text), "syllable Doc must reproduce the text exactly"
    return words, spaces


def _starts(words: list[str], spaces: list[bool]) -> array[int]:
    """The offset of each token of :func:`_syllables` in its text, and the
    text's length (machine integers: 8 bytes a token, not an int object's 36)."""
    return array("q", itertools.accumulate(map(operator.add, map(len, words), spaces), initial=0))


@functools.lru_cache(maxsize=1)
def tier_rules() -> dict[str, dict[str, Any]]:
    from . import rules

    return {r["id"]: r for r in rules.load("tiers").rules}


@functools.lru_cache(maxsize=1)
def _matcher() -> Matcher:
    m: Matcher = spacy_parts.load().Matcher(_vocab())
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


#: Places of one anchor word matched in one ``Doc`` (:func:`_match_windows`).
_PLACES_PER_DOC = 2048


def _match_windows(spelled: str, text: str) -> list[TierSpan]:
    """:func:`_match` of ``make_doc(spelled)``, each tier pattern tried only
    around the words it must hold.

    spaCy's ``Matcher`` costs about the same for each pattern at each token,
    found or not (~0.3 µs; ~14 µs a token for the 52 patterns of
    ``rules/tiers.yaml``), and ~20 µs a call.  But every pattern holds an
    anchor token (:func:`_anchor`: its first token that must be there,
    naming its words) and reaches a known number of tokens before and after
    it.  So the patterns anchored on a word (:func:`_anchor_groups`) are run
    once, on the tokens they can reach around each place that word is in the
    text, those stretches put one after another in one ``Doc`` with a line
    break between them, which no pattern can match
    (``tests/test_nlp.py``).  Every match of the whole text holds its anchor
    and is found there; every match found there is one of the whole text
    (the patterns test only a token's own text, :func:`_longest_pattern`).
    The matches of all the patterns, ``not_a_tier`` too, are then resolved
    over the whole text as :func:`_match` resolves the ``Matcher``'s.

    The places of a word are taken :data:`_PLACES_PER_DOC` at a time, a
    ``Doc`` for each batch: a match is found around its own anchor, so in
    its batch's (the same match found in two batches is one), and a text
    full of one tier word is matched without a ``Doc`` of all its tokens
    (~170 bytes a token, and the ``Matcher``'s states beside it)."""
    groups = _anchor_groups()
    if _longest_pattern() is None or groups is None:
        return _match(make_doc(spelled), text)
    new_doc = spacy_parts.load().Doc

    words, spaces = _syllables(spelled)
    n = len(words)
    places: dict[str, list[int]] = {}
    for j, w in enumerate(words):
        low = w.lower()
        if low in groups:
            places.setdefault(low, []).append(j)
    if not places:
        return []
    vocab = _vocab()
    found: set[tuple[int, int, int]] = set()
    for w, every in places.items():
        before, after, matcher = groups[w]
        for k in range(0, len(every), _PLACES_PER_DOC):
            at = every[k:k + _PLACES_PER_DOC]
            stretches = _merged([(max(0, j - before), min(n, j + after + 1)) for j in at])
            gw: list[str] = []
            gs: list[bool] = []
            token: list[int] = []   # the text's token at each token of the group's Doc (-1: a break)
            for a, b in stretches:
                if gw:
                    gw.append("\n")
                    gs.append(False)
                    token.append(-1)
                gw.extend(words[a:b])
                gs.extend(spaces[a:b])
                token.extend(range(a, b))
            for key, s, e in matcher(new_doc(vocab, words=gw, spaces=gs)):
                found.add((key, token[s], token[e - 1] + 1))
    offsets = _starts(words, spaces)
    order = _rule_order()
    out: list[TierSpan] = []
    for rule, s, e in _kept(sorted(found, key=lambda m: (m[1], m[2], order[m[0]]))):
        a = offsets[s]
        b = offsets[e] - spaces[e - 1]
        out.append(TierSpan(a, b, text[a:b], rule["tier"], bool(rule.get("area"))))
    return out


def _with_anchor(pattern: list[dict[str, Any]], at: int, word: str) -> list[dict[str, Any]]:
    """``pattern`` with its anchor token (at ``at``) asking for the lower case
    ``word`` alone: what it matches in the stretches around ``word``, without
    the set test (a Python call for each token) of an anchor of several words."""
    tok = pattern[at]
    if not isinstance(tok.get("LOWER"), dict):
        return pattern
    return [*pattern[:at], {**tok, "LOWER": word}, *pattern[at + 1:]]


def _merged(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Token ranges in order, overlapping or touching ones joined."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(windows):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def _patterns() -> list[tuple[str, list[dict[str, Any]]]]:
    """Every tier pattern (``not_a_tier``'s too) with its rule's id, in the
    order :func:`_matcher` adds them."""
    return [(rid, pattern) for rid, rule in tier_rules().items() for pattern in rule.get("tokens", [])]


@functools.lru_cache(maxsize=1)
def _rule_order() -> dict[int, int]:
    """The ``Matcher`` key of each tier rule → its place in ``rules/tiers.yaml``."""
    strings = _vocab().strings
    return {strings.add(rid): i for i, rid in enumerate(tier_rules())}


@functools.lru_cache(maxsize=1)
def _anchor_groups() -> dict[str, tuple[int, int, Matcher]] | None:
    """Anchor word (lower case) → how many tokens the patterns anchored on it
    reach before and after it, and a ``Matcher`` of those patterns (added in
    :func:`_matcher`'s order under their rules' ids).  A token matching an
    anchor's ``ORTH`` or ``TEXT`` has that word's lower case, so looking
    anchors up by a token's lower case misses none.  None when some pattern
    has no anchor (it could match anywhere)."""
    new_matcher = spacy_parts.load().Matcher
    by_word: dict[str, tuple[int, int, dict[str, list[list[dict[str, Any]]]]]] = {}
    for rid, pattern in _patterns():
        found = _anchor(pattern)
        if found is None:
            return None
        at, anchor = found
        for w in {w.lower() for w in anchor}:
            before, after, rules_of = by_word.get(w, (0, 0, {}))
            rules_of.setdefault(rid, []).append(_with_anchor(pattern, at, w))
            by_word[w] = (max(before, at), max(after, len(pattern) - at - 1), rules_of)
    groups: dict[str, tuple[int, int, Matcher]] = {}
    for w, (before, after, rules_of) in by_word.items():
        m: Matcher = new_matcher(_vocab())
        for rid, patterns in rules_of.items():
            m.add(rid, patterns)
        groups[w] = (before, after, m)
    return groups


def _match(doc: Doc, text: str | None = None) -> list[TierSpan]:
    """The tier spans of ``doc`` by the whole ``Matcher``, with ``text``'s own
    slices (``doc.text == text``)."""
    out: list[TierSpan] = []
    for rule, s, e in _kept(_matcher()(doc)):
        sp = doc[s:e]
        a, b = sp.start_char, sp.end_char
        # the span's text is the text's own slice (doc.text == text): no Token objects made
        out.append(TierSpan(a, b, text[a:b] if text is not None else sp.text, rule["tier"], bool(rule.get("area"))))
    return out


class _Run(NamedTuple):
    """A match's tokens, as ``filter_spans`` reads a span."""
    start: int
    end: int


def _kept(matches: Sequence[tuple[int, int, int]]) -> list[tuple[dict[str, Any], int, int]]:
    """The tier matches left when overlapping ones are resolved, in text order:
    rule, first token, end token.  ``filter_spans`` keeps the longer of two
    overlapping matches, else the earlier; of two rules matching the same
    tokens, the one later in ``matches`` names them.  ``not_a_tier``'s are
    resolved too, then dropped."""
    filter_spans = spacy_parts.load().filter_spans
    strings = _vocab().strings
    labels = {(s, e): strings[mid] for mid, s, e in matches}
    rmap = tier_rules()
    out = []
    # filter_spans reads only a span's start and end tokens
    runs = cast("list[Span]", [_Run(s, e) for _, s, e in matches])
    for run in sorted(filter_spans(runs), key=lambda r: r.start):
        rule = rmap[labels[(run.start, run.end)]]
        if rule["tier"] != "none":
            out.append((rule, run.start, run.end))
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
