"""JSON routes of the General Assembly.

Public (no login) under /api/v1/public/assembly: sessions, agendas, results, elections with
every round, published bulletin boards and their verification, the Executive Committee.
Everything else under /api/v1/assembly, for the secretariat (assembly.admin) and delegates
(assembly.vote); the services check who may do what.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from interlink.assembly import service, service_agreements, service_meetings, service_voting
from interlink.assembly.keys import SealKeyFile
from interlink.assembly.schemas import (
    AgreementIn,
    AgreementOut,
    AnnulIn,
    AnswerIn,
    AttendanceIn,
    BallotIn,
    BallotOut,
    BoardOut,
    BookingOut,
    CandidateIn,
    CandidateOut,
    DelegationIn,
    DelegationMemberOut,
    DelegationOut,
    DocumentIn,
    DocumentOut,
    ElectionIn,
    ElectionOut,
    ItemIn,
    ItemOut,
    MeetingRequestIn,
    MeetingRequestOut,
    MemberIn,
    PowersIn,
    RollCallOut,
    RoomIn,
    RoomOut,
    ScheduleOut,
    SeatHolderIn,
    SeatHolderOut,
    SessionDetail,
    SessionIn,
    SessionOut,
    SessionPatch,
    SlotIn,
    SlotOut,
    StatusIn,
    VerificationOut,
    VoteIn,
    VoteOut,
    VoterBallotOut,
)
from interlink.assembly.service_agreements import PartySpec
from interlink.assembly.views import (
    board_out,
    booking_out,
    election_out,
    session_detail,
    verification_out,
)
from interlink.core.auth import Principal
from interlink.deps import Id, app_state, current_principal, unit_of_work

public = APIRouter(prefix="/api/v1/public/assembly", tags=["assembly (public)"])
private = APIRouter(prefix="/api/v1/assembly", tags=["assembly"])
CountryPath = Annotated[str, Path(pattern=r"^[A-Za-z]{2}$")]
Who = Annotated[Principal, Depends(current_principal)]
CREATED = status.HTTP_201_CREATED


def seal_keys(request: Request) -> SealKeyFile:
    return SealKeyFile(app_state(request).settings.ballot_seal_key_file)


def _item_out(request: Request, item_id: int) -> ItemOut:
    with unit_of_work(request) as session:
        item = service.get_item(session, item_id)
        detail = session_detail(session, item.session)
    return next(i for i in detail.items if i.id == item_id)


# --- public ----------------------------------------------------------------------------------


@public.get("/sessions", response_model=list[SessionOut])
def list_sessions(request: Request) -> list[SessionOut]:
    with unit_of_work(request) as session:
        return [SessionOut.model_validate(s) for s in service.list_sessions(session)]


@public.get("/sessions/{number}", response_model=SessionDetail)
def get_session(request: Request, number: Id) -> SessionDetail:
    with unit_of_work(request) as session:
        return session_detail(session, service.get_session(session, number))


@public.get("/ballots/{ballot_id}", response_model=BallotOut)
def get_ballot(request: Request, ballot_id: Id) -> BallotOut:
    with unit_of_work(request) as session:
        return BallotOut.model_validate(service_voting.get_ballot(session, ballot_id))


@public.get("/ballots/{ballot_id}/board", response_model=BoardOut)
def get_board(request: Request, ballot_id: Id) -> BoardOut:
    """The bulletin board of a closed secret ballot: recompute the tally, check the chain,
    find your tracking code."""
    with unit_of_work(request) as session:
        return board_out(service_voting.board_of(session, ballot_id))


@public.get("/ballots/{ballot_id}/verification", response_model=VerificationOut)
def verify_ballot(request: Request, ballot_id: Id) -> VerificationOut:
    with unit_of_work(request) as session:
        return verification_out(service_voting.verify_ballot(session, ballot_id))


@public.get("/ballots/{ballot_id}/voters", response_model=list[str])
def get_register(request: Request, ballot_id: Id) -> list[str]:
    """The members who have voted (the eligibility register), alphabetically."""
    with unit_of_work(request) as session:
        return service_voting.register(session, ballot_id)


@public.get("/ballots/{ballot_id}/roll-call", response_model=list[RollCallOut])
def get_roll_call(request: Request, ballot_id: Id) -> list[RollCallOut]:
    with unit_of_work(request) as session:
        return [
            RollCallOut(country=c, choice=v)
            for c, v in service_voting.roll_call(session, ballot_id)
        ]


@public.get("/elections/{election_id}", response_model=ElectionOut)
def get_election(request: Request, election_id: Id) -> ElectionOut:
    with unit_of_work(request) as session:
        return election_out(session, service_voting.get_election(session, election_id))


@public.get("/committee", response_model=list[SeatHolderOut])
def list_committee(
    request: Request, serving_after: Annotated[int | None, Query(ge=1900, le=2200)] = None
) -> list[SeatHolderOut]:
    with unit_of_work(request) as session:
        return [
            SeatHolderOut.model_validate(s)
            for s in service_voting.list_committee(session, serving_after)
        ]


# --- sessions and agenda (secretariat) -------------------------------------------------------


@private.post("/sessions", response_model=SessionOut, status_code=CREATED)
def create_session(request: Request, body: SessionIn, principal: Who) -> SessionOut:
    settings = service.SessionSettings(**body.model_dump(exclude={"number"}))
    with unit_of_work(request) as session:
        ga = service.create_session(session, principal, body.number, settings)
        return SessionOut.model_validate(ga)


@private.patch("/sessions/{number}", response_model=SessionOut)
def update_session(request: Request, number: Id, body: SessionPatch, principal: Who) -> SessionOut:
    with unit_of_work(request) as session:
        ga = service.update_session(
            session, principal, number, service.SessionSettings(**body.model_dump())
        )
        return SessionOut.model_validate(ga)


@private.post("/sessions/{number}/open", response_model=SessionOut)
def open_session(request: Request, number: Id, principal: Who) -> SessionOut:
    with unit_of_work(request) as session:
        return SessionOut.model_validate(service.open_session(session, principal, number))


@private.post("/sessions/{number}/close", response_model=SessionOut)
def close_session(request: Request, number: Id, principal: Who) -> SessionOut:
    with unit_of_work(request) as session:
        ga = service.close_session(session, principal, number, seal_keys(request))
        return SessionOut.model_validate(ga)


@private.post("/sessions/{number}/items", response_model=ItemOut, status_code=CREATED)
def add_item(request: Request, number: Id, body: ItemIn, principal: Who) -> ItemOut:
    with unit_of_work(request) as session:
        item = service.add_item(
            session,
            principal,
            number,
            title=body.title,
            kind=body.kind,
            majority_rule=body.majority_rule,
        )
        item_id = item.id
    return _item_out(request, item_id)


@private.post("/items/{item_id}/documents", response_model=DocumentOut, status_code=CREATED)
def add_item_document(
    request: Request, item_id: Id, body: DocumentIn, principal: Who
) -> DocumentOut:
    with unit_of_work(request) as session:
        document = service.add_item_document(session, principal, item_id, **body.model_dump())
        return DocumentOut.model_validate(document)


@private.post("/items/{item_id}/noted", response_model=ItemOut)
def note_report(request: Request, item_id: Id, principal: Who) -> ItemOut:
    with unit_of_work(request) as session:
        service.note_report(session, principal, item_id)
    return _item_out(request, item_id)


# --- delegations -----------------------------------------------------------------------------


@private.get("/sessions/{number}/delegations", response_model=list[DelegationOut])
def list_delegations(request: Request, number: Id, principal: Who) -> list[DelegationOut]:
    with unit_of_work(request) as session:
        return [
            DelegationOut.model_validate(d)
            for d in service.list_delegations(session, principal, number)
        ]


@private.post("/sessions/{number}/delegations", response_model=DelegationOut, status_code=CREATED)
def register_delegation(
    request: Request, number: Id, body: DelegationIn, principal: Who
) -> DelegationOut:
    with unit_of_work(request) as session:
        delegation = service.register_delegation(
            session,
            principal,
            number,
            body.country,
            head_name=body.head_name,
            head_user_id=body.head_user_id,
        )
        return DelegationOut.model_validate(delegation)


@private.get("/sessions/{number}/delegations/{country}", response_model=DelegationOut)
def get_delegation(
    request: Request, number: Id, country: CountryPath, principal: Who
) -> DelegationOut:
    with unit_of_work(request) as session:
        return DelegationOut.model_validate(
            service.read_delegation(session, principal, number, country)
        )


@private.post(
    "/sessions/{number}/delegations/{country}/members",
    response_model=DelegationMemberOut,
    status_code=CREATED,
)
def add_member(
    request: Request, number: Id, country: CountryPath, body: MemberIn, principal: Who
) -> DelegationMemberOut:
    with unit_of_work(request) as session:
        added = service.add_member(
            session,
            principal,
            number,
            country,
            name=body.name,
            role=body.role,
            user_id=body.user_id,
        )
        return DelegationMemberOut.model_validate(added)


@private.delete(
    "/sessions/{number}/delegations/{country}/members/{member_id}", response_model=DelegationOut
)
def remove_member(
    request: Request, number: Id, country: CountryPath, member_id: Id, principal: Who
) -> DelegationOut:
    with unit_of_work(request) as session:
        return DelegationOut.model_validate(
            service.remove_member(session, principal, number, country, member_id)
        )


@private.post("/sessions/{number}/delegations/{country}/credentials", response_model=DelegationOut)
def submit_credentials(
    request: Request, number: Id, country: CountryPath, principal: Who
) -> DelegationOut:
    with unit_of_work(request) as session:
        return DelegationOut.model_validate(
            service.submit_credentials(session, principal, number, country)
        )


@private.post(
    "/sessions/{number}/delegations/{country}/credentials/verified", response_model=DelegationOut
)
def verify_credentials(
    request: Request, number: Id, country: CountryPath, principal: Who
) -> DelegationOut:
    with unit_of_work(request) as session:
        return DelegationOut.model_validate(
            service.verify_credentials(session, principal, number, country)
        )


@private.put("/sessions/{number}/delegations/{country}/attendance", response_model=DelegationOut)
def set_attendance(
    request: Request, number: Id, country: CountryPath, body: AttendanceIn, principal: Who
) -> DelegationOut:
    with unit_of_work(request) as session:
        return DelegationOut.model_validate(
            service.set_attendance(session, principal, number, country, body.present)
        )


@private.post("/sessions/{number}/delegations/{country}/powers", response_model=DelegationOut)
def grant_powers(
    request: Request, number: Id, country: CountryPath, body: PowersIn, principal: Who
) -> DelegationOut:
    with unit_of_work(request) as session:
        return DelegationOut.model_validate(
            service.grant_powers(
                session,
                principal,
                number,
                country,
                holder_member_id=body.holder_member_id,
                item_id=body.item_id,
            )
        )


@private.delete("/sessions/{number}/delegations/{country}/powers", response_model=DelegationOut)
def revoke_powers(
    request: Request,
    number: Id,
    country: CountryPath,
    principal: Who,
    item_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> DelegationOut:
    with unit_of_work(request) as session:
        return DelegationOut.model_validate(
            service.revoke_powers(session, principal, number, country, item_id=item_id)
        )


# --- ballots and elections -------------------------------------------------------------------


@private.post("/sessions/{number}/agenda/ballot", response_model=BallotOut, status_code=CREATED)
def open_agenda_ballot(request: Request, number: Id, body: BallotIn, principal: Who) -> BallotOut:
    with unit_of_work(request) as session:
        return BallotOut.model_validate(
            service_voting.open_agenda_ballot(
                session, principal, number, secret=body.secret, keys=seal_keys(request)
            )
        )


@private.post("/items/{item_id}/ballot", response_model=BallotOut, status_code=CREATED)
def open_resolution_ballot(
    request: Request, item_id: Id, body: BallotIn, principal: Who
) -> BallotOut:
    with unit_of_work(request) as session:
        return BallotOut.model_validate(
            service_voting.open_resolution_ballot(
                session, principal, item_id, secret=body.secret, keys=seal_keys(request)
            )
        )


@private.get("/sessions/{number}/my-ballots", response_model=list[VoterBallotOut])
def my_ballots(request: Request, number: Id, principal: Who) -> list[VoterBallotOut]:
    """The open ballots, and whether you may cast your country's vote on each (and why not)."""
    with unit_of_work(request) as session:
        ga = service.get_session(session, number)
        return [
            VoterBallotOut(
                ballot=BallotOut.model_validate(v.ballot),
                may_vote=v.right.allowed and not v.voted,
                reason=v.right.reason,
                detail=v.right.detail,
                voted=v.voted,
            )
            for v in service_voting.ballots_for_voter(session, principal, ga)
        ]


