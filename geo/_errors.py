"""Exception types with messages a user can act on.

Every error a user can cause is a subclass of :class:`TensionmapError` (itself a
``ValueError``); the CLI prints its message and exits 2. Anything else is a bug and
exits 1.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class TensionmapError(ValueError):
    """Base class for problems the user can fix (bad input, bad arguments)."""


class InputFileError(TensionmapError):
    """A whole input file cannot be used (missing, unreadable, not CSV, columns absent)."""


class BoundaryError(TensionmapError):
    """A boundary file or lookup cannot be used."""


class WorkspaceError(TensionmapError):
    """The workspace is missing, unreadable or inconsistent."""


def close_matches(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Names in ``candidates`` that look like ``name`` (case-insensitive), best first."""
    lowered = {c.lower(): c for c in candidates}
    hits = difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.6)
    return [lowered[h] for h in hits]


def one_of(what: str, allowed: Iterable[str], given: object) -> TensionmapError:
    """Give the libpysal-style message: ``'unit' must be one of (...); 'msoa' was given.``."""
    return TensionmapError(f"{what!r} must be one of {tuple(allowed)}; {given!r} was given.")
