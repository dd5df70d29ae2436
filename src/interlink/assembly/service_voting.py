"""Ballots and Executive Committee elections: opening, casting, closing, boards and results.

Secret-ballot storage follows docs/assembly.md: the register row and the sealed ballot are
written in the casting transaction; at close the sealed ballots are opened, published as the
bulletin board and deleted in one transaction, and the board head goes to the audit log. The
receipt is returned to the caller and never stored; the audit log says who voted, never how.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from typing import Any

from normality import slugify
from sqlalchemy import Select, delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from interlink.assembly import Refused, RuleBroken, elections, rights
from interlink.assembly.ballot_box import (
    ALREADY_VOTED,
    BallotSpec,
    BoardEntry,
    BulletinBoard,
    Receipt,
    SealedBallot,
    SecretBallotBox,
    Tally,
    verify_board,
)
from interlink.assembly.keys import SealKeyFile, check_value
from interlink.assembly.majority import MajorityRule, Outcome, decide
from interlink.assembly.models import (
    AGENDA_QUESTION,
    AgendaItem,
    AssemblySession,
    Ballot,
    BallotVoter,
    BoardEntryRow,
    Candidate,
    CommitteeSeat,
    Delegation,
    Election,
    RollCallVote,
    SealedBallotRow,
)
from interlink.assembly.service import (
    get_item,
    get_session,
    member,
    member_count,
    person_of,
    quorum_status,
    record,
    require_admin,
    require_status,
    to_rights,
    voting_policy,
)
from interlink.core.audit import AuditEntry
from interlink.core.auth import Perm, Principal
from interlink.core.db import utcnow
from interlink.core.errors import InvalidInput, NotFound
from interlink.core.i18n import msg
from interlink.members.regions import REGION_OF

CLOSE_ACTION = "assembly.ballot.close"


# --- ballots ---------------------------------------------------------------------------------


def get_ballot(session: Session, ballot_id: int) -> Ballot:
    ballot = session.get(Ballot, ballot_id)
    if ballot is None:
        raise NotFound(msg("no ballot %(ballot_id)s", ballot_id=ballot_id))
    return ballot


def spec_of(ballot: Ballot) -> BallotSpec:
    return BallotSpec(ballot.public_id, ballot.question, tuple(ballot.options))


def tally_of(ballot: Ballot) -> Tally | None:
    if ballot.tally is None:
        return None
    return Tally(counts=dict(ballot.tally["counts"]), abstentions=ballot.tally["abstentions"])


def ballots_of(session: Session, ga: AssemblySession) -> list[Ballot]:
    return list(
        session.scalars(select(Ballot).where(Ballot.session_id == ga.id).order_by(Ballot.id))
    )


def awaiting_vote_query(principal: Principal) -> Select[Ballot]:
    """Open ballots of open sessions in which the principal's country has not voted yet."""
    principal.require(Perm.ASSEMBLY_VOTE)
    country = principal.country or ""
    voted = exists().where(BallotVoter.ballot_id == Ballot.id, BallotVoter.country == country)
    return (
        select(Ballot)
        .join(AssemblySession, AssemblySession.id == Ballot.session_id)
        .where(Ballot.status == "open", AssemblySession.status == "open", ~voted)
        .order_by(Ballot.opened_at, Ballot.id)
    )


def _ready_to_vote(session: Session, ga: AssemblySession, *, agenda: bool = False) -> None:
    require_status(ga, "open")
    if not agenda and not ga.agenda_adopted:
        raise RuleBroken("the agenda must be adopted first", code="agenda_not_adopted")
    quorum = quorum_status(session, ga)
    if not quorum.met:
        raise RuleBroken(
            msg(
                "no quorum: %(present)s members present, %(required)s needed",
                present=quorum.present,
                required=quorum.required,
            ),
            code="no_quorum",
        )


def _free_public_id(session: Session, base: str) -> str:
    """`base`, or `base-2`, `base-3`... when an annulled ballot already used it."""
    taken = set(session.scalars(select(Ballot.public_id).where(Ballot.public_id.like(f"{base}%"))))
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)


