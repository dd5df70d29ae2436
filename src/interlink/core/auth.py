"""Principals, roles and permissions, password hashing (argon2id), API tokens, TOTP.

Pure functions and value types: the tables live in `members.models`, the login flow in
`members.identity`.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from interlink.core.access import Viewer
from interlink.core.audit import Actor
from interlink.core.errors import Forbidden
from interlink.core.i18n import msg


class OrgKind(enum.StrEnum):
    GENERAL_SECRETARIAT = "general_secretariat"
    NCB = "ncb"
    AGENCY = "agency"  # a national agency authorised by its NCB
    INTERNATIONAL = "international"  # UN tribunals, the ICC
    PARTNER = "partner"  # private-sector partner under a cooperation agreement
    OVERSIGHT = "oversight"


class Role(enum.StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    NCB_ADMIN = "ncb_admin"
    COMPLIANCE_REVIEWER = "compliance_reviewer"
    ANALYST = "analyst"
    DELEGATE = "delegate"
    OVERSIGHT = "oversight"
    GS_ADMIN = "gs_admin"
    PARTNER = "partner"


class Perm(enum.StrEnum):
    RECORDS_READ = "records.read"
    RECORDS_WRITE = "records.write"
    NOTICES_SUBMIT = "notices.submit"
    NOTICES_REVIEW = "notices.review"
    SCREEN_PERSON = "screen.person"
    SCREEN_DOCUMENT = "screen.document"
    SCREEN_VEHICLE = "screen.vehicle"
    MESSAGES = "messages"
    USERS_MANAGE = "users.manage"
    TOKENS_MANAGE = "tokens.manage"
    AUDIT_OWN = "audit.own"
    AUDIT_ALL = "audit.all"
    ASSEMBLY_VOTE = "assembly.vote"
    ASSEMBLY_ADMIN = "assembly.admin"
    BLOCKLIST_SUBMIT = "blocklist.submit"
    BLOCKLIST_PUBLISH = "blocklist.publish"
    BLOCKLIST_FEED = "blocklist.feed"
    ANALYTICS = "analytics"
    RIGHTS_CASEWORK = "rights.casework"  # the oversight commission's cases
    RIGHTS_ANSWER = "rights.answer"  # answer the commission's consultations, acknowledge orders
    PLATFORM_ADMIN = "platform.admin"


_OFFICER = {
    Perm.RECORDS_READ,
    Perm.SCREEN_PERSON,
    Perm.SCREEN_DOCUMENT,
    Perm.SCREEN_VEHICLE,
    Perm.MESSAGES,
}
ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.OFFICER: frozenset(_OFFICER),
    Role.SUPERVISOR: frozenset(
        _OFFICER
        | {
            Perm.RECORDS_WRITE,
            Perm.NOTICES_SUBMIT,
            Perm.AUDIT_OWN,
            Perm.BLOCKLIST_SUBMIT,
            Perm.RIGHTS_ANSWER,
        }
    ),
    Role.NCB_ADMIN: frozenset({Perm.USERS_MANAGE, Perm.TOKENS_MANAGE, Perm.AUDIT_OWN}),
    Role.COMPLIANCE_REVIEWER: frozenset(
        {Perm.RECORDS_READ, Perm.NOTICES_REVIEW, Perm.RIGHTS_ANSWER}
    ),
    Role.ANALYST: frozenset({Perm.RECORDS_READ, Perm.SCREEN_PERSON, Perm.ANALYTICS}),
    Role.DELEGATE: frozenset({Perm.ASSEMBLY_VOTE}),
    Role.OVERSIGHT: frozenset({Perm.AUDIT_ALL, Perm.RECORDS_READ, Perm.RIGHTS_CASEWORK}),
    Role.GS_ADMIN: frozenset(
        {
            Perm.PLATFORM_ADMIN,
            Perm.USERS_MANAGE,
            Perm.TOKENS_MANAGE,
            Perm.AUDIT_OWN,
            Perm.ASSEMBLY_ADMIN,
            Perm.BLOCKLIST_PUBLISH,
        }
    ),
    # BLOCKLIST_FEED lets the GS grant it to an Internet provider's token (grantable
    # permissions derive from these roles); the feed itself accepts tokens only.
    Role.PARTNER: frozenset({Perm.SCREEN_DOCUMENT, Perm.BLOCKLIST_FEED}),
}

# Roles whose holders must use a second factor at login.
MFA_ROLES = frozenset({Role.NCB_ADMIN, Role.GS_ADMIN, Role.COMPLIANCE_REVIEWER, Role.OVERSIGHT})

# Which roles each kind of organisation may hold: a partner's user can never be an officer.
ROLES_BY_ORG_KIND: dict[OrgKind, frozenset[Role]] = {
    OrgKind.GENERAL_SECRETARIAT: frozenset(
        {Role.GS_ADMIN, Role.COMPLIANCE_REVIEWER, Role.ANALYST, Role.OFFICER}
    ),
    OrgKind.NCB: frozenset(
        {Role.OFFICER, Role.SUPERVISOR, Role.NCB_ADMIN, Role.ANALYST, Role.DELEGATE}
    ),
    OrgKind.AGENCY: frozenset({Role.OFFICER, Role.SUPERVISOR, Role.ANALYST}),
    OrgKind.INTERNATIONAL: frozenset({Role.OFFICER, Role.SUPERVISOR, Role.ANALYST}),
    OrgKind.PARTNER: frozenset({Role.PARTNER}),
    OrgKind.OVERSIGHT: frozenset({Role.OVERSIGHT}),
}


def permissions_for(roles: frozenset[Role]) -> frozenset[Perm]:
    perms: set[Perm] = set()
    for role in roles:
        perms |= ROLE_PERMISSIONS[role]
    return frozenset(perms)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting: a logged-in user or an API token, always on behalf of one organisation."""

    label: str
    org_id: int
    org_kind: OrgKind
    country: str | None  # member code of the organisation (an agency's is its NCB's)
    roles: frozenset[Role] = frozenset()
    permissions: frozenset[Perm] = frozenset()
    user_id: int | None = None
    token_id: int | None = None
    client_addr: str | None = None
    request_id: str | None = None
    parent_org_id: int | None = None
    extra: dict[str, str] = field(default_factory=dict)
    # Language preferences (core/i18n.py): the user's own, the bureau's default, its digits.
    language: str | None = None
    org_language: str | None = None
    digits: str = "latn"

    def has(self, perm: Perm) -> bool:
        return perm in self.permissions

    def require(self, perm: Perm) -> None:
        if perm not in self.permissions:
            raise Forbidden(
                msg("this action needs the '%(perm_value)s' permission", perm_value=perm.value)
            )

    @property
    def actor(self) -> Actor:
        return Actor(
            label=self.label,
            user_id=self.user_id,
            token_id=self.token_id,
            org_id=self.org_id,
            client_addr=self.client_addr,
            request_id=self.request_id,
        )

    @property
    def viewer(self) -> Viewer:
        return Viewer(
            org_id=self.org_id,
            org_kind=self.org_kind.value,
            country=self.country,
            parent_org_id=self.parent_org_id,
        )


