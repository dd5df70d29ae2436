"""Tables: requests (cases), their documents and timeline, consultations, provisional
measures, decisions and the orders carrying them out, copies told of an order, re-entry holds.

Prefixed `rights_`. Every deadline is a stored column, so a page, the worker and the
statistics read the same dates.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from interlink.core.db import Base, BigId, utcnow


class RequestKind(enum.StrEnum):
    ACCESS = "access"
    CORRECTION = "correction"
    DELETION = "deletion"
    REVISION = "revision"  # of an earlier decision, on new facts


class CaseStatus(enum.StrEnum):
    RECEIVED = "received"  # admissibility not yet decided
    ADMISSIBLE = "admissible"  # under examination
    INADMISSIBLE = "inadmissible"
    DECIDED = "decided"


class Outcome(enum.StrEnum):
    """What a decision found. `non_compliant`: the data breaks the rules and is corrected or
    deleted; the re-entry guard watches it."""

    ACCESS_GIVEN = "access_given"  # what may be disclosed was disclosed
    NOTHING_DISCLOSABLE = "nothing_disclosable"  # held or not, nothing may be said
    COMPLIANT = "compliant"  # the data may stay as it is
    NON_COMPLIANT = "non_compliant"
    REVISION_REFUSED = "revision_refused"


class Case(Base):
    """One request, from receipt to decision."""

    __tablename__ = "rights_cases"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(12), index=True)
    status: Mapped[str] = mapped_column(String(12), default=CaseStatus.RECEIVED.value, index=True)
    names: Mapped[list[Any]] = mapped_column(JSON)  # as written, any script
    birth_date: Mapped[str | None] = mapped_column(String(10))
    nationality: Mapped[str | None] = mapped_column(String(2))
    contact: Mapped[str | None] = mapped_column(String(300))
    lawyer_name: Mapped[str | None] = mapped_column(String(200))
    lawyer_contact: Mapped[str | None] = mapped_column(String(300))
    references: Mapped[list[Any]] = mapped_column(JSON, default=list)
    statement: Mapped[str] = mapped_column(Text, default="")
    revision_of: Mapped[str | None] = mapped_column(String(24))  # code of the earlier case
    filed_from: Mapped[str | None] = mapped_column(String(64), index=True)  # keyed hash
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    admissibility_due: Mapped[datetime]
    admissible_at: Mapped[datetime | None]
    decision_due: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(24))


class CaseEvent(Base):
    """The case's timeline. `disclosed`: the applicant sees it on the status page."""

    __tablename__ = "rights_case_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("rights_cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24))
    text: Mapped[str] = mapped_column(Text, default="")
    disclosed: Mapped[bool] = mapped_column(Boolean, default=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CaseDocument(Base):
    """A document exchanged on a case, encrypted at rest with the messaging data keys."""

    __tablename__ = "rights_documents"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("rights_cases.id"), index=True)
    from_applicant: Mapped[bool] = mapped_column(Boolean)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    added_by: Mapped[str] = mapped_column(String(200))


class Holding(Base):
    """Data the commission found the platform holds on the applicant, attached to the case."""

    __tablename__ = "rights_holdings"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("rights_cases.id"), index=True)
    target: Mapped[str] = mapped_column(String(8))  # record | notice
    target_id: Mapped[int] = mapped_column(BigId)
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    label: Mapped[str] = mapped_column(String(300))
    score: Mapped[float | None]
    found_by: Mapped[str] = mapped_column(String(16))  # matcher | reference | notice


class Consultation(Base):
    """A question to the owning bureau or the General Secretariat, with its own clock."""

    __tablename__ = "rights_consultations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("rights_cases.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime] = mapped_column(index=True)
    half_reminder_at: Mapped[datetime | None]
    final_reminder_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[str | None] = mapped_column(String(200))
    answer: Mapped[str | None] = mapped_column(Text)
    # Set when the case is decided while the question is still open.
    unanswered: Mapped[bool] = mapped_column(Boolean, default=False)


class Measure(Base):
    """A provisional measure: data blocked or a public extract withdrawn while pending."""

    __tablename__ = "rights_measures"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("rights_cases.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # block | withdraw_extract
    target: Mapped[str] = mapped_column(String(8))  # record | notice
    target_id: Mapped[int] = mapped_column(BigId, index=True)
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    reason_category: Mapped[str] = mapped_column(String(40))
    placed_at: Mapped[datetime] = mapped_column(default=utcnow)
    placed_by: Mapped[str] = mapped_column(String(200))
    lifted_at: Mapped[datetime | None]
    lifted_by: Mapped[str | None] = mapped_column(String(200))


class Decision(Base):
    """The commission's binding, reasoned decision. `confidential` never leaves the platform
    towards the applicant; `reasoning` is what they are sent."""

    __tablename__ = "rights_decisions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("rights_cases.id"), unique=True)
    outcome: Mapped[str] = mapped_column(String(24))
    reasoning: Mapped[str] = mapped_column(Text)
    confidential: Mapped[str] = mapped_column(Text, default="")
    unanswered_consultations: Mapped[list[Any]] = mapped_column(JSON, default=list)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[str] = mapped_column(String(200))
    on_time: Mapped[bool] = mapped_column(Boolean)


class Order(Base):
    """One correction or deletion a decision orders, and who carried it out when."""

    __tablename__ = "rights_orders"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("rights_decisions.id"), index=True)
    action: Mapped[str] = mapped_column(String(8))  # delete | correct
    target: Mapped[str] = mapped_column(String(8))  # record | notice
    target_id: Mapped[int] = mapped_column(BigId, index=True)
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    corrected_data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    due_at: Mapped[datetime]
    carried_out_at: Mapped[datetime | None]
    carried_out_by: Mapped[str | None] = mapped_column(String(200))


class CopyNotice(Base):
    """A bureau known to hold a copy of ordered data, told of the order; its signed receipt."""

    __tablename__ = "rights_copy_notices"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("rights_orders.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    sources: Mapped[list[Any]] = mapped_column(JSON, default=list)  # hit, followup, webhook
    notified_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    signing_key_id: Mapped[str | None] = mapped_column(String(32))
    signature: Mapped[bytes | None] = mapped_column(LargeBinary(64))


class GuardedSubject(Base):
    """Identity of data deleted or found non-compliant, kept only so the re-entry guard can
    recognise it when its owner enters it again (docs/rights.md)."""

    __tablename__ = "rights_guarded_subjects"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("rights_decisions.id"), index=True)
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # person | document
    names: Mapped[list[Any]] = mapped_column(JSON, default=list)
    birth_date: Mapped[str | None] = mapped_column(String(10))
    nationalities: Mapped[list[Any]] = mapped_column(JSON, default=list)
    doc_country: Mapped[str | None] = mapped_column(String(2))
    doc_number: Mapped[str | None] = mapped_column(String(64))


class Hold(Base):
    """A new record held back from circulation because it matches guarded data."""

    __tablename__ = "rights_holds"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("rights_decisions.id"))
    score: Mapped[float]
    held_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_at: Mapped[datetime | None]
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    released: Mapped[bool | None] = mapped_column(Boolean)  # None while pending
