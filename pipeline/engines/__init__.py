"""Where a batch runs, and the paths and URLs it reads from and writes to.

``--engine local`` (the default) is :mod:`pipeline.batch`: a process pool on
this machine.  ``--engine dask`` is :mod:`pipeline.engines.dask`: the same
per-file work on the workers of a Dask cluster (a ``LocalCluster`` started
for the run, or a running scheduler).

Inputs and outputs of the Dask engine may be fsspec URLs (``file://``,
``s3://``, ``memory://`` …) as well as plain paths.  The helpers here only
ever ask a filesystem for names, sizes and modification times: the bytes of
an input file are read by the worker that extracts it.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from collections.abc import Iterable, Sequence

if TYPE_CHECKING:
    from ..inputs import Skipped

__all__ = ["is_url", "local_path", "url_fs", "find_sources", "stat_source", "basename"]

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")


def is_url(text: str | os.PathLike[str]) -> bool:
    """Whether ``text`` is a URL (``scheme://…``) rather than a plain path.

    >>> is_url("s3://bucket/plans/"), is_url("memory://x/a.txt"), is_url("corpus/a.txt")
    (True, True, False)
    """
    return isinstance(text, str) and bool(_URL.match(text))


def local_path(source: str) -> str | None:
    """The local path of ``source``: itself for a plain path, the path of a
    ``file://`` URL, ``None`` for any other URL.

    >>> local_path("corpus/a.txt"), local_path("file:///data/a.txt"), local_path("s3://b/a.txt")
    ('corpus/a.txt', '/data/a.txt', None)
    """
    if not is_url(source):
        return source
    if source.lower().startswith("file://"):
        from urllib.parse import unquote
        return unquote(source[len("file://"):]) or "/"
    return None


def url_fs(url: str) -> tuple[Any, str]:
    """``(filesystem, path)`` of an fsspec URL or a plain path (fsspec has no types:
    the filesystem is ``Any``)."""
    from fsspec.core import url_to_fs

    fs, path = url_to_fs(url)
    return fs, str(path)


def basename(source: str) -> str:
    """The file name of a path or URL (``doc_id`` is its stem)."""
    return source.rstrip("/").rsplit("/", 1)[-1] if is_url(source) else Path(source).name


def find_sources(items: Sequence[str | os.PathLike[str]], suffixes: Iterable[str],
                 skipped: list[Skipped]) -> list[str]:
    """The files to read for the command line's ``items`` (paths or URLs), as strings.

    Plain paths go through :func:`pipeline.cli.find_inputs` (the same files,
    in the same order, as ``--engine local``).  A URL that names a folder is
    listed recursively for the supported ``suffixes`` (hidden names and
    Office lock files left out), sorted; a URL that names a file is taken as
    it is.  Raises :class:`pipeline.cli.UsageError` for a path or URL that
    does not exist.
    """
    from ..inputs import Skipped, _skip_reason, _skipped_name, find_inputs
    from ..runs import UsageError

    wanted = frozenset(s.lower() for s in suffixes)
    out: list[str] = []
    seen: set[str] = set()
    for item in items:
        if not is_url(item):
            found = [str(p) for p in find_inputs([Path(item)], wanted, skipped)]
        else:
            url = str(item)
            fs, path = url_fs(url)
            try:
                if fs.isdir(path):
                    found = []
                    for p in sorted(fs.find(path)):
                        name = p.rstrip("/").rsplit("/", 1)[-1]
                        full = fs.unstrip_protocol(p)
                        rel = p[len(path.rstrip("/")):].strip("/").split("/")
                        if any(_skipped_name(part) for part in rel):
                            skipped.append(Skipped(Path(name), _skip_reason(name)))
                        elif Path(name).suffix.lower() in wanted:
                            found.append(full)
                        else:
                            suffix = Path(name).suffix.lower()
                            skipped.append(Skipped(Path(name), f"extension {suffix} not read" if suffix
                                                   else "no extension"))
                elif fs.exists(path):
                    found = [url]
                else:
                    raise UsageError(f"{url}: no such file or folder")
            except UsageError:
                raise
            except Exception as exc:  # noqa: BLE001 - any fsspec backend error (credentials, network): a usage error
                raise UsageError(f"{url}: cannot be listed ({type(exc).__name__}: {exc})") from None
        for s in found:
            if s not in seen:
                seen.add(s)
                out.append(s)
    return out


def stat_source(source: str) -> tuple[int, str] | None:
    """``(size, modification time)`` of a path or URL, without reading it; ``None``
    when the filesystem cannot say (the file is then extracted, not reused).

    The time is a string: nanoseconds for a local file, else whatever the
    filesystem reports (``mtime``, ``LastModified``, ``ETag``, ``created``).
    """
    local = local_path(source)
    try:
        if local is not None:
            st = os.stat(local)
            return st.st_size, str(st.st_mtime_ns)
        fs, path = url_fs(source)
        info = fs.info(path)
    except Exception:  # noqa: BLE001 - any fsspec backend error: the file's state is unknown, it is read again
        return None
    stamp = None
    for key in ("mtime", "LastModified", "last_modified", "ETag", "etag", "created"):
        if info.get(key) is not None:
            stamp = info[key]
            break
    if stamp is None or info.get("size") is None:
        return None
    return int(info["size"]), str(stamp)
