"""Every link between capabilities, typed and made in one place.

Read top-down:
- `ProcessServices`: the per-process objects the capabilities hold (the screening indexes,
  the messaging keys, caches), built once per application by `build_services`;
- the links: a screening hit opens the owner's follow-up (`_alert_owner`), joint operations
  reach records through the records service (`RecordsForOperations`), a request's change
  reaches every process's indexes through the change feed (records.circulation ->
  screening.engine, nothing to wire: both read the database's change numbers);
- `ROUTERS`: every capability's API and pages;
- `start_workers`: the background work of one process;
- `NAV`: the navigation, in the order users see it;
- `DEMO_SEEDERS`: the synthetic demo world, capability by capability.

Capabilities do not register themselves on import: what is not listed here is not wired.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session

from interlink.assembly import api as assembly_api
from interlink.assembly import pages as assembly_pages
from interlink.blocklist import api as blocklist_api
from interlink.blocklist import pages as blocklist_pages
from interlink.blocklist.versions import FeedCache
from interlink.core.access import RecordPolicy
from interlink.core.auth import OrgKind, Perm, Principal
from interlink.core.background import PeriodicWorker
from interlink.core.i18n import RecordLabel, msg, stored_text
from interlink.linking import api as linking_api
from interlink.linking import pages as linking_pages
from interlink.linking.jobs import IncrementalLinker
from interlink.linking.jobs import worker as linking_worker
from interlink.members import api as members_api
from interlink.members import pages as members_pages
from interlink.members.service import GS_CODE, org_by_code
from interlink.messaging import api as messaging_api
from interlink.messaging import pages as messaging_pages
from interlink.messaging import webhooks as messaging_webhooks
from interlink.messaging.context import MessagingContext, context_for
from interlink.messaging.followups import open_hit_followup
from interlink.messaging.operations import RecordReader
from interlink.oversight import api as oversight_api
from interlink.oversight import pages as oversight_pages
from interlink.records import api as records_api
from interlink.records import notices
from interlink.records import pages as records_pages
from interlink.records import service as records
from interlink.rights import api as rights_api
from interlink.rights import pages as rights_pages
from interlink.rights import service as rights
from interlink.screening import api as screening_api
from interlink.screening import pages as screening_pages
from interlink.screening.engine import ScreeningEngine
from interlink.screening.models import Hit
from interlink.screening.service import Screener
from interlink.state import AppState
from interlink.subjects import api as subjects_api
from interlink.subjects import pages as subjects_pages
from interlink.web import api_docs
from interlink.web import pages as web_pages
from interlink.web.render import NavLink

# The index follows the change feed this often: a change committed by any process shows in
# searches within this interval plus the time to apply it, inside the promised second.
SCREENING_REFRESH_SECONDS = 0.2
RETENTION_SWEEP_SECONDS = 3600.0
RIGHTS_CLOCK_SECONDS = 3600.0  # consultation reminders and escalation (a day's precision)


# --- links between capabilities ----------------------------------------------------------------


class RecordsForOperations:
    """Joint operations (messaging) reach records only through the records service."""

    def policy(self, session: Session, record_id: int) -> RecordPolicy | None:
        return records.policy_of(session, record_id)

    def read(
        self,
        session: Session,
        principal: Principal,
        record_id: int,
        *,
        admitted: bool,
        purpose: str,
    ) -> dict[str, Any]:
        row = records.read_shared(session, principal, record_id, admitted=admitted, purpose=purpose)
        return {
            "id": row.id,
            "kind": row.kind,
            "label": row.label,
            "data": row.data,
            "owner_org_id": row.owner_org_id,
            "version": row.version,
        }


def _alert_owner(services: ProcessServices) -> Callable[[Session, Hit, Principal], None]:
    """A hit alerts the record's owner: a follow-up thread with a deadline for its answer.
    Partners never talk to bureaus directly: their hits open it from the General
    Secretariat, which alerts the country concerned."""

    def alert(session: Session, hit: Hit, principal: Principal) -> None:
        searching = hit.searching_org_id
        if principal.org_kind is OrgKind.PARTNER:
            searching = org_by_code(session, GS_CODE).id
        if searching == hit.owner_org_id:
            return  # a bureau finding its own record needs no alert
        record = records.screened_record(session, principal, hit.record_id)
        if record is None:
            return
        thread = open_hit_followup(
            session,
            ctx=services.messaging,
            hit_id=hit.id,
            record_id=hit.record_id,
            searching_org_id=searching,
            owner_org_id=hit.owner_org_id,
            summary=hit_summary(hit, record.label, record.external_id, record.id, principal),
            actor=principal.actor,
            record_label=record.label,
        )
        hit.thread_id = thread.id

    return alert


def hit_summary(
    hit: Hit, label: str, external_id: str | None, record_id: int, principal: Principal
) -> str:
    """The alert's text, stored in English with its messages, so that the owner reads it in
    their own language (i18n.stored_text)."""
    query = ", ".join(f"{k}: {v}" for k, v in sorted(hit.query.items()))
    requests = hit_requests(hit)
    parts = [
        msg(
            "Hit on your record %(label)s (%(kind)s, record %(id)s).",
            coded=("kind",),
            label=RecordLabel(label),
            kind=hit.kind,
            id=record_id,
        )
    ]
    if external_id:
        parts.append(msg("External id: %(external_id)s.", external_id=external_id))
    if requests:
        parts.append(msg("Under %(requests)s.", requests=", ".join(requests)))
    parts += [
        msg(
            "Match: %(match)s, score %(score)s, by %(searcher)s.",
            coded=("match",),
            match=hit.match,
            score=f"{hit.score:.2f}",
            searcher=principal.label,
        ),
        msg("Searched for %(query)s.", query=query),
        msg("Please confirm the record and its handling."),
    ]
    return stored_text(*parts)


def hit_requests(hit: Hit) -> list[str]:
    return [str(r) for r in (hit.explanation or {}).get("requests", [])]


# --- per-process objects -------------------------------------------------------------------


@dataclass
class ProcessServices:
    screener: Screener
    messaging: MessagingContext
    records_for_operations: RecordReader
    linker: IncrementalLinker
    feed_cache: FeedCache = field(default_factory=FeedCache)
    # Machine clients call many times a second: a checked token is trusted for a few
    # seconds (deps.py).
    token_cache: dict[str, tuple[Principal, float]] = field(default_factory=dict)
    readiness: dict[str, Callable[[], bool]] = field(default_factory=dict)


def build_services(state: AppState) -> ProcessServices:
    engine = ScreeningEngine(state.db)
    screener = Screener(engine, state.settings.secret_key, state.db, state.audit_writer)
    messaging = context_for(state.settings)
    services = ProcessServices(
        screener=screener,
        messaging=messaging,
        records_for_operations=RecordsForOperations(),
        linker=IncrementalLinker(state.db, engine, messaging),
    )
    screener.on_hit = _alert_owner(services)
    services.readiness["screening"] = lambda: engine.ready
    return services


# --- routes, work, navigation, demo ------------------------------------------------------


ROUTERS: list[APIRouter] = [
    members_api.router,
    members_pages.router,
    oversight_api.router,
    oversight_pages.router,
    records_api.router,
    records_pages.router,
    screening_api.router,
    screening_pages.router,
    blocklist_api.router,
    blocklist_pages.router,
    assembly_api.router,
    assembly_pages.router,
    messaging_api.router,
    messaging_pages.router,
    subjects_api.router,
    subjects_pages.router,
    rights_api.public,
    rights_api.router,
    rights_pages.router,
    linking_api.router,
    linking_api.patterns_router,
    linking_pages.router,
    web_pages.router,
    api_docs.router,
]


def start_workers(state: AppState) -> list[PeriodicWorker]:
    """The background work of one process: the audit sealer is started by the app."""
    services = state.services
    engine = services.screener.engine

    def sweep() -> None:
        with state.db.session() as session:
            records.retention_sweep(session)
            notices.expire_notices(session)

    def rights_clock() -> None:
        with state.db.session() as session:
            rights.tick(session)

    workers = [
        PeriodicWorker(
            "screening-refresh",
            SCREENING_REFRESH_SECONDS,
            lambda: engine.refresh() if engine.ready else 0,
        ).start(),
        PeriodicWorker("retention-sweep", RETENTION_SWEEP_SECONDS, sweep).start(),
        PeriodicWorker("rights-clock", RIGHTS_CLOCK_SECONDS, rights_clock).start(),
        *messaging_webhooks.start_worker(state),
        # links each new or changed person once the screening index has applied it
        linking_worker(services.linker),
    ]
    # Building a large index takes a while: it runs beside the server, which answers
    # /readyz with 503 and screening calls with 429 until it is done.
    threading.Thread(target=engine.build, name="screening-build", daemon=True).start()
    return workers


NAV: list[NavLink] = [
    NavLink("/screen", "Screen", Perm.SCREEN_DOCUMENT),
    NavLink("/records", "Records", Perm.RECORDS_READ),
    NavLink("/notices", "Notices", Perm.RECORDS_READ),
    NavLink("/notices/new", "New notice request", Perm.NOTICES_SUBMIT),
    NavLink("/notices/review", "Review queue", Perm.NOTICES_REVIEW),
    *messaging_pages.NAV,
    *oversight_pages.NAV,
    *members_pages.NAV,
    *assembly_pages.NAV,
    *blocklist_pages.NAV,
    *rights_pages.NAV,
    *linking_pages.NAV,
]


def demo_seeders() -> list[Callable[[Any], None]]:
    """The demo world, capability by capability."""
    from interlink.assembly.demo import seed_assembly
    from interlink.blocklist.demo import seed_blocklist
    from interlink.messaging.demo import seed_messaging
    from interlink.records.demo import seed_records
    from interlink.rights.demo import seed_rights

    return [seed_assembly, seed_blocklist, seed_messaging, seed_records, seed_rights]


__all__ = ["NAV", "ROUTERS", "ProcessServices", "build_services", "demo_seeders", "start_workers"]
