"""Threads: signed and encrypted messages, receipts, confidentiality, tampering, forwarding."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text, update

from interlink.core.access import HandlingCode
from interlink.core.audit import AuditEntry
from interlink.core.auth import OrgKind, Principal
from interlink.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from interlink.messaging import service
from interlink.messaging.attachments import NewAttachment
from interlink.messaging.context import MessagingContext
from interlink.messaging.crypto import verify_signature
from interlink.messaging.models import (
    Attachment,
    Blob,
    Message,
    Priority,
    Receipt,
    SigningKey,
)
from interlink.messaging.posting import Draft
from interlink.messaging.service import ForwardState
from interlink.messaging.signing import rotate_signing_key
from tests.messaging.conftest import Cast
from tests.support import World

PDF = b"%PDF-1.7\nconfidential annex\n"


def _send(
    world: World,
    ctx: MessagingContext,
    sender: Principal,
    recipients: list[Principal],
    **draft: object,
) -> Message:
    draft.setdefault("subject", "Stolen passport MA1234567")
    draft.setdefault("body", "Please confirm the holder's identity.")
    with world.db.session() as session:
        return service.start_thread(
            session, ctx, sender, [r.org_id for r in recipients], Draft(**draft)
        )  # type: ignore[arg-type]


def _read(
    world: World, ctx: MessagingContext, principal: Principal, thread_id: int
) -> service.ThreadView:
    with world.db.session() as session:
        return service.read_thread(session, ctx, principal, thread_id)


def test_recipient_reads_and_verifies_the_signature(
    world: World, ctx: MessagingContext, cast: Cast
) -> None:
    sent = _send(world, ctx, cast.ma, [cast.fr], handling=HandlingCode.H1, priority=Priority.URGENT)
    view = _read(world, ctx, cast.fr, sent.thread_id)
    [message] = view.messages
    assert message.body == "Please confirm the holder's identity."
    assert message.verification.valid and message.sender_code == "NCB-MA"
    # Independently: the published public key verifies the signed bytes.
    with world.db.session() as session:
        key = session.scalars(
            select(SigningKey).where(SigningKey.key_id == message.verification.key_id)
        ).one()
        assert key.org_id == cast.ma.org_id
    assert verify_signature(key.public_key, message.message.signature, message.signed_payload)
    assert view.participants == ["NCB-FR", "NCB-MA"]


def test_bodies_and_attachments_are_encrypted_at_rest(
    world: World, ctx: MessagingContext, cast: Cast
) -> None:
    _send(
        world,
        ctx,
        cast.ma,
        [cast.fr],
        body="Suspect uses alias ZORRO-7",
        attachments=[NewAttachment("annex.pdf", "application/pdf", PDF)],
    )
    with world.db.engine.connect() as conn:
        bodies = conn.execute(text("SELECT body_ciphertext FROM msg_messages")).scalars().all()
        blobs = conn.execute(text("SELECT ciphertext FROM msg_blobs")).scalars().all()
    assert bodies and all(b"ZORRO-7" not in bytes(b) for b in bodies)
    assert blobs and all(b"confidential annex" not in bytes(b) for b in blobs)


def test_read_receipts_per_recipient_organisation(
    world: World, ctx: MessagingContext, cast: Cast
) -> None:
    sent = _send(world, ctx, cast.ma, [cast.fr, cast.de])
    _read(world, ctx, cast.fr, sent.thread_id)
    receipts = {
        r.org_code: r for r in _read(world, ctx, cast.ma, sent.thread_id).messages[0].receipts
    }
    assert set(receipts) == {"NCB-FR", "NCB-DE"}
    assert receipts["NCB-FR"].read_at is not None and receipts["NCB-DE"].read_at is None


def test_reply_goes_to_every_other_participant(
    world: World, ctx: MessagingContext, cast: Cast
) -> None:
    sent = _send(world, ctx, cast.ma, [cast.fr, cast.de])
    with world.db.session() as session:
        answer = service.reply(
            session, ctx, cast.fr, sent.thread_id, Draft(body="Confirmed."), reply_to_id=sent.id
        )
        recipients = set(
            session.scalars(select(Receipt.org_id).where(Receipt.message_id == answer.id))
        )
    assert recipients == {cast.ma.org_id, cast.de.org_id}
    assert answer.subject == "Re: Stolen passport MA1234567"
    view = _read(world, ctx, cast.de, sent.thread_id)
    assert [m.body for m in view.messages] == [
        "Please confirm the holder's identity.",
        "Confirmed.",
    ]
    assert all(m.verification.valid for m in view.messages)


@pytest.mark.parametrize("outsider", ["de", "gs"])
def test_non_participants_get_not_found(
    world: World, ctx: MessagingContext, cast: Cast, outsider: str
) -> None:
    sent = _send(
        world,
        ctx,
        cast.ma,
        [cast.fr],
        attachments=[NewAttachment("annex.pdf", "application/pdf", PDF)],
    )
    principal = getattr(cast, outsider)
    with world.db.session() as session:
        attachment_id = session.scalars(select(Attachment.id)).one()
    with pytest.raises(NotFound):
        _read(world, ctx, principal, sent.thread_id)
    with world.db.session() as session, pytest.raises(NotFound):
        service.download_attachment(session, ctx, principal, attachment_id)
    with world.db.session() as session, pytest.raises(NotFound):
        service.reply(session, ctx, principal, sent.thread_id, Draft(body="me too"))
    with world.db.session() as session:
        assert service.inbox(session, principal) == []


def test_gs_reads_only_with_a_grant_and_participants_see_each_access(
    world: World, ctx: MessagingContext, cast: Cast
) -> None:
    sent = _send(
        world,
        ctx,
        cast.ma,
        [cast.fr],
        attachments=[NewAttachment("annex.pdf", "application/pdf", PDF)],
    )
    with world.db.session() as session:
        grant = service.grant_access(
            session, cast.fr, sent.thread_id, cast.gs.org_id, "coordination of a joint operation"
        )
    gs_view = _read(world, ctx, cast.gs, sent.thread_id)
    assert not gs_view.participant and gs_view.messages[0].verification.valid
    with world.db.session() as session:
        attachment_id = session.scalars(select(Attachment.id)).one()
        assert service.download_attachment(session, ctx, cast.gs, attachment_id).content == PDF
        # Read access is not a voice in the thread.
        with pytest.raises(Forbidden):
            service.reply(session, ctx, cast.gs, sent.thread_id, Draft(body="noted"))
    ma_view = _read(world, ctx, cast.ma, sent.thread_id)
    assert [(a.org_code, a.access.action) for a in ma_view.granted_accesses] == [
        ("GS", "read"),
        ("GS", "download"),
    ]
    assert ma_view.grants[0].granted_by_code == "NCB-FR"
    # GS reading does not mark anything read for the participants.
    assert ma_view.messages[0].receipts[0].read_at is None
    with world.db.session() as session:
        service.revoke_access(session, cast.ma, sent.thread_id, grant.id)
        audited = session.scalars(
            select(AuditEntry.action).where(AuditEntry.actor_org_id == cast.gs.org_id)
        ).all()
    assert {"thread.read", "attachment.download"} <= set(audited)
    with pytest.raises(NotFound):
        _read(world, ctx, cast.gs, sent.thread_id)


@pytest.mark.parametrize(("grantee", "error"), [("de", InvalidInput), ("ma", InvalidInput)])
def test_access_is_granted_to_the_secretariat_only(
    world: World, ctx: MessagingContext, cast: Cast, grantee: str, error: type
) -> None:
    sent = _send(world, ctx, cast.ma, [cast.fr])
    with world.db.session() as session, pytest.raises(error):
        service.grant_access(session, cast.fr, sent.thread_id, getattr(cast, grantee).org_id, "why")


def test_a_non_participant_cannot_grant_itself_access(
    world: World, ctx: MessagingContext, cast: Cast
) -> None:
    sent = _send(world, ctx, cast.ma, [cast.fr])
    with world.db.session() as session, pytest.raises(NotFound):
        service.grant_access(session, cast.gs, sent.thread_id, cast.gs.org_id, "curious")


# --- tampering ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("subject", "Nothing to see"),
        ("handling", "H0"),
        ("priority", "routine"),
        ("reliability", "A"),
        ("sender_org_id", None),  # filled in below: another bureau
    ],
)
def test_a_tampered_message_field_is_detected(
    world: World, ctx: MessagingContext, cast: Cast, column: str, value: object
) -> None:
    sent = _send(world, ctx, cast.ma, [cast.fr], handling=HandlingCode.H2, priority=Priority.URGENT)
    value = cast.de.org_id if value is None else value
    with world.db.session() as session:
        session.execute(update(Message).where(Message.id == sent.id).values({column: value}))
    [message] = _read(world, ctx, cast.fr, sent.thread_id).messages
    assert not message.verification.valid, column


def test_a_tampered_body_ciphertext_is_detected(
    world: World, ctx: MessagingContext, cast: Cast
) -> None:
    first = _send(world, ctx, cast.ma, [cast.fr], body="first")
    second = _send(world, ctx, cast.ma, [cast.fr], body="second")
    with world.db.session() as session:
        # Swap a valid ciphertext from another message in: it must not decrypt here.
        other = session.get(Message, second.id).body_ciphertext
        session.execute(update(Message).where(Message.id == first.id).values(body_ciphertext=other))
    [message] = _read(world, ctx, cast.fr, first.thread_id).messages
    assert message.body is None and not message.verification.valid
    assert "altered" in message.verification.problem


def test_a_changed_recipient_list_is_detected(
    world: World, ctx: MessagingContext, cast: Cast
) -> None:
    sent = _send(world, ctx, cast.ma, [cast.fr])
    with world.db.session() as session:
        session.add(Receipt(message_id=sent.id, thread_id=sent.thread_id, org_id=cast.de.org_id))
    [message] = _read(world, ctx, cast.fr, sent.thread_id).messages
    assert not message.verification.valid


def test_a_tampered_attachment_is_detected_on_download(
    world: World, ctx: MessagingContext, cast: Cast
) -> None:
    _send(
        world,
        ctx,
        cast.ma,
        [cast.fr],
        attachments=[NewAttachment("annex.pdf", "application/pdf", PDF)],
    )
    with world.db.session() as session:
        attachment = session.scalars(select(Attachment)).one()
        assert service.download_attachment(session, ctx, cast.fr, attachment.id).content == PDF
        blob = session.get(Blob, attachment.sha256)
        altered = bytearray(blob.ciphertext)
        altered[-1] ^= 0x01
        blob.ciphertext = bytes(altered)
    with world.db.session() as session, pytest.raises(service.IntegrityFailure, match="altered"):
        service.download_attachment(session, ctx, cast.fr, attachment.id)


def test_a_renamed_attachment_fails_the_message_signature(
    world: World, ctx: MessagingContext, cast: Cast
) -> None:
    sent = _send(
        world,
        ctx,
        cast.ma,
        [cast.fr],
        attachments=[NewAttachment("annex.pdf", "application/pdf", PDF)],
    )
    with world.db.session() as session:
        session.execute(update(Attachment).values(filename="harmless.pdf"))
        attachment_id = session.scalars(select(Attachment.id)).one()
    assert not _read(world, ctx, cast.fr, sent.thread_id).messages[0].verification.valid
    with world.db.session() as session, pytest.raises(service.IntegrityFailure):
        service.download_attachment(session, ctx, cast.fr, attachment_id)


def test_a_replaced_public_key_is_detected(world: World, ctx: MessagingContext, cast: Cast) -> None:
    sent = _send(world, ctx, cast.ma, [cast.fr])
    _forged_id, forged_public = ctx.keys.new_signing_key()
    with world.db.session() as session:
        session.execute(
            update(SigningKey)
            .where(SigningKey.key_id == sent.signing_key_id)
            .values(public_key=forged_public)
        )
    [message] = _read(world, ctx, cast.fr, sent.thread_id).messages
    assert not message.verification.valid


def test_rotation_keeps_old_signatures_valid_and_signs_new_ones_with_the_new_key(
    world: World, ctx: MessagingContext, cast: Cast
) -> None:
    before = _send(world, ctx, cast.ma, [cast.fr])
    with world.db.session() as session:
        new_key = rotate_signing_key(session, ctx.keys, cast.ma.org_id, cast.ma.actor)
    after = _send(world, ctx, cast.ma, [cast.fr])
    assert after.signing_key_id == new_key.key_id != before.signing_key_id
    for sent in (before, after):
        assert _read(world, ctx, cast.fr, sent.thread_id).messages[0].verification.valid
    # A retired key cannot vouch for a message dated after its retirement.
    with world.db.session() as session:
        session.execute(
            update(Message)
            .where(Message.id == after.id)
            .values(signing_key_id=before.signing_key_id)
        )
    assert not _read(world, ctx, cast.fr, after.thread_id).messages[0].verification.valid


# --- forwarding and H2 ----------------------------------------------------------------------


def test_h2_forwarding_is_refused_until_the_originator_permits(
    world: World, ctx: MessagingContext, cast: Cast
) -> None:
    sent = _send(
        world,
        ctx,
        cast.ma,
        [cast.fr],
        handling=HandlingCode.H2,
        attachments=[NewAttachment("annex.pdf", "application/pdf", PDF)],
    )
    with world.db.session() as session, pytest.raises(Forbidden, match="H2"):
        service.forward_message(session, ctx, cast.fr, sent.id, [cast.de.org_id])
    with world.db.session() as session:
        request = service.request_forward_permission(
            session, cast.fr, sent.id, "the suspect crossed into Germany"
        )
    with world.db.session() as session:
        assert service.forward_state(session, sent, cast.fr.org_id) is ForwardState.REQUESTED
        with pytest.raises(Forbidden):
            service.forward_message(session, ctx, cast.fr, sent.id, [cast.de.org_id])
        with pytest.raises(Forbidden, match="originator"):  # only the originator decides
            service.decide_forward_request(session, cast.fr, request.id, True)
    view = _read(world, ctx, cast.ma, sent.thread_id)
    assert [r.requester_code for r in view.forward_requests] == ["NCB-FR"]
    with world.db.session() as session:
        service.decide_forward_request(session, cast.ma, request.id, True)
    with world.db.session() as session:
        forwarded = service.forward_message(
            session, ctx, cast.fr, sent.id, [cast.de.org_id], note="For your information."
        )
    de_view = _read(world, ctx, cast.de, forwarded.thread_id)
    [message] = de_view.messages
    assert message.verification.valid and message.message.handling == "H2"
    assert "Please confirm the holder's identity." in message.body
    assert [a.filename for a in message.attachments] == ["annex.pdf"]
    # The originator joins the forwarded thread: it keeps its say over H2 content.
    assert de_view.participants == ["NCB-DE", "NCB-FR", "NCB-MA"]
    # Still H2 at the next step: Germany needs Morocco's permission too.
    with world.db.session() as session, pytest.raises(Forbidden):
        service.forward_message(session, ctx, cast.de, forwarded.id, [cast.gs.org_id])


def test_a_refused_request_keeps_forwarding_blocked(
    world: World, ctx: MessagingContext, cast: Cast
) -> None:
    sent = _send(world, ctx, cast.ma, [cast.fr], handling=HandlingCode.H2)
    with world.db.session() as session:
        request = service.request_forward_permission(session, cast.fr, sent.id, "please")
        service.decide_forward_request(session, cast.ma, request.id, False)
    with world.db.session() as session:
        assert service.forward_state(session, sent, cast.fr.org_id) is ForwardState.REFUSED
        with pytest.raises(Forbidden):
            service.forward_message(session, ctx, cast.fr, sent.id, [cast.de.org_id])
        with pytest.raises(Conflict):
            service.decide_forward_request(session, cast.ma, request.id, True)


@pytest.mark.parametrize("code", [HandlingCode.H0, HandlingCode.H1, HandlingCode.H3])
def test_other_handling_codes_forward_freely(
    world: World, ctx: MessagingContext, cast: Cast, code: HandlingCode
) -> None:
    sent = _send(world, ctx, cast.ma, [cast.fr], handling=code)
    with world.db.session() as session:
        forwarded = service.forward_message(session, ctx, cast.fr, sent.id, [cast.de.org_id])
        with pytest.raises(Conflict):
            service.request_forward_permission(session, cast.fr, sent.id, "no need")
    assert _read(world, ctx, cast.de, forwarded.thread_id).participants == ["NCB-DE", "NCB-FR"]


def test_the_originator_forwards_its_own_h2_message(
    world: World, ctx: MessagingContext, cast: Cast
) -> None:
    sent = _send(world, ctx, cast.ma, [cast.fr], handling=HandlingCode.H2)
    with world.db.session() as session:
        assert service.forward_message(session, ctx, cast.ma, sent.id, [cast.de.org_id])


# --- inbox and validation ----------------------------------------------------------------------


def test_inbox_puts_unread_and_urgent_first(
    world: World, ctx: MessagingContext, cast: Cast
) -> None:
    routine = _send(world, ctx, cast.ma, [cast.fr], subject="routine")
    flash = _send(world, ctx, cast.de, [cast.fr], subject="flash", priority=Priority.FLASH)
    read = _send(world, ctx, cast.ma, [cast.fr], subject="read already", priority=Priority.FLASH)
    latest = _send(world, ctx, cast.ma, [cast.fr], subject="latest routine")
    _read(world, ctx, cast.fr, read.thread_id)
    with world.db.session() as session:
        summaries = service.inbox(session, cast.fr)
        unread = service.inbox(session, cast.fr, unread_only=True)
        page = service.inbox(session, cast.fr, limit=2)
        rest = service.inbox(session, cast.fr, before=page[-1].thread.last_message_id)
    ordered = [s.thread.subject for s in service.unread_first(summaries)]
    assert ordered == ["flash", "latest routine", "routine", "read already"]
    assert {s.thread.id for s in unread} == {routine.thread_id, flash.thread_id, latest.thread_id}
    assert [s.thread.subject for s in page + rest] == [s.thread.subject for s in summaries]


@pytest.mark.parametrize(
    ("recipients", "draft", "why"),
    [
        ([], {}, "at least one recipient"),
        (["ma"], {}, "own organisation"),
        (["fr"], {"body": "  "}, "needs a body"),
        (["fr"], {"subject": "x" * 301}, "at most 300"),
        (
            ["fr"],
            {"attachments": [NewAttachment("a.exe", "application/x-msdownload", b"MZ")]},
            "not accepted",
        ),
    ],
)
def test_invalid_messages_are_refused(
    world: World, ctx: MessagingContext, cast: Cast, recipients: list[str], draft: dict, why: str
) -> None:
    with pytest.raises(InvalidInput, match=why):
        _send(world, ctx, cast.ma, [getattr(cast, r) for r in recipients], **draft)


def test_partners_and_the_oversight_commission_receive_no_messages(
    world: World, ctx: MessagingContext, cast: Cast
) -> None:
    partner = world.add_org("PARTNER-AIR", OrgKind.PARTNER)
    for org_id in (partner.id, world.org("CCF").id):
        with world.db.session() as session, pytest.raises(InvalidInput, match="does not"):
            service.start_thread(session, ctx, cast.ma, [org_id], Draft(body="x", subject="y"))


def test_sending_reading_and_delivery_are_audited(
    world: World, ctx: MessagingContext, cast: Cast
) -> None:
    sent = _send(world, ctx, cast.ma, [cast.fr, cast.de])
    _read(world, ctx, cast.fr, sent.thread_id)
    with world.db.session() as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.object_owner_org_id).order_by(AuditEntry.id)
        ).all()
    assert ("message.send", cast.ma.org_id) in rows
    assert {("message.deliver", cast.fr.org_id), ("message.deliver", cast.de.org_id)} <= set(rows)
    assert ("thread.read", cast.ma.org_id) in rows


def test_replies_and_forwards_of_a_longest_subject_fit(
    world: World, ctx: MessagingContext, cast: Cast
) -> None:
    sent = _send(world, ctx, cast.ma, [cast.fr], subject="x" * 300)
    with world.db.session() as session:
        answer = service.reply(session, ctx, cast.fr, sent.thread_id, Draft(body="ok"))
        forwarded = service.forward_message(session, ctx, cast.fr, sent.id, [cast.de.org_id])
    assert len(answer.subject) == len(forwarded.subject) == 300
