"""Estimate the linking weights (m and u of every feature level) from a labelled set and write
src/interlink/linking/weights.json.

    .venv/bin/python scripts/train_linking_weights.py [--persons 4000] [--seed 1]

The labelled set (interlink.linking.labelled) is built from the even lines of the Wikidata
name pairs in /work/shared/data/names; bench/linking_quality.py measures on the odd lines.
m: level shares among the pairs of one person; u: among random pairs of two persons; the
prior: the share of matching pairs among all pairs; the threshold: the match weight that
gives the best pairwise F1 over the blocked candidate pairs of the training set.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from interlink.linking import blocking, labelled
from interlink.linking.model import (
    WEIGHTS_PATH,
    LevelCounts,
    best_threshold,
    estimate,
    levels_of,
    weight_of_levels,
)

DATA = Path("/work/shared/data/names")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--random-pairs", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    args = parser.parse_args()
    records = labelled.build(DATA, args.persons, args.seed, part=0)
    subjects = [r.subject for r in records]
    matches = labelled.true_pairs(records)
    rng = random.Random(args.seed)
    counts = LevelCounts()
    for left, right in matches:
        levels, _, _ = levels_of(subjects[left], subjects[right])
        counts.add({f: level for f, (level, _) in levels.items()}, True)
    sampled = 0
    while sampled < args.random_pairs:
        left, right = rng.randrange(len(subjects)), rng.randrange(len(subjects))
        if left == right or records[left].entity == records[right].entity:
            continue
        levels, _, _ = levels_of(subjects[left], subjects[right])
        counts.add({f: level for f, (level, _) in levels.items()}, False)
        sampled += 1
    total = len(subjects) * (len(subjects) - 1) // 2
    prior = len(matches) / total
    draft = estimate(counts, prior, 0.0, "")
    candidates = blocking.candidate_pairs(subjects)
    scored = []
    for left, right in candidates.tolist():
        levels, _, _ = levels_of(subjects[left], subjects[right])
        weight = weight_of_levels(draft, {f: level for f, (level, _) in levels.items()})
        scored.append((weight, (left, right) in matches))
    threshold = round(best_threshold(scored), 3)
    source = (
        f"scripts/train_linking_weights.py: {len(records)} records of {args.persons} "
        f"persons (even lines of the Wikidata pairs, seed {args.seed}), "
        f"{len(matches)} matching pairs, {args.random_pairs} random pairs"
    )
    weights = estimate(counts, prior, threshold, source)
    weights.save(args.out)
    print(f"{source}; {len(candidates)} candidate pairs; threshold {threshold}")
    for feature, levels in weights.m.items():
        print(feature, {lv: round(weights.weight(feature, lv), 2) for lv in levels})


if __name__ == "__main__":
    main()
