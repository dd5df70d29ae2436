"""Executive Committee elections.

The Committee has 13 seats: the President, three Vice-Presidents and nine Delegates, each held
by a different member country. Vice-President and Delegate seats belong to a region; the
President and the Vice-Presidents all come from different regions. Terms: President 4 years,
the others 3; the outgoing holder of a post may not be elected to the same post at once.

Each seat is filled by successive secret ballots (rounds). The President needs two-thirds of
the votes cast in rounds 1 and 2 and a simple majority from round 3 on ("after the second
ballot"); every other seat needs a simple majority of the votes cast. Abstentions (blank
ballots) are not votes cast. When nobody reaches the majority the last candidate is eliminated,
as long as more than two remain; two remaining candidates face each other again, and a tie
between them under a simple majority is decided by the tie rule. Ties for last place are
decided by the same tie rule, fixed (with its lot seed) before the first round.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from interlink.assembly import Refused, RuleBroken
from interlink.assembly.ballot_box import BallotSpec, Tally
from interlink.assembly.majority import MajorityRule, required_votes
from interlink.core.i18n import msg


class Region(enum.StrEnum):
    AFRICA = "africa"
    AMERICAS = "americas"
    ASIA_SOUTH_PACIFIC = "asia_south_pacific"
    EUROPE = "europe"

    @property
    def label(self) -> str:
        return _REGION_LABELS[self]


_REGION_LABELS = {
    Region.AFRICA: "Africa",
    Region.AMERICAS: "the Americas",
    Region.ASIA_SOUTH_PACIFIC: "Asia and the South Pacific",
    Region.EUROPE: "Europe",
}


class Post(enum.StrEnum):
    PRESIDENT = "president"
    VICE_PRESIDENT = "vice_president"
    DELEGATE = "delegate"


TERM_YEARS = MappingProxyType({Post.PRESIDENT: 4, Post.VICE_PRESIDENT: 3, Post.DELEGATE: 3})
PRESIDENT_TWO_THIRDS_ROUNDS = 2  # "after the second ballot a simple majority shall suffice"
# Our default split of the nine Delegate seats; a session may configure another.
DEFAULT_DELEGATE_SEATS = MappingProxyType(
    {
        Region.AFRICA: 2,
        Region.AMERICAS: 2,
        Region.ASIA_SOUTH_PACIFIC: 2,
        Region.EUROPE: 3,
    }
)
_TOP_POSTS = frozenset({Post.PRESIDENT, Post.VICE_PRESIDENT})


class Ineligible(enum.StrEnum):
    WRONG_REGION = "wrong_region"
    COUNTRY_ON_COMMITTEE = "country_on_committee"
    REGION_HAS_TOP_POST = "region_has_top_post"
    NO_IMMEDIATE_REELECTION = "no_immediate_reelection"


@dataclass(frozen=True, slots=True)
class Seat:
    post: Post
    region: Region | None = None  # None for the President only

    def __post_init__(self) -> None:
        if (self.post is Post.PRESIDENT) != (self.region is None):
            raise ValueError("the President's seat has no region; every other seat has one")

    @property
    def label(self) -> str:
        title = self.post.replace("_", "-").title()
        return title if self.region is None else f"{title} for {self.region.label}"


def committee_seats(
    delegate_seats: Mapping[Region, int] = DEFAULT_DELEGATE_SEATS, *, president_region: Region
) -> tuple[Seat, ...]:
    """The 13 seats: Vice-Presidents go to the three regions other than the President's."""
    if sum(delegate_seats.values()) != 9:
        raise ValueError("there are nine Delegate seats")
    vice_presidents = [Seat(Post.VICE_PRESIDENT, r) for r in Region if r is not president_region]
    delegates = [Seat(Post.DELEGATE, r) for r in Region for _ in range(delegate_seats.get(r, 0))]
    return (Seat(Post.PRESIDENT), *vice_presidents, *delegates)


@dataclass(frozen=True, slots=True)
class Candidate:
    person_id: str
    name: str
    country: str  # ISO alpha-2
    region: Region


