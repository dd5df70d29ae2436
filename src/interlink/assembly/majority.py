"""Majority rules and quorum.

Every rule is computed in whole votes ("at least N in favour"), never with floats, so that a
result can be checked by hand: 84 of 164 votes cast is a simple majority (83 needed) but not
two-thirds (110 needed).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from fractions import Fraction


class MajorityRule(enum.StrEnum):
    SIMPLE_OF_CAST = "simple_of_cast"  # more than half of the votes cast
    TWO_THIRDS_OF_CAST = "two_thirds_of_cast"  # at least two-thirds of the votes cast
    TWO_THIRDS_OF_MEMBERS = "two_thirds_of_members"  # at least two-thirds of all members

    @property
    def counts_members(self) -> bool:
        return self is MajorityRule.TWO_THIRDS_OF_MEMBERS

    @property
    def wording(self) -> str:
        return _RULE_WORDING[self]


_RULE_WORDING = {
    MajorityRule.SIMPLE_OF_CAST: "more than half of the votes cast",
    MajorityRule.TWO_THIRDS_OF_CAST: "two-thirds of the votes cast",
    MajorityRule.TWO_THIRDS_OF_MEMBERS: "two-thirds of all members",
}


def required_votes(rule: MajorityRule, *, votes_cast: int, members: int) -> int:
    """The smallest number of favourable votes that satisfies `rule` (never less than 1)."""
    if votes_cast < 0 or members < 0:
        raise ValueError("vote and member counts cannot be negative")
    base = members if rule.counts_members else votes_cast
    if rule is MajorityRule.SIMPLE_OF_CAST:
        needed = base // 2 + 1
    else:
        needed = math.ceil(Fraction(2 * base, 3))
    # Nothing is adopted by nobody: with no votes cast even "two-thirds of zero" needs one vote.
    return max(needed, 1)


@dataclass(frozen=True, slots=True)
class Count:
    """The votes on a question; abstentions are always recorded, whatever the rule does."""

    in_favour: int
    against: int
    abstentions: int = 0

    def __post_init__(self) -> None:
        if min(self.in_favour, self.against, self.abstentions) < 0:
            raise ValueError("vote counts cannot be negative")


@dataclass(frozen=True, slots=True)
class Outcome:
    """A decided question, with every number needed to check the decision."""

    rule: MajorityRule
    in_favour: int
    against: int
    abstentions: int
    votes_cast: int
    members: int
    required: int
    adopted: bool

    @property
    def threshold(self) -> str:
        """The threshold used, in words: "110 in favour needed (two-thirds of the votes cast)"."""
        return f"{self.required} in favour needed ({self.rule.wording})"


def decide(
    rule: MajorityRule, count: Count, *, members: int, abstentions_are_cast: bool = False
) -> Outcome:
    """Apply `rule` to `count`. Abstentions are not votes cast unless the rule says they are."""
    votes_cast = count.in_favour + count.against
    if abstentions_are_cast:
        votes_cast += count.abstentions
    required = required_votes(rule, votes_cast=votes_cast, members=members)
    return Outcome(
        rule=rule,
        in_favour=count.in_favour,
        against=count.against,
        abstentions=count.abstentions,
        votes_cast=votes_cast,
        members=members,
        required=required,
        adopted=count.in_favour >= required,
    )


@dataclass(frozen=True, slots=True)
class QuorumStatus:
    present: int
    members: int
    required: int

    @property
    def met(self) -> bool:
        return self.present >= self.required


@dataclass(frozen=True, slots=True)
class Quorum:
    """How many members must be present. Default: a majority (more than half) of members."""

    share: Fraction = Fraction(1, 2)
    strictly_more: bool = True  # True: more than `share`; False: at least `share`

    def __post_init__(self) -> None:
        if not 0 < self.share <= 1 or (self.strictly_more and self.share == 1):
            raise ValueError("a quorum must be reachable: share in (0, 1), or exactly 1 inclusive")

    def required(self, members: int) -> int:
        exact = self.share * members
        return math.floor(exact) + 1 if self.strictly_more else math.ceil(exact)

    def status(self, *, present: int, members: int) -> QuorumStatus:
        return QuorumStatus(present=present, members=members, required=self.required(members))
