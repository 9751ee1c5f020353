"""``python -m pipeline`` is the ``chitieu`` command."""
import sys

from .cli import main

sys.exit(main())
