"""A CSV's fields read as values: stripped text, dates and yes/no answers.

Dates are ISO 8601 (``2024-05-01``, ``2024-05-01T21:30``) or UK (``01/05/2024 21:30``);
yes/no answers are true/false, yes/no or 1/0 in any case, empty meaning no.
"""

from __future__ import annotations

import pandas as pd

from geo.vocab import FALSE_WORDS, TRUE_WORDS

_ISO = r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
_UK = r"^\d{1,2}/\d{1,2}/\d{4}(?: \d{1,2}:\d{2}(?::\d{2})?)?$"


def column(frame: pd.DataFrame, name: str) -> pd.Series:
    """The column as stripped text, or empty strings when absent.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows read as text.
    name : str
        The column wanted.

    Returns
    -------
    pandas.Series
        The column's values stripped of surrounding spaces, aligned to ``frame``.

    Examples
    --------
    >>> frame = pd.DataFrame({"reference": [" A1 ", "B2"]})
    >>> column(frame, "reference").tolist(), column(frame, "postcode").tolist()
    (['A1', 'B2'], ['', ''])
    """
    if name not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[name].astype(str).str.strip()


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ISO 8601 or UK ``dd/mm/yyyy[ HH:MM[:SS]]`` text → (timestamps, time_known).

    Unparseable or impossible dates (31/02/2024) give NaT.

    Parameters
    ----------
    values : pandas.Series
        Dates as text.

    Returns
    -------
    timestamps : pandas.Series
        ``datetime64[s]`` values, NaT where the text is not a real date.
    time_known : pandas.Series
        Whether the text gave a time of day.

    Examples
    --------
    >>> when, time_known = parse_dates(pd.Series(["2024-05-01T21:30", "01/05/2024",
    ...                                           "31/02/2024"]))
    >>> when.tolist()
    [Timestamp('2024-05-01 21:30:00'), Timestamp('2024-05-01 00:00:00'), NaT]
    >>> time_known.tolist()
    [True, False, False]
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


def parse_bool(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """true/false/yes/no/1/0 (any case; empty = false) → (booleans, valid).

    Parameters
    ----------
    values : pandas.Series
        Yes/no answers as text.

    Returns
    -------
    booleans : pandas.Series
        True for a yes word, False otherwise.
    valid : pandas.Series
        Whether the text was a yes or no word (or empty).

    Examples
    --------
    >>> booleans, valid = parse_bool(pd.Series(["Yes", "0", "", "maybe"]))
    >>> booleans.tolist(), valid.tolist()
    ([True, False, False, False], [True, True, True, False])
    """
    lowered = values.str.lower()
    is_true = lowered.isin(TRUE_WORDS)
    valid = is_true | lowered.isin(FALSE_WORDS)
    return is_true, valid
