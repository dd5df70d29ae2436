"""Threads between organisations: send, reply, read, download, forward, grant access.

Who reads a thread: its participant organisations, and an organisation a participant granted
read access to (the General Secretariat, which otherwise never reads a thread between
bureaus). Everyone else gets 'not found', whatever their role. Every read and download through
a grant is listed for the participants.

Forwarding respects H2: a message marked H2 goes no further without its originator's
permission, asked for and granted inside the thread. When H2 content is forwarded, its
originator joins the new thread, so it keeps the say over further dissemination.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from interlink.core import audit
from interlink.core.access import HandlingCode, RecordPolicy, may_disseminate
from interlink.core.audit import Event
from interlink.core.auth import OrgKind, Perm, Principal
from interlink.core.db import utcnow
from interlink.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from interlink.core.i18n import (
    DEFAULT_LANGUAGE,
    Msg,
    _,
    current_language,
    format_moment,
    in_language,
    message_of,
    msg,
    shown_subject,
    stored_parts,
    stored_with,
)
from interlink.core.pagination import check_limit
from interlink.members.models import Organisation
from interlink.members.service import org_codes
from interlink.messaging.context import MessagingContext
from interlink.messaging.crypto import TamperedError
from interlink.messaging.followups import FollowupView, followup_views
from interlink.messaging.models import (
    AccessGrant,
    Accuracy,
    Attachment,
    Blob,
    ForwardRequest,
    GrantedAccess,
    LinkType,
    Message,
    MessageKind,
    MessageLink,
    Participant,
    Priority,
    Receipt,
    Reliability,
    Thread,
    ThreadKind,
)
from interlink.messaging.posting import (
    MAX_SUBJECT,
    Draft,
    IntegrityFailure,
    Link,
    active_participants,
    blob_context,
    body_context,
    check_recipients,
    new_thread,
    post,
)
from interlink.messaging.signing import Verification, signed_payload, verify_message

# Who may be let into a thread it does not take part in.
GRANTEE_KINDS = frozenset({OrgKind.GENERAL_SECRETARIAT})


class ForwardState(StrEnum):
    ALLOWED = "allowed"
    NEEDS_PERMISSION = "needs_permission"
    REQUESTED = "requested"
    REFUSED = "refused"


# --- access ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Access:
    thread: Thread
    grant: AccessGrant | None  # None: the principal's organisation takes part

    @property
    def participant(self) -> bool:
        return self.grant is None


def _is_participant(session: Session, thread_id: int, org_id: int) -> bool:
    return (
        session.scalars(
            select(Participant.id).where(
                Participant.thread_id == thread_id,
                Participant.org_id == org_id,
                Participant.left_at.is_(None),
            )
        ).first()
        is not None
    )


def _active_grant(session: Session, thread_id: int, org_id: int) -> AccessGrant | None:
    return session.scalars(
        select(AccessGrant).where(
            AccessGrant.thread_id == thread_id,
            AccessGrant.org_id == org_id,
            AccessGrant.revoked_at.is_(None),
        )
    ).first()


def thread_access(session: Session, principal: Principal, thread_id: int) -> Access:
    """The thread and how the principal reaches it; NotFound for anyone else."""
    principal.require(Perm.MESSAGES)
    thread = session.get(Thread, thread_id)
    if thread is not None:
        if _is_participant(session, thread.id, principal.org_id):
            return Access(thread, None)
        grant = _active_grant(session, thread.id, principal.org_id)
        if grant is not None:
            return Access(thread, grant)
    raise NotFound(msg("no thread %(thread_id)s that you take part in", thread_id=thread_id))


def _participating(session: Session, principal: Principal, thread_id: int) -> Thread:
    access = thread_access(session, principal, thread_id)
    if not access.participant:
        raise Forbidden("read access granted to you does not let you act in this thread")
    return access.thread


def _message_in_reach(
    session: Session, principal: Principal, message_id: int, *, missing: str | None = None
) -> tuple[Message, Access]:
    """The message and how the principal reaches its thread.

    Whether the message is missing or in a thread the principal cannot reach, the answer is
    the same NotFound (`missing`, naming what the caller asked for), and the permission is
    checked before anything is looked up: existence is never revealed."""
    principal.require(Perm.MESSAGES)
    missing = missing or f"no message {message_id} that you take part in"
    message = session.get(Message, message_id)
    if message is None:
        raise NotFound(missing)
    try:
        return message, thread_access(session, principal, message.thread_id)
    except NotFound:
        raise NotFound(missing) from None


# --- sending ----------------------------------------------------------------------------------


def start_thread(
    session: Session,
    ctx: MessagingContext,
    principal: Principal,
    recipients: Sequence[int],
    draft: Draft,
) -> Message:
    """A new thread from the principal's organisation to the chosen organisations."""
    principal.require(Perm.MESSAGES)
    recipients = check_recipients(session, principal.org_id, recipients)
    thread = new_thread(
        session,
        kind=ThreadKind.DIRECT.value,
        subject=draft.subject.strip(),
        originator_org_id=principal.org_id,
        participant_ids=recipients,
    )
    return post(
        session,
        ctx,
        actor=principal.actor,
        sender_org_id=principal.org_id,
        thread=thread,
        draft=draft,
        recipients=recipients,
    )


