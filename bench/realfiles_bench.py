"""Load and extract time of each real file in ../shared/realfiles (OCR included).

    python bench/realfiles_bench.py [DIR]      # default ../shared/realfiles

Goal: under 30 s per file.  Prints one line per file and writes
bench/realfiles_results.txt; exits 0 (a slow file is reported, not fatal).
Skips with a message when the folder is absent.  Beside the wall-clock times,
``cpu s`` is the CPU time of the load (this process and its tesseract
children): on a machine shared with other work the wall time grows, the CPU
time much less.
"""
from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GOAL_S = 30.0


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (tesseract)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else Path(os.environ.get("CHITIEU_SHARED", ROOT.parent / "shared")) / "realfiles"
    facts_file = folder / "facts.json"
    if not facts_file.is_file():
        print(f"realfiles bench: {facts_file} absent, skipped")
        return 0
    from pipeline.core import extract_file
    from pipeline.load import load
    names = list(json.loads(facts_file.read_text(encoding="utf-8")))
    lines = [f"{'file':38} {'format':8} {'load s':>7} {'cpu s':>6} {'extract s':>9}"
             f"  (extract includes its own load; goal < {GOAL_S:.0f} s)"]
    print(lines[0], flush=True)
    slow = 0
    for name in names:
        path = folder / name
        c0, t0 = _cpu(), time.perf_counter()
        try:
            loaded = load(path)
            fmt = loaded.format
        except Exception as exc:  # noqa: BLE001 - a bench reports a file's error, never stops
            fmt = f"error:{type(exc).__name__}"
        c1, t1 = _cpu(), time.perf_counter()
        extract_file(path)
        t2 = time.perf_counter()
        flag = "  SLOW" if t2 - t1 > GOAL_S else ""
        slow += bool(flag)
        line = f"{name:38} {fmt:8} {t1 - t0:7.2f} {c1 - c0:6.2f} {t2 - t1:9.2f}{flag}"
        lines.append(line)
        print(line, flush=True)
    lines.append(f"{len(names)} files, {slow} over {GOAL_S:.0f} s")
    print(lines[-1])
    (ROOT / "bench" / "realfiles_results.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
