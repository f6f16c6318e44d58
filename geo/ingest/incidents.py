"""Ingest incident records: read → map columns → validate → geocode → tag settings → store.

Every input row ends up counted in exactly one of ingested / updated / unchanged /
rejected; rejected rows are stored in the ``rejects`` table and written to
``<workspace>/rejects/<batch>-<file>-rejects.csv`` with their reason. A row is rejected
only when it cannot be a record; a location problem never rejects it: the record is
stored with its ``location_status`` (:mod:`geo.geography.location_status`). One
transaction per file: a failure part-way leaves the store exactly as it was.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import pandas as pd

from geo import store
from geo._errors import one_of
from geo._hashing import pseudonyms, row_digest
from geo._progress import progress
from geo.config import Workspace
from geo.geography.areas import Geography, load_geography
from geo.geography.geocoder import geocode
from geo.geography.location_status import LOCATION_STATUSES
from geo.geography.national_locate import with_national_areas
from geo.ingest import police_uk
from geo.ingest.batch import commit_batch
from geo.ingest.mapping import CANONICAL_COLUMNS, ColumnMapping
from geo.ingest.validate import Rejecter, validate_incidents
from geo.reading import RawTable, read_csv_file, require_columns
from geo.settings.review import final_tags

log = logging.getLogger(__name__)

FORMATS = ("canonical", "police-uk")
LOCATION_INPUTS = ("latitude", "longitude", "easting", "northing", "postcode")
#: Input fields whose content identifies a version of a record.
_HASHED = (
    "recorded_at",
    "record_type",
    "offence",
    "strands",
    "location_type",
    "online",
    "description",
    "victim_id",
    *LOCATION_INPUTS,
    "attributes",
)


@dataclass(frozen=True)
class IngestSummary:
    """What one ingest did; ``counts`` add up to ``rows``.

    Parameters
    ----------
    path : pathlib.Path
        The file ingested.
    batch_id : int
        Its batch in the store.
    rows : int
        Its data rows.
    counts : dict of str to int
        Rows ``ingested``, ``updated``, ``unchanged`` and ``rejected``.
    reasons : dict of str to int
        Rejected rows per reason.
    rejects_path : pathlib.Path or None
        The rejects CSV, or ``None`` when no row was rejected.
    encoding : str
        The encoding the file was read with.
    seconds : dict of str to float
        Time taken per step (``read``, ``validate``, ``geocode``, ``prepare``, ``store``).
    locations : dict of str to int
        The file's records (rows not rejected, less identical repeats) per
        ``location_status``.

    Examples
    --------
    >>> counts = {"ingested": 118, "updated": 1, "unchanged": 0, "rejected": 1}
    >>> summary = IngestSummary(Path("may.csv"), 7, 120, counts, {"invalid_date": 1},
    ...                         Path("rejects/7-may-rejects.csv"), "utf-8")
    >>> summary.line()
    'ingested=118 updated=1 unchanged=0 rejected=1'
    """

    path: Path
    batch_id: int
    rows: int
    counts: dict[str, int]
    reasons: dict[str, int]
    rejects_path: Path | None
    encoding: str
    seconds: dict[str, float] = field(default_factory=dict)
    locations: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        """The counts on one line, as ``tensionmap ingest`` prints them."""
        c = self.counts
        return (
            f"ingested={c['ingested']} updated={c['updated']} "
            f"unchanged={c['unchanged']} rejected={c['rejected']}"
        )


def _attributes(frame: pd.DataFrame) -> pd.Series:
    extra = [c for c in frame.columns if c not in CANONICAL_COLUMNS]
    if not extra:
        return pd.Series("", index=frame.index, dtype=object)
    records = frame[extra].to_dict("records")
    return pd.Series(
        [json.dumps({k: v for k, v in r.items() if v != ""}, ensure_ascii=False) for r in records],
        index=frame.index,
    )


def _read_canonical(raw: RawTable, fmt: str, mapping: ColumnMapping | None) -> pd.DataFrame:
    if fmt == "police-uk":
        require_columns(
            raw.path,
            raw.frame,
            police_uk.REQUIRED,
            hint="Is this a data.police.uk street-level file?",
        )
        return police_uk.to_canonical(raw.frame)
    frame = mapping.apply(raw.frame, raw.path) if mapping else raw.frame
    hint = "Use --mapping FILE to map another export's column names."
    require_columns(raw.path, frame, ["reference", "recorded_at", "strands"], hint=hint)
    has_location = (
        {"latitude", "longitude"} <= set(frame.columns)
        or {"easting", "northing"} <= set(frame.columns)
        or "postcode" in frame.columns
    )
    if not has_location:
        require_columns(
            raw.path,
            frame,
            ["latitude", "longitude"],
            hint="A location is required: "
            "latitude+longitude, easting+northing or postcode. " + hint,
        )
    return frame


def ingest_incidents(
    workspace: Workspace,
    path: Path,
    *,
    fmt: str = "canonical",
    mapping: Path | None = None,
    source: str | None = None,
    geography: Geography | None = None,
    now: datetime | None = None,
) -> IngestSummary:
    """Ingest one incidents file into the workspace store.

    Parameters
    ----------
    workspace : geo.config.Workspace
        Where to store.
    path : pathlib.Path
        The CSV file.
    fmt : str, default "canonical"
        ``canonical`` (DESIGN.md's contract, optionally via ``mapping``) or ``police-uk``.
    mapping : pathlib.Path, optional
        TOML/YAML file mapping another export's columns and words onto the canonical ones.
    source : str, optional
        Name of the source system; references are unique per source. Defaults to
        ``"police-uk"`` for that format and ``"default"`` otherwise.
    geography : geo.geography.Geography, optional
        The boundaries to geocode with (default: the workspace's).
    now : datetime.datetime, optional
        The time of ingest, against which future dates are rejected (default: now).

    Returns
    -------
    IngestSummary
        What was stored and rejected; every row is counted exactly once.

    Raises
    ------
    TensionmapError
        When ``fmt`` is not one of :data:`FORMATS`.
    InputFileError
        When the file cannot be used at all (nothing is written then).

    Examples
    --------
    >>> ws = Workspace.open("tensionmap-demo", create=False)  # doctest: +SKIP
    >>> summary = ingest_incidents(ws, Path("crimes-2024-05.csv"))  # doctest: +SKIP
    >>> summary.line(), summary.reasons  # doctest: +SKIP
    ('ingested=1184 updated=12 unchanged=0 rejected=4', {'invalid_date': 4})
    >>> summary.locations  # doctest: +SKIP
    {'located': 1190, 'out_of_area': 5, 'unlocated_missing': 1}
    """
    if fmt not in FORMATS:
        raise one_of("format", FORMATS, fmt)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    column_mapping = ColumnMapping.load(mapping) if mapping else None
    raw = read_csv_file(path)
    canon = _read_canonical(raw, fmt, column_mapping)
    source = source or ("police-uk" if fmt == "police-uk" else "default")
    cfg = workspace.config
    n_rows = len(canon)
    bar = progress(n_rows * 4, f"ingest {path.name}")
    timings["read"] = time.perf_counter() - t0

    t = time.perf_counter()
    values, reject = validate_incidents(
        canon,
        extra_strands=cfg.extra_strands,
        future_tolerance_days=cfg.future_tolerance_days,
        now=now,
        context=fmt == "police-uk",
    )
    for col in LOCATION_INPUTS:
        values[f"in_{col}"] = canon[col].astype(str).str.strip() if col in canon.columns else ""
    values["attributes"] = _attributes(canon)
    timings["validate"] = time.perf_counter() - t
    bar.update(n_rows)

    t = time.perf_counter()
    geography = geography or load_geography(workspace.geography_dir)
    located = _geocode_valid(values, reject, geography, cfg.snap_distance_m)
    timings["geocode"] = time.perf_counter() - t
    bar.update(n_rows)

    t = time.perf_counter()
    rows, repeats = _rows_to_store(workspace, canon, values, located, reject, raw, source)
    locations = rows["location_status"].value_counts()
    # a million-row file: free what is no longer needed
    del canon, values, located
    timings["prepare"] = time.perf_counter() - t
    bar.update(n_rows)

    t = time.perf_counter()
    result = commit_batch(
        workspace,
        _pseudonymised(raw, column_mapping, workspace.pseudonym_key()),
        rows,
        reject,
        kind=f"incidents:{fmt}",
        source=source,
        table=store.incidents,
        key_cols={"source": source},
        key="reference",
        versions=store.incident_versions,
        repeats=repeats,
    )
    bar.update(n_rows)
    bar.close()
    timings["store"] = time.perf_counter() - t
    log.info("ingested %s: %s", path.name, result.counts)  # counts only: never row contents
    return IngestSummary(
        path=path,
        batch_id=result.batch_id,
        rows=n_rows,
        counts=result.counts,
        reasons=reject.counts(),
        rejects_path=result.rejects_path,
        encoding=raw.encoding,
        seconds=timings,
        locations={s: int(locations[s]) for s in LOCATION_STATUSES if s in locations.index},
    )


def _geocode_valid(
    values: pd.DataFrame, reject: Rejecter, geography: Geography, snap_m: float
) -> pd.DataFrame:
    """Geocode the rows that passed validation; a location problem is a status, not a reject.

    Out-of-area rows get their real LSOA, ward, district, CSP and force
    (:mod:`geo.geography.national_locate`).
    """
    loc_frame = values.loc[reject.ok, [f"in_{c}" for c in LOCATION_INPUTS]]
    loc_frame.columns = list(LOCATION_INPUTS)
    located = geocode(loc_frame, geography, snap_m=snap_m).frame
    # out-of-area records keep their status, with their real areas in England and Wales
    located = with_national_areas(located, snap_m=snap_m)
    bad = located["reason"].ne("")
    located["location_detail"] = None
    located.loc[bad, "location_detail"] = (
        located.loc[bad, "reason"] + ": " + located.loc[bad, "detail"]
    )
    return located


def _rows_to_store(
    workspace: Workspace,
    canon: pd.DataFrame,
    values: pd.DataFrame,
    located: pd.DataFrame,
    reject: Rejecter,
    raw: RawTable,
    source: str = "default",
) -> tuple[pd.DataFrame, int]:
    """The rows to store (hashed, deduplicated, pseudonymised and tagged with settings).

    Also returns how many rows repeated an earlier row of the file exactly (counted as
    unchanged); rows repeating a reference with other content are rejected.
    """
    hashed = values.rename(columns={f"in_{c}": c for c in LOCATION_INPUTS})
    values["content_hash"] = row_digest(hashed, list(_HASHED))
    duplicate_same, dup_detail = _duplicates(values, reject.ok, raw.row_numbers)
    dup_diff = dup_detail.ne("")
    reject(dup_diff, "duplicate_reference", dup_detail)
    keep = reject.ok & ~duplicate_same
    rows = values[keep].join(located.drop(columns=["reason", "detail"]), how="left")
    rows = rows.drop(columns=[f"in_{c}" for c in LOCATION_INPUTS if c != "postcode"])
    rows = rows.rename(columns={"in_postcode": "postcode"})
    rows["postcode"] = rows["postcode"].str.upper().str.slice(0, 8)
    rows["victim_key"] = pseudonyms(rows.pop("victim_id"), workspace.pseudonym_key())
    evidence = rows[
        [
            "location_type",
            "description",
            "online",
            "recorded_at",
            "time_known",
            "easting",
            "northing",
        ]
    ]
    for column in ("victim_occupation", "suspect_occupation"):
        if column in canon.columns:
            evidence = evidence.assign(**{column: canon.loc[rows.index, column]})
    # rules and the trained model, one tag with a confidence; analysts' corrections win
    rows = rows.join(final_tags(workspace, evidence, source=source, references=rows["reference"]))
    return rows, int(duplicate_same.sum())


def _pseudonymised(raw: RawTable, mapping: ColumnMapping | None, secret: bytes) -> RawTable:
    """``raw`` with the victim identifier replaced by its pseudonym, for the rejects.

    A rejected row is kept so it can be fixed, but never with the victim's real identifier.
    """
    column = (mapping.columns.get("victim_id") if mapping else None) or "victim_id"
    if column not in raw.frame.columns:
        return raw
    frame = raw.frame.assign(**{column: pseudonyms(raw.frame[column], secret).fillna("")})
    return replace(raw, frame=frame)


def _duplicates(
    values: pd.DataFrame, ok: pd.Series, row_numbers: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """Within-file repeats of a reference among valid rows.

    Returns (identical repeats: counted unchanged, detail text for later rows whose
    content differs from the first: rejected as duplicate_reference).
    """
    valid = values.loc[ok, ["reference", "content_hash"]]
    repeated = valid["reference"].duplicated(keep=False)
    same = pd.Series(False, index=values.index)
    detail = pd.Series("", index=values.index, dtype=object)
    if not repeated.any():
        return same, detail
    dup = valid[repeated].copy()
    dup["row"] = row_numbers[dup.index]
    first = dup.groupby("reference").head(1).set_index("reference")
    later = dup[dup["reference"].duplicated(keep="first")]
    first_hash = first["content_hash"].reindex(later["reference"]).to_numpy()
    first_row = first["row"].reindex(later["reference"]).to_numpy()
    identical = later["content_hash"].to_numpy() == first_hash
    same[later.index[identical]] = True
    differs = later.index[~identical]
    detail[differs] = pd.Series(
        [
            f"reference {ref!r} already appears on row {r} with different content; "
            "the later row is rejected"
            for ref, r in zip(later.loc[differs, "reference"], first_row[~identical], strict=True)
        ],
        index=differs,
    )
    return same, detail
