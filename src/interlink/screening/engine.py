"""The per-process screening indexes, built from the database and kept fresh by following
its change numbers, so several processes over one PostgreSQL stay in step.

Only records that may be found are indexed: active, not blocked by the oversight commission,
within retention; documents and vehicles once circulated, persons always, with the members
who may find them (`records.circulation`): nobody but their bureau (and the General
Secretariat and oversight, who see every record) until a request in force covers them. Each
entry keeps that visibility, so a search filters by the caller's view before anything is
scored, and the requests in force on each record travel with its hits. Expiry is enforced
here too (a heap of retention dates), so an expired record leaves searches at once, not at
the next hourly sweep.
"""

from __future__ import annotations

import gc
import heapq
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.core.access import NOBODY, HandlingCode, Visibility, decode_countries
from interlink.core.db import Database, changes_since, latest_change
from interlink.members.models import Organisation
from interlink.records import service as records_service
from interlink.records.actions import PURPOSE
from interlink.records.circulation import requests_in_force
from interlink.records.models import Notice, Record, RecordKind, RecordStatus
from interlink.records.schemas import NoticeType
from interlink.screening.document_index import DocumentEntry, DocumentIndex
from interlink.screening.person_index import PersonEntry, PersonIndex
from interlink.screening.vehicle_index import VehicleEntry, VehicleIndex

log = logging.getLogger(__name__)
LOAD_CHUNK = 20_000
SEX_CODES = {"male": "M", "female": "F", "other": "U"}


def searchable(row: Record, now: datetime) -> bool:
    return (
        row.status == RecordStatus.ACTIVE.value
        and (row.circulated or row.kind == RecordKind.PERSON.value)
        and not row.access_blocked
        and (row.retention_until is None or row.retention_until > now)
    )


def audience(row: Record) -> Visibility:
    """The members who may find it; its own bureau always may (`viewer_org_id`)."""
    return row.policy.effective_visibility if row.circulated else NOBODY


def person_entry(row: Record) -> PersonEntry:
    data = row.data
    names = tuple(
        n["full_name"] for key in ("names", "aliases", "previous_names") for n in data.get(key, ())
    )
    return PersonEntry(
        record_id=row.id,
        names=names,
        birth_date=data.get("birth_date"),
        nationalities=tuple(data.get("nationalities", ())),
        sex=SEX_CODES.get(data.get("sex") or ""),
        visibility=audience(row),
        owner_org_id=row.owner_org_id,
    )


def document_entry(row: Record) -> DocumentEntry:
    return DocumentEntry(
        record_id=row.id,
        country=row.doc_country or "",
        doc_type=row.data.get("document_type", "passport"),
        number=row.doc_number or "",
        visibility=audience(row),
        owner_org_id=row.owner_org_id,
        status=row.data.get("status", ""),
    )


def vehicle_entry(row: Record) -> VehicleEntry:
    return VehicleEntry(
        record_id=row.id,
        vin=row.vin,
        plate=row.plate,
        plate_country=row.plate_country,
        visibility=audience(row),
        owner_org_id=row.owner_org_id,
        status=row.data.get("status", ""),
    )


@dataclass(frozen=True, slots=True)
class RequestInForce:
    """A notice or diffusion in force on an indexed record, as a hit carries it."""

    notice_id: int
    reference: str
    kind: str  # notice | diffusion
    notice_type: NoticeType
    requesting_org_id: int
    requesting_country: str | None
    requesting_org_name: str
    visibility: Visibility
    not_actionable_in: frozenset[str]
    handling: HandlingCode
    valid_until: datetime | None
    purpose: str
    judicial_purpose: str | None  # prosecution | sentence (Red)

    def admits(self, country: str | None, org_id: int, sees_all: bool) -> bool:
        return sees_all or org_id == self.requesting_org_id or self.visibility.admits(country)


def request_in_force(notice: Notice, org: tuple[str | None, str]) -> RequestInForce:
    notice_type = NoticeType(notice.notice_type)
    judicial = notice.data.get("judicial") or {}
    return RequestInForce(
        notice_id=notice.id,
        reference=notice.reference,
        kind=notice.kind,
        notice_type=notice_type,
        requesting_org_id=notice.owner_org_id,
        requesting_country=org[0],
        requesting_org_name=org[1],
        visibility=notice.visibility,
        not_actionable_in=decode_countries(notice.not_actionable_in),
        handling=HandlingCode(notice.handling_code),
        valid_until=notice.retention_until,
        purpose=PURPOSE[notice_type],
        judicial_purpose=judicial.get("purpose"),
    )