@private.post("/ballots/{ballot_id}/votes", response_model=VoteOut, status_code=CREATED)
def cast_vote(
    request: Request, ballot_id: Id, body: VoteIn, principal: Who, response: Response
) -> VoteOut:
    with unit_of_work(request) as session:
        cast = service_voting.cast_vote(
            session,
            principal,
            ballot_id,
            choice=body.choice,
            country=body.country,
            keys=seal_keys(request),
        )
        out = VoteOut(
            ballot_id=cast.ballot.id,
            ballot=cast.ballot.public_id,
            country=cast.country,
            tracking_code=cast.receipt.tracking_code if cast.receipt else None,
        )
    response.headers["Cache-Control"] = "no-store"  # the receipt is kept by the voter only
    return out


@private.post("/ballots/{ballot_id}/close", response_model=BallotOut)
def close_ballot(request: Request, ballot_id: Id, principal: Who) -> BallotOut:
    with unit_of_work(request) as session:
        return BallotOut.model_validate(
            service_voting.close_ballot(session, principal, ballot_id, keys=seal_keys(request))
        )


@private.post("/ballots/{ballot_id}/annul", response_model=BallotOut)
def annul_ballot(request: Request, ballot_id: Id, body: AnnulIn, principal: Who) -> BallotOut:
    with unit_of_work(request) as session:
        return BallotOut.model_validate(
            service_voting.annul_ballot(session, principal, ballot_id, reason=body.reason)
        )


