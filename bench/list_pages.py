"""Benchmark: one page of the audit log as the list page asks for it (total + keyset page).

    .venv/bin/python bench/list_pages.py --size 1000000 [--pg URL]

Fills the audit log with synthetic entries (bulk insert, 50 organisations, 12 actions, one
year of timestamps), then times what GET /audit does: the COUNT of the filtered entries and
one page of 50 newest first, at the first page and 20 pages deep, for an oversight reader
(everything) and an owning bureau (its records only), with and without filters. Prints a
table of the median of 5 runs. Nothing is written outside a temporary folder (and, with --pg,
a scratch schema that is dropped afterwards).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, insert, text

from interlink.core import migrate
from interlink.core.audit import AuditEntry
from interlink.core.auth import OrgKind, Perm, Principal
from interlink.core.db import Database
from interlink.oversight import service as oversight
from interlink.oversight.service import AuditFilter

ACTIONS = [
    "record.read",
    "record.list",
    "record.create",
    "record.version",
    "notice.list",
    "notice.read",
    "screen.person",
    "screen.document",
    "message.read",
    "message.send",
    "audit.query",
    "login",
]
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def fill(db: Database, size: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    batch = []
    with db.session() as session:
        for number in range(size):
            org = rng.randrange(1, 51)
            batch.append(
                {
                    "at": start + timedelta(seconds=number * 31_536_000 // size),
                    "actor_org_id": org,
                    "actor_label": f"user{rng.randrange(500)}.org{org}",
                    "action": rng.choice(ACTIONS),
                    "object_type": "record",
                    "object_id": str(rng.randrange(1, 2_000_000)),
                    "object_owner_org_id": rng.randrange(1, 51),
                    "outcome": "ok",
                    "detail": {},
                }
            )
            if len(batch) == 20_000:
                session.execute(insert(AuditEntry), batch)
                batch = []
        if batch:
            session.execute(insert(AuditEntry), batch)


def principal(org_id: int, perm: Perm) -> Principal:
    return Principal(
        label="bench",
        org_id=org_id,
        org_kind=OrgKind.NCB,
        country="FR",
        permissions=frozenset({perm}),
    )


def timed(db: Database, call: Callable[..., object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        with db.session() as session:
            started = time.perf_counter()
            call(session)
            times.append(time.perf_counter() - started)
            session.rollback()  # the audit.query entry of the read itself is not kept
    return statistics.median(times) * 1000


def deep_cursor(db: Database, who: Principal, filters: AuditFilter, pages: int) -> str | None:
    """The cursor of page `pages + 1`, or None when the list is shorter."""
    cursor = None
    with db.session() as session:
        for _ in range(pages):
            cursor = oversight.audit_page(session, who, filters, cursor=cursor).next_cursor
            if cursor is None:
                break
        session.rollback()
    return cursor


def measure(url: str, size: int) -> list[tuple[str, str, str, str]]:
    migrate.upgrade(url)
    db = Database(url)
    started = time.perf_counter()
    fill(db, size)
    filled = time.perf_counter() - started
    commission = principal(9999, Perm.AUDIT_ALL)
    bureau = principal(7, Perm.AUDIT_OWN)
    cases = [
        ("oversight, no filter", commission, AuditFilter()),
        ("oversight, action=record.read", commission, AuditFilter(action="record.read")),
        ("oversight, one organisation", commission, AuditFilter(actor_org_id=12)),
        (
            "oversight, one week",
            commission,
            AuditFilter(
                since=datetime(2026, 6, 1, tzinfo=UTC), until=datetime(2026, 6, 8, tzinfo=UTC)
            ),
        ),
        ("bureau (own records), no filter", bureau, AuditFilter()),
        ("bureau, actor contains 'user42.'", bureau, AuditFilter(actor="user42.")),
    ]
    rows = []
    for name, who, filters in cases:
        with db.session() as session:
            total = oversight.audit_page(session, who, filters).total
            session.rollback()
        first = timed(db, lambda s, w=who, f=filters: oversight.audit_page(s, w, f))
        cursor = deep_cursor(db, who, filters, 20)
        deep = (
            timed(db, lambda s, w=who, f=filters, c=cursor: oversight.audit_page(s, w, f, cursor=c))
            if cursor
            else None
        )
        rows.append(
            (
                name,
                f"{total:,}",
                f"{first:.1f}",
                f"{deep:.1f}" if deep is not None else "(fewer pages)",
            )
        )
    db.engine.dispose()
    Console().print(f"filled {size:,} entries in {filled:.1f} s")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument(
        "--pg",
        nargs="?",
        const=PG_DEFAULT,
        default=None,
        help="also on PostgreSQL (a scratch schema at this URL)",
    )
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        results["SQLite"] = measure(f"sqlite:///{Path(folder) / 'bench.db'}", args.size)
    if args.pg:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            results["PostgreSQL"] = measure(
                f"{args.pg}?options=-csearch_path%3D{schema}", args.size
            )
        finally:
            with admin.connect() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    table = Table(title=f"GET /audit at {args.size:,} entries: total + 50 rows, median ms")
    for column in ("database", "reader and filter", "matching", "first page", "page 21"):
        table.add_column(
            column, justify="left" if column in ("database", "reader and filter") else "right"
        )
    for database, rows in results.items():
        for row in rows:
            table.add_row(database, *row)
    Console().print(table)


if __name__ == "__main__":
    main()
