"""The parts of spaCy the tier matcher uses, imported without the rest of spaCy.

``import spacy``, or the import of any of its modules (the package's
``__init__`` runs first), imports the whole library: its command line
(weasel, httpx, requests, typer, rich), every pipeline component, the
training code, ``spacy.language``.  That is ~0.4 s and ~470 modules of each
process's start (of ~0.9 s for spaCy in all), where :mod:`pipeline.nlp` needs a
``Matcher``, a ``Doc``, a ``Vocab`` and ``filter_spans``.  So, as
:func:`pipeline.nlp.sent_tokenizer` does with underthesea, :func:`load`
imports those modules with spaCy's package made but its ``__init__`` not run
(:class:`_Package`), in :data:`_MODULES`' order, which enters spaCy's import
cycles where its ``__init__`` does.  The vocabulary's Vietnamese defaults
are read from ``spacy/lang/vi``'s own ``lex_attrs.py`` and ``stop_words.py``,
since ``spacy.lang.vi`` imports ``spacy.language`` and so the rest.

Nothing else changes: the same compiled ``Matcher``, ``Doc`` and ``Vocab``,
and the vocabulary of a blank Vietnamese pipeline (``tests/test_spacy_parts.py``
compares the two).  The package completes itself, running its ``__init__``,
the first time it is asked for a name it does not have yet (``import spacy;
spacy.blank("vi")`` works as it always did); only a submodule not yet imported
is not an attribute until it is imported (``import spacy.pipeline``).  Where
spaCy is imported already, or its version is not one this was tested with
(:data:`TESTED`), or the modules cannot be imported this way, spaCy is
imported as usual.
"""
from __future__ import annotations

import functools
import importlib
import importlib.util
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Parts", "load", "TESTED"]

#: The spaCy releases (``major.minor``) whose modules were checked to import in :data:`_MODULES`' order.
TESTED = ("3.8",)

#: What :func:`load` imports, in this order (the first ones are what the
#: others import from the package, so they are there when a cycle comes back to them).
_MODULES = ("spacy.errors", "spacy.util", "spacy.tokens", "spacy.vocab", "spacy.matcher", "spacy.attrs")

#: The writing system of spaCy's ``BaseDefaults`` (``spacy.language``), which Vietnamese keeps.
_WRITING_SYSTEM = {"direction": "ltr", "has_case": True, "has_letters": True}


@dataclass(frozen=True)
class Parts:
    """What :mod:`pipeline.nlp` takes from spaCy."""

    Matcher: Any
    Doc: Any
    create_vocab: Callable[..., Any]
    filter_spans: Callable[..., Any]
    #: the language code and defaults a blank Vietnamese pipeline makes its vocabulary with
    lang: str
    defaults: Any
    #: whether the package was imported without its ``__init__`` (False: imported as usual)
    partial: bool


class _Package(types.ModuleType):
    """spaCy's package module before its ``__init__`` has run.  A name it does
    not have, other than a submodule's (which the import system then imports),
    runs the ``__init__`` into it (:func:`_complete`), as a plain ``import
    spacy`` would have, and is looked up again."""

    def __getattr__(self, name: str) -> Any:
        done = self.__dict__.get("_chitieu_completed", True)
        if done or (name.startswith("__") and name not in ("__version__", "__all__")) or _is_submodule(name):
            raise AttributeError(f"module 'spacy' has no attribute {name!r}")
        _complete(self)
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError(f"module 'spacy' has no attribute {name!r}") from None


def _is_submodule(name: str) -> bool:
    return importlib.util.find_spec(f"spacy.{name}") is not None


def _complete(package: types.ModuleType) -> None:
    """Run spaCy's ``__init__`` in ``package`` (once)."""
    if package.__dict__.get("_chitieu_completed", True):
        return
    package.__dict__["_chitieu_completed"] = True
    spec = package.__spec__
    if spec is None or spec.loader is None or not hasattr(spec.loader, "get_code"):
        raise ImportError("spaCy's package cannot be completed: no loader")
    code = spec.loader.get_code(spec.name)
    exec(code, package.__dict__)  # noqa: S102 - spaCy's own __init__, as the import system runs it


def _tested_version() -> bool:
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("spacy")
    except PackageNotFoundError:
        return False
    return any(release == t or release.startswith(t + ".") for t in TESTED)


def _partial_import() -> bool:
    """Import :data:`_MODULES` under a :class:`_Package`; False (nothing
    imported, spaCy left to be imported as usual) when spaCy or its
    version cannot be."""
    if "spacy" in sys.modules or not _tested_version():
        return False
    spec = importlib.util.find_spec("spacy")
    if spec is None or not spec.submodule_search_locations or spec.origin is None:
        return False
    package = _Package("spacy")
    package.__dict__.update(__path__=list(spec.submodule_search_locations), __file__=spec.origin,
                            __spec__=spec, __loader__=spec.loader, __package__="spacy",
                            _chitieu_completed=False)
    sys.modules["spacy"] = package
    try:
        for name in _MODULES:
            importlib.import_module(name)
    except (ImportError, AttributeError):   # a cycle entered elsewhere: "partially initialized module"
        # spaCy's modules would not import in this order: complete the package
        # (its __init__ imports the rest, as usual; what did import is reused)
        _complete(package)
        return False
    return True


def _vietnamese_file(name: str) -> Any:
    """``spacy/lang/vi/<name>.py``, run without ``spacy.lang.vi``'s ``__init__``
    (its relative imports resolve in ``spacy.lang.vi``, as the file's own do;
    it is not entered in ``sys.modules``)."""
    import spacy

    path = Path(spacy.__path__[0]) / "lang" / "vi" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"spacy.lang.vi.{name}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _VietnameseDefaults:
    """The parts of ``spacy.lang.vi.Vietnamese.Defaults`` that ``create_vocab`` reads."""

    def __init__(self, lex_attr_getters: dict[int, Any], stop_words: set[str]) -> None:
        self.lex_attr_getters = lex_attr_getters
        self.stop_words = stop_words
        self.writing_system = dict(_WRITING_SYSTEM)
        self.syntax_iterators: dict[str, Any] = {}


@functools.lru_cache(maxsize=1)
def load() -> Parts:
    """spaCy's parts (:class:`Parts`), imported the first time: partially
    where that can be done (this module's docstring), else as usual."""
    defaults: Any = None
    if _partial_import():
        try:
            defaults = _VietnameseDefaults(_vietnamese_file("lex_attrs").LEX_ATTRS,
                                           _vietnamese_file("stop_words").STOP_WORDS)
            lang, partial = "vi", True
        except (ImportError, OSError, AttributeError, SyntaxError):
            _complete(sys.modules["spacy"])   # spacy.lang.vi needs the whole package
    if defaults is None:
        from spacy.lang.vi import Vietnamese

        defaults, lang, partial = Vietnamese.Defaults, Vietnamese.lang, False
    from spacy.matcher import Matcher
    from spacy.tokens import Doc
    from spacy.util import filter_spans
    from spacy.vocab import create_vocab

    return Parts(Matcher=Matcher, Doc=Doc, create_vocab=create_vocab, filter_spans=filter_spans,
                 lang=lang, defaults=defaults, partial=partial)
