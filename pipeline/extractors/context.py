"""The extraction context: one document, prepared once, handed to every extractor.

As eyecite's ``Document``, an :class:`ExtractionContext` holds everything an
extractor may read about the document being extracted — the prepared text
(raw, normalised and flow text with the offset maps between them), its
segmentation, its tables, the tier mentions (found block by block on first
use) and, once the metadata stage has run, the document's facts.  The pipeline
(:mod:`pipeline.core`) builds it once per document; no extractor keeps state
of its own between documents.

Every extractor returns an :class:`Extracted`: the items it found and the
warnings it has about them, in the same shape for every stage.

>>> ctx = ExtractionContext.build("Kế hoạch số 12/KH-UBND")
>>> ctx.flow
'Kế hoạch số 12/KH-UBND'
>>> Extracted(items=(1, 2), warnings=("x",)) + Extracted(items=(3,))
Extracted(items=(1, 2, 3), warnings=('x',))
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from collections.abc import Sequence

from ..segment import Segmented, segment
from ..text import PreparedText, prepare

if TYPE_CHECKING:  # pragma: no cover
    from ..nlp import TierIndex
    from .metadata import Metadata

__all__ = ["ExtractionContext", "Extracted"]

T = TypeVar("T")


@dataclass(frozen=True)
class Extracted(Generic[T]):
    """What one extractor found: ``items`` and ``warnings`` about them."""

    items: tuple[T, ...] = ()
    warnings: tuple[str, ...] = ()

    def __add__(self, other: Extracted[T]) -> Extracted[T]:
        return Extracted(self.items + other.items, self.warnings + other.warnings)


@dataclass(frozen=True)
class ExtractionContext:
    """One document as every extractor sees it (built by :meth:`build`).

    ``facts`` is None until the metadata stage has read them; the pipeline
    then hands the later stages :meth:`with_facts` (references need the
    document's number and place, targets its level, year and title).
    """

    prep: PreparedText
    seg: Segmented
    tables: tuple[Any, ...] = ()
    facts: Metadata | None = None

    @classmethod
    def build(cls, raw: str, tables: Sequence[Any] | None = None) -> ExtractionContext:
        """Prepare and segment ``raw`` (tables: the loader's, offsets in ``raw``)."""
        prep = prepare(raw)
        return cls(prep=prep, seg=segment(prep.flow), tables=tuple(tables or ()))

    @property
    def flow(self) -> str:
        """The flow text (hard wraps joined) that the extractors read."""
        return self.prep.flow

    @cached_property
    def tiers(self) -> TierIndex:
        """The tier mentions of the document, found block by block on first use
        (shared with every reader of the same segmentation)."""
        from ..nlp import tier_index  # spaCy is loaded only when tiers are asked for

        return tier_index(self.seg)

    def with_facts(self, facts: Metadata) -> ExtractionContext:
        """This context with the document's facts, for the stages after metadata."""
        return replace(self, facts=facts)

    @property
    def issue_year(self) -> int | None:
        date = self.facts.issue_date if self.facts else None
        return int(date[:4]) if date else None
