"""JSON routes: members, organisations, users, API tokens, who am I."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Request, status

from interlink.core.auth import OrgKind, Principal
from interlink.deps import Id, current_principal, token_cache, unit_of_work
from interlink.members import service
from interlink.members.models import User
from interlink.members.schemas import (
    LockoutCleared,
    LockoutOut,
    MemberOut,
    MemberStatusIn,
    MeOut,
    OrganisationIn,
    OrganisationOut,
    TokenCreated,
    TokenIn,
    TokenOut,
    UserIn,
    UserOut,
    UserPatch,
)

router = APIRouter(prefix="/api/v1", tags=["members"])


def _user_out(user: User) -> UserOut:
    out = UserOut.model_validate(user)
    out.mfa_enrolled = user.totp_secret is not None
    return out


@router.get("/me", response_model=MeOut)
def me(principal: Principal = Depends(current_principal)) -> MeOut:
    return MeOut(
        label=principal.label,
        org_id=principal.org_id,
        org_kind=principal.org_kind.value,
        country=principal.country,
        roles=sorted(r.value for r in principal.roles),
        permissions=sorted(p.value for p in principal.permissions),
    )


@router.get("/members", response_model=list[MemberOut])
def list_members(request: Request, _: Principal = Depends(current_principal)) -> list[MemberOut]:
    with unit_of_work(request) as session:
        return [MemberOut.model_validate(m) for m in service.list_members(session)]


@router.patch("/members/{code}", response_model=MemberOut)
def set_member_status(
    request: Request,
    body: MemberStatusIn,
    code: str = Path(pattern=r"^[A-Za-z]{2}$"),
    principal: Principal = Depends(current_principal),
) -> MemberOut:
    with unit_of_work(request) as session:
        member = service.set_member_status(
            session, principal, code, suspended=body.suspended, in_arrears=body.in_arrears
        )
        return MemberOut.model_validate(member)


@router.get("/organisations", response_model=list[OrganisationOut])
def list_organisations(
    request: Request,
    kind: OrgKind | None = None,
    country: str | None = None,
    principal: Principal = Depends(current_principal),
) -> list[OrganisationOut]:
    with unit_of_work(request) as session:
        orgs = service.list_organisations(session, principal, kind=kind, country=country)
        return [OrganisationOut.model_validate(o) for o in orgs]


@router.post("/organisations", response_model=OrganisationOut, status_code=status.HTTP_201_CREATED)
def create_organisation(
    request: Request, body: OrganisationIn, principal: Principal = Depends(current_principal)
) -> OrganisationOut:
    with unit_of_work(request) as session:
        org = service.create_organisation(
            session, principal, kind=body.kind, name=body.name, code=body.code, country=body.country
        )
        return OrganisationOut.model_validate(org)


@router.get("/users", response_model=list[UserOut])
def list_users(
    request: Request, principal: Principal = Depends(current_principal)
) -> list[UserOut]:
    with unit_of_work(request) as session:
        return [_user_out(u) for u in service.list_users(session, principal)]


@router.post("/users", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def create_user(
    request: Request, body: UserIn, principal: Principal = Depends(current_principal)
) -> UserOut:
    with unit_of_work(request) as session:
        user = service.create_user(session, principal, service.NewUser(**body.model_dump()))
        return _user_out(user)


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(
    request: Request, user_id: Id, principal: Principal = Depends(current_principal)
) -> UserOut:
    with unit_of_work(request) as session:
        return _user_out(service.get_user(session, principal, user_id))


@router.patch("/users/{user_id}", response_model=UserOut)
def update_user(
    request: Request,
    user_id: Id,
    body: UserPatch,
    principal: Principal = Depends(current_principal),
) -> UserOut:
    with unit_of_work(request) as session:
        user = service.update_user(
            session,
            principal,
            user_id,
            roles=body.roles,
            active=body.active,
            password=body.password,
        )
        return _user_out(user)


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(
    request: Request, principal: Principal = Depends(current_principal)
) -> list[TokenOut]:
    with unit_of_work(request) as session:
        return [TokenOut.model_validate(t) for t in service.list_tokens(session, principal)]


@router.post("/tokens", response_model=TokenCreated, status_code=status.HTTP_201_CREATED)
def create_token(
    request: Request, body: TokenIn, principal: Principal = Depends(current_principal)
) -> TokenCreated:
    with unit_of_work(request) as session:
        token, issued = service.create_token(
            session,
            principal,
            org_id=body.org_id,
            name=body.name,
            permissions=body.permissions,
            days=body.days,
        )
        return TokenCreated(**TokenOut.model_validate(token).model_dump(), token=issued.plaintext)


@router.delete("/tokens/{token_id}", response_model=TokenOut)
def revoke_token(
    request: Request, token_id: Id, principal: Principal = Depends(current_principal)
) -> TokenOut:
    with unit_of_work(request) as session:
        revoked = TokenOut.model_validate(service.revoke_token(session, principal, token_id))
    token_cache(request).clear()  # effective at once here; other processes within seconds
    return revoked


@router.get("/lockouts", response_model=list[LockoutOut])
def list_lockouts(
    request: Request, principal: Principal = Depends(current_principal)
) -> list[LockoutOut]:
    """Failed-login counters of the users one administers (docs/security.md)."""
    with unit_of_work(request) as session:
        return [LockoutOut(**item.as_dict()) for item in service.list_lockouts(session, principal)]


@router.delete("/lockouts/users/{username}", response_model=LockoutCleared)
def clear_lockout(
    request: Request,
    principal: Principal = Depends(current_principal),
    username: str = Path(max_length=80),
) -> LockoutCleared:
    with unit_of_work(request) as session:
        return LockoutCleared(cleared=service.clear_lockout(session, principal, username))


@router.delete("/lockouts/addresses/{address}", response_model=LockoutCleared)
def clear_address_lockout(
    request: Request,
    principal: Principal = Depends(current_principal),
    address: str = Path(max_length=64),
) -> LockoutCleared:
    with unit_of_work(request) as session:
        return LockoutCleared(cleared=service.clear_address_lockout(session, principal, address))
