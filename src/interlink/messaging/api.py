"""JSON routes: threads and messages, attachments, forwarding, access grants, hit follow-ups,
signing keys, webhooks and joint operations."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import Response

from interlink.core.auth import Principal
from interlink.core.pagination import decode_cursor, encode_cursor
from interlink.deps import Id, app_state, current_principal, unit_of_work
from interlink.members.service import org_codes
from interlink.messaging import followups, operations, service, webhooks
from interlink.messaging.context import context_of
from interlink.messaging.models import Message, Operation, OperationMember
from interlink.messaging.posting import Draft, resolve_org_code, resolve_org_codes
from interlink.messaging.schemas import (
    AnswerStatsOut,
    AttachmentOut,
    AttemptOut,
    DecisionIn,
    DeliveryOut,
    EventOut,
    FollowupListOut,
    FollowupOut,
    ForwardIn,
    ForwardRequestIn,
    ForwardRequestOut,
    GrantedAccessOut,
    GrantIn,
    GrantOut,
    InboxOut,
    InviteIn,
    LinkOut,
    MemberOut,
    MessageCreated,
    MessageIn,
    MessageOut,
    OperationIn,
    OperationOut,
    OperationRecordOut,
    OperationSummaryOut,
    ReceiptOut,
    RecordLinkIn,
    ReplyIn,
    RespondIn,
    SignatureOut,
    SigningKeyOut,
    TaskIn,
    TaskOut,
    ThreadOut,
    ThreadStateOut,
    ThreadSummaryOut,
    WebhookCreated,
    WebhookIn,
    WebhookOut,
)
from interlink.messaging.signing import signing_keys

router = APIRouter(prefix="/api/v1", tags=["messaging"])


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _draft(body: MessageIn | ReplyIn) -> Draft:
    return Draft(
        body=body.body,
        subject=body.subject,
        handling=body.handling,
        reliability=body.reliability,
        accuracy=body.accuracy,
        priority=body.priority,
        links=[link.to_link() for link in body.links],
        attachments=[a.to_attachment() for a in body.attachments],
    )


def _created(message: Message) -> MessageCreated:
    return MessageCreated(
        thread_id=message.thread_id, message_id=message.id, sent_at=message.sent_at
    )


def _message_out(view: service.MessageView) -> MessageOut:
    m = view.message
    return MessageOut(
        id=m.id,
        kind=m.kind,
        sender=view.sender_code,
        sender_label=m.sender_label,
        subject=m.subject,
        body=view.body,
        body_in_language=view.text,
        handling=m.handling,
        reliability=m.reliability,
        accuracy=m.accuracy,
        priority=m.priority,
        sent_at=m.sent_at,
        reply_to_id=m.reply_to_id,
        forward_of_id=m.forward_of_id,
        attachments=[
            AttachmentOut(
                id=a.id,
                filename=a.filename,
                content_type=a.content_type,
                size=a.size,
                sha256=a.sha256,
            )
            for a in view.attachments
        ],
        links=[
            LinkOut(object_type=link.object_type, object_id=link.object_id) for link in view.links
        ],
        receipts=[
            ReceiptOut(org=r.org_code, delivered_at=r.delivered_at, read_at=r.read_at)
            for r in view.receipts
        ],
        signature=SignatureOut(
            valid=view.verification.valid,
            key_id=view.verification.key_id,
            problem=view.verification.problem,
            value=_b64(m.signature),
            signed_payload=_b64(view.signed_payload),
        ),
        forward_state=view.forward_state.value,
    )


def _thread_out(view: service.ThreadView) -> ThreadOut:
    t = view.thread
    return ThreadOut(
        id=t.id,
        kind=t.kind,
        subject=t.subject,
        priority=t.priority,
        access="participant" if view.participant else "grant",
        participants=view.participants,
        closed_at=t.closed_at,
        messages=[_message_out(m) for m in view.messages],
        forward_requests=[
            _forward_request_out(r.request, r.requester_code) for r in view.forward_requests
        ],
        grants=[
            GrantOut(
                id=g.grant.id,
                org=g.org_code,
                granted_by=g.granted_by_code,
                reason=g.grant.reason,
                granted_at=g.grant.granted_at,
                revoked_at=g.grant.revoked_at,
            )
            for g in view.grants
        ],
        granted_accesses=[
            GrantedAccessOut(
                org=a.org_code, actor=a.access.actor, action=a.access.action, at=a.access.at
            )
            for a in view.granted_accesses
        ],
        followups=[FollowupOut.of(f) for f in view.followups],
    )


def _forward_request_out(request: Any, requester: str) -> ForwardRequestOut:
    return ForwardRequestOut(
        id=request.id,
        message_id=request.message_id,
        requester=requester,
        requested_by=request.requested_by,
        reason=request.reason,
        requested_at=request.requested_at,
        granted=request.granted,
        decided_by=request.decided_by,
        decided_at=request.decided_at,
    )


# --- threads ---------------------------------------------------------------------------------


@router.get("/threads", response_model=InboxOut)
def list_threads(
    request: Request,
    unread_only: bool = False,
    limit: int = Query(50, ge=1, le=500),
    cursor: str | None = None,
    principal: Principal = Depends(current_principal),
) -> InboxOut:
    """Threads your organisation takes part in (or was granted), latest activity first."""
    before = decode_cursor(cursor) or None
    with unit_of_work(request) as session:
        summaries = service.inbox(
            session, principal, unread_only=unread_only, limit=limit, before=before
        )
    items = [
        ThreadSummaryOut(
            id=s.thread.id,
            kind=s.thread.kind,
            subject=s.thread.subject,
            priority=s.thread.priority,
            unread=s.unread,
            participants=s.participants,
            last_message_at=s.thread.last_message_at,
            answer_due_at=s.answer_due_at,
            overdue=s.overdue,
            closed=s.thread.closed_at is not None,
        )
        for s in summaries
    ]
    last = summaries[-1].thread.last_message_id if len(summaries) == limit else None
    return InboxOut(items=items, next_cursor=encode_cursor(last) if last else None)


@router.post("/threads", response_model=MessageCreated, status_code=status.HTTP_201_CREATED)
def create_thread(
    request: Request, body: MessageIn, principal: Principal = Depends(current_principal)
) -> MessageCreated:
    ctx = context_of(app_state(request))
    with unit_of_work(request) as session:
        recipients = resolve_org_codes(session, body.recipients)
        message = service.start_thread(session, ctx, principal, recipients, _draft(body))
        return _created(message)


@router.get("/threads/{thread_id}", response_model=ThreadOut)
def get_thread(
    request: Request, thread_id: Id, principal: Principal = Depends(current_principal)
) -> ThreadOut:
    """Every message decrypted, its signature verified; reading marks your receipts read."""
    ctx = context_of(app_state(request))
    with unit_of_work(request) as session:
        return _thread_out(service.read_thread(session, ctx, principal, thread_id))


@router.post(
    "/threads/{thread_id}/messages",
    response_model=MessageCreated,
    status_code=status.HTTP_201_CREATED,
)
def reply(
    request: Request,
    thread_id: Id,
    body: ReplyIn,
    principal: Principal = Depends(current_principal),
) -> MessageCreated:
    ctx = context_of(app_state(request))
    with unit_of_work(request) as session:
        message = service.reply(
            session, ctx, principal, thread_id, _draft(body), reply_to_id=body.reply_to_id
        )
        return _created(message)


@router.post("/threads/{thread_id}/close", response_model=ThreadStateOut)
def close_thread(
    request: Request, thread_id: Id, principal: Principal = Depends(current_principal)
) -> ThreadStateOut:
    with unit_of_work(request) as session:
        thread = service.close_thread(session, principal, thread_id)
        return ThreadStateOut(id=thread.id, closed_at=thread.closed_at)


@router.post(
    "/threads/{thread_id}/grants", response_model=GrantOut, status_code=status.HTTP_201_CREATED
)
def grant_access(
    request: Request,
    thread_id: Id,
    body: GrantIn,
    principal: Principal = Depends(current_principal),
) -> GrantOut:
    """Let the General Secretariat read this thread; the participants see each of its reads."""
    with unit_of_work(request) as session:
        org_id = resolve_org_code(session, body.org)
        grant = service.grant_access(session, principal, thread_id, org_id, body.reason)
        codes = org_codes(session, [grant.org_id, grant.granted_by_org_id])
        return GrantOut(
            id=grant.id,
            org=codes[grant.org_id],
            granted_by=codes[grant.granted_by_org_id],
            reason=grant.reason,
            granted_at=grant.granted_at,
            revoked_at=grant.revoked_at,
        )


@router.delete("/threads/{thread_id}/grants/{grant_id}", response_model=GrantOut)
def revoke_access(
    request: Request, thread_id: Id, grant_id: Id, principal: Principal = Depends(current_principal)
) -> GrantOut:
    with unit_of_work(request) as session:
        grant = service.revoke_access(session, principal, thread_id, grant_id)
        codes = org_codes(session, [grant.org_id, grant.granted_by_org_id])
        return GrantOut(
            id=grant.id,
            org=codes[grant.org_id],
            granted_by=codes[grant.granted_by_org_id],
            reason=grant.reason,
            granted_at=grant.granted_at,
            revoked_at=grant.revoked_at,
        )


@router.get(
    "/attachments/{attachment_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def download(
    request: Request, attachment_id: Id, principal: Principal = Depends(current_principal)
) -> Response:
    """The attachment, after its hash and its message's signature check out (else 409)."""
    ctx = context_of(app_state(request))
    with unit_of_work(request) as session:
        item = service.download_attachment(session, ctx, principal, attachment_id)
    return Response(
        item.content,
        media_type=item.content_type,
        headers={
            "content-disposition": f"attachment; filename*=UTF-8''{quote(item.filename)}",
            "x-content-type-options": "nosniff",
            "cache-control": "no-store",
        },
    )


