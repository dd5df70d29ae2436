"""Organisations' signing keys (rotation) and the signature over each message.

A message is signed over a canonical encoding (sorted-key compact JSON) of everything a reader
relies on: thread, message id, sender, recipients, subject, the SHA-256 of the body, each
attachment's name, type, size and hash, links, handling code, evaluation, priority, time and
signing key. Changing any stored field, the body ciphertext or an attachment row makes the
signature fail on read.

Rotation retires the current key (valid_until) and creates a new one; a retired key still
verifies what it signed while it was valid, and nothing signed after its retirement.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.core import audit
from interlink.core.audit import Actor, Event
from interlink.core.db import utcnow
from interlink.core.i18n import N_
from interlink.messaging.crypto import Keyring, key_fingerprint, verify_signature
from interlink.messaging.models import Attachment, Message, MessageLink, SigningKey

_SIGNATURE_VERSION = 1


@dataclass(frozen=True, slots=True)
class Verification:
    valid: bool
    key_id: str
    problem: str | None = None


def current_signing_key(session: Session, keys: Keyring, org_id: int) -> SigningKey:
    """The organisation's key in force; its first one is created on first use."""
    key = session.scalars(
        select(SigningKey)
        .where(SigningKey.org_id == org_id, SigningKey.valid_until.is_(None))
        .order_by(SigningKey.valid_from.desc(), SigningKey.id.desc())
    ).first()
    return key if key is not None else _new_key(session, keys, org_id)


def _new_key(session: Session, keys: Keyring, org_id: int) -> SigningKey:
    key_id, public = keys.new_signing_key()
    key = SigningKey(org_id=org_id, key_id=key_id, public_key=public, valid_from=utcnow())
    session.add(key)
    session.flush()
    return key


def rotate_signing_key(session: Session, keys: Keyring, org_id: int, actor: Actor) -> SigningKey:
    now = utcnow()
    retired = session.scalars(
        select(SigningKey).where(SigningKey.org_id == org_id, SigningKey.valid_until.is_(None))
    ).all()
    for key in retired:
        key.valid_until = now
    key = _new_key(session, keys, org_id)
    audit.record(
        session,
        actor,
        Event(
            "signing_key.rotate",
            "organisation",
            org_id,
            owner_org_id=org_id,
            detail={"new_key": key.key_id, "retired": [k.key_id for k in retired]},
        ),
    )
    return key


def signing_keys(session: Session, org_id: int | None = None) -> list[SigningKey]:
    stmt = select(SigningKey).order_by(SigningKey.org_id, SigningKey.valid_from)
    if org_id is not None:
        stmt = stmt.where(SigningKey.org_id == org_id)
    return list(session.scalars(stmt))


def signed_payload(
    message: Message,
    body: bytes,
    recipients: list[int],
    attachments: list[Attachment],
    links: list[MessageLink],
) -> bytes:
    """The exact bytes a message's signature covers."""
    payload = {
        "v": _SIGNATURE_VERSION,
        "thread": message.thread_id,
        "message": message.id,
        "kind": message.kind,
        "sender": message.sender_org_id,
        "origin": message.origin_org_id,
        "recipients": sorted(recipients),
        "subject": message.subject,
        "body_sha256": hashlib.sha256(body).hexdigest(),
        "attachments": [
            {"name": a.filename, "type": a.content_type, "size": a.size, "sha256": a.sha256}
            for a in sorted(attachments, key=lambda a: a.position)
        ],
        "links": sorted([link.object_type, link.object_id] for link in links),
        "handling": message.handling,
        "reliability": message.reliability,
        "accuracy": message.accuracy,
        "priority": message.priority,
        "sent_at": _utc_iso(message.sent_at),
        "reply_to": message.reply_to_id,
        "forward_of": message.forward_of_id,
        "key": message.signing_key_id,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _utc_iso(at: datetime) -> str:
    return at.isoformat(timespec="microseconds")


def verify_message(
    session: Session, keys: Keyring, message: Message, payload: bytes
) -> Verification:
    """Check the signature with the sender's public key valid at the time of sending.

    The public key in the database is also compared with the one derived from the private
    key in the key folder, so replacing both a key row and signatures is detected too.
    """
    key_id = message.signing_key_id
    key = session.scalars(select(SigningKey).where(SigningKey.key_id == key_id)).first()

    def refused(problem: str) -> Verification:
        return Verification(False, key_id, problem)

    if key is None:
        return refused(N_("signed with an unknown key"))
    if key.org_id != message.sender_org_id:
        return refused(N_("the signing key belongs to another organisation"))
    if key_fingerprint(key.public_key) != key.key_id:
        return refused(N_("the stored public key does not match its key id"))
    held = keys.public_key(key.key_id)
    if held is not None and held != key.public_key:
        return refused(N_("the stored public key differs from the one in the key folder"))
    if message.sent_at < key.valid_from or (
        key.valid_until is not None and message.sent_at >= key.valid_until
    ):
        return refused(N_("signed outside the key's validity period"))
    if not verify_signature(key.public_key, message.signature, payload):
        return refused(N_("the signature does not match the message: it was altered"))
    return Verification(True, key_id)
