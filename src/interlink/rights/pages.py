"""HTML pages: the public request form and status page (no account), the commission's cases,
the consulted bureaus' and the Secretariat's consultations and copies, public statistics."""

from __future__ import annotations

import csv
import io
import secrets
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select

from interlink.core.auth import Perm, Principal
from interlink.core.errors import DomainError, Unauthenticated
from interlink.core.i18n import N_, _
from interlink.deps import Id, app_state, client_addr, unit_of_work
from interlink.members import service as members
from interlink.members.models import Organisation
from interlink.messaging.attachments import NewAttachment
from interlink.rights import service
from interlink.rights.deps import keys, person_index, policy, server_key
from interlink.rights.models import Measure, RequestKind
from interlink.web.once import forget_shown, redirect_showing, take_shown
from interlink.web.render import NavLink, form_principal, redirect, render

router = APIRouter(include_in_schema=False)
NAV = [  # wired in interlink.wiring.NAV
    NavLink("/rights/cases", "Rights cases", Perm.RIGHTS_CASEWORK),
    NavLink("/rights/consultations", "Commission requests", Perm.RIGHTS_ANSWER),
]
PUBLIC_CSRF_COOKIE = "interlink_public_form"
KIND_LABELS = {
    RequestKind.ACCESS: N_("Access: is data on me held, and what?"),
    RequestKind.CORRECTION: N_("Correction of data on me"),
    RequestKind.DELETION: N_("Deletion of data on me"),
    RequestKind.REVISION: N_("Revision of an earlier decision, on new facts"),
}


