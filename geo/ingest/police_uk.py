"""data.police.uk street-level crime CSVs, read natively as context crime.

These files carry no hate strands, so their rows are stored as *context* crime (not as
hate records) with the crime type kept as the offence: useful as a denominator and for
the night-time-economy picture. Locations are data.police.uk's anonymised snap points.
"""

from __future__ import annotations

import hashlib

import pandas as pd

COLUMNS = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
REQUIRED = ["Month", "Longitude", "Latitude", "Crime type"]

_ATTRIBUTES = {
    "Reported by": "reported_by",
    "Falls within": "falls_within",
    "Location": "location",
    "LSOA code": "source_lsoa_code",
    "LSOA name": "source_lsoa_name",
    "Last outcome category": "last_outcome_category",
    "Context": "context",
}


def stable_references(frame: pd.DataFrame) -> pd.Series:
    """A reference for rows without a Crime ID (e.g. anti-social behaviour), derived from
    the row's content plus its occurrence number among identical rows, so re-reading the
    same file gives the same references and identical rows stay distinct."""
    joined = frame[list(frame.columns)].astype(str).agg("\x1f".join, axis=1)
    digest = joined.map(lambda s: hashlib.blake2b(s.encode(), digest_size=8).hexdigest())
    occurrence = digest.groupby(digest).cumcount()
    return "pu-" + digest + "-" + occurrence.astype(str)


def to_canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """Map a street-level file onto canonical columns (extra columns become attributes)."""
    crime_id = frame.get("Crime ID", pd.Series("", index=frame.index)).astype(str).str.strip()
    reference = crime_id.where(crime_id.ne(""), "")
    no_id = reference.eq("")
    if no_id.any():
        reference[no_id] = stable_references(frame[no_id])
    month = frame["Month"].astype(str).str.strip()
    out = pd.DataFrame(
        {
            "reference": reference,
            # a month is stored as its first day; time_known stays false
            "recorded_at": month.where(~month.str.fullmatch(r"\d{4}-\d{2}"), month + "-01"),
            "offence": frame["Crime type"],
            "latitude": frame["Latitude"],
            "longitude": frame["Longitude"],
        },
        index=frame.index,
    )
    for col, name in _ATTRIBUTES.items():
        if col in frame.columns:
            out[name] = frame[col]
    return out
