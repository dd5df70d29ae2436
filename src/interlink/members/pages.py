"""HTML pages: a bureau's users and API tokens, for its administrators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from interlink.core.auth import ROLES_BY_ORG_KIND, OrgKind, Perm, Principal, Role
from interlink.core.errors import DomainError, InvalidInput, Unauthenticated
from interlink.deps import Id, token_cache, unit_of_work
from interlink.members import service
from interlink.members.models import Organisation
from interlink.web.render import NavLink, form_principal, redirect, render

router = APIRouter(include_in_schema=False)
NAV = [  # wired in interlink.wiring.NAV
    NavLink("/admin/users", "Users", Perm.USERS_MANAGE),
    NavLink("/admin/tokens", "API tokens", Perm.TOKENS_MANAGE),
]


def _logged_in(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthenticated("log in first")
    return principal


def _scope_orgs(session, principal: Principal) -> list[Organisation]:
    scope = service.manageable_org_ids(session, principal)
    orgs = service.list_organisations(session)
    return [o for o in orgs if scope is None or o.id in scope]


def _users_page(request: Request, principal: Principal, error: str | None = None,
                status: int = 200, created: str | None = None) -> Response:
    with unit_of_work(request) as session:
        users = service.list_users(session, principal)
        orgs = _scope_orgs(session, principal)
        roles = sorted({r for o in orgs for r in ROLES_BY_ORG_KIND[OrgKind(o.kind)]})
        if not principal.has(Perm.PLATFORM_ADMIN):
            roles = [r for r in roles if r is not Role.GS_ADMIN]
        return render(request, "members/users.html", status_code=status, users=users,
                      orgs=orgs if len(orgs) < 50 else [], roles=roles, error=error,
                      created=created)


@router.get("/admin/users")
def users_page(request: Request, principal: Principal | None = Depends(form_principal)
               ) -> Response:
    principal = _logged_in(principal)
    principal.require(Perm.USERS_MANAGE)
    return _users_page(request, principal)


@router.post("/admin/users")
def users_create(
    request: Request,
    username: Annotated[str, Form(max_length=80)],
    display_name: Annotated[str, Form(max_length=200)],
    org_id: Annotated[int, Form()],
    password: Annotated[str, Form(max_length=1000)],
    roles: Annotated[list[str], Form()],
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _logged_in(principal)
    try:
        try:
            role_values = [Role(r) for r in roles]
        except ValueError as exc:
            raise InvalidInput(f"unknown role: {exc}") from exc
        with unit_of_work(request) as session:
            service.create_user(session, principal, service.NewUser(
                username=username, display_name=display_name, org_id=org_id,
                roles=role_values, password=password))
    except DomainError as exc:
        return _users_page(request, principal, exc.detail, exc.status)
    return _users_page(request, principal, created=username)


def _tokens_page(request: Request, principal: Principal, error: str | None = None,
                 status: int = 200, plaintext: str | None = None) -> Response:
    with unit_of_work(request) as session:
        tokens = service.list_tokens(session, principal)
        orgs = _scope_orgs(session, principal)
        return render(request, "members/tokens.html", status_code=status, tokens=tokens,
                      orgs=orgs if len(orgs) < 50 else [], perms=sorted(Perm), error=error,
                      plaintext=plaintext)


@router.get("/admin/tokens")
def tokens_page(request: Request, principal: Principal | None = Depends(form_principal)
                ) -> Response:
    principal = _logged_in(principal)
    principal.require(Perm.TOKENS_MANAGE)
    return _tokens_page(request, principal)


@router.post("/admin/tokens")
def tokens_create(
    request: Request,
    name: Annotated[str, Form(max_length=120)],
    org_id: Annotated[int, Form()],
    permissions: Annotated[list[str], Form()],
    days: Annotated[int, Form(ge=1, le=366)] = 90,
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _logged_in(principal)
    try:
        try:
            perms = [Perm(p) for p in permissions]
        except ValueError as exc:
            raise InvalidInput(f"unknown permission: {exc}") from exc
        with unit_of_work(request) as session:
            _, issued = service.create_token(session, principal, org_id=org_id, name=name,
                                             permissions=perms, days=days)
    except DomainError as exc:
        return _tokens_page(request, principal, exc.detail, exc.status)
    return _tokens_page(request, principal, plaintext=issued.plaintext)


@router.post("/admin/tokens/{token_id}/revoke")
def tokens_revoke(request: Request, token_id: Id,
                  principal: Principal | None = Depends(form_principal)) -> Response:
    principal = _logged_in(principal)
    with unit_of_work(request) as session:
        service.revoke_token(session, principal, token_id)
    token_cache(request).clear()
    return redirect("/admin/tokens")
