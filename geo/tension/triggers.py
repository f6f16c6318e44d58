"""Trigger events (a referendum, an attack abroad, a local incident) and the alerts after them.

Alerts raised within ``trigger_window_days`` after an event, national or local to the
alert's CSP or district, name it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from geo.geography.areas import Geography
from geo.tension.rules import AlertRules

if TYPE_CHECKING:
    from geo.tension.lifecycle import Alert


@dataclass(frozen=True)
class TriggerEvent:
    """An external event that can raise tension, national or local to one area.

    Attributes
    ----------
    day
        The day it happened.
    name
        What happened (``EU referendum result``).
    scope
        ``national`` or ``local``.
    area
        For a local event: a CSP or district code or name.

    Examples
    --------
    >>> event = TriggerEvent(date(2019, 6, 20), "Town centre assault", "local", "Watford")
    >>> event.applies_to(("E07000103", "Watford"), ("E07000103", "Watford"))
    True
    >>> event.applies_to(("E07000096", "Dacorum"), ("E07000096", "Dacorum"))
    False
    """

    day: date
    name: str
    scope: str = "national"
    area: str | None = None

    def applies_to(self, csp: tuple[str, str], district: tuple[str, str]) -> bool:
        """Whether the event concerns an area of this CSP and district ((code, name) each)."""
        return self.scope == "national" or (self.area or "") in (*csp, *district)


def linked_events(
    alert: Alert, events: list[TriggerEvent], rules: AlertRules, geo: Geography
) -> list[TriggerEvent]:
    """Trigger events the alert followed within ``trigger_window_days``.

    Parameters
    ----------
    alert
        The alert (its raising day and areas).
    events
        The trigger events listed.
    rules
        The rules of the run (``trigger_window_days``).
    geo
        The boundary set (the CSP and district of the alert's areas).

    Returns
    -------
    list of TriggerEvent
        The national events, and the local ones of the alert's CSP or district, that
        happened 0 … ``trigger_window_days`` days before the alert was raised.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from geo.tension.lifecycle import Alert
    >>> from geo.tension.signals import Signal
    >>> geo = Geography(gpd.GeoDataFrame(
    ...     {"lsoa_code": ["L12"], "csp_code": ["E07000103"], "csp_name": ["Watford"],
    ...      "district_code": ["E07000103"], "district_name": ["Watford"]},
    ...     geometry=[shapely.box(1000, 1000, 1500, 1500)]))
    >>> signal = Signal("race", frozenset({"L12"}), (1250.0, 1250.0), 0.0, date(2019, 6, 28),
    ...                 date(2019, 6, 30), 13, 1.24, 0.002, "high", ("R1", "R2"))
    >>> alert = Alert("T00001", date(2019, 6, 30), date(2019, 6, 30), signal, "high",
    ...               date(2019, 6, 30))
    >>> events = [TriggerEvent(date(2019, 6, 20), "Town centre assault", "local", "Watford"),
    ...           TriggerEvent(date(2019, 6, 21), "Attack abroad"),
    ...           TriggerEvent(date(2019, 5, 1), "Old news")]
    >>> [e.name for e in linked_events(alert, events, AlertRules(), geo)]
    ['Town centre assault', 'Attack abroad']
    """
    areas = geo.lsoas[geo.lsoas["lsoa_code"].isin(alert.signal.lsoas)]
    csp = tuple(areas[["csp_code", "csp_name"]].mode().iloc[0]) if len(areas) else ("", "")
    district = (
        tuple(areas[["district_code", "district_name"]].mode().iloc[0]) if len(areas) else ("", "")
    )
    return [
        e
        for e in events
        if 0 <= (alert.raised_on - e.day).days <= rules.trigger_window_days
        and e.applies_to(csp, district)
    ]
