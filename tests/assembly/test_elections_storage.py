"""Executive Committee elections through the services and the database, with the figures of
the 92nd and 93rd sessions: every round a secret ballot cast by 164 members."""

from __future__ import annotations

import pytest

from interlink.assembly import Refused, RuleBroken, service_voting
from interlink.assembly.models import AgendaItem
from tests.assembly.support import Assembly, Person, countries

ELECTIONS = ("Elections to the Executive Committee", "election", None)


def cast_round(
    assembly: Assembly, voters: list[Person], ballot_id: int, split: dict[str, int]
) -> None:
    """Cast `split` (option -> votes) in order through the voters, every vote a transaction."""
    choices = [option for option, votes in split.items() for _ in range(votes)]
    assert len(choices) <= len(voters)
    for voter, choice in zip(voters, choices, strict=False):
        assembly.vote(voter, ballot_id, choice)


def open_round(assembly: Assembly, election_id: int) -> int:
    return assembly.run(
        service_voting.open_round, assembly.admin, election_id, keys=assembly.keys
    ).id


def test_president_84_of_164_and_vice_president_for_africa_96(assembly: Assembly) -> None:
    [item_id] = assembly.open_session([ELECTIONS])
    voters = list(assembly.delegations(countries(164)).values())
    assembly.adopt_agenda(voters[:3])
    president = assembly.run(
        service_voting.create_election,
        assembly.admin,
        item_id,
        post="president",
        region=None,
        lot_seed="drawn in plenary",
    ).id
    africa = assembly.run(
        service_voting.create_election,
        assembly.admin,
        item_id,
        post="vice_president",
        region="africa",
    ).id
    for name, country in (("Candidate A", "AE"), ("Candidate B", "BR"), ("Candidate C", "FI")):
        assembly.run(
            service_voting.add_candidate, assembly.admin, president, name=name, country=country
        )
    for name, country in (("Candidate D", "KE"), ("Candidate E", "NG")):
        assembly.run(
            service_voting.add_candidate, assembly.admin, africa, name=name, country=country
        )
    a, b, c = "AE-candidate-a", "BR-candidate-b", "FI-candidate-c"

    # Round 1: two-thirds (110 of 164) not reached; the last candidate is eliminated.
    first = open_round(assembly, president)
    cast_round(assembly, voters, first, {a: 80, b: 60, c: 24})
    assert assembly.close(first).outcome | {"votes": None} == {
        "number": 1,
        "rule": "two_thirds_of_cast",
        "votes": None,
        "abstentions": 0,
        "votes_cast": 164,
        "required": 110,
        "elected": None,
        "eliminated": c,
        "decided_by_tie_rule": False,
    }
    # Round 2: 84 of 164 (51.2 %) is not two-thirds: not decided.
    second = open_round(assembly, president)
    cast_round(assembly, voters, second, {a: 84, b: 80})
    round_two = assembly.close(second).outcome
    assert (round_two["votes"], round_two["required"], round_two["elected"]) == (
        {a: 84, b: 80},
        110,
        None,
    )
    # Round 3: a simple majority suffices after the second ballot; 84 > 82.
    third = open_round(assembly, president)
    cast_round(assembly, voters, third, {a: 84, b: 80})
    round_three = assembly.close(third).outcome
    assert (round_three["rule"], round_three["required"], round_three["elected"]) == (
        "simple_of_cast",
        83,
        a,
    )
    with pytest.raises(RuleBroken):
        open_round(assembly, president)

    # The Vice-President for Africa: 96 of 164 in the first round.
    vp_round = open_round(assembly, africa)
    cast_round(assembly, voters, vp_round, {"KE-candidate-d": 96, "NG-candidate-e": 68})
    assert assembly.close(vp_round).outcome["elected"] == "KE-candidate-d"

    with assembly.db.session() as session:
        election = service_voting.get_election(session, president)
        result = service_voting.seat_election(session, election).result()
        assert [dict(r.votes) for r in result.rounds] == [
            {a: 80, b: 60, c: 24},
            {a: 84, b: 80},
            {a: 84, b: 80},
        ]
        assert result.elected.name == "Candidate A"
        assert session.get(AgendaItem, item_id).status == "decided"
        seats = {
            (s.post, s.region, s.country, s.term_ends)
            for s in service_voting.list_committee(session)
        }
    assert seats == {("president", None, "AE", 2030), ("vice_president", "africa", "KE", 2029)}
    for ballot_id in (first, second, third, vp_round):
        assert assembly.run(service_voting.verify_ballot, ballot_id).ok


