"""Webhooks: HMAC-signed posts to a real local receiver, retries with back-off, delivery log."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from interlink.core.audit import AuditEntry
from interlink.core.auth import Principal, Role
from interlink.core.db import utcnow
from interlink.core.errors import InvalidInput, NotFound
from interlink.messaging import service, webhooks
from interlink.messaging.context import MessagingContext, WebhookPolicy, install_context
from interlink.messaging.models import WebhookDelivery
from interlink.messaging.posting import Draft
from tests.messaging.conftest import Cast
from tests.support import World


@dataclass
class Receiver:
    """A national system on 127.0.0.1 that fails its first `failures` requests."""

    failures: int = 0
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            state.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            failing = len(state.received) <= state.failures
            self.send_response(503 if failing else 204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/interlink"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def fr_admin(world: World) -> Principal:
    return world.principal(world.user("NCB-FR", Role.NCB_ADMIN, mfa=True))


def _subscribe(world: World, ctx: MessagingContext, admin: Principal, url: str) -> tuple[int, str]:
    with world.db.session() as session:
        hook, secret = webhooks.create_webhook(
            session, ctx, admin, url=url, events=["message.new", "hit.new"]
        )
        return hook.id, secret


def _message_to_fr(world: World, ctx: MessagingContext, cast: Cast) -> int:
    with world.db.session() as session:
        return service.start_thread(
            session,
            ctx,
            cast.ma,
            [cast.fr.org_id],
            Draft(subject="Wanted person", body="Details inside"),
        ).id


def test_a_failing_receiver_is_retried_with_back_off_and_the_log_shows_it(
    world: World, ctx: MessagingContext, cast: Cast, fr_admin: Principal, receiver: Receiver
) -> None:
    receiver.failures = 2
    hook_id, secret = _subscribe(world, ctx, fr_admin, receiver.url)
    message_id = _message_to_fr(world, ctx, cast)
    with world.db.session() as session:
        delivery = session.scalars(select(WebhookDelivery)).one()
    start = delivery.next_attempt_at
    assert webhooks.deliver_due(world.db, ctx, now=start) == 1  # fails: 503
    assert webhooks.deliver_due(world.db, ctx, now=start + timedelta(seconds=9)) == 0  # waits
    assert webhooks.deliver_due(world.db, ctx, now=start + timedelta(seconds=10)) == 1  # 503
    # Back-off doubles: the third try is due 20 s after the second.
    assert webhooks.deliver_due(world.db, ctx, now=start + timedelta(seconds=29)) == 0
    assert webhooks.deliver_due(world.db, ctx, now=start + timedelta(seconds=30)) == 1  # 204
    assert webhooks.deliver_due(world.db, ctx, now=start + timedelta(days=1)) == 0
    with world.db.session() as session:
        [log] = webhooks.delivery_log(session, fr_admin, hook_id)
        audited = session.scalars(
            select(AuditEntry.outcome)
            .where(AuditEntry.action == "webhook.deliver")
            .order_by(AuditEntry.id)
        ).all()
    assert log.delivery.status == "delivered" and log.delivery.attempts == 3
    assert [(a.number, a.status_code, a.error) for a in log.attempts] == [
        (1, 503, "HTTP 503"),
        (2, 503, "HTTP 503"),
        (3, 204, None),
    ]
    assert audited == ["failed", "failed", "ok"]
    # Every attempt carried a valid signature over the same body.
    assert len(receiver.received) == 3
    for headers, body in receiver.received:
        assert webhooks.verify_signature(secret.encode(), headers["x-interlink-signature"], body)
        assert headers["x-interlink-event"] == "message.new"
    payload = json.loads(receiver.received[-1][1])
    assert payload["data"]["message_id"] == message_id and payload["data"]["sender"] == "NCB-MA"
    assert "Details inside" not in receiver.received[-1][1].decode()  # bodies stay inside


def test_delivery_gives_up_after_the_last_attempt(
    world: World, ctx: MessagingContext, cast: Cast, fr_admin: Principal, receiver: Receiver
) -> None:
    receiver.failures = 100
    strict = MessagingContext(ctx.keys, webhooks=WebhookPolicy(max_attempts=2))
    hook_id, _ = _subscribe(world, strict, fr_admin, receiver.url)
    _message_to_fr(world, strict, cast)
    later = strict.webhooks.cap * 10
    with world.db.session() as session:
        start = session.scalars(select(WebhookDelivery.next_attempt_at)).one()
    assert webhooks.deliver_due(world.db, strict, now=start) == 1
    assert webhooks.deliver_due(world.db, strict, now=start + later) == 1
    assert webhooks.deliver_due(world.db, strict, now=start + later * 2) == 0
    with world.db.session() as session:
        [log] = webhooks.delivery_log(session, fr_admin, hook_id)
    assert log.delivery.status == "failed" and len(log.attempts) == 2


def test_an_unreachable_receiver_is_logged_as_an_error(
    world: World, ctx: MessagingContext, cast: Cast, fr_admin: Principal
) -> None:
    hook_id, _ = _subscribe(world, ctx, fr_admin, "http://127.0.0.1:9/nothing-listens")
    _message_to_fr(world, ctx, cast)
    with world.db.session() as session:
        start = session.scalars(select(WebhookDelivery.next_attempt_at)).one()
    webhooks.deliver_due(world.db, ctx, now=start)
    with world.db.session() as session:
        [log] = webhooks.delivery_log(session, fr_admin, hook_id)
    [attempt] = log.attempts
    assert attempt.status_code is None and "ConnectError" in attempt.error
    assert log.delivery.status == "pending"


def test_the_startup_hook_delivers_in_the_background(
    world: World, ctx: MessagingContext, cast: Cast, fr_admin: Principal, receiver: Receiver
) -> None:
    state = world.app.state.interlink
    install_context(
        state,
        MessagingContext(
            ctx.keys, webhooks=WebhookPolicy(poll_seconds=0.05, base=timedelta(milliseconds=50))
        ),
    )
    receiver.failures = 1
    _subscribe(world, ctx, fr_admin, receiver.url)
    _message_to_fr(world, ctx, cast)
    workers = webhooks.start_worker(state)
    try:
        deadline = time.monotonic() + 10
        while len(receiver.received) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        for worker in workers:
            worker.stop()
    assert len(receiver.received) == 2
    with world.db.session() as session:
        assert session.scalars(select(WebhookDelivery.status)).one() == "delivered"


def test_hits_are_announced_to_the_owner(
    world: World, ctx: MessagingContext, cast: Cast, fr_admin: Principal, receiver: Receiver
) -> None:
    from interlink.messaging.followups import open_hit_followup

    _subscribe(world, ctx, fr_admin, receiver.url)
    with world.db.session() as session:
        open_hit_followup(
            session,
            ctx=ctx,
            hit_id=42,
            record_id=7,
            searching_org_id=cast.ma.org_id,
            owner_org_id=cast.fr.org_id,
            summary="match",
            actor=cast.ma.actor,
        )
    webhooks.deliver_due(world.db, ctx, now=utcnow() + timedelta(seconds=1))
    events = sorted(h["x-interlink-event"] for h, _ in receiver.received)
    assert events == ["hit.new", "message.new"]


def test_signatures_refuse_tampering_and_replays() -> None:
    secret, body = b"s3cret", b'{"event":"message.new"}'
    header = webhooks.signature_header(secret, 1_700_000_000, body)
    assert webhooks.verify_signature(secret, header, body, now=1_700_000_010)
    assert not webhooks.verify_signature(secret, header, body + b" ", now=1_700_000_010)
    assert not webhooks.verify_signature(b"other", header, body, now=1_700_000_010)
    assert not webhooks.verify_signature(secret, header, body, now=1_700_000_000 + 301)
    assert not webhooks.verify_signature(secret, "garbage", body, now=1_700_000_000)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://127.0.0.1/x",
        "http://national.example/hook",
        "https://user:pw@national.example/",
        "not a url",
        "https://" + "a" * 500 + ".example/",
    ],
)
def test_webhook_urls_are_checked(
    world: World, ctx: MessagingContext, fr_admin: Principal, url: str
) -> None:
    with world.db.session() as session, pytest.raises(InvalidInput):
        webhooks.create_webhook(session, ctx, fr_admin, url=url, events=["hit.new"])


def test_webhooks_belong_to_their_organisation(
    world: World, ctx: MessagingContext, fr_admin: Principal
) -> None:
    hook_id, _ = _subscribe(world, ctx, fr_admin, "https://national.example/hook")
    ma_admin = world.principal(world.user("NCB-MA", Role.NCB_ADMIN, mfa=True))
    with world.db.session() as session:
        assert webhooks.list_webhooks(session, ma_admin) == []
        with pytest.raises(NotFound):
            webhooks.delivery_log(session, ma_admin, hook_id)
        with pytest.raises(NotFound):
            webhooks.deactivate_webhook(session, ma_admin, hook_id)


def test_a_switched_off_webhook_gets_nothing_more(
    world: World, ctx: MessagingContext, cast: Cast, fr_admin: Principal, receiver: Receiver
) -> None:
    hook_id, _ = _subscribe(world, ctx, fr_admin, receiver.url)
    _message_to_fr(world, ctx, cast)
    with world.db.session() as session:
        webhooks.deactivate_webhook(session, fr_admin, hook_id)
    _message_to_fr(world, ctx, cast)
    assert webhooks.deliver_due(world.db, ctx, now=utcnow() + timedelta(days=1)) == 0
    assert receiver.received == []
