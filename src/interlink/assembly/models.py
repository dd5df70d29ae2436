"""Tables of the General Assembly: sessions, agenda, delegations, ballots, elections, meetings,
agreements.

The secret-ballot tables follow docs/assembly.md: the eligibility register, the ballot store and
the bulletin board carry natural or random keys only, no time and no sequence. On SQLite they
are WITHOUT ROWID tables, since a rowid would record the order of insertion.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interlink.core.db import Base, utcnow
from interlink.core.i18n import N_, gettext, msgid_pattern

_NO_ROWID = {"sqlite_with_rowid": False}


class AssemblySession(Base):
    """One session of the General Assembly, with its quorum and voting configuration."""

    __tablename__ = "ga_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    host_city: Mapped[str] = mapped_column(String(120))
    host_country: Mapped[str] = mapped_column(ForeignKey("members.code"))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    # The flag handover: who hosts the next session.
    next_host_city: Mapped[str | None] = mapped_column(String(120))
    next_host_country: Mapped[str | None] = mapped_column(ForeignKey("members.code"))
    status: Mapped[str] = mapped_column(String(12), default="planned")
    agenda_adopted: Mapped[bool] = mapped_column(Boolean, default=False)
    quorum_share: Mapped[str] = mapped_column(String(16), default="1/2")  # a fraction
    quorum_strictly_more: Mapped[bool] = mapped_column(Boolean, default=True)
    quorum_basis: Mapped[str] = mapped_column(String(16), default="all_members")
    arrears_bar_voting: Mapped[bool] = mapped_column(Boolean, default=True)
    suspension_bars_voting: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="session", order_by="AgendaItem.number"
    )

    @property
    def code(self) -> str:
        return f"GA{self.number}"


class AgendaItem(Base):
    __tablename__ = "ga_agenda_items"
    __table_args__ = (UniqueConstraint("session_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("ga_sessions.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(12))  # report, resolution, election
    majority_rule: Mapped[str | None] = mapped_column(String(24))  # resolutions only
    status: Mapped[str] = mapped_column(String(12), default="pending")
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    session: Mapped[AssemblySession] = relationship(back_populates="items")
    documents: Mapped[list[Document]] = relationship(order_by="Document.id")


class Agreement(Base):
    """A memorandum of understanding or cooperation agreement."""

    __tablename__ = "ga_agreements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(12), default="proposed")
    summary: Mapped[str] = mapped_column(Text, default="")
    session_id: Mapped[int | None] = mapped_column(ForeignKey("ga_sessions.id"))
    proposed_on: Mapped[date]
    signed_on: Mapped[date | None]
    in_force_on: Mapped[date | None]
    terminated_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parties: Mapped[list[AgreementParty]] = relationship(order_by="AgreementParty.id")
    documents: Mapped[list[Document]] = relationship(order_by="Document.id")


class AgreementParty(Base):
    """A member country, an organisation of ours (partner, international body) or another
    body named in full."""

    __tablename__ = "ga_agreement_parties"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("ga_agreements.id"), index=True)
    country: Mapped[str | None] = mapped_column(ForeignKey("members.code"), index=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))


class Document(Base):
    """A document of an agenda item or of an agreement (a reference and a link)."""

    __tablename__ = "ga_documents"
    __table_args__ = (
        CheckConstraint("(item_id IS NULL) <> (agreement_id IS NULL)", name="one_parent"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("ga_agenda_items.id"), index=True)
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("ga_agreements.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    reference: Mapped[str] = mapped_column(String(80), default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- delegations -----------------------------------------------------------------------------


class Delegation(Base):
    __tablename__ = "ga_delegations"
    __table_args__ = (UniqueConstraint("session_id", "country"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("ga_sessions.id"), index=True)
    country: Mapped[str] = mapped_column(ForeignKey("members.code"))
    credentials: Mapped[str] = mapped_column(String(12), default="none")
    present: Mapped[bool] = mapped_column(Boolean, default=False)

    members: Mapped[list[DelegationMember]] = relationship(
        order_by="DelegationMember.id", cascade="all, delete-orphan"
    )
    grants: Mapped[list[PowersGrant]] = relationship(cascade="all, delete-orphan")


class DelegationMember(Base):
    """A person in a delegation; `user_id` links the account that acts for them."""

    __tablename__ = "ga_delegation_members"
    __table_args__ = (UniqueConstraint("delegation_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("ga_delegations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))  # head, delegate, observer
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)


class PowersGrant(Base):
    """The head gave the member's vote to a delegate, for the session or for one item."""

    __tablename__ = "ga_power_grants"

    delegation_id: Mapped[int] = mapped_column(ForeignKey("ga_delegations.id"), primary_key=True)
    scope: Mapped[str] = mapped_column(String(24), primary_key=True)  # "session" or item id
    holder_member_id: Mapped[int] = mapped_column(ForeignKey("ga_delegation_members.id"))


# --- ballots ---------------------------------------------------------------------------------


# The question the platform writes for an agenda ballot. It is stored in English as it is
# (it is in the ballot's header, which the bulletin board hashes and anyone may verify) and
# shown in the reader's language by `shown_question`; any other question is a title a person
# wrote, shown as written.
AGENDA_QUESTION = N_("Adopt the agenda of session %(number)s (%(items)s items)?")
_AGENDA_PATTERN = msgid_pattern(AGENDA_QUESTION, lambda name: r"\d+")


