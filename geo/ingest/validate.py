"""Row validation for canonical incident records, vectorised over whole columns.

Each row either passes (its values normalised) or gets one reject ``reason`` and a
human-readable ``detail`` naming the column, the value and what was expected. Reasons:
``missing_required``, ``field_too_long``, ``invalid_date``, ``future_date``,
``invalid_record_type``, ``unknown_strand``, ``invalid_online``, and
``duplicate_reference`` at the end. A location problem never rejects a row: the record is
kept with a location status (:mod:`geo.geography.location_status`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from geo.ingest.fields import column, parse_bool, parse_dates
from geo.vocab import CONTEXT_RECORD_TYPE, MONITORED_STRANDS, RECORD_TYPE_SYNONYMS, parse_strands

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

Detail = str | pd.Series | Callable[[pd.Index], Iterable[str]]


def quoting(values: pd.Series, template: str) -> Callable[[pd.Index], list[str]]:
    """Detail builder: ``template`` with ``{value!r}`` filled from ``values`` per row.

    Parameters
    ----------
    values : pandas.Series
        The values the details quote, indexed like the rows.
    template : str
        A :meth:`str.format` template naming ``{value}`` (``{value!r}`` to quote it).

    Returns
    -------
    callable
        A function of the rejected rows' index giving one detail text per row, for
        :class:`Rejecter`.

    Examples
    --------
    >>> detail = quoting(pd.Series(["x", "2024-13-01"]), "not a date: {value!r}")
    >>> detail(pd.Index([1]))
    ["not a date: '2024-13-01'"]
    """
    return lambda rows: [template.format(value=v) for v in values[rows]]


class Rejecter:
    """Collects the first reject reason per row.

    Call it once per check, in the order the checks should win: a row keeps the first
    reason it is given.

    Parameters
    ----------
    index : pandas.Index
        The rows.

    Attributes
    ----------
    reason : pandas.Series
        Per row, its reject reason, or ``""`` while it passes.
    detail : pandas.Series
        Per row, the human-readable detail of its reason.

    Examples
    --------
    >>> values = pd.Series(["2024-05-01", "", "tomorrow"])
    >>> reject = Rejecter(values.index)
    >>> reject(values.eq(""), "missing_required", "column 'recorded_at' is empty")
    >>> reject(values.ne("2024-05-01"), "invalid_date", quoting(values, "{value!r}"))
    >>> reject.reason.tolist(), reject.ok.tolist()
    (['', 'missing_required', 'invalid_date'], [True, False, False])
    >>> reject.counts()
    {'missing_required': 1, 'invalid_date': 1}
    """

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
        """Which rows have no reject reason."""
        return self.reason.eq("")

    def counts(self) -> dict[str, int]:
        """Rejected rows per reason."""
        return {str(k): int(v) for k, v in self.reason[~self.ok].value_counts().items()}


def _iso_text(when: pd.Series) -> pd.Series:
    """``2024-05-01T21:30:00`` text (None for NaT), formatted in C rather than per row."""
    text = np.datetime_as_string(when.to_numpy(dtype="datetime64[s]"), unit="s").astype(object)
    text[when.isna().to_numpy()] = None
    return pd.Series(text, index=when.index)


def _check_lengths(text: dict[str, pd.Series], reject: Rejecter) -> None:
    """Reject values longer than :data:`MAX_LENGTH` allows."""
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


def _check_dates(
    recorded_at: pd.Series, reject: Rejecter, latest: pd.Timestamp
) -> tuple[pd.Series, pd.Series]:
    """Parse ``recorded_at``, rejecting dates that are not real or after ``latest``."""
    when, time_known = parse_dates(recorded_at)
    reject(
        when.isna() | (when < pd.Timestamp("1900-01-01")),
        "invalid_date",
        quoting(
            recorded_at,
            "column 'recorded_at' value {value!r}: not a real date; expected ISO 8601 "
            "(2024-05-01, 2024-05-01T21:30) or UK 01/05/2024[ 21:30]",
        ),
    )
    reject(
        when > latest,
        "future_date",
        quoting(
            recorded_at,
            "column 'recorded_at' value {value!r}: is in the future "
            f"(after {latest:%Y-%m-%d %H:%M})",
        ),
    )
    return when, time_known


def _record_types(text: pd.Series, reject: Rejecter) -> pd.Series:
    """``crime`` or ``incident`` from the export's words (empty means crime)."""
    raw_type = text.str.lower()
    record_type = raw_type.map(RECORD_TYPE_SYNONYMS)
    record_type[raw_type.eq("")] = "crime"
    reject(
        record_type.isna(),
        "invalid_record_type",
        quoting(text, "column 'record_type' value {value!r}: expected 'crime' or 'incident'"),
    )
    return record_type


