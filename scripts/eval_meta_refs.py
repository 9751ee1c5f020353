"""Score document fields and references (metadata + references extractors only)
against the gold sets: ``python scripts/eval_meta_refs.py [--verbose]``."""
from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path

from pipeline.evaluate import evaluate
from pipeline.extractors.metadata import extract_metadata
from pipeline.extractors.references import Place, extract_references
from pipeline.segment import segment
from pipeline.text import prepare

SHARED = Path(__file__).resolve().parents[2] / "shared"
SETS = [(SHARED / "corpus", SHARED / "gold"), (SHARED / "corpus-extra", SHARED / "gold-extra")]


def records() -> list[dict]:
    out = []
    for corpus, _ in SETS:
        for path in sorted(corpus.glob("*.txt")):
            prep = prepare(path.read_text(encoding="utf-8"))
            seg = segment(prep.flow)
            meta = extract_metadata(prep, seg)
            refs = extract_references(prep, seg, meta.number, Place(meta.province, meta.district))
            rec = {k: v for k, v in asdict(meta).items() if k != "warnings"}
            rec.update(doc_id=path.stem, warnings=list(meta.warnings), targets=[],
                       references=[asdict(r) for r in refs])
            out.append(rec)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    report = evaluate(records(), [g for _, g in SETS if g.is_dir()])
    text = report.format(verbose=args.verbose)
    # only fields and references are ours: drop the target lines
    sys.stdout.write("\n".join(l for l in text.splitlines()
                               if not l.lstrip().startswith(("targets", "target miss", "target extra"))) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
