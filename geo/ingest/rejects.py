"""The rejects CSV a user opens in Excel to fix and re-submit rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.export import neutralise_formulas


def write_rejects_csv(path: Path, rejects: pd.DataFrame, columns: list[str]) -> None:
    """Write the rejects CSV: ``row_number``, ``reason``, ``detail``, then the original columns.

    Text that a spreadsheet would run as a formula is neutralised; the file is written
    whole or not at all (through a temporary file).

    Parameters
    ----------
    path : pathlib.Path
        The CSV to write.
    rejects : pandas.DataFrame
        ``row_number``, ``reason``, ``detail`` and ``raw`` (a dict of the row's original
        values) per rejected row.
    columns : list of str
        The input file's columns, in its order.

    Examples
    --------
    >>> import tempfile
    >>> bad = pd.DataFrame({"row_number": [3], "reason": ["invalid_date"],
    ...                     "detail": ["not a real date"],
    ...                     "raw": [{"reference": "A2", "recorded_at": "=NOW()"}]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = Path(folder) / "rejects.csv"
    ...     write_rejects_csv(out, bad, ["reference", "recorded_at"])
    ...     print(out.read_text(encoding="utf-8-sig"))
    row_number,reason,detail,reference,recorded_at
    3,invalid_date,not a real date,A2,'=NOW()
    <BLANKLINE>
    """
    original = pd.DataFrame(list(rejects["raw"]), columns=columns, index=rejects.index)
    out = pd.concat([rejects[["row_number", "reason", "detail"]], original], axis=1)
    tmp = path.with_suffix(".tmp")
    neutralise_formulas(out).to_csv(tmp, index=False, encoding="utf-8-sig")
    tmp.replace(path)
