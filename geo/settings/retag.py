"""``tensionmap retag``: re-run settings tagging over the whole store after rules change."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from geo import store
from geo.config import Workspace
from geo.settings.places import store_places
from geo.settings.rules import SETTING_ORDER, TaggingRules, tag_records


@dataclass(frozen=True)
class RetagResult:
    """What re-tagging changed.

    Attributes
    ----------
    records : int
        Records re-tagged.
    changed : int
        Records whose settings changed.
    added, removed : dict of str to int
        Per setting, how many records gained it and how many lost it.

    Examples
    --------
    >>> result = RetagResult(120, 3, {"taxi": 3}, {"street": 2})
    >>> for line in result.lines():
    ...     print(line)
    retagged 120 records: 3 changed settings
      taxi: +3 -0
      street: +0 -2
    """

    records: int
    changed: int
    added: dict[str, int]
    removed: dict[str, int]

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
    """Tag every stored record again with the workspace's current rules, in one transaction.

    The rules are the defaults with the workspace's ``[tagging]`` additions, and its
    stored places for proximity.

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
        tags = tag_records(
            evidence,
            rules=TaggingRules.from_config(workspace.config.tagging),
            places=store_places(workspace),
        )
        old = incidents["settings"].fillna("")
        changed = (old != tags["settings"]) | (
            incidents["setting_reasons"].fillna("{}") != tags["setting_reasons"]
        )
        before = old.str.split(";").map(lambda s: set(filter(None, s)))
        after = tags["settings"].str.split(";").map(lambda s: set(filter(None, s)))
        added = {
            s: int(sum(s in a and s not in b for a, b in zip(after, before, strict=True)))
            for s in SETTING_ORDER
        }
        removed = {
            s: int(sum(s in b and s not in a for a, b in zip(after, before, strict=True)))
            for s in SETTING_ORDER
        }
        update = tags[changed].assign(id=incidents.loc[changed, "id"].to_numpy())
        with store.transaction(engine) as conn:
            if len(update):
                stmt = (
                    store.incidents.update()
                    .where(store.incidents.c.id == sa.bindparam("_id"))
                    .values(settings=sa.bindparam("s"), setting_reasons=sa.bindparam("r"))
                )
                conn.execute(
                    stmt,
                    [
                        {"_id": int(i), "s": s or None, "r": r}
                        for i, s, r in zip(
                            update["id"], update["settings"], update["setting_reasons"], strict=True
                        )
                    ],
                )
        settings_changed = int((old != tags["settings"]).sum())
        return RetagResult(len(incidents), settings_changed, added, removed)
    finally:
        engine.dispose()
