"""The analysts' review queue (analyst and tactical roles): the records the tagger was
least sure of, and their corrections.

The queue is built here, on the server, for every request; a correction names a record by
its row id in that queue (the store's id of a record the server listed), never by anything
the browser's copy of the table holds. Corrections are written by
:func:`geo.settings.review.correct`, with the signed-in user, role and address, and audited
in the same transaction.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from dashboard.auth import address, current_role, current_user
from dashboard.auth.csrf import same_origin
from dashboard.data.access import ForbiddenError, require
from dashboard.data.source import engine
from geo.settings.review import correct, review_queue

#: Records listed in the queue (least sure first).
QUEUE_LIMIT = 200


def _reasons(text: str | None) -> str:
    """``setting_reasons`` as a short readable line (``nte: description:pub``)."""
    given = json.loads(text or "{}")
    return "; ".join(f"{s}: {r}" for s, r in given.items()) or "no rule matched"


def queue() -> pd.DataFrame:
    """The review queue as the page shows it: one row per record, least sure first.

    Columns ``id`` (the row id the page sends back), ``reference``, ``date``,
    ``location_type``, ``description``, ``settings``, ``confidence`` and ``reasons``.
    """
    require("review")
    frame = review_queue(engine(), limit=QUEUE_LIMIT)
    return pd.DataFrame(
        {
            "id": frame["id"].astype(int),
            "reference": frame["reference"],
            "date": frame["recorded_at"].astype(str).str.slice(0, 10),
            "location_type": frame["location_type"].fillna(""),
            "description": frame["description"].fillna(""),
            "settings": frame["settings"].fillna(""),
            "confidence": frame["setting_confidence"].astype(float).round(2),
            "reasons": frame["setting_reasons"].map(_reasons),
        }
    )


def listed(row_id: int) -> dict[str, Any] | None:
    """The queue's row ``row_id`` (with its ``source``), or ``None`` if not listed now."""
    require("review")
    frame = review_queue(engine(), limit=QUEUE_LIMIT)
    found = frame[frame["id"] == row_id]
    if found.empty:
        return None
    row = found.iloc[0]
    return {"id": int(row["id"]), "source": str(row["source"]),
            "reference": str(row["reference"]), "settings": str(row["settings"] or "")}  # fmt: skip


def listed_ids() -> tuple[int, ...]:
    """The row ids the queue lists now (the only ones a correction may name)."""
    require("review")
    return tuple(int(i) for i in review_queue(engine(), limit=QUEUE_LIMIT)["id"])


def save_correction(row_id: int, settings: list[str]) -> dict[str, Any]:
    """Store the signed-in user's correction (or confirmation) of a listed record.

    Raises ``ForbiddenError`` when the browser says the request came from another site
    (``Origin``/``Referer``), and ``LookupError`` when the record is no longer in the
    queue (someone else corrected it since the page was drawn).
    """
    require("review")
    if not same_origin():  # a write: the JSON content type and SameSite cookie, and this
        raise ForbiddenError("a correction must come from this site's own page")
    row = listed(row_id)
    if row is None:
        raise LookupError("that record is no longer in the review queue")
    done = correct(
        engine(), row["reference"], settings, user=current_user() or "", role=current_role() or "",
        address=address(), source=row["source"],
    )  # fmt: skip
    return {**done, "reference": row["reference"]}
