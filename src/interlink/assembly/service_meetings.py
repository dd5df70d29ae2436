"""Bilateral meetings around a session: requests and answers between delegations, slots and
rooms set by the secretariat, scheduling without double booking, a delegation's calendar.

A request is seen by the two delegations and the secretariat only; anyone else is told it does
not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import Session

from interlink.assembly import RuleBroken, ical, scheduling
from interlink.assembly.models import (
    AssemblySession,
    Delegation,
    MeetingBooking,
    MeetingRequest,
    MeetingRoom,
    MeetingSlot,
)
from interlink.assembly.service import (
    get_session,
    member,
    record,
    require_admin,
    require_delegate_of,
    require_status,
)
from interlink.core.auth import Perm, Principal
from interlink.core.db import utcnow
from interlink.core.errors import InvalidInput, NotFound
from interlink.core.i18n import msg


def _pure(row: MeetingRequest) -> scheduling.MeetingRequest:
    return scheduling.MeetingRequest(
        str(row.id), row.requester, row.invitee, row.subject, scheduling.RequestStatus(row.status)
    )


def _requests(
    session: Session, ga: AssemblySession, country: str | None = None
) -> list[MeetingRequest]:
    stmt = select(MeetingRequest).where(MeetingRequest.session_id == ga.id)
    if country is not None:
        stmt = stmt.where(
            or_(MeetingRequest.requester == country, MeetingRequest.invitee == country)
        )
    return list(session.scalars(stmt.order_by(MeetingRequest.id)))


def request_meeting(
    session: Session, principal: Principal, number: int, *, invitee: str, subject: str = ""
) -> MeetingRequest:
    """The principal's delegation asks another delegation of the session for a meeting."""
    ga = get_session(session, number)
    require_status(ga, "planned", "open")
    mine = require_delegate_of(session, principal, ga)
    other = member(session, invitee).code
    if not session.scalars(
        select(Delegation.id).where(Delegation.session_id == ga.id, Delegation.country == other)
    ).first():
        raise RuleBroken(
            msg(
                "%(country)s has no delegation at session %(number)s", country=other, number=number
            ),
            code="no_delegation",
        )
    pure = scheduling.request_meeting(
        "new",
        mine.country,
        other,
        subject=subject.strip(),
        existing=[_pure(r) for r in _requests(session, ga, other)],
    )
    row = MeetingRequest(
        session_id=ga.id,
        requester=pure.requester,
        invitee=pure.invitee,
        subject=pure.subject,
        status=pure.status.value,
        requested_by=principal.user_id,
    )
    session.add(row)
    session.flush()
    record(
        session,
        principal,
        "meeting.request",
        "ga_meeting",
        row.id,
        country=mine.country,
        invitee=other,
    )
    return row


def _visible_request(session: Session, principal: Principal, request_id: int) -> MeetingRequest:
    row = session.get(MeetingRequest, request_id)
    if row is None or not (
        principal.has(Perm.ASSEMBLY_ADMIN) or principal.country in (row.requester, row.invitee)
    ):
        raise NotFound(
            msg("no meeting request %(request_id)s that you may see", request_id=request_id)
        )
    return row


def answer_meeting(
    session: Session, principal: Principal, request_id: int, *, accept: bool
) -> MeetingRequest:
    """The invited delegation, and only it, accepts or declines."""
    row = _visible_request(session, principal, request_id)
    ga = session.get_one(AssemblySession, row.session_id)
    require_status(ga, "planned", "open")
    mine = require_delegate_of(session, principal, ga)
    answered = scheduling.answer_request(_pure(row), by=mine.country, accept=accept)
    row.status, row.answered_at = answered.status.value, utcnow()
    record(
        session,
        principal,
        "meeting.answer",
        "ga_meeting",
        row.id,
        country=mine.country,
        status=row.status,
    )
    return row


def meeting_requests(session: Session, principal: Principal, number: int) -> list[MeetingRequest]:
    """Every request for the secretariat; a delegate's own country's otherwise."""
    ga = get_session(session, number)
    if principal.has(Perm.ASSEMBLY_ADMIN):
        return _requests(session, ga)
    principal.require(Perm.ASSEMBLY_VOTE)
    return _requests(session, ga, principal.country or "")


def invitations_query(principal: Principal) -> Select[MeetingRequest]:
    """Meeting requests addressed to the principal's delegation that it has not answered, in
    sessions still planned or open."""
    principal.require(Perm.ASSEMBLY_VOTE)
    return (
        select(MeetingRequest)
        .join(AssemblySession, AssemblySession.id == MeetingRequest.session_id)
        .where(
            MeetingRequest.invitee == (principal.country or ""),
            MeetingRequest.status == scheduling.RequestStatus.PENDING.value,
            AssemblySession.status.in_(("planned", "open")),
        )
        .order_by(MeetingRequest.created_at, MeetingRequest.id)
    )


# --- slots, rooms and scheduling -------------------------------------------------------------


def slot_rows(session: Session, ga: AssemblySession) -> list[MeetingSlot]:
    return list(
        session.scalars(
            select(MeetingSlot)
            .where(MeetingSlot.session_id == ga.id)
            .order_by(MeetingSlot.starts_at)
        )
    )


