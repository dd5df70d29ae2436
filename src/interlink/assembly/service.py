"""Sessions, agenda, documents and delegations: the rules the API, pages and CLI call.

Voting and elections are in `service_voting`, bilateral meetings in `service_meetings`,
agreements in `service_agreements`; all share the helpers here. Every write is audited in the
caller's transaction. Sessions, agendas and results are public; a delegation's composition is
seen by the secretariat and by its own country's delegates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interlink.assembly import Refused, RuleBroken, rights
from interlink.assembly.keys import SealKeyFile
from interlink.assembly.majority import MajorityRule, Quorum, QuorumStatus
from interlink.assembly.models import (
    AgendaItem,
    AssemblySession,
    Ballot,
    Delegation,
    DelegationMember,
    Document,
    PowersGrant,
)
from interlink.core import audit
from interlink.core.audit import Event
from interlink.core.auth import Perm, Principal, Role
from interlink.core.errors import Forbidden, InvalidInput, NotFound
from interlink.core.i18n import msg
from interlink.members.models import Member, User
from interlink.members.service import ncb_of

SESSION_STATUSES = ("planned", "open", "closed")
ITEM_KINDS = ("report", "resolution", "election")
QUORUM_BASES = ("all_members", "voting_members")
CREDENTIALS = ("none", "submitted", "verified")
SESSION_SCOPE = "session"  # the scope of a powers grant for the whole session


# --- shared helpers --------------------------------------------------------------------------


def record(
    session: Session,
    principal: Principal,
    action: str,
    object_type: str,
    object_id: int | str,
    /,
    *,
    country: str | None = None,
    **detail: Any,
) -> None:
    """Audit an Assembly action; events about one member name it and are owned by its bureau."""
    owner = None
    if country:
        owner, detail["country"] = ncb_of(session, country).id, country
    audit.record(
        session,
        principal.actor,
        Event(f"assembly.{action}", object_type, object_id, owner_org_id=owner, detail=detail),
    )


def require_admin(principal: Principal) -> None:
    principal.require(Perm.ASSEMBLY_ADMIN)


def member(session: Session, code: str) -> Member:
    found = session.get(Member, code.upper())
    if found is None:
        raise InvalidInput(msg("%(code)r is not a member country", code=code))
    return found


def get_session(session: Session, number: int) -> AssemblySession:
    found = session.scalars(select(AssemblySession).where(AssemblySession.number == number)).first()
    if found is None:
        raise NotFound(msg("no session number %(number)s", number=number))
    return found


def get_session_by_id(session: Session, session_id: int) -> AssemblySession:
    return session.get_one(AssemblySession, session_id)


def list_sessions(session: Session) -> list[AssemblySession]:
    return list(session.scalars(select(AssemblySession).order_by(AssemblySession.number.desc())))


def get_item(session: Session, item_id: int) -> AgendaItem:
    item = session.get(AgendaItem, item_id)
    if item is None:
        raise NotFound(msg("no agenda item %(item_id)s", item_id=item_id))
    return item


def require_status(ga: AssemblySession, *allowed: str) -> None:
    if ga.status not in allowed:
        raise RuleBroken(
            msg(
                "session %(number)s is %(status)s, not %(allowed)s",
                number=ga.number,
                status=ga.status,
                allowed=" or ".join(allowed),
            ),
            code=f"session_{ga.status}",
        )


def voting_policy(ga: AssemblySession) -> rights.VotingPolicy:
    return rights.VotingPolicy(
        arrears_bar_voting=ga.arrears_bar_voting, suspension_bars_voting=ga.suspension_bars_voting
    )


def member_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Member)) or 0


# --- sessions --------------------------------------------------------------------------------


@dataclass(slots=True)
class SessionSettings:
    """What the secretariat sets on a session; None leaves a value as it is."""

    host_city: str | None = None
    host_country: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    next_host_city: str | None = None
    next_host_country: str | None = None
    quorum_share: str | None = None
    quorum_strictly_more: bool | None = None
    quorum_basis: str | None = None
    arrears_bar_voting: bool | None = None
    suspension_bars_voting: bool | None = None


def quorum_of(ga: AssemblySession) -> Quorum:
    return Quorum(Fraction(ga.quorum_share), ga.quorum_strictly_more)


def given(changes: SessionSettings) -> dict[str, Any]:
    """The settings that were given (not None)."""
    return {
        f.name: getattr(changes, f.name)
        for f in fields(changes)
        if getattr(changes, f.name) is not None
    }


def _apply_settings(session: Session, ga: AssemblySession, changes: SessionSettings) -> None:
    for name, value in given(changes).items():
        if name in ("host_country", "next_host_country"):
            value = member(session, value).code
        elif isinstance(value, str):
            value = value.strip()
        setattr(ga, name, value)
    if not ga.host_city:
        raise InvalidInput("a session needs a host city")
    if ga.starts_on > ga.ends_on:
        raise InvalidInput("a session cannot end before it starts")
    if ga.quorum_basis not in QUORUM_BASES:
        raise InvalidInput(
            msg("the quorum basis is one of %(value)s", value=", ".join(QUORUM_BASES))
        )
    try:
        ga.quorum_share = str(quorum_of(ga).share)  # "0.5" is stored as "1/2"
    except (ValueError, ZeroDivisionError) as exc:
        raise InvalidInput(
            msg("quorum %(quorum_share)r: %(exc)s", quorum_share=ga.quorum_share, exc=exc)
        ) from None


def create_session(
    session: Session, principal: Principal, number: int, settings: SessionSettings
) -> AssemblySession:
    require_admin(principal)
    if number < 1:
        raise InvalidInput("a session number is a positive whole number")
    if session.scalars(select(AssemblySession.id).where(AssemblySession.number == number)).first():
        raise RuleBroken(
            msg("session %(number)s exists already", number=number), code="duplicate_session"
        )
    missing = [
        n
        for n in ("host_city", "host_country", "starts_on", "ends_on")
        if getattr(settings, n) is None
    ]
    if missing:
        raise InvalidInput(msg("a session needs %(value)s", value=", ".join(missing)))
    ga = AssemblySession(
        number=number,
        status="planned",
        agenda_adopted=False,
        quorum_share="1/2",
        quorum_strictly_more=True,
        quorum_basis="all_members",
        arrears_bar_voting=True,
        suspension_bars_voting=True,
    )
    _apply_settings(session, ga, settings)
    session.add(ga)
    session.flush()
    record(
        session,
        principal,
        "session.create",
        "ga_session",
        ga.id,
        number=number,
        host=f"{ga.host_city}, {ga.host_country}",
    )
    return ga


def update_session(
    session: Session, principal: Principal, number: int, changes: SessionSettings
) -> AssemblySession:
    require_admin(principal)
    ga = get_session(session, number)
    require_status(ga, "planned", "open")
    _apply_settings(session, ga, changes)
    record(
        session,
        principal,
        "session.update",
        "ga_session",
        ga.id,
        number=number,
        changes={k: str(v) for k, v in given(changes).items()},
    )
    return ga


def open_session(session: Session, principal: Principal, number: int) -> AssemblySession:
    require_admin(principal)
    ga = get_session(session, number)
    require_status(ga, "planned")
    ga.status = "open"
    record(session, principal, "session.open", "ga_session", ga.id, number=number)
    return ga


def close_session(
    session: Session, principal: Principal, number: int, keys: SealKeyFile
) -> AssemblySession:
    """Close a session whose ballots are all closed; destroy the seal key when no secret
    ballot of any session is still open."""
    require_admin(principal)
    ga = get_session(session, number)
    require_status(ga, "open")
    open_ballots = session.scalars(select(Ballot).where(Ballot.status == "open")).all()
    if any(b.session_id == ga.id for b in open_ballots):
        raise RuleBroken("close every ballot of the session first", code="ballots_open")
    ga.status = "closed"
    # Sealed ballots are deleted at close; once none is open anywhere the key has no use left.
    key_destroyed = False
    if not any(b.secret for b in open_ballots):
        key_destroyed = keys.destroy()
    record(
        session,
        principal,
        "session.close",
        "ga_session",
        ga.id,
        number=number,
        seal_key_destroyed=key_destroyed,
    )
    return ga


# --- quorum ----------------------------------------------------------------------------------


def quorum_status(session: Session, ga: AssemblySession) -> QuorumStatus:
    """Live quorum: delegations with verified credentials registered present."""
    present = set(
        session.scalars(
            select(Delegation.country).where(
                Delegation.session_id == ga.id,
                Delegation.present.is_(True),
                Delegation.credentials == "verified",
            )
        )
    )
    if ga.quorum_basis == "voting_members":
        policy = voting_policy(ga)
        voting = {
            m.code
            for m in session.scalars(select(Member))
            if rights.standing_bar(standing(m), policy) is None
        }
        return quorum_of(ga).status(present=len(present & voting), members=len(voting))
    return quorum_of(ga).status(present=len(present), members=member_count(session))


def standing(found: Member) -> rights.Standing:
    return rights.Standing(in_arrears=found.in_arrears, suspended=found.suspended)


# --- agenda and documents --------------------------------------------------------------------


def add_item(
    session: Session,
    principal: Principal,
    number: int,
    *,
    title: str,
    kind: str,
    majority_rule: str | None = None,
) -> AgendaItem:
    require_admin(principal)
    ga = get_session(session, number)
    require_status(ga, "planned", "open")
    if ga.agenda_adopted:
        raise RuleBroken("the agenda is adopted; it no longer changes", code="agenda_adopted")
    if kind not in ITEM_KINDS:
        raise InvalidInput(msg("an agenda item is one of %(value)s", value=", ".join(ITEM_KINDS)))
    if (kind == "resolution") != (majority_rule is not None):
        raise InvalidInput("a resolution, and only a resolution, carries a majority rule")
    if majority_rule is not None and majority_rule not in set(MajorityRule):
        raise InvalidInput(
            msg("unknown majority rule %(majority_rule)r", majority_rule=majority_rule)
        )
    if not title.strip():
        raise InvalidInput("an agenda item needs a title")
    last = (
        session.scalar(select(func.max(AgendaItem.number)).where(AgendaItem.session_id == ga.id))
        or 0
    )
    item = AgendaItem(
        session_id=ga.id,
        number=last + 1,
        title=title.strip(),
        kind=kind,
        majority_rule=majority_rule,
        status="pending",
    )
    session.add(item)
    session.flush()
    record(
        session,
        principal,
        "item.add",
        "ga_item",
        item.id,
        session=ga.number,
        number=item.number,
        kind=kind,
        majority_rule=majority_rule,
    )
    return item


def note_report(session: Session, principal: Principal, item_id: int) -> AgendaItem:
    """A report is noted by the Assembly, not voted on."""
    require_admin(principal)
    item = get_item(session, item_id)
    require_status(item.session, "open")
    if not item.session.agenda_adopted:
        raise RuleBroken("the agenda must be adopted first", code="agenda_not_adopted")
    if item.kind != "report" or item.status != "pending":
        raise RuleBroken("only a pending report is noted", code="not_a_pending_report")
    item.status = "noted"
    record(session, principal, "item.noted", "ga_item", item.id, session=item.session.number)
    return item


def new_document(
    session: Session,
    principal: Principal,
    *,
    title: str,
    reference: str,
    url: str,
    language: str,
    item_id: int | None = None,
    agreement_id: int | None = None,
) -> Document:
    """A document of an agenda item or of an agreement (the caller checked the parent)."""
    if not title.strip():
        raise InvalidInput("a document needs a title")
    if url and not url.startswith(("https://", "http://")):
        raise InvalidInput("a document link starts with https:// or http://")
    document = Document(
        item_id=item_id,
        agreement_id=agreement_id,
        title=title.strip(),
        reference=reference.strip(),
        url=url.strip(),
        language=language,
    )
    session.add(document)
    session.flush()
    record(
        session,
        principal,
        "document.add",
        "ga_document",
        document.id,
        item=item_id,
        agreement=agreement_id,
        title=document.title,
    )
    return document


def add_item_document(
    session: Session,
    principal: Principal,
    item_id: int,
    *,
    title: str,
    reference: str = "",
    url: str = "",
    language: str = "en",
) -> Document:
    require_admin(principal)
    get_item(session, item_id)
    return new_document(
        session,
        principal,
        title=title,
        reference=reference,
        url=url,
        language=language,
        item_id=item_id,
    )


# --- delegations -----------------------------------------------------------------------------


def get_delegation(session: Session, ga: AssemblySession, country: str) -> Delegation:
    found = session.scalars(
        select(Delegation).where(
            Delegation.session_id == ga.id, Delegation.country == country.upper()
        )
    ).first()
    if found is None:
        raise NotFound(
            msg(
                "%(value)s has no delegation at session %(number)s",
                value=country.upper(),
                number=ga.number,
            )
        )
    return found


def _require_admin_or_country(principal: Principal, country: str) -> None:
    """The secretariat, or a delegate of that country: others learn nothing of it."""
    if principal.has(Perm.ASSEMBLY_ADMIN):
        return
    if not (principal.has(Perm.ASSEMBLY_VOTE) and principal.country == country):
        raise NotFound(msg("no delegation of %(country)s that you may see", country=country))


def read_delegation(
    session: Session, principal: Principal, number: int, country: str
) -> Delegation:
    _require_admin_or_country(principal, country.upper())
    return get_delegation(session, get_session(session, number), country)


def list_delegations(session: Session, principal: Principal, number: int) -> list[Delegation]:
    require_admin(principal)
    ga = get_session(session, number)
    return list(
        session.scalars(
            select(Delegation).where(Delegation.session_id == ga.id).order_by(Delegation.country)
        )
    )


def delegation_countries(session: Session, ga: AssemblySession) -> list[str]:
    """Which members have a delegation at the session (public: the list of participants)."""
    return list(
        session.scalars(
            select(Delegation.country)
            .where(Delegation.session_id == ga.id)
            .order_by(Delegation.country)
        )
    )


def person_of(delegation: Delegation, principal: Principal) -> DelegationMember | None:
    """The principal's place in the delegation: a person logs in, a token is nobody."""
    if principal.user_id is None:
        return None
    return next((m for m in delegation.members if m.user_id == principal.user_id), None)


