from datetime import UTC, datetime, timedelta, timezone

from icalendar import Calendar

from interlink.assembly.ical import delegation_calendar
from interlink.assembly.scheduling import (
    MeetingRequest,
    RequestStatus,
    Room,
    Slot,
    schedule_meetings,
)

MARRAKECH = timezone(timedelta(hours=1))
SLOTS = [
    Slot(
        datetime(2025, 11, 25, h, tzinfo=MARRAKECH), datetime(2025, 11, 25, h, 45, tzinfo=MARRAKECH)
    )
    for h in (9, 10)
]
STAMP = datetime(2025, 11, 20, 12, tzinfo=UTC)
REQUESTS = [
    MeetingRequest("m1", "FR", "MA", subject="Cybercrime", status=RequestStatus.ACCEPTED),
    MeetingRequest("m2", "MA", "DE", status=RequestStatus.ACCEPTED),
    MeetingRequest("m3", "JP", "BR", status=RequestStatus.ACCEPTED),
]
BOOKINGS = schedule_meetings(
    REQUESTS, SLOTS, [Room("r1", "Atlas room"), Room("r2", "Toubkal room")]
).bookings


def export(country: str) -> bytes:
    return delegation_calendar(country, BOOKINGS, session="93rd General Assembly", stamp=STAMP)


def test_calendar_holds_the_delegations_meetings_in_utc() -> None:
    calendar = Calendar.from_ical(export("MA"))
    events = calendar.events
    assert [str(e["UID"]) for e in events] == ["m1@interlink", "m2@interlink"]
    assert [str(e["SUMMARY"]) for e in events] == [
        "Bilateral meeting with France",
        "Bilateral meeting with Germany",
    ]
    first = events[0]
    assert first.start == datetime(2025, 11, 25, 8, tzinfo=UTC)
    assert first.end == datetime(2025, 11, 25, 8, 45, tzinfo=UTC)
    assert str(first["LOCATION"]) == "Atlas room"
    assert "Subject: Cybercrime" in str(first["DESCRIPTION"])
    assert str(first["STATUS"]) == "CONFIRMED"
    assert calendar.calendar_name == "93rd General Assembly: bilateral meetings of Morocco"


def test_other_delegations_meetings_stay_out() -> None:
    assert [str(e["UID"]) for e in Calendar.from_ical(export("JP")).events] == ["m3@interlink"]
    assert Calendar.from_ical(export("IT")).events == []


def test_export_is_reproducible_and_one_meeting_has_one_uid_for_both_sides() -> None:
    assert export("MA") == export("MA")
    assert b"UID:m1@interlink" in export("FR") and b"UID:m1@interlink" in export("MA")
