"""A hit alerts the record's owner: a follow-up thread with a deadline for its answer.

Partners never talk to bureaus directly: their hits open the thread from the General
Secretariat, which alerts the country concerned.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from interlink.core.auth import OrgKind, Principal
from interlink.members.service import GS_CODE, org_by_code
from interlink.messaging.context import context_of
from interlink.messaging.followups import open_hit_followup
from interlink.records.models import Record
from interlink.screening.models import Hit
from interlink.screening.service import HIT_LISTENERS
from interlink.state import AppState


def summary_of(hit: Hit, record: Record, principal: Principal) -> str:
    query = ", ".join(f"{k}: {v}" for k, v in sorted(hit.query.items()))
    return (f"Hit on your {hit.kind} record {record.label} (record {record.id}"
            f"{', external id ' + record.external_id if record.external_id else ''}): "
            f"{hit.match} match, score {hit.score:.2f}, by {principal.label}. "
            f"Searched for {query}. Please confirm the record and its handling.")


def open_followup(session: Session, hit: Hit, principal: Principal, state: AppState) -> None:
    searching = hit.searching_org_id
    if principal.org_kind is OrgKind.PARTNER:
        searching = org_by_code(session, GS_CODE).id
    if searching == hit.owner_org_id:
        return  # a bureau finding its own record needs no alert
    record = session.get(Record, hit.record_id)
    assert record is not None
    thread = open_hit_followup(
        session, ctx=context_of(state), hit_id=hit.id, record_id=hit.record_id,
        searching_org_id=searching, owner_org_id=hit.owner_org_id,
        summary=summary_of(hit, record, principal), actor=principal.actor)
    hit.thread_id = thread.id


HIT_LISTENERS.append(open_followup)