def my_delegation(session: Session, principal: Principal, ga: AssemblySession) -> Delegation | None:
    if principal.country is None or principal.user_id is None:
        return None
    found = session.scalars(
        select(Delegation).where(
            Delegation.session_id == ga.id, Delegation.country == principal.country
        )
    ).first()
    return found if found is not None and person_of(found, principal) else None


def _check_user(session: Session, user_id: int, country: str) -> User:
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise InvalidInput(msg("no active user %(user_id)s", user_id=user_id))
    if user.org.country != country:
        raise InvalidInput(
            msg(
                "%(username)s does not belong to %(country)s's bureau",
                username=user.username,
                country=country,
            )
        )
    if Role.DELEGATE.value not in user.roles:
        raise InvalidInput(
            msg("%(username)s does not have the delegate role", username=user.username)
        )
    return user


def _new_member(
    session: Session, delegation: Delegation, *, name: str, role: str, user_id: int | None
) -> DelegationMember:
    if role not in set(rights.Role):
        raise InvalidInput(
            msg("a delegation member is one of %(value)s", value=", ".join(rights.Role))
        )
    if user_id is not None:
        user = _check_user(session, user_id, delegation.country)
        if any(m.user_id == user_id for m in delegation.members):
            raise RuleBroken(
                msg("%(username)s is already in the delegation", username=user.username),
                code="already_in_delegation",
            )
        name = name.strip() or user.display_name
    if not name.strip():
        raise InvalidInput("a delegation member needs a name")
    added = DelegationMember(name=name.strip(), role=role, user_id=user_id)
    delegation.members.append(added)
    return added


