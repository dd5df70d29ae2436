"""Bulk import and export of records: FtM JSON lines and CSV, all or nothing.

An import is one transaction: the whole file is parsed and validated first (a bad line raises
`ImportLineError` naming its line), then rows, versions, audit entries and change events are
inserted in bulk. Either every record of the file is stored or none is, unless the caller
asks to skip the lines it cannot use (`parse(..., skipped=[])`): then the others are stored
and the skipped ones are reported with their line numbers.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from interlink.core import audit
from interlink.core.audit import AuditEntry
from interlink.core.auth import Perm, Principal
from interlink.core.db import allocate_ids, bulk_insert, emit_changes
from interlink.core.errors import InvalidInput
from interlink.core.i18n import msg
from interlink.records.interchange import (
    DOCUMENT_CSV_COLUMNS,
    VEHICLE_CSV_COLUMNS,
    ImportLineError,
    ParsedEntity,
    parse_documents_csv,
    parse_ftm_lines,
    parse_vehicles_csv,
    to_csv_lines,
    to_ftm_lines,
)
from interlink.records.models import Record, RecordKind, RecordStatus, Version
from interlink.records.restrictions import Restrictions
from interlink.records.schemas import TravelDocumentData
from interlink.records.service import (
    SCHEMA_OF,
    RecordData,
    record_values,
    require_owner_org,
    restriction_columns,
)

BATCH = 5_000


class ImportFormat(enum.StrEnum):
    FTM = "ftm"
    CSV_DOCUMENTS = "csv-documents"
    CSV_VEHICLES = "csv-vehicles"


def parse(
    fmt: ImportFormat,
    lines: Iterable[str],
    entering_country: str | None,
    skipped: list[ImportLineError] | None = None,
) -> list[ParsedEntity]:
    """Every entity of the file, validated; raises ImportLineError on the first bad line,
    or, given a `skipped` list, appends every bad line's error to it and leaves it out."""
    if fmt is ImportFormat.FTM:
        parsed = parse_ftm_lines(lines, entering_country=entering_country, skipped=skipped)
    elif fmt is ImportFormat.CSV_DOCUMENTS:
        parsed = parse_documents_csv(lines, entering_country=entering_country, skipped=skipped)
    else:
        parsed = parse_vehicles_csv(lines, skipped=skipped)
    return list(parsed)


