"""Rules of the child-abuse domain blocklist: submission, independent confirmation,
publication, review, delisting, appeals, and the provider feed.

Who may do what:
- bureau supervisors (blocklist.submit) submit and confirm domains;
- the General Secretariat (blocklist.publish) publishes, rejects, delists, reviews, records
  and decides appeals, and reads versions, diffs and the provider log;
- providers (blocklist.feed, on a partner organisation's API token) get hashed updates and
  full hashes, never a domain name.

The list is confidential. A domain name is shown only to publishers, to the organisations
that submitted or confirmed it, and, while it waits in the verification queue, to the other
submitters who may confirm it. Anything else is "not found". The confirmations of others
(evidence references, notes) are shown only to organisations that confirmed themselves, so
each check stays independent.

Counting confirmations: each organisation counts once per round, whatever the number of its
users who confirm; the submission is the submitter's own confirmation. An agency counts as
its own organisation, separately from its NCB and from other agencies of the same country:
the rule asks for "two different countries or agencies", and each agency checks by hand on
its own. Nothing here stores, fetches or displays material: a confirmation carries only a
reference to the police file that holds the evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import ColumnElement, exists, func, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from interlink.blocklist.feed import (
    FullHashes,
    InvalidListedDomain,
    NoListPublished,
    Update,
    VersionDiff,
    diff_domains,
    listed_domain,
)
from interlink.blocklist.models import (
    Appeal,
    AppealState,
    BlocklistDomain,
    Confirmation,
    DomainState,
    FeedRequest,
    FeedRequestKind,
    ListVersion,
    Review,
)
from interlink.blocklist.versions import (
    FeedCache,
    StoredVersionCorrupt,
    domains_of,
    latest_version,
    write_version,
)
from interlink.config import Settings
from interlink.core import audit
from interlink.core.audit import Event
from interlink.core.auth import OrgKind, Perm, Principal
from interlink.core.db import utcnow
from interlink.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from interlink.core.i18n import Msg, msg, parts_data
from interlink.core.pagination import ListPage, SortOrders, keyset_page
from interlink.members.models import ApiToken, Organisation

ACTIVE_STATES = frozenset({DomainState.SUBMITTED, DomainState.CONFIRMED, DomainState.LISTED})
# The next publication holds exactly the domains in these states.
PUBLISHABLE_STATES = (DomainState.CONFIRMED.value, DomainState.LISTED.value)
MAX_PREFIXES_PER_REQUEST = 1_000
T = TypeVar("T")
_LINK = re.compile(r"[a-z][a-z0-9+.-]*://|^www\.", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class BlocklistRules:
    """The configurable part of the rules (Settings.blocklist_*)."""

    min_confirmations: int = 2
    review_interval: timedelta = timedelta(days=90)
    cache_seconds: int = 300

    @classmethod
    def from_settings(cls, settings: Settings) -> BlocklistRules:
        return cls(
            min_confirmations=settings.blocklist_min_confirmations,
            review_interval=timedelta(days=settings.blocklist_review_days),
            cache_seconds=settings.blocklist_cache_seconds,
        )


@dataclass(frozen=True, slots=True)
class Attestation:
    """What a submitting or confirming organisation states after checking by hand."""

    real_children: bool
    under_13: bool
    severe_abuse: bool
    evidence_ref: str  # the police file's reference; the evidence itself stays there
    notes: str = ""


@dataclass(frozen=True, slots=True)
class DomainView:
    """A domain as one principal may see it."""

    domain: BlocklistDomain
    confirmations_needed: int
    confirmations_current: int
    own_org_confirmed: bool
    # Others' evidence references and notes: for publishers and organisations that confirmed.
    shows_confirmations: bool


@dataclass(frozen=True, slots=True)
class ProviderAccount:
    org: Organisation
    tokens: list[ApiToken]
    requests: int
    last_request_at: datetime | None


# --- access ------------------------------------------------------------------------------------


def _is_publisher(principal: Principal) -> bool:
    return principal.has(Perm.BLOCKLIST_PUBLISH)


def _require_reader(principal: Principal) -> None:
    if not (_is_publisher(principal) or principal.has(Perm.BLOCKLIST_SUBMIT)):
        raise Forbidden(
            "the blocklist is for bureaus that submit domains and for the General Secretariat"
        )


def _org_confirmed(domain: BlocklistDomain, org_id: int, *, current_round: bool) -> bool:
    return any(
        c.org_id == org_id and (not current_round or c.round == domain.round)
        for c in domain.confirmations
    )


def _can_see(principal: Principal, domain: BlocklistDomain) -> bool:
    if _is_publisher(principal):
        return True
    if not principal.has(Perm.BLOCKLIST_SUBMIT):
        return False
    return domain.state == DomainState.SUBMITTED or _org_confirmed(
        domain, principal.org_id, current_round=False
    )


def _visible_clause(principal: Principal) -> ColumnElement[bool]:
    """SQL equal to `_can_see`, for lists."""
    _require_reader(principal)
    if _is_publisher(principal):
        return true()
    involved = exists().where(
        Confirmation.domain_id == BlocklistDomain.id, Confirmation.org_id == principal.org_id
    )
    return (BlocklistDomain.state == DomainState.SUBMITTED.value) | involved


def _get_domain(session: Session, principal: Principal, domain_id: int) -> BlocklistDomain:
    _require_reader(principal)
    domain = session.get(BlocklistDomain, domain_id)
    if domain is None or not _can_see(principal, domain):
        raise NotFound(msg("no blocklist domain %(domain_id)s", domain_id=domain_id))
    return domain


def domain_view(principal: Principal, rules: BlocklistRules, domain: BlocklistDomain) -> DomainView:
    current = sum(1 for c in domain.confirmations if c.round == domain.round)
    own = _org_confirmed(domain, principal.org_id, current_round=True)
    return DomainView(
        domain=domain,
        confirmations_needed=rules.min_confirmations,
        confirmations_current=current,
        own_org_confirmed=own,
        shows_confirmations=_is_publisher(principal)
        or _org_confirmed(domain, principal.org_id, current_round=False),
    )


def _record(
    session: Session, principal: Principal, action: str, domain: BlocklistDomain, **detail: object
) -> None:
    # Never the domain name: the audit log is read more widely than the list.
    audit.record(
        session,
        principal.actor,
        Event(
            f"blocklist.{action}",
            "blocklist_domain",
            domain.id,
            owner_org_id=domain.submitted_by_org_id,
            detail={"state": domain.state, "round": domain.round, **detail},
        ),
    )


# --- submission and confirmation -----------------------------------------------------------


def _checked_attestation(attestation: Attestation) -> Attestation:
    if not (attestation.real_children and attestation.under_13 and attestation.severe_abuse):
        raise InvalidInput(
            "a domain is listed only when all three criteria are confirmed: "
            "real children, apparently under 13, severe abuse",
            field="criteria",
        )
    reference = attestation.evidence_ref.strip()
    if not reference:
        raise InvalidInput(
            "give the reference of the police file that holds the evidence", field="evidence_ref"
        )
    if len(reference) > 100:
        raise InvalidInput("an evidence reference has at most 100 characters", field="evidence_ref")
    if _LINK.search(reference):
        raise InvalidInput(
            "an evidence reference names a police file, never a link: the "
            "evidence stays outside Interlink",
            field="evidence_ref",
        )
    notes = attestation.notes.strip()
    if len(notes) > 2000:
        raise InvalidInput("notes have at most 2000 characters", field="notes")
    return Attestation(True, True, True, reference, notes)


def _canonical(text: str) -> str:
    try:
        return listed_domain(text)
    except InvalidListedDomain as error:
        raise InvalidInput(str(error), field="domain") from error


def submit(
    session: Session,
    principal: Principal,
    rules: BlocklistRules,
    domain_text: str,
    attestation: Attestation,
) -> BlocklistDomain:
    """Submit a domain; the submission is the submitter's own confirmation.

    A domain already under way gains this organisation's confirmation (two bureaus that
    submit the same domain have confirmed it independently); a delisted or rejected one
    opens a new round.
    """
    principal.require(Perm.BLOCKLIST_SUBMIT)
    attestation = _checked_attestation(attestation)
    name = _canonical(domain_text)
    domain = session.scalars(select(BlocklistDomain).where(BlocklistDomain.domain == name)).first()
    if domain is not None and domain.state in ACTIVE_STATES:
        return _add_confirmation(session, principal, rules, domain, attestation)
    if domain is None:
        domain = BlocklistDomain(domain=name, round=1, confirmations=[])
        session.add(domain)
    else:
        domain.round += 1
        domain.confirmed_at = domain.listed_at = domain.next_review_at = None
        domain.closed_at = domain.closed_reason = domain.closed_reason_text = None
    domain.state = DomainState.SUBMITTED.value
    domain.submitted_by_org_id = principal.org_id
    domain.submitted_at = utcnow()
    _flush_or_conflict(session, "this domain was just submitted by someone else")
    _add_confirmation(session, principal, rules, domain, attestation, action="submit")
    return domain


def confirm(
    session: Session,
    principal: Principal,
    rules: BlocklistRules,
    domain_id: int,
    attestation: Attestation,
) -> BlocklistDomain:
    principal.require(Perm.BLOCKLIST_SUBMIT)
    attestation = _checked_attestation(attestation)
    return _add_confirmation(
        session, principal, rules, _get_domain(session, principal, domain_id), attestation
    )


def _add_confirmation(
    session: Session,
    principal: Principal,
    rules: BlocklistRules,
    domain: BlocklistDomain,
    attestation: Attestation,
    *,
    action: str = "confirm",
) -> BlocklistDomain:
    # Lock the domain (PostgreSQL) so concurrent confirmations count each other.
    session.refresh(domain, with_for_update={"of": BlocklistDomain})
    if domain.state not in ACTIVE_STATES:
        raise Conflict(
            msg(
                "this domain is %(domain_state)s: submit it again to reopen it",
                domain_state=domain.state,
            )
        )
    if _org_confirmed(domain, principal.org_id, current_round=True):
        raise Conflict(
            "your organisation has already confirmed this domain: each organisation counts once"
        )
    domain.confirmations.append(
        Confirmation(
            round=domain.round,
            org_id=principal.org_id,
            user_id=principal.user_id,
            actor_label=principal.label,
            real_children=True,
            under_13=True,
            severe_abuse=True,
            evidence_ref=attestation.evidence_ref,
            notes=attestation.notes,
            confirmed_at=utcnow(),
        )
    )
    _flush_or_conflict(session, "your organisation has already confirmed this domain")
    current = sum(1 for c in domain.confirmations if c.round == domain.round)
    if domain.state == DomainState.SUBMITTED and current >= rules.min_confirmations:
        domain.state = DomainState.CONFIRMED.value
        domain.confirmed_at = utcnow()
    _record(session, principal, action, domain, confirmations=current)
    return domain


def _flush_or_conflict(session: Session, message: str) -> None:
    """A unique constraint lost to a concurrent request is a conflict, not a server error."""
    try:
        session.flush()
    except IntegrityError as clash:
        raise Conflict(message) from clash


# --- reading ----------------------------------------------------------------------------------


def get_domain(session: Session, principal: Principal, domain_id: int) -> BlocklistDomain:
    domain = _get_domain(session, principal, domain_id)
    _record(session, principal, "read", domain)
    return domain


def list_domains(
    session: Session,
    principal: Principal,
    *,
    state: DomainState | None = None,
    after_id: int = 0,
    limit: int = 100,
) -> list[BlocklistDomain]:
    stmt = (
        select(BlocklistDomain)
        .where(_visible_clause(principal), BlocklistDomain.id > after_id)
        .order_by(BlocklistDomain.id)
        .limit(limit)
    )
    if state is not None:
        stmt = stmt.where(BlocklistDomain.state == state.value)
    domains = list(session.scalars(stmt))
    audit.record(
        session,
        principal.actor,
        Event(
            "blocklist.list",
            "blocklist_domain",
            detail={"state": state.value if state else None, "returned": len(domains)},
        ),
    )
    return domains


DOMAIN_SORTS: SortOrders = {
    "newest": (BlocklistDomain.id, True),
    "oldest": (BlocklistDomain.id, False),
    "domain": (BlocklistDomain.domain, False),
}


def domains_page(
    session: Session,
    principal: Principal,
    *,
    state: DomainState | None = None,
    text: str | None = None,
    sort: str = "newest",
    cursor: str | None = None,
    limit: int = 50,
) -> ListPage[BlocklistDomain]:
    """A page of the domains the principal may see, with the total that match."""
    stmt = select(BlocklistDomain).where(_visible_clause(principal))
    if state is not None:
        stmt = stmt.where(BlocklistDomain.state == state.value)
    if text:
        stmt = stmt.where(BlocklistDomain.domain.contains(text.strip().lower(), autoescape=True))
    page = keyset_page(
        session,
        stmt,
        id_column=BlocklistDomain.id,
        sorts=DOMAIN_SORTS,
        sort=sort,
        cursor=cursor,
        limit=limit,
    )
    audit.record(
        session,
        principal.actor,
        Event(
            "blocklist.list",
            "blocklist_domain",
            detail={
                "state": state.value if state else None,
                "text": text,
                "sort": sort,
                "returned": len(page.items),
            },
        ),
    )
    return page


def versions_page(
    session: Session, principal: Principal, *, cursor: str | None = None, limit: int = 50
) -> ListPage[ListVersion]:
    principal.require(Perm.BLOCKLIST_PUBLISH)
    return keyset_page(
        session,
        select(ListVersion),
        id_column=ListVersion.number,
        sorts={"newest": (ListVersion.number, True)},
        sort="newest",
        cursor=cursor,
        limit=limit,
    )


def verification_queue(session: Session, principal: Principal) -> list[BlocklistDomain]:
    """Domains waiting for confirmations, oldest first, that the principal may confirm or read."""
    _require_reader(principal)
    stmt = (
        select(BlocklistDomain)
        .where(BlocklistDomain.state == DomainState.SUBMITTED.value)
        .order_by(BlocklistDomain.submitted_at, BlocklistDomain.id)
    )
    domains = list(session.scalars(stmt))
    audit.record(
        session,
        principal.actor,
        Event("blocklist.queue", "blocklist_domain", detail={"returned": len(domains)}),
    )
    return domains


# --- the General Secretariat's decisions --------------------------------------------------------


def _reason(text: str, what: str) -> str:
    reason = text.strip()
    if not reason:
        raise InvalidInput(msg("%(what)s needs a reason", what=what))
    if len(reason) > 2000:
        raise InvalidInput("a reason has at most 2000 characters")
    return reason


def _close(domain: BlocklistDomain, state: DomainState, reason: str) -> None:
    domain.state = state.value
    domain.closed_at = utcnow()
    domain.closed_reason = str(reason)
    # the platform's sentence around a person's note keeps its message (docs/languages.md)
    domain.closed_reason_text = parts_data(reason) if isinstance(reason, Msg) else None
    domain.next_review_at = None


def reject(session: Session, principal: Principal, domain_id: int, reason: str) -> BlocklistDomain:
    """Refuse a domain that is not yet published (criteria not met, mistaken submission)."""
    principal.require(Perm.BLOCKLIST_PUBLISH)
    reason = _reason(reason, "rejecting a domain")
    domain = _get_domain(session, principal, domain_id)
    if domain.state not in (DomainState.SUBMITTED, DomainState.CONFIRMED):
        raise Conflict(
            msg(
                "only a domain not yet published can be rejected; this one is %(domain_state)s",
                domain_state=domain.state,
            )
        )
    _close(domain, DomainState.REJECTED, reason)
    _record(session, principal, "reject", domain, reason=reason)
    return domain


def delist(session: Session, principal: Principal, domain_id: int, reason: str) -> BlocklistDomain:
    """Take a listed domain off the list; providers stop blocking it at the next version."""
    principal.require(Perm.BLOCKLIST_PUBLISH)
    reason = _reason(reason, "delisting a domain")
    domain = _get_domain(session, principal, domain_id)
    _delist(session, principal, domain, reason)
    return domain


def _delist(session: Session, principal: Principal, domain: BlocklistDomain, reason: str) -> None:
    if domain.state != DomainState.LISTED:
        raise Conflict(
            msg(
                "only a listed domain can be delisted; this one is %(domain_state)s",
                domain_state=domain.state,
            )
        )
    _close(domain, DomainState.DELISTED, reason)
    _record(session, principal, "delist", domain, reason=domain.closed_reason)


def record_review(
    session: Session,
    principal: Principal,
    rules: BlocklistRules,
    domain_id: int,
    *,
    material_present: bool,
    note: str,
) -> Review:
    """A periodic or reported check: still there, review again later; gone, delist."""
    principal.require(Perm.BLOCKLIST_PUBLISH)
    domain = _get_domain(session, principal, domain_id)
    if domain.state != DomainState.LISTED:
        raise Conflict(
            msg(
                "only a listed domain is reviewed; this one is %(domain_state)s",
                domain_state=domain.state,
            )
        )
    note = _reason(note, "finding the material gone") if not material_present else note.strip()
    if len(note) > 2000:
        raise InvalidInput("a note has at most 2000 characters")
    review = Review(
        domain_id=domain.id,
        material_present=material_present,
        note=note,
        reviewed_by_label=principal.label,
        reviewed_at=utcnow(),
    )
    session.add(review)
    session.flush()  # its id, for the answer (delisting alone flushed nothing)
    domain.last_reviewed_at = review.reviewed_at
    if material_present:
        domain.next_review_at = review.reviewed_at + rules.review_interval
        _record(session, principal, "review", domain, material_present=True)
    else:
        _delist(
            session, principal, domain, msg("review found the material gone: %(note)s", note=note)
        )
    return review


def reviews_due(
    session: Session, principal: Principal, now: datetime | None = None
) -> list[BlocklistDomain]:
    principal.require(Perm.BLOCKLIST_PUBLISH)
    stmt = (
        select(BlocklistDomain)
        .where(
            BlocklistDomain.state == DomainState.LISTED.value,
            BlocklistDomain.next_review_at <= (now or utcnow()),
        )
        .order_by(BlocklistDomain.next_review_at)
    )
    return list(session.scalars(stmt))


# --- appeals -----------------------------------------------------------------------------------


def record_appeal(
    session: Session,
    principal: Principal,
    domain_id: int,
    *,
    appellant: str,
    contact: str,
    grounds: str,
) -> Appeal:
    """Record a domain owner's request for review, as received by the General Secretariat."""
    principal.require(Perm.BLOCKLIST_PUBLISH)
    domain = _get_domain(session, principal, domain_id)
    if domain.state not in (DomainState.CONFIRMED, DomainState.LISTED):
        raise Conflict(
            msg(
                "an appeal concerns a listed or confirmed domain; this one is %(domain_state)s",
                domain_state=domain.state,
            )
        )
    fields = {
        "appellant": appellant.strip(),
        "contact": contact.strip(),
        "grounds": grounds.strip(),
    }
    missing = [name for name, value in fields.items() if not value]
    if missing:
        raise InvalidInput(msg("an appeal needs: %(value)s", value=", ".join(missing)))
    if len(fields["appellant"]) > 200 or len(fields["contact"]) > 200:
        raise InvalidInput("appellant and contact have at most 200 characters each")
    if len(fields["grounds"]) > 5000:
        raise InvalidInput("grounds have at most 5000 characters")
    appeal = Appeal(
        domain=domain,
        recorded_by_label=principal.label,
        received_at=utcnow(),
        state=AppealState.OPEN.value,
        **fields,
    )
    session.add(appeal)
    session.flush()
    audit.record(
        session,
        principal.actor,
        Event(
            "blocklist.appeal.record",
            "blocklist_appeal",
            appeal.id,
            owner_org_id=domain.submitted_by_org_id,
            detail={"domain_id": domain.id},
        ),
    )
    return appeal


