"""Reading outputs and gold files, :func:`evaluate`, and the ``chitieu eval`` command."""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any
from collections.abc import Mapping, Sequence

from .scores import score_document
from .summary import EvalReport, SetScores


# --------------------------------------------------------------------------
# Loading and the entry point
# --------------------------------------------------------------------------

def read_output(source: Path | str | Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Output records from a JSONL file, or a list of dicts as given."""
    if isinstance(source, (str, Path)):
        records: list[Mapping[str, Any]] = []
        with open(source, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{source}:{lineno}: not JSON: {exc}") from exc
                if not isinstance(obj, dict):
                    raise ValueError(f"{source}:{lineno}: not a JSON object")
                records.append(obj)
        return records
    return list(source)


def read_gold_dir(directory: Path) -> dict[str, dict[str, Any]]:
    """Gold records of a directory, keyed by file stem (== doc_id)."""
    if not directory.is_dir():
        raise FileNotFoundError(f"gold directory not found: {directory}")
    gold: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.json")):
        with open(path, encoding="utf-8") as fh:
            gold[path.stem] = json.load(fh)
    return gold


def _set_names(dirs: Sequence[Path]) -> list[str]:
    """Set names: a directory's name; a name already taken gets its parent
    folder in front (``fullplans/gold`` after ``gold``), then ``#2``, ``#3`` …"""
    names: list[str] = []
    for d in dirs:
        path = d.resolve()
        base = path.name or str(d)
        if base in names and path.parent.name:
            base = f"{path.parent.name}/{base}"
        name, n = base, 1
        while name in names:
            n += 1
            name = f"{base}#{n}"
        names.append(name)
    return names


#: A gold directory argument with its group: ``tune=../shared/gold``.
_GROUPED = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)=(.+)$")


def parse_gold_arg(arg: str | Path) -> tuple[str | None, Path]:
    """(group, directory) of a ``GOLD_DIR`` argument: ``tune=../shared/gold``
    names the group, a plain path has none (a path that exists is taken as
    it is, even with a ``=`` in it).

    >>> parse_gold_arg("check=../shared/gold-extra2")
    ('check', PosixPath('../shared/gold-extra2'))
    >>> parse_gold_arg("../shared/gold")
    (None, PosixPath('../shared/gold'))
    """
    text = str(arg)
    m = _GROUPED.match(text)
    if m and not Path(text).exists():
        return m.group(1).lower(), Path(m.group(2))
    return None, Path(text)


def evaluate(
    output_jsonl: Path | str | Sequence[Mapping[str, Any]],
    gold_dirs: Sequence[Path | str],
    groups: Sequence[str | None] | None = None,
) -> EvalReport:
    """Score extracted records against one or more gold directories.

    ``output_jsonl`` is a ``documents.jsonl`` path or a list of record dicts.
    Each gold directory is one set, scored on its own.  ``groups`` (one per
    gold directory, or ``None``) puts each set in a group — ``tune`` for the
    texts rules are written from, ``check`` for those only measured — and
    each group is pooled on its own instead of all sets together.  A string
    ``GROUP=DIR`` in ``gold_dirs`` names the group too (:func:`parse_gold_arg`).
    See the module docstring for the scoring rules.
    """
    records = read_output(output_jsonl)
    warnings: list[str] = []
    by_id: dict[str, Mapping[str, Any]] = {}
    for i, rec in enumerate(records):
        doc_id = rec.get("doc_id")
        if not isinstance(doc_id, str):
            raise ValueError(f"output record {i + 1} has no doc_id")
        if doc_id in by_id:
            warnings.append(f"output has doc_id {doc_id!r} more than once; the last one is scored")
        by_id[doc_id] = rec

    parsed = [parse_gold_arg(d) if isinstance(d, str) else (None, Path(d)) for d in gold_dirs]
    dirs = [d for _, d in parsed]
    if groups is None:
        set_groups = [g for g, _ in parsed]
    else:
        if len(groups) != len(dirs):
            raise ValueError(f"{len(groups)} groups for {len(dirs)} gold directories")
        set_groups = [g if g is not None else p for g, (p, _) in zip(groups, parsed, strict=True)]
    sets: list[SetScores] = []
    all_gold_ids: set[str] = set()
    for name, directory, group in zip(_set_names(dirs), dirs, set_groups, strict=True):
        gold = read_gold_dir(directory)
        docs = []
        for doc_id, gold_rec in gold.items():
            inner = gold_rec.get("doc_id")
            if inner is not None and inner != doc_id:
                warnings.append(f"{name}/{doc_id}.json says doc_id {inner!r}; paired by file name")
            docs.append(score_document(name, doc_id, gold_rec, by_id.get(doc_id)))
        all_gold_ids.update(gold)
        sets.append(SetScores(name, (str(directory),), tuple(docs), group=group))

    without_gold = tuple(sorted(i for i in by_id if i not in all_gold_ids))
    return EvalReport(tuple(sets), len(records), without_gold, tuple(warnings))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chitieu eval",
        description="Score documents.jsonl against gold annotation directories.",
    )
    parser.add_argument("output_jsonl", type=Path, metavar="OUTPUT_JSONL",
                        help="the extractor's documents.jsonl")
    parser.add_argument("gold_dirs", nargs="+", metavar="[GROUP=]GOLD_DIR",
                        help="directories of <doc_id>.json gold files; each is scored as a set. "
                        "GROUP= puts the set in a group (tune=../shared/gold check=../shared/gold-extra2): "
                        "each group is pooled apart and the report ends with a table of strict and "
                        "loose F1 per set and per group")
    parser.add_argument("--json", action="store_true",
                        help="print the report as JSON instead of text")
    parser.add_argument("--summary", action="store_true",
                        help="print only the scores, not the list of misses and extras")
    return parser


def main(argv: list[str] | None = None) -> int:
    """``chitieu eval OUTPUT_JSONL GOLD_DIR [GOLD_DIR...] [--json] [--summary]``.

    A leading ``eval`` word in ``argv`` is dropped (unless it names an
    existing file), so the top-level CLI may pass its arguments through whole.
    Returns 0 after printing the report, 2 when an input cannot be read.
    """
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in[:1] == ["eval"] and not Path("eval").exists():
        args_in = args_in[1:]
    args = build_parser().parse_args(args_in)
    try:
        report = evaluate(args.output_jsonl, args.gold_dirs)
    except (OSError, ValueError) as exc:
        print(f"chitieu eval: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(report.format(verbose=not args.summary))
    return 0
