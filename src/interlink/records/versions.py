"""Version history shared by records and notices: every change keeps the full content."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.core.access import RestrictedMixin
from interlink.core.auth import Principal
from interlink.records.models import Version
from interlink.records.restrictions import restrictions_snapshot


def json_diff(old: Any, new: Any, path: str = "") -> list[dict[str, Any]]:
    """Field-level differences between two JSON documents, as {path, old, new} items."""
    if isinstance(old, dict) and isinstance(new, dict):
        changes: list[dict[str, Any]] = []
        for key in sorted(set(old) | set(new)):
            changes.extend(json_diff(old.get(key), new.get(key), f"{path}.{key}" if path else key))
        return changes
    if old != new:
        return [{"path": path or "(all)", "old": old, "new": new}]
    return []


def add_version(
    session: Session,
    principal: Principal,
    *,
    entity: str,
    row: RestrictedMixin,
    entity_id: int,
    version: int,
    data: dict[str, Any],
    change: str,
    reason: str | None = None,
    previous: dict[str, Any] | None = None,
) -> Version:
    entry = Version(
        entity=entity,
        entity_id=entity_id,
        version=version,
        change=change,
        reason=reason,
        data=data,
        restrictions=restrictions_snapshot(row, row.retention_until),
        diff=json_diff(previous, data) if previous is not None else [],
        changed_by=principal.label,
        changed_by_org_id=principal.org_id,
    )
    session.add(entry)
    return entry


def history(session: Session, entity: str, entity_id: int) -> list[Version]:
    stmt = (
        select(Version)
        .where(Version.entity == entity, Version.entity_id == entity_id)
        .order_by(Version.version)
    )
    return list(session.scalars(stmt))
