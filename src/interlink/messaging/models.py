"""Tables: threads, signed and encrypted messages, receipts, attachments, forwarding
permissions, access grants, hit follow-ups, webhooks, joint operations.

Bodies and attachment contents are stored only as AES-GCM ciphertexts; the keys live in files
outside the database (crypto.Keyring). Organisations' public signing keys are stored here, their
private keys are not.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from interlink.core.db import Base, BigId, utcnow


class Priority(enum.StrEnum):
    ROUTINE = "routine"
    URGENT = "urgent"
    FLASH = "flash"

    @property
    def rank(self) -> int:
        return _PRIORITY_RANK[self]


_PRIORITY_RANK = {Priority.ROUTINE: 0, Priority.URGENT: 1, Priority.FLASH: 2}


class Reliability(enum.StrEnum):
    """Source reliability (the 4x4 evaluation used by Europol)."""

    A = "A"  # no doubt about the source's authenticity and reliability
    B = "B"  # the source has mostly proved reliable
    C = "C"  # the source has mostly proved unreliable
    X = "X"  # reliability cannot be assessed


class Accuracy(enum.StrEnum):
    """Information accuracy (the 4x4 evaluation used by Europol)."""

    KNOWN_TRUE = "1"  # known to be true without reservation
    KNOWN_TO_SOURCE = "2"  # known personally to the source, not to the official passing it on
    CORROBORATED = "3"  # not known personally to the source, corroborated by other information
    UNKNOWN = "4"  # cannot be judged


class ThreadKind(enum.StrEnum):
    DIRECT = "direct"
    HIT_FOLLOWUP = "hit_followup"
    OPERATION = "operation"


class MessageKind(enum.StrEnum):
    MESSAGE = "message"
    HIT = "hit"  # written by the platform for the searching side when a hit opens a follow-up
    FORWARD = "forward"


class LinkType(enum.StrEnum):
    RECORD = "record"
    NOTICE = "notice"
    HIT = "hit"
    OPERATION = "operation"


# --- keys ----------------------------------------------------------------------------------


class SigningKey(Base):
    """An organisation's Ed25519 public key; the private key is a file in the key folder."""

    __tablename__ = "msg_signing_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)  # fingerprint of the key
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    valid_from: Mapped[datetime] = mapped_column(default=utcnow)
    valid_until: Mapped[datetime | None]  # set when the key is rotated out


# --- threads and messages -------------------------------------------------------------------


class Thread(Base):
    __tablename__ = "msg_threads"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16), default=ThreadKind.DIRECT.value)
    # Subjects stay readable for inboxes; whatever is confidential belongs in the body.
    subject: Mapped[str] = mapped_column(String(300))
    originator_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    priority: Mapped[str] = mapped_column(String(8), default=Priority.ROUTINE.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_message_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    last_message_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class Participant(Base):
    """An organisation taking part in a thread; only participants (and grantees) read it."""

    __tablename__ = "msg_participants"
    __table_args__ = (UniqueConstraint("thread_id", "org_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("msg_threads.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None]  # an operation member who left loses the channel


class Message(Base):
    __tablename__ = "msg_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("msg_threads.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12), default=MessageKind.MESSAGE.value)
    sender_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    sender_label: Mapped[str] = mapped_column(String(200))
    sender_user_id: Mapped[int | None] = mapped_column(BigInteger)
    subject: Mapped[str] = mapped_column(String(300))
    body_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    handling: Mapped[str] = mapped_column(String(2))
    reliability: Mapped[str] = mapped_column(String(1))
    accuracy: Mapped[str] = mapped_column(String(1))
    priority: Mapped[str] = mapped_column(String(8))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    reply_to_id: Mapped[int | None] = mapped_column(BigInteger)
    forward_of_id: Mapped[int | None] = mapped_column(BigInteger)
    # Who decides on onward dissemination (H2): the sender, or for a forward the original's.
    origin_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    signing_key_id: Mapped[str] = mapped_column(String(32))
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))


