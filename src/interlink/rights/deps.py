"""What the rights routes need from the application state."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from interlink.deps import app_state
from interlink.messaging.context import context_of
from interlink.messaging.crypto import Keyring
from interlink.rights.clock import RightsPolicy


def policy(request: Request) -> RightsPolicy:
    return RightsPolicy.from_settings(app_state(request).settings)


def keys(request: Request) -> Keyring:
    return context_of(app_state(request)).keys


def server_key(request: Request) -> bytes:
    return app_state(request).settings.secret_key


def person_index(request: Request) -> Any | None:
    """The process's live screening index of persons, once built (else the service scores
    the database's persons one by one)."""
    engine = app_state(request).services.screener.engine
    return engine.persons if engine.ready else None