def _strands(text: pd.Series, reject: Rejecter, extra_strands: list[str]) -> pd.Series:
    """The known strands of each cell, ``;``-separated, rejecting unknown words."""
    # parse each distinct cell once: exports repeat a handful of values a million times
    codes, distinct = pd.factorize(text)
    parsed = [parse_strands(str(raw), extra_strands) for raw in distinct]
    known = np.array([";".join(p[0]) for p in parsed] + [""], dtype=object)
    unknown_words = np.array([", ".join(map(repr, p[1])) for p in parsed] + [""], dtype=object)
    strands = pd.Series(known[codes], index=text.index)
    unknown = pd.Series(unknown_words[codes], index=text.index)
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
    return strands


def validate_incidents(
    frame: pd.DataFrame,
    *,
    extra_strands: list[str],
    future_tolerance_days: int = 1,
    now: datetime | None = None,
    context: bool = False,
) -> tuple[pd.DataFrame, Rejecter]:
    """Validate canonical rows; return normalised values and the rejecter.

    Each row gets at most one reason, the first of (in this order) ``missing_required``,
    ``field_too_long``, ``invalid_date``, ``future_date``, ``invalid_record_type``,
    ``unknown_strand`` and ``invalid_online`` that it fails.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical columns as text.
    extra_strands : list of str
        Non-monitored strands the workspace accepts.
    future_tolerance_days : int, default 1
        How far after ``now`` a record may be dated (clocks differ).
    now : datetime.datetime, optional
        The time of ingest (default: the current time).
    context : bool, default False
        The rows are context crime (data.police.uk): no strands expected.

    Returns
    -------
    values : pandas.DataFrame
        ``reference``, ``recorded_at`` (ISO text), ``time_known``, ``record_type``,
        ``is_hate``, ``offence``, ``strands``, ``location_type``, ``online``,
        ``description``, ``victim_id`` aligned to ``frame``.
    rejecter : Rejecter
        The reject reason and detail of each row (empty where the row passed).

    Examples
    --------
    >>> frame = pd.DataFrame({"reference": ["A1", "A2"],
    ...                       "recorded_at": ["01/05/2024 21:30", "2024-05-02"],
    ...                       "strands": ["Race; religion", "gender"]})
    >>> values, reject = validate_incidents(frame, extra_strands=[],
    ...                                     now=datetime(2024, 6, 1))
    >>> values.loc[0, ["recorded_at", "record_type", "strands"]].tolist()
    ['2024-05-01T21:30:00', 'crime', 'race;religion']
    >>> values["time_known"].tolist()
    [True, False]
    >>> reject.reason.tolist()
    ['', 'unknown_strand']
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
    _check_lengths(text, reject)
    latest = pd.Timestamp(now or datetime.now()) + timedelta(days=future_tolerance_days)
    when, time_known = _check_dates(text["recorded_at"], reject, latest)
    if context:
        record_type = pd.Series(CONTEXT_RECORD_TYPE, index=frame.index, dtype=object)
    else:
        record_type = _record_types(text["record_type"], reject)
    strands = pd.Series("", index=frame.index, dtype=object)
    if not context:
        strands = _strands(text["strands"], reject, extra_strands)

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
