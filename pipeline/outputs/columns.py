"""The comparison's columns: who each document is and which is the baseline.

A label per document (:func:`document_labels`: ``Hải Phòng · 12/KH-UBND``),
whether a document is national (:func:`is_national`), and the baseline of a
batch (:func:`select_baseline`: the national programme, or the document
named, or a built-in programme of ``rules/baselines/``).
"""
from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any
from collections.abc import Iterable, Mapping

from .format import is_missing
from .tables import rows_of

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["document_labels", "is_national", "national_documents", "select_baseline", "UnknownBaseline",
           "LABEL_SEPARATOR", "LOCAL_LEVELS", "NATIONAL_ISSUERS"]

#: Levels below the province: their label names the district (or says the level).
LOCAL_LEVELS = frozenset({"department", "district", "commune", "school"})

#: Joins the parts of a column label.
LABEL_SEPARATOR = " · "

#: Issuers whose documents are national programmes.
NATIONAL_ISSUERS = frozenset({"thủ tướng chính phủ", "chính phủ"})
#: A document symbol of the Prime Minister or the Government (``1520/QĐ-TTg``, ``05/NQ-CP``).
_NATIONAL_SYMBOL = re.compile(r"-(?:TTg|CP)\b")


class UnknownBaseline(ValueError):
    """``baseline=DOC_ID`` names no document of the batch."""


# --------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------

def _base_label(d: Mapping[str, Any]) -> str:
    doc_id = str(d["doc_id"])
    province, number = _text(d.get("province")), _text(d.get("number"))
    level, district = _text(d.get("admin_level")), _text(d.get("district"))
    parts: list[str] = []
    if level in LOCAL_LEVELS and district:
        parts = ([province] if province else []) + [f"{district} ({level})"]
    elif level in LOCAL_LEVELS and province:
        parts = [f"{province} ({level})"]
    elif province:
        parts = [province]
    if number:
        parts.append(number)
    else:  # a plan without a number: by its issuer and date, not by an internal id
        issuer, date = _text(d.get("issuing_body")), _text(d.get("issue_date"))
        parts += [x for x in (issuer, _dmy(date)) if x] or [doc_id]
    return LABEL_SEPARATOR.join(parts)


def _dmy(date: str | None) -> str | None:
    """An ISO date as written on Vietnamese documents (``2024-03-05`` → ``05/03/2024``);
    a partial date (``2023``) as it is."""
    if date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        return f"{date[8:10]}/{date[5:7]}/{date[:4]}"
    return date


