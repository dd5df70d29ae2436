"""Rules for members, organisations, users and API tokens.

Scope: the General Secretariat's administrators manage every organisation; an NCB
administrator manages its own bureau and the agencies it authorised, never another bureau's.
Whatever lies outside a principal's scope is reported as not found, so its existence leaks
nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from interlink.core import audit
from interlink.core.audit import Event
from interlink.core.auth import (
    ROLES_BY_ORG_KIND,
    IssuedToken,
    OrgKind,
    Perm,
    Principal,
    Role,
    hash_password,
    issue_token,
    password_problem,
    permissions_for,
)
from interlink.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from interlink.core.i18n import DIGITS, LANGUAGES, msg
from interlink.members import throttle
from interlink.members.models import ApiToken, Member, Organisation, User
from interlink.members.regions import REGION_OF, country_name

GS_CODE = "GS"
OVERSIGHT_CODE = "CCF"


def ncb_code(country: str) -> str:
    return f"NCB-{country}"


# --- members and organisations -----------------------------------------------------------------


def seed_members(session: Session) -> int:
    """Create every member, its NCB, the General Secretariat and the oversight commission.

    Idempotent: run by `db upgrade` and by the demo; returns how many rows it added.
    """
    added = 0
    existing = set(session.scalars(select(Member.code)))
    for code, region in sorted(REGION_OF.items()):
        if code not in existing:
            session.add(Member(code=code, name=country_name(code), region=region.value))
            added += 1
    session.flush()
    orgs = set(session.scalars(select(Organisation.code)))
    wanted = [
        (GS_CODE, OrgKind.GENERAL_SECRETARIAT, "General Secretariat", None),
        (OVERSIGHT_CODE, OrgKind.OVERSIGHT, "Commission for the Control of Files", None),
    ] + [
        (ncb_code(code), OrgKind.NCB, f"NCB {country_name(code)}", code)
        for code in sorted(REGION_OF)
    ]
    for code, kind, name, country in wanted:
        if code not in orgs:
            session.add(Organisation(code=code, kind=kind.value, name=name, country=country))
            added += 1
    session.flush()
    return added


def get_member(session: Session, code: str) -> Member:
    member = session.get(Member, code.upper())
    if member is None:
        raise NotFound(msg("no member country with code %(code)r", code=code))
    return member


def list_members(session: Session) -> list[Member]:
    return list(session.scalars(select(Member).order_by(Member.code)))


def set_member_status(
    session: Session,
    principal: Principal,
    code: str,
    *,
    suspended: bool | None = None,
    in_arrears: bool | None = None,
) -> Member:
    principal.require(Perm.PLATFORM_ADMIN)
    member = get_member(session, code)
    if suspended is not None:
        member.suspended = suspended
    if in_arrears is not None:
        member.in_arrears = in_arrears
    audit.record(
        session,
        principal.actor,
        Event(
            "member.status",
            "member",
            member.code,
            detail={"suspended": member.suspended, "in_arrears": member.in_arrears},
        ),
    )
    return member


def org_by_code(session: Session, code: str) -> Organisation:
    org = session.scalars(select(Organisation).where(Organisation.code == code)).first()
    if org is None:
        raise NotFound(msg("no organisation %(code)r", code=code))
    return org


def org_labels_by_code(session: Session, codes: Iterable[str]) -> dict[str, str]:
    """org_labels for organisations known by their code (as thread participants are)."""
    wanted = set(codes)
    if not wanted:
        return {}
    rows = session.execute(
        select(Organisation.code, Organisation.name).where(Organisation.code.in_(wanted))
    )
    return {code: f"{name} ({code})" for code, name in rows}


def org_choices(session: Session) -> list[tuple[str, str]]:
    """(code, "Name (CODE)") for every active organisation, by code: for filter menus."""
    rows = session.execute(
        select(Organisation.code, Organisation.name)
        .where(Organisation.active.is_(True))
        .order_by(Organisation.code)
    )
    return [(code, f"{name} ({code})") for code, name in rows]


def ncb_of(session: Session, country: str) -> Organisation:
    return org_by_code(session, ncb_code(country.upper()))


def manageable_org_ids(session: Session, principal: Principal) -> set[int] | None:
    """Organisations whose users and tokens the principal administers; None means all."""
    if principal.has(Perm.PLATFORM_ADMIN):
        return None
    if not (principal.has(Perm.USERS_MANAGE) or principal.has(Perm.TOKENS_MANAGE)):
        return set()
    agencies = session.scalars(
        select(Organisation.id).where(Organisation.parent_id == principal.org_id)
    )
    return {principal.org_id, *agencies}


def _org_in_scope(session: Session, principal: Principal, org_id: int) -> Organisation:
    scope = manageable_org_ids(session, principal)
    org = session.get(Organisation, org_id)
    if org is None or (scope is not None and org_id not in scope):
        raise NotFound(msg("no organisation %(org_id)s that you administer", org_id=org_id))
    return org


_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,38}$")


def create_organisation(
    session: Session,
    principal: Principal,
    *,
    kind: OrgKind,
    name: str,
    code: str,
    country: str | None = None,
) -> Organisation:
    """NCB admins authorise agencies of their own country; the GS adds any other kind."""
    code = code.strip().upper()
    if not _CODE_RE.match(code):
        raise InvalidInput("an organisation code is 2-39 letters, digits or hyphens")
    if not name.strip():
        raise InvalidInput("an organisation needs a name")
    parent_id: int | None = None
    if kind is OrgKind.AGENCY:
        principal.require(Perm.USERS_MANAGE)
        if principal.org_kind is not OrgKind.NCB:
            raise Forbidden("only a National Central Bureau authorises national agencies")
        country, parent_id = principal.country, principal.org_id
    else:
        principal.require(Perm.PLATFORM_ADMIN)
        if kind in (OrgKind.NCB, OrgKind.GENERAL_SECRETARIAT, OrgKind.OVERSIGHT):
            raise Conflict(
                msg(
                    "%(kind_value)s organisations are created with the member list",
                    kind_value=kind.value,
                )
            )
        if country is not None:
            get_member(session, country)
    if session.scalars(select(Organisation.id).where(Organisation.code == code)).first():
        raise Conflict(msg("the organisation code %(code)s is taken", code=code))
    org = Organisation(
        kind=kind.value, name=name.strip(), code=code, country=country, parent_id=parent_id
    )
    session.add(org)
    session.flush()
    audit.record(
        session,
        principal.actor,
        Event(
            "organisation.create",
            "organisation",
            org.id,
            owner_org_id=parent_id or org.id,
            detail={"kind": kind.value, "code": code},
        ),
    )
    return org


# Organisation kinds a partner (an airline, a bank) may list besides its own organisation:
# it deals with the General Secretariat only, and the list of bureaus, agencies and other
# partners is none of its business (docs/security.md).
PARTNER_VISIBLE_KINDS = (OrgKind.GENERAL_SECRETARIAT,)


def list_organisations(
    session: Session,
    principal: Principal | None = None,
    *,
    kind: OrgKind | None = None,
    country: str | None = None,
) -> list[Organisation]:
    """Organisations `principal` may list (all of them for the console, `principal=None`)."""
    stmt = select(Organisation).order_by(Organisation.code)
    if principal is not None and principal.org_kind is OrgKind.PARTNER:
        stmt = stmt.where(
            or_(
                Organisation.id == principal.org_id,
                Organisation.kind.in_([k.value for k in PARTNER_VISIBLE_KINDS]),
            )
        )
    if kind is not None:
        stmt = stmt.where(Organisation.kind == kind.value)
    if country is not None:
        stmt = stmt.where(Organisation.country == country.upper())
    return list(session.scalars(stmt))


# --- users -------------------------------------------------------------------------------------


@dataclass(slots=True)
class NewUser:
    username: str
    display_name: str
    org_id: int
    roles: list[Role]
    password: str
    email: str | None = None


_USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,79}$")


def _check_roles(principal: Principal, org: Organisation, roles: list[Role]) -> None:
    if not roles:
        raise InvalidInput("a user needs at least one role", field="roles")
    allowed = ROLES_BY_ORG_KIND[OrgKind(org.kind)]
    wrong = [r.value for r in roles if r not in allowed]
    if wrong:
        raise InvalidInput(
            msg(
                "roles %(value)s cannot be held in a %(org_kind)s organisation",
                value=", ".join(wrong),
                org_kind=org.kind,
            ),
            field="roles",
        )
    if Role.GS_ADMIN in roles and not principal.has(Perm.PLATFORM_ADMIN):
        raise Forbidden("only a General Secretariat administrator appoints another")


def create_user(session: Session, principal: Principal, new: NewUser) -> User:
    principal.require(Perm.USERS_MANAGE)
    org = _org_in_scope(session, principal, new.org_id)
    username = new.username.strip().lower()
    if not _USERNAME_RE.match(username):
        raise InvalidInput(
            "a username is 3-80 lower-case letters, digits, dots, hyphens", field="username"
        )
    _check_roles(principal, org, new.roles)
    if problem := password_problem(new.password):
        raise InvalidInput(problem, field="password")
    if session.scalars(select(User.id).where(User.username == username)).first():
        raise Conflict(
            msg("the username %(username)s is taken", username=username), field="username"
        )
    user = User(
        username=username,
        display_name=new.display_name.strip() or username,
        email=new.email,
        org_id=org.id,
        roles=sorted(r.value for r in new.roles),
        password_hash=hash_password(new.password),
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        principal.actor,
        Event(
            "user.create",
            "user",
            user.id,
            owner_org_id=org.id,
            detail={"username": username, "roles": user.roles},
        ),
    )
    return user


def list_users(session: Session, principal: Principal) -> list[User]:
    principal.require(Perm.USERS_MANAGE)
    scope = manageable_org_ids(session, principal)
    stmt = select(User).order_by(User.username)
    if scope is not None:
        stmt = stmt.where(User.org_id.in_(scope))
    return list(session.scalars(stmt))


def get_user(session: Session, principal: Principal, user_id: int) -> User:
    principal.require(Perm.USERS_MANAGE)
    user = session.get(User, user_id)
    scope = manageable_org_ids(session, principal)
    if user is None or (scope is not None and user.org_id not in scope):
        raise NotFound(msg("no user %(user_id)s that you administer", user_id=user_id))
    return user


def update_user(
    session: Session,
    principal: Principal,
    user_id: int,
    *,
    roles: list[Role] | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> User:
    user = get_user(session, principal, user_id)
    changes: dict[str, object] = {}
    if roles is not None:
        _check_roles(principal, user.org, roles)
        user.roles = sorted(r.value for r in roles)
        changes["roles"] = user.roles
    if active is not None:
        if user.id == principal.user_id and not active:
            raise Conflict("you cannot deactivate yourself")
        user.active = active
        changes["active"] = active
    if password is not None:
        if problem := password_problem(password):
            raise InvalidInput(problem, field="password")
        user.password_hash = hash_password(password)
        user.failed_logins, user.locked_until = 0, None
        changes["password"] = "reset"
    audit.record(
        session,
        principal.actor,
        Event("user.update", "user", user.id, owner_org_id=user.org_id, detail=changes),
    )
    return user


# --- languages (core/i18n.py) ---------------------------------------------------------------


def set_own_language(session: Session, principal: Principal, language: str | None) -> User:
    """A user's own language; None goes back to negotiating it (browser, then bureau)."""
    if language is not None and language not in LANGUAGES:
        raise InvalidInput(msg("unknown language %(code)s", code=language[:8]), field="language")
    user = session.get(User, principal.user_id) if principal.user_id is not None else None
    if user is None:
        raise Forbidden("only a logged-in user has a language setting")
    user.language = language
    audit.record(
        session,
        principal.actor,
        Event(
            "user.language",
            "user",
            user.id,
            owner_org_id=user.org_id,
            detail={"language": language},
        ),
    )
    return user


