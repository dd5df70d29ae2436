"""What reading more spellings of a native-script name costs the person index, and what it
finds. Across scripts the matcher scores a Latin query against twenty readings of a native
form; the index's candidate bound reads the best one and the next MORE_SPELLINGS. A person
the bound underrates is never scored, so a Latin query misses a native record that would
have been a hit. Side by side, in one run, for several choices: single-query latency (p50,
p99) and, over Latin queries for persons recorded in their native script, how many of the
true persons the matcher scores at the reporting floor (0.55) and at the decision threshold
(0.7) the index returns. Prints a table.

The world is bench/persons_speed.py's, except that every 50th person is recorded in the
native script of a Wikidata pair (so Latin queries meet native records) and queried with
its Latin spelling, exactly or with a typo.

    .venv/bin/python bench/cross_script_candidates.py [--size 100000] [--choices 0 3 6 19]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from interlink.screening import person_index
from interlink.screening.person_index import PersonEntry, PersonIndex, PersonQuery

sys.path.insert(0, str(Path(__file__).parent))
import persons_speed  # the shared synthetic world

FLOOR, THRESHOLD = 0.55, 0.7


def native_world(
    size: int, pools: persons_speed.Pools
) -> tuple[list[PersonEntry], dict[int, str], list[tuple[PersonQuery, int]]]:
    entries, natives = persons_speed.world(size, pools, seed=size)
    rng = random.Random(5)
    latin_queries = []
    for record_id, native in natives.items():
        entry = entries[record_id - 1]
        latin = entry.names[0]
        entries[record_id - 1] = replace(entry, names=(native,))
        if rng.random() < 0.5:
            tokens = latin.split()
            i = rng.randrange(len(tokens))
            tokens[i] = persons_speed.typo(rng, tokens[i])
            latin = " ".join(tokens)
        latin_queries.append((PersonQuery(latin), record_id))
    return entries, natives, latin_queries


def measure(
    spellings: int,
    entries: list[PersonEntry],
    mixed: list[PersonQuery],
    latin: list[tuple[PersonQuery, int]],
) -> list[str]:
    person_index.MORE_SPELLINGS = spellings
    index = PersonIndex()
    index.bulk_load(entries)
    for query in mixed[:50]:
        index.search(query, None)
    latencies = []
    for query in mixed:
        started = time.perf_counter()
        index.search(query, None, limit=10)
        latencies.append(time.perf_counter() - started)
    lat = np.array(latencies) * 1000
    reach = {FLOOR: [0, 0], THRESHOLD: [0, 0]}  # [the matcher reaches it, the index returns it]
    by_id = {e.record_id: e for e in entries}
    for query, record_id in latin:
        exact = index.matcher.score(
            index.prepare(query), index.matcher.candidate(by_id[record_id])
        ).score
        found = {h.record_id for h in index.search(query, None, limit=10, min_score=FLOOR)}
        for level, counts in reach.items():
            if exact >= level:
                counts[0] += 1
                counts[1] += record_id in found
    return [
        str(spellings),
        f"{np.percentile(lat, 50):.2f}",
        f"{np.percentile(lat, 99):.2f}",
        *(f"{found} / {reached}" for reached, found in reach.values()),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--choices", type=int, nargs="+", default=[0, 3, 6, 19])
    args = parser.parse_args()
    pools = persons_speed.load_pools()
    entries, natives, latin = native_world(args.size, pools)
    mixed = persons_speed.queries(args.queries, entries, natives, pools, seed=1)
    mixed += [q for q, _ in latin[: args.queries // 5]]
    table = Table(title=f"Native spellings read by the candidate bound, {args.size:,} persons")
    for column in (
        "spellings after the best",
        "p50 ms",
        "p99 ms",
        f"true person returned / matcher >= {FLOOR}",
        f"true person returned / matcher >= {THRESHOLD}",
    ):
        table.add_column(column, justify="right")
    for spellings in args.choices:
        table.add_row(*measure(spellings, entries, mixed, latin))
    Console(width=150).print(table)


if __name__ == "__main__":
    main()
