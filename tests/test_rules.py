"""Every rule file loads against its schema; every example matches its rule
and no counter-example does (regex rules and spaCy tier patterns alike)."""
from __future__ import annotations

import functools
import sys
from pathlib import Path

import pytest

from pipeline import rules
from pipeline.nlp import find_tiers


def _regex_cases():
    for name in rules.all_rule_files():
        rf = rules.load(name)
        for r in rf.rules:
            if "pattern" not in r:
                continue
            for ex in r.get("examples", []):
                yield pytest.param(name, r["id"], ex, True, id=f"{name}:{r['id']}:+{ex[:30]}")
            for ex in r.get("counter_examples", []):
                yield pytest.param(name, r["id"], ex, False, id=f"{name}:{r['id']}:-{ex[:30]}")


@pytest.mark.parametrize("name,rule_id,text,should_match", list(_regex_cases()))
def test_regex_rule_examples(name, rule_id, text, should_match):
    """In the rule's declared mode, the one the code applies it with: a
    ``match`` rule at the start of the example, a ``search`` rule anywhere."""
    pattern = rules.compile_pattern(name, rule_id)
    apply = pattern.match if rules.load(name).mode(rule_id) == "match" else pattern.search
    assert bool(apply(text)) is should_match


def _tier_cases():
    for r in rules.load("tiers").rules:
        for ex in r.get("examples", []):
            yield pytest.param(r["tier"], ex, True, id=f"tiers:{r['id']}:+{ex[:30]}")
        for ex in r.get("counter_examples", []):
            yield pytest.param(r["tier"], ex, False, id=f"tiers:{r['id']}:-{ex[:30]}")


@pytest.mark.parametrize("tier,text,should_find", list(_tier_cases()))
def test_tier_rule_examples(tier, text, should_find):
    """A tier rule finds its tier in its examples and not in its counter-examples;
    ``not_a_tier`` (tier ``none``) leaves its examples without any tier, while a
    tier named beside it in a counter-example is still found."""
    found = {t.tier for t in find_tiers(text)}
    if tier == "none":
        assert (not found) is should_find, found
    else:
        assert (tier in found) is should_find


def test_every_rule_has_examples():
    for name in rules.all_rule_files():
        for r in rules.load(name).rules:
            if "pattern" in r or "tokens" in r:
                assert r.get("examples"), f"{name}:{r['id']} has no examples"


def _assert_refused(tmp_path, monkeypatch, name: str, content: str) -> None:
    """A rule file ``name`` holding ``content`` is refused, naming the file."""
    (tmp_path / f"{name}.yaml").write_text(content, encoding="utf-8")
    monkeypatch.setattr(rules, "RULES_DIR", tmp_path)
    rules.load.cache_clear()
    try:
        with pytest.raises(rules.RuleError, match=f"{name}.yaml"):
            rules.load(name)
    finally:
        rules.load.cache_clear()


def test_bad_rule_file_is_reported(tmp_path, monkeypatch):
    _assert_refused(tmp_path, monkeypatch, "broken", "description: x\nrules:\n  - id: Bad-Id\n    description: y\n")


def test_fragments_expand_as_groups():
    assert rules.expand_fragments("a${x}b", {"x": "c|d"}) == "a(?:c|d)b"
    with pytest.raises(rules.RuleError):
        rules.expand_fragments("${nope}", {})


def test_every_code_has_its_names_once_in_rules():
    """Indicator, tier and sector names stand beside their codes; every other
    code people see is named in rules/labels.yaml; both languages, never empty."""
    import importlib

    compare = importlib.import_module("pipeline.outputs.compare")
    from pipeline.outputs.labels import LANGS

    indicators = rules.load("indicators")
    assert set(indicators.names) == {r["id"] for r in indicators.rules} | {"other"}
    assert set(indicators.names) == set(compare.INDICATOR_ORDER)
    assert set(rules.load("tiers").names) == set(compare.TIER_ORDER)
    assert set(rules.load("sectors").names) == set(compare.SECTOR_ORDER)
    labels = rules.load("labels").names
    for status in (compare.ABOVE, compare.BELOW, compare.SAME, compare.NO_BASELINE_VALUE, compare.NO_BASELINE,
                   compare.OTHER_UNIT, compare.SEVERAL_BASELINE_VALUES):
        assert f"status.{status}" in labels, status
    for key in ("unit.percent", "unit.percent_per_year", "unit.count", "unit.other", "direction.at_least",
                "direction.at_most", "source.clause", "source.lead", "source.heading", "source.period",
                "source.document", "source.table", "source.none", "builtin.suffix"):
        assert key in labels, key
    for level in compare.LEVEL_ORDER:
        assert f"level.{level}" in labels, level
    for name in ("indicators", "tiers", "sectors", "labels"):
        for code, names in rules.load(name).names.items():
            assert all(names[lang].strip() for lang in LANGS), (name, code)
    # the same name twice for two codes would make two rows look alike
    for name in ("indicators", "tiers", "sectors"):
        for lang in LANGS:
            shown = [n[lang] for n in rules.load(name).names.values()]
            assert len(shown) == len(set(shown)), (name, lang)


