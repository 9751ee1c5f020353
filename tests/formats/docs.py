"""Word 97-2003 ``.doc`` renderings of the corpus and of the table-form plan.

Only LibreOffice writes ``.doc``.  When it is installed (``soffice``), the
tests convert their own .docx renderings in one LibreOffice run (about 3 s).
Without it they use the copies committed in ``tests/formats/data/``, which
this module regenerates (run from the repository root, with LibreOffice:
``apt-get install libreoffice-writer-nogui``)::

    python -m tests.formats.docs

``data/MANIFEST.json`` records the SHA-256 of the text each committed file
was rendered from, so a stale copy (the corpus or the renderer changed) is
noticed instead of silently tested.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

from . import render
from .table_plan import table_plan

DATA = Path(__file__).parent / "data"
MANIFEST = DATA / "MANIFEST.json"
#: Bump when the .doc renderings change for a reason other than their text.
RENDER_VERSION = 1


def sources() -> dict[str, tuple[render.Plan, str]]:
    """``name -> (plan, legacy)`` of every .doc the tests use: each corpus
    document typed with its labels, the same typed in TCVN3 (``.VnTime``),
    and the table-form plan."""
    out: dict[str, tuple[render.Plan, str]] = {}
    for src in sorted(render.CORPUS.glob("*.txt")):
        out[src.stem] = (render.read_plan(src), "")
        out[f"{src.stem}.tcvn3"] = (render.read_plan(src), "tcvn3")
    out["table_plan"] = (table_plan(), "")
    return out


def fingerprint(plan: render.Plan, legacy: str) -> str:
    h = hashlib.sha256(f"{RENDER_VERSION}|{legacy}|".encode())
    h.update(repr(plan.blocks).encode("utf-8"))
    return h.hexdigest()


def render_docs(outdir: Path) -> dict[str, Path]:
    """Render every .doc with LibreOffice into ``outdir``."""
    outdir.mkdir(parents=True, exist_ok=True)
    work = outdir / "docx-sources"
    work.mkdir(exist_ok=True)
    docx_files, tcvn3 = [], {}
    for name, (plan, legacy) in sources().items():
        path = work / f"{name}.docx"
        if legacy == "tcvn3":
            render.to_tcvn3_docx(plan, path)
            tcvn3[name] = plan
        else:
            render.to_docx(plan, path, numbering=False)   # .doc readers lose Word's list numbering
        docx_files.append(path)
    docs = render.docx_to_doc(docx_files, outdir, tcvn3_plans=tcvn3)
    return {p.stem: p for p in docs}


def committed_docs() -> tuple[dict[str, Path], list[str]]:
    """The committed copies, and the names that are missing or stale."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8")) if MANIFEST.exists() else {}
    found, stale = {}, []
    for name, (plan, legacy) in sources().items():
        path = DATA / f"{name}.doc"
        if not path.exists() or manifest.get(name) != fingerprint(plan, legacy):
            stale.append(name)
        else:
            found[name] = path
    return found, stale


def main() -> None:  # pragma: no cover - run by a developer with LibreOffice
    if render.soffice() is None:
        sys.exit("needs LibreOffice: apt-get install libreoffice-writer-nogui")
    tmp = DATA / ".render"
    docs = render_docs(tmp)
    manifest = {}
    for name, (plan, legacy) in sources().items():
        shutil.copyfile(docs[name], DATA / f"{name}.doc")
        manifest[name] = fingerprint(plan, legacy)
    shutil.rmtree(tmp)
    for old in DATA.glob("*.doc"):
        if old.stem not in manifest:
            old.unlink()
    MANIFEST.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(manifest)} .doc files and {MANIFEST}")


if __name__ == "__main__":
    main()
