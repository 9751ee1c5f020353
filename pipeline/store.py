"""The record store: finished documents kept in SQLite so a rerun does not redo them.

``chitieu extract`` keeps one row per input file in ``<out>/chitieu.sqlite``.
A row is reused when all three of these are unchanged:

* ``source``: the path as given on the command line.  A record names its
  file (``doc_id``, ``source``, and the messages of a bad file), so the same
  bytes under another name make another record;
* ``sha256``: the file's bytes;
* ``fingerprint``: everything else that decides what is extracted
  (:func:`fingerprint`): every file under ``rules/``, the source of the
  ``pipeline`` package, its version, the versions of the libraries that read
  and tag the text, and ``--max-bytes``.

The value is the record serialised (:func:`to_payload`): ``rec.to_json()``
plus ``rec.side_json()`` (the document text, its format, the error code and
message) and ``rec.extra``, enough to write every output file again.  :func:`from_payload`
rebuilds an equal :class:`~pipeline.models.DocumentRecord`.

Each document is committed on its own as soon as it is finished.  The
database runs in WAL mode, so a run that is interrupted (Ctrl-C, ``kill -9``,
a power cut after the last checkpoint aside) keeps every document committed
before it stopped, and a reader never sees a half-written row.  The file is
created only when the first row is written.

Only the standard library is imported here.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypedDict
from collections.abc import Iterable, Iterator

if TYPE_CHECKING:
    from .models import DocumentRecord

__all__ = ["STORE_NAME", "SCHEMA_VERSION", "Store", "StoreError", "fingerprint", "to_payload",
           "from_payload", "NOT_STORED_ERRORS", "CORRECTION_COLUMNS", "Correction"]

#: The store's file name inside the output folder.
STORE_NAME = "chitieu.sqlite"
#: Bumped when the table or the payload changes shape; older stores are emptied.
SCHEMA_VERSION = 1

#: Error codes that are not stored, so the next run tries the file again:
#: a crash or a bug may be gone next time, a file over its time or memory
#: budget may fit a larger one (or a less busy machine), and an unreadable
#: file has no known bytes to key it by.
NOT_STORED_ERRORS = frozenset({"internal_error", "worker_crashed", "unreadable", "timeout", "out_of_memory"})

#: Libraries whose version can change what is extracted (text loading,
#: sentence splitting, tokenisation, the gazetteer).
_LIBRARIES = ("spacy", "underthesea", "pyvi", "regex", "pdfplumber", "pdfminer.six", "pypdfium2",
              "python-docx", "trafilatura", "vietnamadminunits", "pyyaml")

_PACKAGE_DIR = Path(__file__).resolve().parent


# --------------------------------------------------------------------------
# Fingerprint
# --------------------------------------------------------------------------

def tree_files(root: Path) -> list[Path]:
    """Every file under ``root`` but ``__pycache__`` and compiled files, in a
    fixed order (by relative path): what :func:`fingerprint` hashes."""
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        files.extend(Path(dirpath, n) for n in filenames if not n.endswith((".pyc", ".pyo")))
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def _hash_tree(h: hashlib._Hash, root: Path, label: str) -> None:
    """Feed every file under ``root`` (relative path and bytes) into ``h``,
    in a fixed order; ``__pycache__`` and compiled files are skipped."""
    h.update(f"[{label}]\n".encode())
    if not root.is_dir():
        h.update(b"<missing>\n")
        return
    for path in tree_files(root):
        data = path.read_bytes()
        h.update(f"{path.relative_to(root).as_posix()}\0{len(data)}\0".encode())
        h.update(data)


def _versions(names: Iterable[str]) -> str:
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for name in names:
        try:
            out.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            out.append(f"{name}=-")
    return ";".join(out)


def fingerprint(max_bytes: int, *, rules_dir: Path | None = None,
                package_dir: Path | None = None) -> str:
    """A hex digest of everything besides the file's bytes that decides its record.

    ``rules_dir`` defaults to :data:`pipeline.rules.RULES_DIR` (read when
    called), ``package_dir`` to the ``pipeline`` package.  Hashing both
    takes a few milliseconds, so it is recomputed for every run.
    """
    if rules_dir is None:
        from . import rules
        rules_dir = rules.RULES_DIR
    h = hashlib.sha256()
    h.update(f"chitieu-store {SCHEMA_VERSION}\nmax_bytes {int(max_bytes)}\n".encode())
    h.update(_versions(("chitieu",) + _LIBRARIES).encode() + b"\n")
    _hash_tree(h, Path(rules_dir), "rules")
    _hash_tree(h, Path(package_dir) if package_dir is not None else _PACKAGE_DIR, "pipeline")
    return h.hexdigest()


# --------------------------------------------------------------------------
# Records <-> JSON
# --------------------------------------------------------------------------

def to_payload(rec: DocumentRecord) -> str:
    """``rec`` as one JSON text: ``{"record": rec.to_json(), "side": rec.side_json(),
    "extra": rec.extra}`` (the SCHEMA.md record with each table target's cell,
    the text, format and error beside it, and the caller's free-form values).

    ``extra`` values that JSON cannot hold are dropped (none of the
    pipeline's are).
    """
    extra: dict[str, Any] = {}
    for key, value in rec.extra.items():
        try:
            json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            continue
        extra[key] = value
    return json.dumps({"record": rec.to_json(with_cells=True), "side": rec.side_json(), "extra": extra},
                      ensure_ascii=False, separators=(",", ":"))


def from_payload(payload: str) -> DocumentRecord:
    """The :class:`DocumentRecord` that :func:`to_payload` wrote.

    ``from_payload(to_payload(r))`` equals ``r`` (numbers that ``to_json``
    writes as ``60`` come back as ``60.0``, as the extractor made them).  A
    row of an earlier version, with the text, format and error in ``extra``,
    reads the same (:func:`~pipeline.outputs.records.from_json` takes them
    from there).
    """
    from .outputs.records import from_json

    data = json.loads(payload)
    return from_json({**data["record"], **(data.get("side") or {}), "extra": data.get("extra") or {}})


# --------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    source      TEXT PRIMARY KEY,
    sha256      TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    doc_id      TEXT NOT NULL,
    payload     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS corrections (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256      TEXT NOT NULL,
    doc_id      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    ident       TEXT NOT NULL,
    span_start  INTEGER,
    span_end    INTEGER,
    span_text   TEXT,
    action      TEXT NOT NULL,
    original    TEXT,
    fields      TEXT,
    who         TEXT NOT NULL,
    created     TEXT NOT NULL,
    updated     TEXT NOT NULL,
    UNIQUE (sha256, kind, ident)
);
-- size and modification time of a file when its record was stored (engines that
-- must not read file bytes on the client: pipeline.engines.dask)
CREATE TABLE IF NOT EXISTS file_stats (
    source  TEXT PRIMARY KEY,
    size    INTEGER NOT NULL,
    mtime   TEXT NOT NULL,
    sha256  TEXT NOT NULL
);
"""

#: Columns of a correction row, in table order (see :meth:`Store.corrections`).
CORRECTION_COLUMNS = ("id", "sha256", "doc_id", "kind", "ident", "span_start", "span_end", "span_text",
                      "action", "original", "fields", "who", "created", "updated")


class Correction(TypedDict):
    """One row of the ``corrections`` table, ``original`` and ``fields`` JSON decoded
    (what each kind of correction holds: :mod:`pipeline.review.corrections`)."""

    id: int
    sha256: str
    doc_id: str
    kind: str                  # target, fact, doc
    ident: str                 # what it corrects: a target's span and snapshot, a fact's name, "status"
    span_start: int | None     # the value's span in the document text (targets)
    span_end: int | None
    span_text: str | None
    action: str                # accept, edit, reject, add; set (facts); reviewed; undone
    original: dict[str, Any] | None
    fields: dict[str, Any] | None
    who: str
    created: str
    updated: str


class StoreError(Exception):
    """The store cannot be opened, read or written (a read-only folder, a full
    disk, a damaged file).  The message names the file and what failed.  When
    the failing run had created the file, it has been removed."""


class Store:
    """The records of one output folder, in ``<folder>/chitieu.sqlite``.

    >>> import tempfile, pathlib
    >>> from pipeline.models import DocumentRecord
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with Store(d / STORE_NAME) as s:
    ...     s.get("a.txt", "ab12", "fp") is None, (d / STORE_NAME).exists()
    ...     s.put(DocumentRecord("a", "a.txt", "ab12"), "fp")
    ...     s.get("a.txt", "ab12", "fp").doc_id, s.get("a.txt", "ab12", "other fp")
    (True, False)
    True
    ('a', None)
    """

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._db: sqlite3.Connection | None = None
        self._created = False  # this object made the file (so a failed write removes it)

    # -- connection -----------------------------------------------------

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if self._db is not None:
            return self._db
        if not create and not self.path.exists():
            return None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._created = not self.path.exists()
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)  # autocommit; explicit BEGIN
        except (OSError, sqlite3.Error) as exc:
            self._fail(exc)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # WAL: a commit survives a killed process
            db.executescript(_SCHEMA)
            row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None or row[0] != str(SCHEMA_VERSION):
                db.execute("BEGIN IMMEDIATE")
                db.execute("DELETE FROM records")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
                db.execute("COMMIT")
        except sqlite3.Error as exc:
            db.close()
            self._fail(exc)
        self._db = db
        return db

    def _fail(self, exc: BaseException) -> NoReturn:
        """Close, remove the file if this object created it, raise :class:`StoreError`."""
        self.close()
        if self._created:
            for suffix in ("", "-wal", "-shm", "-journal"):
                try:
                    os.unlink(f"{self.path}{suffix}")
                except OSError:
                    pass
            self._created = False
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise StoreError(f"cannot write the store {self.path}: {reason}") from exc

    def close(self) -> None:
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:  # pragma: no cover - closing after a failed write
                pass
            self._db = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- rows -------------------------------------------------------------

    def get_payload(self, source: str, sha256: str, fp: str) -> str | None:
        """The stored payload for this file, bytes and fingerprint, or ``None``."""
        db = self._connect(create=False)
        if db is None or not sha256:
            return None
        try:
            row = db.execute("SELECT payload FROM records WHERE source=? AND sha256=? AND fingerprint=?",
                             (source, sha256, fp)).fetchone()
        except sqlite3.Error as exc:
            self._fail(exc)
        return None if row is None else row[0]

    def get(self, source: str, sha256: str, fp: str) -> DocumentRecord | None:
        payload = self.get_payload(source, sha256, fp)
        return None if payload is None else from_payload(payload)

    def put_payload(self, source: str, sha256: str, fp: str, doc_id: str, payload: str) -> None:
        """Store (replacing any older row for ``source``) and commit at once."""
        db = self._connect(create=True)
        assert db is not None
        try:
            db.execute("INSERT OR REPLACE INTO records (source, sha256, fingerprint, doc_id, payload) "
                       "VALUES (?, ?, ?, ?, ?)", (source, sha256, fp, doc_id, payload))
        except sqlite3.Error as exc:
            self._fail(exc)

    def put(self, rec: DocumentRecord, fp: str) -> bool:
        """Store ``rec`` under its own ``source`` and ``sha256``; ``False`` (not
        stored) for an error in :data:`NOT_STORED_ERRORS` or an unknown sha256."""
        if not storable(rec):
            return False
        self.put_payload(rec.source, rec.sha256, fp, rec.doc_id, to_payload(rec))
        return True

    def get_by_stat(self, source: str, size: int, mtime: str, fp: str) -> tuple[str, str] | None:
        """``(sha256, payload)`` of the row for ``source`` and ``fp`` when the file
        still has the size and modification time recorded with it
        (:meth:`put_stat`), else ``None``: reuse without reading the file."""
        db = self._connect(create=False)
        if db is None:
            return None
        try:
            row = db.execute("SELECT r.sha256, r.payload FROM records r JOIN file_stats s "
                             "ON s.source = r.source AND s.sha256 = r.sha256 "
                             "WHERE r.source=? AND r.fingerprint=? AND s.size=? AND s.mtime=?",
                             (source, fp, int(size), str(mtime))).fetchone()
        except sqlite3.Error as exc:
            self._fail(exc)
        return None if row is None else (row[0], row[1])

    def stored_sha256(self, source: str, fp: str) -> str | None:
        """The sha256 of the row kept for ``source`` under ``fp``, if any."""
        db = self._connect(create=False)
        if db is None:
            return None
        try:
            row = db.execute("SELECT sha256 FROM records WHERE source=? AND fingerprint=?",
                             (source, fp)).fetchone()
        except sqlite3.Error as exc:
            self._fail(exc)
        return None if row is None else row[0]

    def put_stat(self, source: str, size: int, mtime: str, sha256: str) -> None:
        """Record the size and modification time at which ``source`` had ``sha256``."""
        db = self._connect(create=True)
        assert db is not None
        try:
            db.execute("INSERT OR REPLACE INTO file_stats (source, size, mtime, sha256) VALUES (?, ?, ?, ?)",
                       (source, int(size), str(mtime), sha256))
        except sqlite3.Error as exc:
            self._fail(exc)

    def __len__(self) -> int:
        db = self._connect(create=False)
        return 0 if db is None else db.execute("SELECT COUNT(*) FROM records").fetchone()[0]

    def payloads(self) -> Iterator[tuple[str, str, str]]:
        """``(source, sha256, payload)`` of every stored record, by source."""
        db = self._connect(create=False)
        if db is not None:
            yield from db.execute("SELECT source, sha256, payload FROM records ORDER BY source")

    def payload_of(self, source: str, sha256: str) -> str | None:
        """The stored payload for this file and bytes, whatever rules made it."""
        db = self._connect(create=False)
        if db is None or not sha256:
            return None
        row = db.execute("SELECT payload FROM records WHERE source=? AND sha256=?", (source, sha256)).fetchone()
        return None if row is None else row[0]

    # -- corrections (pipeline.review) --------------------------------------
    # An analyst's corrections, kept apart from the records so that they
    # survive reruns, ``--force`` and a schema change of the records.  A row
    # is keyed by the file's bytes (``sha256``), its ``kind`` (``target``,
    # ``fact``, ``doc``) and ``ident`` (what it corrects: the value's span
    # and the extracted target, a fact's name); the span and the text there
    # are kept in their own columns.  ``original`` and ``fields`` are JSON.

    def corrections(self, sha256: str | None = None) -> list[Correction]:
        """Correction rows (:class:`Correction`: :data:`CORRECTION_COLUMNS`, JSON decoded), by id."""
        db = self._connect(create=False)
        if db is None:
            return []
        sql = f"SELECT {', '.join(CORRECTION_COLUMNS)} FROM corrections"
        rows = (db.execute(sql + " WHERE sha256=? ORDER BY id", (sha256,)) if sha256 is not None
                else db.execute(sql + " ORDER BY id"))
        out: list[Correction] = []
        for (id_, sha, doc_id, kind, ident, span_start, span_end, span_text, action, original, fields, who,
             created, updated) in rows:
            out.append(Correction(id=id_, sha256=sha, doc_id=doc_id, kind=kind, ident=ident, span_start=span_start,
                                  span_end=span_end, span_text=span_text, action=action,
                                  original=None if original is None else json.loads(original),
                                  fields=None if fields is None else json.loads(fields),
                                  who=who, created=created, updated=updated))
        return out

    def put_correction(self, *, sha256: str, doc_id: str, kind: str, ident: str, action: str, who: str,
                       span: tuple[int, int, str] | None = None, original: dict[str, Any] | None = None,
                       fields: dict[str, Any] | None = None, when: str | None = None) -> int:
        """Insert or replace (same ``sha256``, ``kind``, ``ident``) one correction,
        committed at once; its id.  ``created`` is kept when it is replaced."""
        import time as _time

        when = when or _time.strftime("%Y-%m-%dT%H:%M:%SZ", _time.gmtime())
        db = self._connect(create=True)
        assert db is not None
        start, end, text = span if span is not None else (None, None, None)
        try:
            db.execute(
                "INSERT INTO corrections (sha256, doc_id, kind, ident, span_start, span_end, span_text, action, "
                "original, fields, who, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (sha256, kind, ident) DO UPDATE SET action=excluded.action, "
                "fields=excluded.fields, who=excluded.who, updated=excluded.updated, doc_id=excluded.doc_id",
                (sha256, doc_id, kind, ident, start, end, text, action,
                 None if original is None else json.dumps(original, ensure_ascii=False, sort_keys=True),
                 None if fields is None else json.dumps(fields, ensure_ascii=False, sort_keys=True),
                 who, when, when))
            row = db.execute("SELECT id FROM corrections WHERE sha256=? AND kind=? AND ident=?",
                             (sha256, kind, ident)).fetchone()
        except sqlite3.Error as exc:
            self._fail(exc)
        return int(row[0])

    def has_corrections(self) -> bool:
        db = self._connect(create=False)
        return db is not None and db.execute("SELECT 1 FROM corrections LIMIT 1").fetchone() is not None

    def sources(self) -> Iterator[str]:
        db = self._connect(create=False)
        if db is not None:
            yield from (r[0] for r in db.execute("SELECT source FROM records ORDER BY source"))


def storable(rec: DocumentRecord) -> bool:
    """Whether ``rec`` may be kept for the next run."""
    return bool(rec.sha256) and (rec.error is None or rec.error.code not in NOT_STORED_ERRORS)
