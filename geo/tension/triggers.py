"""Trigger events (a referendum, an attack abroad, a local incident) and which alerts
followed them: alerts raised within ``trigger_window_days`` after an event, national or
local to the alert's CSP or district, name it."""

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
    """An external event that can raise tension (``scope`` national, or local to ``area``:
    a CSP or district code or name)."""

    day: date
    name: str
    scope: str = "national"
    area: str | None = None

    def applies_to(self, csp: tuple[str, str], district: tuple[str, str]) -> bool:
        return self.scope == "national" or (self.area or "") in (*csp, *district)


def linked_events(
    alert: Alert, events: list[TriggerEvent], rules: AlertRules, geo: Geography
) -> list[TriggerEvent]:
    """Trigger events the alert followed within ``trigger_window_days``."""
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
