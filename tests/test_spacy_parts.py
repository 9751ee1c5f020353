"""spaCy's parts imported without the rest of spaCy (pipeline/spacy_parts.py).

Each case runs in a fresh interpreter: what is imported, and how, is the
process's own state."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str, *argv: str) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code, *argv], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


_TIERS = """
import json, sys
from pathlib import Path
{before}
from pipeline import spacy_parts
from pipeline.nlp import find_tiers
texts = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).glob("*.txt"))]
spans = [[(s.start, s.end, s.text, s.tier, s.area) for s in find_tiers(t)] for t in texts]
print(json.dumps({{"partial": spacy_parts.load().partial, "spans": spans,
                   "whole": [m for m in ("spacy.cli", "spacy.language", "spacy.pipeline", "spacy.training")
                             if m in sys.modules]}}))
"""


def test_the_parts_find_the_tiers_the_whole_of_spacy_finds():
    """Over the corpus, the tier spans from spaCy's parts are those from spaCy
    imported as usual (``import spacy`` first: the parts are then taken from it),
    and the parts import none of spaCy's command line, pipelines or training."""
    corpus = str(ROOT / "corpus")
    parts = json.loads(_run(_TIERS.format(before=""), corpus)[-1])
    whole = json.loads(_run(_TIERS.format(before="import spacy"), corpus)[-1])
    assert parts["partial"] is True and whole["partial"] is False
    assert parts["whole"] == [] and whole["whole"] == ["spacy.cli", "spacy.language", "spacy.pipeline",
                                                       "spacy.training"]
    assert sum(map(len, parts["spans"])) > 50
    assert parts["spans"] == whole["spans"]


def test_the_vocabulary_is_the_blank_vietnamese_pipelines():
    """The vocabulary made from the parts has the lexical attributes, stop
    words and writing system of ``spacy.blank("vi")``'s, on every word of the corpus."""
    code = """
import sys
from pathlib import Path
from pipeline import spacy_parts
from pipeline.nlp import _syllables
parts = spacy_parts.load()
assert parts.partial
mine = parts.create_vocab(parts.lang, parts.defaults)
import spacy
theirs = spacy.blank("vi").vocab
words = sorted({w for p in Path(sys.argv[1]).glob("*.txt") for w in _syllables(p.read_text(encoding="utf-8"))[0]})
words += ["không", "Một", "mười", "1.000", "một nghìn", "là", "và", "IS", "ab-c"]
assert sorted(mine.lex_attr_getters) == sorted(theirs.lex_attr_getters)
for attr, get in mine.lex_attr_getters.items():
    other = theirs.lex_attr_getters[attr]
    assert [get(w) for w in words] == [other(w) for w in words], attr
assert mine.writing_system == theirs.writing_system and mine.lang == theirs.lang == "vi"
assert mine.get_noun_chunks is None and theirs.get_noun_chunks is None
flags = ("is_alpha", "is_stop", "like_num", "is_lower", "is_title", "norm_", "lower_", "shape_", "prefix_", "suffix_")
assert [[getattr(mine[w], f) for f in flags] for w in words] == [[getattr(theirs[w], f) for f in flags] for w in words]
print(len(words))
"""
    assert int(_run(code, str(ROOT / "corpus"))[-1]) > 1000


def test_spacy_is_whole_again_when_asked_for_what_the_parts_lack():
    """After the parts, ``import spacy`` gives the whole library the first
    time a name of its own is asked for; a submodule imports as usual."""
    code = """
import sys
from pipeline import spacy_parts
assert spacy_parts.load().partial and "spacy.language" not in sys.modules
import spacy
print(spacy.__version__ == __import__("importlib.metadata").metadata.version("spacy"))
print([t.text for t in spacy.blank("vi")("thư viện huyện")])
from spacy.language import Language
print(Language is spacy.Language, "spacy.cli" in sys.modules)
"""
    assert _run(code)[-3:] == ["True", "['thư viện', 'huyện']", "True True"]


def test_spacy_is_imported_as_usual_when_the_parts_cannot_be():
    """An untested spaCy release, or modules that will not import in the
    parts' order (here: ``spacy.lang.vi`` first, whose import needs the whole
    package), import spaCy as usual, and the tiers are the same."""
    code = """
import sys
from pipeline import spacy_parts
if sys.argv[1] == "untested":
    spacy_parts.TESTED = ()
else:
    spacy_parts._MODULES = ("spacy.errors", "spacy.lang.vi") + spacy_parts._MODULES
from pipeline.nlp import find_tiers
print(spacy_parts.load().partial, "spacy.language" in sys.modules)
print([(s.text, s.tier) for s in find_tiers("đạt 40% thư viện cấp huyện")])
"""
    for case in ("untested", "out_of_order"):
        assert _run(code, case)[-2:] == ["False True", "[('cấp huyện', 'district')]"], case
