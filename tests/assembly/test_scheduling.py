import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from interlink.assembly import Refused, RuleBroken
from interlink.assembly.scheduling import (
    Booking,
    MeetingRequest,
    RequestStatus,
    Room,
    Slot,
    answer_request,
    conflicts,
    request_meeting,
    schedule_meetings,
)

DAY_ONE = datetime(2025, 11, 24, 8, 0, tzinfo=UTC)
# Four days, eight 45-minute slots a day.
SLOTS = [
    Slot(start, start + timedelta(minutes=45))
    for day in range(4)
    for start in (DAY_ONE + timedelta(days=day, hours=hour) for hour in range(8))
]
ROOMS = [Room(f"r{i}", f"Bilateral room {i}") for i in range(1, 13)]
ACCEPTED = RequestStatus.ACCEPTED


def accepted(request_id: str, requester: str, invitee: str) -> MeetingRequest:
    return MeetingRequest(request_id, requester, invitee, status=ACCEPTED)


def session_requests(count: int, seed: int = 93) -> list[MeetingRequest]:
    """`count` distinct accepted meetings among 179 delegations, some far busier than others."""
    rng = random.Random(seed)
    countries = [f"C{i:03}" for i in range(179)]
    weights = [1 / (rank + 1) ** 0.5 for rank in range(179)]
    pairs: set[frozenset[str]] = set()
    while len(pairs) < count:
        a, b = rng.choices(countries, weights, k=2)
        if a != b:
            pairs.add(frozenset((a, b)))
    return [
        accepted(f"m{i:04}", *sorted(pair)) for i, pair in enumerate(sorted(map(sorted, pairs)))
    ]


def test_request_accept_and_decline() -> None:
    request = request_meeting("m1", "FR", "MA", subject="Memorandum on cybercrime")
    assert request.status is RequestStatus.PENDING
    assert answer_request(request, by="MA", accept=True).status is RequestStatus.ACCEPTED
    assert answer_request(request, by="MA", accept=False).status is RequestStatus.DECLINED


def test_only_the_invitee_answers_and_only_once() -> None:
    request = request_meeting("m1", "FR", "MA")
    with pytest.raises(Refused) as refused:
        answer_request(request, by="FR", accept=True)
    assert refused.value.code == "not_invitee"
    with pytest.raises(RuleBroken) as twice:
        answer_request(answer_request(request, by="MA", accept=False), by="MA", accept=True)
    assert twice.value.code == "already_answered"


@pytest.mark.parametrize("status", [RequestStatus.PENDING, RequestStatus.ACCEPTED])
def test_one_open_request_per_pair_in_either_direction(status: RequestStatus) -> None:
    open_request = MeetingRequest("m1", "FR", "MA", status=status)
    with pytest.raises(RuleBroken) as duplicate:
        request_meeting("m2", "MA", "FR", existing=[open_request])
    assert duplicate.value.code == "duplicate_request"


def test_after_a_decline_a_new_request_may_be_made() -> None:
    declined = MeetingRequest("m1", "FR", "MA", status=RequestStatus.DECLINED)
    assert request_meeting("m2", "FR", "MA", existing=[declined]).request_id == "m2"


def test_a_delegation_does_not_meet_itself() -> None:
    with pytest.raises(RuleBroken):
        request_meeting("m1", "FR", "FR")


def test_a_busy_session_is_scheduled_without_double_booking_and_as_fully_as_possible() -> None:
    requests = session_requests(600)
    rooms = [Room(f"r{i}", f"Bilateral room {i}") for i in range(1, 21)]
    schedule = schedule_meetings(requests, SLOTS, rooms)
    assert conflicts(schedule.bookings) == []
    assert len(schedule.bookings) + len(schedule.unscheduled) == 600
    # The busiest delegation has 40 accepted meetings for 32 slots: 8 must wait, and only 8 do.
    load = Counter(who for r in requests for who in (r.requester, r.invitee))
    busiest, meetings = load.most_common(1)[0]
    assert meetings - len(SLOTS) == len(schedule.unscheduled) == 8
    assert all(busiest in (r.requester, r.invitee) for r in schedule.unscheduled)


