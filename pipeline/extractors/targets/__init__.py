"""Quantitative targets: value, year, tier, indicator — tied to their sentence.

The reader is built around a scope model (``docs/targets.md``): every value
mention is a slot whose year, tier, indicator, direction and unit are each
filled from the nearest scope that names them — its clause, the lead-in that
introduces it, the headings above it, a period, the document — and the target
records where its year and tier came from (``year_source``, ``tier_source``).

Modules: :mod:`.mentions` (values), :mod:`.years` (year cues and periods),
:mod:`.vocab` (indicators, sectors), :mod:`.phrases` (noun phrases and tiers),
:mod:`.scope` (the context and the scope chain), :mod:`.reader` (sentences and
segments), :mod:`.tables` (table cells).
"""
from __future__ import annotations

from .mentions import Mention, find_mentions
from .reader import extract_targets
from .tables import table_targets
from .vocab import indicators_in, sector_of, sectors_in
from .years import YearCue, find_year_cues

__all__ = ["extract_targets", "table_targets", "find_mentions", "find_year_cues",
           "indicators_in", "sector_of", "sectors_in", "Mention", "YearCue"]