@private.post("/items/{item_id}/elections", response_model=ElectionOut, status_code=CREATED)
def create_election(request: Request, item_id: Id, body: ElectionIn, principal: Who) -> ElectionOut:
    with unit_of_work(request) as session:
        election = service_voting.create_election(session, principal, item_id, **body.model_dump())
        return election_out(session, election)


@private.post(
    "/elections/{election_id}/candidates", response_model=CandidateOut, status_code=CREATED
)
def add_candidate(
    request: Request, election_id: Id, body: CandidateIn, principal: Who
) -> CandidateOut:
    with unit_of_work(request) as session:
        return CandidateOut.model_validate(
            service_voting.add_candidate(session, principal, election_id, **body.model_dump())
        )


@private.delete("/elections/{election_id}/candidates/{candidate_id}", response_model=ElectionOut)
def withdraw_candidate(
    request: Request, election_id: Id, candidate_id: Id, principal: Who
) -> ElectionOut:
    with unit_of_work(request) as session:
        election = service_voting.withdraw_candidate(session, principal, election_id, candidate_id)
        return election_out(session, election)


@private.post("/elections/{election_id}/rounds", response_model=BallotOut, status_code=CREATED)
def open_round(request: Request, election_id: Id, principal: Who) -> BallotOut:
    with unit_of_work(request) as session:
        return BallotOut.model_validate(
            service_voting.open_round(session, principal, election_id, keys=seal_keys(request))
        )