def set_bureau_languages(
    session: Session, principal: Principal, *, default_language: str | None, digits: str
) -> Organisation:
    """The bureau's default language (for users and browsers that name none of ours) and the
    digits its pages show; an administrator of users decides for their own organisation."""
    principal.require(Perm.USERS_MANAGE)
    if default_language is not None and default_language not in LANGUAGES:
        raise InvalidInput(
            msg("unknown language %(code)s", code=default_language[:8]), field="default_language"
        )
    if digits not in DIGITS:
        raise InvalidInput("digits must be latn or arab", field="digits")
    org = session.get(Organisation, principal.org_id)
    if org is None:
        raise NotFound("no such organisation")
    org.default_language, org.digits = default_language, digits
    audit.record(
        session,
        principal.actor,
        Event(
            "organisation.languages",
            "organisation",
            org.id,
            owner_org_id=org.id,
            detail={"default_language": default_language, "digits": digits},
        ),
    )
    return org


# --- API tokens ----------------------------------------------------------------------------


def grantable_permissions(org: Organisation) -> frozenset[Perm]:
    """A token can hold at most what the organisation's users could hold."""
    return permissions_for(ROLES_BY_ORG_KIND[OrgKind(org.kind)]) - {
        Perm.USERS_MANAGE,
        Perm.TOKENS_MANAGE,
        Perm.PLATFORM_ADMIN,
    }


