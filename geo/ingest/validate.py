"""Row validation for canonical incident records, vectorised over whole columns.

Each row either passes (its values normalised) or gets one reject ``reason`` and a
human-readable ``detail`` naming the column, the value and what was expected. Reasons:
``missing_required``, ``field_too_long``, ``invalid_date``, ``future_date``,
``invalid_record_type``, ``unknown_strand``, ``invalid_online`` (then the geocoding
reasons of :mod:`geo.geography.geocoder`, and ``duplicate_reference`` at the end).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from geo.vocab import (
    CONTEXT_RECORD_TYPE,
    FALSE_WORDS,
    MONITORED_STRANDS,
    RECORD_TYPE_SYNONYMS,
    TRUE_WORDS,
    parse_strands,
)

#: Longest value accepted per column (characters); longer is rejected, not truncated.
MAX_LENGTH = {
    "reference": 64,
    "recorded_at": 40,
    "record_type": 40,
    "offence": 200,
    "strands": 200,
    "location_type": 100,
    "online": 10,
    "postcode": 12,
    "victim_id": 64,
    "description": 10_000,
    "latitude": 30,
    "longitude": 30,
    "easting": 30,
    "northing": 30,
}

_ISO = r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
_UK = r"^\d{1,2}/\d{1,2}/\d{4}(?: \d{1,2}:\d{2}(?::\d{2})?)?$"


Detail = str | pd.Series | Callable[[pd.Index], Iterable[str]]


def quoting(values: pd.Series, template: str) -> Callable[[pd.Index], list[str]]:
    """Detail builder: ``template`` with ``{value!r}`` filled from ``values`` per row."""
    return lambda rows: [template.format(value=v) for v in values[rows]]


class Rejecter:
    """Collects the first reject reason per row."""

    def __init__(self, index: pd.Index) -> None:
        self.reason = pd.Series("", index=index, dtype=object)
        self.detail = pd.Series("", index=index, dtype=object)

    def __call__(self, mask: pd.Series, reason: str, detail: Detail) -> None:
        """Give ``reason`` to the rows in ``mask`` that have none yet.

        ``detail`` is a text, a Series of texts, or a function of those rows' index
        returning one text per row (so detail is only ever built for rejected rows).
        """
        mask = mask & self.reason.eq("")
        if mask.any():
            self.reason[mask] = reason
            rows = mask.index[mask.to_numpy()]
            if isinstance(detail, pd.Series):
                self.detail[mask] = detail[rows].to_numpy()
            else:
                texts = [detail] * len(rows) if isinstance(detail, str) else list(detail(rows))
                self.detail[mask] = pd.Series(texts, index=rows)

    @property
    def ok(self) -> pd.Series:
        return self.reason.eq("")

    def counts(self) -> dict[str, int]:
        """Rejected rows per reason."""
        return {str(k): int(v) for k, v in self.reason[~self.ok].value_counts().items()}


def column(frame: pd.DataFrame, name: str) -> pd.Series:
    """The column as stripped text, or empty strings when absent."""
    if name not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[name].astype(str).str.strip()


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ISO 8601 or UK ``dd/mm/yyyy[ HH:MM[:SS]]`` text → (timestamps, time_known).

    Unparseable or impossible dates (31/02/2024) give NaT.
    """
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[s]")
    iso = values.str.match(_ISO)
    uk = values.str.match(_UK)
    if iso.any():
        parsed = pd.to_datetime(
            values[iso].str.replace(" ", "T"), format="ISO8601", errors="coerce"
        )
        out[iso] = parsed.dt.floor("s").astype("datetime64[s]")
    if uk.any():
        uk_vals = values[uk]
        n_colons = uk_vals.str.count(":")
        for colons, fmt in ((0, "%d/%m/%Y"), (1, "%d/%m/%Y %H:%M"), (2, "%d/%m/%Y %H:%M:%S")):
            part = uk_vals[n_colons == colons]
            if len(part):
                out[part.index] = pd.to_datetime(part, format=fmt, errors="coerce").astype(
                    "datetime64[s]"
                )
    time_known = values.str.contains(":", regex=False)
    return out, time_known


def _iso_text(when: pd.Series) -> pd.Series:
    """``2024-05-01T21:30:00`` text (None for NaT), formatted in C rather than per row."""
    text = np.datetime_as_string(when.to_numpy(dtype="datetime64[s]"), unit="s").astype(object)
    text[when.isna().to_numpy()] = None
    return pd.Series(text, index=when.index)


