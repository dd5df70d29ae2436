"""Reading the audit log: owners see every access to their records; oversight sees all."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.core import audit
from interlink.core.audit import AuditEntry, Event, VerifyReport
from interlink.core.auth import Perm, Principal
from interlink.core.errors import Forbidden


def query_audit(
    session: Session,
    principal: Principal,
    *,
    after_id: int = 0,
    limit: int = 100,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    actor_org_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[AuditEntry]:
    """Entries about the principal's own records (audit.own), or any (audit.all)."""
    stmt = select(AuditEntry).where(AuditEntry.id > after_id).order_by(AuditEntry.id)
    if principal.has(Perm.AUDIT_ALL):
        pass
    elif principal.has(Perm.AUDIT_OWN):
        stmt = stmt.where(AuditEntry.object_owner_org_id == principal.org_id)
    else:
        raise Forbidden("reading the audit log needs the audit.own or audit.all permission")
    filters = {
        AuditEntry.action: action,
        AuditEntry.object_type: object_type,
        AuditEntry.object_id: object_id,
        AuditEntry.actor_org_id: actor_org_id,
    }
    for column, value in filters.items():
        if value is not None:
            stmt = stmt.where(column == value)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEntry.at < until)
    entries = list(session.scalars(stmt.limit(limit)))
    # Reading the log is itself an access worth recording.
    audit.record(session, principal.actor, Event(
        "audit.query", detail={"after": after_id, "returned": len(entries),
                               "scope": "all" if principal.has(Perm.AUDIT_ALL) else "own"}))
    return entries


def verify_chain(session: Session, principal: Principal) -> VerifyReport:
    if not (principal.has(Perm.AUDIT_ALL) or principal.has(Perm.PLATFORM_ADMIN)):
        raise Forbidden("verifying the audit chain is for oversight and platform administrators")
    return audit.verify(session)


def accesses_to(session: Session, principal: Principal, object_type: str, object_id: int,
                owner_org_id: int, *, limit: int = 50) -> list[AuditEntry]:
    """Who accessed one object, newest first: for its owner and for oversight only."""
    if not (principal.has(Perm.AUDIT_ALL)
            or (principal.has(Perm.AUDIT_OWN) and principal.org_id == owner_org_id)):
        return []
    stmt = (select(AuditEntry)
            .where(AuditEntry.object_type == object_type,
                   AuditEntry.object_id == str(object_id))
            .order_by(AuditEntry.id.desc()).limit(limit))
    return list(session.scalars(stmt))
