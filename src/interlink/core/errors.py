"""Domain errors, rendered as problem+json (RFC 9457) over HTTP and as one-line CLI errors."""

from __future__ import annotations

from typing import Any

from interlink.core.i18n import N_


class DomainError(Exception):
    """Base of every error a user can cause. Subclasses fix the HTTP status and CLI exit code."""

    status: int = 400
    title: str = N_("Bad request")
    exit_code: int = 2

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://interlink.example/problems/{self.slug}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body

    @property
    def slug(self) -> str:
        return self.title.lower().replace(" ", "-")


class InvalidInput(DomainError):
    status, title, exit_code = 422, N_("Invalid input"), 2


class Unauthenticated(DomainError):
    status, title, exit_code = 401, N_("Not authenticated"), 3


class Forbidden(DomainError):
    status, title, exit_code = 403, N_("Forbidden"), 3


class NotFound(DomainError):
    """Also used where revealing existence would leak: a record one may not see is 'not found'."""

    status, title, exit_code = 404, N_("Not found"), 4


class Conflict(DomainError):
    status, title, exit_code = 409, N_("Conflict"), 5


class Locked(DomainError):
    status, title, exit_code = 423, N_("Locked"), 3


class TooManyRequests(DomainError):
    status, title, exit_code = 429, N_("Too many requests"), 6
