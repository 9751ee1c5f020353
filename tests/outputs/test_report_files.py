"""The report's page is files of the package: Jinja2 templates (the page and
one per section) and its CSS/JS, declared as package data so a wheel or an
editable install has them."""
from __future__ import annotations

import fnmatch
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup, escape

from pipeline.models import DocumentRecord, Evidence, Target
from pipeline.outputs import report
from pipeline.outputs.annotate import esc
from pipeline.outputs.report.cache import TEMPLATE_CACHE, QuietCache, bytecode_cache
from pipeline.rules import CACHE_DIR_ENV

ROOT = Path(__file__).resolve().parents[2]


def _package_data() -> list[str]:
    if sys.version_info >= (3, 11):  # noqa: UP036 - requires-python is still >=3.10, where tomllib is tomli
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return data["tool"]["setuptools"]["package-data"]["pipeline.outputs.report"]


def test_every_template_and_asset_is_package_data():
    files = [p.relative_to(Path(report.__file__).parent).as_posix()
             for d in (report.TEMPLATES_DIR, report.ASSETS_DIR) for p in sorted(d.iterdir()) if p.is_file()]
    assert {"templates/page.html.j2", "templates/nav.html.j2", "templates/overview.html.j2",
            "templates/comparison.html.j2", "templates/charts.html.j2", "templates/documents.html.j2",
            "assets/report.css", "assets/report.js"} <= set(files)
    globs = _package_data()
    missing = [f for f in files if not any(fnmatch.fnmatch(f, g) for g in globs)]
    assert not missing, f"not in [tool.setuptools.package-data] of pyproject.toml: {missing}"


def test_the_page_inlines_the_asset_files_verbatim():
    text = "Đến năm 2025 đạt 60% thư viện cấp huyện."
    ev = Evidence(text, 0, len(text))
    rec = DocumentRecord("a", "a.txt", "0", province="Đắk Nông", targets=[
        Target("library", "lib.service", None, "district", 2025, None, 60.0, None, "percent", False, "at_least", ev)])
    rec.text = text
    page = report.render_report([rec], lang="en")
    css = (report.ASSETS_DIR / "report.css").read_text(encoding="utf-8")
    js = (report.ASSETS_DIR / "report.js").read_text(encoding="utf-8")
    assert f"<style>\n{css}</style>" in page and f"<script>\n{js}</script>" in page
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">') and page.endswith("</html>\n")


def test_the_templates_escape_every_value_as_the_page_needs():
    """A value in a template is escaped by annotate.esc: markup is text, a
    quote cannot end an attribute, a carriage return stays ``&#13;``."""
    text = 'Đến năm 2025 đạt 60% <b>thư viện</b> "cấp huyện"\r.'
    ev = Evidence(text, 0, len(text))
    rec = DocumentRecord("a", "a.txt", "0", province='Đắk <Nông> "x"', number="1/KH", targets=[
        Target("library", "lib.service", '<i>"thư viện"</i>', "district", 2025, None, 60.0, None, "percent", False,
               "at_least", ev)])
    rec.text = text
    page = report.render_report([rec], lang="en")
    assert "<b>thư viện</b>" not in page and "<i>" not in page and "<Nông>" not in page
    assert "<td>&lt;i&gt;&quot;thư viện&quot;&lt;/i&gt;</td>" in page            # the subject, in the targets table
    assert "<td>Đắk &lt;Nông&gt; &quot;x&quot;</td>" in page                     # the province, in the overview
    assert "&#13;" in page and "\r" not in page


@settings(deadline=None)  # no per-example time limit: correctness only (the bench measures speed)
@given(st.one_of(st.text(alphabet=st.sampled_from('aĐ 1&<>"\'\r\0;#x'), max_size=12), st.text(), st.none(),
                 st.integers(), st.floats(allow_nan=False)))
def test_every_template_value_is_escaped_as_esc_does(value):
    """The templates' finalize, then Jinja2's autoescape (markupsafe.escape), write
    every value as annotate.esc does (though finalize leaves most text to the
    autoescape); markup passes as it is."""
    out = escape(report._finalize(value))
    assert isinstance(out, Markup) and str(out) == esc(value)
    assert escape(report._finalize(Markup("<b>x</b>"))) == Markup("<b>x</b>")


def _page() -> str:
    text = "Đến năm 2025 đạt 60% thư viện cấp huyện."
    ev = Evidence(text, 0, len(text))
    rec = DocumentRecord("a", "a.txt", "0", province="Đắk Nông", targets=[
        Target("library", "lib.service", None, "district", 2025, None, 60.0, None, "percent", False, "at_least", ev)])
    rec.text = text
    return report.render_report([rec])


@pytest.fixture
def fresh_templates():
    """The templates loaded anew (a new Environment, with the cache directory of the moment)."""
    report._template.cache_clear()
    yield
    report._template.cache_clear()


def test_templates_are_compiled_once_into_the_cache(tmp_path, monkeypatch, fresh_templates):  # noqa: ARG001
    import jinja2

    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    first = _page()
    cached = sorted((tmp_path / TEMPLATE_CACHE).glob("*/*"))
    assert len(cached) == len(list(report.TEMPLATES_DIR.glob("*.html.j2")))
    report._template.cache_clear()

    def no_compiling(*args, **kwargs):  # noqa: ARG001 - stands in for Environment.compile
        raise AssertionError("a template was compiled although it is in the cache")
    monkeypatch.setattr(jinja2.Environment, "compile", no_compiling)
    assert _page() == first


def test_a_cache_others_can_write_to_is_not_read(tmp_path, monkeypatch, fresh_templates):  # noqa: ARG001
    import jinja2

    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    first = _page()
    (folder,) = (tmp_path / TEMPLATE_CACHE).iterdir()
    assert folder.stat().st_mode & 0o777 == 0o700
    folder.chmod(0o777)
    report._template.cache_clear()
    compiled: list[str] = []
    real = jinja2.Environment.compile

    def counting(self, source, name=None, *args, **kwargs):
        compiled.append(name)
        return real(self, source, name, *args, **kwargs)
    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    assert _page() == first
    assert "page.html.j2" in compiled


def test_each_set_of_template_options_has_its_own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    a = bytecode_cache({"trim_blocks": True, "finalize": report._finalize})
    b = bytecode_cache({"trim_blocks": False, "finalize": report._finalize})
    assert isinstance(a, QuietCache) and isinstance(b, QuietCache)
    assert a.directory != b.directory and Path(a.directory).parent == tmp_path / TEMPLATE_CACHE
    monkeypatch.setenv(CACHE_DIR_ENV, "off")
    assert bytecode_cache({"trim_blocks": True}) is None


def test_a_cache_that_cannot_be_used_only_means_compiling_again(tmp_path, monkeypatch, fresh_templates):  # noqa: ARG001
    monkeypatch.setenv(CACHE_DIR_ENV, "off")
    expected = _page()
    report._template.cache_clear()
    blocker = tmp_path / "file_not_dir"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv(CACHE_DIR_ENV, str(blocker))        # the cache "directory" is a file
    assert _page() == expected
    report._template.cache_clear()
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "c"))
    assert _page() == expected
    for f in (tmp_path / "c").rglob("*.cache"):             # damaged cache files
        f.write_bytes(b"garbage")
    report._template.cache_clear()
    assert _page() == expected
