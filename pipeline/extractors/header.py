"""The header of an official text: its cells, the kind line, the issuer lines, the
number, the date line and the subject line."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace

from .. import rules
from ..models import DocType, doc_type_code
from ..text import PreparedText
from .bodies import Body, parse_body
from .common import (
    RULE_LINE,
    Cell,
    canonical_symbol,
    clean,
    is_upper,
    match_first,
    symbol_codes,
    upper_prefix,
)

_rx = rules.compile_pattern
_group = rules.group

HEADER_CELLS = 80          # the header and title lie within the first cells
LONG_LINE = 120            # a header line is shorter than this
PREAMBLE_CHARS = 6000      # where an issuer names itself in running text
RESPELL_TRIES = 8          # mentions of a header body looked at for its tone marks


@dataclass(frozen=True)
class Header:
    cells: tuple[Cell, ...]        # header cells (before the title line / body)
    title_index: int | None      # index of the kind line among all cells
    doc_type: DocType | None
    official: bool


def read_header(cells: list[Cell]) -> Header:
    doc_type: DocType | None = None
    title_index: int | None = None
    for i, c in enumerate(cells[:HEADER_CELLS]):
        hit = match_first("doc_types", "title.", clean(c.text) or c.text)
        if hit:
            doc_type, title_index = doc_type_code(hit[0]["doc_type"]), i
            break
    if title_index is None and cells and _rx("doc_types", "lead.other").match(clean(cells[0].text)):
        doc_type, title_index = "other", 0
    end = title_index if title_index is not None else len(cells[:HEADER_CELLS])
    body_start = _rx("doc_types", "header.body_start")
    for i, c in enumerate(cells[:end]):
        long_text = len(c.text) > LONG_LINE and not is_upper(c.text)
        if body_start.match(c.text) or (long_text and title_index is None):
            end = i
            break
    # before a kind line, long lines are page chrome: passed over, not an end
    head = tuple(c for c in cells[:end] if len(c.text) <= LONG_LINE or is_upper(c.text))
    joined = "\n".join(c.text for c in head)
    official = (title_index is not None and title_index < 25) or bool(
        _rx("doc_types", "header.motto").search(joined)) or any(
        _rx("doc_types", "header.number").match(c.text) for c in head)
    return Header(cells=head, title_index=title_index, doc_type=doc_type, official=official)


def header_bodies(header: Header) -> list[Body]:
    """The issuer lines at the top: upper-case cells, motto and number removed,
    split where a new body's head starts a line."""
    motto = _rx("doc_types", "header.motto")
    number = _rx("doc_types", "header.number")
    date_line = _rx("dates", "date.line")
    on_behalf = _rx("bodies", "signer.on_behalf")
    mark = _rx("bodies", "header.mark")      # "DỰ THẢO", "KHẨN": no part of a name
    lines: list[str] = []
    text = "\n".join(c.text for c in header.cells if not number.match(c.text))
    text = motto.sub("\n", text)
    cased = False       # the previous line kept was a body head not in capitals
    for raw_line in text.split("\n"):
        line = clean(RULE_LINE.sub(" ", raw_line))   # "TỈNH NINH THUẬN -------" (a flattened cell)
        if not line or sum(ch.isalpha() for ch in line) < 2 or date_line.search(line) or on_behalf.search(line) or \
                mark.match(line) or (
                match_first("bodies", "title.", line) and not match_first("bodies", "head.", line)):
            cased = False
            continue
        upper, rest = upper_prefix(line)
        if rest and len(upper.split()) >= 2:
            # OCR glues the header's right column to the left one ("TRƯỜNG ĐẠI HỌC …
            # SH SẾj anh p"): the capitals before it, without the vowelless noise
            words = upper.split()
            while len(words) > 2 and _rx("bodies", "header.no_vowel_token").match(words[-1]):
                words.pop()
            line, rest = " ".join(words), ""
        if not is_upper(line):
            # a legacy-font file loses its capitals ("ủy Ban Nhân Dân" / "thành phố cần
            # thơ"): a short line that starts with a body head, and the short plain
            # line that continues it
            head = match_first("bodies", "head.", line)
            if len(line) > LONG_LINE // 2 or not (head or (cased and _rx("bodies", "header.plain_line").match(line))):
                cased = False
                continue
            cased = bool(head)
        else:
            cased = False
        lines.append(line)
    groups: list[str] = []
    for line in lines:
        if groups and not match_first("bodies", "head.", line):
            groups[-1] += " " + line
        else:
            groups.append(line)
    bodies: list[Body] = []
    for b in (parse_body(g) for g in groups):
        if b is not None and not (bodies and bodies[-1].name.casefold() == b.name.casefold()):
            bodies.append(b)     # a header printed twice (a running header above it) once
    return bodies


def read_number(header: Header) -> tuple[str | None, str | None]:
    """(number, warning) from the ``Số:`` line."""
    rx = _rx("doc_types", "header.number")
    for c in header.cells:
        m = rx.match(c.text)
        if not m:
            continue
        rest = _rx("doc_types", "header.number_loose").sub("", m["rest"])
        sym = _rx("references", "ref.symbol").search(rest)
        if sym and sym.start() < 12:
            return canonical_symbol(sym["number"]), None
        if _rx("doc_types", "header.blank_number").match(rest):
            return None, f"document number left blank: {clean(c.text)!r}"
        return None, f"document number not readable: {clean(c.text)!r}"
    return None, "no number line (Số: …) found"