def _open(
    session: Session,
    principal: Principal,
    ga: AssemblySession,
    spec: BallotSpec,
    *,
    purpose: str,
    secret: bool,
    keys: SealKeyFile,
    majority_rule: str | None = None,
    item_id: int | None = None,
    election: Election | None = None,
    round_number: int | None = None,
) -> Ballot:
    ballot = Ballot(
        public_id=spec.ballot_id,
        session_id=ga.id,
        item_id=item_id,
        election_id=election.id if election else None,
        round_number=round_number,
        purpose=purpose,
        question=spec.question,
        options=list(spec.options),
        secret=secret,
        status="open",
        majority_rule=majority_rule,
        seal_check=check_value(keys.load(), spec.ballot_id) if secret else None,
    )
    session.add(ballot)
    session.flush()
    record(
        session,
        principal,
        "ballot.open",
        "ga_ballot",
        ballot.id,
        ballot=ballot.public_id,
        secret=secret,
        question=ballot.question,
        options=ballot.options,
        majority_rule=majority_rule,
    )
    return ballot


def _no_open_ballot(session: Session, *conditions: Any) -> None:
    if session.scalars(select(Ballot.id).where(Ballot.status == "open", *conditions)).first():
        raise RuleBroken("a ballot on this question is already open", code="ballot_open")


def open_agenda_ballot(
    session: Session, principal: Principal, number: int, *, secret: bool, keys: SealKeyFile
) -> Ballot:
    """Put the agenda to the vote (a simple majority of the votes cast adopts it)."""
    require_admin(principal)
    ga = get_session(session, number)
    _ready_to_vote(session, ga, agenda=True)
    if ga.agenda_adopted:
        raise RuleBroken("the agenda is adopted already", code="agenda_adopted")
    if not ga.items:
        raise RuleBroken("the agenda has no item", code="empty_agenda")
    _no_open_ballot(session, Ballot.session_id == ga.id, Ballot.purpose == "agenda")
    spec = BallotSpec.resolution(
        _free_public_id(session, f"{ga.code}/agenda"),
        AGENDA_QUESTION % {"number": ga.number, "items": len(ga.items)},
    )
    return _open(
        session,
        principal,
        ga,
        spec,
        purpose="agenda",
        secret=secret,
        keys=keys,
        majority_rule=MajorityRule.SIMPLE_OF_CAST.value,
    )


def open_resolution_ballot(
    session: Session, principal: Principal, item_id: int, *, secret: bool, keys: SealKeyFile
) -> Ballot:
    require_admin(principal)
    item = get_item(session, item_id)
    _ready_to_vote(session, item.session)
    if item.kind != "resolution" or item.status != "pending":
        raise RuleBroken(
            "only a pending resolution is put to the vote", code="not_a_pending_resolution"
        )
    spec = BallotSpec.resolution(
        _free_public_id(session, f"{item.session.code}/item-{item.number}"), item.title
    )
    item.status = "voting"
    return _open(
        session,
        principal,
        item.session,
        spec,
        purpose="resolution",
        secret=secret,
        keys=keys,
        majority_rule=item.majority_rule,
        item_id=item.id,
    )


def _lock_open(session: Session, ballot_id: int) -> Ballot:
    """Lock an open ballot for this transaction (row lock on PostgreSQL, the write lock on
    SQLite) so casting and closing never interleave."""
    touched = session.execute(
        update(Ballot).where(Ballot.id == ballot_id, Ballot.status == "open").values(status="open")
    )
    ballot = get_ballot(session, ballot_id)
    if touched.rowcount == 0:  # type: ignore[attr-defined]
        raise RuleBroken(
            msg("ballot %(ballot)s is %(status)s", ballot=ballot.public_id, status=ballot.status),
            code=f"ballot_{ballot.status}",
        )
    return ballot


@dataclass(frozen=True, slots=True)
class CastResult:
    ballot: Ballot
    country: str
    receipt: Receipt | None  # secret ballots: give it to the voter, store it nowhere


