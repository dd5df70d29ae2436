"""Notices and diffusions: the life of a request, with compliance review before circulation.

Notice:    draft -> submitted -> under_review -> published | needs_info | refused
           needs_info -> (the bureau answers) -> submitted
           published -> cancelled | expired
Diffusion: draft -> circulated (at once, to the members its bureau chooses) -> reviewed
           afterwards: confirmed (stays circulated) or withdrawn; cancelled by its bureau.

Automated checks run at each submission (and when a diffusion is sent); a failed check blocks
publication but the reviewer still sees the request and decides, with reasons, recorded and
audited. Only published notices and circulated diffusions are visible to other members.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from interlink.core import audit, validation
from interlink.core.access import VisibilityMode, can_modify, can_see, listing_clause
from interlink.core.audit import Event
from interlink.core.auth import Perm, Principal
from interlink.core.db import emit_change
from interlink.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from interlink.core.i18n import msg
from interlink.core.pagination import ListPage, SortOrders, keyset_page
from interlink.members.models import Organisation
from interlink.records import service as records
from interlink.records import texts
from interlink.records.checks import (
    CheckResult,
    blocks_publication,
    needs_attention,
    refugee_name_key,
    run_automated_checks,
)
from interlink.records.circulation import refresh_subject
from interlink.records.models import (
    Notice,
    NoticeCheck,
    NoticeEvent,
    NoticeState,
    Record,
    RecordKind,
    RecordStatus,
    RefugeeStatusEntry,
    Version,
)
from interlink.records.restrictions import Restrictions
from interlink.records.schemas import (
    NoticeData,
    NoticeKind,
    NoticeType,
    PartialDate,
    PersonData,
)
from interlink.records.service import require_owner_org
from interlink.records.versions import add_version, history

NOTICE_VALIDITY = timedelta(days=5 * 365)
# Who may move a request from one state to the next.
OWNER_EDITABLE = frozenset({NoticeState.DRAFT, NoticeState.NEEDS_INFO})


class DbRefugeeRegistry:
    """Refugee statuses recorded by the General Secretariat, read from the database."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def has_refugee_status_against(
        self, names: Any, birth_date: PartialDate | None, country: str
    ) -> bool:
        keys = {refugee_name_key(name) for name in names}
        rows = self._session.scalars(
            select(RefugeeStatusEntry).where(
                RefugeeStatusEntry.name_key.in_(keys),
                RefugeeStatusEntry.against_country == country.upper(),
            )
        ).all()
        for row in rows:
            known = PartialDate.parse(row.birth_date) if row.birth_date else None
            if known is None or birth_date is None or known.is_compatible_with(birth_date):
                return True
        return False


def record_refugee_status(
    session: Session,
    principal: Principal,
    *,
    names: list[str],
    birth_date: str | None,
    against_country: str,
    granted_by: str | None = None,
    note: str | None = None,
) -> int:
    principal.require(Perm.NOTICES_REVIEW)
    if birth_date:
        PartialDate.parse(birth_date)
    for name in names:
        session.add(
            RefugeeStatusEntry(
                name_key=refugee_name_key(name),
                birth_date=birth_date,
                against_country=against_country.upper(),
                granted_by=granted_by,
                note=note,
            )
        )
    audit.record(
        session,
        principal.actor,
        Event("refugee_status.record", detail={"against": against_country, "names": len(names)}),
    )
    return len(names)


def parse_notice(raw: dict[str, Any]) -> NoticeData:
    try:
        return NoticeData.model_validate(raw)
    except ValidationError as exc:
        problems = validation.problems(exc.errors()[:5], "notice")
        raise InvalidInput(msg("invalid notice: %(problems)s", problems=problems)) from None


def _label(data: NoticeData, subject: Record | None = None) -> str:
    text = (
        (subject.label if subject is not None else None)
        or (data.object_description or "")[:80]
        or "(no subject)"
    )
    return f"{data.notice_type.value.replace('_', ' ').title()} {data.kind.value}: {text}"[:300]


