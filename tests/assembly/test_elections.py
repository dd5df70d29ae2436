import pytest

from interlink.assembly import Refused, RuleBroken
from interlink.assembly.ballot_box import ABSTAIN, BallotSealer, SecretBallotBox, Tally
from interlink.assembly.elections import (
    Candidate,
    Committee,
    Ineligible,
    Post,
    Region,
    Seat,
    SeatElection,
    SeatHolder,
    TieBreak,
    TieRule,
    check_candidacy,
    committee_seats,
    majority_for_round,
)
from interlink.assembly.majority import MajorityRule

AF, AM, AS, EU = Region.AFRICA, Region.AMERICAS, Region.ASIA_SOUTH_PACIFIC, Region.EUROPE
PRESIDENT = Seat(Post.PRESIDENT)
VP_AFRICA = Seat(Post.VICE_PRESIDENT, AF)
TIES = TieBreak(TieRule.PREVIOUS_ROUNDS_THEN_LOT, lot_seed="drawn in plenary on 24 Nov 2025")


def candidate(person: str, country: str, region: Region) -> Candidate:
    return Candidate(person, f"Candidate {person}", country, region)


A, B, C, D = (
    candidate("a", "BR", AM),
    candidate("b", "FR", EU),
    candidate("c", "JP", AS),
    candidate("d", "KE", AF),
)


def tally(abstentions: int = 0, **votes: int) -> Tally:
    return Tally(votes, abstentions)


def test_president_84_of_164_waits_for_a_simple_majority_from_the_third_ballot() -> None:
    election = SeatElection(PRESIDENT, (A, B, C), TIES)
    first = election.record(tally(a=80, b=60, c=24))
    assert (first.rule, first.required, first.elected, first.eliminated) == (
        MajorityRule.TWO_THIRDS_OF_CAST,
        110,
        None,
        "c",
    )
    second = election.record(tally(a=84, b=80, abstentions=3))
    assert (second.votes_cast, second.required, second.elected, second.eliminated) == (
        164,
        110,
        None,
        None,
    )  # 51.2 % is not two-thirds; two candidates both stay
    third = election.record(tally(a=84, b=80, abstentions=3))
    assert (third.rule, third.required, third.elected) == (MajorityRule.SIMPLE_OF_CAST, 83, "a")
    assert round(100 * third.votes["a"] / third.votes_cast, 1) == 51.2
    result = election.result()
    assert result.elected == A
    assert [dict(r.votes) for r in result.rounds] == [
        {"a": 80, "b": 60, "c": 24},
        {"a": 84, "b": 80},
        {"a": 84, "b": 80},
    ]


@pytest.mark.parametrize(
    ("post", "round_number", "rule"),
    [
        (Post.PRESIDENT, 1, MajorityRule.TWO_THIRDS_OF_CAST),
        (Post.PRESIDENT, 2, MajorityRule.TWO_THIRDS_OF_CAST),
        (Post.PRESIDENT, 3, MajorityRule.SIMPLE_OF_CAST),
        (Post.PRESIDENT, 7, MajorityRule.SIMPLE_OF_CAST),
        (Post.VICE_PRESIDENT, 1, MajorityRule.SIMPLE_OF_CAST),
        (Post.DELEGATE, 1, MajorityRule.SIMPLE_OF_CAST),
    ],
)
def test_majority_by_post_and_round(post: Post, round_number: int, rule: MajorityRule) -> None:
    assert majority_for_round(post, round_number) is rule


def test_president_elected_at_once_with_two_thirds() -> None:
    election = SeatElection(PRESIDENT, (A, B), TIES)
    assert election.record(tally(a=110, b=54)).elected == "a"


def test_vice_president_for_africa_elected_with_96_votes() -> None:
    d2 = candidate("d2", "NG", AF)
    election = SeatElection(VP_AFRICA, (D, d2), TIES)
    first = election.record(tally(d=96, d2=73, abstentions=5))
    assert (first.votes_cast, first.required, first.elected) == (169, 85, "d")
    assert election.holder(session_year=2024) == SeatHolder(VP_AFRICA, "d", "KE", AF, 2027)


def test_last_candidate_eliminated_until_someone_has_the_majority() -> None:
    e = candidate("e", "EG", AF)
    election = SeatElection(
        Seat(Post.DELEGATE, AF), (D, e, candidate("f", "GH", AF), candidate("g", "SN", AF)), TIES
    )
    rounds = [
        election.record(tally(d=60, e=50, f=40, g=20)),
        election.record(tally(d=70, e=55, f=45)),
        election.record(tally(d=100, e=70)),
    ]
    assert [r.eliminated for r in rounds] == ["g", "f", None]
    assert election.elected == D
    assert election.remaining == ("d", "e")


