"""Benchmark: one process holding every screening index at production size.

    .venv/bin/python bench/screening_memory.py [--persons 1000000] [--documents 10000000]

Loads the person index (the world of bench/persons_speed.py) and the document index (the
world of bench/documents_speed.py) into one process, as a server does, and reports resident
memory after each step: the target is under 2 GB for 1,000,000 persons plus 10,000,000
documents. Prints a table.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).parent))

import documents_speed
import persons_speed

from interlink.screening.document_index import DocumentIndex
from interlink.screening.person_index import PersonIndex


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--documents", type=int, default=10_000_000)
    args = parser.parse_args()
    rows = [("start", documents_speed.memory_mb()[0], 0.0)]
    started = time.perf_counter()
    entries, _ = persons_speed.world(args.persons, persons_speed.load_pools(), 1)
    persons = PersonIndex()
    persons.bulk_load(entries)
    del entries
    gc.collect()
    rows.append(
        (
            f"+ {args.persons:,} persons indexed",
            documents_speed.memory_mb()[0],
            time.perf_counter() - started,
        )
    )
    started = time.perf_counter()
    sample: list[tuple[str, str]] = []
    documents = DocumentIndex()
    documents.bulk_load(documents_speed.documents(args.documents, 1, sample))
    gc.collect()
    rows.append(
        (
            f"+ {args.documents:,} documents indexed",
            documents_speed.memory_mb()[0],
            time.perf_counter() - started,
        )
    )
    assert len(persons) and len(documents)
    peak = documents_speed.memory_mb()[1]
    table = Table(title="screening indexes in one process (resident memory)")
    for column in ("step", "RSS MB", "seconds"):
        table.add_column(column, justify="right")
    for step, rss, seconds in rows:
        table.add_row(step, f"{rss:,.0f}", f"{seconds:.0f}")
    table.add_row("peak during loading", f"{peak:,.0f}", "")
    Console(width=120).print(table)


if __name__ == "__main__":
    main()
