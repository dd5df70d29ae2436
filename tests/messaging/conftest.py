"""Messaging fixtures: a key folder per test, principals of a few organisations."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from interlink.core.auth import Principal, Role
from interlink.messaging.context import MessagingContext, context_for
from tests.support import World


@pytest.fixture
def ctx(world: World) -> MessagingContext:
    return context_for(world.settings)


@dataclass
class Cast:
    """Officers of three bureaus and of the General Secretariat."""

    ma: Principal
    fr: Principal
    de: Principal
    gs: Principal


@pytest.fixture
def cast(world: World) -> Cast:
    return Cast(
        *(
            world.principal(world.user(org, Role.OFFICER))
            for org in ("NCB-MA", "NCB-FR", "NCB-DE", "GS")
        )
    )
