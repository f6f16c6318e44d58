"""Warming the caches before the first user arrives (and in the background of
``tensionmap serve``, every filter's tables and layers)."""

from __future__ import annotations

from dashboard.data.hotspots import cached_density, cached_hotspots, cached_repeats, population
from dashboard.data.partner import PARTNER_SETTINGS, cached_partner
from dashboard.data.source import (
    csp_names,
    data_version,
    district_outlines,
    incidents,
    publication,
    victims,
)
from dashboard.data.trends import PERIODS, cached_summary, cached_trend
from geo.vocab import MONITORED_STRANDS


def warm(*, every_filter: bool = False) -> None:
    """Load what every page needs before the first user arrives; with ``every_filter``
    also the trends and the hotspot, density and repeat-location layers of every strand
    and CSP (about half a minute for both forces, in the background of ``tensionmap
    serve``)."""
    incidents()
    population()
    district_outlines()
    version = data_version()
    victims()
    published = publication()
    if not every_filter:
        return
    for setting in PARTNER_SETTINGS:
        cached_partner(version, setting, published)
    for csp in ["", *sorted(csp_names().index)]:
        cached_summary(version, csp, None)
        cached_summary(version, csp, published)
        for period in PERIODS:
            cached_trend(version, period, "", csp, None)
            cached_trend(version, period, "", csp, published)
        for strand in ["", *MONITORED_STRANDS]:
            cached_hotspots(version, strand, "", csp, "", "", "lsoa")
            cached_density(version, strand, "", csp)
            cached_repeats(version, strand, csp)
