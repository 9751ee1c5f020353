"""What is compared: the scored fields and target views, and how two values
or keys are equal (multiset matching with a numeric tolerance)."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any
from collections.abc import Callable, Sequence


#: Document-level fields scored by accuracy (output ``signer`` is flattened).
FIELDS: tuple[str, ...] = (
    "doc_type", "number", "issue_date", "place", "issuing_body", "parent_body",
    "admin_level", "province", "district", "signer_name", "signer_title",
)

#: Target key components of each view, in display order.
TARGET_VIEWS: dict[str, tuple[str, ...]] = {
    "strict": ("indicator", "tier", "year", "value", "value_max"),
    "by-tier": ("tier", "year", "value", "value_max"),
    "loose": ("year", "value", "value_max"),
}

#: Reference key components.
REFERENCE_KEY: tuple[str, ...] = ("number", "date")

#: Numbers closer than this are equal.
TOLERANCE = 1e-6

#: Display length of evidence/quote snippets.
SNIPPET_CHARS = 100

Key = tuple[Any, ...]


# --------------------------------------------------------------------------
# Normalisation and comparison
# --------------------------------------------------------------------------

def normalize_text(value: str) -> str:
    """NFC-normalise and collapse runs of whitespace to one space, stripped."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def _is_number(value: Any) -> bool:
    """True for ints and floats, but not bools."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def values_equal(a: Any, b: Any) -> bool:
    """Compare two scalar values the way the evaluation does.

    Numbers within :data:`TOLERANCE`, strings after :func:`normalize_text`,
    ``None`` only with ``None``, anything else with ``==``.
    """
    if a is None or b is None:
        return a is None and b is None
    if _is_number(a) and _is_number(b):
        return abs(float(a) - float(b)) < TOLERANCE
    if isinstance(a, str) and isinstance(b, str):
        return normalize_text(a) == normalize_text(b)
    return bool(a == b)


def keys_equal(a: Key, b: Key) -> bool:
    """Component-wise :func:`values_equal` of two key tuples."""
    return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b, strict=True))


@dataclass(frozen=True)
class MatchResult:
    """Indices of matched pairs and of unmatched gold / output items."""

    pairs: tuple[tuple[int, int], ...]
    missed: tuple[int, ...]   # gold indices without a partner (false negatives)
    extra: tuple[int, ...]    # output indices without a partner (false positives)


def match_multiset(
    gold: Sequence[Key],
    output: Sequence[Key],
    equal: Callable[[Key, Key], bool] = keys_equal,
) -> MatchResult:
    """Match two multisets of keys one-to-one.

    Each gold key takes the first still-unmatched equal output key, so a key
    present twice in gold and once in output gives one match and one miss.
    Greedy matching is optimal whenever ``equal`` is transitive, which it is
    except for numbers straddling the tolerance.
    """
    used = [False] * len(output)
    pairs: list[tuple[int, int]] = []
    missed: list[int] = []
    for gi, gkey in enumerate(gold):
        for oi, okey in enumerate(output):
            if not used[oi] and equal(gkey, okey):
                used[oi] = True
                pairs.append((gi, oi))
                break
        else:
            missed.append(gi)
    extra = tuple(oi for oi, u in enumerate(used) if not u)
    return MatchResult(tuple(pairs), tuple(missed), extra)
