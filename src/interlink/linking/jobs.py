"""Start-up of the linking capability: the incremental linker, which links each new or changed
person record against the store as the change feed delivers it, and tells owners of links
they may not see (through the hit follow-up path).

Every process runs the worker; the change-feed position is one row in the database, locked
while a batch is linked, so each change is linked once whatever the number of processes.
Candidates come from the screening person index of the process (the same candidate
generation as a name check), so a change is taken only once that index has applied it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from interlink.core.background import PeriodicWorker
from interlink.core.db import Change, Database
from interlink.linking import documents, patterns, service
from interlink.linking.model import Subject, Weights, load_weights
from interlink.linking.models import LinkCursor
from interlink.messaging.context import MessagingContext
from interlink.records.models import Record
from interlink.screening.engine import ScreeningEngine
from interlink.screening.models import Hit
from interlink.screening.person_index import PersonIndex, PersonQuery

log = logging.getLogger(__name__)
STEP_SECONDS = 1.0
BATCH = 500


@dataclass
class IncrementalLinker:
    db: Database
    engine: ScreeningEngine | None = None  # the process's screening indexes
    messaging: MessagingContext | None = None  # to tell owners; None: left to a later step
    index: PersonIndex | None = None  # instead of the engine's (benchmarks)
    weights: Weights = field(default_factory=load_weights)

    def _index(self) -> tuple[PersonIndex, int | None]:
        """The index to draw candidates from and the last change it has applied (None: it
        is kept up to date by the caller)."""
        if self.index is not None:
            return self.index, None
        if self.engine is None or not self.engine.ready:
            raise RuntimeError("the screening index is not ready")
        return self.engine.persons, self.engine.last_change

    def candidates(self, subject: Subject) -> list[int]:
        index, _ = self._index()
        found: dict[int, None] = {}
        for name in subject.names:
            query = PersonQuery(
                name=name,
                birth_date=subject.birth_date,
                nationality=subject.nationalities[0] if subject.nationalities else None,
                sex=subject.sex,
            )
            for hit in index.search(
                query, None, limit=service.SEARCH_LIMIT, min_score=service.SEARCH_FLOOR
            ):
                found[hit.record_id] = None
        return list(found)

    def ready(self) -> bool:
        try:
            self._index()
        except RuntimeError:
            return False
        return True

    def step(self) -> int:
        """Link the records changed since the cursor (as far as the index has applied), then
        tell owners of new links; returns how many changes were taken."""
        if not self.ready():
            return 0
        _, applied = self._index()
        with self.db.session() as session:
            cursor = self._cursor(session)
            stmt = (
                select(Change)
                .where(Change.number > cursor.last_change)
                .order_by(Change.number)
                .limit(BATCH)
            )
            if applied is not None:
                stmt = stmt.where(Change.number <= applied)
            changes = list(session.scalars(stmt))
            ids = sorted({c.entity_id for c in changes if c.entity == "record"})
            documents.index_documents(session, ids)
            for record in session.scalars(select(Record).where(Record.id.in_(ids))) if ids else ():
                if record.kind == "person":
                    service.link_record(session, record, self.candidates, self.weights)
            if changes:
                cursor.last_change = changes[-1].number
            if self.messaging is not None:
                hits = list(
                    session.scalars(
                        select(Hit.id).where(Hit.id > cursor.last_hit).order_by(Hit.id).limit(BATCH)
                    )
                )
                patterns.run(session, self.messaging, ids, hits)
                if hits:
                    cursor.last_hit = hits[-1]
                service.notify_pending(session, self.messaging)
        return len(changes)

    def _cursor(self, session: Session) -> LinkCursor:
        cursor = session.get(LinkCursor, 1, with_for_update=True)
        if cursor is None:
            # From the first change: every record is linked once through the feed. A large
            # store links faster by a full run (`interlink links run`), which moves the
            # cursor past what it linked.
            cursor = LinkCursor(id=1, last_change=0)
            session.add(cursor)
            session.flush()
        return cursor

    def safe_step(self) -> int:
        try:
            return self.step()
        except (IntegrityError, OperationalError) as exc:  # another process took the batch
            log.info("linking step skipped: %s", str(exc).splitlines()[0][:200])
            return 0


def worker(linker: IncrementalLinker) -> PeriodicWorker:
    return PeriodicWorker("linking-incremental", STEP_SECONDS, linker.safe_step).start()


__all__ = ["IncrementalLinker", "worker"]
