"""Joint operations: a lead organisation, invited members who accept or decline, a workspace
of linked records, tasks with owners and due dates, a timeline and a channel (a thread whose
participants are the accepted members).

Records stay where they are: the workspace holds references. A participant sees a linked
record if it may see it anyway, or if its owner explicitly shared it into the operation and
the record's own restrictions admit the participant's country (inviting a member never widens
what the owner allowed), unless the oversight commission blocked it or its retention ended.
Records are reached through a `RecordReader` (the records service, wired in
interlink.wiring), so this module does not import the records capability.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from interlink.core import audit
from interlink.core.access import RecordPolicy, Viewer, can_see, is_expired
from interlink.core.audit import Event
from interlink.core.auth import OrgKind, Perm, Principal
from interlink.core.db import utcnow
from interlink.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from interlink.core.i18n import msg
from interlink.members.models import Organisation
from interlink.members.service import org_codes
from interlink.messaging.models import (
    MemberStatus,
    Operation,
    OperationEvent,
    OperationMember,
    OperationRecord,
    OperationTask,
    Participant,
    Thread,
    ThreadKind,
)
from interlink.messaging.posting import RECIPIENT_KINDS, new_thread
from interlink.state import AppState

MAX_NAME = 200
MAX_PURPOSE = 5000
MAX_TASK_TITLE = 300


class RecordReader(Protocol):
    """How operations reach records; the records capability provides the real one."""

    def policy(self, session: Session, record_id: int) -> RecordPolicy | None:
        """The record's owner and restrictions; None when there is no such record."""

    def read(
        self,
        session: Session,
        principal: Principal,
        record_id: int,
        *,
        admitted: bool,
        purpose: str,
    ) -> dict[str, Any]:
        """The record's content through the records service's access check, `admitted`
        being this capability's verdict; audited there; NotFound when refused."""


def record_reader(state: AppState) -> RecordReader:
    return state.services.records_for_operations


def may_read_linked(
    viewer: Viewer, policy: RecordPolicy, link: OperationRecord, now: datetime | None = None
) -> bool:
    """Seen anyway, or shared into the operation by its owner, neither blocked nor expired,
    and admitted by the record's own restrictions."""
    if can_see(viewer, policy, now):
        return True
    shared_by_owner = link.shared and link.shared_by_org_id == policy.owner_org_id
    return (
        shared_by_owner
        and not policy.access_blocked
        and not is_expired(policy, now)
        and not viewer.is_partner
        and policy.visibility.admits(viewer.country)
    )


# --- membership -------------------------------------------------------------------------------


def _event(
    session: Session, operation: Operation, principal: Principal, kind: str, text: str
) -> None:
    session.add(
        OperationEvent(
            operation_id=operation.id,
            actor_org_id=principal.org_id,
            actor=principal.label,
            kind=kind,
            text=text[:500],
        )
    )


def _audit(
    session: Session, principal: Principal, operation: Operation, action: str, **detail: Any
) -> None:
    audit.record(
        session,
        principal.actor,
        Event(action, "operation", operation.id, owner_org_id=operation.lead_org_id, detail=detail),
    )


def _member(session: Session, operation_id: int, org_id: int) -> OperationMember | None:
    return session.scalars(
        select(OperationMember).where(
            OperationMember.operation_id == operation_id, OperationMember.org_id == org_id
        )
    ).first()


def _check_org_kind(principal: Principal) -> None:
    if principal.org_kind not in RECIPIENT_KINDS:
        raise Forbidden(
            "joint operations are run by bureaus, the General Secretariat and "
            "international entities"
        )


def operation_for(
    session: Session, principal: Principal, operation_id: int, *, invited_too: bool = False
) -> tuple[Operation, OperationMember]:
    """The operation if the principal's organisation takes part (or is invited)."""
    principal.require(Perm.MESSAGES)
    operation = session.get(Operation, operation_id)
    member = _member(session, operation_id, principal.org_id) if operation else None
    allowed = {MemberStatus.ACCEPTED.value} | (
        {MemberStatus.INVITED.value} if invited_too else set()
    )
    if operation is None or member is None or member.status not in allowed:
        raise NotFound(
            msg("no operation %(operation_id)s that you take part in", operation_id=operation_id)
        )
    return operation, member


def _led(session: Session, principal: Principal, operation_id: int) -> Operation:
    operation, _ = operation_for(session, principal, operation_id)
    if operation.lead_org_id != principal.org_id:
        raise Forbidden("only the lead organisation manages the operation's members")
    if operation.closed_at is not None:
        raise Conflict("this operation is closed")
    return operation


