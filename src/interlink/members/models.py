"""Tables: member countries, organisations, users, API tokens, web sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interlink.core.db import Base, utcnow


class Member(Base):
    __tablename__ = "members"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)  # ISO 3166-1 alpha-2
    name: Mapped[str] = mapped_column(String(120))
    region: Mapped[str] = mapped_column(String(24))
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    in_arrears: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), index=True)  # core.auth.OrgKind
    name: Mapped[str] = mapped_column(String(200))
    # Short unique handle: "NCB-MA", "GS", "AGENCY-MA-BORDER", "PARTNER-SKYWAYS".
    code: Mapped[str] = mapped_column(String(40), unique=True)
    country: Mapped[str | None] = mapped_column(ForeignKey("members.code"), index=True)
    # An agency is authorised by, and answers to, its country's NCB.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The bureau's pages: language when neither the user nor the browser says, and digits
    # ("latn" or "arab", Arabic-Indic) for numbers and dates (core/i18n.py).
    default_language: Mapped[str | None] = mapped_column(String(8))
    digits: Mapped[str] = mapped_column(String(8), default="latn", server_default="latn")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    roles: Mapped[list[Any]] = mapped_column(JSON, default=list)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    language: Mapped[str | None] = mapped_column(String(8))  # None: negotiate (core/i18n.py)

    org: Mapped[Organisation] = relationship(lazy="joined")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    permissions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    last_used_addr: Mapped[str | None] = mapped_column(String(64))

    org: Mapped[Organisation] = relationship(lazy="joined")


class WebSession(Base):
    __tablename__ = "web_sessions"
    __table_args__ = (UniqueConstraint("id_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The cookie holds a random id; the table only its hash, so a leaked table logs no one in.
    id_hash: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    # A password alone yields a half session that can only complete the TOTP step.
    mfa_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    # A first-time second factor: shown for enrolment, moved to the user once a code proves it.
    pending_totp_secret: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    client_addr: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship(lazy="joined")


class LoginThrottle(Base):
    """Failed-login counters and back-off (members/throttle.py), and the addresses from which
    each account has logged in. `kind` says what `subject` names: 'pair' (username and
    address), 'address', 'account' (a username, existing or not) or 'known' (username and an
    address that logged in successfully)."""

    __tablename__ = "login_throttles"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject: Mapped[str] = mapped_column(String(160), primary_key=True)
    username: Mapped[str | None] = mapped_column(String(80), index=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[datetime | None]
    last_at: Mapped[datetime] = mapped_column(default=utcnow)
