"""Spelling variants (``rules/spelling.yaml``), for matching only.

:func:`respell` returns a copy of a text with every known misspelling
replaced by the word it stands for, character for character, so that every
offset into the copy is an offset into the original.  Matchers read the copy;
what they report is cut from the original, as written.

>>> respell("đơn vị hành chính cấp tình; tình hình")
'đơn vị hành chính cấp tỉnh; tình hình'
>>> respell("CẤP TÌNH")
'CẤP TỈNH'
"""
from __future__ import annotations

import functools

import regex

__all__ = ["respell"]


@functools.lru_cache(maxsize=1)
def _variants() -> tuple[tuple[regex.Pattern[str], str], ...]:
    from . import rules

    return tuple((rules.compile_pattern("spelling", r["id"]), str(r["canonical"]))
                 for r in rules.load("spelling").rules)


def _in_case_of(written: str, canonical: str) -> str:
    """``canonical`` in the case of ``written`` (same length), or ``written``
    itself when the lengths differ: an offset must never move."""
    if len(written) != len(canonical):
        return written
    return "".join(c.upper() if w.isupper() else c for w, c in zip(written, canonical, strict=True))


def _respelt(canonical: str, m: regex.Match[str]) -> str:
    return _in_case_of(m.group(0), canonical)


def respell(text: str) -> str:
    """``text`` with its spelling variants respelt (same length, same offsets)."""
    for rx, canonical in _variants():
        if rx.search(text):
            text = rx.sub(functools.partial(_respelt, canonical), text)
    return text
