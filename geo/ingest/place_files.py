"""The place files as they are downloaded: DfE GIAS, DfT NaPTAN, Open Pubs and FHRS.

Each kind has a small reader that maps its file's columns onto (``source_id``, ``name``,
``subtype``, ``status``, location inputs, attributes). The readers use only the columns
of the national files (GIAS "all establishments", NaPTAN ``Stops.csv``, GetTheData Open
Pubs, FSA FHRS), so an extract of them reads the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from geo.ingest.fields import column

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

#: Status values (lower case) of places no longer there, per kind, and the drop reason.
OUT_OF_USE = {
    "schools": ({"closed"}, "closed"),
    "transport": ({"inactive", "del"}, "inactive"),
    "nte": (set(), ""),
}

#: Open Pubs' columns, for its files that come without a header row.
OPEN_PUBS_COLUMNS = [
    "fas_id", "name", "address", "postcode", "easting", "northing", "latitude", "longitude",
    "local_authority",
]  # fmt: skip


@dataclass(frozen=True)
class PlaceReader:
    """How to read one kind of places file.

    Parameters
    ----------
    required : list of str
        The columns the file must have; the first names a place's id.
    to_places : callable
        Maps the file's rows (as text) onto ``source_id``, ``name``, ``subtype``,
        ``status``, the location inputs and ``attributes`` (JSON).
    aliases : dict of str to str, optional
        Other files' names for the columns (e.g. FHRS ``BusinessName`` → ``name``).
    headerless : list of str, optional
        The columns of a download that has no header row.

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
    aliases: dict[str, str] = field(default_factory=dict)
    headerless: list[str] = field(default_factory=list)


def _pick(frame: pd.DataFrame, *names: str) -> pd.Series:
    """The first of ``names`` present in ``frame`` as stripped text (else empty)."""
    for name in names:
        if name in frame.columns:
            values = column(frame, name)
            return values.mask(values.eq("\\N"), "")  # MySQL's null in Open Pubs
    return pd.Series("", index=frame.index, dtype=object)


def _attributes(frame: pd.DataFrame, mapping: dict[str, str]) -> pd.Series:
    present = {src: dst for src, dst in mapping.items() if src in frame.columns}
    records = frame[list(present)].rename(columns=present).to_dict("records")
    return pd.Series(
        [json.dumps({k: v for k, v in r.items() if v != ""}, ensure_ascii=False) for r in records],
        index=frame.index,
    )


def _locations(frame: pd.DataFrame) -> dict[str, pd.Series]:
    lat = _pick(frame, "Latitude", "latitude", "lat")
    lon = _pick(frame, "Longitude", "longitude", "lon", "lng")
    east = _pick(frame, "Easting", "easting")
    north = _pick(frame, "Northing", "northing")
    # Open Pubs gives unmatched postcodes a dummy point (622675, -5527598) and no lat/long
    dummy = north.str.startswith("-")
    return {
        "latitude": lat,
        "longitude": lon,
        "easting": east.mask(dummy, ""),
        "northing": north.mask(dummy, ""),
        "postcode": _pick(frame, "Postcode", "postcode"),
    }


def _schools(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_id": column(frame, "URN"),
            "name": column(frame, "EstablishmentName"),
            "subtype": _pick(frame, "PhaseOfEducation (name)"),
            "status": _pick(frame, "EstablishmentStatus (name)"),
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
            "status": _pick(frame, "Status"),
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
    ident = _pick(frame, "id", "fas_id", "fsa_id", "premises_id", "reference")
    name = _pick(frame, "name", "Name", "premises_name")
    postcode = _pick(frame, "postcode", "Postcode")
    # premises files often lack a stable id: fall back to name + postcode
    ident = ident.where(ident.ne(""), name.str.lower() + "|" + postcode.str.upper())
    return pd.DataFrame(
        {
            "source_id": ident,
            "name": name,
            "subtype": _pick(frame, "type", "premises_type", "category").str.lower(),
            "status": "",
            **_locations(frame),
            "attributes": _attributes(
                frame,
                {"address": "address", "local_authority": "local_authority", "rating": "rating"},
            ),
        },
        index=frame.index,
    )


READERS = {
    "schools": PlaceReader(["URN", "EstablishmentName"], _schools),
    "transport": PlaceReader(["ATCOCode", "CommonName", "StopType"], _transport),
    "nte": PlaceReader(
        ["name"],
        _nte,
        aliases={
            "FHRSID": "id",
            "BusinessName": "name",
            "BusinessType": "type",
            "PostCode": "postcode",
            "AddressLine1": "address",
            "LocalAuthorityName": "local_authority",
            "RatingValue": "rating",
            "Geocode/Longitude": "longitude",
            "Geocode/Latitude": "latitude",
            "Geocode.Longitude": "longitude",
            "Geocode.Latitude": "latitude",
        },
        headerless=OPEN_PUBS_COLUMNS,
    ),
}
#: The store's ``kind`` for each reader.
KIND = {"schools": "school", "transport": "transport", "nte": "nte"}


def with_header(frame: pd.DataFrame, reader: PlaceReader) -> pd.DataFrame:
    """The file's rows under the reader's column names.

    Renames other files' columns (:attr:`PlaceReader.aliases`) and, for a download
    without a header row, takes its first line back as data: that row gets index -1, so
    that its spreadsheet row number (index + 2) is 1.

    Parameters
    ----------
    frame : pandas.DataFrame
        The file as read (every value as text).
    reader : PlaceReader
        The kind's reader.

    Returns
    -------
    pandas.DataFrame
        The rows, with the reader's column names where the file had others.

    Examples
    --------
    >>> pubs = pd.DataFrame([["2", "The Bull"] + [""] * 7],
    ...                     columns=["1", "The Swan"] + [f"c{i}" for i in range(7)])
    >>> with_header(pubs, READERS["nte"])["name"].tolist()
    ['The Swan', 'The Bull']
    """
    frame = frame.rename(columns={k: v for k, v in reader.aliases.items() if v not in frame})
    headerless = reader.headerless
    if set(reader.required) - set(frame.columns) and len(frame.columns) == len(headerless):
        first = pd.DataFrame([list(frame.columns)], columns=headerless, index=[-1])
        frame = pd.concat([first, frame.set_axis(headerless, axis=1)])
    return frame
