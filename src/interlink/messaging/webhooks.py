"""Webhooks for national systems: new messages and hits, HMAC-signed, retried with back-off.

A delivery is written in the same transaction as the message it announces (an outbox), so
nothing committed goes unannounced. A background worker claims due deliveries, posts them
with httpx outside any transaction, and writes each attempt to the delivery log. Failures
are retried with exponential back-off until the policy gives up.

Signature header, as receivers check it (`verify_signature` is the reference):
    X-Interlink-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
The timestamp lets a receiver refuse replays older than a few minutes.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from interlink.core import audit
from interlink.core.audit import SYSTEM, Event
from interlink.core.auth import Perm, Principal
from interlink.core.background import PeriodicWorker
from interlink.core.db import Database, utcnow
from interlink.core.errors import InvalidInput, NotFound
from interlink.core.i18n import msg
from interlink.messaging.context import MessagingContext, context_of
from interlink.messaging.models import Webhook, WebhookAttempt, WebhookDelivery
from interlink.state import AppState

EVENTS = ("message.new", "hit.new")
SIGNATURE_HEADER = "X-Interlink-Signature"
MAX_WEBHOOKS_PER_ORG = 10
# A claimed delivery is hidden from other workers this long, longer than any HTTP timeout.
_LEASE = timedelta(seconds=120)


class Status:
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


def _secret_context(webhook_id: int) -> str:
    return f"webhook:{webhook_id}:secret"


def signature_header(secret: bytes, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(
    secret: bytes, header: str, body: bytes, *, now: float | None = None, tolerance: int = 300
) -> bool:
    """What a receiver does: recompute the HMAC and refuse stale timestamps."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = signature_header(secret, timestamp, body)
    return hmac.compare_digest(expected, header)


# --- endpoints --------------------------------------------------------------------------------


def _check_url(url: str) -> str:
    """https, or http to a loopback address (a receiver on the same host, tests)."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or len(url) > 500:
        raise InvalidInput("a webhook URL is an http(s) URL of at most 500 characters")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise InvalidInput("a webhook URL uses https (plain http only to a loopback address)")
    if parts.username or parts.password:
        raise InvalidInput("a webhook URL carries no credentials: the HMAC secret is enough")
    return url


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_webhook(
    session: Session,
    ctx: MessagingContext,
    principal: Principal,
    *,
    url: str,
    events: Iterable[str],
) -> tuple[Webhook, str]:
    """Register an endpoint for the principal's organisation; the secret is returned once."""
    principal.require(Perm.TOKENS_MANAGE)
    chosen = sorted(set(events))
    if not chosen or any(e not in EVENTS for e in chosen):
        raise InvalidInput(
            msg("events are one or more of %(value)s", value=", ".join(EVENTS)), field="events"
        )
    existing = session.scalars(
        select(Webhook.id).where(Webhook.org_id == principal.org_id, Webhook.active.is_(True))
    ).all()
    if len(existing) >= MAX_WEBHOOKS_PER_ORG:
        raise InvalidInput(
            msg(
                "at most %(max_webhooks_per_org)s active webhooks per organisation",
                max_webhooks_per_org=MAX_WEBHOOKS_PER_ORG,
            )
        )
    secret = secrets.token_urlsafe(32)
    webhook = Webhook(
        org_id=principal.org_id,
        url=_check_url(url),
        events=chosen,
        secret_ciphertext=b"",
        created_by=principal.label,
    )
    session.add(webhook)
    session.flush()
    webhook.secret_ciphertext = ctx.keys.encrypt(secret.encode(), _secret_context(webhook.id))
    audit.record(
        session,
        principal.actor,
        Event(
            "webhook.create",
            "webhook",
            webhook.id,
            owner_org_id=principal.org_id,
            detail={"url": webhook.url, "events": chosen},
        ),
    )
    return webhook, secret


def list_webhooks(session: Session, principal: Principal) -> list[Webhook]:
    principal.require(Perm.TOKENS_MANAGE)
    return list(
        session.scalars(
            select(Webhook).where(Webhook.org_id == principal.org_id).order_by(Webhook.id)
        )
    )


def own_webhook(session: Session, principal: Principal, webhook_id: int) -> Webhook:
    principal.require(Perm.TOKENS_MANAGE)
    webhook = session.get(Webhook, webhook_id)
    if webhook is None or webhook.org_id != principal.org_id:
        raise NotFound(msg("no webhook %(webhook_id)s of your organisation", webhook_id=webhook_id))
    return webhook


def deactivate_webhook(session: Session, principal: Principal, webhook_id: int) -> Webhook:
    webhook = own_webhook(session, principal, webhook_id)
    if webhook.active:
        webhook.active = False
        # What was still waiting is not sent to an endpoint its owner switched off.
        session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.webhook_id == webhook.id, WebhookDelivery.status == Status.PENDING
            )
            .values(status=Status.FAILED)
            .execution_options(synchronize_session=False)
        )
        audit.record(
            session,
            principal.actor,
            Event("webhook.deactivate", "webhook", webhook.id, owner_org_id=webhook.org_id),
        )
    return webhook


@dataclass(slots=True)
class DeliveryLog:
    delivery: WebhookDelivery
    attempts: list[WebhookAttempt]