def _stored(data: NoticeData) -> dict[str, Any]:
    """A request's own content: its subject lives in the subject record, never copied."""
    return data.model_dump(mode="json", exclude_none=True, exclude={"subject"})


def subject_of(session: Session, notice: Notice) -> Record | None:
    """The subject record (a system read for the request's own rules: the caller already
    holds the request, and the subject's circulation is the request's)."""
    return session.get(Record, notice.subject_record_id) if notice.subject_record_id else None


def visible_subject(session: Session, principal: Principal, notice: Notice) -> Record | None:
    """The subject as the viewer may see it (the restrictions govern what a member sees)."""
    if notice.subject_record_id is None:
        return None
    return records.find_record(
        session, principal, notice.subject_record_id, purpose=f"subject of {notice.reference}"
    )


def content_of(session: Session, notice: Notice) -> NoticeData:
    """The request as the checks and the public extract read it: its data and its subject."""
    raw = dict(notice.data)
    subject = subject_of(session, notice)
    if subject is not None and subject.kind == RecordKind.PERSON.value:
        raw["subject"] = subject.data
    return NoticeData.model_validate(raw)


def _subject_for(
    session: Session, principal: Principal, data: NoticeData, subject_record_id: int | None
) -> Record | None:
    """Pick one of the bureau's records, or create the subject from the same fields."""
    if subject_record_id is not None:
        if data.subject is not None:
            raise InvalidInput(
                "give the subject once: pick one of your records "
                "(subject_record_id) or enter the subject's data, not both"
            )
        row = records.get_record(session, principal, subject_record_id, purpose="request subject")
        if not can_modify(principal.viewer, row.policy):
            raise InvalidInput(
                msg(
                    "record %(record_id)s belongs to another bureau: a request "
                    "is about a record of your own bureau",
                    record_id=subject_record_id,
                )
            )
        if row.status != RecordStatus.ACTIVE.value:
            raise Conflict(
                msg(
                    "record %(subject_record_id)s is %(row_status)s",
                    subject_record_id=subject_record_id,
                    row_status=row.status,
                )
            )
        return row
    if data.subject is not None:
        return _new_subject(session, principal, data.subject)
    return None


def _new_subject(session: Session, principal: Principal, subject: PersonData) -> Record:
    """A person entered with a request: its bureau's record, restricted by the requests that
    will cover it (its own restrictions stay open)."""
    return records.create_record(
        session, principal, records.NewRecord(data=subject, restrictions=Restrictions())
    )


def _update_subject(
    session: Session,
    principal: Principal,
    notice: Notice,
    subject: PersonData | None,
    reason: str | None,
) -> None:
    """Subject data given with an edit changes the subject record in place (a new version)."""
    if subject is None:
        return
    current = subject_of(session, notice)
    if current is None:
        notice.subject_record_id = _new_subject(session, principal, subject).id
        return
    if current.kind != RecordKind.PERSON.value:
        raise InvalidInput("this request's subject is not a person: change it on its record")
    if subject.model_dump(mode="json", exclude_none=True) != current.data:
        records.update_record(
            session,
            principal,
            current.id,
            subject.model_dump(mode="json", exclude_none=True),
            reason=reason or msg(texts.THROUGH, reference=notice.reference),
        )


def _timeline(
    session: Session,
    principal: Principal,
    notice: Notice,
    event: str,
    from_state: str | None,
    text: str | None = None,
) -> None:
    session.add(
        NoticeEvent(
            notice_id=notice.id,
            actor=principal.label,
            actor_org_id=principal.org_id,
            event=event,
            from_state=from_state,
            to_state=notice.state,
            text=text,
        )
    )
    audit.record(
        session,
        principal.actor,
        Event(
            f"notice.{event}",
            "notice",
            notice.id,
            owner_org_id=notice.owner_org_id,
            detail={
                "from": from_state,
                "to": notice.state,
                "type": notice.notice_type,
                **({"text": text[:500]} if text else {}),
            },
        ),
    )


