"""Shared helpers of the target reader: rule access and small text tools."""
from __future__ import annotations

from collections.abc import Iterable

import regex

from ... import rules

_I = regex.IGNORECASE


def _p(rule_id: str, file: str = "values") -> regex.Pattern[str]:
    return rules.compile_pattern(file, rule_id, _I)


def _dedupe(xs: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for x in xs:
        if x not in seen:
            seen.append(x)
    return seen


def _clean(text: str) -> str | None:
    t = " ".join(text.split()).strip(" ,;:.-–")
    if len(t) > 200:
        t = t[:200].rsplit(" ", 1)[0] + " …"
    return t or None