def test_tie_for_last_goes_to_the_earlier_round() -> None:
    election = SeatElection(Seat(Post.DELEGATE, EU), (A, B, C, D), TIES)
    election.record(tally(a=50, b=31, c=29, d=20))
    second = election.record(tally(a=60, b=35, c=35))
    assert (second.eliminated, second.decided_by_tie_rule) == ("c", True)


@pytest.mark.parametrize("rule", list(TieRule))
def test_tie_for_last_with_no_difference_before_is_decided_by_the_published_lot(
    rule: TieRule,
) -> None:
    ties = TieBreak(rule, lot_seed="seed-93")
    election = SeatElection(Seat(Post.DELEGATE, EU), (A, B, C), ties)
    result = election.record(tally(a=50, b=30, c=30))
    assert result.eliminated == min(["b", "c"], key=ties.draw)
    assert result.decided_by_tie_rule
    losers = {TieBreak(rule, seed).loser(["b", "c"], []) for seed in map(str, range(20))}
    assert losers == {"b", "c"}  # the published seed decides, not the candidate's id


def test_lot_rule_ignores_earlier_rounds() -> None:
    earlier = [{"b": 1, "c": 9}]  # b did worse in the round before
    seed = next(
        s
        for s in map(str, range(100))
        if TieBreak(TieRule.LOT, s).draw("c") < TieBreak(TieRule.LOT, s).draw("b")
    )
    assert TieBreak(TieRule.LOT, seed).loser(["b", "c"], earlier) == "c"
    assert TieBreak(TieRule.PREVIOUS_ROUNDS_THEN_LOT, seed).loser(["b", "c"], earlier) == "b"


def test_two_tied_candidates_under_a_simple_majority_are_decided_by_the_tie_rule() -> None:
    election = SeatElection(Seat(Post.DELEGATE, EU), (A, B), TIES)
    result = election.record(tally(a=80, b=80, abstentions=4))
    assert result.decided_by_tie_rule and result.elected in {"a", "b"}
    assert result.elected == ("a" if TIES.draw("b") < TIES.draw("a") else "b")


def test_a_round_with_no_vote_cast_decides_nothing() -> None:
    election = SeatElection(Seat(Post.DELEGATE, EU), (A, B), TIES)
    result = election.record(tally(a=0, b=0, abstentions=150))
    assert (result.elected, result.decided_by_tie_rule, election.round_number) == (None, False, 2)


def test_two_tied_candidates_under_two_thirds_vote_again() -> None:
    election = SeatElection(PRESIDENT, (A, B), TIES)
    result = election.record(tally(a=80, b=80))
    assert (result.elected, result.eliminated, election.elected) == (None, None, None)
    assert election.round_number == 2


def test_round_ballot_lists_the_remaining_candidates() -> None:
    election = SeatElection(PRESIDENT, (A, B, C), TIES)
    election.record(tally(a=80, b=60, c=24))
    spec = election.ballot("GA93/president/2")
    assert spec.options == ("a", "b") and spec.question == "President, round 2"


def test_a_decided_election_takes_no_more_rounds_and_tallies_must_match() -> None:
    election = SeatElection(PRESIDENT, (A, B), TIES)
    with pytest.raises(RuleBroken) as mismatch:
        election.record(tally(a=120, c=3))
    assert mismatch.value.code == "tally_mismatch"
    with pytest.raises(RuleBroken) as undecided:
        election.holder(session_year=2025)
    assert undecided.value.code == "not_decided"
    election.record(tally(a=120, b=40))
    with pytest.raises(RuleBroken) as done:
        election.record(tally(a=1, b=0))
    assert done.value.code == "already_decided"
    assert election.holder(session_year=2025).term_ends == 2029  # the President serves 4 years


def test_secret_ballot_rounds_end_to_end(sealer: BallotSealer) -> None:
    """164 members vote in each round; the tally comes from the bulletin board."""
    election = SeatElection(PRESIDENT, (A, B, C), TIES)
    plans = [{"a": 80, "b": 60, "c": 24}, {"a": 84, "b": 80}, {"a": 84, "b": 80}]
    for number, plan in enumerate(plans, start=1):
        box = SecretBallotBox(election.ballot(f"GA93/president/{number}"), sealer)
        choices = [person for person, n in plan.items() for _ in range(n)] + [ABSTAIN] * 3
        store = [box.cast(f"M{i:03}", choice).sealed for i, choice in enumerate(choices)]
        election.record(box.close(store).tally())
    assert election.elected == A
    assert [r.votes_cast for r in election.rounds] == [164, 164, 164]


