"""HTML page: a border officer's check of a person, a travel document or a vehicle."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from interlink.core.auth import Perm, Principal
from interlink.core.errors import DomainError, Unauthenticated
from interlink.core.i18n import _, translate
from interlink.records import forms
from interlink.screening.api import screener
from interlink.screening.person_index import PersonQuery
from interlink.screening.service import DocumentQuery, VehicleQuery, answer_in_language
from interlink.web.render import form_principal, render

router = APIRouter(include_in_schema=False)
SEXES = {"male": "M", "female": "F", "other": "U"}


def _run(request: Request, principal: Principal, form: Any) -> dict[str, Any]:
    engine = screener(request)
    number, mrz = forms.text(form, "number"), forms.text(form, "mrz")
    country = forms.text(form, "country")
    if mrz or number:
        answer = engine.document(
            principal,
            DocumentQuery(number=number, mrz=mrz, country=country.upper() if country else None),
        )
    elif name := forms.text(form, "name"):
        nationality = forms.text(form, "nationality")
        answer = engine.person(
            principal,
            PersonQuery(
                name=name,
                birth_date=forms.text(form, "birth_date"),
                nationality=nationality.upper() if nationality else None,
                sex=SEXES.get(forms.text(form, "sex") or ""),
            ),
        )
    elif forms.text(form, "vin") or forms.text(form, "plate"):
        plate_country = forms.text(form, "plate_country")
        answer = engine.vehicle(
            principal,
            VehicleQuery(
                vin=forms.text(form, "vin"),
                plate=forms.text(form, "plate"),
                country=plate_country.upper() if plate_country else None,
            ),
        )
    else:
        return {"error": _("Enter a name, a document number or MRZ, or a vehicle.")}
    return {"answer": answer_in_language(answer), "kind": answer.kind}


@router.get("/screen")
def screen_form(
    request: Request, principal: Principal | None = Depends(form_principal)
) -> Response:
    if principal is None:
        raise Unauthenticated("log in first")
    principal.require(Perm.SCREEN_DOCUMENT)
    return render(request, "screening/screen.html", result=None, form={})


@router.post("/screen")
async def screen_submit(
    request: Request, principal: Principal | None = Depends(form_principal)
) -> Response:
    if principal is None:
        raise Unauthenticated("log in first")
    form = await request.form()
    try:
        result = _run(request, principal, form)
    except DomainError as exc:
        return render(
            request,
            "screening/screen.html",
            status_code=exc.status,
            result={"error": translate(exc.detail)},
            form=dict(form),
        )
    return render(request, "screening/screen.html", result=result, form=dict(form))
