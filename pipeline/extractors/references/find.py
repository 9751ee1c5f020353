"""Finding citations: every mention of a cited document, with its span.

A finder reads what the text says around a symbol or a law's name (the kind
word before it, the date and the ``của …`` issuer after it) and keeps it as
written; :mod:`.resolve` decides what the mentions refer to (the issuer's full
name, one entry per document).  Offsets are in ``flow``.
"""
from __future__ import annotations

from dataclasses import dataclass

import regex

from ... import rules
from ...models import RefKind, ref_kind_code
from ..common import canonical_symbol, is_upper, match_rule, squash, symbol_codes
from ..dates import iso_date, read_citation_date

__all__ = ["Cite", "find_citations", "symbol_key"]

KIND_WINDOW = 90        # how far before a symbol its kind word may stand
DATE_BEFORE_WINDOW = 160  # how far before a kind word a date written first may stand
NOT_CITATION_WINDOW = 20  # how far before a symbol a word that makes it no citation may stand
ISSUER_TOKENS = 16      # longest issuer name, in words
ISSUER_CHARS = 200      # … and in characters
LAW_LEAD_WINDOW = 60    # how far before an undated law its citing verb may stand
LINE_WINDOW = 400       # how far back a "Căn cứ" line may start
NUMBERED_KINDS = ("kind.decision", "kind.decree", "kind.circular", "kind.resolution",
                  "kind.directive", "kind.plan", "kind.official_letter")

_rx = rules.compile_pattern
_group = rules.group
_TOKEN = regex.compile(r"\S+")


@dataclass
class Cite:
    """One mention of a cited document (offsets in ``flow``), as written."""

    key: str
    kind: RefKind | None
    kind_from_word: bool
    number: str | None
    date: str | None
    start: int
    end: int
    upper: bool = False                 # read from an upper-case title
    cites: bool = True                  # a citing mention (undated laws)
    issuer: str | None = None        # an issuer the mention names for sure (the national Party)
    issuer_text: str | None = None   # "của …" after the symbol, as written
    subject_text: str | None = None  # the subject of a clause that gives the date first
    party_level: str | None = None   # a local Party congress: its level word …
    party_place: str | None = None   # … and the place, when named


def symbol_key(number: str) -> str:
    return "no:" + number.upper().replace(" ", "")


def kind_from_code(number: str) -> RefKind:
    type_code, _ = symbol_codes(number)
    rule = match_rule("doc_types", "code.", type_code)
    if rule:
        return ref_kind_code(rule["kind"])
    return "official_letter"  # "1234/UBND-KGVX": a letter carries no type code


# --------------------------------------------------------------------------
# Around a symbol: kind before, date and issuer after
# --------------------------------------------------------------------------

def _kind_before(flow: str, pos: int) -> tuple[RefKind | None, int]:
    """(kind, start of the kind word) of the kind word that introduces the
    symbol at ``pos`` (the nearest one, with only "số" or a short name between)."""
    lo = max(0, pos - KIND_WINDOW)
    window = flow[lo:pos]
    best: tuple[int, int, RefKind] | None = None
    for rule, rx in _group("doc_types", "kind."):
        for m in rx.finditer(window):
            if best is None or m.end() > best[1] or (m.end() == best[1] and m.start() < best[0]):
                best = (m.start(), m.end(), ref_kind_code(rule["kind"]))
    if best and _rx("references", "ref.kind_gap").match(window[best[1]:]):
        return best[2], lo + best[0]
    return None, pos


def _date_before(flow: str, kind_start: int) -> tuple[str | None, str | None]:
    """``Ngày 30/8/2021, UBND tỉnh đã ban hành Kế hoạch số …``: (date,
    subject as written) before the kind word, in the same clause."""
    m = _rx("references", "ref.date_before").search(flow[max(0, kind_start - DATE_BEFORE_WINDOW):kind_start])
    if not m:
        return None, None
    if m["y1"]:
        date = iso_date(int(m["y1"]), int(m["m1"]), int(m["d1"]))
    else:
        date = iso_date(int(m["y2"]), int(m["m2"]), int(m["d2"]))
    return date, squash(m["subject"])


