"""The synthetic demo world: every member and bureau, demo users, synthetic people.

Never real persons' data: every name, date and number comes from Faker with a fixed seed.
Capabilities' demo content is listed in interlink.wiring.demo_seeders.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from faker import Faker
from sqlalchemy.orm import Session

from interlink.config import load_settings
from interlink.core import audit, migrate
from interlink.core.auth import OrgKind, Role, hash_password
from interlink.core.db import Database
from interlink.members import service as members
from interlink.members.models import Organisation, User

DEMO_MARKER = ".interlink-demo"
DEMO_PASSWORD = "Interlink-Demo-2026"

# Faker locales and the script their names are written in.
NAME_LOCALES: dict[str, str] = {
    "en_GB": "Latin",
    "fr_FR": "Latin",
    "es_ES": "Latin",
    "pt_BR": "Latin",
    "de_DE": "Latin",
    "tr_TR": "Latin",
    "pl_PL": "Latin",
    "ar_AA": "Arabic",
    "ru_RU": "Cyrillic",
    "uk_UA": "Cyrillic",
    "zh_CN": "Han",
    "ja_JP": "Japanese",
    "ko_KR": "Hangul",
    "he_IL": "Hebrew",
    "el_GR": "Greek",
    "hi_IN": "Devanagari",
}
LOCALE_COUNTRY: dict[str, str] = {
    "en_GB": "GB",
    "fr_FR": "FR",
    "es_ES": "ES",
    "pt_BR": "BR",
    "de_DE": "DE",
    "tr_TR": "TR",
    "pl_PL": "PL",
    "ar_AA": "MA",
    "ru_RU": "RU",
    "uk_UA": "UA",
    "zh_CN": "CN",
    "ja_JP": "JP",
    "ko_KR": "KR",
    "he_IL": "IL",
    "el_GR": "GR",
    "hi_IN": "IN",
}


@dataclass(frozen=True, slots=True)
class DemoUser:
    username: str
    display_name: str
    org_code: str
    roles: tuple[Role, ...]
    mfa: bool = False


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("rabat.officer", "Youssef Demo (officer)", "NCB-MA", (Role.OFFICER,)),
    DemoUser("rabat.supervisor", "Amina Demo (supervisor)", "NCB-MA", (Role.SUPERVISOR,)),
    DemoUser("rabat.admin", "Karim Demo (NCB admin)", "NCB-MA", (Role.NCB_ADMIN,), mfa=True),
    DemoUser("rabat.border", "Border Post Demo", "AGENCY-MA-BORDER", (Role.OFFICER,)),
    DemoUser("paris.officer", "Claire Demo (officer)", "NCB-FR", (Role.OFFICER,)),
    DemoUser("paris.supervisor", "Luc Demo (supervisor)", "NCB-FR", (Role.SUPERVISOR,)),
    DemoUser("brasilia.officer", "Ana Demo (officer)", "NCB-BR", (Role.OFFICER,)),
    DemoUser("tokyo.officer", "Haruto Demo (officer)", "NCB-JP", (Role.OFFICER,)),
    DemoUser("nairobi.delegate", "Wanjiru Demo (delegate)", "NCB-KE", (Role.DELEGATE,)),
    DemoUser("ottawa.delegate", "Marc Demo (delegate)", "NCB-CA", (Role.DELEGATE,)),
    DemoUser(
        "lyon.reviewer", "Sophie Demo (compliance)", "GS", (Role.COMPLIANCE_REVIEWER,), mfa=True
    ),
    DemoUser("lyon.analyst", "Pierre Demo (analyst)", "GS", (Role.ANALYST,)),
    DemoUser("gs.admin", "GS Administrator Demo", "GS", (Role.GS_ADMIN,), mfa=True),
    DemoUser("ccf.officer", "Oversight Officer Demo", "CCF", (Role.OVERSIGHT,), mfa=True),
    DemoUser("skyways.partner", "SkyWays Airline Demo", "PARTNER-SKYWAYS", (Role.PARTNER,)),
    DemoUser("netsafe.partner", "NetSafe Provider Demo", "PARTNER-NETSAFE", (Role.PARTNER,)),
)

EXTRA_ORGS = (
    ("AGENCY-MA-BORDER", OrgKind.AGENCY, "Morocco Border Police (demo)", "MA", "NCB-MA"),
    ("PARTNER-SKYWAYS", OrgKind.PARTNER, "SkyWays Airline (demo partner)", None, None),
    ("PARTNER-NETSAFE", OrgKind.PARTNER, "NetSafe Internet Provider (demo partner)", None, None),
    ("ICC", OrgKind.INTERNATIONAL, "International Criminal Court (demo)", None, None),
)


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    password: str
    role: str
    organisation: str
    totp_secret: str | None

    def as_row(self) -> dict[str, str | None]:
        return {
            "username": self.username,
            "password": self.password,
            "role": self.role,
            "organisation": self.organisation,
            "totp_secret": self.totp_secret,
        }


@dataclass(frozen=True, slots=True)
class SyntheticPerson:
    given: str
    family: str
    script: str
    locale: str
    sex: str
    birth_date: date
    nationality: str
    birth_place: str

    @property
    def full_name(self) -> str:
        # East Asian names are written family name first, Chinese and Japanese without a space.
        if self.script in ("Han", "Japanese"):
            return f"{self.family}{self.given}"
        if self.script == "Hangul":
            return f"{self.family} {self.given}"
        return f"{self.given} {self.family}"


def synthetic_people(count: int, seed: int) -> Iterator[SyntheticPerson]:
    rng = random.Random(seed)
    fakers = {loc: Faker(loc) for loc in NAME_LOCALES}
    for i, faker in enumerate(fakers.values()):
        faker.seed_instance(seed + i)
    locales = list(NAME_LOCALES)
    for _ in range(count):
        locale = rng.choice(locales)
        faker = fakers[locale]
        sex = rng.choice("MF")
        given = faker.first_name_male() if sex == "M" else faker.first_name_female()
        yield SyntheticPerson(
            given=given,
            family=faker.last_name(),
            script=NAME_LOCALES[locale],
            locale=locale,
            sex=sex,
            birth_date=faker.date_of_birth(minimum_age=18, maximum_age=80),
            nationality=LOCALE_COUNTRY[locale],
            birth_place=faker.city(),
        )


@dataclass(slots=True)
class DemoContext:
    db: Database
    rng: random.Random
    persons: int
    seed: int
    org_ids: dict[str, int] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)


def _prepare_folder(data_dir: Path) -> None:
    if data_dir.exists() and any(data_dir.iterdir()):
        if not (data_dir / DEMO_MARKER).exists():
            raise ValueError(f"{data_dir} is not empty and is not a demo folder: choose another")
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    (data_dir / DEMO_MARKER).write_text("created by 'interlink demo'; safe to delete\n")


def _seed_orgs_and_users(session: Session, rng: random.Random, ctx: DemoContext) -> list[DemoLogin]:
    members.seed_members(session)
    for code, kind, name, country, parent in EXTRA_ORGS:
        parent_id = members.org_by_code(session, parent).id if parent else None
        session.add(
            Organisation(
                code=code, kind=kind.value, name=name, country=country, parent_id=parent_id
            )
        )
    session.flush()
    password_hash = hash_password(DEMO_PASSWORD)
    logins = []
    for demo_user in DEMO_USERS:
        org = members.org_by_code(session, demo_user.org_code)
        secret = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(32))
        user = User(
            username=demo_user.username,
            display_name=demo_user.display_name,
            org_id=org.id,
            roles=[r.value for r in demo_user.roles],
            password_hash=password_hash,
            totp_secret=secret if demo_user.mfa else None,
        )
        session.add(user)
        session.flush()
        ctx.user_ids[user.username] = user.id
        logins.append(
            DemoLogin(
                demo_user.username,
                DEMO_PASSWORD,
                ", ".join(r.value for r in demo_user.roles),
                org.code,
                secret if demo_user.mfa else None,
            )
        )
    ctx.org_ids.update({o.code: o.id for o in members.list_organisations(session)})
    audit.record(session, audit.SYSTEM, audit.Event("demo.seed", detail={"users": len(logins)}))
    return logins


def load_seeders() -> list[Callable[[DemoContext], None]]:
    """Every capability's demo content, as interlink.wiring lists it."""
    from interlink.wiring import demo_seeders

    return demo_seeders()


def build_demo_world(data_dir: Path, *, persons: int = 2000, seed: int = 2026) -> list[DemoLogin]:
    _prepare_folder(data_dir)
    settings = load_settings(data_dir=data_dir)
    migrate.upgrade(settings.resolved_database_url)
    db = Database(settings.resolved_database_url)
    rng = random.Random(seed)
    ctx = DemoContext(db=db, rng=rng, persons=persons, seed=seed)
    try:
        with db.session() as session:
            logins = _seed_orgs_and_users(session, rng, ctx)
        for seeder in load_seeders():
            seeder(ctx)
        audit.seal_all(db)
    finally:
        db.dispose()
    return logins
