"""Cross-bureau linking: the rules. Suggested links between person records, found by the full
run and by the incremental linker, shown only to those who may see both records, decided by
analysts, grouped into clusters, and explained (every score is `model.compare`).

Access:
- a link is shown to a principal only if it may see both records (`can_see`), and only while
  both are linkable (active, circulated, not blocked, within retention);
- the owner of a record who may not see the other record learns only that a record in
  another bureau may concern the person (`hints_for`), and the other record's owner is told
  through a hit follow-up opened by the General Secretariat (`notify_pending`);
- the General Secretariat's analysts see every link between circulated records.
Decisions need Perm.ANALYTICS; a decided link keeps its status whatever later runs find.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from interlink.core import audit
from interlink.core.access import Viewer, can_see, visible_clause
from interlink.core.audit import Actor, Event
from interlink.core.auth import Perm, Principal
from interlink.core.db import Database, latest_change, utcnow
from interlink.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from interlink.core.i18n import N_, Listed, Msg, RecordLabel, msg, stored_text, translate
from interlink.core.pagination import check_limit
from interlink.linking import blocking, documents
from interlink.linking.model import (
    Explanation,
    Subject,
    Weights,
    compare,
    load_weights,
    normalise_identifier,
    shown_explanation,
)
from interlink.linking.models import (
    Link,
    LinkCursor,
    LinkDecision,
    LinkRun,
    LinkStatus,
    RunState,
)
from interlink.members.models import Organisation
from interlink.records.models import Notice, Record, RecordKind, RecordStatus
from interlink.screening.models import LINKING_SEARCHER, searcher_label

if TYPE_CHECKING:
    from interlink.screening.models import Hit

log = logging.getLogger(__name__)
SEX_CODES = {"male": "M", "female": "F"}
DECISIONS = (LinkStatus.CONFIRMED, LinkStatus.REJECTED, LinkStatus.UNSURE)
# A confirmed link whose removal would split its cluster and whose probability is below this
# is a weak bridge: the cluster is shown as its parts, with the bridge flagged for review.
WEAK_BRIDGE_PROBABILITY = 0.99
HINT = N_("a record in another bureau may concern this person: ask the General Secretariat")
SEARCH_FLOOR = 0.6  # candidates of the incremental linker: screening name score at least
SEARCH_LIMIT = 10
RUN_BATCH = 5_000


# --- subjects -------------------------------------------------------------------------------


def linkable(record: Record, now: datetime | None = None) -> bool:
    """Only what screening may find is linked: active, circulated, not blocked, live."""
    now = now or datetime.now(UTC)
    return (
        record.kind == RecordKind.PERSON.value
        and record.status == RecordStatus.ACTIVE.value
        and record.circulated
        and not record.access_blocked
        and (record.retention_until is None or record.retention_until > now)
    )


def subject_of(record: Record) -> Subject:
    data = record.data
    names = tuple(n["full_name"] for n in (*data.get("names", ()), *data.get("aliases", ())))
    return Subject(
        record_id=record.id,
        names=names,
        birth_date=data.get("birth_date"),
        nationalities=tuple(c.upper() for c in data.get("nationalities", ())),
        sex=SEX_CODES.get(data.get("sex") or ""),
        identifiers=frozenset(
            normalise_identifier(d["number"])
            for d in data.get("identity_documents", ())
            if d.get("number")
        ),
        owner_org_id=record.owner_org_id,
    )


def _linkable_rows(session: Session) -> Iterable[Record]:
    stmt = (
        select(Record)
        .where(
            Record.kind == RecordKind.PERSON.value,
            Record.status == RecordStatus.ACTIVE.value,
            Record.circulated.is_(True),
            Record.access_blocked.is_(False),
        )
        .order_by(Record.id)
        .execution_options(yield_per=20_000)
    )
    now = datetime.now(UTC)
    return (r for r in session.scalars(stmt) if linkable(r, now))


# --- storing links --------------------------------------------------------------------------


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def store_link(
    session: Session, explanation: Explanation, weights: Weights, found_by: str
) -> Link | None:
    """Add or refresh the suggestion for a pair. A decided pair keeps its decision: a rejected
    pair is never suggested again, whatever the records become. A suggestion that no longer
    reaches the threshold is withdrawn."""
    left, right = explanation.left_id, explanation.right_id
    link = session.scalars(select(Link).where(Link.left_id == left, Link.right_id == right)).first()
    reaches = explanation.match_weight >= weights.threshold
    if link is not None and link.status != LinkStatus.SUGGESTED.value:
        return link
    if link is None and not reaches:
        return None
    if link is not None and not reaches:
        session.delete(link)
        return None
    body = explanation.as_dict()
    if link is None:
        link = Link(
            left_id=left,
            right_id=right,
            found_by=found_by,
            notified=False,
            notified_hits=[],
            match_weight=explanation.match_weight,
            probability=explanation.probability,
            explanation=body,
        )
        session.add(link)
    else:
        link.match_weight, link.probability = explanation.match_weight, explanation.probability
        link.explanation, link.updated_at = body, utcnow()
    return link


def link_record(
    session: Session,
    record: Record,
    candidates: Callable[[Subject], list[int]],
    weights: Weights | None = None,
) -> list[Link]:
    """Link one new or changed record against the store: `candidates` names the records
    worth comparing (the screening index's candidate generation)."""
    weights = weights or load_weights()
    if not linkable(record):
        _withdraw_suggestions(session, record.id)
        return []
    subject = subject_of(record)
    others = [i for i in candidates(subject) if i != record.id]
    rows = session.scalars(select(Record).where(Record.id.in_(others))).all() if others else []
    found = []
    for other in rows:
        if not linkable(other):
            continue
        link = store_link(
            session, compare(subject, subject_of(other), weights), weights, "incremental"
        )
        if link is not None:
            found.append(link)
    session.flush()
    return found


def _withdraw_suggestions(session: Session, record_id: int) -> None:
    """A record that left the store (withdrawn, expired, blocked) takes its undecided
    suggestions with it; decisions stay."""
    for link in session.scalars(
        select(Link).where(
            or_(Link.left_id == record_id, Link.right_id == record_id),
            Link.status == LinkStatus.SUGGESTED.value,
        )
    ):
        session.delete(link)


# --- full run -------------------------------------------------------------------------------


@dataclass
class RunReport:
    run_id: int
    state: str
    records: int
    candidate_pairs: int
    scored_pairs: int
    links_found: int
    error: str | None = None


def require_run_rights(principal: Principal) -> None:
    """Full runs span every bureau's records: the General Secretariat's analysts or the
    platform's administrators start and read them."""
    if principal.has(Perm.PLATFORM_ADMIN):
        return
    principal.require(Perm.ANALYTICS)
    if not principal.viewer.is_secretariat:
        raise Forbidden("full linking runs are run by the General Secretariat")


def start_run(session: Session, principal: Principal) -> LinkRun:
    """Open a run row; refused while another is running."""
    require_run_rights(principal)
    if session.scalars(select(LinkRun).where(LinkRun.state == RunState.RUNNING.value)).first():
        raise Conflict("a full linking run is already running")
    run = LinkRun(started_by=principal.label, model=load_weights().source[:500])
    session.add(run)
    session.flush()
    audit.record(session, principal.actor, Event("link.run.start", "link_run", run.id))
    return run


def full_run(
    db: Database,
    run_id: int,
    *,
    workers: int = 1,
    weights: Weights | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> RunReport:
    """Link every linkable person against every other (blocking, then `compare`). Progress is
    written to the run row as it goes; a failure leaves the run 'failed' with its reason."""
    weights = weights or load_weights()

    def update(**values: Any) -> None:
        with db.session() as session:
            run = session.get(LinkRun, run_id)
            assert run is not None
            for key, value in values.items():
                setattr(run, key, value)

    try:
        with db.session() as session:
            # read first: a change committed during the load is linked again by the feed
            seen_change = latest_change(session)
            # the worker keeps the numbers while it holds the cursor: wait for its batch
            session.get(LinkCursor, 1, with_for_update=True)
            documents.reindex_documents(session)
            subjects = [subject_of(r) for r in _linkable_rows(session)]
        update(records=len(subjects))
        pairs = blocking.candidate_pairs(
            subjects, progress=lambda done: progress and progress("blocking", done, len(subjects))
        )
        update(candidate_pairs=len(pairs))
        found = 0
        pending: list[Explanation] = []

        def flush(scored: int) -> None:
            nonlocal found
            with db.session() as session:
                for explanation in pending:
                    if store_link(session, explanation, weights, "full") is not None:
                        found += 1
                run = session.get(LinkRun, run_id)
                assert run is not None
                run.scored_pairs, run.links_found = scored, found
            pending.clear()

        scored = 0

        def advance(done: int) -> None:
            nonlocal scored
            scored = done
            if progress:
                progress("scoring", done, len(pairs))

        for item in blocking.score_pairs(
            subjects, pairs, weights, weights.threshold, workers=workers, progress=advance
        ):
            pending.append(item.explanation)
            if len(pending) >= RUN_BATCH:
                flush(scored)
        flush(len(pairs))
        update(state=RunState.COMPLETED.value, finished_at=utcnow())
        _advance_cursor(db, seen_change)
        return RunReport(
            run_id, RunState.COMPLETED.value, len(subjects), len(pairs), len(pairs), found
        )
    except Exception as exc:
        log.exception("linking run %s failed", run_id)
        update(state=RunState.FAILED.value, finished_at=utcnow(), error=str(exc)[:2000])
        raise


def get_run(session: Session, principal: Principal, run_id: int) -> LinkRun:
    require_run_rights(principal)
    run = session.get(LinkRun, run_id)
    if run is None:
        raise NotFound(msg("no linking run %(run_id)s", run_id=run_id))
    return run


def _advance_cursor(db: Database, number: int) -> None:
    """The incremental linker need not go over what a completed run has linked."""
    with db.session() as session:
        cursor = session.get(LinkCursor, 1, with_for_update=True)
        if cursor is None:
            session.add(LinkCursor(id=1, last_change=number))
        else:
            cursor.last_change = max(cursor.last_change, number)


def runs(session: Session, principal: Principal, limit: int = 20) -> list[LinkRun]:
    require_run_rights(principal)
    check_limit(limit)
    return list(session.scalars(select(LinkRun).order_by(LinkRun.id.desc()).limit(limit)))


def last_completed(session: Session) -> LinkRun | None:
    return session.scalars(
        select(LinkRun).where(LinkRun.state == RunState.COMPLETED.value).order_by(LinkRun.id.desc())
    ).first()


# --- reading links --------------------------------------------------------------------------


def _both_visible(
    principal: Principal,
) -> tuple[type[Record], type[Record], ColumnElement[bool]]:
    left, right = aliased(Record), aliased(Record)
    condition = and_(
        visible_clause(principal.viewer, left),
        visible_clause(principal.viewer, right),
        *(side.status == RecordStatus.ACTIVE.value for side in (left, right)),
        *(side.circulated.is_(True) for side in (left, right)),
    )
    return left, right, condition


@dataclass
class LinkView:
    link: Link
    left: Record
    right: Record

    def as_dict(self) -> dict[str, Any]:
        link = self.link
        return {
            "id": link.id,
            "status": link.status,
            "match_weight": round(link.match_weight, 4),
            "probability": round(link.probability, 6),
            "found_by": link.found_by,
            "left": record_ref(self.left),
            "right": record_ref(self.right),
            "explanation": shown_explanation(link.explanation),
            "decided_by": link.decided_by,
            "decided_at": link.decided_at.isoformat() if link.decided_at else None,
        }


def record_ref(record: Record) -> dict[str, Any]:
    return {"id": record.id, "label": record.label, "owner_org_id": record.owner_org_id}


def may_see_both(principal: Principal, left: Record, right: Record) -> bool:
    return all(
        can_see(principal.viewer, r.policy)
        and r.status == RecordStatus.ACTIVE.value
        and r.circulated
        for r in (left, right)
    )


def list_links(
    session: Session,
    principal: Principal,
    *,
    record_id: int | None = None,
    status: LinkStatus | None = None,
    min_probability: float = 0.0,
    limit: int = 100,
) -> list[LinkView]:
    """Links the principal may see (both records), best first."""
    principal.require(Perm.RECORDS_READ)
    check_limit(limit)
    left, right, condition = _both_visible(principal)
    stmt = (
        select(Link, left, right)
        .join(left, Link.left_id == left.id)
        .join(right, Link.right_id == right.id)
        .where(condition)
        .order_by(Link.match_weight.desc(), Link.id)
        .limit(limit)
    )
    if record_id is not None:
        stmt = stmt.where(or_(Link.left_id == record_id, Link.right_id == record_id))
    if status is not None:
        stmt = stmt.where(Link.status == status.value)
    if min_probability:
        stmt = stmt.where(Link.probability >= min_probability)
    views = [LinkView(*row) for row in session.execute(stmt).all()]
    audit.record(
        session,
        principal.actor,
        Event(
            "link.list",
            "record" if record_id else None,
            record_id,
            detail={"count": len(views), "status": status.value if status else None},
        ),
    )
    return views


def get_link(session: Session, principal: Principal, link_id: int) -> LinkView:
    """One link; a link one may not see answers exactly like one that does not exist."""
    principal.require(Perm.RECORDS_READ)
    link = session.get(Link, link_id)
    left = session.get(Record, link.left_id) if link else None
    right = session.get(Record, link.right_id) if link else None
    if link is None or left is None or right is None or not may_see_both(principal, left, right):
        raise NotFound(msg("no link %(link_id)s", link_id=link_id))
    audit.record(
        session,
        principal.actor,
        Event("link.view", "link", link.id, detail={"records": [left.id, right.id]}),
    )
    return LinkView(link, left, right)


def _visible_record(session: Session, principal: Principal, record_id: int) -> Record:
    record = session.get(Record, record_id)
    if (
        record is None
        or record.kind != RecordKind.PERSON.value
        or not can_see(principal.viewer, record.policy)
    ):
        raise NotFound(msg("no person record %(record_id)s", record_id=record_id))
    return record


def hints_for(session: Session, principal: Principal, record_id: int) -> list[str]:
    """What the owner of a record learns of links it may not see: at most one sentence, and
    nothing at all for a record it does not own."""
    principal.require(Perm.RECORDS_READ)
    record = _visible_record(session, principal, record_id)
    if record.owner_org_id != principal.org_id:
        return []
    for link in session.scalars(
        select(Link).where(
            or_(Link.left_id == record_id, Link.right_id == record_id),
            Link.status != LinkStatus.REJECTED.value,
        )
    ):
        other = session.get(Record, link.right_id if link.left_id == record_id else link.left_id)
        if other is not None and not may_see_both(principal, record, other) and linkable(other):
            return [HINT]
    return []


# --- telling the other owner ----------------------------------------------------------------


def owners_to_tell(session: Session, left: Record, right: Record) -> list[Record]:
    """For each side whose owner may not see the other record, the other record: its owner
    is told of the link (it holds the record the first owner cannot see)."""
    told = []
    for mine, other in ((left, right), (right, left)):
        if mine.owner_org_id == other.owner_org_id:
            continue
        if not can_see(_org_viewer(session, mine.owner_org_id), other.policy):
            told.append(other)
    return told


def _org_viewer(session: Session, org_id: int) -> Viewer:
    org = session.get(Organisation, org_id)
    assert org is not None
    return Viewer(
        org_id=org.id, org_kind=org.kind, country=org.country, parent_org_id=org.parent_id
    )


def gs_actor(session: Session, label: str) -> Actor:
    """The General Secretariat acting as the platform (linking, patterns)."""
    from interlink.members.service import GS_CODE, org_by_code

    return Actor(label=label, org_id=org_by_code(session, GS_CODE).id)


def tell_owner(
    session: Session,
    context: Any,
    record: Record,
    *,
    summary: str,
    match: str,
    score: float,
    query: dict[str, Any],
    explanation: dict[str, Any],
    actor: Actor,
) -> Hit | None:
    """Tell a record's owner, through the hit follow-up path, of something found about its
    record: a hit searched by the General Secretariat, with a message naming only the
    owner's own record. None when the owner is the General Secretariat itself."""
    from interlink.messaging.followups import open_hit_followup
    from interlink.screening.models import Hit

    gs_id = actor.org_id
    if gs_id is None or record.owner_org_id == gs_id:
        return None
    hit = Hit(
        kind="person",
        record_id=record.id,
        owner_org_id=record.owner_org_id,
        searching_org_id=gs_id,
        searching_label=LINKING_SEARCHER,
        score=score,
        match=match,
        query=query,
        explanation=explanation,
    )
    session.add(hit)
    session.flush()
    thread = open_hit_followup(
        session,
        ctx=context,
        hit_id=hit.id,
        record_id=record.id,
        searching_org_id=gs_id,
        owner_org_id=record.owner_org_id,
        summary=summary,
        actor=actor,
    )
    hit.thread_id = thread.id
    return hit


def notify_pending(session: Session, context: Any, limit: int = 100) -> int:
    """Tell owners of links they hold the hidden side of, through the hit follow-up path: a
    hit on their record, searched by the General Secretariat, with a message that names no
    detail of the other record."""
    links = session.scalars(
        select(Link)
        .where(Link.notified.is_(False), Link.status != LinkStatus.REJECTED.value)
        .order_by(Link.id)
        .limit(limit)
    ).all()
    if not links:
        return 0
    actor = gs_actor(session, "system:linking")
    for link in links:
        link.notified = True
        left, right = session.get(Record, link.left_id), session.get(Record, link.right_id)
        if left is None or right is None:
            continue
        for record in owners_to_tell(session, left, right):
            hit = tell_owner(
                session,
                context,
                record,
                summary=stored_text(
                    msg(
                        "A record held by another bureau may concern the person of your record "
                        "%(label)s (record %(id)s): suggested link %(link)s, probability "
                        "%(probability)s.",
                        label=RecordLabel(record.label),
                        id=record.id,
                        link=link.id,
                        probability=f"{link.probability:.3f}",
                    ),
                    msg(
                        "The other bureau may not see your record; the General Secretariat "
                        "coordinates."
                    ),
                    msg("Please review your record."),
                ),
                match="link",
                score=link.probability,
                query={"link_id": link.id},
                explanation={
                    "match_weight": round(link.match_weight, 4),
                    "levels": {c["feature"]: c["level"] for c in link.explanation["contributions"]},
                },
                actor=actor,
            )
            if hit is not None:
                link.notified_hits = [*link.notified_hits, hit.id]
    return len(links)


# --- decisions ------------------------------------------------------------------------------


def decide(
    session: Session,
    principal: Principal,
    link_id: int,
    decision: LinkStatus,
    reason: str | None = None,
) -> LinkView:
    """An analyst confirms, rejects or marks unsure; audited, kept in the link's history."""
    principal.require(Perm.ANALYTICS)
    if decision not in DECISIONS:
        raise InvalidInput(
            msg("decision must be one of %(value)s", value=", ".join(d.value for d in DECISIONS))
        )
    if reason is not None and len(reason) > 2000:
        raise InvalidInput("reason: at most 2000 characters")
    view = get_link(session, principal, link_id)
    link = view.link
    previous = link.status
    link.status, link.decided_at, link.decided_by = decision.value, utcnow(), principal.label
    session.add(
        LinkDecision(
            link_id=link.id,
            decision=decision.value,
            reason=reason,
            actor=principal.label,
            actor_org_id=principal.org_id,
        )
    )
    audit.record(
        session,
        principal.actor,
        Event(
            "link.decide",
            "link",
            link.id,
            detail={
                "from": previous,
                "to": decision.value,
                "records": [link.left_id, link.right_id],
                "reason": reason,
            },
        ),
    )
    session.flush()
    return view


def history(session: Session, principal: Principal, link_id: int) -> list[LinkDecision]:
    get_link(session, principal, link_id)
    return list(
        session.scalars(
            select(LinkDecision).where(LinkDecision.link_id == link_id).order_by(LinkDecision.id)
        )
    )


# --- clusters -------------------------------------------------------------------------------


@dataclass
class Cluster:
    """Records joined by confirmed links. `parts` are the groups once weak bridges are cut
    (shown apart until an analyst reviews the bridge); `conflicts` name links whose decisions
    disagree: rejected inside a cluster, or decided differently by different analysts."""

    members: list[int]
    links: list[int]
    weak_bridges: list[int] = field(default_factory=list)
    parts: list[list[int]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "members": self.members,
            "links": self.links,
            "weak_bridges": self.weak_bridges,
            "parts": self.parts,
            "conflicts": self.conflicts,
            "needs_review": bool(self.weak_bridges or self.conflicts),
        }


def components(nodes: Iterable[int], edges: Sequence[tuple[int, int, int]]) -> list[list[int]]:
    """Connected components; edges are (link id, a, b)."""
    parent = {n: n for n in nodes}

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for _, a, b in edges:
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        parent[root(a)] = root(b)
    groups: dict[int, list[int]] = defaultdict(list)
    for n in parent:
        groups[root(n)].append(n)
    return sorted(sorted(g) for g in groups.values())


def bridges(edges: Sequence[tuple[int, int, int]]) -> set[int]:
    """Link ids whose removal disconnects their component (iterative Tarjan)."""
    adjacent: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for link_id, a, b in edges:
        adjacent[a].append((b, link_id))
        adjacent[b].append((a, link_id))
    order: dict[int, int] = {}
    low: dict[int, int] = {}
    found: set[int] = set()
    for start in adjacent:
        if start in order:
            continue
        order[start] = low[start] = len(order)
        stack = [(start, -1, iter(adjacent[start]))]
        while stack:
            node, via, neighbours = stack[-1]
            step = next(neighbours, None)
            if step is None:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        found.add(via)
                continue
            other, link_id = step
            if link_id == via:
                continue
            if other in order:
                low[node] = min(low[node], order[other])
            else:
                order[other] = low[other] = len(order)
                stack.append((other, link_id, iter(adjacent[other])))
    return found


def cluster_of(session: Session, principal: Principal, record_id: int) -> Cluster:
    """The cluster of confirmed links around a record, as far as the principal may see."""
    principal.require(Perm.RECORDS_READ)
    _visible_record(session, principal, record_id)
    seen, todo = {record_id}, [record_id]
    confirmed: dict[int, Link] = {}
    while todo:
        current = todo.pop()
        for view in list_links_quiet(session, principal, current, LinkStatus.CONFIRMED):
            confirmed[view.link.id] = view.link
            for side in (view.link.left_id, view.link.right_id):
                if side not in seen:
                    seen.add(side)
                    todo.append(side)
    edges = [(link.id, link.left_id, link.right_id) for link in confirmed.values()]
    weak = sorted(i for i in bridges(edges) if confirmed[i].probability < WEAK_BRIDGE_PROBABILITY)
    strong = [e for e in edges if e[0] not in weak]
    cluster = Cluster(
        members=sorted(seen),
        links=sorted(confirmed),
        weak_bridges=weak,
        parts=components(seen, strong),
    )
    cluster.conflicts = _conflicts(session, principal, seen, cluster.parts)
    audit.record(
        session,
        principal.actor,
        Event("link.cluster", "record", record_id, detail={"members": len(seen)}),
    )
    return cluster


def list_links_quiet(
    session: Session, principal: Principal, record_id: int, status: LinkStatus | None = None
) -> list[LinkView]:
    left, right, condition = _both_visible(principal)
    stmt = (
        select(Link, left, right)
        .join(left, Link.left_id == left.id)
        .join(right, Link.right_id == right.id)
        .where(condition)
        .where(or_(Link.left_id == record_id, Link.right_id == record_id))
    )
    if status is not None:
        stmt = stmt.where(Link.status == status.value)
    return [LinkView(*row) for row in session.execute(stmt).all()]


def _conflicts(
    session: Session, principal: Principal, members: set[int], parts: list[list[int]]
) -> list[dict[str, Any]]:
    part_of = {m: i for i, part in enumerate(parts) for m in part}
    found = []
    for record_id in sorted(members):
        for view in list_links_quiet(session, principal, record_id):
            link = view.link
            if link.left_id != record_id:
                continue  # each link once
            if (
                link.status == LinkStatus.REJECTED.value
                and part_of.get(link.left_id) == part_of.get(link.right_id)
                and link.left_id in part_of
                and link.right_id in part_of
            ):
                found.append(
                    {
                        "link": link.id,
                        "problem": N_(
                            "rejected, yet both records are joined through confirmed links"
                        ),
                    }
                )
            decisions = session.scalars(
                select(LinkDecision.decision).where(LinkDecision.link_id == link.id)
            ).all()
            if len({d for d in decisions if d != LinkStatus.UNSURE.value}) > 1:
                found.append(
                    {
                        "link": link.id,
                        "problem": N_("confirmed and rejected by different decisions"),
                    }
                )
    return found


# --- the similar-records view ---------------------------------------------------------------


def similar_records(
    session: Session,
    principal: Principal,
    record_id: int,
    candidates: Callable[[Subject], list[int]],
    weights: Weights | None = None,
) -> list[tuple[Record, Explanation]]:
    """Records like this one that the principal may see, scored now with `compare` (so the
    score is the one a link of the same pair carries)."""
    principal.require(Perm.RECORDS_READ)
    weights = weights or load_weights()
    record = _visible_record(session, principal, record_id)
    subject = subject_of(record)
    ids = [i for i in candidates(subject) if i != record_id]
    rows = session.scalars(select(Record).where(Record.id.in_(ids))).all() if ids else []
    found = [
        (row, compare(subject, subject_of(row), weights))
        for row in rows
        if can_see(principal.viewer, row.policy) and linkable(row)
    ]
    found.sort(key=lambda item: -item[1].match_weight)
    audit.record(
        session,
        principal.actor,
        Event(
            "link.similar",
            "record",
            record_id,
            owner_org_id=record.owner_org_id,
            detail={"count": len(found)},
        ),
    )
    return found


def explain_pair(
    session: Session, principal: Principal, a: int, b: int, weights: Weights | None = None
) -> Explanation:
    """The explanation of any two person records the principal may see (what screening can
    show next to a hit)."""
    principal.require(Perm.RECORDS_READ)
    first, second = (_visible_record(session, principal, i) for i in _pair(a, b))
    audit.record(
        session,
        principal.actor,
        Event("link.explain", "record", first.id, detail={"other": second.id}),
    )
    return compare(subject_of(first), subject_of(second), weights)


# --- the link graph -------------------------------------------------------------------------


@dataclass
class Graph:
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: list[dict[str, Any]] = field(default_factory=list)

    def node(self, key: str, **attrs: Any) -> None:
        self.nodes.setdefault(key, attrs)

    def as_dict(self) -> dict[str, Any]:
        return {"nodes": [{"id": k, **v} for k, v in self.nodes.items()], "edges": self.edges}

    def in_language(self) -> Graph:
        """The graph with its labels and reasons in the reader's language (the API's answer
        and exports; a page translates them where it shows them)."""
        return Graph(
            {k: {a: _shown(v) for a, v in attrs.items()} for k, attrs in self.nodes.items()},
            [{a: _shown(v) for a, v in edge.items()} for edge in self.edges],
        )


def _shown(value: Any) -> Any:
    if isinstance(value, RecordLabel):
        from interlink.core.labels import shown_label

        return shown_label(value)
    return translate(value) if isinstance(value, Msg) else value


# A graph's texts: the English is the API's and exports' for an English reader.
_LEVEL = N_("%(feature)s: %(level)s")


def _record_node(record: Record) -> tuple[str, dict[str, Any]]:
    return f"record:{record.id}", {
        "type": record.kind,
        "label": RecordLabel(record.label),
        "record_id": record.id,
        "owner_org_id": record.owner_org_id,
    }


def graph_of(session: Session, principal: Principal, record_id: int) -> Graph:
    """A person record and what connects to it that the principal may see: linked persons
    (with the link's reason on the edge), documents bearing one of its document numbers,
    notices and diffusions about it, and hits on it (for its owner). Each node of another
    record can be expanded with its own graph."""
    principal.require(Perm.RECORDS_READ)
    record = _visible_record(session, principal, record_id)
    graph = Graph()
    key, attrs = _record_node(record)
    graph.node(key, **attrs, root=True)
    for view in list_links_quiet(session, principal, record_id):
        if view.link.status == LinkStatus.REJECTED.value:
            continue
        other = view.right if view.left.id == record_id else view.left
        other_key, other_attrs = _record_node(other)
        graph.node(other_key, **other_attrs, expand=other.id)
        levels = {c["feature"]: c["level"] for c in view.link.explanation["contributions"]}
        graph.edges.append(
            {
                "source": key,
                "target": other_key,
                "type": "same_person",
                "link_id": view.link.id,
                "status": view.link.status,
                "probability": round(view.link.probability, 4),
                "reason": msg(
                    "%(levels)s",
                    levels=Listed(
                        tuple(
                            msg(_LEVEL, ("feature", "level"), feature=f, level=lv)
                            for f, lv in levels.items()
                            if f != "prior" and lv != "missing"
                        ),
                        "semicolon",
                    ),
                ),
            }
        )
    numbers = subject_of(record).identifiers
    if numbers:
        documents = session.scalars(
            select(Record).where(
                Record.kind == RecordKind.DOCUMENT.value, visible_clause(principal.viewer, Record)
            )
        ).all()
        for document in documents:
            if document.doc_number and normalise_identifier(document.doc_number) in numbers:
                doc_key, doc_attrs = _record_node(document)
                graph.node(doc_key, **doc_attrs)
                graph.edges.append(
                    {
                        "source": key,
                        "target": doc_key,
                        "type": "holds_document",
                        "reason": msg("document number %(number)s", number=document.doc_number),
                    }
                )
    for notice in session.scalars(
        select(Notice).where(
            Notice.subject_record_id == record_id, visible_clause(principal.viewer, Notice)
        )
    ):
        notice_key = f"notice:{notice.id}"
        graph.node(
            notice_key,
            type=f"{notice.notice_type}_{notice.kind}",
            label=notice.reference,
            notice_id=notice.id,
        )
        graph.edges.append(
            {
                "source": notice_key,
                "target": key,
                "type": "concerns",
                "reason": msg("subject of %(reference)s", reference=notice.reference),
            }
        )
    if record.owner_org_id == principal.org_id or principal.viewer.is_oversight:
        from interlink.screening.models import Hit

        for hit in session.scalars(
            select(Hit).where(Hit.record_id == record_id).order_by(Hit.id.desc()).limit(50)
        ):
            hit_key = f"hit:{hit.id}"
            graph.node(
                hit_key,
                type="hit",
                label=msg(
                    "%(match)s hit, %(day)s", ("match",), match=hit.match, day=f"{hit.at:%Y-%m-%d}"
                ),
                hit_id=hit.id,
            )
            graph.edges.append(
                {
                    "source": hit_key,
                    "target": key,
                    "type": "hit",
                    "reason": msg(
                        "%(match)s match by %(searcher)s",
                        ("match",),
                        match=hit.match,
                        searcher=searcher_label(hit.searching_label),
                    ),
                }
            )
    audit.record(
        session,
        principal.actor,
        Event(
            "link.graph",
            "record",
            record_id,
            owner_org_id=record.owner_org_id,
            detail={"nodes": len(graph.nodes)},
        ),
    )
    return graph


def graphml(graph: Graph) -> str:
    """The graph as GraphML (Gephi, yEd, Cytoscape)."""
    from xml.sax.saxutils import escape, quoteattr

    keys = sorted({k for v in graph.nodes.values() for k in v} | {"type"})
    edge_keys = sorted({k for e in graph.edges for k in e} - {"source", "target"})
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
    ]
    lines += [f'  <key id="n_{k}" for="node" attr.name="{k}" attr.type="string"/>' for k in keys]
    lines += [
        f'  <key id="e_{k}" for="edge" attr.name="{k}" attr.type="string"/>' for k in edge_keys
    ]
    lines.append('  <graph id="links" edgedefault="undirected">')
    for node_id, attrs in graph.nodes.items():
        lines.append(f"    <node id={quoteattr(node_id)}>")
        lines += [f'      <data key="n_{k}">{escape(str(v))}</data>' for k, v in attrs.items()]
        lines.append("    </node>")
    for number, edge in enumerate(graph.edges):
        lines.append(
            f'    <edge id="e{number}" source={quoteattr(edge["source"])} '
            f"target={quoteattr(edge['target'])}>"
        )
        lines += [
            f'      <data key="e_{k}">{escape(str(v))}</data>'
            for k, v in edge.items()
            if k not in ("source", "target")
        ]
        lines.append("    </edge>")
    lines += ["  </graph>", "</graphml>"]
    return "\n".join(lines) + "\n"


def ftm_entities(graph: Graph) -> list[dict[str, Any]]:
    """The graph as FollowTheMoney entities: a Thing per node, an UnknownLink per edge."""
    schemas = {"person": "Person", "document": "Passport", "vehicle": "Vehicle", "hit": "Note"}
    entities = []
    for node_id, attrs in graph.nodes.items():
        schema = schemas.get(str(attrs.get("type")), "Note")
        key = "number" if schema == "Passport" else "name"
        entities.append(
            {
                "id": node_id.replace(":", "-"),
                "schema": schema,
                "properties": {key: [str(attrs.get("label", node_id))]},
            }
        )
    for number, edge in enumerate(graph.edges):
        entities.append(
            {
                "id": f"link-{number}-{edge['source']}-{edge['target']}".replace(":", "-"),
                "schema": "UnknownLink",
                "properties": {
                    "subject": [edge["source"].replace(":", "-")],
                    "object": [edge["target"].replace(":", "-")],
                    "role": [edge["type"]],
                    "summary": [str(edge.get("reason", ""))],
                },
            }
        )
    return entities
