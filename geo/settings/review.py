"""The analysts' review queue and their corrections of settings.

The queue lists the records the tagger was least sure of (``needs_review``, lowest
``setting_confidence`` first, not corrected yet). A correction (or a confirmation: the
same settings again) is stored in ``setting_corrections`` with who made it, when and the
settings it replaced, is audited (``setting_correction``), updates the record at once
(confidence 1, reasons ``correction:<day>``), wins over the automatic tags at every later
ingest and ``tensionmap retag`` (:func:`final_tags`), and is a confirmed example for the
next ``tensionmap train-classifier``. Partner maps read the stored settings, so they show
the corrected setting from the next publication on.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from geo import audit, store
from geo._errors import TensionmapError
from geo.config import Workspace
from geo.settings.classifier import load_model
from geo.settings.confidence import decide, review_below
from geo.settings.places import store_places
from geo.settings.rules import SETTING_ORDER, TaggingRules, tag_records
from geo.store.schema import setting_corrections

#: Columns of :func:`review_queue`.
QUEUE_COLUMNS = [
    "id", "source", "reference", "recorded_at", "location_type", "description", "settings",
    "setting_confidence", "setting_reasons",
]  # fmt: skip


def rules_of(workspace: Workspace) -> TaggingRules:
    """The workspace's tagging rules (``[tagging]`` without the review threshold).

    Parameters
    ----------
    workspace : geo.config.Workspace
        The workspace.

    Returns
    -------
    TaggingRules
        The defaults with the workspace's additions.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     print(rules_of(Workspace.open(folder)).station_distance_m)
    100.0
    """
    table = {k: v for k, v in (workspace.config.tagging or {}).items() if k != "review_below"}
    return TaggingRules.from_config(table)


def latest_corrections(engine: Engine) -> pd.DataFrame:
    """The latest correction of each corrected record.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        The store.

    Returns
    -------
    pandas.DataFrame
        ``source``, ``reference``, ``settings``, ``previous_settings``, ``user`` and
        ``corrected_at``, one row per record.

    Examples
    --------
    >>> engine = store.connect("sqlite://")
    >>> len(latest_corrections(engine))
    0
    """
    t = setting_corrections
    with engine.connect() as conn:
        frame = pd.read_sql(sa.select(t).order_by(t.c.id), conn)
    return frame.drop_duplicates(["source", "reference"], keep="last").drop(columns="id")


def _apply_corrections(
    final: pd.DataFrame, corrections: pd.DataFrame, source: pd.Series, reference: pd.Series
) -> pd.DataFrame:
    """``final`` with each corrected record's latest correction in place of its tags."""
    if corrections.empty:
        return final
    key = pd.MultiIndex.from_frame(corrections[["source", "reference"]])
    found = key.get_indexer(pd.MultiIndex.from_arrays([source.to_numpy(), reference.to_numpy()]))
    hit = found >= 0
    if not hit.any():
        return final
    rows = corrections.iloc[found[hit]]
    final = final.copy()
    final.loc[hit, "settings"] = rows["settings"].to_numpy()
    final.loc[hit, "setting_reasons"] = [
        json.dumps(dict.fromkeys(filter(None, settings.split(";")), f"correction:{day[:10]}"))
        for settings, day in zip(rows["settings"], rows["corrected_at"], strict=True)
    ]
    final.loc[hit, "setting_confidence"] = 1.0
    final.loc[hit, "needs_review"] = False
    return final


def final_tags(
    workspace: Workspace,
    evidence: pd.DataFrame,
    *,
    source: str | pd.Series,
    references: pd.Series,
    engine: Engine | None = None,
) -> pd.DataFrame:
    """Tag records as stored: rules, the trained model, a confidence, then corrections.

    Parameters
    ----------
    workspace : geo.config.Workspace
        The workspace (its ``[tagging]`` rules, places, model and corrections).
    evidence : pandas.DataFrame
        Records as :func:`geo.settings.rules.tag_records` reads them.
    source : str or pandas.Series
        The records' source system (one, or one per record).
    references : pandas.Series
        The records' references, aligned to ``evidence``.
    engine : sqlalchemy.engine.Engine, optional
        The store, if already open.

    Returns
    -------
    pandas.DataFrame
        Aligned to ``evidence``: ``settings``, ``setting_reasons``, ``setting_confidence``
        and ``needs_review``.

    Examples
    --------
    >>> import tempfile
    >>> records = pd.DataFrame({"location_type": ["Bus"], "description": ["abuse"]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     tags = final_tags(Workspace.open(folder), records, source="default",
    ...                       references=pd.Series(["R1"]))
    >>> tags[["settings", "setting_confidence", "needs_review"]].to_numpy().tolist()
    [['public_transport', 0.95, False]]
    """
    tags = tag_records(evidence, rules=rules_of(workspace), places=store_places(workspace))
    model = load_model(workspace)
    probabilities = model.probabilities(evidence) if model is not None else None
    threshold = review_below(workspace.config.tagging)
    final = decide(tags, probabilities, model, threshold=threshold)
    own = engine is None
    engine = engine or store.connect(workspace.database_url)
    try:
        corrections = latest_corrections(engine)
    finally:
        if own:
            engine.dispose()
    sources = source if isinstance(source, pd.Series) else pd.Series(source, index=evidence.index)
    return _apply_corrections(final, corrections, sources, references)


