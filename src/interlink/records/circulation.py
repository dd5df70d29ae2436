"""Circulation follows the legal basis.

A person record is its bureau's national data until a request covers it: a notice published
after review or a diffusion circulated by its bureau. While at least one such request is in
force, the person circulates to the union of those requests' audiences (its reach), within
the record's own restrictions; when the last one is refused, cancelled, withdrawn, expired or
blocked, the person leaves every other member's lists and screening. Travel documents and
vehicles circulate at once (the stolen-documents model) within their owner's restrictions.

Every change of a request calls `refresh_subject` in the same transaction; it emits the
subject's change, so every process's screening index follows within its refresh interval.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from interlink.core.access import Visibility, VisibilityMode, encode_countries
from interlink.core.db import emit_change
from interlink.records.models import Notice, NoticeState, Record, RecordKind, RecordStatus

IN_FORCE = (NoticeState.PUBLISHED.value, NoticeState.CIRCULATED.value)


def requests_in_force(
    session: Session, record_ids: list[int] | None, now: datetime | None = None
) -> list[Notice]:
    """The requests that make these subjects (None: every subject) circulate, oldest first."""
    if record_ids is not None and not record_ids:
        return []
    now = now or datetime.now(UTC)
    subjects = (
        Notice.subject_record_id.is_not(None)
        if record_ids is None
        else Notice.subject_record_id.in_(record_ids)
    )
    stmt = (
        select(Notice)
        .where(
            subjects,
            Notice.state.in_(IN_FORCE),
            Notice.circulated.is_(True),
            Notice.access_blocked.is_(False),
            or_(Notice.retention_until.is_(None), Notice.retention_until > now),
        )
        .order_by(Notice.id)
    )
    return list(session.scalars(stmt))


def reach_of(requests: list[Notice]) -> Visibility:
    reach: Visibility | None = None
    for request in requests:
        reach = request.visibility if reach is None else reach.union(request.visibility)
    return reach or Visibility(VisibilityMode.ONLY, frozenset())


def refresh_subject(session: Session, record_id: int | None) -> None:
    """Recompute whether (and to whom) a subject circulates, and tell the indexes."""
    if record_id is None:
        return
    row = session.get(Record, record_id)
    if row is None:
        return
    if row.kind == RecordKind.PERSON.value:
        covering = requests_in_force(session, [row.id])
        reach = reach_of(covering)
        row.reach_mode = reach.mode.value
        row.reach_countries = encode_countries(reach.countries)
        row.circulated = bool(covering) and row.status == RecordStatus.ACTIVE.value
        ends = [r.retention_until for r in covering]
        row.circulates_until = (
            None if not ends or None in ends else max(e for e in ends if e is not None)
        )
    # Documents and vehicles circulate on their own; their requests still travel with
    # every hit, so the indexes reload them too.
    emit_change(session, "record", row.id, "upsert")


def person_circulates_at_creation(kind: RecordKind) -> bool:
    return kind is not RecordKind.PERSON
