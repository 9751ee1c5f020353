"""Scores pooled over a gold set, a group of sets, and the whole report."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .match import FIELDS, REFERENCE_KEY, TARGET_VIEWS
from .scores import PRF, Accuracy, DocResult


# --------------------------------------------------------------------------
# Aggregates
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class SetScores:
    """Scores of one gold set (or of all sets combined)."""

    name: str
    gold_dirs: tuple[str, ...]
    docs: tuple[DocResult, ...]
    #: The group the set is scored in (``tune``, ``check``), ``None`` when ungrouped.
    group: str | None = None

    @property
    def n_gold(self) -> int:
        return len(self.docs)

    @property
    def missing_output(self) -> tuple[str, ...]:
        return tuple(d.doc_id for d in self.docs if not d.has_output)

    def targets(self, view: str) -> PRF:
        return sum((d.targets[view] for d in self.docs), PRF())

    @property
    def references(self) -> PRF:
        return sum((d.references for d in self.docs), PRF())

    def field(self, name: str) -> Accuracy:
        ok = [d.fields[name] for d in self.docs]
        return Accuracy(sum(ok), len(ok))

    @property
    def fields(self) -> Accuracy:
        """All fields of all documents pooled."""
        return sum((self.field(n) for n in FIELDS), Accuracy())

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "group": self.group,
            "gold_dirs": list(self.gold_dirs),
            "gold_docs": self.n_gold,
            "scored_docs": self.n_gold,
            "missing_output": list(self.missing_output),
            "targets": {v: self.targets(v).to_dict() for v in TARGET_VIEWS},
            "references": self.references.to_dict(),
            "fields": {
                **self.fields.to_dict(),
                "per_field": {n: self.field(n).to_dict() for n in FIELDS},
            },
        }

    def format(self) -> str:
        """Score lines of this set."""
        missing = self.missing_output
        lines = [
            f"== {self.name} ({', '.join(self.gold_dirs)}): {self.n_gold} gold docs, "
            f"{self.n_gold - len(missing)} with output, {len(missing)} without (all-missed)",
        ]
        for view in TARGET_VIEWS:
            lines.append(f"{'targets ' + view:<16}{self.targets(view).format()}")
        lines.append(f"{'references':<16}{self.references.format()}")
        acc = self.fields
        lines.append(f"fields accuracy={acc.accuracy:.3f} ({acc.correct}/{acc.total})")
        for name in FIELDS:
            lines.append(f"  {name:<14}{self.field(name).format()}")
        return "\n".join(lines)

    @property
    def n_targets(self) -> int:
        """Gold targets of the set."""
        c = self.targets("strict")
        return c.tp + c.fn

    def summary_line(self, width: int = 16) -> str:
        """One line: documents, gold targets, strict and loose F1."""
        return (f"{self.name:<{width}} {self.n_gold:>3} docs {self.n_targets:>4} targets   "
                f"strict F1 {self.targets('strict').f1:.3f}   loose F1 {self.targets('loose').f1:.3f}")


@dataclass(frozen=True)
class EvalReport:
    """The result of :func:`evaluate`: per-set scores, combined scores, diffs."""

    sets: tuple[SetScores, ...]
    n_output_records: int
    output_without_gold: tuple[str, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def combined(self) -> SetScores:
        """All sets pooled (micro average over all gold documents)."""
        dirs = tuple(d for s in self.sets for d in s.gold_dirs)
        return SetScores("combined", dirs, tuple(d for s in self.sets for d in s.docs))

    @property
    def docs(self) -> tuple[DocResult, ...]:
        return self.combined.docs

    @property
    def group_names(self) -> tuple[str, ...]:
        """The groups of the sets, in order of first appearance (none when ungrouped)."""
        return tuple(dict.fromkeys(s.group for s in self.sets if s.group is not None))

    def group(self, name: str) -> SetScores:
        """The sets of group ``name`` pooled (micro average)."""
        members = [s for s in self.sets if s.group == name]
        return SetScores(f"{name.upper()} combined", tuple(d for s in members for d in s.gold_dirs),
                         tuple(d for s in members for d in s.docs), group=name)

    def format_groups(self) -> str:
        """Each group's sets, one line each, and the group pooled: strict and
        loose F1 (``make eval``'s TUNE / CHECK table).  Ungrouped sets are
        listed under ``OTHER``."""
        names = list(self.group_names)
        width = max([len(s.name) for s in self.sets] + [len(n) + 9 for n in names] + [16])
        blocks = []
        for name in names + ([None] if any(s.group is None for s in self.sets) else []):
            members = [s for s in self.sets if s.group == name]
            title = (name or "other").upper()
            lines = [f"{title}: " + ", ".join(s.name for s in members)]
            lines.extend("  " + s.summary_line(width) for s in members)
            if name is not None:
                lines.append("  " + self.group(name).summary_line(width))
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "output": {
                "records": self.n_output_records,
                "without_gold": list(self.output_without_gold),
            },
            "sets": [s.to_dict() for s in self.sets],
            "groups": {g: self.group(g).to_dict() for g in self.group_names},
            "combined": self.combined.to_dict(),
            "documents": [d.to_dict() for d in self.docs],
            "warnings": list(self.warnings),
        }

    def format(self, verbose: bool = True) -> str:
        """A plain-text report; ``verbose`` adds every miss and extra."""
        combined = self.combined
        ignored = self.output_without_gold
        lines = [
            f"chitieu eval: {combined.n_gold} gold docs in {len(self.sets)} set(s); "
            f"output has {self.n_output_records} records, {len(ignored)} without gold (ignored)",
        ]
        if ignored:
            lines.append("  output without gold: " + ", ".join(ignored))
        if combined.missing_output:
            lines.append("  gold without output (scored as all-missed): "
                         + ", ".join(f"{d.set_name}/{d.doc_id}" for d in combined.docs if not d.has_output))
        for w in self.warnings:
            lines.append(f"  warning: {w}")
        blocks = [s.format() for s in self.sets]
        groups = self.group_names
        if groups:  # tune and check pooled apart; never all together
            blocks.extend(self.group(g).format() for g in groups)
        elif len(self.sets) > 1:
            blocks.append(combined.format())
        lines.append("")
        lines.append("\n\n".join(blocks))
        if groups:
            lines.append("")
            lines.append(self.format_groups())
        if verbose:
            lines.append("")
            lines.append("Misses and extras (targets: strict view; key = "
                         + "(" + ", ".join(TARGET_VIEWS["strict"]) + "), "
                         + "references: (" + ", ".join(REFERENCE_KEY) + "))")
            flawed = [d for d in combined.docs if not d.is_perfect]
            if not flawed:
                lines.append("  none")
            lines.extend(d.format() for d in flawed)
        if groups and verbose:  # the table again after the long list, where the eye ends
            lines.append("")
            lines.append(self.format_groups())
        return "\n".join(lines) + "\n"
