"""Start-up of the screening capability: build the indexes, then follow the change feed."""

from __future__ import annotations

import threading

from interlink.core.background import PeriodicWorker
from interlink.screening import alerts  # noqa: F401 - registers the owner's alert
from interlink.screening.engine import ScreeningEngine
from interlink.screening.service import Screener
from interlink.state import AppState

# A change committed by any process shows in searches within this many seconds (plus the
# time to apply it): well inside the one second users are promised.
REFRESH_SECONDS = 0.2


def install(state: AppState) -> Screener:
    """Create the screener (indexes empty until built) and register its readiness."""
    engine = ScreeningEngine(state.db)
    screener = Screener(engine, state.settings.secret_key)
    state.extras["screener"] = screener
    state.extras.setdefault("readiness", {})["screening"] = lambda: engine.ready
    return screener


def screening_workers(state: AppState) -> list[PeriodicWorker]:
    screener: Screener = state.extras.get("screener") or install(state)
    engine = screener.engine
    worker = PeriodicWorker("screening-refresh", REFRESH_SECONDS,
                            lambda: engine.refresh() if engine.ready else 0)
    # Building a large index takes a while: do it beside the server, which answers /readyz
    # with 503 and screening calls with 429 until it is done.
    threading.Thread(target=engine.build, name="screening-build", daemon=True).start()
    return [worker.start()]
