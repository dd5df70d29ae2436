"""Putting one message into a thread: check, encrypt, sign, deliver, audit, notify.

Every way a message enters a thread (new thread, reply, forward, hit follow-up, operation
channel) goes through `post`, so each is signed, encrypted, receipted and audited the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from interlink.core import audit
from interlink.core.access import HandlingCode
from interlink.core.audit import Actor, Event
from interlink.core.auth import OrgKind
from interlink.core.db import utcnow
from interlink.core.errors import DomainError, InvalidInput
from interlink.core.i18n import N_, msg
from interlink.members.models import Organisation
from interlink.members.service import org_codes
from interlink.messaging import webhooks
from interlink.messaging.attachments import NewAttachment, check_attachments
from interlink.messaging.context import MessagingContext
from interlink.messaging.crypto import Keyring
from interlink.messaging.models import (
    Accuracy,
    Attachment,
    Blob,
    Followup,
    LinkType,
    Message,
    MessageKind,
    MessageLink,
    Participant,
    Priority,
    Receipt,
    Reliability,
    Thread,
)
from interlink.messaging.signing import current_signing_key, signed_payload

MAX_SUBJECT = 300
MAX_BODY = 100_000
MAX_RECIPIENTS = 200
MAX_LINKS = 50
# Messages go to bureaus, the General Secretariat and international entities; agencies write
# through their bureau's threads, partners and the oversight commission are not correspondents.
RECIPIENT_KINDS = frozenset({OrgKind.NCB, OrgKind.GENERAL_SECRETARIAT, OrgKind.INTERNATIONAL})


class IntegrityFailure(DomainError):
    """Stored content no longer matches what was signed: it was altered at rest."""

    status, title, exit_code = 409, N_("Integrity failure"), 5


@dataclass(frozen=True, slots=True)
class Link:
    object_type: LinkType
    object_id: int


@dataclass(slots=True)
class Draft:
    """What a sender writes; the evaluation defaults say 'not assessed'."""

    body: str
    subject: str = ""
    handling: HandlingCode = HandlingCode.H0
    reliability: Reliability = Reliability.X
    accuracy: Accuracy = Accuracy.UNKNOWN
    priority: Priority = Priority.ROUTINE
    links: list[Link] = field(default_factory=list)
    attachments: list[NewAttachment] = field(default_factory=list)


def body_context(message: Message) -> str:
    return f"message:{message.id}:body"


def blob_context(sha256: str) -> str:
    return f"blob:{sha256}"


def resolve_org_codes(session: Session, codes: Iterable[str]) -> list[int]:
    """Organisation ids for codes; a bare country code ('FR') means that country's NCB,
    unless an organisation has exactly that code ('GS')."""
    wanted = [c.strip().upper() for c in codes if c.strip()]
    candidates = {*wanted, *(f"NCB-{c}" for c in wanted)}
    found = dict(
        session.execute(
            select(Organisation.code, Organisation.id).where(Organisation.code.in_(candidates))
        ).all()
    )
    ids, unknown = [], []
    for code in wanted:
        org_id = found.get(code) or (found.get(f"NCB-{code}") if len(code) == 2 else None)
        if org_id is None:
            unknown.append(code)
        else:
            ids.append(org_id)
    if unknown:
        raise InvalidInput(
            msg("unknown organisation: %(value)s", value=", ".join(unknown[:5])), field="recipients"
        )
    return ids


def resolve_org_code(session: Session, code: str) -> int:
    ids = resolve_org_codes(session, [code])
    if not ids:
        raise InvalidInput("name an organisation")
    return ids[0]


def check_recipients(session: Session, sender_org_id: int, org_ids: Sequence[int]) -> list[int]:
    recipients = list(dict.fromkeys(org_ids))
    if not recipients:
        raise InvalidInput(
            "a message needs at least one recipient organisation", field="recipients"
        )
    if len(recipients) > MAX_RECIPIENTS:
        raise InvalidInput(
            msg(
                "at most %(max_recipients)s recipient organisations", max_recipients=MAX_RECIPIENTS
            ),
            field="recipients",
        )
    if sender_org_id in recipients:
        raise InvalidInput("your own organisation is not a recipient", field="recipients")
    orgs = {
        o.id: o
        for o in session.scalars(select(Organisation).where(Organisation.id.in_(recipients)))
    }
    for org_id in recipients:
        org = orgs.get(org_id)
        if org is None or not org.active:
            raise InvalidInput(
                msg("no active organisation %(org_id)s", org_id=org_id), field="recipients"
            )
        if OrgKind(org.kind) not in RECIPIENT_KINDS:
            raise InvalidInput(
                msg("%(org_code)s does not receive messages", org_code=org.code), field="recipients"
            )
    return recipients


def _checked(draft: Draft, default_subject: str) -> Draft:
    subject = " ".join((draft.subject or default_subject[:MAX_SUBJECT]).split())
    if not subject:
        raise InvalidInput("a message needs a subject", field="subject")
    if len(subject) > MAX_SUBJECT:
        raise InvalidInput(
            msg("a subject has at most %(max_subject)s characters", max_subject=MAX_SUBJECT),
            field="subject",
        )
    if not draft.body.strip():
        raise InvalidInput("a message needs a body", field="body")
    if len(draft.body) > MAX_BODY:
        raise InvalidInput(
            msg("a body has at most %(max_body)s characters", max_body=MAX_BODY), field="body"
        )
    if len(draft.links) > MAX_LINKS:
        raise InvalidInput(
            msg("at most %(max_links)s links per message", max_links=MAX_LINKS), field="links"
        )
    return Draft(
        body=draft.body,
        subject=subject,
        handling=draft.handling,
        reliability=draft.reliability,
        accuracy=draft.accuracy,
        priority=draft.priority,
        links=list(dict.fromkeys(draft.links)),
        attachments=check_attachments(draft.attachments),
    )


def new_thread(
    session: Session,
    *,
    kind: str,
    subject: str,
    originator_org_id: int,
    participant_ids: Iterable[int],
    priority: Priority = Priority.ROUTINE,
) -> Thread:
    thread = Thread(
        kind=kind,
        subject=subject[:MAX_SUBJECT] or "(no subject)",
        originator_org_id=originator_org_id,
        priority=priority.value,
    )
    session.add(thread)
    session.flush()
    for org_id in dict.fromkeys([originator_org_id, *participant_ids]):
        session.add(Participant(thread_id=thread.id, org_id=org_id))
    session.flush()
    return thread


def active_participants(session: Session, thread_id: int) -> list[int]:
    return list(
        session.scalars(
            select(Participant.org_id).where(
                Participant.thread_id == thread_id, Participant.left_at.is_(None)
            )
        )
    )


def _store_blob(session: Session, keys: Keyring, item: NewAttachment) -> None:
    """Insert the encrypted content once per hash; a concurrent twin insert is harmless."""
    values = {
        "sha256": item.sha256,
        "size": len(item.content),
        "created_at": utcnow(),
        "ciphertext": keys.encrypt(item.content, blob_context(item.sha256)),
    }
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(Blob).values(**values).on_conflict_do_nothing(index_elements=["sha256"]))


def _attachments(
    session: Session,
    keys: Keyring,
    message: Message,
    new: Sequence[NewAttachment],
    carried: Sequence[Attachment],
) -> list[Attachment]:
    rows = [
        Attachment(
            message_id=message.id,
            position=i,
            filename=a.filename,
            content_type=a.content_type,
            size=a.size,
            sha256=a.sha256,
        )
        for i, a in enumerate(carried)
    ]
    for item in new:
        if session.get(Blob, item.sha256) is None:
            _store_blob(session, keys, item)
        rows.append(
            Attachment(
                message_id=message.id,
                position=len(rows),
                filename=item.filename,
                content_type=item.content_type,
                size=len(item.content),
                sha256=item.sha256,
            )
        )
    session.add_all(rows)
    return rows


def _record_answer(session: Session, thread: Thread, message: Message) -> None:
    """The owner's first message after a hit answers that hit's follow-up."""
    session.execute(
        update(Followup)
        .where(
            Followup.thread_id == thread.id,
            Followup.owner_org_id == message.sender_org_id,
            Followup.answered_at.is_(None),
            Followup.opened_at <= message.sent_at,
        )
        .values(answered_at=message.sent_at, answer_message_id=message.id)
        .execution_options(synchronize_session=False)
    )


def post(
    session: Session,
    ctx: MessagingContext,
    *,
    actor: Actor,
    sender_org_id: int,
    thread: Thread,
    draft: Draft,
    recipients: Sequence[int],
    kind: MessageKind = MessageKind.MESSAGE,
    reply_to_id: int | None = None,
    forward_of: Message | None = None,
    carried: Sequence[Attachment] = (),
) -> Message:
    """Sign, encrypt and deliver one message to `recipients` (organisation ids)."""
    draft = _checked(draft, default_subject=f"Re: {thread.subject}")
    key = current_signing_key(session, ctx.keys, sender_org_id)
    message = Message(
        thread_id=thread.id,
        kind=kind.value,
        sender_org_id=sender_org_id,
        sender_label=actor.label,
        sender_user_id=actor.user_id,
        subject=draft.subject,
        body_ciphertext=b"",
        handling=draft.handling.value,
        reliability=draft.reliability.value,
        accuracy=draft.accuracy.value,
        priority=draft.priority.value,
        sent_at=utcnow(),
        reply_to_id=reply_to_id,
        forward_of_id=forward_of.id if forward_of else None,
        origin_org_id=forward_of.origin_org_id if forward_of else sender_org_id,
        signing_key_id=key.key_id,
        signature=b"",
    )
    session.add(message)
    session.flush()
    attachments = _attachments(session, ctx.keys, message, draft.attachments, carried)
    links = [
        MessageLink(
            message_id=message.id, object_type=link.object_type.value, object_id=link.object_id
        )
        for link in draft.links
    ]
    session.add_all(links)
    session.add_all(
        Receipt(
            message_id=message.id, thread_id=thread.id, org_id=org_id, delivered_at=message.sent_at
        )
        for org_id in recipients
    )
    body = draft.body.encode()
    message.body_ciphertext = ctx.keys.encrypt(body, body_context(message))
    message.signature = ctx.keys.sign(
        key.key_id, signed_payload(message, body, list(recipients), attachments, links)
    )
    thread.last_message_id, thread.last_message_at = message.id, message.sent_at
    if draft.priority.rank > Priority(thread.priority).rank:
        thread.priority = draft.priority.value
    _record_answer(session, thread, message)
    _audit_delivery(session, actor, thread, message, recipients, len(attachments))
    webhooks.enqueue(
        session,
        recipients,
        "message.new",
        {
            "thread_id": thread.id,
            "message_id": message.id,
            "kind": message.kind,
            "sender": org_codes(session, [sender_org_id])[sender_org_id],
            "subject": message.subject,
            "priority": message.priority,
            "sent_at": message.sent_at.isoformat(),
        },
    )
    return message


def _audit_delivery(
    session: Session,
    actor: Actor,
    thread: Thread,
    message: Message,
    recipients: Sequence[int],
    attachments: int,
) -> None:
    audit.record(
        session,
        actor,
        Event(
            "message.send",
            "message",
            message.id,
            owner_org_id=message.sender_org_id,
            detail={
                "thread": thread.id,
                "recipients": list(recipients),
                "kind": message.kind,
                "handling": message.handling,
                "attachments": attachments,
            },
        ),
    )
    for org_id in recipients:
        audit.record(
            session,
            actor,
            Event(
                "message.deliver",
                "message",
                message.id,
                owner_org_id=org_id,
                detail={"thread": thread.id},
            ),
        )
