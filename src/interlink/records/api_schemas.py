"""Request and response bodies of the records and notices API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from interlink.core.access import can_act, can_modify
from interlink.core.auth import Principal
from interlink.records.checks import CheckResult, shown_details
from interlink.records.models import Notice, NoticeCheck, NoticeEvent, Record, Version
from interlink.records.restrictions import Restrictions
from interlink.records.texts import shown_event_text, shown_version_reason


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RecordIn(_In):
    data: dict[str, Any]
    restrictions: Restrictions = Field(default_factory=Restrictions)
    external_id: str | None = Field(default=None, max_length=200)


class RecordChangeIn(_In):
    data: dict[str, Any]
    change: Literal["correction", "addendum"] = "correction"
    reason: str | None = Field(default=None, max_length=2000)


class RestrictionsChangeIn(_In):
    restrictions: Restrictions
    reason: str | None = Field(default=None, max_length=2000)


class ReasonIn(_In):
    reason: str = Field(min_length=1, max_length=5000)


class RecordOut(BaseModel):
    id: int
    kind: str
    external_id: str | None
    owner_org_id: int
    status: str
    version: int
    label: str
    data: dict[str, Any]
    restrictions: Restrictions
    retention_until: datetime | None
    created_at: datetime
    updated_at: datetime
    yours: bool
    actionable: bool = Field(description="False where the owner forbids action in your country")

    @classmethod
    def of(cls, row: Record, principal: Principal) -> RecordOut:
        return cls(
            id=row.id,
            kind=row.kind,
            external_id=row.external_id,
            owner_org_id=row.owner_org_id,
            status=row.status,
            version=row.version,
            label=row.label,
            data=row.data,
            restrictions=Restrictions.of(row),
            retention_until=row.retention_until,
            created_at=row.created_at,
            updated_at=row.updated_at,
            yours=can_modify(principal.viewer, row.policy),
            actionable=can_act(principal.viewer, row.policy),
        )


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    version: int
    change: str
    reason: str | None
    data: dict[str, Any]
    restrictions: dict[str, Any]
    diff: list[Any]
    changed_at: datetime
    changed_by: str

    @classmethod
    def of(cls, version: Version) -> Self:
        """The version, its reason in the reader's language when the platform wrote it."""
        out = cls.model_validate(version)
        return out.model_copy(update={"reason": shown_version_reason(out.reason)})


class NoticeIn(_In):
    data: dict[str, Any]
    restrictions: Restrictions = Field(default_factory=Restrictions)
    subject_record_id: int | None = Field(default=None, ge=1, le=2**62)


class NoticeChangeIn(_In):
    data: dict[str, Any]
    restrictions: Restrictions | None = None
    reason: str | None = Field(default=None, max_length=5000)


class NoticeAmendIn(_In):
    data: dict[str, Any]
    change: Literal["correction", "addendum"]
    reason: str = Field(min_length=1, max_length=5000)


class RecipientsIn(_In):
    recipients: list[str] = Field(min_length=1, max_length=196)


class QuestionIn(_In):
    question: str = Field(min_length=1, max_length=5000)


class AnswerIn(_In):
    answer: str = Field(min_length=1, max_length=20000)
    data: dict[str, Any] | None = None


class DecisionIn(_In):
    approve: bool
    reason: str = Field(min_length=1, max_length=5000)


class DiffusionReviewIn(_In):
    keep: bool
    reason: str = Field(min_length=1, max_length=5000)


class RefugeeStatusIn(_In):
    names: list[str] = Field(min_length=1, max_length=50)
    birth_date: str | None = Field(default=None, max_length=10)
    against_country: str = Field(pattern=r"^[A-Z]{2}$")
    granted_by: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    note: str | None = Field(default=None, max_length=2000)


class CheckOut(BaseModel):
    code: str
    outcome: str
    reason: str = Field(description="A sentence, in the language of the answer")
    details: list[Any] = Field(
        description="The missing items or the problems (in the language of the answer), or "
        "the words found (as the request writes them)"
    )

    @classmethod
    def of(cls, check: NoticeCheck | CheckResult) -> Self:
        return cls(
            code=check.code,
            outcome=check.outcome,
            reason=check.shown_reason,
            details=shown_details(check.details, check.reason_text),
        )


class CheckPreviewOut(CheckOut):
    details: list[Any] = Field(default_factory=list)


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    at: datetime
    actor: str
    event: str
    from_state: str | None
    to_state: str | None
    text: str | None

    @classmethod
    def of(cls, event: NoticeEvent) -> Self:
        """The entry, its text in the reader's language when the platform wrote it."""
        out = cls.model_validate(event)
        return out.model_copy(update={"text": shown_event_text(out.event, out.text)})


class NoticeOut(BaseModel):
    id: int
    reference: str
    kind: str
    notice_type: str
    state: str
    version: int
    label: str
    data: dict[str, Any]
    restrictions: Restrictions
    owner_org_id: int
    checks_summary: str | None
    reviewed: bool
    submitted_at: datetime | None
    published_at: datetime | None
    yours: bool
    actionable: bool
    subject_record_id: int | None = None
    subject: RecordOut | None = Field(
        default=None, description="The subject record, when you may see it"
    )
    checks: list[CheckOut] = Field(default_factory=list)
    timeline: list[EventOut] = Field(default_factory=list)

    @classmethod
    def of(
        cls,
        row: Notice,
        principal: Principal,
        checks: list[NoticeCheck] | None = None,
        timeline: list[NoticeEvent] | None = None,
        subject: Record | None = None,
    ) -> NoticeOut:
        return cls(
            id=row.id,
            reference=row.reference,
            kind=row.kind,
            notice_type=row.notice_type,
            state=row.state,
            version=row.version,
            label=row.label,
            data=row.data,
            restrictions=Restrictions.of(row),
            owner_org_id=row.owner_org_id,
            checks_summary=row.checks_summary,
            reviewed=row.reviewed,
            submitted_at=row.submitted_at,
            published_at=row.published_at,
            yours=can_modify(principal.viewer, row.policy),
            actionable=can_act(principal.viewer, row.policy),
            subject_record_id=row.subject_record_id,
            subject=RecordOut.of(subject, principal) if subject is not None else None,
            checks=[CheckOut.of(c) for c in checks or []],
            timeline=[EventOut.of(e) for e in timeline or []],
        )


def versions_out(rows: list[Version]) -> list[VersionOut]:
    return [VersionOut.of(v) for v in rows]
