"""``to_frames``: the output tables of records, and the comparison table.

The four record tables come from :mod:`pipeline.outputs.tables`, the
comparison from :mod:`pipeline.outputs.compare`; this module sits above both
so neither needs the other's caller.
"""
from __future__ import annotations

from typing import TYPE_CHECKING
from collections.abc import Iterable

from .compare import build_comparison
from .tables import record_frames

if TYPE_CHECKING:
    import pandas as pd

    from ..models import DocumentRecord

__all__ = ["to_frames"]


def to_frames(records: Iterable[DocumentRecord], *, comparison: bool = True) -> dict[str, pd.DataFrame]:
    """The output tables of ``records``, keyed ``documents``, ``targets``,
    ``references``, ``errors`` and (unless ``comparison=False``) ``comparison``
    (with the national programme of the batch, if any, as its baseline).

    Columns are those of :data:`~pipeline.outputs.tables.DOCUMENT_COLUMNS`,
    :data:`~pipeline.outputs.tables.TARGET_COLUMNS`,
    :data:`~pipeline.outputs.tables.REFERENCE_COLUMNS`,
    :data:`~pipeline.outputs.tables.ERROR_COLUMNS`; integer columns that may
    be empty use pandas' nullable ``Int64``; ``value``/``value_max`` are floats.
    """
    frames = record_frames(records)
    if comparison:
        frames["comparison"] = build_comparison(frames).table
    return frames
