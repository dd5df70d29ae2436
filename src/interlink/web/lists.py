"""What every list page shares: filter fields read from the query string, links that keep
the filters, and CSV exports of the same filtered list."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi.responses import Response
from sqlalchemy.orm import Session

from interlink.core.errors import DomainError, InvalidInput, NotFound
from interlink.core.i18n import N_, msg
from interlink.members.service import org_by_code

E = TypeVar("E", bound=StrEnum)
# How many rows a list page shows.
PAGE_SIZE = 50


class FieldErrors(dict[str, str]):
    """Problems with a filter or form, by field name, in the order they were found."""

    @classmethod
    def of(cls, error: DomainError, default_field: str) -> FieldErrors:
        """A service's refusal, beside the field it names (`field=` in its extras)."""
        field = error.extra.get("field")
        return cls({field if isinstance(field, str) else default_field: error.detail})

    def check(self, field: str, problem: str | None) -> None:
        if problem:
            self[field] = problem

    def raise_if_any(self) -> None:
        if self:
            raise InvalidInput("; ".join(self.values()))


def parse_day(raw: str) -> date | None:
    """A date field ("2026-12-07"); empty means no date. Raises ValueError with a message."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(N_("a date is written YYYY-MM-DD, e.g. 2026-12-07")) from None


def day_range(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """From the start of `since` to the end of `until` (both days included), in UTC."""
    start = datetime.combine(since, time(), UTC) if since else None
    end = datetime.combine(until + timedelta(days=1), time(), UTC) if until else None
    return start, end


def enum_filter(errors: FieldErrors, field: str, raw: str, choices: type[E]) -> E | None:
    """A menu's value as its enum member; empty means any."""
    if not raw.strip():
        return None
    try:
        return choices(raw.strip())
    except ValueError:
        errors.check(field, N_("choose one of the listed values"))
        return None


def org_filter(session: Session, errors: FieldErrors, field: str, raw: str) -> int | None:
    """The organisation a filter names by its code ("NCB-FR", "GS"), checked."""
    code = raw.strip().upper()
    if not code:
        return None
    try:
        return org_by_code(session, code).id
    except NotFound:
        errors.check(field, msg("no organisation has the code %(code)r", code=code))
        return None


def dates_filter(
    errors: FieldErrors, since: str, until: str
) -> tuple[datetime | None, datetime | None]:
    """The 'From' and 'To (included)' fields of a list as a half-open UTC range."""
    days: dict[str, date | None] = {}
    for name, raw in (("since", since), ("until", until)):
        try:
            days[name] = parse_day(raw)
        except ValueError as exc:
            errors.check(name, str(exc))
    first, last = days.get("since"), days.get("until")
    if first and last and first > last:
        errors.check("until", N_("the end date is before the start date"))
    return day_range(first, last)


def list_url(path: str, params: Mapping[str, Any], **changes: Any) -> str:
    """The list's address with its filters, changed as asked; empty values are left out."""
    merged = {**params, **changes}
    query = urlencode({k: v for k, v in merged.items() if v not in (None, "", False)})
    return f"{path}?{query}" if query else path


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A CSV download (UTF-8 with a byte-order mark, so spreadsheet programs read the
    names in their own script)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="{filename}"',
            "cache-control": "no-store",
        },
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    if not isinstance(value, str):
        return str(value)
    # Text that a spreadsheet would run as a formula is kept as text (CSV injection).
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
