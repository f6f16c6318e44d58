"""The rejects CSV a user opens in Excel to fix and re-submit rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.export import neutralise_formulas


def write_rejects_csv(path: Path, rejects: pd.DataFrame, columns: list[str]) -> None:
    """``row_number``, ``reason``, ``detail`` then the original columns, formulas neutralised."""
    original = pd.DataFrame(list(rejects["raw"]), columns=columns, index=rejects.index)
    out = pd.concat([rejects[["row_number", "reason", "detail"]], original], axis=1)
    tmp = path.with_suffix(".tmp")
    neutralise_formulas(out).to_csv(tmp, index=False, encoding="utf-8-sig")
    tmp.replace(path)
