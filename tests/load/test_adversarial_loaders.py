"""Hostile or broken containers the loaders meet: a .docx without its main
part, XML that would expand far beyond the limit, pages nested hundreds deep,
and files hashed once per extraction.

The generators (``docx_without_main_part``, ``xml_bomb_docx``, ``nested_html``)
build the inputs in code."""
from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import pytest

from pipeline.load import LoadError, load

from .fixtures import build_zip_bomb

PARA = "Đến năm 2030, phấn đấu 95% trường học trên địa bàn tỉnh Kon Tum có thư viện đạt chuẩn."


def docx_without_main_part(path: Path, *, rels_target: str | None = "word/document.xml") -> Path:
    """A Word package whose styles and relationships are there but not the text part."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        if rels_target is not None:
            zf.writestr("_rels/.rels",
                        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                        f'relationships/officeDocument" Target="{rels_target}"/></Relationships>')
        zf.writestr("word/styles.xml", "<w:styles/>")
    return path


def xml_bomb_docx(path: Path, size: int) -> Path:
    """A .docx whose document.xml is ``size`` bytes of varied (not very
    compressible) paragraphs: below the expansion-ratio test, above the limit."""
    import random

    rng = random.Random(7)
    words = PARA.split()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            written = 0
            while written < size:
                chunk = ("<w:p><w:r><w:t>" + " ".join(rng.choice(words) + str(rng.randrange(10**6))
                                                       for _ in range(40)) + "</w:t></w:r></w:p>").encode()
                fh.write(chunk)
                written += len(chunk)
    return path


def nested_html(path: Path, depth: int, tag: str = "div") -> Path:
    """A page whose text sits ``depth`` elements deep."""
    opening = "<table><tr><td>" if tag == "table" else f"<{tag}>"
    closing = "</td></tr></table>" if tag == "table" else f"</{tag}>"
    body = opening * depth + f"<p>{PARA}</p>" * 5 + closing * depth
    path.write_text(f"<!DOCTYPE html><html><head><title>Kế hoạch</title></head><body>{body}</body></html>",
                    encoding="utf-8")
    return path


# --------------------------------------------------------------------------
# .docx containers
# --------------------------------------------------------------------------

def test_docx_without_document_xml_names_the_missing_part(tmp_path):
    with pytest.raises(LoadError) as info:
        load(docx_without_main_part(tmp_path / "plan.docx"))
    assert info.value.code == "corrupt"
    assert "word/document.xml is missing" in str(info.value)
    assert "not a supported format" not in str(info.value)


def test_docx_main_part_named_in_rels_is_reported(tmp_path):
    with pytest.raises(LoadError) as info:
        load(docx_without_main_part(tmp_path / "plan.docx", rels_target="word/document2.xml"))
    assert "word/document2.xml is missing" in str(info.value)


def test_zip_named_docx_without_any_word_part(tmp_path):
    p = tmp_path / "plan.docx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(LoadError) as info:
        load(p)
    assert info.value.code == "unsupported"
    assert "not a Word document: word/document.xml is missing (the archive holds readme.txt)" in str(info.value)


def test_main_part_under_another_name_is_read(tmp_path):
    """python-docx follows _rels/.rels: a main part named document2.xml is a .docx."""
    import docx

    src = tmp_path / "src.docx"
    d = docx.Document()
    d.add_paragraph(PARA)
    d.save(src)
    p = tmp_path / "renamed.docx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(p, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            name = item.filename.replace("word/document.xml", "word/document2.xml")
            if item.filename in ("_rels/.rels", "[Content_Types].xml"):
                data = data.replace(b"/word/document.xml", b"/word/document2.xml").replace(
                    b'"word/document.xml"', b'"word/document2.xml"')
            zout.writestr(name, data)
    assert load(p).text == PARA


def test_xml_part_beyond_the_limit_is_refused_before_parsing(tmp_path):
    p = xml_bomb_docx(tmp_path / "big.docx", 3_000_000)
    info = zipfile.ZipFile(p).getinfo("word/document.xml")
    assert info.file_size < 500 * info.compress_size  # the expansion-ratio test alone would let it through
    with pytest.raises(LoadError) as err:
        load(p, max_bytes=2_000_000)
    assert err.value.code == "zip_bomb"
    assert "part word/document.xml would unpack to" in str(err.value)


def test_zip_bomb_is_refused_without_unpacking(tmp_path):
    """256 MiB of zeros in document.xml: refused from the zip directory, without
    reading the member (peak memory stays far below the bomb)."""
    import resource

    p = build_zip_bomb(tmp_path / "bomb.docx", 256 << 20)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(LoadError) as info:
        load(p)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert info.value.code == "zip_bomb"
    assert after - before < 100_000  # KiB: nothing like the 256 MiB the bomb holds


# --------------------------------------------------------------------------
# HTML nested deep
# --------------------------------------------------------------------------

@pytest.mark.parametrize("depth,tag", [(300, "div"), (120, "table")])
def test_nested_html_prints_no_library_warnings(tmp_path, capfd, caplog, depth, tag):
    """trafilatura logs 'discarding data: None' when it gives up on such a page;
    the user sees one clear result, the library's lines only at DEBUG."""
    p = nested_html(tmp_path / "deep.html", depth, tag)
    root = logging.getLogger()
    handler = logging.StreamHandler()  # what the CLI installs on stderr
    root.addHandler(handler)
    try:
        with caplog.at_level(logging.WARNING):
            try:
                doc = load(p)
            except LoadError as exc:
                assert exc.code == "empty"
            else:
                assert "Kon Tum" in doc.text
    finally:
        root.removeHandler(handler)
    err = capfd.readouterr().err
    assert "discarding data" not in err
    assert not [r for r in caplog.records if r.name.startswith("trafilatura")]


