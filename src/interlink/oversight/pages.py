"""HTML page: the audit log, for record owners (their records) and the oversight commission."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from interlink.core.auth import Perm, Principal
from interlink.core.errors import Unauthenticated
from interlink.core.pagination import decode_cursor, encode_cursor
from interlink.deps import unit_of_work
from interlink.oversight import service
from interlink.web.render import NavLink, form_principal, render

router = APIRouter(include_in_schema=False)
NAV = [  # wired in interlink.wiring.NAV
    NavLink("/audit", "Audit log", Perm.AUDIT_ALL),
    NavLink("/audit", "Access log", Perm.AUDIT_OWN),
]
PAGE = 100


@router.get("/audit")
def audit_page(request: Request, action: str | None = Query(None, max_length=64),
               object_id: str | None = Query(None, max_length=64), cursor: str | None = None,
               principal: Principal | None = Depends(form_principal)) -> Response:
    if principal is None:
        raise Unauthenticated("log in first")
    with unit_of_work(request) as session:
        entries = service.query_audit(session, principal, after_id=decode_cursor(cursor),
                                      limit=PAGE, action=action or None,
                                      object_id=object_id or None)
        report = service.verify_chain(session, principal) if principal.has(
            Perm.AUDIT_ALL) else None
    next_cursor = encode_cursor(entries[-1].id) if len(entries) == PAGE else None
    return render(request, "oversight/audit.html", entries=entries, action=action or "",
                  object_id=object_id or "", next_cursor=next_cursor, report=report)
