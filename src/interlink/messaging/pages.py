"""HTML pages: inbox, thread, compose, hit follow-ups, webhooks and joint operations.

Every page works without JavaScript: plain forms posting back, redirects after success, the
page again with the error on refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from interlink.core.access import HandlingCode
from interlink.core.auth import Perm, Principal
from interlink.core.errors import (
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthenticated,
)
from interlink.core.i18n import _, msg
from interlink.core.pagination import ListPage
from interlink.deps import Id, app_state, unit_of_work
from interlink.members.service import org_choices, org_labels, org_labels_by_code
from interlink.messaging import followups, operations, service, webhooks
from interlink.messaging.attachments import MAX_ATTACHMENT_BYTES, NewAttachment
from interlink.messaging.context import context_of
from interlink.messaging.models import Accuracy, LinkType, Priority, Reliability
from interlink.messaging.posting import (
    Draft,
    Link,
    check_recipients,
    resolve_org_code,
    resolve_org_codes,
)
from interlink.web.lists import (
    PAGE_SIZE,
    FieldErrors,
    csv_response,
    dates_filter,
    enum_filter,
    list_url,
    org_filter,
)
from interlink.web.once import forget_shown, redirect_showing, take_shown
from interlink.web.render import NavLink, form_principal, redirect, render, templates

router = APIRouter(include_in_schema=False)
NAV = [  # wired in interlink.wiring.NAV
    NavLink("/messages", "Messages", Perm.MESSAGES),
    NavLink("/operations", "Operations", Perm.MESSAGES),
    NavLink("/webhooks", "Webhooks", Perm.TOKENS_MANAGE),
]

CHOICES: dict[str, Any] = {
    "handling_codes": list(HandlingCode),
    "reliabilities": list(Reliability),
    "accuracies": list(Accuracy),
    "priorities": list(Priority),
}


def _duration(value: timedelta | None) -> str:
    """'2 h 05 min', '4 min 12 s', '38 s': elapsed times as people read them."""
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return sign + _("%(days)s d %(hours)s h", days=days, hours=hours)
    if hours:
        return sign + _("%(hours)s h %(minutes)s min", hours=hours, minutes=f"{minutes:02d}")
    if minutes:
        return sign + _("%(minutes)s min %(seconds)s s", minutes=minutes, seconds=f"{secs:02d}")
    return sign + _("%(seconds)s s", seconds=secs)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"


templates.env.filters["msg_duration"] = _duration
templates.env.filters["msg_when"] = _when


def _user(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthenticated("log in first")
    principal.require(Perm.MESSAGES)
    return principal


def _codes(raw: str) -> list[str]:
    return [c for c in raw.replace(";", ",").replace(" ", ",").split(",") if c.strip()]


def _links(raw: str) -> list[Link]:
    """'record:12 hit:3' as links."""
    links = []
    for token in raw.replace(",", " ").split():
        kind, _, number = token.partition(":")
        try:
            links.append(Link(LinkType(kind.strip().lower()), int(number)))
        except ValueError as exc:
            raise InvalidInput(
                msg("a link is written type:number, e.g. record:12 (%(token)r)", token=token),
                field="links",
            ) from exc
        if not 1 <= links[-1].object_id <= 2**62:
            raise InvalidInput(msg("no such object: %(token)s", token=token), field="links")
    return links


async def _uploads(files: list[UploadFile]) -> list[NewAttachment]:
    attachments = []
    for upload in files:
        if not upload.filename:
            continue  # an empty file field
        content = await upload.read(MAX_ATTACHMENT_BYTES + 1)
        attachments.append(
            NewAttachment(
                upload.filename, upload.content_type or "application/octet-stream", content
            )
        )
    return attachments


def _utc(raw: str) -> datetime | None:
    """A form's date and time, read as UTC unless it names its offset."""
    if not raw.strip():
        return None
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError as exc:
        raise InvalidInput("a date is written YYYY-MM-DD HH:MM (UTC)") from exc
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _draft(
    body: str,
    subject: str,
    handling: str,
    reliability: str,
    accuracy: str,
    priority: str,
    links: str,
    attachments: list[NewAttachment],
) -> Draft:
    try:
        return Draft(
            body=body,
            subject=subject,
            handling=HandlingCode(handling),
            reliability=Reliability(reliability),
            accuracy=Accuracy(accuracy),
            priority=Priority(priority),
            links=_links(links),
            attachments=attachments,
        )
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc


# --- inbox and threads -------------------------------------------------------------------------