def register_delegation(
    session: Session,
    principal: Principal,
    number: int,
    country: str,
    *,
    head_name: str,
    head_user_id: int | None,
) -> Delegation:
    """The secretariat registers a member's delegation with its head."""
    require_admin(principal)
    ga = get_session(session, number)
    require_status(ga, "planned", "open")
    code = member(session, country).code
    if session.scalars(
        select(Delegation.id).where(Delegation.session_id == ga.id, Delegation.country == code)
    ).first():
        raise RuleBroken(
            msg("%(code)s already has a delegation", code=code), code="duplicate_delegation"
        )
    delegation = Delegation(session_id=ga.id, country=code, credentials="none", present=False)
    session.add(delegation)
    head = _new_member(
        session, delegation, name=head_name, role=rights.Role.HEAD, user_id=head_user_id
    )
    session.flush()
    record(
        session,
        principal,
        "delegation.register",
        "ga_delegation",
        delegation.id,
        country=code,
        session=ga.number,
        head=head.name,
    )
    return delegation


def _require_head_or_admin(delegation: Delegation, principal: Principal) -> None:
    if principal.has(Perm.ASSEMBLY_ADMIN):
        return
    person = person_of(delegation, principal)
    if person is None or person.role != rights.Role.HEAD:
        raise Refused(
            msg(
                "only the head of delegation of %(country)s or the secretariat may do this",
                country=delegation.country,
            ),
            code=rights.Refusal.NOT_HEAD,
        )


