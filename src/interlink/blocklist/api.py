"""JSON routes of the blocklist: bureaus' submissions and confirmations, the General
Secretariat's decisions and versions, and the provider feed (wire format: docs/blocklist.md)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, status

from interlink.blocklist import service
from interlink.blocklist.deps import feed_cache, rules
from interlink.blocklist.models import BlocklistDomain, DomainState
from interlink.blocklist.schemas import (
    AppealDecisionIn,
    AppealIn,
    AppealOut,
    AttestationIn,
    DiffOut,
    DomainDetailOut,
    DomainOut,
    FeedRequestOut,
    FullHashesOut,
    FullHashRequest,
    ProviderOut,
    ReasonIn,
    ReviewIn,
    ReviewOut,
    SubmissionIn,
    UpdateOut,
    UpdateRequest,
    VersionDomainsOut,
    VersionOut,
)
from interlink.blocklist.versions import latest_version
from interlink.core.auth import Principal
from interlink.core.pagination import Page, check_limit, decode_cursor, encode_cursor
from interlink.deps import Id, current_principal, unit_of_work

router = APIRouter(prefix="/api/v1/blocklist", tags=["blocklist"])


def _detail(request: Request, principal: Principal, domain: BlocklistDomain) -> DomainDetailOut:
    return DomainDetailOut.of_view(service.domain_view(principal, rules(request), domain))


# --- bureaus ---------------------------------------------------------------------------------


@router.post("/domains", response_model=DomainDetailOut, status_code=status.HTTP_201_CREATED)
def submit(
    request: Request, body: SubmissionIn, principal: Principal = Depends(current_principal)
) -> DomainDetailOut:
    """Submit a domain (your organisation's own confirmation counts as the first)."""
    with unit_of_work(request) as session:
        domain = service.submit(session, principal, rules(request), body.domain, body.attestation())
        return _detail(request, principal, domain)


@router.get("/domains", response_model=Page[DomainOut])
def list_domains(
    request: Request,
    state: DomainState | None = None,
    cursor: str | None = None,
    limit: int = Query(100),
    principal: Principal = Depends(current_principal),
) -> Page[DomainOut]:
    with unit_of_work(request) as session:
        domains = service.list_domains(
            session,
            principal,
            state=state,
            after_id=decode_cursor(cursor),
            limit=check_limit(limit),
        )
        items = [DomainOut.of(d) for d in domains]
    next_cursor = encode_cursor(items[-1].id) if len(items) == limit else None
    return Page[DomainOut](items=items, next_cursor=next_cursor)


@router.get("/domains/{domain_id}", response_model=DomainDetailOut)
def get_domain(
    request: Request, domain_id: Id, principal: Principal = Depends(current_principal)
) -> DomainDetailOut:
    with unit_of_work(request) as session:
        return _detail(request, principal, service.get_domain(session, principal, domain_id))


@router.post(
    "/domains/{domain_id}/confirmations",
    response_model=DomainDetailOut,
    status_code=status.HTTP_201_CREATED,
)
def confirm(
    request: Request,
    domain_id: Id,
    body: AttestationIn,
    principal: Principal = Depends(current_principal),
) -> DomainDetailOut:
    with unit_of_work(request) as session:
        domain = service.confirm(session, principal, rules(request), domain_id, body.attestation())
        return _detail(request, principal, domain)


@router.get("/queue", response_model=list[DomainOut])
def verification_queue(
    request: Request, principal: Principal = Depends(current_principal)
) -> list[DomainOut]:
    """Domains waiting for independent confirmations."""
    with unit_of_work(request) as session:
        return [DomainOut.of(d) for d in service.verification_queue(session, principal)]


# --- the General Secretariat -----------------------------------------------------------------


@router.post("/domains/{domain_id}/reject", response_model=DomainOut)
def reject(
    request: Request,
    domain_id: Id,
    body: ReasonIn,
    principal: Principal = Depends(current_principal),
) -> DomainOut:
    with unit_of_work(request) as session:
        return DomainOut.of(service.reject(session, principal, domain_id, body.reason))


@router.post("/domains/{domain_id}/delist", response_model=DomainOut)
def delist(
    request: Request,
    domain_id: Id,
    body: ReasonIn,
    principal: Principal = Depends(current_principal),
) -> DomainOut:
    with unit_of_work(request) as session:
        return DomainOut.of(service.delist(session, principal, domain_id, body.reason))


@router.post(
    "/domains/{domain_id}/reviews", response_model=ReviewOut, status_code=status.HTTP_201_CREATED
)
def review(
    request: Request,
    domain_id: Id,
    body: ReviewIn,
    principal: Principal = Depends(current_principal),
) -> ReviewOut:
    with unit_of_work(request) as session:
        recorded = service.record_review(
            session,
            principal,
            rules(request),
            domain_id,
            material_present=body.material_present,
            note=body.note,
        )
        return ReviewOut.model_validate(recorded)


@router.get("/reviews/due", response_model=list[DomainOut])
def reviews_due(
    request: Request, principal: Principal = Depends(current_principal)
) -> list[DomainOut]:
    with unit_of_work(request) as session:
        return [DomainOut.of(d) for d in service.reviews_due(session, principal)]


@router.post(
    "/domains/{domain_id}/appeals", response_model=AppealOut, status_code=status.HTTP_201_CREATED
)
def record_appeal(
    request: Request,
    domain_id: Id,
    body: AppealIn,
    principal: Principal = Depends(current_principal),
) -> AppealOut:
    with unit_of_work(request) as session:
        return AppealOut.of(
            service.record_appeal(
                session,
                principal,
                domain_id,
                appellant=body.appellant,
                contact=body.contact,
                grounds=body.grounds,
            )
        )


@router.get("/appeals", response_model=list[AppealOut])
def list_appeals(
    request: Request, open_only: bool = False, principal: Principal = Depends(current_principal)
) -> list[AppealOut]:
    with unit_of_work(request) as session:
        return [
            AppealOut.of(a) for a in service.list_appeals(session, principal, open_only=open_only)
        ]


@router.post("/appeals/{appeal_id}/decision", response_model=AppealOut)
def decide_appeal(
    request: Request,
    appeal_id: Id,
    body: AppealDecisionIn,
    principal: Principal = Depends(current_principal),
) -> AppealOut:
    with unit_of_work(request) as session:
        return AppealOut.of(
            service.decide_appeal(
                session, principal, appeal_id, upheld=body.upheld, reason=body.reason
            )
        )


@router.get("/pending", response_model=DiffOut)
def pending(request: Request, principal: Principal = Depends(current_principal)) -> DiffOut:
    """What publishing now would add to and remove from the latest version."""
    with unit_of_work(request) as session:
        changes = service.pending_changes(session, principal)
        latest = latest_version(session)
        return DiffOut(
            old=latest.number if latest else None,
            new=None,
            added=list(changes.added),
            removed=list(changes.removed),
        )


@router.post("/versions", response_model=VersionOut, status_code=status.HTTP_201_CREATED)
def publish(request: Request, principal: Principal = Depends(current_principal)) -> VersionOut:
    """Publish the next version: every confirmed or listed domain."""
    with unit_of_work(request) as session:
        return VersionOut.of(service.publish(session, principal, rules(request)))


@router.get("/versions", response_model=list[VersionOut])
def list_versions(
    request: Request, principal: Principal = Depends(current_principal)
) -> list[VersionOut]:
    with unit_of_work(request) as session:
        return [VersionOut.of(v) for v in service.list_versions(session, principal)]


@router.get("/versions/{number}", response_model=VersionDomainsOut)
def get_version(
    request: Request, number: Id, principal: Principal = Depends(current_principal)
) -> VersionDomainsOut:
    with unit_of_work(request) as session:
        domains = service.version_domains(session, principal, number)
        version = service.get_version(session, principal, number)
        return VersionDomainsOut(**VersionOut.of(version).model_dump(), domains=domains)


@router.get("/versions/{old}/diff/{new}", response_model=DiffOut)
def diff_versions(
    request: Request, old: Id, new: Id, principal: Principal = Depends(current_principal)
) -> DiffOut:
    with unit_of_work(request) as session:
        diff = service.diff_versions(session, principal, old, new)
    return DiffOut(old=old, new=new, added=list(diff.added), removed=list(diff.removed))


@router.get("/providers", response_model=list[ProviderOut])
def providers(
    request: Request, principal: Principal = Depends(current_principal)
) -> list[ProviderOut]:
    """Partner organisations holding a feed token, with their request counts."""
    with unit_of_work(request) as session:
        return [ProviderOut.of(a) for a in service.provider_accounts(session, principal)]


@router.get("/providers/requests", response_model=Page[FeedRequestOut])
def provider_requests(
    request: Request,
    org_id: Id | None = Query(None),
    cursor: str | None = None,
    limit: int = Query(100),
    principal: Principal = Depends(current_principal),
) -> Page[FeedRequestOut]:
    """The provider request log, newest first (never an address: counts and versions)."""
    with unit_of_work(request) as session:
        logged = service.feed_requests(
            session,
            principal,
            org_id=org_id,
            before_id=decode_cursor(cursor),
            limit=check_limit(limit),
        )
        items = [FeedRequestOut.model_validate(r) for r in logged]
    next_cursor = encode_cursor(items[-1].id) if len(items) == limit else None
    return Page[FeedRequestOut](items=items, next_cursor=next_cursor)


# --- providers -------------------------------------------------------------------------------


@router.post("/feed/update", response_model=UpdateOut)
def feed_update(
    request: Request, body: UpdateRequest, principal: Principal = Depends(current_principal)
) -> UpdateOut:
    """The update from the version the provider holds to the latest (full or partial)."""
    with unit_of_work(request) as session:
        update = service.feed_update(session, principal, feed_cache(request), body.version)
    return UpdateOut(**update.to_wire())


@router.post("/feed/full-hashes", response_model=FullHashesOut)
def feed_full_hashes(
    request: Request, body: FullHashRequest, principal: Principal = Depends(current_principal)
) -> FullHashesOut:
    """Every full hash of the latest version starting with one of the prefixes."""
    with unit_of_work(request) as session:
        answer = service.feed_full_hashes(
            session, principal, rules(request), feed_cache(request), body.raw()
        )
    return FullHashesOut(**answer.to_wire())