def parse_bool(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """true/false/yes/no/1/0 (any case; empty = false) → (booleans, valid)."""
    lowered = values.str.lower()
    is_true = lowered.isin(TRUE_WORDS)
    valid = is_true | lowered.isin(FALSE_WORDS)
    return is_true, valid


def validate_incidents(
    frame: pd.DataFrame,
    *,
    extra_strands: list[str],
    future_tolerance_days: int = 1,
    now: datetime | None = None,
    context: bool = False,
) -> tuple[pd.DataFrame, Rejecter]:
    """Validate canonical rows; return normalised values and the rejecter.

    Parameters
    ----------
    frame
        Canonical columns as text.
    extra_strands
        Non-monitored strands the workspace accepts.
    context
        The rows are context crime (data.police.uk): no strands expected.

    Returns
    -------
    (values, rejecter)
        ``values`` has ``reference``, ``recorded_at`` (ISO text), ``time_known``,
        ``record_type``, ``is_hate``, ``offence``, ``strands``, ``location_type``,
        ``online``, ``description``, ``victim_id`` aligned to ``frame``.
    """
    reject = Rejecter(frame.index)
    text = {c: column(frame, c) for c in MAX_LENGTH}
    text["description"] = (
        frame["description"].astype(str) if "description" in frame.columns else text["description"]
    )

    for name in (
        ("reference", "recorded_at") if context else ("reference", "recorded_at", "strands")
    ):
        reject(
            text[name].eq(""), "missing_required", f"column {name!r} is empty; a value is required"
        )

    for name, limit in MAX_LENGTH.items():
        lengths = text[name].str.len()
        too_long = lengths > limit
        if too_long.any():
            reject(
                too_long,
                "field_too_long",
                quoting(
                    lengths, f"column {name!r} has {{value}} characters; at most {limit} allowed"
                ),
            )

    when, time_known = parse_dates(text["recorded_at"])
    reject(
        when.isna() | (when < pd.Timestamp("1900-01-01")),
        "invalid_date",
        quoting(
            text["recorded_at"],
            "column 'recorded_at' value {value!r}: not a real date; expected ISO 8601 "
            "(2024-05-01, 2024-05-01T21:30) or UK 01/05/2024[ 21:30]",
        ),
    )
    latest = pd.Timestamp(now or datetime.now()) + timedelta(days=future_tolerance_days)
    reject(
        when > latest,
        "future_date",
        quoting(
            text["recorded_at"],
            "column 'recorded_at' value {value!r}: is in the future "
            f"(after {latest:%Y-%m-%d %H:%M})",
        ),
    )

    if context:
        record_type = pd.Series(CONTEXT_RECORD_TYPE, index=frame.index, dtype=object)
    else:
        raw_type = text["record_type"].str.lower()
        record_type = raw_type.map(RECORD_TYPE_SYNONYMS)
        record_type[raw_type.eq("")] = "crime"
        reject(
            record_type.isna(),
            "invalid_record_type",
            quoting(
                text["record_type"],
                "column 'record_type' value {value!r}: expected 'crime' or 'incident'",
            ),
        )

    strands = pd.Series("", index=frame.index, dtype=object)
    if not context:
        # parse each distinct cell once: exports repeat a handful of values a million times
        codes, distinct = pd.factorize(text["strands"])
        parsed = [parse_strands(str(raw), extra_strands) for raw in distinct]
        known = np.array([";".join(p[0]) for p in parsed] + [""], dtype=object)
        unknown_words = np.array([", ".join(map(repr, p[1])) for p in parsed] + [""], dtype=object)
        strands = pd.Series(known[codes], index=frame.index)
        unknown = pd.Series(unknown_words[codes], index=frame.index)
        allowed = ", ".join((*MONITORED_STRANDS, *extra_strands))
        reject(
            unknown.ne(""),
            "unknown_strand",
            quoting(
                unknown,
                f"column 'strands': {{value}} not a known strand; expected one or more of "
                f"{allowed} separated by ';'",
            ),
        )

    online, online_ok = parse_bool(text["online"])
    reject(
        ~online_ok,
        "invalid_online",
        quoting(
            text["online"], "column 'online' value {value!r}: expected true/false, yes/no or 1/0"
        ),
    )

    values = pd.DataFrame(
        {
            "reference": text["reference"],
            "recorded_at": _iso_text(when),
            "time_known": time_known.to_numpy(),
            "record_type": record_type,
            "is_hate": not context,
            "offence": text["offence"],
            "strands": strands,
            "location_type": text["location_type"],
            "online": online.to_numpy(),
            "description": text["description"],
            "victim_id": text["victim_id"],
        },
        index=frame.index,
    )
    values["time_known"] = values["time_known"].astype(bool)
    values["online"] = values["online"].astype(object).where(text["online"].ne(""), None)
    return values, reject
