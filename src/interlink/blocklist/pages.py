"""HTML pages of the blocklist: submission, verification queue, a domain's file, list
management, versions and diffs, appeals, provider accounts, and the public stop page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.blocklist import service
from interlink.blocklist.deps import rules
from interlink.blocklist.feed import InvalidListedDomain, listed_domain
from interlink.blocklist.models import DomainState
from interlink.blocklist.stop_page import render_stop_page
from interlink.blocklist.versions import latest_version
from interlink.core.auth import OrgKind, Perm, Principal
from interlink.core.errors import DomainError, InvalidInput, Unauthenticated
from interlink.deps import Id, app_state, unit_of_work
from interlink.members.models import Organisation
from interlink.web.render import NavLink, form_principal, redirect, render

router = APIRouter(include_in_schema=False)
NAV = [  # wired in interlink.wiring.NAV
    NavLink("/blocklist/queue", "Blocklist", Perm.BLOCKLIST_SUBMIT),
    NavLink("/blocklist/manage", "Blocklist management", Perm.BLOCKLIST_PUBLISH),
]
# HTTP 451 Unavailable For Legal Reasons: what a provider answers instead of a blocked site.
STOP_STATUS = 451

Text = Annotated[str, Form(max_length=5000)]


def _logged_in(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthenticated("log in first")
    return principal


# --- bureaus ---------------------------------------------------------------------------------


@router.get("/blocklist/queue")
def queue_page(request: Request, principal: Principal | None = Depends(form_principal)
               ) -> Response:
    principal = _logged_in(principal)
    with unit_of_work(request) as session:
        waiting = service.verification_queue(session, principal)
        known = service.list_domains(session, principal, limit=500)
        views = {d.id: service.domain_view(principal, rules(request), d)
                 for d in [*waiting, *known]}
        return render(request, "blocklist/queue.html", waiting=waiting, views=views,
                      others=[d for d in known if d.state != DomainState.SUBMITTED])


def _submit_page(request: Request, principal: Principal, error: str | None = None,
                 status: int = 200) -> Response:
    principal.require(Perm.BLOCKLIST_SUBMIT)
    return render(request, "blocklist/submit.html", status_code=status, error=error,
                  needed=rules(request).min_confirmations)


@router.get("/blocklist/submit")
def submit_page(request: Request, principal: Principal | None = Depends(form_principal)
                ) -> Response:
    return _submit_page(request, _logged_in(principal))


@router.post("/blocklist/submit")
def submit_form(
    request: Request,
    domain: Annotated[str, Form(max_length=253)],
    evidence_ref: Annotated[str, Form(max_length=100)],
    notes: Text = "",
    real_children: Annotated[bool, Form()] = False,
    under_13: Annotated[bool, Form()] = False,
    severe_abuse: Annotated[bool, Form()] = False,
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _logged_in(principal)
    try:
        with unit_of_work(request) as session:
            submitted = service.submit(session, principal, rules(request), domain,
                                       service.Attestation(real_children, under_13,
                                                           severe_abuse, evidence_ref, notes))
    except DomainError as error:
        return _submit_page(request, principal, error.detail, error.status)
    return redirect(f"/blocklist/domains/{submitted.id}")


def _domain_page(request: Request, principal: Principal, domain_id: int,
                 error: str | None = None, status: int = 200) -> Response:
    with unit_of_work(request) as session:
        domain = service.get_domain(session, principal, domain_id)
        return render(request, "blocklist/domain.html", status_code=status,
                      seen=service.domain_view(principal, rules(request), domain),
                      appeals=service.appeals_of(session, principal, domain),
                      can_confirm=principal.has(Perm.BLOCKLIST_SUBMIT),
                      can_decide=principal.has(Perm.BLOCKLIST_PUBLISH), error=error)


@router.get("/blocklist/domains/{domain_id}")
def domain_page(request: Request, domain_id: Id,
                principal: Principal | None = Depends(form_principal)) -> Response:
    return _domain_page(request, _logged_in(principal), domain_id)


def _act_on_domain(request: Request, principal: Principal, domain_id: int,
                   action: Callable[[Session], object]) -> Response:
    """Run `action(session)`; show the domain again, with the refusal if there was one."""
    try:
        with unit_of_work(request) as session:
            action(session)
    except DomainError as error:
        return _domain_page(request, principal, domain_id, error.detail, error.status)
    return redirect(f"/blocklist/domains/{domain_id}")


@router.post("/blocklist/domains/{domain_id}/confirm")
def confirm_form(
    request: Request,
    domain_id: Id,
    evidence_ref: Annotated[str, Form(max_length=100)],
    notes: Text = "",
    real_children: Annotated[bool, Form()] = False,
    under_13: Annotated[bool, Form()] = False,
    severe_abuse: Annotated[bool, Form()] = False,
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _logged_in(principal)
    attestation = service.Attestation(real_children, under_13, severe_abuse, evidence_ref,
                                      notes)
    return _act_on_domain(request, principal, domain_id, lambda session: service.confirm(
        session, principal, rules(request), domain_id, attestation))


# --- the General Secretariat -----------------------------------------------------------------


@router.post("/blocklist/domains/{domain_id}/reject")
def reject_form(request: Request, domain_id: Id, reason: Text,
                principal: Principal | None = Depends(form_principal)) -> Response:
    principal = _logged_in(principal)
    return _act_on_domain(request, principal, domain_id, lambda session: service.reject(
        session, principal, domain_id, reason))


@router.post("/blocklist/domains/{domain_id}/delist")
def delist_form(request: Request, domain_id: Id, reason: Text,
                principal: Principal | None = Depends(form_principal)) -> Response:
    principal = _logged_in(principal)
    return _act_on_domain(request, principal, domain_id, lambda session: service.delist(
        session, principal, domain_id, reason))


@router.post("/blocklist/domains/{domain_id}/review")
def review_form(request: Request, domain_id: Id,
                outcome: Annotated[str, Form(pattern="^(present|gone)$")], note: Text = "",
                principal: Principal | None = Depends(form_principal)) -> Response:
    principal = _logged_in(principal)
    return _act_on_domain(request, principal, domain_id, lambda session: service.record_review(
        session, principal, rules(request), domain_id, material_present=outcome == "present",
        note=note))


@router.post("/blocklist/domains/{domain_id}/appeals")
def appeal_form(request: Request, domain_id: Id,
                appellant: Annotated[str, Form(max_length=200)],
                contact: Annotated[str, Form(max_length=200)], grounds: Text,
                principal: Principal | None = Depends(form_principal)) -> Response:
    principal = _logged_in(principal)
    return _act_on_domain(request, principal, domain_id, lambda session: service.record_appeal(
        session, principal, domain_id, appellant=appellant, contact=contact, grounds=grounds))


def _manage_page(request: Request, principal: Principal, state: DomainState | None = None,
                 error: str | None = None, status: int = 200,
                 published: int | None = None) -> Response:
    with unit_of_work(request) as session:
        pending = service.pending_changes(session, principal)
        return render(request, "blocklist/manage.html", status_code=status, pending=pending,
                      latest=latest_version(session), state=state, states=list(DomainState),
                      domains=service.list_domains(session, principal, state=state, limit=500),
                      due=service.reviews_due(session, principal), error=error,
                      published=published)


@router.get("/blocklist/manage")
def manage_page(request: Request, state: DomainState | None = None,
                principal: Principal | None = Depends(form_principal)) -> Response:
    return _manage_page(request, _logged_in(principal), state)


@router.post("/blocklist/publish")
def publish_form(request: Request, principal: Principal | None = Depends(form_principal)
                 ) -> Response:
    principal = _logged_in(principal)
    try:
        with unit_of_work(request) as session:
            version = service.publish(session, principal, rules(request))
    except DomainError as error:
        return _manage_page(request, principal, error=error.detail, status=error.status)
    return _manage_page(request, principal, published=version.number)


@router.get("/blocklist/versions")
def versions_page(request: Request, old: Id | None = Query(None), new: Id | None = Query(None),
                  principal: Principal | None = Depends(form_principal)) -> Response:
    principal = _logged_in(principal)
    with unit_of_work(request) as session:
        versions = service.list_versions(session, principal)
        if new is None and versions:
            new = versions[0].number
        if old is None and new is not None:
            old = new - 1 if new > 1 else None
        diff = service.diff_versions(session, principal, old, new) if old and new else None
        return render(request, "blocklist/versions.html", versions=versions, old=old, new=new,
                      diff=diff)


def _appeals_page(request: Request, principal: Principal, error: str | None = None,
                  status: int = 200) -> Response:
    with unit_of_work(request) as session:
        return render(request, "blocklist/appeals.html", status_code=status, error=error,
                      appeals=service.list_appeals(session, principal))


@router.get("/blocklist/appeals")
def appeals_page(request: Request, principal: Principal | None = Depends(form_principal)
                 ) -> Response:
    return _appeals_page(request, _logged_in(principal))


@router.post("/blocklist/appeals/{appeal_id}/decide")
def decide_form(request: Request, appeal_id: Id,
                decision: Annotated[str, Form(pattern="^(uphold|dismiss)$")], reason: Text,
                principal: Principal | None = Depends(form_principal)) -> Response:
    principal = _logged_in(principal)
    try:
        with unit_of_work(request) as session:
            service.decide_appeal(session, principal, appeal_id, upheld=decision == "uphold",
                                  reason=reason)
    except DomainError as error:
        return _appeals_page(request, principal, error.detail, error.status)
    return redirect("/blocklist/appeals")


@router.get("/blocklist/providers")
def providers_page(request: Request, principal: Principal | None = Depends(form_principal)
                   ) -> Response:
    principal = _logged_in(principal)
    with unit_of_work(request) as session:
        return render(request, "blocklist/providers.html",
                      accounts=service.provider_accounts(session, principal),
                      requests=service.feed_requests(session, principal, limit=200))


# --- public --------------------------------------------------------------------------------


@router.get("/blocklist/stop")
def stop_page(request: Request, domain: str = Query(max_length=253),
              provider: str | None = Query(None, max_length=40)) -> Response:
    """The stop page a provider may redirect to. Its text does not depend on the list, so it
    tells nobody whether a domain is listed."""
    try:
        name = listed_domain(domain)
    except InvalidListedDomain as error:
        raise InvalidInput(str(error)) from error
    with unit_of_work(request) as session:
        partner = session.scalars(select(Organisation).where(
            Organisation.code == (provider or "").upper(),
            Organisation.kind == OrgKind.PARTNER.value)).first()
        latest = latest_version(session)
        html = render_stop_page(
            name, provider=partner.name if partner else None,
            complaint_url=app_state(request).settings.blocklist_complaint_url,
            list_version=latest.number if latest else None)
    return HTMLResponse(html, status_code=STOP_STATUS)

