"""What one running application holds: settings, database, audit writer, capability extras."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from interlink.config import Settings
from interlink.core.audit import AuditWriter
from interlink.core.db import Database


@dataclass(slots=True)
class AppState:
    settings: Settings
    db: Database
    audit_writer: AuditWriter
    # Capabilities keep their per-process objects here (the screening index, for one).
    extras: dict[str, Any] = field(default_factory=dict)
