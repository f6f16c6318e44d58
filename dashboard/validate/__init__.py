"""Server-side validation of every value a browser sends.

Nothing a browser posts is trusted: a signed-in analyst can post any JSON to
``/_dash-update-component``. Two layers check it.

* :func:`install` (:mod:`~dashboard.validate.callbacks`) adds a check that runs before
  Dash sees a callback request: the body's size (:data:`MAX_BODY`, else 413), well-formed
  JSON of the shape Dash's renderer sends, an ``output`` naming a server callback of this
  app (else 404), the page's role (403, checked before anything else about the request,
  so a role that may not use a page learns nothing more), then the exact input and state
  ids and properties that callback declares (pattern-matching ids only with the values a
  page registered with :func:`pattern_values`) and no NUL byte anywhere (else 400).
* Each page's callbacks and layout start by passing every value through the small
  vocabulary of :mod:`~dashboard.validate.values` (:func:`one_of`, :func:`iso_day`,
  :func:`int_in`, :func:`clicks`, :func:`row_indexes`, :func:`feature_click`,
  :func:`query`), which returns the clean value or raises :class:`BadRequestError`. The
  server answers that with 400 and a plain message that quotes at most a short, escaped
  prefix of the bad value; nothing else happens.
"""

from dashboard.validate.callbacks import (
    MAX_BODY,
    MAX_PATH,
    MAX_SEARCH,
    check_request,
    install,
    pattern_values,
)
from dashboard.validate.values import (
    SHOWN,
    BadRequestError,
    clicks,
    feature_click,
    int_in,
    iso_day,
    one_of,
    query,
    row_indexes,
    shown,
)

__all__ = [
    "MAX_BODY", "MAX_PATH", "MAX_SEARCH", "SHOWN", "BadRequestError", "check_request",
    "clicks", "feature_click", "install", "int_in", "iso_day", "one_of", "pattern_values",
    "query", "row_indexes", "shown",
]  # fmt: skip
