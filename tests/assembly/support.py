"""Building General Assembly sessions for storage tests: a secretariat administrator, delegations
with delegate users, and shortcuts through the real services."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from interlink.assembly import service, service_voting
from interlink.assembly.keys import SealKeyFile
from interlink.assembly.models import Ballot
from interlink.core.auth import OrgKind, Principal, Role, permissions_for
from interlink.members.models import User
from interlink.members.service import ncb_of
from tests.support import World, password_hash

T = TypeVar("T")
DELEGATE_ROLES = frozenset({Role.DELEGATE})


def delegate_principal(user: User, country: str) -> Principal:
    return Principal(
        label=user.username,
        org_id=user.org_id,
        org_kind=OrgKind.NCB,
        country=country,
        roles=DELEGATE_ROLES,
        permissions=permissions_for(DELEGATE_ROLES),
        user_id=user.id,
    )


@dataclass(frozen=True, slots=True)
class Person:
    """A delegate: their member id in the delegation and the principal they act as."""

    member_id: int
    principal: Principal


class Assembly:
    def __init__(self, world: World, keys: SealKeyFile, number: int = 94) -> None:
        self.world, self.db, self.keys, self.number = world, world.db, keys, number
        self.admin = world.principal(world.user("GS", Role.GS_ADMIN, mfa=True))
        self._users = 0

    def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call a service function in its own transaction, as a route does."""
        with self.db.session() as session:
            return fn(session, *args, **kwargs)

    def create_session(self, **settings: Any) -> None:
        values = {
            "host_city": "Dakar",
            "host_country": "SN",
            "starts_on": date(2026, 11, 2),
            "ends_on": date(2026, 11, 5),
            **settings,
        }
        self.run(service.create_session, self.admin, self.number, service.SessionSettings(**values))

    def open_session(
        self, items: Iterable[tuple[str, str, str | None]] = (), **settings: Any
    ) -> list[int]:
        """A session open for business with these agenda items (title, kind, rule)."""
        self.create_session(**settings)
        self.run(service.open_session, self.admin, self.number)
        return [
            self.run(
                service.add_item,
                self.admin,
                self.number,
                title=title,
                kind=kind,
                majority_rule=rule,
            ).id
            for title, kind, rule in items
        ]

    def new_user(self, country: str) -> User:
        self._users += 1
        with self.db.session() as session:
            user = User(
                username=f"delegate{self._users}.{country.lower()}",
                display_name=f"Delegate {self._users} of {country}",
                org_id=ncb_of(session, country).id,
                roles=[Role.DELEGATE.value],
                password_hash=password_hash(),
            )
            session.add(user)
            session.flush()
            return user

    def delegations(
        self, countries: Iterable[str], *, verified: bool = True, present: bool = True
    ) -> dict[str, Person]:
        """Register each country's delegation, headed by a new delegate user, in one go."""
        heads: dict[str, Person] = {}
        with self.db.session() as session:
            for country in countries:
                self._users += 1
                user = User(
                    username=f"head{self._users}.{country.lower()}",
                    display_name=f"Head of {country}",
                    org_id=ncb_of(session, country).id,
                    roles=[Role.DELEGATE.value],
                    password_hash=password_hash(),
                )
                session.add(user)
                session.flush()
                delegation = service.register_delegation(
                    session, self.admin, self.number, country, head_name="", head_user_id=user.id
                )
                if verified:
                    service.submit_credentials(session, self.admin, self.number, country)
                    service.verify_credentials(session, self.admin, self.number, country)
                if present:
                    service.set_attendance(session, self.admin, self.number, country, True)
                heads[country] = Person(delegation.members[0].id, delegate_principal(user, country))
        return heads

    def add_person(self, country: str, role: str, *, with_user: bool = True) -> Person:
        user = self.new_user(country) if with_user else None
        added = self.run(
            service.add_member,
            self.admin,
            self.number,
            country,
            name=f"{role} of {country}",
            role=role,
            user_id=user.id if user else None,
        )
        principal = delegate_principal(user, country) if user else None
        return Person(added.id, principal)  # type: ignore[arg-type]

    def adopt_agenda(self, voters: Iterable[Person]) -> None:
        ballot = self.run(
            service_voting.open_agenda_ballot, self.admin, self.number, secret=False, keys=self.keys
        )
        for person in voters:
            self.vote(person, ballot.id, "yes")
        self.close(ballot.id)

    def vote(
        self, person: Person, ballot_id: int, choice: str, country: str | None = None
    ) -> service_voting.CastResult:
        return self.run(
            service_voting.cast_vote,
            person.principal,
            ballot_id,
            choice=choice,
            country=country,
            keys=self.keys,
        )

    def close(self, ballot_id: int) -> Ballot:
        return self.run(service_voting.close_ballot, self.admin, ballot_id, keys=self.keys)


def countries(n: int, *, skip: Iterable[str] = ()) -> list[str]:
    """`n` member codes in a fixed order."""
    from interlink.members.regions import member_codes

    skipped = set(skip)
    return [c for c in member_codes() if c not in skipped][:n]
