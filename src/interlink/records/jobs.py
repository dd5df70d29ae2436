"""Background work of the records capability: the hourly retention sweep."""

from __future__ import annotations

from interlink.core.background import PeriodicWorker
from interlink.records import notices
from interlink.records import service as records
from interlink.state import AppState

SWEEP_SECONDS = 3600.0


def install(state: AppState) -> None:
    """Give other capabilities their door to records (joint operations read shared ones)."""
    state.extras["records.reader"] = records.RecordsReader()


def retention_workers(state: AppState) -> list[PeriodicWorker]:
    def sweep() -> None:
        with state.db.session() as session:
            records.retention_sweep(session)
            notices.expire_notices(session)

    return [PeriodicWorker("retention-sweep", SWEEP_SECONDS, sweep).start()]
