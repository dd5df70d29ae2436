"""Request and response bodies of the rights API."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from interlink.core.errors import InvalidInput
from interlink.core.i18n import msg
from interlink.messaging.attachments import NewAttachment
from interlink.rights.models import Case, Consultation, Holding, Measure

Kind = Literal["access", "correction", "deletion", "revision"]


class DocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    filename: str = Field(min_length=1, max_length=200)
    content_type: str = Field(max_length=100)
    content_base64: str = Field(max_length=14_000_000)

    def attachment(self) -> NewAttachment:
        try:
            content = base64.b64decode(self.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(
                msg("%(filename)s: content_base64 is not base64", filename=self.filename)
            ) from None
        return NewAttachment(self.filename, self.content_type, content)


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Kind
    names: list[str] = Field(min_length=1, max_length=5)
    birth_date: str | None = Field(None, max_length=10)
    nationality: str | None = Field(None, max_length=2)
    contact: str | None = Field(None, max_length=300)
    lawyer_name: str | None = Field(None, max_length=200)
    lawyer_contact: str | None = Field(None, max_length=300)
    references: list[str] = Field(default_factory=list, max_length=20)
    statement: str = Field("", max_length=20_000)
    revision_of: str | None = Field(None, max_length=24)
    documents: list[DocumentIn] = Field(default_factory=list, max_length=5)


class FiledOut(BaseModel):
    code: str
    secret: str
    admissibility_due: datetime
    status_url: str


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=24)
    secret: str = Field(min_length=1, max_length=100)


class CaseOut(BaseModel):
    id: int
    code: str
    kind: str
    status: str
    names: list[str]
    birth_date: str | None
    nationality: str | None
    lawyer_name: str | None
    references: list[str]
    statement: str
    revision_of: str | None
    received_at: datetime
    admissibility_due: datetime
    admissible_at: datetime | None
    decision_due: datetime | None
    decided_at: datetime | None
    outcome: str | None

    @classmethod
    def of(cls, case: Case) -> CaseOut:
        return cls.model_validate(case, from_attributes=True)


class AdmissibilityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    admissible: bool
    reason: str = Field(min_length=1, max_length=5000)


class ExtensionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    clock: Literal["admissibility", "decision"]
    months: int = Field(ge=1, le=6)
    reason: str = Field(min_length=1, max_length=5000)


class HoldingOut(BaseModel):
    id: int
    target: str
    target_id: int
    owner_org_id: int
    label: str
    score: float | None
    found_by: str

    @classmethod
    def of(cls, row: Holding) -> HoldingOut:
        return cls.model_validate(row, from_attributes=True)


class ConsultIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    org_code: str = Field(min_length=1, max_length=40)
    question: str = Field(min_length=1, max_length=10_000)
    days: int | None = Field(None, ge=2, le=365)


class ConsultationOut(BaseModel):
    id: int
    case_id: int
    org_id: int
    question: str
    opened_at: datetime
    due_at: datetime
    half_reminder_at: datetime | None
    final_reminder_at: datetime | None
    escalated_at: datetime | None
    answered_at: datetime | None
    answer: str | None
    unanswered: bool

    @classmethod
    def of(cls, row: Consultation) -> ConsultationOut:
        return cls.model_validate(row, from_attributes=True)


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer: str = Field(min_length=1, max_length=20_000)


class ConsultationExtensionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    days: int = Field(ge=1, le=90)
    reason: str = Field(min_length=1, max_length=5000)


class MeasureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["block", "withdraw_extract"]
    target: Literal["record", "notice"]
    target_id: int = Field(ge=1, le=2**62)
    reason_category: str = Field(min_length=1, max_length=40)


class MeasureOut(BaseModel):
    id: int
    case_id: int
    action: str
    target: str
    target_id: int
    reason_category: str
    placed_at: datetime
    lifted_at: datetime | None

    @classmethod
    def of(cls, row: Measure) -> MeasureOut:
        return cls.model_validate(row, from_attributes=True)


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["delete", "correct"]
    target: Literal["record", "notice"]
    target_id: int = Field(ge=1, le=2**62)
    corrected_data: dict[str, Any] | None = None


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal[
        "access_given", "nothing_disclosable", "compliant", "non_compliant", "revision_refused"
    ]
    reasoning: str = Field(min_length=1, max_length=50_000)
    confidential: str = Field("", max_length=50_000)
    orders: list[OrderIn] = Field(default_factory=list, max_length=50)


class DecisionOut(BaseModel):
    id: int
    case_id: int
    outcome: str
    reasoning: str
    confidential: str
    unanswered_consultations: list[str]
    decided_at: datetime
    on_time: bool


class CopyOut(BaseModel):
    org_code: str
    org_name: str
    sources: list[str]
    acknowledged_at: datetime | None
    receipt_valid: bool


class CopyNoticeOut(BaseModel):
    id: int
    order_id: int
    action: str
    target: str
    target_id: int
    sources: list[str]
    notified_at: datetime
    acknowledged_at: datetime | None
    signing_key_id: str | None
    signature_base64: str | None


class HoldOut(BaseModel):
    id: int
    record_id: int
    owner_org_id: int
    decision_id: int
    score: float
    held_at: datetime
    reviewed_at: datetime | None
    released: bool | None


class HoldReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    release: bool
    reason: str = Field(min_length=1, max_length=5000)

    @field_validator("reason")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()
