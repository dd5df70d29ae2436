"""Calendar months: the same day, or the month's last day when it has none."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from interlink.rights.clock import add_months


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2026-01-31", 1, "2026-02-28"),
        ("2028-01-31", 1, "2028-02-29"),  # leap year
        ("2026-03-31", 1, "2026-04-30"),
        ("2026-10-31", 4, "2027-02-28"),
        ("2026-05-15", 9, "2027-02-15"),
        ("2026-12-01", 1, "2027-01-01"),
        ("2026-04-30", 9, "2027-01-30"),
        ("2026-01-15", 0, "2026-01-15"),
    ],
)
def test_add_months(start: str, months: int, expected: str) -> None:
    at = datetime.fromisoformat(start).replace(hour=9, tzinfo=UTC)
    assert add_months(at, months) == datetime.fromisoformat(expected).replace(hour=9, tzinfo=UTC)
