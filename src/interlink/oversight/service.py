"""Reading the audit log: owners see every access to their records; oversight sees all."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from interlink.core import audit, checkpoints
from interlink.core.audit import AuditEntry, Event, VerifyReport
from interlink.core.auth import Perm, Principal
from interlink.core.checkpoints import Checkpoint
from interlink.core.errors import Forbidden, InvalidInput, NotFound
from interlink.core.i18n import msg
from interlink.core.pagination import ListPage, SortOrders, count_rows, keyset_page


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What a reader of the log narrows it to; None leaves a field open."""

    actor: str | None = None  # part of the actor's label: a user name, "cli:", a token
    actor_org_id: int | None = None
    action: str | None = None  # "record.read", or a family: "record"
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None  # exclusive

    def as_detail(self) -> dict[str, Any]:
        return {
            k: (v.isoformat() if isinstance(v, datetime) else v)
            for k, v in asdict(self).items()
            if v is not None
        }


AUDIT_SORTS: SortOrders = {"newest": (AuditEntry.id, True), "oldest": (AuditEntry.id, False)}
# An export is read into memory and sent in one piece; past this, narrow the filters.
EXPORT_MAX = 50_000


def _scoped(principal: Principal) -> Select[AuditEntry]:
    """The one rule of who reads which entries."""
    stmt = select(AuditEntry)
    if principal.has(Perm.AUDIT_ALL):
        return stmt
    if principal.has(Perm.AUDIT_OWN):
        return stmt.where(AuditEntry.object_owner_org_id == principal.org_id)
    raise Forbidden("reading the audit log needs the audit.own or audit.all permission")


def _filtered(stmt: Select[AuditEntry], f: AuditFilter) -> Select[AuditEntry]:
    exact = {
        AuditEntry.object_type: f.object_type,
        AuditEntry.object_id: f.object_id,
        AuditEntry.actor_org_id: f.actor_org_id,
    }
    for column, value in exact.items():
        if value is not None:
            stmt = stmt.where(column == value)
    if f.action is not None:
        stmt = stmt.where(
            or_(
                AuditEntry.action == f.action,
                AuditEntry.action.startswith(f"{f.action}.", autoescape=True),
            )
        )
    if f.actor is not None:
        stmt = stmt.where(
            func.lower(AuditEntry.actor_label).contains(f.actor.lower(), autoescape=True)
        )
    if f.since is not None:
        stmt = stmt.where(AuditEntry.at >= f.since)
    if f.until is not None:
        stmt = stmt.where(AuditEntry.at < f.until)
    return stmt


def _scope_name(principal: Principal) -> str:
    return "all" if principal.has(Perm.AUDIT_ALL) else "own"


def audit_page(
    session: Session,
    principal: Principal,
    filters: AuditFilter,
    *,
    sort: str = "newest",
    cursor: str | None = None,
    limit: int = 50,
) -> ListPage[AuditEntry]:
    """A page of the entries the principal may read, newest first unless asked otherwise."""
    page = keyset_page(
        session,
        _filtered(_scoped(principal), filters),
        id_column=AuditEntry.id,
        sorts=AUDIT_SORTS,
        sort=sort,
        cursor=cursor,
        limit=limit,
    )
    audit.record(
        session,
        principal.actor,
        Event(
            "audit.query",
            detail={
                "filters": filters.as_detail(),
                "sort": sort,
                "returned": len(page.items),
                "scope": _scope_name(principal),
            },
        ),
    )
    return page


def audit_export(
    session: Session,
    principal: Principal,
    filters: AuditFilter,
) -> list[AuditEntry]:
    """Every entry matching the filters, oldest first, for a CSV; refused past EXPORT_MAX."""
    stmt = _filtered(_scoped(principal), filters)
    total = count_rows(session, stmt)
    if total > EXPORT_MAX:
        raise InvalidInput(
            msg(
                "%(total)s entries match; an export holds at most %(most)s: "
                "narrow the filters (a shorter date range, one organisation)",
                total=total,
                most=EXPORT_MAX,
            )
        )
    entries = list(session.scalars(stmt.order_by(AuditEntry.id)))
    audit.record(
        session,
        principal.actor,
        Event(
            "audit.export",
            detail={
                "filters": filters.as_detail(),
                "returned": len(entries),
                "scope": _scope_name(principal),
            },
        ),
    )
    return entries


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
    filters = AuditFilter(
        action=action,
        object_type=object_type,
        object_id=object_id,
        actor_org_id=actor_org_id,
        since=since,
        until=until,
    )
    stmt = _filtered(_scoped(principal), filters).where(AuditEntry.id > after_id)
    entries = list(session.scalars(stmt.order_by(AuditEntry.id).limit(limit)))
    # Reading the log is itself an access worth recording.
    audit.record(
        session,
        principal.actor,
        Event(
            "audit.query",
            detail={
                "after": after_id,
                "returned": len(entries),
                "scope": "all" if principal.has(Perm.AUDIT_ALL) else "own",
            },
        ),
    )
    return entries


def verify_chain(session: Session, principal: Principal) -> VerifyReport:
    if not (principal.has(Perm.AUDIT_ALL) or principal.has(Perm.PLATFORM_ADMIN)):
        raise Forbidden("verifying the audit chain is for oversight and platform administrators")
    return audit.verify(session)


def require_witness(principal: Principal) -> None:
    """Who may fetch signed checkpoints to keep them: whoever reads the audit log (the
    oversight commission, any bureau's supervisors, administrators and their systems)."""
    if not (principal.has(Perm.AUDIT_ALL) or principal.has(Perm.AUDIT_OWN)):
        raise Forbidden("audit checkpoints need the audit.own or audit.all permission")


def latest_checkpoint(session: Session, principal: Principal) -> Checkpoint:
    require_witness(principal)
    row = checkpoints.latest(session)
    if row is None:
        raise NotFound("no checkpoint has been signed yet")
    return Checkpoint.of_row(row)


def list_checkpoints(
    session: Session, principal: Principal, *, after_id: int = 0, limit: int = 100
) -> list[tuple[int, Checkpoint]]:
    require_witness(principal)
    return [
        (row.id, Checkpoint.of_row(row))
        for row in checkpoints.list_checkpoints(session, after_id=after_id, limit=limit)
    ]


def accesses_to(
    session: Session,
    principal: Principal,
    object_type: str,
    object_id: int,
    owner_org_id: int,
    *,
    limit: int = 50,
) -> list[AuditEntry]:
    """Who accessed one object, newest first: for its owner and for oversight only."""
    if not (
        principal.has(Perm.AUDIT_ALL)
        or (principal.has(Perm.AUDIT_OWN) and principal.org_id == owner_org_id)
    ):
        return []
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))