def reply(
    session: Session,
    ctx: MessagingContext,
    principal: Principal,
    thread_id: int,
    draft: Draft,
    reply_to_id: int | None = None,
) -> Message:
    """A message to every other participant of the thread."""
    thread = _participating(session, principal, thread_id)
    if thread.closed_at is not None:
        raise Conflict("this thread is closed")
    if reply_to_id is not None:
        replied = session.get(Message, reply_to_id)
        if replied is None or replied.thread_id != thread.id:
            raise InvalidInput(
                msg("message %(reply_to_id)s is not in this thread", reply_to_id=reply_to_id)
            )
    recipients = [o for o in active_participants(session, thread.id) if o != principal.org_id]
    if not recipients:
        raise Conflict("nobody else takes part in this thread yet")
    return post(
        session,
        ctx,
        actor=principal.actor,
        sender_org_id=principal.org_id,
        thread=thread,
        draft=draft,
        recipients=recipients,
        reply_to_id=reply_to_id,
    )


def close_thread(session: Session, principal: Principal, thread_id: int) -> Thread:
    thread = _participating(session, principal, thread_id)
    if thread.kind == ThreadKind.OPERATION.value:
        raise Conflict("an operation's channel closes with the operation")
    if thread.closed_at is None:
        thread.closed_at = utcnow()
        audit.record(
            session,
            principal.actor,
            Event("thread.close", "thread", thread.id, owner_org_id=thread.originator_org_id),
        )
    return thread


# --- reading ----------------------------------------------------------------------------------


@dataclass(slots=True)
class ReceiptView:
    org_code: str
    delivered_at: datetime
    read_at: datetime | None


@dataclass(slots=True)
class MessageView:
    message: Message
    sender_code: str
    body: str | None  # None when the stored ciphertext no longer decrypts
    verification: Verification
    signed_payload: bytes
    attachments: list[Attachment]
    links: list[MessageLink]
    receipts: list[ReceiptView]
    forward_state: ForwardState
    body_data: Any = None  # the messages of a text the platform wrote (i18n.stored_text)

    @property
    def text(self) -> str | None:
        """The body in the reader's language: a text the platform wrote is translated (a
        forward's header too), a person's text is shown as written."""
        if self.body is None:
            return None
        if self.message.kind == MessageKind.FORWARD.value:
            return shown_forward(self.body, self.body_data)
        return in_language(self.body, self.body_data)


@dataclass(slots=True)
class ForwardRequestView:
    request: ForwardRequest
    requester_code: str
    decider_org_id: int


