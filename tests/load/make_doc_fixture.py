"""Regenerate ``tests/load/data/plan.doc`` (Word 97-2003), the one committed binary.

No Python library writes .doc, so this uses LibreOffice once, on a developer
machine (``apt-get install libreoffice-writer-nogui``); the tests only read the
result with antiword.  Run from the repository root::

    python -m tests.load.make_doc_fixture

The document: the header table, the sample section typed with its labels,
the merged-cell target table, one paragraph typed in TCVN3 (.VnTime) the way
Vietnamese keyboards did it, and the signature block.  LibreOffice stores the
TCVN3 "ư" (byte 0xAD, a soft hyphen to everyone else) as Word's optional
hyphen (0x1F), which Word itself does not do for typed text; the script puts
0xAD back so the file reads like a Word-authored one.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .conftest import SAMPLE_LINES
from .fixtures import HEADER_LEFT, HEADER_RIGHT, add_target_table

OUT = Path(__file__).parent / "data" / "plan.doc"
TCVN3_LINE = "Thư viện cấp xã đạt 30% vào năm 2030, mỗi năm tăng từ 12 - 15% người sử dụng."


def build_source_docx(path: Path) -> None:
    import docx
    from pipeline.load.legacy_fonts import unicode_to_tcvn3

    d = docx.Document()
    header = d.add_table(rows=1, cols=2)
    for cell, lines in zip(header.rows[0].cells, (HEADER_LEFT, HEADER_RIGHT), strict=True):
        cell.paragraphs[0].text = lines[0]
        for ln in lines[1:]:
            cell.add_paragraph(ln)
    d.add_paragraph("KẾ HOẠCH")
    for line in SAMPLE_LINES:
        d.add_paragraph(line)
    add_target_table(d)
    run = d.add_paragraph().add_run(unicode_to_tcvn3(TCVN3_LINE).decode("cp1252"))
    run.font.name = ".VnTime"
    footer = d.add_table(rows=1, cols=2)
    footer.rows[0].cells[0].text = "Nơi nhận:"
    footer.rows[0].cells[0].add_paragraph("- Như trên;")
    footer.rows[0].cells[1].text = "TM. ỦY BAN NHÂN DÂN"
    footer.rows[0].cells[1].add_paragraph("CHỦ TỊCH")
    d.core_properties.author = "chitieu tests"
    d.save(path)


def main() -> None:
    from pipeline.load.legacy_fonts import unicode_to_tcvn3

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        sys.exit("needs LibreOffice: apt-get install libreoffice-writer-nogui")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "plan.docx"
        build_source_docx(src)
        subprocess.run([soffice, "--headless", "--convert-to", "doc", "--outdir", tmp, str(src)],
                       check=True, capture_output=True, timeout=300)
        data = bytearray((Path(tmp) / "plan.doc").read_bytes())
    tcvn3 = unicode_to_tcvn3(TCVN3_LINE).decode("cp1252")
    as_stored = tcvn3.replace("\u00ad", "\x1f").encode("utf-16-le")
    i = data.find(as_stored)
    if i < 0:
        sys.exit("TCVN3 paragraph not found in LibreOffice's output; check the conversion")
    data[i:i + len(as_stored)] = tcvn3.encode("utf-16-le")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(bytes(data))
    print(f"wrote {OUT} ({len(data):,} bytes)")


if __name__ == "__main__":
    main()
