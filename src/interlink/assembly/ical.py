"""A delegation's bilateral meetings as an iCalendar file (RFC 5545), times in UTC."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import pycountry
from icalendar import Calendar, Event
from icalendar.enums import STATUS

from interlink.assembly.scheduling import Booking

PRODID = "-//Interlink//General Assembly//EN"


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country is not None else code


def delegation_calendar(
    country: str,
    bookings: Iterable[Booking],
    *,
    session: str,
    stamp: datetime,
    uid_domain: str = "interlink",
) -> bytes:
    """The meetings of `country` among `bookings`, as an .ics file.

    `stamp` (the export time, DTSTAMP) is passed in so the same schedule gives the same file.
    A meeting has one UID for both delegations, as it is one event.
    """
    mine = sorted(
        (b for b in bookings if country in b.delegations),
        key=lambda b: (b.slot, b.request.request_id),
    )
    calendar = Calendar.new(
        prodid=PRODID,
        uid=f"bilateral-meetings:{session}:{country}@{uid_domain}",
        name=f"{session}: bilateral meetings of {country_name(country)}",
        subcomponents=[_event(country, booking, stamp, uid_domain) for booking in mine],
    )
    return bytes(calendar.to_ical())


def _event(country: str, booking: Booking, stamp: datetime, uid_domain: str) -> Event:
    request = booking.request
    other = request.invitee if country == request.requester else request.requester
    lines = [
        f"Requested by {country_name(request.requester)}, "
        f"accepted by {country_name(request.invitee)}."
    ]
    if request.subject:
        lines.append(f"Subject: {request.subject}")
    return Event.new(
        uid=f"{request.request_id}@{uid_domain}",
        summary=f"Bilateral meeting with {country_name(other)}",
        description="\n".join(lines),
        location=booking.room.name,
        start=booking.slot.start.astimezone(UTC),
        end=booking.slot.end.astimezone(UTC),
        stamp=stamp.astimezone(UTC),
        status=STATUS.CONFIRMED,
    )
