"""What needs me: the work waiting for a user, gathered from every capability for the home page,
and the two counts the navigation shows on every page (unread items, overdue follow-ups).

Each capability owns the rule of what is waiting (a query in its service: follow-ups to answer,
notices needing information, the review queue, invitations, ballots, records due for review);
this module only adds what is per user: whether the user has opened an item yet. Opening an
item from the home page (GET /go/<type>/<id>) marks it read for that user alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from interlink.assembly import service_meetings, service_voting
from interlink.assembly.models import AssemblySession, Ballot, MeetingRequest
from interlink.core import i18n
from interlink.core.auth import Perm, Principal
from interlink.core.db import utcnow
from interlink.core.errors import NotFound
from interlink.core.i18n import N_, _, msg
from interlink.core.labels import label
from interlink.members.service import org_codes
from interlink.messaging import followups, operations
from interlink.messaging.models import Followup, Operation, Thread
from interlink.records import notices
from interlink.records import service as records
from interlink.records.models import Notice, Record
from interlink.web.models import WebRead

SECTION_LIMIT = 20
# Follow-up priorities as the home page shows them (messaging.models.Priority, capitalised).
PRIORITY_NAMES = (N_("Routine"), N_("Urgent"), N_("Flash"))


@dataclass(frozen=True, slots=True)
class Item:
    object_type: str
    object_id: int
    title: str
    detail: str
    url: str
    due_at: datetime | None = None
    overdue: bool = False
    unread: bool = True

    @property
    def open_url(self) -> str:
        return f"/go/{self.object_type}/{self.object_id}"


@dataclass(frozen=True, slots=True)
class Source:
    """One kind of waiting work: who sees it, the capability's query, and how an item reads."""

    object_type: str
    title: str
    empty: str
    perm: Perm
    query: Callable[[Principal, datetime], Select[Any]]
    id_column: Any
    items: Callable[[Session, Sequence[Any], datetime], list[Item]]
    needs_country: bool = False

    def applies_to(self, principal: Principal) -> bool:
        return principal.has(self.perm) and (
            principal.country is not None or not self.needs_country
        )


def _hit_items(session: Session, rows: Sequence[Followup], now: datetime) -> list[Item]:
    # The thread's subject names the record ("Hit on Samir Ouazzani"), as its owner sees it.
    subjects = (
        dict(
            session.execute(
                select(Thread.id, Thread.subject).where(Thread.id.in_([f.thread_id for f in rows]))
            ).all()
        )
        if rows
        else {}
    )
    return [
        Item(
            "hit",
            v.followup.hit_id,
            _(
                "%(subject)s by %(code)s",
                subject=i18n.shown_subject(subjects.get(v.followup.thread_id) or "") or _("Hit"),
                code=v.searching_code,
            ),
            _("%(priority)s · answer due", priority=label(v.followup.priority)),
            f"/messages/{v.followup.thread_id}",
            v.followup.due_at,
            v.overdue,
        )
        for v in followups.views_of(session, rows, now)
    ]


def _info_items(_session: Session, rows: Sequence[Notice], _now: datetime) -> list[Item]:
    return [
        Item(
            "notice",
            n.id,
            f"{n.reference}: {n.label}",
            _("The reviewers asked for more information"),
            f"/notices/{n.id}",
        )
        for n in rows
    ]


def _review_items(session: Session, rows: Sequence[Notice], _now: datetime) -> list[Item]:
    codes = org_codes(session, [n.owner_org_id for n in rows])
    return [
        Item(
            "review",
            n.id,
            f"{n.reference}: {n.label}",
            _(
                "%(kind)s from %(code)s · %(state)s",
                kind=label(n.kind),
                code=codes.get(n.owner_org_id, "?"),
                state=label(n.state),
            ),
            f"/notices/{n.id}",
            n.submitted_at,
        )
        for n in rows
    ]


def _operation_items(session: Session, rows: Sequence[Operation], _now: datetime) -> list[Item]:
    codes = org_codes(session, [o.lead_org_id for o in rows])
    return [
        Item(
            "operation",
            o.id,
            o.name,
            _("Invitation from %(code)s", code=codes.get(o.lead_org_id, "?")),
            f"/operations/{o.id}",
        )
        for o in rows
    ]


