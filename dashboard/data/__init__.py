"""The only place the dashboard reads the store or calls ``geo``; cached on a data version.

Authorisation is enforced here, on the server: every public function names the page it
serves and raises :class:`ForbiddenError` unless the signed-in role may see that page
(:data:`PAGE_ROLES`, :mod:`~dashboard.data.access`). What a function returns is all its
callers can send to a browser, so the partner's functions return only
disclosure-controlled aggregates, and record references, descriptions, victim ids and
point coordinates leave only through the tactical role's functions (and the references,
descriptions and tags of the records in the settings review queue through the analyst's
and tactical lead's :mod:`~dashboard.data.review`).

Disclosure control is enforced here too (see :mod:`geo.disclosure`): the partner page,
and the Trends and Schools figures of the partner and prevention roles
(:data:`PUBLISHED_ROLES`), come only from published counts of closed periods. Caches
are keyed on the data version, the :class:`~geo.disclosure.Publication` (which changes
when the published period does) and whether the figures are published or exact
(:mod:`~dashboard.data.source`).

Every figure comes from a ``geo`` function; one module per page:
:mod:`~dashboard.data.overview`, :mod:`~dashboard.data.tension`,
:mod:`~dashboard.data.hotspots`, :mod:`~dashboard.data.schools`,
:mod:`~dashboard.data.partner`, :mod:`~dashboard.data.trends` and
:mod:`~dashboard.data.review`.
"""

from dashboard.data.access import (
    PAGE_ROLES,
    PUBLISHED_ROLES,
    ForbiddenError,
    allowed,
    published_view,
    require,
)
from dashboard.data.hotspots import (
    HOTSPOT_METHODS,
    UNITS,
    density_layer,
    hotspot_table,
    repeat_locations,
    units,
)
from dashboard.data.overview import csp_strand_table, lsoa_counts
from dashboard.data.partner import PARTNER_SETTINGS, partner_map
from dashboard.data.schools import school_hotspot_layer, school_plan_table, school_status_table
from dashboard.data.source import (
    VERSION_TTL,
    as_records,
    configure,
    csp_names,
    data_version,
    date_range,
    district_outlines,
    geography,
    incidents,
    publication,
    reference_day,
    workspace,
)
from dashboard.data.tension import alert_evidence, monitor_days, open_alerts
from dashboard.data.trends import PERIODS, trend_summary, trend_table
from dashboard.data.warming import warm

__all__ = [
    "HOTSPOT_METHODS", "PAGE_ROLES", "PARTNER_SETTINGS", "PERIODS", "PUBLISHED_ROLES", "UNITS",
    "VERSION_TTL", "ForbiddenError", "alert_evidence", "allowed", "as_records", "configure",
    "csp_names", "csp_strand_table", "data_version", "date_range", "density_layer",
    "district_outlines", "geography", "hotspot_table", "incidents", "lsoa_counts",
    "monitor_days", "open_alerts", "partner_map", "publication", "published_view",
    "reference_day", "repeat_locations", "require", "school_hotspot_layer",
    "school_plan_table", "school_status_table", "trend_summary", "trend_table", "units",
    "warm", "workspace",
]  # fmt: skip
