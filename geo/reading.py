"""Reading a user's CSV: encoding detection, parsing as text, and whole-file checks.

Every value is read as text (nothing is converted or lost before validation). Row
numbers are as a spreadsheet shows them: the header is row 1, the first data row 2.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo._errors import InputFileError, close_matches

#: Tried in this order; the first that decodes the whole file wins and is reported.
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


@dataclass(frozen=True)
class RawTable:
    """A CSV file read as text, with what we learned reading it.

    Made by :func:`read_csv_file`.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    frame : pandas.DataFrame
        Every value as text, column names stripped.
    encoding : str
        The encoding that decoded the file (``utf-8``, ``cp1252`` or ``latin-1``).
    sha256 : str
        The file's sha256 (hex).

    Examples
    --------
    >>> raw = RawTable(Path("may.csv"), pd.DataFrame({"reference": ["A1", "A2"]}), "utf-8", "")
    >>> raw.row_numbers.tolist()  # as a spreadsheet shows them: the header is row 1
    [2, 3]
    """

    path: Path
    frame: pd.DataFrame
    encoding: str
    sha256: str

    @property
    def row_numbers(self) -> pd.Series:
        """Each row's number as a spreadsheet shows it (the first data row is 2)."""
        return pd.Series(self.frame.index + 2, index=self.frame.index)


def read_csv_file(path: Path) -> RawTable:
    r"""Read ``path`` as a comma-separated file with a header row, every value as text.

    Parameters
    ----------
    path : pathlib.Path
        The CSV file.

    Returns
    -------
    RawTable
        The values as text, the encoding used and the file's sha256.

    Raises
    ------
    InputFileError
        When the file is missing, unreadable, empty, binary, or not parseable as CSV.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "may.csv"
    ...     _ = path.write_bytes("reference,offence\nA1,Harassment – café\n".encode("cp1252"))
    ...     raw = read_csv_file(path)
    >>> raw.encoding, raw.frame.loc[0, "offence"]
    ('cp1252', 'Harassment – café')
    """
    if not path.exists():
        raise InputFileError(f"{path}: no such file.")
    if path.is_dir():
        raise InputFileError(f"{path}: is a folder, not a CSV file.")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror}).") from exc
    if not data.strip():
        raise InputFileError(f"{path}: the file is empty; a header row and data rows are expected.")
    if b"\x00" in data[:65536]:
        raise InputFileError(
            f"{path}: this is not a CSV text file (it contains binary data; an Excel workbook "
            "must first be saved as 'CSV UTF-8')."
        )
    encoding = _detect_encoding(data)
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            encoding=encoding,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skipinitialspace=False,
            quoting=csv.QUOTE_MINIMAL,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputFileError(
            f"{path}: could not be read as comma-separated values ({exc}). "
            "Check it is a CSV export with a header row."
        ) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    if len(frame.columns) < 2:
        raise InputFileError(
            f"{path}: only one column ({frame.columns[0]!r}) was found; the file is not "
            "comma-separated (a semicolon or tab export must be re-saved as CSV)."
        )
    return RawTable(path, frame, encoding.replace("-sig", ""), hashlib.sha256(data).hexdigest())


def _detect_encoding(data: bytes) -> str:
    """The first of :data:`ENCODINGS` that decodes the whole file."""
    for enc in ENCODINGS:
        try:
            # decoding in 16 MiB pieces keeps a second copy of a big file out of memory
            decoder = codecs.getincrementaldecoder(enc)()
            for start in range(0, len(data), 1 << 24):
                decoder.decode(data[start : start + (1 << 24)])
            decoder.decode(b"", final=True)
            return enc
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def require_columns(
    path: Path, frame: pd.DataFrame, required: list[str], *, hint: str = ""
) -> None:
    """Raise one message naming every missing column, with close matches from the file.

    Parameters
    ----------
    path : pathlib.Path
        The file, named in the message.
    frame : pandas.DataFrame
        The file as read.
    required : list of str
        The columns it must have.
    hint : str, optional
        A sentence added to the message (what the file was expected to be).

    Raises
    ------
    InputFileError
        When any of ``required`` is missing.

    Examples
    --------
    >>> frame = pd.DataFrame({"Reference": ["A1"], "recorded_at": ["2024-05-01"]})
    >>> try:
    ...     require_columns(Path("may.csv"), frame, ["reference", "recorded_at"])
    ... except InputFileError as error:
    ...     print(error)  # doctest: +NORMALIZE_WHITESPACE
    may.csv: required column(s) missing: 'reference' (did you mean 'Reference'?). The file
    has columns ['Reference', 'recorded_at'].
    """
    missing = [c for c in required if c not in frame.columns]
    if not missing:
        return
    parts = []
    for col in missing:
        near = close_matches(col, frame.columns)
        parts.append(
            f"{col!r}" + (f" (did you mean {' or '.join(map(repr, near))}?)" if near else "")
        )
    raise InputFileError(
        f"{path}: required column(s) missing: {', '.join(parts)}. "
        f"The file has columns {list(frame.columns)}.{(' ' + hint) if hint else ''}"
    )
