"""England and Wales: every LSOA with its ward, district, CSP and police force area.

The tables ship in the package (``geo/_national``, built by
``scripts/build_national.py`` from ONS lookups of December 2019 under the Open
Government Licence v3.0; see the ``PROVENANCE.md`` beside them). Names of forces, CSPs
and districts are found here, whatever way a user spells them: the ONS name, the
data.police.uk slug (``west-yorkshire``) or police.uk's own name of the force
(``West Yorkshire Police``), in any case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import pandas as pd

from geo._errors import TensionmapError, close_matches

NATIONAL_COLUMNS = (
    "lsoa_code",
    "lsoa_name",
    "ward_code",
    "ward_name",
    "district_code",
    "district_name",
    "csp_code",
    "csp_name",
    "force_code",
    "force",
    "deprivation_rank",
    "deprivation_index",
)

# ONS police force area code → data.police.uk slug and the name police.uk gives the force
# in "Reported by" / "Falls within" (its /api/forces list); the 43 territorial forces.
_POLICE_UK: dict[str, tuple[str, str]] = {
    "E23000001": ("metropolitan", "Metropolitan Police Service"),
    "E23000002": ("cumbria", "Cumbria Constabulary"),
    "E23000003": ("lancashire", "Lancashire Constabulary"),
    "E23000004": ("merseyside", "Merseyside Police"),
    "E23000005": ("greater-manchester", "Greater Manchester Police"),
    "E23000006": ("cheshire", "Cheshire Constabulary"),
    "E23000007": ("northumbria", "Northumbria Police"),
    "E23000008": ("durham", "Durham Constabulary"),
    "E23000009": ("north-yorkshire", "North Yorkshire Police"),
    "E23000010": ("west-yorkshire", "West Yorkshire Police"),
    "E23000011": ("south-yorkshire", "South Yorkshire Police"),
    "E23000012": ("humberside", "Humberside Police"),
    "E23000013": ("cleveland", "Cleveland Police"),
    "E23000014": ("west-midlands", "West Midlands Police"),
    "E23000015": ("staffordshire", "Staffordshire Police"),
    "E23000016": ("west-mercia", "West Mercia Police"),
    "E23000017": ("warwickshire", "Warwickshire Police"),
    "E23000018": ("derbyshire", "Derbyshire Constabulary"),
    "E23000019": ("nottinghamshire", "Nottinghamshire Police"),
    "E23000020": ("lincolnshire", "Lincolnshire Police"),
    "E23000021": ("leicestershire", "Leicestershire Police"),
    "E23000022": ("northamptonshire", "Northamptonshire Police"),
    "E23000023": ("cambridgeshire", "Cambridgeshire Constabulary"),
    "E23000024": ("norfolk", "Norfolk Constabulary"),
    "E23000025": ("suffolk", "Suffolk Constabulary"),
    "E23000026": ("bedfordshire", "Bedfordshire Police"),
    "E23000027": ("hertfordshire", "Hertfordshire Constabulary"),
    "E23000028": ("essex", "Essex Police"),
    "E23000029": ("thames-valley", "Thames Valley Police"),
    "E23000030": ("hampshire", "Hampshire Constabulary"),
    "E23000031": ("surrey", "Surrey Police"),
    "E23000032": ("kent", "Kent Police"),
    "E23000033": ("sussex", "Sussex Police"),
    "E23000034": ("city-of-london", "City of London Police"),
    "E23000035": ("devon-and-cornwall", "Devon & Cornwall Police"),
    "E23000036": ("avon-and-somerset", "Avon and Somerset Constabulary"),
    "E23000037": ("gloucestershire", "Gloucestershire Constabulary"),
    "E23000038": ("wiltshire", "Wiltshire Police"),
    "E23000039": ("dorset", "Dorset Police"),
    "W15000001": ("north-wales", "North Wales Police"),
    "W15000002": ("gwent", "Gwent Police"),
    "W15000003": ("south-wales", "South Wales Police"),
    "W15000004": ("dyfed-powys", "Dyfed-Powys Police"),
}
# Other names in use: the City's everyday name, and Hampshire's name since 2022.
_OTHER_NAMES = {
    "E23000034": ("City of London",),
    "E23000030": ("Hampshire and Isle of Wight Constabulary",),
}


def _read(name: str) -> pd.DataFrame:
    """A shipped table, as text."""
    with (files("geo._national") / name).open("rb") as fh:
        if name.endswith(".gz"):
            return pd.read_csv(fh, dtype=str, keep_default_na=False, compression="gzip")
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


@cache
def _district_table() -> pd.DataFrame:
    """The ONS district → CSP → force lookup (a district can have several CSPs)."""
    return _read("districts.csv")


@cache
def _national() -> pd.DataFrame:
    hierarchy = _read("lsoa_hierarchy.csv.gz")
    table = _district_table()
    districts = table.drop_duplicates("district_code").set_index("district_code")
    csps = table.drop_duplicates("csp_code").set_index("csp_code")
    deprivation = _read("deprivation.csv.gz").set_index("lsoa_code")
    out = hierarchy.assign(
        district_name=hierarchy["district_code"].map(districts["district_name"]),
        csp_name=hierarchy["csp_code"].map(csps["csp_name"]),
        force_code=hierarchy["csp_code"].map(csps["force_code"]),
        force=hierarchy["csp_code"].map(csps["force"]),
        deprivation_rank=hierarchy["lsoa_code"].map(deprivation["deprivation_rank"]),
        deprivation_index=hierarchy["lsoa_code"].map(deprivation["deprivation_index"]),
    )
    out["deprivation_rank"] = out["deprivation_rank"].astype("Int64")
    return out[list(NATIONAL_COLUMNS)]


def national_areas() -> pd.DataFrame:
    """Every LSOA (2011) of England and Wales with its ward, district, CSP and force.

    Wards, districts and CSPs are of December 2019 (wards by ONS's best fit of LSOAs), and
    police force areas as then. Deprivation is the LSOA's IMD 2019 rank in England or its
    WIMD 2019 rank in Wales (1 = most deprived); ``deprivation_index`` says which.

    Returns
    -------
    pandas.DataFrame
        34,753 rows sorted by ``lsoa_code``, with the columns of
        :data:`NATIONAL_COLUMNS`; codes and names as text, ``deprivation_rank`` as a
        nullable integer. A fresh copy on each call.

    Examples
    --------
    >>> areas = national_areas()
    >>> len(areas), areas["force_code"].nunique(), areas["csp_code"].nunique()
    (34753, 43, 314)
    >>> areas.iloc[0][["lsoa_name", "ward_name", "csp_name", "force"]].tolist()
    ['City of London 001A', 'Aldersgate', 'City of London', 'London, City of']
    """
    return _national().copy()


@cache
def _forces() -> pd.DataFrame:
    table = _district_table().drop_duplicates("force_code")
    out = table[["force_code", "force"]].sort_values("force_code").reset_index(drop=True)
    police_uk = out["force_code"].map(_POLICE_UK)
    return out.assign(slug=police_uk.str[0], police_uk_name=police_uk.str[1])


def police_forces() -> pd.DataFrame:
    """The 43 territorial police force areas of England and Wales, with police.uk's names.

    Returns
    -------
    pandas.DataFrame
        One row per force, sorted by ``force_code``: ``force_code`` (ONS E23/W15 code),
        ``force`` (the ONS name, as the rest of tensionmap spells it), ``slug`` (the
        data.police.uk identifier) and ``police_uk_name`` (police.uk's "Reported by" and
        "Falls within" name).

    Examples
    --------
    >>> forces = police_forces()
    >>> len(forces)
    43
    >>> forces.set_index("slug").loc["city-of-london"].tolist()
    ['E23000034', 'London, City of', 'City of London Police']
    """
    return _forces().copy()


@dataclass(frozen=True)
class AreaName:
    """A force, CSP or district that a name was found to mean.

    Attributes
    ----------
    level : str
        ``"force"``, ``"csp"`` or ``"district"``.
    code : str
        Its ONS code (E23/W15 for a force, E22/W14 for a CSP, E06–E09/W06 for a district).
    name : str
        Its ONS name.

    Examples
    --------
    >>> AreaName("force", "E23000010", "West Yorkshire").code
    'E23000010'
    """

    level: str
    code: str
    name: str


def _key(name: str) -> str:
    """A name folded for matching: case, ``&``/``and``, hyphens and spaces ignored."""
    text = name.strip().lower().replace("&", " and ").replace("-", " ").replace("_", " ")
    return re.sub(r"\s+", " ", text).strip()


@cache
def _names(level: str) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """Folded name → (code, ONS name), and every spelling → ONS name (for suggestions)."""
    rows: list[tuple[str, str, list[str]]] = []
    if level == "force":
        for force in _forces().to_dict("records"):
            code, ons_name = str(force["force_code"]), str(force["force"])
            spelled = [code, ons_name, str(force["slug"]), str(force["police_uk_name"])]
            rows.append((code, ons_name, spelled + list(_OTHER_NAMES.get(code, ()))))
    else:
        table = _district_table().drop_duplicates(f"{level}_code")
        for code, ons_name in zip(table[f"{level}_code"], table[f"{level}_name"], strict=True):
            rows.append((str(code), str(ons_name), [str(code), str(ons_name)]))
    keys: dict[str, tuple[str, str]] = {}
    spellings: dict[str, str] = {}
    for code, ons_name, spelled in rows:
        for spelling in spelled:
            keys[_key(spelling)] = (code, ons_name)
            spellings[spelling] = ons_name
    return keys, spellings


_HINT = {
    "force": " Give its ONS name (West Yorkshire), data.police.uk slug (west-yorkshire) or "
    "police.uk name (West Yorkshire Police).",
    "csp": " Give the CSP's ONS name (South Worcester) or code (E22000332).",
    "district": " Give the district's ONS name (St Albans) or code (E07000240).",
}
_WHAT = {
    "force": "police force area",
    "csp": "Community Safety Partnership",
    "district": "district",
}


def _find(level: str, name: str) -> AreaName:
    """The area of ``level`` called ``name``, or an error naming the closest ones."""
    keys, spellings = _names(level)
    hit = keys.get(_key(str(name)))
    if hit is not None:
        return AreaName(level, *hit)
    near = list(dict.fromkeys(spellings[s] for s in close_matches(str(name), spellings, n=6)))
    hint = f" Did you mean {' or '.join(map(repr, near[:3]))}?" if near else _HINT[level]
    raise TensionmapError(f"No {_WHAT[level]} in England and Wales is called {name!r}.{hint}")


def find_force(name: str) -> AreaName:
    """The police force area a name means, in any of the ways it is written.

    Parameters
    ----------
    name : str
        The ONS name (``West Yorkshire``), the data.police.uk slug (``west-yorkshire``),
        police.uk's name (``West Yorkshire Police``) or the ONS code (``E23000010``); case,
        ``&``/``and`` and hyphens do not matter.

    Returns
    -------
    AreaName
        ``level="force"``, the force's ONS code and ONS name.

    Raises
    ------
    TensionmapError
        When no force is called that; the message names the closest ones.

    Examples
    --------
    >>> find_force("west-yorkshire") == find_force("WEST YORKSHIRE POLICE")
    True
    >>> find_force("Devon and Cornwall").name
    'Devon & Cornwall'
    >>> try:
    ...     find_force("West Yorks")
    ... except TensionmapError as error:
    ...     print(error)  # doctest: +NORMALIZE_WHITESPACE
    No police force area in England and Wales is called 'West Yorks'.
    Did you mean 'West Yorkshire' or 'South Yorkshire'?
    """
    return _find("force", name)


def find_csp(name: str) -> AreaName:
    """The Community Safety Partnership a name means (its ONS name or E22/W14 code).

    Parameters
    ----------
    name : str
        The CSP's ONS name (``South Worcester``) or code; case does not matter.

    Returns
    -------
    AreaName
        ``level="csp"``, the CSP's code and ONS name.

    Raises
    ------
    TensionmapError
        When no CSP is called that; the message names the closest ones.

    Examples
    --------
    >>> find_csp("south worcester")
    AreaName(level='csp', code='E22000332', name='South Worcester')
    """
    return _find("csp", name)


def find_district(name: str) -> AreaName:
    """The local authority district (2019) a name means (its ONS name or code).

    Parameters
    ----------
    name : str
        The district's ONS name (``St Albans``) or code (``E07000240``); case does not
        matter.

    Returns
    -------
    AreaName
        ``level="district"``, the district's code and ONS name.

    Raises
    ------
    TensionmapError
        When no district is called that; the message names the closest ones.

    Examples
    --------
    >>> find_district("ST ALBANS")
    AreaName(level='district', code='E07000240', name='St Albans')
    """
    return _find("district", name)