class Receipt(Base):
    """One recipient organisation of one message: delivered at send, read when first opened."""

    __tablename__ = "msg_receipts"
    __table_args__ = (
        UniqueConstraint("message_id", "org_id"),
        Index("ix_msg_receipts_unread", "org_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("msg_messages.id"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("msg_threads.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    delivered_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    read_by: Mapped[str | None] = mapped_column(String(200))


class Blob(Base):
    """An attachment's content, stored once per content hash, encrypted."""

    __tablename__ = "msg_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attachment(Base):
    __tablename__ = "msg_attachments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("msg_messages.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(ForeignKey("msg_blobs.sha256"))


class MessageLink(Base):
    """A message's reference to a record, notice, hit or operation."""

    __tablename__ = "msg_links"
    __table_args__ = (Index("ix_msg_links_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("msg_messages.id"), index=True)
    object_type: Mapped[str] = mapped_column(String(16))
    object_id: Mapped[int] = mapped_column(BigInteger)


class ForwardRequest(Base):
    """A participant asks the originator of an H2 message for permission to forward it."""

    __tablename__ = "msg_forward_requests"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("msg_messages.id"), index=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("msg_threads.id"), index=True)
    requester_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    requested_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(1000))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    granted: Mapped[bool | None] = mapped_column(Boolean)  # None while undecided
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None]


class AccessGrant(Base):
    """A participant lets a non-participant (the General Secretariat) read a thread."""

    __tablename__ = "msg_access_grants"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("msg_threads.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    granted_by_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    granted_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(500))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(200))


class GrantedAccess(Base):
    """Each read or download through a grant, shown to the thread's participants."""

    __tablename__ = "msg_granted_accesses"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("msg_threads.id"), index=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("msg_access_grants.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(16))  # read | download
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Followup(Base):
    """One hit's follow-up: the owner of the record must answer the searching side in time."""

    __tablename__ = "msg_followups"
    __table_args__ = (
        Index("ix_msg_followups_owner", "owner_org_id", "answered_at", "due_at"),
        Index("ix_msg_followups_searching", "searching_org_id", "answered_at", "due_at"),
        Index("ix_msg_followups_open", "answered_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    hit_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    record_id: Mapped[int] = mapped_column(BigInteger, index=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("msg_threads.id"), index=True)
    searching_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    priority: Mapped[str] = mapped_column(String(8))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    answer_message_id: Mapped[int | None] = mapped_column(BigInteger)


# --- webhooks --------------------------------------------------------------------------------


class Webhook(Base):
    """A national system's endpoint, told about new messages and hits (HMAC-signed)."""

    __tablename__ = "msg_webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    secret_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    events: Mapped[list[Any]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(Base):
    __tablename__ = "msg_webhook_deliveries"
    __table_args__ = (Index("ix_msg_webhook_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("msg_webhooks.id"), index=True)
    event: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]


class WebhookAttempt(Base):
    """The delivery log: one row per attempt, with what the receiver answered."""

    __tablename__ = "msg_webhook_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("msg_webhook_deliveries.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(300))
    duration_ms: Mapped[int] = mapped_column(Integer)


# --- joint operations ------------------------------------------------------------------------


class MemberStatus(enum.StrEnum):
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REMOVED = "removed"


class Operation(Base):
    __tablename__ = "op_operations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    lead_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    channel_thread_id: Mapped[int] = mapped_column(ForeignKey("msg_threads.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]


class OperationMember(Base):
    __tablename__ = "op_members"
    __table_args__ = (UniqueConstraint("operation_id", "org_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("op_operations.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    invited_by: Mapped[str] = mapped_column(String(200))
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)
    responded_at: Mapped[datetime | None]


class OperationRecord(Base):
    """A record in the operation's workspace; `shared` when its owner shared it explicitly."""

    __tablename__ = "op_records"
    __table_args__ = (UniqueConstraint("operation_id", "record_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("op_operations.id"))
    record_id: Mapped[int] = mapped_column(BigInteger, index=True)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    linked_by_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    shared_by_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)


class OperationTask(Base):
    __tablename__ = "op_tasks"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("op_operations.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    due_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]


class OperationEvent(Base):
    """The operation's timeline: membership, workspace and task changes."""

    __tablename__ = "op_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("op_operations.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(String(500))