# --- forwarding --------------------------------------------------------------------------------


@router.post(
    "/messages/{message_id}/forward",
    response_model=MessageCreated,
    status_code=status.HTTP_201_CREATED,
)
def forward(
    request: Request,
    message_id: Id,
    body: ForwardIn,
    principal: Principal = Depends(current_principal),
) -> MessageCreated:
    """Forward into a new thread; an H2 message needs its originator's permission first."""
    ctx = context_of(app_state(request))
    with unit_of_work(request) as session:
        recipients = resolve_org_codes(session, body.recipients)
        message = service.forward_message(
            session, ctx, principal, message_id, recipients, note=body.note, priority=body.priority
        )
        return _created(message)


@router.post(
    "/messages/{message_id}/forward-requests",
    response_model=ForwardRequestOut,
    status_code=status.HTTP_201_CREATED,
)
def request_forwarding(
    request: Request,
    message_id: Id,
    body: ForwardRequestIn,
    principal: Principal = Depends(current_principal),
) -> ForwardRequestOut:
    with unit_of_work(request) as session:
        item = service.request_forward_permission(session, principal, message_id, body.reason)
        return _forward_request_out(item, principal_code(session, principal))


@router.post("/forward-requests/{request_id}/decision", response_model=ForwardRequestOut)
def decide_forwarding(
    request: Request,
    request_id: Id,
    body: DecisionIn,
    principal: Principal = Depends(current_principal),
) -> ForwardRequestOut:
    with unit_of_work(request) as session:
        item = service.decide_forward_request(session, principal, request_id, body.grant)
        requester = org_codes(session, [item.requester_org_id])[item.requester_org_id]
        return _forward_request_out(item, requester)