def delivery_log(
    session: Session, principal: Principal, webhook_id: int, limit: int = 100
) -> list[DeliveryLog]:
    webhook = own_webhook(session, principal, webhook_id)
    deliveries = list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == webhook.id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
    )
    attempts: dict[int, list[WebhookAttempt]] = {d.id: [] for d in deliveries}
    if deliveries:
        for attempt in session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(attempts))
            .order_by(WebhookAttempt.number)
        ):
            attempts[attempt.delivery_id].append(attempt)
    return [DeliveryLog(d, attempts[d.id]) for d in deliveries]


# --- outbox and delivery ----------------------------------------------------------------------


def enqueue(session: Session, org_ids: Iterable[int], event: str, data: dict[str, Any]) -> int:
    """Queue `event` for every active endpoint of these organisations that subscribed to it."""
    assert event in EVENTS, event
    hooks = session.scalars(
        select(Webhook).where(Webhook.org_id.in_(set(org_ids)), Webhook.active.is_(True))
    ).all()
    queued = 0
    for hook in hooks:
        if event in hook.events:
            session.add(
                WebhookDelivery(
                    webhook_id=hook.id, event=event, payload=data, next_attempt_at=utcnow()
                )
            )
            queued += 1
    return queued


@dataclass(frozen=True, slots=True)
class _Claimed:
    delivery_id: int
    org_id: int
    url: str
    secret: bytes
    body: bytes
    event: str


@dataclass(frozen=True, slots=True)
class _Outcome:
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _claim(db: Database, ctx: MessagingContext, now: datetime) -> list[_Claimed]:
    """Take due deliveries and hide them from other workers for a lease."""
    with db.session() as session:
        stmt = (
            select(WebhookDelivery, Webhook)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(
                WebhookDelivery.status == Status.PENDING,
                WebhookDelivery.next_attempt_at <= now,
                Webhook.active.is_(True),
            )
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(ctx.webhooks.batch)
        )
        if db.dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True, of=WebhookDelivery)
        claimed = []
        for delivery, hook in session.execute(stmt):
            delivery.next_attempt_at = now + _LEASE
            body = json.dumps(
                {
                    "id": delivery.id,
                    "event": delivery.event,
                    "created_at": delivery.created_at.isoformat(),
                    "data": delivery.payload,
                },
                sort_keys=True,
            ).encode()
            secret = ctx.keys.decrypt(hook.secret_ciphertext, _secret_context(hook.id))
            claimed.append(
                _Claimed(delivery.id, hook.org_id, hook.url, secret, body, delivery.event)
            )
        return claimed


def _attempt(client: httpx.Client, item: _Claimed) -> _Outcome:
    # The signature's timestamp is the real clock: the receiver compares it with its own.
    headers = {
        "content-type": "application/json",
        "user-agent": "Interlink-Webhooks/1",
        "x-interlink-event": item.event,
        "x-interlink-delivery": str(item.delivery_id),
        SIGNATURE_HEADER: signature_header(item.secret, int(time.time()), item.body),
    }
    started = time.monotonic()
    try:
        response = client.post(item.url, content=item.body, headers=headers)
        status, error = response.status_code, None
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except httpx.HTTPError as exc:
        status, error = None, f"{type(exc).__name__}: {exc}"[:300]
    return _Outcome(status, error, int((time.monotonic() - started) * 1000))


def _record(
    db: Database, ctx: MessagingContext, item: _Claimed, outcome: _Outcome, now: datetime
) -> None:
    with db.session() as session:
        delivery = session.get(WebhookDelivery, item.delivery_id)
        assert delivery is not None
        delivery.attempts += 1
        session.add(
            WebhookAttempt(
                delivery_id=delivery.id,
                number=delivery.attempts,
                at=now,
                status_code=outcome.status_code,
                error=outcome.error,
                duration_ms=outcome.duration_ms,
            )
        )
        if outcome.ok:
            delivery.status, delivery.delivered_at = Status.DELIVERED, now
        elif delivery.attempts >= ctx.webhooks.max_attempts:
            delivery.status = Status.FAILED
        else:
            delivery.next_attempt_at = now + ctx.webhooks.delay_after(delivery.attempts)
        audit.record(
            session,
            SYSTEM,
            Event(
                "webhook.deliver",
                "webhook_delivery",
                delivery.id,
                owner_org_id=item.org_id,
                outcome="ok" if outcome.ok else "failed",
                detail={
                    "event": item.event,
                    "attempt": delivery.attempts,
                    "status_code": outcome.status_code,
                    "error": outcome.error,
                    "final": delivery.status,
                },
            ),
        )


def deliver_due(
    db: Database,
    ctx: MessagingContext,
    *,
    now: datetime | None = None,
    client: httpx.Client | None = None,
) -> int:
    """One pass: post every due delivery once; returns how many were attempted."""
    now = now or utcnow()
    claimed = _claim(db, ctx, now)
    if not claimed:
        return 0
    own_client = client is None
    client = client or httpx.Client(timeout=ctx.webhooks.timeout_seconds, follow_redirects=False)
    try:
        for item in claimed:
            _record(db, ctx, item, _attempt(client, item), now)
    finally:
        if own_client:
            client.close()
    return len(claimed)


def start_worker(state: AppState) -> list[PeriodicWorker]:
    """Deliver due webhooks in the background of every server process (interlink.wiring)."""
    ctx = context_of(state)
    return [
        PeriodicWorker(
            "messaging-webhooks",
            ctx.webhooks.poll_seconds,
            lambda: deliver_due(state.db, context_of(state)),
        ).start()
    ]