def decide_appeal(
    session: Session, principal: Principal, appeal_id: int, *, upheld: bool, reason: str
) -> Appeal:
    """Uphold (the domain leaves the list) or dismiss an appeal, with a reason."""
    principal.require(Perm.BLOCKLIST_PUBLISH)
    reason = _reason(reason, "deciding an appeal")
    appeal = session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFound(msg("no blocklist appeal %(appeal_id)s", appeal_id=appeal_id))
    if appeal.state != AppealState.OPEN:
        raise Conflict(
            msg("this appeal was already decided (%(appeal_state)s)", appeal_state=appeal.state)
        )
    appeal.state = (AppealState.UPHELD if upheld else AppealState.DISMISSED).value
    appeal.decided_at, appeal.decided_by_label = utcnow(), principal.label
    appeal.decision_reason = reason
    domain = appeal.domain
    if upheld and domain.state == DomainState.LISTED:
        _delist(
            session,
            principal,
            domain,
            msg("appeal %(appeal)s upheld: %(reason)s", appeal=appeal.id, reason=reason),
        )
    elif upheld and domain.state == DomainState.CONFIRMED:
        _close(
            domain,
            DomainState.REJECTED,
            msg("appeal %(appeal)s upheld: %(reason)s", appeal=appeal.id, reason=reason),
        )
        _record(session, principal, "reject", domain, reason=domain.closed_reason)
    audit.record(
        session,
        principal.actor,
        Event(
            "blocklist.appeal.decide",
            "blocklist_appeal",
            appeal.id,
            owner_org_id=domain.submitted_by_org_id,
            detail={"domain_id": domain.id, "decision": appeal.state, "reason": reason},
        ),
    )
    return appeal


