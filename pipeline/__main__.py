"""``python -m pipeline`` is the ``chitieu`` command."""
import sys

from .cli import run

sys.exit(run())