def _composition_changed(delegation: Delegation) -> None:
    """Verified credentials name the delegation: a change sends them back for verification."""
    if delegation.credentials == "verified":
        delegation.credentials = "submitted"


def add_member(
    session: Session,
    principal: Principal,
    number: int,
    country: str,
    *,
    name: str,
    role: str,
    user_id: int | None,
) -> DelegationMember:
    _require_admin_or_country(principal, country.upper())
    ga = get_session(session, number)
    require_status(ga, "planned", "open")
    delegation = get_delegation(session, ga, country)
    _require_head_or_admin(delegation, principal)
    if role == rights.Role.HEAD:
        raise RuleBroken("a delegation has one head, named when it is registered", code="one_head")
    added = _new_member(session, delegation, name=name, role=role, user_id=user_id)
    _composition_changed(delegation)
    session.flush()
    record(
        session,
        principal,
        "delegation.member_add",
        "ga_delegation",
        delegation.id,
        country=delegation.country,
        member=added.id,
        role=role,
        credentials=delegation.credentials,
    )
    return added


def remove_member(
    session: Session, principal: Principal, number: int, country: str, member_id: int
) -> Delegation:
    _require_admin_or_country(principal, country.upper())
    ga = get_session(session, number)
    require_status(ga, "planned", "open")
    delegation = get_delegation(session, ga, country)
    _require_head_or_admin(delegation, principal)
    gone = next((m for m in delegation.members if m.id == member_id), None)
    if gone is None:
        raise NotFound(
            msg(
                "no member %(member_id)s in the delegation of %(country)s",
                member_id=member_id,
                country=delegation.country,
            )
        )
    if gone.role == rights.Role.HEAD:
        raise RuleBroken("the head of delegation cannot be removed", code="one_head")
    delegation.grants = [g for g in delegation.grants if g.holder_member_id != member_id]
    session.flush()
    delegation.members.remove(gone)
    _composition_changed(delegation)
    record(
        session,
        principal,
        "delegation.member_remove",
        "ga_delegation",
        delegation.id,
        country=delegation.country,
        member=member_id,
        credentials=delegation.credentials,
    )
    return delegation


