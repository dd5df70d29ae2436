"""Memoranda of understanding and cooperation agreements: parties, status, dates, documents.

An agreement is seen by the secretariat and by its parties (a member country's users, an
organisation's users); for anyone else it does not exist. The secretariat records them.

Status moves forward only: proposed -> negotiating -> signed -> in force, and any agreement not
yet terminated may be terminated. Each move is dated, never before the previous date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from interlink.assembly import RuleBroken
from interlink.assembly.models import Agreement, AgreementParty, Document
from interlink.assembly.service import (
    get_session,
    member,
    new_document,
    record,
    require_admin,
)
from interlink.core.auth import Perm, Principal
from interlink.core.errors import InvalidInput, NotFound
from interlink.core.i18n import msg
from interlink.members.models import Member, Organisation

KINDS = ("memorandum_of_understanding", "cooperation_agreement")
STATUSES = ("proposed", "negotiating", "signed", "in_force", "terminated")
NEXT_STATUSES = {
    "proposed": ("negotiating", "signed", "terminated"),
    "negotiating": ("signed", "terminated"),
    "signed": ("in_force", "terminated"),
    "in_force": ("terminated",),
    "terminated": (),
}
DATE_FIELD = {"signed": "signed_on", "in_force": "in_force_on", "terminated": "terminated_on"}


@dataclass(frozen=True, slots=True)
class PartySpec:
    """One party: a member country, one of our organisations (by code), or another body."""

    country: str | None = None
    organisation: str | None = None
    name: str | None = None


def parse_party(session: Session, text: str) -> PartySpec:
    """A party written as text: a member code ("KE"), an organisation code ("GS",
    "PARTNER-SKYWAYS"), or else a body's full name."""
    text = text.strip()
    if len(text) == 2 and session.get(Member, text.upper()) is not None:
        return PartySpec(country=text.upper())
    if session.scalars(select(Organisation.id).where(Organisation.code == text.upper())).first():
        return PartySpec(organisation=text.upper())
    return PartySpec(name=text)


def _party(session: Session, spec: PartySpec) -> AgreementParty:
    given = [v for v in (spec.country, spec.organisation, spec.name) if v and v.strip()]
    if len(given) != 1:
        raise InvalidInput("a party is a member country, an organisation code or a name")
    if spec.country:
        found = member(session, spec.country)
        return AgreementParty(country=found.code, name=found.name)
    if spec.organisation:
        org = session.scalars(
            select(Organisation).where(Organisation.code == spec.organisation.strip().upper())
        ).first()
        if org is None:
            raise InvalidInput(
                msg("no organisation %(organisation)r", organisation=spec.organisation)
            )
        return AgreementParty(org_id=org.id, name=org.name)
    return AgreementParty(name=(spec.name or "").strip())


def _party_of(principal: Principal) -> ColumnElement[bool]:
    mine = AgreementParty.org_id == principal.org_id
    if principal.country is None:  # never "country IS NULL": that is every other party
        return mine
    return or_(mine, AgreementParty.country == principal.country)


def list_agreements(session: Session, principal: Principal) -> list[Agreement]:
    stmt = select(Agreement).order_by(Agreement.id.desc())
    if not principal.has(Perm.ASSEMBLY_ADMIN):
        stmt = stmt.where(
            Agreement.id.in_(select(AgreementParty.agreement_id).where(_party_of(principal)))
        )
    return list(session.scalars(stmt))


def _visible(session: Session, principal: Principal, agreement_id: int) -> Agreement:
    found = session.get(Agreement, agreement_id)
    if found is None or not (
        principal.has(Perm.ASSEMBLY_ADMIN)
        or any(
            (p.country is not None and p.country == principal.country)
            or p.org_id == principal.org_id
            for p in found.parties
        )
    ):
        raise NotFound(
            msg("no agreement %(agreement_id)s that you may see", agreement_id=agreement_id)
        )
    return found


def get_agreement(session: Session, principal: Principal, agreement_id: int) -> Agreement:
    """One agreement, for the secretariat or a party; the read is audited."""
    found = _visible(session, principal, agreement_id)
    record(session, principal, "agreement.read", "ga_agreement", agreement_id)
    return found


def create_agreement(
    session: Session,
    principal: Principal,
    *,
    title: str,
    kind: str,
    parties: list[PartySpec],
    proposed_on: date,
    summary: str = "",
    session_number: int | None = None,
) -> Agreement:
    require_admin(principal)
    if kind not in KINDS:
        raise InvalidInput(
            msg("an agreement is one of %(value)s", value=", ".join(KINDS)), field="kind"
        )
    if not title.strip():
        raise InvalidInput("an agreement needs a title", field="title")
    rows = [_party(session, spec) for spec in parties]
    keys = {(r.country, r.org_id, r.name if not (r.country or r.org_id) else None) for r in rows}
    if len(rows) < 2 or len(keys) != len(rows):
        raise InvalidInput("an agreement has at least two different parties")
    agreement = Agreement(
        title=title.strip(),
        kind=kind,
        status="proposed",
        summary=summary.strip(),
        proposed_on=proposed_on,
        session_id=get_session(session, session_number).id if session_number is not None else None,
    )
    agreement.parties.extend(rows)
    session.add(agreement)
    session.flush()
    record(
        session,
        principal,
        "agreement.create",
        "ga_agreement",
        agreement.id,
        kind=kind,
        parties=[r.country or r.name for r in rows],
    )
    return agreement


def change_status(
    session: Session, principal: Principal, agreement_id: int, *, status: str, on: date
) -> Agreement:
    require_admin(principal)
    agreement = _visible(session, principal, agreement_id)
    if status not in STATUSES:
        raise InvalidInput(
            msg("an agreement's status is one of %(value)s", value=", ".join(STATUSES))
        )
    if status not in NEXT_STATUSES[agreement.status]:
        raise RuleBroken(
            msg(
                "an agreement %(status)s cannot become %(next)s",
                status=agreement.status.replace("_", " "),
                next=status.replace("_", " "),
            ),
            code="status_order",
        )
    dates = [agreement.proposed_on, agreement.signed_on, agreement.in_force_on]
    latest = max(d for d in dates if d is not None)
    if on < latest:
        raise InvalidInput(msg("the date cannot be before %(value)s", value=latest.isoformat()))
    agreement.status = status
    if status in DATE_FIELD:
        setattr(agreement, DATE_FIELD[status], on)
    record(
        session,
        principal,
        "agreement.status",
        "ga_agreement",
        agreement.id,
        status=status,
        on=on.isoformat(),
    )
    return agreement


def add_agreement_document(
    session: Session,
    principal: Principal,
    agreement_id: int,
    *,
    title: str,
    reference: str = "",
    url: str = "",
    language: str = "en",
) -> Document:
    require_admin(principal)
    _visible(session, principal, agreement_id)
    return new_document(
        session,
        principal,
        title=title,
        reference=reference,
        url=url,
        language=language,
        agreement_id=agreement_id,
    )