@dataclass(slots=True)
class GrantView:
    grant: AccessGrant
    org_code: str
    granted_by_code: str


@dataclass(slots=True)
class GrantedAccessView:
    access: GrantedAccess
    org_code: str


@dataclass(slots=True)
class ThreadView:
    thread: Thread
    participant: bool
    participants: list[str]
    messages: list[MessageView]
    forward_requests: list[ForwardRequestView] = field(default_factory=list)
    grants: list[GrantView] = field(default_factory=list)
    granted_accesses: list[GrantedAccessView] = field(default_factory=list)
    followups: list[FollowupView] = field(default_factory=list)


@dataclass(slots=True)
class _Parts:
    """A thread's messages and everything signed with them, loaded in a few queries."""

    attachments: dict[int, list[Attachment]]
    links: dict[int, list[MessageLink]]
    receipts: dict[int, list[Receipt]]


def _parts(session: Session, message_ids: list[int]) -> _Parts:
    attachments: dict[int, list[Attachment]] = defaultdict(list)
    links: dict[int, list[MessageLink]] = defaultdict(list)
    receipts: dict[int, list[Receipt]] = defaultdict(list)
    if message_ids:
        for a in session.scalars(
            select(Attachment)
            .where(Attachment.message_id.in_(message_ids))
            .order_by(Attachment.position)
        ):
            attachments[a.message_id].append(a)
        for link in session.scalars(
            select(MessageLink).where(MessageLink.message_id.in_(message_ids))
        ):
            links[link.message_id].append(link)
        for r in session.scalars(
            select(Receipt).where(Receipt.message_id.in_(message_ids)).order_by(Receipt.id)
        ):
            receipts[r.message_id].append(r)
    return _Parts(attachments, links, receipts)


def _open(
    session: Session, ctx: MessagingContext, message: Message, parts: _Parts
) -> tuple[str | None, Verification, bytes]:
    """Decrypt and verify one message: (body or None, verification, signed bytes)."""
    try:
        body = ctx.keys.decrypt(message.body_ciphertext, body_context(message))
    except TamperedError:
        return (
            None,
            Verification(
                False, message.signing_key_id, "the stored body was altered: it no longer decrypts"
            ),
            b"",
        )
    payload = signed_payload(
        message,
        body,
        [r.org_id for r in parts.receipts[message.id]],
        parts.attachments[message.id],
        parts.links[message.id],
    )
    verification = verify_message(session, ctx.keys, message, payload)
    return body.decode(errors="replace"), verification, payload


def _english(body: str | None) -> tuple[str | None, Any]:
    """A stored body as its English text and, for a text the platform wrote, its messages."""
    return (None, None) if body is None else stored_parts(body)


def forward_state(session: Session, message: Message, org_id: int) -> ForwardState:
    """May this organisation forward the message? H2 needs the originator's permission."""
    latest = session.scalars(
        select(ForwardRequest)
        .where(ForwardRequest.message_id == message.id, ForwardRequest.requester_org_id == org_id)
        .order_by(ForwardRequest.id.desc())
    ).first()
    granted = latest is not None and latest.granted is True
    policy = RecordPolicy(
        owner_org_id=message.origin_org_id, handling=HandlingCode(message.handling)
    )
    if org_id == message.origin_org_id or may_disseminate(policy, permission_granted=granted):
        return ForwardState.ALLOWED
    if latest is None:
        return ForwardState.NEEDS_PERMISSION
    return ForwardState.REQUESTED if latest.granted is None else ForwardState.REFUSED


