"""Benchmark: one simulated year of the oversight commission's work, the clock moved day by day.

    .venv/bin/python bench/rights_year.py [--requests 3000] [--measures 300]
        [--background 20000] [--unanswered 0.05] [--pg URL]

Synthetic people (Faker, fixed seed) are recorded by eight bureaus; `requests` of them file a
request during the year. The commission acts on each case on a day chosen at random inside
its deadline (as a diligent commission would); consulted bureaus answer within 1 to 35 days,
except a share `unanswered` that never answer. `measures` cases get a block; each block is
timed from its commit until the record no longer comes out of a real screening engine's
person search, refreshed by the production worker (every 0.2 s) in a background thread.
Every day ends with the consultation clock (`rights.service.tick`). Prints what the
platform did late (the target is nothing), and timings. SQLite in a temporary folder by
default; `--pg` runs on a scratch PostgreSQL schema, dropped afterwards.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, select, text

from interlink.core import migrate
from interlink.core.auth import OrgKind, Perm, Principal
from interlink.core.background import PeriodicWorker
from interlink.core.db import Database
from interlink.demo import SyntheticPerson, synthetic_people
from interlink.members import service as members
from interlink.messaging.crypto import Keyring
from interlink.records import importer
from interlink.records.interchange import ParsedEntity
from interlink.records.models import Record
from interlink.records.restrictions import Restrictions
from interlink.records.schemas import PersonData
from interlink.rights import service
from interlink.rights.clock import RightsPolicy
from interlink.rights.models import Case, Consultation, Decision, Order
from interlink.screening.engine import ScreeningEngine
from interlink.screening.person_matcher import PersonQuery
from interlink.wiring import SCREENING_REFRESH_SECONDS

OWNERS = ("MA", "FR", "BR", "JP", "DE", "KE", "CA", "ES")
KINDS = (("access", 0.45), ("deletion", 0.35), ("correction", 0.15), ("revision", 0.05))
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@dataclass
class Plan:
    person: SyntheticPerson
    record_id: int
    owner: str
    kind: str
    file_day: int
    admissible: bool = True
    admit_day: int = 0
    answer_day: int | None = None  # None: the bureau never answers
    decide_day: int = 0
    block: bool = False
    order: str | None = None  # delete | correct
    case_id: int = 0


@dataclass
class Results:
    block_latency: list[float] = field(default_factory=list)
    tick_seconds: list[float] = field(default_factory=list)
    search_seconds: list[float] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _person_data(p: SyntheticPerson, birth: str | None = None) -> PersonData:
    return PersonData.model_validate(
        {
            "names": [{"full_name": p.full_name}],
            "sex": {"M": "male", "F": "female"}[p.sex],
            "birth_date": birth or p.birth_date.isoformat(),
            "nationalities": [p.nationality],
        }
    )


def _bureau(org_ids: dict[str, int], country: str) -> Principal:
    return Principal(
        label=f"bench:{country.lower()}",
        org_id=org_ids[f"NCB-{country}"],
        org_kind=OrgKind.NCB,
        country=country,
        permissions=frozenset(Perm),
    )


def _plans(
    rng: random.Random,
    people: list[SyntheticPerson],
    record_ids: dict[str, int],
    requests: int,
    measures: int,
    unanswered: float,
    policy: RightsPolicy,
) -> list[Plan]:
    plans = []
    for i, person in enumerate(people[:requests]):
        kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
        owner = OWNERS[i % len(OWNERS)]
        plan = Plan(person, record_ids[f"p-{i}"], owner, kind, file_day=rng.randrange(365))
        plan.admissible = rng.random() < 0.9
        plan.admit_day = plan.file_day + rng.randint(2, 25)  # inside the month
        if rng.random() >= unanswered:
            plan.answer_day = plan.admit_day + rng.randint(1, 35)  # some answer late
        months = policy.decision_months(kind)
        latest = months * 30 - 5
        plan.decide_day = plan.admit_day + rng.randint(min(40, latest), latest)
        if kind in ("deletion", "correction") and rng.random() < 0.3:
            plan.order = "delete" if kind == "deletion" else "correct"
        plans.append(plan)
    eligible = [
        p
        for p in plans
        if p.admissible and p.kind in ("deletion", "correction") and p.admit_day + 1 < 365
    ]
    for plan in rng.sample(eligible, min(measures, len(eligible))):
        plan.block = True
    return plans


def _refresh_worker(engine: ScreeningEngine) -> PeriodicWorker:
    return PeriodicWorker("bench-refresh", SCREENING_REFRESH_SECONDS, engine.refresh).start()


def _in_index(engine: ScreeningEngine, query: PersonQuery, record_id: int) -> bool:
    # viewer None: every indexed person (the Secretariat's view), so what is measured is
    # the record leaving the index, whoever searches
    return record_id in {h.record_id for h in engine.persons.search(query, None, limit=50)}


def _await_gone(
    engine: ScreeningEngine,
    query: PersonQuery,
    record_id: int,
    committed: float,
    timeout: float = 5.0,
) -> float:
    while time.perf_counter() - committed < timeout:
        if not _in_index(engine, query, record_id):
            return time.perf_counter() - committed
        time.sleep(0.002)
    return float("inf")


def run(
    url: str,
    requests: int,
    measures: int,
    background: int,
    unanswered: float,
    seed: int,
    folder: Path,
) -> Results:
    migrate.upgrade(url)
    db = Database(url)
    with db.session() as session:
        members.seed_members(session)
        org_ids = {o.code: o.id for o in members.list_organisations(session)}
    commission = Principal(
        label="bench:ccf",
        org_id=org_ids[members.OVERSIGHT_CODE],
        org_kind=OrgKind.OVERSIGHT,
        country=None,
        permissions=frozenset({Perm.RIGHTS_CASEWORK, Perm.RECORDS_READ}),
    )
    keys = Keyring(folder / "keys")
    policy = RightsPolicy(requests_per_hour=10**6)
    rng = random.Random(seed)
    people = list(synthetic_people(requests + background, seed))
    by_owner: dict[str, list[ParsedEntity]] = defaultdict(list)
    for i, person in enumerate(people):
        owner = OWNERS[i % len(OWNERS)]
        by_owner[owner].append(ParsedEntity(i + 1, f"p-{i}", _person_data(person)))
    with db.session() as session:
        for owner, entities in by_owner.items():
            importer.import_entities(session, _bureau(org_ids, owner), entities, Restrictions())
        record_ids = dict(session.execute(select(Record.external_id, Record.id)).all())
    engine = ScreeningEngine(db).build()
    worker = _refresh_worker(engine)
    plans = _plans(rng, people, record_ids, requests, measures, unanswered, policy)
    by_day: dict[tuple[str, int], list[Plan]] = defaultdict(list)
    for plan in plans:
        by_day["file", plan.file_day].append(plan)
    results = Results()
    counts = results.counts
    try:
        for day in range(365):
            morning = YEAR_START + timedelta(days=day, hours=9)
            for plan in by_day["file", day]:
                with db.session() as session:
                    filed = service.file_request(
                        session,
                        keys,
                        b"bench",
                        policy,
                        service.NewRequest(
                            kind=plan.kind,
                            names=[plan.person.full_name],
                            birth_date=plan.person.birth_date.isoformat(),
                            nationality=plan.person.nationality,
                            revision_of="CCF-EARLIER" if plan.kind == "revision" else None,
                        ),
                        client_addr=None,
                        now=morning,
                    )
                plan.case_id = filed.case.id
                by_day["admit", plan.admit_day].append(plan)
                counts["filed"] += 1
            for plan in by_day["admit", day]:
                _admit(db, engine, commission, policy, plan, morning, results, by_day)
            for plan in by_day["answer", day]:
                _answer(db, org_ids, plan, morning + timedelta(hours=2), counts)
            for plan in by_day["block", day]:
                _block(db, engine, commission, plan, morning + timedelta(hours=3), results)
            for plan in by_day["decide", day]:
                _decide(db, commission, policy, plan, morning + timedelta(hours=6), counts)
            evening = morning + timedelta(hours=9)
            started = time.perf_counter()
            with db.session() as session:
                report = service.tick(session, evening)
            results.tick_seconds.append(time.perf_counter() - started)
            counts["escalations"] += report.escalations
            counts["reminders"] += report.half_reminders + report.final_reminders
            with db.session() as session:  # every consultation late tonight is escalated
                counts["late_not_escalated"] += len(
                    session.scalars(
                        select(Consultation.id).where(
                            Consultation.answered_at.is_(None),
                            Consultation.unanswered.is_(False),
                            Consultation.due_at < evening,
                            Consultation.escalated_at.is_(None),
                        )
                    ).all()
                )
        _audit_year(db, counts)
        with db.session() as session:
            started = time.perf_counter()
            stats = service.statistics(session, 2026)
            counts["statistics_ms"] = int((time.perf_counter() - started) * 1000)
            counts["audit_matches"] = int(service.statistics_from_audit(session, 2026) == stats)
    finally:
        worker.stop()
        db.dispose()
    return results


def _admit(
    db: Database,
    engine: ScreeningEngine,
    commission: Principal,
    policy: RightsPolicy,
    plan: Plan,
    now: datetime,
    results: Results,
    by_day: dict,
) -> None:
    with db.session() as session:
        service.decide_admissibility(
            session,
            commission,
            policy,
            plan.case_id,
            admissible=plan.admissible,
            reason="bench: within the commission's remit"
            if plan.admissible
            else "bench: outside the remit",
            now=now,
        )
    results.counts["admitted" if plan.admissible else "inadmissible"] += 1
    if not plan.admissible:
        return
    with db.session() as session:
        started = time.perf_counter()
        found = service.find_holdings(
            session, commission, plan.case_id, index=engine.persons, now=now
        )
        results.search_seconds.append(time.perf_counter() - started)
        results.counts["holding_found"] += int(any(h.target_id == plan.record_id for h in found))
        owner = session.scalars(
            select(Record.owner_org_id).where(Record.id == plan.record_id)
        ).one()
        service.consult(
            session,
            commission,
            policy,
            plan.case_id,
            org_id=owner,
            question="bench: on what basis is this person recorded?",
            now=now,
        )
    results.counts["consultations"] += 1
    if plan.answer_day is not None:
        by_day["answer", plan.answer_day].append(plan)
    if plan.block:
        by_day["block", plan.admit_day + 1].append(plan)
    by_day["decide", plan.decide_day].append(plan)


def _answer(
    db: Database, org_ids: dict[str, int], plan: Plan, now: datetime, counts: dict[str, int]
) -> None:
    with db.session() as session:
        consultation = session.scalars(
            select(Consultation).where(Consultation.case_id == plan.case_id)
        ).one()
        if consultation.unanswered:
            return  # decided before the answer came
        service.answer_consultation(
            session,
            _bureau(org_ids, plan.owner),
            consultation.id,
            "bench: a warrant supports the record",
            now=now,
        )
    counts["answered"] += 1
    counts["answered_late"] += int(now > consultation.due_at)


def _block(
    db: Database,
    engine: ScreeningEngine,
    commission: Principal,
    plan: Plan,
    now: datetime,
    results: Results,
) -> None:
    query = PersonQuery(name=plan.person.full_name, birth_date=plan.person.birth_date.isoformat())
    results.counts["found_before_block"] += int(_in_index(engine, query, plan.record_id))
    with db.session() as session:
        if session.get(Case, plan.case_id).status != "admissible":
            return
        service.place_measure(
            session,
            commission,
            plan.case_id,
            action="block",
            target="record",
            target_id=plan.record_id,
            reason_category="pending_examination",
            now=now,
        )
    committed = time.perf_counter()
    results.block_latency.append(_await_gone(engine, query, plan.record_id, committed))
    results.counts["blocked"] += 1


def _decide(
    db: Database,
    commission: Principal,
    policy: RightsPolicy,
    plan: Plan,
    now: datetime,
    counts: dict[str, int],
) -> None:
    if plan.decide_day >= 365:
        return
    orders = []
    if plan.order == "delete":
        orders = [service.NewOrder("delete", "record", plan.record_id)]
    elif plan.order == "correct":
        data = _person_data(plan.person, birth="1901-01-01").model_dump(
            mode="json", exclude_none=True
        )
        orders = [service.NewOrder("correct", "record", plan.record_id, data)]
    outcome = (
        "non_compliant"
        if orders
        else {"access": "access_given", "revision": "revision_refused"}.get(plan.kind, "compliant")
    )
    with db.session() as session:
        service.decide(
            session,
            commission,
            policy,
            plan.case_id,
            outcome=outcome,
            reasoning="bench: the data was examined and this is the outcome.",
            confidential="bench: confidential part",
            orders=orders,
            now=now,
        )
    counts["decided"] += 1
    counts[f"orders_{plan.order}"] += int(bool(orders))


def _audit_year(db: Database, counts: dict[str, int]) -> None:
    """What the platform did late: admissibility, decisions, orders, escalations."""
    with db.session() as session:
        counts["late_admissibility"] = len(
            [
                c
                for c in session.scalars(select(Case))
                if (c.admissible_at or c.decided_at)
                and (c.admissible_at or c.decided_at) > c.admissibility_due
            ]
        )
        counts["late_decisions"] = len(
            session.scalars(select(Decision.id).where(Decision.on_time.is_(False))).all()
        )
        counts["late_orders"] = len(
            [
                o
                for o in session.scalars(select(Order))
                if o.carried_out_at is None or o.carried_out_at > o.due_at
            ]
        )
        rows = session.scalars(select(Consultation)).all()
        counts["late_escalations"] = len(
            [
                c
                for c in rows
                if c.escalated_at is not None and c.escalated_at - c.due_at > timedelta(days=1)
            ]
        )
        counts["unanswered"] = len([c for c in rows if c.unanswered])
        counts["escalated"] = len([c for c in rows if c.escalated_at is not None])
        counts["late_answers_not_escalated"] = len(
            [
                c
                for c in rows
                if c.answered_at is not None
                and c.answered_at > c.due_at + timedelta(days=1)
                and c.escalated_at is None
            ]
        )


def _pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def _table(name: str, args: argparse.Namespace, results: Results, seconds: float) -> Table:
    c = results.counts
    table = Table(
        title=f"{name}: one year, {args.requests:,} requests, "
        f"{args.background + args.requests:,} persons recorded, "
        f"{args.unanswered:.0%} of consultations never answered "
        f"({seconds:,.0f} s)"
    )
    table.add_column("measure")
    table.add_column("value", justify="right")
    latency = results.block_latency
    for label, value in (
        (
            "requests filed / admitted / inadmissible",
            f"{c['filed']:,} / {c['admitted']:,} / {c['inadmissible']:,}",
        ),
        ("decided within the year", f"{c['decided']:,}"),
        ("applicant's record found by the matcher", f"{c['holding_found']:,} of {c['admitted']:,}"),
        (
            "consultations / answered / answered late",
            f"{c['consultations']:,} / {c['answered']:,} / {c['answered_late']:,}",
        ),
        ("consultations closed unanswered by a decision", f"{c['unanswered']:,}"),
        ("escalated to the GS (every late one)", f"{c['escalated']:,}"),
        ("reminders sent", f"{c['reminders']:,}"),
        (
            "blocks / deletions / corrections",
            f"{c['blocked']:,} / {c['orders_delete']:,} / {c['orders_correct']:,}",
        ),
        ("LATE: admissibility decisions", f"{c['late_admissibility']}"),
        ("LATE: decisions", f"{c['late_decisions']}"),
        ("LATE: orders carried out", f"{c['late_orders']}"),
        ("LATE: escalations (> 1 day after due)", f"{c['late_escalations']}"),
        ("LATE: consultations late at a day's end, not escalated", f"{c['late_not_escalated']}"),
        (
            "block to out of screening: p50 / p99 / max (s)",
            f"{_pct(latency, 0.5):.3f} / {_pct(latency, 0.99):.3f} / {max(latency, default=0):.3f}",
        ),
        ("blocked records found by screening just before", f"{c['found_before_block']:,}"),
        (
            "blocks out of screening within 1 s",
            f"{sum(1 for x in latency if x < 1):,} of {len(latency):,}",
        ),
        (
            "daily clock pass: median / max (ms)",
            f"{statistics.median(results.tick_seconds) * 1000:.1f} / "
            f"{max(results.tick_seconds) * 1000:.1f}",
        ),
        (
            "search of holdings: median / p99 (ms)",
            f"{_pct(results.search_seconds, 0.5) * 1000:.1f} / "
            f"{_pct(results.search_seconds, 0.99) * 1000:.1f}",
        ),
        ("yearly statistics computed in (ms)", f"{c['statistics_ms']}"),
        ("statistics recomputed from the audit log agree", "yes" if c["audit_matches"] else "NO"),
    ):
        table.add_row(label, value)
    return table


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--measures", type=int, default=300)
    parser.add_argument("--background", type=int, default=20000)
    parser.add_argument("--unanswered", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--sqlite", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--pg", default="none", help="PostgreSQL URL, or 'none'")
    args = parser.parse_args()
    console = Console(width=140)

    def one(name: str, url: str) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            results = run(
                url,
                args.requests,
                args.measures,
                args.background,
                args.unanswered,
                args.seed,
                Path(tmp),
            )
            console.print(_table(name, args, results, time.perf_counter() - started))

    if args.sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            one("SQLite", f"sqlite:///{Path(tmp)}/rights.db")
    if args.pg != "none":
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            one("PostgreSQL", f"{args.pg}?options=-csearch_path%3D{schema}")
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
