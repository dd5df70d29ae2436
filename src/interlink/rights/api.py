"""JSON routes: the public filing and status (no account), the commission's casework, the
consulted bureaus and the General Secretariat, and the yearly statistics."""

from __future__ import annotations

import base64
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import Response

from interlink.core.auth import Principal
from interlink.core.errors import NotFound
from interlink.core.i18n import msg
from interlink.core.pagination import Page, check_limit, decode_cursor, encode_cursor
from interlink.deps import Id, client_addr, current_principal, unit_of_work
from interlink.members import service as members
from interlink.rights import service
from interlink.rights.deps import keys, person_index, policy, server_key
from interlink.rights.models import CopyNotice, Decision, Order
from interlink.rights.schemas import (
    AdmissibilityIn,
    AnswerIn,
    CaseOut,
    ConsultationExtensionIn,
    ConsultationOut,
    ConsultIn,
    CopyNoticeOut,
    CopyOut,
    DecisionIn,
    DecisionOut,
    ExtensionIn,
    FiledOut,
    HoldingOut,
    HoldOut,
    HoldReviewIn,
    MeasureIn,
    MeasureOut,
    RequestIn,
    StatusIn,
)

public = APIRouter(prefix="/api/v1/public/rights", tags=["rights (public)"])
router = APIRouter(prefix="/api/v1/rights", tags=["rights"])


def _decision_out(decision: Decision) -> DecisionOut:
    return DecisionOut.model_validate(decision, from_attributes=True)


# --- applicants (no account) -----------------------------------------------------------------


@public.post("/requests", response_model=FiledOut, status_code=status.HTTP_201_CREATED)
def file_request(request: Request, body: RequestIn) -> FiledOut:
    """File a request; the secret in the answer is shown once and cannot be recovered."""
    new = service.NewRequest(
        kind=body.kind,
        names=body.names,
        birth_date=body.birth_date,
        nationality=body.nationality,
        contact=body.contact,
        lawyer_name=body.lawyer_name,
        lawyer_contact=body.lawyer_contact,
        references=body.references,
        statement=body.statement,
        revision_of=body.revision_of,
        documents=[d.attachment() for d in body.documents],
    )
    with unit_of_work(request) as session:
        filed = service.file_request(
            session,
            keys(request),
            server_key(request),
            policy(request),
            new,
            client_addr=client_addr(request),
        )
        return FiledOut(
            code=filed.case.code,
            secret=filed.secret,
            admissibility_due=filed.case.admissibility_due,
            status_url="/rights/status",
        )


@public.post("/status")
def case_status(request: Request, body: StatusIn) -> dict[str, Any]:
    """What the applicant may see of their case (never the confidential part)."""
    with unit_of_work(request) as session:
        case = service.case_for_applicant(session, server_key(request), body.code, body.secret)
        return service.applicant_view(session, case).as_dict()


@public.post("/status/documents/{document_id}")
def case_document(request: Request, document_id: Id, body: StatusIn) -> Response:
    with unit_of_work(request) as session:
        case = service.case_for_applicant(session, server_key(request), body.code, body.secret)
        document, content = service.applicant_document(session, keys(request), case, document_id)
    return Response(
        content,
        media_type=document.content_type,
        headers={"content-disposition": f'attachment; filename="{document.filename}"'},
    )


@public.get("/statistics")
def statistics(
    request: Request, year: int | None = Query(None, ge=2000, le=2200)
) -> list[dict[str, Any]]:
    """The commission's yearly tables (counts only)."""
    with unit_of_work(request) as session:
        return service.statistics(session, year)


# --- the commission --------------------------------------------------------------------------


@router.get("/cases", response_model=Page[CaseOut])
def list_cases(
    request: Request,
    status: str | None = Query(None, max_length=16),
    cursor: str | None = None,
    limit: int = Query(100),
    principal: Principal = Depends(current_principal),
) -> Page[CaseOut]:
    check_limit(limit)
    with unit_of_work(request) as session:
        cases = service.list_cases(
            session, principal, status=status, after_id=decode_cursor(cursor), limit=limit
        )
        items = [CaseOut.of(c) for c in cases]
    return Page(
        items=items, next_cursor=encode_cursor(items[-1].id) if len(items) == limit else None
    )


