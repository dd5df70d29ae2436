"""Linking speed at scale: a store of persons linked against itself (the full run's blocking
and scoring, no database), and a new record linked against the store (the incremental
path: the screening person index's candidate generation, then `model.compare`). Prints a
table.

The store: the labelled set of bench/linking_quality.py (Wikidata name parts in seven
scripts and their Latin spellings, Zipf-distributed duplicates with typos, swaps, missing
fields and other scripts), grown to `--size` records.

    .venv/bin/python bench/linking_speed.py [--size 1000000] [--workers 2] [--queries 2000]
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from interlink.core.access import Visibility
from interlink.linking import blocking, bulk, labelled
from interlink.linking.model import Subject, compare, default_matcher, load_weights
from interlink.screening.person_index import PersonEntry, PersonIndex, PersonQuery

DATA = Path("/work/shared/data/names")
SEARCH_FLOOR = 0.6
SEARCH_LIMIT = 10


def store(size: int, seed: int) -> list[Subject]:
    records = labelled.build(DATA, int(size / 2.3), seed, part=1)
    while len(records) < size:  # the Zipf draw may fall short
        records += labelled.build(DATA, 1000, seed + len(records), part=1)
    return [r.subject for r in records[:size]]


def entry(subject: Subject) -> PersonEntry:
    return PersonEntry(
        record_id=subject.record_id,
        names=subject.names,
        birth_date=subject.birth_date,
        nationalities=subject.nationalities,
        sex=subject.sex,
        visibility=Visibility(),
        owner_org_id=1,
    )


def link_one(
    index: PersonIndex, by_id: dict[int, Subject], subject: Subject, weights: object
) -> int:
    """The incremental linker's work for one record, without the database."""
    found: dict[int, None] = {}
    for name in subject.names:
        query = PersonQuery(
            name=name,
            birth_date=subject.birth_date,
            nationality=subject.nationalities[0] if subject.nationalities else None,
            sex=subject.sex,
        )
        for hit in index.search(query, None, limit=SEARCH_LIMIT, min_score=SEARCH_FLOOR):
            found[hit.record_id] = None
    links = 0
    for record_id in found:
        if record_id != subject.record_id:
            links += compare(subject, by_id[record_id], weights).match_weight >= weights.threshold  # type: ignore[attr-defined]
    return links


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--skip-full", action="store_true")
    args = parser.parse_args()
    console = Console()
    weights = load_weights()
    default_matcher()  # load the name model before forking
    started = time.perf_counter()
    subjects = store(args.size, args.seed)
    console.print(
        f"{len(subjects):,} records built in {time.perf_counter() - started:.0f} s; "
        f"load average {_load()}"
    )
    gc.freeze()
    table = Table(title=f"Linking {len(subjects):,} persons")
    table.add_column("measure")
    table.add_column("result", justify="right")
    table.add_column("target", justify="right")
    if not args.skip_full:
        started, cpu = time.perf_counter(), time.process_time()
        pairs = blocking.candidate_pairs(subjects)
        blocked, blocked_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
        links = sum(
            1
            for _ in blocking.score_pairs(
                subjects, pairs, weights, weights.threshold, workers=args.workers
            )
        )
        scored = time.perf_counter() - started
        scored_cpu = time.process_time() - cpu + _children_cpu() - children
        console.print(
            f"blocking: {len(pairs):,} pairs, {blocked:.0f} s wall, {blocked_cpu:.0f} s CPU"
        )
        table.add_row("candidate pairs (blocking)", f"{len(pairs):,}", "reported")
        table.add_row("blocking s (wall / CPU)", f"{blocked:.0f} / {blocked_cpu:.0f}", "")
        table.add_row(
            f"scoring s, {args.workers} processes (wall / CPU)",
            f"{scored:.0f} / {scored_cpu:.0f}",
            "",
        )
        table.add_row("full run s, wall", f"{blocked + scored:.0f}", "< 600")
        table.add_row(
            f"full run s, CPU: blocking + scoring / {args.workers}",
            f"{blocked_cpu + scored_cpu / args.workers:.0f}",
            "< 600",
        )
        table.add_row(
            "pairs decided /s (wall / CPU-second)",
            f"{len(pairs) / scored:,.0f} / {len(pairs) / scored_cpu:,.0f}",
            "",
        )
        table.add_row("links at the threshold", f"{links:,}", "")
        _, named = bulk.name_needed(bulk.Features.of(subjects), weights, pairs, weights.threshold)
        table.add_row(
            "pairs decided without names (exact bound) / needing their name level",
            f"{len(pairs) - int(named.sum()):,} / {int(named.sum()):,}",
            "",
        )
        console.print(f"scoring: {scored:.0f} s wall, {scored_cpu:.0f} s CPU, {links:,} links")
        console.print(table)
        del pairs
    if args.queries:
        link_new_records(args, subjects, weights, table)
    table.add_row("load average (1, 5, 15 min) at the end", _load(), "")
    table.add_row(
        "peak resident MB", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f}", ""
    )
    console.print(table)


def link_new_records(
    args: argparse.Namespace, subjects: list[Subject], weights: object, table: Table
) -> None:
    """New records (not in the store) linked one at a time against it."""
    started = time.perf_counter()
    index = PersonIndex(default_matcher())
    index.bulk_load(entry(s) for s in subjects)
    gc.freeze()
    table.add_row("person index build s", f"{time.perf_counter() - started:.0f}", "")
    by_id = {s.record_id: s for s in subjects}
    newcomers = labelled.build(DATA, args.queries, args.seed + 1, part=1)[: args.queries]
    latencies, cpu_times = [], []
    for record in newcomers:
        subject = Subject(
            10**9 + record.subject.record_id,
            *[
                getattr(record.subject, f)
                for f in (
                    "names",
                    "birth_date",
                    "nationalities",
                    "sex",
                    "identifiers",
                    "owner_org_id",
                )
            ],
        )
        begin, begin_cpu = time.perf_counter(), time.thread_time()
        link_one(index, by_id, subject, weights)
        latencies.append(time.perf_counter() - begin)
        cpu_times.append(time.thread_time() - begin_cpu)
    ms, cpu_ms = np.asarray(latencies) * 1000, np.asarray(cpu_times) * 1000
    table.add_row(
        "new record linked, p50 ms (wall / CPU)",
        f"{np.percentile(ms, 50):.1f} / {np.percentile(cpu_ms, 50):.1f}",
        "",
    )
    table.add_row(
        "new record linked, p99 ms (wall / CPU)",
        f"{np.percentile(ms, 99):.1f} / {np.percentile(cpu_ms, 99):.1f}",
        "< 50",
    )


if __name__ == "__main__":
    main()
