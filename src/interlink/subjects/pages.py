"""HTML page: the subject (one record as its viewer may see it, with its context)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from markupsafe import Markup

from interlink.core.auth import Principal
from interlink.core.errors import Unauthenticated
from interlink.core.i18n import _
from interlink.deps import Id, unit_of_work
from interlink.records import service as records
from interlink.records.api_schemas import RecordOut
from interlink.records.models import Version
from interlink.records.restrictions import Restrictions
from interlink.screening.models import shown_searcher
from interlink.subjects.service import SubjectView, subject_view
from interlink.web.render import day, form_principal, render, when

router = APIRouter(include_in_schema=False)


@router.get("/records/{record_id}")
def subject_page(
    request: Request, record_id: Id, principal: Principal | None = Depends(form_principal)
) -> Response:
    if principal is None:
        raise Unauthenticated("log in first")
    with unit_of_work(request) as session:
        view = subject_view(session, principal, record_id)
        history = records.versions(session, principal, record_id)
        out = RecordOut.of(view.record, principal)
        return render(
            request,
            "subjects/subject.html",
            view=view,
            record=out,
            sharing=Restrictions.of(view.record).in_words(),
            tables=_tables(view, history),
        )


def _link(href: str, text: str) -> Markup:
    return Markup('<a href="{}">{}</a>').format(href, text)


def _tables(view: SubjectView, history: list[Version]) -> dict[str, list[list[Any]]]:
    """The subject page's tables, cell by cell (links as safe HTML, the rest escaped)."""
    orgs = view.orgs
    by_number = {r.doc_number: r for r in view.document_records}
    documents = [
        [
            (d.get("document_type") or "").replace("_", " ").capitalize(),
            d.get("number"),
            d.get("issuing_country"),
            _link(
                f"/records/{by_number[d['number']].id}",
                by_number[d["number"]].data.get("status", "record"),
            )
            if d.get("number") in by_number
            else _("None entered"),
        ]
        for d in view.identity_documents
    ]
    by_vin = {r.vin: r for r in view.vehicle_records if r.vin}
    by_plate = {r.plate: r for r in view.vehicle_records if r.plate}
    vehicles = []
    for ref in view.vehicles:
        found = by_vin.get(str(ref.get("vin"))) or by_plate.get(str(ref.get("registration_number")))
        vehicles.append(
            [
                ref.get("vin") or "",
                " ".join(
                    filter(None, (ref.get("registration_number"), ref.get("registration_country")))
                ),
                _link(f"/records/{found.id}", found.data.get("status", "record"))
                if found is not None
                else _("None entered"),
            ]
        )
    return {
        "vehicles": vehicles,
        "requests": [
            [
                _link(f"/notices/{n.id}", n.reference),
                f"{n.notice_type.replace('_', ' ').title()} {n.kind}",
                n.state.replace("_", " "),
                orgs.get(n.owner_org_id, ""),
                day(n.retention_until) if n.retention_until else "",
            ]
            for n in view.requests
        ],
        "documents": documents,
        "hits": [
            [
                when(h.at),
                orgs.get(h.searching_org_id, ""),
                shown_searcher(h.searching_label),
                f"{h.score:.2f}",
                _link(f"/messages/{h.thread_id}", _("Thread")) if h.thread_id else "",
            ]
            for h in view.hits
        ],
        "accesses": [
            [when(a.at), a.actor_label, orgs.get(a.actor_org_id or 0, ""), a.action, a.outcome]
            for a in view.accesses
        ],
        "history": [
            [
                v.version,
                v.change,
                v.changed_by,
                when(v.changed_at),
                v.reason or "",
                ", ".join(d["path"].replace("_", " ") for d in v.diff),
            ]
            for v in history
        ],
    }
