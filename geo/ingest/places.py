"""Places: schools (DfE GIAS), transport nodes (DfT NaPTAN) and night-time-economy premises.

Each kind has a small reader that maps its file's columns onto (``source_id``, ``name``,
``subtype``, location inputs, attributes); geocoding, rejects and the idempotent upsert
are shared with incident ingest.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo import store
from geo._errors import one_of
from geo._hashing import row_digest
from geo.config import Workspace
from geo.geography.areas import Geography, load_geography
from geo.geography.geocoder import geocode
from geo.ingest.batch import commit_batch
from geo.ingest.fields import column
from geo.ingest.incidents import IngestSummary
from geo.ingest.validate import Rejecter
from geo.reading import read_csv_file, require_columns

#: NaPTAN StopType codes → the words our users use.
NAPTAN_STOP_TYPES = {
    "RLY": "rail_station",
    "RSE": "rail_station_entrance",
    "RPL": "rail_platform",
    "PLT": "metro_platform",
    "MET": "metro_station",
    "TMU": "tram_metro_entrance",
    "BCS": "bus_station_bay",
    "BCE": "bus_station_entrance",
    "BST": "bus_station_access",
    "BCQ": "bus_station_variable_bay",
    "BCT": "bus_stop",
    "TXR": "taxi_rank",
    "STR": "taxi_shared_rank",
    "AIR": "airport",
    "GAT": "airport_gate",
    "FER": "ferry_terminal",
}


@dataclass(frozen=True)
class PlaceReader:
    """How to read one kind of places file.

    Parameters
    ----------
    required : list of str
        The columns the file must have; the first names a place's id.
    to_places : callable
        Maps the file's rows (as text) onto ``source_id``, ``name``, ``subtype``, the
        location inputs and ``attributes`` (JSON).

    Examples
    --------
    >>> READERS["transport"].required
    ['ATCOCode', 'CommonName', 'StopType']
    >>> naptan = pd.DataFrame({"ATCOCode": ["0500CCITY423"], "CommonName": ["Station"],
    ...                        "StopType": ["BCT"], "Latitude": ["52.194"]})
    >>> READERS["transport"].to_places(naptan).loc[0, ["source_id", "subtype"]].tolist()
    ['0500CCITY423', 'bus_stop']
    """

    required: list[str]
    to_places: Callable[[pd.DataFrame], pd.DataFrame]


def _pick(frame: pd.DataFrame, *names: str) -> pd.Series:
    """The first of ``names`` present in ``frame`` as stripped text (else empty)."""
    for name in names:
        if name in frame.columns:
            return column(frame, name)
    return pd.Series("", index=frame.index, dtype=object)


def _attributes(frame: pd.DataFrame, mapping: dict[str, str]) -> pd.Series:
    present = {src: dst for src, dst in mapping.items() if src in frame.columns}
    records = frame[list(present)].rename(columns=present).to_dict("records")
    return pd.Series(
        [json.dumps({k: v for k, v in r.items() if v != ""}, ensure_ascii=False) for r in records],
        index=frame.index,
    )


def _locations(frame: pd.DataFrame) -> dict[str, pd.Series]:
    return {
        "latitude": _pick(frame, "Latitude", "latitude", "lat"),
        "longitude": _pick(frame, "Longitude", "longitude", "lon", "lng"),
        "easting": _pick(frame, "Easting", "easting"),
        "northing": _pick(frame, "Northing", "northing"),
        "postcode": _pick(frame, "Postcode", "postcode"),
    }


def _schools(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_id": column(frame, "URN"),
            "name": column(frame, "EstablishmentName"),
            "subtype": _pick(frame, "PhaseOfEducation (name)"),
            **_locations(frame),
            "attributes": _attributes(
                frame,
                {
                    "TypeOfEstablishment (name)": "type",
                    "EstablishmentTypeGroup (name)": "type_group",
                    "NumberOfPupils": "pupils",
                    "PercentageFSM": "percentage_fsm",
                    "LA (name)": "local_authority",
                    "EstablishmentStatus (name)": "status",
                    "StatutoryLowAge": "low_age",
                    "StatutoryHighAge": "high_age",
                },
            ),
        }
    )


def _transport(frame: pd.DataFrame) -> pd.DataFrame:
    stop_type = column(frame, "StopType")
    return pd.DataFrame(
        {
            "source_id": column(frame, "ATCOCode"),
            "name": column(frame, "CommonName"),
            "subtype": stop_type.map(NAPTAN_STOP_TYPES).fillna(stop_type.str.lower()),
            **_locations(frame),
            "attributes": _attributes(
                frame,
                {
                    "StopType": "stop_type",
                    "Indicator": "indicator",
                    "LocalityName": "locality",
                    "Town": "town",
                    "Status": "status",
                },
            ),
        }
    )


def _nte(frame: pd.DataFrame) -> pd.DataFrame:
    ident = _pick(frame, "id", "fsa_id", "premises_id", "reference")
    name = _pick(frame, "name", "Name", "premises_name")
    postcode = _pick(frame, "postcode", "Postcode")
    # premises files often lack a stable id: fall back to name + postcode
    ident = ident.where(ident.ne(""), name.str.lower() + "|" + postcode.str.upper())
    return pd.DataFrame(
        {
            "source_id": ident,
            "name": name,
            "subtype": _pick(frame, "type", "premises_type", "category").str.lower(),
            **_locations(frame),
            "attributes": _attributes(
                frame, {"address": "address", "local_authority": "local_authority"}
            ),
        }
    )


READERS = {
    "schools": PlaceReader(["URN", "EstablishmentName"], _schools),
    "transport": PlaceReader(["ATCOCode", "CommonName", "StopType"], _transport),
    "nte": PlaceReader(["name"], _nte),
}
#: The store's ``kind`` for each reader.
KIND = {"schools": "school", "transport": "transport", "nte": "nte"}


def ingest_places(
    workspace: Workspace, path: Path, *, kind: str, geography: Geography | None = None
) -> IngestSummary:
    """Ingest a schools (GIAS), transport (NaPTAN) or NTE premises CSV as places.

    Rows are geocoded like incidents; a row without an id or a name, or that cannot be
    located, is rejected. A place is identified by its kind and id, so ingesting a newer
    file updates the places that changed.

    Parameters
    ----------
    workspace : geo.config.Workspace
        Where to store.
    path : pathlib.Path
        The CSV file.
    kind : str
        ``schools``, ``transport`` or ``nte`` (a key of :data:`READERS`).
    geography : geo.geography.Geography, optional
        The boundaries to geocode with (default: the workspace's).

    Returns
    -------
    IngestSummary
        What was stored and rejected.

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
    require_columns(path, raw.frame, reader.required)
    places = reader.to_places(raw.frame)
    reject = Rejecter(places.index)
    reject(
        places["source_id"].eq(""), "missing_required", f"column {reader.required[0]!r} is empty"
    )
    reject(places["name"].eq(""), "missing_required", "the name is empty")
    ok = reject.ok
    located = geocode(
        places.loc[ok, ["latitude", "longitude", "easting", "northing", "postcode"]],
        geography or load_geography(workspace.geography_dir),
        snap_m=workspace.config.snap_distance_m,
    ).frame
    bad = located["reason"].ne("")
    reject.reason.loc[located.index[bad]] = located.loc[bad, "reason"]
    reject.detail.loc[located.index[bad]] = located.loc[bad, "detail"]
    places["content_hash"] = row_digest(places, list(places.columns))
    dup = places["source_id"].duplicated(keep="first") & reject.ok
    reject(
        dup,
        "duplicate_reference",
        "the same id appears on an earlier row; the later row is rejected",
    )
    keep = reject.ok
    area_cols = [
        "easting",
        "northing",
        "latitude",
        "longitude",
        "lsoa_code",
        "district_code",
        "csp_code",
        "force",
    ]
    rows = places.loc[keep, ["source_id", "name", "subtype", "attributes", "content_hash"]].join(
        located[area_cols]
    )
    result = commit_batch(
        workspace,
        raw,
        rows,
        reject,
        kind=f"places:{kind}",
        source=KIND[kind],
        table=store.places,
        key_cols={"kind": KIND[kind]},
        key="source_id",
    )
    return IngestSummary(
        path=path,
        batch_id=result.batch_id,
        rows=len(places),
        counts=result.counts,
        reasons=reject.counts(),
        rejects_path=result.rejects_path,
        encoding=raw.encoding,
    )
