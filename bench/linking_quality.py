"""Linking quality and speed, side by side with Splink (DuckDB), on the same labelled pairs.

The labelled set (interlink.linking.labelled, odd lines of the Wikidata name pairs; the
shipped weights were trained on the even lines): persons with a Zipf-distributed number of
records, carrying typos, missing fields, swapped names, native-script and transliterated
spellings, relatives sharing a family name, and now and then a wrong sex, another
nationality or a newer passport.

Ours: blocking (interlink.linking.blocking), then `model.compare` on every candidate pair in
`--workers` processes, decided at the shipped threshold. Splink: given and family name
(NameComparison), date of birth, nationality, sex and document number; u by random
sampling, the prior from deterministic rules, m by EM on two blocking rules, as its
tutorials do; predictions blocked on family name, given name, birth date or document.
Both are measured at their own decision threshold and at the best one for this set (an
oracle, to show the ceiling). Pairwise precision, recall and F1 are over all true pairs
(a pair missed by blocking is missed); B-cubed F1 over connected components of the
predicted links. Speed: scored pairs per second of the scoring step alone (Splink:
predict(); DuckDB limited to `--workers` threads).

    .venv/bin/python bench/linking_quality.py [--persons 5000] [--workers 2]
"""

from __future__ import annotations

import argparse
import logging
import resource
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from interlink.linking import blocking, bulk, labelled
from interlink.linking.labelled import LabelledRecord
from interlink.linking.model import load_weights
from interlink.linking.service import components

DATA = Path("/work/shared/data/names")


def pairwise(predicted: set[tuple[int, int]], truth: set[tuple[int, int]]) -> tuple[float, ...]:
    found = len(predicted & truth)
    precision = found / len(predicted) if predicted else 0.0
    recall = found / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def b_cubed(records: list[LabelledRecord], predicted: Iterable[tuple[int, int]]) -> float:
    """B-cubed F1 of the connected components of the predicted links."""
    clusters = components(range(len(records)), [(0, a, b) for a, b in predicted])
    cluster_of = {m: i for i, members in enumerate(clusters) for m in members}
    entity_size: dict[int, int] = defaultdict(int)
    for record in records:
        entity_size[record.entity] += 1
    overlap: dict[tuple[int, int], int] = defaultdict(int)
    for position, record in enumerate(records):
        overlap[(cluster_of[position], record.entity)] += 1
    precision = recall = 0.0
    for position, record in enumerate(records):
        shared = overlap[(cluster_of[position], record.entity)]
        precision += shared / len(clusters[cluster_of[position]])
        recall += shared / entity_size[record.entity]
    precision, recall = precision / len(records), recall / len(records)
    return 2 * precision * recall / (precision + recall)


def best_cut(scored: list[tuple[float, tuple[int, int]]], truth: set[tuple[int, int]]) -> float:
    ranked = sorted(scored, key=lambda s: -s[0])
    best, cut, found = -1.0, 0.0, 0
    for rank, (score, pair) in enumerate(ranked, start=1):
        found += pair in truth
        f1 = 2 * found / (rank + len(truth))
        if f1 > best:
            best, cut = f1, score
    return cut


