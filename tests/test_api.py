"""The four public functions work when called again and again in one process.

A subpackage named like one of them (``pipeline/extract/`` once) would replace
the function with the module the first time the extractors are imported; the
second call then fails with ``'module' object is not callable``.  The check
runs in a fresh interpreter so that no other test has imported anything first.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import sys
from pathlib import Path
import pipeline

doc = max(Path(sys.argv[1]).glob("*.txt"), key=lambda p: p.stat().st_size)
for round_ in range(2):
    for name in pipeline.__all__:
        assert callable(getattr(pipeline, name)), (round_, name, getattr(pipeline, name))
    text = pipeline.load(doc).text
    rec = pipeline.extract(doc)
    assert rec.targets, "the corpus document has targets"
    frames = pipeline.to_frames([rec])
    table = pipeline.compare(frames)
    assert len(text) > 0 and len(table) > 0
# importing every submodule by name must not shadow a function either
import pipeline.extractors.targets, pipeline.load, pipeline.outputs.compare, pipeline.outputs.frames  # noqa: E401
for name in pipeline.__all__:
    assert callable(getattr(pipeline, name)), name
print("ok")
"""


def test_public_functions_can_be_called_twice_in_one_process():
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT / "corpus")],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().endswith("ok")


def test_extraction_keeps_no_hidden_reference_to_the_document(monkeypatch):
    """No module-level cache of "the last document": once a record is returned,
    the prepared text it was read from can be freed (it holds the whole text
    several times over)."""
    import gc
    import weakref

    from pipeline import core
    from pipeline.extractors import context

    seen: list[weakref.ref] = []
    real = context.prepare

    def prepare(raw):
        prep = real(raw)
        seen.append(weakref.ref(prep))
        return prep

    monkeypatch.setattr(context, "prepare", prepare)
    text = (ROOT / "corpus" / "001_88505ad80152d7eb.txt").read_text(encoding="utf-8")
    rec = core.extract_text(text, "doc")
    assert rec.targets and seen
    gc.collect()
    assert all(r() is None for r in seen), "a prepared text outlived its extraction"
