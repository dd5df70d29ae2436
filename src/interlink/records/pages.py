"""HTML pages: records, notices and diffusions, the review queue, public extracts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from interlink.core import labels
from interlink.core.access import can_modify
from interlink.core.auth import Perm, Principal
from interlink.core.errors import DomainError, Forbidden, InvalidInput, Unauthenticated
from interlink.core.i18n import N_, _
from interlink.deps import Id, names_like, unit_of_work
from interlink.members.service import org_choices, org_labels
from interlink.records import forms, notices
from interlink.records import service as records
from interlink.records.actions import ACTION, PURPOSE
from interlink.records.api_schemas import NoticeOut
from interlink.records.models import NoticeState, RecordKind, RecordStatus
from interlink.records.restrictions import Restrictions
from interlink.records.schemas import JudicialPurpose, NoticeType, OffenceCategory
from interlink.records.texts import shown_version_reason
from interlink.subjects.service import names_of
from interlink.web.lists import (
    PAGE_SIZE,
    FieldErrors,
    dates_filter,
    enum_filter,
    list_url,
    org_filter,
)
from interlink.web.render import form_principal, redirect, render, templates

router = APIRouter(include_in_schema=False)
# A version's reason the platform wrote ("through A-MA-2026-00001"), in the reader's language.
templates.env.filters["version_reason"] = shown_version_reason
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
    q: Annotated[str, Query(max_length=200)] = "",
    kind: Annotated[str, Query(max_length=12)] = "",
    owner: Annotated[str, Query(max_length=40)] = "",
    status: Annotated[str, Query(max_length=12)] = "",
    sort: Annotated[str, Query(pattern="^(newest|oldest|name|updated)$")] = "newest",
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _user(principal)
    params = {"q": q, "kind": kind, "owner": owner, "status": status, "sort": sort}
    errors = FieldErrors()
    with unit_of_work(request) as session:
        filters = records.RecordFilter(
            kind=enum_filter(errors, "kind", kind, RecordKind),
            text=q.strip() or None,
            name_matches=names_like(request, principal, q),
            owner_org_id=org_filter(session, errors, "owner", owner),
            status=enum_filter(errors, "status", status, RecordStatus) or RecordStatus.ACTIVE,
        )
        page = (
            None
            if errors
            else records.records_page(
                session, principal, filters, sort=sort, cursor=cursor, limit=PAGE_SIZE
            )
        )
        orgs = org_labels(session, [r.owner_org_id for r in page.items] if page else [])
        due = (
            records.due_for_review(session, principal) if principal.has(Perm.RECORDS_WRITE) else []
        )
        return render(
            request,
            "records/list.html",
            status_code=422 if errors else 200,
            page=page,
            params=params,
            errors=errors,
            orgs=orgs,
            due=due,
            org_choices=org_choices(session),
            next_url=list_url("/records", params, cursor=page.next_cursor)
            if page and page.next_cursor
            else None,
            first_url=list_url("/records", params) if cursor else None,
        )


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


# --- notices -----------------------------------------------------------------------------


@router.get("/notices")
def notices_page(
    request: Request,
    q: Annotated[str, Query(max_length=200)] = "",
    state: Annotated[str, Query(max_length=16)] = "",
    notice_type: Annotated[str, Query(max_length=12)] = "",
    requester: Annotated[str, Query(max_length=40)] = "",
    since: Annotated[str, Query(max_length=20)] = "",
    until: Annotated[str, Query(max_length=20)] = "",
    sort: Annotated[str, Query(pattern="^(newest|oldest|reference|updated)$")] = "newest",
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _user(principal)
    params = {
        "q": q,
        "state": state,
        "notice_type": notice_type,
        "requester": requester,
        "since": since,
        "until": until,
        "sort": sort,
    }
    errors = FieldErrors()
    with unit_of_work(request) as session:
        start, end = dates_filter(errors, since, until)
        filters = notices.NoticeFilter(
            state=enum_filter(errors, "state", state, NoticeState),
            notice_type=enum_filter(errors, "notice_type", notice_type, NoticeType),
            owner_org_id=org_filter(session, errors, "requester", requester),
            since=start,
            until=end,
            text=q.strip() or None,
            subject_matches=names_like(request, principal, q),
        )
        page = (
            None
            if errors
            else notices.notices_page(
                session, principal, filters, sort=sort, cursor=cursor, limit=PAGE_SIZE
            )
        )
        orgs = org_labels(session, [n.owner_org_id for n in page.items] if page else [])
        return render(
            request,
            "records/notices.html",
            status_code=422 if errors else 200,
            title=_("Notices and diffusions"),
            page=page,
            rows=page.items if page else [],
            params=params,
            errors=errors,
            orgs=orgs,
            org_choices=org_choices(session),
            state_choices=labels.choices(NoticeState),
            type_choices=labels.choices(NoticeType),
            filters_shown=True,
            next_url=list_url("/notices", params, cursor=page.next_cursor)
            if page and page.next_cursor
            else None,
            first_url=list_url("/notices", params) if cursor else None,
        )


@router.get("/notices/review")
def review_page(
    request: Request, principal: Principal | None = Depends(form_principal)
) -> Response:
    principal = _user(principal)
    with unit_of_work(request) as session:
        rows = notices.review_queue(session, principal)
        orgs = org_labels(session, [n.owner_org_id for n in rows])
        return render(
            request,
            "records/notices.html",
            rows=rows,
            title=_("Review queue"),
            orgs=orgs,
            errors=FieldErrors(),
            filters_shown=False,
            page=None,
        )


def _notice_form(
    request: Request,
    principal: Principal,
    form: dict[str, Any],
    *,
    notice_id: int | None = None,
    errors: list[tuple[str, str]] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "records/notice_form.html",
        status_code=status,
        form=form,
        errors=errors or [],
        notice_id=notice_id,
        title=_("Change the request") if notice_id else _("New notice request or diffusion"),
        **FORM_CHOICES,
    )


@router.get("/notices/new")
def new_notice_page(
    request: Request,
    subject: int | None = None,
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _user(principal)
    principal.require(Perm.NOTICES_SUBMIT)
    form = {"subject_source": "existing", "subject_record_id": str(subject)} if subject else {}
    return _notice_form(request, principal, form)


def _subject_choice(form: Any) -> tuple[int | None, dict[str, Any]]:
    """The form's subject: one of the bureau's records (its number) or a new person."""
    raw = forms.notice(form)
    if forms.text(form, "subject_source") == "existing":
        raw.pop("subject", None)
        number = forms.integer(form, "subject_record_id")
        if number is None:
            raise InvalidInput("enter the number of your bureau's record the request is about")
        return number, raw
    return None, raw


@router.post("/notices/new")
async def new_notice_submit(
    request: Request, principal: Principal | None = Depends(form_principal)
) -> Response:
    principal = _user(principal)
    form = await request.form()
    try:
        subject_id, raw = _subject_choice(form)
        with unit_of_work(request) as session:
            row = notices.create_notice(
                session, principal, notices.parse_notice(raw), forms.restrictions(form), subject_id
            )
            notice_id = row.id
    except DomainError as exc:
        return _notice_form(
            request, principal, dict(form), errors=[("kind", exc.detail)], status=exc.status
        )
    return redirect(f"/notices/{notice_id}")


@router.get("/notices/{notice_id}/edit")
def edit_notice_page(
    request: Request, notice_id: Id, principal: Principal | None = Depends(form_principal)
) -> Response:
    principal = _user(principal)
    with unit_of_work(request) as session:
        row = notices.get_notice(session, principal, notice_id)
        if not can_modify(principal.viewer, row.policy):
            raise Forbidden("only the requesting bureau changes its request")
        subject = notices.visible_subject(session, principal, row)
        form = forms.notice_fields(
            row.data,
            subject.data if subject and subject.kind == "person" else None,
            Restrictions.of(row),
        )
        form["subject_source"] = (
            "new" if subject is None or subject.kind == "person" else "existing"
        )
        if subject is not None and subject.kind != "person":
            form["subject_record_id"] = str(subject.id)
    return _notice_form(request, principal, form, notice_id=notice_id)


@router.post("/notices/{notice_id}/edit")
async def edit_notice_submit(
    request: Request, notice_id: Id, principal: Principal | None = Depends(form_principal)
) -> Response:
    principal = _user(principal)
    form = await request.form()
    try:
        _, raw = _subject_choice(form)
        with unit_of_work(request) as session:
            notices.update_request(
                session,
                principal,
                notice_id,
                notices.parse_notice(raw),
                forms.restrictions(form),
                forms.text(form, "reason"),
            )
    except DomainError as exc:
        return _notice_form(
            request,
            principal,
            dict(form),
            notice_id=notice_id,
            errors=[("kind", exc.detail)],
            status=exc.status,
        )
    return redirect(f"/notices/{notice_id}")


def _notice_view(
    request: Request,
    principal: Principal,
    notice_id: int,
    error: str | None = None,
    status: int = 200,
    preview: list[Any] | None = None,
) -> Response:
    with unit_of_work(request) as session:
        row = notices.get_notice(session, principal, notice_id)
        subject = notices.visible_subject(session, principal, row)
        view = NoticeOut.of(
            row,
            principal,
            notices.checks(session, principal, notice_id),
            notices.timeline(session, principal, notice_id),
            subject,
        )
        changes = (
            notices.changes_since_question(session, principal, notice_id)
            if view.yours or principal.has(Perm.NOTICES_REVIEW)
            else []
        )
        orgs = org_labels(session, [row.owner_org_id])
        notice_type = NoticeType(row.notice_type)
        return render(
            request,
            "records/notice.html",
            status_code=status,
            row=row,
            view=view,
            error=error,
            subject=subject,
            names=names_of(subject),
            sharing=view.restrictions.in_words(),
            requesting=orgs.get(row.owner_org_id, ""),
            purpose=PURPOSE[notice_type],
            action_asked=ACTION[notice_type],
            changes=changes,
            preview=preview,
            preview_rows=[
                (
                    labels.label(r.code),
                    labels.label(r.outcome),
                    r.shown_reason,
                )
                for r in preview or []
            ],
            preview_fails=any(r.outcome.value == "fail" for r in preview or []),
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
    if action == "check":
        try:
            with unit_of_work(request) as session:
                results = notices.preview_checks(session, principal, notice_id)
        except DomainError as exc:
            return _notice_view(request, principal, notice_id, exc.detail, exc.status)
        return _notice_view(request, principal, notice_id, preview=results)
    if action == "copy":
        try:
            with unit_of_work(request) as session:
                copy_id = notices.copy_request(session, principal, notice_id).id
        except DomainError as exc:
            return _notice_view(request, principal, notice_id, exc.detail, exc.status)
        return redirect(f"/notices/{copy_id}")
    if action in CONFIRMED and forms.text(form, "confirmed") != "yes":
        return _confirm(request, principal, notice_id, action, text, form)
    steps: dict[str, Callable[[Session], object]] = {
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


# Irreversible steps get a check-your-answers page first.
CONFIRMED = {
    "submit": (N_("Submit the request for review"), N_("Submit for review")),
    "circulate": (N_("Send the diffusion"), N_("Send diffusion")),
    "approve": (N_("Approve and publish the notice"), N_("Approve and publish")),
    "refuse": (N_("Refuse the request"), N_("Refuse")),
    "withdraw": (N_("Withdraw the diffusion"), N_("Withdraw diffusion")),
    "cancel": (N_("Cancel the request"), N_("Cancel request")),
}


def _confirm(
    request: Request, principal: Principal, notice_id: int, action: str, text: str, form: Any
) -> Response:
    title, button = CONFIRMED[action]
    with unit_of_work(request) as session:
        row = notices.get_notice(session, principal, notice_id)
        failing = []
        if action == "submit" and row.owner_org_id == principal.org_id:
            try:
                failing = [
                    r
                    for r in notices.preview_checks(session, principal, notice_id)
                    if r.outcome.value == "fail"
                ]
            except DomainError:
                failing = []
        rows = [(_("Request"), f"{row.reference}: {labels.shown_label(row.label)}")]
        if text:
            rows.append((_("Reasons") if action != "cancel" else _("Reason"), text))
        recipients = forms.text(form, "recipients")
        if recipients:
            rows.append((_("Recipients"), recipients))
        hidden = {
            "confirmed": "yes",
            "text": text,
            **({"recipients": recipients} if recipients else {}),
        }
        return render(
            request,
            "records/confirm.html",
            title=_(title),
            rows=rows,
            action=f"/notices/{notice_id}/{action}",
            hidden=hidden,
            button=_(button),
            back_url=f"/notices/{notice_id}",
            failing=failing,
            irreversible=action in ("approve", "refuse", "withdraw", "cancel"),
        )


@router.get("/public/notices")
def public_notices_page(request: Request) -> Response:
    """Public extracts of Red notices, with the requesting country's consent; no login."""
    with unit_of_work(request) as session:
        rows = [notices.public_extract_view(session, n) for n in notices.public_extracts(session)]
    return render(request, "records/public.html", rows=rows)
