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
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> ColumnMapping:
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
        """Rename mapped columns to canonical names and translate mapped words."""
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
