"""Tables: hits. A search without a hit stores nothing but its audit entry (keyed hash)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from interlink.core.db import Base, BigId, utcnow


class Hit(Base):
    """A search that matched a record: kept, audited, and pushed to the record's owner."""

    __tablename__ = "screening_hits"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(12))  # person | document | vehicle
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    owner_org_id: Mapped[int] = mapped_column(Integer, index=True)
    searching_org_id: Mapped[int] = mapped_column(Integer, index=True)
    searching_label: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)
    match: Mapped[str] = mapped_column(String(24))  # exact, ocr_variant, name, vin, plate
    # The query is personal data: kept for hits only, to let the owner judge the match.
    query: Mapped[dict[str, Any]] = mapped_column(JSON)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
