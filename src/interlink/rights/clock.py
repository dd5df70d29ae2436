"""Deadlines in calendar months and days, and the policy that fixes them (from Settings)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta

from interlink.config import Settings


def add_months(at: datetime, months: int) -> datetime:
    """The same day `months` later, or the month's last day when it has no such day
    (31 January + 1 month = 28 or 29 February)."""
    index = at.month - 1 + months
    year, month = at.year + index // 12, index % 12 + 1
    return at.replace(year=year, month=month, day=min(at.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class RightsPolicy:
    admissibility_months: int = 1
    access_months: int = 4
    correction_months: int = 9
    implementation_months: int = 1
    consultation_days: int = 30
    requests_per_hour: int = 5
    document_bytes: int = 5 * 1024 * 1024

    @classmethod
    def from_settings(cls, settings: Settings) -> RightsPolicy:
        return cls(
            settings.rights_admissibility_months,
            settings.rights_access_months,
            settings.rights_correction_months,
            settings.rights_implementation_months,
            settings.rights_consultation_days,
            settings.rights_requests_per_hour,
            settings.rights_document_bytes,
        )

    def decision_months(self, kind: str) -> int:
        return self.access_months if kind == "access" else self.correction_months

    def consultation_due(self, opened: datetime, days: int | None = None) -> datetime:
        return opened + timedelta(days=days or self.consultation_days)


def half_way(start: datetime, end: datetime) -> datetime:
    return start + (end - start) / 2


# "Near the end": this long before a consultation is due, its final reminder goes out.
FINAL_REMINDER_BEFORE = timedelta(days=5)