def room_rows(session: Session, ga: AssemblySession) -> list[MeetingRoom]:
    return list(
        session.scalars(
            select(MeetingRoom).where(MeetingRoom.session_id == ga.id).order_by(MeetingRoom.id)
        )
    )


def add_slot(
    session: Session, principal: Principal, number: int, *, starts_at: datetime, ends_at: datetime
) -> MeetingSlot:
    require_admin(principal)
    ga = get_session(session, number)
    require_status(ga, "planned", "open")
    try:
        slot = scheduling.Slot(starts_at, ends_at)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    for other in slot_rows(session, ga):
        if other.starts_at < slot.end and slot.start < other.ends_at:
            raise RuleBroken(
                msg("the slot overlaps the one at %(start)s", start=other.starts_at.isoformat()),
                code="overlapping_slot",
            )
    row = MeetingSlot(session_id=ga.id, starts_at=slot.start, ends_at=slot.end)
    session.add(row)
    session.flush()
    record(
        session,
        principal,
        "meeting.slot",
        "ga_session",
        ga.id,
        slot=row.id,
        starts_at=slot.start.isoformat(),
        ends_at=slot.end.isoformat(),
    )
    return row


def add_room(session: Session, principal: Principal, number: int, *, name: str) -> MeetingRoom:
    require_admin(principal)
    ga = get_session(session, number)
    require_status(ga, "planned", "open")
    if not name.strip():
        raise InvalidInput("a room needs a name")
    if any(r.name == name.strip() for r in room_rows(session, ga)):
        raise RuleBroken(
            msg("there is already a room %(name)r", name=name.strip()), code="duplicate_room"
        )
    row = MeetingRoom(session_id=ga.id, name=name.strip())
    session.add(row)
    session.flush()
    record(session, principal, "meeting.room", "ga_session", ga.id, room=row.id, name=row.name)
    return row


@dataclass(frozen=True, slots=True)
class ScheduleReport:
    booked: tuple[scheduling.Booking, ...]  # placed by this run
    unscheduled: tuple[scheduling.MeetingRequest, ...]  # accepted, but nowhere to put them


class _Bookings:
    """The session's slots, rooms and bookings as the pure scheduler sees them."""

    def __init__(self, session: Session, ga: AssemblySession) -> None:
        self.slots = {
            row.id: scheduling.Slot(row.starts_at, row.ends_at) for row in slot_rows(session, ga)
        }
        self.slot_ids = {slot: slot_id for slot_id, slot in self.slots.items()}
        self.rooms = {
            row.id: scheduling.Room(str(row.id), row.name) for row in room_rows(session, ga)
        }
        self.requests = {row.id: row for row in _requests(session, ga)}
        self.existing = tuple(
            scheduling.Booking(
                _pure(self.requests[b.request_id]), self.slots[b.slot_id], self.rooms[b.room_id]
            )
            for b in session.scalars(
                select(MeetingBooking).join(MeetingSlot).where(MeetingSlot.session_id == ga.id)
            )
        )


def schedule(session: Session, principal: Principal, number: int) -> ScheduleReport:
    """Place every accepted meeting not yet booked; bookings already made stay."""
    require_admin(principal)
    ga = get_session(session, number)
    require_status(ga, "planned", "open")
    # One scheduler at a time per session: a row lock on PostgreSQL, the write lock on SQLite.
    session.execute(
        update(AssemblySession)
        .where(AssemblySession.id == ga.id)
        .values(status=AssemblySession.status)
    )
    state = _Bookings(session, ga)
    result = scheduling.schedule_meetings(
        [_pure(r) for r in state.requests.values()],
        list(state.slots.values()),
        list(state.rooms.values()),
        existing=state.existing,
    )
    new = result.bookings[len(state.existing) :]
    session.add_all(
        MeetingBooking(
            request_id=int(b.request.request_id),
            slot_id=state.slot_ids[b.slot],
            room_id=int(b.room.room_id),
        )
        for b in new
    )
    session.flush()
    record(
        session,
        principal,
        "meeting.schedule",
        "ga_session",
        ga.id,
        booked=len(new),
        unscheduled=[r.request_id for r in result.unscheduled],
    )
    return ScheduleReport(tuple(new), result.unscheduled)


def delegation_schedule(
    session: Session, principal: Principal, number: int, country: str | None = None
) -> tuple[scheduling.Booking, ...]:
    """A delegation's booked meetings in time order: the secretariat names any country,
    a delegate sees their own."""
    ga = get_session(session, number)
    if principal.has(Perm.ASSEMBLY_ADMIN) and country:
        code = member(session, country).code
    else:
        principal.require(Perm.ASSEMBLY_VOTE)
        code = principal.country or ""
    bookings = _Bookings(session, ga).existing
    return scheduling.Schedule(bookings, ()).for_delegation(code)


def all_bookings(
    session: Session, principal: Principal, number: int
) -> tuple[scheduling.Booking, ...]:
    require_admin(principal)
    return _Bookings(session, get_session(session, number)).existing


def calendar(session: Session, principal: Principal, number: int) -> bytes:
    """The principal's delegation's meetings as an iCalendar file."""
    ga = get_session(session, number)
    principal.require(Perm.ASSEMBLY_VOTE)
    code = principal.country or ""
    mine = delegation_schedule(session, principal, number)
    return ical.delegation_calendar(code, mine, session=f"{ga.code} {ga.host_city}", stamp=utcnow())
