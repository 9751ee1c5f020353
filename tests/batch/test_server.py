"""The fork server the batch's workers come from (pipeline/batch/server.py).

* the workers of every pool are forked from one server, which loaded the
  extractor once (spaCy is in a worker before it reads its first file);
* a worker has the batch's environment as it is when the pool starts, not
  the server's;
* the server is started again when the code or the rules change under it;
* workers exit when the batch is killed (the server goes, they follow).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pipeline import batch, rules as rules_mod
from pipeline.batch import server
from pipeline.models import DocumentRecord
from stand_ins import fake_extract

pytestmark = pytest.mark.skipif(not server._usable(), reason="no fork server on this platform")

TEXT = "Phấn đấu 60% thư viện cấp huyện có dịch vụ học tập suốt đời đến năm 2025.\n"


def _docs(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"doc{i}.txt" for i in range(n)]
    for i, p in enumerate(paths):
        p.write_text(f"{TEXT}Văn bản số {i}.\n", encoding="utf-8")
    return paths


def reports_process(path, *, max_bytes=0) -> DocumentRecord:  # noqa: ARG001 - the extractor's signature
    rec = fake_extract(path)
    rec.extra.update(pid=os.getpid(), ppid=os.getppid(), spacy="spacy" in sys.modules,
                     probe=os.environ.get("CHITIEU_TEST_PROBE"))
    return rec


def _server_pid() -> int | None:
    from multiprocessing import forkserver

    return forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]


def test_every_pool_forks_its_workers_from_one_warm_server(tmp_path: Path):
    files = _docs(tmp_path / "docs", 4)
    first = batch.run_batch(files, max_bytes=10**6, jobs=2, extractor=reports_process, isolate=True)
    again = batch.run_batch(files, max_bytes=10**6, jobs=1, extractor=reports_process, isolate=True)
    recs = first.records + again.records
    parents = {r.extra["ppid"] for r in recs}
    assert parents == {_server_pid()} and os.getpid() not in parents
    assert len({r.extra["pid"] for r in recs}) >= 2   # a new pool, new workers ...
    assert all(r.extra["spacy"] for r in recs)       # ... each with the extractor loaded before its first file


def test_a_worker_has_the_environment_of_the_batch_not_of_the_server(tmp_path: Path, monkeypatch):
    files = _docs(tmp_path / "docs", 2)
    monkeypatch.delenv("CHITIEU_TEST_PROBE", raising=False)
    server.start()
    monkeypatch.setenv("CHITIEU_TEST_PROBE", "set after the server started")
    res = batch.run_batch(files, max_bytes=10**6, extractor=reports_process, isolate=True)
    assert [r.extra["probe"] for r in res.records] == ["set after the server started"] * 2
    monkeypatch.delenv("CHITIEU_TEST_PROBE")
    res = batch.run_batch(files, max_bytes=10**6, extractor=reports_process, isolate=True)
    assert [r.extra["probe"] for r in res.records] == [None, None]


def test_the_server_is_started_again_when_the_rules_change(tmp_path: Path, monkeypatch):
    rules_dir = tmp_path / "rules"
    shutil.copytree(rules_mod.RULES_DIR, rules_dir)
    monkeypatch.setattr(rules_mod, "RULES_DIR", rules_dir)
    server.start()
    pid = _server_pid()
    server.start()
    assert _server_pid() == pid                      # nothing changed: the same server
    some = sorted(rules_dir.glob("*.yaml"))[0]
    some.write_bytes(some.read_bytes() + b"\n# changed\n")
    server.start()
    assert _server_pid() not in (None, pid)          # a rule file changed: a new one
    server.stop()
    assert _server_pid() is None


def test_workers_exit_when_the_batch_is_killed(tmp_path: Path):
    """``kill -9`` of the batch: its fork server exits (its pipe to the batch
    closes), so each worker sees its parent go and exits too."""
    files = _docs(tmp_path / "docs", 6)
    pids = tmp_path / "pids"
    script = textwrap.dedent(f"""
        import sys
        sys.path[:0] = [{str(Path(__file__).parent)!r}, {str(Path(__file__).parents[1])!r}]
        from pathlib import Path
        from pipeline import batch
        from test_server import sleeps
        if __name__ == "__main__":
            files = [Path(p) for p in {[str(f) for f in files]!r}]
            batch.run_batch(files, max_bytes=10**6, jobs=2, extractor=sleeps, isolate=True)
    """)
    env = dict(os.environ, CHITIEU_TEST_PIDS=str(pids))
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, cwd=tmp_path)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(_pids(pids)) < 2:
        time.sleep(0.05)
    workers = _pids(pids)
    assert len(workers) >= 2, "the workers did not start"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.1)
    assert not [p for p in workers if _alive(p)], "workers outlived the killed batch"


def sleeps(path, *, max_bytes=0) -> DocumentRecord:  # noqa: ARG001 - the extractor's signature
    with open(os.environ["CHITIEU_TEST_PIDS"], "a", encoding="utf-8") as fh:
        fh.write(f"{os.getpid()}\n")
    time.sleep(600)
    return fake_extract(path)


def _pids(path: Path) -> set[int]:
    try:
        return {int(x) for x in path.read_text(encoding="utf-8").split()}
    except OSError:
        return set()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][:1]
    except OSError:
        return False
    return state != "Z"
