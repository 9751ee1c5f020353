"""Vietnamese administrative places: provinces, districts, communes.

The gazetteer is read from the data bundled with the maintained package
``vietnamadminunits`` (its SQLite ``dataset.db`` for the 63 pre-2025 provinces
with their 696 district-level units and ~10 000 communes, plus the 34 provinces
and 3 321 communes in force since 1 July 2025, and ``converter_2025.json`` for
the merger).  The files are read directly, without importing the package (its
import loads geocoding libraries and compiles large regexes); nothing touches
the network.  The only hand-kept data are the spelling variants and
abbreviations in ``rules/places.yaml``.

Public API: :class:`Place`, :func:`canonical_province`, :func:`province_2025`,
:func:`resolve_district`, :func:`resolve_place` (and :func:`provinces`, the
63 canonical names).  ``Place`` has one field beyond province / district /
province_2025 / level: ``commune`` (default None), the ward/commune/town name
when ``level == "commune"``.

Names are returned NFC-normalised, with modern tone placement (``Hòa``,
``Thủy``) and bare (no "tỉnh"/"huyện"/... in front).  Two exceptions keep the
type word because the bare name would be a number: the numbered districts and
wards of the big cities ("Quận 1", "Phường 12").  Provinces are named as they
were before the 1 July 2025 merger ("Thừa Thiên Huế", although the package,
following the January 2025 change, calls it "Huế"); ``province_2025`` gives
the province since the merger.

Lookups are case-insensitive; an exact (accented) match is always preferred
and accents are ignored only when nothing matches exactly.  A name that
matches units in more than one province, with nothing to choose between them,
resolves to ``None``: this module never guesses.

The package has three modules: :mod:`.names` (the :class:`Place` type, name
keys and spellings), :mod:`.gazetteer` (the units read from the package data)
and :mod:`.resolve` (provinces, districts and places in free text).
"""
from __future__ import annotations

from .names import Place, modernize
from .resolve import canonical_province, document_place, province_2025, provinces, resolve_district, resolve_place

__all__ = [
    "Place",
    "canonical_province",
    "province_2025",
    "resolve_district",
    "resolve_place",
    "provinces",
    "document_place",
    "modernize",
]
