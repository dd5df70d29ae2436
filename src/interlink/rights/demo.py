"""Demo cases for the commission: a deletion request under examination (its owner consulted,
the data blocked) and an access request awaiting admissibility. Synthetic, like every demo
person."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from interlink.config import load_settings
from interlink.core.auth import OrgKind, Perm, Principal
from interlink.demo import DemoContext
from interlink.messaging.context import context_for
from interlink.records.models import Record
from interlink.rights import service
from interlink.rights.clock import RightsPolicy


def seed_rights(ctx: DemoContext) -> None:
    database = ctx.db.engine.url.database
    settings = load_settings(data_dir=Path(database).parent) if database else load_settings()
    keys, policy = context_for(settings).keys, RightsPolicy.from_settings(settings)
    commission = Principal(
        label="demo:ccf",
        org_id=ctx.org_ids["CCF"],
        org_kind=OrgKind.OVERSIGHT,
        country=None,
        permissions=frozenset({Perm.RIGHTS_CASEWORK, Perm.RECORDS_READ}),
    )
    with ctx.db.session() as session:
        record = session.scalars(
            select(Record)
            .where(Record.kind == "person", Record.owner_org_id == ctx.org_ids["NCB-MA"])
            .order_by(Record.id)
        ).first()
        if record is None:
            return
        data = record.data
        filed = service.file_request(
            session,
            keys,
            settings.secret_key,
            policy,
            service.NewRequest(
                kind="deletion",
                names=[record.label],
                birth_date=data.get("birth_date"),
                nationality=(data.get("nationalities") or [None])[0],
                lawyer_name="Demo Law Office",
                statement="I believe this record is political.",
            ),
            client_addr=None,
        )
        case = service.decide_admissibility(
            session,
            commission,
            policy,
            filed.case.id,
            admissible=True,
            reason="Demo: within the remit.",
        )
        service.find_holdings(session, commission, case.id)
        service.consult(
            session,
            commission,
            policy,
            case.id,
            org_id=record.owner_org_id,
            question="Demo: on what legal basis is this person recorded?",
        )
        service.place_measure(
            session,
            commission,
            case.id,
            action="block",
            target="record",
            target_id=record.id,
            reason_category="pending_examination",
        )
        service.file_request(
            session,
            keys,
            settings.secret_key,
            policy,
            service.NewRequest(kind="access", names=["Demo Applicant"], birth_date="1980-02-29"),
            client_addr=None,
        )