SESSION = 2025
SITTING = Committee(
    (
        SeatHolder(Seat(Post.PRESIDENT), "pres", "AE", AS, term_ends=2025),
        SeatHolder(Seat(Post.VICE_PRESIDENT, EU), "vp-eu", "PT", EU, term_ends=2027),
        SeatHolder(Seat(Post.VICE_PRESIDENT, AF), "vp-af", "CM", AF, term_ends=2025),
        SeatHolder(Seat(Post.DELEGATE, AM), "del-am", "AR", AM, term_ends=2026),
        SeatHolder(Seat(Post.DELEGATE, AF), "del-af", "NG", AF, term_ends=2025),
    )
)


@pytest.mark.parametrize(
    ("seat", "who", "code"),
    [
        (VP_AFRICA, candidate("x", "DE", EU), Ineligible.WRONG_REGION),
        (Seat(Post.DELEGATE, AM), candidate("x", "AR", AM), Ineligible.COUNTRY_ON_COMMITTEE),
        (PRESIDENT, candidate("x", "PT", EU), Ineligible.COUNTRY_ON_COMMITTEE),
        (PRESIDENT, candidate("x", "ES", EU), Ineligible.REGION_HAS_TOP_POST),
        (PRESIDENT, candidate("pres", "AE", AS), Ineligible.NO_IMMEDIATE_REELECTION),
        (VP_AFRICA, candidate("vp-af", "CM", AF), Ineligible.NO_IMMEDIATE_REELECTION),
        (
            Seat(Post.DELEGATE, AF),
            candidate("del-af", "NG", AF),
            Ineligible.NO_IMMEDIATE_REELECTION,
        ),
    ],
)
def test_ineligible_candidacies(seat: Seat, who: Candidate, code: Ineligible) -> None:
    with pytest.raises(Refused) as refused:
        check_candidacy(seat, who, SITTING, session_year=SESSION)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("seat", "who"),
    [
        (VP_AFRICA, candidate("y", "CM", AF)),  # same country, new person: the seat is ending
        (PRESIDENT, candidate("y", "MA", AF)),  # Africa's Vice-President is leaving
        (Seat(Post.DELEGATE, EU), candidate("y", "ES", EU)),  # regions bind only top posts
        (Seat(Post.DELEGATE, AS), candidate("pres", "AE", AS)),  # another post is allowed
    ],
)
def test_eligible_candidacies(seat: Seat, who: Candidate) -> None:
    check_candidacy(seat, who, SITTING, session_year=SESSION)


def test_a_country_elected_earlier_in_the_session_cannot_take_a_second_seat() -> None:
    election = SeatElection(PRESIDENT, (candidate("y", "MA", AF),), TIES)
    election.record(tally(y=150))
    committee = SITTING.with_elected(election.holder(session_year=SESSION))
    with pytest.raises(Refused) as refused:
        check_candidacy(VP_AFRICA, candidate("z", "MA", AF), committee, session_year=SESSION)
    assert refused.value.code == Ineligible.COUNTRY_ON_COMMITTEE
    with pytest.raises(Refused) as region:
        check_candidacy(VP_AFRICA, candidate("z", "SN", AF), committee, session_year=SESSION)
    assert region.value.code == Ineligible.REGION_HAS_TOP_POST


def test_committee_has_thirteen_seats_with_vice_presidents_outside_the_presidents_region() -> None:
    seats = committee_seats(president_region=AS)
    assert len(seats) == 13
    assert {s.region for s in seats if s.post is Post.VICE_PRESIDENT} == {AF, AM, EU}
    assert sum(s.post is Post.DELEGATE for s in seats) == 9
    assert Seat(Post.VICE_PRESIDENT, AS).label == "Vice-President for Asia and the South Pacific"
    with pytest.raises(ValueError):
        committee_seats({AF: 3}, president_region=AS)


@pytest.mark.parametrize(
    ("post", "region"), [(Post.PRESIDENT, EU), (Post.DELEGATE, None), (Post.VICE_PRESIDENT, None)]
)
def test_seat_regions(post: Post, region: Region | None) -> None:
    with pytest.raises(ValueError):
        Seat(post, region)


@pytest.mark.parametrize("candidates", [(), (A, A)])
def test_an_election_needs_distinct_candidates(candidates: tuple[Candidate, ...]) -> None:
    with pytest.raises(ValueError):
        SeatElection(PRESIDENT, candidates, TIES)
