"""Benchmark: audit entries per second, one commit per entry vs group commit (AuditWriter).

    .venv/bin/python bench/audit_throughput.py [--entries 4000] [--threads 16] [--pg URL]

Each of `threads` workers writes entries as request handlers would, waiting for each entry
to be durable before "answering". Prints a table; uses a temporary SQLite file and a scratch
PostgreSQL schema that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text

from interlink.core import audit, migrate
from interlink.core.audit import Actor, AuditWriter, Event
from interlink.core.db import Database

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ACTOR = Actor(label="bench", user_id=1, org_id=1, client_addr="127.0.0.1")


def one_commit_each(db: Database, n: int) -> None:
    with db.session() as session:
        audit.record(session, ACTOR, Event("screen.document", detail={"n": n}))


def measure(db: Database, entries: int, threads: int, grouped: bool) -> float:
    writer = AuditWriter(db)
    work = (
        (lambda n: writer.write(ACTOR, Event("screen.document", detail={"n": n})))
        if grouped
        else (lambda n: one_commit_each(db, n))
    )
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(work, range(entries)))
    elapsed = time.perf_counter() - started
    writer.close()
    audit.seal_all(db)
    return entries / elapsed


def run(url: str, entries: int, threads: int) -> tuple[float, float, float]:
    migrate.upgrade(url)
    db = Database(url)
    single = measure(db, entries, threads, grouped=False)
    grouped = measure(db, entries, threads, grouped=True)
    started = time.perf_counter()
    with db.session() as session:
        report = audit.verify(session)
    verify_rate = report.checked / (time.perf_counter() - started)
    db.dispose()
    return single, grouped, verify_rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=4000)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--pg", default=PG_DEFAULT, help="PostgreSQL URL, or 'none'")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(
            (
                "SQLite (WAL, synchronous=FULL)",
                *run(f"sqlite:///{Path(tmp)}/a.db", args.entries, args.threads),
            )
        )
    if args.pg != "none":
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            rows.append(
                (
                    "PostgreSQL 15",
                    *run(f"{args.pg}?options=-csearch_path%3D{schema}", args.entries, args.threads),
                )
            )
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    table = Table(
        title=f"audit writes: {args.entries:,} entries from {args.threads} threads, "
        "each durable before the caller goes on"
    )
    for column in (
        "database",
        "one commit per entry /s",
        "group commit /s",
        "speed-up",
        "chain verify /s",
    ):
        table.add_column(column, justify="right")
    for name, single, grouped, verify_rate in rows:
        table.add_row(
            name,
            f"{single:,.0f}",
            f"{grouped:,.0f}",
            f"{grouped / single:.1f}x",
            f"{verify_rate:,.0f}",
        )
    Console(width=140).print(table)


if __name__ == "__main__":
    main()
