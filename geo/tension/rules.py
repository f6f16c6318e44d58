"""How a tension signal is graded: the rules of a daily monitor run and their defaults.

A cluster becomes a signal by its recurrence interval (how often a cluster this unusual
would arise by chance under daily analysis; 1 / p days), then its evidence adjusts the
level:

- ``high``: recurrence interval ≥ 365 days and at least ``high_min_records`` records; or
  a ``medium`` cluster with at least ``violent_for_high`` violent offences or at least two
  records in each of ``spread_for_high`` strands.
- ``medium``: recurrence interval ≥ 365 days, from at least ``min_victims`` different
  victims (fewer: ``low``; one person's repeat reports are a safeguarding matter, not
  community tension).
- ``low``: recurrence interval ≥ 20 days; the noisy tier, for analysts, not for escalation.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING

import numpy as np

from geo._errors import TensionmapError

if TYPE_CHECKING:
    from geo.tension.signals import Evidence

LEVELS = ("low", "medium", "high")
#: Replicates beating the best cluster after which a day's Monte Carlo stops.
SEQUENTIAL_STOP = 10


@dataclass(frozen=True)
class AlertRules:
    """The thresholds of a monitor run.

    They are stored with the run, so that a later reader grades with the rules that
    were used, not today's defaults.

    Attributes
    ----------
    low_days, medium_days, high_days
        Recurrence intervals (days) a cluster needs for ``low``, ``medium`` and ``high``.
    high_min_records
        Records a ``high`` cluster needs on its recurrence interval alone.
    min_victims
        Different victims a cluster needs to be more than ``low``.
    violent_for_high, spread_for_high
        Violent offences, or strands with at least two records, that raise a ``medium``
        cluster to ``high``.
    all_share
        Share of an all-strands cluster's records in one strand above which the
        strand's own signal replaces it.
    max_radius_m, max_days, study_days, min_records
        The scan: largest circle, longest window (days back from the day analysed),
        days of history, and the fewest records in a cluster.
    close_after_days
        Days without a signal after which an alert closes.
    replications, sequential
        Monte Carlo replications, and whether an unremarkable day may stop early.
    trigger_window_days
        Days after a trigger event in which an alert raised names it.

    Examples
    --------
    >>> from geo.tension.signals import Evidence
    >>> rules = AlertRules()
    >>> rules.level(400.0, 12, Evidence(victims=5)), rules.level(400.0, 5, Evidence(victims=2))
    ('high', 'low')
    >>> AlertRules.from_json(AlertRules(max_days=14).to_json()).max_days
    14
    """

    low_days: float = 20.0
    #: 365, not 100: six scans a day (five strands and all) make 100-day clusters about
    #: every three weeks per force by chance; benchmarks/eval_tension.py measured
    #: 3.3 medium+ false alarms per force-year at 100 (max 10), 0.95 at 365 (max 3)
    medium_days: float = 365.0
    high_days: float = 365.0
    high_min_records: int = 10
    min_victims: int = 3
    violent_for_high: int = 3
    spread_for_high: int = 3
    all_share: float = 0.8
    max_radius_m: float = 3000.0
    max_days: int = 28
    study_days: int = 730
    min_records: int = 3
    close_after_days: int = 3
    replications: int = 999
    sequential: bool = True
    trigger_window_days: int = 14

    def check(self) -> None:
        """Refuse rules under which no cluster can reach ``medium``."""
        if self.replications + 1 < self.medium_days:
            raise TensionmapError(
                f"with {self.replications} replications the smallest p-value is "
                f"1/{self.replications + 1}, so no cluster can reach a recurrence interval of "
                f"{self.medium_days:g} days (medium): use at least "
                f"{int(np.ceil(self.medium_days)) - 1} replications (default 999)."
            )

    def level(self, recurrence_days: float, observed: int, evidence: Evidence) -> str | None:
        """The level of a cluster (see the module docstring), or ``None`` below ``low``."""
        if recurrence_days >= self.high_days and observed >= self.high_min_records:
            level = "high"
        elif recurrence_days >= self.medium_days:
            level = "medium"
        elif recurrence_days >= self.low_days:
            return "low"
        else:
            return None
        if evidence.victims < self.min_victims:
            return "low"
        if level == "medium" and (
            evidence.violent >= self.violent_for_high
            or sum(n >= 2 for n in evidence.strands.values()) >= self.spread_for_high
        ):
            return "high"
        return level

    def to_json(self) -> str:
        """The rules as JSON (kept with each monitor run in the store)."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> AlertRules:
        """Rules stored by :meth:`to_json`; the defaults for a run stored without any."""
        if not text:
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in json.loads(text).items() if k in known})
