"""What messaging needs besides the database: the key folder, answer deadlines, webhook policy.

One `MessagingContext` per process, built from the settings and kept in `AppState.services`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from interlink.config import Settings
from interlink.messaging.crypto import Keyring
from interlink.messaging.models import Priority
from interlink.state import AppState

DEFAULT_ANSWER_HOURS = 12.0  # the Schengen rule for answering a hit


@dataclass(frozen=True, slots=True)
class Deadlines:
    """How long the owner of a record has to answer a hit, by priority."""

    hours: Mapping[Priority, float] = field(default_factory=dict)

    def answer_within(self, priority: Priority) -> timedelta:
        return timedelta(hours=self.hours.get(priority, DEFAULT_ANSWER_HOURS))

    @classmethod
    def from_setting(cls, raw: Mapping[str, float]) -> Deadlines:
        try:
            hours = {Priority(name): float(value) for name, value in raw.items()}
        except ValueError as exc:
            raise ValueError(f"followup_answer_hours: {exc}; use routine, urgent or flash") from exc
        if any(not 0 < value <= 24 * 30 for value in hours.values()):
            raise ValueError("followup_answer_hours: each deadline is above 0 and at most 720")
        return cls(hours)


@dataclass(frozen=True, slots=True)
class WebhookPolicy:
    """Retries back off exponentially from `base` up to `cap`, then give up."""

    base: timedelta = timedelta(seconds=10)
    cap: timedelta = timedelta(hours=1)
    max_attempts: int = 8
    timeout_seconds: float = 10.0
    poll_seconds: float = 2.0
    batch: int = 20

    def delay_after(self, attempts: int) -> timedelta:
        delay: timedelta = self.base * 2 ** max(attempts - 1, 0)
        return min(delay, self.cap)


@dataclass(frozen=True, slots=True)
class MessagingContext:
    keys: Keyring
    deadlines: Deadlines = Deadlines()
    webhooks: WebhookPolicy = WebhookPolicy()


def context_for(settings: Settings) -> MessagingContext:
    return MessagingContext(
        keys=Keyring(settings.messaging_keys_dir),
        deadlines=Deadlines.from_setting(settings.followup_answer_hours),
    )


def context_of(state: AppState) -> MessagingContext:
    """The process's context (interlink.wiring builds it with the application)."""
    return state.services.messaging


def install_context(state: AppState, context: MessagingContext) -> None:
    """Use this context in the process (tests use a short webhook back-off)."""
    state.services.messaging = context
