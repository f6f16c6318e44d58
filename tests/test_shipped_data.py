"""The demo's real places and residents ship in the package; the product never reads the
shared open-data folder (`make demo` works with nothing beside the repository)."""

from __future__ import annotations

import builtins
import gzip
import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.demo.places import load_places, residential_weights
from geo.demo.run import BOUNDARY_FILES, PLACE_FILES, generate_to
from geo.demo.shipped import CENSUS_FILE, demo_data_dir, find_data_file, unpacked

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = [*PLACE_FILES.values(), CENSUS_FILE, *BOUNDARY_FILES.values()]


@pytest.fixture
def no_shared_folder(monkeypatch, tmp_path):
    """TENSIONMAP_OPEN_DATA names an empty folder, and any file read or existence check
    under a folder named ``shared`` fails the test."""
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("TENSIONMAP_OPEN_DATA", str(empty))
    monkeypatch.chdir(tmp_path)

    def guard(path: object) -> None:
        text = os.fspath(path) if isinstance(path, (str, os.PathLike)) else ""
        assert "/shared/" not in str(text) and str(empty) not in str(text), text

    real_open, real_exists = builtins.open, Path.exists

    def open_guarded(file, *args, **kwargs):
        guard(file)
        return real_open(file, *args, **kwargs)

    def exists_guarded(self, *args, **kwargs):
        guard(self)
        return real_exists(self, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", open_guarded)
    monkeypatch.setattr(Path, "exists", exists_guarded)


def test_every_shipped_file_is_there_with_its_provenance():
    folder = demo_data_dir()
    provenance = (folder / "PROVENANCE.md").read_text(encoding="utf-8")
    assert "Open Government Licence v3.0" in provenance
    sizes = {}
    for name in SHIPPED:
        path = folder / f"{name}.gz"
        assert path.exists(), path
        assert f"## {name}" in provenance or name in provenance, name
        sizes[name] = path.stat().st_size
    assert sum(sizes.values()) < 2_000_000  # small enough to ship
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"geo.demo" = ["data/*.gz", "data/*.md"]' in config


def test_the_demo_reads_real_places_from_the_package_only(
    no_shared_folder, default_geography, tmp_path
):
    folder = demo_data_dir()
    weights, source = residential_weights(default_geography, folder)
    assert source.startswith("Census usual residents")
    places = load_places(default_geography, folder, weights)
    assert places.notes == []  # nothing synthetic
    schools = pd.read_csv(folder / "schools_gias_herts_cambs.csv.gz")
    located = default_geography.locate(
        schools["Easting"].to_numpy(float), schools["Northing"].to_numpy(float), snap_m=0
    ).located
    assert len(places.by_kind["school"]) == located.sum() > 900
    pubs = pd.read_csv(folder / "nte_pubs_herts_cambs.csv.gz").dropna(
        subset=["name", "easting", "northing"]
    )
    found = default_geography.locate(
        pubs["easting"].to_numpy(float), pubs["northing"].to_numpy(float), snap_m=0
    ).located
    assert len(places.by_kind["nte"]) == found.sum() > 1000
    stops = pd.read_csv(folder / "naptan_stops_herts_cambs.csv.gz")
    rail = stops[(stops["StopType"] == "RLY") & (stops["Status"] == "active")]
    assert 0 < len(places.by_kind["rail_station"]) <= rail["CommonName"].nunique()
    lines = generate_to(
        tmp_path / "out", seed=0, start=date(2019, 1, 1), end=date(2019, 3, 31), scale=0.2
    )
    assert not [line for line in lines if "synthetic" in line]
    truth = json.loads((tmp_path / "out" / "truth.json").read_text())
    assert truth["residential_weights"].startswith("Census usual residents")


def test_shipped_files_unpack_for_the_plain_file_readers(no_shared_folder):
    with unpacked(*SHIPPED) as tmp:
        for name in SHIPPED:
            with gzip.open(demo_data_dir() / f"{name}.gz", "rb") as fh:
                assert (tmp / name).read_bytes() == fh.read()
    assert find_data_file(demo_data_dir(), "missing.csv") is None
    with pytest.raises(FileNotFoundError, match=r"missing\.csv"), unpacked("missing.csv"):
        pass


def test_the_product_never_names_the_shared_folder():
    pattern = re.compile(r"shared/data|TENSIONMAP_OPEN_DATA|[\"']shared[\"']|open_data_dir")
    hits = [
        f"{path.relative_to(ROOT)}:{n}"
        for package in ("geo", "dashboard")
        for path in sorted((ROOT / package).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert hits == []


def test_the_build_script_reproduces_the_shipped_bytes(open_data, tmp_path):
    out = tmp_path / "data"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_demo_data.py"), str(open_data), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "total" in done.stdout
    for path in sorted(demo_data_dir().iterdir()):
        if path.is_file():
            assert (out / path.name).read_bytes() == path.read_bytes(), path.name
    assert np.array_equal(
        sorted(p.name for p in out.iterdir()),
        sorted(p.name for p in demo_data_dir().iterdir() if p.is_file()),
    )
