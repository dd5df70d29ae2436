"""Hit follow-up: a hit opens (or joins) a thread between the searching side and the record's
owner, who must answer within a deadline (12 hours unless configured per priority).

Each hit has its own follow-up row: its deadline, and the owner's first message after it,
which answers it. Overdue follow-ups are listed for both bureaus and for the General
Secretariat; the Secretariat sees who owes an answer to whom and since when, never the thread,
unless a participant grants it access.
"""

from __future__ import annotations

import enum
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from interlink.core import audit
from interlink.core.audit import Actor, Event
from interlink.core.auth import Perm, Principal
from interlink.core.db import utcnow
from interlink.core.errors import InvalidInput, NotFound
from interlink.core.i18n import msg
from interlink.core.pagination import ListPage, SortOrders, check_limit, count_rows, keyset_page
from interlink.members.models import Organisation
from interlink.members.service import org_codes
from interlink.messaging import webhooks
from interlink.messaging.context import MessagingContext
from interlink.messaging.models import (
    Followup,
    LinkType,
    MessageKind,
    Priority,
    Thread,
    ThreadKind,
)
from interlink.messaging.posting import Draft, Link, new_thread, post


@dataclass(slots=True)
class FollowupView:
    followup: Followup
    searching_code: str
    owner_code: str
    now: datetime

    @property
    def overdue(self) -> bool:
        return self.followup.answered_at is None and self.followup.due_at < self.now

    @property
    def answered_late(self) -> bool:
        answered = self.followup.answered_at
        return answered is not None and answered > self.followup.due_at

    @property
    def time_to_answer(self) -> timedelta | None:
        answered = self.followup.answered_at
        return None if answered is None else answered - self.followup.opened_at

    @property
    def waiting(self) -> timedelta:
        """Time to the answer, or so far without one."""
        return self.time_to_answer or self.now - self.followup.opened_at


def _views(session: Session, followups: Sequence[Followup], now: datetime) -> list[FollowupView]:
    codes = org_codes(session, {o for f in followups for o in (f.searching_org_id, f.owner_org_id)})
    return [
        FollowupView(f, codes[f.searching_org_id], codes[f.owner_org_id], now) for f in followups
    ]


def followup_views(
    session: Session,
    *,
    thread_id: int | None = None,
    thread_ids: Sequence[int] | None = None,
    unanswered_only: bool = False,
    now: datetime | None = None,
) -> list[FollowupView]:
    """Follow-ups of one thread or several, for views the caller already authorised."""
    ids = [thread_id] if thread_id is not None else list(thread_ids or [])
    if not ids:
        return []
    stmt = select(Followup).where(Followup.thread_id.in_(ids)).order_by(Followup.due_at)
    if unanswered_only:
        stmt = stmt.where(Followup.answered_at.is_(None))
    return _views(session, session.scalars(stmt).all(), now or utcnow())


def _open_thread_for(
    session: Session, record_id: int, searching_org_id: int, owner_org_id: int
) -> Thread | None:
    return session.scalars(
        select(Thread)
        .join(Followup, Followup.thread_id == Thread.id)
        .where(
            Followup.record_id == record_id,
            Followup.searching_org_id == searching_org_id,
            Followup.owner_org_id == owner_org_id,
            Thread.closed_at.is_(None),
        )
        .order_by(Thread.id.desc())
    ).first()


def _hit_subject(hit_id: int | None, record_id: int, record_label: str | None) -> str:
    """In English, as stored; shown in the reader's language (i18n.SYSTEM_SUBJECTS)."""
    if hit_id is None:
        text = (
            msg("Hit on %(label)s", label=record_label)
            if record_label
            else msg("Hit on record %(id)s", id=record_id)
        )
    elif record_label:
        text = msg("Hit %(hit)s on %(label)s", hit=hit_id, label=record_label)
    else:
        text = msg("Hit %(hit)s on record %(id)s", hit=hit_id, id=record_id)
    return str(text)[:300]