def shown_question(question: str, purpose: str) -> str:
    """A ballot's question in the reader's language where the platform wrote it (an agenda
    ballot's, by its exact form); as stored otherwise."""
    if purpose == "agenda" and (found := _AGENDA_PATTERN.match(question)):
        return gettext(AGENDA_QUESTION, **found.groupdict())
    return question


class Ballot(Base):
    """A vote put to the Assembly: its question, and once closed its tally and outcome."""

    __tablename__ = "ga_ballots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(80), unique=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("ga_sessions.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("ga_agenda_items.id"), index=True)
    election_id: Mapped[int | None] = mapped_column(ForeignKey("ga_elections.id"), index=True)
    round_number: Mapped[int | None] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(12))  # agenda, resolution, election
    question: Mapped[str] = mapped_column(String(300))
    options: Mapped[list[Any]] = mapped_column(JSON)
    secret: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(8), default="open")
    majority_rule: Mapped[str | None] = mapped_column(String(24))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    voters: Mapped[int | None] = mapped_column(Integer)  # size of the register at close
    tally: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    board_head: Mapped[str | None] = mapped_column(String(64))
    seal_check: Mapped[str | None] = mapped_column(String(64))  # keys.check_value, secret only

    @property
    def shown_question(self) -> str:
        return shown_question(self.question, self.purpose)


class BallotVoter(Base):
    """The eligibility register: this member has voted in this ballot. Nothing else."""

    __tablename__ = "ga_ballot_voters"
    __table_args__ = _NO_ROWID

    ballot_id: Mapped[int] = mapped_column(ForeignKey("ga_ballots.id"), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)


class SealedBallotRow(Base):
    """The ballot store of an open secret ballot: a random key and a fixed-length ciphertext."""

    __tablename__ = "ga_sealed_ballots"
    __table_args__ = _NO_ROWID

    seal_id: Mapped[str] = mapped_column(String(24), primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ga_ballots.id"), index=True)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)


class BoardEntryRow(Base):
    """A published bulletin board entry, in tracking-code order."""

    __tablename__ = "ga_board_entries"
    __table_args__ = _NO_ROWID

    ballot_id: Mapped[int] = mapped_column(ForeignKey("ga_ballots.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(24))
    choice: Mapped[str] = mapped_column(String(200))
    hash: Mapped[str] = mapped_column(String(64))


class RollCallVote(Base):
    """A vote in an open (roll-call) ballot: published with the result."""

    __tablename__ = "ga_roll_call"

    ballot_id: Mapped[int] = mapped_column(ForeignKey("ga_ballots.id"), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    choice: Mapped[str] = mapped_column(String(200))


# --- Executive Committee elections -----------------------------------------------------------


class Election(Base):
    """The election to one Executive Committee seat, under an election agenda item."""

    __tablename__ = "ga_elections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("ga_sessions.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("ga_agenda_items.id"), index=True)
    post: Mapped[str] = mapped_column(String(16))
    region: Mapped[str | None] = mapped_column(String(24))
    tie_rule: Mapped[str] = mapped_column(String(32))
    lot_seed: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default="candidacy")
    elected_person: Mapped[str | None] = mapped_column(String(120))

    candidates: Mapped[list[Candidate]] = relationship(
        order_by="Candidate.id", cascade="all, delete-orphan"
    )


class Candidate(Base):
    __tablename__ = "ga_candidates"
    __table_args__ = (UniqueConstraint("election_id", "person_ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("ga_elections.id"), index=True)
    # A stable handle for the person across sessions (for "no immediate re-election").
    person_ref: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(ForeignKey("members.code"))


class CommitteeSeat(Base):
    """A holder of an Executive Committee seat, elected here or recorded by the secretariat."""

    __tablename__ = "ga_committee"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post: Mapped[str] = mapped_column(String(16))
    region: Mapped[str | None] = mapped_column(String(24))  # the seat's region; None: President
    person_ref: Mapped[str] = mapped_column(String(120), index=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(ForeignKey("members.code"))
    term_ends: Mapped[int] = mapped_column(Integer)  # year of the session ending the term
    election_id: Mapped[int | None] = mapped_column(ForeignKey("ga_elections.id"))


# --- bilateral meetings ----------------------------------------------------------------------


class MeetingRequest(Base):
    __tablename__ = "ga_meeting_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("ga_sessions.id"), index=True)
    requester: Mapped[str] = mapped_column(ForeignKey("members.code"))
    invitee: Mapped[str] = mapped_column(ForeignKey("members.code"))
    subject: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]


class MeetingSlot(Base):
    __tablename__ = "ga_meeting_slots"
    __table_args__ = (UniqueConstraint("session_id", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("ga_sessions.id"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]


class MeetingRoom(Base):
    __tablename__ = "ga_meeting_rooms"
    __table_args__ = (UniqueConstraint("session_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("ga_sessions.id"))
    name: Mapped[str] = mapped_column(String(120))


class MeetingBooking(Base):
    """An accepted meeting placed in a slot and a room; a room holds one meeting per slot."""

    __tablename__ = "ga_meeting_bookings"
    __table_args__ = (UniqueConstraint("slot_id", "room_id"),)

    request_id: Mapped[int] = mapped_column(ForeignKey("ga_meeting_requests.id"), primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("ga_meeting_slots.id"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("ga_meeting_rooms.id"))
