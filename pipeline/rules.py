"""Rule files: patterns kept as data in ``rules/*.yaml``.

Every rule file has the same outer shape, validated against
:data:`RULE_FILE_SCHEMA` when it is loaded::

    description: what this file is for
    fragments:                # optional, named regex pieces used as ${name}
      nam: '(?:19|20)\\d{2}'
    rules:
      - id: some_rule
        description: one line
        pattern: 'regex with ${nam}'     # or `phrases` / `tokens` (spaCy)
        mode: match                       # how the code applies it: `match` or `search`
        examples: ["text that must match"]
        counter_examples: ["text that must not match"]
        ...                               # concern-specific fields

A file may also carry a ``names:`` block (``rules/labels.yaml`` has nothing
else): what people are shown for each code, ``{vi: …, en: …}``, validated
against :data:`NAMES_SCHEMA` and read by :mod:`pipeline.outputs.labels`::

    names:
      lib.service: {vi: "Thư viện cung cấp dịch vụ học tập suốt đời", en: "…"}

Fragments from ``rules/fragments.yaml`` are shared by every file; a file's
own fragments may add to them.  ``${name}`` is replaced by ``(?:fragment)``,
so a fragment is always one group and never changes the meaning of what
surrounds it.  ``tests/test_rules.py`` walks every rule and checks that each
example matches and no counter-example does, in the rule's ``mode``: a
``match`` rule is applied at a position (``pattern.match``), so its examples
must match at their start; a ``search`` rule anywhere in a text.  A file may
give a default ``mode:`` for its rules.  A rule carries only the fields of
its file (:data:`RULE_FIELDS`): a misspelt field is an error, not ignored.

The schema check and the compile of every pattern at load time are done once
per fingerprint of a file (its bytes, the shared fragments' bytes, the schema
of its file, the regex engine's version): a marker under :func:`cache_dir`
(``$CHITIEU_CACHE_DIR``, ``off`` for none) says that these exact bytes
passed.  Beside it the parsed file, its fragments and its patterns compiled
case-insensitively (the regex engine's compiler is pure Python, ~0.1 s for
all of them) are pickled, so a later run reads neither YAML nor compiles:
a pattern unpickles as the engine's own constructor on its compiled code,
the only callable :class:`_PatternUnpickler` lets a cache file name, and a
cache file is read only when it and its folder are the user's and no one
else can write to them.  Any
change of the file, of ``fragments.yaml``, of the schema or of the regex
engine's version is validated and compiled again
(``tests/test_validation_cache.py``).  :mod:`pipeline.outputs.baselines`
uses the same markers for its files.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import pickle
import re
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"

#: A ``names:`` block: what people are shown for each code, in Vietnamese
#: (``vi``, the default) and English (``en``); see :mod:`pipeline.outputs.labels`.
NAMES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "propertyNames": {"pattern": "^[a-z0-9_.]+(?: [a-z0-9_.]+)*$"},
    "additionalProperties": {
        "type": "object",
        "required": ["vi", "en"],
        "additionalProperties": False,
        "properties": {"vi": {"type": "string"}, "en": {"type": "string"}},
    },
}

MODES = ("match", "search")

#: The fields a rule of each file may carry besides the common ones (``id``,
#: ``description``, ``pattern``/``phrases``/``tokens``, ``mode``, ``examples``,
#: ``counter_examples``); a file not listed has none.
RULE_FIELDS: dict[str, dict[str, Any]] = {
    "bodies": {"admin_level": {"type": "string"}, "canonical": {"type": "string"},
               "canonical_from_text": {"type": "boolean"}, "takes": {"type": "string"},
               "province_words": {"type": "array", "items": {"type": "string"}},
               "body": {"type": "string"}},
    "doc_types": {"code": {"type": "string"}, "doc_type": {"type": "string"}, "kind": {"type": "string"}},
    "indicators": {"counts_units": {}, "growth": {}, "needs": {}, "requires": {}, "sector": {}},
    "places": {"package_name": {}, "province": {}, "replace": {}},
    "references": {"code": {"type": "string"}, "issuer": {"type": "string"}, "local_issuer": {"type": "string"}},
    "sectors": {"sector": {}},
    "spelling": {"canonical": {"type": "string"}},
    "tiers": {"area": {}, "tier": {}},
}

_RULE_PROPERTIES: dict[str, Any] = {
    "id": {"type": "string", "pattern": "^[a-z0-9_.]+$"},
    "description": {"type": "string"},
    "pattern": {"type": "string"},
    "mode": {"enum": list(MODES)},
    "phrases": {"type": "array", "items": {"type": "string"}},
    "tokens": {"type": "array", "items": {"type": "array"}},
    "examples": {"type": "array"},
    "counter_examples": {"type": "array"},
}


def rule_file_schema(name: str = "") -> dict[str, Any]:
    """The JSON schema of ``rules/<name>.yaml``: the common shape, with the
    rule fields of that file (:data:`RULE_FIELDS`) and no other."""
    return {
        "type": "object",
        "required": ["description"],
        "anyOf": [{"required": ["rules"]}, {"required": ["names"]}],
        "additionalProperties": False,
        "properties": {
            "description": {"type": "string"},
            "mode": {"enum": list(MODES)},
            "names": NAMES_SCHEMA,
            "fragments": {"type": "object", "additionalProperties": {"type": "string"}},
            "rules": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "description"],
                    "additionalProperties": False,
                    "properties": {**_RULE_PROPERTIES, **RULE_FIELDS.get(name, {})},
                },
            },
        },
    }


RULE_FILE_SCHEMA: dict[str, Any] = rule_file_schema()


class RuleError(ValueError):
    """A rule file is malformed.  The message names the file and the rule."""


_FRAGMENT_REF = re.compile(r"\$\{([a-z_][a-z0-9_]*)\}")


@dataclass(frozen=True)
class RuleFile:
    name: str
    path: Path
    description: str
    fragments: dict[str, str]
    rules: list[dict[str, Any]]
    names: dict[str, dict[str, str]] = field(default_factory=dict)
    #: the case-insensitive compiled pattern of each pattern rule, by id, when
    #: the load compiled them or read them from the cache (:func:`compile_pattern`)
    patterns: dict[str, regex.Pattern[str]] = field(default_factory=dict, repr=False, compare=False)

    def rule(self, rule_id: str) -> dict[str, Any]:
        for r in self.rules:
            if r["id"] == rule_id:
                return r
        raise KeyError(f"{self.path.name}: no rule with id {rule_id!r}")

    def expand(self, pattern: str) -> str:
        """Substitute ``${name}`` fragments (recursively) into ``pattern``."""
        return expand_fragments(pattern, self.fragments, where=str(self.path.name))

    def compiled(self, rule_id: str, flags: int = 0) -> regex.Pattern[str]:
        return _compile(self.name, rule_id, flags)

    def mode(self, rule_id: str) -> str:
        """How the code applies a pattern rule: ``match`` or ``search``."""
        return str(self.rule(rule_id)["mode"])


def expand_fragments(pattern: str, fragments: dict[str, str], where: str = "") -> str:
    seen: list[str] = []

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in fragments:
            raise RuleError(f"{where}: unknown fragment ${{{name}}}")
        if name in seen:
            raise RuleError(f"{where}: fragment ${{{name}}} refers to itself")
        seen.append(name)
        try:
            return "(?:" + _FRAGMENT_REF.sub(sub, fragments[name]) + ")"
        finally:
            seen.pop()

    return _FRAGMENT_REF.sub(sub, pattern)


def _read_yaml(path: Path, raw: bytes | None = None) -> Any:
    import yaml

    # libyaml's safe loader when PyYAML was built with it: ~20x the pure-Python one
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        if raw is not None:
            return yaml.load(raw, Loader=loader)
        with path.open("rb") as fh:
            return yaml.load(fh, Loader=loader)
    except (OSError, yaml.YAMLError) as exc:  # pragma: no cover - message path
        raise RuleError(f"{path}: cannot read rule file: {exc}") from exc


# --------------------------------------------------------------------------
# Compiled once: the patterns of a validated file kept in the cache directory
# --------------------------------------------------------------------------

class _PatternUnpickler(pickle.Unpickler):
    """Reads a cache file of :func:`_write_compiled`: plain data and regex
    patterns, nothing else (a pattern pickles as the call of the regex
    engine's own constructor on its compiled code, so no re-parsing)."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("regex._regex", "compile"):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a rules cache file")


def _compiled_path(label: str, key: str) -> Path | None:
    base = cache_dir()
    return None if base is None else base / "compiled" / f"{label}-{key[:40]}.pickle"


def owned_by_user(st: os.stat_result) -> bool:
    """A file or folder of the user's own that no one else can write to: only
    such a cache file is read when reading it runs code (the compiled rule
    files here, the report's compiled templates)."""
    mine = not hasattr(os, "getuid") or st.st_uid == os.getuid()
    return mine and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def write_cache_file(path: Path, data: bytes) -> None:
    """Write a file of chitieu's cache directory: best effort (a cache that
    cannot be written only means building again next time), atomic (a
    temporary file renamed, so a parallel reader never sees half of it) and
    the user's alone whatever the umask (``0600`` in a ``0700`` folder), so
    that :func:`owned_by_user` trusts it."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # made 0600
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _read_compiled(label: str, key: str) -> tuple[Any, dict[str, str], dict[str, regex.Pattern[str]]] | None:
    """The parsed file, its fragments (the shared ones with its own) and its
    compiled patterns saved for fingerprint ``key``, or None (none saved, or
    unreadable: then the file is read and compiled)."""
    path = _compiled_path(label, key)
    if path is None:
        return None
    try:
        if not owned_by_user(os.stat(path.parent)):
            return None
        with path.open("rb") as fh:
            if not owned_by_user(os.fstat(fh.fileno())):
                return None
            blob = _PatternUnpickler(fh).load()
        data, fragments, patterns = blob["data"], blob["fragments"], blob["patterns"]
    except Exception:  # noqa: BLE001 - a missing, partial or stale cache file is only a miss
        return None
    if not isinstance(fragments, dict) or not isinstance(patterns, dict) or \
            not all(isinstance(v, regex.Pattern) for v in patterns.values()):
        return None
    return data, fragments, patterns


def _write_compiled(label: str, key: str, data: Any, fragments: dict[str, str],
                    patterns: dict[str, regex.Pattern[str]]) -> None:
    """Save a validated file and its compiled patterns; best effort, written
    to a temporary name and renamed so that a parallel reader never sees half."""
    path = _compiled_path(label, key)
    if path is None:
        return
    try:
        blob = pickle.dumps({"data": data, "fragments": fragments, "patterns": patterns},
                            protocol=pickle.HIGHEST_PROTOCOL)
    except pickle.PicklingError:
        return
    write_cache_file(path, blob)


# --------------------------------------------------------------------------
# Validated once: a marker per fingerprint in the user's cache directory
# --------------------------------------------------------------------------

#: Where the markers of files already validated are kept: ``$CHITIEU_CACHE_DIR``
#: when set (``off`` or an empty value: no cache, every file is validated at
#: every load), else ``$XDG_CACHE_HOME/chitieu`` or ``~/.cache/chitieu``.
CACHE_DIR_ENV = "CHITIEU_CACHE_DIR"


def cache_dir() -> Path | None:
    """The directory of chitieu's own caches, or None when caching is off."""
    env = os.environ.get(CACHE_DIR_ENV)
    if env is not None:
        return None if env.strip() in ("", "off") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "chitieu"


def fingerprint(kind: str, *parts: bytes | str) -> str:
    """A hash of everything a validation depends on: the checker (``kind``,
    e.g. the schema as JSON), the file's bytes, the files it draws on."""
    h = hashlib.sha256(kind.encode("utf-8"))
    for p in parts:
        b = p.encode("utf-8") if isinstance(p, str) else p
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()


def _marker(label: str, key: str) -> Path | None:
    base = cache_dir()
    return None if base is None else base / "validated" / f"{label}-{key[:40]}"


def validated_before(label: str, key: str) -> bool:
    """True when a file with fingerprint ``key`` passed its validation before
    (:func:`remember_valid`): its bytes, and all it depends on, are unchanged."""
    m = _marker(label, key)
    return m is not None and m.is_file()


def remember_valid(label: str, key: str) -> None:
    """Record that fingerprint ``key`` validated; best effort (a read-only or
    missing cache directory only means validating again next time)."""
    m = _marker(label, key)
    if m is None:
        return
    try:
        m.parent.mkdir(parents=True, exist_ok=True)
        m.touch()
    except OSError:
        pass


def _rules_key(name: str, raw: bytes) -> str:
    """What a rule file's validation depends on: the schema of its file, the
    regex engine that compiles its patterns, its bytes and the shared fragments'."""
    frag = RULES_DIR / "fragments.yaml"
    try:
        frag_bytes = frag.read_bytes()
    except OSError:
        frag_bytes = b""
    checker = json.dumps({"schema": rule_file_schema(name), "modes": MODES, "regex": regex.__version__,
                          "flags": int(regex.IGNORECASE)}, sort_keys=True)
    return fingerprint(checker, raw, frag_bytes)


_RULE_ID = re.compile(RULE_FILE_SCHEMA["properties"]["rules"]["items"]["properties"]["id"]["pattern"])
_NAME_KEY = re.compile(NAMES_SCHEMA["propertyNames"]["pattern"])
_NAME_LANGS = frozenset(NAMES_SCHEMA["additionalProperties"]["required"])
_TOP_KEYS = frozenset(RULE_FILE_SCHEMA["properties"])
_LIST_FIELDS = ("phrases", "tokens", "examples", "counter_examples")
_RULE_KEYS = frozenset(_RULE_PROPERTIES)


def _names_conform(names: Any) -> bool:
    """True when ``names`` is valid under :data:`NAMES_SCHEMA`: string codes
    of the allowed shape, each with exactly a ``vi`` and an ``en`` string."""
    if not isinstance(names, dict):
        return False
    for code, shown in names.items():
        if not isinstance(code, str) or not _NAME_KEY.search(code):
            return False
        if not isinstance(shown, dict) or shown.keys() != _NAME_LANGS:
            return False
        if not all(isinstance(v, str) for v in shown.values()):
            return False
    return True


def _conforms(data: Any, name: str = "") -> bool:
    """True when ``data`` is valid under :data:`RULE_FILE_SCHEMA` (checked in
    plain Python: jsonschema is only imported to word the error of a file
    that is not, see :func:`_validate`).  It may say False for a file the
    schema accepts (then jsonschema decides), never True for one it rejects."""
    if not isinstance(data, dict) or not _TOP_KEYS.issuperset(data):
        return False
    if not isinstance(data.get("description"), str):
        return False
    if "mode" in data and data["mode"] not in MODES:
        return False
    allowed = _RULE_KEYS | frozenset(RULE_FIELDS.get(name, {}))
    if "rules" not in data and "names" not in data:
        return False
    if "names" in data and not _names_conform(data["names"]):
        return False
    if "rules" in data and not isinstance(data["rules"], list):
        return False
    frags = data.get("fragments", {})
    if not isinstance(frags, dict) or not all(isinstance(v, str) for v in frags.values()):
        return False
    for r in data.get("rules", []):
        if not isinstance(r, dict):
            return False
        if not allowed.issuperset(r) or ("mode" in r and r["mode"] not in MODES):
            return False
        rid = r.get("id")
        if not isinstance(rid, str) or not _RULE_ID.search(rid) or not isinstance(r.get("description"), str):
            return False
        if "pattern" in r and not isinstance(r["pattern"], str):
            return False
        for key in _LIST_FIELDS:
            if key in r and not isinstance(r[key], list):
                return False
        if "phrases" in r and not all(isinstance(p, str) for p in r["phrases"]):
            return False
        if "tokens" in r and not all(isinstance(t, list) for t in r["tokens"]):
            return False
    return True


def _validate(path: Path, data: Any) -> None:
    if _conforms(data, path.stem):
        return
    import jsonschema

    try:
        jsonschema.validate(data, rule_file_schema(path.stem))
    except jsonschema.ValidationError as exc:
        loc = "/".join(str(p) for p in exc.absolute_path)
        raise RuleError(f"{path}: invalid rule file at {loc or '<root>'}: {exc.message}") from None


@functools.cache
def _shared_fragments() -> dict[str, str]:
    path = RULES_DIR / "fragments.yaml"
    if not path.exists():
        return {}
    data = _read_yaml(path) or {}
    frags = data.get("fragments", {})
    if not isinstance(frags, dict):
        raise RuleError(f"{path}: 'fragments' must be a mapping")
    return {str(k): str(v) for k, v in frags.items()}


@functools.cache
def load(name: str) -> RuleFile:
    """Load and validate ``rules/<name>.yaml`` (cached)."""
    path = RULES_DIR / f"{name}.yaml"
    if not path.exists():
        raise RuleError(f"{path}: rule file not found")
    try:
        raw = path.read_bytes()
    except OSError as exc:  # pragma: no cover - message path
        raise RuleError(f"{path}: cannot read rule file: {exc}") from exc
    # the schema check and the compile of every pattern, once per fingerprint
    # of the file (its bytes, the shared fragments, the schema, the regex engine);
    # the parsed file and its compiled patterns are then read from the cache
    key = _rules_key(name, raw)
    saved = _read_compiled("rules-" + name, key)
    patterns: dict[str, regex.Pattern[str]] = {}
    if saved is not None:
        data, fragments, patterns = saved
    else:
        data = _read_yaml(path, raw)
        if not validated_before("rules-" + name, key):
            _validate(path, data)
    ids = [r["id"] for r in data.get("rules", [])]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise RuleError(f"{path}: duplicate rule ids {sorted(dup)}")
    default_mode = data.get("mode")
    rule_list = []
    for r in data.get("rules", []):
        if "pattern" in r and "mode" not in r:
            if default_mode is None:
                raise RuleError(f"{path}: rule {r['id']!r}: no mode (match or search) declared, "
                                "and the file gives no default mode")
            r = {**r, "mode": default_mode}
        rule_list.append(r)
    if saved is None:
        fragments = dict(_shared_fragments())
        fragments.update({str(k): str(v) for k, v in (data.get("fragments") or {}).items()})
    rf = RuleFile(name=name, path=path, description=data["description"],
                  fragments=fragments, rules=rule_list,
                  names={str(k): dict(v) for k, v in (data.get("names") or {}).items()},
                  patterns=patterns)
    if saved is not None:
        return rf
    for r in rf.rules:  # fail at load time, naming the rule, not at first use
        if "pattern" in r:
            try:
                # with the flags compile_pattern uses by default, kept for it
                patterns[r["id"]] = regex.compile(rf.expand(r["pattern"]), regex.IGNORECASE)
            except regex.error as exc:
                raise RuleError(f"{path}: rule {r['id']!r}: bad pattern: {exc}") from None
    remember_valid("rules-" + name, key)
    _write_compiled("rules-" + name, key, data, fragments, patterns)
    return rf


@functools.cache
def _compile(name: str, rule_id: str, flags: int) -> regex.Pattern[str]:
    rf = load(name)
    if flags == regex.IGNORECASE and rule_id in rf.patterns:
        return rf.patterns[rule_id]
    return regex.compile(rf.expand(rf.rule(rule_id)["pattern"]), flags)


def compile_pattern(name: str, rule_id: str, flags: int = regex.IGNORECASE) -> regex.Pattern[str]:
    """The compiled regex of one rule (``${fragments}`` expanded)."""
    return _compile(name, rule_id, flags)


@functools.cache
def group(name: str, prefix: str) -> tuple[tuple[dict[str, Any], regex.Pattern[str]], ...]:
    """The regex rules of ``rules/<name>.yaml`` whose id starts with ``prefix``,
    in file order, each with its compiled pattern (case-insensitive)."""
    return tuple((r, compile_pattern(name, r["id"])) for r in load(name).rules
                 if r["id"].startswith(prefix) and "pattern" in r)


def all_rule_files() -> list[str]:
    return sorted(p.stem for p in RULES_DIR.glob("*.yaml") if p.stem != "fragments")


def fragment(name: str) -> str | None:
    return _shared_fragments().get(name)
