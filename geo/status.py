"""What a workspace holds: counts by location status, force, CSP, strand and type; places."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from geo import store
from geo.config import Workspace
from geo.geography.areas import load_geography
from geo.geography.location_status import LOCATION_STATUSES


@dataclass(frozen=True)
class WorkspaceStatus:
    """What a workspace holds, as ``tensionmap status`` prints it.

    Attributes
    ----------
    root : str
        The workspace folder.
    boundary_source : str
        Where the LSOA polygons came from.
    n_lsoa : int
        Number of LSOAs in the boundaries.
    hate_records, context_records : int
        Current hate records (crimes and incidents), and context crime records.
    first, last : str or None
        The earliest and latest ``recorded_at`` of the hate records (``None`` if none).
    by_force, by_csp, by_record_type : pandas.Series
        Hate records per force, per CSP name and per record type.
    by_strand : pandas.Series
        Strand markers (a record with two strands counts under each).
    places : pandas.Series
        Places (stations, NTE premises, schools) by kind.
    batches : pandas.DataFrame
        The latest ingest batches, newest first.
    by_location : pandas.Series
        Hate records per ``location_status`` (maps and area statistics use ``located``
        ones only).

    Examples
    --------
    >>> status = workspace_status(Workspace.open("tensionmap-demo"))  # doctest: +SKIP
    >>> status.by_force  # doctest: +SKIP
    """

    root: str
    boundary_source: str
    n_lsoa: int
    hate_records: int
    context_records: int
    first: str | None
    last: str | None
    by_force: pd.Series
    by_csp: pd.Series
    by_strand: pd.Series
    by_record_type: pd.Series
    places: pd.Series
    batches: pd.DataFrame
    by_location: pd.Series = field(default_factory=lambda: pd.Series(dtype=int))

    def lines(self) -> list[str]:
        """The status as lines of text, one count per line under a heading per breakdown.

        Returns
        -------
        list of str
            The lines ``tensionmap status`` prints.
        """
        out = [
            f"workspace: {self.root}",
            f"boundaries: {self.boundary_source} ({self.n_lsoa} LSOAs)",
            f"hate records: {self.hate_records}  context crime: {self.context_records}",
            f"date range: {self.first or '-'} to {self.last or '-'}",
        ]
        for title, series in (
            ("by location status", self.by_location),
            ("by force", self.by_force),
            ("by CSP", self.by_csp),
            ("by strand (markers)", self.by_strand),
            ("by record type", self.by_record_type),
            ("places by kind", self.places),
        ):
            out.append(f"{title}:")
            out += [f"  {k}: {v}" for k, v in series.items()] or ["  (none)"]
        out.append("last batches:")
        for b in self.batches.itertuples():
            out.append(
                f"  #{b.id} {b.kind} {b.file_name} ingested={b.ingested} updated={b.updated} "
                f"unchanged={b.unchanged} rejected={b.rejected} at {b.finished_at}"
            )
        return out


def workspace_status(workspace: Workspace, *, last_batches: int = 5) -> WorkspaceStatus:
    """Count what a workspace holds: records by force, CSP, strand and type; places; batches.

    Parameters
    ----------
    workspace : geo.config.Workspace
        The workspace.
    last_batches : int, default 5
        How many of the latest ingest batches to list.

    Returns
    -------
    WorkspaceStatus
        The counts; :meth:`WorkspaceStatus.lines` gives them as text.

    Examples
    --------
    A new workspace holds no records yet, over the bundled boundaries:

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     status = workspace_status(Workspace.open(folder))
    >>> status.hate_records, status.n_lsoa
    (0, 1177)
    >>> status.lines()[2]
    'hate records: 0  context crime: 0'
    """
    engine = store.connect(workspace.database_url)
    geography = load_geography(workspace.geography_dir)
    i = store.incidents
    try:
        with engine.connect() as conn:
            hate = pd.read_sql(
                sa.select(
                    i.c.force,
                    i.c.csp_code,
                    i.c.strands,
                    i.c.record_type,
                    i.c.recorded_at,
                    i.c.location_status,
                ).where(i.c.is_hate.is_(True)),
                conn,
            )
            context = conn.execute(
                sa.select(sa.func.count()).select_from(i).where(i.c.is_hate.is_(False))
            ).scalar_one()
            places = pd.read_sql(
                sa.select(store.places.c.kind, sa.func.count().label("n")).group_by(
                    store.places.c.kind
                ),
                conn,
            )
            batches = pd.read_sql(
                sa.select(store.ingest_batches)
                .order_by(store.ingest_batches.c.id.desc())
                .limit(last_batches),
                conn,
            )
    finally:
        engine.dispose()
    by_csp = hate["csp_code"].map(geography.csp_names).value_counts().sort_index()
    strands = hate["strands"].dropna().str.split(";").explode()
    return WorkspaceStatus(
        root=str(workspace.root),
        boundary_source=geography.source,
        n_lsoa=len(geography.lsoas),
        hate_records=len(hate),
        context_records=int(context),
        first=hate["recorded_at"].min() if len(hate) else None,
        last=hate["recorded_at"].max() if len(hate) else None,
        by_force=hate["force"].value_counts().sort_index(),
        by_csp=by_csp,
        by_strand=strands.value_counts(),
        by_record_type=hate["record_type"].value_counts(),
        places=places.set_index("kind")["n"] if len(places) else pd.Series(dtype=int),
        batches=batches,
        by_location=_by_location(hate["location_status"]),
    )


def _by_location(status: pd.Series) -> pd.Series:
    """Records per location status, in the order of :data:`LOCATION_STATUSES`."""
    counts = status.fillna("unknown").value_counts()
    order = [s for s in (*LOCATION_STATUSES, "unknown") if s in counts.index]
    return counts.reindex(order)
