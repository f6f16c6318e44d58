"""Progress bars for long work: shown on a terminal only, and only for big inputs."""

from __future__ import annotations

import sys
from typing import Any

from tqdm import tqdm

#: Files with more data rows than this get a progress bar when stderr is a terminal.
PROGRESS_MIN_ROWS = 50_000


def progress(total: int, desc: str, *, unit: str = "rows") -> Any:
    """A tqdm bar over ``total`` units, disabled off a terminal or for small totals."""
    enabled = total > PROGRESS_MIN_ROWS and sys.stderr.isatty()
    return tqdm(total=total, desc=desc, unit=unit, disable=not enabled, leave=False)
