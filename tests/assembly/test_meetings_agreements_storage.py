"""Bilateral meetings and agreements through the services and the database."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar

from interlink.assembly import Refused, RuleBroken, scheduling, service_agreements
from interlink.assembly import service_meetings as meetings
from interlink.assembly.service_agreements import PartySpec
from interlink.core.auth import OrgKind, Role
from interlink.core.errors import Forbidden, InvalidInput, NotFound
from tests.assembly.support import Assembly, Person
from tests.support import World

START = datetime(2026, 11, 3, 9, tzinfo=UTC)


@pytest.fixture
def heads(assembly: Assembly) -> dict[str, Person]:
    assembly.open_session()
    return assembly.delegations(["KE", "CA", "NG", "FR", "JP"])


def ask(
    assembly: Assembly,
    heads: dict[str, Person],
    requester: str,
    invitee: str,
    accept: bool | None = True,
) -> int:
    request = assembly.run(
        meetings.request_meeting,
        heads[requester].principal,
        assembly.number,
        invitee=invitee,
        subject=f"{requester}-{invitee}",
    )
    if accept is not None:
        assembly.run(meetings.answer_meeting, heads[invitee].principal, request.id, accept=accept)
    return request.id


def test_only_the_invitee_answers_once(assembly: Assembly, heads: dict[str, Person]) -> None:
    request_id = ask(assembly, heads, "KE", "CA", accept=None)
    with pytest.raises(Refused) as by_requester:
        assembly.run(meetings.answer_meeting, heads["KE"].principal, request_id, accept=True)
    assert by_requester.value.code == "not_invitee"
    with pytest.raises(NotFound):  # a third delegation does not learn that it exists
        assembly.run(meetings.answer_meeting, heads["NG"].principal, request_id, accept=True)
    assert (
        assembly.run(
            meetings.answer_meeting, heads["CA"].principal, request_id, accept=False
        ).status
        == "declined"
    )
    with pytest.raises(RuleBroken) as twice:
        assembly.run(meetings.answer_meeting, heads["CA"].principal, request_id, accept=True)
    assert twice.value.code == "already_answered"
    # After a decline, a new request may be made; while it is pending, not another one.
    ask(assembly, heads, "CA", "KE", accept=None)
    with pytest.raises(RuleBroken) as duplicate:
        ask(assembly, heads, "KE", "CA", accept=None)
    assert duplicate.value.code == "duplicate_request"


def test_requests_need_a_delegate_and_an_invitee_at_the_session(
    assembly: Assembly, heads: dict[str, Person]
) -> None:
    with pytest.raises(RuleBroken) as absent:
        assembly.run(meetings.request_meeting, heads["KE"].principal, assembly.number, invitee="BR")
    assert absent.value.code == "no_delegation"
    outsider = assembly.world.principal(assembly.world.user("NCB-BR", Role.DELEGATE))
    with pytest.raises(Forbidden):
        assembly.run(meetings.request_meeting, outsider, assembly.number, invitee="KE")
    assert assembly.run(meetings.meeting_requests, outsider, assembly.number) == []


def test_scheduling_never_double_books_a_delegation_or_a_room(
    assembly: Assembly, heads: dict[str, Person]
) -> None:
    for requester, invitee in [
        ("KE", "CA"),
        ("KE", "NG"),
        ("KE", "FR"),
        ("CA", "NG"),
        ("FR", "JP"),
        ("NG", "JP"),
        ("CA", "JP"),
    ]:
        ask(assembly, heads, requester, invitee)
    ask(assembly, heads, "KE", "JP", accept=False)
    for hour in range(3):
        begins = START + timedelta(hours=hour)
        assembly.run(
            meetings.add_slot,
            assembly.admin,
            assembly.number,
            starts_at=begins,
            ends_at=begins + timedelta(minutes=45),
        )
    assembly.run(meetings.add_room, assembly.admin, assembly.number, name="Room A")
    assembly.run(meetings.add_room, assembly.admin, assembly.number, name="Room B")
    report = assembly.run(meetings.schedule, assembly.admin, assembly.number)
    booked = assembly.run(meetings.all_bookings, assembly.admin, assembly.number)
    assert len(booked) + len(report.unscheduled) == 7
    assert scheduling.conflicts(booked) == []
    uses = Counter((b.slot, who) for b in booked for who in b.delegations)
    assert max(uses.values()) == 1
    # Running it again books nothing twice and moves nothing.
    again = assembly.run(meetings.schedule, assembly.admin, assembly.number)
    assert (
        again.booked == ()
        and assembly.run(meetings.all_bookings, assembly.admin, assembly.number) == booked
    )

    kenya = assembly.run(meetings.delegation_schedule, heads["KE"].principal, assembly.number)
    assert kenya and all("KE" in b.delegations for b in kenya)
    assert [b.slot.start for b in kenya] == sorted(b.slot.start for b in kenya)
    calendar = Calendar.from_ical(
        assembly.run(meetings.calendar, heads["KE"].principal, assembly.number)
    )
    assert len(calendar.walk("VEVENT")) == len(kenya)


def test_slots_may_not_overlap_and_only_the_secretariat_sets_them(
    assembly: Assembly, heads: dict[str, Person]
) -> None:
    assembly.run(
        meetings.add_slot,
        assembly.admin,
        assembly.number,
        starts_at=START,
        ends_at=START + timedelta(hours=1),
    )
    with pytest.raises(RuleBroken):
        assembly.run(
            meetings.add_slot,
            assembly.admin,
            assembly.number,
            starts_at=START + timedelta(minutes=30),
            ends_at=START + timedelta(hours=2),
        )
    with pytest.raises(InvalidInput):
        assembly.run(
            meetings.add_slot,
            assembly.admin,
            assembly.number,
            starts_at=START + timedelta(hours=3),
            ends_at=START + timedelta(hours=2),
        )
    with pytest.raises(Forbidden):
        assembly.run(meetings.add_room, heads["KE"].principal, assembly.number, name="Mine")
    with pytest.raises(Forbidden):
        assembly.run(meetings.schedule, heads["KE"].principal, assembly.number)


@pytest.fixture(autouse=True)
def skyways(world: World) -> None:
    world.add_org("PARTNER-SKYWAYS", OrgKind.PARTNER)


PARTIES = [
    PartySpec(country="KE"),
    PartySpec(organisation="PARTNER-SKYWAYS"),
    PartySpec(name="United Nations Office on Drugs and Crime"),
]


def create(assembly: Assembly, parties: list[PartySpec] = PARTIES) -> int:
    return assembly.run(
        service_agreements.create_agreement,
        assembly.admin,
        title="Cooperation on passport checks",
        kind="cooperation_agreement",
        parties=parties,
        proposed_on=date(2026, 1, 5),
    ).id


def test_agreement_status_moves_forward_with_dates(assembly: Assembly) -> None:
    agreement_id = create(assembly)
    change = service_agreements.change_status
    assembly.run(change, assembly.admin, agreement_id, status="negotiating", on=date(2026, 2, 1))
    with pytest.raises(RuleBroken):  # never in force before it is signed
        assembly.run(change, assembly.admin, agreement_id, status="in_force", on=date(2026, 3, 1))
    with pytest.raises(InvalidInput):  # not before the date it was proposed
        assembly.run(change, assembly.admin, agreement_id, status="signed", on=date(2025, 12, 1))
    assembly.run(change, assembly.admin, agreement_id, status="signed", on=date(2026, 3, 1))
    signed = assembly.run(
        change, assembly.admin, agreement_id, status="in_force", on=date(2026, 4, 1)
    )
    assert (signed.signed_on, signed.in_force_on) == (date(2026, 3, 1), date(2026, 4, 1))
    assembly.run(change, assembly.admin, agreement_id, status="terminated", on=date(2027, 1, 1))
    with pytest.raises(RuleBroken):
        assembly.run(change, assembly.admin, agreement_id, status="signed", on=date(2027, 2, 1))


@pytest.mark.parametrize(
    "parties",
    [
        [PartySpec(country="KE")],
        [PartySpec(country="KE"), PartySpec(country="KE")],
        [PartySpec(country="KE"), PartySpec(country="ZZ")],
        [PartySpec(country="KE"), PartySpec(country="CA", name="Canada")],
    ],
)
def test_an_agreement_has_two_different_known_parties(
    assembly: Assembly, parties: list[PartySpec]
) -> None:
    with pytest.raises(InvalidInput):
        create(assembly, parties)


def test_an_agreement_is_seen_by_its_parties_and_the_secretariat(assembly: Assembly) -> None:
    agreement_id = create(assembly)
    world = assembly.world
    kenya = world.principal(world.user("NCB-KE", Role.DELEGATE))
    partner = world.principal(world.user("PARTNER-SKYWAYS", Role.PARTNER))
    france = world.principal(world.user("NCB-FR", Role.DELEGATE))
    gs_analyst = world.principal(world.user("GS", Role.ANALYST))
    for party in (kenya, partner):
        assert (
            assembly.run(service_agreements.get_agreement, party, agreement_id).id == agreement_id
        )
        assert [a.id for a in assembly.run(service_agreements.list_agreements, party)] == [
            agreement_id
        ]
    for stranger in (france, gs_analyst):
        with pytest.raises(NotFound):
            assembly.run(service_agreements.get_agreement, stranger, agreement_id)
        assert assembly.run(service_agreements.list_agreements, stranger) == []
    with pytest.raises(Forbidden):
        assembly.run(
            service_agreements.change_status,
            kenya,
            agreement_id,
            status="signed",
            on=date(2026, 3, 1),
        )
    document = assembly.run(
        service_agreements.add_agreement_document,
        assembly.admin,
        agreement_id,
        title="Signed text",
        url="https://example.org/mou",
    )
    assert document.agreement_id == agreement_id
