"""Request and response bodies of the blocklist API (the provider feed's bodies are the wire
format of docs/blocklist.md, produced by `Update.to_wire` and `FullHashes.to_wire`)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from interlink.blocklist.canonical import PREFIX_SIZE
from interlink.blocklist.models import Appeal, BlocklistDomain, Confirmation, ListVersion
from interlink.blocklist.service import (
    MAX_PREFIXES_PER_REQUEST,
    Attestation,
    DomainView,
    ProviderAccount,
)
from interlink.core.i18n import msg

MAX_VERSION = 2**62


class AttestationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    real_children: bool = Field(description="The material shows real children")
    under_13: bool = Field(description="The children appear to be under 13")
    severe_abuse: bool = Field(description="The abuse is severe")
    evidence_ref: str = Field(
        min_length=1,
        max_length=100,
        description="Reference of the police file holding the evidence",
    )
    notes: str = Field(default="", max_length=2000)

    def attestation(self) -> Attestation:
        return Attestation(
            self.real_children, self.under_13, self.severe_abuse, self.evidence_ref, self.notes
        )


class SubmissionIn(AttestationIn):
    domain: str = Field(min_length=1, max_length=253, description="A bare domain name")


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    material_present: bool
    note: str = Field(default="", max_length=2000)


class AppealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    appellant: str = Field(min_length=1, max_length=200)
    contact: str = Field(min_length=1, max_length=200)
    grounds: str = Field(min_length=1, max_length=5000)


class AppealDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    upheld: bool
    reason: str = Field(min_length=1, max_length=2000)


class ConfirmationOut(BaseModel):
    org_code: str
    confirmed_at: datetime
    round: int
    evidence_ref: str | None = None  # only for publishers and organisations that confirmed
    notes: str | None = None

    @classmethod
    def of(cls, confirmation: Confirmation, detailed: bool) -> ConfirmationOut:
        return cls(
            org_code=confirmation.org.code,
            confirmed_at=confirmation.confirmed_at,
            round=confirmation.round,
            evidence_ref=confirmation.evidence_ref if detailed else None,
            notes=confirmation.notes if detailed else None,
        )


class DomainOut(BaseModel):
    id: int
    domain: str
    state: str
    round: int
    submitted_by: str
    submitted_at: datetime
    confirmed_at: datetime | None
    listed_at: datetime | None
    next_review_at: datetime | None
    closed_at: datetime | None
    closed_reason: str | None

    @classmethod
    def of(cls, domain: BlocklistDomain) -> DomainOut:
        return cls(
            id=domain.id,
            domain=domain.domain,
            state=domain.state,
            round=domain.round,
            submitted_by=domain.submitted_by.code,
            submitted_at=domain.submitted_at,
            confirmed_at=domain.confirmed_at,
            listed_at=domain.listed_at,
            next_review_at=domain.next_review_at,
            closed_at=domain.closed_at,
            closed_reason=domain.shown_reason,
        )


class DomainDetailOut(DomainOut):
    confirmations_needed: int
    confirmations_current: int
    own_org_confirmed: bool
    confirmations: list[ConfirmationOut]

    @classmethod
    def of_view(cls, seen: DomainView) -> DomainDetailOut:
        return cls(
            **DomainOut.of(seen.domain).model_dump(),
            confirmations_needed=seen.confirmations_needed,
            confirmations_current=seen.confirmations_current,
            own_org_confirmed=seen.own_org_confirmed,
            confirmations=[
                ConfirmationOut.of(c, seen.shows_confirmations) for c in seen.domain.confirmations
            ],
        )


class AppealOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    domain_id: int
    appellant: str
    contact: str
    grounds: str
    state: str
    received_at: datetime
    recorded_by_label: str
    decided_at: datetime | None
    decided_by_label: str | None
    decision_reason: str | None

    @classmethod
    def of(cls, appeal: Appeal) -> AppealOut:
        return cls.model_validate(appeal)


class ReviewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    domain_id: int
    material_present: bool
    note: str
    reviewed_by_label: str
    reviewed_at: datetime


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    number: int
    published_at: datetime
    published_by_label: str
    domain_count: int
    added: int
    removed: int
    checksum: str

    @classmethod
    def of(cls, version: ListVersion) -> VersionOut:
        return cls.model_validate(version)


class VersionDomainsOut(VersionOut):
    domains: list[str]


class DiffOut(BaseModel):
    old: int | None
    new: int | None
    added: list[str]
    removed: list[str]


class ProviderTokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class ProviderOut(BaseModel):
    org_id: int
    org_code: str
    org_name: str
    tokens: list[ProviderTokenOut]
    requests: int
    last_request_at: datetime | None

    @classmethod
    def of(cls, account: ProviderAccount) -> ProviderOut:
        return cls(
            org_id=account.org.id,
            org_code=account.org.code,
            org_name=account.org.name,
            tokens=[ProviderTokenOut.model_validate(t) for t in account.tokens],
            requests=account.requests,
            last_request_at=account.last_request_at,
        )


class FeedRequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    org_id: int
    token_id: int | None
    kind: str
    client_version: int | None
    served_version: int | None
    update_type: str | None
    prefixes_asked: int
    answered_at: datetime


# --- the provider feed (wire format of docs/blocklist.md) ------------------------------------


class UpdateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int | None = Field(
        ge=1, le=MAX_VERSION, description="The version the provider holds; null for none"
    )


class FullHashRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prefixes: list[str] = Field(
        min_length=1,
        max_length=MAX_PREFIXES_PER_REQUEST,
        description=f"Base64 {PREFIX_SIZE}-byte prefixes that matched",
    )

    @field_validator("prefixes")
    @classmethod
    def _prefixes_are_base64(cls, prefixes: list[str]) -> list[str]:
        for text in prefixes:
            try:
                raw = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError) as error:
                raise ValueError(msg("%(text)r is not base64", text=text[:20])) from error
            if len(raw) != PREFIX_SIZE:
                raise ValueError(msg("a prefix is %(size)s bytes", size=PREFIX_SIZE))
        return prefixes

    def raw(self) -> list[bytes]:
        return [base64.b64decode(text) for text in self.prefixes]


class UpdateOut(BaseModel):
    type: str
    version: int
    prefix_size: int
    removals: list[int]
    additions: str
    checksum: str


class FullHashesOut(BaseModel):
    full_hashes: list[str]
    cache_seconds: int