@dataclass(frozen=True, slots=True)
class SeatHolder:
    seat: Seat
    person_id: str
    country: str
    region: Region
    term_ends: int  # the year of the session at which the term ends


@dataclass(frozen=True, slots=True)
class Committee:
    holders: tuple[SeatHolder, ...] = ()

    def continuing(self, session_year: int) -> tuple[SeatHolder, ...]:
        """Holders whose term runs beyond this session (including those elected at it)."""
        return tuple(h for h in self.holders if h.term_ends > session_year)

    def with_elected(self, holder: SeatHolder) -> Committee:
        return replace(self, holders=(*self.holders, holder))


def check_candidacy(
    seat: Seat, candidate: Candidate, committee: Committee, *, session_year: int
) -> None:
    """Raise `Refused` (code from `Ineligible`) when `candidate` may not stand for `seat`."""
    if seat.region is not None and candidate.region is not seat.region:
        raise Refused(
            msg(
                "%(name)s is from %(region)s, the seat is %(seat)s",
                name=candidate.name,
                region=candidate.region.label,
                seat=seat.label,
            ),
            code=Ineligible.WRONG_REGION,
        )
    continuing = committee.continuing(session_year)
    if any(h.country == candidate.country for h in continuing):
        raise Refused(
            msg("%(country)s already holds a seat on the Committee", country=candidate.country),
            code=Ineligible.COUNTRY_ON_COMMITTEE,
        )
    if seat.post in _TOP_POSTS and any(
        h.seat.post in _TOP_POSTS and h.region is candidate.region for h in continuing
    ):
        raise Refused(
            msg(
                "the President or a Vice-President already comes from %(region)s",
                region=candidate.region.label,
            ),
            code=Ineligible.REGION_HAS_TOP_POST,
        )
    if any(
        h.person_id == candidate.person_id
        and h.seat.post is seat.post
        and h.term_ends == session_year
        for h in committee.holders
    ):
        raise Refused(
            msg(
                "%(name)s ends a term in this post and may not be re-elected to it at once",
                name=candidate.name,
            ),
            code=Ineligible.NO_IMMEDIATE_REELECTION,
        )


def majority_for_round(post: Post, round_number: int) -> MajorityRule:
    if post is Post.PRESIDENT and round_number <= PRESIDENT_TWO_THIRDS_ROUNDS:
        return MajorityRule.TWO_THIRDS_OF_CAST
    return MajorityRule.SIMPLE_OF_CAST


class TieRule(enum.StrEnum):
    # Fewer votes in the latest earlier round where the tied candidates differ; then lot.
    PREVIOUS_ROUNDS_THEN_LOT = "previous_rounds_then_lot"
    LOT = "lot"


