"""Reading from the store: current incidents and whole tables as data frames."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from geo.store.schema import incidents


def read_incidents(engine: Engine, *, include_context: bool = False) -> pd.DataFrame:
    """All current incidents (hate records; with ``include_context`` also context crime)."""
    query = sa.select(incidents)
    if not include_context:
        query = query.where(incidents.c.is_hate.is_(True))
    with engine.connect() as conn:
        return pd.read_sql(query.order_by(incidents.c.recorded_at, incidents.c.id), conn)


def read_table(engine: Engine, table: sa.Table, *where: sa.ColumnElement[bool]) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(sa.select(table).where(*where), conn)
