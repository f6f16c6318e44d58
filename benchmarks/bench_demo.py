"""Demo generator benchmark: 6 years for both forces at scale 1 and at scale 100.

    .venv/bin/python benchmarks/bench_demo.py [--scales 1 100]

Target: scale 1 in <= 15 s; scale 100 (about a national-size load) must work.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from _open_data import open_data_dir

from geo.demo.generator import generate
from geo.geography.areas import load_geography


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 100.0])
    args = parser.parse_args()
    geography = load_geography(None)
    for scale in args.scales:
        t = time.perf_counter()
        scenario = generate(geography, seed=0, scale=scale, open_data=open_data_dir())
        seconds = time.perf_counter() - t
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            scenario.write(Path(tmp))
            write_seconds = time.perf_counter() - t
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        print(
            f"scale {scale:g}: {len(scenario.incidents):,} records generated in {seconds:.1f} s "
            f"(+{write_seconds:.1f} s to write CSV and truth); peak memory so far {peak:.2f} GiB"
        )


if __name__ == "__main__":
    main()
