"""No Vietnamese regex or word list written into the extractors' code.

Issue 10: every regex and word list the extractors read Vietnamese with is a
rule in ``rules/*.yaml``, where it carries examples and counter-examples that
``tests/test_rules.py`` checks.  This test walks the AST of every module under
``pipeline/extractors/`` and fails on

* a **regex literal with Vietnamese words**: a string (or the string pieces of
  a concatenation / f-string) passed as the pattern of ``re.*`` / ``regex.*``
  (``compile``, ``search``, ``match``, ``fullmatch``, ``sub``, ``subn``,
  ``finditer``, ``findall``, ``split``), directly or through a name bound to a
  string in the same module, that holds a non-ASCII letter (``đạt``, ``năm``)
  or an ASCII word of two letters or more outside escapes, group names and
  character classes (``\\bva\\b``, ``(?:so|ngay)``) — ``\\d``, ``\\p{L}``,
  ``(?P<lo>…)`` and ``[A-Z]`` are not words;
* a **word list**: a tuple, list or set literal (or the keys of a dict
  literal) of two strings or more, one of which holds a non-ASCII letter
  (``(" và ", " hoặc ")``), or such words written as one string split
  (``"xã phường".split()``).

Messages, docstrings and a lone string are not regexes or lists and are left
alone.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
import regex

ROOT = Path(__file__).resolve().parents[2]
EXTRACTORS = ROOT / "pipeline" / "extractors"

REGEX_MODULES = {"re", "regex"}
REGEX_FUNCTIONS = {"compile", "search", "match", "fullmatch", "sub", "subn", "finditer", "findall", "split"}

# what is not a word in a pattern: an escape (\d, \p{L}, \N{…}, \x41), a group's
# name or back-reference, inline flags, a character class
_NOT_WORDS = regex.compile(
    r"\\[pPN]\{[^}]*\}|\\x[0-9A-Fa-f]{2}|\\u[0-9A-Fa-f]{4}|\\.|\(\?P?<[A-Za-z_]\w*>|\(\?P=\w+\)"
    r"|\(\?[aiLmsux-]+[:)]|\[(?:\\.|[^\]\\])*\]")
_ASCII_WORD = regex.compile(r"[A-Za-z]{2,}")


def vietnamese_letters(s: str) -> bool:
    """A letter outside ASCII: ``ă â đ ê ô ơ ư`` and the tone-marked vowels."""
    return any(ord(c) > 127 and c.isalpha() for c in s)


def has_words(pattern: str) -> bool:
    """True when a regex holds a word: a non-ASCII letter, or two ASCII
    letters in a row outside escapes, group names, flags and classes."""
    return vietnamese_letters(pattern) or bool(_ASCII_WORD.search(_NOT_WORDS.sub(" ", pattern)))


def _strings(node: ast.AST | None, bound: dict[str, list[ast.AST]], seen: frozenset[str] = frozenset()) -> list[ast.Constant]:
    """The string constants a pattern argument is built from."""
    if node is None:
        return []
    if isinstance(node, ast.Constant):
        return [node] if isinstance(node.value, str) else []
    if isinstance(node, ast.JoinedStr):
        return [v for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    if isinstance(node, ast.BinOp):
        return _strings(node.left, bound, seen) + _strings(node.right, bound, seen)
    if isinstance(node, ast.Name) and node.id not in seen:
        return [c for v in bound.get(node.id, []) for c in _strings(v, bound, seen | {node.id})]
    return []


def _is_regex_call(node: ast.Call) -> bool:
    f = node.func
    return (isinstance(f, ast.Attribute) and f.attr in REGEX_FUNCTIONS
            and isinstance(f.value, ast.Name) and f.value.id in REGEX_MODULES)


def offenders(source: str, where: str = "<src>") -> list[str]:
    """``where:line: what`` for each Vietnamese regex literal and word list in ``source``."""
    tree = ast.parse(source)
    bound: dict[str, list[ast.AST]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    bound.setdefault(t.id, []).append(node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            bound.setdefault(node.target.id, []).append(node.value)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _is_regex_call(node):
            arg = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "pattern"), None)
            for c in _strings(arg, bound):
                if has_words(str(c.value)):
                    found.append(f"{where}:{c.lineno}: regex {c.value!r}")
        elems: list[ast.expr | None] = []
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            elems = list(node.elts)
        elif isinstance(node, ast.Dict):
            elems = list(node.keys)
        words = [e.value for e in elems if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "split"
                and isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str)):
            words = node.func.value.value.split()
        if len(words) >= 2 and any(vietnamese_letters(w) for w in words):
            found.append(f"{where}:{node.lineno}: word list {words!r}")
    return sorted(set(found))


def _modules() -> list[Path]:
    return sorted(EXTRACTORS.rglob("*.py"))


def test_the_walk_reads_the_extractors():
    assert len(_modules()) >= 15, "the walk found too few modules: is pipeline/extractors/ still there?"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(EXTRACTORS)))
def test_no_vietnamese_regex_or_word_list_in_code(path: Path) -> None:
    found = offenders(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert not found, "move these into rules/*.yaml (with examples and counter-examples):\n" + "\n".join(found)


@pytest.mark.parametrize("source,flagged", [
    ('import regex\nregex.search(r"tỷ\\s+lệ", t)', True),                      # a Vietnamese word
    ('import re\nre.compile(r"\\b(?:va|dat)\\b")', True),                       # ASCII words, unaccented
    ('import regex\n_P = r"mỗi\\s+năm"\ndef f(t):\n    return regex.search(_P, t)', True),  # through a constant
    ('import regex\nregex.sub("^(?:" + "đến" + ")", "", t)', True),            # a concatenation
    ('import regex\nregex.finditer(pattern=f"{x}|từng", string=t)', True),      # an f-string, by keyword
    ('SEPS = (",", ";", " và ", " hoặc ")', True),                              # a word list
    ('HEADS = {"tỉnh": 1, "huyện": 2}', True),                                  # a dict of words
    ('LEVELS = "tỉnh huyện xã".split()', True),                                 # words split from one string
    ('import regex\nregex.compile(r"(?<!\\d)(?P<lo>\\d+)\\s*%\\p{L}[A-Z]")', False),  # no word
    ('import regex\nregex.fullmatch(r"[IVXLC]{1,6}|[A-Z]", t)', False),
    ('import regex\nregex.compile(r"[-–—_=]{3,}")', False),                     # non-ASCII, not a letter
    ('KINDS = ("plan", "decision", "directive")', False),                       # codes, not words
    ('warn = "no number line (Số: …) found"', False),                           # a message
    ('if c in "đĐ":\n    pass', False),                                        # one string, not a list
])
def test_the_walk_tells_a_word_from_a_pattern(source: str, flagged: bool) -> None:
    assert bool(offenders(source)) is flagged, offenders(source)
