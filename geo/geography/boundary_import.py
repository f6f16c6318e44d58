"""Importing boundaries and the CSP lookup into a workspace, and re-assigning stored
records to the new areas (one transaction, so the store never mixes two boundary sets)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from geo import store
from geo.config import Workspace
from geo.geography.areas import import_boundaries, import_csp_lookup, load_geography


@dataclass(frozen=True)
class ReassignResult:
    records: int
    changed_lsoa: int
    changed_csp: int


def reassign_areas(workspace: Workspace) -> ReassignResult:
    """Re-run point-in-polygon for every stored incident and place with the current boundaries."""
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
                new = areas[keep].assign(id=stored.loc[keep, "id"].to_numpy())
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
    layer = import_boundaries(workspace.geography_dir, path, level)
    return len(layer), reassign_areas(workspace)


def import_lookup_file(workspace: Workspace, path: Path) -> tuple[int, ReassignResult]:
    lookup = import_csp_lookup(workspace.geography_dir, path)
    return len(lookup), reassign_areas(workspace)


def import_population(workspace: Workspace, path: Path) -> int:
    """Store residents per LSOA from a CSV (e.g. Census 2021 usual residents by LSOA).

    The file needs an LSOA code column (``lsoa_code``, ``LSOA21CD``, ``lsoa21_code`` …)
    and a count column (``population``, ``usual_residents_total``, ``Observation`` …).
    """
    import re

    from geo._errors import InputFileError
    from geo.ingest.reading import read_csv_file

    frame = read_csv_file(path).frame
    code = next(
        (c for c in frame.columns if re.match(r"^(lsoa\d{0,2}_?c(o)?d(e)?)$", c, re.I)), None
    )
    count = next(
        (
            c
            for c in frame.columns
            if c.lower() in ("population", "usual_residents_total", "observation", "all_persons")
        ),
        None,
    )
    if code is None or count is None:
        raise InputFileError(
            f"{path}: expected an LSOA code column (lsoa_code, LSOA21CD …) and a population "
            f"column (population, usual_residents_total …); the file has {list(frame.columns)}."
        )
    values = pd.to_numeric(frame[count].str.replace(",", ""), errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        raise InputFileError(
            f"{path}: row {row}, column {count!r}: {frame[count].iloc[row - 2]!r} is not a count."
        )
    out = pd.DataFrame({"lsoa_code": frame[code].str.strip(), "population": values})
    out.to_csv(workspace.geography_dir / "population.csv", index=False)
    return len(out)
