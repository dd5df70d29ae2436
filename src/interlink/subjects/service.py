"""The subject page: one person, document or vehicle as its viewer may see it, with what the
platform knows around it.

Everything here is read through the records service (the one access policy) and the other
capabilities' own rules: the requests on the subject the viewer may see; the identity
documents it carries and the document records of its bureau with those numbers; for its
bureau, the General Secretariat and oversight, the hits on it (where and when it was
screened) and their follow-up threads; the joint operations it is in that the viewer takes
part in; and, for its bureau and oversight, who accessed it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from anyascii import anyascii
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.core.access import is_owner, listing_clause
from interlink.core.audit import AuditEntry
from interlink.core.auth import Principal
from interlink.members.service import org_labels
from interlink.messaging.models import MemberStatus, Operation, OperationMember, OperationRecord
from interlink.oversight.service import accesses_to
from interlink.records import service as records
from interlink.records.models import Notice, Record, RecordKind
from interlink.screening.models import Hit


@dataclass(frozen=True, slots=True)
class NameView:
    name: str
    latin: str | None  # an automatic Latin form, when the name is in another script
    alias: bool


@dataclass
class SubjectView:
    record: Record
    names: list[NameView] = field(default_factory=list)
    requests: list[Notice] = field(default_factory=list)
    identity_documents: list[dict[str, Any]] = field(default_factory=list)
    document_records: list[Record] = field(default_factory=list)
    vehicles: list[dict[str, Any]] = field(default_factory=list)
    vehicle_records: list[Record] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    operations: list[Operation] = field(default_factory=list)
    accesses: list[AuditEntry] = field(default_factory=list)
    sees_hits: bool = False
    orgs: dict[int, str] = field(default_factory=dict)  # "Name (CODE)" by id


def latin_of(name: str) -> str | None:
    latin = " ".join(anyascii(name).split())
    return None if latin == name or not latin else latin


def names_of(record: Record | None) -> list[NameView]:
    """A person's names then aliases, each with its Latin form; nothing for other kinds."""
    if record is None or record.kind != RecordKind.PERSON.value:
        return []
    return [
        NameView(n["full_name"], latin_of(n["full_name"]), alias)
        for alias, key in ((False, "names"), (True, "aliases"))
        for n in record.data.get(key, ())
    ]


def subject_view(session: Session, principal: Principal, record_id: int) -> SubjectView:
    """The subject as the principal may see it; NotFound exactly as a missing id."""
    row = records.get_record(session, principal, record_id, purpose="subject page")
    view = SubjectView(record=row)
    data = row.data
    if row.kind == RecordKind.PERSON.value:
        view.names = names_of(row)
        view.identity_documents = list(data.get("identity_documents", ()))
        numbers = [str(d["number"]) for d in view.identity_documents if d.get("number")]
        view.document_records = records.documents_numbered(session, principal, numbers)
        view.vehicles = list(data.get("vehicles", ()))
        view.vehicle_records = records.vehicles_keyed(session, principal, view.vehicles)
    view.requests = list(
        session.scalars(
            select(Notice)
            .where(Notice.subject_record_id == row.id, listing_clause(principal.viewer, Notice))
            .order_by(Notice.created_at.desc())
        )
    )
    viewer = principal.viewer
    view.sees_hits = is_owner(viewer, row.policy) or viewer.is_secretariat or viewer.is_oversight
    if view.sees_hits:
        view.hits = list(
            session.scalars(
                select(Hit).where(Hit.record_id == row.id).order_by(Hit.at.desc()).limit(100)
            )
        )
    taking_part = select(OperationMember.operation_id).where(
        OperationMember.org_id == principal.org_id,
        OperationMember.status == MemberStatus.ACCEPTED.value,
    )
    view.operations = list(
        session.scalars(
            select(Operation)
            .join(OperationRecord, OperationRecord.operation_id == Operation.id)
            .where(OperationRecord.record_id == row.id, Operation.id.in_(taking_part))
        )
    )
    view.accesses = accesses_to(session, principal, "record", row.id, row.owner_org_id)
    view.orgs = org_labels(
        session,
        [
            row.owner_org_id,
            *(n.owner_org_id for n in view.requests),
            *(h.searching_org_id for h in view.hits),
            *(o.lead_org_id for o in view.operations),
            *(a.actor_org_id for a in view.accesses if a.actor_org_id is not None),
        ],
    )
    return view
