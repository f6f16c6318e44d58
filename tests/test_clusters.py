import numpy as np
import pandas as pd

from geo.hotspots.clusters import point_clusters


def test_repeat_location_and_micro_cluster_are_found():
    rng = np.random.default_rng(0)
    background = pd.DataFrame(
        {
            "easting": rng.uniform(500_000, 520_000, 300),
            "northing": rng.uniform(200_000, 220_000, 300),
        }
    )
    repeat = pd.DataFrame({"easting": [505_000.0] * 6, "northing": [205_000.0] * 6})
    micro = pd.DataFrame(
        {"easting": 512_000 + rng.normal(0, 15, 10), "northing": 212_000 + rng.normal(0, 15, 10)}
    )
    records = pd.concat([background, repeat, micro], ignore_index=True)
    records["recorded_at"] = "2019-01-01T10:00:00"
    records["strands"] = "race"
    result = point_clusters(records, eps_m=50, min_samples=5)
    table = result.table
    assert len(table) == 2
    assert list(table["records"]) == [10, 6]  # largest first
    assert table.loc[table["records"] == 6, "distinct_locations"].item() == 1  # a repeat location
    assert (result.labels[-16:] > 0).all()
    assert table.geometry.area.min() > 0  # hulls have area even for a single point
    assert table["strands"].iloc[0] == "race:10"
    hdb = point_clusters(records, min_samples=5, hdbscan=True)
    assert hdb.method.startswith("HDBSCAN") and len(hdb.table) >= 1