def create_operation(
    session: Session, principal: Principal, *, name: str, purpose: str
) -> Operation:
    principal.require(Perm.MESSAGES)
    _check_org_kind(principal)
    name, purpose = " ".join(name.split()), purpose.strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(
            msg("an operation needs a name of at most %(max_name)s characters", max_name=MAX_NAME)
        )
    if len(purpose) > MAX_PURPOSE:
        raise InvalidInput(
            msg("a purpose has at most %(max_purpose)s characters", max_purpose=MAX_PURPOSE)
        )
    channel = new_thread(
        session,
        kind=ThreadKind.OPERATION.value,
        subject=name,
        originator_org_id=principal.org_id,
        participant_ids=[],
    )
    operation = Operation(
        name=name, purpose=purpose, lead_org_id=principal.org_id, channel_thread_id=channel.id
    )
    session.add(operation)
    session.flush()
    session.add(
        OperationMember(
            operation_id=operation.id,
            org_id=principal.org_id,
            status=MemberStatus.ACCEPTED.value,
            invited_by=principal.label,
            responded_at=utcnow(),
        )
    )
    _event(session, operation, principal, "created", f"operation {name} opened")
    _audit(session, principal, operation, "operation.create", name=name)
    return operation


def invite(
    session: Session, principal: Principal, operation_id: int, org_id: int
) -> OperationMember:
    operation = _led(session, principal, operation_id)
    org = session.get(Organisation, org_id)
    if org is None or not org.active or OrgKind(org.kind) not in RECIPIENT_KINDS:
        raise InvalidInput(
            msg("no bureau, Secretariat or international entity %(org_id)s", org_id=org_id)
        )
    member = _member(session, operation.id, org.id)
    if member is not None and member.status in (MemberStatus.INVITED, MemberStatus.ACCEPTED):
        raise Conflict(
            msg(
                "%(org_code)s is %(member_status)s already",
                org_code=org.code,
                member_status=member.status,
            )
        )
    if member is None:
        member = OperationMember(operation_id=operation.id, org_id=org.id)
        session.add(member)
    member.status, member.invited_by, member.invited_at = (
        MemberStatus.INVITED.value,
        principal.label,
        utcnow(),
    )
    member.responded_at = None
    _event(session, operation, principal, "invited", f"{org.code} invited")
    _audit(session, principal, operation, "operation.invite", org=org.code)
    return member


def _set_channel_member(session: Session, thread_id: int, org_id: int, present: bool) -> None:
    row = session.scalars(
        select(Participant).where(Participant.thread_id == thread_id, Participant.org_id == org_id)
    ).first()
    if present and row is None:
        session.add(Participant(thread_id=thread_id, org_id=org_id))
    elif row is not None:
        row.left_at = None if present else utcnow()


def respond(
    session: Session, principal: Principal, operation_id: int, accept: bool
) -> OperationMember:
    """The invited organisation accepts (and joins the channel) or declines."""
    operation, member = operation_for(session, principal, operation_id, invited_too=True)
    if member.status != MemberStatus.INVITED.value:
        raise Conflict("your organisation answered this invitation already")
    member.status = (MemberStatus.ACCEPTED if accept else MemberStatus.DECLINED).value
    member.responded_at = utcnow()
    if accept:
        _set_channel_member(session, operation.channel_thread_id, principal.org_id, True)
    code = org_codes(session, [principal.org_id])[principal.org_id]
    _event(session, operation, principal, member.status, f"{code} {member.status}")
    _audit(session, principal, operation, f"operation.{'accept' if accept else 'decline'}")
    return member


def remove_member(
    session: Session, principal: Principal, operation_id: int, org_id: int
) -> OperationMember:
    """The lead removes a member, or a member leaves; either way it loses the channel."""
    operation, _ = operation_for(session, principal, operation_id)
    if principal.org_id not in (operation.lead_org_id, org_id):
        raise Forbidden("only the lead organisation removes other members")
    if org_id == operation.lead_org_id:
        raise Conflict("the lead organisation cannot leave its operation")
    member = _member(session, operation.id, org_id)
    if member is None or member.status not in (MemberStatus.INVITED, MemberStatus.ACCEPTED):
        raise NotFound(msg("organisation %(org_id)s is not a member", org_id=org_id))
    member.status = MemberStatus.REMOVED.value
    _set_channel_member(session, operation.channel_thread_id, org_id, False)
    code = org_codes(session, [org_id])[org_id]
    _event(session, operation, principal, "removed", f"{code} removed")
    _audit(session, principal, operation, "operation.remove", org=code)
    return member


