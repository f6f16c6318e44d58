"""Community tension: where hate is departing from an area's normal, day by day.

One module per concern: :mod:`~geo.tension.stscan` (the space-time permutation scan),
:mod:`~geo.tension.baseline` (weekly baselines), :mod:`~geo.tension.rules` (grading),
:mod:`~geo.tension.signals` (a day's signals and their evidence),
:mod:`~geo.tension.lifecycle` (alerts raised, updated, escalated, closed),
:mod:`~geo.tension.triggers` (trigger events), :mod:`~geo.tension.trigger_list` (the
user's list of them, in the store), :mod:`~geo.tension.tables` (tables and JSON),
:mod:`~geo.tension.monitor` (the daily monitor and its store) and
:mod:`~geo.tension.emerging` (emerging hot spots).
"""

from geo.tension.lifecycle import Alert, Change, replay, update_alerts
from geo.tension.rules import LEVELS, AlertRules
from geo.tension.signals import STRANDS, Evidence, Signal, daily_signals, strand_records
from geo.tension.tables import alert_rows, change_rows, from_json, to_json
from geo.tension.triggers import TriggerEvent, linked_events

__all__ = [
    "LEVELS", "STRANDS", "Alert", "AlertRules", "Change", "Evidence", "Signal", "TriggerEvent",
    "alert_rows", "change_rows", "daily_signals", "from_json", "linked_events", "replay",
    "strand_records", "to_json", "update_alerts",
]  # fmt: skip