def _existing_external_ids(session: Session, owner_org_id: int, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        found.update(
            session.scalars(
                select(Record.external_id).where(
                    Record.owner_org_id == owner_org_id, Record.external_id.in_(chunk)
                )
            )
        )
    return found


def import_entities(
    session: Session,
    principal: Principal,
    entities: list[ParsedEntity],
    restrictions: Restrictions,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Store parsed entities as records owned by the principal's organisation."""
    require_owner_org(principal)
    ids = [e.external_id for e in entities if e.external_id]
    clashes = _existing_external_ids(session, principal.org_id, ids)
    if clashes:
        first = next(e for e in entities if e.external_id in clashes)
        raise ImportLineError(
            first.line_number,
            msg(
                "external id %(external)r is already one of your records",
                external=first.external_id,
            ),
        )
    now = datetime.now(UTC)
    columns = restriction_columns(restrictions)
    snapshot = {**restrictions.model_dump(mode="json"), "retention_until": None}
    stored = 0
    for start in range(0, len(entities), BATCH):
        chunk = entities[start : start + BATCH]
        values = [record_values(principal, e.record, e.external_id, columns, now) for e in chunk]
        for entity in chunk:
            if isinstance(
                entity.record, TravelDocumentData
            ) and not entity.record.may_be_entered_by(principal.country or ""):
                raise ImportLineError(
                    entity.line_number,
                    msg("only the issuing country's bureau enters its travel documents"),
                )
        new_ids = allocate_ids(session, Record, len(values))
        if new_ids is None:
            new_ids = list(session.scalars(insert(Record).returning(Record.id), values))
        else:
            for record_id, row in zip(new_ids, values, strict=True):
                row["id"] = record_id
            bulk_insert(session, Record, values)
        bulk_insert(
            session,
            Version,
            [
                {
                    "entity": "record",
                    "entity_id": rid,
                    "version": 1,
                    "change": "import",
                    "reason": None,
                    "data": v["data"],
                    "diff": [],
                    "changed_at": now,
                    "changed_by": principal.label,
                    "changed_by_org_id": principal.org_id,
                    "restrictions": {
                        **snapshot,
                        "retention_until": v["retention_until"].isoformat(),
                    },
                }
                for rid, v in zip(new_ids, values, strict=True)
            ],
        )
        actor = principal.actor
        bulk_insert(
            session,
            AuditEntry,
            audit.with_macs(
                audit.session_mac_key(session),
                [
                    {
                        "at": now,
                        "actor_user_id": actor.user_id,
                        "actor_token_id": actor.token_id,
                        "actor_org_id": actor.org_id,
                        "actor_label": actor.label,
                        "action": "record.import",
                        "object_type": "record",
                        "object_id": str(rid),
                        "object_owner_org_id": principal.org_id,
                        "outcome": "ok",
                        "detail": {"kind": v["kind"]},
                        "client_addr": actor.client_addr,
                        "request_id": actor.request_id,
                    }
                    for rid, v in zip(new_ids, values, strict=True)
                ],
            ),
        )
        from interlink.rights.service import hold_imported  # rights imports records

        hold_imported(
            session,
            principal,
            [(rid, v["kind"], v["data"]) for rid, v in zip(new_ids, values, strict=True)],
        )
        emit_changes(session, "record", new_ids, "upsert")
        stored += len(new_ids)
        if progress:
            progress(len(new_ids))
    return stored


# What each CSV format holds; FtM holds every kind.
_CSV_EXPORTS = {
    ImportFormat.CSV_DOCUMENTS: (RecordKind.DOCUMENT, DOCUMENT_CSV_COLUMNS),
    ImportFormat.CSV_VEHICLES: (RecordKind.VEHICLE, VEHICLE_CSV_COLUMNS),
}


def export_lines(
    session: Session, principal: Principal, fmt: ImportFormat, kind: RecordKind | None = None
) -> Iterator[str]:
    """The principal's own active records in an import format, as lines without newline:
    what `parse` reads back (external ids kept; records without one get `interlink-<id>`)."""
    if fmt is ImportFormat.FTM:
        yield from export_ftm(session, principal, kind)
        return
    csv_kind, columns = _CSV_EXPORTS[fmt]
    if kind not in (None, csv_kind):
        raise InvalidInput(
            msg(
                "--format %(fmt_value)s holds %(csv_kind_value)s records only",
                fmt_value=fmt.value,
                csv_kind_value=csv_kind.value,
            )
        )
    yield from to_csv_lines(columns, _own_records(session, principal, csv_kind))


def _own_records(
    session: Session, principal: Principal, kind: RecordKind | None
) -> Iterator[tuple[str, RecordData]]:
    principal.require(Perm.RECORDS_READ)
    stmt = (
        select(Record)
        .where(Record.owner_org_id == principal.org_id, Record.status == RecordStatus.ACTIVE.value)
        .order_by(Record.id)
    )
    if kind is not None:
        stmt = stmt.where(Record.kind == kind.value)

    for row in session.scalars(stmt.execution_options(yield_per=2_000)):
        model = SCHEMA_OF[RecordKind(row.kind)]
        data = cast(RecordData, model.model_validate(row.data))  # SCHEMA_OF: kind -> its model
        yield row.external_id or f"interlink-{row.id}", data


def export_ftm(
    session: Session, principal: Principal, kind: RecordKind | None = None
) -> Iterator[str]:
    """The principal's own active records as FtM JSON lines (external id = entity id)."""
    yield from to_ftm_lines(_own_records(session, principal, kind))


__all__ = [
    "ImportFormat",
    "ImportLineError",
    "export_ftm",
    "export_lines",
    "import_entities",
    "parse",
]