def split_number_line(text: str) -> str:
    """A number line that also holds the date line (``Số: 991/QĐ-UBND Đồng
    Xoài, ngày 14 …``, the two header columns read as one line) broken after
    the symbol, so that the date line starts a line."""
    m = _rx("doc_types", "header.number").match(text)
    if not m:
        return text
    sym = _rx("doc_types", "header.number_token").search(text, m.start("rest"))
    if not sym or not _rx("dates", "date.ngay_word").search(text, sym.end()):
        return text
    return text[:sym.end()] + "\n" + text[sym.end():].strip()


def read_title(prep: PreparedText, cells: list[Cell], index: int | None) -> str | None:
    """The subject line after the kind line: upper-case lines joined, or the
    first line when it is in sentence case (hard wraps already joined); in a
    letter without kind line, the "V/v …" line."""
    if index is None:
        subject = _rx("doc_types", "subject.line")
        for i, c in enumerate(cells[:HEADER_CELLS]):
            if subject.match(clean(c.text)):
                return _wrapped_line(prep, cells, i)
        return None
    body_start = _rx("doc_types", "header.body_start")
    parts: list[str] = []
    for c in cells[index + 1:index + 12]:
        text = clean(c.text)
        if not text or body_start.match(text) or match_first("bodies", "head.", text) or \
                match_first("bodies", "title.", text) or _rx("dates", "date.line").search(text):
            break
        if is_upper(text) or (parts and not any(ch.isalpha() for ch in text)):
            parts.append(text)
            continue
        if not parts:
            return _wrapped_line(prep, cells, cells.index(c))
        break
    return " ".join(parts) or None


def _wrapped_line(prep: PreparedText, cells: list[Cell], i: int) -> str | None:
    """A sentence-case line with the lines the text layer joined to it as
    hard wraps, but not an upper-case line after it."""
    parts = [clean(cells[i].text)]
    for j in range(i + 1, min(len(cells), i + 8)):
        prev_end = cells[j - 1].start + len(cells[j - 1].text)
        between = prep.flow[prev_end:cells[j].start]
        nxt = clean(cells[j].text)
        if "\n" in between or is_upper(nxt) or _rx("doc_types", "header.body_start").match(nxt):
            break
        parts.append(nxt)
    return " ".join(p for p in parts if p) or None


def _fold_char(c: str) -> str:
    if c in "đĐ":
        return "d"
    return unicodedata.normalize("NFD", c)[0].lower()


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table that computes :func:`_fold_char` once per
    character met (a document's preamble is folded whole: one call per
    character was ~10% of the extraction)."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLD = _FoldTable()


def _fold(text: str) -> str:
    """:func:`_fold_char` of every character of ``text``, joined.

    >>> _fold("Cục Thuế ĐẮK") == "".join(_fold_char(c) for c in "Cục Thuế ĐẮK") == "cuc thue dak"
    True
    """
    return text.translate(_FOLD)


def _plain(word: str) -> bool:
    """A word with no diacritic at all (``Thue``, ``Minh``)."""
    return all(_fold_char(ch) == ch.lower() for ch in word if ch.isalpha())


def respell(body: Body | None, flow: str) -> Body | None:
    """A header body whose words OCR read without their tone marks (``CỤC
    THUE``) spelled as the text itself names it (``Cục Thuế nhận được …``):
    only a word with no mark at all is replaced, by the same letters with marks."""
    if body is None or len(body.name) < 6 or not any(_plain(w) for w in body.name.split()):
        return body
    pre = flow[:PREAMBLE_CHARS]
    folded = _fold(pre)
    key = _fold(body.name)
    mine = body.name.split(" ")
    at = folded.find(key)
    for _ in range(RESPELL_TRIES):       # the header itself is the first place it is named
        if at < 0:
            break
        seen = pre[at:at + len(key)].split(" ")
        at = folded.find(key, at + 1)
        if len(seen) != len(mine):
            continue
        words = [t if _plain(m) and not _plain(t) else m for m, t in zip(mine, seen, strict=True)]
        words = [w if not (is_upper(w) and not is_upper(m)) else m[:1] + w[1:].lower()
                 for w, m in zip(words, mine, strict=True)]
        if words != mine:
            return replace(body, name=" ".join(words))
    return body


def type_from_symbol(number: str | None) -> DocType | None:
    if not number:
        return None
    code = symbol_codes(number)[0]
    hit = match_first("doc_types", "code.", code) if code else None
    return own_kind(hit[0]["kind"]) if hit else None


def own_kind(kind: object) -> DocType | None:
    """A citation kind (``rules/doc_types.yaml``) as the type of the document
    itself: a plan, decision or directive, ``other`` for the rest."""
    if not kind:
        return None
    return doc_type_code(kind) if kind in ("plan", "decision", "directive") else "other"
