"""Demo content of the records capability: synthetic persons, documents, vehicles, notices."""

from __future__ import annotations

from typing import Any

from faker import Faker
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.core.auth import OrgKind, Perm, Principal
from interlink.demo import DemoContext, SyntheticPerson, synthetic_people
from interlink.records import importer, notices
from interlink.records.interchange import ParsedEntity
from interlink.records.models import Record, RecordKind
from interlink.records.restrictions import Restrictions
from interlink.records.schemas import (
    DocumentStatus,
    DocumentType,
    NoticeData,
    PersonData,
    TravelDocumentData,
    VehicleData,
    VehicleStatus,
)

OWNERS = ("MA", "FR", "BR", "JP", "DE", "KE", "CA", "ES")


def _bureau(ctx: DemoContext, country: str) -> Principal:
    return Principal(
        label=f"demo:{country.lower()}",
        org_id=ctx.org_ids[f"NCB-{country}"],
        org_kind=OrgKind.NCB,
        country=country,
        permissions=frozenset(Perm),
    )


def _gs(ctx: DemoContext) -> Principal:
    return Principal(
        label="demo:gs",
        org_id=ctx.org_ids["GS"],
        org_kind=OrgKind.GENERAL_SECRETARIAT,
        country=None,
        permissions=frozenset(Perm),
    )


def _person(p: SyntheticPerson) -> PersonData:
    sex = {"M": "male", "F": "female"}[p.sex]
    return PersonData.model_validate(
        {
            "names": [{"full_name": p.full_name, "given_name": p.given, "family_name": p.family}],
            "sex": sex,
            "birth_date": p.birth_date.isoformat(),
            "birth_place": p.birth_place,
            "nationalities": [p.nationality],
        }
    )


def seed_records(ctx: DemoContext) -> None:
    faker = Faker()
    faker.seed_instance(ctx.seed)
    by_owner: dict[str, list[ParsedEntity]] = {c: [] for c in OWNERS}
    for i, person in enumerate(synthetic_people(ctx.persons, ctx.seed)):
        owner = OWNERS[i % len(OWNERS)]
        by_owner[owner].append(ParsedEntity(i + 1, f"demo-person-{i + 1}", _person(person)))
    for i in range(max(ctx.persons // 4, 10)):
        owner = OWNERS[i % len(OWNERS)]
        doc = TravelDocumentData(
            issuing_country=owner,
            document_type=DocumentType.PASSPORT,
            number=faker.bothify("??#######").upper(),
            status=ctx.rng.choice(list(DocumentStatus)),
            reported_on=faker.date_between("-3y", "today"),
        )
        by_owner[owner].append(ParsedEntity(i + 1, f"demo-doc-{i + 1}", doc))
    for i in range(max(ctx.persons // 10, 5)):
        owner = OWNERS[i % len(OWNERS)]
        vin = faker.bothify("1HG????##?#######").upper().translate(str.maketrans("IOQ", "XYZ"))
        vehicle = VehicleData(
            vin=vin,
            registration_number=faker.bothify("??-###-??").upper(),
            registration_country=owner,
            make=ctx.rng.choice(["Toyota", "Renault", "Volkswagen", "Hyundai", "Fiat"]),
            model="Demo",
            colour=faker.safe_color_name(),
            status=VehicleStatus.STOLEN,
            reported_on=faker.date_between("-2y", "today"),
        )
        by_owner[owner].append(ParsedEntity(i + 1, f"demo-vehicle-{i + 1}", vehicle))
    with ctx.db.session() as session:
        for owner, entities in by_owner.items():
            if entities:
                importer.import_entities(session, _bureau(ctx, owner), entities, Restrictions())
        _seed_notices(session, ctx)


def _seed_notices(session: Session, ctx: DemoContext) -> None:
    ma, gs = _bureau(ctx, "MA"), _gs(ctx)
    base = {
        "notice_type": "red",
        "facts": "Synthetic demo case: organised trafficking of stolen vehicles via ports.",
        "judicial": {
            "offence_description": "Trafficking in stolen vehicles",
            "offence_category": "organised_crime",
            "law_reference": "Demo Code 1",
            "maximum_penalty_months": 120,
            "purpose": "prosecution",
            "warrant_reference": "DEMO-W-1",
            "warrant_date": "2026-01-10",
            "issuing_authority": "Demo court",
            "extradition_countries": ["FR"],
        },
        "public_extract_consent": True,
    }
    subjects = list(synthetic_people(3, ctx.seed + 99))
    for i, person in enumerate(subjects):
        data = NoticeData.model_validate(
            {**base, "subject": _person(person).model_dump(mode="json", exclude_none=True)}
        )
        notice = notices.create_notice(session, ma, data, Restrictions())
        if i == 2:
            continue  # stays a draft
        notices.submit(session, ma, notice.id)
        if i == 1:
            continue  # waits in the review queue
        notices.start_review(session, gs, notice.id)
        notices.decide(
            session,
            gs,
            notice.id,
            approve=True,
            reason="Demo: serious ordinary-law crime, criteria met.",
        )
    _circulate_some(session, ctx, base)


# Persons circulate only under a request: a share of the demo's persons get one, so that
# screening from another bureau finds them (the rest stay national data).
CIRCULATED_SHARE = 20  # one person in this many
DIFFUSION_TO = (
    "FR",
    "DE",
    "ES",
    "IT",
    "GB",
    "MA",
    "BR",
    "JP",
    "KE",
    "CA",
    "US",
    "NG",
    "EG",
    "IN",
    "TR",
    "PK",
)


def _circulate_some(session: Session, ctx: DemoContext, red: dict[str, Any]) -> None:
    gs = _gs(ctx)
    persons = session.scalars(
        select(Record).where(Record.kind == RecordKind.PERSON.value).order_by(Record.id)
    ).all()
    for i, person in enumerate(persons[::CIRCULATED_SHARE][:300]):
        owner = next(
            c
            for c, org_id in ((c, ctx.org_ids[f"NCB-{c}"]) for c in OWNERS)
            if org_id == person.owner_org_id
        )
        bureau = _bureau(ctx, owner)
        if i % 2:
            data = NoticeData.model_validate(
                {
                    "notice_type": "blue",
                    "kind": "diffusion",
                    "facts": "Synthetic demo case: seen with a stolen vehicle at a border post.",
                }
            )
            diffusion = notices.create_notice(session, bureau, data, Restrictions(), person.id)
            notices.circulate_diffusion(
                session, bureau, diffusion.id, [c for c in DIFFUSION_TO if c != owner]
            )
            continue
        notice = notices.create_notice(
            session, bureau, NoticeData.model_validate(red), Restrictions(), person.id
        )
        notices.submit(session, bureau, notice.id)
        if notice.checks_summary == "fail":
            continue  # a synthetic person the checks stop: it waits for the reviewers
        notices.start_review(session, gs, notice.id)
        notices.decide(
            session,
            gs,
            notice.id,
            approve=True,
            reason="Demo: serious ordinary-law crime, criteria met.",
        )
