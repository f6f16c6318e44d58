"""Server-side validation of every value a browser sends (filled in by the security work)."""

from __future__ import annotations

import dash


def install(app: dash.Dash) -> None:
    """Check every callback request before Dash runs it."""