def list_appeals(
    session: Session, principal: Principal, *, open_only: bool = False
) -> list[Appeal]:
    principal.require(Perm.BLOCKLIST_PUBLISH)
    stmt = select(Appeal).order_by(Appeal.id.desc())
    if open_only:
        stmt = stmt.where(Appeal.state == AppealState.OPEN.value)
    return list(session.scalars(stmt))


def appeals_of(session: Session, principal: Principal, domain: BlocklistDomain) -> list[Appeal]:
    """A domain's appeals, for publishers only (the bureaus see the domain's state)."""
    if not _is_publisher(principal):
        return []
    return list(
        session.scalars(select(Appeal).where(Appeal.domain_id == domain.id).order_by(Appeal.id))
    )


# --- versions ----------------------------------------------------------------------------------


def _publishable(session: Session) -> dict[int, str]:
    stmt = select(BlocklistDomain.id, BlocklistDomain.domain).where(
        BlocklistDomain.state.in_(PUBLISHABLE_STATES)
    )
    return dict(session.execute(stmt).all())


def pending_changes(session: Session, principal: Principal) -> VersionDiff:
    """What the next publication would add and remove."""
    principal.require(Perm.BLOCKLIST_PUBLISH)
    latest = latest_version(session)
    published = domains_of(session, latest.number) if latest else frozenset()
    return diff_domains(published, _publishable(session).values())


