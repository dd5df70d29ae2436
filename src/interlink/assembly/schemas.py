"""Request and response bodies of the General Assembly API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from interlink.assembly.majority import MajorityRule
from interlink.assembly.models import shown_question

Country = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
City = Annotated[str, StringConstraints(min_length=1, max_length=120)]
PersonRef = Annotated[
    str, StringConstraints(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9._:-]+$")
]
DbId = Annotated[int, Field(ge=1, le=2**62)]
Region = Literal["africa", "americas", "asia_south_pacific", "europe"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- sessions and agenda ---------------------------------------------------------------------


class _SessionOptions(_In):
    next_host_city: City | None = None
    next_host_country: Country | None = None
    quorum_share: str | None = Field(
        default=None,
        pattern=r"^\d{1,4}(/\d{1,4}|\.\d{1,6})?$",
        description="A fraction of the members, e.g. 1/2 or 2/3",
    )
    quorum_strictly_more: bool | None = Field(
        default=None, description="true: more than the share; false: at least the share"
    )
    quorum_basis: Literal["all_members", "voting_members"] | None = None
    arrears_bar_voting: bool | None = None
    suspension_bars_voting: bool | None = None


class SessionIn(_SessionOptions):
    number: int = Field(ge=1, le=10_000)
    host_city: City
    host_country: Country
    starts_on: date
    ends_on: date


class SessionPatch(_SessionOptions):
    host_city: City | None = None
    host_country: Country | None = None
    starts_on: date | None = None
    ends_on: date | None = None


class QuorumOut(BaseModel):
    present: int
    members: int
    required: int
    met: bool


class SessionOut(_Out):
    number: int
    code: str
    host_city: str
    host_country: str
    starts_on: date
    ends_on: date
    next_host_city: str | None
    next_host_country: str | None
    status: str
    agenda_adopted: bool
    quorum_share: str
    quorum_strictly_more: bool
    quorum_basis: str
    arrears_bar_voting: bool
    suspension_bars_voting: bool


class ItemIn(_In):
    title: str = Field(min_length=1, max_length=300)
    kind: Literal["report", "resolution", "election"]
    majority_rule: MajorityRule | None = None


class DocumentIn(_In):
    title: str = Field(min_length=1, max_length=300)
    reference: str = Field(default="", max_length=80)
    url: str = Field(default="", max_length=500)
    language: str = Field(default="en", pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")


class DocumentOut(_Out):
    id: int
    title: str
    reference: str
    url: str
    language: str
    added_at: datetime


class BallotOut(_Out):
    id: int
    public_id: str
    purpose: str
    question: str = Field(description="In the language of the answer where the platform wrote it")
    options: list[str]
    secret: bool
    status: str
    majority_rule: str | None
    item_id: int | None
    election_id: int | None
    round_number: int | None
    opened_at: datetime
    closed_at: datetime | None
    voters: int | None
    tally: dict[str, Any] | None
    outcome: dict[str, Any] | None
    board_head: str | None

    @field_validator("question")
    @classmethod
    def _in_language(cls, question: str, info: ValidationInfo) -> str:
        return shown_question(question, info.data.get("purpose", ""))


class CandidateIn(_In):
    name: Name
    country: Country
    person_ref: PersonRef | None = None


class CandidateOut(_Out):
    id: int
    person_ref: str
    name: str
    country: str


class ElectionIn(_In):
    post: Literal["president", "vice_president", "delegate"]
    region: Region | None = None
    tie_rule: Literal["previous_rounds_then_lot", "lot"] = "previous_rounds_then_lot"
    lot_seed: str | None = Field(default=None, min_length=1, max_length=200)


class ElectionOut(BaseModel):
    id: int
    item_id: int
    seat: str
    post: str
    region: str | None
    tie_rule: str
    lot_seed: str
    status: str
    elected_person: str | None
    candidates: list[CandidateOut]
    rounds: list[dict[str, Any]]
    ballots: list[int]


class ItemOut(BaseModel):
    id: int
    number: int
    title: str
    kind: str
    majority_rule: str | None
    status: str
    outcome: dict[str, Any] | None
    documents: list[DocumentOut]
    ballots: list[BallotOut]
    elections: list[ElectionOut]


class SessionDetail(SessionOut):
    quorum: QuorumOut
    agenda_ballots: list[BallotOut]
    items: list[ItemOut]


# --- delegations -----------------------------------------------------------------------------


class DelegationIn(_In):
    country: Country
    head_name: str = Field(default="", max_length=200)
    head_user_id: DbId | None = None


class MemberIn(_In):
    name: str = Field(default="", max_length=200)
    role: Literal["delegate", "observer"]
    user_id: DbId | None = None


class DelegationMemberOut(_Out):
    id: int
    name: str
    role: str
    user_id: int | None


class GrantOut(_Out):
    scope: str
    holder_member_id: int


class DelegationOut(_Out):
    id: int
    country: str
    credentials: str
    present: bool
    members: list[DelegationMemberOut]
    grants: list[GrantOut]


class AttendanceIn(_In):
    present: bool


class PowersIn(_In):
    holder_member_id: DbId
    item_id: DbId | None = Field(
        default=None, description="One agenda item; none: the whole session"
    )


# --- voting ----------------------------------------------------------------------------------


class BallotIn(_In):
    secret: bool = True


class AnnulIn(_In):
    reason: str = Field(min_length=1, max_length=500)


class VoteIn(_In):
    choice: str = Field(min_length=1, max_length=200)
    country: Country | None = Field(
        default=None, description="The member whose vote is cast; default: yours"
    )


class VoteOut(BaseModel):
    ballot_id: int
    ballot: str
    country: str
    tracking_code: str | None = Field(
        description="Secret ballots: your receipt. It is stored nowhere: keep it now, then "
        "find it on the published bulletin board."
    )


class VoterBallotOut(BaseModel):
    ballot: BallotOut
    may_vote: bool
    reason: str | None
    detail: str
    voted: bool


class BoardEntryOut(BaseModel):
    position: int
    code: str
    choice: str
    hash: str


class BoardOut(BaseModel):
    ballot: str
    question: str
    options: list[str]
    head: str
    entries: list[BoardEntryOut]


class VerificationOut(BaseModel):
    ok: bool
    entries: int
    voters: int
    head: str
    problems: list[str]
    position: int | None


class RollCallOut(BaseModel):
    country: str
    choice: str


class SeatHolderIn(_In):
    post: Literal["president", "vice_president", "delegate"]
    region: Region | None = None
    name: Name
    country: Country
    term_ends: int = Field(ge=1901, le=2199)
    person_ref: PersonRef | None = None


class SeatHolderOut(_Out):
    id: int
    post: str
    region: str | None
    person_ref: str
    name: str
    country: str
    term_ends: int
    election_id: int | None


# --- bilateral meetings ----------------------------------------------------------------------


class MeetingRequestIn(_In):
    invitee: Country
    subject: str = Field(default="", max_length=300)


class AnswerIn(_In):
    accept: bool


class MeetingRequestOut(_Out):
    id: int
    requester: str
    invitee: str
    subject: str
    status: str
    created_at: datetime
    answered_at: datetime | None


class SlotIn(_In):
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class SlotOut(_Out):
    id: int
    starts_at: datetime
    ends_at: datetime


class RoomIn(_In):
    name: str = Field(min_length=1, max_length=120)


class RoomOut(_Out):
    id: int
    name: str


class BookingOut(BaseModel):
    request_id: int
    requester: str
    invitee: str
    subject: str
    room: str
    starts_at: datetime
    ends_at: datetime


class ScheduleOut(BaseModel):
    booked: list[BookingOut]
    unscheduled: list[int]


# --- agreements ------------------------------------------------------------------------------


class PartyIn(_In):
    country: Country | None = None
    organisation: str | None = Field(default=None, min_length=2, max_length=40)
    name: str | None = Field(default=None, min_length=1, max_length=200)


class AgreementIn(_In):
    title: str = Field(min_length=1, max_length=300)
    kind: Literal["memorandum_of_understanding", "cooperation_agreement"]
    parties: list[PartyIn] = Field(min_length=2, max_length=50)
    proposed_on: date
    summary: str = Field(default="", max_length=5000)
    session_number: int | None = Field(default=None, ge=1, le=10_000)


class StatusIn(_In):
    status: Literal["negotiating", "signed", "in_force", "terminated"]
    on: date


class PartyOut(_Out):
    country: str | None
    org_id: int | None
    name: str


class AgreementOut(_Out):
    id: int
    title: str
    kind: str
    status: str
    summary: str
    proposed_on: date
    signed_on: date | None
    in_force_on: date | None
    terminated_on: date | None
    parties: list[PartyOut]
    documents: list[DocumentOut]
