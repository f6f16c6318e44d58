"""Importing a force's own boundaries, CSP lookup and population into a workspace.

The files are read by :mod:`geo.geography.boundary_files`; after a boundary or lookup
import the stored records are re-assigned to the new areas in one transaction, so the
store never mixes two boundary sets.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from geo import store
from geo.config import Workspace
from geo.geography.areas import load_geography
from geo.geography.boundary_files import import_boundaries, import_csp_lookup


@dataclass(frozen=True)
class ReassignResult:
    """How many stored records and places changed area when the boundaries changed.

    Attributes
    ----------
    records : int
        Records and places looked at.
    changed_lsoa : int
        How many are now in a different LSOA.
    changed_csp : int
        How many are now in a different CSP.

    Examples
    --------
    >>> ReassignResult(records=120, changed_lsoa=7, changed_csp=0).changed_lsoa
    7
    """

    records: int
    changed_lsoa: int
    changed_csp: int


def reassign_areas(workspace: Workspace) -> ReassignResult:
    """Re-run point-in-polygon for every stored record and place with the current boundaries.

    All in one transaction, so the store never mixes two boundary sets; points that fall
    outside every area keep their old one.

    Parameters
    ----------
    workspace : geo.config.Workspace
        The workspace, its boundaries already imported.

    Returns
    -------
    ReassignResult
        What changed.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     print(reassign_areas(Workspace.open(folder)))
    ReassignResult(records=0, changed_lsoa=0, changed_csp=0)
    """
    geography = load_geography(workspace.geography_dir)
    engine = store.connect(workspace.database_url)
    total = changed_lsoa = changed_csp = 0
    try:
        with store.transaction(engine) as conn:
            for table in (store.incidents, store.places):
                cols = [
                    table.c.id,
                    table.c.easting,
                    table.c.northing,
                    table.c.lsoa_code,
                    table.c.csp_code,
                ]
                stored = pd.DataFrame(
                    conn.execute(sa.select(*cols)).fetchall(), columns=[c.name for c in cols]
                )
                if stored.empty:
                    continue
                found = geography.locate(
                    stored["easting"].to_numpy(float),
                    stored["northing"].to_numpy(float),
                    snap_m=workspace.config.snap_distance_m,
                )
                areas = geography.areas_of(found)
                keep = found.located
                new = areas[keep].assign(
                    id=stored.loc[keep, "id"].to_numpy(),
                    location_status="located",  # out-of-area records the new set covers
                    location_detail=None,
                )
                new = new[[c for c in new.columns if c in table.c]]
                store.update_areas(conn, table, new)
                total += len(stored)
                changed_lsoa += int(
                    np.sum(stored.loc[keep, "lsoa_code"].to_numpy() != new["lsoa_code"].to_numpy())
                )
                changed_csp += int(
                    np.sum(stored.loc[keep, "csp_code"].to_numpy() != new["csp_code"].to_numpy())
                )
    finally:
        engine.dispose()
    return ReassignResult(total, changed_lsoa, changed_csp)


def import_boundary_file(
    workspace: Workspace, path: Path, level: str
) -> tuple[int, ReassignResult]:
    """Import a boundary file into a workspace and re-assign its stored records to it.

    What ``tensionmap boundaries import FILE --level LEVEL`` does.

    Parameters
    ----------
    workspace : geo.config.Workspace
        The workspace.
    path : pathlib.Path
        The boundary file (see :func:`~geo.geography.boundary_files.read_boundary_file`).
    level : {"lsoa", "ward", "district"}
        What the features are.

    Returns
    -------
    features : int
        How many features were stored.
    reassigned : ReassignResult
        What changed for the stored records.

    See Also
    --------
    geo.geography.boundary_files.import_boundaries : stores the layer only.

    Examples
    --------
    >>> ws = Workspace.open("tensionmap-demo")  # doctest: +SKIP
    >>> import_boundary_file(ws, Path("wards_2013_bgc.geojson"), "ward")  # doctest: +SKIP
    (231, ReassignResult(records=..., changed_lsoa=0, changed_csp=0))
    """
    layer = import_boundaries(workspace.geography_dir, path, level)
    return len(layer), reassign_areas(workspace)


def import_lookup_file(workspace: Workspace, path: Path) -> tuple[int, ReassignResult]:
    """Import the ONS LAD → CSP → PFA lookup into a workspace and re-assign its records.

    Parameters
    ----------
    workspace : geo.config.Workspace
        The workspace.
    path : pathlib.Path
        The lookup CSV (see :func:`~geo.geography.boundary_files.import_csp_lookup`).

    Returns
    -------
    rows : int
        How many lookup rows were stored.
    reassigned : ReassignResult
        What changed for the stored records.

    Examples
    --------
    >>> ws = Workspace.open("tensionmap-demo")  # doctest: +SKIP
    >>> import_lookup_file(ws, Path("LAD23_CSP23_PFA23_EW_LU.csv"))  # doctest: +SKIP
    """
    lookup = import_csp_lookup(workspace.geography_dir, path)
    return len(lookup), reassign_areas(workspace)


def import_population(workspace: Workspace, path: Path) -> int:
    r"""Store residents per LSOA from a CSV (e.g. Census 2021 usual residents by LSOA).

    What ``tensionmap boundaries import-population FILE`` does. The file is read by
    :func:`~geo.geography.population.read_census_file`: ONS's national TS001 LSOA table as
    downloaded (``geography code``, ``Residence type: Total; measures: Value``), an ONS
    custom dataset (``Lower layer Super Output Areas Code``, ``Observation``) or any CSV
    with an LSOA code column (``lsoa_code``, ``LSOA21CD`` …) and a count column
    (``population``, ``usual_residents_total`` …); counts may have thousands separators.
    It is stored as ``geography/population.csv``, which
    :func:`~geo.geography.lsoa_population` reads: codes unchanged since 2011 join the
    LSOAs directly, the others fall back to postcode counts scaled to residents.

    Parameters
    ----------
    workspace : geo.config.Workspace
        The workspace.
    path : pathlib.Path
        The CSV.

    Returns
    -------
    int
        How many LSOAs were stored.

    Raises
    ------
    InputFileError
        If the file lacks either column, a code is not an LSOA code or appears twice, or a
        count is not a number of at least 0 (naming file, row, column and value).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     ws = Workspace.open(Path(folder) / "workspace")
    ...     census = Path(folder) / "census.csv"
    ...     _ = census.write_text('LSOA21CD,Observation\nE01023727,"1,520"\nE01032797,1604\n')
    ...     print(import_population(ws, census))
    2
    """
    from geo.geography.population import read_census_file

    residents = read_census_file(path)
    out = pd.DataFrame({"lsoa_code": residents.index, "population": residents.to_numpy()})
    out.to_csv(workspace.geography_dir / "population.csv", index=False)
    return len(out)
