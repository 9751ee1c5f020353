"""The shape of the package: no import cycle inside ``pipeline/`` and no
module over :data:`MAX_LINES` lines.

The import graph is read from the source (``ast``), so an import inside a
function (a lazy import) counts as much as one at the top: a cycle through a
lazy import is still a circle a reader has to keep in mind.  Imports under
``if TYPE_CHECKING:`` are left out (they never run).  Importing a submodule
runs its parent packages' ``__init__`` too; that implicit edge is not
counted, only the imports written in the code.
"""
from __future__ import annotations

import ast
from pathlib import Path
from collections.abc import Iterable

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pipeline"

#: Longest module, in lines.
MAX_LINES = 600


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules_of(root: Path) -> dict[str, Path]:
    """Dotted name -> file of every module of the package at ``root``."""
    return {module_name(p, root): p for p in sorted(root.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> Iterable[ast.Import | ast.ImportFrom]:
    """Every import statement of ``tree``, at any depth, but those under ``if TYPE_CHECKING:``."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _base(name: str, path: Path, level: int, module: str | None) -> str:
    """The absolute module a relative ``from`` import names."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    parts = package.split(".")
    if level > 1:
        parts = parts[: len(parts) - (level - 1)]
    base = ".".join(parts)
    return f"{base}.{module}" if module else base


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports (anywhere in its code)."""
    mods = modules_of(root)
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for name, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _imports(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                base = _base(name, path, node.level, node.module) if node.level else (node.module or "")
                for a in node.names:
                    sub = f"{base}.{a.name}"
                    targets.append(sub if sub in mods else base)
            for target in targets:
                # ``import pipeline.a.b`` names pipeline.a.b; keep the longest known module
                while target and target not in mods:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def test_no_import_cycle_in_pipeline():
    found = cycles(import_graph(PACKAGE))
    assert not found, "import cycles (lazy imports count): " + "; ".join(" <-> ".join(c) for c in found)


def test_the_cycle_finder_sees_a_lazy_cycle(tmp_path: Path):
    """The walk is not vacuous: a cycle closed by an import inside a function,
    through ``from . import``, ``from .. import`` and ``import pkg.x``, is found;
    a TYPE_CHECKING-only import is not an edge."""
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .sub import b\n")
    (pkg / "sub" / "b.py").write_text("def f():\n    from .. import c\n")
    (pkg / "c.py").write_text("import pkg.a\n")
    (pkg / "d.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import e\n")
    (pkg / "e.py").write_text("from .d import x\n")
    graph = import_graph(pkg)
    assert graph["pkg.a"] == {"pkg.sub.b"} and graph["pkg.sub.b"] == {"pkg.c"} and graph["pkg.c"] == {"pkg.a"}
    assert graph["pkg.d"] == set() and graph["pkg.e"] == {"pkg.d"}
    assert cycles(graph) == [["pkg.a", "pkg.c", "pkg.sub.b"]]


def _long_modules() -> dict[str, int]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES:
            out[path.relative_to(ROOT).as_posix()] = n
    return out


def test_no_module_is_over_600_lines():
    long = _long_modules()
    assert not long, f"modules over {MAX_LINES} lines (split them by concern): {long}"


def test_the_docstring_examples_of_pipeline_are_collected():
    """The examples in ``pipeline/``'s docstrings run once, through pytest's
    ``--doctest-modules`` over ``pipeline`` (no test calls ``doctest.testmod``
    again): dropping either setting would drop them silently."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pytest_options = config["tool"]["pytest"]["ini_options"]
    assert "--doctest-modules" in pytest_options["addopts"].split()
    assert "pipeline" in pytest_options["testpaths"]


def test_the_tests_of_a_package_are_in_its_folder():
    """Tests mirror the package: the tests of ``pipeline/<package>/`` live in
    ``tests/<package>/``, not in a ``tests/test_<package>.py`` beside the
    module-level tests (``test_text.py`` for ``pipeline/text.py``)."""
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    misplaced = sorted(p.name for p in (ROOT / "tests").glob("test_*.py")
                       if p.stem.removeprefix("test_") in packages)
    assert misplaced == []


def _layout_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("\n## Layout")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def test_the_readme_layout_names_every_module():
    """The README's Layout section matches the tree: every module and package
    of ``pipeline/``, and every module of its second-level packages
    (``outputs/``, ``extractors/``), is named there."""
    layout = _layout_section()
    places = [*PACKAGE.iterdir(), *(PACKAGE / "outputs").iterdir(), *(PACKAGE / "extractors").iterdir()]
    names = sorted({p.name for p in places
                    if (p.suffix == ".py" and p.name != "__init__.py") or (p / "__init__.py").exists()})
    assert [n for n in names if n not in layout] == []
