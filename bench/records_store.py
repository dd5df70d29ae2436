"""Benchmark: importing synthetic persons into the database (parse + validate + store).

    .venv/bin/python bench/records_store.py --size 100000 [--pg URL]

Measures the whole `interlink records import` path minus the progress bar: FtM lines are
parsed and validated, then records, versions, audit entries and change events are inserted in
one transaction. Prints a table; nothing is written outside a temporary folder (and, with
--pg, a scratch schema that is dropped afterwards).
"""

from __future__ import annotations

import argparse
import gc
import json
import tempfile
import time
import uuid
from pathlib import Path

from faker import Faker
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text

from interlink.clikit import acting_for
from interlink.core import migrate
from interlink.core.db import Database
from interlink.members.service import seed_members
from interlink.records import importer
from interlink.records.restrictions import Restrictions

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def synthetic_lines(size: int, seed: int = 1) -> list[str]:
    faker = Faker(["en_GB", "fr_FR", "es_ES", "de_DE"])
    faker.seed_instance(seed)
    lines = []
    for i in range(size):
        lines.append(
            json.dumps(
                {
                    "id": f"bench-{i}",
                    "schema": "Person",
                    "properties": {
                        "name": [f"{faker.first_name()} {faker.last_name()}"],
                        "gender": ["male" if i % 2 else "female"],
                        "birthDate": [
                            faker.date_of_birth(minimum_age=18, maximum_age=80).isoformat()
                        ],
                        "nationality": [faker.random_element(["fr", "es", "de", "gb", "ma"])],
                    },
                }
            )
        )
    return lines


def run(url: str, lines: list[str]) -> dict[str, float]:
    migrate.upgrade(url)
    db = Database(url)
    with db.session() as session:
        seed_members(session)
    gc.freeze()
    started = time.perf_counter()
    with db.session() as session:
        principal = acting_for(session, "FR")
        entities = importer.parse(importer.ImportFormat.FTM, lines, "FR")
        parsed = time.perf_counter()
        stored = importer.import_entities(session, principal, entities, Restrictions())
    done = time.perf_counter()
    db.dispose()
    return {
        "rows": stored,
        "parse": parsed - started,
        "store": done - parsed,
        "total": done - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--pg", default=PG_DEFAULT, help="PostgreSQL URL, or 'none'")
    args = parser.parse_args()
    lines = synthetic_lines(args.size)
    results: list[tuple[str, dict[str, float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(
            ("SQLite (WAL, synchronous=FULL)", run(f"sqlite:///{Path(tmp)}/b.db", lines))
        )
    if args.pg != "none":
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            results.append(
                ("PostgreSQL 15", run(f"{args.pg}?options=-csearch_path%3D{schema}", lines))
            )
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    table = Table(title=f"records import: {args.size:,} FtM persons, one transaction")
    for column in ("database", "rows", "parse+validate s", "store s", "total s", "rows/s"):
        table.add_column(column, justify="right")
    for name, r in results:
        table.add_row(
            name,
            f"{r['rows']:,}",
            f"{r['parse']:.1f}",
            f"{r['store']:.1f}",
            f"{r['total']:.1f}",
            f"{r['rows'] / r['total']:,.0f}",
        )
    Console().print(table)


if __name__ == "__main__":
    main()