def voting_right(
    session: Session, principal: Principal, ballot: Ballot, ga: AssemblySession, country: str
) -> rights.VotingRight:
    """May the principal cast `country`'s vote on this ballot? Says why not."""
    delegation = session.scalars(
        select(Delegation).where(Delegation.session_id == ga.id, Delegation.country == country)
    ).first()
    if delegation is None:
        return rights.VotingRight(
            False,
            rights.Refusal.NOT_IN_DELEGATION,
            f"{country} has no delegation at session {ga.number}",
        )
    person = person_of(delegation, principal)
    person_id = str(person.id) if person else f"user:{principal.user_id}"
    return rights.voting_right(
        to_rights(delegation, member(session, country)),
        person_id,
        item=None if ballot.item_id is None else str(ballot.item_id),
        policy=voting_policy(ga),
    )


def cast_vote(
    session: Session,
    principal: Principal,
    ballot_id: int,
    *,
    choice: str,
    country: str | None = None,
    keys: SealKeyFile,
) -> CastResult:
    """Cast a member's vote; `country` defaults to the principal's own."""
    principal.require(Perm.ASSEMBLY_VOTE)
    if principal.user_id is None:
        raise Refused(
            "a vote is cast by a delegate who logged in, not by an API token",
            code="person_required",
        )
    code = (country or principal.country or "").upper()
    ballot = _lock_open(session, ballot_id)
    ga = session.get_one(AssemblySession, ballot.session_id)
    require_status(ga, "open")
    voting_right(session, principal, ballot, ga, code).enforce()
    spec = spec_of(ballot)
    spec.check_choice(choice)
    if session.get(BallotVoter, (ballot.id, code)) is not None:
        raise RuleBroken(
            msg(ALREADY_VOTED, country=code, ballot=ballot.public_id), code="already_voted"
        )
    session.add(BallotVoter(ballot_id=ballot.id, country=code))
    receipt = None
    if ballot.secret:
        box = SecretBallotBox(spec, keys.sealer_for(ballot.public_id, ballot.seal_check or ""))
        cast = box.cast(code, choice)
        session.add(
            SealedBallotRow(
                seal_id=cast.sealed.seal_id, ballot_id=ballot.id, ciphertext=cast.sealed.ciphertext
            )
        )
        receipt = cast.receipt
    else:
        session.add(RollCallVote(ballot_id=ballot.id, country=code, choice=choice))
    try:
        session.flush()
    except IntegrityError:  # the register's key: a concurrent second vote of the member
        raise RuleBroken(
            msg(ALREADY_VOTED, country=code, ballot=ballot.public_id), code="already_voted"
        ) from None
    how = {} if ballot.secret else {"choice": choice}
    record(
        session,
        principal,
        "vote",
        "ga_ballot",
        ballot.id,
        country=code,
        ballot=ballot.public_id,
        **how,
    )
    return CastResult(ballot, code, receipt)


def close_ballot(
    session: Session, principal: Principal, ballot_id: int, *, keys: SealKeyFile
) -> Ballot:
    """Count the votes and apply the result; a secret ballot is published as its board."""
    require_admin(principal)
    ballot = _lock_open(session, ballot_id)
    spec = spec_of(ballot)
    voters = set(
        session.scalars(select(BallotVoter.country).where(BallotVoter.ballot_id == ballot.id))
    )
    if ballot.secret:
        board = _publish_board(session, ballot, spec, voters, keys)
        tally, ballot.board_head = board.tally(), board.head
    else:
        tally = Tally.of(
            spec,
            session.scalars(select(RollCallVote.choice).where(RollCallVote.ballot_id == ballot.id)),
        )
    ballot.outcome = _apply_result(session, ballot, tally)
    ballot.tally = {"counts": dict(tally.counts), "abstentions": tally.abstentions}
    ballot.status, ballot.closed_at, ballot.voters = "closed", utcnow(), len(voters)
    record(
        session,
        principal,
        "ballot.close",
        "ga_ballot",
        ballot.id,
        ballot=ballot.public_id,
        voters=len(voters),
        tally=ballot.tally,
        board_head=ballot.board_head,
        outcome=ballot.outcome,
    )
    return ballot


