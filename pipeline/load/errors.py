"""The one exception the loaders raise.

Every :class:`LoadError` has a short stable :attr:`~LoadError.code` that callers
may switch on, the :attr:`~LoadError.path` of the file, and a one-line message
that names the file, says what is wrong and what to do about it::

    >>> str(LoadError("empty", Path("a.txt"), "the file is empty", "check the download"))
    'a.txt: the file is empty; check the download'
"""
from __future__ import annotations

from pathlib import Path

#: The codes a :class:`LoadError` can carry.
CODES = frozenset({
    "not_found",     # no such file / not a regular file / unreadable
    "empty",         # no bytes, or no text at all
    "corrupt",       # truncated or damaged container (zip, PDF, OLE)
    "encrypted",     # needs a password
    "too_large",     # over max_bytes
    "zip_bomb",      # a zip that would expand far beyond max_bytes
    "unsupported",   # a format we do not read (spreadsheet, image, binary data ...)
    "missing_tool",  # a system program (tesseract, antiword) is not installed
})


class LoadError(Exception):
    """A document could not be loaded.

    ``code`` is one of :data:`CODES`; ``str(e)`` is ``"<path>: <problem>; <advice>"``.
    """

    def __init__(self, code: str, path: Path | str, problem: str, advice: str = "") -> None:
        if code not in CODES:  # pragma: no cover - programming error
            raise ValueError(f"unknown LoadError code {code!r}")
        self.code = code
        self.path = Path(path)
        self.problem = problem
        self.advice = advice
        message = f"{self.path}: {problem}"
        if advice:
            message += f"; {advice}"
        super().__init__(message)

    def __reduce__(self) -> tuple[type[LoadError], tuple[str, Path, str, str]]:  # keep pickling (multiprocessing) working
        return (type(self), (self.code, self.path, self.problem, self.advice))