def principal_code(session: Any, principal: Principal) -> str:
    return org_codes(session, [principal.org_id])[principal.org_id]


# --- follow-ups and keys -----------------------------------------------------------------------


@router.get("/followups", response_model=FollowupListOut)
def list_followups(
    request: Request,
    overdue_only: bool = False,
    limit: int = Query(200, ge=1, le=500),
    principal: Principal = Depends(current_principal),
) -> FollowupListOut:
    """Hit follow-ups of your bureau (as searcher or owner); the Secretariat sees all."""
    with unit_of_work(request) as session:
        views = followups.followups_for(session, principal, overdue_only=overdue_only, limit=limit)
        stats = followups.answer_stats(session, principal)
    return FollowupListOut(items=[FollowupOut.of(v) for v in views], stats=AnswerStatsOut.of(stats))


@router.get("/signing-keys", response_model=list[SigningKeyOut])
def list_signing_keys(
    request: Request,
    org: str | None = Query(None, min_length=2, max_length=40),
    principal: Principal = Depends(current_principal),
) -> list[SigningKeyOut]:
    """Organisations' public keys, to verify message signatures independently."""
    with unit_of_work(request) as session:
        org_id = resolve_org_code(session, org) if org else None
        keys = signing_keys(session, org_id)
        codes = org_codes(session, {k.org_id for k in keys})
        return [
            SigningKeyOut(
                org=codes[k.org_id],
                key_id=k.key_id,
                public_key=_b64(k.public_key),
                valid_from=k.valid_from,
                valid_until=k.valid_until,
            )
            for k in keys
        ]


# --- webhooks --------------------------------------------------------------------------------


@router.get("/webhooks", response_model=list[WebhookOut])
def list_webhooks(
    request: Request, principal: Principal = Depends(current_principal)
) -> list[WebhookOut]:
    with unit_of_work(request) as session:
        return [WebhookOut.model_validate(w) for w in webhooks.list_webhooks(session, principal)]