@router.get("/cases/{case_id}", response_model=CaseOut)
def get_case(
    request: Request, case_id: Id, principal: Principal = Depends(current_principal)
) -> CaseOut:
    with unit_of_work(request) as session:
        return CaseOut.of(service.get_case(session, principal, case_id))


@router.post("/cases/{case_id}/admissibility", response_model=CaseOut)
def admissibility(
    request: Request,
    case_id: Id,
    body: AdmissibilityIn,
    principal: Principal = Depends(current_principal),
) -> CaseOut:
    with unit_of_work(request) as session:
        return CaseOut.of(
            service.decide_admissibility(
                session,
                principal,
                policy(request),
                case_id,
                admissible=body.admissible,
                reason=body.reason,
            )
        )


@router.post("/cases/{case_id}/extensions", response_model=CaseOut)
def extend(
    request: Request,
    case_id: Id,
    body: ExtensionIn,
    principal: Principal = Depends(current_principal),
) -> CaseOut:
    with unit_of_work(request) as session:
        return CaseOut.of(
            service.extend(
                session,
                principal,
                case_id,
                clock=body.clock,
                months=body.months,
                reason=body.reason,
            )
        )


@router.post("/cases/{case_id}/holdings", response_model=list[HoldingOut])
def find_holdings(
    request: Request, case_id: Id, principal: Principal = Depends(current_principal)
) -> list[HoldingOut]:
    """Search what the platform holds on the applicant (screening matcher) and attach it."""
    with unit_of_work(request) as session:
        return [
            HoldingOut.of(h)
            for h in service.find_holdings(session, principal, case_id, index=person_index(request))
        ]


@router.post(
    "/cases/{case_id}/consultations",
    response_model=ConsultationOut,
    status_code=status.HTTP_201_CREATED,
)
def consult(
    request: Request,
    case_id: Id,
    body: ConsultIn,
    principal: Principal = Depends(current_principal),
) -> ConsultationOut:
    with unit_of_work(request) as session:
        org = members.org_by_code(session, body.org_code.upper())
        return ConsultationOut.of(
            service.consult(
                session,
                principal,
                policy(request),
                case_id,
                org_id=org.id,
                question=body.question,
                days=body.days,
            )
        )


@router.post("/consultations/{consultation_id}/extensions", response_model=ConsultationOut)
def extend_consultation(
    request: Request,
    consultation_id: Id,
    body: ConsultationExtensionIn,
    principal: Principal = Depends(current_principal),
) -> ConsultationOut:
    with unit_of_work(request) as session:
        return ConsultationOut.of(
            service.extend_consultation(
                session, principal, consultation_id, days=body.days, reason=body.reason
            )
        )


@router.post(
    "/cases/{case_id}/measures", response_model=MeasureOut, status_code=status.HTTP_201_CREATED
)
def place_measure(
    request: Request,
    case_id: Id,
    body: MeasureIn,
    principal: Principal = Depends(current_principal),
) -> MeasureOut:
    with unit_of_work(request) as session:
        return MeasureOut.of(
            service.place_measure(
                session,
                principal,
                case_id,
                action=body.action,
                target=body.target,
                target_id=body.target_id,
                reason_category=body.reason_category,
            )
        )


@router.post("/measures/{measure_id}/lift", response_model=MeasureOut)
def lift_measure(
    request: Request, measure_id: Id, principal: Principal = Depends(current_principal)
) -> MeasureOut:
    with unit_of_work(request) as session:
        return MeasureOut.of(service.lift_measure(session, principal, measure_id))


@router.post(
    "/cases/{case_id}/decision", response_model=DecisionOut, status_code=status.HTTP_201_CREATED
)
def decide(
    request: Request,
    case_id: Id,
    body: DecisionIn,
    principal: Principal = Depends(current_principal),
) -> DecisionOut:
    orders = [
        service.NewOrder(o.action, o.target, o.target_id, o.corrected_data) for o in body.orders
    ]
    with unit_of_work(request) as session:
        return _decision_out(
            service.decide(
                session,
                principal,
                policy(request),
                case_id,
                outcome=body.outcome,
                reasoning=body.reasoning,
                confidential=body.confidential,
                orders=orders,
            )
        )


