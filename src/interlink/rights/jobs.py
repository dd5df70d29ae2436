"""Background work of the rights capability: the consultation clocks (reminders,
escalation), once an hour."""

from __future__ import annotations

from interlink.core.background import PeriodicWorker
from interlink.rights import service
from interlink.state import AppState

TICK_SECONDS = 3600.0


def rights_workers(state: AppState) -> list[PeriodicWorker]:
    def tick() -> None:
        with state.db.session() as session:
            service.tick(session)

    return [PeriodicWorker("rights-clock", TICK_SECONDS, tick).start()]
