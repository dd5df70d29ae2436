"""JSON routes: records, notices and diffusions, compliance review, public extracts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request, status

from interlink.core.auth import Principal
from interlink.core.pagination import Page, check_limit, decode_cursor, encode_cursor
from interlink.deps import Id, current_principal, names_like, unit_of_work
from interlink.records import notices
from interlink.records import service as records
from interlink.records.api_schemas import (
    AnswerIn,
    CheckPreviewOut,
    DecisionIn,
    DiffusionReviewIn,
    NoticeAmendIn,
    NoticeChangeIn,
    NoticeIn,
    NoticeOut,
    QuestionIn,
    ReasonIn,
    RecipientsIn,
    RecordChangeIn,
    RecordIn,
    RecordOut,
    RefugeeStatusIn,
    RestrictionsChangeIn,
    VersionOut,
    versions_out,
)
from interlink.records.models import NoticeState, RecordKind
from interlink.records.schemas import NoticeType

router = APIRouter(prefix="/api/v1", tags=["records"])


def _page(items: list[Any], limit: int) -> str | None:
    return encode_cursor(items[-1].id) if len(items) == limit else None


# --- records ---------------------------------------------------------------------------------


@router.post("/records/{kind}", response_model=RecordOut, status_code=status.HTTP_201_CREATED)
def create_record(
    request: Request,
    kind: RecordKind,
    body: RecordIn,
    principal: Principal = Depends(current_principal),
) -> RecordOut:
    with unit_of_work(request) as session:
        data = records.parse_data(kind, body.data)
        row = records.create_record(
            session,
            principal,
            records.NewRecord(
                data=data, restrictions=body.restrictions, external_id=body.external_id
            ),
        )
        return RecordOut.of(row, principal)


@router.get("/records", response_model=Page[RecordOut])
def list_records(
    request: Request,
    kind: RecordKind | None = None,
    q: str | None = Query(None, max_length=200),
    owned: bool = False,
    cursor: str | None = None,
    limit: int = 50,
    principal: Principal = Depends(current_principal),
) -> Page[RecordOut]:
    with unit_of_work(request) as session:
        rows = records.list_records(
            session,
            principal,
            kind=kind,
            text=q,
            name_matches=names_like(request, principal, q or ""),
            owned_only=owned,
            after_id=decode_cursor(cursor),
            limit=check_limit(limit),
        )
        items = [RecordOut.of(r, principal) for r in rows]
    return Page[RecordOut](items=items, next_cursor=_page(items, limit))


@router.get("/records/review-due", response_model=list[RecordOut])
def review_due(
    request: Request, principal: Principal = Depends(current_principal)
) -> list[RecordOut]:
    with unit_of_work(request) as session:
        return [RecordOut.of(r, principal) for r in records.due_for_review(session, principal)]


@router.get("/records/{record_id}", response_model=RecordOut)
def get_record(
    request: Request, record_id: Id, principal: Principal = Depends(current_principal)
) -> RecordOut:
    with unit_of_work(request) as session:
        return RecordOut.of(records.get_record(session, principal, record_id), principal)


@router.put("/records/{record_id}", response_model=RecordOut)
def change_record(
    request: Request,
    record_id: Id,
    body: RecordChangeIn,
    principal: Principal = Depends(current_principal),
) -> RecordOut:
    with unit_of_work(request) as session:
        row = records.update_record(
            session, principal, record_id, body.data, change=body.change, reason=body.reason
        )
        return RecordOut.of(row, principal)


@router.put("/records/{record_id}/restrictions", response_model=RecordOut)
def change_restrictions(
    request: Request,
    record_id: Id,
    body: RestrictionsChangeIn,
    principal: Principal = Depends(current_principal),
) -> RecordOut:
    with unit_of_work(request) as session:
        row = records.set_restrictions(
            session, principal, record_id, body.restrictions, reason=body.reason
        )
        return RecordOut.of(row, principal)


@router.post("/records/{record_id}/withdraw", response_model=RecordOut)
def withdraw_record(
    request: Request,
    record_id: Id,
    body: ReasonIn,
    principal: Principal = Depends(current_principal),
) -> RecordOut:
    with unit_of_work(request) as session:
        return RecordOut.of(
            records.withdraw_record(session, principal, record_id, body.reason), principal
        )


@router.post("/records/{record_id}/extend", response_model=RecordOut)
def extend_record(
    request: Request,
    record_id: Id,
    body: ReasonIn,
    principal: Principal = Depends(current_principal),
) -> RecordOut:
    with unit_of_work(request) as session:
        return RecordOut.of(
            records.extend_retention(session, principal, record_id, body.reason), principal
        )


@router.get("/records/{record_id}/versions", response_model=list[VersionOut])
def record_versions(
    request: Request, record_id: Id, principal: Principal = Depends(current_principal)
) -> list[VersionOut]:
    with unit_of_work(request) as session:
        return versions_out(records.versions(session, principal, record_id))


# --- notices and diffusions ------------------------------------------------------------------


def _notice_out(session: Any, principal: Principal, notice_id: int) -> NoticeOut:
    row = notices.get_notice(session, principal, notice_id)
    return NoticeOut.of(
        row,
        principal,
        notices.checks(session, principal, notice_id),
        notices.timeline(session, principal, notice_id),
        notices.visible_subject(session, principal, row),
    )


@router.post("/notices", response_model=NoticeOut, status_code=status.HTTP_201_CREATED)
def create_notice(
    request: Request, body: NoticeIn, principal: Principal = Depends(current_principal)
) -> NoticeOut:
    with unit_of_work(request) as session:
        row = notices.create_notice(
            session,
            principal,
            notices.parse_notice(body.data),
            body.restrictions,
            body.subject_record_id,
        )
        return _notice_out(session, principal, row.id)


@router.get("/notices", response_model=Page[NoticeOut])
def list_notices(
    request: Request,
    state: NoticeState | None = None,
    type: NoticeType | None = None,
    owned: bool = False,
    cursor: str | None = None,
    limit: int = 50,
    principal: Principal = Depends(current_principal),
) -> Page[NoticeOut]:
    with unit_of_work(request) as session:
        rows = notices.list_notices(
            session,
            principal,
            state=state,
            notice_type=type,
            owned_only=owned,
            after_id=decode_cursor(cursor),
            limit=check_limit(limit),
        )
        items = [NoticeOut.of(r, principal) for r in rows]
    return Page[NoticeOut](items=items, next_cursor=_page(items, limit))


@router.get("/notices/review-queue", response_model=list[NoticeOut])
def review_queue(
    request: Request, principal: Principal = Depends(current_principal)
) -> list[NoticeOut]:
    with unit_of_work(request) as session:
        return [NoticeOut.of(r, principal) for r in notices.review_queue(session, principal)]


@router.get("/notices/{notice_id}", response_model=NoticeOut)
def get_notice(
    request: Request, notice_id: Id, principal: Principal = Depends(current_principal)
) -> NoticeOut:
    with unit_of_work(request) as session:
        return _notice_out(session, principal, notice_id)


@router.put("/notices/{notice_id}", response_model=NoticeOut)
def change_notice(
    request: Request,
    notice_id: Id,
    body: NoticeChangeIn,
    principal: Principal = Depends(current_principal),
) -> NoticeOut:
    with unit_of_work(request) as session:
        notices.update_request(
            session,
            principal,
            notice_id,
            notices.parse_notice(body.data),
            body.restrictions,
            body.reason,
        )
        return _notice_out(session, principal, notice_id)


@router.post("/notices/{notice_id}/amend", response_model=NoticeOut)
def amend_notice(
    request: Request,
    notice_id: Id,
    body: NoticeAmendIn,
    principal: Principal = Depends(current_principal),
) -> NoticeOut:
    with unit_of_work(request) as session:
        notices.amend_published(
            session,
            principal,
            notice_id,
            notices.parse_notice(body.data),
            change=body.change,
            reason=body.reason,
        )
        return _notice_out(session, principal, notice_id)


def _transition(
    request: Request, principal: Principal, notice_id: int, action: Any, *args: Any, **kwargs: Any
) -> NoticeOut:
    with unit_of_work(request) as session:
        result = action(session, principal, notice_id, *args, **kwargs)
        del result  # the fresh view below carries the checks and the timeline
        return _notice_out(session, principal, notice_id)


@router.post("/notices/{notice_id}/submit", response_model=NoticeOut)
def submit_notice(
    request: Request, notice_id: Id, principal: Principal = Depends(current_principal)
) -> NoticeOut:
    return _transition(request, principal, notice_id, notices.submit)


@router.post("/notices/{notice_id}/circulate", response_model=NoticeOut)
def circulate(
    request: Request,
    notice_id: Id,
    body: RecipientsIn,
    principal: Principal = Depends(current_principal),
) -> NoticeOut:
    return _transition(request, principal, notice_id, notices.circulate_diffusion, body.recipients)


@router.post("/notices/{notice_id}/review", response_model=NoticeOut)
def start_review(
    request: Request, notice_id: Id, principal: Principal = Depends(current_principal)
) -> NoticeOut:
    return _transition(request, principal, notice_id, notices.start_review)


@router.post("/notices/{notice_id}/request-info", response_model=NoticeOut)
def request_info(
    request: Request,
    notice_id: Id,
    body: QuestionIn,
    principal: Principal = Depends(current_principal),
) -> NoticeOut:
    return _transition(request, principal, notice_id, notices.request_information, body.question)


@router.post("/notices/{notice_id}/answer", response_model=NoticeOut)
def answer(
    request: Request,
    notice_id: Id,
    body: AnswerIn,
    principal: Principal = Depends(current_principal),
) -> NoticeOut:
    data = notices.parse_notice(body.data) if body.data is not None else None
    return _transition(
        request, principal, notice_id, notices.answer_information_request, body.answer, data
    )


@router.post("/notices/{notice_id}/decision", response_model=NoticeOut)
def decision(
    request: Request,
    notice_id: Id,
    body: DecisionIn,
    principal: Principal = Depends(current_principal),
) -> NoticeOut:
    return _transition(
        request, principal, notice_id, notices.decide, approve=body.approve, reason=body.reason
    )


@router.post("/notices/{notice_id}/diffusion-review", response_model=NoticeOut)
def diffusion_review(
    request: Request,
    notice_id: Id,
    body: DiffusionReviewIn,
    principal: Principal = Depends(current_principal),
) -> NoticeOut:
    return _transition(
        request, principal, notice_id, notices.review_diffusion, keep=body.keep, reason=body.reason
    )


@router.post("/notices/{notice_id}/cancel", response_model=NoticeOut)
def cancel_notice(
    request: Request,
    notice_id: Id,
    body: ReasonIn,
    principal: Principal = Depends(current_principal),
) -> NoticeOut:
    return _transition(request, principal, notice_id, notices.cancel, body.reason)


@router.post("/notices/{notice_id}/checks", response_model=list[CheckPreviewOut])
def preview_checks(
    request: Request, notice_id: Id, principal: Principal = Depends(current_principal)
) -> list[CheckPreviewOut]:
    """Run the automated checks on a draft now, without submitting: what the reviewer will
    see. Submitting a request that fails them is allowed; the reviewer decides."""
    with unit_of_work(request) as session:
        return [
            CheckPreviewOut.of(r) for r in notices.preview_checks(session, principal, notice_id)
        ]


@router.get("/notices/{notice_id}/changes", response_model=list[VersionOut])
def changes_since_question(
    request: Request, notice_id: Id, principal: Principal = Depends(current_principal)
) -> list[VersionOut]:
    """What the bureau changed in the request and its subject since the reviewer asked for
    information."""
    with unit_of_work(request) as session:
        return versions_out(notices.changes_since_question(session, principal, notice_id))


@router.post(
    "/notices/{notice_id}/copy", response_model=NoticeOut, status_code=status.HTTP_201_CREATED
)
def copy_request(
    request: Request, notice_id: Id, principal: Principal = Depends(current_principal)
) -> NoticeOut:
    """Copy a cancelled, refused, withdrawn or expired request into a new draft."""
    with unit_of_work(request) as session:
        copy = notices.copy_request(session, principal, notice_id)
        return _notice_out(session, principal, copy.id)


@router.get("/notices/{notice_id}/versions", response_model=list[VersionOut])
def notice_versions(
    request: Request, notice_id: Id, principal: Principal = Depends(current_principal)
) -> list[VersionOut]:
    with unit_of_work(request) as session:
        return versions_out(notices.versions(session, principal, notice_id))


@router.post("/refugee-statuses", status_code=status.HTTP_201_CREATED)
def add_refugee_status(
    request: Request, body: RefugeeStatusIn, principal: Principal = Depends(current_principal)
) -> dict[str, int]:
    with unit_of_work(request) as session:
        added = notices.record_refugee_status(
            session,
            principal,
            names=body.names,
            birth_date=body.birth_date,
            against_country=body.against_country,
            granted_by=body.granted_by,
            note=body.note,
        )
    return {"added": added}


@router.get("/public/notices", tags=["public"])
def public_notices(request: Request) -> list[dict[str, Any]]:
    """Public extracts of Red notices, where the requesting country agreed. No login."""
    with unit_of_work(request) as session:
        return [notices.public_extract_view(session, n) for n in notices.public_extracts(session)]


__all__ = ["router"]
