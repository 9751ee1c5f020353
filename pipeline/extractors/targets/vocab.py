"""Indicators and sectors named by a text (``rules/indicators.yaml``, ``rules/sectors.yaml``)."""
from __future__ import annotations

import functools
from typing import Any

import regex

from ... import rules
from ...models import Sector, sector_code
from .common import _I


@functools.lru_cache(maxsize=1)
def _indicator_rules() -> list[tuple[dict[str, Any], regex.Pattern[str]]]:
    rf = rules.load("indicators")
    return [(r, rules.compile_pattern("indicators", r["id"], _I)) for r in rf.rules]


@functools.lru_cache(maxsize=1)
def _requires() -> dict[str, regex.Pattern[str]]:
    """Each indicator's ``requires`` pattern, compiled once (as ``regex.search(req, text, _I)`` would)."""
    return {r["id"]: regex.compile(r["requires"], _I) for r, _ in _indicator_rules() if r.get("requires")}


@functools.lru_cache(maxsize=1)
def _indicator_sectors() -> dict[str, Sector]:
    """Each indicator's sector (``rules/indicators.yaml``), checked against the codes once."""
    return {str(r["id"]): sector_code(r["sector"]) for r, _ in _indicator_rules()}


@functools.lru_cache(maxsize=1)
def _sector_rules() -> list[tuple[Sector, regex.Pattern[str]]]:
    rf = rules.load("sectors")
    return [(sector_code(r["sector"]), rules.compile_pattern("sectors", r["id"], _I)) for r in rf.rules]


def sectors_in(text: str) -> list[Sector]:
    found: list[tuple[int, Sector]] = []
    for sector, p in _sector_rules():
        m = p.search(text)
        if m:
            found.append((m.start(), sector))
    return [s for _, s in sorted(found)]


def indicators_in(text: str, growth: bool, person: bool = False) -> list[str]:
    """Indicator codes whose pattern (and needed sector word) occur in ``text``.

    ``person``: the value is a share of people (``30% người dân …``), so the
    indicators that count institutions (``counts_units``) do not apply.
    """
    secs = set(sectors_in(text))
    requires = _requires()
    out: list[str] = []
    for r, p in _indicator_rules():
        if person and r.get("counts_units"):
            continue
        if r.get("growth") and not growth:
            continue
        if not r.get("growth") and growth and r["id"] in ("lib.digital",):
            continue
        need = r.get("needs")
        if need and need not in secs:
            continue
        req = requires.get(r["id"])
        if req is not None and not req.search(text):
            continue
        if p.search(text):
            out.append(r["id"])
    # growth indicators win over the others when the value is a growth rate
    if growth and any(i.endswith("_growth") for i in out):
        out = [i for i in out if i.endswith("_growth")]
    if not growth:
        out = [i for i in out if not i.endswith("_growth")]
    return out


def sector_of(indicator: str) -> Sector | None:
    return _indicator_sectors().get(indicator)

