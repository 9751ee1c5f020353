"""Shared helpers of the target reader: rule access and small text tools."""
from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

import regex

from ... import rules

_I = regex.IGNORECASE
#: a letter (compiled once: ``regex.search(str, …)`` looks the pattern up in a cache on every call)
LETTER = regex.compile(r"\p{L}")

# How far (in characters) the context rules read around a value or a year.  Each
# rule looks for a word or a short phrase beside it, so it reads a capped window,
# never the rest of the text (the reader stays linear in the values it meets).
#: a word or two just before a value or a year ("ngày", "từ", "đến năm")
PREFIX_REACH = 12
#: a short phrase beside a value (a legal rate, a growth word, "tương ứng")
PHRASE_REACH = 40
#: the words around a value that make it a result, a condition or an exemption
CONTEXT_REACH = 60
#: a value's own clause, in which a later year may still be its due year
CLAUSE_REACH = 200


def _p(rule_id: str, file: str = "values") -> regex.Pattern[str]:
    return rules.compile_pattern(file, rule_id, _I)


_T = TypeVar("_T")


def _dedupe(xs: Iterable[_T]) -> list[_T]:
    seen: list[_T] = []
    for x in xs:
        if x not in seen:
            seen.append(x)
    return seen


def _clean(text: str) -> str | None:
    t = " ".join(text.split()).strip(" ,;:.-–")
    if len(t) > 200:
        t = t[:200].rsplit(" ", 1)[0] + " …"
    return t or None