def publish(
    session: Session,
    principal: Principal,
    rules: BlocklistRules,
    expected_number: int | None = None,
) -> ListVersion:
    """Publish the next version: every confirmed or listed domain, nothing else.

    `expected_number` is the version the publisher checked the changes of: if another was
    published since, nothing happens (a repeated form, or two publishers at once).
    """
    principal.require(Perm.BLOCKLIST_PUBLISH)
    if expected_number is not None:
        latest = latest_version(session)
        if expected_number != (latest.number if latest else 0) + 1:
            raise Conflict(
                msg(
                    "version %(number)s is already the latest published; "
                    "check the changes of the next version again",
                    number=expected_number - 1,
                )
            )
    version = write_version(
        session,
        _publishable(session),
        published_by_label=principal.label,
        published_by_user_id=principal.user_id,
    )
    now = version.published_at
    session.execute(
        update(BlocklistDomain)
        .where(BlocklistDomain.state == DomainState.CONFIRMED.value)
        .values(
            state=DomainState.LISTED.value,
            listed_at=now,
            next_review_at=now + rules.review_interval,
        )
        .execution_options(synchronize_session="fetch")
    )
    audit.record(
        session,
        principal.actor,
        Event(
            "blocklist.publish",
            "blocklist_version",
            version.number,
            owner_org_id=principal.org_id,
            detail={
                "domains": version.domain_count,
                "added": version.added,
                "removed": version.removed,
                "checksum": version.checksum,
            },
        ),
    )
    return version


