"""Request-scoped helpers shared by every capability's routes: state, principal, transactions.

Routes open their unit of work explicitly (`with unit_of_work(request) as session:`) so the
commit, and with it the audit entry, happens before the response is sent.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from interlink.core.auth import Perm, Principal
from interlink.core.errors import Forbidden, Unauthenticated
from interlink.members import identity
from interlink.state import AppState

# Path ids are bounded so an absurd number is a 422, not a database overflow.
Id = Annotated[int, Path(ge=1, le=2**62)]

SESSION_COOKIE = "interlink_session"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.interlink  # set by create_app
    return state


@contextmanager
def unit_of_work(request: Request) -> Iterator[Session]:
    with app_state(request).db.session() as session:
        yield session


def client_addr(request: Request) -> str | None:
    return request.client.host if request.client else None


def request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


def _principal(request: Request, *, allow_mfa_pending: bool = False) -> Principal | None:
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    state = app_state(request)
    auth = request.headers.get("authorization", "")
    if auth:
        scheme, _, raw = auth.partition(" ")
        if scheme.lower() != "bearer" or not raw:
            raise Unauthenticated("use 'Authorization: Bearer <token>'")
        principal = _token_principal(request, raw)
        request.state.principal = principal
        return principal
    with state.db.session() as session:
        web_session = identity.web_session_for(session, request.cookies.get(SESSION_COOKIE))
        if web_session is None or (web_session.mfa_pending and not allow_mfa_pending):
            return None
        # Cookies ride along on cross-site requests: unsafe ones must prove they come from
        # our own pages (form field or header carrying the session's CSRF token).
        request.state.csrf_token = web_session.csrf_token
        principal = identity.principal_for_user(
            web_session.user, client_addr=client_addr(request), request_id=request_id(request)
        )
    request.state.principal = principal
    return principal


# Machine clients (border systems) call many times a second: a checked token is trusted for
# a few seconds without a database round trip. A revocation takes effect within that time
# (at once in the process that revoked it).
TOKEN_CACHE_SECONDS = 5.0
_TOKEN_CACHE_MAX = 10_000


def token_cache(request: Request) -> dict[str, tuple[Principal, float]]:
    return app_state(request).services.token_cache


def _token_principal(request: Request, raw: str) -> Principal:
    cache = token_cache(request)
    key = hashlib.sha256(raw.encode()).hexdigest()
    now = time.monotonic()
    cached = cache.get(key)
    if cached is not None and cached[1] > now:
        return replace(cached[0], client_addr=client_addr(request), request_id=request_id(request))
    with app_state(request).db.session() as session:
        principal = identity.authenticate_token(
            session, raw, client_addr=client_addr(request), request_id=request_id(request)
        )
    if len(cache) >= _TOKEN_CACHE_MAX:
        cache.clear()
    cache[key] = (principal, now + TOKEN_CACHE_SECONDS)
    return principal


def optional_principal(request: Request) -> Principal | None:
    return _principal(request)


def current_principal(request: Request) -> Principal:
    principal = _principal(request)
    if principal is None:
        raise Unauthenticated("log in or send an API token")
    if request.method in UNSAFE_METHODS and principal.token_id is None:
        check_csrf(request, request.headers.get(CSRF_HEADER))
    return principal


def check_csrf(request: Request, sent: str | None) -> None:
    expected = getattr(request.state, "csrf_token", None)
    if not sent or not expected or not secrets.compare_digest(sent, expected):
        raise Forbidden("missing or wrong CSRF token: reload the page and try again")


def requires(perm: Perm) -> Callable[[Principal], Principal]:
    def check(principal: Principal = Depends(current_principal)) -> Principal:
        principal.require(perm)
        return principal

    return check


def names_like(request: Request, principal: Principal, text: str) -> list[int]:
    """Persons the screening matcher finds like `text` in any script, for a list's search."""
    return app_state(request).services.screener.names_like(principal, text)
