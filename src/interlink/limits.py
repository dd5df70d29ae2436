"""Request body limits per route, enforced while the body streams in (docs/security.md).

A route's limit is found by its path: messages that carry attachments and bulk screening take
what config.py allows them, every other route the small default. The check runs before any
route parses the body: a declared Content-Length over the limit is refused at the first read,
and a body sent without one (chunked) is counted and refused as soon as it passes the limit,
so nothing over the limit is ever buffered whole. The refusal is an HTTPException(413), which
FastAPI passes through its body parsing untouched and app.py renders as problem+json (or the
HTML error page for a page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interlink.config import Settings
from interlink.core.i18n import msg

# Routes whose bodies carry attachments (JSON with base64 content, or a multipart form).
_ATTACHMENT_ROUTES = re.compile(
    r"^(?:/api/v1/threads(?:/\d+/messages)?|/messages/new|/messages/\d+/reply)/?$"
)
# Bulk screening: up to 1,000 checks in one call.
_BATCH_ROUTES = re.compile(r"^/api/v1/screen/batch/?$")


@dataclass(frozen=True, slots=True)
class BodyLimits:
    default: int
    attachments: int
    batch: int

    @classmethod
    def from_settings(cls, settings: Settings) -> BodyLimits:
        return cls(
            settings.max_body_bytes,
            settings.max_attachment_body_bytes,
            settings.max_batch_body_bytes,
        )

    def for_path(self, path: str) -> int:
        if _ATTACHMENT_ROUTES.match(path):
            return self.attachments
        if _BATCH_ROUTES.match(path):
            return self.batch
        return self.default


def _too_large(limit: int) -> HTTPException:
    return HTTPException(
        413,
        msg("the request body is larger than this route accepts (%(limit)s bytes)", limit=limit),
    )


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.for_path(scope["path"])
        declared: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value
                break
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            if declared is not None and (not declared.strip().isdigit() or int(declared) > limit):
                raise _too_large(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _too_large(limit)
            return message

        await self.app(scope, counting_receive, send)
