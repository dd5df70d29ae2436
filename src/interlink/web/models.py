"""What each user has opened from their home page: marking as read is per user, not per bureau
(a colleague opening a hit does not make it read for everyone else)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from interlink.core.db import Base, utcnow


class WebRead(Base):
    __tablename__ = "web_reads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    object_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    object_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    read_at: Mapped[datetime] = mapped_column(default=utcnow)