def _publish_board(
    session: Session, ballot: Ballot, spec: BallotSpec, voters: set[str], keys: SealKeyFile
) -> BulletinBoard:
    stored = session.scalars(
        select(SealedBallotRow).where(SealedBallotRow.ballot_id == ballot.id)
    ).all()
    box = SecretBallotBox(spec, keys.sealer_for(ballot.public_id, ballot.seal_check or ""), voters)
    board = box.close(SealedBallot(row.seal_id, row.ciphertext) for row in stored)
    session.add_all(
        BoardEntryRow(
            ballot_id=ballot.id, position=e.position, code=e.code, choice=e.choice, hash=e.hash
        )
        for e in board.entries
    )
    session.execute(delete(SealedBallotRow).where(SealedBallotRow.ballot_id == ballot.id))
    return board


def annul_ballot(session: Session, principal: Principal, ballot_id: int, *, reason: str) -> Ballot:
    """Annul an open ballot that cannot be counted (a tampered ballot store): its sealed
    ballots are deleted unopened and the question may be put to a new ballot."""
    require_admin(principal)
    if not reason.strip():
        raise InvalidInput("say why the ballot is annulled")
    ballot = _lock_open(session, ballot_id)
    session.execute(delete(SealedBallotRow).where(SealedBallotRow.ballot_id == ballot.id))
    ballot.status, ballot.closed_at = "annulled", utcnow()
    if ballot.purpose == "resolution":
        get_item(session, ballot.item_id).status = "pending"  # type: ignore[arg-type]
    record(
        session,
        principal,
        "ballot.annul",
        "ga_ballot",
        ballot.id,
        ballot=ballot.public_id,
        reason=reason.strip(),
    )
    return ballot


def outcome_dict(outcome: Outcome) -> dict[str, Any]:
    return {**asdict(outcome), "rule": outcome.rule.value, "threshold": outcome.threshold}


def _apply_result(session: Session, ballot: Ballot, tally: Tally) -> dict[str, Any]:
    if ballot.purpose == "election":
        return _record_round(session, ballot, tally)
    if ballot.majority_rule is None:  # set on every resolution's ballot when it opens
        raise RuleBroken(
            msg("ballot %(ballot)s has no majority rule", ballot=ballot.id), code="no_majority_rule"
        )
    outcome = decide(
        MajorityRule(ballot.majority_rule), tally.to_count(), members=member_count(session)
    )
    if ballot.purpose == "agenda":
        session.get_one(AssemblySession, ballot.session_id).agenda_adopted = outcome.adopted
    else:
        item = get_item(session, ballot.item_id)  # type: ignore[arg-type]
        item.status = "adopted" if outcome.adopted else "rejected"
        item.outcome = outcome_dict(outcome)
    return outcome_dict(outcome)


# --- the public record of a secret ballot ----------------------------------------------------


def board_of(session: Session, ballot_id: int) -> BulletinBoard:
    """The published bulletin board of a closed secret ballot."""
    ballot = get_ballot(session, ballot_id)
    if not ballot.secret or ballot.status != "closed":
        raise NotFound(
            msg("%(public_id)s has no published bulletin board", public_id=ballot.public_id)
        )
    rows = session.scalars(
        select(BoardEntryRow)
        .where(BoardEntryRow.ballot_id == ballot.id)
        .order_by(BoardEntryRow.position)
    )
    entries = tuple(BoardEntry(r.position, r.code, r.choice, r.hash) for r in rows)
    return BulletinBoard(spec_of(ballot), entries)


def audited_head(session: Session, ballot: Ballot) -> str | None:
    """The board head written to the (hash-chained) audit log when the ballot closed."""
    entry = session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.action == CLOSE_ACTION,
            AuditEntry.object_type == "ga_ballot",
            AuditEntry.object_id == str(ballot.id),
        )
        .order_by(AuditEntry.id)
    ).first()
    return entry.detail.get("board_head") if entry else None


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    entries: int
    voters: int
    head: str
    problems: tuple[str, ...]
    position: int | None = None  # the first bad board entry, when one can be named


