"""Rules for records: persons, travel documents and vehicles.

Data belongs to its source: the bureau that enters a record owns it, and only the owner
changes it. Every read and write passes here with the acting principal, goes through the one
access policy, is audited in the same transaction, and emits a change for the screening
indexes. A record one may not see is reported as not found.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from interlink.core import audit, validation
from interlink.core.access import (
    RecordPolicy,
    can_modify,
    can_see,
    encode_countries,
    listing_clause,
)
from interlink.core.audit import Event
from interlink.core.auth import OrgKind, Perm, Principal
from interlink.core.db import emit_change
from interlink.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from interlink.core.i18n import msg
from interlink.core.pagination import ListPage, SortOrders, keyset_page
from interlink.records import texts
from interlink.records.circulation import person_circulates_at_creation, refresh_subject
from interlink.records.models import Record, RecordKind, RecordStatus, Version
from interlink.records.restrictions import Restrictions
from interlink.records.schemas import PersonData, TravelDocumentData, VehicleData
from interlink.records.versions import add_version, history

RecordData = PersonData | TravelDocumentData | VehicleData
SCHEMA_OF: dict[RecordKind, type[BaseModel]] = {
    RecordKind.PERSON: PersonData,
    RecordKind.DOCUMENT: TravelDocumentData,
    RecordKind.VEHICLE: VehicleData,
}
# Retention: persons 5 years, travel documents and vehicles 10; review 6 months before expiry.
RETENTION: dict[RecordKind, timedelta] = {
    RecordKind.PERSON: timedelta(days=5 * 365),
    RecordKind.DOCUMENT: timedelta(days=10 * 365),
    RecordKind.VEHICLE: timedelta(days=10 * 365),
}
REVIEW_NOTICE = timedelta(days=182)
OWNER_KINDS = frozenset({OrgKind.NCB, OrgKind.INTERNATIONAL})


def kind_of(data: RecordData) -> RecordKind:
    for kind, schema in SCHEMA_OF.items():
        if isinstance(data, schema):
            return kind
    raise InvalidInput(msg("not record data: %(value)s", value=type(data).__name__))


def parse_data(kind: RecordKind, raw: dict[str, Any]) -> RecordData:
    try:
        return SCHEMA_OF[kind].model_validate(raw)  # type: ignore[return-value]
    except ValidationError as exc:
        problems = validation.problems(exc.errors()[:5], kind.value)
        raise InvalidInput(
            msg(
                "invalid %(kind_value)s data: %(problems)s",
                kind_value=kind.value,
                problems=problems,
            )
        ) from None


def require_owner_org(principal: Principal) -> None:
    """Only NCBs and authorised international entities enter data."""
    principal.require(Perm.RECORDS_WRITE)
    if principal.org_kind not in OWNER_KINDS:
        raise Forbidden(
            "only a National Central Bureau or an authorised international entity enters records"
        )


def search_keys(kind: RecordKind, data: RecordData) -> dict[str, Any]:
    """The columns lists and look-ups filter on, derived from the content."""
    keys: dict[str, Any] = {
        "doc_country": None,
        "doc_number": None,
        "vin": None,
        "plate_country": None,
        "plate": None,
    }
    if isinstance(data, PersonData):
        names = data.all_full_names()
        keys["label"] = names[0] if names else "(unnamed person)"
    elif isinstance(data, TravelDocumentData):
        keys.update(
            label=f"{data.document_type.value} {data.issuing_country} {data.number}",
            doc_country=data.issuing_country,
            doc_number=data.number,
        )
    elif isinstance(data, VehicleData):
        keys.update(
            label=" ".join(
                filter(None, (data.make, data.model, data.vin or data.registration_number))
            ),
            vin=data.vin,
            plate_country=data.registration_country,
            plate=data.registration_number,
        )
    keys["label"] = keys["label"][:300]
    return keys


def _check_issuer(principal: Principal, data: RecordData) -> None:
    if (
        isinstance(data, TravelDocumentData)
        and principal.org_kind is OrgKind.NCB
        and not data.may_be_entered_by(principal.country or "")
    ):
        raise Forbidden(
            msg(
                "only the bureau of %(issuing_country)s enters documents it issued",
                issuing_country=data.issuing_country,
            )
        )


def _restrictions_ok(restrictions: Restrictions) -> Restrictions:
    try:
        restrictions.check()
    except ValueError as exc:
        raise InvalidInput(exc.args[0]) from None  # a Msg: translated where shown
    return restrictions


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _event(action: str, record: Record, **detail: Any) -> Event:
    return Event(
        action,
        "record",
        record.id,
        owner_org_id=record.owner_org_id,
        detail={"kind": record.kind, **detail},
    )


@dataclass(slots=True)
class NewRecord:
    data: RecordData
    restrictions: Restrictions
    external_id: str | None = None
    retention_until: datetime | None = None


def restriction_columns(restrictions: Restrictions) -> dict[str, Any]:
    """The restriction columns of a record, computed once for a whole import."""
    _restrictions_ok(restrictions)
    return {
        "visibility_mode": restrictions.visibility.value,
        "visibility_countries": encode_countries(restrictions.countries),
        "not_actionable_in": encode_countries(restrictions.not_actionable_in),
        "handling_code": restrictions.handling.value,
    }


def record_values(
    principal: Principal,
    data: RecordData,
    external_id: str | None,
    restrictions: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """Column values of a new record: what the ORM path and the bulk import both insert."""
    kind = kind_of(data)
    return {
        "kind": kind.value,
        "external_id": external_id,
        "owner_org_id": principal.org_id,
        "status": RecordStatus.ACTIVE.value,
        "version": 1,
        "data": data.model_dump(mode="json", exclude_none=True),
        "retention_until": now + RETENTION[kind],
        "circulated": person_circulates_at_creation(kind),
        "access_blocked": False,
        "created_at": now,
        "updated_at": now,
        **search_keys(kind, data),
        **restrictions,
    }


def build_record(principal: Principal, new: NewRecord, now: datetime) -> Record:
    values = record_values(
        principal, new.data, new.external_id, restriction_columns(new.restrictions), now
    )
    if new.retention_until is not None:
        values["retention_until"] = new.retention_until
    return Record(**values)


def create_record(session: Session, principal: Principal, new: NewRecord) -> Record:
    require_owner_org(principal)
    _check_issuer(principal, new.data)
    if (
        new.external_id
        and session.scalars(
            select(Record.id).where(
                Record.owner_org_id == principal.org_id,
                Record.external_id == new.external_id,
                Record.kind == kind_of(new.data).value,
            )
        ).first()
    ):
        raise Conflict(
            msg(
                "your bureau already has a record with external id %(external_id)s",
                external_id=new.external_id,
            )
        )
    row = build_record(principal, new, datetime.now(UTC))
    session.add(row)
    session.flush()
    from interlink.rights.service import hold_if_reentry  # rights imports records

    hold_if_reentry(session, principal, row)
    add_version(
        session,
        principal,
        entity="record",
        row=row,
        entity_id=row.id,
        version=1,
        data=row.data,
        change="create",
    )
    audit.record(session, principal.actor, _event("record.create", row))
    emit_change(session, "record", row.id, "upsert")
    return row


def _load(session: Session, record_id: int) -> Record | None:
    return session.get(Record, record_id)


def get_record(
    session: Session, principal: Principal, record_id: int, *, purpose: str = "read"
) -> Record:
    """One record, if the principal may see it; the access is audited either way."""
    row = _load(session, record_id)
    if row is None or not can_see(principal.viewer, row.policy):
        audit.record_refusal(
            session,
            principal.actor,
            Event(
                "record.read",
                "record",
                record_id,
                owner_org_id=row.owner_org_id if row else None,
                detail={"purpose": purpose},
            ),
        )
        raise NotFound(msg("no record %(record_id)s", record_id=record_id))
    audit.record(session, principal.actor, _event("record.read", row, purpose=purpose))
    return row


def find_record(
    session: Session, principal: Principal, record_id: int, *, purpose: str
) -> Record | None:
    """A record shown beside another object (a request's subject), if the principal may see
    it: audited as a read when shown, silent when not (nobody asked for it by id)."""
    row = _load(session, record_id)
    if row is None or not can_see(principal.viewer, row.policy):
        return None
    audit.record(session, principal.actor, _event("record.read", row, purpose=purpose))
    return row


def list_records(
    session: Session,
    principal: Principal,
    *,
    kind: RecordKind | None = None,
    text: str | None = None,
    name_matches: Sequence[int] = (),
    owned_only: bool = False,
    after_id: int = 0,
    limit: int = 50,
) -> list[Record]:
    stmt = _listing(
        principal,
        RecordFilter(kind=kind, text=text, owned_only=owned_only, name_matches=name_matches),
    )
    rows = list(session.scalars(stmt.where(Record.id > after_id).order_by(Record.id).limit(limit)))
    _audit_listed(session, principal, rows)
    return rows


@dataclass(frozen=True, slots=True)
class RecordFilter:
    kind: RecordKind | None = None
    text: str | None = None
    owned_only: bool = False
    owner_org_id: int | None = None
    # Withdrawn and expired records are listed to their owner only.
    status: RecordStatus = RecordStatus.ACTIVE
    # Persons the screening matcher finds like `text` in any script (Screener.names_like).
    name_matches: Sequence[int] = ()


RECORD_SORTS: SortOrders = {
    "newest": (Record.id, True),
    "oldest": (Record.id, False),
    "name": (Record.label, False),
    "updated": (Record.updated_at, True),
}


def _listing(principal: Principal, f: RecordFilter) -> Select[Record]:
    principal.require(Perm.RECORDS_READ)
    stmt = select(Record).where(
        listing_clause(principal.viewer, Record), Record.status == f.status.value
    )
    if f.status is not RecordStatus.ACTIVE or f.owned_only:
        stmt = stmt.where(Record.owner_org_id == principal.org_id)
    if f.owner_org_id is not None:
        stmt = stmt.where(Record.owner_org_id == f.owner_org_id)
    if f.kind is not None:
        stmt = stmt.where(Record.kind == f.kind.value)
    if f.text:
        stmt = stmt.where(
            text_search(Record.label, Record.external_id, f.text, Record.id, f.name_matches)
        )
    return stmt


def text_search(
    label: InstrumentedAttribute[str],
    reference: InstrumentedAttribute[Any],
    text: str,
    matched: InstrumentedAttribute[Any],
    matched_ids: Sequence[int],
) -> ColumnElement[bool]:
    """A list's search box: part of the label, the exact reference, or one of the persons
    the name matcher found (in any script)."""
    like = f"%{text.strip().lower()}%"
    clauses = [func.lower(label).like(like), reference == text.strip()]
    if matched_ids:
        clauses.append(matched.in_(list(matched_ids)))
    return or_(*clauses)


def _audit_listed(session: Session, principal: Principal, rows: Sequence[Record]) -> None:
    # One entry per record shown, so each owner sees every access to its records.
    for row in rows:
        audit.record(session, principal.actor, _event("record.list", row))


def records_page(
    session: Session,
    principal: Principal,
    filters: RecordFilter,
    *,
    sort: str = "newest",
    cursor: str | None = None,
    limit: int = 50,
) -> ListPage[Record]:
    """A page of the records the principal may see, with the total that match."""
    page = keyset_page(
        session,
        _listing(principal, filters),
        id_column=Record.id,
        sorts=RECORD_SORTS,
        sort=sort,
        cursor=cursor,
        limit=limit,
    )
    _audit_listed(session, principal, page.items)
    return page


def _owned(session: Session, principal: Principal, record_id: int) -> Record:
    require_owner_org(principal)
    row = _load(session, record_id)
    if row is None or not can_see(principal.viewer, row.policy):
        raise NotFound(msg("no record %(record_id)s", record_id=record_id))
    if not can_modify(principal.viewer, row.policy):
        audit.record_refusal(session, principal.actor, _event("record.update", row))
        raise Forbidden(
            "data belongs to its source: only the owning bureau changes a record; "
            "ask it through a message"
        )
    return row


def _bump(
    session: Session,
    principal: Principal,
    row: Record,
    *,
    change: str,
    reason: str | None,
    previous: dict[str, Any],
) -> None:
    row.version += 1
    row.updated_at = datetime.now(UTC)
    add_version(
        session,
        principal,
        entity="record",
        row=row,
        entity_id=row.id,
        version=row.version,
        data=row.data,
        change=change,
        reason=reason,
        previous=previous,
    )
    audit.record(
        session,
        principal.actor,
        _event(f"record.{change}", row, version=row.version, reason=reason),
    )
    emit_change(session, "record", row.id, "upsert")


def update_record(
    session: Session,
    principal: Principal,
    record_id: int,
    raw: dict[str, Any],
    *,
    change: str = "correction",
    reason: str | None = None,
) -> Record:
    """A correction or addendum: a new version with the whole new content."""
    if change not in ("correction", "addendum"):
        raise InvalidInput("a change is a 'correction' or an 'addendum'")
    row = _owned(session, principal, record_id)
    if row.status != RecordStatus.ACTIVE.value:
        raise Conflict(
            msg(
                "record %(record_id)s is %(row_status)s: it cannot change",
                record_id=record_id,
                row_status=row.status,
            )
        )
    kind = RecordKind(row.kind)
    data = parse_data(kind, raw)
    _check_issuer(principal, data)
    previous = row.data
    row.data = data.model_dump(mode="json", exclude_none=True)
    for column, value in search_keys(kind, data).items():
        setattr(row, column, value)
    if row.data == previous:
        raise Conflict("nothing changed")
    _refuse_undoing_oversight(session, row)
    _bump(session, principal, row, change=change, reason=reason, previous=previous)
    return row


def set_restrictions(
    session: Session,
    principal: Principal,
    record_id: int,
    restrictions: Restrictions,
    *,
    reason: str | None = None,
) -> Record:
    row = _owned(session, principal, record_id)
    _restrictions_ok(restrictions).apply(row)
    _bump(session, principal, row, change="restriction", reason=reason, previous=row.data)
    return row


def withdraw_record(session: Session, principal: Principal, record_id: int, reason: str) -> Record:
    if not reason.strip():
        raise InvalidInput("withdrawing a record needs a reason")
    row = _owned(session, principal, record_id)
    if row.status != RecordStatus.ACTIVE.value:
        raise Conflict(
            msg(
                "record %(record_id)s is already %(row_status)s",
                record_id=record_id,
                row_status=row.status,
            )
        )
    row.status = RecordStatus.WITHDRAWN.value
    row.circulated = False
    _bump(session, principal, row, change="withdrawal", reason=reason, previous=row.data)
    return row


def extend_retention(session: Session, principal: Principal, record_id: int, reason: str) -> Record:
    """Extended only with reasons, by one retention period from today."""
    if len(reason.strip()) < 10:
        raise InvalidInput("an extension needs a reason (at least a sentence)")
    row = _owned(session, principal, record_id)
    if row.status in (RecordStatus.WITHDRAWN.value, RecordStatus.ERASED.value):
        raise Conflict(
            msg(
                "record %(record_id)s was %(row_status)s",
                record_id=record_id,
                row_status=row.status,
            )
        )
    now = datetime.now(UTC)
    row.retention_until = now + RETENTION[RecordKind(row.kind)]
    row.status = RecordStatus.ACTIVE.value
    row.circulated = person_circulates_at_creation(RecordKind(row.kind))
    row.review_notified_at = None
    _bump(session, principal, row, change="extension", reason=reason, previous=row.data)
    refresh_subject(session, row.id)
    return row


# --- binding decisions of the oversight commission ------------------------------------------

OVERSIGHT_CORRECTION = "oversight_correction"


def carry_out_oversight_order(
    session: Session,
    principal: Principal,
    record_id: int,
    *,
    action: str,
    corrected: dict[str, Any] | None,
    decision_ref: str,
) -> Record:
    """Delete or correct a record as a decision orders. The owner cannot undo either: an
    erased record can no longer change or be extended, and a correction's fields cannot be
    set back (`_refuse_undoing_oversight`)."""
    if not principal.viewer.is_oversight:
        raise Forbidden(
            "only the oversight commission's decisions delete or correct another bureau's record"
        )
    row = _load(session, record_id)
    if row is None:
        raise NotFound(msg("no record %(record_id)s", record_id=record_id))
    if row.status == RecordStatus.ERASED.value:
        raise Conflict(msg("record %(record_id)s was already erased", record_id=record_id))
    reason = msg(texts.BINDING_DECISION, reference=decision_ref)
    previous = row.data
    if action == "delete":
        row.status = RecordStatus.ERASED.value
        row.circulated = False
        row.data = {}
        row.label = f"(erased by decision {decision_ref})"[:300]
        row.external_id = None
        # The versions keep every content: erasure reaches them too.
        for version in history(session, "record", row.id):
            version.data, version.diff = {}, []
        _bump(session, principal, row, change="oversight_erasure", reason=reason, previous={})
    elif action == "correct":
        kind = RecordKind(row.kind)
        data = parse_data(kind, corrected or {})
        row.data = data.model_dump(mode="json", exclude_none=True)
        for column, value in search_keys(kind, data).items():
            setattr(row, column, value)
        if row.data == previous:
            raise Conflict("the correction changes nothing")
        _bump(
            session, principal, row, change=OVERSIGHT_CORRECTION, reason=reason, previous=previous
        )
    else:
        raise InvalidInput("an order is 'delete' or 'correct'")
    return row


def _refuse_undoing_oversight(session: Session, row: Record) -> None:
    """A field an oversight correction changed may not be set back to what it was."""
    corrections = session.scalars(
        select(Version).where(
            Version.entity == "record",
            Version.entity_id == row.id,
            Version.change == OVERSIGHT_CORRECTION,
        )
    ).all()
    for version in corrections:
        for change in version.diff:
            path = change["path"].split(".")
            value: Any = row.data
            for part in path:
                value = value.get(part) if isinstance(value, dict) else None
            if change.get("old") is not None and value == change["old"]:
                raise Forbidden(
                    msg(
                        "'%(path)s' was corrected by a binding decision "
                        "of the oversight commission: it cannot be set back",
                        path=change["path"],
                    )
                )


def versions(session: Session, principal: Principal, record_id: int) -> list[Version]:
    get_record(session, principal, record_id, purpose="history")
    return history(session, "record", record_id)


def due_for_review_query(principal: Principal, now: datetime | None = None) -> Select[Record]:
    """The owner's active records whose retention ends within six months, soonest first."""
    now = now or datetime.now(UTC)
    return (
        select(Record)
        .where(
            Record.owner_org_id == principal.org_id,
            Record.status == RecordStatus.ACTIVE.value,
            Record.retention_until <= now + REVIEW_NOTICE,
        )
        .order_by(Record.retention_until)
    )


def due_for_review(
    session: Session, principal: Principal, now: datetime | None = None
) -> list[Record]:
    return list(session.scalars(due_for_review_query(principal, now).limit(500)))


def retention_sweep(session: Session, now: datetime | None = None) -> dict[str, int]:
    """System job: tell owners of records due for review; expire those past retention.

    Expiry takes a record out of every list and search (the access policy already hides it;
    the change event drops it from the screening indexes).
    """
    now = now or datetime.now(UTC)
    due = session.scalars(
        select(Record)
        .where(
            Record.status == RecordStatus.ACTIVE.value,
            Record.review_notified_at.is_(None),
            Record.retention_until <= now + REVIEW_NOTICE,
            Record.retention_until > now,
        )
        .limit(5_000)
    ).all()
    for row in due:
        row.review_notified_at = now
        audit.record(
            session,
            audit.SYSTEM,
            _event("record.review_due", row, retention_until=_iso(row.retention_until)),
        )
    expired = session.scalars(
        select(Record)
        .where(Record.status == RecordStatus.ACTIVE.value, Record.retention_until <= now)
        .limit(5_000)
    ).all()
    for row in expired:
        row.status = RecordStatus.EXPIRED.value
        audit.record(session, audit.SYSTEM, _event("record.expire", row))
        emit_change(session, "record", row.id, "remove")
    return {"review_due": len(due), "expired": len(expired)}


def documents_numbered(
    session: Session, principal: Principal, numbers: Sequence[str]
) -> list[Record]:
    """Active travel-document records with these numbers that the principal may see (a
    person's identity documents on its page); each listed one is audited as a read."""
    if not numbers:
        return []
    rows = list(
        session.scalars(
            select(Record).where(
                listing_clause(principal.viewer, Record),
                Record.kind == RecordKind.DOCUMENT.value,
                Record.status == RecordStatus.ACTIVE.value,
                Record.doc_number.in_(list(numbers)),
            )
        )
    )
    for row in rows:
        audit.record(session, principal.actor, _event("record.list", row))
    return rows


def vehicles_keyed(
    session: Session, principal: Principal, refs: Sequence[dict[str, Any]]
) -> list[Record]:
    """Active vehicle records with these VINs or plates that the principal may see (the
    vehicles a person uses, on its page); each listed one is audited as a read."""
    vins = [r["vin"] for r in refs if r.get("vin")]
    plates = [r["registration_number"] for r in refs if r.get("registration_number")]
    if not (vins or plates):
        return []
    keys = []
    if vins:
        keys.append(Record.vin.in_(vins))
    if plates:
        keys.append(Record.plate.in_(plates))
    rows = list(
        session.scalars(
            select(Record).where(
                listing_clause(principal.viewer, Record),
                Record.kind == RecordKind.VEHICLE.value,
                Record.status == RecordStatus.ACTIVE.value,
                or_(*keys),
            )
        )
    )
    for row in rows:
        audit.record(session, principal.actor, _event("record.list", row))
    return rows


def indexable(session: Session, kind: RecordKind, chunk: int) -> Iterator[Record]:
    """For the screening indexes (a system reader that applies the policy itself, entry by
    entry): active records of a kind, persons whether circulated or not."""
    stmt = (
        select(Record)
        .where(Record.kind == kind.value, Record.status == RecordStatus.ACTIVE.value)
        .order_by(Record.id)
        .execution_options(yield_per=chunk)
    )
    if kind is not RecordKind.PERSON:
        stmt = stmt.where(Record.circulated.is_(True))
    return iter(session.scalars(stmt))


def records_by_ids(session: Session, ids: Sequence[int]) -> dict[int, Record]:
    """For the screening indexes following the change feed: no principal, no audit."""
    if not ids:
        return {}
    return {r.id: r for r in session.scalars(select(Record).where(Record.id.in_(list(ids))))}


def screened_record(session: Session, principal: Principal, record_id: int) -> Record | None:
    """The record a screening hit found, for recording the hit. The index already applied
    the policy; this checks it again at commit time. A partner's document check may reach a
    circulated document it may not read: it records the hit and learns "possible match"."""
    row = _load(session, record_id)
    if row is None or row.status != RecordStatus.ACTIVE.value:
        return None
    if can_see(principal.viewer, row.policy):
        return row
    partner_document = (
        principal.org_kind is OrgKind.PARTNER
        and row.circulated
        and row.kind == RecordKind.DOCUMENT.value
        and not row.access_blocked
    )
    return row if partner_document else None


def labels_for(session: Session, principal: Principal, record_ids: Sequence[int]) -> dict[int, str]:
    """What a list or an answer shows of records the principal may see: their labels."""
    if not record_ids:
        return {}
    rows = session.scalars(select(Record).where(Record.id.in_(list(record_ids))))
    return {row.id: row.label for row in rows if can_see(principal.viewer, row.policy)}


def read_shared(
    session: Session, principal: Principal, record_id: int, *, admitted: bool, purpose: str
) -> Record:
    """A record reached through another capability's rule on top of the policy (a joint
    operation shares it): `admitted` is that rule's verdict; the record's own restrictions
    still apply, so a share never widens what its owner allowed. Audited as a read."""
    row = _load(session, record_id)
    visible = row is not None and (
        can_see(principal.viewer, row.policy) or (admitted and _admitted_by_owner(principal, row))
    )
    if row is None or not visible:
        audit.record_refusal(
            session,
            principal.actor,
            Event(
                "record.read",
                "record",
                record_id,
                owner_org_id=row.owner_org_id if row else None,
                detail={"purpose": purpose},
            ),
        )
        raise NotFound(msg("no record %(record_id)s", record_id=record_id))
    audit.record(session, principal.actor, _event("record.read", row, purpose=purpose))
    return row


def _admitted_by_owner(principal: Principal, row: Record) -> bool:
    """The record's own restrictions admit the principal's country (an operation share)."""
    policy = row.policy
    if policy.access_blocked or principal.org_kind is OrgKind.PARTNER:
        return False
    return policy.visibility.admits(principal.country)


def policy_of(session: Session, record_id: int) -> RecordPolicy | None:
    """Owner and restrictions only (no content), for other capabilities' own rules."""
    row = _load(session, record_id)
    return row.policy if row is not None else None
