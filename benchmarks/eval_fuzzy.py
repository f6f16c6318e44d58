"""Fuzzy typo correction: precision and recall of each threshold, to choose one.

    .venv/bin/python benchmarks/eval_fuzzy.py [--repeats 5]

Typos are made from the vocabulary's own words (a letter dropped, doubled, swapped with
its neighbour or replaced by a key next to it; ``geo.settings.fuzzy.make_typos``, seeded);
the tokens that must not be corrected are the words of every ward name in England and
Wales that are not English words (place names officers type: "Bushey", "Trumpington").
Precision = right corrections / corrections; recall = right corrections / typos. Typos
that happen to be English words ("trail" from "train") are left in and count as missed.
"""

from __future__ import annotations

import argparse

from geo.settings.fuzzy import FUZZY_THRESHOLD, measurement_set, threshold_sweep, typo_targets
from geo.settings.rules import TaggingRules


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats
    targets = typo_targets(TaggingRules().all_terms())
    typos, others = measurement_set(targets, repeats)
    sweep = threshold_sweep(typos, others, targets, range(70, 100, 2))
    print(f"{len(targets)} vocabulary words, {len(typos)} typos, {len(others)} ward-name words")
    print(sweep.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"chosen threshold: {FUZZY_THRESHOLD}")


if __name__ == "__main__":
    main()
