"""Build the demo's shipped open data (``geo/demo/data/``) from the shared data folder.

Usage::

    python scripts/build_demo_data.py ../shared/data [geo/demo/data]

Copies the files ``tensionmap demo`` reads (real schools, stops, pubs and bars, Census 2021
residents, and the ONS 20 m boundaries it imports) into the package, gzip-compressed
byte-reproducibly (no file name, mtime 0), unchanged otherwise, and writes
``PROVENANCE.md`` from the shared folder's sections on those files. The product never
reads the shared folder; only this script does. Running it twice gives identical bytes.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

#: Files copied, relative to the shared data folder (the shipped name adds ``.gz``).
FILES = (
    "schools_gias_herts_cambs.csv",
    "naptan_stops_herts_cambs.csv",
    "nte_pubs_herts_cambs.csv",
    "population_census2021_lsoa21_herts_cambs.csv",
    "boundaries/lsoa_2011_bgc_herts_cambs.geojson",
    "boundaries/wards_2013_bgc_herts_cambs.geojson",
    "boundaries/lad_herts_cambs_dissolved_from_lsoa2011.geojson",
)
#: Headings of the shared PROVENANCE.md whose sections are copied (prefix match).
SECTIONS = (
    "## schools_gias_herts_cambs.csv",
    "## naptan_stops_herts_cambs.csv",
    "## population_census2021_lsoa21_herts_cambs.csv",
    "## boundaries/",
    "## nte_pubs_herts_cambs.csv",
)

HEADER = """# geo/demo/data: provenance

The real places and residents of the demo area (the Hertfordshire and Cambridgeshire police
force areas: 10 Hertfordshire districts, 5 Cambridgeshire districts and Peterborough), shipped so
that `tensionmap demo` (`make demo`) needs nothing beside the repository. Built by
`scripts/build_demo_data.py` from the project's shared open-data folder.

**What we changed**: nothing in the content. Each file is a byte-for-byte copy of the shared
folder's file (the sections below describe how that file was made from its source),
gzip-compressed (no stored file name, mtime 0, so rebuilding gives identical bytes). The demo
decompresses them to a temporary folder, or reads them with pandas, at run time.
The boundary files sit beside the CSVs here (not in a `boundaries/` subfolder).

**Licence**: every file is under the Open Government Licence v3.0
(https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/).
Attribution:

- Contains public sector information licensed under the Open Government Licence v3.0.
- Department for Education, Get Information about Schools (schools).
- Department for Transport, National Public Transport Access Nodes (NaPTAN) (stops,
  stations, taxi ranks).
- Food Standards Agency Food Hygiene Rating Scheme, via GetTheData "Open Pubs" (pubs, bars and
  nightclubs): contains OS data © Crown copyright and database right; contains Royal Mail data
  © Royal Mail copyright and database right; contains National Statistics data © Crown copyright
  and database right.
- Office for National Statistics, Census 2021 (usual residents by LSOA 2021).
- Boundaries: contains Ordnance Survey, Office for National Statistics data © Crown copyright and
  database right 2016 (OS data under the OS OpenData licence; this attribution must be retained).

The shared folder's own notes on each file follow, unchanged.
"""


def write_gzip(source: Path, target: Path) -> int:
    """Write ``source`` gzip-compressed to ``target`` reproducibly; return the size."""
    data = source.read_bytes()
    with (
        target.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as out,
    ):
        out.write(data)
    return target.stat().st_size


def provenance(shared: Path) -> str:
    """The header and the shared PROVENANCE.md sections on the shipped files."""
    text = (shared / "PROVENANCE.md").read_text(encoding="utf-8")
    parts = text.split("\n## ")
    chosen = [
        "## " + p.rstrip() for p in parts[1:] if any(("## " + p).startswith(s) for s in SECTIONS)
    ]
    assert len(chosen) == len(SECTIONS), "a provenance section is missing"
    return HEADER + "\n" + "\n\n".join(chosen) + "\n"


def main(argv: list[str]) -> int:
    """Copy the files and write the provenance; print each file's size."""
    if not argv:
        print(__doc__)
        return 2
    shared = Path(argv[0])
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).parent.parent / "geo/demo/data"
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    for name in FILES:
        source = shared / name
        size = write_gzip(source, out / (Path(name).name + ".gz"))
        total += size
        print(f"{Path(name).name}.gz: {source.stat().st_size:,} -> {size:,} bytes")
    (out / "PROVENANCE.md").write_text(provenance(shared), encoding="utf-8")
    print(f"total {total:,} bytes in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