@router.get("/messages")
def inbox_page(
    request: Request,
    before: int | None = Query(None, ge=1, le=2**62),
    unread: Annotated[str, Query(max_length=3)] = "",
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _user(principal)
    unread_only = unread == "yes"
    with unit_of_work(request) as session:
        waiting = service.unread_first(
            service.inbox(session, principal, unread_only=True, limit=PAGE_SIZE)
        )
        unread_total = service.inbox_total(session, principal, unread_only=True)
        recent = service.inbox(
            session, principal, limit=PAGE_SIZE, before=before, unread_only=unread_only
        )
        total = service.inbox_total(session, principal, unread_only=unread_only)
        overdue = followups.followups_page(
            session,
            principal,
            followups.FollowupFilter(status=followups.FollowupStatus.OVERDUE),
            limit=20,
        )
        orgs = org_labels(
            session,
            [
                o
                for v in overdue.items
                for o in (v.followup.searching_org_id, v.followup.owner_org_id)
            ],
        )
    older = recent[-1].thread.last_message_id if len(recent) == PAGE_SIZE else None
    params = {"unread": unread if unread_only else ""}
    return render(
        request,
        "messaging/inbox.html",
        unread=waiting,
        unread_total=unread_total,
        recent=recent,
        threads=ListPage(recent, total, None),
        overdue=overdue,
        unread_only=unread_only,
        orgs=orgs,
        next_url=list_url("/messages", params, before=older) if older else None,
        first_url=list_url("/messages", params) if before else None,
    )


@router.get("/messages/new")
def compose_page(
    request: Request,
    to: str = "",
    link: str = "",
    principal: Principal | None = Depends(form_principal),
) -> Response:
    _user(principal)
    return render(
        request,
        "messaging/compose.html",
        errors=FieldErrors(),
        form={"recipients": to, "links": link},
        **CHOICES,
    )


@router.post("/messages/new")
async def compose_submit(
    request: Request,
    recipients: Annotated[str, Form(max_length=2000)],
    subject: Annotated[str, Form(max_length=300)],
    body: Annotated[str, Form(max_length=100_000)],
    handling: Annotated[str, Form()] = "H0",
    reliability: Annotated[str, Form()] = "X",
    accuracy: Annotated[str, Form()] = "4",
    priority: Annotated[str, Form()] = "routine",
    links: Annotated[str, Form(max_length=2000)] = "",
    attachments: Annotated[list[UploadFile], File()] = [],  # noqa: B006 (FastAPI form default)
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _user(principal)
    ctx = context_of(app_state(request))
    try:
        draft = _draft(
            body,
            subject,
            handling,
            reliability,
            accuracy,
            priority,
            links,
            await _uploads(attachments),
        )
        with unit_of_work(request) as session:
            org_ids = resolve_org_codes(session, _codes(recipients))
            message = service.start_thread(session, ctx, principal, org_ids, draft)
    except DomainError as exc:
        form = {
            "recipients": recipients,
            "subject": subject,
            "body": body,
            "links": links,
            "handling": handling,
            "reliability": reliability,
            "accuracy": accuracy,
            "priority": priority,
        }
        return render(
            request,
            "messaging/compose.html",
            status_code=exc.status,
            errors=FieldErrors.of(exc, "body"),
            form=form,
            **CHOICES,
        )
    return redirect(f"/messages/{message.thread_id}")


def _thread_page(
    request: Request,
    principal: Principal,
    thread_id: int,
    errors: FieldErrors | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    ctx = context_of(app_state(request))
    with unit_of_work(request) as session:
        view = service.read_thread(session, ctx, principal, thread_id)
        orgs = org_labels_by_code(
            session, [*view.participants, *(m.sender_code for m in view.messages)]
        )
    return render(
        request,
        "messaging/thread.html",
        status_code=status,
        view=view,
        errors=errors or FieldErrors(),
        form=form or {},
        orgs=orgs,
        **CHOICES,
    )


@router.get("/messages/{thread_id}")
def thread_page(
    request: Request, thread_id: Id, principal: Principal | None = Depends(form_principal)
) -> Response:
    return _thread_page(request, _user(principal), thread_id)


def _act(
    request: Request,
    principal: Principal,
    thread_id: int,
    action: Callable[[Session], object],
    done: str | None = None,
    form: dict[str, str] | None = None,
    field: str = "thread",
) -> Response:
    """Run a thread action; redirect on success, or show the thread again with the error
    beside `field` (or the field the service names) and what was typed."""
    try:
        with unit_of_work(request) as session:
            action(session)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _thread_page(
            request, principal, thread_id, FieldErrors.of(exc, field), exc.status, form
        )
    return redirect(done or f"/messages/{thread_id}")


@router.post("/messages/{thread_id}/reply")
async def reply_submit(
    request: Request,
    thread_id: Id,
    body: Annotated[str, Form(max_length=100_000)],
    handling: Annotated[str, Form()] = "H0",
    reliability: Annotated[str, Form()] = "X",
    accuracy: Annotated[str, Form()] = "4",
    priority: Annotated[str, Form()] = "routine",
    links: Annotated[str, Form(max_length=2000)] = "",
    attachments: Annotated[list[UploadFile], File()] = [],  # noqa: B006 (FastAPI form default)
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _user(principal)
    ctx = context_of(app_state(request))
    uploads = await _uploads(attachments)

    def send(session: Session) -> object:
        draft = _draft(body, "", handling, reliability, accuracy, priority, links, uploads)
        return service.reply(session, ctx, principal, thread_id, draft)

    form = {
        "body": body,
        "handling": handling,
        "reliability": reliability,
        "accuracy": accuracy,
        "priority": priority,
        "links": links,
    }
    return _act(request, principal, thread_id, send, form=form, field="body")


@router.post("/messages/{thread_id}/close")
def close_submit(
    request: Request, thread_id: Id, principal: Principal | None = Depends(form_principal)
) -> Response:
    principal = _user(principal)
    return _act(
        request,
        principal,
        thread_id,
        lambda session: service.close_thread(session, principal, thread_id),
    )


@router.post("/messages/{thread_id}/grants")
def grant_submit(
    request: Request,
    thread_id: Id,
    reason: Annotated[str, Form(max_length=500)],
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _user(principal)

    def grant(session: Session) -> object:
        return service.grant_access(
            session, principal, thread_id, resolve_org_code(session, "GS"), reason
        )

    return _act(request, principal, thread_id, grant)


@router.post("/messages/{thread_id}/grants/{grant_id}/revoke")
def revoke_submit(
    request: Request,
    thread_id: Id,
    grant_id: Id,
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _user(principal)
    return _act(
        request,
        principal,
        thread_id,
        lambda session: service.revoke_access(session, principal, thread_id, grant_id),
    )


@router.post("/messages/{thread_id}/forward/{message_id}")
def forward_submit(
    request: Request,
    thread_id: Id,
    message_id: Id,
    recipients: Annotated[str, Form(max_length=2000)] = "",
    note: Annotated[str, Form(max_length=5000)] = "",
    confirmed: Annotated[str, Form(max_length=3)] = "",
    principal: Principal | None = Depends(form_principal),
) -> Response:
    """Forwarding takes a message outside its thread: the sender checks who will receive it
    (by name) before it goes."""
    principal = _user(principal)
    ctx = context_of(app_state(request))
    form = {f"fwd_to_{message_id}": recipients, f"fwd_note_{message_id}": note}
    field = f"fwd-to-{message_id}"
    if confirmed != "yes":
        try:
            with unit_of_work(request) as session:
                service.check_forward(session, principal, message_id)
                org_ids = resolve_org_codes(session, _codes(recipients))
                check_recipients(session, principal.org_id, org_ids)
                view = service.read_thread(session, ctx, principal, thread_id)
                names = org_labels(session, org_ids)
        except DomainError as exc:
            if exc.status == 404:
                raise
            return _thread_page(
                request, principal, thread_id, FieldErrors({field: exc.detail}), exc.status, form
            )
        message = next((m for m in view.messages if m.message.id == message_id), None)
        if message is None:
            raise NotFound(msg("no message %(message_id)s", message_id=message_id))
        return render(
            request,
            "messaging/forward_confirm.html",
            view=view,
            message=message,
            recipients=recipients,
            note=note,
            names=[str(names[o]) for o in org_ids],
        )
    forwarded: list[int] = []

    def forward(session: Session) -> object:
        org_ids = resolve_org_codes(session, _codes(recipients))
        message = service.forward_message(session, ctx, principal, message_id, org_ids, note)
        forwarded.append(message.thread_id)
        return message

    response = _act(request, principal, thread_id, forward, form=form, field=field)
    return redirect(f"/messages/{forwarded[0]}") if forwarded else response


@router.post("/messages/{thread_id}/forward/{message_id}/request")
def forward_request_submit(
    request: Request,
    thread_id: Id,
    message_id: Id,
    reason: Annotated[str, Form(max_length=1000)],
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _user(principal)
    return _act(
        request,
        principal,
        thread_id,
        lambda session: service.request_forward_permission(session, principal, message_id, reason),
    )


@router.post("/messages/{thread_id}/forward-requests/{request_id}")
def forward_decision_submit(
    request: Request,
    thread_id: Id,
    request_id: Id,
    decision: Annotated[str, Form(pattern="^(grant|refuse)$")],
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _user(principal)
    return _act(
        request,
        principal,
        thread_id,
        lambda session: service.decide_forward_request(
            session, principal, request_id, decision == "grant"
        ),
    )


@router.get("/messages/attachments/{attachment_id}")
def download_page(
    request: Request, attachment_id: Id, principal: Principal | None = Depends(form_principal)
) -> Response:
    principal = _user(principal)
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


def followup_params(
    side: Annotated[str, Query(max_length=12)] = "",
    status: Annotated[str, Query(max_length=12)] = "",
    priority: Annotated[str, Query(max_length=12)] = "",
    org: Annotated[str, Query(max_length=40)] = "",
    since: Annotated[str, Query(max_length=20)] = "",
    until: Annotated[str, Query(max_length=20)] = "",
) -> dict[str, str]:
    return {
        "side": side,
        "status": status,
        "priority": priority,
        "org": org,
        "since": since,
        "until": until,
    }


def _followup_filter(
    session: Session, params: dict[str, str], errors: FieldErrors
) -> followups.FollowupFilter:
    start, end = dates_filter(errors, params["since"], params["until"])
    return followups.FollowupFilter(
        side=enum_filter(errors, "side", params["side"], followups.FollowupSide),
        status=enum_filter(errors, "status", params["status"], followups.FollowupStatus),
        priority=enum_filter(errors, "priority", params["priority"], Priority),
        counterpart_org_id=org_filter(session, errors, "org", params["org"]),
        since=start,
        until=end,
    )


@router.get("/followups")
def followups_page(
    request: Request,
    params: Annotated[dict[str, str], Depends(followup_params)],
    sort: Annotated[str, Query(pattern="^(due|newest|oldest)$")] = "due",
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _user(principal)
    errors = FieldErrors()
    with unit_of_work(request) as session:
        filters = _followup_filter(session, params, errors)
        page = (
            None
            if errors
            else followups.followups_page(
                session, principal, filters, sort=sort, cursor=cursor, limit=PAGE_SIZE
            )
        )
        stats = followups.answer_stats(session, principal)
        orgs = org_labels(
            session,
            [
                o
                for v in (page.items if page else [])
                for o in (v.followup.searching_org_id, v.followup.owner_org_id)
            ],
        )
        choices = org_choices(session)
    listed = {**params, "sort": sort}
    return render(
        request,
        "messaging/followups.html",
        status_code=422 if errors else 200,
        page=page,
        stats=stats,
        orgs=orgs,
        org_choices=choices,
        params=listed,
        errors=errors,
        priorities=list(Priority),
        next_url=list_url("/followups", listed, cursor=page.next_cursor)
        if page and page.next_cursor
        else None,
        first_url=list_url("/followups", listed) if cursor else None,
        csv_url=list_url("/followups.csv", params),
    )


@router.get("/followups.csv")
def followups_csv(
    request: Request,
    params: Annotated[dict[str, str], Depends(followup_params)],
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _user(principal)
    errors = FieldErrors()
    with unit_of_work(request) as session:
        filters = _followup_filter(session, params, errors)
        errors.raise_if_any()
        views = followups.followups_export(session, principal, filters)
    rows = (
        [
            v.followup.hit_id,
            v.followup.record_id,
            v.followup.thread_id,
            v.searching_code,
            v.owner_code,
            v.followup.priority,
            v.followup.opened_at,
            v.followup.due_at,
            v.followup.answered_at,
            "late"
            if v.answered_late
            else "answered"
            if v.followup.answered_at
            else "overdue"
            if v.overdue
            else "open",
            int(v.waiting.total_seconds()),
        ]
        for v in views
    )
    return csv_response(
        "hit-followups.csv",
        [
            "hit",
            "record",
            "thread",
            "searching_org",
            "owner_org",
            "priority",
            "opened_utc",
            "due_utc",
            "answered_utc",
            "status",
            "seconds_to_answer_or_waiting",
        ],
        rows,
    )


# --- webhooks ----------------------------------------------------------------------------------


def _webhooks_page(
    request: Request,
    principal: Principal,
    errors: FieldErrors | None = None,
    status: int = 200,
    secret: str | None = None,
    form: dict[str, Any] | None = None,
) -> Response:
    with unit_of_work(request) as session:
        hooks = webhooks.list_webhooks(session, principal)
        logs = {h.id: webhooks.delivery_log(session, principal, h.id, limit=20) for h in hooks}
    return render(
        request,
        "messaging/webhooks.html",
        status_code=status,
        hooks=hooks,
        logs=logs,
        events=webhooks.EVENTS,
        errors=errors or FieldErrors(),
        secret=secret,
        form=form or {"events": list(webhooks.EVENTS)},
    )


def _manager(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthenticated("log in first")
    principal.require(Perm.TOKENS_MANAGE)
    return principal


@router.get("/webhooks")
def webhooks_page(
    request: Request, principal: Principal | None = Depends(form_principal)
) -> Response:
    return _webhooks_page(request, _manager(principal))


WEBHOOK_ADDED = "/webhooks/added"


@router.post("/webhooks")
def webhooks_create(
    request: Request,
    url: Annotated[str, Form(max_length=500)] = "",
    events: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI form default)
    principal: Principal | None = Depends(form_principal),
) -> Response:
    """Adds the endpoint, then redirects to the page that shows its secret once."""
    principal = _manager(principal)
    ctx = context_of(app_state(request))
    form = {"url": url, "events": events}
    try:
        with unit_of_work(request) as session:
            _, secret = webhooks.create_webhook(session, ctx, principal, url=url, events=events)
    except DomainError as exc:
        return _webhooks_page(request, principal, FieldErrors.of(exc, "url"), exc.status, form=form)
    return redirect_showing(request, WEBHOOK_ADDED, {"secret": secret})


@router.get(WEBHOOK_ADDED)
def webhook_added(
    request: Request, principal: Principal | None = Depends(form_principal)
) -> Response:
    shown = take_shown(request) or {}
    page = _webhooks_page(request, _manager(principal), secret=shown.get("secret"))
    return forget_shown(request, page)


@router.post("/webhooks/{webhook_id}/deactivate")
def webhooks_deactivate(
    request: Request,
    webhook_id: Id,
    confirmed: Annotated[str, Form(max_length=3)] = "",
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _manager(principal)
    with unit_of_work(request) as session:
        if confirmed != "yes":  # deliveries stop at once and pending ones are dropped: check
            hook = webhooks.own_webhook(session, principal, webhook_id)
            return render(request, "messaging/webhook_deactivate.html", hook=hook)
        webhooks.deactivate_webhook(session, principal, webhook_id)
    return redirect("/webhooks")


# --- joint operations -------------------------------------------------------------------------


def _operations_page(
    request: Request,
    principal: Principal,
    errors: FieldErrors | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    with unit_of_work(request) as session:
        rows = operations.list_operations(session, principal)
        orgs = org_labels(session, [op.lead_org_id for op, _ in rows])
    return render(
        request,
        "messaging/operations.html",
        status_code=status,
        rows=rows,
        orgs=orgs,
        errors=errors or FieldErrors(),
        form=form or {},
    )


@router.get("/operations")
def operations_page(
    request: Request, principal: Principal | None = Depends(form_principal)
) -> Response:
    return _operations_page(request, _user(principal))


@router.post("/operations")
def operations_create(
    request: Request,
    name: Annotated[str, Form(max_length=200)] = "",
    purpose: Annotated[str, Form(max_length=5000)] = "",
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _user(principal)
    try:
        with unit_of_work(request) as session:
            operation = operations.create_operation(session, principal, name=name, purpose=purpose)
    except DomainError as exc:
        return _operations_page(
            request,
            principal,
            FieldErrors.of(exc, "name"),
            exc.status,
            {"name": name, "purpose": purpose},
        )
    return redirect(f"/operations/{operation.id}")


def _operation_page(
    request: Request,
    principal: Principal,
    operation_id: int,
    errors: FieldErrors | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    reader = operations.record_reader(app_state(request))
    with unit_of_work(request) as session:
        view = operations.operation_view(session, principal, reader, operation_id)
        orgs = org_labels_by_code(session, [view.lead_code, *(m.code for m in view.members)])
    return render(
        request,
        "messaging/operation.html",
        status_code=status,
        view=view,
        errors=errors or FieldErrors(),
        form=form or {},
        orgs=orgs,
    )


@router.get("/operations/{operation_id}")
def operation_page(
    request: Request, operation_id: Id, principal: Principal | None = Depends(form_principal)
) -> Response:
    return _operation_page(request, _user(principal), operation_id)


def _op_act(
    request: Request,
    principal: Principal,
    operation_id: int,
    action: Callable[[Session], Any],
    form: dict[str, str] | None = None,
    field: str = "operation",
) -> Response:
    try:
        with unit_of_work(request) as session:
            action(session)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _operation_page(
            request, principal, operation_id, FieldErrors.of(exc, field), exc.status, form
        )
    return redirect(f"/operations/{operation_id}")


@router.post("/operations/{operation_id}/invite")
def operation_invite(
    request: Request,
    operation_id: Id,
    org: Annotated[str, Form(max_length=40)] = "",
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _user(principal)

    def invite(session: Session) -> object:
        return operations.invite(session, principal, operation_id, resolve_org_code(session, org))

    return _op_act(request, principal, operation_id, invite, {"org": org}, "org")


@router.post("/operations/{operation_id}/respond")
def operation_respond(
    request: Request,
    operation_id: Id,
    answer: Annotated[str, Form(pattern="^(accept|decline)$")],
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _user(principal)
    return _op_act(
        request,
        principal,
        operation_id,
        lambda session: operations.respond(session, principal, operation_id, answer == "accept"),
    )


@router.post("/operations/{operation_id}/members/{org_id}/remove")
def operation_remove(
    request: Request,
    operation_id: Id,
    org_id: Id,
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _user(principal)
    return _op_act(
        request,
        principal,
        operation_id,
        lambda session: operations.remove_member(session, principal, operation_id, org_id),
    )


@router.post("/operations/{operation_id}/tasks")
def operation_task(
    request: Request,
    operation_id: Id,
    title: Annotated[str, Form(max_length=300)] = "",
    owner: Annotated[str, Form(max_length=40)] = "",
    due: Annotated[str, Form(max_length=40)] = "",
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _user(principal)

    def add(session: Session) -> object:
        try:
            owner_id = resolve_org_code(session, owner)
        except InvalidInput as exc:
            raise InvalidInput(exc.detail, field="owner") from None
        try:
            due_at = _utc(due)
        except InvalidInput as exc:
            raise InvalidInput(exc.detail, field="due") from None
        return operations.add_task(
            session, principal, operation_id, title=title, owner_org_id=owner_id, due_at=due_at
        )

    return _op_act(
        request, principal, operation_id, add, {"title": title, "owner": owner, "due": due}, "title"
    )


@router.post("/operations/{operation_id}/tasks/{task_id}/done")
def operation_task_done(
    request: Request,
    operation_id: Id,
    task_id: Id,
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _user(principal)
    return _op_act(
        request,
        principal,
        operation_id,
        lambda session: operations.complete_task(session, principal, operation_id, task_id),
    )


@router.post("/operations/{operation_id}/records")
def operation_record(
    request: Request,
    operation_id: Id,
    record_id: Annotated[str, Form(max_length=20)] = "",
    share: Annotated[str, Form()] = "",
    note: Annotated[str, Form(max_length=500)] = "",
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _user(principal)
    reader = operations.record_reader(app_state(request))

    def link(session: Session) -> object:
        number = int(record_id) if record_id.strip().isdigit() else 0
        if not 1 <= number <= 2**62:
            raise InvalidInput(
                "a record number is a whole number, as shown on the record", field="record_id"
            )
        return operations.link_record(
            session, principal, reader, operation_id, number, share=share == "yes", note=note
        )

    return _op_act(
        request,
        principal,
        operation_id,
        link,
        {"record_id": record_id, "share": share, "note": note},
        "record_id",
    )


@router.post("/operations/{operation_id}/close")
def operation_close(
    request: Request,
    operation_id: Id,
    confirmed: Annotated[str, Form(max_length=3)] = "",
    principal: Principal | None = Depends(form_principal),
) -> Response:
    principal = _user(principal)
    if confirmed != "yes":  # closing ends the operation for every member: check first
        reader = operations.record_reader(app_state(request))
        with unit_of_work(request) as session:
            view = operations.operation_view(session, principal, reader, operation_id)
        if view.operation.lead_org_id != principal.org_id:
            raise Forbidden("only the organisation leading the operation closes it")
        return render(request, "messaging/operation_close.html", view=view)
    return _op_act(
        request,
        principal,
        operation_id,
        lambda session: operations.close_operation(session, principal, operation_id),
    )
