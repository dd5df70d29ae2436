from fractions import Fraction

import pytest

from interlink.assembly.majority import Count, MajorityRule, Quorum, decide, required_votes

SIMPLE, TWO_THIRDS, OF_MEMBERS = (
    MajorityRule.SIMPLE_OF_CAST,
    MajorityRule.TWO_THIRDS_OF_CAST,
    MajorityRule.TWO_THIRDS_OF_MEMBERS,
)


@pytest.mark.parametrize(
    ("rule", "cast", "members", "needed"),
    [
        (SIMPLE, 164, 196, 83),
        (SIMPLE, 165, 196, 83),
        (SIMPLE, 2, 196, 2),
        (SIMPLE, 1, 196, 1),
        (TWO_THIRDS, 164, 196, 110),
        (TWO_THIRDS, 3, 196, 2),
        (TWO_THIRDS, 4, 196, 3),
        (OF_MEMBERS, 10, 196, 131),  # the turnout does not matter
        (OF_MEMBERS, 179, 195, 130),
        (SIMPLE, 0, 196, 1),  # nothing passes with no votes at all
        (TWO_THIRDS, 0, 196, 1),
    ],
)
def test_required_votes(rule: MajorityRule, cast: int, members: int, needed: int) -> None:
    assert required_votes(rule, votes_cast=cast, members=members) == needed


def test_93rd_session_figures_two_thirds_not_reached_simple_majority_reached() -> None:
    count = Count(in_favour=84, against=80)  # 84 of 164 votes cast, 51.2 %
    two_thirds = decide(TWO_THIRDS, count, members=196)
    simple = decide(SIMPLE, count, members=196)
    assert (two_thirds.adopted, two_thirds.required, two_thirds.votes_cast) == (False, 110, 164)
    assert (simple.adopted, simple.required) == (True, 83)
    assert two_thirds.threshold == "110 in favour needed (two-thirds of the votes cast)"


@pytest.mark.parametrize(
    ("count", "rule", "adopted"),
    [
        (Count(50, 50), SIMPLE, False),  # a tie is not a majority
        (Count(51, 50), SIMPLE, True),
        (Count(2, 1), TWO_THIRDS, True),  # exactly two-thirds is enough
        (Count(199, 101), TWO_THIRDS, False),
        (Count(130, 0), OF_MEMBERS, False),  # unanimous, but 130 < 131 of 196 members
        (Count(131, 60, 5), OF_MEMBERS, True),
    ],
)
def test_adoption_on_both_sides_of_the_threshold(
    count: Count, rule: MajorityRule, adopted: bool
) -> None:
    assert decide(rule, count, members=196).adopted is adopted


def test_abstentions_recorded_but_not_cast_unless_the_rule_says_so() -> None:
    count = Count(in_favour=50, against=40, abstentions=20)
    default = decide(SIMPLE, count, members=196)
    counted = decide(SIMPLE, count, members=196, abstentions_are_cast=True)
    assert (default.votes_cast, default.required, default.adopted) == (90, 46, True)
    assert (counted.votes_cast, counted.required, counted.adopted) == (110, 56, False)
    assert default.abstentions == counted.abstentions == 20


def test_negative_counts_are_rejected() -> None:
    with pytest.raises(ValueError):
        Count(in_favour=-1, against=0)
    with pytest.raises(ValueError):
        required_votes(SIMPLE, votes_cast=-1, members=196)


@pytest.mark.parametrize(("present", "met"), [(98, False), (99, True), (196, True)])
def test_default_quorum_is_a_majority_of_members(present: int, met: bool) -> None:
    status = Quorum().status(present=present, members=196)
    assert (status.required, status.met) == (99, met)


@pytest.mark.parametrize(
    ("quorum", "members", "required"),
    [
        (Quorum(Fraction(1, 2)), 195, 98),
        (Quorum(Fraction(1, 3), strictly_more=False), 196, 66),
        (Quorum(Fraction(1, 3), strictly_more=False), 195, 65),
        (Quorum(Fraction(1), strictly_more=False), 196, 196),
    ],
)
def test_configured_quorum(quorum: Quorum, members: int, required: int) -> None:
    assert quorum.required(members) == required


@pytest.mark.parametrize(
    ("share", "strictly_more"), [(Fraction(0), True), (Fraction(3, 2), False), (Fraction(1), True)]
)
def test_unreachable_quorum_is_rejected(share: Fraction, strictly_more: bool) -> None:
    with pytest.raises(ValueError):
        Quorum(share, strictly_more=strictly_more)
