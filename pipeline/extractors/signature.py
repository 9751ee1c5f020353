"""The signature block: the signer's own title and name; a signer named in news."""
from __future__ import annotations


from .. import rules
from ..models import Signer
from .bodies import Body, parse_body
from .common import (
    Cell,
    clean,
    district_of,
    proper_case,
    province_of,
    split_cells,
    upper_prefix,
)

_rx = rules.compile_pattern
_group = rules.group

TAIL_CELLS = 16            # signature block when there is no "Nơi nhận"
SIGNATURE_CELLS = 30       # cells after "Nơi nhận" / "./." that may hold the signature
SIGNATURE_LINE = 60        # a title line of a signature block is shorter than this
ON_BEHALF_REACH = 8        # how far before a title its "KT."/"TM." may stand


def _own_title(text: str) -> str | None:
    """The signer's own title in a signature line, not one after KT./TM.
    (``KT. CHỦ TỊCH PHÓ CHỦ TỊCH`` → ``Phó Chủ tịch``)."""
    found: list[tuple[int, int, str]] = []
    for rule, rx in _group("bodies", "title."):
        for m in rx.finditer(text):
            found.append((m.start(), m.end(), rule["canonical"]))
    if not found:
        return None
    found.sort(key=lambda t: (t[0], -(t[1] - t[0])))
    kept: list[tuple[int, int, str]] = []
    for f in found:  # drop titles inside a longer one ("CHỦ TỊCH" in "PHÓ CHỦ TỊCH")
        if kept and f[0] < kept[-1][1]:
            continue
        kept.append(f)
    on_behalf = _rx("bodies", "signer.on_behalf")
    own = [k for k in kept if not on_behalf.search(text[max(0, k[0] - ON_BEHALF_REACH):k[0]])]
    return own[-1][2] if own else None


def _title_body(title: str | None) -> str | None:
    """The body a title speaks for whatever the sentence says (``Phó Thủ
    tướng`` → ``Thủ tướng Chính phủ``): the ``body`` of its rule."""
    for rule, _ in _group("bodies", "title."):
        if title is not None and rule["canonical"] == title and rule.get("body"):
            return str(rule["body"])
    return None


def _person(text: str) -> str | None:
    text = clean(text)
    if not _rx("bodies", "signer.person_name").match(text) or _own_title(text):
        return None
    return proper_case(text)


def read_signature(norm: str) -> Signer | None:
    """The signer of an official text: a title line (not one after KT./TM.)
    followed by a name, looked for after each "Nơi nhận" or "./." from the
    last one back (a decision may end with the plan it issues), then in the
    last lines.  A draft may end with its title line and no name yet
    (``CHỦ TỊCH`` and nothing after it): that title is the signer's, without
    a name, when no block names anyone."""
    cells = split_cells(norm)
    recipients = _rx("doc_types", "header.recipients")
    end_mark = _rx("doc_types", "header.end_mark")
    marks = [i for i, c in enumerate(cells) if recipients.match(c.text) or end_mark.search(c.text)]
    unnamed: Signer | None = None
    for start in sorted(set(marks), reverse=True) + [max(0, len(cells) - TAIL_CELLS)]:
        signer = _signer_in(cells[start:start + SIGNATURE_CELLS], start + SIGNATURE_CELLS >= len(cells))
        if signer and signer.name:
            return signer
        unnamed = unnamed or signer
    return unnamed


def _title_line(text: str) -> str | None:
    """The signer's own title of a signature line in any case (``KT.Bộ trưởng
    bộ tài chính`` / ``Thứ trưởng``, legacy-font files lose their capitals): a
    short line that starts with an on-behalf prefix or a title."""
    if len(text) > SIGNATURE_LINE or not _rx("bodies", "signer.title_line").match(text):
        return None
    return _own_title(text)


def _signer_in(cells: list[Cell], at_end: bool = False) -> Signer | None:
    """The first title line followed by a name; else (``at_end``: ``cells``
    run to the end of the text) a title line that only skipped or recipient
    lines follow, as a signer without a name."""
    skip = _rx("bodies", "signer.skip")
    recipient = _rx("bodies", "signer.recipient_line")
    unnamed: Signer | None = None
    for i, cell in enumerate(cells):
        text = clean(cell.text)
        if text.startswith(("-", "+", "•")):
            continue
        upper, rest = upper_prefix(text)
        title = _own_title(upper) if upper else None
        if not title:
            title, rest = _title_line(text), ""
        if not title:
            continue
        if rest:
            name = _person(rest)
            if name:
                return Signer(name=name, title=title)
            continue
        # the recipients list may be interleaved line by line with the signature
        # column: its lines are passed over, and do not count
        for c in cells[i + 1:i + 1 + SIGNATURE_CELLS]:
            following = clean(c.text)
            if skip.match(following) or recipient.search(following):
                continue
            name = _person(following)
            if name:
                return Signer(name=name, title=title)
            break
        else:
            if at_end:
                unnamed = unnamed or Signer(name=None, title=title)
    return unnamed


def news_signer(sentence: str) -> tuple[Signer | None, Body | None]:
    """``Phó Chủ tịch UBND thành phố Hà Nội Vũ Thu Hà ký`` → signer and body."""
    m = _rx("bodies", "signer.news").search(sentence)
    if not m:
        return None, None
    title = _own_title(m["title"])
    words = m["words"].split()
    run = 0
    while run < len(words) and words[-1 - run][:1].isupper():
        run += 1
    cap = words[len(words) - run:]
    split = 0
    for k in range(len(cap) - 2, 0, -1):  # longest place prefix, ≥ 2 words left for the name
        if province_of(" ".join(cap[:k])) or district_of(" ".join(cap[:k]), None, None):
            split = k
            break
    name_words = cap[split:]
    whole = " ".join(cap)
    if split == 0 and cap and (province_of(whole) or district_of(whole, None, None)):
        # "Chủ tịch UBND tỉnh Nghệ An vừa ký …": the run is the place, no name is given
        return None, None
    if not 2 <= len(name_words) <= 5:
        return None, None
    body_text = " ".join(words[:len(words) - len(name_words)])
    own_body = _title_body(title)
    if own_body:
        body_text = own_body
    body = parse_body(body_text) if body_text else None
    return Signer(name=" ".join(name_words), title=title), body