def _meeting_items(session: Session, rows: Sequence[MeetingRequest], _now: datetime) -> list[Item]:
    numbers = dict(
        session.execute(
            select(AssemblySession.id, AssemblySession.number).where(
                AssemblySession.id.in_({r.session_id for r in rows})
            )
        ).all()
    )
    return [
        Item(
            "meeting",
            r.id,
            _("Meeting requested by %(requester)s", requester=r.requester),
            r.subject or _("No subject given"),
            f"/assembly/sessions/{numbers[r.session_id]}/delegation",
        )
        for r in rows
    ]


def _ballot_items(_session: Session, rows: Sequence[Ballot], _now: datetime) -> list[Item]:
    return [
        Item(
            "ballot",
            b.id,
            b.shown_question,
            _("Ballot %(public_id)s is open", public_id=b.public_id),
            f"/assembly/ballots/{b.id}",
        )
        for b in rows
    ]


def _record_items(_session: Session, rows: Sequence[Record], now: datetime) -> list[Item]:
    return [
        Item(
            "record",
            r.id,
            r.label,
            _("%(kind)s · retention ends", kind=label(r.kind)),
            f"/records/{r.id}",
            r.retention_until,
            r.retention_until is not None and r.retention_until < now,
        )
        for r in rows
    ]


SOURCES: tuple[Source, ...] = (
    Source(
        "hit",
        N_("Hits to answer"),
        N_("No hit on your bureau's records waits for an answer."),
        Perm.MESSAGES,
        lambda p, _now: followups.awaiting_answer_query(p),
        Followup.hit_id,
        _hit_items,
    ),
    Source(
        "notice",
        N_("Information requested on your notices"),
        N_("The reviewers have asked for nothing."),
        Perm.NOTICES_SUBMIT,
        lambda p, _now: notices.information_requests_query(p),
        Notice.id,
        _info_items,
    ),
    Source(
        "review",
        N_("Reviews waiting"),
        N_("No notice waits for review."),
        Perm.NOTICES_REVIEW,
        lambda p, _now: notices.review_queue_query(p),
        Notice.id,
        _review_items,
    ),
    Source(
        "operation",
        N_("Invitations to joint operations"),
        N_("No invitation waits for you."),
        Perm.MESSAGES,
        lambda p, _now: operations.invitations_query(p),
        Operation.id,
        _operation_items,
    ),
    Source(
        "meeting",
        N_("Meeting requests from other delegations"),
        N_("No meeting request waits."),
        Perm.ASSEMBLY_VOTE,
        lambda p, _now: service_meetings.invitations_query(p),
        MeetingRequest.id,
        _meeting_items,
        needs_country=True,
    ),
    Source(
        "ballot",
        N_("Ballots open for your vote"),
        N_("No ballot waits for your country's vote."),
        Perm.ASSEMBLY_VOTE,
        lambda p, _now: service_voting.awaiting_vote_query(p),
        Ballot.id,
        _ballot_items,
        needs_country=True,
    ),
    Source(
        "record",
        N_("Records due for review or expiry"),
        N_("None of your bureau's records expires within six months."),
        Perm.RECORDS_WRITE,
        lambda p, now: records.due_for_review_query(p, now),
        Record.id,
        _record_items,
    ),
)
SOURCE_BY_TYPE = {source.object_type: source for source in SOURCES}


def _read_by(user_id: int, object_type: str, id_column: Any) -> Any:
    return exists().where(
        and_(
            WebRead.user_id == user_id,
            WebRead.object_type == object_type,
            WebRead.object_id == id_column,
        )
    )


def _count(session: Session, stmt: Select[Any]) -> int:
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


@dataclass(frozen=True, slots=True)
class Counts:
    waiting: int = 0  # items not opened yet by this user
    overdue: int = 0  # follow-ups past their deadline without an answer


def nav_counts(session: Session, principal: Principal, now: datetime | None = None) -> Counts:
    """The navigation's counts: one COUNT per kind of work the principal may see."""
    if principal.user_id is None:
        return Counts()
    now = now or utcnow()
    waiting = 0
    for source in SOURCES:
        if source.applies_to(principal):
            stmt = source.query(principal, now).where(
                ~_read_by(principal.user_id, source.object_type, source.id_column)
            )
            waiting += _count(session, stmt)
    overdue = (
        _count(session, followups.followups_query(principal, overdue_only=True, now=now))
        if principal.has(Perm.MESSAGES)
        else 0
    )
    return Counts(waiting, overdue)