def list_versions(session: Session, principal: Principal) -> list[ListVersion]:
    principal.require(Perm.BLOCKLIST_PUBLISH)
    return list(session.scalars(select(ListVersion).order_by(ListVersion.number.desc())))


def get_version(session: Session, principal: Principal, number: int) -> ListVersion:
    principal.require(Perm.BLOCKLIST_PUBLISH)
    version = session.get(ListVersion, number)
    if version is None:
        raise NotFound(msg("no blocklist version %(number)s", number=number))
    return version


def version_domains(session: Session, principal: Principal, number: int) -> list[str]:
    version = get_version(session, principal, number)
    audit.record(
        session,
        principal.actor,
        Event(
            "blocklist.version.read",
            "blocklist_version",
            version.number,
            owner_org_id=principal.org_id,
        ),
    )
    return sorted(domains_of(session, version.number))


def diff_versions(session: Session, principal: Principal, old: int, new: int) -> VersionDiff:
    """Domains added and removed from version `old` to version `new` (either order)."""
    for number in (old, new):
        get_version(session, principal, number)
    audit.record(
        session,
        principal.actor,
        Event(
            "blocklist.version.diff",
            "blocklist_version",
            new,
            owner_org_id=principal.org_id,
            detail={"from": old},
        ),
    )
    return diff_domains(domains_of(session, old), domains_of(session, new))


