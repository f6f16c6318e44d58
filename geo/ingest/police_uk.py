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
    """A reference for rows without a Crime ID (e.g. anti-social behaviour).

    Derived from the row's content plus its occurrence number among identical rows, so
    re-reading the same file gives the same references and identical rows stay distinct.

    Parameters
    ----------
    frame : pandas.DataFrame
        Street-level rows, as text.

    Returns
    -------
    pandas.Series
        ``pu-<16 hex digits>-<occurrence>`` per row, aligned to ``frame``.

    Examples
    --------
    >>> same = {"Month": "2019-03", "Crime type": "Anti-social behaviour"}
    >>> refs = stable_references(pd.DataFrame([same, same]))
    >>> [r[:3] for r in refs], refs[0][:-1] == refs[1][:-1], [r[-2:] for r in refs]
    (['pu-', 'pu-'], True, ['-0', '-1'])
    """
    joined = frame[list(frame.columns)].astype(str).agg("\x1f".join, axis=1)
    digest = joined.map(lambda s: hashlib.blake2b(s.encode(), digest_size=8).hexdigest())
    occurrence = digest.groupby(digest).cumcount()
    return "pu-" + digest + "-" + occurrence.astype(str)


def to_canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """Map a street-level file onto canonical columns (extra columns become attributes).

    Parameters
    ----------
    frame : pandas.DataFrame
        A data.police.uk street-level file, as text (:data:`REQUIRED` columns at least).

    Returns
    -------
    pandas.DataFrame
        ``reference``, ``recorded_at`` (a month as its first day), ``offence``,
        ``latitude``, ``longitude``, then the file's other columns under the names of
        ``_ATTRIBUTES``.

    Examples
    --------
    >>> street = pd.DataFrame({"Crime ID": ["9f3c"], "Month": ["2019-03"],
    ...                        "Longitude": ["0.1218"], "Latitude": ["52.2053"],
    ...                        "Crime type": ["Public order"], "LSOA code": ["E01017977"]})
    >>> to_canonical(street).loc[0].to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'reference': '9f3c', 'recorded_at': '2019-03-01', 'offence': 'Public order',
     'latitude': '52.2053', 'longitude': '0.1218', 'source_lsoa_code': 'E01017977'}
    """
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