@router.post("/webhooks", response_model=WebhookCreated, status_code=status.HTTP_201_CREATED)
def create_webhook(
    request: Request, body: WebhookIn, principal: Principal = Depends(current_principal)
) -> WebhookCreated:
    """Register your national system's endpoint; the HMAC secret is shown once."""
    ctx = context_of(app_state(request))
    with unit_of_work(request) as session:
        hook, secret = webhooks.create_webhook(
            session, ctx, principal, url=body.url, events=body.events
        )
        return WebhookCreated(**WebhookOut.model_validate(hook).model_dump(), secret=secret)


@router.delete("/webhooks/{webhook_id}", response_model=WebhookOut)
def deactivate_webhook(
    request: Request, webhook_id: Id, principal: Principal = Depends(current_principal)
) -> WebhookOut:
    with unit_of_work(request) as session:
        return WebhookOut.model_validate(
            webhooks.deactivate_webhook(session, principal, webhook_id)
        )


@router.get("/webhooks/{webhook_id}/deliveries", response_model=list[DeliveryOut])
def webhook_deliveries(
    request: Request,
    webhook_id: Id,
    limit: int = Query(100, ge=1, le=500),
    principal: Principal = Depends(current_principal),
) -> list[DeliveryOut]:
    """The delivery log: each delivery with every attempt and what the receiver answered."""
    with unit_of_work(request) as session:
        logs = webhooks.delivery_log(session, principal, webhook_id, limit)
        return [
            DeliveryOut(
                id=d.delivery.id,
                event=d.delivery.event,
                status=d.delivery.status,
                attempts=d.delivery.attempts,
                created_at=d.delivery.created_at,
                next_attempt_at=d.delivery.next_attempt_at,
                delivered_at=d.delivery.delivered_at,
                log=[AttemptOut.model_validate(a) for a in d.attempts],
            )
            for d in logs
        ]


# --- joint operations -------------------------------------------------------------------------


def _reader(request: Request) -> operations.RecordReader:
    return operations.record_reader(app_state(request))


def _summary(session: Any, operation: Operation, member: OperationMember) -> OperationSummaryOut:
    lead = org_codes(session, [operation.lead_org_id])[operation.lead_org_id]
    return OperationSummaryOut(
        id=operation.id,
        name=operation.name,
        lead=lead,
        my_status=member.status,
        created_at=operation.created_at,
        closed_at=operation.closed_at,
        channel_thread_id=operation.channel_thread_id,
    )


def _operation_out(view: operations.OperationView) -> OperationOut:
    op = view.operation
    return OperationOut(
        id=op.id,
        name=op.name,
        lead=view.lead_code,
        my_status=view.my_status,
        created_at=op.created_at,
        closed_at=op.closed_at,
        channel_thread_id=op.channel_thread_id,
        purpose=op.purpose,
        members=[MemberOut(org_id=m.org_id, org=m.code, status=m.status) for m in view.members],
        records=[
            OperationRecordOut(
                record_id=r.record_id, shared=r.shared, note=r.note, linked_at=r.linked_at
            )
            for r in view.records
        ],
        tasks=[
            TaskOut(
                id=t.id,
                title=t.title,
                owner=view.task_owners[t.id],
                due_at=t.due_at,
                done_at=t.done_at,
                overdue=view.task_overdue(t),
            )
            for t in view.tasks
        ],
        timeline=[
            EventOut(at=e.at, actor=e.actor, kind=e.kind, text=e.text) for e in view.timeline
        ],
    )


def _view(request: Request, session: Any, principal: Principal, operation_id: int) -> OperationOut:
    reader = operations.record_reader(app_state(request))
    return _operation_out(operations.operation_view(session, principal, reader, operation_id))


@router.get("/operations", response_model=list[OperationSummaryOut])
def list_operations(
    request: Request, principal: Principal = Depends(current_principal)
) -> list[OperationSummaryOut]:
    """Operations your organisation takes part in or is invited to."""
    with unit_of_work(request) as session:
        return [
            _summary(session, op, member)
            for op, member in operations.list_operations(session, principal)
        ]


@router.post("/operations", response_model=OperationOut, status_code=status.HTTP_201_CREATED)
def create_operation(
    request: Request, body: OperationIn, principal: Principal = Depends(current_principal)
) -> OperationOut:
    with unit_of_work(request) as session:
        operation = operations.create_operation(
            session, principal, name=body.name, purpose=body.purpose
        )
        return _view(request, session, principal, operation.id)


