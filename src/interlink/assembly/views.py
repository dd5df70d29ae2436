"""Read models shared by the API and the pages: sessions with their agenda and results,
elections with every round, boards, bookings."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.assembly import scheduling, service, service_voting
from interlink.assembly.ballot_box import BulletinBoard
from interlink.assembly.models import AgendaItem, AssemblySession, Ballot, Election
from interlink.assembly.schemas import (
    BallotOut,
    BoardEntryOut,
    BoardOut,
    BookingOut,
    CandidateOut,
    DocumentOut,
    ElectionOut,
    ItemOut,
    QuorumOut,
    SessionDetail,
    SessionOut,
    VerificationOut,
)


def election_out(session: Session, election: Election) -> ElectionOut:
    rounds = list(
        session.scalars(select(Ballot).where(Ballot.election_id == election.id).order_by(Ballot.id))
    )
    return ElectionOut(
        id=election.id,
        item_id=election.item_id,
        seat=service_voting.seat_of(election).label,
        post=election.post,
        region=election.region,
        tie_rule=election.tie_rule,
        lot_seed=election.lot_seed,
        status=election.status,
        elected_person=election.elected_person,
        candidates=[CandidateOut.model_validate(c) for c in election.candidates],
        rounds=[
            {**b.outcome, "ballot_id": b.id} for b in rounds if b.status == "closed" and b.outcome
        ],
        ballots=[b.id for b in rounds],
    )


def _item_out(session: Session, item: AgendaItem, ballots: list[Ballot]) -> ItemOut:
    return ItemOut(
        id=item.id,
        number=item.number,
        title=item.title,
        kind=item.kind,
        majority_rule=item.majority_rule,
        status=item.status,
        outcome=item.outcome,
        documents=[DocumentOut.model_validate(d) for d in item.documents],
        ballots=[
            BallotOut.model_validate(b)
            for b in ballots
            if b.item_id == item.id and b.purpose == "resolution"
        ],
        elections=[election_out(session, e) for e in service_voting.elections_of(session, item)],
    )


def session_detail(session: Session, ga: AssemblySession) -> SessionDetail:
    """A session as the public sees it: agenda, documents, ballots, results, live quorum."""
    ballots = service_voting.ballots_of(session, ga)
    quorum = service.quorum_status(session, ga)
    return SessionDetail(
        **SessionOut.model_validate(ga).model_dump(),
        quorum=QuorumOut(
            present=quorum.present, members=quorum.members, required=quorum.required, met=quorum.met
        ),
        agenda_ballots=[BallotOut.model_validate(b) for b in ballots if b.purpose == "agenda"],
        items=[_item_out(session, item, ballots) for item in ga.items],
    )


def board_out(board: BulletinBoard) -> BoardOut:
    return BoardOut(
        ballot=board.spec.ballot_id,
        question=board.spec.question,
        options=list(board.spec.options),
        head=board.head,
        entries=[
            BoardEntryOut(position=e.position, code=e.code, choice=e.choice, hash=e.hash)
            for e in board.entries
        ],
    )


def verification_out(report: service_voting.Verification) -> VerificationOut:
    return VerificationOut(
        ok=report.ok,
        entries=report.entries,
        voters=report.voters,
        head=report.head,
        problems=list(report.problems),
        position=report.position,
    )


def booking_out(booking: scheduling.Booking) -> BookingOut:
    request = booking.request
    return BookingOut(
        request_id=int(request.request_id),
        requester=request.requester,
        invitee=request.invitee,
        subject=request.subject,
        room=booking.room.name,
        starts_at=booking.slot.start,
        ends_at=booking.slot.end,
    )
