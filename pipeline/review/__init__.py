"""The analyst's loop: review and correct extracted targets in the browser.

``chitieu review OUTPUT_DIR`` serves :mod:`pipeline.review.app` over the
store of an output folder; the corrections it saves live in the store's
``corrections`` table and are applied to every output by
:func:`pipeline.review.corrections.apply_corrections`.
"""
from .corrections import apply_corrections

__all__ = ["apply_corrections"]