def verify_ballot(session: Session, ballot_id: int) -> Verification:
    """What any observer checks: the chain ends at the published head, the head is the one
    in the audit log, the board has one entry per registered voter, and the tally recomputed
    from the board is the announced one."""
    ballot = get_ballot(session, ballot_id)
    board = board_of(session, ballot_id)
    head = ballot.board_head or ""
    register = (
        session.scalar(
            select(func.count()).select_from(BallotVoter).where(BallotVoter.ballot_id == ballot.id)
        )
        or 0
    )
    check = verify_board(board, head, expected_ballots=register)
    problems = [check.problem] if not check.ok else []
    if audited_head(session, ballot) != head:
        problems.append("the published head is not the one recorded in the audit log")
    if board.tally() != tally_of(ballot):
        problems.append("the tally recomputed from the board differs from the announced one")
    return Verification(
        not problems, len(board.entries), register, head, tuple(problems), check.position
    )


def register(session: Session, ballot_id: int) -> list[str]:
    """Who has voted (public: a member whose vote was removed with its sealed ballot sees
    that it is missing), in alphabetical order, which says nothing of the order of casting."""
    ballot = get_ballot(session, ballot_id)
    return list(
        session.scalars(
            select(BallotVoter.country)
            .where(BallotVoter.ballot_id == ballot.id)
            .order_by(BallotVoter.country)
        )
    )


def roll_call(session: Session, ballot_id: int) -> list[tuple[str, str]]:
    """How each member voted in a closed open vote."""
    ballot = get_ballot(session, ballot_id)
    if ballot.secret or ballot.status != "closed":
        raise NotFound(msg("%(public_id)s has no published roll call", public_id=ballot.public_id))
    return [
        (r.country, r.choice)
        for r in session.scalars(
            select(RollCallVote)
            .where(RollCallVote.ballot_id == ballot.id)
            .order_by(RollCallVote.country)
        )
    ]


@dataclass(frozen=True, slots=True)
class VoterBallot:
    ballot: Ballot
    right: rights.VotingRight
    voted: bool


def ballots_for_voter(
    session: Session, principal: Principal, ga: AssemblySession
) -> list[VoterBallot]:
    """The open ballots, each with whether the principal may cast their country's vote."""
    principal.require(Perm.ASSEMBLY_VOTE)
    country = principal.country or ""
    found = []
    for ballot in session.scalars(
        select(Ballot)
        .where(Ballot.session_id == ga.id, Ballot.status == "open")
        .order_by(Ballot.id)
    ):
        voted = session.get(BallotVoter, (ballot.id, country)) is not None
        found.append(
            VoterBallot(ballot, voting_right(session, principal, ballot, ga, country), voted)
        )
    return found


# --- Executive Committee elections -----------------------------------------------------------


def get_election(session: Session, election_id: int) -> Election:
    election = session.get(Election, election_id)
    if election is None:
        raise NotFound(msg("no election %(election_id)s", election_id=election_id))
    return election


def region_of(country: str) -> elections.Region:
    return elections.Region(REGION_OF[country].value)


def seat_of(election: Election) -> elections.Seat:
    region = elections.Region(election.region) if election.region else None
    return elections.Seat(elections.Post(election.post), region)


def committee(session: Session) -> elections.Committee:
    """The Executive Committee as recorded: every holder, past terms included."""
    rows = session.scalars(select(CommitteeSeat).order_by(CommitteeSeat.id))
    return elections.Committee(
        tuple(
            elections.SeatHolder(
                elections.Seat(
                    elections.Post(r.post), elections.Region(r.region) if r.region else None
                ),
                r.person_ref,
                r.country,
                region_of(r.country),
                r.term_ends,
            )
            for r in rows
        )
    )


def _pure_candidate(row: Candidate) -> elections.Candidate:
    return elections.Candidate(row.person_ref, row.name, row.country, region_of(row.country))


