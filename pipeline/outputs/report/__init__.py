"""The HTML report: one self-contained page an analyst opens in a browser.

:func:`write_report` writes ``report.html`` with

* an **overview** of the batch: documents, targets, references, failures
  (records with an ``error``, which a ``to_json()`` dict's ``error: …``
  warning gives: :func:`pipeline.outputs.records.from_json`);
* the **comparison table**: :func:`pipeline.outputs.compare.build_comparison`, so
  the same rows, columns, labels and baseline as ``comparison.csv`` (one row
  per sector × indicator × tier × year × group, a criteria table's group
  shown beside its tier; one column per document with targets,
  labelled by province, district and number, the issuing body underneath).
  When a baseline is given, or found (the national programme of the batch:
  ``admin_level`` ``central``, see :func:`pipeline.outputs.columns.select_baseline`),
  its column comes first and every other cell is coloured by its difference
  from the baseline's value (:func:`pipeline.outputs.compare.differences`);
* a **chart per indicator** (inline SVG bars): provinces side by side for each
  tier and year;
* a **section per document**: its facts, targets, references and its full
  text with every target's and reference's evidence highlighted in a
  ``<mark id="ev-<doc>-<n>">``.

Every value in the table, in the charts and in the document's target list is a
link to ``#ev-<doc>-<n>``; following it scrolls the sentence into view and
flashes it.  ``<doc>`` is the document's ``doc_id`` reduced to ``[A-Za-z0-9_-]``
(made unique), ``<n>`` numbers the distinct evidence spans of the document in
text order from 1.  Several targets read from one sentence share its mark.

Overlapping evidence spans nest; where two spans cross, the later one is cut
into pieces at the crossing so the markup stays well formed: the first piece
carries the ``id``, every piece carries ``data-ev="<that id>"``, and the
pieces' text put together is the evidence text.  Evidence that is not found at
its offsets (no text given, or a different text) is listed under the text,
each in its own mark, so no link is ever dangling.

The page speaks Vietnamese by default (``lang="en"``: English): every code
is shown by its name (:mod:`pipeline.outputs.labels`, names kept in ``rules/``),
numbers as the language writes them (``12,5%``, ``300.000``), and inside each
highlighted sentence the value itself is marked ``<b class="val">`` where its
number is written (:func:`written_span`; the sentence alone when it is not
found as written).

The page is one file: CSS and JavaScript inline, charts as inline SVG, no
network access at all (a Content-Security-Policy forbids it), UTF-8 with a
font stack that covers Vietnamese.  Output is deterministic (records sorted by
``doc_id``, no timestamps) and written atomically (temporary file, then
``os.replace``).

The page is Jinja2 templates (``templates/``, autoescaping every value with
:func:`pipeline.outputs.annotate.esc`): ``page.html.j2`` lays it out and calls
one macro per section (``nav``, ``overview``, ``comparison``, ``charts``,
``documents`` ``.html.j2``); its style and script are ``assets/report.css`` and
``assets/report.js``, inlined into the page.  The view model is
:mod:`.model`, what each section shows :mod:`.sections`, the charts' layout
:mod:`.charts`, the marks :mod:`pipeline.outputs.annotate`.  The templates are
compiled once and kept in chitieu's cache directory (:mod:`.cache`).
"""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from collections.abc import Iterable, Mapping

from markupsafe import Markup

from ..annotate import esc as _esc
from ..atomic import atomic_write
from ..labels import DEFAULT_LANG, labels_for
from .charts import _charts
from .model import RecordLike, _comparison_model, _prepare
from . import sections

if TYPE_CHECKING:
    import jinja2

    from ..compare import Comparison

__all__ = ["write_report", "render_report", "REPORT_FILE", "TEMPLATES_DIR", "ASSETS_DIR"]

#: The file :func:`write_report` writes in ``out_dir``.
REPORT_FILE = "report.html"

#: Where the page template and the inlined CSS/JavaScript live (package data).
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
ASSETS_DIR = Path(__file__).resolve().parent / "assets"


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------