def read_thread(
    session: Session, ctx: MessagingContext, principal: Principal, thread_id: int
) -> ThreadView:
    """Every message decrypted and verified; the principal's receipts are marked read."""
    access = thread_access(session, principal, thread_id)
    thread = access.thread
    messages = list(
        session.scalars(select(Message).where(Message.thread_id == thread.id).order_by(Message.id))
    )
    parts = _parts(session, [m.id for m in messages])
    newly_read = _mark_read(principal, parts) if access.participant else []
    participant_ids = active_participants(session, thread.id)
    requests = list(
        session.scalars(
            select(ForwardRequest)
            .where(ForwardRequest.thread_id == thread.id)
            .order_by(ForwardRequest.id)
        )
    )
    grants = list(
        session.scalars(
            select(AccessGrant).where(AccessGrant.thread_id == thread.id).order_by(AccessGrant.id)
        )
    )
    accesses = list(
        session.scalars(
            select(GrantedAccess)
            .where(GrantedAccess.thread_id == thread.id)
            .order_by(GrantedAccess.id)
        )
    )
    codes = org_codes(
        session,
        [
            *participant_ids,
            *(m.sender_org_id for m in messages),
            *(r.org_id for rs in parts.receipts.values() for r in rs),
            *(f.requester_org_id for f in requests),
            *(g.org_id for g in grants),
            *(g.granted_by_org_id for g in grants),
        ],
    )
    views = []
    for message in messages:
        stored, verification, payload = _open(session, ctx, message, parts)
        body, body_data = _english(stored)
        views.append(
            MessageView(
                message=message,
                sender_code=codes[message.sender_org_id],
                body=body,
                verification=verification,
                signed_payload=payload,
                attachments=parts.attachments[message.id],
                links=parts.links[message.id],
                receipts=[
                    ReceiptView(codes[r.org_id], r.delivered_at, r.read_at)
                    for r in parts.receipts[message.id]
                ],
                forward_state=forward_state(session, message, principal.org_id),
                body_data=body_data,
            )
        )
    by_id = {m.id: m for m in messages}
    _audit_read(session, principal, access, [m.id for m in messages], newly_read)
    return ThreadView(
        thread=thread,
        participant=access.participant,
        participants=sorted(codes[o] for o in participant_ids),
        messages=views,
        forward_requests=[
            ForwardRequestView(r, codes[r.requester_org_id], by_id[r.message_id].origin_org_id)
            for r in requests
        ],
        grants=[GrantView(g, codes[g.org_id], codes[g.granted_by_org_id]) for g in grants],
        granted_accesses=[
            GrantedAccessView(a, codes.get(a.org_id, str(a.org_id))) for a in accesses
        ],
        followups=followup_views(session, thread_id=thread.id),
    )


def _mark_read(principal: Principal, parts: _Parts) -> list[int]:
    now = utcnow()
    unread = [
        r
        for rs in parts.receipts.values()
        for r in rs
        if r.org_id == principal.org_id and r.read_at is None
    ]
    for receipt in unread:
        receipt.read_at, receipt.read_by = now, principal.label
    return [r.message_id for r in unread]


def _audit_read(
    session: Session,
    principal: Principal,
    access: Access,
    message_ids: list[int],
    newly_read: list[int],
) -> None:
    thread = access.thread
    via = "participant" if access.participant else "grant"
    audit.record(
        session,
        principal.actor,
        Event(
            "thread.read",
            "thread",
            thread.id,
            owner_org_id=thread.originator_org_id,
            detail={"messages": message_ids, "newly_read": newly_read, "via": via},
        ),
    )
    if access.grant is not None:
        session.add(
            GrantedAccess(
                thread_id=thread.id,
                grant_id=access.grant.id,
                org_id=principal.org_id,
                actor=principal.label,
                action="read",
            )
        )


# --- inbox -----------------------------------------------------------------------------------


@dataclass(slots=True)
class ThreadSummary:
    thread: Thread
    unread: int
    participants: list[str]
    answer_due_at: datetime | None  # the earliest unanswered hit follow-up's deadline
    overdue: bool

    @property
    def priority(self) -> Priority:
        return Priority(self.thread.priority)