@private.post("/committee", response_model=SeatHolderOut, status_code=CREATED)
def record_seat_holder(request: Request, body: SeatHolderIn, principal: Who) -> SeatHolderOut:
    with unit_of_work(request) as session:
        return SeatHolderOut.model_validate(
            service_voting.record_seat_holder(session, principal, **body.model_dump())
        )


# --- bilateral meetings ----------------------------------------------------------------------


@private.get("/sessions/{number}/meetings/requests", response_model=list[MeetingRequestOut])
def list_meeting_requests(request: Request, number: Id, principal: Who) -> list[MeetingRequestOut]:
    with unit_of_work(request) as session:
        return [
            MeetingRequestOut.model_validate(r)
            for r in service_meetings.meeting_requests(session, principal, number)
        ]


@private.post(
    "/sessions/{number}/meetings/requests", response_model=MeetingRequestOut, status_code=CREATED
)
def request_meeting(
    request: Request, number: Id, body: MeetingRequestIn, principal: Who
) -> MeetingRequestOut:
    with unit_of_work(request) as session:
        return MeetingRequestOut.model_validate(
            service_meetings.request_meeting(
                session, principal, number, invitee=body.invitee, subject=body.subject
            )
        )


@private.post("/meetings/requests/{request_id}/answer", response_model=MeetingRequestOut)
def answer_meeting(
    request: Request, request_id: Id, body: AnswerIn, principal: Who
) -> MeetingRequestOut:
    with unit_of_work(request) as session:
        return MeetingRequestOut.model_validate(
            service_meetings.answer_meeting(session, principal, request_id, accept=body.accept)
        )


