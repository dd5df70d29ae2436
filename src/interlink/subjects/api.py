"""JSON route: the subject resource (one record as its viewer may see it, with context)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from interlink.core.auth import Principal
from interlink.deps import Id, current_principal, unit_of_work
from interlink.records.api_schemas import RecordOut
from interlink.screening.models import shown_searcher
from interlink.subjects.service import SubjectView, subject_view

router = APIRouter(prefix="/api/v1", tags=["records"])


class NameOut(BaseModel):
    name: str
    latin: str | None
    alias: bool


class SubjectRequestOut(BaseModel):
    id: int
    reference: str
    kind: str
    type: str
    state: str
    requesting_bureau: str
    published_at: datetime | None
    valid_until: datetime | None


class SubjectHitOut(BaseModel):
    id: int
    at: datetime
    searching_bureau: str
    searched_by: str
    score: float
    match: str
    thread_id: int | None


class SubjectOperationOut(BaseModel):
    id: int
    name: str
    lead: str


class AccessOut(BaseModel):
    at: datetime
    actor: str
    organisation: str | None
    action: str
    outcome: str


class SubjectOut(BaseModel):
    record: RecordOut
    owner: str
    names: list[NameOut]
    requests: list[SubjectRequestOut]
    identity_documents: list[dict[str, Any]]
    document_records: list[RecordOut]
    vehicles: list[dict[str, Any]]
    vehicle_records: list[RecordOut]
    hits: list[SubjectHitOut] | None
    operations: list[SubjectOperationOut]
    accesses: list[AccessOut] | None

    @classmethod
    def of(cls, view: SubjectView, principal: Principal) -> SubjectOut:
        orgs = view.orgs
        return cls(
            record=RecordOut.of(view.record, principal),
            owner=orgs.get(view.record.owner_org_id, ""),
            names=[NameOut(name=n.name, latin=n.latin, alias=n.alias) for n in view.names],
            requests=[
                SubjectRequestOut(
                    id=n.id,
                    reference=n.reference,
                    kind=n.kind,
                    type=n.notice_type,
                    state=n.state,
                    requesting_bureau=orgs.get(n.owner_org_id, ""),
                    published_at=n.published_at,
                    valid_until=n.retention_until,
                )
                for n in view.requests
            ],
            identity_documents=view.identity_documents,
            document_records=[RecordOut.of(r, principal) for r in view.document_records],
            vehicles=view.vehicles,
            vehicle_records=[RecordOut.of(r, principal) for r in view.vehicle_records],
            hits=[
                SubjectHitOut(
                    id=h.id,
                    at=h.at,
                    searching_bureau=orgs.get(h.searching_org_id, ""),
                    searched_by=shown_searcher(h.searching_label),
                    score=h.score,
                    match=h.match,
                    thread_id=h.thread_id,
                )
                for h in view.hits
            ]
            if view.sees_hits
            else None,
            operations=[
                SubjectOperationOut(id=o.id, name=o.name, lead=orgs.get(o.lead_org_id, ""))
                for o in view.operations
            ],
            accesses=[
                AccessOut(
                    at=a.at,
                    actor=a.actor_label,
                    organisation=orgs.get(a.actor_org_id or 0),
                    action=a.action,
                    outcome=a.outcome,
                )
                for a in view.accesses
            ]
            if view.accesses
            else None,
        )


@router.get("/subjects/{record_id}", response_model=SubjectOut)
def get_subject(
    request: Request, record_id: Id, principal: Principal = Depends(current_principal)
) -> SubjectOut:
    """One person, document or vehicle as you may see it: identity in every script with a
    Latin form, the requests on it, linked documents and vehicles, and for its bureau the
    hits on it and who accessed it."""
    with unit_of_work(request) as session:
        return SubjectOut.of(subject_view(session, principal, record_id), principal)