def _issuer_after(flow: str, pos: int) -> tuple[str | None, int]:
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
    for n, tok in enumerate(_TOKEN.finditer(flow[start:limit])):
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
    text = squash(flow[start:end])
    return (text or None), (end if text else pos)


def _comma_continues(flow: str, comma: int) -> bool:
    """``…Văn hóa, Thể thao và Du lịch``: a comma inside a field name."""
    return bool(_rx("references", "ref.issuer_comma").match(flow, comma))


def _numbered(flow: str) -> list[Cite]:
    out: list[Cite] = []
    not_citation = _rx("references", "ref.not_citation")
    for m in _rx("references", "ref.symbol").finditer(flow):
        number = canonical_symbol(m["number"])
        if not_citation.search(flow[max(0, m.start() - NOT_CITATION_WINDOW):m.start()]):
            continue
        kind, k_start = _kind_before(flow, m.start())
        from_word = kind is not None
        if kind is None:
            kind = kind_from_code(number)
        end = m.end()
        date: str | None = None
        lead = _rx("references", "ref.date_lead").match(flow, end)
        if lead:
            date, _, d_end = read_citation_date(flow, lead.end())
            end = max(end, d_end)
        issuer_text, i_end = _issuer_after(flow, end)
        end = max(end, i_end)
        if date is None and issuer_text:
            # the date after the issuer: "Quyết định số 411/QĐ-TTg của Thủ tướng Chính phủ ngày 31/3/2022"
            lead = _rx("references", "ref.date_lead").match(flow, i_end)
            if lead:
                date, _, d_end = read_citation_date(flow, lead.end())
                end = max(end, d_end)
        subject: str | None = None
        if date is None:
            date, subject = _date_before(flow, k_start)
        upper = is_upper(flow[k_start:end])
        out.append(Cite(key=symbol_key(number), kind=kind, kind_from_word=from_word, number=number,
                        date=date, start=k_start, end=end, upper=upper,
                        issuer_text=issuer_text, subject_text=subject))
    return out


# --------------------------------------------------------------------------
# Laws and congress resolutions cited without a number
# --------------------------------------------------------------------------

def law_key(name: str) -> str:
    return "law:" + squash(name).lower().strip(" ,")


def _has_numbered_kind(name: str) -> bool:
    return any(_rx("doc_types", k).search(name) for k in NUMBERED_KINDS)


def _dated_laws(flow: str) -> list[Cite]:
    """Laws with a full date (always cited) or a year (cited in a citing context)."""
    out: list[Cite] = []
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
        out.append(Cite(key=law_key(name), kind="law", kind_from_word=True, number=None,
                        date=date, start=m.start(), end=end, upper=is_upper(name), cites=cites))
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


def _undated_laws(flow: str, taken: list[tuple[int, int]]) -> list[Cite]:
    out: list[Cite] = []
    for m in _rx("references", "ref.law_undated").finditer(flow):
        if any(s <= m.start() < e for s, e in taken):
            continue
        name = _law_name(m["name"])
        if not name:
            continue
        end = m.start("name") + len(name)
        cites = _citing(flow, m.start())
        out.append(Cite(key=law_key(name), kind="law", kind_from_word=True, number=None,
                        date=None, start=m.start(), end=end, cites=cites))
    return out


def _congress(flow: str) -> list[Cite]:
    out: list[Cite] = []
    for m in _rx("references", "ref.party_congress").finditer(flow):
        org = squash(m["org"])
        key = "congress:" + org.lower() + ":" + m["ord"].upper()
        cite = Cite(key=key, kind="resolution", kind_from_word=True, number=None, date=None,
                    start=m.start(), end=m.end())
        if m["level"]:
            cite.party_level, cite.party_place = squash(m["level"]).lower(), (m["name"] or None)
        else:
            cite.issuer = str(rules.load("references").rule("ref.party_congress")["issuer"])
        out.append(cite)
    return out


def find_citations(flow: str) -> list[Cite]:
    """Every mention of a cited document in ``flow``: numbered symbols, laws
    (dated, then undated ones outside the dated spans), Party congresses."""
    cites = _numbered(flow)
    dated = _dated_laws(flow)
    cites += dated
    cites += _undated_laws(flow, [(c.start, c.end) for c in dated])
    cites += _congress(flow)
    return cites
