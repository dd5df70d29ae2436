"""HTML pages: the link queue, one link with its explanation and decision form, and the link
graph of a person record (server-rendered lists with expand links; no scripts)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from interlink.core.auth import Perm, Principal
from interlink.core.errors import DomainError, Unauthenticated
from interlink.core.i18n import N_, _
from interlink.deps import Id, unit_of_work
from interlink.linking import patterns, service
from interlink.linking.model import shown_explanation
from interlink.linking.models import LinkStatus
from interlink.web.lists import FieldErrors
from interlink.web.render import NavLink, form_principal, redirect, render

router = APIRouter(include_in_schema=False)
NAV = [NavLink("/links", "Links", Perm.ANALYTICS)]


def _user(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthenticated("log in first")
    return principal


@router.get("/links")
def links_page(
    request: Request,
    status: LinkStatus | None = LinkStatus.SUGGESTED,
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _user(principal)
    with unit_of_work(request) as session:
        views = service.list_links(session, principal, status=status, limit=200)
        last = service.last_completed(session)
        return render(
            request,
            "linking/list.html",
            views=views,
            status=status,
            statuses=list(LinkStatus),
            last=last,
        )


@router.get("/links/{link_id}")
def link_page(
    request: Request, link_id: Id, principal: Principal | None = Depends(form_principal)
) -> Response:
    principal = _user(principal)
    with unit_of_work(request) as session:
        view = service.get_link(session, principal, link_id)
        decisions = service.history(session, principal, link_id)
        return render(
            request,
            "linking/link.html",
            view=view,
            explanation=shown_explanation(view.link.explanation),
            decisions=decisions,
            may_decide=principal.has(Perm.ANALYTICS),
        )


@router.post("/links/{link_id}")
async def link_decide(
    request: Request, link_id: Id, principal: Principal | None = Depends(form_principal)
) -> Response:
    principal = _user(principal)
    form = await request.form()
    decision = str(form.get("decision", ""))
    if decision not in {d.value for d in service.DECISIONS}:
        from interlink.core.errors import InvalidInput

        raise InvalidInput("choose confirmed, rejected or unsure")
    with unit_of_work(request) as session:
        service.decide(
            session,
            principal,
            link_id,
            LinkStatus(decision),
            str(form.get("reason", "")).strip() or None,
        )
    return redirect(f"/links/{link_id}")


@router.get("/links/graph/{record_id}")
def graph_page(
    request: Request, record_id: Id, principal: Principal | None = Depends(form_principal)
) -> Response:
    principal = _user(principal)
    with unit_of_work(request) as session:
        graph = service.graph_of(session, principal, record_id)
        hints = service.hints_for(session, principal, record_id)
        cluster = service.cluster_of(session, principal, record_id)
        return render(
            request,
            "linking/graph.html",
            graph=graph.in_language(),
            record_id=record_id,
            hints=hints,
            cluster=cluster.as_dict(),
        )


# --- saved patterns (the General Secretariat's analysts) -------------------------------------


def _patterns_page(
    request: Request,
    principal: Principal,
    errors: FieldErrors | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    with unit_of_work(request) as session:
        rows = patterns.list_patterns(session, principal)
        alerts = patterns.alert_counts(session, principal)
        return render(
            request,
            "linking/patterns.html",
            status_code=status,
            rows=rows,
            alerts=alerts,
            now=datetime.now(UTC),
            errors=errors or FieldErrors(),
            form=form or {"daily_cap": str(patterns.DEFAULT_DAILY_CAP), "days": "90"},
            kind_options=[(k.value, _(PATTERN_LABELS[k])) for k in patterns.PatternKind],
        )


PATTERN_LABELS = {
    patterns.PatternKind.SHARED_DOCUMENT: N_(
        "One travel-document number on persons of two bureaus"
    ),
    patterns.PatternKind.RED_SUBJECT_SCREENED_ABROAD: N_(
        "A Red notice's subject, or a person linked to it, screened in a third country"
    ),
}


@router.get("/patterns")
def patterns_page(
    request: Request, principal: Principal | None = Depends(form_principal)
) -> Response:
    return _patterns_page(request, _user(principal))


@router.post("/patterns")
def patterns_create(
    request: Request,
    kind: Annotated[str, Form(max_length=40)] = "",
    name: Annotated[str, Form(max_length=300)] = "",
    daily_cap: Annotated[str, Form(max_length=20)] = "",
    days: Annotated[str, Form(max_length=20)] = "",
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _user(principal)
    form = {"kind": kind, "name": name, "daily_cap": daily_cap, "days": days}
    errors = FieldErrors()
    errors.check("daily_cap", None if daily_cap.strip().isdigit() else N_("a whole number"))
    errors.check("days", None if days.strip().isdigit() else N_("a whole number of days"))
    try:
        errors.raise_if_any()
        with unit_of_work(request) as session:
            patterns.create_pattern(
                session, principal, kind=kind, name=name, daily_cap=int(daily_cap), days=int(days)
            )
    except DomainError as exc:
        errors = errors or FieldErrors.of(exc, "name")
        return _patterns_page(request, principal, errors, exc.status, form)
    return redirect("/patterns")


@router.post("/patterns/{pattern_id}/deactivate")
def patterns_deactivate(
    request: Request,
    pattern_id: Id,
    confirmed: Annotated[str, Form(max_length=3)] = "",
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _user(principal)
    with unit_of_work(request) as session:
        if confirmed != "yes":  # it cannot be switched on again: check first
            pattern = patterns.get_pattern(session, principal, pattern_id)
            return render(request, "linking/pattern_off.html", pattern=pattern)
        patterns.deactivate(session, principal, pattern_id)
    return redirect("/patterns")