def test_a_names_block_is_validated(tmp_path, monkeypatch):
    _assert_refused(tmp_path, monkeypatch, "named", "description: x\nnames:\n  a.b: {vi: 'Một'}\n")


_GOOD = {"description": "x", "names": {"a.b": {"vi": "Một", "en": "One"}},
         "rules": [{"id": "r1", "description": "y", "pattern": "a", "phrases": ["b"], "tokens": [[]]}]}


def _with(**changes):
    data = {k: (dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v) for k, v in _GOOD.items()}
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


@pytest.mark.parametrize("data", [
    _GOOD,
    _with(names=None),                                   # rules only
    _with(rules=None),                                   # names only (labels.yaml)
    _with(rules=None, names=None),                       # neither: invalid
    _with(names={"a.b": {"vi": "Một"}}),                 # a language missing
    _with(names={"a.b": {"vi": "Một", "en": "One", "fr": "Un"}}),
    _with(names={"a.b": {"vi": "Một", "en": 1}}),
    _with(names={"A.b": {"vi": "Một", "en": "One"}}),    # a code not of the allowed shape
    _with(names={"a  b": {"vi": "Một", "en": "One"}}),
    _with(names={"lib.service commune": {"vi": "Một", "en": "One"}}),  # codes joined by one space
    _with(names=["a.b"]),
    _with(names={"a.b": "Một"}),
    _with(rules={"r1": {}}),
    _with(rules=[{"id": "Bad-Id", "description": "y"}]),
    _with(rules=[{"id": "r1"}]),
    _with(rules=[{"id": "r1", "description": "y", "phrases": [1]}]),
    _with(fragments={"nam": 2020}),
    _with(description=None),
    _with(extra="?"),
    _with(mode="search"),                                # a default mode for the file's rules
    _with(mode="anywhere"),
    _with(rules=[{"id": "r1", "description": "y", "pattern": "a", "mode": "fullmatch"}]),
    _with(rules=[{"id": "r1", "description": "y", "pattern": "a", "mode": "match", "canonical": "b"}]),
])
def test_plain_python_check_agrees_with_the_schema(data):
    """The loader's fast check may send a file the schema accepts on to
    jsonschema, but never lets through one it rejects (names blocks included),
    and a file both accept loads without jsonschema's opinion."""
    jsonschema = pytest.importorskip("jsonschema")
    valid = jsonschema.validators.validator_for(rules.RULE_FILE_SCHEMA)(rules.RULE_FILE_SCHEMA).is_valid(data)
    assert rules._conforms(data) == valid


def test_plain_python_check_leaves_doubtful_files_to_the_schema():
    """A code that is not text (``1:`` in YAML) is not checked by the schema's
    pattern, so jsonschema accepts it; the fast check says no and lets
    jsonschema decide, as the loader did before it."""
    jsonschema = pytest.importorskip("jsonschema")
    data = _with(names={1: {"vi": "Một", "en": "One"}})
    assert jsonschema.validators.validator_for(rules.RULE_FILE_SCHEMA)(rules.RULE_FILE_SCHEMA).is_valid(data)
    assert not rules._conforms(data)
    rules._validate(rules.RULES_DIR / "x.yaml", data)  # no error


def test_a_rule_field_of_another_file_is_refused(tmp_path, monkeypatch):
    """Each file has its own schema: a field its rules do not carry (a typo,
    or a field of another file) is an error naming the file, not ignored."""
    _assert_refused(tmp_path, monkeypatch, "dates",
                    "description: x\nrules:\n  - id: a\n    description: y\n    pattern: 'a'\n"
                    "    mode: search\n    canonical: b\n")


def test_a_pattern_rule_without_a_mode_is_refused(tmp_path, monkeypatch):
    _assert_refused(tmp_path, monkeypatch, "modeless",
                    "description: x\nrules:\n  - id: a\n    description: y\n    pattern: 'a'\n")


def test_a_file_mode_is_the_default_of_its_rules(tmp_path, monkeypatch):
    (tmp_path / "defaults.yaml").write_text(
        "description: x\nmode: search\nrules:\n  - id: a\n    description: y\n    pattern: 'a'\n"
        "  - id: b\n    description: y\n    pattern: 'b'\n    mode: match\n", encoding="utf-8")
    monkeypatch.setattr(rules, "RULES_DIR", tmp_path)
    rules.load.cache_clear()
    try:
        rf = rules.load("defaults")
        assert (rf.mode("a"), rf.mode("b")) == ("search", "match")
    finally:
        rules.load.cache_clear()


