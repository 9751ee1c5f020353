"""Word .docx documents (python-docx for the package, the XML read directly).

* Paragraphs and tables in document order (content controls are opened).
* Automatic list numbering (``I.``, ``1.``, ``a)``, ``-`` that Word draws
  from ``numbering.xml`` but that are not in the text) is reconstructed and
  put in front of the paragraph, as a reader sees it.
* Tables: one line per row, cells joined by ``" | "``; a merged cell appears
  once, at its top-left, with its rowspan/colspan.  The borderless two-column
  blocks of Vietnamese documents (issuing body | national motto, recipients |
  signature) keep each of their lines as a line.
* Runs typed in TCVN3 (``.VnTime``, ``.VnArialH`` …) or VNI (``VNI-Times``)
  fonts are converted to Unicode (the ``H`` fonts are capitals).
* Zip bombs and damaged packages raise :class:`LoadError`.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from collections.abc import Callable, Iterator
from typing import TypedDict

import regex
from lxml import etree

from . import legacy_fonts
from .document import CellSpec, LoadedText, TextBuilder, is_layout_table
from .errors import LoadError

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


W_P, W_R, W_T, W_TBL, W_TR, W_TC, W_SDT = (_w(t) for t in ("p", "r", "t", "tbl", "tr", "tc", "sdt"))
W_VAL = _w("val")

#: A zip member may expand at most this many times (deflate cannot do much
#: better than ~1030:1, which is what bombs use; real .docx XML stays < 100:1).
MAX_RATIO = 500
MAX_MEMBERS = 10_000


def check_zip(path: Path, data: bytes, max_bytes: int) -> None:
    """Refuse damaged zips and zips that expand far beyond ``max_bytes``."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                raise LoadError("zip_bomb", path, f"the .docx holds {len(infos):,} parts",
                                "this is not a normal Word document; do not open it")
            total = sum(i.file_size for i in infos)
            if total > 4 * max_bytes:
                raise LoadError("zip_bomb", path,
                                f"the .docx would unpack to {total:,} bytes (limit {4 * max_bytes:,})",
                                "this is not a normal Word document; raise max_bytes only if you trust it")
            for i in infos:
                if i.filename.endswith((".xml", ".rels")) and i.file_size > max_bytes:
                    # XML is parsed whole, at several times its size in memory
                    raise LoadError("zip_bomb", path,
                                    f"part {i.filename} would unpack to {i.file_size:,} bytes of XML "
                                    f"(limit {max_bytes:,})",
                                    "this is not a normal Word document; raise max_bytes only if you trust it")
                if i.file_size > 1_000_000 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                    raise LoadError("zip_bomb", path,
                                    f"part {i.filename} expands {i.file_size // max(i.compress_size, 1):,} times",
                                    "this is not a normal Word document; do not open it")
            bad = zf.testzip()
            if bad is not None:
                raise LoadError("corrupt", path, f"part {bad} of the .docx is damaged (CRC error)",
                                "download the file again or re-save it from Word")
    except (zipfile.BadZipFile, EOFError, ValueError, OSError) as exc:
        raise LoadError("corrupt", path, f"damaged or truncated .docx ({exc})",
                        "download the file again or re-save it from Word") from None
    except Exception as exc:  # zlib.error and friends from a mangled stream
        if isinstance(exc, LoadError):
            raise
        raise LoadError("corrupt", path, f"damaged .docx ({type(exc).__name__}: {exc})",
                        "download the file again or re-save it from Word") from None


# --------------------------------------------------------------------------
# numbering.xml
# --------------------------------------------------------------------------

_PUA_BULLETS = {  # Symbol / Wingdings private-use code points -> what they show
    "\uf0b7": "•", "\uf02d": "-", "\uf0a7": "▪", "\uf0d8": "➢", "\uf076": "❖",
    "\uf0fc": "✓", "\uf0a8": "□", "\uf0e0": "➢", "\uf06e": "■", "\uf071": "❑",
    "\uf0be": "-", "\uf02b": "+", "\uf0f0": "➢",
}