def _public_page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    # Double-submit token, as on the login form: these forms are filled without a session.
    token = request.cookies.get(PUBLIC_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(
        request,
        template,
        status_code=status,
        public_csrf=token,
        kinds={kind: _(label) for kind, label in KIND_LABELS.items()},
        **context,
    )
    response.set_cookie(
        PUBLIC_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=app_state(request).settings.secure_cookies,
        max_age=3600,
    )
    return response


def _public_csrf_ok(request: Request, sent: str) -> bool:
    expected = request.cookies.get(PUBLIC_CSRF_COOKIE, "")
    return bool(expected) and secrets.compare_digest(expected, sent)


# --- applicants ------------------------------------------------------------------------------


@router.get("/rights/request")
def request_form(request: Request) -> Response:
    return _public_page(request, "rights/request.html", form={}, errors=[])


@router.post("/rights/request")
async def request_submit(
    request: Request,
    kind: Annotated[str, Form(max_length=12)] = "",
    names: Annotated[str, Form(max_length=1200)] = "",
    birth_date: Annotated[str, Form(max_length=10)] = "",
    nationality: Annotated[str, Form(max_length=2)] = "",
    contact: Annotated[str, Form(max_length=300)] = "",
    lawyer_name: Annotated[str, Form(max_length=200)] = "",
    lawyer_contact: Annotated[str, Form(max_length=300)] = "",
    references: Annotated[str, Form(max_length=3000)] = "",
    statement: Annotated[str, Form(max_length=20_000)] = "",
    revision_of: Annotated[str, Form(max_length=24)] = "",
    documents: Annotated[list[UploadFile] | None, File()] = None,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    form = {
        "kind": kind,
        "names": names,
        "birth_date": birth_date,
        "nationality": nationality,
        "contact": contact,
        "lawyer_name": lawyer_name,
        "lawyer_contact": lawyer_contact,
        "references": references,
        "statement": statement,
        "revision_of": revision_of,
    }
    if not _public_csrf_ok(request, csrf_token):
        return _public_page(
            request,
            "rights/request.html",
            403,
            form=form,
            errors=[N_("Your form expired. Please send it again.")],
        )
    limit = policy(request).document_bytes
    attachments = []
    for upload in documents or []:
        if not upload.filename:
            continue
        content = await upload.read(limit + 1)
        attachments.append(NewAttachment(upload.filename, upload.content_type or "", content))
    new = service.NewRequest(
        kind=kind,
        names=names.splitlines(),
        birth_date=birth_date,
        nationality=nationality,
        contact=contact,
        lawyer_name=lawyer_name,
        lawyer_contact=lawyer_contact,
        references=[r for r in references.replace(",", "\n").splitlines()],
        statement=statement,
        revision_of=revision_of,
        documents=attachments,
    )
    try:
        with unit_of_work(request) as session:
            filed = service.file_request(
                session,
                keys(request),
                server_key(request),
                policy(request),
                new,
                client_addr=client_addr(request),
            )
    except DomainError as exc:
        return _public_page(
            request, "rights/request.html", exc.status, form=form, errors=[exc.detail]
        )
    return redirect_showing(
        request,
        FILED,
        {
            "code": filed.case.code,
            "secret": filed.secret,
            "admissibility_due": filed.case.admissibility_due.isoformat(),
        },
    )


FILED = "/rights/filed"


@router.get(FILED)
def filed_page(request: Request) -> Response:
    """The request code and its secret, shown once after the form was sent (they come from
    the POST through a sealed cookie this page deletes: a reload files nothing twice)."""
    shown = take_shown(request)
    due = shown and datetime.fromisoformat(shown["admissibility_due"])
    return forget_shown(request, render(request, "rights/filed.html", shown=shown, due=due))


@router.get("/rights/status")
def status_form(request: Request) -> Response:
    return _public_page(request, "rights/status.html", view=None, error=None, code="")


@router.post("/rights/status")
def status_submit(
    request: Request,
    code: Annotated[str, Form(max_length=24)] = "",
    secret: Annotated[str, Form(max_length=100)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if not _public_csrf_ok(request, csrf_token):
        return _public_page(
            request,
            "rights/status.html",
            403,
            view=None,
            code=code,
            error=N_("Your form expired. Please send it again."),
        )
    try:
        with unit_of_work(request) as session:
            case = service.case_for_applicant(session, server_key(request), code, secret)
            view = service.applicant_view(session, case)
    except DomainError as exc:
        return _public_page(
            request, "rights/status.html", exc.status, view=None, code=code, error=exc.detail
        )
    return _public_page(request, "rights/status.html", view=view, error=None, code=code)


@router.get("/rights/statistics")
def statistics_page(request: Request) -> Response:
    with unit_of_work(request) as session:
        rows = service.statistics(session)
    return render(request, "rights/statistics.html", rows=rows, columns=service.STAT_COLUMNS)


@router.get("/rights/statistics.csv")
def statistics_csv(request: Request) -> Response:
    with unit_of_work(request) as session:
        rows = service.statistics(session)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=service.STAT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"content-disposition": 'attachment; filename="commission-statistics.csv"'},
    )


# --- the commission --------------------------------------------------------------------------


def _logged_in(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthenticated("log in first")
    return principal


@router.get("/rights/cases")
def cases_page(request: Request, principal: Principal | None = Depends(form_principal)) -> Response:
    principal = _logged_in(principal)
    with unit_of_work(request) as session:
        cases = service.list_cases(session, principal, limit=500)
    open_first = sorted(
        cases,
        key=lambda c: (
            c.status == "decided" or c.status == "inadmissible",
            c.decision_due or c.admissibility_due,
        ),
    )
    return render(request, "rights/cases.html", cases=open_first)


def _case_page(
    request: Request,
    principal: Principal,
    case_id: int,
    error: str | None = None,
    status: int = 200,
) -> Response:
    with unit_of_work(request) as session:
        case = service.get_case(session, principal, case_id)
        view = service.applicant_view(session, case)
        decision = service.decision_of(session, case.id)
        copies = service.copies_of_decision(session, principal, decision.id) if decision else []
        orgs = {o.id: o for o in session.scalars(select(Organisation))}
        return render(
            request,
            "rights/case.html",
            status_code=status,
            case=case,
            view=view,
            holdings=service.holdings(session, case.id),
            consultations=[
                c for c in service.consultations_for(session, principal) if c.case_id == case.id
            ],
            measures=list(
                session.scalars(
                    select(Measure).where(Measure.case_id == case.id).order_by(Measure.id)
                )
            ),
            decision=decision,
            copies=copies,
            orgs=orgs,
            error=error,
            categories=service.REASON_CATEGORIES,
        )


@router.get("/rights/cases/{case_id}")
def case_page(
    request: Request, case_id: Id, principal: Principal | None = Depends(form_principal)
) -> Response:
    return _case_page(request, _logged_in(principal), case_id)


@router.post("/rights/cases/{case_id}/act")
async def case_act(
    request: Request, case_id: Id, principal: Principal | None = Depends(form_principal)
) -> Response:
    """Every casework form posts here with an `action` field."""
    principal = _logged_in(principal)
    form = await request.form()

    def field(name: str) -> str:
        value = form.get(name, "")
        return value.strip() if isinstance(value, str) else ""

    action = field("action")
    try:
        with unit_of_work(request) as session:
            if action == "admissibility":
                service.decide_admissibility(
                    session,
                    principal,
                    policy(request),
                    case_id,
                    admissible=field("admissible") == "yes",
                    reason=field("reason"),
                )
            elif action == "extend":
                service.extend(
                    session,
                    principal,
                    case_id,
                    clock=field("clock"),
                    months=int(field("months") or 0),
                    reason=field("reason"),
                )
            elif action == "search":
                service.find_holdings(session, principal, case_id, index=person_index(request))
            elif action == "consult":
                org = members.org_by_code(session, field("org_code").upper())
                service.consult(
                    session,
                    principal,
                    policy(request),
                    case_id,
                    org_id=org.id,
                    question=field("question"),
                )
            elif action == "measure":
                target, _, target_id = field("target").partition(":")
                service.place_measure(
                    session,
                    principal,
                    case_id,
                    action=field("measure") or "block",
                    target=target,
                    target_id=int(target_id or 0),
                    reason_category=field("reason_category"),
                )
            elif action == "lift":
                service.lift_measure(session, principal, int(field("measure_id") or 0))
            elif action == "decide":
                orders = []
                for value in form.getlist("delete"):
                    target, _, target_id = str(value).partition(":")
                    orders.append(service.NewOrder("delete", target, int(target_id)))
                service.decide(
                    session,
                    principal,
                    policy(request),
                    case_id,
                    outcome=field("outcome"),
                    reasoning=field("reasoning"),
                    confidential=field("confidential"),
                    orders=orders,
                )
            else:
                return _case_page(request, principal, case_id, N_("Unknown action."), 422)
    except ValueError:
        return _case_page(request, principal, case_id, N_("A number was expected."), 422)
    except DomainError as exc:
        return _case_page(request, principal, case_id, exc.detail, exc.status)
    return redirect(f"/rights/cases/{case_id}")


# --- bureaus and the Secretariat ----------------------------------------------------------------


@router.get("/rights/consultations")
def consultations_page(
    request: Request, principal: Principal | None = Depends(form_principal)
) -> Response:
    return _consultations(request, _logged_in(principal))


def _consultations(
    request: Request, principal: Principal, error: str | None = None, status: int = 200
) -> Response:
    with unit_of_work(request) as session:
        rows = service.consultations_for(session, principal)
        copies = service.copy_notices_for(session, principal, pending_only=False)
        measures = service.measures_for_owner(session, principal)
    return render(
        request,
        "rights/consultations.html",
        status_code=status,
        consultations=rows,
        copies=copies,
        measures=measures,
        error=error,
    )


@router.post("/rights/consultations/{consultation_id}/answer")
def answer_submit(
    request: Request,
    consultation_id: Id,
    answer: Annotated[str, Form(max_length=20_000)] = "",
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _logged_in(principal)
    try:
        with unit_of_work(request) as session:
            service.answer_consultation(session, principal, consultation_id, answer)
    except DomainError as exc:
        return _consultations(request, principal, exc.detail, exc.status)
    return redirect("/rights/consultations")


@router.post("/rights/copies/{copy_id}/acknowledge")
def acknowledge_submit(
    request: Request, copy_id: Id, principal: Principal | None = Depends(form_principal)
) -> Response:
    principal = _logged_in(principal)
    try:
        with unit_of_work(request) as session:
            service.acknowledge_copy(session, principal, keys(request), copy_id)
    except DomainError as exc:
        return _consultations(request, principal, exc.detail, exc.status)
    return redirect("/rights/consultations")