def list_operations(
    session: Session, principal: Principal
) -> list[tuple[Operation, OperationMember]]:
    principal.require(Perm.MESSAGES)
    rows = session.execute(
        select(Operation, OperationMember)
        .join(OperationMember, OperationMember.operation_id == Operation.id)
        .where(
            OperationMember.org_id == principal.org_id,
            OperationMember.status.in_([MemberStatus.INVITED.value, MemberStatus.ACCEPTED.value]),
        )
        .order_by(Operation.id.desc())
    )
    return list(rows)


def invitations_query(principal: Principal) -> Select[Operation]:
    """Open operations that invited the principal's organisation and await its answer."""
    principal.require(Perm.MESSAGES)
    return (
        select(Operation)
        .join(OperationMember, OperationMember.operation_id == Operation.id)
        .where(
            OperationMember.org_id == principal.org_id,
            OperationMember.status == MemberStatus.INVITED.value,
            Operation.closed_at.is_(None),
        )
        .order_by(OperationMember.invited_at, Operation.id)
    )


# --- workspace --------------------------------------------------------------------------------


def link_record(
    session: Session,
    principal: Principal,
    reader: RecordReader,
    operation_id: int,
    record_id: int,
    *,
    share: bool = False,
    note: str = "",
) -> OperationRecord:
    """Put a record one can see into the workspace; its owner may also share it explicitly."""
    operation, _ = operation_for(session, principal, operation_id)
    if operation.closed_at is not None:
        raise Conflict("this operation is closed")
    policy = reader.policy(session, record_id)
    if policy is None or not can_see(principal.viewer, policy):
        raise NotFound(msg("no record %(record_id)s that you may see", record_id=record_id))
    if share and policy.owner_org_id != principal.org_id:
        raise Forbidden("only the record's owner shares it into an operation")
    link = session.scalars(
        select(OperationRecord).where(
            OperationRecord.operation_id == operation.id, OperationRecord.record_id == record_id
        )
    ).first()
    if link is not None and (link.shared or not share):
        raise Conflict(msg("record %(record_id)s is in the workspace already", record_id=record_id))
    if link is None:
        link = OperationRecord(
            operation_id=operation.id,
            record_id=record_id,
            linked_by_org_id=principal.org_id,
            note=note.strip()[:500],
        )
        session.add(link)
    if share:
        link.shared, link.shared_by_org_id = True, principal.org_id
    session.flush()
    verb = "shared" if share else "linked"
    _event(session, operation, principal, f"record_{verb}", f"record {record_id} {verb}")
    audit.record(
        session,
        principal.actor,
        Event(
            f"operation.record_{verb}",
            "record",
            record_id,
            owner_org_id=policy.owner_org_id,
            detail={"operation": operation.id},
        ),
    )
    return link


def visible_records(
    session: Session, principal: Principal, reader: RecordReader, operation_id: int
) -> list[OperationRecord]:
    """The workspace as this participant may see it: nothing it may not open is listed."""
    operation, _ = operation_for(session, principal, operation_id)
    links = session.scalars(
        select(OperationRecord)
        .where(OperationRecord.operation_id == operation.id)
        .order_by(OperationRecord.id)
    ).all()
    now = utcnow()
    visible = []
    for link in links:
        policy = reader.policy(session, link.record_id)
        if policy is not None and may_read_linked(principal.viewer, policy, link, now):
            visible.append(link)
    return visible


def read_record(
    session: Session, principal: Principal, reader: RecordReader, operation_id: int, record_id: int
) -> dict[str, Any]:
    """A record through the operation; NotFound unless `may_read_linked` says yes."""
    operation, _ = operation_for(session, principal, operation_id)
    link = session.scalars(
        select(OperationRecord).where(
            OperationRecord.operation_id == operation.id, OperationRecord.record_id == record_id
        )
    ).first()
    policy = reader.policy(session, record_id) if link is not None else None
    if link is None or policy is None or not may_read_linked(principal.viewer, policy, link):
        raise NotFound(
            msg("no record %(record_id)s in this operation that you may see", record_id=record_id)
        )
    content = reader.read(
        session, principal, record_id, admitted=True, purpose=f"operation {operation.id}"
    )
    audit.record(
        session,
        principal.actor,
        Event(
            "operation.record_read",
            "record",
            record_id,
            owner_org_id=policy.owner_org_id,
            detail={"operation": operation.id, "shared": link.shared},
        ),
    )
    return content


# --- tasks and timeline -----------------------------------------------------------------------


