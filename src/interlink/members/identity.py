"""Who is calling: API tokens, password + TOTP logins, web sessions.

Failed logins are throttled (members/throttle.py), never answered differently from a wrong
password, and never end a session; a user whose roles require a second factor gets only a
half session (mfa_pending) from the password, which can do nothing but complete the TOTP step.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from interlink.core import audit
from interlink.core.audit import Actor, Event
from interlink.core.auth import (
    MFA_ROLES,
    OrgKind,
    Perm,
    Principal,
    Role,
    permissions_for,
    split_token,
    token_secret_matches,
    totp_step,
    verify_password,
)
from interlink.core.errors import DomainError, Unauthenticated
from interlink.members import throttle
from interlink.members.models import ApiToken, Organisation, User, WebSession
from interlink.members.throttle import ThrottlePolicy


def principal_for_user(
    user: User, *, client_addr: str | None = None, request_id: str | None = None
) -> Principal:
    roles = frozenset(Role(r) for r in user.roles)
    return Principal(
        label=user.username,
        org_id=user.org_id,
        org_kind=OrgKind(user.org.kind),
        country=user.org.country,
        roles=roles,
        permissions=permissions_for(roles),
        user_id=user.id,
        client_addr=client_addr,
        request_id=request_id,
        parent_org_id=user.org.parent_id,
        language=user.language,
        org_language=user.org.default_language,
        digits=user.org.digits,
    )


def _org_usable(org: Organisation) -> bool:
    return org.active


def authenticate_token(
    session: Session, raw: str, *, client_addr: str | None = None, request_id: str | None = None
) -> Principal:
    parts = split_token(raw.strip())
    if parts is None:
        raise Unauthenticated("malformed API token")
    public_id, secret = parts
    token = session.scalars(select(ApiToken).where(ApiToken.public_id == public_id)).first()
    now = datetime.now(UTC)
    if token is None or not token_secret_matches(token.secret_hash, secret):
        raise Unauthenticated("unknown API token")
    if token.revoked_at is not None:
        raise Unauthenticated("this API token was revoked")
    if token.expires_at <= now:
        raise Unauthenticated("this API token has expired")
    if not _org_usable(token.org):
        raise Unauthenticated("this token's organisation is inactive")
    # Last use is kept to the minute: one write per token per minute, not per request.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at, token.last_used_addr = now, client_addr
    return Principal(
        label=f"token:{token.name}",
        org_id=token.org_id,
        org_kind=OrgKind(token.org.kind),
        country=token.org.country,
        permissions=frozenset(Perm(p) for p in token.permissions),
        token_id=token.id,
        client_addr=client_addr,
        request_id=request_id,
        parent_org_id=token.org.parent_id,
        org_language=token.org.default_language,
        digits=token.org.digits,
    )


def _hash_session_id(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(slots=True)
class LoginResult:
    cookie_value: str
    web_session: WebSession
    needs_totp: bool
    needs_enrolment: bool


@dataclass(slots=True)
class LoginRefused:
    """A refusal is returned, not raised, so the caller commits the failure count and audit
    entry before telling the user."""

    error: DomainError


def needs_mfa(user: User) -> bool:
    return any(Role(r) in MFA_ROLES for r in user.roles)


def login(
    session: Session,
    username: str,
    password: str,
    *,
    policy: ThrottlePolicy,
    session_hours: int,
    client_addr: str | None = None,
) -> LoginResult | LoginRefused:
    """Check a password. Every refusal, throttled or not, is the same 'wrong username or
    password' (and takes the same password-hashing time)."""
    now = datetime.now(UTC)
    name = username.strip().lower()[:80]
    user = session.scalars(select(User).where(User.username == name)).first()
    actor = Actor(label=username[:80], client_addr=client_addr)
    wrong = LoginRefused(Unauthenticated("wrong username or password"))
    if throttle.is_throttled(session, name, client_addr, now):
        verify_password(None, password)  # the same work as a real check
        audit.record(
            session, actor, Event("login", "user", user.id if user else None, outcome="throttled")
        )
        return wrong
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active or not _org_usable(user.org):
        throttle.record_failure(session, policy, name, client_addr, now)
        audit.record(
            session, actor, Event("login", "user", user.id if user else None, outcome="denied")
        )
        return wrong
    mfa = needs_mfa(user)
    if not mfa:
        throttle.record_success(session, name, client_addr, now)
    raw = secrets.token_urlsafe(32)
    web_session = WebSession(
        id_hash=_hash_session_id(raw),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        mfa_pending=mfa,
        expires_at=now + (timedelta(minutes=10) if mfa else timedelta(hours=session_hours)),
        client_addr=client_addr,
    )
    session.add(web_session)
    if not mfa:
        user.last_login_at = now
    audit.record(
        session,
        Actor(label=user.username, user_id=user.id, org_id=user.org_id, client_addr=client_addr),
        Event("login", "user", user.id, outcome="mfa_pending" if mfa else "ok"),
    )
    session.flush()
    return LoginResult(raw, web_session, mfa, mfa and not user.totp_secret)


def complete_totp(
    session: Session,
    web_session: WebSession,
    code: str,
    *,
    policy: ThrottlePolicy,
    session_hours: int,
) -> LoginRefused | None:
    """The second step. Failures count with the password's; once they are throttled the
    half session (the guesser's own, never the owner's sessions) is dropped."""
    user = web_session.user
    addr = web_session.client_addr
    actor = Actor(label=user.username, user_id=user.id, org_id=user.org_id, client_addr=addr)
    now = datetime.now(UTC)
    secret = user.totp_secret or web_session.pending_totp_secret
    throttled = throttle.is_throttled(session, user.username, addr, now)
    step = totp_step(secret, code, user.totp_last_step) if secret and not throttled else None
    if step is None:
        if not throttled:
            throttle.record_failure(session, policy, user.username, addr, now)
        if throttle.is_throttled(session, user.username, addr, now):
            session.delete(web_session)
        audit.record(
            session,
            actor,
            Event("login.totp", "user", user.id, outcome="throttled" if throttled else "denied"),
        )
        return LoginRefused(Unauthenticated("wrong or reused code"))
    if not user.totp_secret:
        user.totp_secret = secret
        web_session.pending_totp_secret = None
    throttle.record_success(session, user.username, addr, now)
    user.totp_last_step = step
    user.last_login_at = now
    web_session.mfa_pending = False
    web_session.expires_at = now + timedelta(hours=session_hours)
    audit.record(session, actor, Event("login.totp", "user", user.id))
    return None


def web_session_for(session: Session, raw: str | None) -> WebSession | None:
    if not raw:
        return None
    web_session = session.scalars(
        select(WebSession).where(WebSession.id_hash == _hash_session_id(raw))
    ).first()
    if web_session is None or web_session.expires_at <= datetime.now(UTC):
        return None
    user = web_session.user
    if not user.active or not _org_usable(user.org):
        return None
    return web_session


def logout(session: Session, raw: str | None) -> None:
    if raw:
        session.execute(delete(WebSession).where(WebSession.id_hash == _hash_session_id(raw)))