@router.get("/operations/{operation_id}", response_model=OperationOut)
def get_operation(
    request: Request, operation_id: Id, principal: Principal = Depends(current_principal)
) -> OperationOut:
    with unit_of_work(request) as session:
        return _view(request, session, principal, operation_id)


@router.post(
    "/operations/{operation_id}/invitations",
    response_model=MemberOut,
    status_code=status.HTTP_201_CREATED,
)
def invite(
    request: Request,
    operation_id: Id,
    body: InviteIn,
    principal: Principal = Depends(current_principal),
) -> MemberOut:
    with unit_of_work(request) as session:
        org_id = resolve_org_code(session, body.org)
        member = operations.invite(session, principal, operation_id, org_id)
        return MemberOut(
            org_id=org_id, org=org_codes(session, [org_id])[org_id], status=member.status
        )


@router.post("/operations/{operation_id}/response", response_model=MemberOut)
def respond(
    request: Request,
    operation_id: Id,
    body: RespondIn,
    principal: Principal = Depends(current_principal),
) -> MemberOut:
    """Accept or decline your organisation's invitation."""
    with unit_of_work(request) as session:
        member = operations.respond(session, principal, operation_id, body.accept)
        return MemberOut(
            org_id=member.org_id, org=principal_code(session, principal), status=member.status
        )


@router.delete("/operations/{operation_id}/members/{org_id}", response_model=MemberOut)
def remove_member(
    request: Request,
    operation_id: Id,
    org_id: Id,
    principal: Principal = Depends(current_principal),
) -> MemberOut:
    with unit_of_work(request) as session:
        member = operations.remove_member(session, principal, operation_id, org_id)
        return MemberOut(
            org_id=org_id, org=org_codes(session, [org_id])[org_id], status=member.status
        )


@router.post(
    "/operations/{operation_id}/records",
    response_model=OperationRecordOut,
    status_code=status.HTTP_201_CREATED,
)
def link_record(
    request: Request,
    operation_id: Id,
    body: RecordLinkIn,
    principal: Principal = Depends(current_principal),
) -> OperationRecordOut:
    """Put a record you may see into the workspace; `share` (owner only) opens it to all
    participants."""
    reader = _reader(request)
    with unit_of_work(request) as session:
        link = operations.link_record(
            session,
            principal,
            reader,
            operation_id,
            body.record_id,
            share=body.share,
            note=body.note,
        )
        return OperationRecordOut(
            record_id=link.record_id, shared=link.shared, note=link.note, linked_at=link.linked_at
        )


@router.get("/operations/{operation_id}/records/{record_id}")
def read_record(
    request: Request,
    operation_id: Id,
    record_id: Id,
    principal: Principal = Depends(current_principal),
) -> dict[str, Any]:
    reader = _reader(request)
    with unit_of_work(request) as session:
        return operations.read_record(session, principal, reader, operation_id, record_id)


@router.post(
    "/operations/{operation_id}/tasks", response_model=TaskOut, status_code=status.HTTP_201_CREATED
)
def add_task(
    request: Request,
    operation_id: Id,
    body: TaskIn,
    principal: Principal = Depends(current_principal),
) -> TaskOut:
    with unit_of_work(request) as session:
        owner_id = resolve_org_code(session, body.owner)
        task = operations.add_task(
            session,
            principal,
            operation_id,
            title=body.title,
            owner_org_id=owner_id,
            due_at=body.due_at,
        )
        return TaskOut(
            id=task.id,
            title=task.title,
            owner=org_codes(session, [owner_id])[owner_id],
            due_at=task.due_at,
            done_at=task.done_at,
            overdue=False,
        )


@router.post("/operations/{operation_id}/tasks/{task_id}/done", response_model=TaskOut)
def complete_task(
    request: Request,
    operation_id: Id,
    task_id: Id,
    principal: Principal = Depends(current_principal),
) -> TaskOut:
    with unit_of_work(request) as session:
        task = operations.complete_task(session, principal, operation_id, task_id)
        owner = org_codes(session, [task.owner_org_id])[task.owner_org_id]
        return TaskOut(
            id=task.id,
            title=task.title,
            owner=owner,
            due_at=task.due_at,
            done_at=task.done_at,
            overdue=False,
        )


@router.post("/operations/{operation_id}/close", response_model=OperationOut)
def close_operation(
    request: Request, operation_id: Id, principal: Principal = Depends(current_principal)
) -> OperationOut:
    with unit_of_work(request) as session:
        operations.close_operation(session, principal, operation_id)
        return _view(request, session, principal, operation_id)