def open_hit_followup(
    session: Session,
    *,
    ctx: MessagingContext,
    hit_id: int,
    record_id: int,
    searching_org_id: int,
    owner_org_id: int,
    summary: str,
    priority: Priority = Priority.URGENT,
    actor: Actor,
    record_label: str | None = None,
) -> Thread:
    """Called by screening in the transaction that records a hit.

    Opens a thread between the searching organisation and the record's owner, or joins the
    open follow-up thread on the same record between them, with a message from the searching
    side carrying the hit summary; the owner's answer is due within the priority's deadline.
    Calling it again for the same hit returns the same thread.
    """
    existing = session.scalars(select(Followup).where(Followup.hit_id == hit_id)).first()
    if existing is not None:
        thread = session.get(Thread, existing.thread_id)
        assert thread is not None
        return thread
    if searching_org_id == owner_org_id:
        raise InvalidInput("a hit on one's own record needs no follow-up")
    for org_id in (searching_org_id, owner_org_id):
        if session.get(Organisation, org_id) is None:
            raise NotFound(msg("no organisation %(org_id)s", org_id=org_id))
    thread = _open_thread_for(session, record_id, searching_org_id, owner_org_id)
    if thread is None:
        thread = new_thread(
            session,
            kind=ThreadKind.HIT_FOLLOWUP.value,
            subject=_hit_subject(None, record_id, record_label),
            originator_org_id=searching_org_id,
            participant_ids=[owner_org_id],
            priority=priority,
        )
    draft = Draft(
        body=summary,
        subject=_hit_subject(hit_id, record_id, record_label),
        priority=priority,
        links=[Link(LinkType.HIT, hit_id), Link(LinkType.RECORD, record_id)],
    )
    message = post(
        session,
        ctx,
        actor=actor,
        sender_org_id=searching_org_id,
        thread=thread,
        draft=draft,
        recipients=[owner_org_id],
        kind=MessageKind.HIT,
    )
    followup = Followup(
        hit_id=hit_id,
        record_id=record_id,
        thread_id=thread.id,
        searching_org_id=searching_org_id,
        owner_org_id=owner_org_id,
        priority=priority.value,
        opened_at=message.sent_at,
        due_at=message.sent_at + ctx.deadlines.answer_within(priority),
    )
    session.add(followup)
    session.flush()
    audit.record(
        session,
        actor,
        Event(
            "followup.open",
            "hit",
            hit_id,
            owner_org_id=owner_org_id,
            detail={
                "thread": thread.id,
                "record": record_id,
                "due_at": followup.due_at.isoformat(),
                "searching_org": searching_org_id,
            },
        ),
    )
    webhooks.enqueue(
        session,
        [owner_org_id],
        "hit.new",
        {
            "hit_id": hit_id,
            "record_id": record_id,
            "thread_id": thread.id,
            "priority": priority.value,
            "due_at": followup.due_at.isoformat(),
        },
    )
    return thread


def followups_query(
    principal: Principal, *, overdue_only: bool = False, now: datetime | None = None
) -> Select[Followup]:
    """A bureau's follow-ups, as searcher or owner; the Secretariat's query covers everyone."""
    principal.require(Perm.MESSAGES)
    stmt = select(Followup).order_by(Followup.due_at, Followup.id)
    if not principal.viewer.is_secretariat:
        stmt = stmt.where(
            or_(
                Followup.searching_org_id == principal.org_id,
                Followup.owner_org_id == principal.org_id,
            )
        )
    if overdue_only:
        stmt = stmt.where(Followup.answered_at.is_(None), Followup.due_at < (now or utcnow()))
    return stmt


def followups_for(
    session: Session,
    principal: Principal,
    *,
    overdue_only: bool = False,
    now: datetime | None = None,
    limit: int = 200,
) -> list[FollowupView]:
    check_limit(limit)
    now = now or utcnow()
    stmt = followups_query(principal, overdue_only=overdue_only, now=now).limit(limit)
    return _views(session, session.scalars(stmt).all(), now)


class FollowupSide(enum.StrEnum):
    OWNER = "owner"  # hits on our records: we must answer
    SEARCHER = "searcher"  # hits from our searches: we wait for the owner


class FollowupStatus(enum.StrEnum):
    OPEN = "open"  # not answered yet (overdue or not)
    OVERDUE = "overdue"
    ANSWERED = "answered"
    LATE = "late"  # answered after the deadline


@dataclass(frozen=True, slots=True)
class FollowupFilter:
    side: FollowupSide | None = None
    status: FollowupStatus | None = None
    priority: Priority | None = None
    counterpart_org_id: int | None = None  # the other bureau (or, for the GS, either side)
    since: datetime | None = None  # opened at or after
    until: datetime | None = None  # opened before

    def as_detail(self) -> dict[str, Any]:
        return {
            k: (v.isoformat() if isinstance(v, datetime) else str(v))
            for k, v in asdict(self).items()
            if v is not None
        }


FOLLOWUP_SORTS: SortOrders = {
    "due": (Followup.due_at, False),
    "newest": (Followup.id, True),
    "oldest": (Followup.id, False),
}
EXPORT_MAX = 50_000


