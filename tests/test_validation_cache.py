"""Rule and baseline files are validated once per fingerprint (pipeline.rules.validated_before).

A marker in the cache directory says "these bytes, with these fragments and
this schema, passed"; any change of a rule file, of the shared fragments or
of the schema gives another fingerprint, so the file is validated again.
"""
from __future__ import annotations

import shutil

import pytest

from pipeline import rules
from pipeline.outputs import baselines

GOOD = ("description: a test file\nmode: search\nrules:\n"
        "  - id: one\n    description: a rule\n    pattern: 'ab${x}'\n"
        "    examples: [abc]\n    counter_examples: [zz]\n")


@pytest.fixture
def rules_dir(tmp_path, monkeypatch):
    """An empty rules directory with its own cache directory; the load caches cleared around the test."""
    d = tmp_path / "rules"
    d.mkdir()
    (d / "fragments.yaml").write_text("description: shared\nfragments:\n  x: 'c'\n", encoding="utf-8")
    monkeypatch.setattr(rules, "RULES_DIR", d)
    monkeypatch.setenv(rules.CACHE_DIR_ENV, str(tmp_path / "cache"))
    rules.load.cache_clear()
    rules._shared_fragments.cache_clear()
    yield d
    rules.load.cache_clear()
    rules._shared_fragments.cache_clear()
    rules._compile.cache_clear()


def _markers(tmp_path):
    d = tmp_path / "cache" / "validated"
    return sorted(p.name for p in d.iterdir()) if d.exists() else []


def _reload(name: str) -> rules.RuleFile:
    rules.load.cache_clear()
    rules._shared_fragments.cache_clear()
    return rules.load(name)


def test_a_valid_file_is_remembered_and_loads_the_same(rules_dir, tmp_path):
    (rules_dir / "demo.yaml").write_text(GOOD, encoding="utf-8")
    first = _reload("demo")
    assert len(_markers(tmp_path)) == 1
    second = _reload("demo")  # from the marker: no schema check, no compile at load
    assert second.rules == first.rules and second.fragments == first.fragments
    assert len(_markers(tmp_path)) == 1