@dataclass(slots=True)
class Section:
    object_type: str
    title: str
    empty: str
    total: int
    items: list[Item] = field(default_factory=list)

    @property
    def unread(self) -> int:
        return sum(1 for item in self.items if item.unread)


@dataclass(slots=True)
class Dashboard:
    sections: list[Section]
    overdue: list[followups.FollowupView]
    counts: Counts

    @property
    def nothing_waiting(self) -> bool:
        return not self.overdue and all(not s.items for s in self.sections)


def _read_ids(session: Session, user_id: int, object_type: str, ids: Sequence[int]) -> set[int]:
    if not ids:
        return set()
    return set(
        session.scalars(
            select(WebRead.object_id).where(
                WebRead.user_id == user_id,
                WebRead.object_type == object_type,
                WebRead.object_id.in_(list(ids)),
            )
        )
    )


def dashboard(session: Session, principal: Principal, now: datetime | None = None) -> Dashboard:
    """The home page: each kind of waiting work the principal's roles involve, soonest first."""
    now = now or utcnow()
    sections: list[Section] = []
    for source in SOURCES:
        if not source.applies_to(principal):
            continue
        stmt = source.query(principal, now)
        rows = session.scalars(stmt.limit(SECTION_LIMIT)).unique().all()
        items = source.items(session, rows, now)
        read = (
            _read_ids(session, principal.user_id, source.object_type, [i.object_id for i in items])
            if principal.user_id
            else set()
        )
        items = [_with_read(item, item.object_id in read) for item in items]
        sections.append(
            Section(
                source.object_type,
                _(source.title),
                _(source.empty),
                _count(session, stmt),
                items,
            )
        )
    overdue = (
        followups.followups_for(session, principal, overdue_only=True, now=now, limit=SECTION_LIMIT)
        if principal.has(Perm.MESSAGES)
        else []
    )
    return Dashboard(sections, overdue, nav_counts(session, principal, now))


def _with_read(item: Item, read: bool) -> Item:
    return Item(
        item.object_type,
        item.object_id,
        item.title,
        item.detail,
        item.url,
        item.due_at,
        item.overdue,
        unread=not read,
    )


def open_item(
    session: Session,
    principal: Principal,
    object_type: str,
    object_id: int,
    now: datetime | None = None,
) -> str:
    """Marks one waiting item read for this user and returns where it lives. An item that is
    not waiting for the principal answers exactly like one that does not exist."""
    source = SOURCE_BY_TYPE.get(object_type)
    if source is None or principal.user_id is None or not source.applies_to(principal):
        raise NotFound(
            msg(
                "nothing waiting for you as %(object_type)s %(object_id)s",
                object_type=object_type,
                object_id=object_id,
            )
        )
    now = now or utcnow()
    row = session.scalars(
        source.query(principal, now).where(source.id_column == object_id).limit(1)
    ).first()
    if row is None:
        raise NotFound(
            msg(
                "nothing waiting for you as %(object_type)s %(object_id)s",
                object_type=object_type,
                object_id=object_id,
            )
        )
    _mark(session, principal.user_id, object_type, [object_id], now)
    return source.items(session, [row], now)[0].url


def mark_all_read(session: Session, principal: Principal, now: datetime | None = None) -> int:
    """Marks every item now waiting for the user read (they stay listed until done)."""
    if principal.user_id is None:
        return 0
    now = now or utcnow()
    marked = 0
    for source in SOURCES:
        if source.applies_to(principal):
            stmt = source.query(principal, now).where(
                ~_read_by(principal.user_id, source.object_type, source.id_column)
            )
            ids = list(session.scalars(stmt.with_only_columns(source.id_column).limit(1000)))
            _mark(session, principal.user_id, source.object_type, ids, now)
            marked += len(ids)
    return marked


def _mark(
    session: Session, user_id: int, object_type: str, ids: Sequence[int], now: datetime
) -> None:
    """Insert-or-ignore, so two tabs opening the same item at once both succeed."""
    rows = [
        {"user_id": user_id, "object_type": object_type, "object_id": object_id, "read_at": now}
        for object_id in dict.fromkeys(ids)
    ]
    if not rows:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(WebRead).values(rows).on_conflict_do_nothing())
