"""chitieu: document facts, references and quantitative targets from
Vietnamese government plan documents.

A plan of the project's ``corpus/`` (paths from the project folder):

>>> import pipeline
>>> rec = pipeline.extract("corpus/002_8a02b571fa603f08.txt")
>>> rec.doc_type, rec.province, len(rec.targets) > 0
('plan', 'Hải Phòng', True)
>>> text = pipeline.load("corpus/002_8a02b571fa603f08.txt").text
>>> ev = rec.targets[0].evidence      # every span is a slice of the loaded text
>>> text[ev.start:ev.end] == ev.text
True
>>> frames = pipeline.to_frames([rec])
>>> pipeline.compare(frames).columns[:4].tolist()
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

import sys
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import DocumentRecord

__all__ = ["load", "extract", "to_frames", "compare"]


class _Package(types.ModuleType):
    """``pipeline`` itself: importing its submodule ``load``
    leaves the function of that name in place.  (The import system binds a
    submodule on its package once loaded; here the module stays reachable in
    ``sys.modules`` and by ``from pipeline.load import …``.)  So the
    functions below can import their modules when first called, and
    ``import pipeline`` — and ``chitieu --help`` — loads none of them."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "load" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def load(*args: Any, **kwargs: Any) -> Any:
    """A document file as text: :func:`pipeline.load.load`."""
    from .load import load as _load
    return _load(*args, **kwargs)


def to_frames(*args: Any, **kwargs: Any) -> Any:
    """Records to pandas tables: :func:`pipeline.outputs.frames.to_frames`."""
    from .outputs.frames import to_frames as _to_frames
    return _to_frames(*args, **kwargs)


def compare(*args: Any, **kwargs: Any) -> Any:
    """The side-by-side comparison table: :func:`pipeline.outputs.compare.compare`."""
    from .outputs.compare import compare as _compare
    return _compare(*args, **kwargs)


def extract(path: str | Path, *, max_bytes: int = 50_000_000) -> DocumentRecord:
    """Read the document at ``path`` and extract its facts, references and targets.

    A file that cannot be read gives a record whose ``error`` holds a
    short code and whose ``warnings`` say why; nothing is raised.  For text
    already in memory use :func:`pipeline.core.extract_text`.
    """
    from .core import extract_file
    return extract_file(Path(path), max_bytes=max_bytes)