def test_library_lines_go_to_debug(tmp_path, caplog):
    p = nested_html(tmp_path / "deep.html", 300)
    with caplog.at_level(logging.DEBUG, logger="chitieu"):
        try:
            load(p)
        except LoadError:
            pass
    said = [r.getMessage() for r in caplog.records if r.name == "chitieu" and r.levelno == logging.DEBUG]
    assert any(m.startswith("trafilatura.core said: discarding data") for m in said), said


def test_shallow_html_still_reads(tmp_path):
    doc = load(nested_html(tmp_path / "ok.html", 5))
    assert PARA in doc.text


# --------------------------------------------------------------------------
# One hash per file
# --------------------------------------------------------------------------

@pytest.fixture
def counted(monkeypatch):
    from pipeline import core

    calls: list[Path] = []
    real = core.sha256_file

    def sha256_file(path):
        calls.append(Path(path))
        return real(path)

    monkeypatch.setattr(core, "sha256_file", sha256_file)
    return calls


def _plan(tmp_path: Path, name: str = "plan.txt") -> Path:
    p = tmp_path / name
    p.write_text("KẾ HOẠCH\n" + PARA, encoding="utf-8")
    return p


def test_a_batch_with_a_store_hashes_each_file_once(tmp_path, counted):
    from pipeline import batch
    from pipeline.store import Store

    files = [_plan(tmp_path, "a.txt"), _plan(tmp_path, "b.txt")]
    store = Store(tmp_path / "out" / "chitieu.sqlite")
    try:
        result = batch.run_batch(files, max_bytes=10**7, store=store, isolate=False)
    finally:
        store.close()
    assert sorted(counted) == sorted(files)          # the store lookup's hash ...
    assert all(len(r.sha256) == 64 for r in result.records)  # ... is the record's


def test_a_worker_is_handed_the_hash_the_batch_computed(tmp_path, counted):
    from pipeline import batch
    from pipeline.store import from_payload

    p = _plan(tmp_path)
    payload, _lines = batch._work(str(p), 10**7, None, 0, "cd" * 32)   # what a worker runs
    assert counted == [] and from_payload(payload).sha256 == "cd" * 32


def test_extract_alone_hashes_once(tmp_path, counted):
    from pipeline import core

    p = _plan(tmp_path)
    core.extract_file(p)
    assert counted == [p]


def test_a_hash_given_is_not_recomputed(tmp_path, counted):
    from pipeline import core

    p = _plan(tmp_path)
    rec = core.extract_file(p, sha256="ab" * 32)
    assert counted == [] and rec.sha256 == "ab" * 32


def test_serial_batch_with_store_hashes_each_file_once(tmp_path, counted):
    from pipeline import batch
    from pipeline.store import Store

    files = [_plan(tmp_path, f"p{i}.txt") for i in range(3)]
    store = Store(tmp_path / "chitieu.sqlite")
    try:
        batch.run_batch(files, max_bytes=10**6, jobs=1, store=store)
    finally:
        store.close()
    assert sorted(counted) == sorted(files)
