"""Reading from the store: current incidents and whole tables as data frames."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from geo.store.schema import incidents


def read_incidents(
    engine: Engine, *, include_context: bool = False, located_only: bool = True
) -> pd.DataFrame:
    """The current incidents, oldest first: by default those located in the area.

    A workspace reads its records with :meth:`geo.config.Workspace.read_incidents`.
    Maps and area statistics use located records only; records out of the area or
    without a usable location (see :mod:`geo.geography.location_status`) are read with
    ``located_only=False``.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        The store, from :func:`geo.store.connect`.
    include_context : bool, default False
        Also return context crime (data.police.uk rows), not only hate records.
    located_only : bool, default True
        Only records whose ``location_status`` is ``located`` (they have an LSOA in the
        workspace's area); ``False`` returns every stored record.

    Returns
    -------
    pandas.DataFrame
        One row per current record, with the columns of :data:`geo.store.incidents`.

    Examples
    --------
    >>> from geo.store import connect
    >>> engine = connect("sqlite://")
    >>> read_incidents(engine).columns[:4].tolist()
    ['id', 'source', 'reference', 'recorded_at']
    >>> engine.dispose()
    """
    query = sa.select(incidents)
    if not include_context:
        query = query.where(incidents.c.is_hate.is_(True))
    if located_only:
        query = query.where(incidents.c.location_status == "located")
    with engine.connect() as conn:
        return pd.read_sql(query.order_by(incidents.c.recorded_at, incidents.c.id), conn)


def read_table(engine: Engine, table: sa.Table, *where: sa.ColumnElement[bool]) -> pd.DataFrame:
    """The rows of ``table``, all or those matching ``where``.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        The store, from :func:`geo.store.connect`.
    table : sqlalchemy.Table
        A table of the store (e.g. :data:`geo.store.places`).
    *where : sqlalchemy.ColumnElement
        Conditions the rows must all meet.

    Returns
    -------
    pandas.DataFrame
        The rows, with the table's columns.

    Examples
    --------
    >>> from geo.store import connect, users
    >>> engine = connect("sqlite://")
    >>> read_table(engine, users, users.c.role == "partner").columns.tolist()
    ['name', 'role', 'salt', 'password_hash', 'created_at']
    >>> engine.dispose()
    """
    with engine.connect() as conn:
        return pd.read_sql(sa.select(table).where(*where), conn)
