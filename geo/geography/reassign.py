"""Re-assigning stored records and places when a workspace's area changes.

``tensionmap init`` on a workspace that already holds records changes which of them are
inside the area. Every stored record and place with a point is located again: inside the
new area it is ``located`` with the area's LSOA, ward, district, CSP and force; elsewhere
in England and Wales it is ``out_of_area`` with its real ones (the national lookup,
:mod:`geo.geography.national_locate`). Records without a point keep their status
(``unlocated_…`` and ``outside_england_wales`` do not depend on the area).

Everything happens in one transaction, with a batch of its own (so dashboards keyed on
the data version refresh) and a ``reassign`` row in the audit trail; a function given as
``before_commit`` (``init`` writes the settings file there) runs last inside it, so the
store and the settings change together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo import audit, store
from geo.config import Workspace
from geo.geography.areas import Geography, load_geography
from geo.geography.location_status import LOCATION_STATUSES, location_statuses
from geo.geography.national_locate import NATIONAL_AREA_COLUMNS, with_national_areas

#: The columns a re-assignment may change on a stored record.
RECORD_COLUMNS = (*NATIONAL_AREA_COLUMNS, "snapped_m", "location_status", "location_detail")
#: The status of a stored record that predates location statuses and has none.
NO_STATUS = "(none)"


@dataclass(frozen=True)
class AreaChange:
    """What re-assigning a workspace's stored records to its area changed.

    Attributes
    ----------
    records : int
        Stored records looked at.
    before, after : dict of str to int
        Records per location status before and after (both sum to ``records``).
    changed : int
        Records whose status, LSOA, ward, district, CSP or force changed.
    changed_force : int
        Records now in a different police force area (or none).
    places : int
        Stored places looked at.
    places_changed : int
        Places whose LSOA, district, CSP or force changed.
    batch_id : int or None
        The store batch the change was recorded as (``None`` when the store was empty).

    Examples
    --------
    >>> change = AreaChange(records=5, before={"located": 5},
    ...                     after={"located": 3, "out_of_area": 2}, changed=2)
    >>> for line in change.lines():
    ...     print(line)
    re-assigned 5 stored records to the area: 2 changed
      located: 5 → 3
      out_of_area: 0 → 2
      force changed: 0
    """

    records: int
    before: dict[str, int] = field(default_factory=dict)
    after: dict[str, int] = field(default_factory=dict)
    changed: int = 0
    changed_force: int = 0
    places: int = 0
    places_changed: int = 0
    batch_id: int | None = None

    def lines(self) -> list[str]:
        """What changed, as ``tensionmap init`` prints it.

        Returns
        -------
        list of str
            A headline, one ``status: before → after`` line per status held before or
            after, the records that changed force, and the places re-assigned.
        """
        out = []
        if self.records:
            out.append(
                f"re-assigned {self.records:,} stored records to the area: {self.changed:,} changed"
            )
            held = [
                s for s in (*LOCATION_STATUSES, NO_STATUS) if s in self.before or s in self.after
            ]
            out += [f"  {s}: {self.before.get(s, 0):,} → {self.after.get(s, 0):,}" for s in held]
            out.append(f"  force changed: {self.changed_force:,}")
        if self.places:
            out.append(
                f"re-assigned {self.places:,} stored places: {self.places_changed:,} changed"
            )
        return out


def assign_points(
    geography: Geography, easting: np.ndarray, northing: np.ndarray, *, snap_m: float
) -> pd.DataFrame:
    """The location status and areas of stored points in a (new) area.

    Parameters
    ----------
    geography : Geography
        The area's boundary set.
    easting, northing : numpy.ndarray
        BNG metres; NaN where a record has no point.
    snap_m : float
        The workspace's snap distance (as at ingest).

    Returns
    -------
    pandas.DataFrame
        One row per point: :data:`RECORD_COLUMNS`. Rows without a point have a missing
        ``location_status`` (they keep theirs).

    Examples
    --------
    >>> from geo.geography.areas import load_geography
    >>> found = assign_points(load_geography(), np.array([514800.0, 430000.0, np.nan]),
    ...                       np.array([207200.0, 433500.0, np.nan]), snap_m=250.0)
    >>> found.loc[:1, ["location_status", "force"]].values.tolist()
    [['located', 'Hertfordshire'], ['out_of_area', 'West Yorkshire']]
    >>> found["location_status"].isna().tolist()  # no point: keeps its status
    [False, False, True]
    """
    east = np.asarray(easting, dtype=float)
    north = np.asarray(northing, dtype=float)
    has = np.isfinite(east) & np.isfinite(north)
    found = geography.locate(east, north, snap_m=snap_m)
    areas = geography.areas_of(found)
    frame = pd.DataFrame({c: areas.get(c) for c in NATIONAL_AREA_COLUMNS}, dtype=object)
    frame["easting"], frame["northing"] = east, north
    frame["snapped_m"] = np.where(found.located, np.round(found.snapped_m, 1), np.nan)
    reason = np.where(found.located, "", "outside_area")
    status = np.full(len(east), None, dtype=object)
    status[has] = location_statuses(reason[has], east[has], north[has])
    frame["location_status"] = status
    frame.loc[status == "outside_england_wales", list(NATIONAL_AREA_COLUMNS)] = None
    frame = with_national_areas(frame, snap_m=snap_m)
    away = has & ~found.located
    frame["location_detail"] = None
    frame.loc[away, "location_detail"] = [
        f"outside_area: point E{e:.0f} N{n:.0f}: more than {snap_m:.0f} m outside the "
        "configured area"
        for e, n in zip(east[away], north[away], strict=True)
    ]
    return frame[list(RECORD_COLUMNS)]


def _differs(old: pd.DataFrame, new: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Rows where any of ``columns`` differ (missing equals missing)."""
    out = np.zeros(len(old), dtype=bool)
    for c in columns:
        a, b = old[c].to_numpy(dtype=object), new[c].to_numpy(dtype=object)
        both_missing = pd.isna(a) & pd.isna(b)
        out |= ~both_missing & (pd.isna(a) | pd.isna(b) | (a != b))
    return out


