"""Actors of the blocklist storage tests: two bureaus, a third one, an agency, the GS, a
provider; and the shared live server fixture for the CLI tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from interlink.blocklist import service
from interlink.blocklist.service import Attestation, BlocklistRules
from interlink.core.auth import OrgKind, Perm, Principal, Role
from interlink.members.identity import authenticate_token
from tests.browser.conftest import live_server  # noqa: F401  (the CLI tests sync over HTTP)
from tests.support import World

RULES = BlocklistRules()
PROVIDER_ORG = "PARTNER-NETSAFE"


def attestation(reference: str = "CASE-1", **overrides: object) -> Attestation:
    fields: dict[str, object] = {
        "real_children": True,
        "under_13": True,
        "severe_abuse": True,
        "evidence_ref": reference,
        "notes": "",
    } | overrides
    return Attestation(**fields)  # type: ignore[arg-type]


@dataclass
class Cast:
    """Who acts in a blocklist test, and a session to act in."""

    world: World
    rabat: Principal  # NCB-MA supervisor
    rabat_colleague: Principal  # another NCB-MA supervisor
    paris: Principal  # NCB-FR supervisor
    brasilia: Principal  # NCB-BR supervisor, not involved unless a test says so
    rabat_agency: Principal  # supervisor of a Moroccan agency
    gs: Principal  # General Secretariat administrator
    officer: Principal  # NCB-MA officer: no blocklist permission
    provider_token: str

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.world.db.session() as session:
            yield session

    def provider(self, session: Session) -> Principal:
        return authenticate_token(session, self.provider_token)

    def listed(self, *names: str, rules: BlocklistRules = RULES) -> list[int]:
        """Submit (Rabat), confirm (Paris) and publish; return the domain ids."""
        with self.session() as session:
            ids = [self.confirmed(session, name, rules=rules) for name in names]
            service.publish(session, self.gs, rules)
        return ids

    def confirmed(self, session: Session, name: str, rules: BlocklistRules = RULES) -> int:
        domain = service.submit(session, self.rabat, rules, name, attestation("MA-1"))
        service.confirm(session, self.paris, rules, domain.id, attestation("FR-1"))
        return domain.id


@pytest.fixture
def cast(world: World) -> Cast:
    world.add_org("AGENCY-MA-CYBER", OrgKind.AGENCY, country="MA", parent="NCB-MA")
    world.add_org(PROVIDER_ORG, OrgKind.PARTNER)

    def principal(org: str, role: Role, mfa: bool = False) -> Principal:
        return world.principal(world.user(org, role, mfa=mfa))

    return Cast(
        world=world,
        rabat=principal("NCB-MA", Role.SUPERVISOR),
        rabat_colleague=principal("NCB-MA", Role.SUPERVISOR),
        paris=principal("NCB-FR", Role.SUPERVISOR),
        brasilia=principal("NCB-BR", Role.SUPERVISOR),
        rabat_agency=principal("AGENCY-MA-CYBER", Role.SUPERVISOR),
        gs=principal("GS", Role.GS_ADMIN, mfa=True),
        officer=principal("NCB-MA", Role.OFFICER),
        provider_token=world.token(PROVIDER_ORG, Perm.BLOCKLIST_FEED),
    )
