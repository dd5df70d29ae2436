"""Tables: records (persons, travel documents, vehicles), notices and diffusions, their
versions, review events, automated check results, and known refugee statuses."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from interlink.core.access import (
    RestrictedMixin,
    Visibility,
    VisibilityMode,
    decode_countries,
)
from interlink.core.db import Base, BigId, utcnow
from interlink.core.i18n import in_language


class RecordKind(enum.StrEnum):
    PERSON = "person"
    DOCUMENT = "document"
    VEHICLE = "vehicle"


class RecordStatus(enum.StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"  # the owner took it back
    EXPIRED = "expired"  # its retention date passed without extension
    ERASED = "erased"  # deleted by a binding decision of the oversight commission


class Record(RestrictedMixin, Base):
    """One person, travel document or vehicle, owned by the bureau that entered it.

    The content is the validated pydantic shape (records.schemas) as JSON; the columns beside it
    are the keys lists and look-ups filter on.
    """

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("owner_org_id", "kind", "external_id"),
        Index("ix_records_document", "doc_country", "doc_number"),
        Index("ix_records_plate", "plate_country", "plate"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(12), index=True)
    external_id: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default=RecordStatus.ACTIVE.value, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    label: Mapped[str] = mapped_column(String(300))  # what a list shows: name, number, VIN
    doc_country: Mapped[str | None] = mapped_column(String(2))
    doc_number: Mapped[str | None] = mapped_column(String(64))
    vin: Mapped[str | None] = mapped_column(String(17), index=True)
    plate_country: Mapped[str | None] = mapped_column(String(2))
    plate: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    review_notified_at: Mapped[datetime | None]
    # A person circulates only under the requests that cover it (records.circulation):
    # `reach` is the union of their visibilities; documents and vehicles keep "all".
    reach_mode: Mapped[str] = mapped_column(String(8), default=VisibilityMode.ALL.value)
    reach_countries: Mapped[str] = mapped_column(String(1200), default="")
    circulates_until: Mapped[datetime | None]  # the latest validity among those requests

    @property
    def reach(self) -> Visibility:
        return Visibility(VisibilityMode(self.reach_mode), decode_countries(self.reach_countries))


class NoticeState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    NEEDS_INFO = "needs_info"
    PUBLISHED = "published"
    REFUSED = "refused"
    CIRCULATED = "circulated"  # a diffusion, sent by its bureau, reviewed afterwards
    WITHDRAWN = "withdrawn"  # a diffusion withdrawn by the review
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class Notice(RestrictedMixin, Base):
    """A notice request (published by the GS after review) or a diffusion (sent at once)."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(12), index=True)  # schemas.NoticeKind
    notice_type: Mapped[str] = mapped_column(String(12), index=True)  # schemas.NoticeType
    state: Mapped[str] = mapped_column(String(16), default=NoticeState.DRAFT.value, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    label: Mapped[str] = mapped_column(String(300))
    subject_record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    # Set by the review once every automated check has run: fail / flag / pass.
    checks_summary: Mapped[str | None] = mapped_column(String(8))
    reviewed: Mapped[bool] = mapped_column(default=False)
    public_extract: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]


class Version(Base):
    """Every version of a record or notice: who changed what, when and why."""

    __tablename__ = "record_versions"
    __table_args__ = (UniqueConstraint("entity", "entity_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(12))  # "record" | "notice"
    entity_id: Mapped[int] = mapped_column(BigId)
    version: Mapped[int] = mapped_column(Integer)
    change: Mapped[str] = mapped_column(String(24))  # create, correction, addendum, ...
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    restrictions: Mapped[dict[str, Any]] = mapped_column(JSON)
    diff: Mapped[list[Any]] = mapped_column(JSON, default=list)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(200))
    changed_by_org_id: Mapped[int | None] = mapped_column(Integer)


class NoticeEvent(Base):
    """The review timeline: state changes, requests for information and answers, decisions."""

    __tablename__ = "notice_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    actor_org_id: Mapped[int | None] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text)


class NoticeCheck(Base):
    """One automated check result of one submission."""

    __tablename__ = "notice_checks"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    submission: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)  # in English
    # its message (i18n.parts_data), so that each reader reads it in their language; None
    # for results stored before reasons were messages (shown as stored)
    reason_text: Mapped[list[Any] | None] = mapped_column(JSON)
    details: Mapped[list[Any]] = mapped_column(JSON, default=list)

    @property
    def shown_reason(self) -> str:
        """The reason in the reader's language."""
        return in_language(self.reason, self.reason_text)


class RefugeeStatusEntry(Base):
    """Refugee status known to the GS: a notice requested by the country the person fled is
    refused."""

    __tablename__ = "refugee_statuses"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name_key: Mapped[str] = mapped_column(String(300), index=True)
    birth_date: Mapped[str | None] = mapped_column(String(10))
    against_country: Mapped[str] = mapped_column(String(2))
    granted_by: Mapped[str | None] = mapped_column(String(2))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