def submit_credentials(
    session: Session, principal: Principal, number: int, country: str
) -> Delegation:
    _require_admin_or_country(principal, country.upper())
    ga = get_session(session, number)
    require_status(ga, "planned", "open")
    delegation = get_delegation(session, ga, country)
    _require_head_or_admin(delegation, principal)
    if delegation.credentials != "none":
        raise RuleBroken(
            msg("the credentials are already %(state)s", state=delegation.credentials),
            code="credentials_submitted",
        )
    delegation.credentials = "submitted"
    record(
        session,
        principal,
        "credentials.submit",
        "ga_delegation",
        delegation.id,
        country=delegation.country,
    )
    return delegation


def verify_credentials(
    session: Session, principal: Principal, number: int, country: str
) -> Delegation:
    require_admin(principal)
    ga = get_session(session, number)
    require_status(ga, "planned", "open")
    delegation = get_delegation(session, ga, country)
    if delegation.credentials != "submitted":
        raise RuleBroken(
            "only submitted credentials are verified", code="credentials_not_submitted"
        )
    delegation.credentials = "verified"
    record(
        session,
        principal,
        "credentials.verify",
        "ga_delegation",
        delegation.id,
        country=delegation.country,
    )
    return delegation


def set_attendance(
    session: Session, principal: Principal, number: int, country: str, present: bool
) -> Delegation:
    require_admin(principal)
    ga = get_session(session, number)
    require_status(ga, "open")
    delegation = get_delegation(session, ga, country)
    delegation.present = present
    record(
        session,
        principal,
        "attendance",
        "ga_delegation",
        delegation.id,
        country=delegation.country,
        present=present,
    )
    return delegation