def _roman(n: int) -> str:
    if n <= 0:
        return str(n)
    out = []
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def _letter(n: int) -> str:
    # Word: a..z, aa..zz, aaa..
    if n <= 0:
        return str(n)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """A list counter as Word shows it.

    >>> [format_number(4, f) for f in ("decimal", "upperRoman", "lowerLetter", "decimalZero")]
    ['4', 'IV', 'd', '04']
    """
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperLetter":
        return _letter(n).upper()
    if fmt == "lowerLetter":
        return _letter(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "none":
        return ""
    return str(n)


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""
    restart: int | None = None
    legal: bool = False
    suffix: str = "tab"


@dataclass
class _Instance:
    levels: dict[int, _Level]
    counters: dict[int, int] = field(default_factory=dict)


def _val(el: etree._Element | None, default: str | None = None) -> str | None:
    if el is None:
        return default
    return el.get(W_VAL, default)


def _parse_level(lvl: etree._Element, base: _Level | None = None) -> _Level:
    out = _Level() if base is None else _Level(**base.__dict__)
    if (v := _val(lvl.find(_w("start")))) is not None and v.lstrip("-").isdigit():
        out.start = int(v)
    if (v := _val(lvl.find(_w("numFmt")))) is not None:
        out.fmt = v
    if (el := lvl.find(_w("lvlText"))) is not None:
        out.text = el.get(W_VAL, "")
    if (v := _val(lvl.find(_w("lvlRestart")))) is not None and v.isdigit():
        out.restart = int(v)
    if (el := lvl.find(_w("isLgl"))) is not None:
        out.legal = el.get(W_VAL, "1") not in ("0", "false")
    if (v := _val(lvl.find(_w("suff")))) is not None:
        out.suffix = v
    return out


class Numbering:
    """Reconstructs the labels Word draws for numbered and bulleted paragraphs."""

    def __init__(self, numbering: etree._Element | None) -> None:
        self._abstract: dict[str, dict[int, _Level]] = {}
        self._nums: dict[str, tuple[str, dict[int, tuple[int | None, etree._Element | None]]]] = {}
        self._instances: dict[tuple[str, str], _Instance] = {}
        if numbering is None:
            return
        for an in numbering.findall(_w("abstractNum")):
            levels = {}
            for lvl in an.findall(_w("lvl")):
                levels[int(lvl.get(_w("ilvl"), "0"))] = _parse_level(lvl)
            self._abstract[an.get(_w("abstractNumId"), "")] = levels
        for num in numbering.findall(_w("num")):
            abs_id = _val(num.find(_w("abstractNumId")), "") or ""
            overrides = {}
            for ov in num.findall(_w("lvlOverride")):
                start = _val(ov.find(_w("startOverride")))
                overrides[int(ov.get(_w("ilvl"), "0"))] = (
                    int(start) if start is not None and start.lstrip("-").isdigit() else None,
                    ov.find(_w("lvl")))
            self._nums[num.get(_w("numId"), "")] = (abs_id, overrides)

    def _instance(self, num_id: str) -> _Instance | None:
        if num_id not in self._nums:
            return None
        abs_id, overrides = self._nums[num_id]
        key = ("num", num_id) if overrides else ("abs", abs_id)
        inst = self._instances.get(key)
        if inst is None:
            levels = dict(self._abstract.get(abs_id, {}))
            for ilvl, (start, lvl) in overrides.items():
                base = levels.get(ilvl, _Level())
                if lvl is not None:
                    base = _parse_level(lvl, base)
                if start is not None:
                    base = _Level(**{**base.__dict__, "start": start})
                levels[ilvl] = base
            inst = self._instances[key] = _Instance(levels)
        return inst

    def label(self, num_id: str, ilvl: int) -> str:
        """Advance the list ``num_id`` at level ``ilvl`` and return its label ('' if none)."""
        inst = self._instance(num_id)
        if inst is None or ilvl not in inst.levels:
            return ""
        level = inst.levels[ilvl]
        counters = inst.counters
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else level.start
        for deeper in [k for k in counters if k > ilvl]:
            restart = inst.levels.get(deeper, _Level()).restart
            if restart != 0 and (restart is None or ilvl < restart):
                del counters[deeper]
        if level.fmt == "bullet":
            label = "".join(_PUA_BULLETS.get(ch, ch) for ch in level.text)
            label = label if label.strip() else "•"
        else:
            def sub(m: regex.Match[str]) -> str:
                k = int(m.group(1)) - 1
                lv = inst.levels.get(k, _Level())
                n = counters.get(k, lv.start)
                return format_number(n, "decimal" if level.legal and lv.fmt != "none" else lv.fmt)
            label = regex.sub(r"%([1-9])", sub, level.text)
        label = label.strip()
        if not label:
            return ""
        return label + ("" if level.suffix == "nothing" else " ")


# --------------------------------------------------------------------------
# styles: fonts and inherited numbering
# --------------------------------------------------------------------------

@dataclass
class _Style:
    based_on: str | None
    fonts: str | None
    num: tuple[str, int] | None


def _font_of(rpr: etree._Element | None) -> str | None:
    if rpr is None:
        return None
    rf = rpr.find(_w("rFonts"))
    if rf is None:
        return None
    for attr in ("ascii", "hAnsi", "cs"):
        v = rf.get(_w(attr))
        if v:
            return v
    return None


def _num_of(ppr: etree._Element | None) -> tuple[str, int] | None:
    if ppr is None:
        return None
    np_ = ppr.find(_w("numPr"))
    if np_ is None:
        return None
    num_id = _val(np_.find(_w("numId")))
    ilvl = _val(np_.find(_w("ilvl")), "0") or "0"
    if num_id is None:
        return None
    return (num_id, int(ilvl) if ilvl.isdigit() else 0)


class Styles:
    def __init__(self, styles: etree._Element | None) -> None:
        self._styles: dict[str, _Style] = {}
        self.default_font: str | None = None
        self.default_paragraph: str | None = None
        if styles is None:
            return
        dd = styles.find(_w("docDefaults"))
        if dd is not None:
            self.default_font = _font_of(dd.find(f"{_w('rPrDefault')}/{_w('rPr')}"))
        for st in styles.findall(_w("style")):
            sid = st.get(_w("styleId"), "")
            self._styles[sid] = _Style(
                based_on=_val(st.find(_w("basedOn"))),
                fonts=_font_of(st.find(_w("rPr"))),
                num=_num_of(st.find(_w("pPr"))),
            )
            if st.get(_w("type")) == "paragraph" and st.get(_w("default")) in ("1", "true"):
                self.default_paragraph = sid

    def _chain(self, sid: str | None) -> Iterator[_Style]:
        seen = set()
        while sid and sid in self._styles and sid not in seen:
            seen.add(sid)
            st = self._styles[sid]
            yield st
            sid = st.based_on

    def font(self, sid: str | None) -> str | None:
        for st in self._chain(sid):
            if st.fonts:
                return st.fonts
        return None

    def num(self, sid: str | None) -> tuple[str, int] | None:
        for st in self._chain(sid):
            if st.num:
                return st.num
        return None


def legacy_font_kind(font: str | None) -> tuple[str, bool] | None:
    """``("tcvn3"|"vni", is_capitals_font)`` for a legacy Vietnamese font name.

    >>> legacy_font_kind(".VnTime"), legacy_font_kind(".VnArialH"), legacy_font_kind("VNI-Times")
    (('tcvn3', False), ('tcvn3', True), ('vni', False))
    >>> legacy_font_kind("Times New Roman") is None
    True
    """
    if not font:
        return None
    name = font.strip()
    low = name.lower()
    if low.startswith(".vn"):
        base = name.split()[0]  # ".VnTimeH", ".VnTime H" is not a thing but ".VnTimeH Bold" is
        return ("tcvn3", base.endswith("H") and len(base) > 4)
    if low.startswith("vni-") or low.startswith("vni "):
        return ("vni", False)
    return None


# --------------------------------------------------------------------------
# the document walk
# --------------------------------------------------------------------------

#: Letters only Unicode Vietnamese has: a run in a .Vn font that contains them
#: was retyped in Unicode and keeps its old font name; leave it alone.
_ALREADY_UNICODE = legacy_fonts.UNICODE_ONLY

class _Anchor(TypedDict):
    """A table cell being read: merged cells widen or lengthen it."""
    text: str
    row: int
    col: int
    rowspan: int
    colspan: int


class _Walker:
    def __init__(self, numbering: Numbering, styles: Styles,
                 convert: Callable[[str], str] | None = None) -> None:
        self.convert = convert
        self.numbering = numbering
        self.styles = styles
        self.out = TextBuilder()
        self.converted: set[str] = set()

    # -- paragraphs --------------------------------------------------------
    def paragraph_text(self, p: etree._Element, *, bare_label: bool = False) -> str:
        """A paragraph's text with its list label; ``bare_label`` keeps the
        label of an empty numbered paragraph (the STT cell of a table, which
        Word numbers itself)."""
        ppr = p.find(_w("pPr"))
        pstyle = _val(ppr.find(_w("pStyle"))) if ppr is not None else None
        pstyle = pstyle or self.styles.default_paragraph
        parts: list[str] = []
        for r in p.iter(W_R):
            if self._owner(r) is not p or self._deleted(r):
                continue
            rpr = r.find(_w("rPr"))
            if rpr is not None and (v := rpr.find(_w("vanish"))) is not None \
                    and v.get(W_VAL, "1") not in ("0", "false"):
                continue
            text = self._run_text(r)
            if not text:
                continue
            font = _font_of(rpr)
            if font is None and rpr is not None:
                font = self.styles.font(_val(rpr.find(_w("rStyle"))))
            font = font or self.styles.font(pstyle) or self.styles.default_font
            kind = legacy_font_kind(font)
            if kind is not None and _ALREADY_UNICODE.search(text) is None:
                enc, caps = kind
                text = legacy_fonts.tcvn3_to_unicode(text, upper=caps) if enc == "tcvn3" \
                    else legacy_fonts.vni_to_unicode(text)
                self.converted.add(enc)
            elif rpr is not None and (caps_el := rpr.find(_w("caps"))) is not None \
                    and caps_el.get(W_VAL, "1") not in ("0", "false"):
                text = text.upper()
            parts.append(text)
        text = "".join(parts)
        if self.convert is not None:
            text = self.convert(text)
        num = _num_of(ppr) or self.styles.num(pstyle)
        if num is not None and num[0] != "0" and text.strip():
            text = self.numbering.label(*num) + text.lstrip()
        elif num is not None and num[0] != "0" and bare_label:
            text = self.numbering.label(*num).strip()
        return text

    @staticmethod
    def _owner(r: etree._Element) -> etree._Element | None:
        for anc in r.iterancestors():
            if anc.tag == W_P:
                return anc
        return None

    @staticmethod
    def _deleted(r: etree._Element) -> bool:
        for anc in r.iterancestors():
            if anc.tag in (_w("del"), _w("moveFrom")):
                return True
            if anc.tag == W_P:
                return False
        return False

    @staticmethod
    def _run_text(r: etree._Element) -> str:
        out = []
        for ch in r:
            tag = ch.tag
            if tag == W_T:
                out.append(ch.text or "")
            elif tag == _w("tab") or tag == _w("ptab"):
                out.append("\t")
            elif tag in (_w("br"), _w("cr")):
                out.append("\n")
            elif tag == _w("noBreakHyphen"):
                out.append("-")
            elif tag == _w("sym"):
                code = ch.get(_w("char"), "")
                try:
                    out.append(_PUA_BULLETS.get(chr(int(code, 16)), ""))
                except ValueError:
                    pass
        return "".join(out)

    # -- tables ------------------------------------------------------------
    def table_cells(self, tbl: etree._Element) -> list[CellSpec]:
        anchors: list[_Anchor] = []
        open_v: dict[int, _Anchor] = {}   # grid column -> anchor being merged downwards
        row_i = 0
        for tr in tbl.iterchildren(W_TR):
            col = 0
            trpr = tr.find(_w("trPr"))
            if trpr is not None and (v := _val(trpr.find(_w("gridBefore")))) and v.isdigit():
                col = int(v)
            last: _Anchor | None = None
            for tc in self._row_cells(tr):
                tcpr = tc.find(_w("tcPr"))
                span = 1
                vmerge = hmerge = None
                if tcpr is not None:
                    if (v := _val(tcpr.find(_w("gridSpan")))) and v.isdigit():
                        span = max(1, int(v))
                    vm = tcpr.find(_w("vMerge"))
                    if vm is not None:
                        vmerge = vm.get(W_VAL, "continue")
                    hm = tcpr.find(_w("hMerge"))
                    if hm is not None:
                        hmerge = hm.get(W_VAL, "continue")
                if vmerge == "continue" and col in open_v:
                    above = open_v[col]
                    above["rowspan"] = row_i - above["row"] + 1
                    col += span
                    last = None
                    continue
                if hmerge == "continue" and last is not None:
                    last["colspan"] += span
                    col += span
                    continue
                anchor: _Anchor = {"text": self.cell_text(tc), "row": row_i, "col": col,
                                   "rowspan": 1, "colspan": span}
                anchors.append(anchor)
                for c in range(col, col + span):
                    open_v.pop(c, None)
                if vmerge == "restart":
                    open_v[col] = anchor
                last = anchor
                col += span
            row_i += 1
        return [CellSpec(**a) for a in anchors]

    @staticmethod
    def _row_cells(tr: etree._Element) -> Iterator[etree._Element]:
        for ch in tr:
            if ch.tag == W_TC:
                yield ch
            elif ch.tag in (W_SDT, _w("customXml")):  # content control around cells
                yield from ch.iter(W_TC)

    def cell_text(self, tc: etree._Element) -> str:
        lines: list[str] = []
        for kind, el in self._blocks(tc):
            if kind == "p":
                t = self.paragraph_text(el, bare_label=True).strip()
                if t:
                    lines.append(t)
            else:  # nested table: its rows as lines
                cells = self.table_cells(el)
                rows: dict[int, list[str]] = {}
                for c in cells:
                    rows.setdefault(c.row, []).append(" ".join(c.text.split()))
                lines.extend(" | ".join(r) for _, r in sorted(rows.items()))
        return "\n".join(lines)

    # -- body ------------------------------------------------------------
    def _blocks(self, parent: etree._Element) -> Iterator[tuple[str, etree._Element]]:
        for ch in parent:
            if ch.tag == W_P:
                yield "p", ch
            elif ch.tag == W_TBL:
                yield "tbl", ch
            elif ch.tag in (W_SDT, _w("customXml"), _w("sdtContent")):
                content = ch.find(_w("sdtContent")) if ch.tag == W_SDT else ch
                if content is not None:
                    yield from self._blocks(content)

    def walk(self, body: etree._Element) -> None:
        for kind, el in self._blocks(body):
            if kind == "p":
                text = self.paragraph_text(el)
                if text.strip():
                    self.out.line(text)
            else:
                cells = self.table_cells(el)
                self.out.table(cells, layout=is_layout_table(cells))


def load_docx(path: Path, data: bytes) -> LoadedText:
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, etree.XMLSyntaxError) as exc:
        raise LoadError("corrupt", path, f"not a readable Word document ({type(exc).__name__}: {exc})",
                        "download the file again or re-save it from Word") from None
    part = document.part
    try:
        numbering_el = part.numbering_part.element
    except (NotImplementedError, KeyError):
        numbering_el = None
    try:
        styles_el = part.styles.element if part.styles is not None else None
    except (NotImplementedError, KeyError):  # pragma: no cover - python-docx makes a default
        styles_el = None

    walker = _Walker(Numbering(numbering_el), Styles(styles_el))
    walker.walk(document.element.body)
    warnings: list[str] = []
    encoding: str | None = None
    for enc in sorted(walker.converted):
        warnings.append(legacy_fonts.conversion_warning(enc) + " (runs in legacy Vietnamese fonts)")
    if walker.converted:
        encoding = "+".join(sorted(walker.converted))
    if not walker.converted:
        # Legacy-font text whose font name was lost (copied between documents).
        plan = legacy_fonts.plan_repair(walker.out.text)
        if plan.needed:
            walker = _Walker(Numbering(numbering_el), Styles(styles_el), convert=plan.convert)
            walker.walk(document.element.body)
            warnings.extend(plan.warnings)
            encoding = plan.encoding
    text = walker.out.text
    if not text.strip():
        raise LoadError("empty", path, "the Word document contains no text",
                        "if it is a scan pasted into Word, export it as PDF to have it OCR'd")
    return LoadedText(text=text, format="docx", encoding=encoding, warnings=warnings,
                      tables=walker.out.tables)