def _read(conn: Connection, table: sa.Table, columns: list[str]) -> pd.DataFrame:
    cols = [table.c.id, table.c.easting, table.c.northing, *(table.c[c] for c in columns)]
    rows = conn.execute(sa.select(*cols).order_by(table.c.id)).fetchall()
    return pd.DataFrame(rows, columns=[c.name for c in cols])


def _status_counts(status: pd.Series) -> dict[str, int]:
    counts = status.fillna(NO_STATUS).value_counts()
    return {str(k): int(v) for k, v in counts.items()}


def _reassign_records(
    conn: Connection, geography: Geography, snap_m: float
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Locate every stored record again; update the changed ones. Old, new and changed."""
    table = store.incidents
    columns = [c for c in RECORD_COLUMNS if c in table.c]
    old = _read(conn, table, columns)
    found = assign_points(
        geography, old["easting"].to_numpy(float), old["northing"].to_numpy(float), snap_m=snap_m
    )
    keep_old = found["location_status"].isna().to_numpy()  # no point: status unchanged
    new = found[columns].copy()
    new.loc[keep_old, columns] = old.loc[keep_old, columns].to_numpy()
    changed = _differs(old, new, columns)
    if changed.any():
        store.update_areas(conn, table, new[changed].assign(id=old.loc[changed, "id"].to_numpy()))
    return old, new, changed


def _reassign_places(conn: Connection, geography: Geography, snap_m: float) -> tuple[int, int]:
    """Give every stored place the areas of its point (its real ones outside the area).

    Returns how many places there are and how many changed.
    """
    table = store.places
    columns = [c for c in NATIONAL_AREA_COLUMNS if c in table.c]
    old = _read(conn, table, columns)
    found = assign_points(
        geography, old["easting"].to_numpy(float), old["northing"].to_numpy(float), snap_m=snap_m
    )
    keep_old = found["location_status"].isna().to_numpy()
    new = found[columns].copy()
    new.loc[keep_old, columns] = old.loc[keep_old, columns].to_numpy()
    changed = _differs(old, new, columns)
    if changed.any():
        store.update_areas(conn, table, new[changed].assign(id=old.loc[changed, "id"].to_numpy()))
    return len(old), int(changed.sum())


def reassign_to_area(
    workspace: Workspace,
    area: Mapping[str, Any],
    *,
    before_commit: Callable[[], None] | None = None,
) -> AreaChange:
    """Re-assign every stored record and place of a workspace to an area, in one transaction.

    Parameters
    ----------
    workspace : geo.config.Workspace
        The workspace (its imported boundary layers, if any, still apply).
    area : mapping
        The new ``[area]`` table (:func:`~geo.geography.workspace_area.area_setting`).
    before_commit : callable, optional
        Called last inside the transaction (``init`` writes the settings file there);
        if it raises, nothing is changed.

    Returns
    -------
    AreaChange
        Records per status before and after, and what changed. An empty store is left
        untouched (no batch, no audit row).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     change = reassign_to_area(Workspace.open(folder), {"forces": ["Hertfordshire"]})
    >>> change.records, change.batch_id
    (0, None)
    """
    geography = load_geography(workspace.geography_dir, area=dict(area))
    snap_m = workspace.config.snap_distance_m
    engine = store.connect(workspace.database_url)
    try:
        with store.transaction(engine) as conn:
            old, new, changed = _reassign_records(conn, geography, snap_m)
            places, places_changed = _reassign_places(conn, geography, snap_m)
            change = AreaChange(
                records=len(old),
                before=_status_counts(old["location_status"]),
                after=_status_counts(new["location_status"]),
                changed=int(changed.sum()),
                changed_force=int(_differs(old, new, ["force"]).sum()),
                places=places,
                places_changed=places_changed,
            )
            if change.records or change.places:
                change = _record_change(conn, area, change)
            if before_commit is not None:
                before_commit()
    finally:
        engine.dispose()
    return change


def _record_change(conn: Connection, area: Mapping[str, Any], change: AreaChange) -> AreaChange:
    """A batch of its own (the data version moves on) and a ``reassign`` audit row."""
    text = json.dumps(dict(area), sort_keys=True, ensure_ascii=False)
    batch = store.start_batch(
        conn, kind="reassign:area", source="init", file_name=f"[area] {text}"[:200],
        sha256=hashlib.sha256(text.encode()).hexdigest(), encoding="",
    )  # fmt: skip
    store.finish_batch(
        conn, batch, {"rows": change.records, "updated": change.changed}, rejects_path=""
    )
    audit.record_in(
        conn,
        "reassign",
        **audit.cli_actor(),
        object="[area]",
        detail={
            "area": dict(area),
            "batch": batch,
            "records": change.records,
            "changed": change.changed,
            "changed_force": change.changed_force,
            "before": change.before,
            "after": change.after,
            "places": change.places,
            "places_changed": change.places_changed,
        },
    )
    return AreaChange(**{**change.__dict__, "batch_id": batch})