@private.post("/sessions/{number}/meetings/slots", response_model=SlotOut, status_code=CREATED)
def add_slot(request: Request, number: Id, body: SlotIn, principal: Who) -> SlotOut:
    with unit_of_work(request) as session:
        return SlotOut.model_validate(
            service_meetings.add_slot(
                session, principal, number, starts_at=body.starts_at, ends_at=body.ends_at
            )
        )


@private.post("/sessions/{number}/meetings/rooms", response_model=RoomOut, status_code=CREATED)
def add_room(request: Request, number: Id, body: RoomIn, principal: Who) -> RoomOut:
    with unit_of_work(request) as session:
        return RoomOut.model_validate(
            service_meetings.add_room(session, principal, number, name=body.name)
        )


@private.post("/sessions/{number}/meetings/schedule", response_model=ScheduleOut)
def schedule_meetings(request: Request, number: Id, principal: Who) -> ScheduleOut:
    with unit_of_work(request) as session:
        report = service_meetings.schedule(session, principal, number)
    return ScheduleOut(
        booked=[booking_out(b) for b in report.booked],
        unscheduled=[int(r.request_id) for r in report.unscheduled],
    )


@private.get("/sessions/{number}/meetings/schedule", response_model=list[BookingOut])
def my_schedule(
    request: Request,
    number: Id,
    principal: Who,
    country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$")] = None,
) -> list[BookingOut]:
    """Your delegation's meetings; the secretariat may name any country."""
    with unit_of_work(request) as session:
        bookings = service_meetings.delegation_schedule(session, principal, number, country)
    return [booking_out(b) for b in bookings]


@private.get(
    "/sessions/{number}/meetings/calendar.ics", responses={200: {"content": {"text/calendar": {}}}}
)
def my_calendar(request: Request, number: Id, principal: Who) -> Response:
    with unit_of_work(request) as session:
        body = service_meetings.calendar(session, principal, number)
    return Response(
        body,
        media_type="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="GA{number}-meetings.ics"'},
    )


# --- agreements ------------------------------------------------------------------------------


@private.get("/agreements", response_model=list[AgreementOut])
def list_agreements(request: Request, principal: Who) -> list[AgreementOut]:
    with unit_of_work(request) as session:
        return [
            AgreementOut.model_validate(a)
            for a in service_agreements.list_agreements(session, principal)
        ]


@private.post("/agreements", response_model=AgreementOut, status_code=CREATED)
def create_agreement(request: Request, body: AgreementIn, principal: Who) -> AgreementOut:
    with unit_of_work(request) as session:
        agreement = service_agreements.create_agreement(
            session,
            principal,
            title=body.title,
            kind=body.kind,
            parties=[PartySpec(**p.model_dump()) for p in body.parties],
            proposed_on=body.proposed_on,
            summary=body.summary,
            session_number=body.session_number,
        )
        return AgreementOut.model_validate(agreement)


@private.get("/agreements/{agreement_id}", response_model=AgreementOut)
def get_agreement(request: Request, agreement_id: Id, principal: Who) -> AgreementOut:
    with unit_of_work(request) as session:
        return AgreementOut.model_validate(
            service_agreements.get_agreement(session, principal, agreement_id)
        )


@private.post("/agreements/{agreement_id}/status", response_model=AgreementOut)
def change_agreement_status(
    request: Request, agreement_id: Id, body: StatusIn, principal: Who
) -> AgreementOut:
    with unit_of_work(request) as session:
        return AgreementOut.model_validate(
            service_agreements.change_status(
                session, principal, agreement_id, status=body.status, on=body.on
            )
        )


@private.post(
    "/agreements/{agreement_id}/documents", response_model=DocumentOut, status_code=CREATED
)
def add_agreement_document(
    request: Request, agreement_id: Id, body: DocumentIn, principal: Who
) -> DocumentOut:
    with unit_of_work(request) as session:
        return DocumentOut.model_validate(
            service_agreements.add_agreement_document(
                session, principal, agreement_id, **body.model_dump()
            )
        )


router = APIRouter()
router.include_router(public)
router.include_router(private)
