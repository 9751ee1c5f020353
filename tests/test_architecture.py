"""The shape of the extraction side (issue 10): one stage per module, no module
over 600 lines, no module-level state that a call changes, references that do
not reach into metadata."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PIPELINE = Path(__file__).resolve().parent.parent / "pipeline"
MAX_LINES = 600
_MUTATORS = {"append", "add", "update", "setdefault", "pop", "clear", "extend", "insert", "remove",
             "discard", "popitem", "appendleft", "__setitem__"}
_CONTAINERS = {"dict", "list", "set", "defaultdict", "Counter", "OrderedDict", "deque"}


def _modules():
    return sorted(PIPELINE.rglob("*.py"))


def _mutable_globals(tree: ast.Module) -> set[str]:
    """Names bound at module level to a dict, list or set (a display or a constructor call)."""
    out: set[str] = set()
    for node in tree.body:
        targets, value = [], None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        mutable = isinstance(value, (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)) or (
            isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in _CONTAINERS)
        if mutable:
            out.update(t.id for t in targets if isinstance(t, ast.Name))
    return out


def mutated_globals(source: str) -> list[str]:
    """Module-level containers that some code of the module changes (a cache,
    "the last document"…): ``X[k] = v``, ``X.append(…)``, ``global X``.

    >>> mutated_globals("_SEEN = {}\\ndef f(k):\\n    _SEEN[k] = 1\\n")
    ['_SEEN']
    >>> mutated_globals("_WORDS = {'a'}\\n_WORDS.add('b')\\ndef f(w):\\n    return w in _WORDS\\n")
    []
    """
    tree = ast.parse(source)
    names = _mutable_globals(tree)
    found: set[str] = set()
    # what a function does (building a table at import time is set-up, not state)
    body = [n for top in tree.body if isinstance(top, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            for n in ast.walk(top)]
    for node in body:
        if isinstance(node, ast.Global):
            found.update(node.names)
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
            for t in (node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]):
                if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id in names:
                    found.add(t.value.id)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                isinstance(node.func.value, ast.Name) and node.func.value.id in names and node.func.attr in _MUTATORS:
            found.add(node.func.value.id)
    return sorted(found)


def test_the_check_for_module_state_sees_a_cache():
    assert mutated_globals("_CACHE: dict = {}\ndef f(k, v):\n    _CACHE.setdefault(k, v)\n") == ["_CACHE"]
    assert mutated_globals("_LAST = None\ndef f(x):\n    global _LAST\n    _LAST = x\n") == ["_LAST"]
    assert mutated_globals("_ORDER = ('a', 'b')\n_MAP = {'a': 1}\ndef f():\n    return dict(_MAP)\n") == []


#: State that is not extraction state, and why.
ALLOWED = {
    "batch/worker.py": ["_capture", "_started"],  # a worker process's log capture and clock queue, set by the pool initializer
    "batch/server.py": ["_started_with"],  # what the process's one fork server loaded (multiprocessing keeps one)
    "engines/dask.py": ["_warm"],  # a Dask worker process's "rules and models are loaded" flag, set once
}


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PIPELINE)))
def test_no_module_level_state_changes(path: Path):
    """No module keeps state between calls in a global container or a
    ``global`` name: the extraction context is the only thing passed along."""
    name = str(path.relative_to(PIPELINE))
    assert mutated_globals(path.read_text(encoding="utf-8")) == ALLOWED.get(name, [])


@pytest.mark.parametrize("path", sorted((PIPELINE / "extractors").rglob("*.py")) + [PIPELINE / "core.py"],
                         ids=lambda p: str(p.relative_to(PIPELINE)))
def test_extraction_modules_stay_small(path: Path):
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= MAX_LINES, f"{path.name}: {n} lines; split it by stage"


def test_references_do_not_reach_into_metadata():
    for path in sorted((PIPELINE / "extractors" / "references").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").endswith("metadata"), f"{path.name} imports {node.module}"


def test_every_stage_returns_items_and_warnings():
    from pipeline.core import find_targets
    from pipeline.extractors.context import Extracted, ExtractionContext
    from pipeline.extractors.metadata import read_facts
    from pipeline.extractors.references import find_references

    ctx = ExtractionContext.build("UBND TỈNH HÀ GIANG\nSố: 5/KH-UBND\nHà Giang, ngày 2 tháng 3 năm 2024\nKẾ HOẠCH\n"
                                  "Phát triển văn hóa đọc\nCăn cứ Quyết định số 9/QĐ-UBND ngày 1/2/2023 của UBND tỉnh;\n"
                                  "Đến năm 2025, 80% thư viện cấp xã được số hóa.")
    facts = read_facts(ctx)
    assert isinstance(facts, Extracted) and len(facts.items) == 1
    ctx = ctx.with_facts(facts.items[0])
    refs, targets = find_references(ctx), find_targets(ctx)
    assert all(isinstance(x, Extracted) for x in (refs, targets))
    assert [r.issuer for r in refs.items] == ["Ủy ban nhân dân tỉnh Hà Giang"]
    assert [t.value for t in targets.items] == [80.0]


_VIETNAMESE = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")
_REGEX_CALLS = {"compile", "search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split"}


def _has_vietnamese(s: str) -> bool:
    return any(c in _VIETNAMESE for c in s.lower())


def vietnamese_in_code(source: str) -> list[str]:
    """Regex literals and word lists (tuples, lists, sets of strings) with
    Vietnamese letters: they belong in ``rules/*.yaml`` with examples.

    >>> vietnamese_in_code("import regex\\nX = regex.compile(r'thành\\\\s+phố')\\n")
    ["regex literal 'thành\\\\\\\\s+phố' (line 2)"]
    >>> vietnamese_in_code("LEVELS = ('huyện', 'quận')\\n")
    ["word list ('huyện', 'quận') (line 1)"]
    >>> vietnamese_in_code("def f(w):\\n    return w.startswith('x')\\n")
    []
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _REGEX_CALLS \
                and isinstance(node.func.value, ast.Name) and node.func.value.id in ("re", "regex") and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and _has_vietnamese(first.value):
                found.append(f"regex literal {first.value!r} (line {node.lineno})")
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            words = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            if len(words) >= 2 and len(words) == len(node.elts) and any(_has_vietnamese(w) for w in words):
                found.append(f"word list {tuple(words)!r} (line {node.lineno})")
    return found


@pytest.mark.parametrize("path", sorted(p for p in (PIPELINE / "extractors").rglob("*.py")
                                        if "targets" not in p.parts) + [PIPELINE / "text.py"],
                         ids=lambda p: str(p.relative_to(PIPELINE)))
def test_no_vietnamese_regex_or_word_list_in_code(path: Path):
    """The extraction stages (the target reader has its own issue) and the text
    preparation keep their Vietnamese patterns and word lists in rules/."""
    assert vietnamese_in_code(path.read_text(encoding="utf-8")) == []


#: What a module may not load when it is imported: the NLP models and the heavy
#: readers are loaded when first used (pytest --doctest-modules imports every module).
_LOADED_ON_USE = ("spacy", "underthesea", "pyvi", "pdfplumber", "pytesseract", "trafilatura")
#: The one module whose import imports spaCy (its parts): what the fork server imports before it forks a worker.
_FORK_SERVER_PRELOAD = "pipeline.batch.preload"


def test_every_module_imports_without_loading_models_or_shared_data(tmp_path: Path):
    """Every module of ``pipeline/`` imports in a fresh interpreter, run from a
    folder without ``corpus/`` or ``../shared``, and loads no model doing so."""
    import os
    import subprocess
    import sys

    code = ("import importlib, pkgutil, sys, pipeline\n"
            "names = [m.name for m in pkgutil.walk_packages(pipeline.__path__, 'pipeline.')"
            f" if not m.name.endswith('__main__') and m.name != {_FORK_SERVER_PRELOAD!r}]\n"
            "for n in names:\n    importlib.import_module(n)\n"
            f"print(len(names), [m for m in {_LOADED_ON_USE!r} if m in sys.modules])\n")
    env = {**os.environ, "PYTHONPATH": str(PIPELINE.parent)}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    count, loaded = done.stdout.split(" ", 1)
    # every file but the __main__ scripts, the fork server's preload, and pipeline/__init__.py (imported first)
    assert int(count) == len([p for p in PIPELINE.rglob("*.py") if p.name != "__main__.py"]) - 2
    assert loaded.strip() == "[]"



def test_the_fork_server_preload_imports_spacys_parts_and_nothing_else_on_use(tmp_path: Path):
    import os
    import subprocess
    import sys

    from pipeline.batch.server import PRELOAD

    assert PRELOAD[-1] == _FORK_SERVER_PRELOAD
    code = (f"import importlib, sys\nfor n in {PRELOAD!r}:\n    importlib.import_module(n)\n"
            f"print([m for m in {_LOADED_ON_USE!r} if m in sys.modules], 'spacy.language' in sys.modules)\n")
    env = {**os.environ, "PYTHONPATH": str(PIPELINE.parent)}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["['spacy']", "False"]   # spaCy's parts, not the whole of it
