"""Cited documents: every other document a text cites, once, never itself.

A citation is a document symbol (``1520/QĐ-TTg``, ``150/2025/NĐ-CP``,
``35-KH/TU``) with the kind word before it (``Quyết định số``) and, after it,
its date and issuer (``ngày 09/12/2022 của Thủ tướng Chính phủ``).  Laws are
often cited by name and date alone (``Luật Thư viện ngày 21 tháng 11 năm
2019``) or, when a plan implements them, by name alone (``triển khai Luật Thư
viện``); Party congress resolutions by their congress (``Nghị quyết Đại hội
Đảng bộ tỉnh lần thứ XIX``).  Unnumbered programmes and schemes
(``Chương trình “…”``, ``Đề án …``) are not listed: they cannot be told apart
from the decision that approved them.

Mentions of one document are merged (a symbol first seen in an upper-case
title, ``20/CT-TTG``, and later as ``20/CT-TTg`` is one reference); an issuer
left implicit is completed from the document's place (``của UBND thành phố``
in a Hải Phòng district plan → ``Ủy ban nhân dân thành phố Hải Phòng``).

Evidence is the citation phrase, as a span of the raw text.

>>> from pipeline.text import prepare
>>> from pipeline.segment import segment
>>> p = prepare("Căn cứ Quyết định số 150/QĐ-TTg ngày 04 tháng 5 năm 2013 của Thủ tướng Chính phủ về việc;")
>>> [(r.kind, r.number, r.date, r.issuer) for r in extract_references(p, segment(p.flow, with_sentences=False), None)]
[('decision', '150/QĐ-TTg', '2013-05-04', 'Thủ tướng Chính phủ')]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import regex

from .. import rules
from ..models import Evidence, Reference
from ..segment import Segmented
from ..text import PreparedText
from .metadata import (Metadata, complete_body, extract_metadata, iso_date, parse_body,
                       read_citation_date)

__all__ = ["extract_references"]

KIND_WINDOW = 90        # how far before a symbol its kind word may stand
DATE_BEFORE_WINDOW = 160  # how far before a kind word a date written first may stand
ISSUER_TOKENS = 16      # longest issuer name, in words
ISSUER_CHARS = 200      # … and in characters
ISSUER_TITLE_WORDS = 4  # "Chủ tịch", "Bộ trưởng" … before the body in an issuer
LAW_LEAD_WINDOW = 60    # how far before an undated law its citing verb may stand
LINE_WINDOW = 400       # how far back a "Căn cứ" line may start
NUMBERED_KINDS = ("kind.decision", "kind.decree", "kind.circular", "kind.resolution",
                  "kind.directive", "kind.plan", "kind.official_letter")


@dataclass
class _Cite:
    """One mention of a cited document (offsets in ``flow``)."""

    key: str
    kind: Optional[str]
    kind_from_word: bool
    number: Optional[str]
    date: Optional[str]
    issuer: Optional[str]
    start: int
    end: int
    upper: bool = False          # read from an upper-case title
    cites: bool = True           # a citing mention (undated laws)


_rx = rules.compile_pattern
_group = rules.group


def _is_upper(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


_SPACES = regex.compile(r"\s+")


def _clean(s: str) -> str:
    return _SPACES.sub(" ", s).strip()


# --------------------------------------------------------------------------
# Symbols and their parts
# --------------------------------------------------------------------------

def _codes(number: str) -> tuple[Optional[str], Optional[str]]:
    """(type code, issuer code): ``1520/QĐ-TTg`` → (QĐ, TTg), ``35-KH/TU`` → (KH, TU)."""
    m = _rx("references", "ref.symbol_parts").match(number)
    if not m:
        return None, None
    parts = _rx("references", "ref.code_split").split(m["codes"])
    return parts[0], (parts[1] if len(parts) > 1 else None)


def _match_rule(file: str, prefix: str, text: Optional[str]) -> Optional[dict[str, Any]]:
    if not text:
        return None
    for rule, rx in _group(file, prefix):
        if rx.match(text):
            return rule
    return None


def _kind_from_code(number: str) -> str:
    type_code, _ = _codes(number)
    rule = _match_rule("doc_types", "code.", type_code)
    if rule:
        return str(rule["kind"])
    return "official_letter"  # "1234/UBND-KGVX": a letter carries no type code


def _fix_case(number: str) -> str:
    """Canonical spelling of the codes of a symbol read in upper case
    (``20/CT-TTG`` → ``20/CT-TTg``)."""
    m = _rx("references", "ref.symbol_parts").match(number)
    if not m:
        return number
    codes = m["codes"]
    out: list[str] = []
    last = 0
    for sep in _rx("references", "ref.code_split").finditer(codes):
        out.extend((_code_case(codes[last:sep.start()]), sep.group(0)))
        last = sep.end()
    out.append(_code_case(codes[last:]))
    return m["num"] + m["sep"] + "".join(out)


def _code_case(code: str) -> str:
    rule = _match_rule("references", "issuer.", code) or _match_rule("doc_types", "code.", code)
    return str(rule["code"]) if rule and rule.get("code") else code


def _key(number: str) -> str:
    return "no:" + number.upper().replace(" ", "")


# --------------------------------------------------------------------------
# Around a symbol: kind before, date and issuer after
# --------------------------------------------------------------------------

def _kind_before(flow: str, pos: int) -> tuple[Optional[str], int]:
    """(kind, start of the kind word) of the kind word that introduces the
    symbol at ``pos`` (the nearest one, with only "số" or a short name between)."""
    lo = max(0, pos - KIND_WINDOW)
    window = flow[lo:pos]
    best: Optional[tuple[int, int, str]] = None
    for rule, rx in _group("doc_types", "kind."):
        for m in rx.finditer(window):
            if best is None or m.end() > best[1] or (m.end() == best[1] and m.start() < best[0]):
                best = (m.start(), m.end(), str(rule["kind"]))
    if best and _rx("references", "ref.kind_gap").match(window[best[1]:]):
        return best[2], lo + best[0]
    return None, pos


def _date_before(flow: str, kind_start: int, ctx: "_Context") -> tuple[Optional[str], Optional[str]]:
    """``Ngày 30/8/2021, UBND tỉnh đã ban hành Kế hoạch số …``: (date,
    issuer) written before the kind word, in the same clause."""
    m = _rx("references", "ref.date_before").search(flow[max(0, kind_start - DATE_BEFORE_WINDOW):kind_start])
    if not m:
        return None, None
    if m["y1"]:
        date = iso_date(int(m["y1"]), int(m["m1"]), int(m["d1"]))
    else:
        date = iso_date(int(m["y2"]), int(m["m2"]), int(m["d2"]))
    return date, _normalize_issuer(_clean(m["subject"]), ctx, strict=True)


def _issuer_after(flow: str, pos: int) -> tuple[Optional[str], int]:
    """The issuer after ``của`` at ``pos``, cut at the first word that cannot
    belong to a body's name; commas only inside a field name
    (``Bộ Văn hóa, Thể thao và Du lịch``)."""
    lead = _rx("references", "ref.issuer_lead").match(flow, pos)
    if not lead:
        return None, pos
    stop = _rx("references", "ref.issuer_stop")
    marker = _rx("references", "ref.line_marker")
    start = lead.end()
    end = start
    hard = min(len(flow), start + ISSUER_CHARS)
    para_end = flow.find("\n\n", start, hard)
    limit = para_end if para_end != -1 else hard
    for n, tok in enumerate(regex.finditer(r"\S+", flow[start:limit])):
        if n >= ISSUER_TOKENS:
            break
        t_start = start + tok.start()
        if n and (stop.match(flow, t_start) or ("\n" in flow[end:t_start] and marker.match(flow, t_start))):
            break
        word = tok.group(0)
        cut = _rx("references", "ref.issuer_cut").search(word)
        if cut:
            if cut.start():
                end = t_start + cut.start()
            break
        if word.endswith(","):
            end = t_start + len(word) - 1
            if not _comma_continues(flow, end):
                break
            continue
        end = t_start + len(word)
    text = _clean(flow[start:end])
    return (text or None), (end if text else pos)


def _comma_continues(flow: str, comma: int) -> bool:
    """``…Văn hóa, Thể thao và Du lịch``: a comma inside a field name."""
    return bool(_rx("references", "ref.issuer_comma").match(flow, comma))


@dataclass(frozen=True)
class _Context:
    province: Optional[str]
    district: Optional[str]


def _normalize_issuer(text: Optional[str], ctx: "_Context", strict: bool = False) -> Optional[str]:
    """Expand and complete an issuer: ``UBND tỉnh`` → ``Ủy ban nhân dân tỉnh
    Hà Giang``; a title before the body is kept (``Chủ tịch UBND tỉnh`` →
    ``Chủ tịch Ủy ban nhân dân tỉnh Hà Giang``).  A text that names no known
    body is kept as written, or dropped when ``strict``."""
    if not text:
        return None
    words = text.split(" ")
    for k in range(min(ISSUER_TITLE_WORDS, len(words) - 1) + 1):
        body = parse_body(" ".join(words[k:]))
        if body is not None:
            title = " ".join(words[:k])
            if title and _is_upper(title):
                title = title[:1] + title[1:].lower()
            name = complete_body(body, ctx.province, ctx.district).name
            return f"{title} {name}" if title else name
    if strict:
        return None
    return text[:1] + text[1:].lower() if _is_upper(text) else text


def _squeeze(number: str) -> str:
    """A symbol without the stray spaces a text layer left around its
    separators (``36/NQ- TW`` → ``36/NQ-TW``)."""
    return "".join(number.split())


def _numbered(flow: str, ctx: _Context) -> list[_Cite]:
    out: list[_Cite] = []
    not_citation = _rx("references", "ref.not_citation")
    for m in _rx("references", "ref.symbol").finditer(flow):
        number = _squeeze(m["number"])
        if not_citation.search(flow[max(0, m.start() - 20):m.start()]):
            continue
        kind, k_start = _kind_before(flow, m.start())
        from_word = kind is not None
        if kind is None:
            kind = _kind_from_code(number)
        end = m.end()
        date: Optional[str] = None
        lead = _rx("references", "ref.date_lead").match(flow, end)
        if lead:
            date, _, d_end = read_citation_date(flow, lead.end())
            end = max(end, d_end)
        issuer_before: Optional[str] = None
        if date is None:
            date, issuer_before = _date_before(flow, k_start, ctx)
        issuer_text, i_end = _issuer_after(flow, end)
        end = max(end, i_end)
        issuer = _normalize_issuer(issuer_text, ctx) or issuer_before
        if issuer is None:
            _, code = _codes(number)
            rule = _match_rule("references", "issuer.", code)
            issuer = str(rule["issuer"]) if rule else None
        upper = _is_upper(flow[k_start:end])
        out.append(_Cite(key=_key(number), kind=kind, kind_from_word=from_word, number=number,
                         date=date, issuer=issuer, start=k_start, end=end, upper=upper))
    return out


# --------------------------------------------------------------------------
# Laws and congress resolutions cited without a number
# --------------------------------------------------------------------------

def _law_key(name: str) -> str:
    return "law:" + _clean(name).lower().strip(" ,")


def _has_numbered_kind(name: str) -> bool:
    return any(_rx("doc_types", k).search(name) for k in NUMBERED_KINDS)


def _dated_laws(flow: str) -> list[_Cite]:
    """Laws with a full date (always cited) or a year (cited in a citing context)."""
    out: list[_Cite] = []
    for m in _rx("references", "ref.law_dated").finditer(flow):
        name = m["name"]
        if _has_numbered_kind(name):
            continue
        date, _, end = read_citation_date(flow, m.end())
        cites = True
        if end == m.end():
            year = _rx("references", "ref.law_year").match(flow, m.end())
            if not year:
                continue
            date, end, cites = year["y"], year.end(), _citing(flow, m.start())
        out.append(_Cite(key=_law_key(name), kind="law", kind_from_word=True, number=None,
                         date=date, issuer=None, start=m.start(), end=end, upper=_is_upper(name),
                         cites=cites))
    return out


def _citing(flow: str, pos: int) -> bool:
    """Is the law named at ``pos`` cited (after a citing verb, or in a "Căn
    cứ" line) rather than named as the object of something else ("… của Luật")?"""
    before = flow[max(0, pos - LAW_LEAD_WINDOW):pos]
    if _rx("references", "ref.of_before").search(before):
        return False
    if _rx("references", "ref.law_cite_lead").search(before):
        return True
    lo = max(0, pos - LINE_WINDOW)
    nl = flow.rfind("\n", lo, pos)
    if nl == -1 and lo > 0:
        return False  # the line starts too far back to tell
    return bool(_rx("references", "ref.basis_line").match(flow[nl + 1:pos]))


def _law_name(raw: str) -> str:
    """Cut an undated law's name at its first stop word or punctuation."""
    stop = _rx("references", "ref.law_name_stop")
    words: list[str] = []
    for w in raw.split():
        core = w.rstrip(",;:.")
        if stop.match(core.lower()):
            break
        words.append(core)
        if core != w:
            break
    return " ".join(words)


def _undated_laws(flow: str, taken: list[tuple[int, int]]) -> list[_Cite]:
    out: list[_Cite] = []
    for m in _rx("references", "ref.law_undated").finditer(flow):
        if any(s <= m.start() < e for s, e in taken):
            continue
        name = _law_name(m["name"])
        if not name:
            continue
        end = m.start("name") + len(name)
        cites = _citing(flow, m.start())
        out.append(_Cite(key=_law_key(name), kind="law", kind_from_word=True, number=None,
                         date=None, issuer=None, start=m.start(), end=end, cites=cites))
    return out


def _congress(flow: str, ctx: _Context) -> list[_Cite]:
    out: list[_Cite] = []
    for m in _rx("references", "ref.party_congress").finditer(flow):
        org = _clean(m["org"])
        if m["level"]:
            level = _clean(m["level"]).lower()
            place = m["name"] or (ctx.province if level in ("tỉnh", "thành phố") else ctx.district)
            issuer = " ".join(x for x in ("Đảng bộ", level, place) if x)
        else:
            issuer = "Đảng Cộng sản Việt Nam"
        key = "congress:" + org.lower() + ":" + m["ord"].upper()
        out.append(_Cite(key=key, kind="resolution", kind_from_word=True, number=None, date=None,
                         issuer=issuer, start=m.start(), end=m.end()))
    return out


# --------------------------------------------------------------------------
# Merging and output
# --------------------------------------------------------------------------

def _merge(cites: list[_Cite], self_key: Optional[str]) -> list[_Cite]:
    """One entry per document, in order of first mention; the best-informed
    mention gives the evidence, the others fill what it lacks."""
    groups: dict[str, list[_Cite]] = {}
    for c in sorted(cites, key=lambda c: c.start):
        if c.key == self_key:
            continue
        groups.setdefault(c.key, []).append(c)
    out: list[_Cite] = []
    for key, group in groups.items():
        if key.startswith("law:") and not any(c.cites for c in group):
            continue
        out.append(_combine(group))
    out.sort(key=lambda c: c.start)
    return out


def _combine(group: list[_Cite]) -> _Cite:
    mixed = [c for c in group if not c.upper] or group
    best = max(group, key=lambda c: (c.date is not None, c.issuer is not None, c.cites, not c.upper, -c.start))
    number = None
    if group[0].number:
        lower = [c.number for c in group if c.number and not c.number.isupper()]
        number = lower[0] if lower else _fix_case(group[0].number)
    kind = next((c.kind for c in group if c.kind_from_word), group[0].kind)
    date = next((c.date for c in group if c.date), None)
    issuer = next((c.issuer for c in mixed if c.issuer), None) or \
        next((c.issuer for c in group if c.issuer), None)
    return _Cite(key=best.key, kind=kind, kind_from_word=True, number=number, date=date,
                 issuer=issuer, start=best.start, end=best.end, upper=best.upper)


def _context(prep: PreparedText, seg: Segmented, meta: Optional[Metadata]) -> _Context:
    if meta is None:
        meta = extract_metadata(prep, seg)
    return _Context(province=meta.province, district=meta.district)


def extract_references(prep: PreparedText, seg: Segmented, self_number: Optional[str],
                       meta: Optional[Metadata] = None) -> list[Reference]:
    """Every document ``prep`` cites, once, without the document itself.

    ``self_number`` is the document's own number (for a news article, the
    number of the document it reports), left out of the list.  ``meta``, the
    document's facts when the caller has read them, gives the place that
    completes a cited body's name; without it the facts are read here.
    """
    flow = prep.flow
    ctx = _context(prep, seg, meta)
    cites = _numbered(flow, ctx)
    dated = _dated_laws(flow)
    cites += dated
    cites += _undated_laws(flow, [(c.start, c.end) for c in dated])
    cites += _congress(flow, ctx)
    self_key = _key(self_number) if self_number else None
    out: list[Reference] = []
    for c in _merge(cites, self_key):
        text, a, b = prep.raw_span_text(c.start, c.end)
        out.append(Reference(kind=c.kind or "other", number=c.number, date=c.date,
                             issuer=c.issuer, evidence=Evidence(text=text, start=a, end=b)))
    return out
