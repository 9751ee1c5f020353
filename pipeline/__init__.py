"""chitieu: document facts, references and quantitative targets from
Vietnamese government plan documents.

>>> import pipeline                                                  # doctest: +SKIP
>>> rec = pipeline.extract("corpus/000_39569ee3a3615c1e.txt")        # doctest: +SKIP
>>> frames = pipeline.to_frames([rec])                               # doctest: +SKIP
>>> pipeline.compare(frames).columns[:4].tolist()                    # doctest: +SKIP
['sector', 'indicator', 'tier', 'year']

Four functions:

* :func:`load` — a document file as text (:mod:`pipeline.load`);
* :func:`extract` — one file to a :class:`~pipeline.models.DocumentRecord`
  (never raises for a bad file: the record carries the error);
* :func:`to_frames` — records to pandas tables (:mod:`pipeline.outputs.frames`);
* :func:`compare` — the side-by-side comparison table (:mod:`pipeline.outputs.compare`).

``import pipeline`` stays light: pandas, spaCy and the extractors are imported
when first used.  Note that ``pipeline.load`` is the function; import from
the module by name (``from pipeline.load import LoadError``), which works as
usual.  The comparison's module is :mod:`pipeline.outputs.compare`.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

# Bound eagerly, after their modules: a later import of the submodule must not
# replace the function with the module of the same name.  These modules
# import only the standard library (and each other) at load time.
from .outputs.compare import compare
from .outputs.frames import to_frames
from .load import load

if TYPE_CHECKING:
    from .models import DocumentRecord

__all__ = ["load", "extract", "to_frames", "compare"]


def extract(path: "str | Path", *, max_bytes: int = 50_000_000) -> "DocumentRecord":
    """Read the document at ``path`` and extract its facts, references and targets.

    A file that cannot be read gives a record whose ``extra["error"]`` holds a
    short code and whose ``warnings`` say why; nothing is raised.  For text
    already in memory use :func:`pipeline.core.extract_text`.
    """
    from .core import extract_file
    return extract_file(Path(path), max_bytes=max_bytes)
