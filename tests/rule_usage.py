"""How the code under ``pipeline/`` uses the rules: a static walk of its ASTs.

A rule is named in code as ``_rx("file", "id")`` / ``rules.compile_pattern(
"file", "id")`` / the target reader's ``_p("id"[, "file"])``, or as a group by
its id prefix (``match_first("bodies", "head.", …)``, ``for rule, rx in
_group("doc_types", "kind.")``); a file whose rules are all read in a loop
(``rules.load("indicators")``) uses every rule it has; an id written as a
string anywhere (a tuple of ids looped over) counts as used.  For each named rule
the walk records whether the code applies it at a position (``.match``,
``.fullmatch``: mode ``match``) or anywhere (``.search``, ``.finditer``,
``.sub``, ``.split``: mode ``search``), following a pattern kept in a local
name (``rx = _rx(…)`` … ``rx.match(…)``).
"""
from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

MATCH = {"match", "fullmatch"}
SEARCH = {"search", "finditer", "findall", "sub", "subn", "split"}
_SINGLE = {"_rx", "compile_pattern"}
_PREFIX_MATCHERS = {"match_first", "match_rule"}
_GROUPS = {"_group", "group"}


@dataclass
class Usage:
    rules: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    prefixes: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    whole_files: set[str] = field(default_factory=set)
    literals: set[str] = field(default_factory=set)   # every string constant (ids in a tuple looped over)
    where: dict[tuple[str, str], str] = field(default_factory=dict)

    def modes(self, file: str, rule_id: str) -> set[str]:
        out = set(self.rules.get((file, rule_id), set()))
        for (f, prefix), ms in self.prefixes.items():
            if f == file and rule_id.startswith(prefix):
                out |= ms
        return out

    def uses(self, file: str, rule_id: str) -> bool:
        return (file in self.whole_files or (file, rule_id) in self.rules or rule_id in self.literals
                or any(f == file and rule_id.startswith(p) for f, p in self.prefixes))


def _str(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _name(func: ast.AST) -> str | None:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def _rule_of(node: ast.AST) -> tuple[str, str] | None:
    if not isinstance(node, ast.Call):
        return None
    name = _name(node.func)
    args = [_str(a) for a in node.args]
    if name in _SINGLE and len(args) >= 2 and args[0] and args[1]:
        return args[0], args[1]
    if name == "_p" and args and args[0]:
        kw = {k.arg: _str(k.value) for k in node.keywords}
        return (kw.get("file") or (args[1] if len(args) > 1 and args[1] else "values")), args[0]
    return None


def scan(root: Path) -> Usage:
    use = Usage()
    for path in sorted((root / "pipeline").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        use.literals.update(n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str))
        for scope in ast.walk(tree):
            if not isinstance(scope, (ast.Module, ast.FunctionDef)):
                continue
            local: dict[str, tuple[str, str]] = {}
            for node in ast.walk(scope):
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    ref = _rule_of(node.value)
                    if ref:
                        local[node.targets[0].id] = ref
            for node in ast.walk(scope):
                if isinstance(node, ast.Call):
                    ref = _rule_of(node)
                    if ref:
                        use.rules[ref]
                        use.where.setdefault(ref, f"{path.relative_to(root)}:{node.lineno}")
                    name = _name(node.func)
                    if name in _PREFIX_MATCHERS and len(node.args) >= 2 and _str(node.args[0]) and _str(node.args[1]):
                        use.prefixes[(_str(node.args[0]), _str(node.args[1]))].add("match")
                    if name == "load" and node.args and _str(node.args[0]):
                        use.whole_files.add(_str(node.args[0]))
                if isinstance(node, ast.Attribute) and node.attr in MATCH | SEARCH:
                    ref = _rule_of(node.value)
                    if ref is None and isinstance(node.value, ast.Name):
                        ref = local.get(node.value.id)
                    if ref:
                        use.rules[ref].add("match" if node.attr in MATCH else "search")
                if isinstance(node, ast.For) and isinstance(node.iter, ast.Call) and _name(node.iter.func) in _GROUPS:
                    args = [_str(a) for a in node.iter.args]
                    if len(args) >= 2 and args[0] and args[1]:
                        key = (args[0], args[1])
                        use.prefixes[key]
                        for sub in ast.walk(node):
                            if isinstance(sub, ast.Attribute) and sub.attr in MATCH | SEARCH:
                                use.prefixes[key].add("match" if sub.attr in MATCH else "search")
    return use
