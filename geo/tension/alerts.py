"""Former home of the tension alert code, now split by concern (rules, signals, lifecycle,
triggers, tables); these names are re-exported for callers not yet moved."""

from geo.tension.lifecycle import Alert, Change, replay, update_alerts
from geo.tension.rules import LEVELS, SEQUENTIAL_STOP, AlertRules
from geo.tension.signals import STRANDS, Evidence, Signal, daily_signals
from geo.tension.tables import alert_rows, change_rows, from_json, to_json
from geo.tension.triggers import TriggerEvent, linked_events

__all__ = [
    "LEVELS", "SEQUENTIAL_STOP", "STRANDS", "Alert", "AlertRules", "Change", "Evidence",
    "Signal", "TriggerEvent", "alert_rows", "change_rows", "daily_signals", "from_json",
    "linked_events", "replay", "to_json", "update_alerts",
]  # fmt: skip