@dataclass
class ScreeningEngine:
    db: Database
    persons: PersonIndex = field(default_factory=PersonIndex)
    documents: DocumentIndex = field(default_factory=DocumentIndex)
    vehicles: VehicleIndex = field(default_factory=VehicleIndex)
    requests: dict[int, tuple[RequestInForce, ...]] = field(default_factory=dict)
    last_change: int = 0
    ready: bool = False
    _expiry: list[tuple[datetime, int]] = field(default_factory=list)
    _retention: dict[int, datetime] = field(default_factory=dict)
    _write_lock: threading.Lock = field(default_factory=threading.Lock)

    def _rows(self, session: Session, kind: RecordKind) -> Iterator[Record]:
        now = datetime.now(UTC)
        for row in records_service.indexable(session, kind, LOAD_CHUNK):
            if searchable(row, now):
                if row.retention_until is not None:
                    self._expiry.append((row.retention_until, row.id))
                    self._retention[row.id] = row.retention_until
                yield row

    def build(self) -> ScreeningEngine:
        """Load every searchable record. The change number is read first, so a change made
        during the load is applied again afterwards rather than lost."""
        started = time.perf_counter()
        with self._write_lock, self.db.session() as session:
            self.last_change = latest_change(session)
            self._expiry, self._retention = [], {}
            self.documents.bulk_load(
                document_entry(r) for r in self._rows(session, RecordKind.DOCUMENT)
            )
            self.vehicles.bulk_load(
                vehicle_entry(r) for r in self._rows(session, RecordKind.VEHICLE)
            )
            self.persons.bulk_load(person_entry(r) for r in self._rows(session, RecordKind.PERSON))
            self.requests = self._requests(session, None)
            heapq.heapify(self._expiry)
        # The indexes hold millions of long-lived objects (persons' names as tuples): a full
        # collection scanning them took 0.5 s at 1,000,000 persons, a pause for every request
        # in flight. Frozen, the collector leaves them alone.
        gc.freeze()
        self.ready = True
        log.info(
            "screening indexes built",
            extra={
                "fields": {
                    "persons": len(self.persons),
                    "documents": len(self.documents),
                    "vehicles": len(self.vehicles),
                    "seconds": round(time.perf_counter() - started, 2),
                }
            },
        )
        return self

    def refresh(self) -> int:
        """Apply committed changes since the last one seen; returns how many."""
        with self._write_lock:
            applied = self._expire(datetime.now(UTC))
            with self.db.session() as session:
                changes = changes_since(session, self.last_change)
                if not changes:
                    return applied
                ids = sorted({c.entity_id for c in changes if c.entity == "record"})
                rows = records_service.records_by_ids(session, ids)
                self._apply(ids, rows)
                for record_id in ids:
                    self.requests.pop(record_id, None)
                self.requests.update(self._requests(session, ids))
                self.last_change = changes[-1].number
            return applied + len(changes)

    def _apply(self, ids: Iterable[int], rows: dict[int, Record]) -> None:
        now = datetime.now(UTC)
        for record_id in ids:
            row = rows.get(record_id)
            self._remove(record_id)
            if row is None or not searchable(row, now):
                continue
            kind = RecordKind(row.kind)
            if kind is RecordKind.PERSON:
                self.persons.upsert(person_entry(row))
            elif kind is RecordKind.DOCUMENT:
                self.documents.upsert(document_entry(row))
            else:
                self.vehicles.upsert(vehicle_entry(row))
            if row.retention_until is not None:
                heapq.heappush(self._expiry, (row.retention_until, row.id))
                self._retention[row.id] = row.retention_until

    def _requests(
        self, session: Session, record_ids: list[int] | None
    ) -> dict[int, tuple[RequestInForce, ...]]:
        """Requests in force by subject: all of them (None), or those on these records."""
        notices = requests_in_force(session, record_ids)
        if not notices:
            return {}
        org_ids = {n.owner_org_id for n in notices}
        orgs = {
            o.id: (o.country, o.name)
            for o in session.scalars(select(Organisation).where(Organisation.id.in_(org_ids)))
        }
        found: dict[int, list[RequestInForce]] = {}
        for notice in notices:
            assert notice.subject_record_id is not None
            found.setdefault(notice.subject_record_id, []).append(
                request_in_force(notice, orgs.get(notice.owner_org_id, (None, "?")))
            )
        return {k: tuple(v) for k, v in found.items()}

    def requests_on(self, record_id: int) -> tuple[RequestInForce, ...]:
        return self.requests.get(record_id, ())

    def _remove(self, record_id: int) -> None:
        self._retention.pop(record_id, None)
        self.persons.remove(record_id)
        self.documents.remove(record_id)
        self.vehicles.remove(record_id)

    def _expire(self, now: datetime) -> int:
        expired = 0
        while self._expiry and self._expiry[0][0] <= now:
            until, record_id = heapq.heappop(self._expiry)
            if self._retention.get(record_id) == until:  # not extended since
                self._remove(record_id)
                expired += 1
        return expired
