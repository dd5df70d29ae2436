"""HTML pages: the link queue, one link with its explanation and decision form, and the link
graph of a person record (server-rendered lists with expand links; no scripts)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from interlink.core.auth import Perm, Principal
from interlink.core.errors import Unauthenticated
from interlink.deps import Id, unit_of_work
from interlink.linking import service
from interlink.linking.models import LinkStatus
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
            graph=graph,
            record_id=record_id,
            hints=hints,
            cluster=cluster.as_dict(),
        )