def seat_election(session: Session, election: Election) -> elections.SeatElection | None:
    """The election as the pure rules see it, its closed rounds replayed (None without
    candidates). Replaying the stored tallies gives the recorded results again."""
    if not election.candidates:
        return None
    race = elections.SeatElection(
        seat_of(election),
        tuple(_pure_candidate(c) for c in election.candidates),
        elections.TieBreak(elections.TieRule(election.tie_rule), election.lot_seed),
    )
    for ballot in session.scalars(
        select(Ballot)
        .where(Ballot.election_id == election.id, Ballot.status == "closed")
        .order_by(Ballot.round_number)
    ):
        race.record(tally_of(ballot))  # type: ignore[arg-type]
    return race


def create_election(
    session: Session,
    principal: Principal,
    item_id: int,
    *,
    post: str,
    region: str | None,
    tie_rule: str = elections.TieRule.PREVIOUS_ROUNDS_THEN_LOT.value,
    lot_seed: str | None = None,
) -> Election:
    """An election to one seat; the tie rule and lot seed are fixed now, before any round."""
    require_admin(principal)
    item = get_item(session, item_id)
    require_status(item.session, "planned", "open")
    # The item is decided once all its elections are: every seat is known before voting.
    if item.kind != "election" or item.status != "pending":
        raise RuleBroken(
            "seats are added to an election item before its first round",
            code="not_a_pending_election_item",
        )
    try:
        seat = elections.Seat(elections.Post(post), elections.Region(region) if region else None)
        rule = elections.TieRule(tie_rule)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    election = Election(
        session_id=item.session_id,
        item_id=item.id,
        post=seat.post.value,
        region=seat.region.value if seat.region else None,
        tie_rule=rule.value,
        lot_seed=(lot_seed or "").strip() or secrets.token_hex(8),
        status="candidacy",
    )
    session.add(election)
    session.flush()
    record(
        session,
        principal,
        "election.create",
        "ga_election",
        election.id,
        seat=seat.label,
        tie_rule=rule.value,
        lot_seed=election.lot_seed,
    )
    return election


def _session_year(session: Session, election: Election) -> int:
    return session.get_one(AssemblySession, election.session_id).starts_on.year


def add_candidate(
    session: Session,
    principal: Principal,
    election_id: int,
    *,
    name: str,
    country: str,
    person_ref: str | None = None,
) -> Candidate:
    require_admin(principal)
    election = get_election(session, election_id)
    if election.status != "candidacy":
        raise RuleBroken("candidacies close when the first round opens", code="candidacy_closed")
    code = member(session, country).code
    if not name.strip():
        raise InvalidInput("a candidate needs a name")
    ref = (person_ref or "").strip() or f"{code}-{slugify(name, sep='-')}"
    if any(c.person_ref == ref for c in election.candidates):
        raise RuleBroken(
            msg("%(name)s is already a candidate", name=name), code="duplicate_candidate"
        )
    candidate = Candidate(person_ref=ref, name=name.strip(), country=code)
    elections.check_candidacy(
        seat_of(election),
        _pure_candidate(candidate),
        committee(session),
        session_year=_session_year(session, election),
    )
    election.candidates.append(candidate)
    session.flush()
    record(
        session,
        principal,
        "election.candidate",
        "ga_election",
        election.id,
        country=code,
        candidate=ref,
        name=candidate.name,
    )
    return candidate


def withdraw_candidate(
    session: Session, principal: Principal, election_id: int, candidate_id: int
) -> Election:
    require_admin(principal)
    election = get_election(session, election_id)
    if election.status != "candidacy":
        raise RuleBroken("candidacies close when the first round opens", code="candidacy_closed")
    gone = next((c for c in election.candidates if c.id == candidate_id), None)
    if gone is None:
        raise NotFound(
            msg(
                "no candidate %(candidate_id)s in election %(election_id)s",
                candidate_id=candidate_id,
                election_id=election_id,
            )
        )
    election.candidates.remove(gone)
    record(
        session,
        principal,
        "election.withdraw",
        "ga_election",
        election.id,
        candidate=gone.person_ref,
    )
    return election