def _move(
    session: Session,
    principal: Principal,
    notice: Notice,
    to: NoticeState,
    event: str,
    text: str | None = None,
) -> None:
    before = notice.state
    notice.state = to.value
    notice.updated_at = datetime.now(UTC)
    _timeline(session, principal, notice, event, before, text)
    emit_change(session, "notice", notice.id, "upsert")
    refresh_subject(session, notice.subject_record_id)


def create_notice(
    session: Session,
    principal: Principal,
    data: NoticeData,
    restrictions: Restrictions,
    subject_record_id: int | None = None,
) -> Notice:
    require_owner_org(principal)
    principal.require(Perm.NOTICES_SUBMIT)
    try:
        restrictions.check()
    except ValueError as exc:
        raise InvalidInput(exc.args[0]) from None  # a Msg: translated where shown
    subject = _subject_for(session, principal, data, subject_record_id)
    now = datetime.now(UTC)
    notice = Notice(
        id=new_request_id(),
        reference=f"pending-{uuid.uuid4().hex}",
        kind=data.kind.value,
        notice_type=data.notice_type.value,
        state=NoticeState.DRAFT.value,
        data=_stored(data),
        label=_label(data, subject),
        owner_org_id=principal.org_id,
        subject_record_id=subject.id if subject is not None else None,
        circulated=False,
        retention_until=None,
        created_at=now,
        updated_at=now,
    )
    restrictions.apply(notice)
    session.add(notice)
    session.flush()
    notice.reference = _reference(session, principal, data.kind, now)
    add_version(
        session,
        principal,
        entity="notice",
        row=notice,
        entity_id=notice.id,
        version=1,
        data=notice.data,
        change="create",
    )
    _timeline(session, principal, notice, "create", None)
    return notice


def new_request_id() -> int:
    """Random ids (below 2**53, safe in every JSON client): a sequence would tell any bureau
    how many requests the others made."""
    return secrets.randbelow(2**53 - 2**32) + 2**32


def _reference(session: Session, principal: Principal, kind: NoticeKind, now: datetime) -> str:
    """'A-MA-2026-00012': the requesting bureau's own running number for the year, so a
    reference tells nothing about other bureaus' requests."""
    prefix = "D" if kind is NoticeKind.DIFFUSION else "A"
    who = principal.country or f"O{principal.org_id}"
    start = f"{prefix}-{who}-{now.year}-"
    # One bureau numbers one request at a time (the count below then sees the last commit).
    session.execute(
        select(Organisation.id).where(Organisation.id == principal.org_id).with_for_update()
    )
    taken = session.scalars(
        select(Notice.reference).where(
            Notice.owner_org_id == principal.org_id, Notice.reference.like(f"{start}%")
        )
    ).all()
    numbers = [int(r.rsplit("-", 1)[1]) for r in taken if r.rsplit("-", 1)[1].isdigit()]
    return f"{start}{max(numbers, default=0) + 1:05d}"


def _visible(session: Session, principal: Principal, notice_id: int) -> Notice:
    notice = session.get(Notice, notice_id)
    if notice is None or not can_see(principal.viewer, notice.policy):
        raise NotFound(msg("no notice %(notice_id)s", notice_id=notice_id))
    return notice


def get_notice(session: Session, principal: Principal, notice_id: int) -> Notice:
    notice = _visible(session, principal, notice_id)
    audit.record(
        session,
        principal.actor,
        Event("notice.read", "notice", notice.id, owner_org_id=notice.owner_org_id),
    )
    return notice


def _owned(session: Session, principal: Principal, notice_id: int) -> Notice:
    require_owner_org(principal)
    notice = _visible(session, principal, notice_id)
    if not can_modify(principal.viewer, notice.policy):
        raise Forbidden("only the requesting bureau changes its request")
    return notice


def _reviewable(session: Session, principal: Principal, notice_id: int) -> Notice:
    principal.require(Perm.NOTICES_REVIEW)
    return _visible(session, principal, notice_id)


