"""A demo scenario for any police force of England and Wales, on national figures.

Hertfordshire and Cambridgeshire have published local figures (:mod:`geo.demo.calibration`);
any other force is calibrated to the national ones alone:

- **volumes**: its residents at the national rate of police-recorded hate crime,
  2.44 per 1,000 in 2022/23 (:func:`~geo.demo.calibration.national_rate_per_1000`), each
  calendar year moved along the national series, with non-crime hate incidents on top
  at :data:`~geo.demo.calibration.INCIDENT_SHARE` of records; or a fixed number of records
  a year when one is asked for;
- **strands**: the national mix of 2022/23; **CSPs**: shares by residents;
- **where**: the force's own LSOAs, with residents from
  :func:`geo.geography.population.lsoa_population` and the places the workspace has
  imported (``tensionmap ingest places``), synthetic ones for any kind it has not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo.demo import calibration as cal
from geo.demo.builder import Period
from geo.demo.places import DemoPlaces, stored_places
from geo.geography.areas import Geography
from geo.geography.national import find_force, national_areas, police_forces
from geo.geography.population import lsoa_population


@dataclass(frozen=True)
class ForcePlan:
    """What a force's scenario is drawn from: its LSOAs, residents, places and budgets.

    Attributes
    ----------
    force : str
        The force's ONS name (as the records' ``force`` and the geography spell it).
    prefix : str
        The start of its records' references (``WY`` for West Yorkshire).
    geo : Geography
        The force's LSOAs only (records are drawn and kept inside them).
    places : DemoPlaces
        Its places and residents per LSOA.
    periods : list of Period
        One calendar year each, with its budget at scale 1.
    about : dict
        What the truth records of the calibration: residents, rate, volumes.
    notes : list of str
        What stands in for missing data, in words.

    Examples
    --------
    >>> plan = plan_force(load_geography(area={"forces": ["Warwickshire"]}), "warwickshire",
    ...                   first=2019, last=2019)  # doctest: +SKIP
    >>> plan.force, plan.prefix, plan.periods[0].label  # doctest: +SKIP
    ('Warwickshire', 'WA', '2019')
    """

    force: str
    prefix: str
    geo: Geography
    places: DemoPlaces
    periods: list[Period]
    about: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def mean_residents_per_lsoa() -> float:
    """Census 2021 residents of England and Wales per LSOA (2011).

    Returns
    -------
    float
        :data:`~geo.demo.calibration.CENSUS_2021_RESIDENTS` over the 34,753 LSOAs of
        :func:`~geo.geography.national.national_areas` (LSOAs hold 1,000 to 3,000
        residents by design).

    Examples
    --------
    >>> round(mean_residents_per_lsoa(), 1)  # 59,597,300 / 34,753
    1714.9
    """
    return cal.CENSUS_2021_RESIDENTS / len(national_areas())


def force_residents(
    geo: Geography, *, geography_dir: Path | None = None
) -> tuple[np.ndarray, float, str]:
    """Where people live in an area, how many live there, and where the figures come from.

    Parameters
    ----------
    geo : Geography
        The area's LSOAs.
    geography_dir : pathlib.Path, optional
        The workspace's ``geography/`` folder (its imported Census residents, if any).

    Returns
    -------
    weights : numpy.ndarray
        Residents (or their proxy) per LSOA, aligned to ``geo.lsoas``: where records fall.
    residents : float
        The area's residents, the base of its volumes: the Census total when the
        residents are Census counts; otherwise (a proxy gives only where people live)
        its LSOAs times :func:`mean_residents_per_lsoa`.
    source : str
        Both, in words.

    Examples
    --------
    >>> weights, residents, source = force_residents(
    ...     load_geography(area={"forces": ["London, City of"]}))  # doctest: +SKIP
    >>> residents  # doctest: +SKIP
    10289.4
    """
    weights, source = lsoa_population(geo, geography_dir=geography_dir)
    if source.startswith("Census"):
        return weights, float(weights.sum()), f"residents: {source}"
    mean = mean_residents_per_lsoa()
    return (
        weights,
        len(weights) * mean,
        (
            f"residents: {len(weights):,} LSOAs × {mean:,.0f}, the mean of England and Wales "
            f"(Census 2021: {cal.CENSUS_2021_RESIDENTS:,} residents, {len(national_areas()):,} "
            f"LSOAs); where they live within the force: {source}"
        ),
    )


def force_periods(
    force: str, first: int, last: int, *, residents: float, records_per_year: int | None = None
) -> list[Period]:
    """A force's calendar years and their budgets, at the national rate or as asked.

    Parameters
    ----------
    force : str
        The force's ONS name.
    first, last : int
        The first and last calendar year.
    residents : float
        The force's residents (see :func:`force_residents`).
    records_per_year : int, optional
        Records a year (crimes and incidents) instead of the national rate; every year
        the same.

    Returns
    -------
    list of Period
        One period per year: crimes at :func:`~geo.demo.calibration.national_rate_per_1000`
        per 1,000 residents in 2022 (the national 2022/23 figure), other years along
        :data:`~geo.demo.calibration.NATIONAL_CRIMES` (a calendar year follows the financial
        year it starts), incidents at :data:`~geo.demo.calibration.INCIDENT_SHARE` of
        records; the national strand mix.

    Raises
    ------
    ValueError
        When ``records_per_year`` is not positive.

    Examples
    --------
    >>> [(p.label, p.crimes, p.incidents) for p in force_periods(
    ...     "Warwickshire", 2021, 2022, residents=600_000)]
    [('2021', 1569, 551), ('2022', 1462, 514)]
    >>> [(p.crimes, p.incidents) for p in force_periods(
    ...     "Warwickshire", 2021, 2021, residents=600_000, records_per_year=1000)]
    [(740, 260)]
    """
    if records_per_year is not None and records_per_year <= 0:
        raise ValueError(f"'records_per_year' must be positive; {records_per_year!r} was given.")
    share = cal.INCIDENT_SHARE
    strands = cal.national_strand_share()
    out = []
    for year in range(first, last + 1):
        if records_per_year is None:
            crimes = residents / 1000 * cal.national_rate_per_1000()
            crimes *= cal.national_ratio(year, cal.NATIONAL_REFERENCE_YEAR)
            budget = (round(crimes), round(crimes * share / (1 - share)))
        else:
            crimes_asked = round(records_per_year * (1 - share))
            budget = (crimes_asked, records_per_year - crimes_asked)
        out.append(
            Period(
                force,
                str(year),
                pd.Timestamp(year, 1, 1),
                pd.Timestamp(year, 12, 31),
                crimes=budget[0],
                incidents=budget[1],
                strand_share=strands,
                extrapolated=records_per_year is None and year != cal.NATIONAL_REFERENCE_YEAR,
            )
        )
    return out


def scenario_force(name: str | None) -> str:
    """The generator's name of a force: a seed force's calibrated name, else the ONS name.

    Parameters
    ----------
    name : str or None
        ``None`` or ``both`` (the seed demo: Hertfordshire and Cambridgeshire), or a force
        in any spelling :func:`~geo.geography.national.find_force` accepts.

    Returns
    -------
    str
        ``both``, ``hertfordshire`` or ``cambridgeshire`` for the seed forces (calibrated
        to their published figures, :data:`~geo.demo.calibration.SEED_FORCES`), else the
        force's ONS name.

    Raises
    ------
    TensionmapError
        For an unknown force; the message names the closest ones.

    Examples
    --------
    >>> scenario_force(None), scenario_force("Hertfordshire Constabulary")
    ('both', 'hertfordshire')
    >>> scenario_force("west-yorkshire")
    'West Yorkshire'
    """
    if name is None or name.strip().lower() == "both":
        return "both"
    if name in cal.SEED_FORCES.values():
        return name
    ons = find_force(name).name
    return cal.SEED_FORCES.get(ons, ons)


def reference_prefix(force: str) -> str:
    """The start of a force's references: its initials, or the first two letters.

    Parameters
    ----------
    force : str
        A force's ONS name.

    Returns
    -------
    str
        Two or more capitals from the force's data.police.uk slug (``west-yorkshire`` →
        ``WY``), or the seed force's own (:data:`~geo.demo.calibration.SEED_PREFIXES`).

    Examples
    --------
    >>> reference_prefix("West Yorkshire"), reference_prefix("Metropolitan Police")
    ('WY', 'ME')
    """
    if force in cal.SEED_PREFIXES:
        return cal.SEED_PREFIXES[force]
    code = find_force(force).code
    slug = str(police_forces().set_index("force_code").loc[code, "slug"])
    words = slug.split("-")
    return ("".join(w[0] for w in words) if len(words) > 1 else slug[:2]).upper()


def plan_force(
    geo: Geography,
    force: str,
    *,
    first: int,
    last: int,
    geography_dir: Path | None = None,
    places_table: pd.DataFrame | None = None,
    records_per_year: int | None = None,
) -> ForcePlan:
    """Everything a force's scenario is drawn from, on the national figures.

    Parameters
    ----------
    geo : Geography
        A boundary set holding the force's LSOAs (the workspace's area, or the force's
        own from :func:`~geo.geography.areas.load_geography`).
    force : str
        The force, in any spelling :func:`~geo.geography.national.find_force` accepts.
    first, last : int
        The first and last calendar year.
    geography_dir : pathlib.Path, optional
        The workspace's ``geography/`` folder, for its imported Census residents.
    places_table : pandas.DataFrame, optional
        The workspace's ``places`` table; ``None`` for synthetic places only.
    records_per_year : int, optional
        Records a year instead of the national rate.

    Returns
    -------
    ForcePlan
        The force's LSOAs, places, periods, and what the truth and notes say of them.

    Raises
    ------
    TensionmapError
        For an unknown force (the message names the closest ones) or one with no LSOA in
        ``geo``.

    Examples
    --------
    >>> plan = plan_force(load_geography(area={"forces": ["Warwickshire"]}), "warwickshire",
    ...                   first=2019, last=2019, records_per_year=500)  # doctest: +SKIP
    >>> plan.periods[0].crimes + plan.periods[0].incidents  # doctest: +SKIP
    500
    """
    from geo._errors import TensionmapError

    name = find_force(force).name
    inside = geo.lsoas["force"].to_numpy() == name
    if not inside.any():
        raise TensionmapError(
            f"The boundary set holds no LSOA of {name}: set the workspace's area with "
            f"tensionmap init --force {name!r}."
        )
    own = Geography(lsoas=geo.lsoas[inside].reset_index(drop=True), source=geo.source)
    weights, residents, source = force_residents(own, geography_dir=geography_dir)
    places = stored_places(own, places_table, weights)
    periods = force_periods(
        name, first, last, residents=residents, records_per_year=records_per_year
    )
    about = {
        "residential_weights": source,
        "residents": round(residents, 1),
        "rate_per_1000": round(cal.national_rate_per_1000(), 4),
        "records_per_year": records_per_year,
    }
    return ForcePlan(name, reference_prefix(name), own, places, periods, about,
                     _notes(name, residents, source, periods, records_per_year))  # fmt: skip


def _notes(
    force: str, residents: float, source: str, periods: list[Period], records_per_year: int | None
) -> list[str]:
    """What the scenario of a force other than the seed forces is calibrated to."""
    rate = cal.national_rate_per_1000()
    share = f"{cal.INCIDENT_SHARE:.0%} of records non-crime hate incidents (Hertfordshire 2015/16)"
    if records_per_year is None:
        volumes = (
            f"volumes: {residents:,.0f} residents × {rate:.3f} hate crimes per 1,000 (England "
            f"and Wales 2022/23: {cal.NATIONAL_CRIMES[cal.NATIONAL_REFERENCE_YEAR]:,} crimes "
            f"over {cal.CENSUS_2021_RESIDENTS:,} Census 2021 residents), other years along the "
            f"national series; {share}"
        )
    else:
        volumes = f"volumes: {records_per_year:,} records a year as asked; {share}"
    return [
        f"{force}: no published local figures; calibrated to England and Wales",
        volumes,
        source,
        "strand mix: England and Wales 2022/23 (Home Office); CSP shares by residents",
    ]