def inbox(
    session: Session,
    principal: Principal,
    *,
    unread_only: bool = False,
    limit: int = 50,
    before: int | None = None,
    now: datetime | None = None,
) -> list[ThreadSummary]:
    """Threads the principal's organisation reads, latest activity first.

    `before` is a last_message_id from a previous page (keyset pagination).
    """
    principal.require(Perm.MESSAGES)
    check_limit(limit)
    now = now or utcnow()
    unread = _unread_count(principal.org_id)
    stmt = (
        select(Thread, unread)
        .where(_reads_thread(principal.org_id))
        .order_by(Thread.last_message_id.desc())
        .limit(limit)
    )
    if unread_only:
        stmt = stmt.where(unread > 0)
    if before is not None:
        stmt = stmt.where(Thread.last_message_id < before)
    rows = session.execute(stmt).all()
    return _summaries(session, rows, now)


def _unread_count(org_id: int) -> ScalarSelect[int]:
    return (
        select(func.count(Receipt.id))
        .where(Receipt.thread_id == Thread.id, Receipt.org_id == org_id, Receipt.read_at.is_(None))
        .correlate(Thread)
        .scalar_subquery()
    )


def _reads_thread(org_id: int) -> ColumnElement[bool]:
    """The inbox's rule: threads the organisation takes part in or was granted, with a message."""
    takes_part = exists().where(
        Participant.thread_id == Thread.id,
        Participant.org_id == org_id,
        Participant.left_at.is_(None),
    )
    granted = exists().where(
        AccessGrant.thread_id == Thread.id,
        AccessGrant.org_id == org_id,
        AccessGrant.revoked_at.is_(None),
    )
    return and_(or_(takes_part, granted), Thread.last_message_id.is_not(None))


def inbox_total(session: Session, principal: Principal, *, unread_only: bool = False) -> int:
    """How many threads inbox() would list over all its pages."""
    principal.require(Perm.MESSAGES)
    stmt = select(func.count(Thread.id)).where(_reads_thread(principal.org_id))
    if unread_only:
        stmt = stmt.where(_unread_count(principal.org_id) > 0)
    return session.scalar(stmt) or 0


def _summaries(
    session: Session, rows: Sequence[tuple[Thread, int]], now: datetime
) -> list[ThreadSummary]:
    thread_ids = [thread.id for thread, _ in rows]
    members: dict[int, list[int]] = defaultdict(list)
    for thread_id, org_id in session.execute(
        select(Participant.thread_id, Participant.org_id).where(
            Participant.thread_id.in_(thread_ids), Participant.left_at.is_(None)
        )
    ):
        members[thread_id].append(org_id)
    codes = org_codes(session, {o for ids in members.values() for o in ids})
    due = {
        views[0].followup.thread_id: views[0].followup.due_at
        for views in _open_followups_by_thread(session, thread_ids).values()
    }
    return [
        ThreadSummary(
            thread,
            count,
            sorted(codes[o] for o in members[thread.id]),
            due.get(thread.id),
            due.get(thread.id) is not None and due[thread.id] < now,
        )
        for thread, count in rows
    ]


def _open_followups_by_thread(
    session: Session, thread_ids: list[int]
) -> dict[int, list[FollowupView]]:
    grouped: dict[int, list[FollowupView]] = defaultdict(list)
    for view in followup_views(session, thread_ids=thread_ids, unanswered_only=True):
        grouped[view.followup.thread_id].append(view)
    return grouped


def unread_first(summaries: list[ThreadSummary]) -> list[ThreadSummary]:
    """The web inbox order: unread before read, then flash, urgent, routine, then newest."""
    return sorted(
        summaries, key=lambda s: (s.unread == 0, -s.priority.rank, -(s.thread.last_message_id or 0))
    )


# --- attachments -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Download:
    filename: str
    content_type: str
    content: bytes


