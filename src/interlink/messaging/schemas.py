"""Request and response bodies of the messaging API."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from interlink.core.access import HandlingCode
from interlink.core.errors import InvalidInput
from interlink.core.i18n import msg
from interlink.messaging.attachments import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, NewAttachment
from interlink.messaging.followups import AnswerStats, FollowupView
from interlink.messaging.models import Accuracy, LinkType, Priority, Reliability
from interlink.messaging.posting import MAX_BODY, MAX_LINKS, MAX_RECIPIENTS, MAX_SUBJECT, Link

ObjectId = Field(ge=1, le=2**62)
OrgCode = Field(min_length=2, max_length=40, pattern=r"^[A-Za-z0-9-]+$")
_BASE64_MAX = (MAX_ATTACHMENT_BYTES + 2) // 3 * 4


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LinkIn(_In):
    object_type: LinkType
    object_id: int = ObjectId

    def to_link(self) -> Link:
        return Link(self.object_type, self.object_id)


class AttachmentIn(_In):
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=1, max_length=100)
    content_base64: str = Field(min_length=1, max_length=_BASE64_MAX)

    def to_attachment(self) -> NewAttachment:
        try:
            content = base64.b64decode(self.content_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidInput(
                msg("%(filename)s: content_base64 is not base64", filename=self.filename)
            ) from exc
        return NewAttachment(self.filename, self.content_type, content)


class _Evaluated(_In):
    body: str = Field(min_length=1, max_length=MAX_BODY)
    handling: HandlingCode = HandlingCode.H0
    reliability: Reliability = Reliability.X
    accuracy: Accuracy = Accuracy.UNKNOWN
    priority: Priority = Priority.ROUTINE
    links: list[LinkIn] = Field(default_factory=list, max_length=MAX_LINKS)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)


class MessageIn(_Evaluated):
    recipients: list[str] = Field(
        min_length=1, max_length=MAX_RECIPIENTS, description="Organisation codes; 'FR' means NCB-FR"
    )
    subject: str = Field(min_length=1, max_length=MAX_SUBJECT)


class ReplyIn(_Evaluated):
    subject: str = Field(default="", max_length=MAX_SUBJECT)
    reply_to_id: int | None = Field(default=None, ge=1, le=2**62)


class ForwardIn(_In):
    recipients: list[str] = Field(min_length=1, max_length=MAX_RECIPIENTS)
    note: str = Field(default="", max_length=5000)
    priority: Priority | None = None


class ForwardRequestIn(_In):
    reason: str = Field(min_length=1, max_length=1000)


class DecisionIn(_In):
    grant: bool


class GrantIn(_In):
    org: str = "GS"
    reason: str = Field(min_length=1, max_length=500)


class MessageCreated(BaseModel):
    thread_id: int
    message_id: int
    sent_at: datetime


class ThreadSummaryOut(BaseModel):
    id: int
    kind: str
    subject: str
    priority: str
    unread: int
    participants: list[str]
    last_message_at: datetime | None
    answer_due_at: datetime | None
    overdue: bool
    closed: bool


class InboxOut(BaseModel):
    items: list[ThreadSummaryOut]
    next_cursor: str | None = None


class AttachmentOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str


class LinkOut(BaseModel):
    object_type: str
    object_id: int


class ReceiptOut(BaseModel):
    org: str
    delivered_at: datetime
    read_at: datetime | None


class SignatureOut(BaseModel):
    algorithm: str = "Ed25519"
    valid: bool
    key_id: str
    problem: str | None
    value: str = Field(description="The signature, base64")
    signed_payload: str = Field(description="The exact signed bytes, base64 (canonical JSON)")


class MessageOut(BaseModel):
    id: int
    kind: str
    sender: str
    sender_label: str
    subject: str
    body: str | None = Field(description="None when the stored ciphertext was altered")
    body_in_language: str | None = Field(
        description="The body in the response's Content-Language: a text the platform wrote "
        "(a hit's alert to a record's owner) translated, a person's text as written"
    )
    handling: str
    reliability: str
    accuracy: str
    priority: str
    sent_at: datetime
    reply_to_id: int | None
    forward_of_id: int | None
    attachments: list[AttachmentOut]
    links: list[LinkOut]
    receipts: list[ReceiptOut]
    signature: SignatureOut
    forward_state: str


class ForwardRequestOut(BaseModel):
    id: int
    message_id: int
    requester: str
    requested_by: str
    reason: str
    requested_at: datetime
    granted: bool | None
    decided_by: str | None
    decided_at: datetime | None


class GrantOut(BaseModel):
    id: int
    org: str
    granted_by: str
    reason: str
    granted_at: datetime
    revoked_at: datetime | None


class GrantedAccessOut(BaseModel):
    org: str
    actor: str
    action: str
    at: datetime


class FollowupOut(BaseModel):
    hit_id: int
    record_id: int
    thread_id: int
    searching: str
    owner: str
    priority: str
    opened_at: datetime
    due_at: datetime
    answered_at: datetime | None
    overdue: bool
    answered_late: bool
    seconds_to_answer: float | None
    waiting_seconds: float

    @classmethod
    def of(cls, view: FollowupView) -> FollowupOut:
        f = view.followup
        answer = view.time_to_answer
        return cls(
            hit_id=f.hit_id,
            record_id=f.record_id,
            thread_id=f.thread_id,
            searching=view.searching_code,
            owner=view.owner_code,
            priority=f.priority,
            opened_at=f.opened_at,
            due_at=f.due_at,
            answered_at=f.answered_at,
            overdue=view.overdue,
            answered_late=view.answered_late,
            seconds_to_answer=None if answer is None else answer.total_seconds(),
            waiting_seconds=view.waiting.total_seconds(),
        )


class AnswerStatsOut(BaseModel):
    answered: int
    within_deadline: int
    median_seconds: float | None
    overdue: int

    @classmethod
    def of(cls, stats: AnswerStats) -> AnswerStatsOut:
        return cls(
            answered=stats.answered,
            within_deadline=stats.within_deadline,
            median_seconds=stats.median.total_seconds() if stats.median else None,
            overdue=stats.overdue,
        )


class FollowupListOut(BaseModel):
    items: list[FollowupOut]
    stats: AnswerStatsOut


class ThreadOut(BaseModel):
    id: int
    kind: str
    subject: str
    priority: str
    access: str = Field(description="participant, or grant (read-only)")
    participants: list[str]
    closed_at: datetime | None
    messages: list[MessageOut]
    forward_requests: list[ForwardRequestOut]
    grants: list[GrantOut]
    granted_accesses: list[GrantedAccessOut]
    followups: list[FollowupOut]


class ThreadStateOut(BaseModel):
    id: int
    closed_at: datetime | None


class SigningKeyOut(BaseModel):
    org: str
    key_id: str
    public_key: str = Field(description="Raw Ed25519 public key, base64")
    valid_from: datetime
    valid_until: datetime | None


# --- webhooks ---------------------------------------------------------------------------------


class WebhookIn(_In):
    url: str = Field(min_length=8, max_length=500)
    events: list[str] = Field(min_length=1, max_length=5)


class WebhookOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    url: str
    events: list[str]
    active: bool
    created_by: str
    created_at: datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(description="The HMAC secret: shown once, store it now")


class AttemptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    number: int
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryOut(BaseModel):
    id: int
    event: str
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    delivered_at: datetime | None
    log: list[AttemptOut]


# --- operations -------------------------------------------------------------------------------


class OperationIn(_In):
    name: str = Field(min_length=1, max_length=200)
    purpose: str = Field(default="", max_length=5000)


class InviteIn(_In):
    org: str = OrgCode


class RespondIn(_In):
    accept: bool


class RecordLinkIn(_In):
    record_id: int = ObjectId
    share: bool = False
    note: str = Field(default="", max_length=500)


class TaskIn(_In):
    title: str = Field(min_length=1, max_length=300)
    owner: str = OrgCode
    due_at: AwareDatetime | None = None


class OperationSummaryOut(BaseModel):
    id: int
    name: str
    lead: str
    my_status: str
    created_at: datetime
    closed_at: datetime | None
    channel_thread_id: int


class MemberOut(BaseModel):
    org_id: int
    org: str
    status: str


class OperationRecordOut(BaseModel):
    record_id: int
    shared: bool
    note: str
    linked_at: datetime


class TaskOut(BaseModel):
    id: int
    title: str
    owner: str
    due_at: datetime | None
    done_at: datetime | None
    overdue: bool


class EventOut(BaseModel):
    at: datetime
    actor: str
    kind: str
    text: str


class OperationOut(OperationSummaryOut):
    purpose: str
    members: list[MemberOut]
    records: list[OperationRecordOut]
    tasks: list[TaskOut]
    timeline: list[EventOut]
