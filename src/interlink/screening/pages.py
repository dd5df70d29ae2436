"""HTML page: a border officer's check of a person, a travel document or a vehicle."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from interlink.core.auth import Perm, Principal
from interlink.core.errors import DomainError, Unauthenticated
from interlink.deps import app_state, unit_of_work
from interlink.records import forms
from interlink.screening.api import screener
from interlink.screening.person_index import PersonQuery
from interlink.web.render import NAV_LINKS, NavLink, form_principal, render

router = APIRouter(include_in_schema=False)
NAV_LINKS.append(NavLink("/screen", "Screen", Perm.SCREEN_DOCUMENT))
SEXES = {"male": "M", "female": "F", "other": "U"}


def _run(request: Request, principal: Principal, form: Any) -> dict[str, Any]:
    engine = screener(request)
    number, mrz = forms.text(form, "number"), forms.text(form, "mrz")
    if mrz or number:
        kind = "document"
        country = forms.text(form, "country")
        query = {k: v for k, v in (("number", number), ("country", country), ("mrz", mrz)) if v}
        result = engine.document(principal, number=number, mrz=mrz, doc_type=None,
                                 country=country.upper() if country else None)
    elif name := forms.text(form, "name"):
        kind = "person"
        query = {k: v for k in ("name", "birth_date", "nationality", "sex")
                 if (v := forms.text(form, k))}
        result = engine.person(principal, PersonQuery(
            name=name, birth_date=query.get("birth_date"),
            nationality=(query.get("nationality") or "").upper() or None,
            sex=SEXES.get(query.get("sex", ""))))
    elif forms.text(form, "vin") or forms.text(form, "plate"):
        kind = "vehicle"
        query = {k: v for k in ("vin", "plate", "plate_country") if (v := forms.text(form, k))}
        country = query.get("plate_country")
        result = engine.vehicle(principal, vin=query.get("vin"), plate=query.get("plate"),
                                country=country.upper() if country else None)
    else:
        return {"error": "Enter a name, a document number or MRZ, or a vehicle."}
    outcome, matches = result
    if matches:
        with unit_of_work(request) as session:
            engine.record_hits(session, app_state(request), principal, kind, query, matches,
                               outcome)
    else:
        app_state(request).audit_writer.write(principal.actor,
                                              engine.no_hit_event(principal, kind, query))
    return {"outcome": outcome.as_dict(), "kind": kind}


@router.get("/screen")
def screen_form(request: Request, principal: Principal | None = Depends(form_principal)
                ) -> Response:
    if principal is None:
        raise Unauthenticated("log in first")
    principal.require(Perm.SCREEN_DOCUMENT)
    return render(request, "screening/screen.html", result=None, form={})


@router.post("/screen")
async def screen_submit(request: Request, principal: Principal | None = Depends(form_principal)
                        ) -> Response:
    if principal is None:
        raise Unauthenticated("log in first")
    form = await request.form()
    try:
        result = _run(request, principal, form)
    except DomainError as exc:
        return render(request, "screening/screen.html", status_code=exc.status,
                      result={"error": exc.detail}, form=dict(form))
    return render(request, "screening/screen.html", result=result, form=dict(form))