def download_attachment(
    session: Session, ctx: MessagingContext, principal: Principal, attachment_id: int
) -> Download:
    """The decrypted content, once both its message's signature and its hash check out."""
    principal.require(Perm.MESSAGES)
    missing = msg(
        "no attachment %(attachment_id)s in a thread you take part in", attachment_id=attachment_id
    )
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound(missing)
    message, access = _message_in_reach(session, principal, attachment.message_id, missing=missing)
    _, verification, _ = _open(session, ctx, message, _parts(session, [message.id]))
    if not verification.valid:
        raise IntegrityFailure(_failed_verification(message.id, verification.problem))
    content = _blob_content(session, ctx, attachment)
    audit.record(
        session,
        principal.actor,
        Event(
            "attachment.download",
            "attachment",
            attachment.id,
            owner_org_id=message.sender_org_id,
            detail={
                "message": message.id,
                "thread": message.thread_id,
                "sha256": attachment.sha256,
                "via": "participant" if access.participant else "grant",
            },
        ),
    )
    if access.grant is not None:
        session.add(
            GrantedAccess(
                thread_id=message.thread_id,
                grant_id=access.grant.id,
                org_id=principal.org_id,
                actor=principal.label,
                action="download",
            )
        )
    return Download(attachment.filename, attachment.content_type, content)


def _failed_verification(message_id: int, problem: str | None) -> Msg:
    # the problem is one of signing.verify_message's msgids
    return msg(
        "message %(id)s fails verification: %(problem)s",
        id=message_id,
        problem=Msg(problem) if problem else "",
    )


def _blob_content(session: Session, ctx: MessagingContext, attachment: Attachment) -> bytes:
    blob = session.get(Blob, attachment.sha256)
    if blob is None:
        raise IntegrityFailure(
            msg("the content of %(filename)s is missing", filename=attachment.filename)
        )
    try:
        content = ctx.keys.decrypt(blob.ciphertext, blob_context(blob.sha256))
    except TamperedError as exc:
        raise IntegrityFailure(
            msg("the stored content of %(filename)s was altered", filename=attachment.filename)
        ) from exc
    if hashlib.sha256(content).hexdigest() != attachment.sha256:
        raise IntegrityFailure(
            msg("the content of %(filename)s does not match its hash", filename=attachment.filename)
        )
    return content


# --- forwarding (H2) ---------------------------------------------------------------------------


def _forwarded_body(message: Message, sender_code: str, body: str, note: str) -> str:
    """A forward's body: the note, the header, the original. Signed as it is, in English;
    the header is shown in the reader's language (`shown_forward`)."""
    header = (
        f"---- Forwarded message ----\nFrom: {sender_code}\n"
        f"Sent: {message.sent_at.isoformat(timespec='seconds')}\n"
        f"Subject: {message.subject}\n\n"
    )
    return f"{note.strip()}\n\n{header}{body}" if note.strip() else f"{header}{body}"


# The header `_forwarded_body` writes, exactly (a forward of a forward holds two).
_FORWARD_HEADER = re.compile(
    r"^---- Forwarded message ----\nFrom: (?P<sender>[^\n]+)\nSent: (?P<sent>[^\n]+)\n"
    r"Subject: (?P<subject>[^\n]*)\n\n",
    re.M,
)


def shown_forward(body: str, data: Any = None) -> str:
    """A forward's body with the headers the platform wrote in the reader's language, and the
    text it carries too when the platform wrote that (a hit's alert: `data` holds its
    messages). The signed body keeps the English header, so signatures of old and new
    forwards verify as they are; a header is rebuilt from its own fields, and a carried text
    is translated only when its messages render it exactly, so each says what the English
    says."""
    if current_language() == DEFAULT_LANGUAGE:
        return body
    while isinstance(data, dict) and "forwarded" in data:  # a forward of a forward
        data = data["forwarded"]
    if data:
        try:
            carried = " ".join(message_of(d) for d in data)
        except (KeyError, TypeError, ValueError):
            carried = ""
        if carried and body.endswith(carried):
            body = body[: -len(carried)] + in_language(carried, data)

    def header(found: re.Match[str]) -> str:
        try:
            sent = format_moment(datetime.fromisoformat(found["sent"]))
        except ValueError:
            sent = found["sent"]
        lines = (
            _("---- Forwarded message ----"),
            _("From: %(sender)s", sender=found["sender"]),
            _("Sent: %(sent)s", sent=sent),
            _("Subject: %(subject)s", subject=shown_subject(found["subject"], plain_text=True)),
        )
        return "\n".join(lines) + "\n\n"

    return _FORWARD_HEADER.sub(header, body)


