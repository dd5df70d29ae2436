"""Tables: suggested links between person records, the decisions taken on them, full runs,
and the change-feed position of the incremental linker."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from interlink.core.db import Base, BigId, utcnow


class LinkStatus(enum.StrEnum):
    SUGGESTED = "suggested"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    UNSURE = "unsure"


class RunState(enum.StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"  # stopped part-way; says where and why


class Link(Base):
    """Two person records that may be one person; left_id < right_id."""

    __tablename__ = "links"
    __table_args__ = (UniqueConstraint("left_id", "right_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    left_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    right_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=LinkStatus.SUGGESTED.value, index=True)
    match_weight: Mapped[float] = mapped_column(Float)
    probability: Mapped[float] = mapped_column(Float)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)
    found_by: Mapped[str] = mapped_column(String(12))  # full | incremental
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(200))
    # Owners who may not see the other record are told through a hit follow-up; False until
    # that is done (a full run leaves it to the worker, which holds the messaging context).
    notified: Mapped[bool] = mapped_column(default=False, index=True)
    notified_hits: Mapped[list[Any]] = mapped_column(JSON, default=list)  # screening_hits ids


class LinkDecision(Base):
    """Every decision on a link, kept: the latest sets the link's status."""

    __tablename__ = "link_decisions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("links.id"), index=True)
    decision: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    actor_org_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class LinkRun(Base):
    """A full run over the store: its progress while it runs, and how it ended."""

    __tablename__ = "link_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    state: Mapped[str] = mapped_column(String(12), default=RunState.RUNNING.value, index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    started_by: Mapped[str] = mapped_column(String(200))
    records: Mapped[int] = mapped_column(Integer, default=0)
    candidate_pairs: Mapped[int] = mapped_column(BigInteger, default=0)
    scored_pairs: Mapped[int] = mapped_column(BigInteger, default=0)
    links_found: Mapped[int] = mapped_column(Integer, default=0)
    model: Mapped[str] = mapped_column(String(500), default="")
    error: Mapped[str | None] = mapped_column(Text)


class LinkCursor(Base):
    """How far the incremental linker has read the change feed (one row, shared by every
    process: the one holding its lock links the next batch)."""

    __tablename__ = "link_cursor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_change: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hit: Mapped[int] = mapped_column(BigInteger, default=0)  # patterns read hits after it


class Pattern(Base):
    """A saved pattern the General Secretariat's analysts keep running over each change
    (linking/patterns.py): what it looks for, until when, and how many alerts a day."""

    __tablename__ = "link_patterns"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(40))  # patterns.PatternKind
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    daily_cap: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Matches left without an alert because the day's cap was reached.
    suppressed: Mapped[int] = mapped_column(Integer, default=0)


class PatternAlert(Base):
    """One match of a pattern, opened once (its key) as follow-ups to the owners concerned."""

    __tablename__ = "link_pattern_alerts"
    __table_args__ = (UniqueConstraint("pattern_id", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    pattern_id: Mapped[int] = mapped_column(ForeignKey("link_patterns.id"), index=True)
    key: Mapped[str] = mapped_column(String(200))
    record_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    hit_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)  # the follow-ups' hits
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)


class PersonDocument(Base):
    """A travel-document number carried by a person record (its `identity_documents`,
    upper-cased), so that the shared-document pattern finds the other holders of a number by
    an index lookup rather than by reading every record's JSON. Kept from the change feed by
    the incremental linker (`patterns.index_documents`) and rebuilt by a full run."""

    __tablename__ = "link_person_documents"

    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), primary_key=True)
    number: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)
