"""HTML pages: records, notices and diffusions, the review queue, public extracts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from interlink.core.auth import Perm, Principal
from interlink.core.errors import DomainError, Unauthenticated
from interlink.deps import Id, unit_of_work
from interlink.records import forms, notices
from interlink.records import service as records
from interlink.records.api_schemas import NoticeOut, RecordOut
from interlink.records.models import NoticeState, RecordKind
from interlink.records.schemas import JudicialPurpose, NoticeType, OffenceCategory
from interlink.web.render import form_principal, redirect, render

router = APIRouter(include_in_schema=False)
FORM_CHOICES = {
    "notice_types": list(NoticeType),
    "offence_categories": list(OffenceCategory),
    "purposes": list(JudicialPurpose),
}


def _user(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthenticated("log in first")
    return principal


@router.get("/records")
def records_page(
    request: Request,
    q: str | None = None,
    kind: RecordKind | None = None,
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _user(principal)
    with unit_of_work(request) as session:
        rows = records.list_records(session, principal, kind=kind, text=q, limit=100)
        due = (
            records.due_for_review(session, principal) if principal.has(Perm.RECORDS_WRITE) else []
        )
        return render(request, "records/list.html", rows=rows, q=q or "", kind=kind, due=due)


@router.get("/records/new/{kind}")
def new_record_page(
    request: Request, kind: RecordKind, principal: Principal | None = Depends(form_principal)
) -> Response:
    _user(principal).require(Perm.RECORDS_WRITE)
    return render(request, "records/new.html", kind=kind.value, error=None, form={})


@router.post("/records/new/{kind}")
async def new_record_submit(
    request: Request, kind: RecordKind, principal: Principal | None = Depends(form_principal)
) -> Response:
    principal = _user(principal)
    form = await request.form()
    try:
        raw = _record_form(kind, form)
        with unit_of_work(request) as session:
            row = records.create_record(
                session,
                principal,
                records.NewRecord(
                    data=records.parse_data(kind, raw), restrictions=forms.restrictions(form)
                ),
            )
            record_id = row.id
    except DomainError as exc:
        return render(
            request,
            "records/new.html",
            status_code=exc.status,
            kind=kind.value,
            error=exc.detail,
            form=dict(form),
        )
    return redirect(f"/records/{record_id}")


def _record_form(kind: RecordKind, form: Any) -> dict[str, Any]:
    if kind is RecordKind.PERSON:
        return forms.person(form) or {}
    fields = {
        RecordKind.DOCUMENT: (
            "issuing_country",
            "document_type",
            "number",
            "status",
            "reported_on",
        ),
        RecordKind.VEHICLE: (
            "vin",
            "registration_number",
            "registration_country",
            "make",
            "model",
            "colour",
            "status",
            "reported_on",
        ),
    }[kind]
    return {name: value for name in fields if (value := forms.text(form, name)) is not None}


@router.get("/records/{record_id}")
def record_page(
    request: Request, record_id: Id, principal: Principal | None = Depends(form_principal)
) -> Response:
    principal = _user(principal)
    with unit_of_work(request) as session:
        row = records.get_record(session, principal, record_id)
        history = records.versions(session, principal, record_id)
        return render(
            request,
            "records/detail.html",
            row=row,
            view=RecordOut.of(row, principal),
            history=history,
        )


# --- notices -----------------------------------------------------------------------------


@router.get("/notices")
def notices_page(
    request: Request,
    state: NoticeState | None = None,
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _user(principal)
    with unit_of_work(request) as session:
        rows = notices.list_notices(session, principal, state=state, limit=200)
        return render(
            request, "records/notices.html", rows=rows, state=state, title="Notices and diffusions"
        )


@router.get("/notices/review")
def review_page(
    request: Request, principal: Principal | None = Depends(form_principal)
) -> Response:
    principal = _user(principal)
    with unit_of_work(request) as session:
        rows = notices.review_queue(session, principal)
        return render(request, "records/notices.html", rows=rows, state=None, title="Review queue")


@router.get("/notices/new")
def new_notice_page(
    request: Request, principal: Principal | None = Depends(form_principal)
) -> Response:
    _user(principal).require(Perm.NOTICES_SUBMIT)
    return render(request, "records/notice_form.html", error=None, form={}, **FORM_CHOICES)


@router.post("/notices/new")
async def new_notice_submit(
    request: Request, principal: Principal | None = Depends(form_principal)
) -> Response:
    principal = _user(principal)
    form = await request.form()
    try:
        with unit_of_work(request) as session:
            row = notices.create_notice(
                session,
                principal,
                notices.parse_notice(forms.notice(form)),
                forms.restrictions(form),
            )
            notice_id = row.id
    except DomainError as exc:
        return render(
            request,
            "records/notice_form.html",
            status_code=exc.status,
            error=exc.detail,
            form=dict(form),
            **FORM_CHOICES,
        )
    return redirect(f"/notices/{notice_id}")


def _notice_view(
    request: Request,
    principal: Principal,
    notice_id: int,
    error: str | None = None,
    status: int = 200,
) -> Response:
    with unit_of_work(request) as session:
        row = notices.get_notice(session, principal, notice_id)
        view = NoticeOut.of(
            row,
            principal,
            notices.checks(session, principal, notice_id),
            notices.timeline(session, principal, notice_id),
        )
        return render(
            request,
            "records/notice.html",
            status_code=status,
            row=row,
            view=view,
            error=error,
            is_reviewer=principal.has(Perm.NOTICES_REVIEW),
        )


@router.get("/notices/{notice_id}")
def notice_page(
    request: Request, notice_id: Id, principal: Principal | None = Depends(form_principal)
) -> Response:
    return _notice_view(request, _user(principal), notice_id)


@router.post("/notices/{notice_id}/{action}")
async def notice_action(
    request: Request,
    notice_id: Id,
    action: str,
    principal: Principal | None = Depends(form_principal),
) -> Response:
    """Every button on the notice page posts here: one place that maps forms to the service."""
    principal = _user(principal)
    form = await request.form()
    text = forms.text(form, "text") or ""
    steps = {
        "submit": lambda s: notices.submit(s, principal, notice_id),
        "circulate": lambda s: notices.circulate_diffusion(
            s, principal, notice_id, forms.codes(form, "recipients")
        ),
        "review": lambda s: notices.start_review(s, principal, notice_id),
        "request-info": lambda s: notices.request_information(s, principal, notice_id, text),
        "answer": lambda s: notices.answer_information_request(s, principal, notice_id, text),
        "approve": lambda s: notices.decide(s, principal, notice_id, approve=True, reason=text),
        "refuse": lambda s: notices.decide(s, principal, notice_id, approve=False, reason=text),
        "confirm": lambda s: notices.review_diffusion(
            s, principal, notice_id, keep=True, reason=text
        ),
        "withdraw": lambda s: notices.review_diffusion(
            s, principal, notice_id, keep=False, reason=text
        ),
        "cancel": lambda s: notices.cancel(s, principal, notice_id, text),
    }
    step = steps.get(action)
    if step is None:
        return _notice_view(request, principal, notice_id, f"unknown action {action!r}", 404)
    try:
        with unit_of_work(request) as session:
            step(session)
    except DomainError as exc:
        return _notice_view(request, principal, notice_id, exc.detail, exc.status)
    return redirect(f"/notices/{notice_id}")


@router.get("/public/notices")
def public_notices_page(request: Request) -> Response:
    """Public extracts of Red notices, with the requesting country's consent; no login."""
    with unit_of_work(request) as session:
        rows = [notices.public_extract_view(session, n) for n in notices.public_extracts(session)]
    return render(request, "records/public.html", rows=rows)
