"""The oversight commission's provisional block on a record or a notice: one write path.

A blocked row is hidden by core/access.py from everyone but its owner and the commission;
the change event takes a blocked record out of every process's screening index at its next
refresh. A blocked notice stops circulating its subject: when it was the last request in force
on it, the subject leaves every other member's lists and screening the same way.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from interlink.core import audit
from interlink.core.audit import Event
from interlink.core.auth import Principal
from interlink.core.db import emit_change
from interlink.core.errors import Forbidden, InvalidInput, NotFound
from interlink.core.i18n import msg
from interlink.records.circulation import refresh_subject
from interlink.records.models import Notice, Record

MAX_REASON_CATEGORY = 40


def target_row(session: Session, target: str, target_id: int) -> Record | Notice:
    """The record or notice a block or a commission's measure names ("record" or "notice")."""
    row: Record | Notice | None
    if target == "record":
        row = session.get(Record, target_id)
    elif target == "notice":
        row = session.get(Notice, target_id)
    else:
        raise InvalidInput("the data is a 'record' or a 'notice'")
    if row is None:
        raise NotFound(msg("no %(target)s %(target_id)s", target=target, target_id=target_id))
    return row


def set_block(
    session: Session,
    principal: Principal,
    target: str,  # "record" or "notice", checked below: callers pass stored values
    target_id: int,
    blocked: bool,
    reason_category: str,
) -> None:
    """Block (or unblock) a record or a notice; only the oversight commission may."""
    if not principal.viewer.is_oversight:
        raise Forbidden("only the oversight commission blocks or unblocks data")
    category = reason_category.strip()
    if not category or len(category) > MAX_REASON_CATEGORY:
        raise InvalidInput(
            msg(
                "a block needs a reason category of 1 to %(max_reason_category)s characters",
                max_reason_category=MAX_REASON_CATEGORY,
            )
        )
    row = target_row(session, target, target_id)
    row.access_blocked = blocked
    audit.record(
        session,
        principal.actor,
        Event(
            f"{target}.{'block' if blocked else 'unblock'}",
            target,
            target_id,
            owner_org_id=row.owner_org_id,
            detail={"reason_category": category},
        ),
    )
    emit_change(session, target, target_id, "upsert")
    if isinstance(row, Notice):
        # A blocked request no longer circulates its subject (records.circulation): if it
        # was the last one in force, the subject leaves other members' lists and screening.
        refresh_subject(session, row.subject_record_id)