def test_every_rule_file_passes_the_plain_python_check():
    for path in sorted(rules.RULES_DIR.glob("*.yaml")):
        if path.name != "fragments.yaml":
            assert rules._conforms(rules._read_yaml(path), path.stem), path.name


# --------------------------------------------------------------------------
# Rules and code agree: every rule named exists, every rule is used, and a
# rule is declared in the mode the code applies it with (tests/rule_usage.py)

_ROOT = Path(__file__).resolve().parent.parent


@functools.lru_cache(maxsize=1)
def _usage():
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        from rule_usage import scan
    finally:
        sys.path.pop(0)
    return scan(_ROOT)


def test_every_rule_named_in_code_exists():
    use = _usage()
    assert use.rules, "the scan found no rule named in pipeline/ (is it still reading the code?)"
    missing = []
    for (file, rule_id), _ in use.rules.items():
        try:
            rules.load(file).rule(rule_id)
        except (KeyError, rules.RuleError):
            missing.append(f"{file}:{rule_id} ({use.where.get((file, rule_id))})")
    for file, prefix in use.prefixes:
        if not any(r["id"].startswith(prefix) for r in rules.load(file).rules):
            missing.append(f"{file}:{prefix}*")
    assert not missing, missing


def test_every_rule_is_used():
    use = _usage()
    unused = [f"{name}:{r['id']}" for name in rules.all_rule_files() for r in rules.load(name).rules
              if not use.uses(name, r["id"])]
    assert not unused, unused


def test_every_rule_is_declared_in_the_mode_the_code_applies_it():
    """A rule the code applies at a position (``.match``) is declared ``match``,
    so that its examples are tested where they start; one only searched is
    ``search``.  (A rule applied both ways is ``match``: its examples then hold
    for both.)"""
    use = _usage()
    wrong = []
    for name in rules.all_rule_files():
        rf = rules.load(name)
        for r in rf.rules:
            if "pattern" not in r:
                continue
            modes = use.modes(name, r["id"])
            if not modes:
                continue
            want = "match" if "match" in modes else "search"
            if r["mode"] != want:
                wrong.append(f"{name}:{r['id']} is declared {r['mode']}, the code applies it with {sorted(modes)}")
    assert not wrong, wrong


def test_the_usage_scan_sees_what_it_claims(tmp_path):
    """The scan itself, on a small tree: a kept pattern, a group and a whole file."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        from rule_usage import scan
    finally:
        sys.path.pop(0)
    (tmp_path / "pipeline").mkdir()
    (tmp_path / "pipeline" / "m.py").write_text(
        "def f(t):\n    rx = _rx('a', 'one')\n    rx.match(t)\n    _rx('a', 'two').finditer(t)\n"
        "    for rule, p in _group('a', 'g.'):\n        p.search(t)\n    return rules.load('b')\n",
        encoding="utf-8")
    use = scan(tmp_path)
    assert use.modes("a", "one") == {"match"} and use.modes("a", "two") == {"search"}
    assert use.modes("a", "g.x") == {"search"} and use.uses("b", "anything") and not use.uses("a", "three")


# --------------------------------------------------------------------------
# Spelling variants are for matching only


def test_a_spelling_variant_is_respelt_in_place():
    from pipeline.spelling import respell

    for r in rules.load("spelling").rules:
        assert r["mode"] == "search" and len(r["canonical"]) > 0, r["id"]
        for ex in r["examples"]:
            out = respell(ex)
            assert len(out) == len(ex) and out != ex, (r["id"], ex)
            assert r["canonical"].casefold() in out.casefold(), (r["id"], ex, out)
        for ex in r["counter_examples"]:
            assert respell(ex) == ex, (r["id"], ex)


def test_a_tier_read_through_a_spelling_variant_keeps_the_text_as_written():
    [span] = find_tiers("đơn vị hành chính cấp tình")
    assert (span.tier, span.text) == ("province", "cấp tình")


def test_wrap_words_join_their_examples_and_keep_their_counter_examples():
    """``rules/wraps.yaml``: an example's break is joined in the flow text, a
    counter-example's is kept."""
    from pipeline.text import prepare

    rule = rules.load("wraps").rule("wrap.no_end_word")
    for ex in rule["examples"]:
        assert "\n" not in prepare(ex).flow, ex
    for ex in rule["counter_examples"]:
        assert "\n" in prepare(ex).flow, ex
