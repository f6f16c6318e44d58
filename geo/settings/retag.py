"""``tensionmap retag``: tag the whole store again after the rules, model or corrections change.

Each record gets the rules' tags combined with the workspace's trained model into one tag
with a confidence (:mod:`geo.settings.confidence`); analysts' corrections win
(:mod:`geo.settings.review`). When any tag changed, the re-tag is recorded as a batch of
its own, so the data version moves on and the dashboard and partner maps read the new
tags.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo import store
from geo.config import Workspace
from geo.settings.review import final_tags
from geo.settings.rules import SETTING_ORDER


@dataclass(frozen=True)
class RetagResult:
    """What re-tagging changed.

    Attributes
    ----------
    records : int
        Records re-tagged.
    changed : int
        Records whose settings changed.
    review : int
        Records marked ``needs_review`` after re-tagging (0 when not counted).
    added, removed : dict of str to int
        Per setting, how many records gained it and how many lost it.

    Examples
    --------
    >>> result = RetagResult(120, 3, {"taxi": 3}, {"street": 2}, review=7)
    >>> for line in result.lines():
    ...     print(line)
    retagged 120 records: 3 changed settings
      taxi: +3 -0
      street: +0 -2
    7 records need review (confidence below the threshold)
    """

    records: int
    changed: int
    added: dict[str, int]
    removed: dict[str, int]
    review: int = 0

    def lines(self) -> list[str]:
        """The result as lines of text, one per setting that changed.

        Returns
        -------
        list of str
            What ``tensionmap retag`` prints.
        """
        out = [f"retagged {self.records} records: {self.changed} changed settings"]
        for setting in SETTING_ORDER:
            plus, minus = self.added.get(setting, 0), self.removed.get(setting, 0)
            if plus or minus:
                out.append(f"  {setting}: +{plus} -{minus}")
        if self.review:
            out.append(f"{self.review} records need review (confidence below the threshold)")
        return out


def _occupations(attributes: pd.Series) -> pd.DataFrame:
    """The victim and suspect occupations kept in the records' JSON attributes."""
    parsed = attributes.fillna("{}").map(json.loads)
    return pd.DataFrame(
        {
            c: parsed.map(lambda a, c=c: a.get(c, ""))
            for c in ("victim_occupation", "suspect_occupation")
        },
        index=attributes.index,
    )


def retag(workspace: Workspace) -> RetagResult:
    """Tag every stored record again, in one transaction: rules, model, corrections.

    The rules are the defaults with the workspace's ``[tagging]`` additions and its stored
    places for proximity; the model is the workspace's trained one, if any; a record's
    latest correction wins.

    Parameters
    ----------
    workspace : geo.config.Workspace
        The workspace.

    Returns
    -------
    RetagResult
        What changed.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     print(retag(Workspace.open(folder)).lines())
    ['retagged 0 records: 0 changed settings']
    """
    engine = store.connect(workspace.database_url)
    try:
        incidents = store.read_incidents(engine, include_context=True, located_only=False)
        if incidents.empty:
            return RetagResult(0, 0, {}, {})
        evidence = incidents.join(_occupations(incidents["attributes"]))
        tags = final_tags(
            workspace, evidence, source=incidents["source"],
            references=incidents["reference"], engine=engine,
        )  # fmt: skip
        old = incidents["settings"].fillna("")
        changed = (
            (old != tags["settings"])
            | (incidents["setting_reasons"].fillna("{}") != tags["setting_reasons"])
            | (incidents["setting_confidence"].astype(float) != tags["setting_confidence"])
            | (incidents["needs_review"].astype("boolean") != tags["needs_review"]).fillna(True)
        )
        before = old.str.split(";").map(lambda s: set(filter(None, s)))
        after = tags["settings"].str.split(";").map(lambda s: set(filter(None, s)))
        pairs = list(zip(after, before, strict=True))
        added = {s: int(sum(s in a and s not in b for a, b in pairs)) for s in SETTING_ORDER}
        removed = {s: int(sum(s in b and s not in a for a, b in pairs)) for s in SETTING_ORDER}
        with store.transaction(engine) as conn:
            _write(conn, tags[changed].assign(_id=incidents.loc[changed, "id"].to_numpy()))
            if changed.any():
                _record_batch(conn, int(changed.sum()), len(incidents))
        settings_changed = int((old != tags["settings"]).sum())
        review = int(tags["needs_review"].sum())
        return RetagResult(len(incidents), settings_changed, added, removed, review)
    finally:
        engine.dispose()


def _write(conn: Connection, update: pd.DataFrame) -> None:
    """Store the new tags of the ``update`` rows (``_id`` is the record's id)."""
    if update.empty:
        return
    t = store.incidents
    stmt = (
        t.update()
        .where(t.c.id == sa.bindparam("_id"))
        .values(
            settings=sa.bindparam("s"),
            setting_reasons=sa.bindparam("r"),
            setting_confidence=sa.bindparam("c"),
            needs_review=sa.bindparam("n"),
        )
    )
    rows = zip(update["_id"], update["settings"], update["setting_reasons"],
               update["setting_confidence"], update["needs_review"], strict=True)  # fmt: skip
    conn.execute(
        stmt,
        [{"_id": int(i), "s": s or None, "r": r, "c": float(c), "n": bool(n)}
         for i, s, r, c, n in rows],
    )  # fmt: skip


def _record_batch(conn: Connection, changed: int, records: int) -> None:
    """A batch of its own, so the data version moves on and caches read the new tags."""
    batch = store.start_batch(
        conn, kind="retag:settings", source="retag", file_name="[retag]",
        sha256="", encoding="",
    )  # fmt: skip
    store.finish_batch(conn, batch, {"rows": records, "updated": changed}, rejects_path="")