def test_scheduling_is_deterministic() -> None:
    requests = session_requests(300)
    assert schedule_meetings(requests, SLOTS, ROOMS) == schedule_meetings(requests, SLOTS, ROOMS)
    shuffled_slots = list(reversed(SLOTS))
    assert schedule_meetings(requests, shuffled_slots, ROOMS) == schedule_meetings(
        requests, SLOTS, ROOMS
    )


def test_only_accepted_requests_are_scheduled() -> None:
    requests = [
        MeetingRequest("m1", "FR", "MA"),
        MeetingRequest("m2", "FR", "DE", status=RequestStatus.DECLINED),
        accepted("m3", "FR", "JP"),
    ]
    schedule = schedule_meetings(requests, SLOTS, ROOMS)
    assert [b.request.request_id for b in schedule.bookings] == ["m3"]


def test_rooms_are_a_limit_too() -> None:
    # Six disjoint pairs, one slot, two rooms: four meetings cannot be placed.
    requests = [accepted(f"m{i}", f"A{i}", f"B{i}") for i in range(6)]
    schedule = schedule_meetings(requests, SLOTS[:1], ROOMS[:2])
    assert len(schedule.bookings) == 2 and len(schedule.unscheduled) == 4
    assert conflicts(schedule.bookings) == []


def test_existing_bookings_stay_and_new_ones_fit_around_them() -> None:
    first = schedule_meetings([accepted("m1", "FR", "MA")], SLOTS, ROOMS)
    later = schedule_meetings(
        [accepted("m1", "FR", "MA"), accepted("m2", "MA", "DE")],
        SLOTS,
        ROOMS,
        existing=first.bookings,
    )
    assert later.bookings[0] == first.bookings[0]
    assert later.bookings[1].slot != first.bookings[0].slot  # Morocco is busy in the first slot
    assert conflicts(later.bookings) == []


def test_conflicting_existing_bookings_are_refused() -> None:
    clash = [
        Booking(accepted("m1", "FR", "MA"), SLOTS[0], ROOMS[0]),
        Booking(accepted("m2", "MA", "DE"), SLOTS[0], ROOMS[1]),
    ]
    assert conflicts(clash) == ["delegation MA is booked 2 times at 2025-11-24T08:00:00+00:00"]
    with pytest.raises(RuleBroken) as refused:
        schedule_meetings([], SLOTS, ROOMS, existing=clash)
    assert refused.value.code == "double_booking"


def test_room_double_booking_is_a_conflict() -> None:
    clash = [
        Booking(accepted("m1", "FR", "MA"), SLOTS[0], ROOMS[0]),
        Booking(accepted("m2", "JP", "DE"), SLOTS[0], ROOMS[0]),
    ]
    assert conflicts(clash) == ["room r1 is booked 2 times at 2025-11-24T08:00:00+00:00"]


def test_unavailable_slots_are_respected() -> None:
    blocked = {"MA": SLOTS[:3]}
    schedule = schedule_meetings([accepted("m1", "FR", "MA")], SLOTS, ROOMS, unavailable=blocked)
    assert schedule.bookings[0].slot == SLOTS[3]


def test_each_delegation_sees_its_own_schedule_in_time_order() -> None:
    requests = [accepted("m1", "FR", "MA"), accepted("m2", "MA", "DE"), accepted("m3", "JP", "BR")]
    schedule = schedule_meetings(requests, SLOTS, ROOMS)
    moroccan = schedule.for_delegation("MA")
    assert {b.request.request_id for b in moroccan} == {"m1", "m2"}
    assert moroccan[0].slot < moroccan[1].slot
    assert schedule.for_delegation("IT") == ()


def test_slots_must_not_overlap_or_float_in_time() -> None:
    with pytest.raises(ValueError):
        schedule_meetings(
            [],
            [
                SLOTS[0],
                Slot(SLOTS[0].start + timedelta(minutes=30), SLOTS[0].end + timedelta(hours=1)),
            ],
            ROOMS,
        )
    with pytest.raises(ValueError):
        Slot(datetime(2025, 11, 24, 8), datetime(2025, 11, 24, 9))
    with pytest.raises(ValueError):
        Slot(SLOTS[0].end, SLOTS[0].start)
