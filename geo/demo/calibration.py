"""Published figures the demo scenario is calibrated to (see ../shared/DOMAIN.md).

Cambridgeshire: police-recorded hate *crimes* by calendar year and strand markers
(Cambridgeshire Constabulary FOI response, 2019). Hertfordshire: hate crimes and
incidents together by financial year, its 2016 strand mix and CSP shares
(Hertfordshire Hate Crime Strategy 2017–2020). Years outside the published ones are
extrapolated along the national series of police-recorded hate crime in England and
Wales (Home Office, "Hate crime, England and Wales" bulletins), and the generator says so.

Any other force (``tensionmap demo --force NAME``) is calibrated to the national figures
alone: hate crimes at the national rate per resident of 2022/23, the national strand mix
of that year and CSP shares by residents (see :func:`national_rate_per_1000`).
"""

from __future__ import annotations

#: The forces with published local figures above, and the generator's name of each.
SEED_FORCES = {"Hertfordshire": "hertfordshire", "Cambridgeshire": "cambridgeshire"}

#: Reference numbers per seed force (``HC-2019-0000001``); other forces take their initials.
SEED_PREFIXES = {"Hertfordshire": "HC", "Cambridgeshire": "CC"}

#: Cambridgeshire hate crimes per calendar year.
CAMBS_CRIMES = {2014: 423, 2015: 528, 2016: 879, 2017: 1160, 2018: 964, 2019: 1012}

#: Cambridgeshire strand markers per calendar year (learning disability, published
#: separately from 2018, is counted under disability as DOMAIN.md's strands define it).
CAMBS_MARKERS = {
    "race": {2014: 371, 2015: 434, 2016: 710, 2017: 933, 2018: 748, 2019: 759},
    "religion": {2014: 18, 2015: 36, 2016: 66, 2017: 94, 2018: 71, 2019: 83},
    "sexual_orientation": {2014: 22, 2015: 45, 2016: 75, 2017: 92, 2018: 88, 2019: 111},
    "disability": {2014: 13, 2015: 17, 2016: 35, 2017: 52, 2018: 41 + 15, 2019: 50 + 19},
    "transgender": {2014: 0, 2015: 0, 2016: 14, 2017: 10, 2018: 22, 2019: 14},
}

#: Hertfordshire reports (crimes and incidents) per financial year, keyed by its first year.
HERTS_REPORTS = {2013: 1211, 2014: 1533, 2015: 1597}

#: Hertfordshire's 2016 strand mix; the remaining 4 % is split religion 3 %, transgender 1 %.
HERTS_STRAND_SHARE = {
    "race": 0.74,
    "disability": 0.14,
    "sexual_orientation": 0.08,
    "religion": 0.03,
    "transgender": 0.01,
}

#: Hertfordshire CSP shares in 2016; the other five CSPs share the rest by population.
HERTS_CSP_SHARE = {
    "Watford": 0.17,
    "Dacorum": 0.12,
    "Hertsmere": 0.12,
    "Welwyn Hatfield": 0.11,
    "St Albans": 0.11,
}

#: Police-recorded hate crimes, England and Wales, by financial year (first year):
#: the series used to extrapolate outside the published local years.
NATIONAL_CRIMES = {
    2012: 42_255,
    2013: 44_471,
    2014: 52_528,
    2015: 62_518,
    2016: 80_393,
    2017: 94_098,
    2018: 103_379,
    2019: 105_090,
    2020: 124_091,
    2021: 155_841,
    2022: 145_214,
    2023: 140_561,
}

#: The financial year (by its first year) of the national rate and strand mix.
NATIONAL_REFERENCE_YEAR = 2022

#: Census 2021 usual residents of England and Wales (ONS, "Population and household
#: estimates, England and Wales: Census 2021", first results, 28 June 2022; rounded to
#: the nearest 100 as published): the denominator of the national rate.
CENSUS_2021_RESIDENTS = 59_597_300

#: Police-recorded hate crimes by monitored strand, England and Wales, year ending March
#: 2023 (Home Office, "Hate crime, England and Wales, 2022 to 2023", second edition,
#: 2 November 2023, with Nottinghamshire's revised religion figure; excluding Devon and
#: Cornwall, who supplied no data). A crime can carry several strands, so these sum to
#: 152,758, more than the 145,214 crimes.
NATIONAL_STRAND_CRIMES = {
    "race": 101_906,
    "religion": 8_241,
    "sexual_orientation": 24_102,
    "disability": 13_777,
    "transgender": 4_732,
}

