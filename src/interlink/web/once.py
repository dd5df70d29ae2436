"""What a page shows once after a POST (a new token's secret, a request code and its
secret), carried across the redirect that follows the POST so that a reload never repeats
it. The values travel in an encrypted, short-lived cookie scoped to the page that shows
them, which deletes it: never stored in the database, never in an address."""

from __future__ import annotations

import base64
import json
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import Request
from fastapi.responses import Response

from interlink.deps import app_state
from interlink.web.render import redirect

ONCE_COOKIE = "interlink_once"
SHOWN_FOR_SECONDS = 300


def _aead(request: Request) -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"interlink shown-once cookie"
    ).derive(app_state(request).settings.secret_key)
    return AESGCM(key)


def redirect_showing(request: Request, page: str, values: dict[str, str]) -> Response:
    """303 to `page`, which will show `values` once (`take_shown`)."""
    nonce = secrets.token_bytes(12)
    sealed = _aead(request).encrypt(nonce, json.dumps(values).encode(), page.encode())
    response = redirect(page)
    response.set_cookie(
        ONCE_COOKIE,
        base64.urlsafe_b64encode(nonce + sealed).decode(),
        path=page,
        max_age=SHOWN_FOR_SECONDS,
        httponly=True,
        samesite="strict",
        secure=app_state(request).settings.secure_cookies,
    )
    return response


def take_shown(request: Request) -> dict[str, str] | None:
    """The values sealed for this page, or None (none sent, expired, tampered with, or
    sealed for another page)."""
    raw = request.cookies.get(ONCE_COOKIE)
    if not raw:
        return None
    try:
        blob = base64.urlsafe_b64decode(raw.encode())
        opened = _aead(request).decrypt(blob[:12], blob[12:], request.url.path.encode())
        values = json.loads(opened)
    except (ValueError, InvalidTag):
        return None
    return values if isinstance(values, dict) else None


def forget_shown(request: Request, response: Response) -> Response:
    """Deletes the cookie: a reload of the page shows the values no more."""
    response.delete_cookie(ONCE_COOKIE, path=request.url.path)
    return response