# --- the provider feed ----------------------------------------------------------------------------


def _require_provider(principal: Principal) -> None:
    principal.require(Perm.BLOCKLIST_FEED)
    if principal.token_id is None:
        raise Forbidden("providers use the feed with their organisation's API token")


def _log_request(session: Session, principal: Principal, request: FeedRequest) -> None:
    session.add(request)
    audit.record(
        session,
        principal.actor,
        Event(
            f"blocklist.feed.{request.kind}",
            "organisation",
            principal.org_id,
            owner_org_id=principal.org_id,
            detail={
                "client_version": request.client_version,
                "served_version": request.served_version,
                "update_type": request.update_type,
                "prefixes": request.prefixes_asked,
            },
        ),
    )


def feed_update(
    session: Session, principal: Principal, cache: FeedCache, client_version: int | None
) -> Update:
    """The update a provider at `client_version` (None: holds nothing) needs; logged."""
    _require_provider(principal)
    update_ = _served(lambda: cache.update(session, client_version))
    _log_request(
        session,
        principal,
        FeedRequest(
            org_id=principal.org_id,
            token_id=principal.token_id,
            kind=FeedRequestKind.UPDATE.value,
            client_version=client_version,
            served_version=update_.version,
            update_type=update_.kind.value,
            answered_at=utcnow(),
        ),
    )
    return update_