def _require_state(notice: Notice, *states: NoticeState) -> None:
    if NoticeState(notice.state) not in states:
        allowed = " or ".join(s.value for s in states)
        raise Conflict(
            msg(
                "%(reference)s is %(notice_state)s; this needs it to be %(allowed)s",
                reference=notice.reference,
                notice_state=notice.state,
                allowed=allowed,
            )
        )


def update_request(
    session: Session,
    principal: Principal,
    notice_id: int,
    data: NoticeData,
    restrictions: Restrictions | None = None,
    reason: str | None = None,
) -> Notice:
    """The bureau edits a draft, or a request the reviewer sent back for information."""
    notice = _owned(session, principal, notice_id)
    _require_state(notice, *OWNER_EDITABLE)
    if data.kind.value != notice.kind or data.notice_type.value != notice.notice_type:
        raise InvalidInput("the type and kind of a request do not change; start a new one")
    _update_subject(session, principal, notice, data.subject, reason)
    previous = notice.data
    notice.data = _stored(data)
    notice.label = _label(data, subject_of(session, notice))
    if restrictions is not None:
        restrictions.check()
        restrictions.apply(notice)
    notice.version += 1
    add_version(
        session,
        principal,
        entity="notice",
        row=notice,
        entity_id=notice.id,
        version=notice.version,
        data=notice.data,
        change="correction",
        reason=reason,
        previous=previous,
    )
    _timeline(session, principal, notice, "edit", notice.state, reason)
    return notice


def amend_published(
    session: Session,
    principal: Principal,
    notice_id: int,
    data: NoticeData,
    *,
    change: str,
    reason: str,
) -> Notice:
    """Addenda and corrections to a circulated notice or diffusion, by its bureau only."""
    if change not in ("correction", "addendum"):
        raise InvalidInput("a change is a 'correction' or an 'addendum'")
    if not reason.strip():
        raise InvalidInput("a change to a circulated request needs a reason")
    notice = _owned(session, principal, notice_id)
    _require_state(notice, NoticeState.PUBLISHED, NoticeState.CIRCULATED)
    if data.notice_type.value != notice.notice_type or data.kind.value != notice.kind:
        raise InvalidInput("the type and kind of a request do not change")
    _update_subject(session, principal, notice, data.subject, reason)
    previous = notice.data
    notice.data = _stored(data)
    notice.label = _label(data, subject_of(session, notice))
    notice.version += 1
    add_version(
        session,
        principal,
        entity="notice",
        row=notice,
        entity_id=notice.id,
        version=notice.version,
        data=notice.data,
        change=change,
        reason=reason,
        previous=previous,
    )
    _timeline(session, principal, notice, change, notice.state, reason)
    emit_change(session, "notice", notice.id, "upsert")
    refresh_subject(session, notice.subject_record_id)
    return notice


def _run_checks(session: Session, principal: Principal, notice: Notice) -> list[CheckResult]:
    submission = 1 + len(
        session.scalars(
            select(NoticeEvent.id).where(
                NoticeEvent.notice_id == notice.id,
                NoticeEvent.event.in_(("submit", "circulate", "answer")),
            )
        ).all()
    )
    results = run_automated_checks(
        content_of(session, notice),
        requesting_country=principal.country or "",
        refugee_registry=DbRefugeeRegistry(session),
    )
    for result in results:
        session.add(
            NoticeCheck(
                notice_id=notice.id,
                submission=submission,
                code=result.code.value,
                outcome=result.outcome.value,
                reason=result.reason,
                reason_text=result.reason_text,
                details=list(result.details),
            )
        )
    notice.checks_summary = (
        "fail" if blocks_publication(results) else "flag" if needs_attention(results) else "pass"
    )
    return results


def submit(session: Session, principal: Principal, notice_id: int) -> list[CheckResult]:
    notice = _owned(session, principal, notice_id)
    if notice.kind != NoticeKind.NOTICE.value:
        raise Conflict("a diffusion is sent with 'circulate', not submitted for review")
    _require_state(notice, NoticeState.DRAFT)
    results = _run_checks(session, principal, notice)
    notice.submitted_at = datetime.now(UTC)
    _move(
        session,
        principal,
        notice,
        NoticeState.SUBMITTED,
        "submit",
        msg(texts.CHECKED, outcome=notice.checks_summary),
    )
    return results


