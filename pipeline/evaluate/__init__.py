"""Score an extractor's ``documents.jsonl`` against the hand-written gold files.

``chitieu eval OUTPUT_JSONL [GROUP=]GOLD_DIR [[GROUP=]GOLD_DIR...]``

Each gold directory is a set, scored on its own.  ``GROUP=`` puts sets in
groups that are pooled apart — ``make eval`` scores the sets rules are
written from as ``tune`` and the held-out set as ``check`` — and the report
ends with one line per set and per group: strict and loose F1.

Output records follow ``SCHEMA.md`` (``signer`` is an object, targets and
references carry ``evidence``); gold files are ``<doc_id>.json`` with
``signer`` flattened to ``signer_name``/``signer_title`` and targets carrying a
``quote``.  A record and a gold file are paired by ``doc_id`` == gold file stem.

What is scored
--------------
* **Targets** — precision/recall/F1 by multiset matching, counts summed over
  documents (micro average), in three views:

  - ``strict``:  (indicator, tier, year, value, value_max)
  - ``by-tier``: (tier, year, value, value_max)
  - ``loose``:   (year, value, value_max)

  Numbers are equal when ``abs(a - b) < 1e-6`` (so ``60 == 60.0``); ``None``
  equals only ``None`` (a target with no due year, ``year: null``, matches
  only one with no year).  Strings are compared after NFC normalisation and
  whitespace collapsing.
* **References** — P/R/F1 on the multiset of (number, date) per document.
* **Document fields** — accuracy of each of :data:`FIELDS`, and pooled over
  all of them; ``null == null`` counts as correct.

Every gold document is scored.  A gold document with no output record counts
as all-missed: all its targets and references are false negatives and all its
fields are wrong; it is listed in the report.  Output records with no gold
file are ignored (only counted and listed in the header).

Metric conventions for empty denominators: precision is 1.0 when nothing was
predicted and nothing was to be found, 0.0 when nothing was predicted but
something was to be found; recall symmetrically.  So a score is 1.0 exactly
when output and gold agree.

Modules: :mod:`.match` (what is compared and when two values are equal),
:mod:`.scores` (one document), :mod:`.summary` (sets, groups, the report),
:mod:`.run` (reading files, :func:`evaluate`, the command line).
"""
from __future__ import annotations

from .match import (
    FIELDS, REFERENCE_KEY, SNIPPET_CHARS, TARGET_VIEWS, TOLERANCE, Key, MatchResult, keys_equal, match_multiset,
    normalize_text, values_equal,
)
from .run import build_parser, evaluate, main, parse_gold_arg, read_gold_dir, read_output
from .scores import PRF, Accuracy, DocResult, FieldDiff, ItemDiff, flatten_fields, score_document, truncate
from .summary import EvalReport, SetScores

__all__ = [
    "FIELDS", "TARGET_VIEWS", "REFERENCE_KEY", "TOLERANCE", "SNIPPET_CHARS", "Key",
    "normalize_text", "values_equal", "keys_equal", "MatchResult", "match_multiset", "PRF",
    "Accuracy", "ItemDiff", "FieldDiff", "DocResult", "truncate", "flatten_fields",
    "score_document", "SetScores", "EvalReport", "read_output", "read_gold_dir", "parse_gold_arg",
    "evaluate", "build_parser", "main",
]
