"""HTML pages: a bureau's users and API tokens, for its administrators."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from interlink.core import labels
from interlink.core.auth import ROLES_BY_ORG_KIND, OrgKind, Perm, Principal, Role
from interlink.core.db import utcnow
from interlink.core.errors import DomainError, InvalidInput, NotFound, Unauthenticated
from interlink.core.i18n import _, msg
from interlink.deps import Id, token_cache, unit_of_work
from interlink.members import service
from interlink.members.models import Organisation
from interlink.web.lists import FieldErrors
from interlink.web.once import forget_shown, redirect_showing, take_shown
from interlink.web.render import (
    PERMISSION_LABELS,
    NavLink,
    form_principal,
    redirect,
    render,
)

router = APIRouter(include_in_schema=False)
NAV = [  # wired in interlink.wiring.NAV
    NavLink("/admin/users", "Users", Perm.USERS_MANAGE),
    NavLink("/admin/tokens", "API tokens", Perm.TOKENS_MANAGE),
    NavLink("/admin/lockouts", "Failed logins", Perm.USERS_MANAGE),
]


def _logged_in(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthenticated("log in first")
    return principal


def _scope_orgs(session: Session, principal: Principal) -> list[Organisation]:
    scope = service.manageable_org_ids(session, principal)
    orgs = service.list_organisations(session, principal)
    return [o for o in orgs if scope is None or o.id in scope]


def _org_id(session: Session, principal: Principal, org: str) -> int:
    """The organisation a form names by its code (the menu's value, or typed), if the
    principal administers it; the same answer for one that does not exist."""
    code = org.strip().upper()
    if not code:
        raise InvalidInput("choose the organisation", field="org")
    match = [o.id for o in _scope_orgs(session, principal) if o.code == code]
    if not match:
        raise InvalidInput(
            msg("you administer no organisation with the code %(code)s", code=code), field="org"
        )
    return match[0]


def _org_options(orgs: list[Organisation]) -> list[tuple[str, str]]:
    """A menu of the organisations one administers; past 50, a code field instead."""
    return [(o.code, f"{o.name} ({o.code})") for o in orgs] if len(orgs) < 50 else []


def _users_page(
    request: Request,
    principal: Principal,
    errors: FieldErrors | None = None,
    status: int = 200,
    created: str | None = None,
    form: dict[str, Any] | None = None,
) -> Response:
    with unit_of_work(request) as session:
        users = service.list_users(session, principal)
        orgs = _scope_orgs(session, principal)
        roles = sorted({r for o in orgs for r in ROLES_BY_ORG_KIND[OrgKind(o.kind)]})
        if not principal.has(Perm.PLATFORM_ADMIN):
            roles = [r for r in roles if r is not Role.GS_ADMIN]
        return render(
            request,
            "members/users.html",
            status_code=status,
            users=users,
            org_options=_org_options(orgs),
            role_options=labels.choices(roles),
            errors=errors or FieldErrors(),
            created=created,
            form=form or {},
        )


@router.get("/admin/users")
def users_page(
    request: Request,
    created: Annotated[str, Query(max_length=80)] = "",
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _logged_in(principal)
    principal.require(Perm.USERS_MANAGE)
    return _users_page(request, principal, created=created or None)


@router.post("/admin/users")
def users_create(
    request: Request,
    username: Annotated[str, Form(max_length=80)] = "",
    display_name: Annotated[str, Form(max_length=200)] = "",
    org: Annotated[str, Form(max_length=40)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    roles: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI form default)
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _logged_in(principal)
    form = {"username": username, "display_name": display_name, "org": org, "roles": roles}
    try:
        try:
            role_values = [Role(r) for r in roles]
        except ValueError as exc:
            raise InvalidInput(msg("unknown role: %(exc)s", exc=exc), field="roles") from exc
        if not role_values:
            raise InvalidInput("give the user at least one role", field="roles")
        with unit_of_work(request) as session:
            org_id = _org_id(session, principal, org)
            service.create_user(
                session,
                principal,
                service.NewUser(
                    username=username,
                    display_name=display_name,
                    org_id=org_id,
                    roles=role_values,
                    password=password,
                ),
            )
    except DomainError as exc:
        return _users_page(
            request, principal, FieldErrors.of(exc, "username"), exc.status, form=form
        )
    return redirect(f"/admin/users?{urlencode({'created': username})}")


def _tokens_page(
    request: Request,
    principal: Principal,
    errors: FieldErrors | None = None,
    status: int = 200,
    plaintext: str | None = None,
    form: dict[str, Any] | None = None,
) -> Response:
    with unit_of_work(request) as session:
        tokens = service.list_tokens(session, principal)
        orgs = _scope_orgs(session, principal)
        return render(
            request,
            "members/tokens.html",
            status_code=status,
            tokens=tokens,
            org_options=_org_options(orgs),
            perm_options=[
                (p.value, _(PERMISSION_LABELS.get(p, p.value)), p.value) for p in sorted(Perm)
            ],
            errors=errors or FieldErrors(),
            plaintext=plaintext,
            form=form or {},
        )


@router.get("/admin/tokens")
def tokens_page(
    request: Request, principal: Principal | None = Depends(form_principal)
) -> Response:
    principal = _logged_in(principal)
    principal.require(Perm.TOKENS_MANAGE)
    return _tokens_page(request, principal)


@router.post("/admin/tokens")
def tokens_create(
    request: Request,
    name: Annotated[str, Form(max_length=120)] = "",
    org: Annotated[str, Form(max_length=40)] = "",
    permissions: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI form default)
    days: Annotated[str, Form(max_length=6)] = "90",
    principal: Principal | None = Depends(form_principal),
) -> Response:
    """Creates the token, then redirects to the page that shows its secret once (a reload
    never creates a second token)."""
    principal = _logged_in(principal)
    form = {"name": name, "org": org, "permissions": permissions, "days": days}
    try:
        try:
            perms = [Perm(p) for p in permissions]
        except ValueError as exc:
            raise InvalidInput(
                msg("unknown permission: %(exc)s", exc=exc), field="permissions"
            ) from exc
        if not days.strip().isdigit() or not 1 <= int(days) <= 366:
            raise InvalidInput("a token lasts from 1 to 366 days", field="days")
        with unit_of_work(request) as session:
            org_id = _org_id(session, principal, org)
            _, issued = service.create_token(
                session, principal, org_id=org_id, name=name, permissions=perms, days=int(days)
            )
    except DomainError as exc:
        return _tokens_page(request, principal, FieldErrors.of(exc, "name"), exc.status, form=form)
    return redirect_showing(request, TOKEN_CREATED, {"token": issued.plaintext})


TOKEN_CREATED = "/admin/tokens/created"


@router.get(TOKEN_CREATED)
def token_created(
    request: Request, principal: Principal | None = Depends(form_principal)
) -> Response:
    """Shows a new token's secret once: it is never stored in clear, so it comes from the
    POST through a sealed cookie this page deletes; a reload shows the list alone."""
    principal = _logged_in(principal)
    principal.require(Perm.TOKENS_MANAGE)
    shown = take_shown(request) or {}
    return forget_shown(request, _tokens_page(request, principal, plaintext=shown.get("token")))


@router.post("/admin/tokens/{token_id}/revoke")
def tokens_revoke(
    request: Request,
    token_id: Id,
    confirmed: Annotated[str, Form(max_length=3)] = "",
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _logged_in(principal)
    if confirmed != "yes":  # a system stops working at once: check first
        with unit_of_work(request) as session:
            token = next(
                (
                    t
                    for t in service.list_tokens(session, principal)
                    if t.id == token_id and t.revoked_at is None
                ),
                None,
            )
            if token is None:
                raise NotFound(msg("no active token %(token_id)s", token_id=token_id))
            return render(request, "members/token_revoke.html", token=token)
    with unit_of_work(request) as session:
        service.revoke_token(session, principal, token_id)
    token_cache(request).clear()
    return redirect("/admin/tokens")


def _lockouts_page(request: Request, principal: Principal, cleared: str | None = None) -> Response:
    with unit_of_work(request) as session:
        lockouts = service.list_lockouts(session, principal)
    return render(
        request, "members/lockouts.html", lockouts=lockouts, cleared=cleared, now=utcnow()
    )


@router.get("/admin/lockouts")
def lockouts_page(
    request: Request, principal: Principal | None = Depends(form_principal)
) -> Response:
    return _lockouts_page(request, _logged_in(principal))


@router.post("/admin/lockouts/clear")
def lockouts_clear(
    request: Request,
    username: Annotated[str, Form(max_length=80)],
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _logged_in(principal)
    with unit_of_work(request) as session:
        service.clear_lockout(session, principal, username)
    return _lockouts_page(request, principal, cleared=username)