def create_token(
    session: Session,
    principal: Principal,
    *,
    org_id: int,
    name: str,
    permissions: list[Perm],
    days: int = 90,
) -> tuple[ApiToken, IssuedToken]:
    principal.require(Perm.TOKENS_MANAGE)
    org = _org_in_scope(session, principal, org_id)
    if not name.strip():
        raise InvalidInput("a token needs a name saying what system uses it", field="name")
    if not 1 <= days <= 366:
        raise InvalidInput("a token lives 1 to 366 days", field="days")
    if not permissions:
        raise InvalidInput("a token needs at least one permission", field="permissions")
    extra = sorted(p.value for p in set(permissions) - grantable_permissions(org))
    if extra:
        raise InvalidInput(
            msg(
                "a %(org_kind)s token cannot hold %(value)s",
                org_kind=org.kind,
                value=", ".join(extra),
            ),
            field="permissions",
        )
    issued = issue_token()
    token = ApiToken(
        public_id=issued.public_id,
        secret_hash=issued.secret_hash,
        name=name.strip(),
        org_id=org.id,
        permissions=sorted(p.value for p in permissions),
        created_by_user_id=principal.user_id,
        expires_at=datetime.now(UTC) + timedelta(days=days),
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        principal.actor,
        Event(
            "token.create",
            "token",
            token.id,
            owner_org_id=org.id,
            detail={"name": token.name, "permissions": token.permissions, "days": days},
        ),
    )
    return token, issued