def write_report(records: Iterable[RecordLike], out_dir: Path | str, *,
                 baseline_doc_id: str | None = None,
                 texts: Mapping[str, str] | None = None, lang: str = DEFAULT_LANG) -> Path:
    """Write ``out_dir/report.html`` (atomically) and return its path.

    ``records`` are :class:`~pipeline.models.DocumentRecord` objects or their
    ``to_json()`` dicts (``documents.jsonl`` lines).  A document's text is
    ``texts[doc_id]`` when given, else ``rec.text``.  The baseline is
    ``baseline_doc_id`` (:class:`pipeline.outputs.columns.UnknownBaseline`, a
    ``ValueError``, if no record has it), else the national document of the
    batch (``admin_level`` ``central``; :func:`pipeline.outputs.columns.select_baseline`),
    else none.  ``lang`` is the language of the page (``vi``, the default,
    or ``en``; :mod:`pipeline.outputs.labels`): every code is shown by its name.
    """
    page = render_report(records, baseline_doc_id=baseline_doc_id, texts=texts, lang=lang)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / REPORT_FILE
    atomic_write(path, page.encode("utf-8", errors="replace"))
    return path



def render_report(records: Iterable[RecordLike], *, baseline_doc_id: str | None = None,
                  texts: Mapping[str, str] | None = None, lang: str = DEFAULT_LANG,
                  comparison: Comparison | None = None) -> str:
    """The report page as a string (what :func:`write_report` writes).

    ``comparison``, when given, is :func:`pipeline.outputs.compare.build_comparison`
    of these records with this baseline (``"auto"`` when ``baseline_doc_id`` is
    ``None``), already built by the caller (:func:`pipeline.outputs.write.write_outputs`
    writes it to comparison.csv too): the page shows it instead of building it again."""
    L = labels_for(lang)
    docs = _prepare(records, texts or {}, L)
    comparison, columns, rows, builtins = _comparison_model(docs, baseline_doc_id, L, comparison)
    baseline = next((c.doc for c in columns if c.is_baseline), None)
    return _template().render(
        lang=L.lang, L=L, css=Markup(_asset("report.css")), script=Markup(_asset("report.js")),
        has_rows=bool(rows),
        overview_view=sections.overview(docs, baseline, columns, L, explicit=baseline_doc_id is not None,
                                        comparison=comparison),
        table=sections.comparison_table(rows, columns, L),
        chart_views=_charts(rows, columns, L),
        document_views=[sections.document(d, L) for d in docs + builtins])


# --------------------------------------------------------------------------
# Page shell: the template and its assets (files of this package)
# --------------------------------------------------------------------------

#: What :func:`~pipeline.outputs.annotate.esc` writes otherwise than Jinja2's autoescape
#: (markupsafe): quotes (``&quot;``, ``&#x27;``, not ``&#34;``, ``&#39;``), a carriage return, NUL.
_NOT_AS_AUTOESCAPE = re.compile("[\"'\r\0]")


def _finalize(value: Any) -> Any:
    """Every ``{{ value }}`` of the templates escaped by :func:`~pipeline.outputs.annotate.esc`
    (a carriage return kept as ``&#13;``, ``None`` as nothing); markup (the
    macros' output, the highlighted text, the inlined assets) as it is.

    Jinja2 autoescapes what this returns.  Most values are text that autoescaping
    writes as esc does (``&``, ``<`` and ``>`` alike, nothing else to escape: names,
    numbers, years): those are returned as they are, for markupsafe to escape, not
    escaped here and then taken apart again as markup."""
    if value.__class__ is str:
        return value if _NOT_AS_AUTOESCAPE.search(value) is None else Markup(_esc(value))
    if value is None:
        return ""
    return value if hasattr(value, "__html__") else Markup(_esc(value))


@functools.cache
def _template() -> jinja2.Template:
    import jinja2

    from .cache import bytecode_cache

    options: dict[str, Any] = {"autoescape": True, "finalize": _finalize, "keep_trailing_newline": True,
                               "trim_blocks": True, "lstrip_blocks": True, "undefined": jinja2.StrictUndefined}
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
                             bytecode_cache=bytecode_cache(options), **options)
    return env.get_template("page.html.j2")


@functools.cache
def _asset(name: str) -> str:
    return (ASSETS_DIR / name).read_text(encoding="utf-8")


