"""Travel-document numbers of person records, held in a table (`PersonDocument`) so that the
shared-document pattern looks a number up in an index instead of reading every record's
JSON. The incremental linker brings the changed records' numbers up to date before it runs
the patterns; a full run, which moves the change feed's cursor past what it read, rebuilds
them all."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from interlink.linking.models import PersonDocument
from interlink.records.models import Record, RecordKind


def identity_numbers(data: dict[str, Any]) -> set[str]:
    return {
        str(d["number"]).upper()[:200]
        for d in data.get("identity_documents", ())
        if isinstance(d, dict) and d.get("number")
    }


def index_documents(session: Session, record_ids: Sequence[int]) -> None:
    """Bring the document numbers of these records up to date (a record no longer a
    person, or gone, keeps none)."""
    ids = sorted(set(record_ids))
    if not ids:
        return
    session.execute(delete(PersonDocument).where(PersonDocument.record_id.in_(ids)))
    rows = session.execute(
        select(Record.id, Record.data).where(
            Record.id.in_(ids), Record.kind == RecordKind.PERSON.value
        )
    )
    _add_documents(session, rows)


def reindex_documents(session: Session) -> int:
    """Every person record's document numbers, afresh (a full run: it moves the change
    feed's cursor past what it read). Returns how many numbers are held."""
    session.execute(delete(PersonDocument))
    rows = session.execute(
        select(Record.id, Record.data)
        .where(Record.kind == RecordKind.PERSON.value)
        .execution_options(yield_per=20_000)
    )
    return _add_documents(session, rows)


def _add_documents(session: Session, rows: Iterable[Any]) -> int:
    found = [
        {"record_id": record_id, "number": number}
        for record_id, data in rows
        for number in identity_numbers(data)
    ]
    if found:
        session.execute(insert(PersonDocument), found)
    return len(found)
