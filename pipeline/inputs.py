"""Finding the input files: folders searched recursively for the formats
:mod:`pipeline.load` reads, and what a search left out, and why."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterable, Sequence

from .runs import UsageError

log = logging.getLogger("chitieu")


def supported_suffixes() -> frozenset[str]:
    from .load import SUPPORTED_SUFFIXES
    return frozenset(SUPPORTED_SUFFIXES)


def _skipped_name(name: str) -> bool:
    """Hidden files and folders, and Office lock files (``~$plan.docx``)."""
    return name.startswith(".") or name.startswith("~$")


@dataclass(frozen=True)
class Skipped:
    """An entry of a searched folder that is not read, and why (a short reason
    that groups entries: ``extension .xlsx``, ``hidden``, ``symlink loop`` …)."""

    path: Path
    reason: str
    detail: str = ""


def _skip_reason(name: str) -> str:
    return "Office lock file" if name.startswith("~$") else "hidden"


def _search(root: Path, wanted: frozenset[str], skipped: list[Skipped]) -> list[Path]:
    """Supported files under ``root``, following symlinked folders once each.

    Real folders are searched before symlinked ones, so a link back into the
    tree (or to a folder already searched, or to an ancestor: a loop) is
    reported and not searched again.
    """
    found: list[Path] = []
    seen: dict[tuple[int, int], Path] = {}
    real: list[Path] = [root]
    linked: list[Path] = []
    while real or linked:
        folder = real.pop() if real else linked.pop(0)
        try:
            st = os.stat(folder)
        except OSError as exc:
            skipped.append(Skipped(folder, "unreadable folder", exc.strerror or str(exc)))
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen:
            first = seen[key]
            loop = folder.as_posix().startswith(first.as_posix().rstrip("/") + "/")  # walked from inside it
            skipped.append(Skipped(folder, "symlink loop" if loop else "folder already searched",
                                   f"links to {first}"))
            continue
        seen[key] = folder
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            skipped.append(Skipped(folder, "unreadable folder", exc.strerror or str(exc)))
            continue
        subfolders: list[Path] = []
        for e in entries:
            path = Path(e.path)
            if _skipped_name(e.name):
                skipped.append(Skipped(path, _skip_reason(e.name)))
                continue
            try:
                is_dir = e.is_dir()
                is_file = not is_dir and e.is_file()
                is_link = e.is_symlink()
            except OSError as exc:
                skipped.append(Skipped(path, "unreadable entry", exc.strerror or str(exc)))
                continue
            if is_dir:
                (linked if is_link else subfolders).append(path)
            elif is_file:
                suffix = path.suffix.lower()
                if suffix in wanted:
                    found.append(path)
                else:
                    skipped.append(Skipped(path, f"extension {suffix} not read" if suffix else "no extension"))
            elif is_link:
                skipped.append(Skipped(path, "broken symlink", f"points to {os.readlink(path)}"))
            else:
                skipped.append(Skipped(path, "not a regular file"))
        real.extend(reversed(subfolders))
    return sorted(found, key=lambda p: p.as_posix())


def find_inputs(paths: Sequence[Path | str], suffixes: Iterable[str] | None = None,
                skipped: list[Skipped] | None = None) -> list[Path]:
    """The files to read for the ``paths`` given on the command line.

    A file is taken as named, whatever its extension (the loader decides by
    content).  A folder is searched recursively for files whose extension is
    supported, skipping hidden entries and Office lock files and following
    symlinked folders (each folder is searched once: a link loop ends there);
    each folder's files come sorted.  A file named twice is read once.  What
    a folder search leaves out is appended to ``skipped`` (see
    :func:`report_skipped`).  Raises :class:`UsageError` for a path that does
    not exist.
    """
    wanted = frozenset(s.lower() for s in (supported_suffixes() if suffixes is None else suffixes))
    skipped = [] if skipped is None else skipped
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(_search(path, wanted, skipped))
        elif path.exists():
            found.append(path)
        else:
            raise UsageError(f"{raw}: no such file or folder")
    unique: dict[str, Path] = {}
    for p in found:
        first = unique.setdefault(os.path.realpath(p), p)
        if first is not p and first != p:
            skipped.append(Skipped(p, "same file found twice", f"read as {first}"))
    return list(unique.values())


#: Reasons a user expects (not worth a warning): hidden entries and lock files.
_QUIET_REASONS = frozenset({"hidden", "Office lock file"})


_LIST_AT_MOST = 10


def report_skipped(skipped: Sequence[Skipped], logger: logging.Logger = log) -> list[str]:
    """Say what a folder search left out: one summary line counting the
    reasons (a warning when a document may have been missed: an extension not
    read, a loop, an unreadable folder), then one line per entry: the first
    few of each reason at INFO, all of them at DEBUG (``--verbose``).

    Returns the summary and every entry's line, for a log file.
    """
    if not skipped:
        return []
    counts: dict[str, int] = {}
    for s in skipped:
        counts[s.reason] = counts.get(s.reason, 0) + 1
    order = sorted(counts, key=lambda r: (r in _QUIET_REASONS, -counts[r], r))
    summary = ", ".join(f"{counts[r]} {r}" for r in order)
    n = len(skipped)
    level = logging.INFO if all(r in _QUIET_REASONS for r in counts) else logging.WARNING
    head = (f"skipped {n} entr{'y' if n == 1 else 'ies'} of the folders searched "
            f"(not read, not in errors.csv): {summary}")
    logger.log(level, "%s", head)
    lines = [head]
    shown: dict[str, int] = {}
    for s in skipped:
        shown[s.reason] = shown.get(s.reason, 0) + 1
        quiet = s.reason in _QUIET_REASONS or shown[s.reason] > _LIST_AT_MOST
        line = f"skipped {s.path}: {s.reason}" + (f" ({s.detail})" if s.detail else "")
        logger.log(logging.DEBUG if quiet else logging.INFO, "%s", line)
        lines.append(line)
    hidden = sum(max(0, c - _LIST_AT_MOST) for r, c in counts.items() if r not in _QUIET_REASONS)
    if hidden and not logger.isEnabledFor(logging.DEBUG):
        logger.info("... and %d more skipped entr%s (--verbose lists them all)", hidden,
                    "y" if hidden == 1 else "ies")
    return lines
