"""``python -m pipeline`` and the installed ``chitieu`` script (:func:`run`)."""
from __future__ import annotations

import os
import sys

from .arguments import parse


def run() -> int:
    """The ``chitieu`` program: the arguments parsed (:mod:`pipeline.arguments`
    alone, so ``--help`` and usage errors load nothing else), the command run
    (:func:`pipeline.cli.dispatch`), then every object left is frozen
    (:func:`gc.freeze`), so that the interpreter's exit does not walk them all
    once more (0.2-0.5 s after a run that loaded spaCy and pandas, 0.04 s
    frozen).  The exit handlers still run (logs flushed, worker processes
    reaped).  Not for a caller that goes on running: that one calls
    :func:`pipeline.cli.main`.

    OpenBLAS gets one thread (``OPENBLAS_NUM_THREADS``, unless set): numpy
    comes with spaCy and pandas, and its threads spin at start for ~0.1 s of
    CPU, for no linear algebra (as in the workers, :mod:`pipeline.batch.worker`)."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    args = parse(sys.argv[1:])
    if isinstance(args, int):
        code = args
    else:
        from .cli import dispatch
        code = dispatch(args)
    import gc

    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(run())
