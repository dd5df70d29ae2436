"""Demo content of the records capability: synthetic persons, documents, vehicles, notices."""

from __future__ import annotations

from faker import Faker
from sqlalchemy.orm import Session

from interlink.core.auth import OrgKind, Perm, Principal
from interlink.demo import DemoContext, SyntheticPerson, synthetic_people
from interlink.records import importer, notices
from interlink.records.interchange import ParsedEntity
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
    return Principal(label=f"demo:{country.lower()}", org_id=ctx.org_ids[f"NCB-{country}"],
                     org_kind=OrgKind.NCB, country=country, permissions=frozenset(Perm))


def _gs(ctx: DemoContext) -> Principal:
    return Principal(label="demo:gs", org_id=ctx.org_ids["GS"],
                     org_kind=OrgKind.GENERAL_SECRETARIAT, country=None,
                     permissions=frozenset(Perm))


def _person(p: SyntheticPerson) -> PersonData:
    sex = {"M": "male", "F": "female"}[p.sex]
    return PersonData.model_validate({
        "names": [{"full_name": p.full_name, "given_name": p.given, "family_name": p.family}],
        "sex": sex, "birth_date": p.birth_date.isoformat(), "birth_place": p.birth_place,
        "nationalities": [p.nationality]})


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
            issuing_country=owner, document_type=DocumentType.PASSPORT,
            number=faker.bothify("??#######").upper(),
            status=ctx.rng.choice(list(DocumentStatus)),
            reported_on=faker.date_between("-3y", "today"))
        by_owner[owner].append(ParsedEntity(i + 1, f"demo-doc-{i + 1}", doc))
    for i in range(max(ctx.persons // 10, 5)):
        owner = OWNERS[i % len(OWNERS)]
        vin = faker.bothify("1HG????##?#######").upper().translate(str.maketrans("IOQ", "XYZ"))
        vehicle = VehicleData(vin=vin, registration_number=faker.bothify("??-###-??").upper(),
                              registration_country=owner, make=ctx.rng.choice(
                                  ["Toyota", "Renault", "Volkswagen", "Hyundai", "Fiat"]),
                              model="Demo", colour=faker.safe_color_name(),
                              status=VehicleStatus.STOLEN,
                              reported_on=faker.date_between("-2y", "today"))
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
        "judicial": {"offence_description": "Trafficking in stolen vehicles",
                     "offence_category": "organised_crime", "law_reference": "Demo Code 1",
                     "maximum_penalty_months": 120, "purpose": "prosecution",
                     "warrant_reference": "DEMO-W-1", "warrant_date": "2026-01-10",
                     "issuing_authority": "Demo court", "extradition_countries": ["FR"]},
        "public_extract_consent": True,
    }
    subjects = list(synthetic_people(3, ctx.seed + 99))
    for i, person in enumerate(subjects):
        data = NoticeData.model_validate(
            {**base, "subject": _person(person).model_dump(mode="json", exclude_none=True)})
        notice = notices.create_notice(session, ma, data, Restrictions())
        if i == 2:
            continue  # stays a draft
        notices.submit(session, ma, notice.id)
        if i == 1:
            continue  # waits in the review queue
        notices.start_review(session, gs, notice.id)
        notices.decide(session, gs, notice.id, approve=True,
                       reason="Demo: serious ordinary-law crime, criteria met.")