def run_ours(records: list[LabelledRecord], workers: int) -> dict:
    weights = load_weights()
    subjects = [r.subject for r in records]
    started = time.perf_counter()
    pairs = blocking.candidate_pairs(subjects)
    blocked = time.perf_counter() - started
    # every pair's weight, for the oracle threshold; the speed is that of a real run, which
    # decides a pair under the threshold by its other features where it can
    scored = [
        (s.explanation.match_weight, (s.left, s.right))
        for s in blocking.score_pairs(subjects, pairs, weights, float("-inf"), workers=workers)
    ]
    started, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    for _ in blocking.score_pairs(subjects, pairs, weights, weights.threshold, workers=workers):
        pass
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu + _children_cpu() - children
    _, named = bulk.name_needed(bulk.Features.of(subjects), weights, pairs, weights.threshold)
    return {
        "named": int(named.sum()),
        "scored": scored,
        "candidates": len(pairs),
        "blocking_s": blocked,
        "scoring_s": seconds,
        "cpu_s": cpu,
        "threshold": weights.threshold,
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_splink(records: list[LabelledRecord], workers: int) -> dict:
    import duckdb
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on
    from splink.backends.duckdb import DuckDBAPI

    logging.getLogger("splink").setLevel(logging.WARNING)
    connection = duckdb.connect()
    connection.execute(f"SET threads = {workers}")
    db_api = DuckDBAPI(connection)
    rows: dict[str, list] = defaultdict(list)
    for position, record in enumerate(records):
        subject = record.subject
        rows["unique_id"].append(position)
        rows["given"].append(record.given.lower())
        rows["family"].append(record.family.lower())
        full = subject.birth_date if subject.birth_date and len(subject.birth_date) == 10 else None
        rows["dob"].append(full)
        rows["nationality"].append(subject.nationalities[0] if subject.nationalities else None)
        rows["sex"].append(subject.sex)
        rows["document"].append(min(subject.identifiers) if subject.identifiers else None)
    table = db_api.register(dict(rows))
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("given"),
            cl.NameComparison("family"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("nationality"),
            cl.ExactMatch("sex"),
            cl.ExactMatch("document"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("family"),
            block_on("given"),
            block_on("dob"),
            block_on("document"),
        ],
    )
    linker = Linker(table, settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given", "family", "dob")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("family"))
    started, cpu = time.perf_counter(), time.process_time()  # DuckDB's threads included
    predictions = linker.inference.predict()
    relation = predictions.as_duckdbpyrelation()
    found = relation.project("unique_id_l, unique_id_r, match_probability").fetchall()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    scored = [(float(p), (min(int(a), int(b)), max(int(a), int(b)))) for a, b, p in found]
    return {
        "scored": scored,
        "candidates": len(scored),
        "scoring_s": seconds,
        "cpu_s": cpu,
        "threshold": 0.5,
        "blocking_s": 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    records = labelled.build(DATA, args.persons, args.seed, part=1)
    truth = labelled.true_pairs(records)
    console = Console()
    console.print(f"{len(records)} records of {args.persons} persons, {len(truth)} true pairs")
    table = Table(title="Linking quality and speed, same labelled set")
    for column in (
        "system",
        "threshold",
        "candidate pairs",
        "precision",
        "recall",
        "pairwise F1",
        "B-cubed F1",
        "scored pairs/s",
        "per CPU-second",
    ):
        table.add_column(column, justify="right" if column != "system" else "left")
    for name, run in (("Interlink", run_ours), ("Splink 5 + DuckDB", run_splink)):
        found = run(records, args.workers)
        speed = found["candidates"] / found["scoring_s"]
        per_cpu = found["candidates"] / found["cpu_s"]
        for label, cut in (
            ("own", found["threshold"]),
            ("best (oracle)", best_cut(found["scored"], truth)),
        ):
            predicted = {pair for score, pair in found["scored"] if score >= cut}
            precision, recall, f1 = pairwise(predicted, truth)
            table.add_row(
                name,
                f"{label} {cut:.3g}",
                f"{found['candidates']:,}",
                f"{precision:.3f}",
                f"{recall:.3f}",
                f"{f1:.3f}",
                f"{b_cubed(records, predicted):.3f}",
                f"{speed:,.0f}",
                f"{per_cpu:,.0f}",
            )
        console.print(
            f"{name}: blocking {found['blocking_s']:.1f} s, scoring "
            f"{found['scoring_s']:.1f} s wall, {found['cpu_s']:.1f} s CPU"
        )
        if "named" in found:  # per CPU-second counts every pair decided, with or without names
            console.print(
                f"{name}: {found['candidates'] - found['named']:,} pairs decided without their "
                f"names (exact bound), {found['named']:,} needed their name level"
            )
    console.print(table)


if __name__ == "__main__":
    main()
