"""Disclosure control that holds across data versions.

What partner and prevention users may be shown, whatever they compare it with.

The rule
--------
Everything the ``partner`` and ``prevention`` roles see (the partner heat maps, their
tables and the downloadable HTML map, and the Trends and Schools figures for those
roles) is published, and a published figure is made in three steps, in this order:

1. **Closed periods only.** A calendar month is *closed* once it ended at least
   ``publication_lag_days`` days ago (workspace setting, default 7): November closes on
   the 8th of December. Records of the open period (the current month and a month that
   ended less than the lag ago) are left out of every published figure, so ingesting,
   correcting or deleting a recent record changes nothing a partner sees.
2. **Counted by area and period.** Records are counted per area (the LSOA for maps and
   schools; the CSP, or the whole workspace, for Trends) and per closed period.
3. **Small counts suppressed, the rest rounded.** A count below ``small_count_threshold``
   (``k``, default 5) is published as 0 (shown as ``<5``); every other count is rounded
   to the nearest 5 (7 → 5, 8 → 10). No published count is ever 1–4.

Everything else is computed **only from published counts**, never from records:

- the partner heat maps show the published LSOA counts of the **last 12 closed months**
  (shaded LSOAs), and a heat layer that spreads each LSOA's published count evenly over
  the LSOA's polygon on a 100 m raster, smooths it with a quartic kernel (500 m by
  default) and shows it on a grid of 500 m cells, densities rounded to 2 significant
  figures. Their CSP and station or area tables add up published LSOA counts (an LSOA
  with fewer than ``k`` records adds nothing);
- the Schools plan for the prevention role places each LSOA's published count of each
  12-month closed period at the LSOA's inner point and scores, ranks and plans from
  those points (and its high-risk residential areas from published residential counts);
- Trends for the partner and prevention roles count strand markers per CSP and closed
  month, quarter or year (whole closed quarters and years only), suppressed and rounded;
  shares and rates are computed from published counts, and suppressed when their base
  is below ``4 k`` published records.

Because every figure is a function of published (LSOA or CSP) counts of closed periods,
adding, changing or deleting a single record can at most change the published count of
its own area and closed period: moving a record within its LSOA, or adding one to the
open period, changes no byte of what a partner sees, and comparing two versions of a
map never places a record more precisely than its LSOA.

The 12-month window ends at the latest closed month in which the workspace as a whole
holds at least ``k`` records (its published monthly total is not suppressed): the last
closed month in a live workspace; the last month of data in a historical one such as
the demo (2014–2019). Tactical and analyst users keep exact figures on their own pages;
the partner page shows the same published product to every role.

One module per step: :mod:`~geo.disclosure.periods` (closed periods),
:mod:`~geo.disclosure.counts` (suppressed and rounded counts, shares) and
:mod:`~geo.disclosure.publication` (the published span and its windows).
"""

from geo.disclosure.counts import (
    MIN_BASE_FACTOR,
    ROUNDING_BASE,
    PublishedCounts,
    publishable,
    publishable_array,
    publishable_count,
    published_counts_by,
    published_lsoa_counts,
    published_share,
    shown,
)
from geo.disclosure.periods import (
    MAP_MONTHS,
    ClosedPeriod,
    add_months,
    closed_period,
    last_closed_month,
    month_end,
    month_start,
    period_of_dates,
)
from geo.disclosure.publication import Publication, publication

__all__ = [
    "MAP_MONTHS", "MIN_BASE_FACTOR", "ROUNDING_BASE", "ClosedPeriod", "Publication",
    "PublishedCounts", "add_months", "closed_period", "last_closed_month", "month_end",
    "month_start", "period_of_dates", "publication", "publishable", "publishable_array",
    "publishable_count", "published_counts_by", "published_lsoa_counts", "published_share",
    "shown",
]  # fmt: skip
