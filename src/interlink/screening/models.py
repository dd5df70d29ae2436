"""Tables: hits. A search without a hit stores nothing but its audit entry (keyed hash)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from interlink.core.db import Base, BigId, utcnow
from interlink.core.i18n import N_, Msg, msg, translate

# The searching label of the hits the platform opens itself (linking's suggested links and
# pattern alerts): stored in English like any searcher's label, shown in the reader's
# language (`searcher_label`); a principal's label is data, shown as it is.
LINKING_SEARCHER = N_("General Secretariat (linking)")


def searcher_label(label: str) -> str:
    """A hit's searching label: the platform's own as a message, to be translated where it
    is shown (a graph's edge); a principal's as it is."""
    return msg(label) if label == LINKING_SEARCHER else label


def shown_searcher(label: str) -> str:
    """A hit's searching label in the reader's language (the platform's own only)."""
    shown = searcher_label(label)
    return translate(shown) if isinstance(shown, Msg) else shown


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