def list_tokens(session: Session, principal: Principal) -> list[ApiToken]:
    principal.require(Perm.TOKENS_MANAGE)
    scope = manageable_org_ids(session, principal)
    stmt = select(ApiToken).order_by(ApiToken.id)
    if scope is not None:
        stmt = stmt.where(ApiToken.org_id.in_(scope))
    return list(session.scalars(stmt))


def revoke_token(session: Session, principal: Principal, token_id: int) -> ApiToken:
    principal.require(Perm.TOKENS_MANAGE)
    token = session.get(ApiToken, token_id)
    scope = manageable_org_ids(session, principal)
    if token is None or (scope is not None and token.org_id not in scope):
        raise NotFound(msg("no token %(token_id)s that you administer", token_id=token_id))
    if token.revoked_at is None:
        token.revoked_at = datetime.now(UTC)
        audit.record(
            session,
            principal.actor,
            Event("token.revoke", "token", token.id, owner_org_id=token.org_id),
        )
    return token


# --- login throttling --------------------------------------------------------------------------


def list_lockouts(session: Session, principal: Principal) -> list[throttle.Lockout]:
    """Failed-login counters an administrator may see: of the users it administers (a GS
    administrator: every username, existing or not, and the per-address counters)."""
    principal.require(Perm.USERS_MANAGE)
    scope = manageable_org_ids(session, principal)
    if scope is None:
        return throttle.lockouts(session, usernames=None, with_addresses=True)
    names = list(session.scalars(select(User.username).where(User.org_id.in_(scope))))
    return throttle.lockouts(session, usernames=names, with_addresses=False)


def clear_lockout(session: Session, principal: Principal, username: str) -> int:
    """Forget an account's failed logins; a user outside one's scope is not found."""
    principal.require(Perm.USERS_MANAGE)
    name = username.strip().lower()
    user = session.scalars(select(User).where(User.username == name)).first()
    scope = manageable_org_ids(session, principal)
    if scope is not None and (user is None or user.org_id not in scope):
        raise NotFound(msg("no user %(name)r that you administer", name=name))
    cleared = throttle.clear_account(session, name)
    if user is not None:
        user.failed_logins, user.locked_until = 0, None
    audit.record(
        session,
        principal.actor,
        Event(
            "login.unlock",
            "user",
            user.id if user else name,
            owner_org_id=user.org_id if user else None,
            detail={"cleared": cleared},
        ),
    )
    return cleared


def clear_address_lockout(session: Session, principal: Principal, address: str) -> int:
    principal.require(Perm.PLATFORM_ADMIN)
    cleared = throttle.clear_address(session, address.strip())
    audit.record(
        session,
        principal.actor,
        Event("login.unlock_address", "address", address.strip()[:64], detail={"cleared": cleared}),
    )
    return cleared


def org_codes(session: Session, org_ids: Iterable[int]) -> dict[int, str]:
    """Organisations' codes by id ("NCB-MA"), for answers that name them in short."""
    ids = set(org_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Organisation.id, Organisation.code).where(Organisation.id.in_(ids))
    )
    return {org_id: code for org_id, code in rows}


def org_labels(session: Session, org_ids: Iterable[int | None]) -> dict[int, str]:
    """How pages name organisations: "Name (CODE)", never an internal id."""
    ids = {i for i in org_ids if i is not None}
    if not ids:
        return {}
    rows = session.scalars(select(Organisation).where(Organisation.id.in_(ids)))
    return {org.id: f"{org.name} ({org.code})" for org in rows}