@router.get("/cases/{case_id}/decision/copies", response_model=list[CopyOut])
def decision_copies(
    request: Request, case_id: Id, principal: Principal = Depends(current_principal)
) -> list[CopyOut]:
    """Every copy told of the decision's orders, and whether it acknowledged."""
    with unit_of_work(request) as session:
        service.get_case(session, principal, case_id)
        decision = service.decision_of(session, case_id)
        if decision is None:
            raise NotFound(msg("case %(case_id)s has no decision yet", case_id=case_id))
        return [
            CopyOut.model_validate(c, from_attributes=True)
            for c in service.copies_of_decision(session, principal, decision.id)
        ]


@router.get("/holds", response_model=list[HoldOut])
def list_holds(
    request: Request, principal: Principal = Depends(current_principal)
) -> list[HoldOut]:
    with unit_of_work(request) as session:
        return [
            HoldOut.model_validate(h, from_attributes=True)
            for h in service.holds(session, principal)
        ]


@router.post("/holds/{hold_id}/review", response_model=HoldOut)
def review_hold(
    request: Request,
    hold_id: Id,
    body: HoldReviewIn,
    principal: Principal = Depends(current_principal),
) -> HoldOut:
    with unit_of_work(request) as session:
        return HoldOut.model_validate(
            service.review_hold(
                session, principal, hold_id, release=body.release, reason=body.reason
            ),
            from_attributes=True,
        )


# --- bureaus consulted and the General Secretariat ----------------------------------------------


@router.get("/consultations", response_model=list[ConsultationOut])
def consultations(
    request: Request, open_only: bool = False, principal: Principal = Depends(current_principal)
) -> list[ConsultationOut]:
    """Your organisation's consultations (the Secretariat: also every escalated one)."""
    with unit_of_work(request) as session:
        return [
            ConsultationOut.of(c)
            for c in service.consultations_for(session, principal, open_only=open_only)
        ]


@router.post("/consultations/{consultation_id}/answer", response_model=ConsultationOut)
def answer(
    request: Request,
    consultation_id: Id,
    body: AnswerIn,
    principal: Principal = Depends(current_principal),
) -> ConsultationOut:
    with unit_of_work(request) as session:
        return ConsultationOut.of(
            service.answer_consultation(session, principal, consultation_id, body.answer)
        )


def _copy_out(notice: CopyNotice, order: Order) -> CopyNoticeOut:
    return CopyNoticeOut(
        id=notice.id,
        order_id=order.id,
        action=order.action,
        target=order.target,
        target_id=order.target_id,
        sources=notice.sources,
        notified_at=notice.notified_at,
        acknowledged_at=notice.acknowledged_at,
        signing_key_id=notice.signing_key_id,
        signature_base64=base64.b64encode(notice.signature).decode() if notice.signature else None,
    )


@router.get("/copies", response_model=list[CopyNoticeOut])
def copies(
    request: Request, pending_only: bool = True, principal: Principal = Depends(current_principal)
) -> list[CopyNoticeOut]:
    """Orders your organisation must apply to its copies."""
    with unit_of_work(request) as session:
        return [
            _copy_out(n, o)
            for n, o in service.copy_notices_for(session, principal, pending_only=pending_only)
        ]


@router.post("/copies/{copy_id}/acknowledge", response_model=CopyNoticeOut)
def acknowledge(
    request: Request, copy_id: Id, principal: Principal = Depends(current_principal)
) -> CopyNoticeOut:
    """Confirm your copy was corrected or deleted: answered with the signed receipt."""
    with unit_of_work(request) as session:
        notice = service.acknowledge_copy(session, principal, keys(request), copy_id)
        order = session.get_one(Order, notice.order_id)
        return _copy_out(notice, order)
