"""The shared open-data folder for benchmarks (as ``tests/conftest.py`` finds it).

The product never reads it (the demo ships its data in ``geo/demo/data``); benchmarks and
tests may, for the plain files some of them read.
"""

from __future__ import annotations

import os
from pathlib import Path


def open_data_dir() -> Path | None:
    """``$TENSIONMAP_OPEN_DATA`` if set, else ``shared/data`` beside the checkout or the
    current folder; ``None`` when neither exists."""
    env = os.environ.get("TENSIONMAP_OPEN_DATA")
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve().parent.parent
    candidates += [here.parent / "shared" / "data", Path.cwd().parent / "shared" / "data"]
    return next((c for c in candidates if c.is_dir()), None)