def answer_information_request(
    session: Session,
    principal: Principal,
    notice_id: int,
    answer: str,
    data: NoticeData | None = None,
) -> list[CheckResult]:
    """The bureau answers in place (and may correct the data); the checks run again."""
    if not answer.strip():
        raise InvalidInput("the answer needs some text")
    notice = _owned(session, principal, notice_id)
    _require_state(notice, NoticeState.NEEDS_INFO)
    if data is not None:
        update_request(session, principal, notice_id, data, reason=texts.ANSWER)
    results = _run_checks(session, principal, notice)
    _move(session, principal, notice, NoticeState.SUBMITTED, "answer", answer)
    return results


def circulate_diffusion(
    session: Session, principal: Principal, notice_id: int, recipients: list[str]
) -> list[CheckResult]:
    """A diffusion goes at once to the members its bureau chooses; review comes after."""
    notice = _owned(session, principal, notice_id)
    if notice.kind != NoticeKind.DIFFUSION.value:
        raise Conflict("a notice is published by the General Secretariat after review")
    _require_state(notice, NoticeState.DRAFT)
    restrictions = Restrictions.of(notice)
    try:
        chosen = Restrictions(
            visibility=VisibilityMode.ONLY,
            countries=recipients,
            not_actionable_in=restrictions.not_actionable_in,
            handling=restrictions.handling,
        )
    except ValidationError as exc:
        raise InvalidInput(
            msg("recipients: %(value)s", value=validation.message(exc.errors()[0]))
        ) from None
    if not chosen.countries:
        raise InvalidInput("a diffusion needs at least one recipient member")
    chosen.apply(notice)
    results = _run_checks(session, principal, notice)
    now = datetime.now(UTC)
    notice.circulated = True
    notice.published_at = notice.submitted_at = now
    notice.retention_until = now + NOTICE_VALIDITY
    _move(
        session,
        principal,
        notice,
        NoticeState.CIRCULATED,
        "circulate",
        msg(
            texts.CIRCULATED,
            countries=", ".join(chosen.countries),
            outcome=notice.checks_summary,
        ),
    )
    return results


def start_review(session: Session, principal: Principal, notice_id: int) -> Notice:
    notice = _reviewable(session, principal, notice_id)
    _require_state(notice, NoticeState.SUBMITTED)
    _move(session, principal, notice, NoticeState.UNDER_REVIEW, "review")
    return notice


def request_information(
    session: Session, principal: Principal, notice_id: int, question: str
) -> Notice:
    if len(question.strip()) < 5:
        raise InvalidInput("say what information is needed")
    notice = _reviewable(session, principal, notice_id)
    _require_state(notice, NoticeState.UNDER_REVIEW)
    _move(session, principal, notice, NoticeState.NEEDS_INFO, "request_info", question)
    return notice


def decide(
    session: Session, principal: Principal, notice_id: int, *, approve: bool, reason: str
) -> Notice:
    """The reviewer's decision on a notice request, with reasons."""
    if len(reason.strip()) < 5:
        raise InvalidInput("a decision needs its reasons")
    notice = _reviewable(session, principal, notice_id)
    _require_state(notice, NoticeState.UNDER_REVIEW)
    if approve:
        if notice.checks_summary == "fail":
            raise Conflict("an automated check failed: ask for information or refuse")
        now = datetime.now(UTC)
        notice.circulated = True
        notice.reviewed = True
        notice.published_at = now
        notice.retention_until = now + NOTICE_VALIDITY
        notice.public_extract = (
            bool(notice.data.get("public_extract_consent"))
            and notice.notice_type == NoticeType.RED.value
        )
        _move(session, principal, notice, NoticeState.PUBLISHED, "publish", reason)
    else:
        notice.reviewed = True
        _move(session, principal, notice, NoticeState.REFUSED, "refuse", reason)
    return notice


