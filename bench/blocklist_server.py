"""Blocklist server benchmark: publishing versions to storage and serving the provider feed.

    .venv/bin/python bench/blocklist_server.py [--domains 100000] [--pg URL]

Synthetic domains only, in a fresh SQLite file under bench/out/ (and, with --pg, a scratch
PostgreSQL schema dropped afterwards). For each change size it publishes a new version and
measures the rows written, the time to publish, the update a provider one version behind
gets (built from storage with a cold cache, then from the warm per-process cache) and its
size on the wire. Prints Markdown tables for docs/blocklist.md.
"""

from __future__ import annotations

import argparse
import json
import random
import string
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ParamSpec, TypeVar

from sqlalchemy import create_engine, func, insert, select, text, update

from interlink.blocklist import service
from interlink.blocklist.feed import domain_full_hash
from interlink.blocklist.models import BlocklistDomain, DomainState, VersionMembership
from interlink.blocklist.versions import FeedCache, latest_version
from interlink.core import migrate
from interlink.core.auth import OrgKind, Perm, Principal
from interlink.core.db import Database, utcnow
from interlink.members import service as members
from interlink.members.models import Organisation

OUT = Path(__file__).parent / "out"
CHANGES = (0, 10, 100, 1_000, 10_000)
RULES = service.BlocklistRules()
T = TypeVar("T")
P = ParamSpec("P")


def word(rng: random.Random) -> str:
    return "".join(rng.choices(string.ascii_lowercase + string.digits, k=rng.randint(6, 14)))


def add_confirmed(db: Database, names: set[str], org_id: int) -> None:
    """Confirmed domains straight into storage: the confirmation workflow is not measured."""
    if not names:
        return
    rows = [
        {
            "domain": name,
            "state": DomainState.CONFIRMED.value,
            "round": 1,
            "submitted_by_org_id": org_id,
            "submitted_at": utcnow(),
        }
        for name in names
    ]
    with db.session() as session:
        session.execute(insert(BlocklistDomain), rows)


def delist_some(db: Database, rng: random.Random, count: int) -> None:
    with db.session() as session:
        listed = list(
            session.scalars(
                select(BlocklistDomain.id).where(BlocklistDomain.state == DomainState.LISTED.value)
            )
        )
        chosen = rng.sample(listed, count)
        for start in range(0, len(chosen), 5_000):
            session.execute(
                update(BlocklistDomain)
                .where(BlocklistDomain.id.in_(chosen[start : start + 5_000]))
                .values(state=DomainState.DELISTED.value)
            )


def membership_rows(db: Database, version: int | None = None) -> int:
    """Membership rows in all, or those a version wrote (opened or closed)."""
    stmt = select(func.count()).select_from(VersionMembership)
    if version is not None:
        stmt = stmt.where(
            (VersionMembership.added_in == version) | (VersionMembership.removed_in == version)
        )
    with db.session() as session:
        return session.scalar(stmt) or 0


def actors(db: Database) -> tuple[Principal, Principal, int]:
    with db.session() as session:
        members.seed_members(session)
        gs = members.org_by_code(session, members.GS_CODE)
        bureau = members.ncb_of(session, "MA")
        provider = Organisation(
            code="PARTNER-BENCH", kind=OrgKind.PARTNER.value, name="Bench provider"
        )
        session.add(provider)
        session.flush()
        publisher = Principal(
            label="bench-gs",
            org_id=gs.id,
            org_kind=OrgKind.GENERAL_SECRETARIAT,
            country=None,
            permissions=frozenset({Perm.BLOCKLIST_PUBLISH}),
        )
        feed = Principal(
            label="bench-provider",
            org_id=provider.id,
            org_kind=OrgKind.PARTNER,
            country=None,
            permissions=frozenset({Perm.BLOCKLIST_FEED}),
            token_id=1,
        )
        return publisher, feed, bureau.id


@dataclass(frozen=True, slots=True)
class Took:
    """Wall time, and this process's CPU time (the machine may be shared)."""

    wall: float
    cpu: float

    def __str__(self) -> str:
        if self.wall < 0.1:
            return f"{self.wall * 1000:.1f} ms ({self.cpu * 1000:.1f} ms CPU)"
        return f"{self.wall:.2f} s ({self.cpu:.2f} s CPU)"


def timed(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> tuple[T, Took]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work(*args, **kwargs)
    return result, Took(time.perf_counter() - wall, time.process_time() - cpu)


def run(url: str, domains: int) -> None:
    migrate.upgrade(url)
    db = Database(url)
    rng = random.Random(11)
    publisher, provider, bureau_id = actors(db)
    names = {f"{word(rng)}.example" for _ in range(domains)}
    add_confirmed(db, names, bureau_id)
    with db.session() as session:
        first, seconds = timed(service.publish, session, publisher, RULES)
    print(
        f"\n{db.dialect}: first version, {first.domain_count:,} domains: published in "
        f"{seconds} ({membership_rows(db):,} membership rows)\n"
    )
    print(
        "| changed (half in, half out) | rows written | publish | update, cold cache "
        "| update, warm | sent | as |"
    )
    print("|---:|---:|---:|---:|---:|---:|---|")
    for change in CHANGES:
        delist_some(db, rng, change // 2)
        add_confirmed(db, {f"{word(rng)}.test" for _ in range(change - change // 2)}, bureau_id)
        with db.session() as session:
            held = latest_version(session).number
            if change:
                _, publish_seconds = timed(service.publish, session, publisher, RULES)
            else:
                publish_seconds = Took(0.0, 0.0)
        written = membership_rows(db, held + 1) if change else 0
        cache = FeedCache()
        with db.session() as session:
            cold, cold_seconds = timed(service.feed_update, session, provider, cache, held)
            _, warm_seconds = timed(service.feed_update, session, provider, cache, held)
        sent = len(json.dumps(cold.to_wire(), separators=(",", ":")).encode())
        print(
            f"| {change:,} | {written:,} | {publish_seconds} | {cold_seconds} "
            f"| {warm_seconds} | {sent:,} B | {cold.kind} |"
        )
    prefix = domain_full_hash(next(iter(names)))[:4]
    with db.session() as session:
        _, full_hash_seconds = timed(
            service.feed_full_hashes, session, provider, RULES, cache, [prefix]
        )
    print(f"\nfull-hash request, warm cache: {full_hash_seconds}")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=100_000)
    parser.add_argument("--pg", help="PostgreSQL URL: also run on a scratch schema there")
    arguments = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    path = OUT / "blocklist_server.db"
    for stale in OUT.glob("blocklist_server.db*"):
        stale.unlink()
    run(f"sqlite:///{path}", arguments.domains)
    if arguments.pg:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(arguments.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            run(f"{arguments.pg}?options=-csearch_path%3D{schema}", arguments.domains)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