def feed_full_hashes(
    session: Session,
    principal: Principal,
    rules: BlocklistRules,
    cache: FeedCache,
    prefixes: Collection[bytes],
) -> FullHashes:
    """Full hashes of the latest version behind the prefixes a provider matched; logged
    with their number only."""
    _require_provider(principal)
    if not prefixes or len(prefixes) > MAX_PREFIXES_PER_REQUEST:
        raise InvalidInput(
            msg(
                "ask for 1 to %(max_prefixes_per_request)s prefixes",
                max_prefixes_per_request=MAX_PREFIXES_PER_REQUEST,
            )
        )
    answer = _served(lambda: cache.full_hashes(session, prefixes, rules.cache_seconds))
    latest = latest_version(session)
    _log_request(
        session,
        principal,
        FeedRequest(
            org_id=principal.org_id,
            token_id=principal.token_id,
            kind=FeedRequestKind.FULL_HASH.value,
            served_version=latest.number if latest else None,
            prefixes_asked=len(prefixes),
            answered_at=utcnow(),
        ),
    )
    return answer


def _served(answer: Callable[[], T]) -> T:
    try:
        return answer()
    except NoListPublished as error:
        raise Conflict(str(error)) from error
    except StoredVersionCorrupt as error:
        raise Conflict(
            msg("%(error)s: the General Secretariat must publish again", error=error)
        ) from error


def provider_accounts(session: Session, principal: Principal) -> list[ProviderAccount]:
    """Partner organisations holding a feed token, with their tokens and request counts."""
    principal.require(Perm.BLOCKLIST_PUBLISH)
    tokens = [
        t
        for t in session.scalars(
            select(ApiToken)
            .join(Organisation, ApiToken.org_id == Organisation.id)
            .where(Organisation.kind == OrgKind.PARTNER.value)
            .order_by(ApiToken.id)
        )
        if Perm.BLOCKLIST_FEED.value in t.permissions
    ]
    stats = {
        org_id: (count, last)
        for org_id, count, last in session.execute(
            select(FeedRequest.org_id, func.count(), func.max(FeedRequest.answered_at)).group_by(
                FeedRequest.org_id
            )
        )
    }
    by_org: dict[int, ProviderAccount] = {}
    for token in tokens:
        account = by_org.get(token.org_id)
        if account is None:
            count, last = stats.get(token.org_id, (0, None))
            account = by_org[token.org_id] = ProviderAccount(token.org, [], count, last)
        account.tokens.append(token)
    return sorted(by_org.values(), key=lambda account: account.org.code)


def feed_requests(
    session: Session,
    principal: Principal,
    *,
    org_id: int | None = None,
    before_id: int = 0,
    limit: int = 100,
) -> list[FeedRequest]:
    """The provider request log, newest first; `before_id` pages back from an entry."""
    principal.require(Perm.BLOCKLIST_PUBLISH)
    stmt = select(FeedRequest).order_by(FeedRequest.id.desc()).limit(limit)
    if before_id:
        stmt = stmt.where(FeedRequest.id < before_id)
    if org_id is not None:
        stmt = stmt.where(FeedRequest.org_id == org_id)
    return list(session.scalars(stmt))