def add_task(
    session: Session,
    principal: Principal,
    operation_id: int,
    *,
    title: str,
    owner_org_id: int,
    due_at: datetime | None = None,
) -> OperationTask:
    operation, _ = operation_for(session, principal, operation_id)
    if operation.closed_at is not None:
        raise Conflict("this operation is closed")
    title = " ".join(title.split())
    if not title or len(title) > MAX_TASK_TITLE:
        raise InvalidInput(
            msg(
                "a task needs a title of at most %(max_task_title)s characters",
                max_task_title=MAX_TASK_TITLE,
            )
        )
    owner = _member(session, operation.id, owner_org_id)
    if owner is None or owner.status != MemberStatus.ACCEPTED.value:
        raise InvalidInput("a task's owner is a member that accepted the operation")
    if due_at is not None and due_at.tzinfo is None:
        raise InvalidInput("a due date needs a time zone")
    task = OperationTask(
        operation_id=operation.id,
        title=title,
        owner_org_id=owner_org_id,
        due_at=due_at,
        created_by=principal.label,
    )
    session.add(task)
    session.flush()
    code = org_codes(session, [owner_org_id])[owner_org_id]
    _event(session, operation, principal, "task_added", f"task '{title}' for {code}")
    _audit(session, principal, operation, "operation.task_add", task=task.id, owner=code)
    return task


def complete_task(
    session: Session, principal: Principal, operation_id: int, task_id: int
) -> OperationTask:
    operation, _ = operation_for(session, principal, operation_id)
    task = session.get(OperationTask, task_id)
    if task is None or task.operation_id != operation.id:
        raise NotFound(msg("no task %(task_id)s in this operation", task_id=task_id))
    if principal.org_id not in (task.owner_org_id, operation.lead_org_id):
        raise Forbidden("a task is completed by its owner or the lead organisation")
    if task.done_at is not None:
        raise Conflict("this task is done already")
    task.done_at = utcnow()
    _event(session, operation, principal, "task_done", f"task '{task.title}' done")
    _audit(session, principal, operation, "operation.task_done", task=task.id)
    return task


def close_operation(session: Session, principal: Principal, operation_id: int) -> Operation:
    operation = _led(session, principal, operation_id)
    operation.closed_at = utcnow()
    channel = session.get(Thread, operation.channel_thread_id)
    if channel is not None:
        channel.closed_at = operation.closed_at
    _event(session, operation, principal, "closed", "operation closed")
    _audit(session, principal, operation, "operation.close")
    return operation


@dataclass(slots=True)
class MemberView:
    org_id: int
    code: str
    status: str


@dataclass(slots=True)
class OperationView:
    operation: Operation
    lead_code: str
    my_status: str
    members: list[MemberView]
    records: list[OperationRecord]
    tasks: list[OperationTask]
    task_owners: dict[int, str]
    timeline: list[OperationEvent]
    now: datetime

    def task_overdue(self, task: OperationTask) -> bool:
        return task.done_at is None and task.due_at is not None and task.due_at < self.now


def operation_view(
    session: Session, principal: Principal, reader: RecordReader, operation_id: int
) -> OperationView:
    """Everything a member sees; an invited organisation sees only what it needs to answer."""
    operation, me = operation_for(session, principal, operation_id, invited_too=True)
    members = session.scalars(
        select(OperationMember)
        .where(OperationMember.operation_id == operation.id)
        .order_by(OperationMember.id)
    ).all()
    accepted = me.status == MemberStatus.ACCEPTED.value
    tasks = (
        list(
            session.scalars(
                select(OperationTask)
                .where(OperationTask.operation_id == operation.id)
                .order_by(OperationTask.id)
            )
        )
        if accepted
        else []
    )
    timeline = (
        list(
            session.scalars(
                select(OperationEvent)
                .where(OperationEvent.operation_id == operation.id)
                .order_by(OperationEvent.id)
            )
        )
        if accepted
        else []
    )
    records = visible_records(session, principal, reader, operation.id) if accepted else []
    codes = org_codes(
        session,
        {operation.lead_org_id, *(m.org_id for m in members), *(t.owner_org_id for t in tasks)},
    )
    audit.record(
        session,
        principal.actor,
        Event("operation.read", "operation", operation.id, owner_org_id=operation.lead_org_id),
    )
    return OperationView(
        operation=operation,
        lead_code=codes[operation.lead_org_id],
        my_status=me.status,
        members=[
            MemberView(m.org_id, codes[m.org_id], m.status)
            for m in members
            if accepted or m.status == MemberStatus.ACCEPTED.value
        ],
        records=records,
        tasks=tasks,
        task_owners={t.id: codes[t.owner_org_id] for t in tasks},
        timeline=timeline,
        now=utcnow(),
    )