def _followup_listing(principal: Principal, f: FollowupFilter, now: datetime) -> Select[Followup]:
    """followups_query's rule of who sees what, narrowed by the filter."""
    stmt = followups_query(principal, now=now)
    own = principal.org_id
    if f.side is FollowupSide.OWNER:
        stmt = stmt.where(Followup.owner_org_id == own)
    elif f.side is FollowupSide.SEARCHER:
        stmt = stmt.where(Followup.searching_org_id == own)
    if f.counterpart_org_id is not None:
        stmt = stmt.where(
            or_(
                Followup.searching_org_id == f.counterpart_org_id,
                Followup.owner_org_id == f.counterpart_org_id,
            )
        )
    if f.priority is not None:
        stmt = stmt.where(Followup.priority == f.priority.value)
    status_clause = {
        FollowupStatus.OPEN: Followup.answered_at.is_(None),
        FollowupStatus.OVERDUE: and_(Followup.answered_at.is_(None), Followup.due_at < now),
        FollowupStatus.ANSWERED: Followup.answered_at.is_not(None),
        FollowupStatus.LATE: Followup.answered_at > Followup.due_at,
    }
    if f.status is not None:
        stmt = stmt.where(status_clause[f.status])
    if f.since is not None:
        stmt = stmt.where(Followup.opened_at >= f.since)
    if f.until is not None:
        stmt = stmt.where(Followup.opened_at < f.until)
    return stmt


def followups_page(
    session: Session,
    principal: Principal,
    filters: FollowupFilter,
    *,
    sort: str = "due",
    cursor: str | None = None,
    limit: int = 50,
    now: datetime | None = None,
) -> ListPage[FollowupView]:
    now = now or utcnow()
    page = keyset_page(
        session,
        _followup_listing(principal, filters, now),
        id_column=Followup.id,
        sorts=FOLLOWUP_SORTS,
        sort=sort,
        cursor=cursor,
        limit=limit,
    )
    return ListPage(
        items=_views(session, page.items, now), total=page.total, next_cursor=page.next_cursor
    )


def followups_export(
    session: Session, principal: Principal, filters: FollowupFilter, now: datetime | None = None
) -> list[FollowupView]:
    """Every follow-up matching the filters, by due date, for a CSV; audited."""
    now = now or utcnow()
    stmt = _followup_listing(principal, filters, now)
    total = count_rows(session, stmt)
    if total > EXPORT_MAX:
        raise InvalidInput(
            msg(
                "%(total)s follow-ups match; an export holds at most %(most)s: narrow the filters",
                total=total,
                most=EXPORT_MAX,
            )
        )
    rows = session.scalars(stmt.order_by(Followup.due_at, Followup.id)).all()
    audit.record(
        session,
        principal.actor,
        Event("followup.export", detail={"filters": filters.as_detail(), "returned": len(rows)}),
    )
    return _views(session, rows, now)


def awaiting_answer_query(principal: Principal) -> Select[Followup]:
    """Hits on the principal's bureau's records that it has not answered yet, soonest due first."""
    principal.require(Perm.MESSAGES)
    return (
        select(Followup)
        .where(Followup.owner_org_id == principal.org_id, Followup.answered_at.is_(None))
        .order_by(Followup.due_at, Followup.id)
    )


def views_of(
    session: Session, followups: Sequence[Followup], now: datetime | None = None
) -> list[FollowupView]:
    """Views (with both bureaus' codes) of follow-ups a query above returned."""
    return _views(session, followups, now or utcnow())


@dataclass(frozen=True, slots=True)
class AnswerStats:
    answered: int
    within_deadline: int
    median: timedelta | None
    overdue: int


def answer_stats(
    session: Session, principal: Principal, now: datetime | None = None, sample: int = 1000
) -> AnswerStats:
    """Time to first answer over the latest answered follow-ups in the principal's view."""
    principal.require(Perm.MESSAGES)
    now = now or utcnow()
    mine = or_(
        Followup.searching_org_id == principal.org_id, Followup.owner_org_id == principal.org_id
    )
    answered_stmt = (
        select(Followup)
        .where(Followup.answered_at.is_not(None))
        .order_by(Followup.answered_at.desc())
        .limit(sample)
    )
    overdue_stmt = select(func.count(Followup.id)).where(
        Followup.answered_at.is_(None), Followup.due_at < now
    )
    if not principal.viewer.is_secretariat:
        answered_stmt, overdue_stmt = answered_stmt.where(mine), overdue_stmt.where(mine)
    answered = session.scalars(answered_stmt).all()
    durations = sorted(f.answered_at - f.opened_at for f in answered if f.answered_at)
    return AnswerStats(
        answered=len(answered),
        within_deadline=sum(1 for f in answered if f.answered_at and f.answered_at <= f.due_at),
        median=statistics.median_low(durations) if durations else None,
        overdue=session.scalar(overdue_stmt) or 0,
    )