def review_diffusion(
    session: Session, principal: Principal, notice_id: int, *, keep: bool, reason: str
) -> Notice:
    """Diffusions are reviewed after they are sent; the review can withdraw them."""
    if len(reason.strip()) < 5:
        raise InvalidInput("a review needs its reasons")
    notice = _reviewable(session, principal, notice_id)
    _require_state(notice, NoticeState.CIRCULATED)
    if notice.reviewed:
        raise Conflict(msg("%(reference)s was already reviewed", reference=notice.reference))
    notice.reviewed = True
    if keep:
        _timeline(session, principal, notice, "confirm", notice.state, reason)
    else:
        notice.circulated = False
        _move(session, principal, notice, NoticeState.WITHDRAWN, "withdraw", reason)
    return notice


def cancel(session: Session, principal: Principal, notice_id: int, reason: str) -> Notice:
    """The requesting bureau cancels (the person was arrested, the warrant lifted...)."""
    if len(reason.strip()) < 5:
        raise InvalidInput("a cancellation needs its reason")
    notice = _owned(session, principal, notice_id)
    _require_state(
        notice,
        NoticeState.PUBLISHED,
        NoticeState.CIRCULATED,
        NoticeState.DRAFT,
        NoticeState.SUBMITTED,
        NoticeState.NEEDS_INFO,
    )
    notice.circulated = False
    _move(session, principal, notice, NoticeState.CANCELLED, "cancel", reason)
    return notice


def carry_out_oversight_deletion(
    session: Session, principal: Principal, notice_id: int, decision_ref: str
) -> Notice:
    """A binding decision of the oversight commission deletes a notice: cancelled, out of
    circulation, no public extract; the owner cannot publish it again."""
    if not principal.viewer.is_oversight:
        raise Forbidden("only the oversight commission's decisions delete another bureau's notice")
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise NotFound(msg("no notice %(notice_id)s", notice_id=notice_id))
    notice.circulated = False
    notice.public_extract = False
    _move(
        session,
        principal,
        notice,
        NoticeState.CANCELLED,
        "oversight_delete",
        msg(texts.BINDING_DECISION, reference=decision_ref),
    )
    return notice


def list_notices(
    session: Session,
    principal: Principal,
    *,
    state: NoticeState | None = None,
    notice_type: NoticeType | None = None,
    owned_only: bool = False,
    after_id: int = 0,
    limit: int = 50,
) -> list[Notice]:
    stmt = _notice_listing(
        principal, NoticeFilter(state=state, notice_type=notice_type, owned_only=owned_only)
    )
    rows = list(session.scalars(stmt.where(Notice.id > after_id).order_by(Notice.id).limit(limit)))
    _audit_listed(session, principal, rows)
    return rows


@dataclass(frozen=True, slots=True)
class NoticeFilter:
    state: NoticeState | None = None
    notice_type: NoticeType | None = None
    owned_only: bool = False
    owner_org_id: int | None = None  # the requesting bureau
    since: datetime | None = None  # created at or after
    until: datetime | None = None  # created before
    text: str | None = None  # part of the label, the reference, or the subject's name
    subject_matches: Sequence[int] = ()  # persons the name matcher finds like `text`


NOTICE_SORTS: SortOrders = {
    "newest": (Notice.id, True),
    "oldest": (Notice.id, False),
    "reference": (Notice.reference, False),
    "updated": (Notice.updated_at, True),
}