@pytest.fixture
def election_item(assembly: Assembly) -> int:
    [item_id] = assembly.open_session([ELECTIONS], quorum_share="1/196")
    return item_id


@pytest.mark.parametrize(
    ("post", "region", "country", "code"),
    [
        ("vice_president", "africa", "FR", "wrong_region"),
        ("delegate", "europe", "MA", "wrong_region"),
    ],
)
def test_candidates_from_outside_the_seats_region_are_refused(
    assembly: Assembly, election_item: int, post: str, region: str, country: str, code: str
) -> None:
    election = assembly.run(
        service_voting.create_election, assembly.admin, election_item, post=post, region=region
    ).id
    with pytest.raises(Refused) as refused:
        assembly.run(
            service_voting.add_candidate, assembly.admin, election, name="X", country=country
        )
    assert refused.value.code == code


def test_no_immediate_reelection_and_one_seat_per_country(
    assembly: Assembly, election_item: int
) -> None:
    assembly.run(
        service_voting.record_seat_holder,
        assembly.admin,
        post="president",
        region=None,
        name="Outgoing President",
        country="AE",
        term_ends=2026,
    )
    assembly.run(
        service_voting.record_seat_holder,
        assembly.admin,
        post="delegate",
        region="europe",
        name="Sitting Delegate",
        country="FR",
        term_ends=2028,
    )
    president = assembly.run(
        service_voting.create_election, assembly.admin, election_item, post="president", region=None
    ).id
    with pytest.raises(Refused) as again:
        assembly.run(
            service_voting.add_candidate,
            assembly.admin,
            president,
            name="Outgoing President",
            country="AE",
        )
    assert again.value.code == "no_immediate_reelection"
    with pytest.raises(Refused) as seated:
        assembly.run(
            service_voting.add_candidate,
            assembly.admin,
            president,
            name="Someone Else",
            country="FR",
        )
    assert seated.value.code == "country_on_committee"
    # Another person of the outgoing President's country may stand.
    assembly.run(
        service_voting.add_candidate, assembly.admin, president, name="New Face", country="AE"
    )


def test_seats_and_candidates_are_fixed_before_the_first_round(
    assembly: Assembly, election_item: int
) -> None:
    voters = list(assembly.delegations(["KE", "NG"]).values())
    assembly.adopt_agenda(voters)
    election = assembly.run(
        service_voting.create_election,
        assembly.admin,
        election_item,
        post="delegate",
        region="africa",
        tie_rule="lot",
        lot_seed="seed",
    ).id
    assembly.run(
        service_voting.add_candidate, assembly.admin, election, name="Only One", country="GH"
    )
    open_round(assembly, election)
    with pytest.raises(RuleBroken) as late_candidate:
        assembly.run(
            service_voting.add_candidate, assembly.admin, election, name="Late", country="GH"
        )
    assert late_candidate.value.code == "candidacy_closed"
    with pytest.raises(RuleBroken) as late_seat:
        assembly.run(
            service_voting.create_election,
            assembly.admin,
            election_item,
            post="delegate",
            region="africa",
        )
    assert late_seat.value.code == "not_a_pending_election_item"


def test_an_election_without_candidates_cannot_open(assembly: Assembly, election_item: int) -> None:
    voters = list(assembly.delegations(["KE", "NG"]).values())
    assembly.adopt_agenda(voters)
    election = assembly.run(
        service_voting.create_election, assembly.admin, election_item, post="president", region=None
    ).id
    with pytest.raises(RuleBroken) as refused:
        open_round(assembly, election)
    assert refused.value.code == "no_candidates"
