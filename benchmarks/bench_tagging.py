"""Tagging benchmark: 1,000,000 records through every rule family, proximity included
(against all NaPTAN stations, the pubs and bars and the schools of both counties).

    .venv/bin/python benchmarks/bench_tagging.py [--rows 1000000] [--police]

Target: <= 60 s on the 2-core reference machine. Descriptions are made unique per row
(a running number in the text) so no work is saved by repetition. ``--police`` adds as
many records again written as officers type them (capitals, O/S, B/STOP, PH, typos,
role traps), so every normalisation step and the typo correction run at scale.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from _open_data import open_data_dir

from geo.geography.areas import load_geography
from geo.ingest.places import READERS
from geo.reading import read_csv_file
from geo.settings import Places, tag_records

TEXTS = (
    "Whilst on the number {n} bus the victim was subjected to abuse.",
    "The victim was not on the bus; abuse was shouted in the street near house {n}.",
    "Door staff at the pub reported customer {n} shouting abuse.",
    "The taxi driver was abused by passenger {n}.",
    "Messages were posted on social media by account {n}.",
    "Abuse was shouted at the victim walking along the road, incident {n}.",
)
POLICE_TEXTS = (
    "IP ASSAULTED O/S B/STOP BY SUSP W/M, REF {n}",
    "susp intox in the PH, abused door staff - log {n}",
    "V abused on the trian by male, ref {n}",
    "IP works as a taxi driver, abused at home address by neighbour {n}",
    "Fare picked up from the nightclub racially abused driver of PHV {n}",
    "V not on the bus, abused in the street by group of {n}",
    "IP at rly stn platfrom 2 when susp made comments {n}",
)


def places() -> Places:
    data = open_data_dir()
    frames = []
    for kind, name, store_kind in (
        ("transport", "naptan_stops_herts_cambs.csv", "transport"),
        ("nte", "nte_pubs_herts_cambs.csv", "nte"),
        ("schools", "schools_gias_herts_cambs.csv", "school"),
    ):
        raw = read_csv_file(data / name).frame
        frame = READERS[kind].to_places(raw)
        east = pd.to_numeric(frame["easting"], errors="coerce")
        north = pd.to_numeric(frame["northing"], errors="coerce")
        frames.append(
            pd.DataFrame(
                {
                    "kind": store_kind,
                    "subtype": frame["subtype"],
                    "easting": east,
                    "northing": north,
                }
            ).dropna()
        )
    everything = pd.concat(frames, ignore_index=True)
    found = Places.from_frame(everything)
    # worst case for the proximity rule: every NaPTAN stop, not only stations
    stops = everything.loc[everything["kind"] == "transport", ["easting", "northing"]].to_numpy()
    return Places(stations=stops, nte=found.nte, schools=found.schools)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--police", action="store_true", help="add police-style records")
    args = parser.parse_args()
    n = args.rows * (2 if args.police else 1)
    rng = np.random.default_rng(0)
    geo = load_geography(None)
    inner = geo.lsoas.geometry.representative_point()
    pick = rng.integers(0, len(inner), n)
    texts = np.array(TEXTS, dtype=object)[rng.integers(0, len(TEXTS), args.rows)]
    if args.police:
        police = np.array(POLICE_TEXTS, dtype=object)[rng.integers(0, len(POLICE_TEXTS), n // 2)]
        texts = np.concatenate([texts, police])
    records = pd.DataFrame(
        {
            "location_type": rng.choice(["Street", "", "Bus", "Dwelling", "Pub", "Other"], n),
            "description": [t.format(n=i) for i, t in enumerate(texts)],
            "online": rng.random(n) < 0.05,
            "recorded_at": pd.to_datetime(
                rng.integers(1_420_070_400, 1_577_836_800, n), unit="s"
            ).strftime("%Y-%m-%dT%H:%M:%S"),
            "time_known": True,
            "easting": inner.x.to_numpy()[pick] + rng.normal(0, 150, n),
            "northing": inner.y.to_numpy()[pick] + rng.normal(0, 150, n),
            "victim_occupation": rng.choice(["", "", "", "taxi driver", "door staff"], n),
        }
    )
    p = places()
    print(
        f"{n:,} records; places: {len(p.stations):,} NaPTAN stops, {len(p.nte):,} NTE premises, "
        f"{len(p.schools):,} schools"
    )
    t = time.perf_counter()
    tags = tag_records(records, places=p)
    seconds = time.perf_counter() - t
    share = tags["settings"].ne("").mean()
    print(f"tagged in {seconds:.1f} s ({n / seconds:,.0f} records/s); {share:.0%} got a setting")


if __name__ == "__main__":
    main()
