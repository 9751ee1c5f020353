"""What the fork server imports before it forks a worker (the last of
:data:`pipeline.batch.server.PRELOAD`).

Importing this module imports spaCy's parts (:func:`pipeline.spacy_parts.load`),
so that every worker starts with them; it is the one module of the package
whose import does (``tests/test_architecture.py`` knows).  No model is
loaded: the rules, the ``Matcher`` and the vocabulary are made by each
worker's warm-up (:func:`pipeline.batch.worker.init_worker`).
"""
from __future__ import annotations

from .. import spacy_parts

spacy_parts.load()
