"""What one running application holds: settings, database, audit writer, and the
capabilities' per-process objects (typed, built by interlink.wiring)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from interlink.config import Settings
from interlink.core.audit import AuditWriter
from interlink.core.db import Database

if TYPE_CHECKING:
    from interlink.wiring import ProcessServices


@dataclass(slots=True)
class AppState:
    settings: Settings
    db: Database
    audit_writer: AuditWriter
    services: ProcessServices = None  # type: ignore[assignment]  # set by with_services

    def with_services(self) -> AppState:
        from interlink.wiring import build_services

        self.services = build_services(self)
        return self
