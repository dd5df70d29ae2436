"""Tables: listed domains and their confirmations, reviews, appeals, published versions, and
the log of provider requests.

No table holds evidence or material: a confirmation carries only an evidence reference that
points to the police file outside Interlink. A published version is stored as membership
intervals (a domain is in versions `added_in` up to, not including, `removed_in`), so storage
grows with the changes, not with the list times the number of versions.
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
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interlink.core.db import Base, BigId, utcnow
from interlink.core.i18n import in_language
from interlink.members.models import Organisation


class DomainState(enum.StrEnum):
    SUBMITTED = "submitted"  # awaiting independent confirmations
    CONFIRMED = "confirmed"  # enough confirmations; enters the list at the next publication
    LISTED = "listed"  # in the latest published version
    DELISTED = "delisted"  # material gone or appeal upheld; leaves at the next publication
    REJECTED = "rejected"  # refused by the General Secretariat before publication


class AppealState(enum.StrEnum):
    OPEN = "open"
    UPHELD = "upheld"  # the domain is delisted
    DISMISSED = "dismissed"


class FeedRequestKind(enum.StrEnum):
    UPDATE = "update"
    FULL_HASH = "full_hash"


class BlocklistDomain(Base):
    """One domain and where it stands. Re-submitting a delisted or rejected domain opens a new
    round; confirmations of earlier rounds stay as history but no longer count."""

    __tablename__ = "blocklist_domains"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    domain: Mapped[str] = mapped_column(String(253), unique=True)  # canonical, see listed_domain
    state: Mapped[str] = mapped_column(String(16), index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    submitted_by_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    listed_at: Mapped[datetime | None]
    next_review_at: Mapped[datetime | None] = mapped_column(index=True)
    last_reviewed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]  # delisted or rejected
    closed_reason: Mapped[str | None] = mapped_column(
        Text
    )  # in English where the platform wrote it
    # Its message where the platform wrote it (i18n.parts_data: "review found the material
    # gone: %(note)s"); None for a reason a person wrote, and for reasons stored before.
    closed_reason_text: Mapped[list[Any] | None] = mapped_column(JSON)

    submitted_by: Mapped[Organisation] = relationship(lazy="joined")

    @property
    def shown_reason(self) -> str | None:
        """The closing reason in the reader's language where the platform wrote it (the
        person's note inside stays as written); as stored otherwise."""
        if self.closed_reason is None:
            return None
        return in_language(self.closed_reason, self.closed_reason_text)

    confirmations: Mapped[list[Confirmation]] = relationship(
        back_populates="domain", order_by="Confirmation.id", lazy="selectin"
    )


class Confirmation(Base):
    """An organisation's statement that it checked the domain by hand and the criteria hold.

    The submission is the submitter's own confirmation; each organisation counts once a round.
    """

    __tablename__ = "blocklist_confirmations"
    __table_args__ = (UniqueConstraint("domain_id", "round", "org_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("blocklist_domains.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(200))
    real_children: Mapped[bool] = mapped_column(Boolean)
    under_13: Mapped[bool] = mapped_column(Boolean)
    severe_abuse: Mapped[bool] = mapped_column(Boolean)
    evidence_ref: Mapped[str] = mapped_column(String(100))  # the police file's reference
    notes: Mapped[str] = mapped_column(Text, default="")
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)

    domain: Mapped[BlocklistDomain] = relationship(back_populates="confirmations")
    org: Mapped[Organisation] = relationship(lazy="joined")


class Review(Base):
    """A periodic or reported check of a listed domain: is the material still there?"""

    __tablename__ = "blocklist_reviews"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("blocklist_domains.id"), index=True)
    material_present: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text)
    reviewed_by_label: Mapped[str] = mapped_column(String(200))
    reviewed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Appeal(Base):
    """A domain owner's request for review, recorded by the General Secretariat and decided."""

    __tablename__ = "blocklist_appeals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("blocklist_domains.id"), index=True)
    appellant: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(200))
    grounds: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), index=True, default=AppealState.OPEN.value)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_label: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime | None]
    decided_by_label: Mapped[str | None] = mapped_column(String(200))
    decision_reason: Mapped[str | None] = mapped_column(Text)

    domain: Mapped[BlocklistDomain] = relationship(lazy="joined")


class ListVersion(Base):
    """A published version of the list; its checksum is the one providers must reach."""

    __tablename__ = "blocklist_versions"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_label: Mapped[str] = mapped_column(String(200))
    published_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    domain_count: Mapped[int] = mapped_column(Integer)
    added: Mapped[int] = mapped_column(Integer)
    removed: Mapped[int] = mapped_column(Integer)
    checksum: Mapped[str] = mapped_column(String(64))  # hex SHA-256 of the sorted prefixes


class VersionMembership(Base):
    """A domain is in every version from `added_in` up to, not including, `removed_in`."""

    __tablename__ = "blocklist_version_members"
    __table_args__ = (Index("ix_blocklist_version_members_span", "added_in", "removed_in"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("blocklist_domains.id"), index=True)
    added_in: Mapped[int] = mapped_column(ForeignKey("blocklist_versions.number"))
    removed_in: Mapped[int | None] = mapped_column(
        ForeignKey("blocklist_versions.number"), index=True
    )


class FeedRequest(Base):
    """One provider request: who, what kind, which version, how many prefixes. Never an
    address, a host or a prefix: the log must not say what a provider's users visited."""

    __tablename__ = "blocklist_feed_requests"
    __table_args__ = (Index("ix_blocklist_feed_requests_org", "org_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    token_id: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    client_version: Mapped[int | None] = mapped_column(BigInteger)
    served_version: Mapped[int | None] = mapped_column(Integer)
    update_type: Mapped[str | None] = mapped_column(String(16))  # full or partial
    prefixes_asked: Mapped[int] = mapped_column(Integer, default=0)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    org: Mapped[Organisation] = relationship(lazy="joined")