def _notice_listing(principal: Principal, f: NoticeFilter) -> Select[Notice]:
    principal.require(Perm.RECORDS_READ)
    stmt = select(Notice).where(listing_clause(principal.viewer, Notice))
    if f.state is not None:
        stmt = stmt.where(Notice.state == f.state.value)
    if f.notice_type is not None:
        stmt = stmt.where(Notice.notice_type == f.notice_type.value)
    if f.owned_only:
        stmt = stmt.where(Notice.owner_org_id == principal.org_id)
    if f.owner_org_id is not None:
        stmt = stmt.where(Notice.owner_org_id == f.owner_org_id)
    if f.since is not None:
        stmt = stmt.where(Notice.created_at >= f.since)
    if f.until is not None:
        stmt = stmt.where(Notice.created_at < f.until)
    if f.text:
        stmt = stmt.where(
            records.text_search(
                Notice.label, Notice.reference, f.text, Notice.subject_record_id, f.subject_matches
            )
        )
    return stmt


def _audit_listed(session: Session, principal: Principal, rows: list[Notice]) -> None:
    for row in rows:
        audit.record(
            session,
            principal.actor,
            Event("notice.list", "notice", row.id, owner_org_id=row.owner_org_id),
        )


def notices_page(
    session: Session,
    principal: Principal,
    filters: NoticeFilter,
    *,
    sort: str = "newest",
    cursor: str | None = None,
    limit: int = 50,
) -> ListPage[Notice]:
    """A page of the notices and diffusions the principal may see, with the total."""
    page = keyset_page(
        session,
        _notice_listing(principal, filters),
        id_column=Notice.id,
        sorts=NOTICE_SORTS,
        sort=sort,
        cursor=cursor,
        limit=limit,
    )
    _audit_listed(session, principal, page.items)
    return page


def review_queue_query(principal: Principal) -> Select[Notice]:
    """Requests waiting for a compliance review, and circulated diffusions not reviewed yet."""
    principal.require(Perm.NOTICES_REVIEW)
    open_states = (NoticeState.SUBMITTED.value, NoticeState.UNDER_REVIEW.value)
    return (
        select(Notice)
        .where(
            (Notice.state.in_(open_states))
            | ((Notice.state == NoticeState.CIRCULATED.value) & Notice.reviewed.is_(False))
        )
        .order_by(Notice.submitted_at)
    )


def review_queue(session: Session, principal: Principal) -> list[Notice]:
    return list(session.scalars(review_queue_query(principal)))


def information_requests_query(principal: Principal) -> Select[Notice]:
    """The principal's bureau's notice requests on which the reviewers asked for information."""
    principal.require(Perm.NOTICES_SUBMIT)
    return (
        select(Notice)
        .where(
            Notice.owner_org_id == principal.org_id, Notice.state == NoticeState.NEEDS_INFO.value
        )
        .order_by(Notice.updated_at, Notice.id)
    )


def timeline(session: Session, principal: Principal, notice_id: int) -> list[NoticeEvent]:
    _visible(session, principal, notice_id)
    return list(
        session.scalars(
            select(NoticeEvent).where(NoticeEvent.notice_id == notice_id).order_by(NoticeEvent.id)
        )
    )


def checks(session: Session, principal: Principal, notice_id: int) -> list[NoticeCheck]:
    """The latest submission's automated checks: the owner and reviewers see them."""
    notice = _visible(session, principal, notice_id)
    if not (can_modify(principal.viewer, notice.policy) or principal.has(Perm.NOTICES_REVIEW)):
        return []
    rows = session.scalars(
        select(NoticeCheck).where(NoticeCheck.notice_id == notice_id).order_by(NoticeCheck.id)
    ).all()
    latest = max((r.submission for r in rows), default=0)
    return [r for r in rows if r.submission == latest]


def versions(session: Session, principal: Principal, notice_id: int) -> list[Version]:
    _visible(session, principal, notice_id)
    return history(session, "notice", notice_id)


