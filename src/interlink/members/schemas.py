"""Request and response bodies of the members API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from interlink.core.auth import OrgKind, Perm, Role


class MemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str
    region: str
    suspended: bool
    in_arrears: bool


class MemberStatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    suspended: bool | None = None
    in_arrears: bool | None = None


class OrganisationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    name: str
    code: str
    country: str | None
    parent_id: int | None
    active: bool


class OrganisationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: OrgKind
    name: str = Field(min_length=1, max_length=200)
    code: str = Field(min_length=2, max_length=39)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    display_name: str
    org_id: int
    roles: list[str]
    active: bool
    mfa_enrolled: bool = False
    locked_until: datetime | None = None
    last_login_at: datetime | None = None


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=3, max_length=80)
    display_name: str = Field(min_length=1, max_length=200)
    org_id: int
    roles: list[Role] = Field(min_length=1)
    password: str = Field(min_length=1, max_length=1000)
    email: str | None = Field(default=None, max_length=200)


class UserPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    roles: list[Role] | None = None
    active: bool | None = None
    password: str | None = Field(default=None, max_length=1000)


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    public_id: str
    name: str
    org_id: int
    permissions: list[str]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    org_id: int
    name: str = Field(min_length=1, max_length=120)
    permissions: list[Perm] = Field(min_length=1)
    days: int = Field(default=90, ge=1, le=366)


class TokenCreated(TokenOut):
    token: str = Field(description="The secret token: shown once, store it now")


class MeOut(BaseModel):
    label: str
    org_id: int
    org_kind: str
    country: str | None
    roles: list[str]
    permissions: list[str]


class LockoutOut(BaseModel):
    """A failed-login counter: per account and address ('pair'), per account over every
    address ('account'), or per address over every account ('address')."""

    kind: str
    username: str | None
    address: str | None
    failures: int
    blocked_until: datetime | None
    last_at: datetime


class LockoutCleared(BaseModel):
    cleared: int
