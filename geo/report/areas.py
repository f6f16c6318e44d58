"""Where the records are: records per LSOA and strand markers per CSP.

The steering group's first glance (exact figures, for the roles that see them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class LsoaRecords:
    """Records per LSOA, zero-count LSOAs included.

    Parameters
    ----------
    lsoa_code : tuple of str
        The LSOAs, in the order asked for.
    records : tuple of int
        Records in each.

    Examples
    --------
    >>> LsoaRecords(("E01", "E02"), (2, 0)).to_frame().to_dict("list")
    {'lsoa_code': ['E01', 'E02'], 'records': [2, 0]}
    """

    lsoa_code: tuple[str, ...]
    records: tuple[int, ...]

    def to_frame(self) -> pd.DataFrame:
        """``lsoa_code`` and ``records``."""
        return pd.DataFrame({"lsoa_code": list(self.lsoa_code), "records": list(self.records)})


def records_by_lsoa(
    records: pd.DataFrame, lsoa_codes: Sequence[str] | pd.Series, *, strand: str = ""
) -> LsoaRecords:
    """Records per LSOA of ``lsoa_codes`` (0 where there are none).

    Parameters
    ----------
    records : pandas.DataFrame
        Records with ``lsoa_code`` and ``strands`` (``;``-separated).
    lsoa_codes : sequence of str
        The LSOAs to count in, in the order wanted.
    strand : str, optional
        Count only records marked with this strand (a whole marker); every record when
        empty.

    Returns
    -------
    LsoaRecords
        The counts; ``.to_frame()`` gives ``lsoa_code`` and ``records``.

    Examples
    --------
    >>> records = pd.DataFrame({"lsoa_code": ["E01", "E01", "E03"],
    ...                         "strands": ["race", "race;religion", "religion"]})
    >>> records_by_lsoa(records, ["E01", "E02", "E03"], strand="religion").records
    (1, 0, 1)
    """
    if strand:
        records = records[records["strands"].str.split(";").map(lambda s: strand in s)]
    counts = records.groupby("lsoa_code").size()
    codes = list(lsoa_codes)
    found = counts.reindex(codes).fillna(0).astype(int)
    return LsoaRecords(tuple(str(c) for c in codes), tuple(int(v) for v in found))


@dataclass(frozen=True)
class StrandsByCsp:
    """Strand markers per CSP, the CSP with most records first.

    Parameters
    ----------
    csp : tuple of str
        CSP names.
    strands : tuple of str
        The strand columns.
    counts : tuple of tuple of int
        Per strand, its markers in each CSP.
    records : tuple of int
        All records of each CSP (a record with two strands counts once).

    Examples
    --------
    >>> table = StrandsByCsp(("Watford",), ("race",), ((3,),), (3,)).to_frame()
    >>> table.to_dict("index")
    {'Watford': {'race': 3, 'all records': 3}}
    """

    csp: tuple[str, ...]
    strands: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    records: tuple[int, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row per CSP (indexed by name), a column per strand and ``all records``."""
        table = pd.DataFrame(index=pd.Index(list(self.csp), name="csp"))
        for strand, counts in zip(self.strands, self.counts, strict=True):
            table[strand] = list(counts)
        table["all records"] = list(self.records)
        return table


def strands_by_csp(records: pd.DataFrame, names: pd.Series) -> StrandsByCsp:
    """Strand markers per CSP and all records of each CSP.

    Parameters
    ----------
    records : pandas.DataFrame
        Records with ``csp_code`` and ``strands`` (``;``-separated).
    names : pandas.Series
        CSP name by CSP code (records of another CSP are left out).

    Returns
    -------
    StrandsByCsp
        The table; ``.to_frame()`` gives it indexed by CSP name.

    Examples
    --------
    >>> records = pd.DataFrame({"csp_code": ["W", "W", "S"],
    ...                         "strands": ["race", "race;religion", "religion"]})
    >>> table = strands_by_csp(records, pd.Series({"W": "Watford", "S": "St Albans"}))
    >>> table.to_frame().to_dict("index")["Watford"]
    {'race': 2, 'religion': 1, 'all records': 2}
    """
    named = records["csp_code"].map(names)
    markers = records.assign(strand=records["strands"].str.split(";")).explode("strand")
    table = pd.crosstab(markers["csp_code"].map(names), markers["strand"])
    table["all records"] = records.groupby(named).size()
    table = table.sort_values("all records", ascending=False)
    strands = [c for c in table.columns if c != "all records"]
    return StrandsByCsp(
        tuple(str(c) for c in table.index),
        tuple(str(s) for s in strands),
        tuple(tuple(int(v) for v in table[s]) for s in strands),
        tuple(int(v) for v in table["all records"]),
    )
