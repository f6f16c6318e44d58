"""The demo area's real places, residents and boundaries, shipped in the package.

``geo/demo/data/`` holds gzip-compressed copies of the open data the demo reads (GIAS
schools, NaPTAN stops, Open Pubs premises, Census 2021 residents by LSOA and the ONS 20 m
boundaries), with their provenance and licence (OGL v3) in ``PROVENANCE.md``. They are
built by ``scripts/build_demo_data.py``; nothing outside the package is read at run time.
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path

__all__ = ["CENSUS_FILE", "demo_data_dir", "find_data_file", "unpacked"]

#: The demo area's Census 2021 usual residents by LSOA 2021 (shipped as ``.gz``).
CENSUS_FILE = "population_census2021_lsoa21_herts_cambs.csv"


def demo_data_dir() -> Path:
    """The package folder holding the demo's shipped open data.

    Returns
    -------
    pathlib.Path
        ``geo/demo/data`` inside the installed package.

    Examples
    --------
    >>> folder = demo_data_dir()
    >>> (folder / "PROVENANCE.md").exists(), (folder / "schools_gias_herts_cambs.csv.gz").exists()
    (True, True)
    """
    return Path(str(files("geo.demo") / "data"))


def find_data_file(folder: Path | None, name: str) -> Path | None:
    """``folder / name``, or its gzip-compressed copy ``name.gz``, whichever exists.

    Parameters
    ----------
    folder : pathlib.Path or None
        A folder of open data files (the shipped one, or a user's); ``None`` for none.
    name : str
        The file's uncompressed name, e.g. ``schools_gias_herts_cambs.csv``.

    Returns
    -------
    pathlib.Path or None
        The file (pandas reads either form), or ``None`` when neither exists.

    Examples
    --------
    >>> find_data_file(demo_data_dir(), "nte_pubs_herts_cambs.csv").name
    'nte_pubs_herts_cambs.csv.gz'
    >>> find_data_file(None, "nte_pubs_herts_cambs.csv") is None
    True
    """
    if folder is None:
        return None
    for path in (folder / name, folder / f"{name}.gz"):
        if path.exists():
            return path
    return None


@contextmanager
def unpacked(*names: str, folder: Path | None = None) -> Iterator[Path]:
    """A temporary folder holding the named files decompressed, for readers that need plain files.

    Parameters
    ----------
    *names : str
        Uncompressed file names, e.g. ``lsoa_2011_bgc_herts_cambs.geojson``.
    folder : pathlib.Path, optional
        Where the files are (plain or ``.gz``); the shipped folder by default.

    Yields
    ------
    pathlib.Path
        The temporary folder, holding each file under its uncompressed name; removed on
        exit.

    Raises
    ------
    FileNotFoundError
        If a named file is in neither form.

    Examples
    --------
    >>> with unpacked("population_census2021_lsoa21_herts_cambs.csv") as tmp:
    ...     text = (tmp / "population_census2021_lsoa21_herts_cambs.csv").read_text()
    >>> text.split(",")[:2]
    ['lsoa21_code', 'lsoa21_name']
    """
    source = demo_data_dir() if folder is None else folder
    with tempfile.TemporaryDirectory(prefix="tensionmap-demo-") as tmp:
        for name in names:
            path = find_data_file(source, name)
            if path is None:
                raise FileNotFoundError(f"{source / name}: no such file (nor {name}.gz).")
            opener = gzip.open if path.suffix == ".gz" else open
            with opener(path, "rb") as src, (Path(tmp) / name).open("wb") as dst:
                shutil.copyfileobj(src, dst)
        yield Path(tmp)