# --- passwords -------------------------------------------------------------------------------

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Constant work whether or not the user exists, so timing does not reveal usernames."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    if len(password) < 12:
        return "a password needs at least 12 characters"
    if password.lower() == password or password.upper() == password:
        return "a password needs both upper- and lower-case letters"
    return None


# --- API tokens --------------------------------------------------------------------------------

TOKEN_PREFIX = "il"


@dataclass(frozen=True, slots=True)
class IssuedToken:
    public_id: str
    secret_hash: str
    plaintext: str  # shown once to its creator, never stored


def issue_token() -> IssuedToken:
    public_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return IssuedToken(public_id, hash_token_secret(secret), f"{TOKEN_PREFIX}_{public_id}_{secret}")


def hash_token_secret(secret: str) -> str:
    # A 256-bit random secret needs no slow hash: SHA-256 resists brute force already.
    return hashlib.sha256(secret.encode()).hexdigest()


def split_token(token: str) -> tuple[str, str] | None:
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def token_secret_matches(stored_hash: str, secret: str) -> bool:
    return hmac.compare_digest(stored_hash, hash_token_secret(secret))


# --- TOTP ----------------------------------------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, account: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name="Interlink")


def totp_step(
    secret: str, code: str, last_step: int | None, now: float | None = None
) -> int | None:
    """The time step a valid code belongs to, or None. A step already used is refused (replay)."""
    totp = pyotp.TOTP(secret)
    for drift in (0, -1, 1):
        at = (now if now is not None else _now()) + drift * totp.interval
        step = int(at // totp.interval)
        if hmac.compare_digest(totp.at(at), code.strip()):
            if last_step is not None and step <= last_step:
                return None
            return step
    return None


def _now() -> float:
    import time

    return time.time()
