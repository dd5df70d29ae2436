"""Bilateral meetings around a session: requests, answers, and slot and room scheduling.

A delegation asks another for a meeting; the invitee accepts or declines. The secretariat then
places accepted meetings into time slots and rooms so that no delegation and no room is ever in
two meetings at once. Scheduling is deterministic: the same requests, slots and rooms always
give the same schedule, and meetings already booked are kept where they are.
"""

from __future__ import annotations

import enum
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import pairwise

from interlink.assembly import Refused, RuleBroken
from interlink.core.i18n import msg


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


@dataclass(frozen=True, slots=True)
class MeetingRequest:
    request_id: str
    requester: str  # ISO alpha-2 of the asking delegation
    invitee: str
    subject: str = ""
    status: RequestStatus = RequestStatus.PENDING

    @property
    def pair(self) -> frozenset[str]:
        return frozenset((self.requester, self.invitee))


def request_meeting(
    request_id: str,
    requester: str,
    invitee: str,
    *,
    subject: str = "",
    existing: Iterable[MeetingRequest] = (),
) -> MeetingRequest:
    """A new pending request; refused if one is already pending or accepted for the pair."""
    if requester == invitee:
        raise RuleBroken("a delegation cannot ask itself for a meeting", code="self_meeting")
    pair = frozenset((requester, invitee))
    if any(r.pair == pair and r.status is not RequestStatus.DECLINED for r in existing):
        raise RuleBroken(
            msg(
                "a meeting between %(requester)s and %(invitee)s is already requested",
                requester=requester,
                invitee=invitee,
            ),
            code="duplicate_request",
        )
    return MeetingRequest(request_id, requester, invitee, subject)


def answer_request(request: MeetingRequest, *, by: str, accept: bool) -> MeetingRequest:
    """The invitee, and only the invitee, accepts or declines a pending request."""
    if by != request.invitee:
        raise Refused(
            msg("only %(invitee)s may answer this request", invitee=request.invitee),
            code="not_invitee",
        )
    if request.status is not RequestStatus.PENDING:
        raise RuleBroken(
            msg("the request was already %(status)s", status=request.status),
            code="already_answered",
        )
    status = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED
    return replace(request, status=status)


@dataclass(frozen=True, slots=True, order=True)
class Slot:
    start: datetime  # timezone-aware
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("slot times must be timezone-aware")
        if self.start >= self.end:
            raise ValueError("a slot must end after it starts")


@dataclass(frozen=True, slots=True)
class Room:
    room_id: str
    name: str


@dataclass(frozen=True, slots=True)
class Booking:
    request: MeetingRequest
    slot: Slot
    room: Room

    @property
    def delegations(self) -> tuple[str, str]:
        return self.request.requester, self.request.invitee


@dataclass(frozen=True, slots=True)
class Schedule:
    bookings: tuple[Booking, ...]
    unscheduled: tuple[MeetingRequest, ...]  # accepted, but no common free slot and room

    def for_delegation(self, country: str) -> tuple[Booking, ...]:
        """One delegation's meetings, in time order."""
        mine = (b for b in self.bookings if country in b.delegations)
        return tuple(sorted(mine, key=lambda b: (b.slot, b.room.room_id)))


def conflicts(bookings: Iterable[Booking]) -> list[str]:
    """Every double booking of a delegation or a room, in words; empty when there is none."""
    uses: Counter[tuple[Slot, str]] = Counter()
    for booking in bookings:
        uses[booking.slot, f"room {booking.room.room_id}"] += 1
        uses.update((booking.slot, f"delegation {who}") for who in booking.delegations)
    return [
        f"{what} is booked {n} times at {slot.start.isoformat()}"
        for (slot, what), n in sorted(uses.items())
        if n > 1
    ]


def schedule_meetings(
    requests: Iterable[MeetingRequest],
    slots: Sequence[Slot],
    rooms: Sequence[Room],
    *,
    existing: Iterable[Booking] = (),
    unavailable: Mapping[str, Iterable[Slot]] | None = None,
) -> Schedule:
    """Place every accepted request that is not booked yet.

    Existing bookings stay. Meetings of the busiest delegations are placed first (they are the
    hardest to fit), each into its earliest slot free for both delegations and the first free
    room in the order given; ties keep the order of the requests.
    """
    ordered_slots = sorted(slots)
    if any(a.end > b.start for a, b in pairwise(ordered_slots)):
        raise ValueError("slots overlap: a delegation could be in two places at once")
    kept = list(existing)
    if any(b.slot not in ordered_slots for b in kept):
        raise ValueError("an existing booking is in a slot that is not on offer")
    if problems := conflicts(kept):
        raise RuleBroken("; ".join(problems), code="double_booking")

    busy: dict[str, set[Slot]] = defaultdict(set)
    for country, blocked in (unavailable or {}).items():
        busy[country].update(blocked)
    taken_rooms: dict[Slot, set[str]] = defaultdict(set)
    for booking in kept:
        _occupy(booking, busy, taken_rooms)

    booked_ids = {b.request.request_id for b in kept}
    todo = [
        r for r in requests if r.status is RequestStatus.ACCEPTED and r.request_id not in booked_ids
    ]
    load = Counter(who for r in todo for who in (r.requester, r.invitee))
    todo.sort(key=lambda r: -(load[r.requester] + load[r.invitee]))  # stable: ties keep order

    new: list[Booking] = []
    unscheduled: list[MeetingRequest] = []
    for request in todo:
        fit = _first_fit(request, ordered_slots, rooms, busy, taken_rooms)
        if fit is None:
            unscheduled.append(request)
        else:
            _occupy(fit, busy, taken_rooms)
            new.append(fit)
    return Schedule(bookings=(*kept, *new), unscheduled=tuple(unscheduled))


def _first_fit(
    request: MeetingRequest,
    slots: Sequence[Slot],
    rooms: Sequence[Room],
    busy: Mapping[str, set[Slot]],
    taken_rooms: Mapping[Slot, set[str]],
) -> Booking | None:
    for slot in slots:
        if slot in busy[request.requester] or slot in busy[request.invitee]:
            continue
        room = next((r for r in rooms if r.room_id not in taken_rooms[slot]), None)
        if room is not None:
            return Booking(request, slot, room)
    return None


def _occupy(
    booking: Booking, busy: dict[str, set[Slot]], taken_rooms: dict[Slot, set[str]]
) -> None:
    for who in booking.delegations:
        busy[who].add(booking.slot)
    taken_rooms[booking.slot].add(booking.room.room_id)
