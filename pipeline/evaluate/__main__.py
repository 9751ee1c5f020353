"""``python -m pipeline.evaluate``: the ``chitieu eval`` command."""
from .run import main

raise SystemExit(main())
