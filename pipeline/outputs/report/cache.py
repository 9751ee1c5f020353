"""The report's templates compiled once, not at every run: a Jinja2 bytecode
cache in chitieu's cache directory (:func:`pipeline.rules.cache_dir`, where the
rules' validation markers are; ``CHITIEU_CACHE_DIR=off``: none).

Jinja2 checks each cached template against its source and against its own and
Python's versions, but not against the Environment's options, which change the
compiled code: each set of options (and Jinja2 version) has a folder of its
own, ``templates/<fingerprint>``.  Best effort, as the validation markers: a
cache that cannot be read or written only means compiling the templates again.

A cached template is code the page runs, so, as Jinja2's own default cache
does, the folder is made readable by its user only, and a folder that another
user owns or could write to is never read from.
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2.bccache import Bucket

from ...rules import cache_dir, fingerprint, owned_by_user

__all__ = ["bytecode_cache", "TEMPLATE_CACHE"]

#: The folder of the compiled templates under :func:`pipeline.rules.cache_dir`.
TEMPLATE_CACHE = "templates"


def bytecode_cache(options: Mapping[str, Any]) -> jinja2.BytecodeCache | None:
    """The cache for templates compiled with the Environment ``options`` (callables
    and classes count by name), or ``None`` when caching is off."""
    base = cache_dir()
    if base is None:
        return None
    settings = json.dumps({k: getattr(v, "__qualname__", v) for k, v in options.items()}, sort_keys=True)
    return QuietCache(base / TEMPLATE_CACHE / fingerprint("jinja2 " + jinja2.__version__, settings)[:24])


class QuietCache(jinja2.FileSystemBytecodeCache):
    """A bytecode cache in a folder made (``0700``) when first written to, read
    only while it is the user's alone; an ``OSError`` reading or writing it is a
    template compiled again, not a failed page."""

    def __init__(self, directory: Path):
        super().__init__(str(directory))

    def load_bytecode(self, bucket: Bucket) -> None:
        if not self.trusted():
            return
        try:
            super().load_bytecode(bucket)
        except OSError:
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass

    def trusted(self) -> bool:
        """Whether the folder exists, is the user's and no one else can write to it."""
        try:
            return owned_by_user(os.stat(self.directory))
        except OSError:
            return False