@dataclass(frozen=True, slots=True)
class TieBreak:
    """The tie rule stated in advance, with the lot seed published before the first round.

    The lot is reproducible by anyone: candidates are ranked by SHA-256(seed, person id) and the
    lowest draw loses.
    """

    rule: TieRule
    lot_seed: str

    def loser(self, tied: Sequence[str], earlier_rounds: Sequence[Mapping[str, int]]) -> str:
        """Which of the tied candidates (person ids) loses the tie."""
        pool = list(tied)
        if self.rule is TieRule.PREVIOUS_ROUNDS_THEN_LOT:
            for votes in reversed(earlier_rounds):
                fewest = min(votes[person] for person in pool)
                pool = [person for person in pool if votes[person] == fewest]
                if len(pool) == 1:
                    return pool[0]
        return min(pool, key=self.draw)

    def draw(self, person_id: str) -> str:
        return hashlib.sha256(f"{self.lot_seed}\n{person_id}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class RoundResult:
    number: int
    rule: MajorityRule
    votes: Mapping[str, int]  # person id -> votes, every candidate of the round
    abstentions: int
    votes_cast: int
    required: int
    elected: str | None = None
    eliminated: str | None = None
    decided_by_tie_rule: bool = False


@dataclass(frozen=True, slots=True)
class ElectionResult:
    seat: Seat
    candidates: tuple[Candidate, ...]
    rounds: tuple[RoundResult, ...]
    elected: Candidate | None


@dataclass(slots=True)
class SeatElection:
    """The rounds for one seat. Feed it each round's tally until `elected` is set."""

    seat: Seat
    candidates: tuple[Candidate, ...]
    tie_break: TieBreak
    rounds: list[RoundResult] = field(default_factory=list)

    def __post_init__(self) -> None:
        people = [c.person_id for c in self.candidates]
        if not people or len(set(people)) != len(people):
            raise ValueError("an election needs candidates, each listed once")

    @property
    def elected(self) -> Candidate | None:
        last = self.rounds[-1].elected if self.rounds else None
        return next((c for c in self.candidates if c.person_id == last), None)

    @property
    def remaining(self) -> tuple[str, ...]:
        """Person ids still on the ballot, in the order of candidacy."""
        out = {r.eliminated for r in self.rounds}
        return tuple(c.person_id for c in self.candidates if c.person_id not in out)

    @property
    def round_number(self) -> int:
        return len(self.rounds) + 1

    @property
    def rule(self) -> MajorityRule:
        return majority_for_round(self.seat.post, self.round_number)

    def ballot(self, ballot_id: str) -> BallotSpec:
        """The secret ballot for the next round: one option per remaining candidate."""
        self._require_open()
        question = f"{self.seat.label}, round {self.round_number}"
        return BallotSpec(ballot_id=ballot_id, question=question, options=self.remaining)

    def record(self, tally: Tally) -> RoundResult:
        """Apply the round's tally: elect, eliminate the last, or go to another round."""
        self._require_open()
        remaining = self.remaining
        if set(tally.counts) != set(remaining):
            raise RuleBroken(
                "the tally does not list exactly the remaining candidates", code="tally_mismatch"
            )
        votes = {person: tally.counts[person] for person in remaining}
        required = required_votes(self.rule, votes_cast=tally.votes_cast, members=0)
        result = RoundResult(
            number=self.round_number,
            rule=self.rule,
            votes=votes,
            abstentions=tally.abstentions,
            votes_cast=tally.votes_cast,
            required=required,
        )
        result = self._conclude(result)
        self.rounds.append(result)
        return result

    def result(self) -> ElectionResult:
        return ElectionResult(self.seat, self.candidates, tuple(self.rounds), self.elected)

    def holder(self, *, session_year: int) -> SeatHolder:
        """The elected candidate as a Committee seat holder, with the term of the post."""
        elected = self.elected
        if elected is None:
            raise RuleBroken(
                msg("nobody is elected yet to %(seat)s", seat=self.seat.label), code="not_decided"
            )
        return SeatHolder(
            self.seat,
            elected.person_id,
            elected.country,
            elected.region,
            term_ends=session_year + TERM_YEARS[self.seat.post],
        )

    def _conclude(self, result: RoundResult) -> RoundResult:
        votes = result.votes
        leader = max(votes, key=votes.__getitem__)
        if votes[leader] >= result.required:
            return replace(result, elected=leader)
        earlier = [r.votes for r in self.rounds]
        if len(votes) > 2:
            fewest = min(votes.values())
            last = [person for person, count in votes.items() if count == fewest]
            return replace(
                result,
                eliminated=self.tie_break.loser(last, earlier),
                decided_by_tie_rule=len(last) > 1,
            )
        if len(votes) == 2 and result.rule is MajorityRule.SIMPLE_OF_CAST and result.votes_cast:
            # Two candidates without a simple majority are tied: the tie rule decides.
            loser = self.tie_break.loser(tuple(votes), earlier)
            winner = next(person for person in votes if person != loser)
            return replace(result, elected=winner, decided_by_tie_rule=True)
        return result  # two under two-thirds, a lone one, or no vote cast: another round

    def _require_open(self) -> None:
        if self.elected is not None:
            raise RuleBroken(
                msg("%(seat)s is already filled", seat=self.seat.label), code="already_decided"
            )