def review_queue(engine: Engine, *, limit: int = 200) -> pd.DataFrame:
    """The records to review: marked ``needs_review``, least sure first, not yet corrected.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        The store.
    limit : int, default 200
        Most records listed.

    Returns
    -------
    pandas.DataFrame
        :data:`QUEUE_COLUMNS`, lowest ``setting_confidence`` first (then newest first).

    Examples
    --------
    >>> review_queue(store.connect("sqlite://")).columns[:3].tolist()
    ['id', 'source', 'reference']
    """
    t, c = store.incidents, setting_corrections
    corrected = sa.select(c.c.id).where(
        (c.c.source == t.c.source) & (c.c.reference == t.c.reference)
    )
    query = (
        sa.select(*[t.c[name] for name in QUEUE_COLUMNS])
        .where(t.c.needs_review.is_(True), ~sa.exists(corrected))
        .order_by(t.c.setting_confidence, t.c.recorded_at.desc(), t.c.id)
        .limit(limit)
    )
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


def clean_settings(settings: Any) -> str:
    """Settings an analyst chose, checked against the vocabulary, ``;``-joined in order.

    Parameters
    ----------
    settings : list of str
        The settings ticked (none is allowed: the record is in no setting).

    Returns
    -------
    str
        ``;``-joined in :data:`geo.settings.SETTING_ORDER`.

    Raises
    ------
    TensionmapError
        If it is not a list of known settings.

    Examples
    --------
    >>> clean_settings(["taxi", "public_transport"])
    'public_transport;taxi'
    >>> clean_settings(["bus"])
    Traceback (most recent call last):
    ...
    geo._errors.TensionmapError: 'bus' is not a setting; settings are ('public_transport', \
'nte', 'taxi', 'online', 'school', 'residential', 'street', 'retail').
    """
    if not isinstance(settings, list | tuple):
        raise TensionmapError(f"settings must be a list; {type(settings).__name__} was given.")
    for value in settings:
        if not isinstance(value, str) or value not in SETTING_ORDER:
            raise TensionmapError(f"{value!r} is not a setting; settings are {SETTING_ORDER}.")
    return ";".join(s for s in SETTING_ORDER if s in settings)


def correct(
    engine: Engine,
    reference: str,
    settings: list[str],
    *,
    user: str,
    role: str,
    address: str,
    source: str = "default",
) -> dict[str, Any]:
    """Store an analyst's correction (or confirmation) of a record's settings, audited.

    The record's tags change at once (confidence 1, no longer to review); the correction
    row and the ``setting_correction`` audit row are written in the same transaction.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        The store.
    reference : str
        The record's reference.
    settings : list of str
        The settings it is in (the same as now to confirm them).
    user, role, address : str
        Who corrected it, and from where.
    source : str, default "default"
        The record's source system.

    Returns
    -------
    dict
        ``id`` (the correction), ``incident_id``, ``before`` and ``after`` (settings).

    Raises
    ------
    TensionmapError
        If a setting is unknown or no such record is stored.

    Examples
    --------
    >>> correct(engine, "AB-2024-0000001", ["taxi"], user="ana", role="analyst",
    ...         address="10.0.0.7")  # doctest: +SKIP
    {'id': 1, 'incident_id': 17, 'before': 'street', 'after': 'taxi'}
    """
    chosen = clean_settings(settings)
    t = store.incidents
    when = store.now()
    with store.transaction(engine) as conn:
        row = conn.execute(
            sa.select(t.c.id, t.c.settings).where(
                (t.c.source == source) & (t.c.reference == reference)
            )
        ).first()
        if row is None:
            raise TensionmapError(f"no record {reference!r} from source {source!r} is stored.")
        before = row.settings or ""
        made = conn.execute(
            setting_corrections.insert().values(
                source=source,
                reference=reference,
                settings=chosen,
                previous_settings=before,
                user=user,
                corrected_at=when,
            )
        ).inserted_primary_key
        assert made is not None  # an insert of one row gives its key
        reasons = dict.fromkeys(filter(None, chosen.split(";")), f"correction:{when[:10]}")
        conn.execute(
            t.update()
            .where(t.c.id == row.id)
            .values(
                settings=chosen or None,
                setting_reasons=json.dumps(reasons),
                setting_confidence=1.0,
                needs_review=False,
            )
        )
        result = {"id": int(made[0]), "incident_id": int(row.id), "before": before, "after": chosen}
        audit.record_in(
            conn, "setting_correction", user=user, role=role, address=address,
            object=f"setting_corrections/{result['id']}",
            detail={"incident_id": result["incident_id"], "before": before, "after": chosen,
                    "confirmed": before == chosen},
        )  # fmt: skip
    return result