def document_labels(docs: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """A unique, readable column label per document, keyed by ``doc_id``.

    ``province · number`` when both are known; below the province the place
    and level come between (``Hải Phòng · Ngô Quyền (district) · 68/KH-UBND``,
    ``Hà Nội (department) · 290/KH-SVHTT``); the number alone for a national
    document; a plan without a number by its issuer and date
    (``Đắk Nông · Ủy ban nhân dân tỉnh Đắk Nông · 05/03/2024``), ``doc_id``
    only when neither is known.  Labels that would
    repeat get `` (doc_id)`` appended, then ``#2``, ``#3`` … if even that
    repeats.

    >>> document_labels([{"doc_id": "a", "province": "Hải Phòng", "number": "12/KH-UBND"},
    ...                  {"doc_id": "b", "province": None, "number": "206/QĐ-TTg"},
    ...                  {"doc_id": "c", "province": None, "number": None},
    ...                  {"doc_id": "d", "province": "Hải Phòng", "district": "Ngô Quyền",
    ...                   "admin_level": "district", "number": "68/KH-UBND"}])
    {'a': 'Hải Phòng · 12/KH-UBND', 'b': '206/QĐ-TTg', 'c': 'c', 'd': 'Hải Phòng · Ngô Quyền (district) · 68/KH-UBND'}
    """
    docs = list(docs)
    base = [(str(d["doc_id"]), _base_label(d)) for d in docs]
    counts: dict[str, int] = {}
    for _, label in base:
        counts[label] = counts.get(label, 0) + 1
    out: dict[str, str] = {}
    used: set[str] = set()
    for doc_id, label in base:
        if doc_id in out:  # a doc_id shared by two files: one column
            continue
        if counts[label] > 1 and label != doc_id:
            label = f"{label} ({doc_id})"
        candidate, n = label, 1
        while candidate in used:
            n += 1
            candidate = f"{label} #{n}"
        used.add(candidate)
        out[doc_id] = candidate
    return out


def _text(value: Any) -> str | None:
    if is_missing(value):
        return None
    value = str(value).strip()
    return value or None


# Baseline
# --------------------------------------------------------------------------

def _key_of_symbol(number: Any) -> str | None:
    """A document number compared loosely: case, spaces and ``Đ``/``D`` ignored."""
    s = _text(number)
    if not s:
        return None
    return re.sub(r"\s+", "", s).replace("đ", "d").replace("Đ", "D").casefold()


def is_national(doc: Mapping[str, Any]) -> bool:
    """Whether ``doc`` (a row of the documents table) is a national document:
    issued at the ``central`` level or by the Prime Minister / the Government,
    or a news article reporting such a decision (its number ends ``-TTg`` or ``-CP``).

    >>> is_national({"admin_level": "central"}), is_national({"issuing_body": "Thủ tướng Chính phủ"})
    (True, True)
    >>> is_national({"doc_type": "news", "number": "1520/QĐ-TTg"}), is_national({"number": "12/KH-UBND"})
    (True, False)
    """
    if _text(doc.get("admin_level")) == "central":
        return True
    issuer = _text(doc.get("issuing_body"))
    if issuer and unicodedata.normalize("NFC", issuer).casefold() in NATIONAL_ISSUERS:
        return True
    number = _text(doc.get("number"))
    return bool(number and _NATIONAL_SYMBOL.search(number))


def national_documents(frames: Mapping[str, pd.DataFrame]) -> list[str]:
    """doc_ids of the national documents of the batch that were read, best
    baseline first: those with targets, then those the other documents cite
    most, then those with most targets, then by ``doc_id``."""
    documents = frames["documents"]
    targets = frames.get("targets")
    references = frames.get("references")
    n_targets: dict[str, int] = {}
    if targets is not None and len(targets):
        n_targets = {str(k): int(v) for k, v in targets["doc_id"].value_counts().items()}
    cited: dict[str, set[str]] = {}
    if references is not None and len(references):
        for ref in rows_of(references[["doc_id", "number"]]):
            k = _key_of_symbol(ref["number"])
            if k:
                cited.setdefault(k, set()).add(str(ref["doc_id"]))
    ranked = []
    for doc in rows_of(documents):
        if _text(doc.get("error")) or not is_national(doc):
            continue
        doc_id = str(doc["doc_id"])
        citing = cited.get(_key_of_symbol(doc.get("number")) or "", set()) - {doc_id}
        n = int(n_targets.get(doc_id, 0))
        ranked.append(((n == 0, -len(citing), -n, doc_id), doc_id))
    return list(dict.fromkeys(doc_id for _, doc_id in sorted(ranked)))


def select_baseline(frames: Mapping[str, pd.DataFrame], baseline: str | None = "auto") -> str | None:
    """The ``doc_id`` of the baseline document, or ``None`` for none.

    ``"auto"`` (the default) picks the national programme: the best of
    :func:`national_documents`, or ``None`` when the batch has no national
    document.  ``None`` asks for no baseline.  Any other string must be a
    ``doc_id`` of the batch, else :class:`UnknownBaseline` is raised.
    """
    if baseline is None:
        return None
    if baseline == "auto":
        found = national_documents(frames)
        return found[0] if found else None
    ids = [str(d) for d in frames["documents"]["doc_id"].tolist()]
    if baseline not in ids:
        from .baselines import all_builtins

        shown = ", ".join(ids[:10]) + (f", … ({len(ids)} in all)" if len(ids) > 10 else "")
        builtins = ", ".join(b.number for b in all_builtins())
        raise UnknownBaseline(f"no document with doc_id {baseline!r} in this batch"
                              + (f" (doc_ids: {shown})" if ids else " (it has no documents)")
                              + (f" and no built-in programme of that number ({builtins})" if builtins else ""))
    return baseline
