"""Places: schools (DfE GIAS), transport nodes (DfT NaPTAN) and night-time-economy premises.

The national files are read as they are downloaded (:mod:`geo.ingest.place_files`).
A workspace with an area (``[area]`` in ``tensionmap.toml``) keeps the places that lie
in it or within :data:`BUFFER_M` of its edge and drops closed schools and inactive stops;
every row read is counted as kept or dropped, with its reason. Geocoding, rejects and
the idempotent upsert are shared with incident ingest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from geo import store
from geo._errors import one_of
from geo._hashing import row_digest
from geo.config import Workspace
from geo.geography.areas import Geography, load_geography
from geo.geography.geocoder import geocode
from geo.geography.national_locate import locate_nationally
from geo.ingest.batch import commit_batch
from geo.ingest.incidents import IngestSummary
from geo.ingest.place_files import (
    KIND,
    NAPTAN_STOP_TYPES,
    OUT_OF_USE,
    READERS,
    PlaceReader,
    with_header,
)
from geo.ingest.validate import Rejecter
from geo.reading import read_csv_file, require_columns

__all__ = [
    "BUFFER_M", "DROPPED", "KIND", "NAPTAN_STOP_TYPES", "READERS", "PlaceReader",
    "PlacesSummary", "ingest_places",
]  # fmt: skip

#: Places this far (metres) outside an area workspace's edge are kept (their neighbours).
BUFFER_M = 2_000.0
#: In an area workspace, rows dropped for these reasons are counted, not listed in the
#: rejects (a national file's rows outside the area are not errors to fix).
DROPPED = ("outside_area", "closed", "inactive")
_AREA_COLUMNS = [
    "easting", "northing", "latitude", "longitude", "lsoa_code", "district_code", "csp_code",
    "force",
]  # fmt: skip


@dataclass(frozen=True)
class PlacesSummary(IngestSummary):
    """What one places ingest did: rows read, kept and dropped, and why.

    Parameters are those of :class:`geo.ingest.incidents.IngestSummary`; the dropped
    rows are the rejected ones and ``reasons`` says why.

    Attributes
    ----------
    kept : int
        Rows stored (ingested, updated or unchanged).

    Examples
    --------
    >>> counts = {"ingested": 2, "updated": 0, "unchanged": 1, "rejected": 3}
    >>> summary = PlacesSummary(Path("Stops.csv"), 1, 6, counts,
    ...                         {"inactive": 1, "outside_area": 2}, None, "utf-8")
    >>> summary.places_line()
    'read=6 kept=3 dropped=3 (inactive=1, outside_area=2)'
    """

    @property
    def kept(self) -> int:
        """Rows stored (ingested, updated or unchanged)."""
        return self.rows - self.counts["rejected"]

    def places_line(self) -> str:
        """Rows read, kept and dropped by reason, on one line.

        Returns
        -------
        str
            As ``tensionmap ingest places`` prints it.
        """
        why = ", ".join(f"{k}={v}" for k, v in sorted(self.reasons.items()))
        dropped = f"dropped={self.counts['rejected']}" + (f" ({why})" if why else "")
        return f"read={self.rows} kept={self.kept} {dropped}"


def _drop_out_of_use(places: pd.DataFrame, kind: str, reject: Rejecter) -> None:
    """Drop closed schools and inactive stops, with their status in the detail."""
    statuses, why = OUT_OF_USE[kind]
    gone = places["status"].str.lower().isin(statuses)
    reject(gone, why, lambda rows: [f"status {s!r}" for s in places.loc[rows, "status"]])


def _keep_buffer(located: pd.DataFrame, geography: Geography, buffer_m: float) -> pd.Series:
    """Rows located outside the area but within ``buffer_m`` of it: kept, with real areas.

    Returns the kept rows' mask; their reject reason is cleared and their LSOA, district,
    CSP and force are those of England and Wales (:mod:`geo.geography.national_locate`).
    """
    outside = located["reason"].eq("outside_area") & located["easting"].notna()
    near = pd.Series(False, index=located.index)
    if buffer_m > 0 and outside.any():
        points = shapely.points(
            located.loc[outside, "easting"].to_numpy(), located.loc[outside, "northing"].to_numpy()
        )
        tree = shapely.STRtree(np.asarray(geography.lsoas.geometry.values))
        found, _ = tree.query_nearest(points, max_distance=buffer_m, all_matches=False)
        near.loc[located.index[outside][np.unique(found)]] = True
    located.loc[near, "reason"] = ""
    located.loc[near, "detail"] = ""
    if near.any():
        found = locate_nationally(
            located.loc[near, "easting"].to_numpy(float),
            located.loc[near, "northing"].to_numpy(float),
        )
        for column in ("lsoa_code", "district_code", "csp_code", "force"):
            located[column] = located[column].astype(object)
            located.loc[near, column] = found[column].to_numpy(dtype=object)
    return near


def _locate(
    places: pd.DataFrame,
    ok: pd.Series,
    geography: Geography,
    workspace: Workspace,
    buffer_m: float,
    reject: Rejecter,
) -> pd.DataFrame:
    """Geocode the rows still ``ok``; record location rejects (outside the buffer too)."""
    located = geocode(
        places.loc[ok, ["latitude", "longitude", "easting", "northing", "postcode"]],
        geography,
        snap_m=workspace.config.snap_distance_m,
    ).frame
    _keep_buffer(located, geography, buffer_m)
    bad = located["reason"].ne("")
    if buffer_m > 0:
        far = bad & located["reason"].eq("outside_area")
        located.loc[far, "detail"] = f"more than {buffer_m:.0f} m outside the workspace's area"
    reject.reason.loc[located.index[bad]] = located.loc[bad, "reason"]
    reject.detail.loc[located.index[bad]] = located.loc[bad, "detail"]
    return located


def ingest_places(
    workspace: Workspace, path: Path, *, kind: str, geography: Geography | None = None
) -> PlacesSummary:
    """Ingest a schools (GIAS), transport (NaPTAN) or NTE premises CSV as places.

    Rows are geocoded like incidents; a row without an id or a name, or that cannot be
    located, is dropped. A workspace with an ``[area]`` keeps the places within
    :data:`BUFFER_M` of its edge (those outside the area with their real LSOA, district,
    CSP and force) and drops closed schools and inactive stops (counted, but not listed in the
    rejects CSV: see :data:`DROPPED`); with no area (Hertfordshire and
    Cambridgeshire) places are kept inside the area as before. A place is identified by
    its kind and id, so ingesting a newer file updates the places that changed.

    Parameters
    ----------
    workspace : geo.config.Workspace
        Where to store.
    path : pathlib.Path
        The CSV file: GIAS "all establishments" (cp1252), NaPTAN ``Stops.csv``, Open
        Pubs or an FHRS extract, national or an extract of them.
    kind : str
        ``schools``, ``transport`` or ``nte`` (a key of :data:`READERS`).
    geography : geo.geography.Geography, optional
        The boundaries to geocode with (default: the workspace's).

    Returns
    -------
    PlacesSummary
        Rows read, stored and dropped (rejected), with the reasons.

    Raises
    ------
    TensionmapError
        When ``kind`` is not one of :data:`READERS`.
    InputFileError
        When the file cannot be used at all (nothing is written then).

    Examples
    --------
    >>> ws = Workspace.open("tensionmap-demo", create=False)  # doctest: +SKIP
    >>> ingest_places(ws, Path("edubasealldata.csv"), kind="schools").line()  # doctest: +SKIP
    'ingested=412 updated=0 unchanged=0 rejected=3'
    """
    if kind not in READERS:
        raise one_of("kind", tuple(READERS), kind)
    reader = READERS[kind]
    raw = read_csv_file(path)
    frame = with_header(raw.frame, reader)
    require_columns(path, frame, reader.required)
    raw = type(raw)(raw.path, frame, raw.encoding, raw.sha256)
    has_area = bool(workspace.config.area)
    places = reader.to_places(frame)
    reject = Rejecter(places.index)
    reject(
        places["source_id"].eq(""), "missing_required", f"column {reader.required[0]!r} is empty"
    )
    reject(places["name"].eq(""), "missing_required", "the name is empty")
    if has_area:
        _drop_out_of_use(places, kind, reject)
    geography = geography or load_geography(workspace.geography_dir)
    located = _locate(
        places, reject.ok, geography, workspace, BUFFER_M if has_area else 0.0, reject
    )
    places = places.drop(columns="status")
    places["content_hash"] = row_digest(places, list(places.columns))
    reject(
        places["source_id"].duplicated(keep="first") & reject.ok,
        "duplicate_reference",
        "the same id appears on an earlier row; the later row is rejected",
    )
    keep = reject.ok
    rows = places.loc[keep, ["source_id", "name", "subtype", "attributes", "content_hash"]].join(
        located[_AREA_COLUMNS]
    )
    result = commit_batch(
        workspace, raw, rows, reject, kind=f"places:{kind}", source=KIND[kind],
        table=store.places, key_cols={"kind": KIND[kind]}, key="source_id",
        dropped=reject.reason.isin(DROPPED) if has_area else None,
    )  # fmt: skip
    return PlacesSummary(
        path=path,
        batch_id=result.batch_id,
        rows=len(places),
        counts=result.counts,
        reasons=reject.counts(),
        rejects_path=result.rejects_path,
        encoding=raw.encoding,
    )