def check_forward(session: Session, principal: Principal, message_id: int) -> Message:
    """The message, if the principal's organisation may forward it; Forbidden otherwise."""
    message, access = _message_in_reach(session, principal, message_id)
    if not access.participant:
        raise Forbidden("read access granted to you does not let you forward")
    state = forward_state(session, message, principal.org_id)
    if state is not ForwardState.ALLOWED:
        raise Forbidden(
            msg(
                "this message is H2: it goes no further without its originator's "
                "permission (permission: %(state)s)",
                state=state.value.replace("_", " "),
            )
        )
    return message


def forward_message(
    session: Session,
    ctx: MessagingContext,
    principal: Principal,
    message_id: int,
    recipients: Sequence[int],
    note: str = "",
    priority: Priority | None = None,
) -> Message:
    """Send a message on to other organisations, in a new thread."""
    message = check_forward(session, principal, message_id)
    recipients = check_recipients(session, principal.org_id, recipients)
    parts = _parts(session, [message.id])
    stored, verification, _ = _open(session, ctx, message, parts)
    body, data = _english(stored)
    if body is None or not verification.valid:
        raise IntegrityFailure(_failed_verification(message.id, verification.problem))
    origin = message.origin_org_id
    if message.handling == HandlingCode.H2.value and origin not in (principal.org_id, *recipients):
        recipients = [*recipients, origin]
    sender_code = org_codes(session, [message.sender_org_id])[message.sender_org_id]
    forward_body = _forwarded_body(message, sender_code, body, note)
    draft = Draft(
        # a text the platform wrote keeps its messages, to be read in each reader's language
        body=stored_with(forward_body, {"forwarded": data}) if data else forward_body,
        subject=f"Fwd: {message.subject}"[:MAX_SUBJECT],
        handling=HandlingCode(message.handling),
        reliability=Reliability(message.reliability),
        accuracy=Accuracy(message.accuracy),
        priority=priority or Priority(message.priority),
        links=[
            Link(LinkType(link.object_type), link.object_id) for link in parts.links[message.id]
        ],
    )
    thread = new_thread(
        session,
        kind=ThreadKind.DIRECT.value,
        subject=draft.subject,
        originator_org_id=principal.org_id,
        participant_ids=recipients,
    )
    forwarded = post(
        session,
        ctx,
        actor=principal.actor,
        sender_org_id=principal.org_id,
        thread=thread,
        draft=draft,
        recipients=recipients,
        kind=MessageKind.FORWARD,
        forward_of=message,
        carried=parts.attachments[message.id],
    )
    audit.record(
        session,
        principal.actor,
        Event(
            "message.forward",
            "message",
            message.id,
            owner_org_id=origin,
            detail={
                "new_message": forwarded.id,
                "new_thread": thread.id,
                "recipients": list(recipients),
                "handling": message.handling,
            },
        ),
    )
    return forwarded


