"""HTML pages of the blocklist: submission, verification queue, a domain's file, list
management, versions and diffs, appeals, provider accounts, and the public stop page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.blocklist import service
from interlink.blocklist.deps import rules
from interlink.blocklist.feed import InvalidListedDomain, domain_in_pasted_text, listed_domain
from interlink.blocklist.models import DomainState
from interlink.blocklist.stop_page import render_stop_page
from interlink.blocklist.versions import latest_version
from interlink.core.auth import OrgKind, Perm, Principal
from interlink.core.errors import DomainError, InvalidInput, Unauthenticated
from interlink.core.i18n import N_, _
from interlink.deps import Id, app_state, unit_of_work
from interlink.members.models import Organisation
from interlink.web.lists import PAGE_SIZE, FieldErrors, enum_filter, list_url
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
def queue_page(
    request: Request,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _logged_in(principal)
    with unit_of_work(request) as session:
        waiting = service.verification_queue(session, principal)
        known = service.domains_page(session, principal, cursor=cursor, limit=PAGE_SIZE)
        views = {
            d.id: service.domain_view(principal, rules(request), d)
            for d in [*waiting, *known.items]
        }
        return render(
            request,
            "blocklist/queue.html",
            waiting=waiting,
            views=views,
            known=known,
            next_url=list_url("/blocklist/queue", {}, cursor=known.next_cursor)
            if known.next_cursor
            else None,
            first_url="/blocklist/queue" if cursor else None,
        )


ATTESTATION_FIELDS = (
    "domain",
    "evidence_ref",
    "notes",
    "real_children",
    "under_13",
    "severe_abuse",
)


def _submit_page(
    request: Request,
    principal: Principal,
    form: dict[str, Any] | None = None,
    errors: FieldErrors | None = None,
    note: str | None = None,
    status: int = 200,
) -> Response:
    principal.require(Perm.BLOCKLIST_SUBMIT)
    return render(
        request,
        "blocklist/submit.html",
        status_code=status,
        form=form or {},
        errors=errors or FieldErrors(),
        note=note,
        needed=rules(request).min_confirmations,
    )


@router.get("/blocklist/submit")
def submit_page(
    request: Request, principal: Principal | None = Depends(form_principal)
) -> Response:
    return _submit_page(request, _logged_in(principal))


@router.post("/blocklist/submit")
def submit_form(
    request: Request,
    domain: Annotated[str, Form(max_length=2000)],
    evidence_ref: Annotated[str, Form(max_length=100)] = "",
    notes: Text = "",
    real_children: Annotated[bool, Form()] = False,
    under_13: Annotated[bool, Form()] = False,
    severe_abuse: Annotated[bool, Form()] = False,
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _logged_in(principal)
    form = {
        "domain": domain,
        "evidence_ref": evidence_ref,
        "notes": notes,
        "real_children": real_children,
        "under_13": under_13,
        "severe_abuse": severe_abuse,
    }
    reduced = domain_in_pasted_text(domain)
    if reduced is not None:
        # A whole address was pasted: list its domain, once the submitter has seen it.
        note = _(
            "You gave a web address; the blocklist holds domains, so its domain "
            "%(domain)s is filled in below (its pages and subdomains are blocked with it). "
            "Check it and submit again.",
            domain=reduced,
        )
        return _submit_page(request, principal, {**form, "domain": reduced}, note=note)
    try:
        with unit_of_work(request) as session:
            submitted = service.submit(
                session,
                principal,
                rules(request),
                domain,
                service.Attestation(real_children, under_13, severe_abuse, evidence_ref, notes),
            )
    except DomainError as error:
        return _submit_page(
            request, principal, form, FieldErrors.of(error, "domain"), status=error.status
        )
    return redirect(f"/blocklist/domains/{submitted.id}")


def _domain_page(
    request: Request,
    principal: Principal,
    domain_id: int,
    errors: FieldErrors | None = None,
    status: int = 200,
    form: dict[str, Any] | None = None,
) -> Response:
    with unit_of_work(request) as session:
        domain = service.get_domain(session, principal, domain_id)
        return render(
            request,
            "blocklist/domain.html",
            status_code=status,
            seen=service.domain_view(principal, rules(request), domain),
            appeals=service.appeals_of(session, principal, domain),
            can_confirm=principal.has(Perm.BLOCKLIST_SUBMIT),
            can_decide=principal.has(Perm.BLOCKLIST_PUBLISH),
            errors=errors or FieldErrors(),
            form=form or {},
        )


@router.get("/blocklist/domains/{domain_id}")
def domain_page(
    request: Request, domain_id: Id, principal: Principal | None = Depends(form_principal)
) -> Response:
    return _domain_page(request, _logged_in(principal), domain_id)


def _act_on_domain(
    request: Request,
    principal: Principal,
    domain_id: int,
    action: Callable[[Session], object],
    form: dict[str, Any] | None = None,
    field: str = "reason",
) -> Response:
    """Run `action(session)`; show the domain again, with the refusal beside its field and
    what was typed, if it was refused."""
    try:
        with unit_of_work(request) as session:
            action(session)
    except DomainError as error:
        if error.status == 404:
            raise
        return _domain_page(
            request, principal, domain_id, FieldErrors.of(error, field), error.status, form
        )
    return redirect(f"/blocklist/domains/{domain_id}")


@router.post("/blocklist/domains/{domain_id}/confirm")
def confirm_form(
    request: Request,
    domain_id: Id,
    evidence_ref: Annotated[str, Form(max_length=100)] = "",
    notes: Text = "",
    real_children: Annotated[bool, Form()] = False,
    under_13: Annotated[bool, Form()] = False,
    severe_abuse: Annotated[bool, Form()] = False,
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _logged_in(principal)
    attestation = service.Attestation(real_children, under_13, severe_abuse, evidence_ref, notes)
    form = {
        "evidence_ref": evidence_ref,
        "notes": notes,
        "real_children": real_children,
        "under_13": under_13,
        "severe_abuse": severe_abuse,
    }
    return _act_on_domain(
        request,
        principal,
        domain_id,
        lambda session: service.confirm(session, principal, rules(request), domain_id, attestation),
        form,
        "criteria",
    )


# --- the General Secretariat -----------------------------------------------------------------


CLOSING = {
    "reject": (
        N_("Reject"),
        N_("The domain leaves the verification queue; a new submission opens a new round."),
    ),
    "delist": (
        N_("Delist"),
        N_("The domain leaves the list in the next published version; providers stop blocking it."),
    ),
}


def _close_domain(
    request: Request,
    principal: Principal,
    domain_id: int,
    decision: str,
    reason: str,
    confirmed: bool,
) -> Response:
    """Reject or delist after a check-your-answers page; a reason is required."""
    verb, consequence = CLOSING[decision]
    form = {f"{decision}_reason": reason}
    if not reason.strip():
        return _domain_page(
            request,
            principal,
            domain_id,
            FieldErrors({f"{decision}-reason": N_("give the reason")}),
            422,
            form,
        )
    if not confirmed:
        with unit_of_work(request) as session:
            domain = service.get_domain(session, principal, domain_id)
            return render(
                request,
                "blocklist/close_confirm.html",
                domain=domain,
                verb=_(verb),
                decision=decision,
                reason=reason,
                consequence=_(consequence),
            )
    act = service.reject if decision == "reject" else service.delist
    return _act_on_domain(
        request,
        principal,
        domain_id,
        lambda session: act(session, principal, domain_id, reason),
        form,
        f"{decision}-reason",
    )


@router.post("/blocklist/domains/{domain_id}/reject")
def reject_form(
    request: Request,
    domain_id: Id,
    reason: Text = "",
    confirmed: Annotated[str, Form(max_length=3)] = "",
    principal: Principal | None = Depends(form_principal),
) -> Response:
    return _close_domain(
        request, _logged_in(principal), domain_id, "reject", reason, confirmed == "yes"
    )


@router.post("/blocklist/domains/{domain_id}/delist")
def delist_form(
    request: Request,
    domain_id: Id,
    reason: Text = "",
    confirmed: Annotated[str, Form(max_length=3)] = "",
    principal: Principal | None = Depends(form_principal),
) -> Response:
    return _close_domain(
        request, _logged_in(principal), domain_id, "delist", reason, confirmed == "yes"
    )


@router.post("/blocklist/domains/{domain_id}/review")
def review_form(
    request: Request,
    domain_id: Id,
    outcome: Annotated[str, Form(pattern="^(present|gone)$")],
    note: Text = "",
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _logged_in(principal)
    return _act_on_domain(
        request,
        principal,
        domain_id,
        lambda session: service.record_review(
            session,
            principal,
            rules(request),
            domain_id,
            material_present=outcome == "present",
            note=note,
        ),
    )


@router.post("/blocklist/domains/{domain_id}/appeals")
def appeal_form(
    request: Request,
    domain_id: Id,
    appellant: Annotated[str, Form(max_length=200)],
    contact: Annotated[str, Form(max_length=200)],
    grounds: Text,
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _logged_in(principal)
    form = {"appellant": appellant, "contact": contact, "grounds": grounds}
    return _act_on_domain(
        request,
        principal,
        domain_id,
        lambda session: service.record_appeal(
            session, principal, domain_id, appellant=appellant, contact=contact, grounds=grounds
        ),
        form,
        "grounds",
    )


@router.get("/blocklist/manage")
def manage_page(
    request: Request,
    state: Annotated[str, Query(max_length=16)] = "",
    q: Annotated[str, Query(max_length=253)] = "",
    sort: Annotated[str, Query(pattern="^(newest|oldest|domain)$")] = "newest",
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    published: Annotated[int | None, Query(ge=1, le=2**31)] = None,
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _logged_in(principal)
    principal.require(Perm.BLOCKLIST_PUBLISH)
    errors = FieldErrors()
    chosen = enum_filter(errors, "state", state, DomainState)
    params = {"state": state, "q": q, "sort": sort}
    with unit_of_work(request) as session:
        page = (
            None
            if errors
            else service.domains_page(
                session,
                principal,
                state=chosen,
                text=q or None,
                sort=sort,
                cursor=cursor,
                limit=PAGE_SIZE,
            )
        )
        return render(
            request,
            "blocklist/manage.html",
            status_code=422 if errors else 200,
            pending=service.pending_changes(session, principal),
            latest=latest_version(session),
            params=params,
            errors=errors,
            states=list(DomainState),
            page=page,
            due=service.reviews_due(session, principal),
            published=published,
            next_url=list_url("/blocklist/manage", params, cursor=page.next_cursor)
            if page and page.next_cursor
            else None,
            first_url=list_url("/blocklist/manage", params) if cursor else None,
        )


def _publish_confirm(
    request: Request, principal: Principal, errors: FieldErrors | None = None, status: int = 200
) -> Response:
    with unit_of_work(request) as session:
        latest = latest_version(session)
        return render(
            request,
            "blocklist/publish_confirm.html",
            status_code=status,
            pending=service.pending_changes(session, principal),
            latest=latest,
            next_number=(latest.number if latest else 0) + 1,
            errors=errors or FieldErrors(),
        )


@router.get("/blocklist/publish")
def publish_confirm_page(
    request: Request, principal: Principal | None = Depends(form_principal)
) -> Response:
    """Check your answers: what the next version adds and removes, before it goes out."""
    return _publish_confirm(request, _logged_in(principal))


@router.post("/blocklist/publish")
def publish_form(
    request: Request,
    version: Annotated[int | None, Form(ge=1, le=2**31)] = None,
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _logged_in(principal)
    if version is None:  # no confirmation page seen: show it, publish nothing
        return redirect("/blocklist/publish")
    try:
        with unit_of_work(request) as session:
            published = service.publish(session, principal, rules(request), version)
    except DomainError as error:
        return _publish_confirm(request, principal, FieldErrors.of(error, "publish"), error.status)
    return redirect(f"/blocklist/manage?published={published.number}")


@router.get("/blocklist/versions")
def versions_page(
    request: Request,
    old: Id | None = Query(None),
    new: Id | None = Query(None),
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _logged_in(principal)
    with unit_of_work(request) as session:
        page = service.versions_page(session, principal, cursor=cursor, limit=PAGE_SIZE)
        latest = latest_version(session)
        if new is None and latest is not None:
            new = latest.number
        if old is None and new is not None:
            old = new - 1 if new > 1 else None
        diff = service.diff_versions(session, principal, old, new) if old and new else None
        return render(
            request,
            "blocklist/versions.html",
            page=page,
            old=old,
            new=new,
            diff=diff,
            next_url=list_url("/blocklist/versions", {}, cursor=page.next_cursor)
            if page.next_cursor
            else None,
            first_url="/blocklist/versions" if cursor else None,
        )


def _appeals_page(
    request: Request, principal: Principal, error: str | None = None, status: int = 200
) -> Response:
    with unit_of_work(request) as session:
        return render(
            request,
            "blocklist/appeals.html",
            status_code=status,
            error=error,
            appeals=service.list_appeals(session, principal),
        )


@router.get("/blocklist/appeals")
def appeals_page(
    request: Request, principal: Principal | None = Depends(form_principal)
) -> Response:
    return _appeals_page(request, _logged_in(principal))


@router.post("/blocklist/appeals/{appeal_id}/decide")
def decide_form(
    request: Request,
    appeal_id: Id,
    decision: Annotated[str, Form(pattern="^(uphold|dismiss)$")],
    reason: Text,
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _logged_in(principal)
    try:
        with unit_of_work(request) as session:
            service.decide_appeal(
                session, principal, appeal_id, upheld=decision == "uphold", reason=reason
            )
    except DomainError as error:
        return _appeals_page(request, principal, error.detail, error.status)
    return redirect("/blocklist/appeals")


@router.get("/blocklist/providers")
def providers_page(
    request: Request, principal: Principal | None = Depends(form_principal)
) -> Response:
    principal = _logged_in(principal)
    with unit_of_work(request) as session:
        return render(
            request,
            "blocklist/providers.html",
            accounts=service.provider_accounts(session, principal),
            requests=service.feed_requests(session, principal, limit=200),
        )


# --- public --------------------------------------------------------------------------------


@router.get("/blocklist/stop")
def stop_page(
    request: Request,
    domain: str = Query(max_length=253),
    provider: str | None = Query(None, max_length=40),
) -> Response:
    """The stop page a provider may redirect to. Its text does not depend on the list, so it
    tells nobody whether a domain is listed."""
    try:
        name = listed_domain(domain)
    except InvalidListedDomain as error:
        raise InvalidInput(str(error)) from error
    with unit_of_work(request) as session:
        partner = session.scalars(
            select(Organisation).where(
                Organisation.code == (provider or "").upper(),
                Organisation.kind == OrgKind.PARTNER.value,
            )
        ).first()
        latest = latest_version(session)
        html = render_stop_page(
            name,
            provider=partner.name if partner else None,
            complaint_url=app_state(request).settings.blocklist_complaint_url,
            list_version=latest.number if latest else None,
            confirmed=False,
        )
    return HTMLResponse(html, status_code=STOP_STATUS)
