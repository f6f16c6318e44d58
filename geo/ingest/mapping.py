"""Column mappings: another export's column names and value words onto the canonical CSV.

A mapping file (TOML or YAML) has two optional tables::

    [columns]            # canonical name = the export's column name
    reference = "Crime Reference"
    recorded_at = "Date Committed"
    strands = "Hate Flags"

    [values.strands]     # the export's word = canonical word (per canonical column)
    "Race Hate" = "race"
    [values.record_type]
    "NCHI" = "incident"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from geo._errors import InputFileError

CANONICAL_COLUMNS = (
    "reference",
    "recorded_at",
    "record_type",
    "offence",
    "strands",
    "latitude",
    "longitude",
    "easting",
    "northing",
    "postcode",
    "location_type",
    "online",
    "description",
    "victim_id",
)


@dataclass(frozen=True)
class ColumnMapping:
    """Another export's column names and value words, mapped onto the canonical ones.

    Read one from a file with :meth:`load`; :meth:`apply` maps a file's rows.

    Parameters
    ----------
    columns : dict of str to str
        Canonical column name → the export's column name.
    values : dict of str to dict
        Per canonical column, the export's word → the canonical word (matched ignoring
        case and surrounding spaces; ``strands`` cells are mapped word by word).

    Examples
    --------
    >>> mapping = ColumnMapping({"reference": "Crime Reference", "strands": "Hate Flags"},
    ...                         {"strands": {"Race Hate": "race", "Faith": "religion"}})
    >>> export = pd.DataFrame({"Crime Reference": ["A1"], "Hate Flags": ["Race Hate|faith"]})
    >>> mapping.apply(export, Path("export.csv"))
      reference        strands
    0        A1  race;religion
    """

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> ColumnMapping:
        """Read a mapping file (TOML, or YAML when it ends in ``.yaml`` or ``.yml``).

        Parameters
        ----------
        path : pathlib.Path
            The mapping file, with optional tables ``columns`` and ``values``.

        Returns
        -------
        ColumnMapping
            The mapping it holds.

        Raises
        ------
        InputFileError
            When the file is missing, not valid TOML/YAML, has other sections, or maps
            onto a column that is not canonical.
        """
        if not path.exists():
            raise InputFileError(f"{path}: mapping file not found.")
        text = path.read_text(encoding="utf-8-sig")
        try:
            data = (
                yaml.safe_load(text)
                if path.suffix.lower() in (".yaml", ".yml")
                else tomllib.loads(text)
            )
        except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
            raise InputFileError(
                f"{path}: the mapping file is not valid TOML/YAML ({exc})."
            ) from exc
        if not isinstance(data, dict):
            raise InputFileError(f"{path}: expected tables 'columns' and 'values'.")
        unknown = sorted(set(data) - {"columns", "values"})
        if unknown:
            raise InputFileError(
                f"{path}: unknown section(s) {unknown}; allowed: 'columns', 'values'."
            )
        columns = {str(k): str(v) for k, v in (data.get("columns") or {}).items()}
        bad = sorted(set(columns) - set(CANONICAL_COLUMNS))
        if bad:
            raise InputFileError(
                f"{path}: [columns] names {bad} are not canonical columns; "
                f"allowed: {list(CANONICAL_COLUMNS)}."
            )
        values = {
            str(col): {str(k): str(v) for k, v in (words or {}).items()}
            for col, words in (data.get("values") or {}).items()
        }
        return cls(columns, values)

    def apply(self, frame: pd.DataFrame, path: Path) -> pd.DataFrame:
        """Rename mapped columns to canonical names and translate mapped words.

        Parameters
        ----------
        frame : pandas.DataFrame
            The export's rows, as text.
        path : pathlib.Path
            The export, named in error messages.

        Returns
        -------
        pandas.DataFrame
            The rows with canonical column names and words.

        Raises
        ------
        InputFileError
            When the mapping names a column the file does not have.
        """
        missing = [src for src in self.columns.values() if src not in frame.columns]
        if missing:
            raise InputFileError(
                f"{path}: the mapping names column(s) {missing} that the file does not have; "
                f"the file has {list(frame.columns)}."
            )
        out = frame.rename(columns={src: canon for canon, src in self.columns.items()})
        for col, words in self.values.items():
            if col in out.columns:
                lowered = {k.strip().lower(): v for k, v in words.items()}
                if col == "strands":
                    out[col] = [_map_list(cell, lowered) for cell in out[col]]
                else:
                    stripped = out[col].str.strip().str.lower()
                    out[col] = stripped.map(lowered).fillna(out[col])
        return out


def _map_list(cell: str, words: dict[str, str]) -> str:
    parts = [p.strip() for p in str(cell).replace("|", ";").split(";")]
    return ";".join(words.get(p.lower(), p) for p in parts if p)