def request_forward_permission(
    session: Session, principal: Principal, message_id: int, reason: str
) -> ForwardRequest:
    """Ask the originator of an H2 message, inside its thread, for leave to forward it."""
    message, access = _message_in_reach(session, principal, message_id)
    if not access.participant:
        raise Forbidden("read access granted to you does not let you forward")
    state = forward_state(session, message, principal.org_id)
    if state is ForwardState.ALLOWED:
        raise Conflict("you may forward this message already")
    if state is ForwardState.REQUESTED:
        raise Conflict("your request is waiting for the originator's answer")
    reason = reason.strip()
    if not reason or len(reason) > 1000:
        raise InvalidInput("say why, in at most 1000 characters")
    request = ForwardRequest(
        message_id=message.id,
        thread_id=message.thread_id,
        requester_org_id=principal.org_id,
        requested_by=principal.label,
        reason=reason,
    )
    session.add(request)
    session.flush()
    audit.record(
        session,
        principal.actor,
        Event(
            "message.forward_request",
            "message",
            message.id,
            owner_org_id=message.origin_org_id,
            detail={"request": request.id},
        ),
    )
    return request


def decide_forward_request(
    session: Session, principal: Principal, request_id: int, grant: bool
) -> ForwardRequest:
    """The originator grants or refuses a request to forward its H2 message."""
    principal.require(Perm.MESSAGES)
    missing = msg(
        "no forwarding request %(request_id)s in a thread you take part in", request_id=request_id
    )
    request = session.get(ForwardRequest, request_id)
    if request is None:
        raise NotFound(missing)
    message, access = _message_in_reach(session, principal, request.message_id, missing=missing)
    if not access.participant or principal.org_id != message.origin_org_id:
        raise Forbidden("only the message's originator decides on forwarding it")
    if request.granted is not None:
        raise Conflict("this request was decided already")
    request.granted, request.decided_by, request.decided_at = grant, principal.label, utcnow()
    audit.record(
        session,
        principal.actor,
        Event(
            "message.forward_decision",
            "message",
            message.id,
            owner_org_id=message.origin_org_id,
            detail={"request": request.id, "granted": grant, "requester": request.requester_org_id},
        ),
    )
    return request


# --- access grants to the General Secretariat --------------------------------------------------


def grant_access(
    session: Session, principal: Principal, thread_id: int, org_id: int, reason: str
) -> AccessGrant:
    """A participant lets the General Secretariat read the thread; audited and shown."""
    thread = _participating(session, principal, thread_id)
    org = session.get(Organisation, org_id)
    if org is None or OrgKind(org.kind) not in GRANTEE_KINDS:
        raise InvalidInput("read access is granted to the General Secretariat only")
    if _is_participant(session, thread.id, org.id):
        raise Conflict(msg("%(org_code)s takes part in this thread already", org_code=org.code))
    if _active_grant(session, thread.id, org.id) is not None:
        raise Conflict(msg("%(org_code)s has read access already", org_code=org.code))
    reason = reason.strip()
    if not reason or len(reason) > 500:
        raise InvalidInput("say why, in at most 500 characters")
    grant = AccessGrant(
        thread_id=thread.id,
        org_id=org.id,
        granted_by_org_id=principal.org_id,
        granted_by=principal.label,
        reason=reason,
    )
    session.add(grant)
    session.flush()
    audit.record(
        session,
        principal.actor,
        Event(
            "thread.grant",
            "thread",
            thread.id,
            owner_org_id=thread.originator_org_id,
            detail={"grant": grant.id, "org": org.code, "reason": reason},
        ),
    )
    return grant


def revoke_access(
    session: Session, principal: Principal, thread_id: int, grant_id: int
) -> AccessGrant:
    """Any participant ends a grant: confidentiality is the default."""
    thread = _participating(session, principal, thread_id)
    grant = session.get(AccessGrant, grant_id)
    if grant is None or grant.thread_id != thread.id:
        raise NotFound(msg("no grant %(grant_id)s on this thread", grant_id=grant_id))
    if grant.revoked_at is None:
        grant.revoked_at, grant.revoked_by = utcnow(), principal.label
        audit.record(
            session,
            principal.actor,
            Event(
                "thread.revoke",
                "thread",
                thread.id,
                owner_org_id=thread.originator_org_id,
                detail={"grant": grant.id},
            ),
        )
    return grant