def open_round(
    session: Session, principal: Principal, election_id: int, *, keys: SealKeyFile
) -> Ballot:
    """Open the next round: a secret ballot between the remaining candidates."""
    require_admin(principal)
    election = get_election(session, election_id)
    ga = session.get_one(AssemblySession, election.session_id)
    _ready_to_vote(session, ga)
    if election.status == "decided":
        raise RuleBroken("this seat is filled", code="already_decided")
    _no_open_ballot(session, Ballot.election_id == election.id)
    race = seat_election(session, election)
    if race is None:
        raise RuleBroken("the election has no candidate", code="no_candidates")
    if race.round_number == 1:  # an earlier election of the session may have changed things
        for candidate in race.candidates:
            elections.check_candidacy(
                race.seat, candidate, committee(session), session_year=ga.starts_on.year
            )
    spec = race.ballot(
        _free_public_id(session, f"{ga.code}/election-{election.id}/round-{race.round_number}")
    )
    election.status = "voting"
    get_item(session, election.item_id).status = "voting"
    return _open(
        session,
        principal,
        ga,
        spec,
        purpose="election",
        secret=True,
        keys=keys,
        item_id=election.item_id,
        election=election,
        round_number=race.round_number,
    )


def round_dict(result: elections.RoundResult) -> dict[str, Any]:
    return {**asdict(result), "rule": result.rule.value, "votes": dict(result.votes)}


def _record_round(session: Session, ballot: Ballot, tally: Tally) -> dict[str, Any]:
    election = get_election(session, ballot.election_id)  # type: ignore[arg-type]
    race = seat_election(session, election)
    assert race is not None  # a round was opened, so there are candidates
    result = race.record(tally)
    if race.elected is not None:
        holder = race.holder(session_year=_session_year(session, election))
        election.status, election.elected_person = "decided", holder.person_id
        session.add(
            CommitteeSeat(
                post=holder.seat.post.value,
                region=holder.seat.region.value if holder.seat.region else None,
                person_ref=holder.person_id,
                name=race.elected.name,
                country=holder.country,
                term_ends=holder.term_ends,
                election_id=election.id,
            )
        )
        _settle_item(session, election.item_id)
    return round_dict(result)


def _settle_item(session: Session, item_id: int) -> None:
    session.flush()
    statuses = set(session.scalars(select(Election.status).where(Election.item_id == item_id)))
    if statuses == {"decided"}:
        get_item(session, item_id).status = "decided"


def candidate_names(session: Session, session_id: int) -> dict[str, str]:
    """Person refs (an election ballot's options) to "Name (country)", for display."""
    rows = session.scalars(
        select(Candidate).join(Election).where(Election.session_id == session_id)
    )
    return {c.person_ref: f"{c.name} ({c.country})" for c in rows}


def elections_of(session: Session, item: AgendaItem) -> list[Election]:
    return list(
        session.scalars(select(Election).where(Election.item_id == item.id).order_by(Election.id))
    )


def record_seat_holder(
    session: Session,
    principal: Principal,
    *,
    post: str,
    region: str | None,
    name: str,
    country: str,
    term_ends: int,
    person_ref: str | None = None,
) -> CommitteeSeat:
    """Record a sitting Committee member elected before the platform (for candidacy rules)."""
    require_admin(principal)
    code = member(session, country).code
    try:
        seat = elections.Seat(elections.Post(post), elections.Region(region) if region else None)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    if not name.strip() or not 1900 < term_ends < 2200:
        raise InvalidInput("a seat holder needs a name and the year their term ends")
    row = CommitteeSeat(
        post=seat.post.value,
        region=region or None,
        person_ref=(person_ref or "").strip() or f"{code}-{slugify(name, sep='-')}",
        name=name.strip(),
        country=code,
        term_ends=term_ends,
    )
    session.add(row)
    session.flush()
    record(
        session,
        principal,
        "committee.record",
        "ga_committee",
        row.id,
        country=code,
        seat=seat.label,
        term_ends=term_ends,
    )
    return row


def list_committee(session: Session, year: int | None = None) -> list[CommitteeSeat]:
    """Seat holders, or those serving beyond the session of `year` when it is given."""
    stmt = select(CommitteeSeat).order_by(CommitteeSeat.id)
    if year is not None:
        stmt = stmt.where(CommitteeSeat.term_ends > year)
    return list(session.scalars(stmt))
