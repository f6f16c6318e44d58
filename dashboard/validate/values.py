"""The vocabulary every page's callbacks and layout pass each browser value through.

:func:`one_of`, :func:`iso_day`, :func:`int_in`, :func:`clicks`, :func:`row_indexes`,
:func:`feature_click` and :func:`query` return the clean value or raise
:class:`BadRequestError`, which the server answers with 400 and a plain message quoting
at most a short, escaped prefix of the bad value.

Examples
--------
>>> one_of("lsoa", ("lsoa", "ward"), "unit")
'lsoa'
>>> one_of("msoa", ("lsoa", "ward"), "unit")
Traceback (most recent call last):
...
dashboard.validate.values.BadRequestError: 'unit' must be one of ('lsoa', 'ward'); 'msoa' was given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

#: Characters of a bad value quoted back in an error message.
SHOWN = 40
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?")
#: Keys of a dash-leaflet GeoJSON ``clickData`` (the clicked feature, plus its bounds).
_FEATURE_KEYS = frozenset({"type", "id", "properties", "geometry", "bounds", "bbox"})


class BadRequestError(ValueError):
    """A value the page does not offer; answered with 400 and :func:`str` of the error."""


def shown(value: object) -> str:
    """A short, escaped rendering of ``value`` for an error message (never the whole of a
    long string, never markup).

    Examples
    --------
    >>> shown("a\\x00b")
    "'a\\\\x00b'"
    >>> shown("x" * 100_000)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'... (100000 characters)"
    >>> shown({"a": 1})
    'a dict'
    """
    if isinstance(value, str):
        text = repr(value[:SHOWN])
        if len(value) > SHOWN:
            text += f"... ({len(value)} characters)"
    elif value is None or isinstance(value, bool | int | float):
        text = repr(value)[:SHOWN]
    else:
        text = f"a {type(value).__name__}"
    # plain text is served as text/plain, but keep it inert even where shown as HTML
    return text.replace("<", "\\x3c").replace(">", "\\x3e").replace("&", "\\x26")


def _listed(allowed: tuple[Any, ...], limit: int = 12) -> str:
    if len(allowed) <= limit:
        return repr(allowed)
    return repr(allowed[:limit])[:-1] + f", ... {len(allowed) - limit} more)"


def one_of(value: object, allowed: Iterable[Any], name: str, *, blank: bool = False) -> Any:
    """``value`` if it is one of ``allowed`` (same type too: ``1`` is not ``'1'``); with
    ``blank``, ``None`` and ``''`` (a cleared "all" choice) are accepted and give ``''``.

    Raises
    ------
    BadRequestError
        Naming the allowed values and quoting what was given.
    """
    choices = tuple(allowed)
    if blank and (value is None or value == ""):
        return ""
    if isinstance(value, str | int | float | bool | type(None)) and any(
        type(value) is type(c) and value == c for c in choices
    ):
        return value
    listed = _listed((*(("",) if blank else ()), *choices))
    raise BadRequestError(f"{name!r} must be one of {listed}; {shown(value)} was given.")


def iso_day(value: object, first: str, last: str, name: str, *, blank: bool = False) -> str:
    """The day ``YYYY-MM-DD`` of ``value`` (a time part is dropped) if it lies from
    ``first`` to ``last``; with ``blank``, ``None`` and ``''`` give ``''`` (no limit)."""
    if blank and (value is None or value == ""):
        return ""
    problem = f"{name!r} must be a day (YYYY-MM-DD) from {first} to {last}"
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        raise BadRequestError(f"{problem}; {shown(value)} was given.")
    try:
        date.fromisoformat(value[:10])
    except ValueError:
        raise BadRequestError(f"{problem}; {shown(value)} is not a day.") from None
    if not first <= value[:10] <= last:
        raise BadRequestError(f"{problem}; {shown(value)} was given.")
    return value[:10]


def int_in(value: object, lo: int, hi: int, name: str) -> int:
    """``value`` as an ``int`` if it is a whole number from ``lo`` to ``hi`` (JSON numbers
    only: not ``'3'``, not ``true``)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (isinstance(value, float) and not value.is_integer())
        or not lo <= value <= hi
    ):
        raise BadRequestError(
            f"{name!r} must be a whole number from {lo} to {hi}; {shown(value)} was given."
        )
    return int(value)


def clicks(value: object, name: str) -> int:
    """A button's ``n_clicks`` as its callback sees it (at least one click)."""
    return int_in(value, 1, 2**31 - 1, name)


def row_indexes(value: object, count: int, name: str, *, most: int = 1) -> list[int]:
    """Selected rows of a table of ``count`` rows: a list of at most ``most`` row indexes."""
    if not isinstance(value, list) or len(value) > most:
        raise BadRequestError(
            f"{name!r} must be a list of at most {most} row indexes; {shown(value)} was given."
        )
    if count == 0 and value:
        raise BadRequestError(f"{name!r}: the table has no rows; {shown(value)} was given.")
    return [int_in(v, 0, count - 1, f"{name} index") for v in value]


def feature_click(value: object, name: str) -> dict[str, Any] | None:
    """The ``properties`` of a clicked map feature (a dash-leaflet GeoJSON ``clickData``),
    or ``None`` when that layer was not clicked."""
    if value is None:
        return None
    if (
        not isinstance(value, dict)
        or not set(value) <= _FEATURE_KEYS
        or not isinstance(value.get("properties"), dict)
    ):
        raise BadRequestError(f"{name!r} must be a clicked map feature; {shown(value)} was given.")
    return value["properties"]


def query(given: Mapping[str, object], page: str, keys: Iterable[str]) -> dict[str, str]:
    """A page's URL query (``layout(**query)``): only ``keys``, each given once as text."""
    allowed = tuple(keys)
    for key, value in given.items():
        if key not in allowed:
            raise BadRequestError(
                f"the {page} page's query takes {allowed or 'no parameter'}; "
                f"{shown(key)} was given."
            )
        if not isinstance(value, str):
            raise BadRequestError(f"the query parameter {key!r} must be given once.")
    return {k: v for k, v in given.items() if isinstance(v, str)}
