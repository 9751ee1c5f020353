"""Writing files atomically: a temporary file in the same folder, then
``os.replace``, so an interrupted run leaves the old file or the new one,
never half of one.  The temporary files that a ``kill -9`` during the moves
leaves behind (``.<name>.<random>.tmp``) are removed by the next run
(:func:`remove_stale_temps`).
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from collections.abc import Iterable, Mapping

from .tables import OUTPUT_FILES

__all__ = ["atomic_write", "write_all", "remove_stale_temps"]


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new, never a part."""
    _commit([_stage(Path(path), data)])


def _stage(path: Path, data: bytes) -> tuple[str, Path]:
    """Write ``data`` to a temporary file beside ``path``; return (temp, path)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
    except BaseException:
        _unlink(tmp)
        raise
    return tmp, path


def _commit(staged: list[tuple[str, Path]]) -> None:
    try:
        for tmp, path in staged:
            os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            _unlink(tmp)


def _unlink(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass


#: A temporary file of :func:`_stage` (``.<name>.<random>.tmp``), or of the folder probe of ``chitieu extract``.
_STAGED_TEMP = re.compile(r"^\.(?P<name>[^/]+?)\.[A-Za-z0-9_]{6,}\.tmp$")


def remove_stale_temps(folder: Path | str, names: Iterable[str] = ()) -> list[Path]:
    """Remove the hidden ``.<name>.<random>.tmp`` files that a killed run
    (``kill -9`` while the outputs were being written) left in ``folder``, for
    ``name`` in :data:`OUTPUT_FILES` (and ``names``); return what was removed.
    Other files are never touched."""
    known = set(OUTPUT_FILES) | set(names)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        m = _STAGED_TEMP.match(entry.name)
        if m and m.group("name") in known and entry.is_file(follow_symlinks=False):
            try:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            except FileNotFoundError:
                pass
    return removed


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_all(out: Path, payloads: Mapping[str, bytes]) -> dict[str, Path]:
    """Stage every payload, then move them all into place."""
    out.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for name, data in payloads.items():
            staged.append(_stage(out / name, data))
    except BaseException:
        for tmp, _ in staged:
            _unlink(tmp)
        raise
    _commit(staged)
    return {name: out / name for name in payloads}

