"""HTML page: the audit log, for record owners (their records) and the oversight commission."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from interlink.core.auth import Perm, Principal
from interlink.core.errors import Unauthenticated
from interlink.deps import unit_of_work
from interlink.members.service import org_choices, org_labels
from interlink.oversight import service
from interlink.oversight.service import AUDIT_SORTS, AuditFilter
from interlink.web.lists import (
    PAGE_SIZE,
    FieldErrors,
    csv_response,
    dates_filter,
    list_url,
    org_filter,
)
from interlink.web.render import NavLink, form_principal, render

router = APIRouter(include_in_schema=False)
NAV = [  # wired in interlink.wiring.NAV
    NavLink("/audit", "Audit log", Perm.AUDIT_ALL),
    NavLink("/audit", "Access log", Perm.AUDIT_OWN),
]


@dataclass
class AuditQuery:
    """The audit page's filter fields as typed, and what they mean once checked."""

    params: dict[str, str]
    errors: FieldErrors = field(default_factory=FieldErrors)
    filters: AuditFilter = field(default_factory=AuditFilter)


def filter_params(
    actor: Annotated[str, Query(max_length=200)] = "",
    org: Annotated[str, Query(max_length=40)] = "",
    action: Annotated[str, Query(max_length=64)] = "",
    object_type: Annotated[str, Query(max_length=40)] = "",
    object_id: Annotated[str, Query(max_length=64)] = "",
    since: Annotated[str, Query(max_length=20)] = "",
    until: Annotated[str, Query(max_length=20)] = "",
) -> dict[str, str]:
    return {
        "actor": actor,
        "org": org,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "since": since,
        "until": until,
    }


def _audit_query(session: Session, params: dict[str, str]) -> AuditQuery:
    query = AuditQuery(params=params)
    org_id = org_filter(session, query.errors, "org", params["org"])
    start, end = dates_filter(query.errors, params["since"], params["until"])
    query.filters = AuditFilter(
        actor=params["actor"].strip() or None,
        actor_org_id=org_id,
        action=params["action"].strip() or None,
        object_type=params["object_type"].strip() or None,
        object_id=params["object_id"].strip() or None,
        since=start,
        until=end,
    )
    return query


def _principal(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthenticated("log in first")
    return principal


@router.get("/audit")
def audit_page(
    request: Request,
    params: Annotated[dict[str, str], Depends(filter_params)],
    sort: str = Query("newest", pattern="^(newest|oldest)$"),
    cursor: str | None = Query(None, max_length=500),
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _principal(principal)
    with unit_of_work(request) as session:
        query = _audit_query(session, params)
        page = None
        if not query.errors:
            page = service.audit_page(
                session, principal, query.filters, sort=sort, cursor=cursor, limit=PAGE_SIZE
            )
        orgs = org_labels(
            session,
            [
                org_id
                for e in (page.items if page else [])
                for org_id in (e.actor_org_id, e.object_owner_org_id)
            ],
        )
        report = service.verify_chain(session, principal) if principal.has(Perm.AUDIT_ALL) else None
        choices = org_choices(session)
    params = {**query.params, "sort": sort}
    next_url = (
        list_url("/audit", params, cursor=page.next_cursor) if (page and page.next_cursor) else None
    )
    return render(
        request,
        "oversight/audit.html",
        status_code=422 if query.errors else 200,
        page=page,
        params=params,
        errors=query.errors,
        orgs=orgs,
        org_choices=choices,
        sorts=list(AUDIT_SORTS),
        report=report,
        next_url=next_url,
        first_url=list_url("/audit", params) if cursor else None,
        csv_url=list_url("/audit.csv", query.params),
    )


@router.get("/audit.csv")
def audit_csv(
    request: Request,
    params: Annotated[dict[str, str], Depends(filter_params)],
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _principal(principal)
    with unit_of_work(request) as session:
        query = _audit_query(session, params)
        query.errors.raise_if_any()
        entries = service.audit_export(session, principal, query.filters)
        orgs = org_labels(
            session, [org_id for e in entries for org_id in (e.actor_org_id, e.object_owner_org_id)]
        )

    def code(org_id: int | None) -> str:
        return orgs.get(org_id, "") if org_id is not None else ""

    rows = (
        [
            e.seq,
            e.at,
            e.actor_label,
            code(e.actor_org_id),
            e.action,
            e.object_type,
            e.object_id,
            code(e.object_owner_org_id),
            e.outcome,
            e.client_addr,
            e.request_id,
        ]
        for e in entries
    )
    return csv_response(
        "audit.csv",
        [
            "seq",
            "at_utc",
            "actor",
            "actor_org",
            "action",
            "object_type",
            "object_id",
            "object_owner_org",
            "outcome",
            "client_addr",
            "request_id",
        ],
        rows,
    )