def expire_notices(session: Session, now: datetime | None = None) -> int:
    """System job: circulated requests past their validity expire and leave every list."""
    now = now or datetime.now(UTC)
    rows = session.scalars(
        select(Notice)
        .where(
            Notice.state.in_((NoticeState.PUBLISHED.value, NoticeState.CIRCULATED.value)),
            Notice.retention_until <= now,
        )
        .limit(5_000)
    ).all()
    for notice in rows:
        before = notice.state
        notice.state = NoticeState.EXPIRED.value
        notice.circulated = False
        session.add(
            NoticeEvent(
                notice_id=notice.id,
                actor="system",
                event="expire",
                from_state=before,
                to_state=notice.state,
            )
        )
        audit.record(
            session,
            audit.SYSTEM,
            Event("notice.expire", "notice", notice.id, owner_org_id=notice.owner_org_id),
        )
        emit_change(session, "notice", notice.id, "remove")
        refresh_subject(session, notice.subject_record_id)
    return len(rows)


def public_extracts(session: Session, *, limit: int = 100) -> list[Notice]:
    """Published Red notices whose requesting country agreed to a public extract."""
    now = datetime.now(UTC)
    stmt = (
        select(Notice)
        .where(
            Notice.public_extract.is_(True),
            Notice.state == NoticeState.PUBLISHED.value,
            Notice.access_blocked.is_(False),
            (Notice.retention_until.is_(None)) | (Notice.retention_until > now),
        )
        .order_by(Notice.published_at.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def public_extract_view(session: Session, notice: Notice) -> dict[str, Any]:
    """What the public page shows: identity for recognition, the charge; nothing else."""
    data = content_of(session, notice)
    subject = data.subject
    return {
        "reference": notice.reference,
        "name": subject.all_full_names()[0] if subject and subject.names else None,
        "sex": subject.sex.value if subject and subject.sex else None,
        "birth_year": subject.birth_date.year if subject and subject.birth_date else None,
        "nationalities": list(subject.nationalities) if subject else [],
        "charge": data.judicial.offence_category.value.replace("_", " ")
        if data.judicial and data.judicial.offence_category
        else None,
        "published_at": notice.published_at,
    }


# --- the workflow around a request: checks before submission, changes, copies ---------------


def preview_checks(session: Session, principal: Principal, notice_id: int) -> list[CheckResult]:
    """The automated checks on a draft (or a request sent back), run now and not stored: the
    bureau sees what the reviewer will see before it submits."""
    notice = _owned(session, principal, notice_id)
    _require_state(notice, *OWNER_EDITABLE)
    return run_automated_checks(
        content_of(session, notice),
        requesting_country=principal.country or "",
        refugee_registry=DbRefugeeRegistry(session),
    )


def changes_since_question(session: Session, principal: Principal, notice_id: int) -> list[Version]:
    """What the bureau changed in the request and its subject since the reviewer last asked
    for information (empty when nobody asked): what the reviewer reads on resubmission."""
    notice = _visible(session, principal, notice_id)
    asked = session.scalars(
        select(NoticeEvent.at)
        .where(NoticeEvent.notice_id == notice.id, NoticeEvent.event == "request_info")
        .order_by(NoticeEvent.id.desc())
    ).first()
    if asked is None:
        return []
    changes = [v for v in history(session, "notice", notice.id) if v.changed_at >= asked]
    if notice.subject_record_id is not None:
        changes += [
            v for v in history(session, "record", notice.subject_record_id) if v.changed_at >= asked
        ]
    return sorted(changes, key=lambda v: v.changed_at)


COPYABLE = frozenset(
    {NoticeState.CANCELLED, NoticeState.REFUSED, NoticeState.WITHDRAWN, NoticeState.EXPIRED}
)


def copy_request(session: Session, principal: Principal, notice_id: int) -> Notice:
    """A cancelled, refused, withdrawn or expired request copied into a new draft, on the same
    subject, with the same restrictions: to correct and submit again."""
    notice = _owned(session, principal, notice_id)
    _require_state(notice, *COPYABLE)
    subject = subject_of(session, notice)
    subject_id = (
        subject.id if subject is not None and subject.status == RecordStatus.ACTIVE.value else None
    )
    copy = create_notice(
        session,
        principal,
        NoticeData.model_validate(notice.data),
        Restrictions.of(notice),
        subject_id,
    )
    _timeline(session, principal, copy, "copy", None, msg(texts.COPIED, reference=notice.reference))
    return copy
