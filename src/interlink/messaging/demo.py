"""Demo content for messaging: threads between demo bureaus (one H2 with a pending request to
forward it), two hit follow-ups (one answered, one waiting) and a joint operation. Synthetic
text only.

Its seeder is listed in `interlink.wiring.demo_seeders`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.config import load_settings
from interlink.core.access import HandlingCode
from interlink.core.auth import Principal
from interlink.core.db import utcnow
from interlink.demo import DemoContext
from interlink.members.identity import principal_for_user
from interlink.members.models import User
from interlink.messaging import followups, operations, service
from interlink.messaging.attachments import NewAttachment
from interlink.messaging.context import MessagingContext, context_for
from interlink.messaging.models import Accuracy, Priority, Reliability
from interlink.messaging.posting import Draft

SIGHTINGS_CSV = (
    b"date,place,plate\n2026-11-20,Tanger Med,12345-A-6\n2026-11-21,Algeciras,12345-A-6\n"
)


def _principal(session: Session, username: str) -> Principal:
    user = session.scalars(select(User).where(User.username == username)).one()
    return principal_for_user(user)


def _threads(session: Session, ctx: MessagingContext) -> None:
    rabat, paris = _principal(session, "rabat.officer"), _principal(session, "paris.officer")
    first = service.start_thread(
        session,
        ctx,
        rabat,
        [paris.org_id],
        Draft(
            subject="Vehicle seen at Tanger Med",
            body="A grey saloon reported stolen in Lyon was seen boarding the ferry to Algeciras. "
            "Can you confirm your report is still current?",
            handling=HandlingCode.H1,
            reliability=Reliability.B,
            accuracy=Accuracy.CORROBORATED,
            priority=Priority.URGENT,
        ),
    )
    service.reply(
        session,
        ctx,
        paris,
        first.thread_id,
        Draft(
            body="Confirmed, still current. The owner has been informed.",
            reliability=Reliability.A,
            accuracy=Accuracy.KNOWN_TRUE,
        ),
        reply_to_id=first.id,
    )
    sensitive = service.start_thread(
        session,
        ctx,
        paris,
        [rabat.org_id],
        Draft(
            subject="Sightings of plate 12345-A-6",
            body="Two sightings from our informant. Not for further dissemination.",
            handling=HandlingCode.H2,
            reliability=Reliability.C,
            accuracy=Accuracy.KNOWN_TO_SOURCE,
            attachments=[NewAttachment("sightings.csv", "text/csv", SIGHTINGS_CSV)],
        ),
    )
    service.request_forward_permission(
        session, rabat, sensitive.id, "Spain's bureau watches the Algeciras terminal"
    )


def _followups(session: Session, ctx: MessagingContext) -> None:
    brasilia, rabat = _principal(session, "brasilia.officer"), _principal(session, "rabat.officer")
    tokyo = _principal(session, "tokyo.officer")
    answered = followups.open_hit_followup(
        session,
        ctx=ctx,
        hit_id=900_001,
        record_id=900_101,
        searching_org_id=brasilia.org_id,
        owner_org_id=rabat.org_id,
        actor=brasilia.actor,
        summary="Passport check at Guarulhos airport matched your travel document record.",
    )
    service.reply(
        session,
        ctx,
        rabat,
        answered.id,
        Draft(body="The document was reported lost by its holder; no action needed."),
    )
    followups.open_hit_followup(
        session,
        ctx=ctx,
        hit_id=900_002,
        record_id=900_102,
        searching_org_id=tokyo.org_id,
        owner_org_id=rabat.org_id,
        actor=tokyo.actor,
        priority=Priority.FLASH,
        summary="Name check at Narita matched your person record (score 0.93).",
    )


def _operation(session: Session, ctx: MessagingContext) -> None:
    rabat, paris = _principal(session, "rabat.officer"), _principal(session, "paris.officer")
    operation = operations.create_operation(
        session,
        rabat,
        name="Operation Detroit (demo)",
        purpose="Stolen vehicles shipped through the Strait of Gibraltar.",
    )
    operations.invite(session, rabat, operation.id, paris.org_id)
    operations.respond(session, paris, operation.id, accept=True)
    operations.invite(session, rabat, operation.id, _principal(session, "brasilia.officer").org_id)
    operations.add_task(
        session,
        rabat,
        operation.id,
        title="Check the ferry manifests",
        owner_org_id=paris.org_id,
        due_at=utcnow() + timedelta(days=2),
    )
    service.reply(
        session,
        ctx,
        paris,
        operation.channel_thread_id,
        Draft(body="Our team at the port is ready from Monday."),
    )


def seed_messaging(ctx: DemoContext) -> None:
    database = ctx.db.engine.url.database
    settings = load_settings(data_dir=Path(database).parent) if database else load_settings()
    messaging = context_for(settings)
    with ctx.db.session() as session:
        _threads(session, messaging)
        _followups(session, messaging)
        _operation(session, messaging)
