"""The recorded output digest: what ``chitieu extract`` writes for the corpus
and for ``../shared/corpus-extra*`` (``$CHITIEU_SHARED`` if set), one hash per output file.

A restructuring or a speed change must leave every output as it was; only a
deliberate output change (accuracy, a new field, a format fix) refreshes the
record, in its own commit that says why::

    .venv/bin/python tests/digest.py            # compare, print what changed
    .venv/bin/python tests/digest.py --refresh  # rewrite tests/digest.json

Text files are hashed by their bytes; XLSX and Parquet by their cell values
(their containers carry timestamps and library versions).  The store
(``chitieu.sqlite``) and the log are not outputs and are left out.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CHITIEU_SHARED", ROOT.parent / "shared"))
RECORD = Path(__file__).with_name("digest.json")

#: set name -> folder; a set whose folder is absent is skipped (not failed).
SETS = {
    "corpus": ROOT / "corpus",
    "corpus-extra": SHARED / "corpus-extra",
    "corpus-extra2": SHARED / "corpus-extra2",
}
NOT_OUTPUTS = {"chitieu.sqlite", "chitieu.sqlite-wal", "chitieu.sqlite-shm", "chitieu.log"}


def _hash_xlsx(path: Path) -> str:
    import openpyxl

    h = hashlib.sha256()
    wb = openpyxl.load_workbook(path, read_only=True)
    for ws in wb.worksheets:
        h.update(f"sheet {ws.title}\n".encode())
        for row in ws.iter_rows(values_only=True):
            h.update((repr(row) + "\n").encode())
    return h.hexdigest()


def _hash_parquet(path: Path) -> str:
    import pandas as pd

    frame = pd.read_parquet(path)
    csv = frame.to_csv(index=False, lineterminator="\n")
    return hashlib.sha256(f"{list(frame.dtypes.astype(str))}\n{csv}".encode()).hexdigest()


def hash_output(path: Path) -> str:
    if path.suffix == ".xlsx":
        return _hash_xlsx(path)
    if path.suffix == ".parquet":
        return _hash_parquet(path)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def digest_of(folder: Path) -> dict[str, str]:
    """Extract ``folder`` in a fresh process and hash every output file."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        # The path as given lands in the outputs (`source`): keep it relative to
        # the clone, so the record holds wherever the clone and ../shared are.
        given = os.path.relpath(folder, ROOT)
        run = subprocess.run([sys.executable, "-m", "pipeline", "extract", given,
                              "--out", str(out), "--quiet"],
                             capture_output=True, text=True, cwd=ROOT, timeout=1200)
        if run.returncode not in (0, 1):
            raise RuntimeError(f"chitieu extract {folder} exited {run.returncode}:\n{run.stderr[-3000:]}")
        return {p.relative_to(out).as_posix(): hash_output(p)
                for p in sorted(out.rglob("*")) if p.is_file() and p.name not in NOT_OUTPUTS}


def available_sets() -> dict[str, Path]:
    return {name: folder for name, folder in SETS.items() if folder.is_dir()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--refresh", action="store_true", help="rewrite tests/digest.json")
    args = ap.parse_args(argv)
    recorded = json.loads(RECORD.read_text()) if RECORD.exists() else {}
    now = {name: digest_of(folder) for name, folder in available_sets().items()}
    changed = [(name, f) for name in now for f in sorted(set(now[name]) | set(recorded.get(name, {})))
               if now[name].get(f) != recorded.get(name, {}).get(f)]
    for name, f in changed:
        print(f"changed: {name}/{f}")
    if args.refresh:
        recorded.update(now)
        RECORD.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")
        print(f"wrote {RECORD.relative_to(ROOT)} ({', '.join(now)})")
        return 0
    for name in sorted(SETS.keys() - now.keys()):
        print(f"not checked: {name} ({SETS[name]} not found; set CHITIEU_SHARED to the shared folder)")
    checked = ", ".join(now)
    print(f"outputs as recorded ({checked})" if not changed
          else f"{len(changed)} output(s) differ from the record ({checked})")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