def test_an_invalid_file_is_never_remembered(rules_dir, tmp_path):
    (rules_dir / "demo.yaml").write_text(GOOD.replace("id: one", "id: Bad-Id"), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(rules.RuleError, match="demo.yaml"):
            _reload("demo")
    assert _markers(tmp_path) == []


def test_a_bad_pattern_after_a_valid_version_is_caught(rules_dir):
    (rules_dir / "demo.yaml").write_text(GOOD, encoding="utf-8")
    _reload("demo")
    (rules_dir / "demo.yaml").write_text(GOOD.replace("'ab${x}'", "'ab(${x}'"), encoding="utf-8")
    with pytest.raises(rules.RuleError, match="bad pattern"):
        _reload("demo")


def test_a_changed_fragment_invalidates_the_files_that_use_it(rules_dir):
    (rules_dir / "demo.yaml").write_text(GOOD, encoding="utf-8")
    _reload("demo")
    (rules_dir / "fragments.yaml").write_text("description: shared\nfragments:\n  x: '(c'\n", encoding="utf-8")
    with pytest.raises(rules.RuleError, match="bad pattern"):
        _reload("demo")


def test_a_changed_schema_invalidates(rules_dir, monkeypatch):
    (rules_dir / "demo.yaml").write_text(GOOD.replace("    examples", "    weight: 3\n    examples"),
                                         encoding="utf-8")
    monkeypatch.setitem(rules.RULE_FIELDS, "demo", {"weight": {"type": "integer"}})
    _reload("demo")
    monkeypatch.setitem(rules.RULE_FIELDS, "demo", {})  # the field is no longer allowed
    with pytest.raises(rules.RuleError, match="weight"):
        _reload("demo")


def test_cache_off_validates_every_time(rules_dir, tmp_path, monkeypatch):
    monkeypatch.setenv(rules.CACHE_DIR_ENV, "off")
    (rules_dir / "demo.yaml").write_text(GOOD, encoding="utf-8")
    _reload("demo")
    assert rules.cache_dir() is None and _markers(tmp_path) == []


def test_an_unwritable_cache_only_means_validating_again(rules_dir, tmp_path, monkeypatch):
    blocker = tmp_path / "file_not_dir"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv(rules.CACHE_DIR_ENV, str(blocker))
    (rules_dir / "demo.yaml").write_text(GOOD, encoding="utf-8")
    assert _reload("demo").rule("one")["pattern"] == "ab${x}"


def test_a_baseline_file_is_validated_again_when_it_changes(tmp_path, monkeypatch):
    monkeypatch.setenv(rules.CACHE_DIR_ENV, str(tmp_path / "cache"))
    src = sorted(baselines.BASELINES_DIR.glob("*.yaml"))[0]
    copy = tmp_path / src.name
    shutil.copyfile(src, copy)
    first = baselines.load_file(copy)
    assert any(m.startswith("baseline-") for m in _markers(tmp_path))
    assert baselines.load_file(copy) == first
    text = copy.read_text(encoding="utf-8")
    copy.write_text(text.replace("kind:", "kind: 12\nkind_was:", 1), encoding="utf-8")
    with pytest.raises(baselines.BaselineFileError, match=src.name):
        baselines.load_file(copy)


def _compiled_files(tmp_path):
    d = tmp_path / "cache" / "compiled"
    return sorted(d.iterdir()) if d.exists() else []


def test_a_validated_file_is_read_back_compiled_without_yaml(rules_dir, tmp_path, monkeypatch):
    (rules_dir / "demo.yaml").write_text(GOOD, encoding="utf-8")
    first = _reload("demo")
    assert len(_compiled_files(tmp_path)) == 1

    def no_yaml(*_args, **_kwargs):
        raise AssertionError("the compiled cache should have been read")

    monkeypatch.setattr(rules, "_read_yaml", no_yaml)
    second = _reload("demo")
    assert second.rules == first.rules and second.fragments == first.fragments
    rules._compile.cache_clear()
    rx = rules.compile_pattern("demo", "one")
    assert rx is second.patterns["one"]
    assert rx.pattern == "ab(?:c)" and rx.flags & rules.regex.IGNORECASE
    assert rx.search("xxABC") and not rx.search("zz")


def test_a_cache_file_holding_other_objects_is_not_loaded(rules_dir, tmp_path):
    import pickle
    from collections import OrderedDict

    (rules_dir / "demo.yaml").write_text(GOOD, encoding="utf-8")
    _reload("demo")
    (path,) = _compiled_files(tmp_path)
    path.write_bytes(pickle.dumps({"data": OrderedDict(), "fragments": {}, "patterns": {}}))  # a class: refused
    assert _reload("demo").rule("one")["pattern"] == "ab${x}"
    path.write_bytes(b"not a pickle")
    assert _reload("demo").patterns["one"].search("abc")
    assert rules._PatternUnpickler is not None and len(_compiled_files(tmp_path)) == 1


def test_a_cache_file_others_can_write_to_is_not_read(rules_dir, tmp_path, monkeypatch):
    (rules_dir / "demo.yaml").write_text(GOOD, encoding="utf-8")
    _reload("demo")
    (path,) = _compiled_files(tmp_path)
    path.chmod(0o666)
    read = []
    monkeypatch.setattr(rules, "_read_yaml", lambda *a: read.append(a) or {"description": "x", "mode": "search",
                                                                           "rules": []})
    assert _reload("demo").rules == [] and read  # the YAML was read, not the cache file


def test_the_cache_file_is_trusted_whatever_the_umask(rules_dir, tmp_path, monkeypatch):
    import os

    (rules_dir / "demo.yaml").write_text(GOOD, encoding="utf-8")
    old = os.umask(0o002)
    try:
        _reload("demo")
    finally:
        os.umask(old)
    (path,) = _compiled_files(tmp_path)
    assert not path.stat().st_mode & 0o022

    def no_yaml(*_args, **_kwargs):
        raise AssertionError("the compiled cache should have been read")

    monkeypatch.setattr(rules, "_read_yaml", no_yaml)
    assert _reload("demo").patterns["one"].search("abc")