#: Share of non-crime hate incidents among all reports: Hertfordshire 2015/16's most
#: common records include 349 racist and 70 disability non-crime incidents of 1,597.
INCIDENT_SHARE = 0.26

#: Most common records, Hertfordshire 2015/16, with their counts (used as frequencies).
TOP_CRIMES = {
    "Racially or religiously aggravated intentional harassment": 403,
    "Common assault": 68,
    "Racially or religiously aggravated fear of violence": 66,
    "Racially or religiously aggravated common assault": 63,
}
#: Further common hate offences (not in the published top list) with modest weights.
OTHER_CRIMES = {
    "Public order offence - causing harassment, alarm or distress": 60,
    "Malicious communications": 45,
    "Criminal damage": 30,
    "Assault occasioning actual bodily harm": 25,
}
#: Offences that only exist racially or religiously aggravated.
AGGRAVATED = ("Racially or religiously aggravated",)

#: National trigger events: (first day, last day, strands or None for all, multiplier).
TRIGGER_EVENTS = (
    ("2016-06-24", "2016-07-21", None, 1.9),  # EU referendum result, 23 June 2016
    ("2016-07-22", "2016-08-31", None, 1.35),
    ("2017-05-23", "2017-06-10", ("religion",), 3.0),  # Manchester Arena, London Bridge
    ("2017-06-20", "2017-07-10", ("religion",), 2.5),  # Finsbury Park
    ("2017-03-23", "2017-04-05", ("religion",), 2.0),  # Westminster Bridge
)

#: Monthly seasonality (January first): more in summer, fewer around New Year.
MONTH_WEIGHT = (0.85, 0.86, 0.95, 0.98, 1.04, 1.06, 1.14, 1.10, 1.02, 1.02, 0.98, 0.90)


def national_ratio(year: int, reference: int) -> float:
    """National volume of ``year`` relative to ``reference`` (clamped to the series).

    Parameters
    ----------
    year
        The year extrapolated to (financial years by their first year).
    reference
        The year with a published local figure.

    Returns
    -------
    float
        Police-recorded hate crimes in England and Wales in ``year`` over those in
        ``reference``; years outside :data:`NATIONAL_CRIMES` take its first or last.

    Examples
    --------
    >>> round(national_ratio(2021, 2019), 3)  # 155,841 / 105,090
    1.483
    >>> national_ratio(2030, 2023)  # past the series: its last year
    1.0
    """
    lo, hi = min(NATIONAL_CRIMES), max(NATIONAL_CRIMES)
    clamp = max(lo, min(hi, year))
    return NATIONAL_CRIMES[clamp] / NATIONAL_CRIMES[max(lo, min(hi, reference))]


def national_rate_per_1000() -> float:
    """Police-recorded hate crimes per 1,000 residents, England and Wales, 2022/23.

    The numerator is :data:`NATIONAL_CRIMES` of :data:`NATIONAL_REFERENCE_YEAR`
    (145,214, which leaves out Devon and Cornwall, so the rate is a little low), the
    denominator :data:`CENSUS_2021_RESIDENTS` (59,597,300 usual residents).

    Returns
    -------
    float
        Hate crimes per 1,000 residents (about 2.44).

    Examples
    --------
    >>> round(national_rate_per_1000(), 4)  # 145,214 / 59,597,300 × 1,000
    2.4366
    """
    return NATIONAL_CRIMES[NATIONAL_REFERENCE_YEAR] / CENSUS_2021_RESIDENTS * 1000


def national_strand_share() -> dict[str, float]:
    """The national strand mix of 2022/23: each strand's share of the strand markers.

    Returns
    -------
    dict of str to float
        Share per monitored strand of :data:`NATIONAL_STRAND_CRIMES`, summing to 1.

    Examples
    --------
    >>> share = national_strand_share()
    >>> round(share["race"], 3), round(share["religion"], 3), round(sum(share.values()), 6)
    (0.667, 0.054, 1.0)
    """
    total = sum(NATIONAL_STRAND_CRIMES.values())
    return {strand: count / total for strand, count in NATIONAL_STRAND_CRIMES.items()}