# --- delegated powers ------------------------------------------------------------------------


def scope_key(item_id: int | None) -> str:
    return SESSION_SCOPE if item_id is None else str(item_id)


def to_rights(delegation: Delegation, found: Member) -> rights.Delegation:
    """The stored delegation as the pure rules see it; person ids are member ids."""
    return rights.Delegation(
        country=delegation.country,
        roles={str(m.id): rights.Role(m.role) for m in delegation.members},
        credentials_verified=delegation.credentials == "verified",
        present=delegation.present,
        standing=standing(found),
        grants=tuple(
            rights.PowersGrant(
                holder=str(g.holder_member_id), item=None if g.scope == SESSION_SCOPE else g.scope
            )
            for g in delegation.grants
        ),
    )


def _store_grants(delegation: Delegation, grants: Iterable[rights.PowersGrant]) -> None:
    """Bring the stored grants in line with `grants`, updating rows in place (one per scope)."""
    wanted = {scope_key(None if g.item is None else int(g.item)): int(g.holder) for g in grants}
    for row in list(delegation.grants):
        if row.scope not in wanted:
            delegation.grants.remove(row)
        else:
            row.holder_member_id = wanted.pop(row.scope)
    delegation.grants.extend(
        PowersGrant(scope=scope, holder_member_id=holder) for scope, holder in wanted.items()
    )


def _powers_context(
    session: Session, principal: Principal, number: int, country: str, item_id: int | None
) -> tuple[Delegation, rights.Delegation, str]:
    principal.require(Perm.ASSEMBLY_VOTE)
    ga = get_session(session, number)
    require_status(ga, "planned", "open")
    code = country.upper()
    if principal.country != code:
        raise Refused(
            msg(
                "only the head of delegation of %(country)s may give or take back its powers",
                country=code,
            ),
            code=rights.Refusal.NOT_HEAD,
        )
    delegation = get_delegation(session, ga, code)
    if item_id is not None and get_item(session, item_id).session_id != ga.id:
        raise InvalidInput(
            msg(
                "agenda item %(item_id)s is not on the agenda of session %(number)s",
                item_id=item_id,
                number=number,
            )
        )
    person = person_of(delegation, principal)
    by = str(person.id) if person else f"user:{principal.user_id}"
    return delegation, to_rights(delegation, member(session, code)), by


def grant_powers(
    session: Session,
    principal: Principal,
    number: int,
    country: str,
    *,
    holder_member_id: int,
    item_id: int | None = None,
) -> Delegation:
    """The head gives the member's vote to a named delegate, for the session or one item."""
    delegation, current, by = _powers_context(session, principal, number, country, item_id)
    updated = current.grant_powers(
        by=by, to=str(holder_member_id), item=None if item_id is None else str(item_id)
    )
    _store_grants(delegation, updated.grants)
    session.flush()
    record(
        session,
        principal,
        "powers.grant",
        "ga_delegation",
        delegation.id,
        country=delegation.country,
        holder=holder_member_id,
        scope=scope_key(item_id),
    )
    return delegation


def revoke_powers(
    session: Session, principal: Principal, number: int, country: str, *, item_id: int | None = None
) -> Delegation:
    delegation, current, by = _powers_context(session, principal, number, country, item_id)
    updated = current.revoke_powers(by=by, item=None if item_id is None else str(item_id))
    _store_grants(delegation, updated.grants)
    session.flush()
    record(
        session,
        principal,
        "powers.revoke",
        "ga_delegation",
        delegation.id,
        country=delegation.country,
        scope=scope_key(item_id),
    )
    return delegation


def require_delegate_of(session: Session, principal: Principal, ga: AssemblySession) -> Delegation:
    """The principal's own delegation at the session, for actions a delegation takes."""
    principal.require(Perm.ASSEMBLY_VOTE)
    mine = my_delegation(session, principal, ga)
    if mine is None:
        raise Forbidden(msg("you are not in a delegation at session %(number)s", number=ga.number))
    return mine
