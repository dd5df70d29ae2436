"""Fixtures of the rights tests: the commission, two bureaus, the Secretariat, the key folder
and a clock the tests move by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from interlink.core.auth import Principal, Role
from interlink.messaging.crypto import Keyring
from interlink.records import notices
from interlink.records import service as records
from interlink.records.models import Record
from interlink.records.restrictions import Restrictions
from interlink.records.schemas import NoticeData, PersonData
from interlink.rights import service
from interlink.rights.clock import RightsPolicy
from tests.support import World

T0 = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)
KARIM = {
    "names": [{"full_name": "Karim Benali"}],
    "sex": "male",
    "birth_date": "1984-05-17",
    "nationalities": ["MA"],
}
DIFFUSION = {
    "kind": "diffusion",
    "notice_type": "blue",
    "facts": "Sought for questioning about a network smuggling goods through Tangier port.",
    "judicial": {
        "offence_description": "Smuggling in an organised group",
        "offence_category": "organised_crime",
        "law_reference": "Penal Code art. 2",
        "maximum_penalty_months": 120,
        "purpose": "prosecution",
        "warrant_reference": "W-2025-77",
        "warrant_date": "2025-11-03",
        "issuing_authority": "Investigating judge, Tangier",
        "extradition_countries": ["FR"],
    },
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@dataclass
class Rights:
    world: World
    commission: Principal
    ma: Principal
    fr: Principal
    de: Principal
    gs: Principal
    keys: Keyring
    policy: RightsPolicy

    @property
    def db(self):
        return self.world.db

    @property
    def server_key(self) -> bytes:
        return self.world.settings.secret_key

    def person(self, owner: Principal, data: dict | None = None) -> Record:
        with self.db.session() as session:
            return records.create_record(
                session,
                owner,
                records.NewRecord(PersonData.model_validate(data or KARIM), Restrictions()),
            )

    def circulate(
        self, owner: Principal, record: Record, to: tuple[str, ...] = ("FR", "DE")
    ) -> int:
        """A diffusion about the person: persons circulate only under a request."""
        with self.db.session() as session:
            notice = notices.create_notice(
                session,
                owner,
                NoticeData.model_validate(DIFFUSION),
                Restrictions(),
                subject_record_id=record.id,
            )
            notices.circulate_diffusion(session, owner, notice.id, list(to))
            return notice.id

    def file(
        self, kind: str = "access", names: list[str] | None = None, now: datetime = T0, **extra
    ) -> service.Filed:
        with self.db.session() as session:
            return service.file_request(
                session,
                self.keys,
                self.server_key,
                self.policy,
                service.NewRequest(
                    kind=kind,
                    names=names or ["Karim Benali"],
                    birth_date="1984-05-17",
                    nationality="MA",
                    **extra,
                ),
                client_addr=None,
                now=now,
            )

    def admit(self, case_id: int, now: datetime = T0):
        with self.db.session() as session:
            return service.decide_admissibility(
                session,
                self.commission,
                self.policy,
                case_id,
                admissible=True,
                reason="within our remit",
                now=now,
            )


@pytest.fixture
def rights(world: World) -> Rights:
    def principal(org: str, *roles: Role) -> Principal:
        return world.principal(world.user(org, *roles))

    return Rights(
        world=world,
        commission=principal("CCF", Role.OVERSIGHT),
        ma=principal("NCB-MA", Role.SUPERVISOR),
        fr=principal("NCB-FR", Role.SUPERVISOR),
        de=principal("NCB-DE", Role.SUPERVISOR),
        gs=principal("GS", Role.COMPLIANCE_REVIEWER),
        keys=Keyring(world.settings.messaging_keys_dir),
        policy=RightsPolicy.from_settings(world.settings),
    )
